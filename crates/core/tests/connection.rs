//! "Test connection" over real loopback HTTP: each provider's test against the sandbox with the
//! demo account and with wrong credentials, and the faults a desk meets going live — a closed
//! port, an address that is not the API (a 404, an HTML page), TLS to a plain server, a host
//! name that does not exist, no answer in time — each said as one plain outcome, with the
//! technical words kept apart in the details. The settings come from a real SQLite file; the
//! secrets from an in-memory store (the keyring's own tests are in `secrets`).

use std::collections::HashMap;
use std::time::Duration;

use farepoint_core::payment::Provider;
use farepoint_core::profile::Profile;
use farepoint_core::providers::http::Timeouts;
use farepoint_core::providers::network::NetKind;
use farepoint_core::secrets::{MemoryStore, SecretString};
use farepoint_core::settings::connection::{self, ConnectionTest, Outcome, TEST_TIMEOUTS};
use farepoint_core::settings::{self, Hotel, ProductionSettings};
use farepoint_core::store::{self, Store};
use farepoint_sandbox::{demo, FaultKind, FaultSpec, RunningSandbox, Sandbox, SandboxConfig};

/// Production's settings for one provider, saved in a real file, and its secrets.
struct Desk {
    _dir: tempfile::TempDir,
    conn: rusqlite::Connection,
    secrets: MemoryStore,
}

impl Desk {
    fn new() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open_in(dir.path()).unwrap());
        let conn = rusqlite::Connection::open(dir.path().join(store::DB_FILE)).unwrap();
        Desk { _dir: dir, conn, secrets: MemoryStore::default() }
    }

    fn set(&mut self, provider: Provider, values: &[(&str, &str)], secrets: &[(&str, &str)]) -> &mut Self {
        let values: HashMap<String, String> =
            values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        settings::save(&mut self.conn, Profile::Production, provider, &values, None, 1).unwrap();
        for (field, value) in secrets {
            let value = SecretString::from(value.to_string());
            settings::store_credential(
                &self.settings(),
                &self.secrets,
                Profile::Production,
                provider,
                field,
                value,
            )
            .unwrap();
        }
        self
    }

    fn hotels(&mut self, hotels: &[Hotel]) -> &mut Self {
        settings::save(
            &mut self.conn,
            Profile::Production,
            Provider::HeiPay,
            &HashMap::new(),
            Some(hotels),
            1,
        )
        .unwrap();
        self
    }

    fn settings(&self) -> ProductionSettings {
        settings::load(&self.conn).unwrap()
    }

    async fn test(&self, provider: Provider, timeouts: Timeouts) -> ConnectionTest {
        let prepared = connection::prepare(&self.settings(), Some(&self.secrets), provider, timeouts)
            .unwrap_or_else(|e| panic!("{provider:?} is not set up: {}", e.english(provider)));
        prepared.run().await
    }
}

fn sandbox() -> RunningSandbox {
    Sandbox::start(SandboxConfig::for_tests()).unwrap()
}

fn atrip(desk: &mut Desk, base_url: &str, secret: &str) {
    desk.set(
        Provider::Atrip,
        &[("base_url", base_url)],
        &[("client_id", demo::atrip::CLIENT_ID), ("client_secret", secret)],
    );
}

fn travelport(desk: &mut Desk, sb: &RunningSandbox, auth_url: &str, password: &str, pcc: &str) {
    desk.set(
        Provider::Travelport,
        &[("air_base_url", &sb.travelport_air_base_url()), ("auth_url", auth_url), ("pcc", pcc)],
        &[
            ("username", demo::travelport::USERNAME),
            ("password", password),
            ("client_id", demo::travelport::CLIENT_ID),
            ("client_secret", demo::travelport::CLIENT_SECRET),
        ],
    );
}

/// The outcome's code, as the window reads it, and its English.
fn said(test: &ConnectionTest) -> (String, String) {
    let shown = serde_json::to_value(test).unwrap();
    (shown["code"].as_str().unwrap().to_string(), shown["message"].as_str().unwrap().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_accounts_work_and_wrong_credentials_are_refused_where_the_provider_can_say() {
    let sb = sandbox();
    let mut desk = Desk::new();

    // ATRIP: the order query for an order that cannot exist — "no such order" proves it all.
    atrip(&mut desk, &sb.atrip_base_url(), demo::atrip::CLIENT_SECRET);
    let worked = desk.test(Provider::Atrip, TEST_TIMEOUTS).await;
    assert_eq!(worked.outcome, Outcome::Worked);
    let (code, english) = said(&worked);
    assert_eq!(code, "test_worked");
    assert!(english.starts_with("The connection works: ATRIP answered a look-up"), "{english}");
    assert_eq!(worked.details, None);
    atrip(&mut desk, &sb.atrip_base_url(), "not-the-secret");
    let refused = desk.test(Provider::Atrip, TEST_TIMEOUTS).await;
    assert_eq!(refused.outcome, Outcome::CredentialsRefused);
    assert_eq!(refused.details.as_deref(), Some("ATRIP 900: Unauthorized access (HTTP 200)"));
    assert!(!said(&refused).1.contains("not-the-secret"));

    // Travelport: a token for the four credentials, then the Air API with it and the PCC.
    let token_url = sb.travelport_oauth_token_url();
    travelport(&mut desk, &sb, &token_url, demo::travelport::PASSWORD, demo::travelport::PCC);
    assert_eq!(desk.test(Provider::Travelport, TEST_TIMEOUTS).await.outcome, Outcome::Worked);
    travelport(&mut desk, &sb, &token_url, "wrong-password", demo::travelport::PCC);
    let refused = desk.test(Provider::Travelport, TEST_TIMEOUTS).await;
    assert_eq!(refused.outcome, Outcome::CredentialsRefused);
    assert!(refused.details.as_deref().is_some_and(|d| d.starts_with("invalid_grant")), "{refused:?}");
    assert_eq!(
        said(&refused).1,
        "Travelport refused the credentials — check them in Settings (its answer is in the details)"
    );
    travelport(&mut desk, &sb, &token_url, demo::travelport::PASSWORD, "ZZZZZ_9Z");
    let pcc = desk.test(Provider::Travelport, TEST_TIMEOUTS).await;
    assert_eq!(pcc.outcome, Outcome::CredentialsRefused);
    assert!(pcc.details.as_deref().is_some_and(|d| d.starts_with("Travelport 2010")), "{pcc:?}");

    // Holiday Extras publishes no call that checks credentials without taking a payment: the
    // address is proven to be the gateway, and wrong credentials are not found out — said so.
    let hx = |password: &str| {
        [("username", demo::holidayextras::USERNAME.to_string()), ("password", password.to_string())]
    };
    for password in [demo::holidayextras::PASSWORD, "wrong-password"] {
        let secrets = hx(password);
        let secrets: Vec<(&str, &str)> = secrets.iter().map(|(k, v)| (*k, v.as_str())).collect();
        desk.set(
            Provider::HolidayExtras,
            &[("base_url", &sb.holidayextras_base_url()), ("channel", demo::holidayextras::CHANNEL)],
            &secrets,
        );
        let reached = desk.test(Provider::HolidayExtras, TEST_TIMEOUTS).await;
        assert_eq!(reached.outcome, Outcome::Reached, "{password}");
        let (code, english) = said(&reached);
        assert_eq!(code, "test_reached");
        assert!(english.contains("the first real payment proves them"), "{english}");
    }
    assert_eq!(sb.request_count("holidayextras.pay") + sb.request_count("holidayextras.refund"), 0);

    // HeiPay likewise: the address answers; the API token waits for the first payment.
    desk.set(Provider::HeiPay, &[("base_url", &sb.heipay_base_url())], &[("api_token", "any-token")]);
    desk.hotels(&[Hotel { id: demo::heipay::HOTEL_ID, name: demo::heipay::HOTEL_NAME.into() }]);
    desk.set(Provider::HeiPay, &[], &[("card_key/1", demo::heipay::CARD_KEY)]);
    let reached = desk.test(Provider::HeiPay, TEST_TIMEOUTS).await;
    assert_eq!(reached.outcome, Outcome::Reached);
    assert_eq!(sb.request_count("heipay.pay"), 0);

    // No test moved money.
    assert!(sb.ledger().is_empty(), "{:?}", sb.ledger());
    sb.shutdown_async().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_address_is_said_by_what_is_wrong_with_it() {
    let sb = sandbox();
    let mut desk = Desk::new();
    let outcome = |test: &ConnectionTest| test.outcome.clone();

    // A port where nothing listens.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    atrip(&mut desk, &format!("http://127.0.0.1:{port}/atrip/"), demo::atrip::CLIENT_SECRET);
    let refused = desk.test(Provider::Atrip, TEST_TIMEOUTS).await;
    assert_eq!(outcome(&refused), Outcome::BadAddress { host: "127.0.0.1".into(), why: NetKind::Refused });
    assert_eq!(
        said(&refused).1,
        "Bad address: nothing answers at that address (the connection was refused) (127.0.0.1) — check the \
         address in Settings"
    );
    // The network library's words only in the details.
    assert!(refused.details.as_deref().is_some_and(|d| d.contains("onnection refused")), "{refused:?}");

    // A host name that does not exist (RFC 6761: `.invalid` never resolves). Where the machine
    // has no name service at all the look-up itself fails: that is "no network", said so.
    atrip(&mut desk, "https://farepoint-check.invalid/", demo::atrip::CLIENT_SECRET);
    let unknown = desk.test(Provider::Atrip, TEST_TIMEOUTS).await;
    let host = "farepoint-check.invalid".to_string();
    assert!(
        [
            Outcome::BadAddress { host: host.clone(), why: NetKind::HostNotFound },
            Outcome::NoNetwork { host, why: NetKind::LookupFailed },
        ]
        .contains(&unknown.outcome),
        "{unknown:?}"
    );
    assert!(!said(&unknown).1.contains("dns error"), "{unknown:?}");

    // TLS to a server that speaks plain HTTP.
    let tls = sb.atrip_base_url().replacen("http://", "https://", 1);
    atrip(&mut desk, &tls, demo::atrip::CLIENT_SECRET);
    let tls = desk.test(Provider::Atrip, TEST_TIMEOUTS).await;
    assert_eq!(outcome(&tls), Outcome::BadAddress { host: "127.0.0.1".into(), why: NetKind::Tls }, "{tls:?}");

    // Another service at that address: a 404, then an HTML page with 200.
    atrip(&mut desk, &sb.control_url(), demo::atrip::CLIENT_SECRET);
    let control = desk.test(Provider::Atrip, TEST_TIMEOUTS).await;
    assert_eq!(outcome(&control), Outcome::NotTheApi { host: "127.0.0.1".into(), status: 404 });
    let page = html_server().await;
    travelport(
        &mut desk,
        &sb,
        &format!("{page}oauth/token"),
        demo::travelport::PASSWORD,
        demo::travelport::PCC,
    );
    let html = desk.test(Provider::Travelport, TEST_TIMEOUTS).await;
    assert_eq!(outcome(&html), Outcome::NotTheApi { host: "127.0.0.1".into(), status: 200 });
    assert!(html.details.as_deref().is_some_and(|d| d.contains("text/html")), "{html:?}");
    assert_eq!(
        said(&html).1,
        "Bad address: 127.0.0.1 answered, but not as Travelport's API (HTTP 200) — check the address in Settings"
    );
    // Holiday Extras' address pointing at ATRIP's: no payment script there.
    desk.set(
        Provider::HolidayExtras,
        &[("base_url", &sb.atrip_base_url()), ("channel", demo::holidayextras::CHANNEL)],
        &[("username", demo::holidayextras::USERNAME), ("password", demo::holidayextras::PASSWORD)],
    );
    let wrong = desk.test(Provider::HolidayExtras, TEST_TIMEOUTS).await;
    assert_eq!(outcome(&wrong), Outcome::NotTheApi { host: "127.0.0.1".into(), status: 404 });
    sb.shutdown_async().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_in_time_is_a_timeout_and_a_server_error_is_the_providers() {
    let sb = sandbox();
    let mut desk = Desk::new();
    atrip(&mut desk, &sb.atrip_base_url(), demo::atrip::CLIENT_SECRET);
    sb.inject_fault(FaultSpec::new("atrip.query", FaultKind::Hang)).unwrap();
    let short = Timeouts { connect: Duration::from_secs(5), total: Duration::from_secs(1) };
    let hung = desk.test(Provider::Atrip, short).await;
    assert_eq!(hung.outcome, Outcome::Timeout { host: "127.0.0.1".into(), seconds: 1 });
    assert_eq!(
        said(&hung).1,
        "No answer from 127.0.0.1 within 1 seconds — try again; if it repeats, check the address and the network"
    );
    sb.inject_fault(FaultSpec::new("atrip.query", FaultKind::Http500)).unwrap();
    let down = desk.test(Provider::Atrip, TEST_TIMEOUTS).await;
    assert_eq!(down.outcome, Outcome::ProviderError);
    assert!(down.details.as_deref().is_some_and(|d| d.starts_with("HTTP 500")), "{down:?}");
    sb.shutdown_async().await;
}

/// A web server that answers every request with an HTML page, as a site that is not an API does.
async fn html_server() -> String {
    use axum::response::Html;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .fallback(|| async { Html("<!doctype html><title>Welcome</title><p>Our site</p>") });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/")
}
