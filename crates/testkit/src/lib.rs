//! Test support for Farepoint, kept out of the app's libraries: nothing here is compiled into
//! the desktop app, only into the tests, benchmarks and examples that name it as a
//! dev-dependency.

pub mod leak;
pub mod sample;
