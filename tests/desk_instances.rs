//! Two Farepoints on one history, as real processes: a desk double-clicks the icon again, or a
//! second copy starts on the same folder. Only the first may recover, poll or pay; the second
//! steps aside — it brings the first window forward (D-Bus), or, with no D-Bus, refuses in its
//! window with a plain message (the OS file lock) — and the payment in flight at the first is
//! never re-marked `Unknown` nor charged twice.
#![cfg(target_os = "linux")]

#[macro_use]
mod support;

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::json;
use support::{AppSession, TestResult};

/// What recovery writes when it takes over an attempt left in flight.
const TAKEN_OVER: &str = "Farepoint stopped while this payment was being sent";

/// The first window: a Holiday Extras charge that the simulator holds for `hold` before it
/// answers, so it is in flight (journaled, `Submitting`) while the second app starts.
async fn pay_slowly(app: &AppSession, hold: Duration) -> TestResult {
    let fault =
        json!({ "route": "holidayextras.pay", "kind": "latency", "latency_ms": hold.as_millis() as u64 });
    app.sandbox_fault(fault).await?;
    app.take_holidayextras("hx-two-apps").await?;
    app.wait_for_text("#take-timeline", |t| t.contains("Journaled")).await?;
    Ok(())
}

/// The first window, once the held charge has answered: paid, never taken over, charged once.
async fn paid_once_and_never_taken_over(app: &AppSession) -> TestResult {
    app.wait_for_text("#take-result .pill", |t| t == "Paid").await?;
    let timeline = app.client.find(Locator::Css("#take-timeline")).await?.text().await?;
    ensure!(!timeline.contains(TAKEN_OVER), "the second app took over the payment in flight: {timeline}");
    let ledger = app.sandbox_ledger().await?;
    ensure!(ledger.len() == 1, "the simulator took {} charges, expected exactly 1", ledger.len());
    Ok(())
}

/// What the window showed when a check failed: a screenshot and its text.
async fn report<T>(app: &AppSession, name: &str, outcome: &TestResult<T>) {
    if let Err(e) = outcome {
        let _ = app.screenshot(name).await;
        let body = app.client.find(Locator::Css("body")).await;
        if let Ok(body) = body {
            eprintln!("failed: {e}\nwindow text:\n{}", body.text().await.unwrap_or_default());
        }
    }
}

/// No D-Bus for the second app: the single-instance plugin cannot find the first, so the desk
/// lock must refuse it — in its window, before it reads the history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_d_bus_a_second_app_on_the_history_refuses_in_its_window_and_touches_nothing() {
    let first = AppSession::start().await.expect("start the first window");
    let outcome = async {
        pay_slowly(&first, Duration::from_secs(8)).await?;
        let no_bus = [("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/farepoint-test-bus")];
        let second = AppSession::start_in(first.data_path(), &no_bus).await?;
        let refused =
            second.wait_for_text("#startup-fault", |t| t.contains("already open on this history")).await;
        report(&second, "failed-second-app", &refused).await;
        let _ = second.snap("second-app-refused").await;
        let closed = second.close().await;
        let refused = refused?;
        ensure!(refused.contains("switch to that window"), "the refusal says what to do: {refused:?}");
        closed?;
        paid_once_and_never_taken_over(&first).await
    }
    .await;
    report(&first, "failed-first-app", &outcome).await;
    let closed = first.close().await;
    outcome.unwrap();
    closed.unwrap();
}

/// With D-Bus, launching Farepoint again on the same history hands over to the running window
/// and exits at once; the running payment goes on untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn launching_again_hands_over_to_the_running_window_and_exits() {
    let first = AppSession::start().await.expect("start the first window");
    let outcome = async {
        pay_slowly(&first, Duration::from_secs(5)).await?;
        let mut again = tokio::process::Command::new(env!("CARGO_BIN_EXE_farepoint"))
            .env("FAREPOINT_DATA_DIR", first.data_path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let started = Instant::now();
        let exited = tokio::time::timeout(Duration::from_secs(20), again.wait()).await;
        let Ok(status) = exited else {
            return Err("the second launch kept running beside the first".into());
        };
        ensure!(status?.success(), "the second launch did not hand over cleanly");
        eprintln!("the second launch handed over in {:?}", started.elapsed());
        paid_once_and_never_taken_over(&first).await
    }
    .await;
    report(&first, "failed-first-app-relaunch", &outcome).await;
    let closed = first.close().await;
    outcome.unwrap();
    closed.unwrap();
}

/// A history the app must not use — damaged, or written by a newer Farepoint — is explained in
/// the window, with what to do; the file is left as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_or_newer_history_is_explained_in_the_window_and_left_alone() {
    use farepoint_core::profile::{history_dir, Profile};
    use farepoint_core::store::{Store, DB_FILE, SCHEMA_VERSION};
    for (case, expected) in
        [("damaged", "is damaged or is not a Farepoint history"), ("newer", "newer Farepoint")]
    {
        let dir = tempfile::tempdir().unwrap();
        let db = history_dir(dir.path(), Profile::Production).join(DB_FILE);
        if case == "damaged" {
            std::fs::write(&db, b"this is not a database, it is a shopping list: eggs, milk, flour").unwrap();
        } else {
            let path = db.clone();
            tokio::task::spawn_blocking(move || {
                let store = Store::open(&path).unwrap();
                store
                    .write_blocking(|c| Ok(c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)?))
                    .unwrap();
            })
            .await
            .unwrap();
        }
        let app = AppSession::start_in(dir.path(), &[]).await.expect("start the window");
        let shown = app.wait_for_text("#startup-fault", |t| t.contains(expected)).await;
        report(&app, &format!("failed-{case}-history"), &shown).await;
        let _ = app.snap(&format!("startup-{case}-history")).await;
        let closed = app.close().await;
        shown.unwrap();
        closed.unwrap();
        // Left as it was: the damaged bytes untouched; the newer history not migrated "back".
        match case {
            "damaged" => {
                assert!(std::fs::read(&db).unwrap().starts_with(b"this is not a database"), "{case}")
            }
            _ => assert!(
                matches!(Store::open_read_only(&db), Err(farepoint_core::store::StoreError::TooNew { .. })),
                "{case}: the newer history was changed"
            ),
        }
        assert!(
            !std::fs::read_dir(dir.path()).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".bak-")),
            "{case}: nothing was upgraded, so nothing was copied"
        );
    }
}
