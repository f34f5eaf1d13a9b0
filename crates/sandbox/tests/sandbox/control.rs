//! The control API, the public Rust API and the standalone binary.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use farepoint_sandbox::demo::{atrip as a, travelport as tp};
use farepoint_sandbox::{paths, Sandbox, SandboxConfig};
use serde_json::json;

use crate::common::Env;

#[tokio::test]
async fn health_demo_and_config() {
    let env = Env::new();
    let h = env.control_get("health").await;
    assert_eq!(h.json["base_paths"]["atrip"], paths::ATRIP);
    let demo = env.control_get("demo").await.json;
    assert_eq!(demo["atrip"]["client_id"], a::CLIENT_ID);
    assert_eq!(demo["test_cards"].as_array().unwrap().len(), farepoint_sandbox::cards::TEST_CARDS.len());
    let c = env.control_get("config").await.json;
    assert_eq!(
        (c["ticketing_delay_ms"].as_u64(), c["travelport_workbench_ttl_secs"].as_u64()),
        (Some(0), Some(1800))
    );
    let put = env.control_put("config", json!({ "travelport_token_ttl_secs": 5 })).await;
    assert_eq!(put.json["travelport_token_ttl_secs"], 5);
    assert_eq!(env.sb.settings().travelport_token_ttl_secs, 5);
    assert_eq!(env.control_put("config", json!({ "bogus": 1 })).await.status, 400);
    assert_eq!(env.control_put("config", json!({ "ticketing_delay_ms": -1 })).await.status, 400);
    // A provider path that does not exist is a plain 404.
    assert_eq!(env.send(env.http.get(format!("{}/nothing", env.sb.base_url()))).await.status, 404);
}

#[tokio::test]
async fn seeding_orders_and_pnrs() {
    let env = Env::new();
    let r = env
        .control_post(
            "atrip/orders",
            json!({ "orderNo": "TESTA20250101000000123", "currency": "KWD", "totalPrice": "12.345",
                    "supportPaymentMethods": [1], "tktLimitTime": "2099-01-01 00:00:00",
                    "passengers": [{ "name": "A/B" }, { "name": "C/D", "passengerType": 1 }] }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.text.contains(r#""totalPrice":12.345"#));
    assert_eq!(r.json["tktLimitTime"], "2099-01-01 00:00:00");
    assert_eq!(
        env.atrip("pay.do", json!({ "orderNo": "TESTA20250101000000123", "paymentMethod": 1 })).await
            ["status"],
        411,
        "no KWD deposit balance"
    );
    for bad in [
        json!({ "totalPrice": "1.001" }),
        json!({ "totalPrice": "1", "supportPaymentMethods": [2] }),
        json!({ "totalPrice": "1", "orderNo": "short" }),
        json!({ "totalPrice": "1", "orderStatus": "9" }),
        json!({ "totalPrice": "1", "cardType": "Maestro" }),
    ] {
        assert_eq!(env.control_post("atrip/orders", bad.clone()).await.status, 400, "{bad}");
    }
    let got = env.control_get(&format!("atrip/orders/{}", a::ORDER_JPY)).await;
    assert_eq!(got.json["currency"], "JPY");

    let p = env
        .control_post(
            "travelport/pnrs",
            json!({ "locator": "NEWPNR", "currency": "EUR", "farePerTraveler": "100.10",
                                                  "travelers": [{ "given": "A", "surname": "B" }],
                                                  "ancillary": { "traveler": 1, "price": 20 } }),
        )
        .await;
    assert_eq!(p.status, 201, "{}", p.text);
    assert!(p.text.contains(r#""TotalPrice":100.10"#) && p.text.contains(r#""TotalPrice":20.00"#));
    assert_eq!(
        env.control_post("travelport/pnrs", json!({ "locator": "NEWPNR", "farePerTraveler": "1" }))
            .await
            .status,
        400
    );
    assert_eq!(env.control_get(&format!("travelport/pnrs/{}", tp::LOCATOR_TICKETED)).await.status, 200);
    assert_eq!(env.control_get("travelport/pnrs/NOPE00").await.status, 404);
}

#[tokio::test]
async fn ledger_filters_and_reset() {
    let env = Env::new();
    assert_eq!(
        env.atrip("pay.do", json!({ "orderNo": a::ORDER_ANY_METHOD, "paymentMethod": 1 })).await["status"],
        0
    );
    assert_eq!(
        env.atrip("pay.do", json!({ "orderNo": a::ORDER_JPY, "paymentMethod": 1 })).await["status"],
        0
    );
    let all = env.ledger().await;
    assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!((all[1].amount_minor, all[1].amount.as_str()), (45000, "45000"));
    let one = env.control_get(&format!("ledger?reference={}", a::ORDER_JPY)).await.json;
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(env.control_get("ledger?provider=heipay").await.json, json!([]));
    assert_eq!(env.control_get("ledger?kind=charge&provider=atrip").await.json.as_array().unwrap().len(), 2);
    assert_eq!(env.sb.ledger(), all, "the Rust API reads the same ledger");

    assert_eq!(env.control_post("reset", json!({})).await.status, 200);
    assert!(env.ledger().await.is_empty());
    assert_eq!(env.atrip_order(a::ORDER_ANY_METHOD).await["orderStatus"], "0", "demo data re-seeded");
}

#[test]
fn starts_on_an_existing_runtime_and_without_demo_data() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let config = SandboxConfig { seed_demo_data: false, ..SandboxConfig::for_tests() };
    let sb = Sandbox::start_on(runtime.handle(), config).unwrap();
    assert!(sb.atrip_base_url().ends_with("/atrip/"));
    assert!(sb.travelport_air_base_url().ends_with("/travelport/11/air/"));
    assert!(sb.holidayextras_base_url().ends_with("/holidayextras/"));
    assert!(sb.heipay_base_url().ends_with("/heipay/"));
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let r = http
            .post(sb.atrip_base_url() + "queryOrderDetails.do")
            .header("x-atlas-client-id", a::CLIENT_ID)
            .header("x-atlas-client-secret", a::CLIENT_SECRET)
            .json(&json!({ "orderNo": a::ORDER_ANY_METHOD }))
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["status"], 900, "no demo credentials without demo data");
        sb.shutdown_async().await;
    });
    // Binding the same port twice is a clear error.
    let first = Sandbox::start(SandboxConfig::for_tests()).unwrap();
    let taken = Sandbox::start(SandboxConfig { port: first.addr().port(), ..SandboxConfig::for_tests() });
    assert!(matches!(taken, Err(farepoint_sandbox::SandboxError::Bind { .. })));
    first.shutdown();
}

#[test]
fn the_binary_serves_the_same_api() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_farepoint-sandbox"))
        .args(["--port", "0", "--ticketing-delay-ms", "0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let base =
        first.trim().strip_prefix("farepoint sandbox on ").expect("first line names the URL").to_string();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let status = runtime.block_on(async {
        let r = reqwest::Client::new()
            .get(format!("{base}/__sandbox/health"))
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        r.map(|r| r.status().as_u16())
    });
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdout);
    assert_eq!(status.unwrap(), 200);
    let help = Command::new(env!("CARGO_BIN_EXE_farepoint-sandbox")).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("--port"));
    let bad = Command::new(env!("CARGO_BIN_EXE_farepoint-sandbox")).arg("--nope").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
