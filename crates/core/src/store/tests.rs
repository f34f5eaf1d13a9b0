//! Store tests, all against a real SQLite file in a temporary directory.

use super::*;
use crate::money::Currency;
use crate::payment::{EventKind, Provider, Refund, RefundStatus};
use serde_json::json;

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(&dir.path().join("data")).unwrap();
    (dir, store)
}

fn payment(id: &str, created_at_ms: i64) -> Payment {
    Payment {
        id: id.into(),
        reference: format!("FP-{id}"),
        provider: Provider::HeiPay,
        profile: "sandbox".into(),
        status: Status::Draft,
        amount: Money::from_minor(12_345, Currency::EUR),
        customer: "Ana Muñoz".into(),
        subject: crate::subject::Subject::from_value(
            Provider::HeiPay,
            json!({"hotel_id": 1, "ref_number": format!("FP-{id}")}),
        )
        .unwrap(),
        subject_key: format!("FP-{id}"),
        card: Some(CardSummary {
            brand: CardBrand::Visa,
            last4: "1111".into(),
            holder: "ANA MUNOZ".into(),
            expiry_month: 12,
            expiry_year: 2030,
        }),
        created_at_ms,
        updated_at_ms: created_at_ms,
        agent: None,
    }
}

fn note(message: &str) -> NewEvent {
    NewEvent {
        at_ms: 1_700_000_000_000,
        kind: EventKind::Note,
        status_before: None,
        status_after: None,
        message: message.into(),
        data: json!({}),
    }
}

fn create(store: &Store, p: Payment) {
    store
        .write_blocking(move |conn| {
            let tx = conn.transaction()?;
            insert_payment(&tx, &p)?;
            append_event(&tx, &p.id, note("created"))?;
            tx.commit()?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn migrations_are_valid() {
    migrations().validate().unwrap();
    let (_dir, store) = temp_store();
    let version: i64 =
        store.read_blocking(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?)).unwrap();
    assert_eq!(version, SCHEMA_VERSION, "SCHEMA_VERSION is the number of migration steps");
}

/// A history from a newer Farepoint is refused with what to do — never opened, never changed.
#[test]
fn a_history_from_a_newer_farepoint_is_refused_and_left_alone() {
    let (dir, store) = temp_store();
    let path = store.path().to_path_buf();
    drop(store);
    let c = Connection::open(&path).unwrap();
    c.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    drop(c);
    let err = Store::open(&path).err().expect("a newer history must be refused");
    let text = err.to_string();
    assert!(matches!(err, StoreError::TooNew { .. }), "{text}");
    assert!(text.contains("newer Farepoint") && text.contains("install the newer Farepoint"), "{text}");
    let err = Store::open_read_only(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
    // Not migrated "back", not copied: still the newer version, as it was.
    let version: i64 =
        Connection::open(&path).unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION + 1, "the file was not touched");
    assert!(std::fs::read_dir(dir.path().join("data"))
        .unwrap()
        .all(|e| { !e.unwrap().file_name().to_string_lossy().contains(".bak-") }));
}

/// A damaged file (here: not a database at all) is an error that says so, not a panic.
#[test]
fn a_file_that_is_not_a_database_is_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    std::fs::write(&path, b"this is not a database, it is a shopping list: eggs, milk, flour, more eggs")
        .unwrap();
    let err = Store::open(&path).err().expect("garbage must be refused");
    assert!(err.is_corrupt_file(), "{err:?}");
    let err = Store::open_read_only(&path).unwrap_err();
    assert!(err.is_corrupt_file(), "{err:?}");
}

/// The read-only door for `export`/`verify`: it reads while the app writes, refuses to write,
/// and refuses a history that still needs the app's upgrade instead of upgrading it.
#[test]
fn the_read_only_door_reads_beside_the_writer_and_never_writes() {
    let (_dir, store) = temp_store();
    create(&store, payment("p", 1));
    let ro = Store::open_read_only(store.path()).unwrap();
    let n: i64 = ro.query_row("SELECT count(*) FROM payments", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    assert!(ro.execute("DELETE FROM settings", []).is_err(), "a read-only connection wrote");
    create(&store, payment("q", 2)); // the app goes on writing meanwhile
    let n: i64 = ro.query_row("SELECT count(*) FROM payments", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 2);
    let path = store.path().to_path_buf();
    drop(store);
    Connection::open(&path).unwrap().pragma_update(None, "user_version", 4).unwrap();
    let err = Store::open_read_only(&path).unwrap_err();
    assert!(matches!(err, StoreError::NeedsUpgrade { found: 4, .. }), "{err}");
    assert!(err.to_string().contains("open the Farepoint app once"), "{err}");
}

#[test]
fn backups_never_overwrite_an_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    let first = backup_path(&db, 4);
    assert_eq!(first.file_name().unwrap(), "farepoint.sqlite3.bak-v4");
    std::fs::write(&first, b"x").unwrap();
    assert_eq!(backup_path(&db, 4).file_name().unwrap(), "farepoint.sqlite3.bak-v4.2");
}

#[test]
fn pragmas_are_wal_full_sync_and_foreign_keys() {
    let (_dir, store) = temp_store();
    let (mode, sync, fk): (String, i64, i64) = store
        .write_blocking(|c| {
            Ok((
                c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                c.query_row("PRAGMA synchronous", [], |r| r.get(0))?,
                c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
            ))
        })
        .unwrap();
    assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1));
    let reader_fk: i64 =
        store.read_blocking(|c| Ok(c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?)).unwrap();
    assert_eq!(reader_fk, 1);
}

/// How often a statement was planned again while run over five ranges of dates.
fn replans(c: &Connection) -> rusqlite::Result<i32> {
    // A statement first, so the connection has read the schema and its statistics as they are now.
    c.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0))?;
    let mut stmt =
        c.prepare("SELECT count(*) FROM payments WHERE created_at_ms >= ?1 AND created_at_ms < ?2")?;
    for i in 0..5 {
        stmt.query_row([i * 600_000, i * 600_000 + 900_000], |r| r.get::<_, i64>(0))?;
    }
    Ok(stmt.get_status(rusqlite::StatementStatus::RePrepare))
}

/// Every connection plans a statement once, whatever values it is given later: on an analysed
/// history the bundled SQLite (STAT4) otherwise plans again at each new binding, which made the
/// summary's tail and most of a ticket search's time (docs/testing.md §6).
#[test]
fn statements_are_planned_once_whatever_their_values() {
    let (_dir, store) = temp_store();
    for i in 0..40 {
        create(&store, payment(&format!("p{i}"), i * 60_000));
    }
    store.write_blocking(|c| Ok(c.execute_batch("ANALYZE")?)).unwrap();
    let plain = Connection::open(store.path()).unwrap();
    assert!(replans(&plain).unwrap() > 0, "SQLite's default plans again for new values: nothing to test");
    assert_eq!(store.read_blocking(|c| Ok(replans(c)?)).unwrap(), 0, "the reader");
    assert_eq!(store.write_blocking(|c| Ok(replans(c)?)).unwrap(), 0, "the writer");
    assert_eq!(replans(&store.own_reader().unwrap()).unwrap(), 0, "own_reader");
    assert_eq!(replans(&Store::open_read_only(store.path()).unwrap()).unwrap(), 0, "open_read_only");
    assert_eq!(replans(&crate::history::open_reader(store.path()).unwrap()).unwrap(), 0, "open_reader");
}

#[test]
fn sqlite_has_fts5() {
    let (_dir, store) = temp_store();
    let hits: i64 = store
        .write_blocking(|c| {
            c.execute_batch(
                "CREATE VIRTUAL TABLE temp.t USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
                 INSERT INTO temp.t (body) VALUES ('Muñoz Pérez');",
            )?;
            Ok(c.query_row("SELECT count(*) FROM temp.t WHERE t MATCH 'munoz'", [], |r| r.get(0))?)
        })
        .unwrap();
    assert_eq!(hits, 1);
}

#[test]
fn no_column_can_hold_a_card_number_or_cvv() {
    let (_dir, store) = temp_store();
    let columns: Vec<(String, String)> = store
        .read_blocking(|c| {
            let mut stmt = c.prepare(
                "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p WHERE m.type = 'table'",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .unwrap();
    assert!(columns.len() > 20, "schema read: {columns:?}");
    let allowed_card_columns =
        ["card_brand", "card_last4", "card_holder", "card_expiry_month", "card_expiry_year"];
    for (table, column) in &columns {
        let c = column.to_ascii_lowercase();
        let suspicious =
            ["pan", "cvv", "cvc", "security_code", "card_number", "cc_"].iter().any(|w| c.contains(w))
                || (c.starts_with("card") && !allowed_card_columns.contains(&c.as_str()));
        assert!(!suspicious, "{table}.{column} could hold card data");
    }
}

/// A card number pasted as the customer's name is masked before it is stored, and no byte of the
/// file holds it.
#[test]
fn a_card_number_typed_as_a_name_never_reaches_the_file() {
    let (dir, store) = temp_store();
    let mut p = payment("typed", 1_000);
    p.customer = "Ana 4111 1111 1111 1111".into();
    create(&store, p);
    let stored = store.read_blocking(|c| get_payment(c, "typed")).unwrap();
    assert_eq!(stored.customer, "Ana ••••1111");
    store.read_blocking(|c| verify_payment_events(c, "typed")).unwrap();
    // Every file of the open history: the database, its WAL and shared memory (open, so none of
    // them is being removed as this reads).
    for entry in std::fs::read_dir(dir.path().join("data")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let card = b"4111 1111 1111 1111";
        assert!(!bytes.windows(card.len()).any(|w| w == card));
    }
    drop(store);
}

#[test]
fn payments_round_trip_and_list_newest_first() {
    let (_dir, store) = temp_store();
    create(&store, payment("a", 1_000));
    create(&store, payment("b", 3_000));
    create(&store, payment("c", 2_000));
    let back = store.read_blocking(|c| get_payment(c, "a")).unwrap();
    assert_eq!(back, payment("a", 1_000));
    let ids: Vec<String> =
        store.read_blocking(|c| list_payments(c, 10, 0)).unwrap().into_iter().map(|p| p.id).collect();
    assert_eq!(ids, ["b", "c", "a"]);
    assert!(matches!(store.read_blocking(|c| get_payment(c, "zz")), Err(StoreError::NotFound { .. })));
}

#[test]
fn data_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    create(&store, payment("kept", 1));
    drop(store);
    let store = Store::open_in(dir.path()).unwrap();
    assert_eq!(store.read_blocking(|c| get_payment(c, "kept")).unwrap().reference, "FP-kept");
}

#[test]
fn a_legal_transition_updates_status_and_appends_an_event() {
    let (_dir, store) = temp_store();
    create(&store, payment("p", 1));
    let event = store
        .write_blocking(|c| {
            let tx = c.transaction()?;
            let e = transition_payment(&tx, "p", Status::Submitting, note("journaled"))?;
            tx.commit()?;
            Ok(e)
        })
        .unwrap();
    assert_eq!(
        (event.seq, event.status_before, event.status_after),
        (2, Some(Status::Draft), Some(Status::Submitting))
    );
    assert_eq!(store.read_blocking(|c| get_payment(c, "p")).unwrap().status, Status::Submitting);
}

#[test]
fn an_illegal_transition_changes_nothing() {
    let (_dir, store) = temp_store();
    create(&store, payment("p", 1));
    let err = store
        .write_blocking(|c| {
            let tx = c.transaction()?;
            transition_payment(&tx, "p", Status::Paid, note("skip ahead"))?;
            tx.commit()?;
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Transition(IllegalTransition { from: Status::Draft, to: Status::Paid })
    ));
    assert_eq!(store.read_blocking(|c| get_payment(c, "p")).unwrap().status, Status::Draft);
    assert_eq!(store.read_blocking(|c| events_for(c, "p")).unwrap().len(), 1);
}

#[test]
fn attempts_round_trip_and_are_found_by_status() {
    let (_dir, store) = temp_store();
    create(&store, payment("p", 1));
    let mut attempt = Attempt {
        id: "a1".into(),
        payment_id: "p".into(),
        seq: 1,
        idempotency_key: "K8Z2Q4M7R1T5V9X3".into(),
        status: Status::Submitting,
        provider_ref: None,
        error_code: None,
        error_message: None,
        next_poll_at_ms: None,
        watched_ms: 0,
        created_at_ms: 5,
        updated_at_ms: 5,
        agent: None,
    };
    let a = attempt.clone();
    store
        .write_blocking(move |c| {
            let tx = c.transaction()?;
            insert_attempt(&tx, &a)?;
            tx.commit()?;
            Ok(())
        })
        .unwrap();
    assert_eq!(
        store.read_blocking(|c| attempts_in_status(c, Status::Submitting)).unwrap(),
        vec![attempt.clone()]
    );

    attempt.status = Status::Paid;
    attempt.provider_ref = Some("505".into());
    attempt.next_poll_at_ms = Some(10_000);
    let a = attempt.clone();
    store
        .write_blocking(move |c| {
            let tx = c.transaction()?;
            update_attempt(&tx, &a)?;
            tx.commit()?;
            Ok(())
        })
        .unwrap();
    assert_eq!(store.read_blocking(|c| attempts_for(c, "p")).unwrap(), vec![attempt]);
    assert!(store.read_blocking(|c| attempts_in_status(c, Status::Submitting)).unwrap().is_empty());

    // The same idempotency key can never be used twice, and attempts need a real payment.
    let dup = Attempt {
        id: "a2".into(),
        seq: 2,
        ..store.read_blocking(|c| attempts_for(c, "p")).unwrap()[0].clone()
    };
    assert!(store
        .write_blocking(move |c| {
            let tx = c.transaction()?;
            insert_attempt(&tx, &dup)
        })
        .is_err());
    let orphan = Attempt {
        id: "a3".into(),
        payment_id: "nope".into(),
        idempotency_key: "OTHER".into(),
        ..store.read_blocking(|c| attempts_for(c, "p")).unwrap()[0].clone()
    };
    let err = store
        .write_blocking(move |c| {
            let tx = c.transaction()?;
            insert_attempt(&tx, &orphan)
        })
        .unwrap_err();
    assert!(err.to_string().contains("NOT NULL constraint failed: attempts.pid"), "{err}");
}

#[test]
fn stored_timeline_verifies_and_detects_tampering() {
    let (dir, store) = temp_store();
    create(&store, payment("p", 1));
    store
        .write_blocking(|c| {
            let tx = c.transaction()?;
            transition_payment(&tx, "p", Status::Submitting, note("journaled"))?;
            transition_payment(&tx, "p", Status::Paid, note("ATRIP accepted the payment"))?;
            tx.commit()?;
            Ok(())
        })
        .unwrap();
    store.read_blocking(|c| verify_payment_events(c, "p")).unwrap();

    // The triggers refuse ordinary edits…
    let refused = store.write_blocking(|c| Ok(c.execute("UPDATE events SET at_ms = 0 WHERE seq = 2", [])?));
    assert!(refused.unwrap_err().to_string().contains("append-only"));
    drop(store);

    // …so a tamperer edits the file with another tool, dropping the trigger first: event 3's
    // message and data replaced by event 2's (bodies are compressed, not hand-editable text).
    let raw = Connection::open(dir.path().join("data").join(DB_FILE)).unwrap();
    raw.execute_batch(
        "DROP TRIGGER events_no_update;
         UPDATE events SET body = (SELECT body FROM events e2 WHERE e2.pid = events.pid AND e2.seq = 2)
         WHERE pid = (SELECT pid FROM payments WHERE id = 'p') AND seq = 3;",
    )
    .unwrap();
    drop(raw);

    let store = Store::open_in(&dir.path().join("data")).unwrap();
    let err = store.read_blocking(|c| verify_payment_events(c, "p")).unwrap_err();
    assert!(matches!(err, StoreError::Chain(ChainError::Altered { seq: 3, .. })), "{err}");
}

#[test]
fn settings_hold_only_non_secrets() {
    let (_dir, store) = temp_store();
    store
        .write_blocking(|c| {
            set_setting(c, "production", "atrip.base_url", "https://api.example.test/", 1)?;
            set_setting(c, "production", "atrip.base_url", "https://api2.example.test/", 2)
        })
        .unwrap();
    assert_eq!(
        store.read_blocking(|c| get_setting(c, "production", "atrip.base_url")).unwrap().as_deref(),
        Some("https://api2.example.test/")
    );
    assert_eq!(store.read_blocking(|c| get_setting(c, "sandbox", "atrip.base_url")).unwrap(), None);
    for key in ["travelport.password", "atrip.client_secret", "heipay.api_token", "heipay.card_key"] {
        let err = store.write_blocking(move |c| set_setting(c, "production", key, "x", 1)).unwrap_err();
        assert!(matches!(err, StoreError::SecretInSettings(_)), "{key} accepted");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_writes_are_seen_by_the_read_only_reader() {
    let (_dir, store) = temp_store();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let p = payment(&format!("p{i}"), i);
            store
                .write(move |c| {
                    let tx = c.transaction()?;
                    insert_payment(&tx, &p)?;
                    append_event(&tx, &p.id, note("created"))?;
                    tx.commit()?;
                    Ok(())
                })
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(store.read(|c| list_payments(c, 100, 0)).await.unwrap().len(), 20);
    let write_on_reader = store.read(|c| Ok(c.execute("DELETE FROM settings", [])?)).await;
    assert!(write_on_reader.unwrap_err().to_string().contains("readonly"));
}

#[test]
fn an_unwritable_data_dir_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let err = Store::open_in(&file.join("data")).err().expect("opening under a file must fail");
    assert!(err.to_string().contains("could not create the data folder"), "{err}");
}

#[test]
fn a_ticket_is_kept_once_and_never_silently_dropped() {
    let (_dir, store) = temp_store();
    create(&store, payment("p", 1));
    let ticket = Ticket {
        number: "2201234567890".into(),
        passenger: "DOE/JANE".into(),
        kind: TicketKind::Ticket,
        issued_at_ms: 2,
    };
    let (t1, t2, t3) = (ticket.clone(), ticket.clone(), ticket.clone());
    let added = store.write_blocking(move |c| {
        let tx = c.transaction()?;
        let first = insert_ticket(&tx, "p", &t1)?;
        let again = insert_ticket(&tx, "p", &t2)?;
        tx.commit()?;
        Ok((first, again))
    });
    assert_eq!(added.unwrap(), (true, false), "seen again on a later poll: kept once");
    assert_eq!(store.read_blocking(|c| tickets_for(c, "p")).unwrap(), vec![ticket]);
    let orphan = store.write_blocking(move |c| {
        let tx = c.transaction()?;
        insert_ticket(&tx, "nope", &t3)
    });
    assert!(matches!(orphan, Err(StoreError::NotFound { what: "payment", .. })), "{orphan:?}");
}

fn refund(payment_id: &str, seq: i64, minor: i64, status: RefundStatus) -> Refund {
    Refund {
        id: format!("{payment_id}-r{seq}"),
        payment_id: payment_id.into(),
        seq,
        amount: Money::from_minor(minor, Currency::EUR),
        status,
        provider_ref: None,
        note: None,
        created_at_ms: 1,
        updated_at_ms: 1,
        agent: None,
    }
}

fn try_write<T: Send + 'static>(
    store: &Store,
    f: impl FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
) -> Result<T> {
    store.write_blocking(move |conn| {
        let tx = conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    })
}

/// Whatever the engine checks first, the file itself refuses a second open refund of a payment
/// and refunds that add up to more than it charged.
#[test]
fn the_schema_keeps_one_open_refund_and_never_more_than_charged() {
    let (_dir, store) = temp_store();
    create(&store, payment("p1", 1)); // 123.45 EUR
    try_write(&store, |tx| insert_refund(tx, &refund("p1", 1, 10_000, RefundStatus::Sending))).unwrap();
    let second = try_write(&store, |tx| insert_refund(tx, &refund("p1", 2, 100, RefundStatus::Sending)));
    assert!(second.unwrap_err().to_string().contains("UNIQUE"), "a second open refund");
    try_write(&store, |tx| update_refund(tx, &refund("p1", 1, 10_000, RefundStatus::Refunded))).unwrap();

    let over = try_write(&store, |tx| insert_refund(tx, &refund("p1", 2, 2_346, RefundStatus::Sending)));
    assert!(over.unwrap_err().to_string().contains("exceed the amount charged"));
    // A declined refund moves no money, so it does not count.
    try_write(&store, |tx| insert_refund(tx, &refund("p1", 2, 5_000, RefundStatus::Declined))).unwrap();
    try_write(&store, |tx| insert_refund(tx, &refund("p1", 3, 2_345, RefundStatus::Sending))).unwrap();
    // …nor can a declined one be turned into money given back behind the total's back.
    let revived = try_write(&store, |tx| update_refund(tx, &refund("p1", 2, 5_000, RefundStatus::Refunded)));
    assert!(revived.is_err(), "Declined is final");

    let all = store.read_blocking(|c| refunds_for(c, "p1")).unwrap();
    let states: Vec<_> = all.iter().map(|r| (r.seq, r.amount.minor, r.status)).collect();
    assert_eq!(
        states,
        [
            (1, 10_000, RefundStatus::Refunded),
            (2, 5_000, RefundStatus::Declined),
            (3, 2_345, RefundStatus::Sending)
        ]
    );
}

/// An event as histories before v7 stored it: no place in the history, a plain SHA-256 chain.
fn append_v6_event(tx: &Transaction<'_>, payment_id: &str, event: NewEvent) {
    let pid: i64 =
        tx.query_row("SELECT pid FROM payments WHERE id = ?1", [payment_id], |r| r.get(0)).unwrap();
    let last = tx
        .query_row("SELECT seq, hash FROM events WHERE pid = ?1 ORDER BY seq DESC LIMIT 1", [pid], |r| {
            Ok((r.get(0)?, hash_col(r, 1)?))
        })
        .optional()
        .unwrap();
    let mut e = TimelineEvent::next(payment_id, last, event);
    e.hash = e.unsealed_hash();
    tx.execute(
        "INSERT INTO events (pid, seq, at_ms, body, hash) VALUES (?1,?2,?3,?4,?5)",
        params![pid, e.seq, e.at_ms, codec::encode(&e).unwrap(), e.hash.as_slice()],
    )
    .unwrap();
}

/// Lets today's row functions write into a history of an older version (which has none of the
/// columns v9 added): the columns are there until this is dropped, then dropped again, so the
/// file is of its version once more. Rows written without an agent left nothing in them.
struct WritingAsToday<'c>(&'c Connection, Vec<&'static str>);

impl<'c> WritingAsToday<'c> {
    const ADDED: [&'static str; 3] = ["payments", "attempts", "refunds"];

    fn open(c: &'c Connection) -> Self {
        let tables: Vec<&'static str> = Self::ADDED
            .into_iter()
            .filter(|t| {
                c.query_row("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1", [t], |_| Ok(()))
                    .is_ok()
            })
            .collect();
        for table in &tables {
            c.execute_batch(&format!(
                "ALTER TABLE {table} ADD COLUMN agent_id TEXT; ALTER TABLE {table} ADD COLUMN agent_name TEXT;"
            ))
            .unwrap();
        }
        WritingAsToday(c, tables)
    }
}

impl Drop for WritingAsToday<'_> {
    fn drop(&mut self) {
        for table in &self.1 {
            self.0
                .execute_batch(&format!(
                    "ALTER TABLE {table} DROP COLUMN agent_id; ALTER TABLE {table} DROP COLUMN agent_name;"
                ))
                .unwrap();
        }
    }
}

/// Before v6 a refund was only its payment's status, its amount only on the timeline: the
/// upgrade keeps each as a refund row with the amount the timeline recorded.
#[test]
fn a_v5_history_keeps_its_refunds_when_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let mut c = Connection::open(&path).unwrap();
        migrations().to_version(&mut c, 5).unwrap();
        let v5 = WritingAsToday::open(&c);
        let tx = v5.0.unchecked_transaction().unwrap();
        for (id, amount) in [("part", Some(json!({ "minor": 750, "currency": "EUR" }))), ("whole", None)] {
            let mut p = payment(id, 1);
            p.status = Status::Refunded;
            insert_payment(&tx, &p).unwrap();
            let data = match amount {
                Some(a) => json!({ "amount": a, "refund_id": "REFUND-1" }),
                None => json!({}),
            };
            let event = NewEvent {
                status_before: Some(Status::Paid),
                status_after: Some(Status::Refunded),
                data,
                ..note("Refunded")
            };
            append_v6_event(&tx, id, event);
        }
        tx.commit().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let read = |id: &'static str| store.read_blocking(move |c| refunds_for(c, id)).unwrap();
    let part = read("part");
    assert_eq!(part.len(), 1);
    assert_eq!((part[0].amount.minor, part[0].status), (750, RefundStatus::Refunded));
    assert_eq!(part[0].provider_ref.as_deref(), Some("REFUND-1"));
    assert_eq!(read("whole")[0].amount.minor, 12_345, "the full amount when the timeline does not say");
    store.read_blocking(|c| verify_payment_events(c, "part")).unwrap();
}

/// The data dir is this user's alone, and so are the history and the files SQLite keeps beside
/// it; a history left readable by an older version is made private when opened.
#[cfg(unix)]
#[test]
fn the_data_dir_and_the_history_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let (dir, store) = temp_store();
    let data = dir.path().join("data");
    create(&store, payment("p1", 1));
    assert_eq!(mode(&data), 0o700);
    for name in [DB_FILE.to_string(), format!("{DB_FILE}-wal"), format!("{DB_FILE}-shm")] {
        assert_eq!(mode(&data.join(&name)), 0o600, "{name}");
    }
    drop(store);
    std::fs::set_permissions(data.join(DB_FILE), std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let _again = Store::open_in(&data).unwrap();
    assert_eq!((mode(&data), mode(&data.join(DB_FILE))), (0o700, 0o600));
}

/// Every row of `sql`'s answer, column by column, as SQLite holds it.
fn rows_of(c: &Connection, sql: &str) -> Vec<Vec<rusqlite::types::Value>> {
    let mut stmt = c.prepare(sql).unwrap();
    let n = stmt.column_count();
    let rows =
        stmt.query_map([], |r| (0..n).map(|i| r.get(i)).collect::<rusqlite::Result<Vec<_>>>()).unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}

/// What v8 must keep: every row of the history (the search index's own tables included) and
/// every index, trigger and view but the rebuilt table's.
fn history_rows(c: &Connection) -> Vec<(&'static str, Vec<Vec<rusqlite::types::Value>>)> {
    [
        ("payments", "SELECT * FROM payments ORDER BY pid"),
        ("attempts", "SELECT * FROM attempts ORDER BY id"),
        ("tickets", "SELECT * FROM tickets ORDER BY pid, number"),
        ("refunds", "SELECT * FROM refunds ORDER BY id"),
        ("events", "SELECT * FROM events ORDER BY pid, seq"),
        ("seal", "SELECT * FROM seal"),
        ("search", "SELECT * FROM payments_fts_docsize ORDER BY id"),
        ("search terms", "SELECT * FROM payments_fts_idx ORDER BY segid, term"),
        (
            "schema",
            "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name <> 'payments' \
             AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name",
        ),
    ]
    .into_iter()
    .map(|(what, sql)| (what, rows_of(c, sql)))
    .collect()
}

/// Payment `n` of a small history of every provider, as the engine leaves one: an attempt, a
/// sealed timeline of three events, and a ticket (airlines) or a refund (the others) for some.
fn history_payment(tx: &rusqlite::Transaction<'_>, n: i64) -> Result<()> {
    let at = 1_700_000_000_000 + n * 60_000;
    let id = format!("v7-{n}");
    let provider = Provider::ALL[n as usize % Provider::ALL.len()];
    let mut p = payment(&id, at);
    p.provider = provider;
    p.status = Status::Paid;
    insert_payment(tx, &p)?;
    insert_attempt(
        tx,
        &Attempt {
            id: format!("{id}-a1"),
            payment_id: id.clone(),
            seq: 1,
            idempotency_key: format!("KEY-{id}"),
            status: Status::Paid,
            provider_ref: Some(format!("REF-{n}")),
            error_code: None,
            error_message: None,
            next_poll_at_ms: None,
            watched_ms: 0,
            created_at_ms: at,
            updated_at_ms: at,
            agent: None,
        },
    )?;
    let step = |kind, before, after, message: &str| NewEvent {
        at_ms: at,
        kind,
        status_before: before,
        status_after: after,
        message: message.into(),
        data: json!({ "n": n }),
    };
    append_events(
        tx,
        &id,
        vec![
            step(EventKind::Created, None, Some(Status::Draft), "created"),
            step(EventKind::Transition, Some(Status::Draft), Some(Status::Submitting), "sending"),
            step(EventKind::Transition, Some(Status::Submitting), Some(Status::Paid), "paid"),
        ],
    )?;
    if n % 3 == 0 {
        match provider {
            Provider::Atrip | Provider::Travelport => {
                let ticket = Ticket {
                    number: format!("176{n:010}"),
                    passenger: "MUNOZ/ANA".into(),
                    kind: crate::payment::TicketKind::Ticket,
                    issued_at_ms: at,
                };
                insert_ticket(tx, &id, &ticket)?;
            }
            _ => insert_refund(
                tx,
                &Refund {
                    id: format!("{id}-r1"),
                    payment_id: id.clone(),
                    seq: 1,
                    amount: Money::from_minor(100, Currency::EUR),
                    status: RefundStatus::Refunded,
                    provider_ref: None,
                    note: None,
                    created_at_ms: at,
                    updated_at_ms: at,
                    agent: None,
                },
            )?,
        }
    }
    Ok(())
}

/// v8 takes the provider list out of the schema. A real v7 history (migrations 1–7, sealed
/// payments of every provider with their attempts, tickets, refunds and timelines) keeps every
/// row, seal, index and trigger, and "verify" finds it intact.
#[test]
fn a_v7_history_keeps_everything_when_the_provider_list_leaves_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let before = {
        let mut c = Connection::open(&path).unwrap();
        configure(&c).unwrap();
        crate::seal::install(&c, Ok(crate::seal::SealKey::demo())).unwrap();
        migrations().to_version(&mut c, 7).unwrap();
        c.execute(
            "INSERT INTO seal (id, key_check) VALUES (1, ?1)",
            [sealing::key_check(&c).unwrap().as_slice()],
        )
        .unwrap();
        {
            let v7 = WritingAsToday::open(&c);
            let tx = v7.0.unchecked_transaction().unwrap();
            for n in 0..300 {
                history_payment(&tx, n).unwrap();
            }
            tx.commit().unwrap();
        }
        let sql: String =
            c.query_row("SELECT sql FROM sqlite_schema WHERE name = 'payments'", [], |r| r.get(0)).unwrap();
        assert!(sql.contains("CHECK (provider IN"), "a v7 file: {sql}");
        history_rows(&c)
    };
    let count = |what| before.iter().find(|(w, _)| *w == what).unwrap().1.len();
    assert_eq!(count("payments"), 300);
    assert!(count("tickets") > 0 && count("refunds") > 0 && count("events") == 900);

    // The v8 step itself keeps every row, the search index and the rest of the schema as they
    // were (on a copy: the file itself is opened by the app below, and upgraded to the latest).
    let at_v8 = {
        let copy = dir.path().join("v8.sqlite3");
        std::fs::copy(&path, &copy).unwrap();
        let mut c = Connection::open(&copy).unwrap();
        configure(&c).unwrap();
        crate::seal::install(&c, Ok(crate::seal::SealKey::demo())).unwrap();
        migrations().to_version(&mut c, 8).unwrap();
        history_rows(&c)
    };
    assert_eq!(at_v8, before);

    let store = Store::open(&path).unwrap();
    let (after, verified, schema, references) = store
        .read_blocking(|c| {
            let verified = crate::history::verify::verify(c, None, &mut |_| {}).unwrap();
            let schema: String =
                c.query_row("SELECT sql FROM sqlite_schema WHERE name = 'payments'", [], |r| r.get(0))?;
            let mut references = Vec::new();
            for child in ["attempts", "tickets", "events", "refunds"] {
                let sql = format!("SELECT \"table\", \"to\" FROM pragma_foreign_key_list('{child}')");
                let to: (String, String) = c.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
                references.push(to);
            }
            Ok((history_rows(c), verified, schema, references))
        })
        .unwrap();
    // The later steps add the agent columns (v9, empty here) and keep every value there was.
    for (what, rows) in &before {
        if !["payments", "attempts", "tickets", "refunds", "events", "seal"].contains(what) {
            continue;
        }
        let now = &after.iter().find(|(w, _)| w == what).unwrap().1;
        let kept: Vec<_> = now.iter().map(|row| row[..rows.first().map_or(0, Vec::len)].to_vec()).collect();
        assert_eq!(&kept, rows, "{what}");
        let added: Vec<_> =
            now.iter().flat_map(|row| row[rows.first().map_or(0, Vec::len)..].to_vec()).collect();
        assert!(added.iter().all(|v| *v == rusqlite::types::Value::Null), "{what}: {added:?}");
    }
    assert_eq!(verified.checked, 300);
    assert_eq!(verified.broken, vec![]);
    assert!(!schema.contains("provider IN"), "{schema}");
    assert!(schema.contains("STRICT"), "{schema}");
    assert!(references.iter().all(|(table, to)| table == "payments" && to == "pid"), "{references:?}");
    let copy = Connection::open(dir.path().join(format!("{DB_FILE}.bak-v7"))).unwrap();
    assert_eq!(copy.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(), 7);

    // The rebuilt table keeps its search triggers, its indexes and its children's keys.
    create(&store, payment("after-v8", 1_700_000_000_001));
    let found: i64 = store
        .read_blocking(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM payments_fts WHERE payments_fts MATCH '\"FP-after-v8\"'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(found, 1);
    let orphan = store.write_blocking(|c| {
        Ok(c.execute(
            "INSERT INTO attempts (id, pid, seq, idempotency_key, status, created_at_ms, updated_at_ms) \
             VALUES ('orphan', 999999, 1, 'ORPHAN-KEY', 'Draft', 1, 1)",
            [],
        )?)
    });
    assert!(orphan.unwrap_err().to_string().contains("FOREIGN KEY"));
}

/// Without the schema's list, SQL can store a provider this Farepoint does not know. Reading it
/// is refused, naming the payment and the provider: nothing can poll, refund or total it, and
/// showing it as another provider's would be wrong. Like a status or currency edited by hand, it
/// is a damaged history for a person to look at, not something to skip in silence.
#[test]
fn a_provider_farepoint_does_not_know_is_refused_when_read() {
    let (_dir, store) = temp_store();
    create(&store, payment("known", 1));
    store
        .write_blocking(|c| {
            c.execute(
                "INSERT INTO payments (id, reference, provider, profile, status, amount_minor, currency, customer, \
                 subject, subject_key, created_at_ms, updated_at_ms) \
                 VALUES ('stranger', 'FP-stranger', 'skyway', 'sandbox', 'Paid', 100, 'EUR', 'A', '{}', 'k', 2, 2)",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    let err = store.read_blocking(|c| get_payment(c, "stranger")).unwrap_err().to_string();
    assert!(err.contains("payment stranger cannot be read"), "{err}");
    assert!(err.contains("unknown provider 'skyway'"), "{err}");
    let listed = store.read_blocking(|c| list_payments(c, 10, 0)).unwrap_err().to_string();
    assert!(listed.contains("skyway"), "{listed}");
    assert_eq!(store.read_blocking(|c| get_payment(c, "known")).unwrap().provider, Provider::HeiPay);
}

/// v9 adds the name of the agent who took a payment to the search index: the index is rebuilt
/// for the payments already there and stays true to them as they change.
#[test]
fn a_v8_history_is_searched_as_before_and_its_index_rebuilt_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let mut c = Connection::open(&path).unwrap();
        configure(&c).unwrap();
        crate::seal::install(&c, Ok(crate::seal::SealKey::demo())).unwrap();
        migrations().to_version(&mut c, 8).unwrap();
        let v8 = WritingAsToday::open(&c);
        let tx = v8.0.unchecked_transaction().unwrap();
        for n in 0..40 {
            history_payment(&tx, n).unwrap();
        }
        tx.commit().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let check = |store: &Store| {
        store
            .write_blocking(|c| {
                // rank 1: the index is compared with what the view says of each payment now.
                c.execute("INSERT INTO payments_fts (payments_fts, rank) VALUES ('integrity-check', 1)", [])?;
                let found: i64 = c.query_row(
                    "SELECT count(*) FROM payments_fts WHERE payments_fts MATCH '\"FP-v7-7\"'",
                    [],
                    |r| r.get(0),
                )?;
                Ok(found)
            })
            .unwrap()
    };
    assert_eq!(check(&store), 1);
    let mut taken = payment("by-ana", 1_700_000_000_000);
    taken.agent = Some(Actor { id: "a1".into(), name: "Zoë Quintana".into() });
    create(&store, taken);
    store
        .write_blocking(|c| Ok(c.execute("UPDATE payments SET customer = 'Bea' WHERE id = 'v7-3'", [])?))
        .unwrap();
    assert_eq!(check(&store), 1);
    let by_name: i64 = store
        .read_blocking(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM payments_fts WHERE payments_fts MATCH 'zoe quintana'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(by_name, 1, "the agent's name is a search term (diacritics aside)");
}
