//! Profiles: the built-in Sandbox (the default on first run) and Production.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::codes::{CodedError, ErrorCode};
use crate::store::{self, Store, StoreError};

/// Settings that belong to the app rather than to one profile are filed under this name.
const APP_SCOPE: &str = "app";
const ACTIVE_PROFILE_KEY: &str = "active_profile";
/// Set once the main file holds no Sandbox payments (`move_legacy_sandbox_payments`).
const HISTORIES_APART_KEY: &str = "histories_apart";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The in-process provider simulator: fixed demo credentials, no real money.
    Sandbox,
    /// The real provider hosts, with credentials from the OS keyring.
    Production,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Sandbox => "sandbox",
            Profile::Production => "production",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sandbox" => Ok(Profile::Sandbox),
            "production" => Ok(Profile::Production),
            other => Err(format!("unknown profile '{other}' — expected sandbox or production")),
        }
    }
}

/// The active profile; Sandbox until someone chooses otherwise.
pub fn active(conn: &Connection) -> Result<Profile, StoreError> {
    match store::get_setting(conn, APP_SCOPE, ACTIVE_PROFILE_KEY)? {
        Some(text) => text.parse().map_err(StoreError::Corrupt),
        None => Ok(Profile::Sandbox),
    }
}

pub fn set_active(conn: &Connection, profile: Profile, now_ms: i64) -> Result<(), StoreError> {
    store::set_setting(conn, APP_SCOPE, ACTIVE_PROFILE_KEY, profile.as_str(), now_ms)
}

/// Why the active profile may not be left now, if it may not: a restart would leave payments
/// still being sent, checked or ticketed to the other profile's start, which never follows them
/// up. They finish first (or wait for a person) in the profile they were taken in.
pub fn switch_refusal(history: &Connection) -> Result<Option<CodedError>, StoreError> {
    let open = store::payments_in_flight(history)?;
    if open.is_empty() {
        return Ok(None);
    }
    let list: Vec<String> = open
        .iter()
        .map(|p| format!("{} ({}, {})", p.reference, p.provider.display_name(), p.status.as_str()))
        .collect();
    Ok(Some(CodedError::new(ErrorCode::ProfileBusy).with("payments", list.join(", "))))
}

/// The folder of a profile's payment history inside the data dir. Production's is the data dir
/// itself (its `farepoint.sqlite3` also holds the settings of both profiles and the app's
/// preferences); the Sandbox keeps its own history in `sandbox/`, so no Production list, total,
/// export, receipt or follow-up can ever see a Sandbox payment, nor the other way round.
pub fn history_dir(data_dir: &Path, profile: Profile) -> PathBuf {
    match profile {
        Profile::Production => data_dir.to_path_buf(),
        Profile::Sandbox => data_dir.join("sandbox"),
    }
}

/// Before histories were kept apart, Sandbox payments were written to the main file (`main`, in
/// `data_dir`) beside the Production ones. Moves any such payments — with their attempts, tickets
/// and timelines, hash chains intact — into the Sandbox history, then out of the main file.
/// Copied first and committed, then removed: a stop in between leaves a copy in both, which the
/// next start finishes (a payment already copied is recognised by its id). Returns how many moved.
/// Once the main file has been checked (and emptied of Sandbox payments), this is noted in it, so
/// later starts do not read every payment again.
pub fn move_legacy_sandbox_payments(main: &Store, data_dir: &Path) -> Result<usize, StoreError> {
    let count = |c: &Connection| -> Result<i64, StoreError> {
        Ok(c.query_row("SELECT count(*) FROM payments WHERE profile = 'sandbox'", [], |r| r.get(0))?)
    };
    let checked = |c: &Connection| store::get_setting(c, APP_SCOPE, HISTORIES_APART_KEY);
    if main.read_blocking(move |c| checked(c))?.is_some() {
        return Ok(0);
    }
    let note_checked =
        |c: &Connection| store::set_setting(c, APP_SCOPE, HISTORIES_APART_KEY, "1", crate::now_ms());
    if main.read_blocking(move |c| count(c))? == 0 {
        main.write_blocking(move |c| note_checked(c))?;
        return Ok(0);
    }
    // The Sandbox history, created and brought up to date by the usual path.
    let sandbox_dir = history_dir(data_dir, Profile::Sandbox);
    drop(Store::open_in(&sandbox_dir)?);
    let sandbox_db = sandbox_dir.join(store::DB_FILE).to_string_lossy().into_owned();
    let held = main.write_blocking(move |c| {
        // Each timeline checked with the key that sealed it here, before it leaves.
        let held = legacy_timelines_held(c)?;
        c.execute("ATTACH DATABASE ?1 AS sb", [&sandbox_db])?;
        let moved = move_attached(c);
        let detached = c.execute("DETACH DATABASE sb", []);
        moved?;
        detached?;
        note_checked(c)?;
        Ok(held)
    })?;
    // There, sealed again with the Sandbox's key at the end of its history.
    let n = held.len();
    Store::open_in(&sandbox_dir)?.write_blocking(move |c| store::reseal_moved(c, held, crate::now_ms()))?;
    tracing::info!(count = n, "Sandbox payments moved out of the Production history");
    Ok(n)
}

/// Whether each Sandbox payment's timeline in the main file holds together, by payment id.
fn legacy_timelines_held(c: &Connection) -> Result<Vec<store::Moved>, StoreError> {
    let ids: Vec<String> = {
        let mut stmt = c.prepare("SELECT id FROM payments WHERE profile = 'sandbox' ORDER BY pid")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    ids.into_iter()
        .map(|id| {
            let held = store::check_timeline(c, &id)?.map_err(|e| e.to_string());
            Ok((id, held))
        })
        .collect()
}

/// The copy into `sb` (new `pid`s there, found again by payment id) and the removal from `main`.
fn move_attached(c: &mut Connection) -> Result<(), StoreError> {
    const LEGACY: &str = "SELECT pid, id FROM main.payments WHERE profile = 'sandbox'";
    let tx = c.transaction()?;
    tx.execute_batch(&format!(
        "INSERT INTO sb.payments (id, reference, provider, profile, status, amount_minor, currency, customer, \
             subject, subject_key, card_brand, card_last4, card_holder, card_expiry_month, card_expiry_year, \
             created_at_ms, updated_at_ms) \
         SELECT id, reference, provider, profile, status, amount_minor, currency, customer, subject, \
             subject_key, card_brand, card_last4, card_holder, card_expiry_month, card_expiry_year, \
             created_at_ms, updated_at_ms \
         FROM main.payments WHERE profile = 'sandbox' AND id NOT IN (SELECT id FROM sb.payments) ORDER BY pid;
         CREATE TEMP TABLE pid_map AS SELECT l.pid AS old, s.pid AS new FROM ({LEGACY}) l JOIN sb.payments s ON s.id = l.id;
         INSERT OR IGNORE INTO sb.tickets (pid, number, passenger, kind, issued_at_ms)
             SELECT m.new, t.number, t.passenger, t.kind, t.issued_at_ms FROM main.tickets t JOIN pid_map m ON m.old = t.pid;
         INSERT OR IGNORE INTO sb.attempts (id, pid, seq, idempotency_key, status, provider_ref, error_code, \
             error_message, next_poll_at_ms, created_at_ms, updated_at_ms, watched_ms)
             SELECT a.id, m.new, a.seq, a.idempotency_key, a.status, a.provider_ref, a.error_code, a.error_message, \
                 a.next_poll_at_ms, a.created_at_ms, a.updated_at_ms, a.watched_ms
             FROM main.attempts a JOIN pid_map m ON m.old = a.pid;
         INSERT OR IGNORE INTO sb.events (pid, seq, at_ms, body, hash)
             SELECT m.new, e.seq, e.at_ms, e.body, e.hash FROM main.events e JOIN pid_map m ON m.old = e.pid;
         DROP TABLE temp.pid_map;"
    ))?;
    tx.commit()?;
    // Now out of the main file. Its timeline is append-only to everything else: the guard is
    // lifted for these rows only, inside this transaction, and put back as it was.
    let tx = c.transaction()?;
    // The places they leave behind are recorded, sealed, so "verify" knows them from a deletion.
    store::record_moved_out(&tx, &format!("SELECT pid FROM ({LEGACY})"))?;
    tx.execute_batch(&format!(
        "DROP TRIGGER main.events_no_delete;
         DELETE FROM main.events WHERE pid IN (SELECT pid FROM ({LEGACY}));
         DELETE FROM main.tickets WHERE pid IN (SELECT pid FROM ({LEGACY}));
         DELETE FROM main.attempts WHERE pid IN (SELECT pid FROM ({LEGACY}));
         DELETE FROM main.payments WHERE profile = 'sandbox';
         CREATE TRIGGER main.events_no_delete BEFORE DELETE ON events
         BEGIN
             SELECT RAISE(ABORT, 'timeline events are append-only');
         END;"
    ))?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_is_the_default_and_a_choice_persists() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        assert_eq!(store.read_blocking(|c| active(c)).unwrap(), Profile::Sandbox);
        store.write_blocking(|c| set_active(c, Profile::Production, 1)).unwrap();
        drop(store);
        let store = Store::open_in(dir.path()).unwrap();
        assert_eq!(store.read_blocking(|c| active(c)).unwrap(), Profile::Production);
        assert!("staging".parse::<Profile>().is_err());
    }
}
