//! The window's lists of commands agree (no window needed): the isolation hook's allow-list
//! (isolation/hook.js), the app manifest (build.rs) and the main window's capability
//! (src-tauri/capabilities/main.json) each name exactly the commands `generate_handler!` registers
//! in src-tauri/lib.rs. A command added to the shell but not listed would be refused by the hook;
//! one removed but still listed would leave the window a name to call.

use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The text from `start` up to the first `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str, file: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{file} has no `{start}`")) + start.len();
    let len = text[from..].find(end).unwrap_or_else(|| panic!("{file}: `{start}` is not closed by `{end}`"));
    &text[from..from + len]
}

fn without_line_comments(text: &str) -> String {
    text.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// Every "quoted" string in `text`, in order.
fn quoted(text: &str) -> Vec<String> {
    text.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

/// A set of names, failing on a name listed twice (a sign of a bad merge).
fn set(names: Vec<String>, what: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for name in names {
        assert!(seen.insert(name.clone()), "{what} lists {name} twice");
    }
    seen
}

fn registered() -> BTreeSet<String> {
    let lib = read("src-tauri/lib.rs");
    let list = without_line_comments(between(&lib, "generate_handler![", "]", "src-tauri/lib.rs"));
    let names = list
        .split(',')
        .map(str::trim)
        .filter(|path| !path.is_empty())
        .map(|path| path.rsplit("::").next().unwrap_or(path).trim().to_string())
        .collect::<Vec<_>>();
    let names = set(names, "generate_handler!");
    assert!(names.len() > 10, "read only {names:?} out of generate_handler! — has its shape changed?");
    names
}

fn hook_list(name: &str) -> BTreeSet<String> {
    let hook = read("isolation/hook.js");
    let list = without_line_comments(between(&hook, &format!("const {name} = ["), "];", "isolation/hook.js"));
    set(quoted(&list), &format!("isolation/hook.js's {name}"))
}

#[test]
fn the_isolation_hook_allows_exactly_the_registered_commands() {
    let registered = registered();
    let allowed = hook_list("COMMANDS");
    let missing: Vec<_> = registered.difference(&allowed).collect();
    let extra: Vec<_> = allowed.difference(&registered).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "isolation/hook.js's COMMANDS must list exactly the commands of generate_handler! in \
         src-tauri/lib.rs: add {missing:?}, remove {extra:?}"
    );
}

#[test]
fn the_isolation_hook_allows_only_the_tauri_commands_it_needs() {
    // Sent by Tauri's own scripts, never by the UI: a plugin command allowed here is one more thing
    // any script in the window can reach, so each is added deliberately, here and in the hook.
    let expected = set(vec!["plugin:__TAURI_CHANNEL__|fetch".to_string()], "expected");
    assert_eq!(hook_list("TAURI_COMMANDS"), expected);
}

#[test]
fn the_app_manifest_and_the_capability_name_the_registered_commands() {
    let registered = registered();

    let build = read("src-tauri/build.rs");
    let manifest = set(
        quoted(&without_line_comments(between(&build, "const COMMANDS: &[&str] = &[", "];", "build.rs"))),
        "build.rs",
    );
    assert_eq!(manifest, registered, "build.rs's COMMANDS differ from generate_handler!");

    let capability: serde_json::Value =
        serde_json::from_str(&read("src-tauri/capabilities/main.json")).expect("main.json is JSON");
    let granted = capability["permissions"]
        .as_array()
        .expect("main.json has permissions")
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect::<Vec<_>>();
    let granted = set(granted, "capabilities/main.json");
    assert_eq!(
        granted, registered,
        "capabilities/main.json's allow-* permissions differ from generate_handler!"
    );
}
