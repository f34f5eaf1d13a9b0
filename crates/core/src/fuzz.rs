//! Case counting for the property and fuzz targets: each target runs `cases()` cases (a bounded
//! number in `cargo xtask test`, at least a million in `cargo xtask fuzz`, which sets
//! `FAREPOINT_FUZZ_CASES`) and says how many it ran when it reaches them.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Cases per target: `FAREPOINT_FUZZ_CASES`, else `default`.
pub fn cases_or(default: u32) -> u32 {
    std::env::var("FAREPOINT_FUZZ_CASES").ok().and_then(|n| n.trim().parse().ok()).unwrap_or(default)
}

/// Counts one case of `target`; prints the count once the target has run all its cases.
pub fn count(target: &'static str, cases: u32) {
    static COUNTS: OnceLock<Mutex<HashMap<&'static str, u64>>> = OnceLock::new();
    let mut counts = COUNTS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    let n = counts.entry(target).or_insert(0);
    *n += 1;
    if *n == u64::from(cases) {
        eprintln!("fuzz target {target}: {n} cases passed");
    }
}
