//! End-to-end: the real Farepoint window opens under Xvfb and shows its frame, read through
//! WebDriver. Linux only — tauri-driver has no macOS WebDriver to talk to.
#![cfg(target_os = "linux")]

#[macro_use]
mod support;

use fantoccini::key::Key;
use fantoccini::Locator;
use support::{AppSession, TestResult};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_opens_with_title_navigation_and_sandbox_profile() {
    let app = AppSession::start().await.expect("start the app window");
    let outcome = scenario(&app).await;
    let closed = app.close().await;
    outcome.unwrap();
    closed.unwrap();
}

async fn scenario(app: &AppSession) -> TestResult {
    let c = &app.client;
    ensure!(c.title().await? == "Farepoint", "window title is {:?}", c.title().await?);

    let mut labels = Vec::new();
    for link in c.find_all(Locator::Css("nav.rail .nav a")).await? {
        labels.push(link.text().await?);
    }
    ensure!(labels == ["Take payment", "Payments", "Summary", "Settings"], "navigation shows {labels:?}");

    // First run: the Sandbox profile is active and says so.
    let banner = app.wait_for_text("#sandbox-banner", |t| !t.is_empty()).await?;
    ensure!(banner == "Sandbox — no real money moves", "banner reads {banner:?}");
    let profile = app.wait_for_text("#profile", |t| t != "…").await?;
    ensure!(profile.eq_ignore_ascii_case("sandbox"), "profile reads {profile:?}");
    ensure!(
        c.find(Locator::Css("#view-take")).await?.is_displayed().await?,
        "Take payment is not the first view"
    );
    app.screenshot("window-take-payment").await?;

    // Navigation by click: Settings shows facts that came through the app_status command.
    c.find(Locator::Css(".nav a[data-view=settings]")).await?.click().await?;
    let keyring = app.wait_for_text("#fact-keyring", |t| t != "Checking…").await?;
    ensure!(keyring.starts_with("Working"), "keyring status reads {keyring:?}");
    let simulator = app.wait_for_text("#fact-sandbox", |t| t != "…").await?;
    ensure!(simulator.starts_with("Running at http://127.0.0.1:"), "simulator shown as {simulator:?}");
    let database = app.wait_for_text("#fact-database", |t| t != "…").await?;
    // The active (Sandbox) profile's own history, apart from Production's.
    let expected_db =
        farepoint_core::profile::history_dir(app.data_path(), farepoint_core::profile::Profile::Sandbox)
            .join("farepoint.sqlite3");
    ensure!(database == expected_db.display().to_string(), "database shown as {database:?}");
    ensure!(expected_db.is_file(), "the app did not create its database at {}", expected_db.display());
    let logs = std::fs::read_dir(app.data_path().join("logs"))?.count();
    ensure!(logs >= 1, "the app wrote no log file");
    app.screenshot("window-settings").await?;

    // No ready-made Tauri API object in the window (`withGlobalTauri` is off): the UI calls
    // through its own ui/lib/tauri.js, and the facts above came through it.
    let global = c.execute("return typeof window.__TAURI__;", vec![]).await?;
    ensure!(global == "undefined", "window.__TAURI__ is {global}");

    // The capability ACL is in force: a window command the main window was not granted is refused.
    let answer = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('plugin:window|set_title', { label: 'main', value: 'Changed' })
               .then(() => done('allowed'), (e) => done(String(e)));",
            vec![],
        )
        .await?;
    let answer = answer.as_str().unwrap_or_default().to_string();
    ensure!(answer.contains("not allowed"), "set_title was not refused: {answer:?}");
    ensure!(c.title().await? == "Farepoint", "the title changed despite the refusal");

    // Amounts are divided by the core's ISO 4217 decimals, not the browser's locale data (which
    // has IQD without decimals, and in newer releases COP too: amounts would read 1,000× or 100×
    // too large).
    let formatted = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             import('./lib/format.js').then(
               (f) => done([f.exponent('IQD'), f.exponent('COP'), f.money({ minor: 1234, currency: 'IQD' })].join('|')),
               (e) => done(String(e)));",
            vec![],
        )
        .await?;
    let formatted = formatted.as_str().unwrap_or_default().to_string();
    ensure!(
        formatted.starts_with("3|2|") && formatted.contains("1.234"),
        "amounts formatted as {formatted:?}"
    );

    // Navigation by keyboard: Ctrl+2 opens Payments.
    let body = c.find(Locator::Css("body")).await?;
    body.send_keys(&format!("{}2", char::from(Key::Control))).await?;
    let current = app.wait_for_text(".nav a[aria-current=page]", |t| t == "Payments").await?;
    ensure!(current == "Payments", "Ctrl+2 selected {current:?}");
    ensure!(
        c.find(Locator::Css("#view-payments")).await?.is_displayed().await?,
        "Payments view is not shown after Ctrl+2"
    );
    Ok(())
}
