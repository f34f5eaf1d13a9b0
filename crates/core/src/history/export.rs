//! Export: every payment matching a query (its paging ignored), newest first, streamed row by
//! row to CSV or JSON so a million payments never sit in memory.
//!
//! CSV follows RFC 4180: UTF-8, a header row, CRLF line ends, a field quoted when it holds a
//! quote, comma, CR or LF, quotes doubled. Amounts are exact decimals in major units with the
//! currency's own exponent ("245.60", "1500" JPY) beside a currency column — never a float.
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (a guest name
//! such as `=HYPERLINK(…)` could), so such a text cell gets a leading `'`, which spreadsheets
//! show as plain text (OWASP "CSV injection"). The amount column is never guarded: amounts
//! are never negative.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rusqlite::types::{Value, ValueRef};
use rusqlite::{params_from_iter, Connection};
use serde::{Deserialize, Serialize};

use super::search::{row_from_sql, Shape, ROW_COLUMNS};
use super::{
    invalid, ticket_number_display, utc_timestamp, HistoryQuery, MaskedCard, Progress, Result, Throttle,
};
use crate::money::{Currency, Money};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = super::HistoryError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "json" => Ok(ExportFormat::Json),
            _ => Err(invalid(format!("'{s}' is not an export format — use csv or json"))),
        }
    }
}

pub const CSV_HEADER: &[&str] = &[
    "reference",
    "created_at_utc",
    "updated_at_utc",
    "provider",
    "profile",
    "status",
    "amount",
    "currency",
    "customer",
    "paid_for",
    "card",
    "tickets",
    "payment_id",
];

/// Where `amount` sits in `CSV_HEADER`: the one cell that is a number, never guarded.
const AMOUNT_COLUMN: usize = 6;

/// Writes every payment matching `query` to `out`; returns how many. `progress` hears how far
/// it has come at most 20 times a second, and once at the end.
pub fn export(
    conn: &Connection,
    query: &HistoryQuery,
    format: ExportFormat,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(Progress),
) -> Result<u64> {
    let filter = query.check()?;
    let (count_sql, count_params) = filter.select("count(*)", Shape::Count);
    let total: i64 = conn.query_row(&count_sql, params_from_iter(count_params), |r| r.get(0))?;
    let mut throttle = Throttle::new(progress, total as u64);
    throttle.tick(0);

    let (sql, params) = filter.select(ROW_COLUMNS, Shape::All);
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(params))?;
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let mut done = 0u64;
    match format {
        ExportFormat::Csv => {
            let mut line = String::with_capacity(512);
            for (i, name) in CSV_HEADER.iter().enumerate() {
                csv_field(&mut line, name, i > 0);
            }
            line.push_str("\r\n");
            out.write_all(line.as_bytes())?;
            while let Some(row) = rows.next()? {
                line.clear();
                csv_line(&mut line, row)?;
                out.write_all(line.as_bytes())?;
                done += 1;
                if done.is_multiple_of(1024) {
                    throttle.tick(done);
                }
            }
        }
        ExportFormat::Json => {
            out.write_all(b"[")?;
            while let Some(row) = rows.next()? {
                out.write_all(if done == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut out, &row_from_sql(row)?)?;
                done += 1;
                if done.is_multiple_of(1024) {
                    throttle.tick(done);
                }
            }
            out.write_all(b"\n]\n")?;
        }
    }
    out.flush()?;
    throttle.finish(done);
    Ok(done)
}

/// One CSV line of `ROW_COLUMNS`, read straight from SQLite's buffers.
fn csv_line(line: &mut String, r: &rusqlite::Row<'_>) -> Result<()> {
    let text = |i: usize| -> rusqlite::Result<&str> {
        match r.get_ref(i)? {
            ValueRef::Null => Ok(""),
            v => Ok(v.as_str()?),
        }
    };
    let currency: Currency =
        text(5)?.parse().map_err(|e: crate::money::MoneyError| invalid(e.to_string()))?;
    let amount = Money::from_minor(r.get(4)?, currency);
    let card =
        MaskedCard::from_stored(Some(text(8)?), Some(text(9)?)).map(|c| c.masked()).unwrap_or_default();
    let tickets =
        text(10)?.split(' ').filter(|t| !t.is_empty()).map(ticket_number_display).collect::<Vec<_>>();
    let cells: [&str; 13] = [
        text(1)?,
        &utc_timestamp(r.get(11)?),
        &utc_timestamp(r.get(12)?),
        text(2)?,
        text(13)?,
        text(3)?,
        &amount.to_major_string(),
        currency.code(),
        text(6)?,
        text(7)?,
        &card,
        &tickets.join(" "),
        text(0)?,
    ];
    for (i, cell) in cells.iter().enumerate() {
        if i == AMOUNT_COLUMN {
            line.push(',');
            line.push_str(cell);
        } else {
            csv_field(line, cell, i > 0);
        }
    }
    line.push_str("\r\n");
    Ok(())
}

/// Appends one text field: formula-guarded, quoted when RFC 4180 needs it.
pub fn csv_field(line: &mut String, value: &str, comma: bool) {
    if comma {
        line.push(',');
    }
    let guard = value.starts_with(['=', '+', '-', '@']);
    if !value.contains(['"', ',', '\r', '\n']) {
        if guard {
            line.push('\'');
        }
        line.push_str(value);
        return;
    }
    line.push('"');
    if guard {
        line.push('\'');
    }
    line.push_str(&value.replace('"', "\"\""));
    line.push('"');
}

/// Exports into `path`: written beside it under a temporary name, synced, then renamed, so a
/// half-written export never appears under the real name.
pub fn export_to_file(
    conn: &Connection,
    query: &HistoryQuery,
    format: ExportFormat,
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<u64> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".part");
    let partial = PathBuf::from(partial);
    let written = (|| {
        let mut file = File::create(&partial)?;
        let rows = export(conn, query, format, &mut file, progress)?;
        file.sync_all()?;
        std::fs::rename(&partial, path)?;
        Ok(rows)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// "farepoint-payments-20261120-140307.csv" for the given time (UTC).
pub fn export_file_name(format: ExportFormat, now_ms: i64) -> String {
    let stamp: String = utc_timestamp(now_ms)[..19].chars().filter(char::is_ascii_digit).collect();
    format!("farepoint-payments-{}-{}.{}", &stamp[..8], &stamp[8..], format.extension())
}

/// Exports into a new file in `dir` (created if needed) named by `export_file_name`; never
/// overwrites an earlier export. Returns its path and row count.
pub fn export_into_dir(
    conn: &Connection,
    query: &HistoryQuery,
    format: ExportFormat,
    dir: &Path,
    now_ms: i64,
    progress: &mut dyn FnMut(Progress),
) -> Result<(PathBuf, u64)> {
    std::fs::create_dir_all(dir)?;
    let name = export_file_name(format, now_ms);
    let mut path = dir.join(&name);
    let mut n = 2;
    while path.exists() {
        path = dir
            .join(name.replace(&format!(".{}", format.extension()), &format!("-{n}.{}", format.extension())));
        n += 1;
    }
    let rows = export_to_file(conn, query, format, &path, progress)?;
    Ok((path, rows))
}

/// The SQL an export runs (every match, no paging), for benchmarks.
#[doc(hidden)]
pub fn export_sql(query: &HistoryQuery) -> Result<(String, Vec<Value>)> {
    Ok(query.check()?.select(ROW_COLUMNS, Shape::All))
}
