//! farepoint-core: everything in Farepoint that is not UI.
//!
//! One module a concept (docs/design.md §2). The Tauri shell only adapts these to commands.

pub mod actions;
pub mod agents;
pub mod business;
pub mod card;
pub mod catalog;
pub mod codes;
pub mod desk_lock;
pub mod engine;
#[doc(hidden)]
pub mod fuzz;
pub mod history;
pub mod logging;
pub mod money;
pub mod money_state;
pub mod payment;
pub mod profile;
pub mod providers;
pub mod redact;
pub mod seal;
pub mod secrets;
pub mod settings;
pub mod smtp;
pub mod store;
pub mod subject;
pub mod vault;

/// Milliseconds since the Unix epoch, UTC — the one clock every stored time uses. It is the wall
/// clock, so it can jump; nothing that decides money counts on it alone (`engine::Engine::watch`).
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64 + wall_clock::shift_ms()
}

/// A wall clock that jumps, for tests of the world outside one process: the computer's clock
/// corrected by hand or by NTP while Farepoint runs. Moves what [`now_ms`] reads, never the
/// monotonic clock — exactly what such a jump does. Nothing outside tests calls `jump`.
#[doc(hidden)]
pub mod wall_clock {
    use std::sync::atomic::{AtomicI64, Ordering};

    static SHIFT_MS: AtomicI64 = AtomicI64::new(0);

    pub(crate) fn shift_ms() -> i64 {
        SHIFT_MS.load(Ordering::Relaxed)
    }

    /// Moves this process's wall clock by `by_ms` (negative: backwards).
    pub fn jump(by_ms: i64) {
        SHIFT_MS.fetch_add(by_ms, Ordering::Relaxed);
    }
}
