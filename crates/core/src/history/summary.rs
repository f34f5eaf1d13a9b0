//! Totals for a date range: money taken per local day, provider and currency; totals per
//! currency; how many payments are in each status.
//!
//! **What counts as money taken.** A payment is counted in `days` and `totals` when the
//! provider has charged it and the charge stands: `Paid`, `Ticketing`, `Ticketed` and
//! `TicketingFailed` (the airline refused to ticket but the payment was taken — the agent must
//! act, the money is still with the provider), less what was refunded of it. What went back is
//! listed apart in `refunded`; a payment refunded in full (`Refunded`) is not in the takings at
//! all, one refunded in part counts with what is left. A refund counts once it was made; one
//! that may or may not have been made (`Unclear`) is called out in `unclear_refunds` instead.
//! `Declined`, `Draft`, `Submitting`, `Unknown` and `NeedsReview` are not money taken either:
//! the last two may or may not have been charged, which is why `by_status` always lists them
//! (with 0 when there are none) so the view can call them out.
//!
//! A payment belongs to the local day on which it was created, with the caller's UTC offset.
//! Amounts are summed per currency only, in exact minor units.
//!
//! **By agent.** The same takings, per agent who took each payment (and per currency), under
//! the name the agent's newest payment of the range records; payments no agent took (before
//! the desk had agents) are one line of their own, with no agent. Empty when no payment of the
//! range has an agent.

use std::collections::BTreeMap;

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use super::{day_text, invalid, HistoryError, Result};
use crate::agents::Actor;
use crate::codes::{CodedError, ErrorCode};
use crate::money::Currency;
use crate::payment::{Provider, Status};
use crate::store::StoreError;

/// Statuses whose amount is money taken (see the module comment).
pub const CHARGED: [Status; 4] = [Status::Paid, Status::Ticketing, Status::Ticketed, Status::TicketingFailed];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRange {
    /// Payments created at or after this instant (ms since the epoch).
    pub from_ms: i64,
    /// …and before this one (exclusive).
    pub to_ms: i64,
    /// The agent's offset from UTC in minutes (e.g. 60 for CET), which decides the local days.
    pub utc_offset_minutes: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotal {
    /// The local date, "2026-11-20".
    pub day: String,
    pub provider: Provider,
    pub currency: Currency,
    pub count: u64,
    pub total_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyTotal {
    pub currency: Currency,
    pub count: u64,
    pub total_minor: i64,
}

/// Money an agent took in one currency: what they took, less what was refunded of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentTotal {
    /// None: payments no agent took.
    pub agent: Option<Actor>,
    pub currency: Currency,
    pub count: u64,
    pub total_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    pub status: Status,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Money taken per local day, provider and currency; days without any are absent.
    pub days: Vec<DayTotal>,
    /// Money taken per currency over the whole range.
    pub totals: Vec<CurrencyTotal>,
    /// Every status in the range with its count; `NeedsReview` and `Unknown` always present.
    pub by_status: Vec<StatusCount>,
    /// Money given back per currency, and how many payments it was given back on; kept out of
    /// `days` and `totals`.
    pub refunded: Vec<CurrencyTotal>,
    /// Refunds that may or may not have been made, waiting for a person to check the portal.
    pub unclear_refunds: u64,
    /// `totals` per agent who took the payments, by name; empty when no agent took any.
    #[serde(default)]
    pub by_agent: Vec<AgentTotal>,
}

const DAY_MS: i64 = 86_400_000;

/// The summary's first statement: every payment of the range, read from the covering index
/// `payments_totals` in date order (and the `pid` the index holds, for the refunds). Grouping
/// here rather than with SQL `GROUP BY` avoids sorting the whole range (measured: a 30-day
/// `GROUP BY` spends nine tenths of its time sorting). Parameters: from_ms, to_ms.
pub const SUMMARY_SQL: &str =
    "SELECT created_at_ms, provider, currency, status, amount_minor, pid FROM payments \
     WHERE created_at_ms >= ?1 AND created_at_ms < ?2";

/// The refunds of the range's payments (few beside the payments: read apart, by payment):
/// created_at_ms, provider, currency, status, amount, made in minor units, how many are unclear.
/// Only refunds within the range's lowest and highest `pid` are read (from the index on
/// `(pid, seq)`), not every refund of the history; the date test still decides, as a `pid`
/// between them may belong to a payment dated outside the range (a clock set back).
/// Parameters: from_ms, to_ms, lowest pid, highest pid.
pub const REFUNDS_SQL: &str =
    "SELECT p.created_at_ms, p.provider, p.currency, p.status, p.amount_minor, r.made, r.unclear FROM \
     (SELECT pid, sum(CASE WHEN status = 'Refunded' THEN amount_minor ELSE 0 END) AS made, \
             sum(status = 'Unclear') AS unclear FROM refunds \
      WHERE pid BETWEEN ?3 AND ?4 AND status IN ('Refunded', 'Unclear') GROUP BY pid) r \
     JOIN payments p ON p.pid = r.pid WHERE p.created_at_ms >= ?1 AND p.created_at_ms < ?2";

/// The range's payments that an agent took, from `payments_agent_totals` (parameters as
/// `SUMMARY_SQL`'s): agent id, currency, status, amount.
const AGENT_SQL: &str = "SELECT agent_id, currency, status, amount_minor FROM payments \
     WHERE created_at_ms >= ?1 AND created_at_ms < ?2 AND agent_id IS NOT NULL";

/// What was refunded of those payments: agent id, currency, status, amount, made.
const AGENT_REFUNDS_SQL: &str = "SELECT p.agent_id, p.currency, p.status, p.amount_minor, r.made FROM \
     (SELECT pid, sum(amount_minor) AS made FROM refunds WHERE status = 'Refunded' GROUP BY pid) r \
     JOIN payments p ON p.pid = r.pid \
     WHERE p.created_at_ms >= ?1 AND p.created_at_ms < ?2 AND p.agent_id IS NOT NULL";

/// The name an agent's newest payment of the range records.
const AGENT_NAME_SQL: &str = "SELECT agent_name FROM payments \
     WHERE agent_id = ?1 AND created_at_ms >= ?2 AND created_at_ms < ?3 ORDER BY created_at_ms DESC LIMIT 1";

/// (local day number, index in `Provider::ALL`, currency code).
type Key = (i64, usize, [u8; 3]);
/// A count and a total in minor units.
type Sum = (u64, i64);
/// One day's sums so far, per (index in `Provider::ALL`, currency code).
type DaySums = Vec<((usize, [u8; 3]), Sum)>;

pub fn summary(conn: &Connection, range: &SummaryRange) -> Result<Summary> {
    let SummaryRange { from_ms, to_ms, utc_offset_minutes } = *range;
    if from_ms > to_ms {
        return Err(invalid(CodedError::new(ErrorCode::RangeReversed)));
    }
    if utc_offset_minutes.abs() > 18 * 60 {
        return Err(invalid(CodedError::new(ErrorCode::UtcOffset).with("minutes", utc_offset_minutes)));
    }
    let offset_ms = i64::from(utc_offset_minutes) * 60_000;

    let mut days: BTreeMap<Key, (u64, i64)> = BTreeMap::new();
    // Rows come in date order (the index's), so one day's few (provider, currency) pairs are
    // added up in a short list and moved into `days` when the day changes; any order would
    // still add up right. Currencies are few too: short lists, sorted at the end.
    let mut day_now = i64::MIN;
    let mut today: DaySums = Vec::new();
    let mut totals: Vec<([u8; 3], (u64, i64))> = Vec::new();
    let mut refunded: Vec<([u8; 3], (u64, i64))> = Vec::new();
    let mut by_status = [0u64; Status::ALL.len()];
    // Stored data that cannot be read back is the database's fault, not the request's.
    let corrupt = |what: &str| {
        HistoryError::Store(StoreError::Corrupt(format!("a stored payment has an unreadable {what}")))
    };
    let too_large = || invalid(CodedError::new(ErrorCode::TotalsTooLarge));
    let add = |into: &mut (u64, i64), count: u64, amount: i64| -> Result<()> {
        into.0 += count;
        into.1 = into.1.checked_add(amount).ok_or_else(too_large)?;
        Ok(())
    };
    fn slot<K: PartialEq + Copy>(list: &mut Vec<(K, (u64, i64))>, key: K) -> &mut (u64, i64) {
        let i = match list.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                list.push((key, (0, 0)));
                list.len() - 1
            }
        };
        &mut list[i].1
    }
    let mut close_day = |day: i64, today: &mut DaySums| -> Result<()> {
        for ((provider, currency), (count, total)) in today.drain(..) {
            add(days.entry((day, provider, currency)).or_default(), count, total)?;
        }
        Ok(())
    };
    // Both statements start with the payment's created_at_ms, provider, currency, status and
    // amount: (local day, provider index, currency code, status index, amount).
    let payment_of = |r: &rusqlite::Row<'_>| -> Result<(i64, usize, [u8; 3], usize, i64)> {
        let day = (r.get::<_, i64>(0)? + offset_ms).div_euclid(DAY_MS);
        let provider = r.get_ref(1)?.as_str()?;
        let provider =
            Provider::ALL.iter().position(|p| p.as_str() == provider).ok_or_else(|| corrupt("provider"))?;
        let currency: [u8; 3] = r.get_ref(2)?.as_bytes()?.try_into().map_err(|_| corrupt("currency"))?;
        let status = r.get_ref(3)?.as_str()?;
        let status =
            Status::ALL.iter().position(|s| s.as_str() == status).ok_or_else(|| corrupt("status"))?;
        Ok((day, provider, currency, status, r.get(4)?))
    };
    // A refunded payment is counted as well, and taken off below with its refunds: what was
    // kept of it stays.
    let counted =
        |status: usize| CHARGED.contains(&Status::ALL[status]) || Status::ALL[status] == Status::Refunded;
    // The range's lowest and highest pid, for the refunds below (none: an empty range).
    let (mut lowest, mut highest) = (i64::MAX, i64::MIN);
    let mut stmt = conn.prepare_cached(SUMMARY_SQL)?;
    let mut rows = stmt.query(params![from_ms, to_ms])?;
    while let Some(r) = rows.next()? {
        let (day, provider, currency, status, amount) = payment_of(r)?;
        let pid: i64 = r.get(5)?;
        (lowest, highest) = (lowest.min(pid), highest.max(pid));
        by_status[status] += 1;
        if counted(status) {
            if day != day_now {
                close_day(day_now, &mut today)?;
                day_now = day;
            }
            add(slot(&mut today, (provider, currency)), 1, amount)?;
            add(slot(&mut totals, currency), 1, amount)?;
        }
    }
    close_day(day_now, &mut today)?;

    // What went back: off the takings of the payment's day, into `refunded`. A payment with
    // nothing left leaves the counts too.
    let mut unclear_refunds = 0;
    let mut stmt = conn.prepare_cached(REFUNDS_SQL)?;
    let mut rows = stmt.query(params![from_ms, to_ms, lowest, highest])?;
    while let Some(r) = rows.next()? {
        let (day, provider, currency, status, amount) = payment_of(r)?;
        let (made, unclear): (i64, i64) = (r.get(5)?, r.get(6)?);
        unclear_refunds += unclear.max(0) as u64;
        if made <= 0 {
            continue;
        }
        add(slot(&mut refunded, currency), 1, made)?;
        if !counted(status) {
            continue;
        }
        // The schema keeps refunds within the amount charged; `min` keeps a hand-edited file
        // from turning takings negative.
        let back = made.min(amount);
        let gone = u64::from(back == amount);
        for sum in [days.entry((day, provider, currency)).or_default(), slot(&mut totals, currency)] {
            sum.0 = sum.0.saturating_sub(gone);
            sum.1 -= back;
        }
    }
    days.retain(|_, (count, total)| *count > 0 || *total != 0);
    totals.retain(|(_, (count, total))| *count > 0 || *total != 0);
    let (totals, refunded): (BTreeMap<_, _>, BTreeMap<_, _>) =
        (totals.into_iter().collect(), refunded.into_iter().collect());

    let by_agent = by_agent(conn, range, &totals)?;

    let currency = |code: &[u8; 3]| super::parse_currency(&String::from_utf8_lossy(code));
    let per_currency = |map: BTreeMap<[u8; 3], (u64, i64)>| -> Result<Vec<CurrencyTotal>> {
        map.into_iter()
            .map(|(code, (count, total_minor))| {
                Ok(CurrencyTotal { currency: currency(&code)?, count, total_minor })
            })
            .collect()
    };
    Ok(Summary {
        days: days
            .into_iter()
            .map(|((day, provider, code), (count, total_minor))| {
                Ok(DayTotal {
                    day: day_text(day),
                    provider: Provider::ALL[provider],
                    currency: currency(&code)?,
                    count,
                    total_minor,
                })
            })
            .collect::<Result<_>>()?,
        totals: per_currency(totals)?,
        by_status: Status::ALL
            .into_iter()
            .zip(by_status)
            .map(|(status, count)| StatusCount { status, count })
            .filter(|s| s.count > 0 || matches!(s.status, Status::NeedsReview | Status::Unknown))
            .collect(),
        refunded: per_currency(refunded)?,
        unclear_refunds,
        by_agent,
    })
}

/// The takings of the range per agent and currency, counted as `summary` counts them; what no
/// agent took is the rest of `totals` (the range's takings per currency code).
fn by_agent(
    conn: &Connection,
    range: &SummaryRange,
    totals: &BTreeMap<[u8; 3], (u64, i64)>,
) -> Result<Vec<AgentTotal>> {
    let too_large = || invalid(CodedError::new(ErrorCode::TotalsTooLarge));
    let counted =
        |status: &str| status.parse::<Status>().is_ok_and(|s| CHARGED.contains(&s) || s == Status::Refunded);
    let mut sums: BTreeMap<(String, String), (u64, i64)> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(AGENT_SQL)?;
    let mut rows = stmt.query(params![range.from_ms, range.to_ms])?;
    while let Some(r) = rows.next()? {
        let (agent, currency, status, amount): (String, String, String, i64) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        if counted(&status) {
            let sum = sums.entry((agent, currency)).or_default();
            sum.0 += 1;
            sum.1 = sum.1.checked_add(amount).ok_or_else(too_large)?;
        }
    }
    let mut stmt = conn.prepare_cached(AGENT_REFUNDS_SQL)?;
    let mut rows = stmt.query(params![range.from_ms, range.to_ms])?;
    while let Some(r) = rows.next()? {
        let (agent, currency, status, amount, made): (String, String, String, i64, i64) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        if made <= 0 || !counted(&status) {
            continue;
        }
        let back = made.min(amount);
        let sum = sums.entry((agent, currency)).or_default();
        sum.0 = sum.0.saturating_sub(u64::from(back == amount));
        sum.1 -= back;
    }
    if sums.is_empty() {
        return Ok(Vec::new());
    }
    let mut names = conn.prepare_cached(AGENT_NAME_SQL)?;
    let mut out = Vec::new();
    let mut by_currency: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    for ((id, code), (count, total_minor)) in sums {
        let mine = by_currency.entry(code.clone()).or_default();
        mine.0 += count;
        mine.1 = mine.1.checked_add(total_minor).ok_or_else(too_large)?;
        if count == 0 && total_minor == 0 {
            continue;
        }
        let name: String = names.query_row(params![id, range.from_ms, range.to_ms], |r| r.get(0))?;
        out.push(AgentTotal {
            agent: Some(Actor { id, name }),
            currency: super::parse_currency(&code)?,
            count,
            total_minor,
        });
    }
    // What no agent took: the rest of each currency's takings.
    for (code, (count, total)) in totals {
        let code = String::from_utf8_lossy(code).into_owned();
        let mine = by_currency.get(&code).copied().unwrap_or_default();
        let (count, total_minor) = (count.saturating_sub(mine.0), total - mine.1);
        if count > 0 || total_minor != 0 {
            out.push(AgentTotal { agent: None, currency: super::parse_currency(&code)?, count, total_minor });
        }
    }
    // By name (no agent last), then currency.
    out.sort_by(|a, b| {
        let name = |t: &AgentTotal| t.agent.as_ref().map(|a| (0, a.name.to_lowercase(), a.id.clone()));
        (name(a).unwrap_or((1, String::new(), String::new())), a.currency.code())
            .cmp(&(name(b).unwrap_or((1, String::new(), String::new())), b.currency.code()))
    });
    Ok(out)
}
