//! `cargo xtask bench engine`: 1,000 ATRIP deposit payments through the engine against the
//! in-process sandbox, then the same provider requests sent by a bare HTTP client, in the same
//! run. Prints the engine's own cost per payment (journal, fsyncs, timeline, polling) beside the
//! network-only floor, and checks the run: no payment lost, none charged twice.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use farepoint_core::engine::{AtripPayment, Clients, Engine, PollPolicy};
use farepoint_core::payment::{Provider, Status};
use farepoint_core::providers::atrip::Method;
use farepoint_core::providers::http::Timeouts;
use farepoint_core::store::{self, Store};
use farepoint_sandbox::{demo, profile, EntryKind, RunningSandbox, Sandbox, SandboxConfig};
use serde_json::{json, Value};

const PAYMENTS: usize = 1_000;

async fn seed_orders(sandbox: &RunningSandbox, n: usize) -> Vec<String> {
    let http = reqwest::Client::new();
    let url = format!("{}atrip/orders", sandbox.control_url());
    let mut orders = Vec::with_capacity(n);
    for i in 0..n {
        let body = json!({
            "totalPrice": format!("{}.{:02}", 1 + i % 9, i % 100), // 2,000 orders stay within the demo deposit
            "currency": "USD",
            "supportPaymentMethods": [1],
            "deadlineInSecs": 3600,
            "passengers": [{"name": "BENCH/PAX", "passengerType": 0}],
            "airline": "5J",
        });
        let reply: Value = http.post(&url).json(&body).send().await.unwrap().json().await.unwrap();
        orders.push(reply["orderNo"].as_str().expect("seeded order").to_string());
    }
    orders
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let sandbox = Sandbox::start_on(&tokio::runtime::Handle::current(), SandboxConfig::for_tests()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let timeouts = Timeouts { connect: Duration::from_secs(5), total: Duration::from_secs(30) };
    let client = profile::atrip(&sandbox, timeouts).unwrap();
    let fast = PollPolicy {
        first_after: Duration::from_millis(1),
        max_interval: Duration::from_millis(20),
        ..PollPolicy::default()
    };
    let policies: HashMap<Provider, PollPolicy> = Provider::ALL.into_iter().map(|p| (p, fast)).collect();
    let engine =
        Engine::new(store, "sandbox", Clients { atrip: Some(client), ..Clients::default() }, policies);

    println!("engine bench: {PAYMENTS} ATRIP deposit payments, sandbox on {}", sandbox.addr());
    let engine_orders = seed_orders(&sandbox, PAYMENTS).await;
    let bare_orders = seed_orders(&sandbox, PAYMENTS).await;

    // Farepoint: read order, journal, pay.do, commit; then poll each to Ticketed.
    let mut engine_each = Vec::with_capacity(PAYMENTS);
    let started = Instant::now();
    let mut ids = Vec::with_capacity(PAYMENTS);
    for order_no in &engine_orders {
        let t = Instant::now();
        let record = engine
            .pay_atrip(AtripPayment {
                order_no: order_no.clone(),
                method: Method::Deposit,
                card: None,
                three_ds_ip: None,
            })
            .await
            .expect("payment");
        engine_each.push(t.elapsed());
        ids.push(record.payment.id);
    }
    loop {
        let pending = engine.store().read(|c| store::next_poll_at(c)).await.unwrap();
        if pending.is_none() {
            break;
        }
        engine.poll_due().await.unwrap();
    }
    let engine_total = started.elapsed();

    // The floor: the same three requests per payment (read, pay, read) with a bare client.
    let http = reqwest::Client::new();
    let post = |name: &str, body: Value| {
        http.post(format!("{}{name}", sandbox.atrip_base_url()))
            .header("x-atlas-client-id", demo::atrip::CLIENT_ID)
            .header("x-atlas-client-secret", demo::atrip::CLIENT_SECRET)
            .json(&body)
            .send()
    };
    let mut bare_each = Vec::with_capacity(PAYMENTS);
    let started = Instant::now();
    for order_no in &bare_orders {
        let t = Instant::now();
        let read: Value =
            post("queryOrderDetails.do", json!({"orderNo": order_no})).await.unwrap().json().await.unwrap();
        assert_eq!(read["orderStatus"], "0");
        let paid: Value = post("pay.do", json!({"orderNo": order_no, "paymentMethod": 1}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(paid["status"], 0);
        bare_each.push(t.elapsed());
        let ticketed: Value =
            post("queryOrderDetails.do", json!({"orderNo": order_no})).await.unwrap().json().await.unwrap();
        assert_eq!(ticketed["orderStatus"], "2");
    }
    let bare_total = started.elapsed();

    // Checks: every payment Ticketed, one payment per order, one charge per order.
    let payments = engine.store().read(|c| store::list_payments(c, 10 * PAYMENTS as i64, 0)).await.unwrap();
    let ticketed = payments.iter().filter(|p| p.status == Status::Ticketed).count();
    let distinct: HashSet<&str> = payments.iter().map(|p| p.subject_key.as_str()).collect();
    let ledger = sandbox.ledger();
    let mut charges: HashMap<&str, usize> = HashMap::new();
    for e in ledger.iter().filter(|e| e.kind == EntryKind::Charge) {
        *charges.entry(e.reference.as_str()).or_default() += 1;
    }
    let engine_charged = engine_orders.iter().filter(|o| charges.get(o.as_str()) == Some(&1)).count();
    let duplicates = charges.values().filter(|n| **n > 1).count();

    let per = |d: Duration| d / PAYMENTS as u32;
    let overhead = per(engine_total.saturating_sub(bare_total));
    println!();
    println!("{:<44} {:>12} {:>12}", "", "farepoint", "bare HTTP");
    println!("{:<44} {:>12.2?} {:>12.2?}", "total wall time", engine_total, bare_total);
    println!(
        "{:<44} {:>12.2?} {:>12.2?}",
        "per payment, to the pay.do answer (median)",
        median(engine_each),
        median(bare_each)
    );
    println!(
        "{:<44} {:>12.2?} {:>12.2?}",
        "per payment, to Ticketed (mean)",
        per(engine_total),
        per(bare_total)
    );
    println!("engine's own overhead per payment (excl. network): {overhead:.2?}");
    println!("ratio farepoint / bare HTTP: {:.2}", engine_total.as_secs_f64() / bare_total.as_secs_f64());
    println!(
        "checks: {} payments journaled for {} orders, {ticketed} Ticketed, {engine_charged} charged exactly once, {duplicates} charged twice",
        payments.len(),
        distinct.len()
    );
    assert_eq!(payments.len(), PAYMENTS, "a payment was lost or duplicated");
    assert_eq!(distinct.len(), PAYMENTS);
    assert_eq!(ticketed, PAYMENTS, "not every payment reached Ticketed");
    assert_eq!(engine_charged, PAYMENTS);
    assert_eq!(duplicates, 0, "a payment was charged twice");
}
