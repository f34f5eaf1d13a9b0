//! The local history: a SQLite file in the OS app-data dir, one per profile (docs/design.md §9).
//!
//! WAL, foreign keys and `synchronous=FULL`, so a committed journal entry survives a power cut.
//! All writes go through one connection on its own thread (SQLite has one writer anyway);
//! reads go through a second, read-only connection on another thread, so a long search never
//! delays a payment's journal entry. Both are reachable from async code and from plain threads.
//!
//! Card numbers and CVVs have no column anywhere: a card appears only as brand, last 4, holder
//! and expiry (a test reads the schema to keep it so).
//!
//! Payments are named by their id everywhere outside; inside, attempts, tickets and events refer
//! to the payment's integer `pid`. Timeline events are stored compressed (`store/codec.rs`).

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::thread;

/// The connection type of `Store::open_read_only`, for callers without their own rusqlite.
pub use rusqlite::Connection;
use rusqlite::{params, OpenFlags, OptionalExtension, Row, Transaction};
use rusqlite_migration::{HookError, Migrations, M};

use crate::agents::Actor;
use crate::card::{CardBrand, CardSummary};
use crate::money::{Currency, Money};
use crate::payment::{
    Attempt, ChainError, IllegalTransition, NewEvent, Payment, Provider, Status, Ticket, TicketKind,
    TimelineEvent, GENESIS_HASH,
};
use crate::seal::{Anchor, Head, Sealing};
use crate::subject::Subject;

/// The database file's name inside the data dir.
pub const DB_FILE: &str = "farepoint.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("could not bring the database schema up to date: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("could not create the data folder {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("the database has been closed")]
    Closed,
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: String },
    #[error(transparent)]
    Transition(#[from] IllegalTransition),
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error("a stored value could not be read back ({0}) — the database may have been edited by hand")]
    Corrupt(String),
    #[error("a timeline event could not be stored: {0}")]
    Event(String),
    #[error("the history cannot be sealed or its seals checked: {0}")]
    Seal(String),
    #[error("'{0}' looks like a secret; secrets belong in the OS keyring, not in the settings table")]
    SecretInSettings(String),
    #[error(
        "this history was written by a newer Farepoint (history version {found}; this Farepoint \
         reads up to {supported}) — install the newer Farepoint, or restore the copy kept before \
         it upgraded (see the README, \"Where your data lives\")"
    )]
    TooNew { found: i64, supported: i64 },
    #[error(
        "this history is from an older Farepoint (history version {found}; this one reads \
         {supported}) — open the Farepoint app once to bring it up to date"
    )]
    NeedsUpgrade { found: i64, supported: i64 },
    #[error(
        "could not keep a copy of the history before upgrading it ({path}: {source}) — nothing was \
         changed; free some disk space and start Farepoint again"
    )]
    Backup { path: PathBuf, source: rusqlite::Error },
}

impl StoreError {
    /// The database file is not a database (damaged, or another kind of file).
    pub fn is_corrupt_file(&self) -> bool {
        matches!(self, StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt))
    }

    /// What went wrong opening the history in `data_dir`, and what to do about it, in words for
    /// the desk (the window's start-up message and the command line say the same).
    pub fn explain(&self, data_dir: &Path) -> String {
        let db = data_dir.join(DB_FILE);
        if self.is_corrupt_file() {
            format!(
                "The payment history {} is damaged or is not a Farepoint history, so Farepoint will not \
                 use it. Do not delete it. Restore the latest copy (see the README, \"Where your data \
                 lives\"), or move the file aside to start an empty history, and keep it for support.",
                db.display()
            )
        } else if self.is_locked() {
            format!(
                "The payment history {} is locked by another program (a backup tool, a database viewer). \
                 Close that program, then try again.",
                db.display()
            )
        } else {
            format!("Farepoint could not open its payment history ({}): {self}", db.display())
        }
    }

    /// Another program holds the database locked.
    pub fn is_locked(&self) -> bool {
        matches!(self, StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

mod codec;
#[doc(hidden)]
pub use codec::body_json;
mod refunds;
pub use refunds::{get_refund, insert_refund, refunds_for, refunds_in_status, update_refund};
mod sealing;
pub use sealing::{check_events, check_timeline, gaps, head, key_matches, record_moved_out};

/// The history version this Farepoint writes (the number of migration steps).
pub const SCHEMA_VERSION: i64 = 9;

/// Schema versions, oldest first. Never edit a shipped step: add a new one (and raise
/// `SCHEMA_VERSION`).
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("store/001_initial.sql")),
        M::up(include_str!("store/002_history.sql")),
        M::up(include_str!("store/003_events_rowid.sql")),
        M::up_with_hook(include_str!("store/004_compact.sql"), |tx: &Transaction<'_>| {
            copy_events_to_v4(tx)?;
            tx.execute_batch(include_str!("store/004_compact_finish.sql"))?;
            Ok(())
        }),
        M::up(include_str!("store/005_watched.sql")),
        M::up_with_hook(include_str!("store/006_refunds.sql"), |tx: &Transaction<'_>| {
            refunds::carry_over_v6(tx)
        }),
        M::up_with_hook(include_str!("store/007_seal.sql"), |tx: &Transaction<'_>| {
            sealing::seal_v7(tx)?;
            tx.execute_batch(include_str!("store/007_seal_finish.sql"))?;
            Ok(())
        }),
        M::up(include_str!("store/008_open_providers.sql")).foreign_key_check(),
        M::up(include_str!("store/009_agents.sql")),
    ])
}

/// The v4 migration's middle step: every event into `events_v4`, its kind, status change,
/// message and data compressed into one body as they are stored, its `prev_hash` left behind (it
/// is the previous row's hash). Nothing is parsed or checked here: a row edited by hand must not
/// stop the upgrade (and so the app); it is carried over as it is and "verify history" reports it.
fn copy_events_to_v4(tx: &Transaction<'_>) -> Result<(), HookError> {
    let mut read = tx.prepare(
        "SELECT p.rowid, e.seq, e.at_ms, e.kind, e.status_before, e.status_after, e.message, e.data, e.hash \
         FROM events e JOIN payments p ON p.id = e.payment_id ORDER BY p.rowid, e.seq",
    )?;
    let mut write =
        tx.prepare("INSERT INTO events_v4 (pid, seq, at_ms, body, hash) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let (kind, before, after, message, data): (String, Option<String>, Option<String>, String, String) =
            (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?);
        // The data as it was written; text SQLite took as JSON but serde does not (`1e999`) is
        // kept as a string, which then fails its hash and is reported.
        let json = match serde_json::value::RawValue::from_string(data.clone()) {
            Ok(raw) => serde_json::to_vec(&(kind, before, after, message, raw)),
            Err(_) => serde_json::to_vec(&(kind, before, after, message, data)),
        }
        .map_err(|e| HookError::Hook(e.to_string()))?;
        let body = codec::compress(&json).map_err(HookError::Hook)?;
        write.execute(params![
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            body,
            r.get::<_, Vec<u8>>(8)?
        ])?;
    }
    Ok(())
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// A connection owned by one thread, fed closures through a channel.
struct ConnectionThread {
    jobs: mpsc::Sender<Job>,
}

/// What the writer does after each job: hand a new head of the history to the anchor.
type AfterJob = Box<dyn FnMut(&Connection) + Send>;

impl ConnectionThread {
    fn spawn(name: &str, conn: Connection, mut after: Option<AfterJob>) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let mut conn = conn;
                // Ends when every Store handle (and so every sender) is gone.
                for job in queue {
                    job(&mut conn);
                    if let Some(after) = after.as_mut() {
                        after(&conn);
                    }
                }
            })
            .expect("spawn database thread");
        ConnectionThread { jobs }
    }

    fn submit<T, F>(&self, f: F) -> Result<tokio::sync::oneshot::Receiver<Result<T>>>
    where
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |conn| {
                let _ = tx.send(f(conn));
            }))
            .map_err(|_| StoreError::Closed)?;
        Ok(rx)
    }
}

/// A handle to the database. Cheap to clone; the threads close when the last handle drops.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

// Fields drop in this order: the writer's queue closes first, so the anchor thread hears the
// last head before it is joined.
struct Inner {
    writer: ConnectionThread,
    reader: ConnectionThread,
    path: PathBuf,
    /// The key both connections seal with (or why there is none), for connections of its own.
    key: std::result::Result<crate::seal::SealKey, String>,
    anchor: Option<Arc<Anchor>>,
    _anchoring: Option<AnchorThread>,
}

/// Keeps the newest head in the keyring, a moment behind the writer (a burst of events is one
/// keyring write). Joined when the store closes, so the last head is kept.
struct AnchorThread(Option<thread::JoinHandle<()>>);

impl Drop for AnchorThread {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            let _ = handle.join();
        }
    }
}

fn spawn_anchor(anchor: Arc<Anchor>) -> (AfterJob, AnchorThread) {
    let (heads, queue) = mpsc::channel::<Head>();
    let handle = thread::Builder::new()
        .name("farepoint-anchor".into())
        .spawn(move || {
            let keep = |head: Head| {
                if let Err(e) = anchor.save(&head) {
                    tracing::warn!("could not keep the history's newest seal in the keyring: {e}");
                }
            };
            while let Ok(mut head) = queue.recv() {
                loop {
                    match queue.recv_timeout(std::time::Duration::from_millis(300)) {
                        Ok(newer) => head = newer,
                        Err(mpsc::RecvTimeoutError::Timeout) => break,
                        Err(mpsc::RecvTimeoutError::Disconnected) => return keep(head),
                    }
                }
                keep(head);
            }
        })
        .expect("spawn anchor thread");
    let mut last: Option<Head> = None;
    let after: AfterJob = Box::new(move |conn: &Connection| {
        // Read from the file, so only what was committed is ever anchored.
        if let Ok(Some(head)) = sealing::head(conn) {
            if last != Some(head) {
                last = Some(head);
                let _ = heads.send(head);
            }
        }
    });
    (after, AnchorThread(Some(handle)))
}

impl Store {
    /// Opens (creating if needed) `<data_dir>/farepoint.sqlite3` and migrates it, sealed with the
    /// demo key (tests, samples; the app opens each profile's history with `open_in_sealed`).
    pub fn open_in(data_dir: &Path) -> Result<Store> {
        Store::open_in_sealed(data_dir, &Sealing::demo())
    }

    /// As `open_in`, sealed as `sealing` says.
    pub fn open_in_sealed(data_dir: &Path, sealing: &Sealing) -> Result<Store> {
        private_dir(data_dir)
            .map_err(|source| StoreError::DataDir { path: data_dir.to_path_buf(), source })?;
        Store::open_sealed(&data_dir.join(DB_FILE), sealing)
    }

    /// Opens the database file at `path` with the demo key (see `open_in`).
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_sealed(path, &Sealing::demo())
    }

    /// Opens the database file at `path`, applies the pragmas and every pending migration, and
    /// gives both connections the history's key.
    pub fn open_sealed(path: &Path, sealing: &Sealing) -> Result<Store> {
        private_file(path)?;
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        let mode: String = writer.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!("journal_mode is {mode}, expected wal")));
        }
        let version: i64 = writer.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew { found: version, supported: SCHEMA_VERSION });
        }
        if (1..SCHEMA_VERSION).contains(&version) {
            backup_before_upgrade(&writer, path, version)?;
        }
        let key = sealing.key(&writer, true);
        crate::seal::install(&writer, key.clone())?;
        migrations().to_latest(&mut writer)?;
        // The key recorded first, or checked against the record. Another key seals nothing
        // more (the writer refuses, saying why); readers keep it, so "verify" can say so.
        let recorded = if key.is_ok() { sealing::key_matches(&writer)? } else { None };
        match (&key, recorded) {
            (Ok(_), None) => {
                writer.execute(
                    "INSERT INTO seal (id, key_check) VALUES (1, ?1)",
                    [sealing::key_check(&writer)?.as_slice()],
                )?;
            }
            (Ok(_), Some(false)) => {
                let refused = "this history was sealed with another key than the one in this computer's keyring \
                               — nothing more is sealed until that is sorted out (restore the keyring, or the history)";
                tracing::error!("{refused}");
                crate::seal::install(&writer, Err(refused.to_string()))?;
            }
            _ => {}
        }
        if (1..4).contains(&version) {
            // v4 rewrote the history into about a third of the pages; give the rest back to the
            // disk (and empty the WAL the copy went through). Only space is at stake: a failure
            // (a full disk) is logged and the app goes on with the larger file.
            let started = std::time::Instant::now();
            match writer.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);") {
                Ok(()) => tracing::info!(
                    secs = started.elapsed().as_secs_f64(),
                    "history compacted after upgrading to v4"
                ),
                Err(e) => tracing::warn!(error = %e, "could not compact the history after upgrading to v4"),
            }
        }

        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        configure(&reader)?;
        crate::seal::install(&reader, key.clone())?;
        let anchor = sealing.anchor(path).map(Arc::new);
        let (after, anchoring) = match &anchor {
            Some(anchor) => {
                let (after, thread) = spawn_anchor(anchor.clone());
                (Some(after), Some(thread))
            }
            None => (None, None),
        };
        Ok(Store {
            inner: Arc::new(Inner {
                writer: ConnectionThread::spawn("farepoint-db-writer", writer, after),
                reader: ConnectionThread::spawn("farepoint-db-reader", reader, None),
                path: path.to_path_buf(),
                key,
                anchor,
                _anchoring: anchoring,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// A read-only connection of its own, able to check seals, for long reads that should not
    /// queue behind the store's reader (an export, "verify").
    pub fn own_reader(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.inner.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        steady_plans(&conn)?;
        crate::seal::install(&conn, self.inner.key.clone())?;
        Ok(conn)
    }

    /// The history's newest seal as this computer last kept it outside the file, if it keeps one.
    /// Reads the keyring: call from a blocking thread.
    pub fn anchored_head(&self) -> std::result::Result<Option<Head>, String> {
        match &self.inner.anchor {
            None => Ok(None),
            Some(anchor) => anchor.load().map_err(|e| e.to_string()),
        }
    }

    /// A read-only connection to an existing history, for tools that run beside the app
    /// (`farepoint export`, `farepoint verify`): it never migrates, vacuums or writes, and works
    /// while the app has the history open. A history of another version is refused plainly.
    pub fn open_read_only(path: &Path) -> Result<Connection> {
        Store::open_read_only_sealed(path, &Sealing::demo())
    }

    /// As `open_read_only`, able to check seals with `sealing`'s key (never making one).
    pub fn open_read_only_sealed(path: &Path, sealing: &Sealing) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        steady_plans(&conn)?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        match version {
            v if v > SCHEMA_VERSION => Err(StoreError::TooNew { found: v, supported: SCHEMA_VERSION }),
            v if v < SCHEMA_VERSION => Err(StoreError::NeedsUpgrade { found: v, supported: SCHEMA_VERSION }),
            _ => {
                let key = sealing.key(&conn, false);
                crate::seal::install(&conn, key)?;
                Ok(conn)
            }
        }
    }

    /// Runs `f` on the writer connection.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.inner.writer.submit(f)?.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `f` on the read-only connection.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.inner.reader.submit(f)?.await.map_err(|_| StoreError::Closed)?
    }

    /// As `write`, for callers outside an async runtime (CLI, start-up). Do not call from async code.
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.inner.writer.submit(f)?.blocking_recv().map_err(|_| StoreError::Closed)?
    }

    /// As `read`, for callers outside an async runtime.
    pub fn read_blocking<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.inner.reader.submit(f)?.blocking_recv().map_err(|_| StoreError::Closed)?
    }
}

/// Where the copy of a version-`version` history is kept before it is upgraded:
/// `farepoint.sqlite3.bak-v<version>` beside it (`.2`, `.3` … if that name is taken).
/// Creates `dir` if needed, readable by this user only (`0700` on Unix): the history, its
/// backups and the desk lock live there.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A file system without Unix permissions (or a folder someone else owns) keeps its own.
        if let Err(e) = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)) {
            tracing::warn!(dir = %dir.display(), "could not make the folder private: {e}");
        }
    }
    Ok(())
}

/// Makes sure the history file exists readable and writable by this user only (`0600` on Unix)
/// before SQLite opens it: SQLite gives its `-wal` and `-shm` files the same permissions.
fn private_file(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let dir_error = |source| StoreError::DataDir { path: path.to_path_buf(), source };
        if !path.exists() {
            std::fs::OpenOptions::new()
                .create_new(true)
                .write(true)
                .mode(0o600)
                .open(path)
                .map_err(dir_error)?;
        } else if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            tracing::warn!(file = %path.display(), "could not make the history private: {e}");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

pub fn backup_path(db: &Path, version: i64) -> PathBuf {
    let base = db.with_file_name(format!(
        "{}.bak-v{version}",
        db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| DB_FILE.into())
    ));
    let mut path = base.clone();
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = PathBuf::from(format!("{}.{n}", base.display()));
    }
    path
}

/// Copies the history, whole and consistent (WAL included), before a migration touches it. If
/// the copy cannot be made, nothing is upgraded and the app says why.
fn backup_before_upgrade(conn: &Connection, db: &Path, version: i64) -> Result<()> {
    let to = backup_path(db, version);
    let started = std::time::Instant::now();
    if let Err(source) = conn.execute("VACUUM INTO ?1", [to.to_string_lossy()]) {
        let _ = std::fs::remove_file(&to); // a partial copy is no copy
        return Err(StoreError::Backup { path: to, source });
    }
    tracing::info!(path = %to.display(), version, secs = started.elapsed().as_secs_f64(), "history copied before upgrading");
    Ok(())
}

fn configure(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", true)?;
    // FULL: a commit is on disk before it returns — the journal-before-send rule depends on it.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    steady_plans(conn)
}

/// A statement is planned once, whatever values it is given later (SQLite's query planner
/// stability guarantee). The bundled SQLite is built with STAT4: in a history that has been
/// analysed (`ANALYZE`, `PRAGMA optimize`, a database browser) it otherwise plans a statement
/// again at every new binding, from the values — the search index's own lookups were parsed
/// and planned afresh for each segment they read (most of a ticket search's time), and the
/// 30-day summary took `payments_status` or `payments_newest` over its covering index for 22
/// of the bench's 50 ranges, a table lookup per payment (docs/testing.md §6).
pub(crate) fn steady_plans(conn: &Connection) -> Result<()> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Payments

const PAYMENT_COLUMNS: &str = "id, reference, provider, profile, status, amount_minor, currency, customer, \
     subject, card_brand, card_last4, card_holder, card_expiry_month, card_expiry_year, created_at_ms, updated_at_ms, \
     subject_key, agent_id, agent_name";

fn corrupt(what: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, what.to_string().into())
}

fn parse_col<T: std::str::FromStr>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T::Err: std::fmt::Display,
{
    row.get::<_, String>(idx)?.parse().map_err(corrupt)
}

fn payment_from_row(row: &Row<'_>) -> rusqlite::Result<Payment> {
    let currency: Currency = parse_col(row, 6)?;
    let subject: String = row.get(8)?;
    let brand: Option<String> = row.get(9)?;
    let card = match brand {
        Some(brand) => Some(CardSummary {
            brand: serde_json::from_value::<CardBrand>(serde_json::Value::String(brand)).map_err(corrupt)?,
            last4: row.get(10)?,
            holder: row.get(11)?,
            expiry_month: row.get(12)?,
            expiry_year: row.get(13)?,
        }),
        None => None,
    };
    // The schema no longer lists the providers (v8): one it does not know is refused here,
    // naming the payment, rather than read as something it is not.
    let provider: Provider = row.get::<_, String>(2)?.parse().map_err(|e| {
        let id = row.get::<_, String>(0).unwrap_or_default();
        corrupt(format!("payment {id} cannot be read: {e} (was it edited by hand?)"))
    })?;
    Ok(Payment {
        id: row.get(0)?,
        reference: row.get(1)?,
        provider,
        profile: row.get(3)?,
        status: parse_col(row, 4)?,
        amount: Money::from_minor(row.get(5)?, currency),
        customer: row.get(7)?,
        subject: Subject::read(provider, &subject).map_err(corrupt)?,
        card,
        created_at_ms: row.get(14)?,
        updated_at_ms: row.get(15)?,
        subject_key: row.get(16)?,
        agent: Actor::from_columns(row.get(17)?, row.get(18)?),
    })
}

fn brand_text(brand: CardBrand) -> String {
    match serde_json::to_value(brand) {
        Ok(serde_json::Value::String(s)) => s,
        _ => unreachable!("CardBrand serializes as a string"),
    }
}

/// Inserts a new payment. Its timeline starts with the caller's first event. The customer's name
/// is redacted like everything else stored (a card number pasted as a name never reaches the
/// file); the subject is the provider's to check, as its free text is sent on (HeiPay refuses a
/// card number in it) and its tokens must stay as they are.
pub fn insert_payment(tx: &Transaction<'_>, p: &Payment) -> Result<()> {
    let card = p.card.as_ref();
    let customer = crate::redact::redact_text(&p.customer);
    // Cached: preparing an insert also compiles the search index's triggers.
    tx.prepare_cached(&format!(
        "INSERT INTO payments ({PAYMENT_COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)"
    ))?
    .execute(params![
            p.id,
            p.reference,
            p.provider.as_str(),
            p.profile,
            p.status.as_str(),
            p.amount.minor,
            p.amount.currency.code(),
            customer,
            p.subject.stored(),
            card.map(|c| brand_text(c.brand)),
            card.map(|c| c.last4.as_str()),
            card.map(|c| c.holder.as_str()),
            card.map(|c| c.expiry_month),
            card.map(|c| c.expiry_year),
            p.created_at_ms,
            p.updated_at_ms,
            p.subject_key,
            p.agent.as_ref().map(|a| a.id.as_str()),
            p.agent.as_ref().map(|a| crate::redact::redact_text(&a.name)),
    ])?;
    Ok(())
}

/// The id a child row (attempt, ticket, event) stores for its payment.
const PID_OF: &str = "(SELECT pid FROM payments WHERE id = ?1)";

pub fn get_payment(conn: &Connection, id: &str) -> Result<Payment> {
    conn.query_row(&format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = ?1"), [id], payment_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "payment", id: id.to_string() })
}

/// Newest first; `limit` rows starting after `offset`.
pub fn list_payments(conn: &Connection, limit: i64, offset: i64) -> Result<Vec<Payment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments ORDER BY created_at_ms DESC, pid DESC LIMIT ?1 OFFSET ?2"
    ))?;
    let rows = stmt.query_map(params![limit, offset], payment_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Moves a payment to `to` and records why, atomically: status check, update and event in one
/// transaction. An illegal move changes nothing.
pub fn transition_payment(
    tx: &Transaction<'_>,
    payment_id: &str,
    to: Status,
    mut event: NewEvent,
) -> Result<TimelineEvent> {
    let from: Status = tx
        .query_row("SELECT status FROM payments WHERE id = ?1", [payment_id], |r| parse_col(r, 0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "payment", id: payment_id.to_string() })?;
    from.transition(to)?;
    tx.execute(
        "UPDATE payments SET status = ?2, updated_at_ms = ?3 WHERE id = ?1",
        params![payment_id, to.as_str(), event.at_ms],
    )?;
    event.status_before = Some(from);
    event.status_after = Some(to);
    append_event(tx, payment_id, event)
}

/// Records the card a new attempt uses (the storable summary only).
pub fn set_payment_card(
    tx: &Transaction<'_>,
    payment_id: &str,
    card: &CardSummary,
    now_ms: i64,
) -> Result<()> {
    tx.execute(
        "UPDATE payments SET card_brand = ?2, card_last4 = ?3, card_holder = ?4, card_expiry_month = ?5, \
         card_expiry_year = ?6, updated_at_ms = ?7 WHERE id = ?1",
        params![
            payment_id,
            brand_text(card.brand),
            card.last4,
            card.holder,
            card.expiry_month,
            card.expiry_year,
            now_ms
        ],
    )?;
    Ok(())
}

/// Replaces what the payment is for (`subject`) — only with more of what the provider stated,
/// under the keys of `seal::STATED_LATER` (the payment's seals cover the rest of it).
pub fn set_payment_subject(
    tx: &Transaction<'_>,
    payment_id: &str,
    subject: &Subject,
    now_ms: i64,
) -> Result<()> {
    tx.execute(
        "UPDATE payments SET subject = ?2, updated_at_ms = ?3 WHERE id = ?1",
        params![payment_id, subject.stored(), now_ms],
    )?;
    Ok(())
}

/// Payments for the same thing (provider + subject key) that may still move money or are
/// waiting on a person: a new payment for that key must wait for them. `Paid` is not among
/// them: the engine only leaves a payment `Paid` once the charge is settled (ticketing
/// providers move on to `Ticketing` in the same transaction).
pub fn open_payments_for(conn: &Connection, provider: Provider, subject_key: &str) -> Result<Vec<Payment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments WHERE provider = ?1 AND subject_key = ?2 \
         AND status IN ('Submitting', 'Unknown', 'NeedsReview', 'Ticketing') ORDER BY created_at_ms"
    ))?;
    let rows = stmt.query_map(params![provider.as_str(), subject_key], payment_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Payments of this history that may still move money on their own: being sent, unclear (being
/// reconciled) or ticketing (being polled), oldest first.
pub fn payments_in_flight(conn: &Connection) -> Result<Vec<Payment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments WHERE status IN ('Submitting', 'Unknown', 'Ticketing') \
         ORDER BY created_at_ms"
    ))?;
    let rows = stmt.query_map([], payment_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------------------------------------
// Tickets

/// Records a ticket; `false` when the payment already had it (the engine sees tickets again on
/// later polls).
pub fn insert_ticket(tx: &Transaction<'_>, payment_id: &str, t: &Ticket) -> Result<bool> {
    // The payment is looked up first: OR IGNORE would also swallow the NOT NULL failure of an
    // unknown payment, and the ticket would be lost without a word.
    let pid: i64 = tx
        .prepare_cached("SELECT pid FROM payments WHERE id = ?1")?
        .query_row([payment_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "payment", id: payment_id.to_string() })?;
    let added = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO tickets (pid, number, passenger, kind, issued_at_ms) VALUES (?1,?2,?3,?4,?5)",
        )?
        .execute(params![pid, t.number, t.passenger, t.kind.as_str(), t.issued_at_ms])?;
    Ok(added == 1)
}

pub fn tickets_for(conn: &Connection, payment_id: &str) -> Result<Vec<Ticket>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT number, passenger, kind, issued_at_ms FROM tickets WHERE pid = {PID_OF} ORDER BY issued_at_ms, number"
    ))?;
    let rows = stmt.query_map([payment_id], |r| {
        let kind: String = r.get(2)?;
        Ok(Ticket {
            number: r.get(0)?,
            passenger: r.get(1)?,
            kind: if kind == "emd" { TicketKind::Emd } else { TicketKind::Ticket },
            issued_at_ms: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------------------------------------
// Attempts

/// Attempts with their payment's id, as `a`.
const ATTEMPT_SELECT: &str =
    "SELECT a.id, p.id, a.seq, a.idempotency_key, a.status, a.provider_ref, a.error_code, \
     a.error_message, a.next_poll_at_ms, a.created_at_ms, a.updated_at_ms, a.watched_ms, a.agent_id, a.agent_name \
     FROM attempts a JOIN payments p ON p.pid = a.pid";

fn attempt_from_row(row: &Row<'_>) -> rusqlite::Result<Attempt> {
    Ok(Attempt {
        id: row.get(0)?,
        payment_id: row.get(1)?,
        seq: row.get(2)?,
        idempotency_key: row.get(3)?,
        status: parse_col(row, 4)?,
        provider_ref: row.get(5)?,
        error_code: row.get(6)?,
        error_message: row.get(7)?,
        next_poll_at_ms: row.get(8)?,
        created_at_ms: row.get(9)?,
        updated_at_ms: row.get(10)?,
        watched_ms: row.get(11)?,
        agent: Actor::from_columns(row.get(12)?, row.get(13)?),
    })
}

pub fn insert_attempt(tx: &Transaction<'_>, a: &Attempt) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO attempts (pid, id, seq, idempotency_key, status, provider_ref, error_code, error_message, \
         next_poll_at_ms, created_at_ms, updated_at_ms, watched_ms, agent_id, agent_name) \
         VALUES ((SELECT pid FROM payments WHERE id = ?1),?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
    )?
    .execute(params![
            a.payment_id,
            a.id,
            a.seq,
            a.idempotency_key,
            a.status.as_str(),
            a.provider_ref,
            a.error_code.as_deref().map(crate::redact::redact_text),
            a.error_message.as_deref().map(crate::redact::redact_text),
            a.next_poll_at_ms,
            a.created_at_ms,
            a.updated_at_ms,
            a.watched_ms,
            a.agent.as_ref().map(|a| a.id.as_str()),
            a.agent.as_ref().map(|a| crate::redact::redact_text(&a.name)),
    ])?;
    Ok(())
}

/// Writes back an attempt's mutable fields (status, provider answer, next poll).
pub fn update_attempt(tx: &Transaction<'_>, a: &Attempt) -> Result<()> {
    let changed = tx
        .prepare_cached(
            "UPDATE attempts SET status = ?2, provider_ref = ?3, error_code = ?4, error_message = ?5, \
         next_poll_at_ms = ?6, updated_at_ms = ?7, watched_ms = ?8 WHERE id = ?1",
        )?
        .execute(params![
            a.id,
            a.status.as_str(),
            a.provider_ref,
            a.error_code.as_deref().map(crate::redact::redact_text),
            a.error_message.as_deref().map(crate::redact::redact_text),
            a.next_poll_at_ms,
            a.updated_at_ms,
            a.watched_ms
        ])?;
    if changed == 0 {
        return Err(StoreError::NotFound { what: "attempt", id: a.id.clone() });
    }
    Ok(())
}

pub fn attempts_for(conn: &Connection, payment_id: &str) -> Result<Vec<Attempt>> {
    let mut stmt = conn.prepare_cached(&format!("{ATTEMPT_SELECT} WHERE a.pid = {PID_OF} ORDER BY a.seq"))?;
    let rows = stmt.query_map([payment_id], attempt_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Moves an attempt's next poll to `at_ms`, if it still has one (a settled attempt stays
/// settled; nothing else of the attempt is touched).
pub fn postpone_poll(conn: &Connection, attempt_id: &str, at_ms: i64) -> Result<()> {
    conn.execute(
        "UPDATE attempts SET next_poll_at_ms = ?2 WHERE id = ?1 AND next_poll_at_ms IS NOT NULL",
        params![attempt_id, at_ms],
    )?;
    Ok(())
}

/// Attempts whose next poll time has come, soonest first.
pub fn attempts_due(conn: &Connection, now_ms: i64, limit: i64) -> Result<Vec<Attempt>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{ATTEMPT_SELECT} WHERE a.next_poll_at_ms IS NOT NULL AND a.next_poll_at_ms <= ?1 \
         ORDER BY a.next_poll_at_ms LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![now_ms, limit], attempt_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The earliest scheduled poll, if any attempt has one.
pub fn next_poll_at(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn.query_row("SELECT min(next_poll_at_ms) FROM attempts", [], |r| r.get(0))?)
}

pub fn get_attempt(conn: &Connection, id: &str) -> Result<Attempt> {
    conn.query_row(&format!("{ATTEMPT_SELECT} WHERE a.id = ?1"), [id], attempt_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "attempt", id: id.to_string() })
}

/// Attempts in a given status, oldest first (start-up reconciliation looks for `Submitting`).
pub fn attempts_in_status(conn: &Connection, status: Status) -> Result<Vec<Attempt>> {
    let mut stmt =
        conn.prepare_cached(&format!("{ATTEMPT_SELECT} WHERE a.status = ?1 ORDER BY a.created_at_ms, a.id"))?;
    let rows = stmt.query_map([status.as_str()], attempt_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------------------------------------
// Timeline

fn hash_col(row: &Row<'_>, idx: usize) -> rusqlite::Result<[u8; 32]> {
    let bytes: Vec<u8> = row.get(idx)?;
    bytes.try_into().map_err(|_| corrupt("hash is not 32 bytes"))
}

/// Seals `event` onto the end of the payment's chain and stores it.
pub fn append_event(tx: &Transaction<'_>, payment_id: &str, event: NewEvent) -> Result<TimelineEvent> {
    sealing::append(tx, payment_id, redacted(event))
}

/// As `append_event` for several events of one payment, in order, sealed in one pass (the
/// payment and its last event are read once: a bulk load of whole timelines).
pub fn append_events(
    tx: &Transaction<'_>,
    payment_id: &str,
    events: Vec<NewEvent>,
) -> Result<Vec<TimelineEvent>> {
    sealing::append_all(tx, payment_id, events.into_iter().map(redacted).collect())
}

/// Whatever an event was made from — a provider's sentence, an error, an exchange — no card
/// number or secret reaches the stored timeline.
fn redacted(mut event: NewEvent) -> NewEvent {
    if let std::borrow::Cow::Owned(masked) = crate::redact::redact_text(&event.message) {
        event.message = masked;
    }
    crate::redact::redact(&mut event.data);
    event
}

/// A payment moving between histories, and whether its timeline held together where it was.
pub type Moved = (String, std::result::Result<(), String>);

/// Seals payments just moved into this history from another (whose key is not this one's), each
/// with whether its timeline held together there.
pub fn reseal_moved(c: &mut Connection, moved: Vec<Moved>, now: i64) -> Result<()> {
    let tx = c.transaction()?;
    tx.execute_batch("DROP TRIGGER events_no_update")?;
    for (id, held) in moved {
        let events = events_for(&tx, &id)?;
        let message = match &held {
            Ok(()) => "Moved here from the Production history, where its timeline held together, and sealed again with this history's key".to_string(),
            Err(problem) => format!("Moved here from the Production history and sealed again as found: its timeline did not hold together there ({problem})"),
        };
        sealing::reseal_payment(&tx, &id, events, held, message, now)?;
    }
    tx.execute_batch(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events
         BEGIN
             SELECT RAISE(ABORT, 'timeline events are append-only');
         END;",
    )?;
    tx.commit()?;
    Ok(())
}

/// A payment's timeline in order. Each event's `prev_hash` is the hash of the row before it
/// (none is stored): a missing, extra or reordered row then fails the chain check.
pub fn events_for(conn: &Connection, payment_id: &str) -> Result<Vec<TimelineEvent>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT seq, at_ms, body, hash, gseq FROM events WHERE pid = {PID_OF} ORDER BY seq"
    ))?;
    let mut rows = stmt.query([payment_id])?;
    let mut events: Vec<TimelineEvent> = Vec::new();
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let body = row.get_ref(2)?.as_blob().map_err(rusqlite::Error::from)?;
        let body = codec::decode(body)
            .map_err(|e| StoreError::Corrupt(format!("event {seq} of payment {payment_id}: {e}")))?;
        events.push(TimelineEvent {
            payment_id: payment_id.to_string(),
            seq,
            gseq: row.get::<_, Option<i64>>(4)?.unwrap_or(0),
            at_ms: row.get(1)?,
            kind: body.kind,
            status_before: body.status_before,
            status_after: body.status_after,
            message: body.message,
            data: body.data,
            prev_hash: events.last().map_or(GENESIS_HASH, |e| e.hash),
            hash: hash_col(row, 3)?,
        });
    }
    Ok(events)
}

/// Verifies one payment's stored timeline (`check_timeline`), its break as an error.
pub fn verify_payment_events(conn: &Connection, payment_id: &str) -> Result<()> {
    Ok(check_timeline(conn, payment_id)??)
}

// ---------------------------------------------------------------------------------------------
// Settings (non-secret only)

/// Setting keys that would be secrets; those go to the keyring (docs/design.md §6).
const SECRET_WORDS: &[&str] = &["password", "secret", "token", "card_key", "api_key"];

pub fn set_setting(conn: &Connection, profile: &str, key: &str, value: &str, now_ms: i64) -> Result<()> {
    let lower = key.to_ascii_lowercase();
    if SECRET_WORDS.iter().any(|w| lower.contains(w)) {
        return Err(StoreError::SecretInSettings(key.to_string()));
    }
    conn.execute(
        "INSERT INTO settings (profile, key, value, updated_at_ms) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (profile, key) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms",
        params![profile, key, value, now_ms],
    )?;
    Ok(())
}

pub fn get_setting(conn: &Connection, profile: &str, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE profile = ?1 AND key = ?2", [profile, key], |r| r.get(0))
        .optional()?)
}

#[cfg(test)]
mod tests;
