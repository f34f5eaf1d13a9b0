//! Holiday Extras' published `/pay` and `/refund` examples, v1 and v2 (see
//! `tests/fixtures/holidayextras/SOURCES.md`).

use farepoint_core::money::{Currency, Money};
use farepoint_core::providers::holidayextras::{
    ApiVersion, HolidayExtrasClient, HolidayExtrasConfig, PayAnswer, PayRequest, RefundAnswer,
};
use farepoint_core::providers::http::Timeouts;
use farepoint_core::providers::ProviderError;
use farepoint_core::secrets::SecretString;

use super::replay::Replay;
use super::{fixture, fixture_json, kind};

const VERSIONS: [(ApiVersion, &str); 2] = [(ApiVersion::V1, "v1"), (ApiVersion::V2, "v2")];

/// The published examples' account: `username:password` is what their `Authorization` header
/// (`Basic dXNlcm5hbWU6cGFzc3dvcmQ=`) decodes to; `channel` is their channel.
fn client(replay: &Replay, version: ApiVersion) -> HolidayExtrasClient {
    HolidayExtrasClient::new(HolidayExtrasConfig {
        base_url: replay.url.clone(),
        username: "username".into(),
        password: SecretString::from("password"),
        channel: "channel".into(),
        version,
        timeouts: Timeouts::default(),
    })
    .unwrap()
}

/// The examples' payment: £12.34 (1234 pence) for booking `testPaymentRef`. Their token is a test
/// card number, which Farepoint refuses to send as a token (see the test below), so a token of
/// the same length that is not a card number stands in for it.
fn request(client: &HolidayExtrasClient, version: ApiVersion) -> PayRequest {
    let (postal, country) = match version {
        ApiVersion::V1 => (None, None),
        ApiVersion::V2 => (Some("CT21 4JF"), Some("GB")),
    };
    client
        .check_pay(
            "4111111111111112",
            "testPaymentRef",
            Money::from_minor(1234, Currency::GBP),
            postal,
            country,
        )
        .unwrap()
}

#[tokio::test]
async fn published_pay_answers_are_read_exactly() {
    for (version, v) in VERSIONS {
        let replay = Replay::start().await;
        let hx = client(&replay, version);
        let req = request(&hx, version);

        replay.answer(200, fixture(&format!("holidayextras/{v}.pay.response.success.json")));
        let paid = hx.pay("testPaymentId", &req).await.unwrap().result;
        // 12.34 pounds answered for the 1234 pence sent: the same amount, no note.
        assert_eq!(paid, PayAnswer::Paid { id: "testPaymentId".into(), note: None }, "{v}");

        replay.answer(200, fixture(&format!("holidayextras/{v}.pay.response.fail.json")));
        match hx.pay("testPaymentId", &req).await.unwrap().result {
            PayAnswer::Refused { refusal, .. } => {
                assert!(refusal.code.starts_with("FAIL"), "{v}: {refusal:?}");
                assert!(refusal.message.contains("Failed to make payment"), "{v}: {refusal:?}");
            }
            other => panic!("{v}: the published failure was read as {other:?}"),
        }
    }
}

#[tokio::test]
async fn published_refund_answers_are_read_exactly() {
    for (version, v) in VERSIONS {
        let replay = Replay::start().await;
        let hx = client(&replay, version);
        let ids = ["testPaymentId1".to_string(), "testPaymentId2".to_string()];
        let amount = Money::from_minor(1234, Currency::GBP);

        replay.answer(200, fixture(&format!("holidayextras/{v}.refund.response.success.json")));
        let refunded = hx.refund(&ids, amount).await.unwrap().result;
        assert_eq!(
            refunded,
            RefundAnswer::Refunded { id: Some("REFUND-testPaymentId1".into()), note: None },
            "{v}"
        );

        replay.answer(200, fixture(&format!("holidayextras/{v}.refund.response.fail.json")));
        match hx.refund(&ids, amount).await.unwrap().result {
            RefundAnswer::Refused { refusal, .. } => {
                assert!(refusal.code.starts_with("FAIL"), "{v}: {refusal:?}");
                assert!(refusal.message.contains("Failed making refund"), "{v}: {refusal:?}");
            }
            other => panic!("{v}: the published failure was read as {other:?}"),
        }
    }
}

/// What we send has the published request's fields, each of the published JSON type, with the
/// published values for the same payment; the only field we add is the documented optional
/// `paymentId` (ours, journaled first). The headers are the published ones.
#[tokio::test]
async fn what_we_send_has_the_published_shape() {
    for (version, v) in VERSIONS {
        let replay = Replay::start().await;
        let hx = client(&replay, version);
        let req = request(&hx, version);
        replay.answer(200, fixture(&format!("holidayextras/{v}.pay.response.success.json")));
        hx.pay("testPaymentId", &req).await.unwrap();
        let sent = replay.last();
        assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "/pay"), "{v}");
        assert_eq!(sent.header("authorization"), Some("Basic dXNlcm5hbWU6cGFzc3dvcmQ="), "{v}");
        assert_eq!(sent.header("accept"), Some(format!("application/vnd.holidayextras.{v}+json").as_str()));
        assert_eq!(sent.header("content-type"), Some("application/json"), "{v}");
        let (ours, published) = (sent.json(), fixture_json(&format!("holidayextras/{v}.pay.request.json")));
        let ours = ours.as_object().unwrap();
        for (field, value) in published.as_object().unwrap() {
            let sent = ours.get(field).unwrap_or_else(|| panic!("{v}: we do not send {field}"));
            assert_eq!(kind(sent), kind(value), "{v}: {field} is sent as {sent}, published as {value}");
            if field != "token" {
                assert_eq!(sent, value, "{v}: {field}");
            }
        }
        let extra: Vec<_> =
            ours.keys().filter(|k| !published.as_object().unwrap().contains_key(*k)).collect();
        assert!(extra.iter().all(|k| *k == "paymentId"), "{v}: we also send {extra:?}");
        assert_eq!(ours["paymentId"], "testPaymentId");

        replay.answer(200, fixture(&format!("holidayextras/{v}.refund.response.success.json")));
        let ids = ["testPaymentId1".to_string(), "testPaymentId2".to_string()];
        hx.refund(&ids, Money::from_minor(1234, Currency::GBP)).await.unwrap();
        let sent = replay.last();
        assert_eq!(sent.path, "/refund", "{v}");
        assert_eq!(sent.json(), fixture_json(&format!("holidayextras/{v}.refund.request.json")), "{v}");
    }
}

/// The published examples use the Visa test card number 4111 1111 1111 1111 as their token.
/// Farepoint refuses a "token" that is a card number before anything is stored or sent: an agent
/// who pastes the customer's card where the token goes must not put it in the history.
#[tokio::test]
async fn the_examples_card_number_token_is_refused_before_sending() {
    let replay = Replay::start().await;
    let hx = client(&replay, ApiVersion::V2);
    let published = fixture_json("holidayextras/v2.pay.request.json");
    let token = published["token"].as_str().unwrap();
    let err = hx
        .check_pay(token, "testPaymentRef", Money::from_minor(1234, Currency::GBP), None, None)
        .unwrap_err();
    assert!(matches!(&err, ProviderError::Invalid { field, .. } if field == "token"), "{err}");
    assert!(replay.seen().is_empty());
}

/// "Test connection" asks for the payment script the integration page publishes on the gateway's
/// own host — by the production name its snippet loads, then the staging name its note gives —
/// and sends no credential (`integration.*` fixtures).
#[tokio::test]
async fn the_connection_test_asks_for_the_published_payment_script_without_credentials() {
    use farepoint_core::providers::holidayextras::{setup, PAYMENT_SCRIPTS};
    use farepoint_core::providers::probe::Probe;
    let production = fixture("holidayextras/integration.payment-script.html");
    let staging = fixture("holidayextras/integration.staging-script.md");
    let base = setup::SCHEMA.fields[0].default;
    assert!(
        production.contains(&format!("<script src=\"{base}{}\"></script>", PAYMENT_SCRIPTS[0])),
        "{production}"
    );
    assert!(
        staging.contains(&format!("https://{}/{}", setup::SCHEMA.test_hosts[0], PAYMENT_SCRIPTS[1])),
        "{staging}"
    );

    // Neither served (the replay answers JSON, not a script): not the gateway, asked by both names.
    let replay = Replay::start().await;
    replay.answer(404, "{}").answer(404, "{}");
    let probe = client(&replay, ApiVersion::V2).check_connection().await;
    assert!(matches!(probe, Probe::NotTheApi { status: 404, .. }), "{probe:?}");
    let asked: Vec<String> = replay.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(asked, PAYMENT_SCRIPTS.map(|s| format!("/{s}")));
    assert!(replay.seen().iter().all(|s| s.method == "GET" && s.header("authorization").is_none()));
}
