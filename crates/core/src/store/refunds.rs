//! Refund rows (`refunds`, v6): journaled before the request leaves, settled by the answer, a
//! start-up recovery or a person. The schema keeps the money straight whatever the caller does:
//! one open refund per payment, never more refunded than charged.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use rusqlite_migration::HookError;

use super::{codec, parse_col, Result, StoreError, PID_OF};
use crate::agents::Actor;
use crate::money::{Currency, Money};
use crate::payment::{Refund, RefundStatus, Status};

const REFUND_SELECT: &str =
    "SELECT r.id, p.id, r.seq, r.amount_minor, p.currency, r.status, r.provider_ref, \
     r.note, r.created_at_ms, r.updated_at_ms, r.agent_id, r.agent_name FROM refunds r JOIN payments p ON p.pid = r.pid";

fn refund_from_row(row: &Row<'_>) -> rusqlite::Result<Refund> {
    let currency: Currency = parse_col(row, 4)?;
    Ok(Refund {
        id: row.get(0)?,
        payment_id: row.get(1)?,
        seq: row.get(2)?,
        amount: Money::from_minor(row.get(3)?, currency),
        status: parse_col(row, 5)?,
        provider_ref: row.get(6)?,
        note: row.get(7)?,
        created_at_ms: row.get(8)?,
        updated_at_ms: row.get(9)?,
        agent: Actor::from_columns(row.get(10)?, row.get(11)?),
    })
}

/// Journals a new refund. The schema refuses a second open refund of the payment and a total
/// above the amount charged (the engine checks both first, to say so plainly).
pub fn insert_refund(tx: &Transaction<'_>, r: &Refund) -> Result<()> {
    tx.prepare_cached(&format!(
        "INSERT INTO refunds (pid, id, seq, amount_minor, status, provider_ref, note, created_at_ms, updated_at_ms, \
         agent_id, agent_name) VALUES ({PID_OF},?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"
    ))?
    .execute(params![
        r.payment_id,
        r.id,
        r.seq,
        r.amount.minor,
        r.status.as_str(),
        r.provider_ref,
        r.note,
        r.created_at_ms,
        r.updated_at_ms,
        r.agent.as_ref().map(|a| a.id.as_str()),
        r.agent.as_ref().map(|a| crate::redact::redact_text(&a.name)),
    ])?;
    Ok(())
}

/// Moves a refund to `r.status` (with its reference and note), refusing an illegal move.
pub fn update_refund(tx: &Transaction<'_>, r: &Refund) -> Result<()> {
    let from: RefundStatus = tx
        .query_row("SELECT status FROM refunds WHERE id = ?1", [&r.id], |row| parse_col(row, 0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "refund", id: r.id.clone() })?;
    if from != r.status && !from.can_become(r.status) {
        return Err(StoreError::Corrupt(format!("a refund cannot go from {from} to {}", r.status)));
    }
    tx.execute(
        "UPDATE refunds SET status = ?2, provider_ref = ?3, note = ?4, updated_at_ms = ?5 WHERE id = ?1",
        params![r.id, r.status.as_str(), r.provider_ref, r.note, r.updated_at_ms],
    )?;
    Ok(())
}

/// A payment's refunds, oldest first.
pub fn refunds_for(conn: &Connection, payment_id: &str) -> Result<Vec<Refund>> {
    let mut stmt = conn.prepare_cached(&format!("{REFUND_SELECT} WHERE r.pid = {PID_OF} ORDER BY r.seq"))?;
    let rows = stmt.query_map([payment_id], refund_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get_refund(conn: &Connection, id: &str) -> Result<Refund> {
    conn.query_row(&format!("{REFUND_SELECT} WHERE r.id = ?1"), [id], refund_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "refund", id: id.to_string() })
}

/// Refunds in a given status, oldest first (start-up recovery looks for `Sending`).
pub fn refunds_in_status(conn: &Connection, status: RefundStatus) -> Result<Vec<Refund>> {
    let mut stmt =
        conn.prepare_cached(&format!("{REFUND_SELECT} WHERE r.status = ?1 ORDER BY r.created_at_ms, r.id"))?;
    let rows = stmt.query_map([status.as_str()], refund_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// v6's hook: before v6 a refund was only a status of its payment (and its amount only on the
/// timeline). Each `Refunded` payment gets one `Refunded` row with the amount its timeline
/// recorded — the full amount when the timeline does not say. Nothing is changed otherwise.
pub(super) fn carry_over_v6(tx: &Transaction<'_>) -> std::result::Result<(), HookError> {
    let mut payments =
        tx.prepare("SELECT pid, id, amount_minor, updated_at_ms FROM payments WHERE status = 'Refunded'")?;
    let mut last_refund = tx.prepare("SELECT body FROM events WHERE pid = ?1 ORDER BY seq DESC")?;
    let mut insert = tx.prepare(
        "INSERT INTO refunds (pid, id, seq, amount_minor, status, provider_ref, note, created_at_ms, updated_at_ms) \
         VALUES (?1, ?2, 1, ?3, 'Refunded', ?4, 'recorded before refunds were kept one by one', ?5, ?5)",
    )?;
    let mut rows = payments.query([])?;
    while let Some(p) = rows.next()? {
        let (pid, amount, at): (i64, i64, i64) = (p.get(0)?, p.get(2)?, p.get(3)?);
        if amount <= 0 {
            continue; // nothing was charged, so nothing went back
        }
        let (mut refunded, mut refund_id) = (amount, None);
        let mut events = last_refund.query([pid])?;
        while let Some(e) = events.next()? {
            let Ok(blob) = e.get_ref(0)?.as_blob() else { continue };
            let Ok(body) = codec::decode(blob) else { continue };
            if body.status_after == Some(Status::Refunded) {
                let asked = body.data.get("amount").and_then(|a| a.get("minor")).and_then(|m| m.as_i64());
                if let Some(minor) = asked.filter(|m| (1..=amount).contains(m)) {
                    refunded = minor;
                }
                refund_id = body.data.get("refund_id").and_then(|i| i.as_str()).map(str::to_string);
                break;
            }
        }
        insert.execute(params![pid, uuid::Uuid::now_v7().to_string(), refunded, refund_id, at])?;
    }
    Ok(())
}
