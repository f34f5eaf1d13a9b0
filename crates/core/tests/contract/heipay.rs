//! HeiPay's published credit-card payment examples (see `tests/fixtures/heipay/SOURCES.md`).

use std::collections::HashMap;

use farepoint_core::card::{Card, CardInput};
use farepoint_core::money::{Currency, Money};
use farepoint_core::providers::heipay::{HeiPayClient, HeiPayConfig, Order, OrderInput};
use farepoint_core::providers::http::Timeouts;
use farepoint_core::providers::PayOutcome;
use farepoint_core::secrets::SecretString;
use farepoint_core::vault::{AesGcmFields, FieldKey};
use serde_json::Value;

use super::replay::Replay;
use super::{fixture, kind};

fn client(replay: &Replay) -> HeiPayClient {
    HeiPayClient::new(HeiPayConfig {
        base_url: replay.url.clone(),
        api_token: SecretString::from("token"),
        card_ciphers: HashMap::from([(1, Box::new(AesGcmFields::new(&FieldKey::generate())) as _)]),
        timeouts: Timeouts::default(),
    })
    .unwrap()
}

/// The page's order: 1000 (COP), 2 installments, hotel 1, the buyer's details.
fn order() -> Order {
    Order::validate(OrderInput {
        hotel_id: 1,
        // As on the page, both names are "Jhon Doe".
        guest_first_name: "Jhon Doe".into(),
        guest_last_name: "Jhon Doe".into(),
        detail: Some("Booking payment Hotel ABC".into()),
        amount: Some(Money::from_minor(100_000, Currency::from_code("COP").unwrap())),
        installments: 2,
        tax_percent: Some("0".into()),
        service_percent: Some("0".into()),
        email: Some("jhondoe@mail.com".into()),
        phone: Some("3012104578".into()),
        address: Some("My address".into()),
        fiscal_number: Some("123456789".into()),
        ip: Some("181.204.153.195".into()),
    })
    .unwrap()
}

fn card() -> Card {
    Card::parse(&CardInput {
        number: "4111111111111111",
        cvv: "123",
        expiry_month: "12",
        expiry_year: "2030",
        holder: "Jhon Doe",
    })
    .unwrap()
}

#[tokio::test]
async fn the_published_answers_are_read_exactly() {
    let replay = Replay::start().await;
    let heipay = client(&replay);
    replay.answer(200, fixture("heipay/pay.response.success.json"));
    let paid = heipay.pay(&order(), "123456789", &card()).await.unwrap().result;
    assert!(
        matches!(&paid.outcome, PayOutcome::Accepted { message, .. } if message == "Pago realizado correctamente")
    );
    assert_eq!(paid.voucher_url, Some(format!("{}v2/terminal-payments/505/vouchers", replay.url)));

    // The published decline, at the status its own message names.
    replay.answer(400, fixture("heipay/pay.response.declined.json"));
    let declined = heipay.pay(&order(), "123456789", &card()).await.unwrap().result;
    match &declined.outcome {
        PayOutcome::Declined(r) => assert!(r.message.contains("El pago ha sido rechazado"), "{r:?}"),
        other => panic!("the published decline was read as {other:?}"),
    }
    assert_eq!(declined.voucher_url, Some(format!("{}v2/terminal-payments/481/vouchers", replay.url)));
}

/// What we send has the published body's fields and JSON types; the card fields are strings
/// (ciphertext), never the card.
#[tokio::test]
async fn what_we_send_has_the_published_shape() {
    let replay = Replay::start().await;
    replay.answer(200, fixture("heipay/pay.response.success.json"));
    client(&replay).pay(&order(), "123456789", &card()).await.unwrap();
    let sent = replay.last();
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "/v2/virtual-terminal/credit-card"));
    // As published the example lacks one comma (after "address"); that comma is the only change.
    let published: Value = serde_json::from_str(
        &fixture("heipay/pay.request.txt")
            .replace("\"address\":\"My address\"", "\"address\":\"My address\","),
    )
    .unwrap();
    let ours = sent.json();
    for part in ["order", "card_item"] {
        let (ours, theirs) = (ours[part].as_object().unwrap(), published[part].as_object().unwrap());
        let fields =
            |o: &serde_json::Map<String, Value>| o.keys().cloned().collect::<std::collections::BTreeSet<_>>();
        assert_eq!(fields(ours), fields(theirs), "{part}");
        for (field, value) in theirs {
            assert_eq!(kind(&ours[field]), kind(value), "{part}.{field}");
        }
    }
    for (field, value) in published["order"].as_object().unwrap() {
        if !["tax_percent", "service_percent", "amount"].contains(&field.as_str()) {
            assert_eq!(&ours["order"][field], value, "order.{field}");
        }
    }
    assert!(!String::from_utf8_lossy(&sent.body).contains("4111111111111111"));
}
