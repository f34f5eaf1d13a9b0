//! "Verify history": every payment's timeline checked against its seals (`crate::seal`), and
//! the history as a whole against what is missing from it.
//!
//! The schema's triggers stop ordinary edits of the timeline; the seals catch the rest (a trigger
//! dropped, the file edited by another tool), and someone who can write the file cannot
//! recompute them without the key. Per payment: its links, each seal with the payment's columns
//! as they stand, what a provider stated later, whether it held together when first sealed, and
//! that its status is the one its last status change recorded (the status column is not sealed).
//! For the whole history: the key is the one that sealed it, no place in the history is missing
//! (a deleted payment), and its newest seal is the one this computer last kept outside the file
//! (the newest payments cut off).

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{Progress, Result, Throttle};
use crate::payment::{ChainError, Status};
use crate::seal::Head;
use crate::store::{self, StoreError};

/// What kind of break: the window and the command line word each, by payment where there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// An event's content no longer matches its seal.
    EventAltered,
    /// Events removed, inserted or reordered within one payment.
    EventsOutOfOrder,
    /// The payment's amount, currency, reference, customer or what it pays was changed.
    PaymentEdited,
    /// What a provider stated later (ATRIP's charges) differs from its event.
    StatedEdited,
    /// The status column differs from the timeline's last status change.
    StatusEdited,
    NoTimeline,
    Unreadable,
    /// The timeline did not hold together when the history was first sealed.
    BrokenBeforeSealing,
    /// Places in the history are missing: a payment (or part of one) was deleted.
    Deleted,
    /// The history ends before the newest seal this computer kept: the newest payments are gone
    /// (or an older copy was restored).
    Truncated,
    /// The history was sealed with another key, or its key record was edited.
    WrongKey,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Break {
    /// Empty when the break is the whole history's (a deleted payment cannot be named).
    pub payment_id: String,
    pub reference: String,
    /// The first event found wrong (0 when the problem is not one event's).
    pub seq: i64,
    pub kind: BreakKind,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Payments checked.
    pub checked: u64,
    /// One entry per payment whose history does not hold together, and one per break of the
    /// whole history.
    pub broken: Vec<Break>,
    /// Whether the newest seal was compared with the one this computer keeps outside the file.
    pub anchored: bool,
}

fn whole(kind: BreakKind, problem: String) -> Break {
    Break { payment_id: String::new(), reference: String::new(), seq: 0, kind, problem }
}

/// Checks every payment and the history as a whole; `anchor` is the newest seal this computer
/// kept outside the file, if it keeps one. `progress` hears how far it has come at most 20 times
/// a second.
pub fn verify(
    conn: &Connection,
    anchor: Option<Head>,
    progress: &mut dyn FnMut(Progress),
) -> Result<VerifyReport> {
    let total: i64 = conn.query_row("SELECT count(*) FROM payments", [], |r| r.get(0))?;
    let mut throttle = Throttle::new(progress, total as u64);
    throttle.tick(0);
    let mut report = VerifyReport { checked: 0, broken: Vec::new(), anchored: anchor.is_some() };
    // A key that cannot be had stops the check with its reason; another key is one break, not
    // one per payment.
    if store::key_matches(conn)? == Some(false) {
        report.broken.push(whole(
            BreakKind::WrongKey,
            "this history was sealed with another key than the one in this computer's keyring (or its key record was edited), so no seal can be checked".into(),
        ));
        throttle.finish(0);
        return Ok(report);
    }
    for (from, to) in store::gaps(conn)? {
        let places = if from == to { format!("event #{from}") } else { format!("events #{from} to #{to}") };
        report.broken.push(whole(
            BreakKind::Deleted,
            format!("{places} of the history are gone: a payment, or part of one, was deleted"),
        ));
    }
    if let Some(anchor) = anchor {
        let head = store::head(conn)?;
        let newest = head.map_or(0, |h| h.gseq);
        let kept: Option<Vec<u8>> =
            conn.query_row("SELECT hash FROM events WHERE gseq = ?1", [anchor.gseq], |r| r.get(0)).ok();
        if newest < anchor.gseq {
            report.broken.push(whole(
                BreakKind::Truncated,
                format!(
                    "the history ends at event #{newest}, but this computer saw it reach #{} — the newest \
                     payments were removed, or an older copy of the history was restored",
                    anchor.gseq
                ),
            ));
        } else if kept.as_deref() != Some(anchor.seal.as_slice()) {
            report.broken.push(whole(
                BreakKind::Truncated,
                format!(
                    "event #{} is not the one this computer saw there — the history was replaced by another",
                    anchor.gseq
                ),
            ));
        }
    }

    let mut stmt = conn.prepare("SELECT id, reference, status FROM payments ORDER BY pid")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (id, reference, status): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        if let Some((seq, kind, problem)) = check_payment(conn, &id, &status)? {
            report.broken.push(Break { payment_id: id, reference, seq, kind, problem });
        }
        report.checked += 1;
        throttle.tick(report.checked);
    }
    throttle.finish(report.checked);
    Ok(report)
}

fn check_payment(conn: &Connection, id: &str, status: &str) -> Result<Option<(i64, BreakKind, String)>> {
    use BreakKind::*;
    // An event that cannot even be read back is a break too, not a reason to stop.
    let events = match store::events_for(conn, id) {
        Err(StoreError::Seal(reason)) => return Err(StoreError::Seal(reason).into()),
        Err(e) => return Ok(Some((0, Unreadable, format!("its timeline cannot be read: {e}")))),
        Ok(events) if events.is_empty() => {
            return Ok(Some((0, NoTimeline, "it has no timeline at all".into())))
        }
        Ok(events) => events,
    };
    let found = match store::check_events(conn, id, &events)? {
        Err(ChainError::Altered { seq, .. }) => {
            (seq, EventAltered, format!("event {seq} was altered: its content no longer matches its seal"))
        }
        Err(ChainError::Broken { seq, .. }) => (
            seq,
            EventsOutOfOrder,
            format!(
                "event {seq} does not follow the event before it (one was removed, inserted or reordered)"
            ),
        ),
        Err(ChainError::FactsEdited { .. }) => (
            0,
            PaymentEdited,
            "its amount, currency, reference, customer or what it pays was changed after it was recorded"
                .into(),
        ),
        Err(ChainError::StatedEdited { key, .. }) => {
            (0, StatedEdited, format!("its {key} differs from what its timeline recorded"))
        }
        Err(ChainError::BrokenBeforeSealing { problem, .. }) => (
            0,
            BrokenBeforeSealing,
            format!("its timeline did not hold together when this history was first sealed: {problem}"),
        ),
        Ok(()) => {
            let recorded = events.iter().rev().find_map(|e| e.status_after).unwrap_or(Status::Draft);
            if recorded.as_str() == status {
                return Ok(None);
            }
            (
                0,
                StatusEdited,
                format!("its status is {status} but its timeline ends at {recorded} — the status was edited"),
            )
        }
    };
    Ok(Some(found))
}
