//! The server with the demo township, started on a free port and a database of its own for
//! a step of `test` or `bench`, and stopped (its folder removed) when dropped.

use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::{cmd, root, server_bin, Result};

/// The server (a `debug` or `release` build) with the demo township in a temporary folder; stopped when dropped, so
/// a failing step never leaves it running.
pub struct Server {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
}

impl Server {
    pub fn start(profile: &str) -> Result<Server> {
        let addr = free_port()?;
        let dir = std::env::temp_dir().join(format!("ywt-{profile}-{}", std::process::id()));
        // A leftover from an earlier run with the same process id would hold another database.
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // The server logs to stdout; kept in a file, shown only if it fails to start.
        let log_path = dir.join("server.log");
        let log = File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let bin = server_bin(profile)?;
        println!("\n==> start the {profile} server on http://{addr} (demo township)");
        let child = cmd(bin.to_str().expect("UTF-8 path"), &["--demo"])
            .env("YWT_ADDR", addr.to_string())
            .env(
                "YWT_DATABASE_URL",
                format!("sqlite://{}", dir.join("ywt.db").display()),
            )
            .env("YWT_STATIC_DIR", root().join("dist"))
            .env("YWT_LOG", "warn")
            // Benches and the journeys raise far more than a person's daily quota.
            .env("YWT_ISSUES_PER_DAY", "1000000")
            .env("YWT_PHOTOS_PER_DAY", "1000000")
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .spawn()
            .map_err(|e| format!("starting {}: {e}", bin.display()))?;
        let mut server = Server { child, addr, dir };
        server.wait_until_listening(&log_path)?;
        Ok(server)
    }

    pub fn url(&self) -> String {
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
