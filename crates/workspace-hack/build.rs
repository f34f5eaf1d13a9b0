// Empty on purpose: cargo resolves [build-dependencies] only for a package with a build script,
// and this crate's host-side features (Cargo.toml) must count.
fn main() {}
