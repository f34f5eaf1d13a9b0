//! HeiPay through the engine, over loopback HTTP against the sandbox, into a real SQLite file.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use farepoint_core::card::{Card, CardInput};
use farepoint_core::engine::{Clients, Engine, EngineError, PaymentRecord};
use farepoint_core::money::{Currency, Money, Sign};
use farepoint_core::payment::{Provider, Status};
use farepoint_core::providers::heipay::{HeiPayClient, HeiPayPayment, OrderInput};
use farepoint_core::providers::ProviderError;
use farepoint_core::store::{self, Store};
use farepoint_sandbox::{demo, FaultKind, FaultSpec, RunningSandbox};

const PAN: &str = "5555555555554444";
const CVV: &str = "739";

fn cop(text: &str) -> Money {
    Money::parse_major(text, Currency::from_code("COP").unwrap(), Sign::NonNegative).unwrap()
}

fn keyed_card(number: &str, cvv: &str) -> Card {
    Card::parse(&CardInput { number, cvv, expiry_month: "7", expiry_year: "2099", holder: "Jane Doe" })
        .unwrap()
}

fn payment(hotel_id: i64, amount: &str, card_number: &str) -> HeiPayPayment {
    HeiPayPayment {
        order: OrderInput {
            hotel_id,
            guest_first_name: "Jane".into(),
            guest_last_name: "Doe".into(),
            detail: Some("Room 204, two nights".into()),
            amount: Some(cop(amount)),
            installments: 1,
            tax_percent: Some("0.19".into()),
            service_percent: Some("0.1".into()),
            email: Some("jane@example.com".into()),
            phone: Some("301 210 4578".into()),
            address: Some("Calle 10 # 5-51".into()),
            fiscal_number: Some("900123456-7".into()),
            ip: Some("181.204.153.195".into()),
        },
        card: keyed_card(card_number, if card_number == PAN { CVV } else { "123" }),
    }
}

fn heipay_charges(sandbox: &RunningSandbox, reference: &str) -> usize {
    charges_for(sandbox, reference).len()
}

/// An engine whose HeiPay client has exactly these hotel keys.
fn engine_with_keys(sandbox: &RunningSandbox, dir: &std::path::Path, keys: &[(i64, &str)]) -> Engine {
    let client = HeiPayClient::new(heipay::config(sandbox, keys)).unwrap();
    let clients = Clients { heipay: Some(client), ..Clients::default() };
    let policies = Provider::ALL.into_iter().map(|p| (p, fast_policy())).collect::<HashMap<_, _>>();
    Engine::new(Store::open_in(dir).unwrap(), "sandbox", clients, policies)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn last_message(record: &PaymentRecord) -> &str {
    &record.timeline.last().unwrap().message
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_is_charged_once_keeps_its_voucher_and_leaves_no_card_data_on_disk() {
    let w = world().await;
    let paid = w.engine.pay_heipay(payment(demo::heipay::HOTEL_ID, "150000.50", PAN)).await.unwrap();
    assert_eq!(paid.status(), Status::Paid, "{:#?}", paid.timeline);
    assert_eq!(statuses(&paid), [Status::Submitting, Status::Paid]);
    assert!(paid.attempts[0].next_poll_at_ms.is_none(), "nothing left to follow");
    let reference = paid.payment.reference.clone();

    // Exactly one charge, for exactly the amount, under our reference.
    let charges = charges_for(&w.sandbox, &reference);
    assert_eq!(charges.len(), 1);
    assert_eq!((charges[0].amount_minor, charges[0].currency.as_str()), (15000050, "COP"));
    assert_eq!(charges[0].card_last4.as_deref(), Some("4444"));
    assert_eq!(w.sandbox.request_count("heipay.pay"), 1);

    // The voucher link is kept, absolute, on the attempt and in the event that says "Paid".
    let voucher = paid.attempts[0].provider_ref.clone().expect("voucher link kept");
    assert!(voucher.starts_with(&w.sandbox.heipay_base_url()) && voucher.ends_with("/vouchers"), "{voucher}");
    assert_eq!(paid.timeline.last().unwrap().data["voucher_url"], voucher.as_str());
    let (content_type, body) = w.engine.heipay_voucher(&paid.payment.id).await.unwrap();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains(&reference) && page.contains("APPROVED") && page.contains("150000.50"), "{page}");
    assert!(!page.contains(PAN), "the voucher shows the card masked");

    let card = paid.payment.card.as_ref().unwrap();
    assert_eq!((card.last4.as_str(), card.expiry_month, card.expiry_year), ("4444", 7, 2099));
    let id = paid.payment.id.clone();
    w.engine.store().read(move |c| store::verify_payment_events(c, &id)).await.unwrap();

    // The database file and its WAL hold the payment, but neither the PAN nor the CVV.
    let db = w.engine.store().path().to_path_buf();
    let mut bytes = std::fs::read(&db).unwrap();
    bytes.extend(std::fs::read(format!("{}-wal", db.display())).unwrap_or_default());
    assert!(contains(&bytes, reference.as_bytes()), "the files read are the ones written");
    assert!(!contains(&bytes, PAN.as_bytes()), "PAN on disk");
    // A CVV would be stored as JSON text; bare digits also occur in timestamps and hashes.
    assert!(!contains(&bytes, format!("\"{CVV}\"").as_bytes()), "CVV on disk");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_card_is_final_keeps_the_voucher_and_says_what_to_do() {
    let w = world().await;
    let declined =
        w.engine.pay_heipay(payment(demo::heipay::HOTEL_ID, "80000.00", "4000000000009995")).await.unwrap();
    assert_eq!(declined.status(), Status::Declined);
    let attempt = &declined.attempts[0];
    assert_eq!(attempt.error_code.as_deref(), Some("0"));
    assert!(attempt.error_message.as_deref().unwrap().contains("fondos insuficientes"), "{attempt:?}");
    assert!(
        last_message(&declined).contains("Ask the guest for another card"),
        "{}",
        last_message(&declined)
    );
    assert!(attempt.provider_ref.as_deref().is_some_and(|u| u.ends_with("/vouchers")));
    let (_, body) = w.engine.heipay_voucher(&declined.payment.id).await.unwrap();
    assert!(String::from_utf8(body).unwrap().contains("REJECTED"));
    assert_eq!(heipay_charges(&w.sandbox, &declined.payment.reference), 0);

    // A decline does not block taking the same amount again with another card.
    let again = w.engine.pay_heipay(payment(demo::heipay::HOTEL_ID, "80000.00", PAN)).await.unwrap();
    assert_eq!(again.status(), Status::Paid);
    assert_eq!(heipay_charges(&w.sandbox, &again.payment.reference), 1);

    // Or the declined payment gets a new attempt with the other card: same guest, hotel, amount
    // and reference, rebuilt from what was stored.
    let retried =
        w.engine.retry_heipay(&declined.payment.id, keyed_card("5555555555554444", "123")).await.unwrap();
    assert_eq!(retried.status(), Status::Paid, "{:#?}", retried.timeline);
    assert_eq!(retried.attempts.iter().map(|a| a.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(retried.payment.card.as_ref().unwrap().last4, "4444");
    assert_eq!(heipay_charges(&w.sandbox, &declined.payment.reference), 1);
    let err = w.engine.retry_heipay(&declined.payment.id, keyed_card(PAN, CVV)).await.unwrap_err();
    assert!(matches!(err, EngineError::WrongState { status: Status::Paid, .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_key_that_does_not_match_the_hotel_is_declined_with_the_fix() {
    let w = world().await;
    let dir = tempfile::tempdir().unwrap();
    // Hotel 2 set up with hotel 1's key: HeiPay cannot decrypt the card.
    let engine = engine_with_keys(&w.sandbox, dir.path(), &[(2, demo::heipay::CARD_KEY)]);
    let declined = engine.pay_heipay(payment(2, "50000.00", PAN)).await.unwrap();
    assert_eq!(declined.status(), Status::Declined);
    assert_eq!(declined.attempts[0].error_code.as_deref(), Some("4"));
    let message = last_message(&declined);
    assert!(
        message.contains("card key does not match")
            && message.contains("check the HeiPay card key in Settings"),
        "{message}"
    );
    assert_eq!(w.sandbox.request_count("heipay.pay"), 1);
    assert!(w.sandbox.ledger().is_empty(), "nothing charged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_fields_are_refused_before_anything_is_sent_or_journaled() {
    let w = world().await;
    let invalid = |e: EngineError| match e {
        EngineError::Provider(ProviderError::Invalid { field, message, .. }) => (field, message),
        other => panic!("expected an invalid field, got {other}"),
    };
    let mut long = payment(1, "1000.00", PAN);
    long.order.detail = Some("x".repeat(100));
    let (field, message) = invalid(w.engine.pay_heipay(long).await.unwrap_err());
    assert_eq!(field, "detail");
    assert!(message.contains("at most 99"), "{message}");

    let mut tax = payment(1, "1000.00", PAN);
    tax.order.tax_percent = Some("1.5".into());
    let (field, message) = invalid(w.engine.pay_heipay(tax).await.unwrap_err());
    assert_eq!(field, "tax_percent");
    assert!(message.contains("between 0.00 and 1.00"), "{message}");

    // Three decimals cannot be sent as HeiPay's two.
    let mut kwd = payment(1, "1000.00", PAN);
    kwd.order.amount = Some(Money::parse_major("12.345", Currency::KWD, Sign::NonNegative).unwrap());
    let (field, message) = invalid(w.engine.pay_heipay(kwd).await.unwrap_err());
    assert_eq!(field, "amount");
    assert!(message.contains("two decimals") && message.contains("COP"), "{message}");

    let mut installments = payment(1, "1000.00", PAN);
    installments.order.installments = 0;
    assert_eq!(invalid(w.engine.pay_heipay(installments).await.unwrap_err()).0, "installments");

    let no_key = w.engine.pay_heipay(payment(7, "1000.00", PAN)).await.unwrap_err();
    assert!(matches!(no_key, EngineError::Provider(ProviderError::Credentials { .. })), "{no_key}");
    assert!(no_key.to_string().contains("add the HeiPay card key for hotel 7 in Settings"), "{no_key}");

    assert_eq!(w.sandbox.request_count("heipay.pay"), 0, "nothing was sent");
    let payments = w.engine.store().read(|c| store::list_payments(c, 10, 0)).await.unwrap();
    assert!(payments.is_empty(), "nothing was journaled");
}

/// Every fault the sandbox can inject ends definite when the answer is, and with a person
/// otherwise: HeiPay cannot be asked, so nothing is ever sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_end_paid_or_under_review_and_are_never_re_sent() {
    let w = world().await;
    let with = |kind, after_processing, latency_ms| FaultSpec {
        after_processing,
        latency_ms,
        ..FaultSpec::new("heipay.pay", kind)
    };
    // (fault, final status, charges the sandbox made)
    let cases = [
        (with(FaultKind::Latency, false, Some(300)), Status::Paid, 1),
        (with(FaultKind::CloseAfterCharge, false, None), Status::NeedsReview, 1),
        (with(FaultKind::MalformedJson, false, None), Status::NeedsReview, 1),
        (with(FaultKind::Http500, false, None), Status::NeedsReview, 0),
        (with(FaultKind::Http500, true, None), Status::NeedsReview, 1),
        (with(FaultKind::Hang, true, None), Status::NeedsReview, 1),
        // Charged, then slower than our 1 s limit: we gave up after HeiPay had acted.
        (with(FaultKind::Latency, true, Some(1_500)), Status::NeedsReview, 1),
        // Slower than our limit before processing: the request died with our connection.
        (with(FaultKind::Latency, false, Some(1_500)), Status::NeedsReview, 0),
    ];
    for (i, (fault, expected, charges)) in cases.into_iter().enumerate() {
        let label = format!("{:?} after_processing={}", fault.kind, fault.after_processing);
        let amount = format!("{}.00", 10_000 + i);
        let before = w.sandbox.request_count("heipay.pay");
        w.sandbox.inject_fault(fault).unwrap();
        let first = w.engine.pay_heipay(payment(1, &amount, PAN)).await.unwrap();
        assert_eq!(first.status(), expected, "{label}: {:#?}", first.timeline);
        let reference = first.payment.reference.clone();
        // Give a late charge time to land before counting.
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(heipay_charges(&w.sandbox, &reference), charges, "{label}");

        // Nothing is scheduled and polling sends nothing.
        let done = settle(&w.engine, &first.payment.id).await;
        assert_eq!(done.status(), expected, "{label}");
        w.engine.poll_due().await.unwrap();
        assert_eq!(w.sandbox.request_count("heipay.pay") - before, 1, "{label}: the payment was re-sent");
        if expected != Status::NeedsReview {
            continue;
        }
        assert_eq!(statuses(&done), [Status::Submitting, Status::Unknown, Status::NeedsReview], "{label}");
        let message = last_message(&done);
        assert!(message.contains(&reference) && message.contains("HeiPay portal"), "{label}: {message}");

        // Keying the same charge again while it is under review is refused, without sending.
        let busy = w.engine.pay_heipay(payment(1, &amount, PAN)).await.unwrap_err();
        assert!(matches!(busy, EngineError::Busy { status: Status::NeedsReview, .. }), "{label}: {busy}");
        assert_eq!(w.sandbox.request_count("heipay.pay") - before, 1, "{label}");

        // A hotel charge has no tickets: "ticketed" is not an answer the clerk can record.
        let refused =
            w.engine.resolve_review(&done.payment.id, Status::Ticketed, "ticketed?").await.unwrap_err();
        assert!(refused.to_string().contains("issues no tickets"), "{label}: {refused}");

        // The clerk records what the portal shows.
        let (answer, note) = if charges == 1 {
            (Status::Paid, "portal shows it approved")
        } else {
            (Status::Declined, "not in the portal")
        };
        let resolved = w.engine.resolve_review(&done.payment.id, answer, note).await.unwrap();
        assert_eq!(resolved.status(), answer, "{label}");
        assert!(last_message(&resolved).contains(note), "{label}");
    }
    assert_eq!(w.sandbox.ledger().len(), 6, "one charge per case that reached HeiPay's processing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_left_submitting_by_a_crash_goes_to_review_not_to_heipay_again() {
    let w = world().await;
    w.sandbox
        .inject_fault(FaultSpec { after_processing: true, ..FaultSpec::new("heipay.pay", FaultKind::Hang) })
        .unwrap();
    let engine = w.engine.clone();
    let paying = tokio::spawn(async move { engine.pay_heipay(payment(1, "64000.00", PAN)).await });
    let journaled = loop {
        let list = w.engine.store().read(|c| store::list_payments(c, 1, 0)).await.unwrap();
        if let Some(p) = list.into_iter().next() {
            break p;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // Wait for the request to reach HeiPay, then stop "Farepoint".
    while w.sandbox.request_count("heipay.pay") == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    paying.abort();
    assert_eq!(journaled.status, Status::Submitting);

    let restarted = engine_for(&w.sandbox, w.dir.path());
    assert_eq!(restarted.recover().await.unwrap(), 1);
    let done = settle(&restarted, &journaled.id).await;
    assert_eq!(done.status(), Status::NeedsReview, "{:#?}", done.timeline);
    let message = last_message(&done);
    assert!(message.contains(&journaled.reference) && message.contains("Farepoint stopped"), "{message}");
    assert_eq!(w.sandbox.request_count("heipay.pay"), 1, "never re-sent");
    assert_eq!(heipay_charges(&w.sandbox, &journaled.reference), 1);
}

/// A new attempt of a declined payment waits, like a new payment, while another payment for the
/// same guest and amount has no clear answer: it may already have charged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_waits_while_another_payment_for_the_same_thing_is_unclear() {
    let w = world().await;
    let declined =
        w.engine.pay_heipay(payment(demo::heipay::HOTEL_ID, "61000.00", "4000000000009995")).await.unwrap();
    assert_eq!(declined.status(), Status::Declined);
    w.sandbox
        .inject_fault(FaultSpec {
            after_processing: true,
            ..FaultSpec::new("heipay.pay", FaultKind::CloseAfterCharge)
        })
        .unwrap();
    let unclear = w.engine.pay_heipay(payment(demo::heipay::HOTEL_ID, "61000.00", PAN)).await.unwrap();
    assert_eq!(unclear.status(), Status::NeedsReview, "{:#?}", unclear.timeline);

    let before = w.sandbox.request_count("heipay.pay");
    let err = w.engine.retry_heipay(&declined.payment.id, keyed_card(PAN, CVV)).await.unwrap_err();
    match &err {
        EngineError::Busy { reference, status, .. } => {
            assert_eq!(
                (reference.as_str(), *status),
                (unclear.payment.reference.as_str(), Status::NeedsReview)
            )
        }
        other => panic!("expected Busy, got {other}"),
    }
    // The guest's charge is named as its key always read, now from the subject's fields.
    let named = format!("for {} is still", unclear.payment.subject_key);
    assert!(err.to_string().contains(&named), "{err} does not name {named}");
    assert_eq!(w.sandbox.request_count("heipay.pay"), before, "nothing sent");
    let still = w.engine.record(&declined.payment.id).await.unwrap();
    assert_eq!((still.status(), still.attempts.len()), (Status::Declined, 1), "nothing journaled");
}
