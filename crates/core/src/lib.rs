//! farepoint-core: everything in Farepoint that is not UI.
//!
//! One module a concept (DESIGN.md §2). The Tauri shell only adapts these to commands.

pub mod card;
pub mod engine;
pub mod history;
pub mod logging;
pub mod money;
pub mod payment;
pub mod profile;
pub mod providers;
pub mod redact;
pub mod secrets;
pub mod settings;
pub mod store;
pub mod vault;

/// Milliseconds since the Unix epoch, UTC — the one clock every stored time uses.
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}
