//! The project's tasks, in Rust so they run wherever cargo does (matklad/cargo-xtask):
//!
//! - `cargo xtask run`: install what is missing, build the app, start the server with the
//!   demo township (honours `YWT_ADDR` and `YWT_DATABASE_URL`).
//! - `cargo xtask test`: install what is missing, run every test: formatting and lints, the
//!   Rust tests of `domain` and `server`, the app's tests in headless Chromium, and the
//!   Playwright journeys against the release build served by the real server.
//! - `cargo xtask sizes`: first-load bytes of the release build (raw, gzip, brotli).
//! - `cargo xtask bench`: sizes, then the sync benchmark (push 1,000 mutations; throughput).
//!
//! Installs are idempotent: a second run with nothing changed skips them.

mod sizes;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

pub type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let outcome = match task.as_str() {
        "run" => run(),
        "test" => test(),
        "sizes" => build_app().and_then(|_| sizes::report(&root().join("dist")).map(|_| ())),
        "bench" => bench(),
        "install" => tools::ensure_all(),
        _ => {
            eprintln!("usage: cargo xtask <run|test|sizes|bench|install>");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask {task} failed: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// A command run from the root, with the project's tools first on PATH.
pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(root())
        .env("PATH", tools::path_with_tools());
    command
}

/// Runs a step, printing its name and how long it took.
pub fn step(name: &str, command: &mut Command) -> Result {
    println!("\n==> {name}");
    let started = Instant::now();
    let status = command
        .status()
        .map_err(|e| format!("{name}: could not start {:?}: {e}", command.get_program()))?;
    println!("    ({name}: {:.1} s)", started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

fn build_app() -> Result {
    tools::ensure_build_tools()?;
    step(
        "fetch crates (Trunk builds offline)",
        &mut cmd("cargo", &["fetch", "--locked"]),
    )?;
    step(
        "build the app (trunk build --release)",
        &mut cmd("trunk", &["build", "--release"]),
    )?;
    sizes::precompress(&root().join("dist"))
}

fn run() -> Result {
    build_app()?;
    step(
        "build the server",
        &mut cmd("cargo", &["build", "--locked", "--release", "-p", "server"]),
    )?;
    let addr = std::env::var("YWT_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let database =
        std::env::var("YWT_DATABASE_URL").unwrap_or_else(|_| "sqlite://data/yiwantang.db".into());
    println!("\n==> start the server on http://{addr} (database {database}); Ctrl-C stops it");
    let server = root().join("target/release/yiwantang-server");
    let status = cmd(server.to_str().expect("UTF-8 path"), &["--demo"])
        .env("YWT_ADDR", &addr)
        .env("YWT_DATABASE_URL", &database)
        .env("YWT_STATIC_DIR", root().join("dist"))
        .status()
        .map_err(|e| format!("starting the server: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the server stopped ({status})"))
    }
}

const NATIVE: [&str; 6] = ["-p", "domain", "-p", "server", "-p", "xtask"];

fn test() -> Result {
    let started = Instant::now();
    tools::ensure_all()?;
    step(
        "formatting (cargo fmt --check)",
        &mut cmd("cargo", &["fmt", "--all", "--check"]),
    )?;
    let mut clippy_native = vec!["clippy", "--locked", "--all-targets"];
    clippy_native.extend(NATIVE);
    clippy_native.extend(["--", "-D", "warnings"]);
    step(
        "lints of domain, server, xtask",
        &mut cmd("cargo", &clippy_native),
    )?;
    step(
        "lints of the app (wasm32)",
        &mut cmd(
            "cargo",
            &[
                "clippy",
                "--locked",
                "--all-targets",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "yiwantang",
                "--",
                "-D",
                "warnings",
            ],
        ),
    )?;
    let mut native = vec!["test", "--locked"];
    native.extend(NATIVE);
    step(
        "Rust tests of domain, server, xtask",
        &mut cmd("cargo", &native),
    )?;
    step(
        "the app's tests in headless Chromium (wasm-bindgen-test)",
        &mut cmd(
            "cargo",
            &[
                "test",
                "--locked",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "yiwantang",
            ],
        ),
    )?;
    build_app()?;
    sizes::report(&root().join("dist"))?.check_budget()?;
    step(
        "build the server for the e2e journeys",
        &mut cmd("cargo", &["build", "--locked", "-p", "server"]),
    )?;
    let e2e = root().join("e2e");
    step(
        "Playwright journeys (release build, real server, Chromium)",
        cmd("npx", &["playwright", "test"])
            .current_dir(&e2e)
            .env(
                "YWT_SERVER_BIN",
                root().join("target/debug/yiwantang-server"),
            )
            .env("YWT_DIST", root().join("dist")),
    )?;
    println!(
        "\nAll tests passed in {:.0} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn bench() -> Result {
    build_app()?;
    sizes::report(&root().join("dist"))?;
    step(
        "sync benchmark (release server, loopback)",
        &mut cmd(
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
        ),
    )
}
