//! Holiday Extras through the engine, over loopback HTTP against the sandbox, into a real SQLite
//! file: pay and refund in v1 and v2, declines, input refused before sending, and every fault
//! the sandbox can inject — never a second charge, and only ever re-sent with the same paymentId.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::holidayextras::client_v1;
use common::*;
use farepoint_core::engine::{Clients, Engine, EngineError, PaymentRecord, PollPolicy};
use farepoint_core::money::{Currency, Money};
use farepoint_core::money_state::{Check, MoneyState};
use farepoint_core::payment::{EventKind, Provider, RefundStatus, Status};
use farepoint_core::providers::holidayextras::{HolidayExtrasClient, HolidayExtrasPayment};
use farepoint_core::providers::ProviderError;
use farepoint_core::store::{self, Store};
use farepoint_sandbox::demo::holidayextras::{TOKEN_APPROVE, TOKEN_DECLINE, TOKEN_INSUFFICIENT_FUNDS};
use farepoint_sandbox::{EntryKind, FaultKind, FaultSpec, LedgerEntry, RunningSandbox};
use serde_json::json;

fn gbp(minor: i64) -> Money {
    Money::from_minor(minor, Currency::GBP)
}

fn hx(token: &str, reference: &str, amount: Money) -> HolidayExtrasPayment {
    HolidayExtrasPayment {
        token: token.into(),
        payment_reference: reference.into(),
        amount,
        customer: "Jane Doe".into(),
        postal_code: None,
        country_code: None,
    }
}

/// An engine with only a Holiday Extras client, over its own database.
fn engine_with(dir: &std::path::Path, client: HolidayExtrasClient, policy: PollPolicy) -> Engine {
    let clients = Clients { holidayextras: Some(client), ..Default::default() };
    let policies: HashMap<Provider, PollPolicy> = Provider::ALL.into_iter().map(|p| (p, policy)).collect();
    Engine::new(Store::open_in(dir).unwrap(), "sandbox", clients, policies)
}

fn key(record: &PaymentRecord) -> String {
    record.attempts[0].idempotency_key.clone()
}

fn refunds_for(sandbox: &RunningSandbox, payment_id: &str) -> Vec<LedgerEntry> {
    sandbox
        .ledger()
        .into_iter()
        .filter(|e| e.reference == payment_id && e.kind == EntryKind::Refund)
        .collect()
}

/// The `paymentId` of every `/pay` exchange on the payment's timeline, in order.
fn sent_payment_ids(record: &PaymentRecord) -> Vec<String> {
    record
        .timeline
        .iter()
        .filter(|e| e.kind == EventKind::ProviderAnswer)
        .filter_map(|e| e.data["exchange"]["request"]["paymentId"].as_str().map(str::to_string))
        .collect()
}

fn last_message(record: &PaymentRecord) -> &str {
    &record.timeline.last().unwrap().message
}

async fn verify_chain(engine: &Engine, payment_id: &str) {
    let id = payment_id.to_string();
    engine.store().read(move |c| store::verify_payment_events(c, &id)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_and_refund_in_v2_and_v1_charge_and_refund_exactly_once() {
    let w = world().await;
    let dir_v1 = tempfile::tempdir().unwrap();
    let v1 = engine_with(dir_v1.path(), client_v1(&w.sandbox), fast_policy());
    // What the window offers follows the version: the core serves it.
    let offered = |e: &Engine| e.catalog().currencies.get("holidayextras").cloned();
    assert_eq!((offered(&w.engine), offered(&v1)), (Some(vec!["GBP", "EUR"]), Some(vec!["GBP"])));
    let eur = Money::from_minor(4599, Currency::EUR);
    let cases = [
        ("v2", &w.engine, eur, Some("10115"), Some("de"), json!(4599)),
        ("v1", &v1, gbp(1234), None, None, json!("1234")),
    ];
    for (label, engine, amount, postal_code, country_code, pence_sent) in cases {
        let reference = format!("HXB-{label}");
        let request = HolidayExtrasPayment {
            postal_code: postal_code.map(str::to_string),
            country_code: country_code.map(str::to_string),
            ..hx(TOKEN_APPROVE, &reference, amount)
        };
        let paid = engine.pay_holidayextras(request).await.unwrap();
        assert_eq!(paid.status(), Status::Paid, "{label}: {:#?}", paid.timeline);
        assert_eq!(statuses(&paid), [Status::Submitting, Status::Paid], "{label}");
        let key = key(&paid);
        assert_eq!(paid.attempts[0].provider_ref.as_deref(), Some(key.as_str()), "{label}");
        assert_eq!(sent_payment_ids(&paid), [key.as_str()], "{label}: the journaled key is the paymentId");
        let answer = paid.timeline.iter().find(|e| e.kind == EventKind::ProviderAnswer).unwrap();
        let sent = &answer.data["exchange"]["request"];
        assert_eq!(sent["amount"], pence_sent, "{label}");
        assert_eq!(sent["token"], TOKEN_APPROVE, "{label}: a token is not a card number");
        if label == "v2" {
            assert_eq!(
                (&sent["currency"], &sent["postalCode"], &sent["countryCode"]),
                (&json!("EUR"), &json!("10115"), &json!("DE"))
            );
        } else {
            assert!(sent.get("currency").is_none() && sent.get("postalCode").is_none(), "{sent}");
        }

        let charges = charges_for(&w.sandbox, &key);
        assert_eq!(charges.len(), 1, "{label}");
        assert_eq!(
            (charges[0].amount_minor, charges[0].currency.as_str()),
            (amount.minor, amount.currency.code())
        );
        assert_eq!(charges[0].secondary_reference.as_deref(), Some(reference.as_str()));

        let refunded = engine.refund_holidayextras(&paid.payment.id, None).await.unwrap();
        assert_eq!(refunded.status(), Status::Refunded, "{label}: {:#?}", refunded.timeline);
        assert!(
            last_message(&refunded).starts_with(&format!("Refunded {amount} of {amount}")),
            "{}",
            last_message(&refunded)
        );
        let refunds = refunds_for(&w.sandbox, &key);
        assert_eq!(refunds.iter().map(|r| r.amount_minor).collect::<Vec<_>>(), [amount.minor], "{label}");

        let again = engine.refund_holidayextras(&paid.payment.id, None).await.unwrap_err();
        assert!(matches!(again, EngineError::WrongState { status: Status::Refunded, .. }), "{again}");
        assert_eq!(refunds_for(&w.sandbox, &key).len(), 1);
        verify_chain(engine, &paid.payment.id).await;
    }
    assert_eq!(w.sandbox.request_count("holidayextras.refund"), 2, "a refused refund was not sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reference_may_be_paid_again_and_refunded_in_part() {
    let w = world().await;
    let first = w.engine.pay_holidayextras(hx(TOKEN_APPROVE, "HXB-SPLIT", gbp(2000))).await.unwrap();
    let second = w.engine.pay_holidayextras(hx(TOKEN_APPROVE, "HXB-SPLIT", gbp(500))).await.unwrap();
    assert_eq!((first.status(), second.status()), (Status::Paid, Status::Paid));
    assert_ne!(key(&first), key(&second), "each payment has its own paymentId");
    let grouped =
        w.sandbox.ledger().into_iter().filter(|e| e.secondary_reference.as_deref() == Some("HXB-SPLIT"));
    assert_eq!(grouped.map(|e| e.amount_minor).collect::<Vec<_>>(), [2000, 500]);

    // Refund amounts HX would refuse are refused here, before sending.
    let refunds_before = w.sandbox.request_count("holidayextras.refund");
    for bad in [gbp(0), gbp(2001), Money::from_minor(100, Currency::EUR)] {
        let err = w.engine.refund_holidayextras(&first.payment.id, Some(bad)).await.unwrap_err();
        assert!(
            matches!(&err, EngineError::Provider(ProviderError::Invalid { field, .. }) if field == "amount"),
            "{err}"
        );
    }
    assert_eq!(w.sandbox.request_count("holidayextras.refund"), refunds_before);

    // A part refund leaves the payment Paid, with the rest still refundable.
    let part = w.engine.refund_holidayextras(&first.payment.id, Some(gbp(750))).await.unwrap();
    assert_eq!(part.status(), Status::Paid, "{:#?}", part.timeline);
    assert!(last_message(&part).starts_with("Refunded 7.50 GBP of 20.00 GBP"), "{}", last_message(&part));
    assert_eq!((part.refunded(), part.refundable()), (gbp(750), gbp(1250)));
    assert!(part.can_refund(), "the rest may still be refunded");
    assert_eq!(
        MoneyState::of(&part),
        MoneyState::Charged {
            amount: gbp(2000),
            refunded: gbp(750),
            refund_unclear: None,
            check: Check { place: "holidayextras_portal", key: "HXB-SPLIT".into() }
        }
    );
    assert_eq!(part.refunds.len(), 1);
    assert_eq!(part.refunds[0].status, RefundStatus::Refunded);
    // More than is left is refused here, before sending.
    let err = w.engine.refund_holidayextras(&first.payment.id, Some(gbp(1251))).await.unwrap_err();
    assert!(err.to_string().contains("at most 12.50 GBP"), "{err}");
    assert_eq!(w.sandbox.request_count("holidayextras.refund"), refunds_before + 1);

    // The rest, by default: now the payment is Refunded, and nothing more can go back.
    let rest = w.engine.refund_holidayextras(&first.payment.id, None).await.unwrap();
    assert_eq!(rest.status(), Status::Refunded, "{:#?}", rest.timeline);
    assert!(last_message(&rest).starts_with("Refunded 12.50 GBP of 20.00 GBP"), "{}", last_message(&rest));
    assert_eq!((rest.refunded(), rest.refundable()), (gbp(2000), gbp(0)));
    assert!(!rest.can_refund(), "nothing is left to refund");
    assert_eq!(MoneyState::of(&rest), MoneyState::Refunded { amount: gbp(2000) });
    let again = w.engine.refund_holidayextras(&first.payment.id, None).await.unwrap_err();
    assert!(matches!(again, EngineError::WrongState { status: Status::Refunded, .. }), "{again}");
    assert_eq!(
        refunds_for(&w.sandbox, &key(&first)).iter().map(|r| r.amount_minor).collect::<Vec<_>>(),
        [750, 1250]
    );
    assert!(refunds_for(&w.sandbox, &key(&second)).is_empty());
    verify_chain(&w.engine, &first.payment.id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declines_are_final_say_what_to_do_and_charge_nothing() {
    let w = world().await;
    // Holiday Extras answers every cause with its one published failure body, so the agent
    // reads one sentence for all of them.
    let cases = [
        (TOKEN_DECLINE, "FAIL 200", "The card was declined"),
        (TOKEN_INSUFFICIENT_FUNDS, "FAIL 200", "The card was declined"),
        ("9000000000000009", "FAIL 200", "The card was declined"),
    ];
    for (token, code, says) in cases {
        let declined = w.engine.pay_holidayextras(hx(token, "HXB-DECLINE", gbp(1000))).await.unwrap();
        assert_eq!(declined.status(), Status::Declined, "{token}");
        assert_eq!(statuses(&declined), [Status::Submitting, Status::Declined]);
        assert_eq!(declined.attempts[0].error_code.as_deref(), Some(code), "{token}");
        let message = last_message(&declined);
        assert!(message.contains(says), "{token}: {message}");
        assert!(message.contains("another card") || message.contains("tokenise the card again"), "{message}");
        assert!(charges_for(&w.sandbox, &key(&declined)).is_empty(), "{token}");
        assert_eq!(MoneyState::of(&declined), MoneyState::NotCharged, "{token}");
        let err = w.engine.refund_holidayextras(&declined.payment.id, None).await.unwrap_err();
        assert!(matches!(err, EngineError::WrongState { status: Status::Declined, .. }), "{err}");
    }
    // A decline leaves nothing in flight: the same reference may be paid with another token.
    let paid = w.engine.pay_holidayextras(hx(TOKEN_APPROVE, "HXB-DECLINE", gbp(1000))).await.unwrap();
    assert_eq!(paid.status(), Status::Paid);
    assert_eq!(w.sandbox.request_count("holidayextras.refund"), 0);
}

/// The next try after a decline is a new attempt of the same payment, with a new paymentId.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_a_decline_is_a_new_attempt_with_a_new_payment_id() {
    let w = world().await;
    let declined =
        w.engine.pay_holidayextras(hx(TOKEN_INSUFFICIENT_FUNDS, "HXRETRY", gbp(2500))).await.unwrap();
    assert_eq!(declined.status(), Status::Declined);
    let retried = w.engine.retry_holidayextras(&declined.payment.id).await.unwrap();
    assert_eq!(retried.attempts.iter().map(|a| a.seq).collect::<Vec<_>>(), [1, 2]);
    let ids = sent_payment_ids(&retried);
    assert_eq!(
        ids,
        [retried.attempts[0].idempotency_key.clone(), retried.attempts[1].idempotency_key.clone()]
    );
    assert_ne!(ids[0], ids[1]);
    // Still no funds: declined again, nothing charged, and the chain holds.
    assert_eq!(retried.status(), Status::Declined);
    assert_eq!(
        statuses(&retried),
        [Status::Submitting, Status::Declined, Status::Submitting, Status::Declined]
    );
    assert!(ids.iter().all(|id| charges_for(&w.sandbox, id).is_empty()));
    verify_chain(&w.engine, &retried.payment.id).await;
    // Only a declined payment can be retried.
    let paid = w.engine.pay_holidayextras(hx(TOKEN_APPROVE, "HXRETRY2", gbp(100))).await.unwrap();
    let err = w.engine.retry_holidayextras(&paid.payment.id).await.unwrap_err();
    assert!(matches!(err, EngineError::WrongState { status: Status::Paid, .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_is_refused_before_anything_is_journaled_or_sent() {
    let w = world().await;
    let dir_v1 = tempfile::tempdir().unwrap();
    let v1 = engine_with(dir_v1.path(), client_v1(&w.sandbox), fast_policy());
    let usd = Money::from_minor(1000, Currency::USD);
    let eur = Money::from_minor(1000, Currency::EUR);
    let cases: Vec<(&Engine, HolidayExtrasPayment, &str, &str)> = vec![
        (&w.engine, hx("70000000000A0001", "HXB1", gbp(1000)), "token", "digits only"),
        (&w.engine, hx("4111111111111111", "HXB1", gbp(1000)), "token", "looks like a card number"),
        (&w.engine, hx(TOKEN_APPROVE, "HXB 1", gbp(1000)), "payment_reference", "letters, digits"),
        (&w.engine, hx(TOKEN_APPROVE, "", gbp(1000)), "payment_reference", "letters, digits"),
        (&w.engine, hx(TOKEN_APPROVE, "HXB1", gbp(0)), "amount", "more than 0"),
        (&w.engine, hx(TOKEN_APPROVE, "HXB1", usd), "amount", "GBP or EUR"),
        (
            &w.engine,
            HolidayExtrasPayment { country_code: Some("GBR".into()), ..hx(TOKEN_APPROVE, "HXB1", gbp(1000)) },
            "country_code",
            "two letters",
        ),
        (
            &w.engine,
            HolidayExtrasPayment { customer: "  ".into(), ..hx(TOKEN_APPROVE, "HXB1", gbp(1000)) },
            "customer",
            "name",
        ),
        (&v1, hx(TOKEN_APPROVE, "HXB1", eur), "amount", "v1 charges pence (GBP) only"),
        (
            &v1,
            HolidayExtrasPayment {
                postal_code: Some("SW1A 1AA".into()),
                ..hx(TOKEN_APPROVE, "HXB1", gbp(1000))
            },
            "postal_code",
            "use a v2 profile",
        ),
    ];
    for (engine, request, expected_field, says) in cases {
        let err = engine.pay_holidayextras(request).await.unwrap_err();
        match &err {
            EngineError::Provider(ProviderError::Invalid { field, message, .. }) => {
                assert_eq!(field, expected_field, "{err}");
                assert!(message.contains(says), "{err}");
            }
            other => panic!("expected Invalid {expected_field}, got {other}"),
        }
    }
    assert_eq!(w.sandbox.request_count("holidayextras.pay"), 0, "nothing was sent");
    for engine in [&w.engine, &v1] {
        let payments = engine.store().read(|c| store::list_payments(c, 10, 0)).await.unwrap();
        assert!(payments.is_empty(), "nothing was journaled");
    }
}

/// Every fault the sandbox can inject on `/pay` ends Paid, Declined or NeedsReview, never with a
/// second charge, and the only re-send is the same request with the same paymentId.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_faults_end_definite_without_a_second_charge() {
    let w = world().await;
    let fault = |kind| FaultSpec::new("holidayextras.pay", kind);
    let after = |kind| FaultSpec { after_processing: true, ..fault(kind) };
    let slow = |after_processing| FaultSpec {
        latency_ms: Some(1_500),
        after_processing,
        ..fault(FaultKind::Latency)
    };
    // (fault, token, final status, charges, /pay requests)
    let cases = [
        // Charged, answer lost: the re-send is refused as a duplicate id — a person checks.
        (fault(FaultKind::CloseAfterCharge), TOKEN_APPROVE, Status::NeedsReview, 1, 2),
        (fault(FaultKind::MalformedJson), TOKEN_APPROVE, Status::NeedsReview, 1, 2),
        (after(FaultKind::Http500), TOKEN_APPROVE, Status::NeedsReview, 1, 2),
        (after(FaultKind::Hang), TOKEN_APPROVE, Status::NeedsReview, 1, 2),
        (slow(true), TOKEN_APPROVE, Status::NeedsReview, 1, 2),
        // Never processed: the re-send is the payment.
        (fault(FaultKind::Http500), TOKEN_APPROVE, Status::Paid, 1, 2),
        (slow(false), TOKEN_APPROVE, Status::Paid, 1, 2),
        (FaultSpec { count: 3, ..fault(FaultKind::Http500) }, TOKEN_APPROVE, Status::Paid, 1, 4),
        // Never processed, and the re-send is declined: HX answers a reused id with the same
        // failure, so the decline is not proof — a person checks.
        (fault(FaultKind::Http500), TOKEN_DECLINE, Status::NeedsReview, 0, 2),
        // Processed and declined, answer lost: the failure to the re-send proves nothing either way.
        (fault(FaultKind::CloseAfterCharge), TOKEN_DECLINE, Status::NeedsReview, 0, 2),
    ];
    for (i, (fault, token, expected, charges, requests)) in cases.into_iter().enumerate() {
        let label = format!(
            "{:?} after_processing={} count={} token={token}",
            fault.kind, fault.after_processing, fault.count
        );
        let reference = format!("HXF-{i}");
        let before = w.sandbox.request_count("holidayextras.pay");
        w.sandbox.inject_fault(fault).unwrap();
        let first = w.engine.pay_holidayextras(hx(token, &reference, gbp(4250))).await.unwrap();
        assert_eq!(first.status(), Status::Unknown, "{label}: {:#?}", first.timeline);
        if i == 0 {
            let busy =
                w.engine.pay_holidayextras(hx(TOKEN_APPROVE, &reference, gbp(4250))).await.unwrap_err();
            assert!(matches!(busy, EngineError::Busy { status: Status::Unknown, .. }), "{busy}");
        }
        let done = settle(&w.engine, &first.payment.id).await;
        assert_eq!(done.status(), expected, "{label}: {:#?}", done.timeline);
        let key = key(&done);
        assert_eq!(charges_for(&w.sandbox, &key).len(), charges, "{label}");
        assert_eq!(w.sandbox.request_count("holidayextras.pay") - before, requests, "{label}");
        assert_eq!(sent_payment_ids(&done), vec![key.clone(); requests as usize], "{label}: same paymentId");
        if expected == Status::NeedsReview {
            let message = last_message(&done);
            assert!(
                message.contains(&format!("Check paymentId {key} in the Holiday Extras portal")),
                "{message}"
            );
        }
        verify_chain(&w.engine, &done.payment.id).await;
    }
    let all_charges = w.sandbox.ledger().into_iter().filter(|e| e.kind == EntryKind::Charge).count();
    assert_eq!(all_charges, 8, "one charge per approved payment, none twice");
}

/// A charge whose answer is lost, re-sent with the same paymentId: Holiday Extras' page gives one
/// failure body for every cause and no status code, so whatever status the gateway uses for a
/// reused id (each the sandbox can be set to), the payment goes to a person — never `Declined`,
/// never a new attempt, never a second charge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_never_read_as_a_decline_whatever_the_reused_id_status() {
    let w = world().await;
    let fault = |kind| FaultSpec::new("holidayextras.pay", kind);
    let after = |kind| FaultSpec { after_processing: true, ..fault(kind) };
    let mut case = 0;
    for status in [200u16, 400, 402, 409] {
        w.sandbox.set_settings(farepoint_sandbox::Settings {
            holidayextras_reused_id_status: status,
            ..w.sandbox.settings()
        });
        for lost in
            [fault(FaultKind::CloseAfterCharge), after(FaultKind::Http500), after(FaultKind::MalformedJson)]
        {
            let label = format!("reused id answered {status}, first answer lost by {:?}", lost.kind);
            case += 1;
            w.sandbox.inject_fault(lost).unwrap();
            let first = w
                .engine
                .pay_holidayextras(hx(TOKEN_APPROVE, &format!("HXL-{case}"), gbp(2500)))
                .await
                .unwrap();
            assert_eq!(first.status(), Status::Unknown, "{label}");
            let done = settle(&w.engine, &first.payment.id).await;
            assert_eq!(done.status(), Status::NeedsReview, "{label}: {:#?}", done.timeline);
            assert!(
                !done.timeline.iter().any(|e| e.status_after == Some(Status::Declined)),
                "{label}: never declined"
            );
            assert_eq!(done.attempts.len(), 1, "{label}: no new attempt");
            let err = w.engine.retry_holidayextras(&done.payment.id).await.unwrap_err();
            assert!(
                matches!(err, EngineError::WrongState { status: Status::NeedsReview, .. }),
                "{label}: {err}"
            );
            assert_eq!(charges_for(&w.sandbox, &key(&done)).len(), 1, "{label}: charged once");
            assert!(
                last_message(&done).contains("Holiday Extras portal"),
                "{label}: {}",
                last_message(&done)
            );
        }
    }
    let all_charges = w.sandbox.ledger().into_iter().filter(|e| e.kind == EntryKind::Charge).count();
    assert_eq!(all_charges, case, "one charge per payment, none twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_under_review_can_be_resolved_paid_then_refunded() {
    let w = world().await;
    w.sandbox.inject_fault(FaultSpec::new("holidayextras.pay", FaultKind::CloseAfterCharge)).unwrap();
    let first = w.engine.pay_holidayextras(hx(TOKEN_APPROVE, "HXB-REVIEW", gbp(1999))).await.unwrap();
    // Unclear at first: the engine is asking; Holiday Extras never answers, so a person looks.
    assert!(matches!(MoneyState::of(&first), MoneyState::Checking { .. }), "{:?}", MoneyState::of(&first));
    let review = settle(&w.engine, &first.payment.id).await;
    assert_eq!(review.status(), Status::NeedsReview);
    assert_eq!(
        MoneyState::of(&review),
        MoneyState::Unknown { check: Check { place: "holidayextras_portal", key: "HXB-REVIEW".into() } }
    );
    let paid = w
        .engine
        .resolve_review(&review.payment.id, Status::Paid, "HX portal shows it charged")
        .await
        .unwrap();
    assert_eq!(paid.status(), Status::Paid);
    // HX never answered with an id: the refund names the paymentId we sent.
    let refunded = w.engine.refund_holidayextras(&paid.payment.id, None).await.unwrap();
    assert_eq!(refunded.status(), Status::Refunded);
    assert_eq!(
        refunds_for(&w.sandbox, &key(&refunded)).iter().map(|r| r.amount_minor).collect::<Vec<_>>(),
        [1999]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_past_the_deadline_goes_to_a_person() {
    let w = world().await;
    let dir = tempfile::tempdir().unwrap();
    let policy = PollPolicy { deadline: Duration::ZERO, ..fast_policy() };
    let engine = engine_with(dir.path(), common::holidayextras::client(&w.sandbox).unwrap(), policy);
    w.sandbox
        .inject_fault(FaultSpec { count: 2, ..FaultSpec::new("holidayextras.pay", FaultKind::Http500) })
        .unwrap();
    let first = engine.pay_holidayextras(hx(TOKEN_APPROVE, "HXB-LATE", gbp(100))).await.unwrap();
    let done = settle(&engine, &first.payment.id).await;
    assert_eq!(done.status(), Status::NeedsReview);
    assert!(
        last_message(&done).contains("No final answer from Holiday Extras in time"),
        "{}",
        last_message(&done)
    );
    assert!(charges_for(&w.sandbox, &key(&done)).is_empty());
    assert_eq!(w.sandbox.request_count("holidayextras.pay"), 2);
}

/// An unclear refund is a state of its own: the payment stays Paid, no second refund can start
/// until a person records what the portal shows, and what they record is what counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unclear_refund_blocks_the_next_until_a_person_settles_it() {
    let w = world().await;
    let paid = w.engine.pay_holidayextras(hx(TOKEN_APPROVE, "HXB-RF", gbp(3000))).await.unwrap();
    let key = key(&paid);
    let id = paid.payment.id.clone();

    // Not processed, but we cannot know that: Unclear, still Paid, and the agent is told.
    w.sandbox.inject_fault(FaultSpec::new("holidayextras.refund", FaultKind::Http500)).unwrap();
    let err = w.engine.refund_holidayextras(&id, None).await.unwrap_err();
    assert!(matches!(err, EngineError::Provider(ProviderError::Unclear { .. })), "{err}");
    assert!(err.to_string().contains("before refunding again"), "{err}");
    let record = w.engine.record(&id).await.unwrap();
    assert_eq!(record.status(), Status::Paid);
    assert_eq!(record.refunds[0].status, RefundStatus::Unclear);
    assert_eq!((record.refunded(), record.refundable()), (gbp(0), gbp(0)), "unclear money is not refundable");
    assert!(!record.can_refund() && record.open_refund().is_some(), "no refund while one is unclear");
    assert!(last_message(&record).contains("may or may not have been made"), "{}", last_message(&record));
    assert!(refunds_for(&w.sandbox, &key).is_empty());

    // A second refund is refused here, without a request, while the first is unclear.
    let sent = w.sandbox.request_count("holidayextras.refund");
    let err = w.engine.refund_holidayextras(&id, Some(gbp(100))).await.unwrap_err();
    assert!(err.to_string().contains("no clear answer yet"), "{err}");
    assert_eq!(w.sandbox.request_count("holidayextras.refund"), sent);

    // The agent finds nothing in the portal: nothing went back, all of it is refundable again.
    let err = w.engine.resolve_refund(&id, false, "  ").await.unwrap_err();
    assert!(err.to_string().contains("write what the provider portal shows"), "{err}");
    let record = w.engine.resolve_refund(&id, false, "HX portal shows no refund").await.unwrap();
    assert_eq!(record.refunds[0].status, RefundStatus::Declined);
    assert_eq!((record.status(), record.refundable()), (Status::Paid, gbp(3000)));
    assert!(record.can_refund() && record.open_refund().is_none());

    // Refunded at HX, answer lost: Unclear — money did move, and the ledger shows it once.
    w.sandbox.inject_fault(FaultSpec::new("holidayextras.refund", FaultKind::CloseAfterCharge)).unwrap();
    let err = w.engine.refund_holidayextras(&id, None).await.unwrap_err();
    assert!(err.to_string().contains("may or may not have been made"), "{err}");
    let record = w.engine.record(&id).await.unwrap();
    assert_eq!((record.status(), record.refunds[1].status), (Status::Paid, RefundStatus::Unclear));
    assert_eq!(refunds_for(&w.sandbox, &key).len(), 1);

    // The agent refunds again anyway: refused here, so HX is never asked twice.
    let err = w.engine.refund_holidayextras(&id, None).await.unwrap_err();
    assert!(err.to_string().contains("no clear answer yet"), "{err}");
    assert_eq!(refunds_for(&w.sandbox, &key).len(), 1, "no second refund");

    // The portal shows it made: the payment is Refunded, and never more than was charged.
    let record = w.engine.resolve_refund(&id, true, "HX portal shows REFUND-x for 30.00").await.unwrap();
    assert_eq!(record.status(), Status::Refunded, "{:#?}", record.timeline);
    assert_eq!(record.refunded(), gbp(3000));
    let err = w.engine.resolve_refund(&id, true, "again").await.unwrap_err();
    assert!(err.to_string().contains("no unclear refund"), "{err}");
    // Each refund request was noted before it was sent.
    let noted = record.timeline.iter().filter(|e| e.kind == EventKind::Sent).count();
    assert_eq!(noted as u64, w.sandbox.request_count("holidayextras.refund"));
    verify_chain(&w.engine, &id).await;
}

/// Farepoint stops while a refund is on its way: after the restart it is Unclear (never sent
/// again, never taken as not made), whether or not HX made it, and a person settles it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_left_sending_by_a_crash_is_unclear_after_restart_and_never_re_sent() {
    let w = world().await;
    for (i, made) in [true, false].into_iter().enumerate() {
        let reference = format!("HXB-RCRASH-{i}");
        let paid = w.engine.pay_holidayextras(hx(TOKEN_APPROVE, &reference, gbp(4200))).await.unwrap();
        let id = paid.payment.id.clone();
        let hang =
            FaultSpec { after_processing: made, ..FaultSpec::new("holidayextras.refund", FaultKind::Hang) };
        w.sandbox.inject_fault(hang).unwrap();
        let sent_before = w.sandbox.request_count("holidayextras.refund");
        let engine = w.engine.clone();
        let (pid, part) = (id.clone(), Some(gbp(1200)));
        let refunding = tokio::spawn(async move { engine.refund_holidayextras(&pid, part).await });
        // Farepoint stops while it waits for the answer: only the journal survives.
        while w.sandbox.request_count("holidayextras.refund") == sent_before {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        refunding.abort();
        let journaled = w.engine.record(&id).await.unwrap();
        assert_eq!(journaled.refunds[0].status, RefundStatus::Sending);

        let restarted = engine_for(&w.sandbox, w.dir.path());
        assert_eq!(restarted.recover().await.unwrap(), 1);
        let after = restarted.record(&id).await.unwrap();
        assert_eq!((after.status(), after.refunds[0].status), (Status::Paid, RefundStatus::Unclear));
        assert!(
            last_message(&after).contains("Farepoint stopped while the refund"),
            "{}",
            last_message(&after)
        );
        assert_eq!(restarted.recover().await.unwrap(), 0, "recovered once");
        assert_eq!(w.sandbox.request_count("holidayextras.refund"), sent_before + 1, "never re-sent");
        assert_eq!(refunds_for(&w.sandbox, &key(&paid)).len(), usize::from(made));

        let settled = restarted.resolve_refund(&id, made, "as the HX portal shows").await.unwrap();
        assert_eq!(settled.refunded(), gbp(if made { 1200 } else { 0 }));
        assert_eq!(settled.refundable(), gbp(if made { 3000 } else { 4200 }));
        verify_chain(&restarted, &id).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attempt_left_submitting_by_a_crash_is_re_sent_with_its_payment_id() {
    let w = world().await;
    // (hang after charging?, expected after restart, charges)
    for (i, (charged, expected, charges)) in
        [(true, Status::NeedsReview, 1), (false, Status::Paid, 1)].into_iter().enumerate()
    {
        let reference = format!("HXB-CRASH-{i}");
        let hang =
            FaultSpec { after_processing: charged, ..FaultSpec::new("holidayextras.pay", FaultKind::Hang) };
        w.sandbox.inject_fault(hang).unwrap();
        let engine = w.engine.clone();
        let request = hx(TOKEN_APPROVE, &reference, gbp(6000));
        let paying = tokio::spawn(async move { engine.pay_holidayextras(request).await });
        // Farepoint stops while it waits for the answer: only the journal survives.
        let journaled = loop {
            let list = w.engine.store().read(|c| store::list_payments(c, 1, 0)).await.unwrap();
            if let Some(p) = list.into_iter().next().filter(|p| p.subject_key == reference) {
                break p;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        tokio::time::sleep(Duration::from_millis(100)).await; // let the request reach the sandbox
        paying.abort();
        assert_eq!(journaled.status, Status::Submitting);

        let restarted = engine_for(&w.sandbox, w.dir.path());
        assert_eq!(restarted.recover().await.unwrap(), 1);
        let done = settle(&restarted, &journaled.id).await;
        assert_eq!(done.status(), expected, "{:#?}", done.timeline);
        assert!(done.timeline.iter().any(|e| e.message.contains("Farepoint stopped")));
        assert_eq!(charges_for(&w.sandbox, &key(&done)).len(), charges);
        assert_eq!(sent_payment_ids(&done), [key(&done)], "the re-send carried the journaled paymentId");
    }
}

/// Two refunds of one payment at once (two clicks, two desks): the second is refused while the
/// first is under way, before it reads the payment — Holiday Extras refunds exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_refunds_at_once_refund_once() {
    let w = world().await;
    let paid = w.engine.pay_holidayextras(hx(TOKEN_APPROVE, "HXB-TWICE", gbp(1800))).await.unwrap();
    w.sandbox
        .inject_fault(FaultSpec {
            latency_ms: Some(400),
            after_processing: true,
            ..FaultSpec::new("holidayextras.refund", FaultKind::Latency)
        })
        .unwrap();
    let both = [0, 1].map(|_| {
        let engine = w.engine.clone();
        let id = paid.payment.id.clone();
        tokio::spawn(async move { engine.refund_holidayextras(&id, None).await })
    });
    let mut outcomes = Vec::new();
    for task in both {
        outcomes.push(task.await.unwrap());
    }
    let refunded =
        outcomes.iter().filter(|o| o.as_ref().is_ok_and(|r| r.status() == Status::Refunded)).count();
    assert_eq!(refunded, 1, "{outcomes:?}");
    let refused = outcomes.iter().find_map(|o| o.as_ref().err()).expect("one refusal");
    assert!(refused.to_string().contains("already running"), "{refused}");
    assert_eq!(refunds_for(&w.sandbox, &key(&paid)).len(), 1, "refunded exactly once");
    let record = w.engine.record(&paid.payment.id).await.unwrap();
    assert_eq!(record.refunds.len(), 1, "the refused one was never journaled");
}

/// Every refund fault the simulator can inject: a refund is sent once, never again by itself;
/// an unclear one stays `Unclear` with the payment `Paid`; and whatever the agent then records,
/// the history never shows more refunded than the simulator's ledger, nor more than charged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_faults_never_refund_twice_or_more_than_charged() {
    let w = world().await;
    let fault = |kind| FaultSpec::new("holidayextras.refund", kind);
    let after = |kind| FaultSpec { after_processing: true, ..fault(kind) };
    // (fault, refund made at HX?)
    let cases = [
        (fault(FaultKind::Http500), false),
        (after(FaultKind::Http500), true),
        (fault(FaultKind::CloseAfterCharge), true),
        (fault(FaultKind::MalformedJson), true),
        (fault(FaultKind::Hang), false),
        (after(FaultKind::Hang), true),
    ];
    for (i, (fault, made)) in cases.into_iter().enumerate() {
        let label = format!("{:?} after_processing={}", fault.kind, fault.after_processing);
        let paid =
            w.engine.pay_holidayextras(hx(TOKEN_APPROVE, &format!("HXRF-{i}"), gbp(5000))).await.unwrap();
        let id = paid.payment.id.clone();
        let sent = w.sandbox.request_count("holidayextras.refund");
        w.sandbox.inject_fault(fault).unwrap();
        let err = w.engine.refund_holidayextras(&id, Some(gbp(2000))).await.unwrap_err();
        assert!(matches!(err, EngineError::Provider(ProviderError::Unclear { .. })), "{label}: {err}");
        let record = w.engine.record(&id).await.unwrap();
        assert_eq!(
            (record.status(), record.refunds[0].status),
            (Status::Paid, RefundStatus::Unclear),
            "{label}"
        );
        // Nothing re-sends it: not the poller, not a restart, not a second click.
        w.engine.poll_due().await.unwrap();
        assert_eq!(engine_for(&w.sandbox, w.dir.path()).recover().await.unwrap(), 0, "{label}");
        assert!(w.engine.refund_holidayextras(&id, None).await.is_err(), "{label}");
        assert_eq!(w.sandbox.request_count("holidayextras.refund") - sent, 1, "{label}: sent once");
        let at_hx: i64 = refunds_for(&w.sandbox, &key(&paid)).iter().map(|r| r.amount_minor).sum();
        assert_eq!(at_hx, if made { 2000 } else { 0 }, "{label}");

        // The agent records what the portal shows; the rest can then be refunded, once.
        let resolved = w.engine.resolve_refund(&id, made, "as the HX portal shows").await.unwrap();
        assert_eq!(resolved.refunded().minor, at_hx, "{label}");
        let rest = w.engine.refund_holidayextras(&id, None).await.unwrap();
        assert_eq!(rest.status(), Status::Refunded, "{label}");
        let at_hx: i64 = refunds_for(&w.sandbox, &key(&paid)).iter().map(|r| r.amount_minor).sum();
        assert_eq!((rest.refunded().minor, at_hx), (5000, 5000), "{label}: never more than charged");
        verify_chain(&w.engine, &id).await;
    }
}

/// The profile's Holiday Extras version is changed in Settings while a payment is unclear: a
/// re-send in the other version is not the same request (another body, another Accept), so it is
/// never sent — the payment goes to a person with the paymentId to look up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unclear_payment_is_never_re_sent_in_another_api_version() {
    let w = world().await;
    let dir = tempfile::tempdir().unwrap();
    let v2 = engine_with(dir.path(), common::holidayextras::client(&w.sandbox).unwrap(), fast_policy());
    w.sandbox.inject_fault(FaultSpec::new("holidayextras.pay", FaultKind::Http500)).unwrap();
    let first = v2.pay_holidayextras(hx(TOKEN_APPROVE, "HXB-VERSION", gbp(2500))).await.unwrap();
    assert_eq!(first.status(), Status::Unknown, "{:#?}", first.timeline);
    drop(v2);
    let sent = w.sandbox.request_count("holidayextras.pay");

    let v1 = engine_with(dir.path(), common::holidayextras::client_v1(&w.sandbox), fast_policy());
    let done = settle(&v1, &first.payment.id).await;
    assert_eq!(done.status(), Status::NeedsReview, "{:#?}", done.timeline);
    let said = last_message(&done);
    assert!(said.contains(&key(&done)) && said.contains("sent with API v2"), "{said}");
    assert_eq!(w.sandbox.request_count("holidayextras.pay"), sent, "nothing re-sent in v1");
    assert!(charges_for(&w.sandbox, &key(&done)).is_empty());
}
