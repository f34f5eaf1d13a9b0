//! The offline review of the local history (docs/design.md §1 "supervisor", §9): search with
//! filters, totals, export, receipts (printed, PDF, email) and the check of its seals.
//!
//! Every function takes a plain `&Connection` so callers choose where it runs: a page or a
//! receipt on the store's reader (`Store::read`), a long export or verify on a connection of
//! its own (`open_reader`) so searches are not held up meanwhile. Card data never leaves here
//! beyond brand and last 4 (and, on a receipt, the holder — never the expiry).

pub mod export;
pub mod receipt;
pub mod search;
pub mod summary;
pub mod verify;

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::OpenFlags;
use serde::{Deserialize, Serialize};

use crate::card::CardBrand;
use crate::codes::{CodedError, ErrorCode};
use crate::money::Currency;
use crate::payment::{Provider, Status};
use crate::store::StoreError;

pub use crate::payment::ticket_number_display;
pub use export::{export, export_to_file, ExportFormat};
pub use receipt::{receipt, Receipt};
/// The connection type every function here takes (so callers need no rusqlite of their own).
pub use rusqlite::Connection;
pub use search::{search, HistoryQuery, Page, Row};
pub use summary::{summary, Summary, SummaryRange};
pub use verify::{verify, Break, BreakKind, VerifyReport};

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The request itself is wrong; the problem says what to change, by code.
    #[error("{}", .0.english())]
    Invalid(CodedError),
    /// One field of the request is wrong; the problem says what to change in it, by code.
    #[error("{field}: {}", problem.english())]
    Field { field: &'static str, problem: CodedError },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not write the export: {0}")]
    Io(#[from] std::io::Error),
}

impl From<rusqlite::Error> for HistoryError {
    fn from(e: rusqlite::Error) -> Self {
        HistoryError::Store(StoreError::Sqlite(e))
    }
}

impl From<rusqlite::types::FromSqlError> for HistoryError {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        rusqlite::Error::from(e).into()
    }
}

impl From<serde_json::Error> for HistoryError {
    fn from(e: serde_json::Error) -> Self {
        HistoryError::Io(e.into())
    }
}

pub type Result<T, E = HistoryError> = std::result::Result<T, E>;

fn invalid(problem: CodedError) -> HistoryError {
    HistoryError::Invalid(problem)
}

/// A read-only connection of its own to the database at `path` (already migrated by
/// `Store::open`), for long reads that should not queue behind the store's reader.
pub fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    crate::store::steady_plans(&conn)?;
    Ok(conn)
}

/// How far a long operation has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// Passes progress on at most every `every`, plus the final figure, so a UI channel is not
/// flooded (20 a second at the default).
pub(crate) struct Throttle<'a> {
    report: &'a mut dyn FnMut(Progress),
    every: Duration,
    last: Option<Instant>,
    total: u64,
}

impl<'a> Throttle<'a> {
    pub(crate) fn new(report: &'a mut dyn FnMut(Progress), total: u64) -> Self {
        Throttle { report, every: Duration::from_millis(50), last: None, total }
    }

    pub(crate) fn tick(&mut self, done: u64) {
        if self.last.is_none_or(|t| t.elapsed() >= self.every) {
            self.last = Some(Instant::now());
            (self.report)(Progress { done, total: self.total });
        }
    }

    pub(crate) fn finish(&mut self, done: u64) {
        (self.report)(Progress { done, total: self.total.max(done) });
    }
}

/// A card as lists and exports show it: brand and last 4 only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskedCard {
    pub brand: CardBrand,
    pub last4: String,
}

impl MaskedCard {
    /// The brand as stored (its serde name, e.g. "visa", "unionpay").
    pub(crate) fn from_stored(brand: Option<&str>, last4: Option<&str>) -> Option<MaskedCard> {
        let brand = serde_json::from_value(serde_json::Value::String(brand?.to_string())).ok()?;
        Some(MaskedCard { brand, last4: last4?.to_string() })
    }

    /// "Visa •••• 1111".
    pub fn masked(&self) -> String {
        format!("{} •••• {}", self.brand.display_name(), self.last4)
    }
}

/// Milliseconds since the epoch → "2026-11-20T14:03:07.123Z".
pub fn utc_timestamp(ms: i64) -> String {
    let (date, rest) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (h, m, s, milli) = (rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60, rest % 1000);
    format!("{}T{h:02}:{m:02}:{s:02}.{milli:03}Z", day_text(date))
}

/// Days since 1970-01-01 → "2026-11-20".
pub fn day_text(days: i64) -> String {
    // 2440588 is the Julian day number of 1970-01-01.
    match time::Date::from_julian_day((days + 2_440_588) as i32) {
        Ok(d) => format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        Err(_) => format!("day {days}"),
    }
}

/// "2026-11-20" → days since 1970-01-01.
pub fn parse_day(text: &str) -> Result<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(text.trim(), &format)
        .map_err(|_| invalid(CodedError::new(ErrorCode::DateFormat).with("value", text)))?;
    Ok(i64::from(date.to_julian_day()) - 2_440_588)
}

pub(crate) fn parse_provider(text: &str) -> Result<Provider> {
    let name = text.trim().to_ascii_lowercase();
    name.parse().map_err(|_| {
        let known: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
        invalid(CodedError::unknown_name(ErrorCode::UnknownProvider, &name, &known))
    })
}

pub(crate) fn parse_status(text: &str) -> Result<Status> {
    let wanted = text.trim();
    Status::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(wanted)).ok_or_else(|| {
        let known = Status::ALL.map(Status::as_str).join(", ");
        invalid(CodedError::new(ErrorCode::StatusUnknown).with("value", text).with("expected", known))
    })
}

pub(crate) fn parse_currency(text: &str) -> Result<Currency> {
    Currency::from_code(text).map_err(|e| invalid(e.coded()))
}
