//! The window draws the core's lists (`app_status`'s catalog) and the actions served on each
//! payment's record, and keeps no copy of a core rule. Two shapes give a copy away:
//! - a line naming two providers, two statuses or two ATRIP methods, by their ids — a copied list, or a rule
//!   over several of them (`["Declined", "TicketingFailed"].includes(status)`);
//! - a single provider or status id compared (`p.status === "Declined"`,
//!   `p.provider !== "heipay"`, `case "Paid":`, `.includes("Unknown")`, `.has("atrip")`) — a
//!   per-status or per-provider rule, which belongs in the core (`actions.rs`, `catalog.rs`).
//!
//! Naming an id to translate it or to look something up by it (`t(\`status.${s}\`)`, a form per
//! provider) is not a rule, and is not flagged. No file is excepted.

use std::path::Path;

use ui_files::js_files;

#[path = "support/ui_files.rs"]
mod ui_files;

/// How many of `ids` the line names in quotes.
fn quoted(line: &str, ids: &[&str]) -> usize {
    ids.iter().filter(|id| line.contains(&format!("\"{id}\""))).count()
}

/// Whether the line compares one of `ids`: the quoted id beside a comparison, as a `case`, or
/// as what `includes`/`has` looks for.
fn compares(line: &str, ids: &[&str]) -> bool {
    const BEFORE: [&str; 7] = ["===", "!==", "==", "!=", "case", ".includes(", ".has("];
    const AFTER: [&str; 4] = ["===", "!==", "==", "!="];
    ids.iter().any(|id| {
        let q = format!("\"{id}\"");
        line.match_indices(&q).any(|(at, _)| {
            let before = line[..at].trim_end();
            let after = line[at + q.len()..].trim_start();
            BEFORE.iter().any(|op| before.ends_with(op)) || AFTER.iter().any(|op| after.starts_with(op))
        })
    })
}

#[test]
fn the_window_keeps_no_copy_of_the_providers_statuses_or_their_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog = farepoint_core::catalog::catalog();
    let mut files = Vec::new();
    js_files(&root.join("ui"), &mut files);
    assert!(files.len() > 10, "the UI's modules were found");
    // ATRIP's methods too: what each needs (a card, the holder's IP) is served with them.
    let methods: Vec<&str> = catalog.forms["atrip"]
        .methods
        .iter()
        .map(|m| match serde_json::to_value(m.method).unwrap() {
            serde_json::Value::String(id) => &*id.leak(),
            other => panic!("a method's id is text: {other}"),
        })
        .collect();
    assert_eq!(methods.len(), 4);
    let mut copies = Vec::new();
    for path in files {
        let name = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let ids = [&catalog.providers, &catalog.statuses, &methods];
            if ids.iter().any(|ids| quoted(line, ids) >= 2 || compares(line, ids)) {
                copies.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        copies.is_empty(),
        "the window copies the core's lists or rules — take them from app_status's catalog or the \
         record's actions: {copies:#?}"
    );
}

/// The finder itself: it flags each shape a copied rule takes, and not a translation or a lookup.
#[test]
fn the_copy_finder_flags_comparisons_and_lists_but_not_lookups() {
    let ids = ["Declined", "Paid", "heipay"];
    for rule in [
        r#"if (p.status === "Declined") retry();"#,
        r#"wide: p.provider !== "heipay","#,
        r#"if ("Paid" == status) ok();"#,
        r#"    case "Paid":"#,
        r#"if (list.includes("Declined")) x();"#,
        r#"if (RETRYABLE.has( "Declined")) x();"#,
    ] {
        assert!(compares(rule, &ids), "{rule}");
    }
    assert_eq!(quoted(r#"const S = ["Declined", "Paid"];"#, &ids), 2);
    for lookup in [
        r#"h("span", { text: t(`status.${status}`) }),"#,
        r#"    "status.Declined": "Declined","#,
        r#"      ["heipay", heipayForm],"#,
        r#"this.edited("heipay", "heipay:hotels", anchor);"#,
    ] {
        assert!(!compares(lookup, &ids) && quoted(lookup, &ids) < 2, "{lookup}");
    }
}
