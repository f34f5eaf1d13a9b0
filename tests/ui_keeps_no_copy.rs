//! The window draws the core's lists (`app_status`'s catalog) and keeps no copy of them: no UI
//! file names two providers, or two statuses, by their ids in one line — the shape a copied list
//! or a copied per-status rule takes. Files that still hold such copies are listed while they are
//! moved to the core; the list only shrinks.

use std::path::Path;

use ui_files::js_files;

#[path = "support/ui_files.rs"]
mod ui_files;

/// Still deciding by status or provider in the window (to be served by the core instead).
const STILL_TO_MOVE: &[&str] = &[
    "ui/components/timeline.js",
    "ui/views/payments/actions.js",
    "ui/views/payments/detail.js",
    "ui/views/settings/providers.js",
    "ui/views/summary.js",
];

#[test]
fn the_window_keeps_no_copy_of_the_providers_or_statuses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog = farepoint_core::catalog::catalog();
    let mut files = Vec::new();
    js_files(&root.join("ui"), &mut files);
    assert!(files.len() > 10, "the UI's modules were found");
    let mut copies = Vec::new();
    let mut clean_listed = Vec::new();
    for path in files {
        let name = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        let quoted =
            |line: &str, ids: &[&str]| ids.iter().filter(|id| line.contains(&format!("\"{id}\""))).count();
        let copying: Vec<&str> = text
            .lines()
            .filter(|line| quoted(line, &catalog.providers) >= 2 || quoted(line, &catalog.statuses) >= 2)
            .collect();
        match (copying.is_empty(), STILL_TO_MOVE.contains(&name.as_str())) {
            (false, false) => copies.push(format!("{name}: {}", copying[0].trim())),
            (true, true) => clean_listed.push(name),
            _ => {}
        }
    }
    assert!(
        copies.is_empty(),
        "the window copies the core's lists — take them from app_status's catalog: {copies:#?}"
    );
    assert!(
        clean_listed.is_empty(),
        "these keep no copy any more — take them off STILL_TO_MOVE: {clean_listed:?}"
    );
}
