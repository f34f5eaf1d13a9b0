//! No code: a dependency of the app that turns on the features its tests' dependencies turn on,
//! so `cargo xtask run` and `cargo xtask test` build the same units (see Cargo.toml).
