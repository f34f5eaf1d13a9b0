//! A real Farepoint engine process is killed with SIGKILL after it journaled an ATRIP payment and
//! after ATRIP charged it, but before the answer arrived. A restart reconciles it to the right
//! state with exactly one charge.
#![cfg(unix)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use farepoint_core::engine::{AtripPayment, Clients, Engine};
use farepoint_core::payment::Status;
use farepoint_core::providers::atrip::Method;
use farepoint_core::providers::http::Timeouts;
use farepoint_core::store::{self, Store};
use farepoint_sandbox::{FaultKind, FaultSpec};

const CHILD: &str = "FAREPOINT_CRASH_CHILD";

/// The process that gets killed: pays one order and waits (for a minute) for ATRIP's answer.
/// Run only by the test below, as its child.
#[tokio::test]
#[ignore = "run as the child of killed_mid_payment_recovers_with_one_charge"]
async fn crash_child() {
    let (Ok(base), Ok(dir), Ok(order_no)) =
        (std::env::var(CHILD), std::env::var("FP_DATA_DIR"), std::env::var("FP_ORDER_NO"))
    else {
        panic!("crash_child only runs as the child of the crash test");
    };
    let timeouts = Timeouts { connect: Duration::from_secs(2), total: Duration::from_secs(60) };
    let client = farepoint_sandbox::profile::atrip_at(base, timeouts).unwrap();
    let store = Store::open_in(std::path::Path::new(&dir)).unwrap();
    let engine = Engine::new(
        store,
        "sandbox",
        Clients { atrip: Some(client), ..Clients::default() },
        Default::default(),
    );
    let _ = engine
        .pay_atrip(AtripPayment { order_no, method: Method::Deposit, card: None, three_ds_ip: None })
        .await;
    unreachable!("the parent kills this process before ATRIP answers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_payment_recovers_with_one_charge() {
    let w = world().await;
    let order_no = seed_atrip_order(&w.sandbox, "432.10", "USD", &[1], &["DOE/JOHN"]).await;
    // ATRIP charges, then never answers: the child is left waiting with a journaled attempt.
    w.sandbox
        .inject_fault(FaultSpec { after_processing: true, ..FaultSpec::new("atrip.pay", FaultKind::Hang) })
        .unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "crash_child", "--test-threads", "1"])
        .env(CHILD, w.sandbox.atrip_base_url())
        .env("FP_DATA_DIR", w.dir.path())
        .env("FP_ORDER_NO", &order_no)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // Wait until the journal entry is on disk and ATRIP has recorded the charge.
    let watcher = Store::open_in(w.dir.path()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let journaled = loop {
        let submitting = watcher.read(|c| store::attempts_in_status(c, Status::Submitting)).await.unwrap();
        if !submitting.is_empty() && charges_for(&w.sandbox, &order_no).len() == 1 {
            break submitting[0].clone();
        }
        assert!(child.try_wait().unwrap().is_none(), "the child exited on its own");
        assert!(Instant::now() < deadline, "the child never journaled and sent the payment");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    child.kill().unwrap(); // SIGKILL: no destructor, no flush, no goodbye
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child was killed");
    drop(watcher);

    // Restart: the interrupted attempt becomes Unknown and is reconciled from ATRIP's order.
    let restarted = engine_for(&w.sandbox, w.dir.path());
    assert_eq!(restarted.recover().await.unwrap(), 1);
    let done = settle(&restarted, &journaled.payment_id).await;
    assert_eq!(done.status(), Status::Ticketed, "{:#?}", done.timeline);
    assert_eq!(
        done.timeline.iter().filter_map(|e| e.status_after).collect::<Vec<_>>(),
        [Status::Submitting, Status::Unknown, Status::Paid, Status::Ticketing, Status::Ticketed]
    );
    assert_eq!(charges_for(&w.sandbox, &order_no).len(), 1, "charged exactly once");
    assert_eq!(w.sandbox.request_count("atrip.pay"), 1, "pay.do was never re-sent");
}
