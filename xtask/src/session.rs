//! The headless session tests run in on Linux: Xvfb for the window, a private D-Bus session,
//! and an unlocked gnome-keyring in a throw-away home so the real Secret Service is exercised
//! without touching the user's own keyring (docs/testing.md §2).

use std::process::Command;

use crate::{prereqs, root, status};

pub fn require_display() -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        return Ok(());
    }
    let has = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    if has("DISPLAY") || has("WAYLAND_DISPLAY") {
        Ok(())
    } else {
        Err("no graphical display (DISPLAY and WAYLAND_DISPLAY are unset) — run `cargo xtask run` \
             from a desktop session, or on a headless machine: `xvfb-run -a cargo xtask run`"
            .into())
    }
}

pub fn run_headless(test: Command) -> Result<(), String> {
    run_in_session(test, "xtask-session", false)
}

/// Runs `test` inside that session, its throw-away files under target/<scratch>. Under Xvfb,
/// unless `use_display` is set and a display is present: then on that display, still with the
/// private D-Bus session and keyring. Environment variables set on `test` carry through.
pub fn run_in_session(test: Command, scratch: &str, use_display: bool) -> Result<(), String> {
    let mut test = test;
    if !cfg!(target_os = "linux") {
        return status(&mut test);
    }
    let scratch = root().join("target").join(scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    let (data, runtime) = (scratch.join("data"), scratch.join("run"));
    for dir in [&data, &runtime] {
        std::fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    }
    set_private(&runtime)?;

    // Rebuild the test command as a shell line inside the session.
    let program = test.get_program().to_string_lossy().to_string();
    let args: Vec<String> = test.get_args().map(|a| shell_quote(&a.to_string_lossy())).collect();
    let inner = format!(
        "echo farepoint-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec {} {}",
        shell_quote(&program),
        args.join(" ")
    );
    let has = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    let mut wrapped = if use_display && (has("DISPLAY") || has("WAYLAND_DISPLAY")) {
        let mut session = Command::new("dbus-run-session");
        // The Wayland socket is found relative to XDG_RUNTIME_DIR, which the session replaces.
        if let (Some(wayland), Some(run)) =
            (std::env::var_os("WAYLAND_DISPLAY"), std::env::var_os("XDG_RUNTIME_DIR"))
        {
            session.env("WAYLAND_DISPLAY", std::path::Path::new(&run).join(wayland));
        }
        session
    } else {
        let mut xvfb = Command::new("xvfb-run");
        xvfb.args(["-a", "-s", "-screen 0 1280x800x24", "dbus-run-session"]).env_remove("WAYLAND_DISPLAY");
        xvfb
    };
    wrapped
        .args(["--", "sh", "-c", &inner])
        .current_dir(root())
        .env("XDG_DATA_HOME", &data)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("FAREPOINT_TAURI_DRIVER", prereqs::tauri_driver_path());
    for (key, value) in test.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    status(&mut wrapped)
}

#[cfg(unix)]
fn set_private(dir: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("could not restrict {}: {e}", dir.display()))
}

#[cfg(not(unix))]
fn set_private(_dir: &std::path::Path) -> Result<(), String> {
    Ok(())
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
