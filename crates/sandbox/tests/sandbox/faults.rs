//! Each fault kind over real HTTP, and the ledger as the ground truth behind it.

use std::time::{Duration, Instant};

use farepoint_sandbox::demo::{atrip as a, holidayextras as hx};
use farepoint_sandbox::{cards, FaultKind, FaultSpec};
use serde_json::json;

use crate::common::{heipay_body, Env};

fn pay_body() -> serde_json::Value {
    json!({ "orderNo": a::ORDER_ANY_METHOD, "paymentMethod": 1 })
}

#[tokio::test]
async fn latency_delays_the_next_n_requests_only() {
    let env = Env::new();
    env.fault(json!({ "route": "atrip.query", "kind": "latency", "latency_ms": 600, "count": 2 })).await;
    for _ in 0..2 {
        let started = Instant::now();
        assert_eq!(env.atrip_order(a::ORDER_ANY_METHOD).await["status"], 0);
        assert!(started.elapsed() >= Duration::from_millis(600));
    }
    let started = Instant::now();
    env.atrip_order(a::ORDER_ANY_METHOD).await;
    assert!(started.elapsed() < Duration::from_millis(550), "the third request is not delayed");
    assert_eq!(env.sb.request_count("atrip.query"), 3);
}

#[tokio::test]
async fn http_500_before_processing_changes_nothing() {
    let env = Env::new();
    env.fault(json!({ "route": "atrip.pay", "kind": "http_500" })).await;
    let r = env.send(env.atrip_req("pay.do").json(&pay_body())).await;
    assert_eq!(r.status, 500);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(env.ledger().await.is_empty());
    assert_eq!(env.atrip_order(a::ORDER_ANY_METHOD).await["orderStatus"], "0");
    assert_eq!(env.atrip("pay.do", pay_body()).await["status"], 0, "the fault was used up");
    assert_eq!(env.ledger().await.len(), 1);
}

#[tokio::test]
async fn http_500_after_processing_has_charged() {
    let env = Env::new();
    env.fault(json!({ "route": "atrip.pay", "kind": "http_500", "after_processing": true })).await;
    let r = env.send(env.atrip_req("pay.do").json(&pay_body())).await;
    assert_eq!(r.status, 500);
    assert_eq!(env.ledger().await.len(), 1);
    // Reconciling by query shows it paid; paying again is refused.
    assert_ne!(env.atrip_order(a::ORDER_ANY_METHOD).await["orderStatus"], "0");
    assert_eq!(env.atrip("pay.do", pay_body()).await["status"], 402);
    assert_eq!(env.ledger().await.len(), 1);
}

#[tokio::test]
async fn malformed_json_is_sent_after_the_charge() {
    let env = Env::new();
    env.fault(json!({ "route": "holidayextras.pay", "kind": "malformed_json" })).await;
    let body = json!({ "channel": hx::CHANNEL, "paymentId": "FPMALFORMED1", "token": hx::TOKEN_APPROVE,
                       "paymentReference": "R", "amount": "1999" });
    let r = env.hx("pay", 1, body.clone()).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err(), "unparsable: {:?}", r.text);
    assert!(r.text.starts_with('{'));
    let ledger = env.ledger().await;
    assert_eq!((ledger.len(), ledger[0].amount_minor), (1, 1999));
    // Re-sending the same paymentId is the safe retry: it cannot charge twice.
    let again = env.hx("pay", 1, body).await;
    assert_eq!((again.status, again.json["status"].as_str()), (200, Some("FAIL")));
    assert_eq!(env.ledger().await.len(), 1);
}

#[tokio::test]
async fn close_after_charge_drops_the_connection_with_the_charge_recorded() {
    let env = Env::new();
    env.fault(json!({ "route": "atrip.pay", "kind": "close_after_charge" })).await;
    let err = env.atrip_req("pay.do").json(&pay_body()).send().await.expect_err("no HTTP response at all");
    assert!(!err.is_timeout(), "{err:?}");
    assert!(err.is_request() || err.is_connect() || err.is_body(), "{err:?}");
    let ledger = env.ledger().await;
    assert_eq!(ledger.len(), 1, "charged exactly once");
    assert_eq!(ledger[0].reference, a::ORDER_ANY_METHOD);
    let order = env.atrip_order(a::ORDER_ANY_METHOD).await;
    assert_eq!(order["paymentMethod"], 1);
    assert_eq!(env.atrip("pay.do", pay_body()).await["status"], 402);
    assert_eq!(env.ledger().await.len(), 1);
    // The server itself is fine.
    assert_eq!(env.control_get("health").await.status, 200);
}

#[tokio::test]
async fn close_after_charge_on_heipay_and_travelport_token() {
    let env = Env::new();
    env.fault(json!({ "route": "heipay.pay", "kind": "close_after_charge" })).await;
    let body = heipay_body(farepoint_sandbox::demo::heipay::CARD_KEY, cards::VISA_APPROVE, "1000", 1);
    let url = format!("{}v2/virtual-terminal/credit-card", env.sb.heipay_base_url());
    let sent =
        env.http.post(&url).bearer_auth(farepoint_sandbox::demo::heipay::API_TOKEN).json(&body).send().await;
    assert!(sent.is_err());
    assert_eq!(env.ledger().await.len(), 1);
    env.fault(json!({ "route": "travelport.token", "kind": "close_after_charge" })).await;
    let sent = env.http.post(env.sb.travelport_oauth_token_url()).body("x").send().await;
    assert!(sent.is_err());
}

#[tokio::test]
async fn hang_holds_the_request_until_the_client_gives_up() {
    let env = Env::new();
    env.fault(json!({ "route": "atrip.pay", "kind": "hang" })).await;
    let started = Instant::now();
    let err = env
        .atrip_req("pay.do")
        .timeout(Duration::from_millis(400))
        .json(&pay_body())
        .send()
        .await
        .expect_err("never answered");
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert!(env.ledger().await.is_empty(), "hang before processing charges nothing");
    assert_eq!(env.atrip_order(a::ORDER_ANY_METHOD).await["orderStatus"], "0");

    env.fault(json!({ "route": "atrip.pay", "kind": "hang", "after_processing": true })).await;
    let err = env.atrip_req("pay.do").timeout(Duration::from_millis(300)).json(&pay_body()).send().await;
    assert!(err.expect_err("never answered").is_timeout());
    assert_eq!(env.ledger().await.len(), 1, "hang after processing has charged");
}

#[tokio::test]
async fn shutdown_is_not_held_up_by_a_hanging_request() {
    let env = Env::new();
    env.fault(json!({ "route": "heipay.voucher", "kind": "hang" })).await;
    let url = format!("{}v2/terminal-payments/500/vouchers", env.sb.heipay_base_url());
    let pending = tokio::spawn(env.http.get(url).send());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let addr = env.sb.addr();
    let started = Instant::now();
    tokio::task::spawn_blocking(move || env.sb.shutdown()).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    assert!(pending.await.unwrap().is_err(), "the hanging request got no response");
    assert!(std::net::TcpListener::bind(addr).is_ok(), "the port is free again");
}

#[tokio::test]
async fn faults_are_validated_listed_and_cleared() {
    let env = Env::new();
    for bad in [
        json!({ "route": "atrip.nope", "kind": "hang" }),
        json!({ "route": "atrip.pay", "kind": "explode" }),
        json!({ "route": "atrip.pay", "kind": "latency" }),
        json!({ "route": "atrip.pay", "kind": "hang", "count": 0 }),
    ] {
        assert_eq!(env.control_post("faults", bad.clone()).await.status, 400, "{bad}");
    }
    env.fault(json!({ "route": "heipay.pay", "kind": "http_500", "count": 3 })).await;
    let listed = env.control_get("faults").await.json;
    assert_eq!(listed[0]["route"], "heipay.pay");
    assert_eq!(listed[0]["count"], 3);
    let routes = env.control_get("routes").await.json;
    assert!(routes.as_array().unwrap().contains(&json!("travelport.commit")));
    let cleared = env.send(env.http.delete(format!("{}faults", env.sb.control_url()))).await;
    assert_eq!(cleared.status, 200);
    assert_eq!(env.control_get("faults").await.json, json!([]));
    // The Rust API arms the same faults.
    env.sb.inject_fault(FaultSpec::new("atrip.query", FaultKind::Http500)).unwrap();
    assert!(env.sb.inject_fault(FaultSpec::new("nope", FaultKind::Http500)).is_err());
    let r = env.send(env.atrip_req("queryOrderDetails.do").json(&json!({ "orderNo": a::ORDER_JPY }))).await;
    assert_eq!(r.status, 500);
    let counts = env.control_get("requests").await.json;
    assert_eq!(counts["atrip.query"], 1);
}
