//! `farepoint export …` and `farepoint verify`: the local history from the command line, with
//! no window and no Tauri at all on this path (it runs on a machine without a display).

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use farepoint_core::history::{self, ExportFormat, HistoryError, HistoryQuery, Progress};
use farepoint_core::store::{Store, DB_FILE};

/// The app's identifier in tauri.conf.json: Tauri's app data dir is `<OS data dir>/<identifier>`.
const IDENTIFIER: &str = "com.farepoint.desk";

/// Exit codes: 0 done, 1 it failed (or verify found a break), 2 the command line is wrong.
const FAILED: i32 = 1;
const USAGE_ERROR: i32 = 2;

fn export_usage() -> String {
    format!(
        "\
usage: farepoint export --format csv|json [options]

Writes the payments of the local history, newest first, as CSV (RFC 4180, UTF-8) or as one
JSON array. Without --out they go to standard output; with --out the file appears only once
complete, and progress is shown on standard error.

options:
  --format csv|json     required
  --out FILE            write to FILE instead of standard output
  --query TEXT          words to find: names, references, order numbers, locators, tickets
  --provider P          atrip, travelport, holidayextras or heipay (repeat or comma-separate)
  --status S            e.g. Paid, Ticketed, Declined, NeedsReview (repeat or comma-separate)
  --currency C          three-letter code, e.g. GBP
  --agent ID            payments taken by this agent, by the id in the agent_id column
                        (repeat or comma-separate; --query finds them by name)
  --from YYYY-MM-DD     payments created on or after this day (UTC)
  --to YYYY-MM-DD       payments created on or before this day (UTC, the whole day)
  --profile P           production or sandbox: whose history (default: the app's active profile)
  --data-dir DIR        the data folder (default: $FAREPOINT_DATA_DIR, else {})
  -h, --help            this text
",
        default_dir_text()
    )
}

fn verify_usage() -> String {
    format!(
        "\
usage: farepoint verify [--profile P] [--data-dir DIR]

Checks every payment's timeline against its hash chain and reports any break.
Exits 0 when the history holds together, 1 when something was found.

  --profile P           production or sandbox: whose history (default: the app's active profile)
  --data-dir DIR        the data folder (default: $FAREPOINT_DATA_DIR, else {})
",
        default_dir_text()
    )
}

/// Runs `export` or `verify` when the arguments name one and returns the exit code; `None`
/// means the arguments are the app's.
pub fn run(args: &[OsString]) -> Option<i32> {
    let command = args.first()?.to_str()?;
    if command != "export" && command != "verify" {
        return None;
    }
    let mut rest = Vec::new();
    for arg in &args[1..] {
        match arg.to_str() {
            Some(a) => rest.push(a.to_string()),
            None => return Some(usage_error(&format!("{arg:?} is not valid text"), command)),
        }
    }
    if rest.iter().any(|a| a == "-h" || a == "--help") {
        print!("{}", if command == "export" { export_usage() } else { verify_usage() });
        return Some(0);
    }
    Some(match command {
        "export" => export(&rest),
        _ => verify(&rest),
    })
}

fn usage_error(problem: &str, command: &str) -> i32 {
    eprintln!("farepoint {command}: {problem}\nRun `farepoint {command} --help` for the options.");
    USAGE_ERROR
}

/// `--name value` and `--name=value` pairs, in order.
fn options(args: &[String], known: &[&str]) -> Result<Vec<(String, String)>, String> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if !known.contains(&name.as_str()) {
            return Err(format!("unknown option '{arg}'"));
        }
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i).cloned().ok_or_else(|| format!("{name} needs a value"))?
            }
        };
        found.push((name, value));
        i += 1;
    }
    Ok(found)
}

/// Tauri's `app_data_dir()` for this app, without Tauri: the OS data dir (as the `dirs` crate
/// finds it) joined with the identifier.
fn default_data_dir() -> Option<PathBuf> {
    let home = || std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
    let base = if cfg!(target_os = "windows") {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        home().map(|h| h.join("Library/Application Support"))
    } else {
        // XDG: only an absolute $XDG_DATA_HOME counts.
        std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| home().map(|h| h.join(".local/share")))
    };
    base.map(|b| b.join(IDENTIFIER))
}

fn default_dir_text() -> String {
    default_data_dir().map_or_else(|| format!("<OS data dir>/{IDENTIFIER}"), |d| d.display().to_string())
}

/// `--data-dir`, else `FAREPOINT_DATA_DIR` (as the app's start-up reads it), else the OS dir.
fn data_dir(flag: Option<String>) -> Result<PathBuf, String> {
    flag.map(PathBuf::from)
        .or_else(|| std::env::var_os("FAREPOINT_DATA_DIR").map(PathBuf::from))
        .or_else(default_data_dir)
        .ok_or_else(|| "no data folder could be found — pass --data-dir DIR".to_string())
}

/// Opens the existing history read-only: never migrated, vacuumed or written, so this works
/// beside a running app and cannot change what it reads.
fn open(data_dir: &Path, profile: Option<&str>) -> Result<farepoint_core::store::Connection, String> {
    let (dir, _) = history_of(data_dir, profile)?;
    Store::open_read_only(&dir.join(DB_FILE)).map_err(|e| e.explain(&dir))
}

/// The folder of the history `profile` names (the active one when none is named), which must
/// hold a history.
fn history_of(
    data_dir: &Path,
    profile: Option<&str>,
) -> Result<(std::path::PathBuf, farepoint_core::profile::Profile), String> {
    use farepoint_core::profile::{self, Profile};
    let profile = match profile {
        Some(p) => p.parse::<Profile>()?,
        // The app's active profile, as the main file records it (Sandbox until one is chosen).
        None if data_dir.join(DB_FILE).is_file() => {
            let main = Store::open_read_only(&data_dir.join(DB_FILE)).map_err(|e| e.explain(data_dir))?;
            profile::active(&main).map_err(|e| e.to_string())?
        }
        None => Profile::Sandbox,
    };
    let dir = profile::history_dir(data_dir, profile);
    let path = dir.join(DB_FILE);
    if !path.is_file() {
        return Err(format!(
            "there is no Farepoint database in {} — pass the right --data-dir (or set FAREPOINT_DATA_DIR)",
            dir.display()
        ));
    }
    Ok((dir, profile))
}

/// As `open`, with the key that checks the history's seals and the newest seal this computer
/// kept outside it (both from the OS keyring; the Sandbox's key is the demo one).
fn open_sealed(
    data_dir: &Path,
    profile: Option<&str>,
) -> Result<(farepoint_core::store::Connection, Option<farepoint_core::seal::Head>), String> {
    use farepoint_core::seal::Sealing;
    use farepoint_core::secrets::{KeyringStore, SecretStore};
    let (dir, profile) = history_of(data_dir, profile)?;
    let keyring = KeyringStore::new().ok().map(|k| std::sync::Arc::new(k) as std::sync::Arc<dyn SecretStore>);
    let sealing = Sealing::for_profile(profile, keyring);
    let path = dir.join(DB_FILE);
    let conn = Store::open_read_only_sealed(&path, &sealing).map_err(|e| e.explain(&dir))?;
    let anchor = match sealing.anchor(&path).map(|a| a.load()) {
        None => None,
        Some(Ok(head)) => head,
        Some(Err(e)) => {
            return Err(format!("could not read this history's newest seal from the keyring: {e}"))
        }
    };
    Ok((conn, anchor))
}

fn export(args: &[String]) -> i32 {
    let known = [
        "--format",
        "--out",
        "--query",
        "--provider",
        "--status",
        "--currency",
        "--agent",
        "--from",
        "--to",
        "--data-dir",
        "--profile",
    ];
    let parsed = match options(args, &known) {
        Ok(p) => p,
        Err(problem) => return usage_error(&problem, "export"),
    };
    let last = |name: &str| parsed.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let list = |name: &str| -> Option<Vec<String>> {
        let values: Vec<String> = parsed
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()))
            .filter(|s| !s.is_empty())
            .collect();
        (!values.is_empty()).then_some(values)
    };
    let format: ExportFormat = match last("--format").map(|f| f.parse::<ExportFormat>()) {
        None => return usage_error("--format is required: csv or json", "export"),
        Some(Err(e)) => return usage_error(&e.to_string(), "export"),
        Some(Ok(f)) => f,
    };
    let day = |name: &str| -> Result<Option<i64>, String> {
        last(name)
            .map(|d| history::parse_day(&d).map(|days| days * 86_400_000).map_err(|e| format!("{name}: {e}")))
            .transpose()
    };
    let (from_ms, to_ms) = match (day("--from"), day("--to")) {
        (Ok(Some(from)), Ok(Some(to))) if from > to => {
            return usage_error("the range starts after it ends — --from must not be after --to", "export")
        }
        (Ok(from), Ok(to)) => (from, to.map(|t| t + 86_400_000)),
        (Err(e), _) | (_, Err(e)) => return usage_error(&e, "export"),
    };
    let query = HistoryQuery {
        text: last("--query"),
        providers: list("--provider"),
        statuses: list("--status"),
        agents: list("--agent"),
        currency: last("--currency"),
        from_ms,
        to_ms,
        ..Default::default()
    };
    let dir = match data_dir(last("--data-dir")) {
        Ok(d) => d,
        Err(problem) => return usage_error(&problem, "export"),
    };
    let result = open(dir.as_path(), last("--profile").as_deref()).and_then(|conn| {
        let written = match last("--out") {
            None => {
                let mut stdout = std::io::stdout().lock();
                history::export(&conn, &query, format, &mut stdout, &mut |_| {})
            }
            Some(out) => {
                let path = PathBuf::from(out);
                let mut progress = progress_printer("exported");
                let rows = history::export_to_file(&conn, &query, format, &path, &mut progress);
                if let Ok(n) = &rows {
                    eprintln!("wrote {n} payments to {}", path.display());
                }
                rows
            }
        };
        match written {
            Err(e @ (HistoryError::Invalid(_) | HistoryError::Field { .. })) => {
                Err(format!("bad filter: {e}"))
            }
            // A reader that stops early (`| head`) is not a failure of ours.
            Err(HistoryError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(e.to_string()),
            Ok(_) => Ok(()),
        }
    });
    match result {
        Ok(()) => 0,
        Err(problem) if problem.starts_with("bad filter: ") => {
            usage_error(problem.trim_start_matches("bad filter: "), "export")
        }
        Err(problem) => {
            eprintln!("farepoint export: {problem}");
            FAILED
        }
    }
}

/// Progress on standard error: one updating line on a terminal, a line per tenth otherwise.
fn progress_printer(verb: &'static str) -> impl FnMut(Progress) {
    let terminal = std::io::stderr().is_terminal();
    let mut last_tenth = None;
    move |p: Progress| {
        let tenth = (p.done * 10).checked_div(p.total).unwrap_or(10);
        let mut err = std::io::stderr().lock();
        if terminal {
            let _ = write!(err, "\r{verb} {} of {} payments", p.done, p.total);
            if p.done == p.total {
                let _ = writeln!(err);
            }
        } else if last_tenth != Some(tenth) {
            last_tenth = Some(tenth);
            let _ = writeln!(err, "{verb} {} of {} payments", p.done, p.total);
        }
    }
}

fn verify(args: &[String]) -> i32 {
    let parsed = match options(args, &["--data-dir", "--profile"]) {
        Ok(p) => p,
        Err(problem) => return usage_error(&problem, "verify"),
    };
    let last = |name: &str| parsed.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let dir = match data_dir(last("--data-dir")) {
        Ok(d) => d,
        Err(problem) => return usage_error(&problem, "verify"),
    };
    let report = open_sealed(&dir, last("--profile").as_deref()).and_then(|(conn, anchor)| {
        history::verify(&conn, anchor, &mut progress_printer("checked")).map_err(|e| e.to_string())
    });
    match report {
        Err(problem) => {
            eprintln!("farepoint verify: {problem}");
            FAILED
        }
        Ok(report) => {
            let payments = report.broken.iter().filter(|b| !b.payment_id.is_empty()).count();
            let whole: Vec<_> = report.broken.iter().filter(|b| b.payment_id.is_empty()).collect();
            if payments == 0 {
                println!("checked {} payments: every timeline holds together", report.checked);
            } else {
                println!("checked {} payments: {payments} do not hold together", report.checked);
            }
            for b in report.broken.iter().filter(|b| !b.payment_id.is_empty()) {
                println!("  {} ({}): {}", b.reference, b.payment_id, b.problem);
            }
            if whole.is_empty() && report.anchored {
                println!("the history is whole: no payment is missing, and it ends where this computer last saw it");
            } else if whole.is_empty() {
                println!("no payment is missing from the history (this computer keeps no record of its newest event to compare)");
            }
            for b in &whole {
                println!("the history as a whole: {}", b.problem);
            }
            if report.broken.is_empty() {
                0
            } else {
                FAILED
            }
        }
    }
}
