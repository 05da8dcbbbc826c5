//! Installs what the build and the tests need, once: each tool is checked first and
//! installed only when missing or of the wrong version. Versions are pinned here (and
//! wasm-bindgen follows Cargo.lock); Playwright is pinned by e2e/package-lock.json.

use std::path::PathBuf;
use std::process::Command;

use crate::{cmd, root, step, Result};

/// Trunk 0.22 needs a newer rustc than these machines have (TOOLCHAIN.md).
pub const TRUNK_VERSION: &str = "0.21.14";
/// wasm-opt from npm's `binaryen`; Debian's 108 breaks the module (TOOLCHAIN.md).
pub const BINARYEN_VERSION: &str = "132.0.0";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// schemathesis (PyPI), in a virtualenv of its own under `.tools/venv`.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// Debian packages: the browser for both test suites, its driver, fonts that draw Chinese,
/// zbar (the e2e journeys read the QR codes the app draws, as a phone camera would) and the
/// sqlite3 shell (a journey opens a market slot starting soon, which no screen sets up yet).
/// WebKitGTK's WebDriver (with MiniBrowser), Xvfb and xauth run the WebKit journeys
/// (`cargo xtask webkit`): the engine of every iPhone browser.
pub const APT_PACKAGES: [&str; 8] = [
    "chromium",
    "chromium-driver",
    "fonts-noto-cjk",
    "zbar-tools",
    "sqlite3",
    "webkit2gtk-driver",
    "xvfb",
    "xauth",
];

fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// PATH with the project's npm tools and cargo's bin folder in front.
pub fn path_with_tools() -> String {
    let mut parts = vec![tools_dir().join("node_modules/.bin").display().to_string()];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        parts.push(home.join("bin").display().to_string());
    }
    parts.push(std::env::var("PATH").unwrap_or_default());
    parts.join(":")
}

/// The first line a tool prints for `--version`, if it runs.
fn version_of(program: &str, flag: &str) -> Option<String> {
    let output = cmd(program, &[flag]).output().ok()?;
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    })
}

/// The wasm-bindgen version in Cargo.lock: the CLI must match it exactly.
pub fn locked_version(lock: &str, package: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{package}\"") {
            let version = lines
                .next()?
                .trim()
                .strip_prefix("version = \"")?
                .strip_suffix('"')?;
            return Some(version.to_string());
        }
    }
    None
}

fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
    locked_version(&lock, "wasm-bindgen")
        .ok_or_else(|| "wasm-bindgen is not in Cargo.lock".to_string())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn apt_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn ensure_apt() -> Result {
    let missing: Vec<&str> = APT_PACKAGES
        .into_iter()
        .filter(|p| !apt_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let install = format!(
        "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {}",
        missing.join(" ")
    );
    if !is_root() {
        return Err(format!(
            "these Debian packages are missing: {}. Install them as root, then run this again:\n\n    sudo sh -c '{install}'\n",
            missing.join(", ")
        ));
    }
    step(
        &format!("install {} (apt)", missing.join(", ")),
        &mut cmd("sh", &["-c", &install]),
    )
}

fn ensure_node() -> Result {
    if version_of("node", "--version").is_some() && version_of("npm", "--version").is_some() {
        return Ok(());
    }
    Err("Node.js and npm are needed (for wasm-opt and Playwright). Install them, e.g.:\n\n    sudo apt-get install -y nodejs npm\n".into())
}

fn ensure_wasm_target() -> Result {
    let installed = cmd("rustup", &["target", "list", "--installed"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == WASM_TARGET)
        })
        .unwrap_or(false);
    if installed {
        return Ok(());
    }
    step(
        "add the wasm32 target",
        &mut cmd("rustup", &["target", "add", WASM_TARGET]),
    )
}

fn ensure_trunk() -> Result {
    if version_of("trunk", "--version").is_some_and(|v| v.ends_with(TRUNK_VERSION)) {
        return Ok(());
    }
    step(
        &format!("install trunk {TRUNK_VERSION} (a few minutes, once)"),
        &mut cmd(
            "cargo",
            &[
                "install",
                "trunk",
                "--version",
                &format!("={TRUNK_VERSION}"),
                "--locked",
            ],
        ),
    )
}

fn ensure_wasm_bindgen() -> Result {
    let wanted = wasm_bindgen_version()?;
    let have = version_of("wasm-bindgen", "--version");
    let runner = version_of("wasm-bindgen-test-runner", "--version");
    if have.is_some_and(|v| v.ends_with(&wanted)) && runner.is_some_and(|v| v.ends_with(&wanted)) {
        return Ok(());
    }
    // Not --locked: its lock file pins a crate the registry no longer has (TOOLCHAIN.md).
    step(
        &format!("install wasm-bindgen-cli {wanted} (a few minutes, once)"),
        &mut cmd(
            "cargo",
            &[
                "install",
                "wasm-bindgen-cli",
                "--version",
                &format!("={wanted}"),
            ],
        ),
    )
}

fn ensure_binaryen() -> Result {
    let wanted_major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
    if version_of("wasm-opt", "--version")
        .is_some_and(|v| v.contains(&format!("version {wanted_major}")))
    {
        return Ok(());
    }
    std::fs::create_dir_all(tools_dir()).map_err(|e| e.to_string())?;
    let prefix = tools_dir().display().to_string();
    step(
        &format!("install wasm-opt (binaryen {BINARYEN_VERSION} from npm)"),
        &mut cmd(
            "npm",
            &[
                "install",
                "--prefix",
                &prefix,
                "--no-audit",
                "--no-fund",
                "--no-save",
                &format!("binaryen@{BINARYEN_VERSION}"),
            ],
        ),
    )
}

fn ensure_e2e_packages() -> Result {
    let e2e = root().join("e2e");
    let lock = std::fs::metadata(e2e.join("package-lock.json")).and_then(|m| m.modified());
    let installed =
        std::fs::metadata(e2e.join("node_modules/.package-lock.json")).and_then(|m| m.modified());
    if let (Ok(lock), Ok(installed)) = (lock, installed) {
        if installed >= lock {
            return Ok(());
        }
    }
    step(
        "install Playwright and Lighthouse (npm ci, Debian's Chromium is used)",
        cmd("npm", &["ci", "--no-audit", "--no-fund"])
            .current_dir(&e2e)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
    )
}

/// The schemathesis CLI (`st`), at the pinned version.
pub fn schemathesis() -> PathBuf {
    tools_dir().join("venv/bin/st")
}

fn ensure_schemathesis() -> Result {
    let st = schemathesis();
    let st_path = st.display().to_string();
    if version_of(&st_path, "--version").is_some_and(|v| v.ends_with(SCHEMATHESIS_VERSION)) {
        return Ok(());
    }
    let venv = tools_dir().join("venv");
    let venv_path = venv.display().to_string();
    step(
        "make a Python virtualenv for schemathesis",
        &mut cmd("python3", &["-m", "venv", &venv_path]),
    )?;
    let pip = venv.join("bin/pip").display().to_string();
    step(
        &format!("install schemathesis {SCHEMATHESIS_VERSION} (PyPI)"),
        &mut cmd(
            &pip,
            &[
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("schemathesis=={SCHEMATHESIS_VERSION}"),
            ],
        ),
    )
}

/// What building the app needs.
pub fn ensure_build_tools() -> Result {
    ensure_node()?;
    ensure_wasm_target()?;
    ensure_trunk()?;
    ensure_wasm_bindgen()?;
    ensure_binaryen()
}

/// What the browser measurements of `bench` need: Debian's Chromium and e2e/'s npm packages.
pub fn ensure_browser_and_e2e_packages() -> Result {
    ensure_apt()?;
    ensure_e2e_packages()
}

/// What building and every test need.
pub fn ensure_all() -> Result {
    ensure_apt()?;
    ensure_build_tools()?;
    ensure_e2e_packages()?;
    ensure_schemathesis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locked_version_is_read_from_the_package_entry() {
        let lock = "[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.1\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "serde"), None);
    }

    #[test]
    fn trunk_toml_asks_for_the_wasm_bindgen_of_cargo_lock_and_the_pinned_wasm_opt() {
        let trunk = std::fs::read_to_string(root().join("Trunk.toml")).unwrap();
        let wanted = wasm_bindgen_version().unwrap();
        assert!(
            trunk.contains(&format!("wasm_bindgen = \"{wanted}\"")),
            "Trunk.toml must pin wasm-bindgen {wanted}"
        );
        let major = BINARYEN_VERSION.split('.').next().unwrap();
        assert!(trunk.contains(&format!("wasm_opt = \"version_{major}\"")));
    }
}
