//! A provider's answer that the history cannot take is not lost: on a real full filesystem (a
//! small tmpfs mounted by the test) and on a history file made read-only (the immutable
//! attribute, which stops even root from writing through an open file). The agent is told not to
//! take the payment again, a new payment for the same booking is refused, the answer is saved once
//! the disk takes it, and a Farepoint that closes first checks the payment at its next start.
//!
//! Both need what a desk's OS allows root: mounting a tmpfs, `chattr +i`. Where the machine does
//! not allow it, the test says so and passes without running.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use farepoint_core::engine::{Engine, EngineError, PaymentRecord};
use farepoint_core::money::{Currency, Money};
use farepoint_core::payment::Status;
use farepoint_core::providers::holidayextras::HolidayExtrasPayment;
use farepoint_core::store::{self, Connection, DB_FILE};
use farepoint_sandbox::demo::holidayextras::TOKEN_APPROVE;
use farepoint_sandbox::{FaultKind, FaultSpec, RunningSandbox};

fn hx(reference: &str, minor: i64) -> HolidayExtrasPayment {
    HolidayExtrasPayment {
        token: TOKEN_APPROVE.into(),
        payment_reference: reference.into(),
        amount: Money::from_minor(minor, Currency::GBP),
        customer: "Jane Doe".into(),
        postal_code: None,
        country_code: None,
    }
}

/// A directory beside the build (not /tmp, which may itself be a tmpfs without attributes).
fn scratch_dir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

fn run(program: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(program).args(args).output().map_err(|e| format!("{program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{program} {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// A 4 MiB tmpfs, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount() -> Option<SmallDisk> {
        let dir = scratch_dir();
        match run("mount", &["-t", "tmpfs", "-o", "size=4m", "tmpfs", &dir.path().to_string_lossy()]) {
            Ok(()) => Some(SmallDisk { dir }),
            Err(why) => {
                eprintln!("SKIPPED: this machine does not let the test mount a small filesystem ({why})");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = run("umount", &["-l", &self.dir.path().to_string_lossy()]);
    }
}

/// Files made immutable, made writable again when dropped (so the test cleans up after a failure).
struct Immutable(Vec<PathBuf>);

impl Immutable {
    fn set(files: &[PathBuf]) -> Result<Immutable, String> {
        let mut done = Immutable(Vec::new());
        for file in files {
            run("chattr", &["+i", &file.to_string_lossy()])?;
            done.0.push(file.clone());
        }
        Ok(done)
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        for file in &self.0 {
            let _ = run("chattr", &["-i", &file.to_string_lossy()]);
        }
    }
}

/// Folds the write-ahead log into the main file and empties it, as the app does from time to
/// time: the next write must then grow the log.
fn checkpoint(data_dir: &Path) {
    let conn = Connection::open(data_dir.join(DB_FILE)).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
}

/// Writes zeros into `dir/filler` until the filesystem is full.
fn fill(dir: &Path) {
    use std::io::Write;
    let mut f = std::fs::File::create(dir.join("filler")).unwrap();
    let chunk = vec![0u8; 16 * 1024];
    while f.write_all(&chunk).and_then(|_| f.flush()).is_ok() {}
    let _ = f.sync_all();
}

/// Starts `pay` for `reference` with HX's answer held back `hold_ms` after it charged; returns
/// once the payment is journaled, with the task that waits for the answer.
async fn pay_slowly(
    sandbox: &RunningSandbox,
    engine: &Engine,
    reference: &str,
    hold_ms: u64,
) -> (String, tokio::task::JoinHandle<Result<PaymentRecord, EngineError>>) {
    let held = FaultSpec {
        latency_ms: Some(hold_ms),
        after_processing: true,
        ..FaultSpec::new("holidayextras.pay", FaultKind::Latency)
    };
    sandbox.inject_fault(held).unwrap();
    let (e, request) = (engine.clone(), hx(reference, 4200));
    let paying = tokio::spawn(async move { e.pay_holidayextras(request).await });
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let list = engine.store().read(|c| store::list_payments(c, 5, 0)).await.unwrap();
        if let Some(p) = list.into_iter().find(|p| p.subject_key == reference) {
            return (p.id, paying);
        }
        assert!(Instant::now() < deadline, "the payment was never journaled");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn assert_unsaved(err: &EngineError) {
    match err {
        EngineError::Unsaved(u) => {
            assert!(u.went_through, "{u:?}");
            assert_eq!(u.provider, "Holiday Extras");
        }
        other => panic!("expected an unsaved answer, got {other}"),
    }
    let text = err.to_string();
    assert!(text.contains("took payment") && text.contains("Do not take this payment again"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_a_full_disk_refuses_is_kept_and_saved_once_there_is_room() {
    let Some(disk) = SmallDisk::mount() else { return };
    let w = world().await;
    let engine = engine_for(&w.sandbox, disk.path());
    engine.pay_holidayextras(hx("HXB-DISK-0", 1000)).await.unwrap();

    let (id, paying) = pay_slowly(&w.sandbox, &engine, "HXB-DISK-1", 800).await;
    checkpoint(disk.path());
    fill(disk.path());
    let err = paying.await.unwrap().unwrap_err();
    assert_unsaved(&err);
    assert_eq!(engine.unsaved().len(), 1);

    // The history still says the money may have moved, so nothing lets the agent pay again.
    let record = engine.record(&id).await.unwrap();
    assert_eq!(record.status(), Status::Submitting);
    let again = engine.pay_holidayextras(hx("HXB-DISK-1", 4200)).await.unwrap_err();
    assert!(matches!(again, EngineError::Busy { .. }), "{again}");
    let key = record.attempts[0].idempotency_key.clone();
    assert_eq!(charges_for(&w.sandbox, &key).len(), 1);

    // Room again: the kept answer is saved without anyone asking.
    std::fs::remove_file(disk.path().join("filler")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let saved = loop {
        let record = engine.record(&id).await.unwrap();
        if record.status() != Status::Submitting {
            break record;
        }
        assert!(Instant::now() < deadline, "the kept answer was never saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(saved.status(), Status::Paid, "{:#?}", saved.timeline);
    assert!(engine.unsaved().is_empty());
    assert_eq!(charges_for(&w.sandbox, &key).len(), 1);
    let id2 = id.clone();
    engine.store().read(move |c| store::verify_payment_events(c, &id2)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_a_read_only_file_refuses_is_checked_at_the_next_start() {
    let w = world().await;
    let dir = scratch_dir();
    let engine = engine_for(&w.sandbox, dir.path());
    let (id, paying) = pay_slowly(&w.sandbox, &engine, "HXB-RO-1", 800).await;
    checkpoint(dir.path());
    let files = [dir.path().join(DB_FILE), dir.path().join(format!("{DB_FILE}-wal"))];
    let read_only = match Immutable::set(&files) {
        Ok(guard) => guard,
        Err(why) => {
            eprintln!("SKIPPED: this machine does not let the test make a file read-only ({why})");
            drop(paying.await);
            return;
        }
    };
    let err = paying.await.unwrap().unwrap_err();
    assert_unsaved(&err);

    // Farepoint closes before the file can be written again; then the file is put right.
    drop(engine);
    drop(read_only);
    let restarted = engine_for(&w.sandbox, dir.path());
    assert_eq!(restarted.recover().await.unwrap(), 1);
    let checked = settle(&restarted, &id).await;
    // HX took the payment and cannot say so again (a re-send of a taken paymentId fails), so a
    // person checks the portal — never "declined", never a second charge.
    assert_eq!(checked.status(), Status::NeedsReview, "{:#?}", checked.timeline);
    assert!(checked.timeline.iter().any(|e| e.message.contains("Farepoint stopped")));
    let key = checked.attempts[0].idempotency_key.clone();
    assert_eq!(charges_for(&w.sandbox, &key).len(), 1);
}
