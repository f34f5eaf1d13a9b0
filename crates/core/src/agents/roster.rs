//! The `agents` table (v9) of the main file: each agent's row, their PIN's hash and its wrong
//! tries. Plain functions over a connection; `Desk` runs them on the store's threads.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::Agent;
use crate::store::{self, StoreError};

/// Where the desk's last chosen agent is kept (a preference of the app, beside the locale).
const APP_SCOPE: &str = "app";
const CURRENT_KEY: &str = "current_agent";

const AGENT_COLUMNS: &str =
    "id, name, supervisor, pin_hash IS NOT NULL, removed_at_ms IS NOT NULL, created_at_ms, updated_at_ms";

fn agent_from_row(r: &Row<'_>) -> rusqlite::Result<Agent> {
    Ok(Agent {
        id: r.get(0)?,
        name: r.get(1)?,
        supervisor: r.get(2)?,
        has_pin: r.get(3)?,
        removed: r.get(4)?,
        created_at_ms: r.get(5)?,
        updated_at_ms: r.get(6)?,
    })
}

/// Every agent the desk ever had, removed ones too, in the order they were added.
pub fn all(conn: &Connection) -> Result<Vec<Agent>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY created_at_ms, id"))?;
    let rows = stmt.query_map([], agent_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<Agent>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = ?1"))?
        .query_row([id], agent_from_row)
        .optional()?)
}

/// Whether an agent at work (not removed) other than `except` goes by `key`.
pub fn name_in_use(conn: &Connection, key: &str, except: Option<&str>) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM agents WHERE name_key = ?1 AND removed_at_ms IS NULL AND id IS NOT ?2",
        )?
        .query_row(params![key, except], |_| Ok(()))
        .optional()?
        .is_some())
}

pub fn insert(conn: &Connection, agent: &Agent, key: &str, pin_hash: Option<&str>) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO agents (id, name, name_key, supervisor, pin_hash, created_at_ms, updated_at_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            agent.id,
            agent.name,
            key,
            agent.supervisor,
            pin_hash,
            agent.created_at_ms,
            agent.updated_at_ms
        ],
    )?;
    Ok(())
}

/// A new name and supervisor flag for an agent at work; `false` when there is no such agent.
pub fn update(
    conn: &Connection,
    id: &str,
    name: &str,
    key: &str,
    supervisor: bool,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE agents SET name = ?2, name_key = ?3, supervisor = ?4, updated_at_ms = ?5 \
         WHERE id = ?1 AND removed_at_ms IS NULL",
        params![id, name, key, supervisor, now],
    )? == 1)
}

/// A new PIN hash (or none), which also forgives the wrong tries of the old one.
pub fn set_pin_hash(conn: &Connection, id: &str, hash: Option<&str>, now: i64) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE agents SET pin_hash = ?2, pin_failures = 0, pin_wait_until_ms = NULL, updated_at_ms = ?3 \
         WHERE id = ?1 AND removed_at_ms IS NULL",
        params![id, hash, now],
    )? == 1)
}

/// Takes an agent off the desk. Their row stays: the history names them.
pub fn remove(conn: &Connection, id: &str, now: i64) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE agents SET removed_at_ms = ?2, pin_hash = NULL, updated_at_ms = ?2 \
         WHERE id = ?1 AND removed_at_ms IS NULL",
        params![id, now],
    )? == 1)
}

/// What a PIN check needs of an agent at work: their PIN's hash, the wrong tries in a row and
/// until when the next must wait. `None` for an agent removed or unknown.
pub struct PinState {
    pub hash: Option<String>,
    pub failures: u32,
    pub wait_until_ms: Option<i64>,
}

pub fn pin_state(conn: &Connection, id: &str) -> Result<Option<PinState>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT pin_hash, pin_failures, pin_wait_until_ms FROM agents WHERE id = ?1 AND removed_at_ms IS NULL",
        )?
        .query_row([id], |r| Ok(PinState { hash: r.get(0)?, failures: r.get(1)?, wait_until_ms: r.get(2)? }))
        .optional()?)
}

/// Records the outcome of a PIN check: the wrong tries in a row (0 after the right PIN) and the
/// wait they cost.
pub fn note_tries(
    conn: &Connection,
    id: &str,
    failures: u32,
    wait_until_ms: Option<i64>,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE agents SET pin_failures = ?2, pin_wait_until_ms = ?3 WHERE id = ?1",
        params![id, failures, wait_until_ms],
    )?;
    Ok(())
}

/// The agent last chosen at this desk, if any.
pub fn last_chosen(conn: &Connection) -> Result<Option<String>, StoreError> {
    store::get_setting(conn, APP_SCOPE, CURRENT_KEY)
}

pub fn note_chosen(conn: &Connection, id: &str, now: i64) -> Result<(), StoreError> {
    store::set_setting(conn, APP_SCOPE, CURRENT_KEY, id, now)
}
