//! Holiday Extras over real HTTP: /pay and /refund, v1 and v2.

use farepoint_sandbox::demo::holidayextras as d;
use farepoint_sandbox::{cards, EntryKind};
use serde_json::json;

use crate::common::Env;

#[tokio::test]
async fn the_page_example_works_verbatim() {
    let env = Env::new();
    let body = r#"{
  "channel": "channel",
  "paymentId": "testPaymentId",
  "token": "4111111111111111",
  "paymentReference": "testPaymentRef",
  "amount": "1234"
}"#;
    let req = || {
        env.http
            .post(format!("{}pay", env.sb.holidayextras_base_url()))
            .header("Content-Type", "application/json")
            .header("Accept", "application/vnd.holidayextras.v1+json")
            .header("Authorization", "Basic dXNlcm5hbWU6cGFzc3dvcmQ=")
            .body(body)
    };
    let r = env.send(req()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text, r#"{"amount":12.34,"id":"testPaymentId","status":"SUCCESS"}"#);
    // A paymentId that already exists fails with the page's one failure body — nothing that
    // tells it from a decline — at the configured HTTP status, and charges nothing more.
    for status in [200u16, 400, 402, 409] {
        let set = env.control_put("config", json!({ "holidayextras_reused_id_status": status })).await;
        assert_eq!(set.status, 200, "{}", set.text);
        let again = env.send(req()).await;
        assert_eq!(again.status, status);
        assert_eq!(again.text, r#"{"amount":12.34,"status":"FAIL","error":"Failed to make payment"}"#);
    }
    let ledger = env.ledger().await;
    assert_eq!(ledger.len(), 1);
    let e = &ledger[0];
    assert_eq!((e.amount_minor, e.currency.as_str(), e.reference.as_str()), (1234, "GBP", "testPaymentId"));
    assert_eq!(e.secondary_reference.as_deref(), Some("testPaymentRef"));
}

#[tokio::test]
async fn v2_takes_integer_pence_and_currency_and_generates_the_payment_id() {
    let env = Env::new();
    let r = env
        .hx("pay", 2, json!({ "channel": d::CHANNEL, "token": d::TOKEN_APPROVE, "paymentReference": "FPREF1",
                              "amount": 4550, "currency": "EUR", "postalCode": "10115", "countryCode": "DE" }))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains(r#""amount":45.50"#), "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/vnd.holidayextras.v2+json");
    let id = r.json["id"].as_str().unwrap();
    assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{id}");
    let ledger = env.ledger().await;
    assert_eq!(
        (ledger[0].amount_minor, ledger[0].currency.as_str(), ledger[0].reference.as_str()),
        (4550, "EUR", id)
    );
}

#[tokio::test]
async fn request_validation_per_version() {
    let env = Env::new();
    let v1 = json!({ "channel": d::CHANNEL, "paymentId": "FP1", "token": d::TOKEN_APPROVE, "paymentReference": "R", "amount": "100" });
    let v2 = json!({ "channel": d::CHANNEL, "token": d::TOKEN_APPROVE, "paymentReference": "R", "amount": 100, "currency": "GBP" });
    let with = |base: &serde_json::Value, k: &str, v: serde_json::Value| {
        let mut b = base.clone();
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v;
        }
        b
    };
    let cases = [
        (1, with(&v1, "amount", json!(100)), "v1 amount is a string"),
        (1, with(&v1, "amount", json!("12.34")), "pence, not pounds"),
        (1, with(&v1, "amount", json!("0")), "more than 0"),
        (1, with(&v1, "paymentId", serde_json::Value::Null), "v1 paymentId is required"),
        (1, with(&v1, "paymentId", json!("has space")), "paymentId format"),
        (1, with(&v1, "token", json!("tok-1")), "token is digits"),
        (1, with(&v1, "paymentReference", serde_json::Value::Null), "paymentReference is required"),
        (1, with(&v1, "channel", serde_json::Value::Null), "channel is required"),
        (2, with(&v2, "amount", json!("100")), "v2 amount is an integer"),
        (2, with(&v2, "currency", serde_json::Value::Null), "v2 currency is required"),
        (2, with(&v2, "currency", json!("XXX")), "currency must be ISO 4217"),
        (2, with(&v2, "paymentId", json!("short")), "v2 paymentId is 16 [0-9A-Z]"),
        (2, with(&v2, "paymentId", json!("abcdefghijklmnop")), "v2 paymentId is upper case"),
        (2, with(&v2, "countryCode", json!("DEU")), "countryCode is alpha-2"),
    ];
    for (version, body, what) in cases {
        let r = env.hx("pay", version, body).await;
        assert_eq!((r.status, r.json["status"].as_str()), (400, Some("FAIL")), "{what}: {}", r.text);
        assert!(r.json["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    let ct = env.send(env.hx_req("pay", 1).body(v1.to_string())).await;
    assert_eq!(ct.status, 400, "Content-Type application/json is mandatory");
    let bad_json = env.send(env.hx_req("pay", 1).header("Content-Type", "application/json").body("{")).await;
    assert_eq!(bad_json.status, 400);
    let v3 = env.send(env.hx_req("pay", 3).json(&v1)).await;
    assert_eq!((v3.status, v3.json["status"].as_str()), (406, Some("FAIL")));
    // Without a version in Accept, v1 is assumed.
    let plain = env
        .send(
            env.http
                .post(format!("{}pay", env.sb.holidayextras_base_url()))
                .basic_auth(d::USERNAME, Some(d::PASSWORD))
                .json(&v1),
        )
        .await;
    assert_eq!(plain.status, 200, "{}", plain.text);
    assert_eq!(env.ledger().await.len(), 1);
}

#[tokio::test]
async fn auth_and_channel_are_enforced() {
    let env = Env::new();
    let body = json!({ "channel": d::CHANNEL, "paymentId": "FP1", "token": d::TOKEN_APPROVE, "paymentReference": "R", "amount": "100" });
    let url = format!("{}pay", env.sb.holidayextras_base_url());
    let none = env.send(env.http.post(&url).json(&body)).await;
    assert_eq!((none.status, none.json["status"].as_str()), (401, Some("FAIL")));
    assert!(none.headers.contains_key("www-authenticate"));
    let wrong = env.send(env.http.post(&url).basic_auth(d::USERNAME, Some("nope")).json(&body)).await;
    assert_eq!(wrong.status, 401);
    let other_channel = env
        .send(env.http.post(&url).basic_auth(d::EXAMPLE_USERNAME, Some(d::EXAMPLE_PASSWORD)).json(&body))
        .await;
    assert_eq!((other_channel.status, other_channel.json["error"].as_str()), (403, Some("Invalid channel")));
    let refund =
        env.send(env.http.post(format!("{}refund", env.sb.holidayextras_base_url())).json(&body)).await;
    assert_eq!(refund.status, 401);
    assert!(env.ledger().await.is_empty());
}

#[tokio::test]
async fn declined_and_unknown_tokens_fail_without_charging() {
    let env = Env::new();
    let pay = |id: &str, token: &str| json!({ "channel": d::CHANNEL, "paymentId": id, "token": token, "paymentReference": "R", "amount": "2599" });
    // Every cause answers the page's one failure body, at one status (200 unless set): the
    // answer never tells a decline from insufficient funds or an unknown token.
    const FAILED: &str = r#"{"amount":25.99,"status":"FAIL","error":"Failed to make payment"}"#;
    for (id, token) in [("FPD1", d::TOKEN_DECLINE), ("FPD2", d::TOKEN_INSUFFICIENT_FUNDS), ("FPD3", "1234")] {
        let failed = env.hx("pay", 1, pay(id, token)).await;
        assert_eq!((failed.status, failed.text.as_str()), (200, FAILED), "{token}");
    }
    let set = env.control_put("config", json!({ "holidayextras_fail_status": 402 })).await;
    assert_eq!(set.status, 200, "{}", set.text);
    let failed = env.hx("pay", 1, pay("FPD6", d::TOKEN_DECLINE)).await;
    assert_eq!((failed.status, failed.text.as_str()), (402, FAILED));
    let set = env.control_put("config", json!({ "holidayextras_fail_status": 200 })).await;
    assert_eq!(set.status, 200, "{}", set.text);
    // A declined paymentId is used up: a retry needs a new one (the reused one fails, with the
    // same body as a decline).
    let reused = env.hx("pay", 1, pay("FPD1", d::TOKEN_APPROVE)).await;
    assert_eq!(reused.text, r#"{"amount":25.99,"status":"FAIL","error":"Failed to make payment"}"#);
    assert_eq!(env.ledger().await.len(), 0);
    // A card tokenised through the control API keeps its outcome.
    let t =
        env.control_post("holidayextras/tokens", json!({ "card_number": cards::MASTERCARD_DECLINE })).await;
    assert_eq!(t.status, 201);
    let token = t.json["token"].as_str().unwrap();
    assert!(token.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(env.hx("pay", 1, pay("FPD4", token)).await.json["status"], "FAIL");
    let t = env
        .control_post("holidayextras/tokens", json!({ "card_number": cards::AMEX_APPROVE, "token": "555" }))
        .await;
    assert_eq!(t.json["token"], "555");
    assert_eq!(env.hx("pay", 1, pay("FPD5", "555")).await.status, 200);
    let ledger = env.ledger().await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].card_last4.as_deref(), Some("0005"));
}

#[tokio::test]
async fn refunds_are_allocated_and_never_exceed_what_was_paid() {
    let env = Env::new();
    for (id, amount) in [("FPA", 1000), ("FPB", 500)] {
        let r = env
            .hx("pay", 2, json!({ "channel": d::CHANNEL, "paymentId": format!("{id}0000000000000"), "token": d::TOKEN_APPROVE,
                                  "paymentReference": "BOOKING1", "amount": amount, "currency": "GBP" }))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let refund = |amount: i64| json!({ "channel": d::CHANNEL, "payments": ["FPA0000000000000", "FPB0000000000000"], "amount": amount });
    let r = env.hx("refund", 2, refund(1200)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.text, r#"{"amount":12.00,"id":"REFUND-FPA0000000000000","status":"SUCCESS"}"#);
    let over = env.hx("refund", 2, refund(301)).await;
    assert_eq!(over.text, r#"{"amount":3.01,"status":"FAIL","error":"Failed making refund"}"#);
    let rest = env.hx("refund", 2, refund(300)).await;
    assert_eq!(rest.json["id"], "REFUND-FPA0000000000000-2");
    // v1 refund takes string pence.
    assert_eq!(
        env.hx("refund", 1, json!({ "channel": d::CHANNEL, "payments": ["FPA0000000000000"], "amount": 1 }))
            .await
            .status,
        400
    );
    let unknown =
        env.hx("refund", 1, json!({ "channel": d::CHANNEL, "payments": ["NOPE"], "amount": "1" })).await;
    assert_eq!((unknown.status, unknown.json["error"].as_str()), (200, Some("Failed making refund")));
    assert_eq!(
        env.hx("refund", 1, json!({ "channel": d::CHANNEL, "payments": [], "amount": "1" })).await.status,
        400
    );

    let refunds: Vec<(String, i64)> = env
        .ledger()
        .await
        .into_iter()
        .filter(|e| e.kind == EntryKind::Refund)
        .map(|e| (e.reference, e.amount_minor))
        .collect();
    assert_eq!(
        refunds,
        [
            ("FPA0000000000000".into(), 1000),
            ("FPB0000000000000".into(), 200),
            ("FPB0000000000000".into(), 300)
        ]
    );
}

/// The integration page's payment script, on the gateway's own host under its production and its
/// staging name, needs no credentials; any other name is not there.
#[tokio::test]
async fn the_published_payment_script_is_served_without_credentials() {
    let env = Env::new();
    for script in ["payment.2.0.0.min.js", "payment.staging.2.0.0.min.js"] {
        let r = env.send(env.http.get(format!("{}{script}", env.sb.holidayextras_base_url()))).await;
        assert_eq!(r.status, 200, "{script}");
        assert_eq!(r.headers["content-type"], "application/javascript", "{script}");
        assert!(r.text.contains(script), "{}", r.text);
    }
    let other =
        env.send(env.http.get(format!("{}payment.9.9.9.min.js", env.sb.holidayextras_base_url()))).await;
    assert_eq!(other.status, 404);
    // The money routes still take POST only.
    let pay = env.send(env.http.get(format!("{}pay", env.sb.holidayextras_base_url()))).await;
    assert_eq!(pay.status, 405);
    assert!(env.ledger().await.is_empty());
}
