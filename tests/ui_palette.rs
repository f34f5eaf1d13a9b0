//! The design tokens in `ui/styles.css` are two palettes, light and dark (the dark one overrides
//! the light under `prefers-color-scheme: dark`). Each is checked here on its own: every pair of
//! a text colour and a background it is drawn on reads at 4.5:1 or more (WCAG 2 AA for body
//! text). The window test `desk_a11y` runs axe on what is drawn; this one also covers pairs no
//! walk happens to show (a tone on a selected row, a status not met that day).

use std::collections::BTreeMap;
use std::path::Path;

/// (text token, background tokens it is drawn on, where).
const PAIRS: &[(&str, &[&str], &str)] = &[
    (
        "text",
        &[
            "bg",
            "surface",
            "input-bg",
            "row-hover",
            "row-selected",
            "neutral-bg",
            "ok-bg",
            "live-bg",
            "review-bg",
            "bad-bg",
        ],
        "body text, inputs, table rows, what happened to the money on its tone",
    ),
    ("muted", &["bg", "surface", "input-bg", "row-hover", "row-selected"], "hints, labels, table heads"),
    ("ok", &["ok-bg", "surface"], "a paid pill, the active-profile tag"),
    ("live", &["live-bg", "surface", "bg"], "an in-flight pill, the deadline countdown"),
    ("review", &["review-bg", "surface"], "a needs-review pill, 'Needs setup'"),
    ("bad", &["bad-bg", "surface", "bg"], "a declined pill, field errors"),
    ("neutral", &["neutral-bg"], "a muted pill (demo credential, abandoned)"),
    ("accent", &["live-bg", "surface", "bg", "row-selected"], "links, pressed chips, the selected-row label"),
    ("on-primary", &["primary-bg"], "the primary button"),
    ("sandbox-text", &["sandbox-bg"], "the Sandbox banner and badge"),
    ("rail-text", &["rail"], "the navigation rail"),
    ("rail-active", &["rail"], "the current view in the rail"),
    ("accent-2", &["rail"], "the Sandbox profile tag in the rail"),
];

const AA: f64 = 4.5;

fn styles() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/styles.css")).unwrap()
}

/// The `--name: #rrggbb;` declarations of the first `:root { … }` at or after `from`.
fn tokens(css: &str, from: usize) -> BTreeMap<String, String> {
    let start = from + css[from..].find(":root {").expect("a :root block");
    let end = start + css[start..].find('}').expect("the :root block's end");
    css[start..end]
        .split(';')
        .filter_map(|decl| {
            let decl = decl.trim().rsplit('\n').next()?.trim();
            let (name, value) = decl.strip_prefix("--")?.split_once(':')?;
            let value = value.trim();
            value.starts_with('#').then(|| (name.trim().to_string(), value.to_string()))
        })
        .collect()
}

/// The light palette, and the dark one (the light with the dark block's overrides).
fn palettes() -> [(&'static str, BTreeMap<String, String>); 2] {
    let css = styles();
    let light = tokens(&css, 0);
    let media = css.find("@media (prefers-color-scheme: dark)").expect("a dark scheme");
    let mut dark = light.clone();
    dark.extend(tokens(&css, media));
    [("light", light), ("dark", dark)]
}

fn luminance(hex: &str) -> f64 {
    let hex = hex.trim_start_matches('#');
    assert_eq!(hex.len(), 6, "colour {hex} is not #rrggbb");
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn every_text_colour_reads_on_its_backgrounds_in_both_schemes() {
    let mut short = Vec::new();
    for (scheme, palette) in palettes() {
        let colour = |name: &str| {
            palette.get(name).unwrap_or_else(|| panic!("no --{name} in the {scheme} palette")).as_str()
        };
        for (text, backgrounds, role) in PAIRS {
            for background in *backgrounds {
                let ratio = contrast(colour(text), colour(background));
                if ratio < AA {
                    short.push(format!(
                        "{scheme}: --{text} {} on --{background} {} reads {ratio:.2}:1 ({role})",
                        colour(text),
                        colour(background)
                    ));
                }
            }
        }
    }
    assert!(short.is_empty(), "text under {AA}:1:\n{}", short.join("\n"));
}

/// The check reads what it should: black on white is 21:1, and a pair known short is caught.
#[test]
fn the_contrast_measure_is_wcag_s() {
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
    assert!((contrast("#1a7f37", "#e6f4ea") - 4.47).abs() < 0.01, "the green pill before issue 19");
    let [(_, light), (_, dark)] = palettes();
    assert_ne!(light.get("neutral"), dark.get("neutral"), "the dark scheme has its own muted-pill colour");
}
