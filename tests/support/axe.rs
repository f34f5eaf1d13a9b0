//! axe-core, the accessibility checker (vendored in `tests/vendor/axe-core/`, with its licence),
//! run inside the real window: injected through WebDriver, it checks the page as it is drawn now —
//! the view, an open dialog, the colours of the active scheme.

use serde_json::{json, Value};

use super::{AppSession, TestResult};

/// axe-core 4.14.1 as published on the npm registry (see tests/vendor/axe-core/README.md).
const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");

/// What axe found on one page state: one line per violation — rule, impact, help, the elements
/// and what to fix on each.
#[derive(Debug)]
pub struct Audit {
    /// Serious and critical violations.
    pub serious: Vec<String>,
    /// Moderate and minor ones.
    pub lesser: Vec<String>,
}

impl AppSession {
    /// Runs axe over the whole page as it is now (WCAG 2.0/2.1/2.2 A and AA, and axe's best
    /// practices) and returns what it found, with an id used twice anywhere in the document —
    /// in a hidden view too, where axe does not look — as a serious violation of our own.
    /// Injected on first use in this page.
    pub async fn axe(&self) -> TestResult<Audit> {
        let loaded = self.client.execute("return typeof window.axe === 'object';", vec![]).await?;
        if loaded.as_bool() != Some(true) {
            // Run as a script body: axe's bundle sets `window.axe`.
            self.client.execute(&format!("{AXE}\n;return typeof window.axe;"), vec![]).await?;
        }
        let answer = self
            .client
            .execute_async(
                "const done = arguments[0];
                 // Paint first, so colours and layout are those on screen.
                 requestAnimationFrame(() => requestAnimationFrame(() => {
                   const seen = new Set(), twice = new Set();
                   for (const el of document.querySelectorAll('[id]')) (seen.has(el.id) ? twice : seen).add(el.id);
                   const duplicates = [...twice].map((id) => ({
                     id: 'duplicate-id (ours)', impact: 'serious', help: 'An id must name one element',
                     nodes: [{ target: '#' + id, summary: 'Used by ' + document.querySelectorAll('#' + CSS.escape(id)).length + ' elements' }],
                   }));
                   axe.run(document, {
                     runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
                     resultTypes: ['violations'],
                   }).then((r) => done({ ok: duplicates.concat(r.violations.map((v) => ({
                       id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
                     }))) }),
                     (e) => done({ err: String(e) }));
                 }));",
                vec![],
            )
            .await?;
        let Some(Value::Array(violations)) = answer.get("ok") else {
            return Err(
                format!("axe did not run: {}", answer.get("err").cloned().unwrap_or(json!(null))).into()
            );
        };
        let mut audit = Audit { serious: Vec::new(), lesser: Vec::new() };
        for v in violations {
            let impact = v["impact"].as_str().unwrap_or("unknown");
            let nodes: Vec<String> = v["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| {
                    let summary = n["summary"].as_str().unwrap_or_default().replace('\n', " ");
                    format!("{} ({summary})", n["target"].as_str().unwrap_or("?"))
                })
                .collect();
            let line = format!(
                "{} [{impact}] {} — {}",
                v["id"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or_default(),
                nodes.join("; ")
            );
            if matches!(impact, "serious" | "critical") {
                audit.serious.push(line);
            } else {
                audit.lesser.push(line);
            }
        }
        Ok(audit)
    }
}
