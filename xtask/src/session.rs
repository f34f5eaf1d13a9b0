//! The headless session tests run in on Linux: Xvfb for the window, a private D-Bus session,
//! and an unlocked gnome-keyring in a throw-away home so the real Secret Service is exercised
//! without touching the user's own keyring (docs/testing.md §2). Beside it, on every system, the
//! local SMTP servers receipts are emailed to.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
    let mut test = test;
    let sinks = SmtpSinks::start(&root().join("target").join("xtask-smtp"))?;
    for (key, value) in sinks.env() {
        test.env(key, value);
    }
    let result = run_in_session(test, "xtask-session", false);
    drop(sinks);
    result
}

/// Two real SMTP servers on loopback for the receipt tests (aiosmtpd, Debian's
/// `python3-aiosmtpd`): one keeps every message it is sent in a Maildir the tests read back
/// (`FAREPOINT_SMTP_SINK`, `FAREPOINT_SMTP_MAILBOX`), the other refuses any message over 2 KiB,
/// as a server refuses mail it will not take (`FAREPOINT_SMTP_REFUSING`). Stopped when dropped.
struct SmtpSinks {
    children: Vec<Child>,
    sink: SocketAddr,
    refusing: SocketAddr,
    mailbox: PathBuf,
}

impl SmtpSinks {
    fn start(dir: &Path) -> Result<SmtpSinks, String> {
        let _ = std::fs::remove_dir_all(dir);
        let mailbox = dir.join("mailbox");
        // aiosmtpd's Mailbox handler writes a Maildir, which must exist.
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(mailbox.join(sub))
                .map_err(|e| format!("could not create {}: {e}", mailbox.display()))?;
        }
        // Both ports chosen while both are held, so the OS cannot hand out one twice.
        let bind = || TcpListener::bind("127.0.0.1:0").and_then(|l| Ok((l.local_addr()?, l)));
        let ((sink, a), (refusing, b)) = (
            bind().map_err(|e| format!("no free port for the SMTP sink: {e}"))?,
            bind().map_err(|e| format!("no free port for the SMTP sink: {e}"))?,
        );
        drop((a, b));
        let mut sinks = SmtpSinks { children: Vec::new(), sink, refusing, mailbox: mailbox.clone() };
        let mailbox_arg = mailbox.display().to_string();
        sinks.spawn(sink, &["-c", "aiosmtpd.handlers.Mailbox", &mailbox_arg])?;
        sinks.spawn(refusing, &["-s", "2048", "-c", "aiosmtpd.handlers.Sink"])?;
        println!("SMTP sinks: {sink} (mailbox {}), {refusing} (refuses over 2 KiB)", mailbox.display());
        Ok(sinks)
    }

    /// Starts one server on `addr` and waits until it answers.
    fn spawn(&mut self, addr: SocketAddr, args: &[&str]) -> Result<(), String> {
        // Debian's own Python, where `python3-aiosmtpd` is installed (a python3 earlier on PATH,
        // a pyenv one say, would not have it).
        let python = if Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" };
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &addr.to_string()])
            .args(args)
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start the SMTP sink ({python} -m aiosmtpd): {e}"))?;
        self.children.push(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.children.last_mut().map(Child::try_wait) {
                return Err(format!(
                    "the SMTP sink stopped at once ({status}) — aiosmtpd is missing: install `python3-aiosmtpd` \
                     (Debian, Ubuntu) or `pip install aiosmtpd`"
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("the SMTP sink did not listen on {addr} within 15 s"))
    }

    fn env(&self) -> [(&'static str, String); 3] {
        [
            ("FAREPOINT_SMTP_SINK", self.sink.to_string()),
            ("FAREPOINT_SMTP_MAILBOX", self.mailbox.display().to_string()),
            ("FAREPOINT_SMTP_REFUSING", self.refusing.to_string()),
        ]
    }
}

impl Drop for SmtpSinks {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
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

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};

    use super::*;

    /// Says `line` (when any) and reads the server's reply, every line of it.
    fn say(stream: &mut BufReader<TcpStream>, line: &str) -> String {
        if !line.is_empty() {
            stream.get_mut().write_all(format!("{line}\r\n").as_bytes()).unwrap();
        }
        let mut reply = String::new();
        loop {
            let mut next = String::new();
            stream.read_line(&mut next).unwrap();
            reply.push_str(&next);
            // A reply's last line has a space after its code ("250 OK"), the others a dash.
            if next.len() < 4 || next.as_bytes()[3] == b' ' {
                return reply;
            }
        }
    }

    #[test]
    fn the_smtp_sinks_keep_a_message_refuse_a_large_one_and_stop_when_dropped() {
        let dir = root().join("target").join("xtask-smtp-selftest");
        let sinks = SmtpSinks::start(&dir).expect("the sinks start (python3-aiosmtpd installed)");
        let connect = |addr: SocketAddr| BufReader::new(TcpStream::connect(addr).unwrap());

        let mut sink = connect(sinks.sink);
        assert!(say(&mut sink, "").starts_with("220"));
        assert!(say(&mut sink, "EHLO test").starts_with("250"));
        assert!(say(&mut sink, "MAIL FROM:<a@example.com>").starts_with("250"));
        assert!(say(&mut sink, "RCPT TO:<kept@example.com>").starts_with("250"));
        assert!(say(&mut sink, "DATA").starts_with("354"));
        assert!(say(&mut sink, "Subject: kept\r\n\r\nhello\r\n.").starts_with("250"));
        let kept = std::fs::read_dir(sinks.mailbox.join("new")).unwrap().count();
        assert_eq!(kept, 1, "the message is in the mailbox");

        let mut refusing = connect(sinks.refusing);
        say(&mut refusing, "");
        say(&mut refusing, "EHLO test");
        assert!(say(&mut refusing, "MAIL FROM:<a@example.com> SIZE=100000").starts_with("552"));

        let (sink, refusing) = (sinks.sink, sinks.refusing);
        drop(sinks);
        for addr in [sink, refusing] {
            assert!(
                TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err(),
                "{addr} still listens"
            );
        }
    }
}
