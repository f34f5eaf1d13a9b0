//! Going live, in the real window with the real keyring: a desk whose Production profile has a
//! made-up ATRIP address and the wrong Travelport password (a second simulator stands in for the
//! real Travelport and, later, ATRIP). "Test connection" says in plain words what is wrong — the
//! address's host does not exist, Travelport refused the credentials — and, once fixed in
//! Settings, that each works and what it proved; a changed address or credential makes the last
//! test count for nothing. The checklist follows, and after a restart (the desk then runs what was
//! tested; the tests are kept) nothing is left before the first real payment. The Take view offers no form for a provider Production has not set up: it says so,
//! and its button opens Settings on that provider. A payment call to the made-up address is said
//! in plain words too, the network library's own kept out of sight.
#![cfg(target_os = "linux")]

#[macro_use]
mod support;

use std::collections::HashMap;

use fantoccini::Locator;
use farepoint_core::payment::Provider;
use farepoint_core::profile::{self, Profile};
use farepoint_core::secrets::{KeyringStore, SecretString};
use farepoint_core::settings;
use farepoint_core::store::Store;
use farepoint_sandbox::{demo, RunningSandbox, Sandbox, SandboxConfig};
use serde_json::json;
use support::desk::{goto, wait_js};
use support::{AppSession, TestResult};

/// The made-up address ATRIP is first set up with (RFC 6761: `.invalid` never resolves).
const MADE_UP: &str = "https://atrip-golive.invalid/";
const CREDENTIALS: [(Provider, &[&str]); 2] = [
    (Provider::Atrip, &["client_id", "client_secret"]),
    (Provider::Travelport, &["username", "password", "client_id", "client_secret"]),
];

/// Production, active, as Settings would store it: ATRIP at a made-up address with the demo
/// account's credentials, Travelport at the simulator with a wrong password.
fn set_up_production(data_dir: &std::path::Path, air: String, token: String) -> TestResult {
    let main = Store::open_in(data_dir)?;
    main.write_blocking(move |c| {
        let values = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let corrupt = |e: settings::SettingsError| farepoint_core::store::StoreError::Corrupt(e.to_string());
        settings::save(c, Profile::Production, Provider::Atrip, &values(&[("base_url", MADE_UP)]), None, 1)
            .map_err(corrupt)?;
        let travelport =
            values(&[("air_base_url", &air), ("auth_url", &token), ("pcc", demo::travelport::PCC)]);
        settings::save(c, Profile::Production, Provider::Travelport, &travelport, None, 1)
            .map_err(corrupt)?;
        profile::set_active(c, Profile::Production, 2)
    })?;
    let stored = main.read_blocking(|c| Ok(settings::load(c)))?.map_err(|e| e.to_string())?;
    let keyring = KeyringStore::new()?;
    let secrets = [
        (Provider::Atrip, "client_id", demo::atrip::CLIENT_ID),
        (Provider::Atrip, "client_secret", demo::atrip::CLIENT_SECRET),
        (Provider::Travelport, "username", demo::travelport::USERNAME),
        (Provider::Travelport, "password", "not-the-password"),
        (Provider::Travelport, "client_id", demo::travelport::CLIENT_ID),
        (Provider::Travelport, "client_secret", demo::travelport::CLIENT_SECRET),
    ];
    for (provider, field, value) in secrets {
        let value = SecretString::from(value.to_string());
        settings::store_credential(&stored, &keyring, Profile::Production, provider, field, value)?;
    }
    Ok(())
}

/// Leaves no Production credential in the session's keyring for the next test.
fn forget_credentials() -> TestResult {
    let keyring = KeyringStore::new()?;
    for (provider, fields) in CREDENTIALS {
        for field in fields {
            settings::forget_credential(&keyring, Profile::Production, provider, field)?;
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_connection_says_what_is_wrong_and_take_sends_an_unset_provider_to_settings() {
    // The real Travelport and ATRIP, played by a second simulator.
    let gateway = Sandbox::start_on(&tokio::runtime::Handle::current(), SandboxConfig::for_tests()).unwrap();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    let (air, token) = (gateway.travelport_air_base_url(), gateway.travelport_oauth_token_url());
    tokio::task::spawn_blocking(move || set_up_production(&dir, air, token).map_err(|e| e.to_string()))
        .await
        .unwrap()
        .unwrap();

    let app = AppSession::start_in(data.path(), &[]).await.expect("start the Production window");
    let outcome = scenario(&app, &gateway).await;
    let closed = finish(app, &outcome, "failed-desk-golive").await;
    let restarted = match (&outcome, closed) {
        (Ok(()), Ok(())) => {
            async {
                AppSession::wait_until_history_free(data.path()).await?;
                let app = AppSession::start_in(data.path(), &[]).await?;
                let outcome = after_restart(&app).await;
                finish(app, &outcome, "failed-desk-golive-restarted").await?;
                outcome
            }
            .await
        }
        (_, closed) => closed,
    };
    let forgotten =
        tokio::task::spawn_blocking(|| forget_credentials().map_err(|e| e.to_string())).await.unwrap();
    outcome.unwrap();
    restarted.unwrap();
    forgotten.unwrap();
    // No test or look-up moved money.
    assert!(gateway.ledger().is_empty(), "{:?}", gateway.ledger());
}

/// Closes the window, after a screenshot and its text when `outcome` failed.
async fn finish(app: AppSession, outcome: &TestResult, name: &str) -> TestResult {
    if let Err(e) = outcome {
        let _ = app.screenshot(name).await;
        if let Ok(body) = app.client.find(Locator::Css("body")).await {
            eprintln!("failed: {e}\nwindow text:\n{}", body.text().await.unwrap_or_default());
        }
    }
    app.close().await
}

async fn scenario(app: &AppSession, gateway: &RunningSandbox) -> TestResult {
    app.wait_for_text("#profile", |t| t.eq_ignore_ascii_case("production")).await?;

    // Take: ATRIP was set up when the app started, so its form is there; a look-up reaches for
    // the made-up address and says so in plain words.
    app.type_into("#atrip-order-no", "FPDMO20250101000000001").await?;
    app.click("#atrip-lookup").await?;
    let unreachable = app.wait_for_text("#atrip-order-no-error", |t| !t.is_empty()).await?;
    ensure!(
        unreachable
            == "Could not reach ATRIP: the address's host name does not exist — check the network and the \
                       ATRIP address in Settings"
            || unreachable.starts_with("Could not reach ATRIP: the host name could not be looked up"),
        "the look-up's error reads {unreachable:?}"
    );
    // HeiPay is not set up in Production: no form, where to set it up instead.
    app.click("#tab-heipay").await?;
    let said = app.wait_for_text("#form-heipay .not-set-up-text", |t| !t.is_empty()).await?;
    ensure!(
        said.starts_with("HeiPay is not set up in this profile — open Settings"),
        "HeiPay's tab reads {said:?}"
    );
    ensure!(
        app.client
            .find_all(Locator::Css("#form-heipay input, #take-continue:not([hidden])"))
            .await?
            .is_empty(),
        "a form or Continue is offered for a provider that is not set up"
    );
    app.screenshot("golive-take-not-set-up").await?;
    app.click("#take-settings-heipay").await?;
    app.wait_visible("#view-settings").await?;
    app.wait_visible("#settings-tab-heipay[aria-selected=true]").await?;
    app.wait_visible("#providers-production[aria-pressed=true]").await?;
    app.wait_visible("#settings-panel-heipay").await?;

    // The checklist: the keyring works; ATRIP and Travelport are to be tested; HeiPay and
    // Holiday Extras are not used at this desk.
    let list = app.wait_for_text("#golive-checklist", |t| t.contains("ATRIP: test the connection")).await?;
    for line in [
        "Before the first real payment",
        "The OS keyring works",
        "Travelport: test the connection",
        "HeiPay: not set up — the desk does not offer it",
        "Holiday Extras: not set up — the desk does not offer it",
    ] {
        ensure!(list.contains(line), "the checklist lacks {line:?}: {list}");
    }
    ensure!(ready(app).await? == "false", "the checklist says ready with nothing tested");

    // ATRIP at the made-up address: a bad address, in plain words, the resolver's behind Details.
    app.click("#settings-tab-atrip").await?;
    let state = app.wait_for_text("#settings-state-atrip", |t| !t.is_empty()).await?;
    ensure!(state == "Not tested yet", "a filled-in ATRIP reads {state:?}, not \"Not tested yet\"");
    app.click("#test-atrip").await?;
    let failed = app.wait_for_text("#test-result-atrip .set-test-outcome", |t| !t.is_empty()).await?;
    ensure!(
        failed == "Bad address: the address's host name does not exist (atrip-golive.invalid) — check the address in Settings"
            || failed.starts_with("No network: the host name could not be looked up"),
        "ATRIP's test reads {failed:?}"
    );
    app.wait_for_text("#settings-state-atrip", |t| t == "Test failed").await?;
    ensure!(
        app.client.find_all(Locator::Css("#test-result-atrip details")).await?.len() == 1,
        "the failed test keeps no details"
    );
    let list = app
        .wait_for_text("#golive-checklist", |t| t.contains("ATRIP: the last connection test failed"))
        .await?;
    ensure!(list.contains("ATRIP: the last connection test failed — "), "{list}");
    app.screenshot("golive-test-bad-address").await?;

    // Travelport with the wrong password: refused credentials.
    app.click("#settings-tab-travelport").await?;
    app.click("#test-travelport").await?;
    let refused = app.wait_for_text("#test-result-travelport .set-test-outcome", |t| !t.is_empty()).await?;
    ensure!(
        refused
            == "Travelport refused the credentials — check them in Settings (its answer is in the details)",
        "Travelport's test reads {refused:?}"
    );
    app.wait_for_text("#settings-state-travelport", |t| t == "Test failed").await?;
    // The right password: the old test no longer counts, and the new one works.
    app.type_into("#secret-travelport-password", demo::travelport::PASSWORD).await?;
    app.click("#store-travelport-password").await?;
    app.wait_for_text("#settings-state-travelport", |t| t == "Not tested yet").await?;
    app.click("#test-travelport").await?;
    let worked = app.wait_for_text("#test-result-travelport .set-test-outcome", |t| t != refused).await?;
    ensure!(
        worked.starts_with("The connection works: Travelport issued an access token"),
        "Travelport's second test reads {worked:?}"
    );
    app.wait_for_text("#settings-state-travelport", |t| t == "Connection tested").await?;

    // ATRIP at the simulator's address: a changed address resets the test; then it works.
    app.click("#settings-tab-atrip").await?;
    app.type_into("#set-atrip-base_url", &gateway.atrip_base_url()).await?;
    app.click("#save-atrip").await?;
    app.wait_for_text("#settings-notice-atrip", |t| t == "Saved").await?;
    app.wait_for_text("#settings-state-atrip", |t| t == "Not tested yet").await?;
    app.click("#test-atrip").await?;
    let worked = app
        .wait_for_text("#test-result-atrip .set-test-outcome", |t| t.starts_with("The connection"))
        .await?;
    ensure!(
        worked.starts_with("The connection works: ATRIP answered a look-up"),
        "ATRIP's test reads {worked:?}"
    );
    app.wait_for_text("#settings-state-atrip", |t| t == "Connection tested").await?;
    app.screenshot("golive-test-worked").await?;

    // Tested, but the running desk still has the settings it started with: restart.
    let list =
        app.wait_for_text("#golive-checklist", |t| t.contains("ATRIP: the connection test worked")).await?;
    for line in [
        "Travelport: the connection test worked",
        "ATRIP: restart Farepoint so the desk takes its payments with these settings",
        "Travelport: restart Farepoint so the desk takes its payments with these settings",
        "ATRIP: 127.0.0.1 is this computer, not ATRIP — no real money moves there",
    ] {
        ensure!(list.contains(line), "the checklist lacks {line:?}: {list}");
    }
    ensure!(!list.contains("test the connection"), "{list}");
    ensure!(ready(app).await? == "false", "the checklist says ready before the restart");

    // Español: the outcome by its code, in the other language.
    app.click("#lang-es").await?;
    app.wait_for_text("#h-settings", |t| t == "Ajustes").await?;
    let es = app.wait_for_text("#test-result-atrip .set-test-outcome", |t| !t.is_empty()).await?;
    ensure!(es.starts_with("La conexión funciona: ATRIP respondió"), "ATRIP's test in Spanish reads {es:?}");
    app.click("#lang-en").await?;
    app.wait_for_text("#h-settings", |t| t == "Settings").await?;

    // Never a raw network library's text in the window; and no test moved money.
    goto(app, "take").await?;
    let body = app.client.find(Locator::Css("body")).await?.text().await?;
    for raw in ["dns error", "failed to lookup", "os error", "tcp connect", "client error (Connect)"] {
        ensure!(!body.contains(raw), "the window shows {raw:?}: {body}");
    }
    ensure!(gateway.ledger().is_empty(), "a connection test moved money: {:?}", gateway.ledger());
    Ok(())
}

/// After a restart: the tests were kept, the desk runs what was tested, nothing is left but the
/// warnings, and the Take view reaches ATRIP at its new address.
async fn after_restart(app: &AppSession) -> TestResult {
    app.wait_for_text("#profile", |t| t.eq_ignore_ascii_case("production")).await?;
    let page = app.invoke("get_settings", json!({})).await?;
    ensure!(
        page["checklist"]["ready"] == true,
        "get_settings' checklist after the restart: {}",
        page["checklist"]
    );
    let atrip = &page["profiles"][1]["providers"][0];
    ensure!(
        atrip["readiness"]["state"] == "tested" && atrip["readiness"]["test"]["code"] == "test_worked",
        "ATRIP's kept test: {}",
        atrip["readiness"]
    );
    goto(app, "settings").await?;
    wait_js(
        app,
        "the checklist to say ready",
        "document.getElementById('golive-checklist')?.dataset.ready === 'true'",
        15,
    )
    .await?;
    let list = app.wait_for_text("#golive-checklist", |t| !t.is_empty()).await?;
    ensure!(list.starts_with("Ready for the first real payment"), "{list}");
    ensure!(!list.contains("restart Farepoint"), "{list}");
    app.screenshot("golive-checklist-ready").await?;
    goto(app, "take").await?;
    app.click("#tab-atrip").await?;
    app.type_into("#atrip-order-no", demo::atrip::ORDER_ANY_METHOD).await?;
    app.click("#atrip-lookup").await?;
    app.wait_for_text("#atrip-amount", |t| !t.is_empty()).await?;
    Ok(())
}

async fn ready(app: &AppSession) -> TestResult<String> {
    let list = app.wait_visible("#golive-checklist").await?;
    Ok(list.attr("data-ready").await?.unwrap_or_default())
}
