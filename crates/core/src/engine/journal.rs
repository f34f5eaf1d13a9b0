//! The engine's writes: each is one transaction that moves a payment and its attempt together
//! and records why on the timeline. Called on the store's writer thread.

use rusqlite::Transaction;
use serde_json::Value;

use crate::payment::{Attempt, EventKind, NewEvent, Status, TimelineEvent};
use crate::store::{self, Result};

/// An event with no status change (an exchange, a note, a ticket).
pub fn record(
    tx: &Transaction<'_>,
    payment_id: &str,
    kind: EventKind,
    message: &str,
    data: Value,
    now_ms: i64,
) -> Result<TimelineEvent> {
    store::append_event(
        tx,
        payment_id,
        NewEvent {
            at_ms: now_ms,
            kind,
            status_before: None,
            status_after: None,
            message: message.into(),
            data,
        },
    )
}

/// Moves the payment and its attempt to `to`, with the event that says why. An illegal move
/// fails the whole transaction.
pub fn move_to(
    tx: &Transaction<'_>,
    attempt: &mut Attempt,
    to: Status,
    message: &str,
    data: Value,
    now_ms: i64,
) -> Result<TimelineEvent> {
    let event = store::transition_payment(
        tx,
        &attempt.payment_id,
        to,
        NewEvent {
            at_ms: now_ms,
            kind: EventKind::Transition,
            status_before: None,
            status_after: None,
            message: message.into(),
            data,
        },
    )?;
    attempt.status = to;
    attempt.updated_at_ms = now_ms;
    store::update_attempt(tx, attempt)?;
    Ok(event)
}
