//! `cargo xtask run | test`: Farepoint's two set-up commands.
//!
//! Each installs what the machine lacks (system packages, test drivers), then builds and runs.
//! Standard library only, so the xtask itself compiles in seconds on a fresh machine.

mod bench_startup;
mod prereqs;
mod session;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask <command> [-- extra arguments]

commands:
  run     install the system packages the app needs, build it and open the Farepoint window
  test    install what the tests need too, check formatting and lints, then run every test
          (on Linux inside a headless X server, a private D-Bus session and a throw-away keyring)
  bench   run the benchmarks (optimised build) and print their figures; `bench engine` runs one;
          `bench startup [-- --runs N]` times Farepoint's window against a bare Tauri window
          `bench history` times search, summary and export over 1,000,000 payments beside sqlite3
  fuzz    run every fuzz and property target (optimised build) for 1,000,000 cases each, or
          `fuzz -- --cases N`; prints each target's count, and any failure with its input
";

/// Benchmarks by name: (package, bench target). Each prints its own figures and ratios.
const BENCHES: &[(&str, &str, &str)] =
    &[("engine", "farepoint-core", "engine"), ("history", "farepoint-core", "history")];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((c, rest)) => (c.as_str(), rest.strip_prefix(&["--".to_string()][..]).unwrap_or(rest)),
        None => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match command {
        "run" => run(rest),
        "test" => test(rest),
        "bench" => bench(rest),
        "fuzz" => fuzz(rest),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command '{other}'\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the xtask crate sits one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives inside the workspace").to_path_buf()
}

/// The cargo that launched us, so toolchain overrides carry through.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Runs a command to completion, echoing it first; a non-zero exit is an error naming it.
pub fn status(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}").replace('"', "");
    println!("\n$ {shown}");
    let status = cmd.status().map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

fn run(extra: &[String]) -> Result<(), String> {
    prereqs::ensure(prereqs::Need::App)?;
    session::require_display()?;
    status(cargo().args(["run", "--package", "farepoint", "--bin", "farepoint", "--"]).args(extra))
}

fn test(extra: &[String]) -> Result<(), String> {
    prereqs::ensure(prereqs::Need::Tests)?;
    prereqs::ensure_rust_components()?;
    status(cargo().args(["fmt", "--all", "--check"]))?;
    status(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    // Build outside the headless session so compiler output is not mixed with the X server's.
    status(cargo().args(["test", "--workspace", "--no-run"]))?;
    same_build()?;
    let mut test = cargo();
    test.args(["test", "--workspace", "--no-fail-fast"]).args(extra);
    session::run_headless(test)
}

/// `cargo xtask run` right after `cargo xtask test` must start without compiling: the app built
/// alone resolves the same units as the test build (crates/workspace-hack). Building it now, after
/// the test build, compiles nothing unless a dependency's features differ between the two — then
/// this says which crates were rebuilt.
fn same_build() -> Result<(), String> {
    let args = ["build", "--package", "farepoint", "--bin", "farepoint", "--message-format=json"];
    println!("\n$ cargo {} (must compile nothing after the test build)", args.join(" "));
    let out = cargo().args(args).stderr(std::process::Stdio::inherit()).output();
    let out = out.map_err(|e| format!("could not start cargo build: {e}"))?;
    if !out.status.success() {
        return Err("building the app alone failed".into());
    }
    let rebuilt: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("\"reason\":\"compiler-artifact\"") && l.contains("\"fresh\":false"))
        .filter_map(|l| l.split("\"package_id\":\"").nth(1)?.split('"').next().map(str::to_string))
        .collect();
    if rebuilt.is_empty() {
        println!("the app alone builds from the test build's units: nothing compiled");
        return Ok(());
    }
    Err(format!(
        "building the app alone compiled again what the test build had built — a dev-dependency turns on \
         features the app's own build lacks, so `cargo xtask run` and `cargo xtask test` rebuild each other. \
         Add the missing features to crates/workspace-hack/Cargo.toml. Rebuilt: {rebuilt:#?}"
    ))
}

/// The fuzz and property targets: (package, cargo test selection, test-name filter). `cargo
/// xtask test` runs each with a few hundred cases; here they run long.
const FUZZ: &[(&str, &[&str], &str)] = &[
    ("farepoint-core", &["--test", "fuzz"], ""),
    ("farepoint-core", &["--lib"], "redact::tests::"),
    ("farepoint-core", &["--lib"], "store::codec::tests::any_"),
    ("farepoint", &["--lib"], "fuzz"),
];

fn fuzz(args: &[String]) -> Result<(), String> {
    let cases = match args {
        [] => 1_000_000u64,
        [flag, n] if flag == "--cases" => {
            n.parse().map_err(|_| format!("--cases takes a number, not '{n}'"))?
        }
        _ => return Err(format!("usage: cargo xtask fuzz [-- --cases N]\n\n{USAGE}")),
    };
    prereqs::ensure(prereqs::Need::Tests)?;
    for (package, selection, filter) in FUZZ {
        let mut cmd = cargo();
        cmd.env("FAREPOINT_FUZZ_CASES", cases.to_string())
            .args(["test", "--release", "--package", package])
            .args(*selection)
            .args(["--", "--nocapture"]);
        if !filter.is_empty() {
            cmd.arg(filter);
        }
        status(&mut cmd)?;
    }
    println!("\nxtask: every fuzz target ran {cases} cases without a failure (counts above)");
    Ok(())
}

fn bench(args: &[String]) -> Result<(), String> {
    // Names first; options from the first `-…` on go to the start-up bench (`startup -- --runs 3`).
    let split = args.iter().position(|a| a.starts_with('-')).unwrap_or(args.len());
    let (names, options) =
        (&args[..split], args[split..].strip_prefix(&["--".to_string()][..]).unwrap_or(&args[split..]));
    let startup = names.is_empty() || names.iter().any(|n| n == "startup");
    let known = || BENCHES.iter().map(|(n, _, _)| *n).chain(["startup"]).collect::<Vec<_>>().join(", ");
    let chosen: Vec<&(&str, &str, &str)> = if names.is_empty() {
        BENCHES.iter().collect()
    } else {
        names
            .iter()
            .filter(|n| *n != "startup")
            .map(|n| {
                BENCHES
                    .iter()
                    .find(|(name, _, _)| name == n)
                    .ok_or_else(|| format!("no benchmark '{n}' — available: {}", known()))
            })
            .collect::<Result<_, _>>()?
    };
    for (_, package, target) in chosen {
        status(cargo().args(["bench", "--package", package, "--bench", target]))?;
    }
    // Not a cargo bench: it builds Farepoint and a bare Tauri app, then times their windows.
    if startup {
        bench_startup::run(options)?;
    }
    Ok(())
}
