//! Search: full text over the FTS5 index (see `store/002_history.sql`) combined with filters,
//! newest first, paged by a keyset cursor so a page never repeats or skips a payment even while
//! new ones arrive. Lists go by creation time; a search by words goes by `pid`, the order
//! payments were recorded in — the same order unless the computer's clock was set back.

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};
use serde::{Deserialize, Serialize};

use super::{
    invalid, parse_currency, parse_provider, parse_status, ticket_number_display, HistoryError, MaskedCard,
    Result,
};
use crate::agents::Actor;
use crate::codes::{CodedError, ErrorCode};
use crate::money::{Currency, Money};
use crate::payment::{Provider, RefundStatus, Status};

/// What the Payments view (and an export) asks for. Every field is optional; absent means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Words to find in references, names, order numbers, locators, ticket numbers, voucher ids.
    pub text: Option<String>,
    pub providers: Option<Vec<String>>,
    pub statuses: Option<Vec<String>>,
    /// Payments with a refund in one of these states ("Unclear": waiting for a person).
    #[serde(default)]
    pub refunds: Option<Vec<String>>,
    /// Payments taken by one of these agents, by id (`Catalog::filter_agents` lists them).
    #[serde(default)]
    pub agents: Option<Vec<String>>,
    pub currency: Option<String>,
    /// Bounds as the desk types them ("12.50", "1 234,50"), in `currency` (which they need: ¥2,000
    /// is not £20.00). The core reads them exactly, as every typed amount (`Money::parse_typed`).
    pub amount_min: Option<String>,
    pub amount_max: Option<String>,
    /// Created at or after this time (ms since the epoch, UTC).
    pub from_ms: Option<i64>,
    /// Created before this time (exclusive).
    pub to_ms: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Rows per page: 50 unless set, at most 500.
    pub limit: Option<u32>,
}

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// One payment in a list or export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    pub reference: String,
    pub provider: Provider,
    pub status: Status,
    pub amount: Money,
    pub customer: String,
    pub subject_key: String,
    pub card: Option<MaskedCard>,
    /// Ticket and EMD numbers as printed ("176-2345678901").
    pub tickets: Vec<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// Who took it, as named then (none on a desk without agents).
    pub agent: Option<Actor>,
    /// The payment's key in this database: orders payments made in the same millisecond. Not
    /// shown or exported; a page's cursor carries it.
    #[serde(skip)]
    pub pid: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub rows: Vec<Row>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Page,
    All,
    Count,
}

/// A checked query, ready to become SQL.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    fts: Option<String>,
    providers: Vec<Provider>,
    statuses: Vec<Status>,
    refunds: Vec<RefundStatus>,
    agents: Vec<String>,
    currency: Option<Currency>,
    amount_min: Option<i64>,
    amount_max: Option<i64>,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    after: Option<(i64, i64)>,
    pub(crate) limit: u32,
}

impl HistoryQuery {
    pub(crate) fn check(&self) -> Result<Filter> {
        let list = |v: &Option<Vec<String>>| v.clone().unwrap_or_default();
        let providers = list(&self.providers).iter().map(|p| parse_provider(p)).collect::<Result<_>>()?;
        let statuses = list(&self.statuses).iter().map(|s| parse_status(s)).collect::<Result<_>>()?;
        let refunds = list(&self.refunds)
            .iter()
            .map(|s| {
                s.parse::<RefundStatus>()
                    .map_err(|_| invalid(CodedError::new(ErrorCode::RefundStateUnknown).with("value", s)))
            })
            .collect::<Result<_>>()?;
        let currency =
            self.currency.as_deref().filter(|c| !c.trim().is_empty()).map(parse_currency).transpose()?;
        // Amounts only compare within one currency (¥2,000 is not £20.00).
        let bound = |field: &'static str, text: &Option<String>| -> Result<Option<Money>> {
            let Some(text) = text.as_deref().filter(|t| !t.trim().is_empty()) else { return Ok(None) };
            let Some(currency) = currency else {
                return Err(HistoryError::Field {
                    field,
                    problem: CodedError::new(ErrorCode::AmountNeedsCurrency),
                });
            };
            Money::parse_typed(text, currency)
                .map(Some)
                .map_err(|e| HistoryError::Field { field, problem: e.coded() })
        };
        let (min, max) = (bound("amount_min", &self.amount_min)?, bound("amount_max", &self.amount_max)?);
        if let (Some(min), Some(max)) = (min, max) {
            if min.minor > max.minor {
                let problem = CodedError::new(ErrorCode::AmountsSwapped).with("min", min).with("max", max);
                return Err(HistoryError::Field { field: "amount_max", problem });
            }
        }
        if let (Some(from), Some(to)) = (self.from_ms, self.to_ms) {
            if from > to {
                return Err(invalid(CodedError::new(ErrorCode::RangeReversed)));
            }
        }
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(n @ 1..=MAX_LIMIT) => n,
            Some(n) => {
                return Err(invalid(
                    CodedError::new(ErrorCode::PageSize).with("max", MAX_LIMIT).with("got", n),
                ))
            }
        };
        let fts = self.text.as_deref().and_then(fts_expression);
        let after = self.after.as_deref().map(|c| parse_cursor(c, fts.is_some())).transpose()?;
        let agents =
            list(&self.agents).into_iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
        Ok(Filter {
            fts,
            providers,
            statuses,
            refunds,
            agents,
            currency,
            amount_min: min.map(|m| m.minor),
            amount_max: max.map(|m| m.minor),
            from_ms: self.from_ms,
            to_ms: self.to_ms,
            after,
            limit,
        })
    }
}

/// The cursor is the last row's sort key: "<created_at_ms>:<pid>", or "w:<pid>" for a search by
/// words (which goes by `pid` alone).
fn cursor(row: &Row, words: bool) -> String {
    if words {
        format!("w:{}", row.pid)
    } else {
        format!("{}:{}", row.created_at_ms, row.pid)
    }
}

/// The (created_at_ms, pid) to continue after; a cursor of the other kind of list is refused,
/// as its page would skip or repeat payments.
fn parse_cursor(text: &str, words: bool) -> Result<(i64, i64)> {
    let parsed = match text.split_once(':') {
        Some(("w", pid)) if words => pid.parse().ok().map(|pid| (0, pid)),
        Some((at, pid)) if !words && at != "w" => at.parse().ok().zip(pid.parse().ok()),
        _ => None,
    };
    parsed.ok_or_else(|| invalid(CodedError::new(ErrorCode::CursorUnknown)))
}

/// Turns what the agent typed into a safe FTS5 expression: every word becomes a quoted string
/// (so `AND`, `NEAR`, `*`, `"` and `:` are plain text), all words must match, and the last one
/// matches as a prefix for search-as-you-type. A ticket number typed with its dash
/// ("176-2345678901") is searched as stored, digits only. Words with no letter or digit are
/// dropped; `None` when nothing searchable is left (no text filter).
pub fn fts_expression(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| {
            let ticket = w.bytes().all(|b| b.is_ascii_digit() || b == b'-') && w.contains('-');
            if ticket {
                w.replace('-', "")
            } else {
                w.to_string()
            }
        })
        .collect();
    let last = words.len().checked_sub(1)?;
    let quoted = words.iter().enumerate().map(|(i, w)| {
        let star = if i == last { "*" } else { "" };
        format!("\"{}\"{star}", w.replace('"', "\"\""))
    });
    Some(quoted.collect::<Vec<_>>().join(" "))
}

/// The list columns; `tickets` is the numbers as stored, space-separated.
pub(crate) const ROW_COLUMNS: &str = "p.id, p.reference, p.provider, p.status, p.amount_minor, p.currency, \
     p.customer, p.subject_key, p.card_brand, p.card_last4, \
     (SELECT group_concat(t.number, ' ') FROM tickets t WHERE t.pid = p.pid) AS tickets, \
     p.created_at_ms, p.updated_at_ms, p.profile, p.pid, p.agent_id, p.agent_name";

/// `ROW_COLUMNS` with `tickets` left NULL, for a reader that fetches the tickets itself.
pub(crate) const ROW_COLUMNS_NO_TICKETS: &str = "p.id, p.reference, p.provider, p.status, p.amount_minor, \
     p.currency, p.customer, p.subject_key, p.card_brand, p.card_last4, NULL AS tickets, \
     p.created_at_ms, p.updated_at_ms, p.profile, p.pid, p.agent_id, p.agent_name";

impl Filter {
    /// True when the query selects every payment (no text, no filter).
    pub(crate) fn is_everything(&self) -> bool {
        let Filter {
            fts,
            providers,
            statuses,
            refunds,
            agents,
            currency,
            amount_min,
            amount_max,
            from_ms,
            to_ms,
            after: _,
            limit: _,
        } = self;
        fts.is_none()
            && providers.is_empty()
            && statuses.is_empty()
            && refunds.is_empty()
            && agents.is_empty()
            && currency.is_none()
            && amount_min.is_none()
            && amount_max.is_none()
            && from_ms.is_none()
            && to_ms.is_none()
    }

    /// `SELECT <columns> FROM payments p WHERE …`, newest first, with its parameters. A page
    /// starts after the cursor and stops at the limit; `All` is every match (exports), `Count`
    /// only counts them.
    pub(crate) fn select(&self, columns: &str, shape: Shape) -> (String, Vec<Value>) {
        let paged = shape == Shape::Page;
        let mut params: Vec<Value> = Vec::new();
        let mut bind = |v: Value| {
            params.push(v);
            format!("?{}", params.len())
        };
        let mut clauses: Vec<String> = Vec::new();
        // Words are looked up in the search index, which hands back its matches most recent
        // first (by `pid`) so a page stops after its last row: a common name can match
        // thousands of payments, and sorting them all by time first would read every one.
        let from = match &self.fts {
            Some(fts) => {
                clauses.push(format!("payments_fts MATCH {}", bind(Value::Text(fts.clone()))));
                "payments_fts f JOIN payments p ON p.pid = f.rowid"
            }
            None => "payments p",
        };
        let mut one_of = |column: &str, values: Vec<&'static str>, clauses: &mut Vec<String>| {
            if !values.is_empty() {
                let list: Vec<String> = values.into_iter().map(|v| bind(Value::Text(v.into()))).collect();
                clauses.push(format!("{column} IN ({})", list.join(", ")));
            }
        };
        one_of("p.provider", self.providers.iter().map(|p| p.as_str()).collect(), &mut clauses);
        one_of("p.status", self.statuses.iter().map(|s| s.as_str()).collect(), &mut clauses);
        if !self.refunds.is_empty() {
            let mut inner = Vec::new();
            one_of("r.status", self.refunds.iter().map(|s| s.as_str()).collect(), &mut inner);
            clauses
                .push(format!("EXISTS (SELECT 1 FROM refunds r WHERE r.pid = p.pid AND {})", inner.join("")));
        }
        if !self.agents.is_empty() {
            let list: Vec<String> = self.agents.iter().map(|a| bind(Value::Text(a.clone()))).collect();
            clauses.push(format!("p.agent_id IN ({})", list.join(", ")));
        }
        if let Some(c) = self.currency {
            clauses.push(format!("p.currency = {}", bind(Value::Text(c.code().into()))));
        }
        if let Some(v) = self.amount_min {
            clauses.push(format!("p.amount_minor >= {}", bind(Value::Integer(v))));
        }
        if let Some(v) = self.amount_max {
            clauses.push(format!("p.amount_minor <= {}", bind(Value::Integer(v))));
        }
        if let Some(v) = self.from_ms {
            clauses.push(format!("p.created_at_ms >= {}", bind(Value::Integer(v))));
        }
        if let Some(v) = self.to_ms {
            clauses.push(format!("p.created_at_ms < {}", bind(Value::Integer(v))));
        }
        match (paged, self.after, self.fts.is_some()) {
            (true, Some((_, pid)), true) => clauses.push(format!("f.rowid < {}", bind(Value::Integer(pid)))),
            (true, Some((at, pid)), false) => {
                let (at, pid) = (bind(Value::Integer(at)), bind(Value::Integer(pid)));
                clauses.push(format!("(p.created_at_ms, p.pid) < ({at}, {pid})"));
            }
            _ => {}
        }
        let filter =
            if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
        let order = if self.fts.is_some() { "f.rowid DESC" } else { "p.created_at_ms DESC, p.pid DESC" };
        let tail = match shape {
            Shape::Page => format!(" ORDER BY {order} LIMIT {}", self.limit),
            Shape::All => format!(" ORDER BY {order}"),
            Shape::Count => String::new(),
        };
        (format!("SELECT {columns} FROM {from}{filter}{tail}"), params)
    }
}

/// The SQL `search` runs for `query`, for benchmarks that run the same statement elsewhere.
#[doc(hidden)]
pub fn search_sql(query: &HistoryQuery) -> Result<(String, Vec<Value>)> {
    Ok(query.check()?.select(ROW_COLUMNS, Shape::Page))
}

/// One page of payments matching `query`, newest first.
pub fn search(conn: &Connection, query: &HistoryQuery) -> Result<Page> {
    let filter = query.check()?;
    let (sql, params) = filter.select(ROW_COLUMNS, Shape::Page);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows =
        stmt.query_map(params_from_iter(params), row_from_sql)?.collect::<rusqlite::Result<Vec<_>>>()?;
    let words = filter.fts.is_some();
    let next = (rows.len() == filter.limit as usize).then(|| rows.last().map(|r| cursor(r, words))).flatten();
    Ok(Page { rows, next })
}

/// Reads one row of `ROW_COLUMNS`.
pub(crate) fn row_from_sql(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let corrupt = |i: usize, e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    };
    let currency: Currency =
        text(5)?.parse().map_err(|e: crate::money::MoneyError| corrupt(5, e.to_string()))?;
    let brand: Option<String> = r.get(8)?;
    let last4: Option<String> = r.get(9)?;
    let tickets: Option<String> = r.get(10)?;
    Ok(Row {
        id: text(0)?,
        reference: text(1)?,
        provider: text(2)?.parse().map_err(|e| corrupt(2, e))?,
        status: text(3)?.parse().map_err(|e| corrupt(3, e))?,
        amount: Money::from_minor(r.get(4)?, currency),
        customer: text(6)?,
        subject_key: text(7)?,
        card: MaskedCard::from_stored(brand.as_deref(), last4.as_deref()),
        tickets: tickets.map(|t| t.split(' ').map(ticket_number_display).collect()).unwrap_or_default(),
        created_at_ms: r.get(11)?,
        updated_at_ms: r.get(12)?,
        pid: r.get(14)?,
        agent: Actor::from_columns(r.get(15)?, r.get(16)?),
    })
}
