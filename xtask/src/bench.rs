//! `cargo xtask bench`: printed figures, never a pass/fail gate (timings on a shared machine
//! vary too much to fail a build on): both apps' first-load bytes, the sync benchmark, and
//! Lighthouse plus the offline repeat boot on the resident app (`e2e/lighthouse.mjs`) against
//! the release server with the demo township, started here on a port and database of its own.

use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::{build_app, cmd, root, server_bin, sizes, step, target_dir, tools, Result};

pub fn run() -> Result {
    // `--records N`: the largest data size the pull figures are taken at (default 1,000,000).
    let args: Vec<String> = std::env::args().collect();
    let records = args
        .iter()
        .position(|a| a == "--records")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "1000000".to_string());
    records
        .parse::<usize>()
        .map_err(|_| format!("--records wants a number, got {records:?}"))?;
    build_app()?;
    sizes::report(&root().join("dist"))?;
    step(
        "sync benchmark (release server, loopback)",
        cmd(
            "cargo",
            &[
                "run",
                "--locked",
                "--release",
                "-p",
                "server",
                "--example",
                "sync_bench",
            ],
        )
        .env("YWT_BENCH_RECORDS", &records),
    )?;
    lighthouse()
}

/// The Lighthouse of the figures, pinned in e2e/package.json (13 needs Node 22).
pub const LIGHTHOUSE_VERSION: &str = "12.2.3";

/// Lighthouse on the sign-in page and the signed-in 首页, then the offline repeat boot.
fn lighthouse() -> Result {
    tools::ensure_browser_and_e2e_packages()?;
    step(
        "build the release server",
        &mut cmd("cargo", &["build", "--locked", "--release", "-p", "server"]),
    )?;
    let server = Server::start()?;
    let out = target_dir()?.join("bench");
    step(
        &format!("Lighthouse {LIGHTHOUSE_VERSION} and the offline repeat boot (e2e/lighthouse.mjs; a few minutes)"),
        cmd("node", &["lighthouse.mjs"])
            .current_dir(root().join("e2e"))
            .env("YWT_LIGHTHOUSE_VERSION", LIGHTHOUSE_VERSION)
            .env("YWT_BENCH_URL", server.url())
            .env("YWT_BENCH_OUT", &out),
    )
}

/// The release server with the demo township in a temporary folder; stopped when dropped, so
/// a failing step never leaves it running.
struct Server {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
}

impl Server {
    fn start() -> Result<Server> {
        let addr = free_port()?;
        let dir = std::env::temp_dir().join(format!("ywt-bench-{}", std::process::id()));
        // A leftover from an earlier run with the same process id would hold another database.
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // The server logs to stdout; kept in a file, shown only if it fails to start.
        let log_path = dir.join("server.log");
        let log = File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let bin = server_bin("release")?;
        println!("\n==> start the release server on http://{addr} (demo township)");
        let child = cmd(bin.to_str().expect("UTF-8 path"), &["--demo"])
            .env("YWT_ADDR", addr.to_string())
            .env(
                "YWT_DATABASE_URL",
                format!("sqlite://{}", dir.join("bench.db").display()),
            )
            .env("YWT_STATIC_DIR", root().join("dist"))
            .env("YWT_LOG", "warn")
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .spawn()
            .map_err(|e| format!("starting {}: {e}", bin.display()))?;
        let mut server = Server { child, addr, dir };
        server.wait_until_listening(&log_path)?;
        Ok(server)
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server binds its port only after the migrations and the demo township are in.
    fn wait_until_listening(&mut self, log: &std::path::Path) -> Result {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let exited = self.child.try_wait().map_err(|e| e.to_string())?;
            if let Some(status) = exited {
                let log = std::fs::read_to_string(log).unwrap_or_default();
                return Err(format!("the server exited at start ({status}):\n{log}"));
            }
            if TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "the server did not listen on {} within 60 s",
            self.addr
        ))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Best effort while unwinding or returning an error: nothing else could be done with
        // a failure here, and the process is ours (kill by handle, never by name).
        self.child.kill().ok();
        self.child.wait().ok();
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// A loopback address with a port the system just gave out (free unless raced, as in e2e).
fn free_port() -> Result<SocketAddr> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|e| format!("finding a free port: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lighthouse 13 needs Node 22; these machines have Node 20 (TOOLCHAIN.md), and a caret
    /// range would let `npm install` move to it.
    #[test]
    fn lighthouse_is_pinned_exactly_to_the_version_that_runs_on_node_20() {
        let package = std::fs::read_to_string(root().join("e2e/package.json")).unwrap();
        assert!(
            package.contains(&format!("\"lighthouse\": \"{LIGHTHOUSE_VERSION}\"")),
            "e2e/package.json must pin lighthouse to exactly {LIGHTHOUSE_VERSION}"
        );
    }
}
