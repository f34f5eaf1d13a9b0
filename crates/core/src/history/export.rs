//! Export: every payment matching a query (its paging ignored), newest first, streamed row by
//! row to CSV or JSON so a million payments never sit in memory.
//!
//! CSV is written by two threads, the caller's reading SQLite and a helper formatting batches
//! of 512 rows, and an export of every payment reads the tickets in one pass beside the
//! payments instead of a lookup each (`TicketStream`); both give exactly the text a single
//! thread and `ROW_COLUMNS` would (measured on a million payments: 232k rows/s before, about
//! 360k–650k after depending on the second core being free).
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

use super::search::{row_from_sql, Shape, ROW_COLUMNS, ROW_COLUMNS_NO_TICKETS};
use super::{day_text, invalid, utc_timestamp, HistoryQuery, Progress, Result, Throttle};
use crate::card::CardBrand;
use crate::codes::{CodedError, ErrorCode};
use crate::money::{Currency, Money};
use crate::payment::Provider;
use crate::providers::atrip::subject::keys;
use crate::store::StoreError;

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
            _ => Err(invalid(CodedError::new(ErrorCode::ExportFormat).with("value", s))),
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
    "service_fee",
    "airline_price",
    "card_charged",
    "agent_id",
    "agent_name",
];

/// The amounts a provider stated beside the total, each in its own currency, as
/// "<minor units> <currency>" or NULL: ATRIP's service fee, the airline's price (what a VCC is
/// made out for, possibly in another currency) and, once paid, what the card was charged in all.
/// Exported as `service_fee`, `airline_price` and `card_charged`, never folded into `amount`,
/// which is what the payment was for.
/// The stored subject is read by its keys here, named where ATRIP's subject is defined.
fn stated_columns() -> String {
    let atrip = Provider::Atrip.as_str();
    [
        (keys::TRANSACTION_FEE, "service_fee"),
        (keys::AIRLINE_AMOUNT, "airline_price"),
        (keys::CARD_CHARGED, "card_charged"),
    ]
    .map(|(key, column)| {
        format!(
            "CASE WHEN p.provider = '{atrip}' THEN json_extract(p.subject, '$.{key}.minor') || ' ' || \
                 json_extract(p.subject, '$.{key}.currency') END AS {column}"
        )
    })
    .join(", ")
}

/// Where the agent who took it sits in `ROW_COLUMNS`: their id and name as then.
const AGENT_ID_COLUMN: usize = 15;
const AGENT_NAME_COLUMN: usize = 16;
/// Where `service_fee`, `airline_price` and `card_charged` sit after `ROW_COLUMNS`.
const SERVICE_FEE_COLUMN: usize = 17;
const AIRLINE_PRICE_COLUMN: usize = 18;
const CARD_CHARGED_COLUMN: usize = 19;

fn export_columns(row_columns: &str) -> String {
    format!("{row_columns}, {}", stated_columns())
}

/// A row of the JSON export: the search row and the stated amounts.
#[derive(Serialize)]
struct JsonRow {
    #[serde(flatten)]
    row: super::search::Row,
    service_fee: Option<Money>,
    airline_price: Option<Money>,
    card_charged: Option<Money>,
}

/// "<minor> <currency>" as `STATED_COLUMNS` gives it.
fn stated(text: Option<&str>) -> Result<Option<Money>> {
    let Some(text) = text.filter(|t| !t.is_empty()) else { return Ok(None) };
    let corrupt = || StoreError::Corrupt(format!("a stated amount reads '{text}'"));
    let (minor, code) = text.split_once(' ').ok_or_else(corrupt)?;
    let minor: i64 = minor.parse().map_err(|_| corrupt())?;
    let currency: Currency = code.parse().map_err(|_| corrupt())?;
    Ok(Some(Money::from_minor(minor, currency)))
}

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

    // A CSV of every payment reads the tickets in one pass beside the payments (`TicketStream`)
    // rather than looking them up payment by payment: the same text, in a third of the time.
    let streamed = format == ExportFormat::Csv && filter.is_everything();
    let columns = export_columns(if streamed { ROW_COLUMNS_NO_TICKETS } else { ROW_COLUMNS });
    let (sql, params) = filter.select(&columns, Shape::All);
    let mut tickets_stmt = if streamed { Some(conn.prepare(TICKETS_NEWEST_SQL)?) } else { None };
    let mut tickets = match &mut tickets_stmt {
        Some(stmt) => Some(TicketStream::new(stmt.query([])?)),
        None => None,
    };
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
            done = csv_rows(&mut rows, tickets.as_mut(), &mut out, &mut throttle)?;
        }
        ExportFormat::Json => {
            out.write_all(b"[")?;
            while let Some(row) = rows.next()? {
                out.write_all(if done == 0 { b"\n" } else { b",\n" })?;
                let json = JsonRow {
                    row: row_from_sql(row)?,
                    service_fee: stated(row.get_ref(SERVICE_FEE_COLUMN)?.as_str_or_null()?)?,
                    airline_price: stated(row.get_ref(AIRLINE_PRICE_COLUMN)?.as_str_or_null()?)?,
                    card_charged: stated(row.get_ref(CARD_CHARGED_COLUMN)?.as_str_or_null()?)?,
                };
                serde_json::to_writer(&mut out, &json)?;
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

/// Writes CSV lines of `ROW_COLUMNS`, read straight from SQLite's buffers into one reused line.
///
/// The cells are exactly what `Money::to_major_string`, `utc_timestamp`, `MaskedCard::masked`
/// and `ticket_number_display` give (`tests/history.rs` pins them), written without a heap
/// allocation per row: the few currencies, card brands and days an export meets are looked up
/// once each and remembered.
struct CsvWriter {
    /// Currency codes met so far, with the currency they parse to.
    currencies: Vec<([u8; 3], Currency)>,
    /// Each brand's stored text (its serde name) and display name.
    brands: Vec<(String, &'static str)>,
    /// The last days written, as `day_text` gives them (created and updated are often the same).
    days: [(i64, String); 2],
    scratch: String,
}

impl CsvWriter {
    fn new() -> Self {
        let brands = CardBrand::ALL
            .into_iter()
            .filter_map(|b| match serde_json::to_value(b) {
                Ok(serde_json::Value::String(stored)) => Some((stored, b.display_name())),
                _ => None,
            })
            .collect();
        CsvWriter {
            currencies: Vec::new(),
            brands,
            days: [(i64::MIN, String::new()), (i64::MIN, String::new())],
            scratch: String::with_capacity(128),
        }
    }

    fn currency(&mut self, code: &str) -> Result<Currency> {
        if let Ok(key) = <[u8; 3]>::try_from(code.as_bytes()) {
            if let Some((_, c)) = self.currencies.iter().find(|(k, _)| *k == key) {
                return Ok(*c);
            }
        }
        let currency: Currency = code
            .parse()
            .map_err(|e: crate::money::MoneyError| StoreError::Corrupt(format!("stored currency: {e}")))?;
        if let Ok(key) = <[u8; 3]>::try_from(code.as_bytes()) {
            self.currencies.push((key, currency));
        }
        Ok(currency)
    }

    /// `utc_timestamp(ms)` appended to `out`.
    fn timestamp(&mut self, out: &mut String, ms: i64) {
        let (date, rest) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
        let slot = match self.days.iter().position(|(d, _)| *d == date) {
            Some(i) => i,
            None => {
                // Keep the most recent day in slot 0.
                self.days.swap(0, 1);
                self.days[0] = (date, day_text(date));
                0
            }
        };
        out.push_str(&self.days[slot].1);
        let (h, m, s, milli) = (rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60, rest % 1000);
        out.push('T');
        push_padded(out, h as u64, 2);
        out.push(':');
        push_padded(out, m as u64, 2);
        out.push(':');
        push_padded(out, s as u64, 2);
        out.push('.');
        push_padded(out, milli as u64, 3);
        out.push('Z');
    }

    /// One CSV line of a row of `ROW_COLUMNS` appended to `line`.
    fn line(&mut self, line: &mut String, r: &Batch, row: usize) -> Result<()> {
        let text = |i: usize| -> Result<&str> { Ok(r.text(row, i)) };
        let currency = self.currency(text(5)?)?;
        let minor = r.int(row, 4);
        let (created, updated) = (r.int(row, 11), r.int(row, 12));

        csv_field(line, text(1)?, false);
        let mut scratch = std::mem::take(&mut self.scratch);
        for at in [created, updated] {
            scratch.clear();
            self.timestamp(&mut scratch, at);
            csv_field(line, &scratch, true);
        }
        csv_field(line, text(2)?, true);
        csv_field(line, text(13)?, true);
        csv_field(line, text(3)?, true);
        // `amount`, the one cell that is a number: never guarded (amounts are never negative).
        line.push(',');
        push_major(line, minor, currency.exponent());
        csv_field(line, currency.code(), true);
        csv_field(line, text(6)?, true);
        csv_field(line, text(7)?, true);

        // `MaskedCard::from_stored(..).masked()`: a known brand, then its last 4 (or nothing).
        scratch.clear();
        let (brand, last4) = (text(8)?, text(9)?);
        if let Some((_, name)) = self.brands.iter().find(|(stored, _)| stored == brand) {
            scratch.push_str(name);
            scratch.push_str(" •••• ");
            scratch.push_str(last4);
        }
        csv_field(line, &scratch, true);

        // The numbers as printed, space-separated.
        scratch.clear();
        for number in text(10)?.split(' ').filter(|t| !t.is_empty()) {
            if !scratch.is_empty() {
                scratch.push(' ');
            }
            crate::payment::push_ticket_number(&mut scratch, number);
        }
        csv_field(line, &scratch, true);
        csv_field(line, text(0)?, true);
        for column in [SERVICE_FEE_COLUMN, AIRLINE_PRICE_COLUMN, CARD_CHARGED_COLUMN] {
            scratch.clear();
            if let Some(money) = stated(Some(text(column)?))? {
                push_major(&mut scratch, money.minor, money.currency.exponent());
                scratch.push(' ');
                scratch.push_str(money.currency.code());
            }
            csv_field(line, &scratch, true);
        }
        csv_field(line, text(AGENT_ID_COLUMN)?, true);
        csv_field(line, text(AGENT_NAME_COLUMN)?, true);
        self.scratch = scratch;
        line.push_str("\r\n");
        Ok(())
    }
}

/// Rows handed from the reading thread to the formatting one at a time.
const BATCH_ROWS: usize = 512;
/// The columns of `ROW_COLUMNS` a CSV line reads as text (NULL as "") and as integers.
const TEXT_COLUMNS: [usize; 16] = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 13, 15, 16, 17, 18, 19];
const INT_COLUMNS: [usize; 3] = [4, 11, 12];

/// Where `tickets` and `pid` sit in `ROW_COLUMNS`.
const TICKETS_COLUMN: usize = 10;
const PID_COLUMN: usize = 14;

/// Every ticket number, newest payment first (`pid` descending: payments are numbered as they
/// are made), each payment's numbers backwards: the table read from its end, with no sort.
const TICKETS_NEWEST_SQL: &str = "SELECT pid, number FROM tickets ORDER BY pid DESC, number DESC";

/// The tickets of an export of every payment, read in one pass beside the payments.
///
/// Gives each payment the text `(SELECT group_concat(t.number, ' ') FROM tickets t WHERE
/// t.pid = p.pid)` gives — the numbers in key order, space-separated — without a lookup per
/// payment. Payments come newest first and tickets by descending `pid`, which agree while
/// creation times rise with `pid`; where they do not (a clock set back), a payment's tickets
/// met early wait in `pending` until that payment comes, so any order gives the same text.
struct TicketStream<'s> {
    rows: rusqlite::Rows<'s>,
    /// The next ticket not yet used: (pid, number); `None` once all are read.
    head: Option<(i64, String)>,
    started: bool,
    /// Tickets read ahead for payments not exported yet, by pid.
    pending: std::collections::HashMap<i64, String>,
    numbers: Vec<String>,
}

impl<'s> TicketStream<'s> {
    fn new(rows: rusqlite::Rows<'s>) -> Self {
        TicketStream { rows, head: None, started: false, pending: Default::default(), numbers: Vec::new() }
    }

    fn advance(&mut self) -> Result<()> {
        self.started = true;
        match self.rows.next()? {
            Some(r) => {
                let (pid, number) = (r.get(0)?, r.get_ref(1)?.as_str()?);
                let head = self.head.get_or_insert_with(Default::default);
                head.0 = pid;
                head.1.clear();
                head.1.push_str(number);
            }
            None => self.head = None,
        }
        Ok(())
    }

    /// Reads the head payment's tickets; appends them, in index order, to `out`.
    fn take_group(&mut self, out: &mut String) -> Result<()> {
        self.numbers.clear();
        let Some((pid, number)) = self.head.take() else { return Ok(()) };
        self.numbers.push(number);
        loop {
            self.advance()?;
            match &self.head {
                Some((next, n)) if *next == pid => self.numbers.push(n.clone()),
                _ => break,
            }
        }
        for (i, n) in self.numbers.iter().rev().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(n);
        }
        Ok(())
    }

    /// Appends payment `pid`'s ticket numbers, space-separated in key order, to `out`.
    fn numbers_for(&mut self, pid: i64, out: &mut String) -> Result<()> {
        if !self.started {
            self.advance()?;
        }
        if let Some(text) = self.pending.remove(&pid) {
            out.push_str(&text);
            return Ok(());
        }
        loop {
            let order = match &self.head {
                None => return Ok(()),
                Some((next, _)) => next.cmp(&pid),
            };
            match order {
                // Read past `id`: it has no tickets (any it had were read, and kept, before).
                std::cmp::Ordering::Less => return Ok(()),
                std::cmp::Ordering::Equal => return self.take_group(out),
                std::cmp::Ordering::Greater => {
                    let key = self.head.as_ref().map_or(0, |(k, _)| *k);
                    let mut text = String::new();
                    self.take_group(&mut text)?;
                    self.pending.insert(key, text);
                }
            }
        }
    }
}

/// Rows of `ROW_COLUMNS` copied out of SQLite, so another thread can format them.
#[derive(Default)]
struct Batch {
    text: String,
    /// Where each text cell ends in `text`, `TEXT_COLUMNS.len()` per row.
    ends: Vec<usize>,
    ints: Vec<i64>,
}

impl Batch {
    fn rows(&self) -> usize {
        self.ints.len() / INT_COLUMNS.len()
    }

    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.ints.clear();
    }

    /// Copies one row, its tickets from `tickets` when given; a row that cannot be read leaves
    /// the batch as it was.
    fn push(&mut self, r: &rusqlite::Row<'_>, mut tickets: Option<&mut TicketStream<'_>>) -> Result<()> {
        let (text_len, ends_len, ints_len) = (self.text.len(), self.ends.len(), self.ints.len());
        let copied = (|| -> Result<()> {
            for i in TEXT_COLUMNS {
                match (i, tickets.as_deref_mut()) {
                    (TICKETS_COLUMN, Some(stream)) => {
                        stream.numbers_for(r.get(PID_COLUMN)?, &mut self.text)?
                    }
                    _ => match r.get_ref(i)? {
                        ValueRef::Null => {}
                        v => self.text.push_str(v.as_str()?),
                    },
                }
                self.ends.push(self.text.len());
            }
            for i in INT_COLUMNS {
                self.ints.push(r.get(i)?);
            }
            Ok(())
        })();
        if copied.is_err() {
            self.text.truncate(text_len);
            self.ends.truncate(ends_len);
            self.ints.truncate(ints_len);
        }
        copied
    }

    /// Text column `column` of `ROW_COLUMNS` of row `row`.
    fn text(&self, row: usize, column: usize) -> &str {
        let k = TEXT_COLUMNS.iter().position(|c| *c == column).unwrap_or(0);
        let at = row * TEXT_COLUMNS.len() + k;
        let start = if at == 0 { 0 } else { self.ends[at - 1] };
        &self.text[start..self.ends[at]]
    }

    /// Integer column `column` of `ROW_COLUMNS` of row `row`.
    fn int(&self, row: usize, column: usize) -> i64 {
        let k = INT_COLUMNS.iter().position(|c| *c == column).unwrap_or(0);
        self.ints[row * INT_COLUMNS.len() + k]
    }
}

/// The CSV lines of every row left in `rows`; returns how many were written.
///
/// Two threads share the work, as SQLite's part and the formatting take about as long as each
/// other: this one steps the statement (the connection stays on its thread), copies each row
/// into a batch and writes finished text to `out` in order; a scoped helper formats batches.
/// A row that cannot be read or formatted ends the export with its error after every line
/// before it was written, as a single thread would.
fn csv_rows(
    rows: &mut rusqlite::Rows<'_>,
    mut tickets: Option<&mut TicketStream<'_>>,
    out: &mut dyn Write,
    throttle: &mut Throttle<'_>,
) -> Result<u64> {
    type Formatted = (Batch, String, Result<()>);
    std::thread::scope(|scope| {
        let (to_format, batches) = std::sync::mpsc::sync_channel::<Batch>(2);
        let (to_write, formatted) = std::sync::mpsc::channel::<Formatted>();
        let (recycle, spare_text) = std::sync::mpsc::channel::<String>();
        scope.spawn(move || {
            let mut writer = CsvWriter::new();
            for batch in batches {
                let mut text = spare_text.try_recv().unwrap_or_default();
                text.clear();
                let result = (0..batch.rows()).try_for_each(|row| {
                    let before = text.len();
                    // A line that fails is not written, not even in part.
                    writer.line(&mut text, &batch, row).inspect_err(|_| text.truncate(before))
                });
                let failed = result.is_err();
                if to_write.send((batch, text, result)).is_err() || failed {
                    return;
                }
            }
        });

        let mut done = 0u64;
        let mut spare: Vec<Batch> = Vec::new();
        // Writes one formatted batch; `Err` once a line could not be formatted.
        let mut write = |(mut batch, text, result): Formatted, spare: &mut Vec<Batch>| -> Result<()> {
            out.write_all(text.as_bytes())?;
            let _ = recycle.send(text);
            result?;
            done += batch.rows() as u64;
            throttle.tick(done);
            batch.clear();
            spare.push(batch);
            Ok(())
        };
        let mut batch = Batch::default();
        let read: Result<()> = loop {
            let row = match rows.next() {
                Ok(Some(row)) => row,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e.into()),
            };
            if let Err(e) = batch.push(row, tickets.as_deref_mut()) {
                break Err(e);
            }
            if batch.rows() == BATCH_ROWS {
                let next = spare.pop().unwrap_or_default();
                if to_format.send(std::mem::replace(&mut batch, next)).is_err() {
                    break Ok(()); // the helper stopped on a formatting error, reported below
                }
                while let Ok(f) = formatted.try_recv() {
                    write(f, &mut spare)?;
                }
            }
        };
        // The rows read before the end (or before a row that could not be read) go out too.
        if batch.rows() > 0 {
            let _ = to_format.send(batch);
        }
        drop(to_format);
        for f in formatted {
            write(f, &mut spare)?;
        }
        read?;
        Ok(done)
    })
}

/// `n` in decimal, left-padded with zeros to `width` digits.
fn push_padded(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = i.min(digits.len() - width.min(digits.len()));
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[start..]).unwrap_or_default());
}

/// `Money::to_major_string` appended to `out`: "245.60", "1500" (JPY), "-0.05".
fn push_major(out: &mut String, minor: i64, exponent: u32) {
    if minor < 0 {
        out.push('-');
    }
    let abs = minor.unsigned_abs();
    if exponent == 0 {
        push_padded(out, abs, 1);
        return;
    }
    let unit = 10_u64.pow(exponent);
    push_padded(out, abs / unit, 1);
    out.push('.');
    push_padded(out, abs % unit, exponent as usize);
}

/// Appends one text field: formula-guarded, quoted when RFC 4180 needs it.
pub fn csv_field(line: &mut String, value: &str, comma: bool) {
    if comma {
        line.push(',');
    }
    // Bytes, not chars: every character looked for is ASCII, which never occurs inside a
    // multi-byte UTF-8 sequence.
    let guard = matches!(value.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@'));
    if !value.bytes().any(|b| matches!(b, b'"' | b',' | b'\r' | b'\n')) {
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
    Ok(query.check()?.select(&export_columns(ROW_COLUMNS), Shape::All))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_cells_are_the_plain_functions_cells() {
        let mut writer = CsvWriter::new();
        let mut out = String::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let edges = [0, 1, -1, 999, 86_399_999, 86_400_000, -86_400_001, 1_795_132_799_999, i64::MAX / 4];
        let samples = edges.into_iter().chain((0..20_000).map(|_| (next() as i64) % 4_000_000_000_000));
        for ms in samples {
            out.clear();
            writer.timestamp(&mut out, ms);
            assert_eq!(out, utc_timestamp(ms), "{ms}");
        }
        for code in ["JPY", "EUR", "KWD", "GBP"] {
            let currency: Currency = code.parse().unwrap();
            let amounts = [0, 1, 5, 10, 99, 100, 101, 1000, 123_456, -5, -123_456, i64::MAX, i64::MIN];
            let samples = amounts.into_iter().chain((0..5_000).map(|_| (next() % 10_000_000_000) as i64));
            for minor in samples {
                out.clear();
                push_major(&mut out, minor, currency.exponent());
                assert_eq!(out, Money::from_minor(minor, currency).to_major_string(), "{minor} {code}");
            }
        }
        for brand in CardBrand::ALL {
            let stored = serde_json::to_value(brand).unwrap();
            assert!(writer
                .brands
                .iter()
                .any(|(s, name)| s == stored.as_str().unwrap() && *name == brand.display_name()));
        }
    }
}
