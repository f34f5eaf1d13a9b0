//! The window's JavaScript modules, for the tests that read the UI's source.

use std::path::{Path, PathBuf};

/// Every `.js` file under `dir`.
pub fn js_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            js_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "js") {
            out.push(path);
        }
    }
}
