//! End-to-end, in the real window with the real Secret Service keyring (gnome-keyring in the test
//! session): the Settings view shows this installation's facts, edits the Production profile's
//! ATRIP settings while the Sandbox is active, refuses a bad address next to its field, stores a
//! client secret write-only in the OS keyring (never in the page), forgets it, and speaks Spanish.
#![cfg(target_os = "linux")]

#[macro_use]
mod support;

use std::process::Command;

use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::json;
use support::{AppSession, TestResult};

/// The keyring account of the ATRIP client secret (secrets.rs: service `farepoint`, account
/// `<profile>/<provider>/<field>`; the keyring crate files the account as attribute `username`).
const SECRET_ACCOUNT: &str = "production/atrip/client_secret";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_edit_production_store_and_forget_a_credential_in_two_languages() {
    let app = AppSession::start().await.expect("start the app window");
    let outcome = scenario(&app).await;
    if let Err(e) = &outcome {
        let _ = app.screenshot("failed-desk-settings").await;
        if let Ok(body) = app.client.find(Locator::Css("body")).await {
            eprintln!("failed: {e}\nwindow text:\n{}", body.text().await.unwrap_or_default());
        }
    }
    // Whatever happened, leave nothing of ours in the session's keyring.
    let _ = Command::new("secret-tool")
        .args(["clear", "service", "farepoint", "username", SECRET_ACCOUNT])
        .status();
    let closed = app.close().await;
    outcome.unwrap();
    closed.unwrap();
}

/// What the OS keyring holds for `account` under Farepoint's service, read with libsecret's own
/// tool (not through the app), or `None` when there is no such entry.
fn keyring_lookup(account: &str) -> TestResult<Option<String>> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "farepoint", "username", account])
        .output()
        .map_err(|e| format!("secret-tool is needed (package libsecret-tools): {e}"))?;
    Ok(out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim_end_matches('\n').to_string()))
}

/// The Production profile's ATRIP entry as `get_settings` returns it.
async fn production_atrip(app: &AppSession) -> TestResult<serde_json::Value> {
    let page = app.invoke("get_settings", json!({})).await?;
    let production = page["profiles"]
        .as_array()
        .and_then(|profiles| profiles.iter().find(|p| p["profile"] == "production"))
        .ok_or("get_settings has no production profile")?;
    let atrip = production["providers"]
        .as_array()
        .and_then(|providers| providers.iter().find(|p| p["provider"] == "atrip"))
        .ok_or("the production profile has no ATRIP entry")?;
    Ok(atrip.clone())
}

fn field_value(provider: &serde_json::Value, key: &str) -> String {
    provider["fields"]
        .as_array()
        .and_then(|fields| fields.iter().find(|f| f["key"] == key))
        .and_then(|f| f["value"].as_str())
        .unwrap_or_default()
        .to_string()
}

async fn input_value(app: &AppSession, css: &str) -> TestResult<String> {
    Ok(app.wait_visible(css).await?.prop("value").await?.unwrap_or_default())
}

async fn scenario(app: &AppSession) -> TestResult {
    let c = &app.client;
    // The frame is laid out once app_status has answered (the Sandbox banner moves the rail down).
    app.wait_for_text("#profile", |t| !t.is_empty() && t != "…").await?;
    app.wait_visible("#sandbox-banner").await?;
    app.click(".nav a[data-view=settings]").await?;
    app.wait_for_text("#h-settings", |t| t == "Settings").await?;

    // This installation: the facts come from app_status, the keyring's from get_settings.
    let keyring = app.wait_for_text("#fact-keyring", |t| !t.is_empty() && t != "Checking…").await?;
    ensure!(keyring.starts_with("Working"), "keyring status reads {keyring:?}");
    let simulator = app.wait_for_text("#fact-sandbox", |t| !t.is_empty() && t != "…").await?;
    ensure!(simulator.starts_with("Running at http://127.0.0.1:"), "simulator shown as {simulator:?}");
    let database = app.wait_for_text("#fact-database", |t| !t.is_empty() && t != "…").await?;
    // The active (Sandbox) profile's own history, apart from Production's.
    let expected_db =
        farepoint_core::profile::history_dir(app.data_path(), farepoint_core::profile::Profile::Sandbox)
            .join("farepoint.sqlite3");
    ensure!(database == expected_db.display().to_string(), "database shown as {database:?}");
    let profile = app.wait_for_text("#fact-profile", |t| !t.is_empty() && t != "…").await?;
    ensure!(profile == "Sandbox", "profile fact reads {profile:?}");
    let logs = app.wait_for_text("#fact-logs", |t| !t.is_empty() && t != "…").await?;
    ensure!(logs.starts_with(&app.data_path().display().to_string()), "logs shown as {logs:?}");
    let version = app.wait_for_text("#fact-version", |t| !t.is_empty() && t != "…").await?;
    ensure!(version == env!("CARGO_PKG_VERSION"), "version shown as {version:?}");
    let badge = app.wait_for_text("#settings-active-profile", |t| !t.is_empty()).await?;
    ensure!(badge.eq_ignore_ascii_case("sandbox"), "active profile badge reads {badge:?}");

    // The active (Sandbox) profile's providers first: built-in, read-only, no input for a secret.
    app.wait_visible("#providers-sandbox[aria-pressed=true]").await?;
    let demo = app.wait_for_text("#state-atrip-client_secret", |t| !t.is_empty()).await?;
    ensure!(demo == "Built-in demo credential", "sandbox client secret shown as {demo:?}");
    ensure!(
        c.find_all(Locator::Css("#view-settings input[type=password]")).await?.is_empty(),
        "the read-only Sandbox profile offers a credential input"
    );
    screenshot_at(app, "settings-sandbox-en", None).await?;

    // Prepare Production while the Sandbox is active.
    app.click("#providers-production").await?;
    app.wait_visible("#providers-production[aria-pressed=true]").await?;
    let state = app.wait_for_text("#settings-state-atrip", |t| !t.is_empty()).await?;
    ensure!(state == "Needs setup", "fresh ATRIP production state reads {state:?}");
    let missing = app.wait_for_text("#settings-problems-atrip", |t| !t.is_empty()).await?;
    ensure!(missing.contains("API base URL is not set"), "ATRIP problems read {missing:?}");
    // The window says it from a code and the field's key, not from the English.
    let problems = production_atrip(app).await?["problems"].clone();
    ensure!(
        problems.as_array().is_some_and(|list| list
            .iter()
            .any(|p| p["code"] == "missing_value" && p["params"]["field"] == "base_url")),
        "the missing base URL is not sent by code: {problems}"
    );

    // A good address is saved …
    let good = "https://atrip.example.com/api/";
    app.type_into("#set-atrip-base_url", good).await?;
    app.click("#save-atrip").await?;
    app.wait_for_text("#settings-notice-atrip", |t| t == "Saved").await?;
    let saved = field_value(&production_atrip(app).await?, "base_url");
    ensure!(saved == good, "base URL stored as {saved:?}");

    // … a bad one is refused next to its field, and nothing is saved.
    app.type_into("#set-atrip-base_url", "atrip dot example").await?;
    app.click("#save-atrip").await?;
    let error = app.wait_for_text("#set-atrip-base_url-error", |t| !t.is_empty()).await?;
    ensure!(error.contains("not a full web address"), "bad URL error reads {error:?}");
    let invalid = c.find(Locator::Css("#set-atrip-base_url")).await?.attr("aria-invalid").await?;
    ensure!(
        invalid.as_deref() == Some("true"),
        "the refused field is marked aria-invalid={invalid:?}, not \"true\""
    );
    ensure!(
        c.find(Locator::Css("#settings-notice-atrip")).await?.text().await?.is_empty(),
        "a refused save still says Saved"
    );
    let kept = field_value(&production_atrip(app).await?, "base_url");
    ensure!(kept == good, "the refused address changed the stored one to {kept:?}");
    app.type_into("#set-atrip-base_url", good).await?;

    // A credential goes in write-only: stored in the OS keyring, gone from the page.
    let secret = format!("cs-{}-{}", std::process::id(), farepoint_stamp());
    ensure!(keyring_lookup(SECRET_ACCOUNT)?.is_none(), "the keyring already holds {SECRET_ACCOUNT}");
    let before = app.wait_for_text("#state-atrip-client_secret", |t| !t.is_empty()).await?;
    ensure!(before == "Not stored", "client secret state before storing: {before:?}");
    let input = app.wait_visible("#secret-atrip-client_secret").await?;
    ensure!(
        input.attr("type").await?.as_deref() == Some("password"),
        "the secret input is not a password field"
    );
    ensure!(
        input.attr("autocomplete").await?.as_deref() == Some("off"),
        "the secret input allows autocomplete"
    );
    ensure!(
        input_value(app, "#secret-atrip-client_secret").await?.is_empty(),
        "the secret input is pre-filled"
    );
    app.type_into("#secret-atrip-client_secret", &secret).await?;
    app.click("#store-atrip-client_secret").await?;
    let stored =
        app.wait_for_text("#state-atrip-client_secret", |t| !t.is_empty() && t != "Not stored").await?;
    ensure!(stored == "Stored in keyring", "client secret state after storing: {stored:?}");
    ensure!(
        input_value(app, "#secret-atrip-client_secret").await?.is_empty(),
        "the secret input kept the value"
    );
    ensure!(!c.source().await?.contains(&secret), "the page source contains the secret");
    let held = keyring_lookup(SECRET_ACCOUNT)?;
    ensure!(held.as_deref() == Some(secret.as_str()), "the OS keyring holds {held:?} for {SECRET_ACCOUNT}");
    let atrip = production_atrip(app).await?;
    ensure!(!atrip.to_string().contains(&secret), "get_settings returns the secret");
    let missing = app.wait_for_text("#settings-problems-atrip", |t| !t.is_empty()).await?;
    ensure!(
        missing.contains("Client ID") && !missing.contains("Client secret"),
        "after storing the secret the problems read {missing:?}"
    );
    ensure!(!data_dir_contains(app.data_path(), &secret)?, "the secret was written to the data dir");

    // Keyboard: the provider tabs move with the arrow keys.
    c.find(Locator::Css("#settings-tab-atrip")).await?.send_keys(&char::from(Key::Right).to_string()).await?;
    app.wait_visible("#settings-tab-travelport[aria-selected=true]").await?;
    app.wait_visible("#set-travelport-pcc").await?;
    let focused = c.active_element().await?.attr("id").await?;
    ensure!(focused.as_deref() == Some("settings-tab-travelport"), "focus after → is on {focused:?}");
    app.click("#settings-tab-atrip").await?;
    app.wait_visible("#secret-atrip-client_secret").await?;
    screenshot_at(app, "settings-production-en", None).await?;
    screenshot_at(app, "settings-credentials-en", Some("secret-row-atrip-client_secret")).await?;

    // Forget it: confirmed in a dialog, gone from the keyring.
    app.click("#forget-atrip-client_secret").await?;
    app.wait_visible("#settings-dialog").await?;
    app.click("#dialog-confirm").await?;
    let forgotten = app
        .wait_for_text("#state-atrip-client_secret", |t| !t.is_empty() && t != "Stored in keyring")
        .await?;
    ensure!(forgotten == "Not stored", "client secret state after forgetting: {forgotten:?}");
    ensure!(keyring_lookup(SECRET_ACCOUNT)?.is_none(), "the keyring still holds {SECRET_ACCOUNT}");
    ensure!(
        c.find_all(Locator::Css("#forget-atrip-client_secret")).await?.is_empty(),
        "Forget is still offered for a secret that is not stored"
    );

    // HeiPay: hotels are rows of id and name; a saved hotel gets its own card-key row, and a key
    // that is not one is refused next to it, with nothing stored.
    app.click("#settings-tab-heipay").await?;
    app.click("#hotel-add-heipay").await?;
    let row = "#settings-panel-heipay .set-hotel:not(.head)";
    let id_input = app.wait_visible(&format!("{row} input[id^=hotel-id-]")).await?;
    let focused = c.active_element().await?.attr("id").await?;
    ensure!(focused == id_input.attr("id").await?, "Add hotel left the focus on {focused:?}");
    id_input.send_keys("7").await?;
    c.find(Locator::Css(&format!("{row} input[id^=hotel-name-]"))).await?.send_keys("Hotel Caribe").await?;
    app.click("#save-heipay").await?;
    app.wait_for_text("#settings-notice-heipay", |t| t == "Saved").await?;
    let card_key = app.wait_for_text("#state-heipay-card_key-7", |t| !t.is_empty()).await?;
    ensure!(card_key == "Not stored", "the new hotel's card key reads {card_key:?}");
    app.type_into("#secret-heipay-card_key-7", "not-a-card-key").await?;
    app.click("#store-heipay-card_key-7").await?;
    let refused = app.wait_for_text("#secret-heipay-card_key-7-error", |t| !t.is_empty()).await?;
    ensure!(refused.to_lowercase().contains("base64"), "a bad card key is refused with {refused:?}");
    ensure!(
        input_value(app, "#secret-heipay-card_key-7").await?.is_empty(),
        "the refused card key stayed in the input"
    );
    ensure!(
        keyring_lookup("production/heipay/card_key/7")?.is_none(),
        "a refused card key reached the keyring"
    );
    screenshot_at(app, "settings-heipay-en", Some("set-heipay-hotels")).await?;
    app.click("#settings-tab-atrip").await?;
    app.wait_visible("#secret-atrip-client_secret").await?;

    // Español, from the Settings view's own language choice, and back.
    app.click("#lang-es").await?;
    app.wait_for_text("#h-settings", |t| t == "Ajustes").await?;
    for (id, heading) in [
        ("#settings-h-profile", "Perfil"),
        ("#settings-h-providers", "Proveedores"),
        ("#settings-h-installation", "Esta instalación"),
        ("#settings-h-language", "Idioma"),
    ] {
        let text = app.wait_for_text(id, |t| !t.is_empty()).await?;
        ensure!(text == heading, "{id} reads {text:?} in Spanish");
    }
    let nav = app.wait_for_text(".nav a[data-view=settings]", |t| !t.is_empty()).await?;
    ensure!(nav.starts_with("Ajustes"), "the rail reads {nav:?} in Spanish");
    let state = app.wait_for_text("#state-atrip-client_secret", |t| !t.is_empty()).await?;
    ensure!(state == "No guardado", "client secret state in Spanish: {state:?}");
    let keyring = app.wait_for_text("#fact-keyring", |t| !t.is_empty()).await?;
    ensure!(keyring.starts_with("Funciona"), "keyring fact in Spanish: {keyring:?}");
    ensure!(app.wait_visible("#lang-es").await?.is_selected().await?, "Español is not the checked language");
    let saved = app.invoke("get_settings", json!({})).await?;
    ensure!(saved["locale"] == "es", "the language saved is {} after choosing Español", saved["locale"]);
    // What the core finds missing or refuses is said in Spanish from its code and parameters.
    let missing = app.wait_for_text("#settings-problems-atrip", |t| !t.is_empty()).await?;
    ensure!(
        missing.contains("ID de cliente: no está en el llavero — guárdelo en Ajustes"),
        "ATRIP problems in Spanish read {missing:?}"
    );
    app.type_into("#set-atrip-base_url", "atrip dot example").await?;
    app.click("#save-atrip").await?;
    let error = app.wait_for_text("#set-atrip-base_url-error", |t| !t.is_empty()).await?;
    ensure!(
        error.starts_with("'atrip dot example' no es una dirección web completa"),
        "bad URL error in Spanish: {error:?}"
    );
    app.type_into("#set-atrip-base_url", good).await?;
    app.click("#settings-tab-heipay").await?;
    let missing = app.wait_for_text("#settings-problems-heipay", |t| !t.is_empty()).await?;
    ensure!(
        missing.contains("La clave de tarjeta del hotel 7 (Hotel Caribe) no está en el llavero"),
        "HeiPay problems in Spanish read {missing:?}"
    );
    // The refusal shown before the switch is said again in the new language.
    let refused = app.wait_for_text("#secret-heipay-card_key-7-error", |t| !t.is_empty()).await?;
    ensure!(
        refused.starts_with("La clave de tarjeta no sirve") && refused.contains("base64"),
        "the card key refusal in Spanish reads {refused:?}"
    );
    app.click("#settings-tab-atrip").await?;
    app.wait_visible("#secret-atrip-client_secret").await?;
    screenshot_at(app, "settings-production-es", None).await?;
    app.click("#providers-sandbox").await?;
    app.wait_visible("#providers-sandbox[aria-pressed=true]").await?;
    screenshot_at(app, "settings-sandbox-es", None).await?;

    app.click("#lang-en").await?;
    app.wait_for_text("#h-settings", |t| t == "Settings").await?;
    app.wait_for_text("#settings-h-providers", |t| t == "Providers").await?;
    let saved = app.invoke("get_settings", json!({})).await?;
    ensure!(saved["locale"] == "en", "the language saved is {}", saved["locale"]);

    // Switching profile asks first, saying the app restarts; Esc cancels and nothing changes.
    // (Confirming would restart the app and end this WebDriver session.)
    app.click("#profile-switch").await?;
    let title = app.wait_for_text("#settings-dialog-title", |t| !t.is_empty()).await?;
    ensure!(title == "Switch to Production?", "the switch dialog is titled {title:?}");
    let body = app.wait_for_text("#settings-dialog", |t| !t.is_empty()).await?;
    ensure!(
        body.contains("closes and opens again"),
        "the switch dialog does not explain the restart: {body:?}"
    );
    screenshot_at(app, "settings-switch-dialog-en", None).await?;
    app.press(Key::Escape).await?;
    for _ in 0..50 {
        if c.find_all(Locator::Css("#settings-dialog")).await?.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    ensure!(c.find_all(Locator::Css("#settings-dialog")).await?.is_empty(), "Esc did not close the dialog");
    let focused = c.active_element().await?.attr("id").await?;
    ensure!(focused.as_deref() == Some("profile-switch"), "after Esc the focus is on {focused:?}");
    let status = app.invoke("app_status", json!({})).await?;
    ensure!(status["profile"] == "sandbox", "the profile changed to {}", status["profile"]);
    Ok(())
}

/// A screenshot with the view scrolled to its top, or to the element `id` in the middle, taken once
/// the scrolled view has been painted.
async fn screenshot_at(app: &AppSession, name: &str, id: Option<&str>) -> TestResult {
    app.client
        .execute_async(
            "const [id, done] = arguments;
             const content = document.querySelector('.content');
             if (id) document.getElementById(id).scrollIntoView({ block: 'center' }); else content.scrollTop = 0;
             requestAnimationFrame(() => requestAnimationFrame(() => done(content.scrollTop)));",
            vec![json!(id)],
        )
        .await?;
    app.screenshot(name).await?;
    Ok(())
}

/// A per-run stamp so the secret typed is unique to this run.
fn farepoint_stamp() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos()
}

/// Whether any file under `dir` (the SQLite database, its WAL, the logs) contains `needle`.
fn data_dir_contains(dir: &std::path::Path, needle: &str) -> TestResult<bool> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let found = if path.is_dir() {
            data_dir_contains(&path, needle)?
        } else {
            std::fs::read(&path)?.windows(needle.len()).any(|w| w == needle.as_bytes())
        };
        if found {
            return Ok(true);
        }
    }
    Ok(false)
}
