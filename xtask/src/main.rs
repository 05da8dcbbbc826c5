//! The project's tasks, in Rust so they run wherever cargo does (matklad/cargo-xtask):
//!
//! - `cargo xtask run`: install what is missing, build the app, start the server with the
//!   demo township (honours `YWT_ADDR` and `YWT_DATABASE_URL`).
//! - `cargo xtask test`: install what is missing, run every test: formatting and lints, the
//!   Rust tests of `domain`, `server` and `xtask` (with the tidy rules of `tidy.rs`), the
//!   app's tests in headless Chromium, schemathesis against the API's OpenAPI document, and
//!   the Playwright journeys against the release build served by the real server.
//! - `cargo xtask chaos [--minutes N]`: the chaos journey for N minutes (default 30): phones
//!   acting under injected faults; nothing may be lost or doubled (`test` runs one minute).
//! - `cargo xtask sizes`: first-load bytes of both apps' release builds (raw, gzip, brotli).
//! - `cargo xtask webkit [--runs N]`: the core journeys in WebKitGTK through WebDriver.
//! - `cargo xtask bench [--records N]`: sizes, the sync benchmark (pushes under a crowd; pulls
//!   at 10k, 100k and N = 1M records), then
//!   Lighthouse on the resident app's sign-in page and signed-in 首页, and its offline
//!   repeat boot (printed figures, not a gate).
//!
//! Installs are idempotent: a second run with nothing changed skips them.

mod bench;
mod server;
mod sizes;
mod tidy;
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
        "bench" => bench::run(),
        "webkit" => webkit(),
        "chaos" => chaos(),
        "install" => tools::ensure_all(),
        _ => {
            eprintln!("usage: cargo xtask <run|test|sizes|bench|chaos|webkit|install>");
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

/// Where cargo puts what it builds: `CARGO_TARGET_DIR`, a `build.target-dir` setting, or
/// `target/` at the root — asked of cargo itself, so a globally set target dir works too.
pub fn target_dir() -> Result<PathBuf> {
    target_dir_from(&mut metadata())
}

fn metadata() -> Command {
    cmd(
        "cargo",
        &[
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ],
    )
}

fn target_dir_from(metadata: &mut Command) -> Result<PathBuf> {
    let output = metadata
        .output()
        .map_err(|e| format!("running cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    json_string_field(&String::from_utf8_lossy(&output.stdout), "target_directory")
        .map(PathBuf::from)
        .ok_or_else(|| "cargo metadata did not name the target directory".to_string())
}

/// The value of a top-level string field in cargo's JSON (paths: only `\\` and `\"` escapes).
fn json_string_field(json: &str, field: &str) -> Option<String> {
    let start = json.find(&format!("\"{field}\":\""))? + field.len() + 4;
    let mut value = String::new();
    let mut chars = json[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            '\\' => value.push(chars.next()?),
            c => value.push(c),
        }
    }
    None
}

/// The server binary cargo built in `profile` (`debug` or `release`).
fn server_bin(profile: &str) -> Result<PathBuf> {
    Ok(target_dir()?.join(profile).join("yiwantang-server"))
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

/// Builds both apps into `dist/`: the resident app at the root, the work app under `work/`
/// (its own Wasm, HTML and public URL), then the service worker's precache lists for both and
/// the compressed copies the server sends.
fn build_app() -> Result {
    tools::ensure_build_tools()?;
    step(
        "fetch crates (Trunk builds offline)",
        &mut cmd("cargo", &["fetch", "--locked"]),
    )?;
    step(
        "build the resident app (trunk build --release)",
        &mut cmd("trunk", &["build", "--release"]),
    )?;
    // The target comes before the flags: `--release` takes an optional value (TOOLCHAIN.md).
    step(
        "build the work app (trunk build work.html --release)",
        &mut cmd(
            "trunk",
            &[
                "build",
                "work.html",
                "--release",
                "true",
                "--dist",
                "dist/work",
                "--public-url",
                "/work/",
            ],
        ),
    )?;
    build_scanner()?;
    step(
        "write the service worker's precache lists",
        &mut cmd("node", &["scripts/sw-precache.mjs", "dist"]),
    )?;
    sizes::precompress(&root().join("dist"))
}

/// Builds the pass scanner's decoder (`crates/scanner`) into `dist/work/scanner/`: its own
/// Wasm, run in a Web Worker that the work app starts only when the scanner opens, so neither
/// app's first load carries it. wasm-bindgen's `no-modules` output suits a classic worker.
fn build_scanner() -> Result {
    step(
        "build the scanner's decoder (cargo build -p scanner, wasm32)",
        &mut cmd(
            "cargo",
            &[
                "build",
                "--locked",
                "--release",
                "-p",
                "scanner",
                "--target",
                "wasm32-unknown-unknown",
            ],
        ),
    )?;
    let built = target_dir()?.join("wasm32-unknown-unknown/release/scanner.wasm");
    let out = root().join("dist/work/scanner");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let (built, out_dir) = (built.display().to_string(), out.display().to_string());
    step(
        "bind the scanner (wasm-bindgen --target no-modules)",
        &mut cmd(
            "wasm-bindgen",
            &[
                "--target",
                "no-modules",
                "--no-typescript",
                "--out-dir",
                &out_dir,
                &built,
            ],
        ),
    )?;
    let wasm = out.join("scanner_bg.wasm").display().to_string();
    step(
        "shrink the scanner (wasm-opt -Oz)",
        &mut cmd("wasm-opt", &["-Oz", "-o", &wasm, &wasm]),
    )?;
    std::fs::copy(
        root().join("crates/scanner/worker.js"),
        out.join("worker.js"),
    )
    .map_err(|e| format!("copying the scanner's worker.js: {e}"))?;
    Ok(())
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
    let server = server_bin("release")?;
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

const NATIVE: [&str; 8] = [
    "-p", "domain", "-p", "server", "-p", "scanner", "-p", "xtask",
];

/// The whole number after `flag` on the command line, or `default`.
fn number_flag(flag: &str, default: u64) -> Result<u64> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == flag) {
        Some(at) => Ok(args
            .get(at + 1)
            .and_then(|n| n.parse().ok())
            .ok_or(format!("{flag} wants a whole number"))?),
        None => Ok(default),
    }
}

/// What a journey run needs: the tools, the release app in `dist`, the debug server.
fn build_for_journeys() -> Result {
    tools::ensure_all()?;
    build_app()?;
    step(
        "build the server",
        &mut cmd("cargo", &["build", "--locked", "-p", "server"]),
    )
}

/// `chaos [--minutes N]`: the chaos journey (e2e/tests/chaos.spec.ts) for N minutes
/// (default 30) against the release app and the real server; prints what it injected and
/// found, and fails on any action lost or doubled.
fn chaos() -> Result {
    let minutes = number_flag("--minutes", 30)?;
    build_for_journeys()?;
    step(
        &format!("chaos run, {minutes} min"),
        cmd(
            "npx",
            &["playwright", "test", "--project", "chaos", "--no-deps"],
        )
        .current_dir(root().join("e2e"))
        .env("YWT_CHAOS_SECONDS", (minutes * 60).to_string())
        .env("YWT_SERVER_BIN", server_bin("debug")?)
        .env("YWT_DIST", root().join("dist")),
    )
}

/// `cargo xtask webkit [--runs N]`: the core journeys in WebKitGTK (Debian's WebKitWebDriver
/// and MiniBrowser under Xvfb), N times over (default 5), with Playwright's count of passes.
fn webkit() -> Result {
    let runs = number_flag("--runs", 5)?;
    build_for_journeys()?;
    step(
        &format!("WebKitGTK core journeys, {runs} runs"),
        cmd(
            "npx",
            &[
                "playwright",
                "test",
                "--project",
                "webkit",
                "--no-deps",
                "--repeat-each",
                &runs.to_string(),
                "--workers",
                "1",
            ],
        )
        .current_dir(root().join("e2e"))
        .env("YWT_SERVER_BIN", server_bin("debug")?)
        .env("YWT_DIST", root().join("dist")),
    )
}

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
        "lints of domain, server, scanner, xtask",
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
        "Rust tests of domain, server, scanner, xtask",
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
    {
        let server = server::Server::start("debug")?;
        let python = root().join(".tools/venv/bin/python");
        step(
            "schemathesis: the API against its OpenAPI document (no 5xx, every answer documented)",
            cmd(
                python.to_str().expect("UTF-8 path"),
                &["xtask/schemathesis.py", &server.url()],
            )
            .current_dir(root()),
        )?;
    }
    let e2e = root().join("e2e");
    step(
        "Playwright journeys (release build, real server, Chromium)",
        cmd("npx", &["playwright", "test"])
            .current_dir(&e2e)
            .env("YWT_SERVER_BIN", server_bin("debug")?)
            .env("YWT_DIST", root().join("dist")),
    )?;
    println!(
        "\nAll tests passed in {:.0} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_directory_is_asked_of_cargo_so_cargo_target_dir_is_honoured() {
        let elsewhere = std::env::temp_dir().join("ywt-target-elsewhere");
        let asked = target_dir_from(metadata().env("CARGO_TARGET_DIR", &elsewhere)).unwrap();
        assert_eq!(asked, elsewhere);
    }

    #[test]
    fn json_string_fields_are_read_with_their_escapes() {
        let json = r#"{"packages":[],"target_directory":"C:\\work\\t \"x\"","version":1}"#;
        assert_eq!(
            json_string_field(json, "target_directory").as_deref(),
            Some(r#"C:\work\t "x""#)
        );
        assert_eq!(json_string_field(json, "workspace_root"), None);
    }
}
