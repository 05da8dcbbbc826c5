//! `cargo xtask bench`: printed figures, never a pass/fail gate (timings on a shared machine
//! vary too much to fail a build on): both apps' first-load bytes, the sync benchmark, and
//! Lighthouse plus the offline repeat boot on the resident app (`e2e/lighthouse.mjs`) against
//! the release server with the demo township, started here on a port and database of its own.

use crate::server::Server;
use crate::{build_app, cmd, root, sizes, step, target_dir, tools, Result};

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
    let server = Server::start("release")?;
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
