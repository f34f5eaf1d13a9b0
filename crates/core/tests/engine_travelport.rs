//! Travelport through the engine, over loopback HTTP against the sandbox, into a real SQLite file.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::travelport::{control_post, seed_pnr, seed_simple_pnr};
use common::*;
use farepoint_core::engine::{Clients, Engine, EngineError, PollPolicy};
use farepoint_core::engine::{TravelportFop, TravelportPayment};
use farepoint_core::money::{Currency, Money};
use farepoint_core::payment::{EventKind, Provider, Status, TicketKind};
use farepoint_core::providers::travelport::OfferKind;
use farepoint_core::providers::ProviderError;
use farepoint_core::store::{self, Store};
use farepoint_sandbox::{demo::travelport as d, FaultKind, FaultSpec};
use serde_json::json;

fn pay(locator: &str, offers: &[&str], fop: TravelportFop) -> TravelportPayment {
    TravelportPayment {
        locator: locator.into(),
        offer_ids: offers.iter().map(|o| o.to_string()).collect(),
        fop,
    }
}

fn by_card(locator: &str, offers: &[&str], number: &str) -> TravelportPayment {
    pay(locator, offers, TravelportFop::Card(card(number)))
}

fn invalid_field(err: EngineError) -> (String, String) {
    match err {
        EngineError::Provider(ProviderError::Invalid { field, message, .. }) => (field, message),
        other => panic!("expected invalid input, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn itinerary_and_ancillary_by_card_issue_two_tickets_and_an_emd_with_one_charge() {
    let w = world().await;
    let paid = w
        .engine
        .pay_travelport(by_card(d::LOCATOR_WITH_ANCILLARY, &["offer_1", "an_o1"], "4111111111111111"))
        .await
        .unwrap();
    assert_eq!(paid.status(), Status::Ticketed, "{:#?}", paid.timeline);
    assert_eq!(statuses(&paid), [Status::Submitting, Status::Paid, Status::Ticketing, Status::Ticketed]);
    assert_eq!(paid.payment.amount, Money::from_minor(100_670, Currency::USD), "943.60 + 63.10");
    assert_eq!(paid.payment.customer, "DOE/JANE, DOE/JOHN");

    let mut docs: Vec<(TicketKind, &str)> =
        paid.tickets.iter().map(|t| (t.kind, t.passenger.as_str())).collect();
    docs.sort_by_key(|(k, p)| (*k == TicketKind::Emd, p.to_string()));
    assert_eq!(
        docs,
        [(TicketKind::Ticket, "DOE/JANE"), (TicketKind::Ticket, "DOE/JOHN"), (TicketKind::Emd, "DOE/JANE")]
    );
    assert!(paid.tickets.iter().all(|t| t.number.len() == 13 && t.number.starts_with("016")));
    let ticket_events = paid.timeline.iter().filter(|e| e.kind == EventKind::Ticket).count();
    assert_eq!(ticket_events, 3);
    assert!(paid
        .timeline
        .iter()
        .any(|e| e.message.starts_with("EMD 016-") && e.message.ends_with("DOE/JANE")));

    let charges = charges_for(&w.sandbox, d::LOCATOR_WITH_ANCILLARY);
    assert_eq!(charges.len(), 1, "charged once");
    assert_eq!((charges[0].amount_minor, charges[0].currency.as_str()), (100_670, "USD"));
    assert_eq!(charges[0].method, "card");
    assert_eq!(charges[0].card_last4.as_deref(), Some("1111"));
    assert_eq!(charges[0].secondary_reference.as_deref(), Some(paid.attempts[0].idempotency_key.as_str()));
    assert_eq!(w.sandbox.request_count("travelport.commit"), 1);
    assert_eq!(paid.payment.card.as_ref().unwrap().last4, "1111");

    let id = paid.payment.id.clone();
    w.engine.store().read(move |c| store::verify_payment_events(c, &id)).await.unwrap();
    // The card number and CVV went to Travelport only: not into the database or the timeline.
    let timeline = serde_json::to_string(&paid.timeline).unwrap();
    assert!(!timeline.contains("4111111111111111"), "PAN in the timeline");
    assert!(timeline.contains("FormOfPaymentPaymentCard"), "the FOP exchange is on the timeline");
    for entry in std::fs::read_dir(w.dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(16).any(|win| win == b"4111111111111111"), "PAN in the data dir");
    }
    // Paid and ticketed: a second payment of the same offers is refused by Travelport (4012).
    let again = w
        .engine
        .pay_travelport(pay(d::LOCATOR_WITH_ANCILLARY, &["offer_1"], TravelportFop::Cash))
        .await
        .unwrap();
    assert_eq!(again.status(), Status::Declined);
    assert_eq!(again.attempts[0].error_code.as_deref(), Some("4012"));
    assert_eq!(charges_for(&w.sandbox, d::LOCATOR_WITH_ANCILLARY).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cash_and_the_stored_card_pay_too() {
    let w = world().await;
    let locator = seed_simple_pnr(&w.sandbox, "250.00").await;
    let cash = w.engine.pay_travelport(pay(&locator, &["offer_1"], TravelportFop::Cash)).await.unwrap();
    assert_eq!(cash.status(), Status::Ticketed, "{:#?}", cash.timeline);
    assert_eq!(cash.tickets.len(), 1);
    assert!(cash.payment.card.is_none());
    let charges = charges_for(&w.sandbox, &locator);
    assert_eq!((charges.len(), charges[0].method.as_str(), charges[0].amount_minor), (1, "cash", 25_000));

    let fops_before = w.sandbox.request_count("travelport.formofpayment");
    let stored = TravelportFop::Stored("formOfPayment_stored_1".into());
    let paid = w.engine.pay_travelport(pay(d::LOCATOR_STORED_CARD, &["offer_1"], stored)).await.unwrap();
    assert_eq!(paid.status(), Status::Ticketed, "{:#?}", paid.timeline);
    assert_eq!(paid.payment.amount, Money::from_minor(125_000, Currency::AUD));
    assert_eq!(paid.tickets.iter().map(|t| t.passenger.as_str()).collect::<Vec<_>>(), ["SMITH/ALEX"]);
    assert!(paid.tickets[0].number.starts_with("081"), "a QF ticket");
    assert_eq!(
        w.sandbox.request_count("travelport.formofpayment"),
        fops_before,
        "a stored FOP is not re-added"
    );
    let charges = charges_for(&w.sandbox, d::LOCATOR_STORED_CARD);
    assert_eq!(charges.len(), 1);
    assert_eq!((charges[0].method.as_str(), charges[0].card_last4.as_deref()), ("card", Some("1111")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workbench_view_lists_offers_with_exact_prices_and_stored_fops() {
    let w = world().await;
    let view = w.engine.travelport_workbench(" fpair1 ").await.unwrap();
    assert!(!view.workbench_id.is_empty());
    assert_eq!(view.locator, "FPAIR1");
    let names: Vec<&str> = view.travelers.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["DOE/JANE", "DOE/JOHN"]);
    let offers: Vec<(&str, &OfferKind, Money)> =
        view.offers.iter().map(|o| (o.id.as_str(), &o.kind, o.price)).collect();
    assert_eq!(
        offers,
        [
            ("offer_1", &OfferKind::Itinerary, Money::from_minor(94_360, Currency::USD)),
            ("an_o1", &OfferKind::Ancillary, Money::from_minor(6_310, Currency::USD)),
        ]
    );
    assert_eq!(view.offers[1].description, "Checked bag 23kg");
    assert_eq!(view.offers[1].travelers, ["DOE/JANE"]);
    assert!(view.stored_fops.is_empty() && view.documents.is_empty());

    let stored = w.engine.travelport_workbench(d::LOCATOR_STORED_CARD).await.unwrap();
    assert_eq!(stored.stored_fops.len(), 1);
    assert_eq!(stored.stored_fops[0].id, "formOfPayment_stored_1");
    assert!(stored.stored_fops[0].description.contains("••••1111"), "{:?}", stored.stored_fops[0]);

    let ticketed = w.engine.travelport_workbench(d::LOCATOR_TICKETED).await.unwrap();
    assert_eq!(ticketed.documents.len(), 1, "the issued ticket shows");

    // A three-decimal currency stays exact.
    let kwd = seed_pnr(
        &w.sandbox,
        json!({ "currency": "KWD", "farePerTraveler": "120.125",
        "ancillary": {"traveler": 1, "description": "Seat 12A", "price": "4.005"} }),
    )
    .await;
    let view = w.engine.travelport_workbench(&kwd).await.unwrap();
    let prices: Vec<i64> = view.offers.iter().map(|o| o.price.minor).collect();
    assert_eq!(prices, [120_125, 4_005]);
    let paid =
        w.engine.pay_travelport(by_card(&kwd, &["offer_1", "an_o1"], "5555555555554444")).await.unwrap();
    assert_eq!(paid.status(), Status::Ticketed, "{:#?}", paid.timeline);
    assert_eq!(charges_for(&w.sandbox, &kwd)[0].amount, "124.130");
    // Opening workbenches charged nothing.
    assert_eq!(charges_for(&w.sandbox, d::LOCATOR_WITH_ANCILLARY).len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_fetched_once_and_renewed_after_it_expires() {
    let w = world().await;
    for fare in ["100.00", "200.00"] {
        let locator = seed_simple_pnr(&w.sandbox, fare).await;
        let paid = w.engine.pay_travelport(pay(&locator, &["offer_1"], TravelportFop::Cash)).await.unwrap();
        assert_eq!(paid.status(), Status::Ticketed);
    }
    assert_eq!(w.sandbox.request_count("travelport.token"), 1, "one token for every call");

    control_post(&w.sandbox, "travelport/expire-tokens").await;
    let locator = seed_simple_pnr(&w.sandbox, "300.00").await;
    let paid = w.engine.pay_travelport(pay(&locator, &["offer_1"], TravelportFop::Cash)).await.unwrap();
    assert_eq!(paid.status(), Status::Ticketed, "{:#?}", paid.timeline);
    assert_eq!(w.sandbox.request_count("travelport.token"), 2, "renewed once after the 401");
    assert_eq!(charges_for(&w.sandbox, &locator).len(), 1);
}

/// A token service that answers an absurd `expires_in` (here the largest integer) must not
/// crash Farepoint mid-payment: the lifetime is capped and computed with checked arithmetic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_token_lifetime_is_capped_not_a_crash() {
    let w = world().await;
    w.sandbox.set_settings(farepoint_sandbox::Settings {
        travelport_token_ttl_secs: u64::MAX,
        ..w.sandbox.settings()
    });
    let locator = seed_simple_pnr(&w.sandbox, "100.00").await;
    let paid = w.engine.pay_travelport(pay(&locator, &["offer_1"], TravelportFop::Cash)).await.unwrap();
    assert_eq!(paid.status(), Status::Ticketed, "{:#?}", paid.timeline);
    assert_eq!(charges_for(&w.sandbox, &locator).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_workbench_is_declined_with_a_way_forward() {
    let w = world().await;
    let locator = seed_simple_pnr(&w.sandbox, "180.00").await;
    // The workbench expires while the form of payment is on its way.
    let slow =
        FaultSpec { latency_ms: Some(600), ..FaultSpec::new("travelport.formofpayment", FaultKind::Latency) };
    w.sandbox.inject_fault(slow).unwrap();
    let engine = w.engine.clone();
    let request = by_card(&locator, &["offer_1"], "4111111111111111");
    let paying = tokio::spawn(async move { engine.pay_travelport(request).await });
    while w.sandbox.request_count("travelport.formofpayment") == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    control_post(&w.sandbox, "travelport/expire-workbenches").await;
    let declined = paying.await.unwrap().unwrap();
    assert_eq!(declined.status(), Status::Declined);
    assert_eq!(declined.attempts[0].error_code.as_deref(), Some("4003"));
    let last = &declined.timeline.last().unwrap().message;
    assert!(last.to_lowercase().contains("payment session expired — open it again and pay"), "{last}");
    assert_eq!(w.sandbox.request_count("travelport.commit"), 0);
    assert!(charges_for(&w.sandbox, &locator).is_empty());

    let again = w.engine.pay_travelport(by_card(&locator, &["offer_1"], "4111111111111111")).await.unwrap();
    assert_eq!(again.status(), Status::Ticketed);
    assert_eq!(charges_for(&w.sandbox, &locator).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_card_is_declined_with_advice_and_another_may_follow() {
    let w = world().await;
    let cases = [("4000000000000002", "4020"), ("4000000000009995", "4021"), ("4000000000006041", "4022")];
    for (number, code) in cases {
        let locator = seed_simple_pnr(&w.sandbox, "410.00").await;
        let declined = w.engine.pay_travelport(by_card(&locator, &["offer_1"], number)).await.unwrap();
        assert_eq!(declined.status(), Status::Declined, "{number}");
        assert_eq!(declined.attempts[0].error_code.as_deref(), Some(code));
        let last = &declined.timeline.last().unwrap().message;
        assert!(last.contains("Use another card or pay cash"), "{last}");
        assert!(declined.tickets.is_empty());
        assert!(charges_for(&w.sandbox, &locator).is_empty(), "{number}: nothing charged");

        // The next try is either a new attempt of the same payment or a new payment.
        let second = if code == "4020" {
            let card = common::card("5555555555554444");
            let retried =
                w.engine.retry_travelport(&declined.payment.id, TravelportFop::Card(card)).await.unwrap();
            assert_eq!(retried.attempts.iter().map(|a| a.seq).collect::<Vec<_>>(), [1, 2]);
            assert_eq!(retried.payment.card.as_ref().unwrap().last4, "4444");
            retried
        } else {
            w.engine.pay_travelport(by_card(&locator, &["offer_1"], "5555555555554444")).await.unwrap()
        };
        assert_eq!(second.status(), Status::Ticketed, "{number}: {:#?}", second.timeline);
        assert_eq!(charges_for(&w.sandbox, &locator).len(), 1);
    }
    let ticketed = w.engine.store().read(|c| store::list_payments(c, 10, 0)).await.unwrap();
    let retried = ticketed.iter().find(|p| p.status == Status::Ticketed).unwrap().id.clone();
    let err = w.engine.retry_travelport(&retried, TravelportFop::Cash).await.unwrap_err();
    assert!(matches!(err, EngineError::WrongState { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let w = world().await;
    let (field, message) = invalid_field(
        w.engine.pay_travelport(pay("AB1", &["offer_1"], TravelportFop::Cash)).await.unwrap_err(),
    );
    assert_eq!(field, "locator");
    assert!(message.contains("6 letters or digits"), "{message}");
    let (field, _) =
        invalid_field(w.engine.pay_travelport(pay("FPAIR1", &[" "], TravelportFop::Cash)).await.unwrap_err());
    assert_eq!(field, "offer_ids");
    let dup = pay("FPAIR1", &["offer_1", "offer_1"], TravelportFop::Cash);
    assert!(invalid_field(w.engine.pay_travelport(dup).await.unwrap_err()).1.contains("ticked twice"));
    assert_eq!(w.sandbox.request_count("travelport.buildfromlocator"), 0, "nothing sent for bad input");

    // Checked against the reservation before anything is journaled or could be charged.
    let (field, message) = invalid_field(
        w.engine.pay_travelport(pay("FPAIR1", &["offer_9"], TravelportFop::Cash)).await.unwrap_err(),
    );
    assert_eq!(field, "offer_ids");
    assert!(
        message.contains("offer_1") && message.contains("an_o1"),
        "names the offers there are: {message}"
    );
    let stored = TravelportFop::Stored("formOfPayment_stored_1".into());
    let (field, message) =
        invalid_field(w.engine.pay_travelport(pay("FPAIR1", &["offer_1"], stored)).await.unwrap_err());
    assert_eq!(field, "fop");
    assert!(message.contains("no stored form of payment"), "{message}");
    match w.engine.pay_travelport(pay("ZZZ999", &["offer_1"], TravelportFop::Cash)).await.unwrap_err() {
        EngineError::Provider(ProviderError::Refused(r)) => {
            assert_eq!(r.code, "4001");
            assert!(r.advice.contains("Check the record locator"), "{r:?}");
        }
        other => panic!("expected a refusal, got {other}"),
    }
    for route in ["travelport.formofpayment", "travelport.payment", "travelport.commit"] {
        assert_eq!(w.sandbox.request_count(route), 0, "{route} was called");
    }
    let payments = w.engine.store().read(|c| store::list_payments(c, 10, 0)).await.unwrap();
    assert!(payments.is_empty(), "nothing was journaled");
}

/// Every fault the sandbox can inject on the commit ends in a definite state, with at most one
/// charge, and never a second commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_faults_end_definite_with_at_most_one_charge_and_one_commit() {
    let w = world().await;
    let route = "travelport.commit";
    let after = |kind| FaultSpec { after_processing: true, ..FaultSpec::new(route, kind) };
    let slow = |after_processing| FaultSpec {
        latency_ms: Some(1_500),
        after_processing,
        ..FaultSpec::new(route, FaultKind::Latency)
    };
    let cases = [
        (FaultSpec::new(route, FaultKind::CloseAfterCharge), Status::Ticketed, 1),
        (FaultSpec::new(route, FaultKind::MalformedJson), Status::Ticketed, 1),
        // Never processed — but no tickets is no proof of that: a person checks Smartpoint.
        (FaultSpec::new(route, FaultKind::Http500), Status::NeedsReview, 0),
        (after(FaultKind::Http500), Status::Ticketed, 1),
        (after(FaultKind::Hang), Status::Ticketed, 1),
        // Charged, then slower than our time limit: we gave up, Travelport had already acted.
        (slow(true), Status::Ticketed, 1),
        // Slower than our time limit before processing: the request died with our connection.
        (slow(false), Status::NeedsReview, 0),
    ];
    for (fault, expected, charges) in cases {
        let label = format!("{:?} after_processing={}", fault.kind, fault.after_processing);
        let locator = seed_pnr(
            &w.sandbox,
            json!({ "currency": "USD", "farePerTraveler": "120.00",
            "travelers": [{"given": "JANE", "surname": "DOE"}, {"given": "JOHN", "surname": "DOE"}],
            "ancillary": {"traveler": 2, "price": "35.00"} }),
        )
        .await;
        let before = w.sandbox.request_count(route);
        w.sandbox.inject_fault(fault).unwrap();
        let first = w
            .engine
            .pay_travelport(by_card(&locator, &["offer_1", "an_o1"], "4111111111111111"))
            .await
            .unwrap();
        assert_eq!(first.status(), Status::Unknown, "{label}");
        // While it is unknown, another payment for the reservation is refused.
        let busy =
            w.engine.pay_travelport(pay(&locator, &["offer_1"], TravelportFop::Cash)).await.unwrap_err();
        assert!(matches!(busy, EngineError::Busy { status: Status::Unknown, .. }), "{label}: {busy}");

        let done = settle(&w.engine, &first.payment.id).await;
        assert_eq!(done.status(), expected, "{label}: {:#?}", done.timeline);
        assert_eq!(charges_for(&w.sandbox, &locator).len(), charges, "{label}");
        assert_eq!(w.sandbox.request_count(route) - before, 1, "{label}: the commit was re-sent");
        if expected == Status::Ticketed {
            assert_eq!(done.tickets.len(), 3, "{label}: 2 tickets + 1 EMD");
            assert!(done.timeline.iter().any(|e| e.kind == EventKind::Reconciled), "{label}");
            assert_eq!(
                statuses(&done),
                [Status::Submitting, Status::Unknown, Status::Paid, Status::Ticketing, Status::Ticketed]
            );
        } else {
            // No news is not "not paid": never Declined, never "you may pay again".
            assert!(
                !done.timeline.iter().any(|e| e.status_after == Some(Status::Declined)),
                "{label}: declined on a guess"
            );
            let last = &done.timeline.last().unwrap().message;
            assert!(last.contains("Smartpoint") && last.contains("do not pay again"), "{label}: {last}");
            assert!(!done.timeline.iter().any(|e| e.message.contains("you may pay again")), "{label}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reservation_that_cannot_be_read_goes_to_review_at_the_deadline() {
    let w = world().await;
    // Its own engine: a short deadline, and an unpaid grace longer than it.
    let dir = tempfile::tempdir().unwrap();
    let policy = PollPolicy {
        deadline: Duration::from_secs(2),
        unpaid_grace: Duration::from_secs(60),
        ..fast_policy()
    };
    let clients = Clients { travelport: common::travelport::client(&w.sandbox), ..Clients::default() };
    let policies: HashMap<Provider, PollPolicy> = Provider::ALL.into_iter().map(|p| (p, policy)).collect();
    let engine = Engine::new(Store::open_in(dir.path()).unwrap(), "sandbox", clients, policies);

    let locator = seed_simple_pnr(&w.sandbox, "99.00").await;
    w.sandbox.inject_fault(FaultSpec::new("travelport.commit", FaultKind::Http500)).unwrap();
    for route in ["travelport.receipts", "travelport.retrieve"] {
        w.sandbox
            .inject_fault(FaultSpec { count: 1_000, ..FaultSpec::new(route, FaultKind::Http500) })
            .unwrap();
    }
    let first = engine.pay_travelport(pay(&locator, &["offer_1"], TravelportFop::Cash)).await.unwrap();
    assert_eq!(first.status(), Status::Unknown);
    let done = settle(&engine, &first.payment.id).await;
    assert_eq!(done.status(), Status::NeedsReview, "{:#?}", done.timeline);
    assert!(done.timeline.last().unwrap().message.contains("Smartpoint"));
    assert!(w.sandbox.request_count("travelport.receipts") >= 2, "it kept asking");
    assert_eq!(w.sandbox.request_count("travelport.commit"), 1, "never committed again");
    assert!(charges_for(&w.sandbox, &locator).is_empty());
}
