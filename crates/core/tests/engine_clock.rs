//! A clock that jumps: the computer's wall clock moves forward hours while payments wait on an
//! unclear answer (a clock corrected by hand or by NTP, a laptop resumed). No grace period or
//! deadline may end early because of it: "not charged" needs positive evidence seen over real
//! time, and a person is asked only once the real deadline has passed.
//!
//! Its own test binary: the wall-clock jump is process-wide, so no other test may share it.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::*;
use farepoint_core::engine::{
    AtripPayment, Clients, Engine, HolidayExtrasPayment, PaymentRecord, PollPolicy, TravelportFop,
    TravelportPayment,
};
use farepoint_core::money::{Currency, Money};
use farepoint_core::payment::{Provider, Status};
use farepoint_core::providers::atrip::Method;
use farepoint_core::store::Store;
use farepoint_sandbox::demo::holidayextras::TOKEN_APPROVE;
use farepoint_sandbox::{FaultKind, FaultSpec};

const TWO_HOURS_MS: i64 = 2 * 3600 * 1000;

fn policy() -> PollPolicy {
    PollPolicy {
        first_after: Duration::from_millis(50),
        max_interval: Duration::from_millis(200),
        deadline: Duration::from_secs(4),
        unpaid_grace: Duration::from_millis(1500),
        concurrency: 4,
    }
}

/// Polls for `for_how_long` of real time; the payment must stay `Unknown` throughout.
async fn stays_unknown(engine: &Engine, payment_id: &str, for_how_long: Duration, label: &str) {
    let until = Instant::now() + for_how_long;
    while Instant::now() < until {
        engine.poll_due().await.unwrap();
        let record = engine.record(payment_id).await.unwrap();
        assert_eq!(
            record.status(),
            Status::Unknown,
            "{label}: decided after a wall-clock jump, before real time passed: {:#?}",
            record.timeline
        );
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

fn ended_in(record: &PaymentRecord) -> Status {
    record.status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wall_clock_jump_ends_no_grace_period_or_deadline_early() {
    let w = world().await;
    let dir = tempfile::tempdir().unwrap();
    let clients = Clients {
        atrip: Some(atrip_client(&w.sandbox)),
        travelport: common::travelport::client(&w.sandbox),
        holidayextras: common::holidayextras::client(&w.sandbox),
        heipay: None,
    };
    let policies: HashMap<Provider, PollPolicy> = Provider::ALL.into_iter().map(|p| (p, policy())).collect();
    let engine = Engine::new(Store::open_in(dir.path()).unwrap(), "sandbox", clients, policies);

    // ATRIP: pay.do answered 500 before charging; the order stays unpaid. Only after the real
    // grace period does "still unpaid, no payment on it" prove nothing was charged.
    let order_no = seed_atrip_order(&w.sandbox, "120.00", "USD", &[1], &["DOE/JOHN"]).await;
    w.sandbox.inject_fault(FaultSpec::new("atrip.pay", FaultKind::Http500)).unwrap();
    let atrip = engine
        .pay_atrip(AtripPayment { order_no, method: Method::Deposit, card: None, three_ds_ip: None })
        .await
        .unwrap();
    assert_eq!(atrip.status(), Status::Unknown);

    // Travelport: the commit answered 500 before charging; no tickets will ever appear.
    let locator = common::travelport::seed_simple_pnr(&w.sandbox, "80.00").await;
    w.sandbox.inject_fault(FaultSpec::new("travelport.commit", FaultKind::Http500)).unwrap();
    let travelport = engine
        .pay_travelport(TravelportPayment {
            locator,
            offer_ids: vec!["offer_1".into()],
            fop: TravelportFop::Cash,
        })
        .await
        .unwrap();
    assert_eq!(travelport.status(), Status::Unknown);

    // Holiday Extras: no answer to the payment nor to any re-send, until the deadline.
    w.sandbox
        .inject_fault(FaultSpec { count: 1_000, ..FaultSpec::new("holidayextras.pay", FaultKind::Http500) })
        .unwrap();
    let hx = engine
        .pay_holidayextras(HolidayExtrasPayment {
            token: TOKEN_APPROVE.into(),
            payment_reference: "HXCLOCK1".into(),
            amount: Money::from_minor(4200, Currency::GBP),
            customer: "Jane Doe".into(),
            postal_code: None,
            country_code: None,
        })
        .await
        .unwrap();
    assert_eq!(hx.status(), Status::Unknown);

    // The clock jumps two hours ahead: by the wall clock every grace period and deadline is
    // long over. Nothing may be decided on it.
    farepoint_core::wall_clock::jump(TWO_HOURS_MS);
    for (record, label) in [(&atrip, "ATRIP"), (&travelport, "Travelport"), (&hx, "Holiday Extras")] {
        stays_unknown(&engine, &record.payment.id, Duration::from_millis(300), label).await;
    }
    assert!(w.sandbox.request_count("holidayextras.pay") >= 2, "Holiday Extras was still being asked");

    // As real time passes, each ends as it should: ATRIP proves unpaid; Travelport and Holiday
    // Extras have no proof and go to a person — never to "declined" on a guess.
    let atrip = settle(&engine, &atrip.payment.id).await;
    assert_eq!(ended_in(&atrip), Status::Declined, "{:#?}", atrip.timeline);
    let travelport = settle(&engine, &travelport.payment.id).await;
    assert_eq!(ended_in(&travelport), Status::NeedsReview, "{:#?}", travelport.timeline);
    let hx = settle(&engine, &hx.payment.id).await;
    assert_eq!(ended_in(&hx), Status::NeedsReview, "{:#?}", hx.timeline);
    assert!(hx.timeline.last().unwrap().message.contains("in time"), "{:#?}", hx.timeline);
    // Each was decided only after its real grace or deadline had been watched.
    for record in [&atrip, &travelport, &hx] {
        let watched = record.attempts.last().unwrap().watched_ms;
        assert!(watched >= 1_400, "{}: decided after {watched} ms watched", record.payment.provider.as_str());
    }
    assert!(w.sandbox.ledger().is_empty(), "nothing was charged");
}
