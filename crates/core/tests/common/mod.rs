//! Shared set-up for engine tests: a real sandbox over loopback, a real SQLite file, an engine
//! with short polling so tests finish quickly.
#![allow(dead_code)]

pub mod heipay;
pub mod holidayextras;
pub mod travelport;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use farepoint_core::card::{Card, CardInput};
use farepoint_core::engine::{Engine, PaymentRecord, PollPolicy};
use farepoint_core::payment::{Provider, Status};
use farepoint_core::providers::atrip::AtripClient;
use farepoint_core::providers::http::Timeouts;
use farepoint_core::store::Store;
use farepoint_sandbox::{profile, LedgerEntry, RunningSandbox, Sandbox, SandboxConfig};
use serde_json::Value;

pub struct World {
    pub sandbox: RunningSandbox,
    pub engine: Engine,
    pub dir: tempfile::TempDir,
}

/// After every test's flows: no test card number or CVV in the database (with its WAL), the data
/// dir or the logs of this test process.
impl Drop for World {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert_no_card_data(self.dir.path());
            assert_no_card_data(log_dir());
            assert_no_card_data_in_timelines(self.engine.store());
        }
    }
}

/// The CVVs `card()` keys in.
const TEST_CVVS: &[&str] = &["123", "1234"];

/// Scans every file under `root` for every sandbox test card number and for the test CVVs as
/// JSON values.
pub fn assert_no_card_data(root: &std::path::Path) {
    let mut stack = vec![root.to_path_buf()];
    let mut scanned = 0;
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else { continue };
        scanned += 1;
        let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        for card in farepoint_sandbox::cards::TEST_CARDS {
            assert!(
                !contains(card.number.as_bytes()),
                "card number {} found in {}",
                card.number,
                path.display()
            );
        }
        for cvv in TEST_CVVS {
            let quoted = format!("\"{cvv}\"");
            assert!(!contains(quoted.as_bytes()), "CVV {quoted} found in {}", path.display());
        }
    }
    assert!(scanned > 0 || root == log_dir(), "nothing to scan under {}", root.display());
}

/// As `assert_no_card_data`, over the text of every stored timeline event: events are stored
/// compressed, where a byte scan of the file cannot see them.
pub fn assert_no_card_data_in_timelines(store: &Store) {
    let store = store.clone();
    // On a thread of its own: the store's blocking calls must not run on the test's runtime.
    let text = std::thread::spawn(move || {
        store
            .read_blocking(|c| {
                let mut text = String::new();
                for p in farepoint_core::store::list_payments(c, i64::MAX, 0)? {
                    let events = farepoint_core::store::events_for(c, &p.id)?;
                    text.push_str(&serde_json::to_string(&events).unwrap());
                }
                Ok(text)
            })
            .unwrap()
    })
    .join()
    .unwrap();
    for card in farepoint_sandbox::cards::TEST_CARDS {
        assert!(!text.contains(card.number), "card number {} found in a timeline event", card.number);
    }
    for cvv in TEST_CVVS {
        let quoted = format!("\"{cvv}\"");
        assert!(!text.contains(&quoted), "CVV {quoted} found in a timeline event");
    }
}

/// Log dirs of earlier test runs (kept for a while to read after a failure) are removed after
/// an hour, so `target/tmp` does not grow without end.
fn prune_old_log_dirs() {
    let Ok(entries) = std::fs::read_dir(env!("CARGO_TARGET_TMPDIR")) else { return };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().unwrap_or_default() > std::time::Duration::from_secs(3600));
        if old && entry.file_name().to_string_lossy().starts_with("engine-logs-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// This test process's log files: engine and in-process sandbox log here, as in the app.
pub fn log_dir() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        prune_old_log_dirs();
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("engine-logs-{}", std::process::id()));
        let guard = farepoint_core::logging::init(&dir, "farepoint").expect("logging");
        std::mem::forget(guard); // keep the writer for the life of the test process
        dir
    })
}

pub fn fast_policy() -> PollPolicy {
    PollPolicy {
        first_after: Duration::from_millis(50),
        max_interval: Duration::from_millis(250),
        deadline: Duration::from_secs(20),
        unpaid_grace: Duration::from_secs(3),
        concurrency: 4,
    }
}

pub fn timeouts() -> Timeouts {
    Timeouts { connect: Duration::from_secs(2), total: Duration::from_secs(1) }
}

pub fn atrip_client(sandbox: &RunningSandbox) -> AtripClient {
    profile::atrip(sandbox, timeouts()).unwrap()
}

/// A sandbox and an engine over a fresh database in a temp dir.
pub async fn world() -> World {
    log_dir();
    let mut config = SandboxConfig::for_tests();
    config.ticketing_delay = Duration::from_millis(100);
    let sandbox = Sandbox::start_on(&tokio::runtime::Handle::current(), config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_for(&sandbox, dir.path());
    World { sandbox, engine, dir }
}

pub fn engine_for(sandbox: &RunningSandbox, data_dir: &std::path::Path) -> Engine {
    let store = Store::open_in(data_dir).unwrap();
    let clients = profile::clients(sandbox, timeouts()).unwrap();
    let policies: HashMap<Provider, PollPolicy> =
        Provider::ALL.into_iter().map(|p| (p, fast_policy())).collect();
    Engine::new(store, "sandbox", clients, policies)
}

pub fn card(number: &str) -> Card {
    let cvv = if number.starts_with("34") || number.starts_with("37") { "1234" } else { "123" };
    Card::parse(&CardInput { number, cvv, expiry_month: "12", expiry_year: "2099", holder: "Jane Doe" })
        .unwrap()
}

/// Polls until the payment stops changing by itself (final, or waiting for a person).
pub async fn settle(engine: &Engine, payment_id: &str) -> PaymentRecord {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let record = engine.record(payment_id).await.unwrap();
        let waiting = record.attempts.last().is_some_and(|a| a.next_poll_at_ms.is_some());
        if !waiting {
            return record;
        }
        assert!(Instant::now() < deadline, "payment did not settle: {:?}", record.payment.status);
        engine.poll_due().await.unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

pub fn statuses(record: &PaymentRecord) -> Vec<Status> {
    record.timeline.iter().filter_map(|e| e.status_after).collect()
}

pub fn charges_for(sandbox: &RunningSandbox, reference: &str) -> Vec<LedgerEntry> {
    sandbox
        .ledger()
        .into_iter()
        .filter(|e| e.reference == reference && e.kind == farepoint_sandbox::EntryKind::Charge)
        .collect()
}

/// Seeds an ATRIP order through the sandbox's control API; returns its number.
pub async fn seed_atrip_order(
    sandbox: &RunningSandbox,
    total: &str,
    currency: &str,
    methods: &[i64],
    passengers: &[&str],
) -> String {
    let body = serde_json::json!({
        "totalPrice": total,
        "currency": currency,
        "supportPaymentMethods": methods,
        "deadlineInSecs": 1800,
        "passengers": passengers.iter().map(|n| serde_json::json!({"name": n, "passengerType": 0})).collect::<Vec<_>>(),
        "airline": "5J",
    });
    let url = format!("{}atrip/orders", sandbox.control_url());
    let reply: Value =
        reqwest::Client::new().post(url).json(&body).send().await.unwrap().json().await.unwrap();
    reply["orderNo"].as_str().unwrap_or_else(|| panic!("seeding failed: {reply}")).to_string()
}
