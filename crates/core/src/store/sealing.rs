//! Sealing the timeline in the store (`crate::seal` says what a seal covers and why): each event
//! appended gets its place in the history and its seal; a payment's timeline is checked against
//! its seals and the payment's columns; v7 seals the events of older histories once.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use rusqlite_migration::HookError;
use serde_json::{json, Value};

use super::{codec, events_for, Result, StoreError};
use crate::payment::{check_links, check_unsealed_chain, ChainError, EventKind, NewEvent, TimelineEvent};
use crate::seal::{Facts, Head, KEY_CHECK_TEXT, MOVED_OUT_TEXT, SEAL_FN, STATED_LATER};

/// The seal of `input` under the connection's key (`seal::install`); without one, the reason.
pub(super) fn seal(conn: &Connection, input: &[u8]) -> Result<[u8; 32]> {
    let sealed: Vec<u8> = conn
        .prepare_cached(&format!("SELECT {SEAL_FN}(?1)"))?
        .query_row([input], |r| r.get(0))
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(_, Some(reason)) => StoreError::Seal(reason),
            other => StoreError::Sqlite(other),
        })?;
    sealed.try_into().map_err(|_| StoreError::Seal("the seal function gave no 32-byte seal".into()))
}

/// The history's key check, as `seal` keeps it.
pub(super) fn key_check(conn: &Connection) -> Result<[u8; 32]> {
    seal(conn, KEY_CHECK_TEXT)
}

/// Whether the history was sealed with the connection's key: `None` when nothing has recorded a
/// key yet.
pub fn key_matches(conn: &Connection) -> Result<Option<bool>> {
    let stored: Option<Vec<u8>> =
        conn.query_row("SELECT key_check FROM seal WHERE id = 1", [], |r| r.get(0)).optional()?;
    match stored {
        None => Ok(None),
        Some(stored) => Ok(Some(stored == key_check(conn)?)),
    }
}

/// A payment's sealed columns; the agent's are v9's.
const FACTS_SQL: &str = "SELECT pid, provider, reference, amount_minor, currency, customer, subject_key, \
     created_at_ms, subject, agent_id, agent_name FROM payments WHERE id = ?1";
/// The same of a history older than v9, which names no agent: what v7's upgrade seals.
const FACTS_SQL_BEFORE_V9: &str = "SELECT pid, provider, reference, amount_minor, currency, customer, \
     subject_key, created_at_ms, subject, NULL, NULL FROM payments WHERE id = ?1";

/// A payment's `pid` and the digest of its sealed facts, as its row holds them now.
fn facts(conn: &Connection, payment_id: &str) -> Result<(i64, [u8; 32])> {
    let mut stmt = match conn.prepare_cached(FACTS_SQL) {
        Ok(stmt) => stmt,
        Err(_) => conn.prepare_cached(FACTS_SQL_BEFORE_V9)?,
    };
    stmt.query_row([payment_id], |r| {
        let text = |i| r.get_ref(i).and_then(|v| v.as_str().map_err(rusqlite::Error::from));
        let facts = Facts {
            provider: text(1)?,
            reference: text(2)?,
            amount_minor: r.get(3)?,
            currency: text(4)?,
            customer: text(5)?,
            subject_key: text(6)?,
            created_at_ms: r.get(7)?,
            subject: text(8)?,
            agent: match (r.get_ref(9)?.as_str_or_null()?, r.get_ref(10)?.as_str_or_null()?) {
                (Some(id), Some(name)) => Some((id, name)),
                _ => None,
            },
        };
        Ok((r.get(0)?, facts.digest()))
    })
    .optional()?
    .ok_or_else(|| StoreError::NotFound { what: "payment", id: payment_id.to_string() })
}

/// The history's newest event: its place and seal.
pub fn head(conn: &Connection) -> Result<Option<Head>> {
    Ok(conn
        .prepare_cached("SELECT gseq, hash FROM events WHERE gseq IS NOT NULL ORDER BY gseq DESC LIMIT 1")?
        .query_row([], |r| Ok(Head { gseq: r.get(0)?, seal: super::hash_col(r, 1)? }))
        .optional()?)
}

/// Places missing from the history, as inclusive ranges: what a deleted payment leaves behind.
/// A place whose events moved to another history is not missing when its record's seal holds.
pub fn gaps(conn: &Connection) -> Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare(&format!(
        "WITH places AS (SELECT gseq FROM events WHERE gseq IS NOT NULL \
             UNION ALL SELECT gseq FROM moved_out WHERE seal = {SEAL_FN}('{MOVED_OUT_TEXT}' || gseq)) \
         SELECT coalesce(prev, 0) + 1, gseq - 1 FROM \
         (SELECT gseq, lag(gseq) OVER (ORDER BY gseq) AS prev FROM places) \
         WHERE gseq > coalesce(prev, 0) + 1"
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records, sealed, that the events of `pids` leave this history for another (their rows are
/// the caller's to delete next, in the same transaction).
pub fn record_moved_out(tx: &Transaction<'_>, pids_sql: &str) -> Result<()> {
    tx.execute_batch(&format!(
        "INSERT INTO moved_out (gseq, seal) SELECT gseq, {SEAL_FN}('{MOVED_OUT_TEXT}' || gseq) \
         FROM events WHERE gseq IS NOT NULL AND pid IN ({pids_sql})"
    ))?;
    Ok(())
}

/// Seals `event` onto the end of its payment's chain and stores it (already redacted).
pub(super) fn append(tx: &Transaction<'_>, payment_id: &str, event: NewEvent) -> Result<TimelineEvent> {
    let mut sealed = append_all(tx, payment_id, vec![event])?;
    Ok(sealed.pop().expect("one event in, one out"))
}

/// Seals `events` onto the end of one payment's chain, in order, and stores them: the payment,
/// its last event and the history's newest place are read once for all of them.
pub(super) fn append_all(
    tx: &Transaction<'_>,
    payment_id: &str,
    events: Vec<NewEvent>,
) -> Result<Vec<TimelineEvent>> {
    let (pid, facts) = facts(tx, payment_id)?;
    let mut last: Option<(i64, [u8; 32])> = tx
        .prepare_cached("SELECT seq, hash FROM events WHERE pid = ?1 ORDER BY seq DESC LIMIT 1")?
        .query_row([pid], |r| Ok((r.get(0)?, super::hash_col(r, 1)?)))
        .optional()?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO events (pid, seq, at_ms, body, hash, gseq) VALUES (?1,?2,?3,?4,?5,?6)",
    )?;
    let mut out = Vec::with_capacity(events.len());
    for (place, event) in (next_place(tx)?..).zip(events) {
        let mut sealed = TimelineEvent::next(payment_id, last, event);
        sealed.gseq = place;
        sealed.hash = seal(tx, &sealed.seal_input(&facts))?;
        let body = codec::encode(&sealed).map_err(StoreError::Event)?;
        insert.execute(params![pid, sealed.seq, sealed.at_ms, body, sealed.hash.as_slice(), sealed.gseq])?;
        last = Some((sealed.seq, sealed.hash));
        out.push(sealed);
    }
    Ok(out)
}

fn next_place(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT coalesce(max(gseq), 0) + 1 FROM events")?.query_row([], |r| r.get(0))?)
}

/// Checks one payment's stored timeline: its links, each event's seal with the payment's facts
/// as they stand, what was stated later, and whether it held together when first sealed. The
/// outer error is the store's (no key to check with); the inner one is the break found.
pub fn check_timeline(conn: &Connection, payment_id: &str) -> Result<Result<(), ChainError>> {
    check_events(conn, payment_id, &events_for(conn, payment_id)?)
}

/// As `check_timeline`, over the payment's events already read (in order).
pub fn check_events(
    conn: &Connection,
    payment_id: &str,
    events: &[TimelineEvent],
) -> Result<Result<(), ChainError>> {
    if let Err(broken) = check_links(events) {
        return Ok(Err(broken));
    }
    let (_, facts) = facts(conn, payment_id)?;
    let mut forged = Vec::new();
    for e in events {
        if e.gseq <= 0 || seal(conn, &e.seal_input(&facts))? != e.hash {
            forged.push(e.seq);
        }
    }
    let id = || payment_id.to_string();
    match forged.first() {
        // Every seal fails with the payment's columns as they are: the columns were changed
        // (an event edited along with them would fail alone).
        Some(_) if forged.len() == events.len() && events.len() > 1 => {
            return Ok(Err(ChainError::FactsEdited { payment_id: id() }))
        }
        Some(&seq) => return Ok(Err(ChainError::Altered { payment_id: id(), seq })),
        None => {}
    }
    // What a provider stated later must be what the event that recorded it holds.
    let subject: Value = conn
        .query_row("SELECT subject FROM payments WHERE id = ?1", [payment_id], |r| r.get::<_, String>(0))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null);
    for key in STATED_LATER {
        let recorded = events.iter().rev().find_map(|e| e.data.get(*key));
        if subject.get(*key) != recorded {
            return Ok(Err(ChainError::StatedEdited { payment_id: id(), key: key.to_string() }));
        }
    }
    if let Some(problem) = events.iter().find_map(|e| {
        let sealed = e.data.get("sealed")?;
        (e.kind == EventKind::Note && sealed.get("held") == Some(&Value::Bool(false)))
            .then(|| sealed.get("problem").and_then(Value::as_str).unwrap_or("").to_string())
    }) {
        return Ok(Err(ChainError::BrokenBeforeSealing { payment_id: id(), problem }));
    }
    Ok(Ok(()))
}

/// v7's hook: every payment's old chain checked, each event given its place and sealed, and the
/// sealing recorded in the timeline — saying whether the old chain held, so a break found now
/// is never sealed over silently.
pub(super) fn seal_v7(tx: &Transaction<'_>) -> std::result::Result<(), HookError> {
    let hook = |e: StoreError| HookError::Hook(e.to_string());
    let ids: Vec<String> = {
        let mut stmt = tx.prepare("SELECT id FROM payments ORDER BY pid")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let now = crate::now_ms();
    for id in ids {
        let events = match events_for(tx, &id) {
            Ok(events) => events,
            // An event that cannot be read cannot be sealed, and must not stop the upgrade: its
            // events get their places (no gap), keep their old hashes, and the note says so.
            Err(StoreError::Corrupt(problem)) => {
                let (pid, _) = facts(tx, &id).map_err(hook)?;
                let seqs: Vec<i64> = {
                    let mut stmt = tx.prepare("SELECT seq FROM events WHERE pid = ?1 ORDER BY seq")?;
                    let rows = stmt.query_map([pid], |r| r.get(0))?;
                    rows.collect::<rusqlite::Result<_>>()?
                };
                for seq in seqs {
                    let place = next_place(tx).map_err(hook)?;
                    tx.execute(
                        "UPDATE events SET gseq = ?3 WHERE pid = ?1 AND seq = ?2",
                        params![pid, seq, place],
                    )?;
                }
                let message = format!("History sealed when Farepoint was upgraded, as found: its timeline could not be read ({problem})");
                let data = json!({ "sealed": { "held": false, "problem": format!("its timeline could not be read: {problem}") } });
                append(tx, &id, NewEvent::note(now, message, data)).map_err(hook)?;
                continue;
            }
            Err(e) => return Err(hook(e)),
        };
        let held = match check_unsealed_chain(&events) {
            Ok(()) if events.is_empty() => Err("it had no timeline at all".to_string()),
            other => other.map_err(|e| e.to_string()),
        };
        let message = match &held {
            Ok(()) => "History sealed with this desk's key when Farepoint was upgraded; the timeline was checked first and held together".to_string(),
            Err(problem) => format!("History sealed when Farepoint was upgraded, as found: the timeline did not hold together then ({problem})"),
        };
        reseal_payment(tx, &id, events, held, message, now).map_err(hook)?;
    }
    Ok(())
}

/// Seals one payment's stored events again, in place, each at a new place at the end of the
/// history, and records why (`message`) and whether its timeline held together before
/// (`held`). Used by v7 and for payments moved in from another history (another key). The
/// caller has lifted the append-only guard.
pub(crate) fn reseal_payment(
    tx: &Transaction<'_>,
    payment_id: &str,
    events: Vec<TimelineEvent>,
    held: std::result::Result<(), String>,
    message: String,
    now: i64,
) -> Result<()> {
    let (pid, facts) = facts(tx, payment_id)?;
    let mut prev = crate::payment::GENESIS_HASH;
    for mut e in events {
        e.gseq = next_place(tx)?;
        e.prev_hash = prev;
        e.hash = seal(tx, &e.seal_input(&facts))?;
        tx.prepare_cached("UPDATE events SET gseq = ?3, hash = ?4 WHERE pid = ?1 AND seq = ?2")?
            .execute(params![pid, e.seq, e.gseq, e.hash.as_slice()])?;
        prev = e.hash;
    }
    let sealed = match held {
        Ok(()) => json!({ "held": true }),
        Err(problem) => json!({ "held": false, "problem": problem }),
    };
    // What a provider stated later is in the subject but, in an older history, in no event.
    let subject: Value = tx
        .query_row("SELECT subject FROM payments WHERE pid = ?1", [pid], |r| r.get::<_, String>(0))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null);
    let mut data = json!({ "sealed": sealed });
    for key in STATED_LATER {
        if let Some(value) = subject.get(*key) {
            data[*key] = value.clone();
        }
    }
    append(tx, payment_id, NewEvent::note(now, message, data))?;
    Ok(())
}
