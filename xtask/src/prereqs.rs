//! System prerequisites: what the app needs to build and run, and what the tests add.

use std::process::{Command, Stdio};

use crate::status;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    App,
    Tests,
}

/// Debian/Ubuntu packages to build and run a Tauri 2 app (webkit2gtk 4.1) with the OS keyring.
const DEBIAN_APP: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libssl-dev",
    "libdbus-1-dev",
    "gnome-keyring",
];

/// What the tests add: a headless X server, WebKit's WebDriver, a D-Bus session and keyring tools,
/// the local SMTP server receipts are emailed to (aiosmtpd) and poppler's `pdftotext`, which reads
/// receipts' PDFs back.
const DEBIAN_TESTS: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus-x11",
    "gnome-keyring",
    "libsecret-tools",
    "sqlite3",
    "python3-aiosmtpd",
    "poppler-utils",
];

const FEDORA: &str = "sudo dnf install webkit2gtk4.1-devel openssl-devel dbus-devel librsvg2-devel \
    libappindicator-gtk3-devel gnome-keyring && sudo dnf group install c-development\n  \
    tests also: sudo dnf install xorg-x11-server-Xvfb xorg-x11-xauth dbus-daemon sqlite python3-aiosmtpd \
    poppler-utils";
const ARCH: &str = "sudo pacman -S --needed base-devel webkit2gtk-4.1 openssl dbus librsvg \
    libappindicator-gtk3 gnome-keyring\n  tests also: sudo pacman -S --needed xorg-server-xvfb xorg-xauth sqlite python-aiosmtpd \
    poppler";
const MACOS: &str =
    "Xcode Command Line Tools (`xcode-select --install`); the login keychain is used for credentials";
const WINDOWS: &str =
    "Microsoft C++ Build Tools (\"Desktop development with C++\") and the WebView2 runtime \
    (already part of Windows 10 1803+ and Windows 11); Credential Manager holds credentials";

pub fn ensure(need: Need) -> Result<(), String> {
    if cfg!(target_os = "linux") {
        linux(need)?;
    } else if cfg!(target_os = "macos") {
        println!("macOS needs: {MACOS}");
        if !succeeds(Command::new("xcode-select").arg("-p")) {
            return Err(
                "Xcode Command Line Tools are missing — run `xcode-select --install`, then retry".into()
            );
        }
    } else if cfg!(target_os = "windows") {
        println!("Windows needs: {WINDOWS}");
    }
    if need == Need::Tests && cfg!(target_os = "linux") {
        ensure_tauri_driver()?;
    }
    Ok(())
}

fn linux(need: Need) -> Result<(), String> {
    let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let family = |name: &str| {
        os_release.lines().any(|l| {
            (l.starts_with("ID=") || l.starts_with("ID_LIKE=")) && l.split(['=', ' ', '"']).any(|w| w == name)
        })
    };
    if family("debian") || family("ubuntu") {
        let mut wanted: Vec<&str> = DEBIAN_APP.to_vec();
        if need == Need::Tests {
            wanted.extend(DEBIAN_TESTS);
        }
        wanted.dedup();
        return apt_install(&wanted);
    }
    let hint = if family("fedora") || family("rhel") {
        FEDORA
    } else if family("arch") {
        ARCH
    } else {
        "the webkit2gtk 4.1, GTK 3, OpenSSL, D-Bus and librsvg development packages, a C toolchain and \
         pkg-config; for tests also Xvfb, WebKitWebDriver, dbus-run-session, gnome-keyring, Python's \
         aiosmtpd and poppler's pdftotext"
    };
    println!(
        "This Linux is not Debian-based, so Farepoint will not install packages itself. It needs:\n  {hint}"
    );
    if !succeeds(Command::new("pkg-config").args(["--exists", "webkit2gtk-4.1"])) {
        return Err(format!("webkit2gtk-4.1 development files are missing — install them with:\n  {hint}"));
    }
    Ok(())
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn apt_install(packages: &[&str]) -> Result<(), String> {
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        println!("System packages: all {} present.", packages.len());
        return Ok(());
    }
    println!("Installing missing system packages: {}", missing.join(" "));
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let apt = |args: &[&str]| {
        let mut cmd = if as_root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg("apt-get");
            sudo
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    if !as_root && !succeeds(Command::new("sudo").arg("--version")) {
        return Err(format!(
            "these packages are missing and sudo is not available — as root, run:\n  apt-get install -y {}",
            missing.join(" ")
        ));
    }
    status(&mut apt(&["update", "-q"]))?;
    status(apt(&["install", "-y", "-q"]).args(&missing))
}

fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().map(|s| s.success()).unwrap_or(false)
}

/// tauri-driver bridges WebDriver clients to WebKitWebDriver and the app. Pinned to 2.x:
/// the registry already serves 3.0 alphas.
fn ensure_tauri_driver() -> Result<(), String> {
    if succeeds(Command::new(tauri_driver_path()).arg("--help")) {
        return Ok(());
    }
    status(crate::cargo().args(["install", "tauri-driver", "--version", "^2", "--locked"]))
}

/// Where `cargo install` puts tauri-driver when it is not on PATH.
pub fn tauri_driver_path() -> std::path::PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("tauri-driver"))
        .find(|candidate| candidate.is_file());
    on_path.unwrap_or_else(|| {
        let cargo_home = std::env::var_os("CARGO_HOME").map(std::path::PathBuf::from).unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
        });
        cargo_home.join("bin").join("tauri-driver")
    })
}

/// rustfmt and clippy are part of `cargo xtask test`.
pub fn ensure_rust_components() -> Result<(), String> {
    let have = |tool: &str| succeeds(crate::cargo().args([tool, "--version"]));
    if have("fmt") && have("clippy") {
        return Ok(());
    }
    status(Command::new("rustup").args(["component", "add", "rustfmt", "clippy"]))
}
