//! "Verify history": every payment's timeline checked against its hash chain (DESIGN.md §7).
//!
//! The triggers of the schema stop ordinary edits of the timeline; the chain catches the rest
//! (a trigger dropped, the file edited by another tool). Besides each chain, a payment must
//! have a timeline, and its stored status must be the one its last status change recorded —
//! the status column itself is not hashed, so this is how an edited status shows up.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{Progress, Result, Throttle};
use crate::payment::{verify_chain, ChainError, Status};
use crate::store;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Break {
    pub payment_id: String,
    pub reference: String,
    /// The first event found wrong (0 when the problem is not one event's).
    pub seq: i64,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Payments checked.
    pub checked: u64,
    /// One entry per payment whose history does not hold together.
    pub broken: Vec<Break>,
}

/// Checks every payment; `progress` hears how far it has come at most 20 times a second.
pub fn verify(conn: &Connection, progress: &mut dyn FnMut(Progress)) -> Result<VerifyReport> {
    let total: i64 = conn.query_row("SELECT count(*) FROM payments", [], |r| r.get(0))?;
    let mut throttle = Throttle::new(progress, total as u64);
    throttle.tick(0);
    let mut stmt = conn.prepare("SELECT id, reference, status FROM payments ORDER BY pid")?;
    let mut rows = stmt.query([])?;
    let mut report = VerifyReport { checked: 0, broken: Vec::new() };
    while let Some(r) = rows.next()? {
        let (id, reference, status): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        // An event that cannot even be read back is a break too, not a reason to stop.
        let problem = match store::events_for(conn, &id) {
            Err(e) => Some((0, format!("its timeline cannot be read: {e}"))),
            Ok(events) => match verify_chain(&events) {
                Err(ChainError::Altered { seq, .. }) => {
                    Some((seq, format!("event {seq} was altered: its content no longer matches its hash")))
                }
                Err(ChainError::Broken { seq, .. }) => Some((
                    seq,
                    format!("event {seq} does not follow the event before it (one was removed, inserted or reordered)"),
                )),
                Ok(()) if events.is_empty() => Some((0, "it has no timeline at all".to_string())),
                Ok(()) => {
                    let recorded = events.iter().rev().find_map(|e| e.status_after).unwrap_or(Status::Draft);
                    (recorded.as_str() != status).then(|| {
                        (0, format!("its status is {status} but its timeline ends at {recorded} — the status was edited"))
                    })
                }
            },
        };
        if let Some((seq, problem)) = problem {
            report.broken.push(Break { payment_id: id, reference, seq, problem });
        }
        report.checked += 1;
        throttle.tick(report.checked);
    }
    throttle.finish(report.checked);
    Ok(report)
}
