//! `cargo xtask bench startup`: cold start to the first painted, usable Take-payment view, and the
//! memory of the app with its web processes after 10 s idle — each side by side with a bare
//! Tauri 2 window (an empty page) built here in the same run, with the same Tauri, profile and
//! features. Goal (issue 5): both ≤ 1.2× the bare window.
//!
//! Readiness: each app calls its `ui_ready` command from a double `requestAnimationFrame` once its
//! first view is painted; the command appends the wall-clock time (ms since the epoch) to the file
//! named by `FAREPOINT_READY_FILE`. Start-up = that time − the time just before the spawn.
//!
//! The measuring half runs inside the same headless session as the tests (Xvfb, a private D-Bus
//! session, an unlocked throw-away keyring): this module re-runs xtask there with [`INSIDE`] set.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::{cargo, prereqs, root, session, status};

/// Set on the re-run inside the session; the binaries to compare travel in these variables too.
const INSIDE: &str = "FAREPOINT_BENCH_STARTUP_INSIDE";
const APP_BIN: &str = "FAREPOINT_BENCH_STARTUP_APP";
const BARE_BIN: &str = "FAREPOINT_BENCH_STARTUP_BARE";
const READY_FILE: &str = "FAREPOINT_READY_FILE";

const BARE_NAME: &str = "farepoint-bench-bare";
const READY_TIMEOUT: Duration = Duration::from_secs(60);
const IDLE: Duration = Duration::from_secs(10);
const STOP_GRACE: Duration = Duration::from_secs(5);
const GOAL: f64 = 1.2;

const USAGE: &str = "options (after `--`): --runs N (default 7), --no-second-start, --cold-shader-cache";

struct Options {
    runs: usize,
    second_start: bool,
    /// Every run with an empty Mesa shader cache, instead of the one cache the runs share.
    cold_shader_cache: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { runs: 7, second_start: true, cold_shader_cache: false };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                let n = args.next().ok_or_else(|| format!("--runs needs a number — {USAGE}"))?;
                options.runs =
                    n.parse().ok().filter(|n| *n > 0).ok_or_else(|| format!("bad run count '{n}'"))?;
            }
            "--no-second-start" => options.second_start = false,
            "--cold-shader-cache" => options.cold_shader_cache = true,
            other => return Err(format!("unknown startup bench option '{other}' — {USAGE}")),
        }
    }
    Ok(options)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    if std::env::var_os(INSIDE).is_some() {
        let bin =
            |var: &str| std::env::var_os(var).map(PathBuf::from).ok_or_else(|| format!("{var} is not set"));
        return measure(&options, &bin(APP_BIN)?, &bin(BARE_BIN)?);
    }
    if !cfg!(target_os = "linux") {
        return Err("the start-up benchmark reads /proc for memory figures: Linux only for now".into());
    }
    prereqs::ensure(prereqs::Need::Tests)?;
    let bare = build_bare()?;
    let app = build_farepoint()?;

    let exe = std::env::current_exe().map_err(|e| format!("cannot find the xtask binary: {e}"))?;
    let mut inner = Command::new(exe);
    inner
        .args(["bench", "startup", "--"])
        .args(args)
        .env(INSIDE, "1")
        .env(APP_BIN, &app)
        .env(BARE_BIN, &bare);
    session::run_in_session(inner, "bench-startup/session", true)
}

// ---------------------------------------------------------------------------------------------
// Building both apps the same way

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

fn exe_name(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

fn build_farepoint() -> Result<PathBuf, String> {
    status(cargo().args(["build", "--release", "--package", "farepoint", "--features", "custom-protocol"]))?;
    Ok(target_dir().join("release").join(exe_name("farepoint")))
}

/// Writes the bare app into target/bench-startup/bare and builds it into our target dir: it is
/// not part of the workspace (own `[workspace]`, own lock file copied from ours so every shared
/// crate resolves to the same version), so only the crates whose feature set differs from
/// Farepoint's graph (tauri's chain, via tokio's features) build a second time, beside ours.
fn build_bare() -> Result<PathBuf, String> {
    let root = root();
    let dir = target_dir().join("bench-startup").join("bare");
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let manifest = read(&root.join("Cargo.toml"))?;
    let lock = read(&root.join("Cargo.lock"))?;
    let conf = read(&root.join("tauri.conf.json"))?;

    let tauri = locked_version(&lock, "tauri")?;
    let tauri_build = locked_version(&lock, "tauri-build")?;
    let features = |dep: &str| dependency_features(&manifest, dep).unwrap_or_else(|| "[]".into());
    let cargo_toml = format!(
        "# Written by `cargo xtask bench startup`: a bare Tauri 2 window to compare Farepoint with.\n\
         [package]\nname = \"{BARE_NAME}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         # Not part of the Farepoint workspace.\n[workspace]\n\n\
         [build-dependencies]\ntauri-build = {{ version = \"={tauri_build}\", features = {} }}\n\n\
         [dependencies]\ntauri = {{ version = \"={tauri}\", features = {} }}\n\n\
         [features]\ncustom-protocol = [\"tauri/custom-protocol\"]\n{}",
        features("tauri-build"),
        features("tauri"),
        release_profile(&manifest),
    );

    // Our own configuration, window and security settings (isolation pattern) included, with an
    // empty page.
    let mut bare_conf = conf;
    for (key, value) in
        [("productName", "Bare"), ("identifier", "com.farepoint.bench-bare"), ("frontendDist", "page")]
    {
        bare_conf = replace_json_string(&bare_conf, key, value)
            .ok_or_else(|| format!("tauri.conf.json has no \"{key}\" string to replace"))?;
    }

    let write_ready = "    let now = std::time::SystemTime::now()\n        \
        .duration_since(std::time::UNIX_EPOCH)\n        .unwrap_or_default()\n        .as_millis();\n    \
        if let Some(path) = std::env::var_os(\"FAREPOINT_READY_FILE\") {\n        \
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path);\n        \
        let _ = file.and_then(|mut f| std::io::Write::write_all(&mut f, format!(\"{now}\\n\").as_bytes()));\n    }\n";
    let files: Vec<(&str, String)> = vec![
        ("Cargo.toml", cargo_toml),
        ("Cargo.lock", lock),
        ("tauri.conf.json", bare_conf),
        (
            "build.rs",
            "fn main() {\n    let attributes = tauri_build::Attributes::new()\n        \
             .app_manifest(tauri_build::AppManifest::new().commands(&[\"ui_ready\"]));\n    \
             tauri_build::try_build(attributes).expect(\"tauri-build failed\");\n}\n"
                .into(),
        ),
        (
            "src/main.rs",
            format!(
                "#![cfg_attr(not(debug_assertions), windows_subsystem = \"windows\")]\n\n\
                 #[tauri::command]\nfn ui_ready() {{\n{write_ready}}}\n\n\
                 fn main() {{\n    tauri::Builder::default()\n        \
                 .invoke_handler(tauri::generate_handler![ui_ready])\n        \
                 .run(tauri::generate_context!())\n        .expect(\"the bare window could not start\");\n}}\n"
            ),
        ),
        (
            "capabilities/main.json",
            "{\n  \"identifier\": \"main-window\",\n  \"windows\": [\"main\"],\n  \
             \"permissions\": [\"core:default\", \"allow-ui-ready\"]\n}\n"
                .into(),
        ),
        (
            "page/index.html",
            "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>Bare</title>\n  \
             <script type=\"module\" src=\"ready.js\"></script>\n</head>\n<body></body>\n</html>\n"
                .into(),
        ),
        (
            "page/ready.js",
            "requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke(\"ui_ready\")));\n"
                .into(),
        ),
    ];
    for (path, text) in &files {
        write_if_changed(&dir.join(path), text.as_bytes())?;
    }
    // The icons, and the isolation application our configuration names (every IPC message of the
    // bare window passes the same hook as Farepoint's).
    for folder in ["icons", "isolation"] {
        let from = root.join(folder);
        for entry in std::fs::read_dir(&from).map_err(|e| format!("cannot list {}: {e}", from.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_file() {
                let bytes =
                    std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                write_if_changed(&dir.join(folder).join(path.file_name().unwrap_or_default()), &bytes)?;
            }
        }
    }

    status(
        cargo()
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", target_dir())
            .args(["build", "--release", "--features", "custom-protocol", "--manifest-path"])
            .arg(dir.join("Cargo.toml")),
    )?;
    Ok(target_dir().join("release").join(exe_name(BARE_NAME)))
}

/// Leaves the file (and its mtime, so cargo's fingerprints) alone when the content is the same.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The version Cargo.lock resolved for a registry package.
fn locked_version(lock: &str, name: &str) -> Result<String, String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{name}\"") {
            if let Some(version) = lines.next().and_then(|l| l.trim().strip_prefix("version = ")) {
                return Ok(version.trim_matches('"').to_string());
            }
        }
    }
    Err(format!("Cargo.lock has no '{name}' — build Farepoint first"))
}

/// The `features = [...]` of a dependency written inline (`name = { version = ..., features = [...] }`).
fn dependency_features(manifest: &str, dep: &str) -> Option<String> {
    let line = manifest.lines().find(|l| l.trim_start().starts_with(&format!("{dep} = {{")))?;
    let start = line.find("features")?;
    let open = start + line[start..].find('[')?;
    let close = open + line[open..].find(']')?;
    Some(line[open..=close].to_string())
}

/// Every `[profile.release…]` table of our manifest, verbatim (empty when we use the defaults).
fn release_profile(manifest: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in manifest.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            inside = trimmed.starts_with("[profile.release]") || trimmed.starts_with("[profile.release.");
            if inside {
                out.push('\n');
            }
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Replaces the first `"key": "…"` string value in a JSON text.
fn replace_json_string(json: &str, key: &str, value: &str) -> Option<String> {
    let key_at = json.find(&format!("\"{key}\""))?;
    let after_key = key_at + key.len() + 2;
    let colon = after_key + json[after_key..].find(':')?;
    let open = colon + json[colon..].find('"')?;
    let close = open + 1 + json[open + 1..].find('"')?;
    Some(format!("{}\"{value}\"{}", &json[..open], &json[close + 1..]))
}

// ---------------------------------------------------------------------------------------------
// Measuring, inside the session

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Bare,
    App,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Bare => "bare",
            Side::App => "farepoint",
        }
    }
}

/// One process of an app's tree: kB figures from smaps_rollup.
struct Process {
    pid: u32,
    name: String,
    rss_kb: u64,
    pss_kb: u64,
    /// Pages no other process maps (USS).
    private_kb: u64,
}

struct Run {
    side: Side,
    index: usize,
    start_ms: u64,
    second_ms: Option<u64>,
    processes: Vec<Process>,
    notes: Vec<String>,
}

impl Run {
    fn rss_kb(&self) -> u64 {
        self.processes.iter().map(|p| p.rss_kb).sum()
    }
    fn pss_kb(&self) -> u64 {
        self.processes.iter().map(|p| p.pss_kb).sum()
    }
    fn private_kb(&self) -> u64 {
        self.processes.iter().map(|p| p.private_kb).sum()
    }
}

fn measure(options: &Options, app: &Path, bare: &Path) -> Result<(), String> {
    for bin in [app, bare] {
        if !bin.is_file() {
            return Err(format!("{} is missing — the build step should have made it", bin.display()));
        }
    }
    let ui_calls_ready = std::fs::read_dir(root().join("ui"))
        .map(|dir| {
            dir.flatten()
                .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|text| text.contains("ui_ready")))
        })
        .unwrap_or(false);
    if !ui_calls_ready {
        println!(
            "\nwarning: nothing in ui/ mentions `ui_ready` — Farepoint will not report readiness and its \
             runs will time out after {} s.",
            READY_TIMEOUT.as_secs()
        );
    }
    print_facts(app, bare, options);

    let runs_dir = target_dir().join("bench-startup").join("runs");
    let _ = std::fs::remove_dir_all(&runs_dir);
    let shared_shader_cache = runs_dir.join("shader-cache");
    let mut runs = Vec::new();
    // Run 0 is the warm-up: a first start of each app, shown but kept out of the medians.
    for index in 0..=options.runs {
        for side in [Side::Bare, Side::App] {
            let bin = if side == Side::Bare { bare } else { app };
            let dir = runs_dir.join(format!("{}-{index}", side.name()));
            let shader_cache = if options.cold_shader_cache {
                dir.join("shader-cache")
            } else {
                shared_shader_cache.clone()
            };
            let run =
                one_run(side, index, bin, &dir, &shader_cache, index > 0 && options.second_start, index > 0)
                    .map_err(|e| {
                        format!("{} run {index}: {e}\n(its files: {})", side.name(), dir.display())
                    })?;
            let label =
                if index == 0 { "warm-up".to_string() } else { format!("run {index}/{}", options.runs) };
            let memory = if run.processes.is_empty() {
                String::new()
            } else {
                format!("  PSS {:>6.1} MiB  RSS {:>6.1} MiB", mib(run.pss_kb()), mib(run.rss_kb()))
            };
            println!(
                "{label:<9} {:<9}  start {:>5} ms{}{memory}",
                side.name(),
                run.start_ms,
                run.second_ms.map(|ms| format!("  second start {ms:>5} ms")).unwrap_or_default(),
            );
            for note in &run.notes {
                println!("    note: {note}");
            }
            runs.push(run);
        }
    }
    report(&runs, options);
    Ok(())
}

/// One first start (and, if asked, the memory after the idle time and a second start).
fn one_run(
    side: Side,
    index: usize,
    bin: &Path,
    dir: &Path,
    shader_cache: &Path,
    second_start: bool,
    with_memory: bool,
) -> Result<Run, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut notes = Vec::new();

    // First start: nothing of the app's on disk yet, as on a new installation.
    let ready = dir.join("ready-1");
    let (mut child, t0) = spawn(bin, dir, shader_cache, &ready, "output-1.log")?;
    let start_ms = wait_ready(&mut child, t0, &ready, &dir.join("output-1.log"))?;
    if !with_memory {
        notes.extend(stop(&mut child)?);
        return Ok(Run { side, index, start_ms, second_ms: None, processes: Vec::new(), notes });
    }
    std::thread::sleep(IDLE);
    let tree = process_tree(child.id());
    let processes: Vec<Process> = tree
        .iter()
        .filter_map(|p| {
            let (rss_kb, pss_kb, private_kb) = memory_kb(p.pid)?;
            Some(Process { pid: p.pid, name: p.name.clone(), rss_kb, pss_kb, private_kb })
        })
        .collect();
    if processes.len() < tree.len() {
        notes
            .push(format!("{} process(es) ended before their memory was read", tree.len() - processes.len()));
    }
    if !processes.iter().any(|p| p.name.starts_with("WebKitWebProc")) {
        notes.push("no WebKitWebProcess found under the app — its memory is missing from the sum".into());
    }
    // Library pages another program maps too are split with it in PSS (and leave USS): say so.
    let others = all_processes()
        .iter()
        .filter(|p| p.name.starts_with("WebKit") && !tree.iter().any(|t| t.pid == p.pid))
        .count();
    if others > 0 {
        notes.push(format!(
            "{others} other WebKit process(es) ran on the machine meanwhile: they share WebKit's library \
             pages, which lowers this run's PSS and USS (RSS is unaffected)"
        ));
    }
    notes.extend(stop(&mut child)?);

    // Second start on the same data: the everyday start.
    let second_ms = if second_start {
        let ready = dir.join("ready-2");
        let (mut child, t0) = spawn(bin, dir, shader_cache, &ready, "output-2.log")?;
        let ms = wait_ready(&mut child, t0, &ready, &dir.join("output-2.log"))?;
        notes.extend(stop(&mut child)?);
        Some(ms)
    } else {
        None
    };
    Ok(Run { side, index, start_ms, second_ms, processes, notes })
}

/// Starts an app with everything it writes (its data, WebKit's caches and storage) inside `dir`.
/// The Mesa shader cache is per user, shared by every GL program, WebKit's included: by default
/// the runs share one (filled by the warm-up), like a machine that has shown a web view before.
fn spawn(
    bin: &Path,
    dir: &Path,
    shader_cache: &Path,
    ready: &Path,
    log: &str,
) -> Result<(Child, u128), String> {
    let output = std::fs::File::create(dir.join(log)).map_err(|e| format!("cannot create the log: {e}"))?;
    let errors = output.try_clone().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(bin);
    cmd.current_dir(dir)
        .env(READY_FILE, ready)
        .env("FAREPOINT_DATA_DIR", dir.join("data"))
        .env("XDG_DATA_HOME", dir.join("xdg-data"))
        .env("XDG_CACHE_HOME", dir.join("xdg-cache"))
        .env("XDG_CONFIG_HOME", dir.join("xdg-config"))
        .env("MESA_SHADER_CACHE_DIR", shader_cache)
        .env("MESA_GLSL_CACHE_DIR", shader_cache)
        .stdin(Stdio::null())
        .stdout(output)
        .stderr(errors);
    let t0 = epoch_ms();
    let child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    Ok((child, t0))
}

fn epoch_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis()
}

fn wait_ready(child: &mut Child, t0: u128, ready: &Path, log: &Path) -> Result<u64, String> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if let Some(line) =
            std::fs::read_to_string(ready).ok().and_then(|t| t.lines().next().map(str::to_owned))
        {
            let at: u128 = line.trim().parse().map_err(|_| format!("unreadable ready line '{line}'"))?;
            return Ok(at.saturating_sub(t0) as u64);
        }
        if let Ok(Some(exit)) = child.try_wait() {
            return Err(format!("the app exited ({exit}) before it was ready{}", log_tail(log)));
        }
        if Instant::now() > deadline {
            let _ = stop(child);
            return Err(format!(
                "not ready after {} s: the UI never called the `ui_ready` command (is it called from \
                 ui/app.js once the Take-payment view is painted?){}",
                READY_TIMEOUT.as_secs(),
                log_tail(log)
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(15)..].join("\n  ");
    if tail.is_empty() {
        String::new()
    } else {
        format!("\n  last output ({}):\n  {tail}", log.display())
    }
}

/// SIGTERM, a few seconds' grace, then SIGKILL; then makes sure the WebKit children are gone too.
/// Returns notes on anything that needed force.
fn stop(child: &mut Child) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    let tree = process_tree(child.id());
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let deadline = Instant::now() + STOP_GRACE;
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if Instant::now() > deadline {
            notes.push(format!("did not stop within {} s of SIGTERM: killed", STOP_GRACE.as_secs()));
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let deadline = Instant::now() + STOP_GRACE;
    loop {
        let left: Vec<&Proc> = tree.iter().skip(1).filter(|p| p.alive()).collect();
        if left.is_empty() {
            break;
        }
        if Instant::now() > deadline {
            let names: Vec<String> = left.iter().map(|p| format!("{} ({})", p.name, p.pid)).collect();
            notes.push(format!("left running after the app stopped, killed: {}", names.join(", ")));
            for p in left {
                let _ = Command::new("kill").args(["-KILL", &p.pid.to_string()]).status();
            }
            std::thread::sleep(Duration::from_millis(200));
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(notes)
}

// ---------------------------------------------------------------------------------------------
// /proc

struct Proc {
    pid: u32,
    ppid: u32,
    name: String,
    /// Clock ticks since boot: tells a reused pid apart.
    started: u64,
}

impl Proc {
    fn read(pid: u32) -> Option<Proc> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let (open, close) = (stat.find('(')?, stat.rfind(')')?);
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        if fields.first() == Some(&"Z") {
            return None;
        }
        // comm is cut at 15 characters ("WebKitWebProces"): the program's file name is clearer.
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let program = cmdline.split(|b| *b == 0).next().map(String::from_utf8_lossy).unwrap_or_default();
        let name = match program.rsplit('/').next() {
            Some(file) if !file.is_empty() => file.to_string(),
            _ => stat[open + 1..close].to_string(),
        };
        Some(Proc { pid, ppid: fields.get(1)?.parse().ok()?, name, started: fields.get(19)?.parse().ok()? })
    }

    fn alive(&self) -> bool {
        Proc::read(self.pid).is_some_and(|now| now.started == self.started)
    }
}

fn all_processes() -> Vec<Proc> {
    std::fs::read_dir("/proc")
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .filter_map(Proc::read)
                .collect()
        })
        .unwrap_or_default()
}

/// The process and all its descendants (the app first).
fn process_tree(root_pid: u32) -> Vec<Proc> {
    let all = all_processes();
    let mut children: HashMap<u32, Vec<&Proc>> = HashMap::new();
    for p in &all {
        children.entry(p.ppid).or_default().push(p);
    }
    let mut tree: Vec<&Proc> = all.iter().filter(|p| p.pid == root_pid).collect();
    let mut i = 0;
    while i < tree.len() {
        if let Some(kids) = children.get(&tree[i].pid) {
            tree.extend(kids.iter().copied());
        }
        i += 1;
    }
    tree.into_iter()
        .map(|p| Proc { pid: p.pid, ppid: p.ppid, name: p.name.clone(), started: p.started })
        .collect()
}

/// (RSS, PSS, private) in kB: smaps_rollup, or the sum over smaps on kernels older than 4.14.
fn memory_kb(pid: u32) -> Option<(u64, u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .or_else(|_| std::fs::read_to_string(format!("/proc/{pid}/smaps")))
        .ok()?;
    let sum = |key: &str| -> u64 {
        text.lines()
            .filter_map(|l| l.strip_prefix(key))
            .filter_map(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
            .sum()
    };
    Some((sum("Rss:"), sum("Pss:"), sum("Private_Clean:") + sum("Private_Dirty:")))
}

// ---------------------------------------------------------------------------------------------
// Reporting

fn print_facts(app: &Path, bare: &Path, options: &Options) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines().find(|l| l.starts_with("model name"))?.split(':').nth(1).map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "?".into());
    let cores =
        std::thread::available_parallelism().map(|n| n.get().to_string()).unwrap_or_else(|_| "?".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| t.lines().next()?.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map(|kb| format!("{:.1} GiB", kb as f64 / 1048576.0))
        .unwrap_or_else(|| "?".into());
    let webkit = Command::new("pkg-config")
        .args(["--modversion", "webkit2gtk-4.1"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown (pkg-config has no webkit2gtk-4.1)".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let display = match (std::env::var("WAYLAND_DISPLAY"), std::env::var("DISPLAY")) {
        (Ok(w), _) if !w.is_empty() => format!("Wayland {w}"),
        (_, Ok(d)) => format!("X11 {d} (Xvfb when run headless)"),
        _ => "none?".into(),
    };
    let size = |p: &Path| {
        std::fs::metadata(p).map(|m| format!("{:.1} MiB", mib(m.len() / 1024))).unwrap_or_default()
    };
    let ui_bytes: u64 = std::fs::read_dir(root().join("ui"))
        .map(|d| d.flatten().filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum())
        .unwrap_or(0);
    println!("\nStart-up benchmark — Farepoint vs a bare Tauri 2 window (release, custom-protocol)");
    println!("  CPU:        {cpu}, {cores} cores available; memory {memory}");
    println!("  Kernel:     {}; load average {}", kernel.trim(), loadavg());
    println!("  WebKitGTK:  {webkit}; display {display}");
    println!(
        "  Binaries:   farepoint {} ({}), bare {} ({})",
        size(app),
        app.display(),
        size(bare),
        bare.display()
    );
    println!("  Farepoint page: ui/ is {:.1} KiB", ui_bytes as f64 / 1024.0);
    println!(
        "  Method:     each run starts with empty app data and WebKit storage/cache directories (a first \
         start: Farepoint\n              creates its database, starts the simulator, checks the keyring); the \
         second start reuses them;\n              start-up = the `ui_ready` time − the time just before \
         spawn (the OS file cache is warm);\n              memory = the app and all its child processes (WebKit's \
         web and network processes) {} s after ready.\n              The goal is judged on PSS (a page \
         n processes share counts 1/n in each, so libraries count once); RSS and USS\n              (pages \
         no other process maps) are shown too. PSS and USS fall when other programs map the same \
         libraries;\n              RSS does not. Runs alternate bare / farepoint, after one warm-up start \
         of each.\n\
         \x20             Shader cache: {}\n",
        IDLE.as_secs(),
        if options.cold_shader_cache {
            "empty for every run (--cold-shader-cache: as on a machine where no GL program has run yet)"
        } else {
            "one Mesa cache shared by all runs, filled by the warm-up (as on a machine that has shown a \
             web view before;\n              `-- --cold-shader-cache` empties it for every run)"
        }
    );
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn report(runs: &[Run], options: &Options) {
    println!("\nEvery run (nothing discarded; run 0 is the warm-up, outside the medians):");
    println!(
        "  {:>3}  {:<9}  {:>8}  {:>12}  {:>8}  {:>8}  {:>8}  processes (PSS MiB)",
        "run", "side", "start ms", "2nd start ms", "PSS MiB", "RSS MiB", "USS MiB"
    );
    let dash = || "—".to_string();
    for run in runs {
        let processes: Vec<String> =
            run.processes.iter().map(|p| format!("{} {:.1}", p.name, mib(p.pss_kb))).collect();
        let memory = |kb: u64| if run.processes.is_empty() { dash() } else { format!("{:.1}", mib(kb)) };
        println!(
            "  {:>3}  {:<9}  {:>8}  {:>12}  {:>8}  {:>8}  {:>8}  {}",
            run.index,
            run.side.name(),
            run.start_ms,
            run.second_ms.map(|ms| ms.to_string()).unwrap_or_else(dash),
            memory(run.pss_kb()),
            memory(run.rss_kb()),
            memory(run.private_kb()),
            processes.join(", ")
        );
    }

    let measured = || runs.iter().filter(|r| r.index > 0);
    let of = |side: Side, f: &dyn Fn(&Run) -> Option<f64>| -> f64 {
        median(measured().filter(|r| r.side == side).filter_map(f).collect())
    };
    type Metric<'a> = (&'a str, &'a str, bool, Box<dyn Fn(&Run) -> Option<f64>>);
    let mut metrics: Vec<Metric> = vec![
        ("start-up (first start)", "ms", true, Box::new(|r: &Run| Some(r.start_ms as f64))),
        ("memory, PSS", "MiB", true, Box::new(|r: &Run| Some(mib(r.pss_kb())))),
        ("memory, RSS", "MiB", false, Box::new(|r: &Run| Some(mib(r.rss_kb())))),
        ("memory, private (USS)", "MiB", false, Box::new(|r: &Run| Some(mib(r.private_kb())))),
    ];
    if options.second_start {
        metrics.insert(
            1,
            ("start-up (second start)", "ms", false, Box::new(|r: &Run| r.second_ms.map(|ms| ms as f64))),
        );
    }
    println!("\nMedians of {} runs each (goal: Farepoint ≤ {GOAL}× bare):", options.runs);
    println!("  {:<24}  {:>10}  {:>10}  {:>10}  {:>6}", "", "bare", "farepoint", "difference", "ratio");
    let mut missed = Vec::new();
    for (label, unit, judged, f) in &metrics {
        let (bare, app) = (of(Side::Bare, f.as_ref()), of(Side::App, f.as_ref()));
        let ratio = app / bare;
        let verdict = match (*judged, ratio <= GOAL) {
            (true, true) => "✓ goal met".to_string(),
            (true, false) => {
                missed.push(*label);
                "✗ goal missed".to_string()
            }
            (false, _) => "(for information)".to_string(),
        };
        let digits = if *unit == "ms" { 0 } else { 1 };
        println!(
            "  {label:<24}  {:>7.digits$} {unit:<3}{:>7.digits$} {unit:<3}{:>+7.digits$} {unit:<3}{ratio:>6.2}×  {verdict}",
            bare,
            app,
            app - bare,
        );
    }

    // Where the memory sits: the median of each process kind, per side.
    println!("\nMedian PSS by process (MiB):");
    for side in [Side::Bare, Side::App] {
        let mut by_name: Vec<(String, Vec<f64>)> = Vec::new();
        for run in measured().filter(|r| r.side == side) {
            for p in &run.processes {
                let name = if p.pid == run.processes[0].pid {
                    "(the app itself)".to_string()
                } else {
                    p.name.clone()
                };
                match by_name.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, values)) => values.push(mib(p.pss_kb)),
                    None => by_name.push((name, vec![mib(p.pss_kb)])),
                }
            }
        }
        let parts: Vec<String> =
            by_name.into_iter().map(|(name, values)| format!("{name} {:.1}", median(values))).collect();
        println!("  {:<9}  {}", side.name(), parts.join(", "));
    }
    println!("\nLoad average at the end: {}", loadavg());
    if missed.is_empty() {
        println!("Result: both goals met.");
    } else {
        println!("Result: goal missed for {} (see the figures above).", missed.join(" and "));
    }
}
