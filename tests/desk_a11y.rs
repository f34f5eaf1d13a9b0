//! End-to-end: axe-core checks every view and dialog of the real window, in the light scheme and
//! in the dark one (the desktop's own dark preference) — text contrast, names, roles, ids,
//! headings. It fails on any violation: serious and critical ones first of all, and the moderate
//! and minor ones too, as the window has none. Linux only — tauri-driver has no macOS WebDriver
//! to talk to.
#![cfg(target_os = "linux")]

#[macro_use]
mod support;

use fantoccini::key::Key;
use fantoccini::Locator;
use farepoint_core::payment::Provider;
use farepoint_core::profile::{self, Profile};
use farepoint_core::secrets::KeyringStore;
use farepoint_core::settings;
use farepoint_core::store::Store;
use farepoint_sandbox::demo;
use serde_json::json;
use support::desk::{goto, heipay, holiday_extras, open_row, pay, reference_of, wait_js};
use support::{AppSession, TestResult};

#[derive(Clone, Copy, PartialEq)]
enum Scheme {
    Light,
    Dark,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_and_dialog_passes_axe_in_the_light_scheme() {
    audit_desk(Scheme::Light).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_and_dialog_passes_axe_in_the_dark_scheme() {
    audit_desk(Scheme::Dark).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_states_pass_axe_in_the_light_scheme() {
    audit_production(Scheme::Light).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_states_pass_axe_in_the_dark_scheme() {
    audit_production(Scheme::Dark).await;
}

/// GTK's own switch for a dark desktop: WebKitGTK answers `prefers-color-scheme` from it.
fn theme(scheme: Scheme) -> &'static [(&'static str, &'static str)] {
    match scheme {
        Scheme::Light => &[("GTK_THEME", "Adwaita")],
        Scheme::Dark => &[("GTK_THEME", "Adwaita:dark")],
    }
}

async fn audit_desk(scheme: Scheme) {
    let _one_at_a_time = KEYRING.lock().await;
    let app = AppSession::start_with(theme(scheme)).await.expect("start the app window");
    let mut audits = Audits { scheme, failing: Vec::new(), checked: 0 };
    let outcome = walk(&app, &mut audits).await;
    if outcome.is_err() {
        let _ = app.screenshot(&format!("failed-a11y-{}", audits.name())).await;
    }
    let closed = app.close().await;
    // Should the walk have stopped with ATRIP's demo credentials stored, none is left behind.
    let forgotten = tokio::task::spawn_blocking(forget_atrip_credentials).await.unwrap();
    outcome.unwrap();
    closed.unwrap();
    forgotten.unwrap();
    report(&audits);
}

/// Held by each walk from start to end: the walks share the session's keyring, where one stores
/// Production's ATRIP credentials and another reads whether ATRIP is set up (each app reads the
/// keyring when it starts and when Settings is drawn), so they take turns.
static KEYRING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Forgets the Production ATRIP credentials a walk stored.
fn forget_atrip_credentials() -> TestResult {
    let keyring = KeyringStore::new()?;
    for field in ["client_id", "client_secret"] {
        settings::forget_credential(&keyring, Profile::Production, Provider::Atrip, field)?;
    }
    Ok(())
}

/// The states only a desk in the Production profile meets: a provider not set up in Take, and
/// the checklist with Production active.
async fn audit_production(scheme: Scheme) {
    let _one_at_a_time = KEYRING.lock().await;
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let main = Store::open_in(&dir).map_err(|e| e.to_string())?;
        main.write_blocking(|c| profile::set_active(c, Profile::Production, 1)).map_err(|e| e.to_string())
    })
    .await
    .unwrap()
    .unwrap();
    let app = AppSession::start_in(data.path(), theme(scheme)).await.expect("start the Production window");
    let mut audits = Audits { scheme, failing: Vec::new(), checked: 0 };
    let outcome = walk_production(&app, &mut audits).await;
    if outcome.is_err() {
        let _ = app.screenshot(&format!("failed-a11y-production-{}", audits.name())).await;
    }
    let closed = app.close().await;
    outcome.unwrap();
    closed.unwrap();
    report(&audits);
}

async fn walk_production(app: &AppSession, audits: &mut Audits) -> TestResult {
    app.wait_for_text("#profile", |t| t.eq_ignore_ascii_case("production")).await?;
    app.wait_visible("#form-atrip.not-set-up").await?;
    audits.check(app, "take-not-set-up").await?;
    app.click("#take-settings-atrip").await?;
    app.wait_visible("#settings-tab-atrip[aria-selected=true]").await?;
    app.wait_visible("#golive-checklist").await?;
    audits.check(app, "settings-production-active-checklist").await?;
    app.click("#locale-switch").await?;
    app.wait_for_text("#h-settings", |t| t == "Ajustes").await?;
    audits.check(app, "settings-production-active-checklist-es").await?;
    goto(app, "take").await?;
    audits.check(app, "take-not-set-up-es").await?;
    println!("[{}] axe checked {} Production window states", audits.name(), audits.checked);
    Ok(())
}

/// Fails on any problem axe found.
fn report(audits: &Audits) {
    assert!(
        audits.failing.is_empty(),
        "axe found {} problems in the {} scheme:\n{}",
        audits.failing.len(),
        audits.name(),
        audits.failing.join("\n")
    );
}

/// What the walk found, state by state.
struct Audits {
    scheme: Scheme,
    failing: Vec<String>,
    checked: usize,
}

impl Audits {
    fn name(&self) -> &'static str {
        match self.scheme {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        }
    }

    /// Runs axe on the window as it is now, named `state` in the report.
    async fn check(&mut self, app: &AppSession, state: &str) -> TestResult {
        let audit = app.axe().await?;
        self.checked += 1;
        for line in audit.serious.into_iter().chain(audit.lesser) {
            self.failing.push(format!("{state}: {line}"));
        }
        Ok(())
    }
}

/// Every view, every dialog, the states that change what is drawn (a field refused, a confirm
/// step, a result), as an agent meets them.
async fn walk(app: &AppSession, audits: &mut Audits) -> TestResult {
    app.wait_for_text("#profile", |t| t != "…").await?;
    // The scheme asked for is the one drawn: otherwise the dark walk would check the light
    // palette twice and pass for nothing.
    let dark =
        app.client.execute("return matchMedia('(prefers-color-scheme: dark)').matches;", vec![]).await?;
    ensure!(
        dark.as_bool() == Some(audits.scheme == Scheme::Dark),
        "the window's prefers-color-scheme: dark is {dark} in the {} walk",
        audits.name()
    );

    // Take: each provider's form with the Sandbox's data to try shown, ATRIP's order with each of
    // its methods, a refused field.
    app.click("#take-demo summary").await?;
    wait_js(app, "the Sandbox data to open", "document.getElementById('take-demo').open", 5).await?;
    audits.check(app, "take-atrip").await?;
    app.type_into("#atrip-order-no", "FPDMO20250101000000001").await?;
    app.press(Key::Enter).await?;
    app.wait_for_text("#atrip-amount", |t| !t.is_empty()).await?;
    let methods = app.client.find_all(Locator::Css("#atrip-methods input[type=radio]")).await?;
    ensure!(!methods.is_empty(), "the demo order offers no methods");
    for method in methods {
        let value = method.attr("value").await?.unwrap_or_default();
        method.click().await?;
        audits.check(app, &format!("take-atrip-{value}")).await?;
    }
    app.click("#take-continue").await?;
    app.wait_visible("#form-atrip [aria-invalid=true]").await?;
    audits.check(app, "take-atrip-refused").await?;
    // The airline declines the card at ticketing: what became of the money, and a new order.
    app.click("#atrip-methods input[value=vcc]").await?;
    for (name, value) in
        [("number", "4000000000006041"), ("expiry", "1239"), ("cvv", "123"), ("holder", "JANE DOE")]
    {
        app.type_into(&format!("#form-atrip input[name=card-{name}]"), value).await?;
    }
    app.click("#take-continue").await?;
    app.wait_visible("#take-confirm").await?;
    app.press(Key::Enter).await?;
    app.wait_visible("#take-regenerate").await?;
    app.wait_visible("#take-money").await?;
    audits.check(app, "take-ticketing-failed").await?;
    app.click("#take-new").await?;

    app.click("#tab-travelport").await?;
    app.type_into("#tp-locator", "FPAIR1").await?;
    app.press(Key::Enter).await?;
    app.wait_for_text("#tp-total", |t| t != "—" && !t.is_empty()).await?;
    audits.check(app, "take-travelport").await?;

    app.click("#tab-heipay").await?;
    app.wait_for_text("#hp-hotel", |t| !t.is_empty()).await?;
    audits.check(app, "take-heipay").await?;

    app.click("#tab-holidayextras").await?;
    app.type_into("#hx-token", "7000000000000001").await?;
    app.type_into("#hx-reference", "HXA-1001").await?;
    app.type_into("#hx-customer", "Ana Muñoz").await?;
    app.type_into("#hx-amount", "45.00").await?;
    app.click("#take-continue").await?;
    app.wait_for_text("#confirm-amount", |t| !t.is_empty()).await?;
    audits.check(app, "take-confirm").await?;
    app.press(Key::Enter).await?;
    app.wait_for_text("#take-result .pill", |t| t == "Paid").await?;
    audits.check(app, "take-result").await?;

    // Payments in each state with its own dialog: paid (receipt, refund), declined (new
    // attempt), paid at a hotel (voucher), unclear (review).
    let declined =
        pay(app, "pay_heipay", heipay("Lucía", "Gómez", "LUCIA GOMEZ", "350000", "4000000000000002")).await?;
    let hotel =
        pay(app, "pay_heipay", heipay("Carmen", "Vidal", "CARMEN VIDAL", "250000", "4111111111111111"))
            .await?;
    pay(app, "pay_holidayextras", holiday_extras("7000000000000002", "HXA-1002", "99.00", "Declined Token"))
        .await?;
    app.sandbox_fault(json!({ "route": "heipay.pay", "kind": "close_after_charge", "count": 1 })).await?;
    // The lost answer makes the command answer Unknown or an error: either way it is listed.
    let _ = pay(app, "pay_heipay", heipay("Marta", "Ruiz", "MARTA RUIZ", "120000", "4111111111111111")).await;
    let unclear = reference_found(app, "Ruiz").await?;
    let taken = reference_found(app, "HXA-1001").await?;

    goto(app, "payments").await?;
    wait_js(
        app,
        "all six payments",
        "document.querySelectorAll('#pay-table tbody tr[data-id]').length === 6",
        15,
    )
    .await?;
    audits.check(app, "payments").await?;

    open_row(app, &taken).await?;
    app.wait_visible("#pd-refund").await?;
    audits.check(app, "payments-detail").await?;
    app.click("#pd-receipt").await?;
    app.wait_visible("#dialog-receipt #receipt").await?;
    app.wait_visible("#receipt-no-business").await?;
    audits.check(app, "dialog-receipt").await?;
    // Saved as PDF (the path and Open folder shown), then the email form: a wrong address, and
    // no mail server set up yet.
    app.click("#receipt-save").await?;
    let saved = app.wait_for_text("#receipt-saved-path", |t| !t.is_empty()).await?;
    let _ = std::fs::remove_file(&saved);
    audits.check(app, "dialog-receipt-saved").await?;
    app.click("#receipt-email-open").await?;
    app.type_into("#receipt-email-to", "ana at example").await?;
    app.click("#receipt-email-send").await?;
    app.wait_for_text("#receipt-email-to-error", |t| !t.is_empty()).await?;
    audits.check(app, "dialog-receipt-email-refused").await?;
    app.type_into("#receipt-email-to", "ana@example.com").await?;
    app.click("#receipt-email-send").await?;
    app.wait_for_text("#receipt-email-error", |t| !t.is_empty()).await?;
    audits.check(app, "dialog-receipt-email-no-server").await?;
    close_dialog(app, "dialog-receipt").await?;
    app.click("#pd-refund").await?;
    app.wait_visible("#dialog-refund").await?;
    app.click("#refund-kind input[value=partial]").await?;
    app.type_into("#refund-amount", "99.00").await?;
    app.press(Key::Enter).await?;
    app.wait_for_text("#refund-amount-error", |t| !t.is_empty()).await?;
    audits.check(app, "dialog-refund-refused").await?;
    close_dialog(app, "dialog-refund").await?;
    // A refund with no clear answer, then its own review.
    app.sandbox_fault(json!({ "route": "holidayextras.refund", "kind": "http_500", "count": 1 })).await?;
    app.click("#pd-refund").await?;
    app.wait_visible("#dialog-refund").await?;
    app.press(Key::Enter).await?;
    app.wait_for_text("#dialog-refund-error", |t| !t.is_empty()).await?;
    audits.check(app, "dialog-refund-unclear").await?;
    close_dialog(app, "dialog-refund").await?;
    app.click("#pd-resolve-refund").await?;
    app.wait_visible("#dialog-refund-resolve").await?;
    audits.check(app, "dialog-refund-resolve").await?;
    close_dialog(app, "dialog-refund-resolve").await?;

    open_row(app, &reference_of(&declined)?).await?;
    app.click("#pd-retry").await?;
    app.wait_visible("#dialog-retry").await?;
    audits.check(app, "dialog-retry").await?;
    close_dialog(app, "dialog-retry").await?;

    open_row(app, &reference_of(&hotel)?).await?;
    app.click("#pd-voucher").await?;
    app.wait_visible("#dialog-voucher #voucher-frame").await?;
    audits.check(app, "dialog-voucher").await?;
    close_dialog(app, "dialog-voucher").await?;

    open_row(app, &unclear).await?;
    app.click("#pd-resolve").await?;
    app.wait_visible("#dialog-resolve").await?;
    app.press(Key::Enter).await?;
    app.wait_for_text("#resolve-outcome-error", |t| !t.is_empty()).await?;
    audits.check(app, "dialog-resolve-refused").await?;
    close_dialog(app, "dialog-resolve").await?;

    // The day's summary, with a payment under review and a decline in it.
    goto(app, "summary").await?;
    app.wait_for_text("#sum-status-Declined .status-count", |t| !t.is_empty()).await?;
    audits.check(app, "summary").await?;

    // Settings in the Sandbox, Production's provider forms, and the profile switch's question.
    goto(app, "settings").await?;
    app.wait_for_text("#h-settings", |t| !t.is_empty()).await?;
    for profile in ["sandbox", "production"] {
        app.click(&format!("#providers-{profile}")).await?;
        app.wait_visible(&format!("#providers-{profile}[aria-pressed=true]")).await?;
        for provider in ["atrip", "travelport", "holidayextras", "heipay"] {
            app.click(&format!("#settings-tab-{provider}")).await?;
            app.wait_visible(&format!("#settings-panel-{provider}")).await?;
            audits.check(app, &format!("settings-{profile}-{provider}")).await?;
        }
    }
    // Production's connection test, as the Sandbox desk prepares it: a test that worked (the
    // in-process simulator's ATRIP with its demo account), then one that failed (a made-up host).
    app.click("#providers-production").await?;
    app.click("#settings-tab-atrip").await?;
    let status = app.invoke("app_status", json!({})).await?;
    let simulator = status["sandbox"].as_str().ok_or("no simulator in the Sandbox profile")?;
    app.type_into("#set-atrip-base_url", &format!("{}/atrip/", simulator.trim_end_matches('/'))).await?;
    app.click("#save-atrip").await?;
    app.wait_for_text("#settings-notice-atrip", |t| !t.is_empty()).await?;
    for (field, value) in
        [("client_id", demo::atrip::CLIENT_ID), ("client_secret", demo::atrip::CLIENT_SECRET)]
    {
        app.type_into(&format!("#secret-atrip-{field}"), value).await?;
        app.click(&format!("#store-atrip-{field}")).await?;
        app.wait_for_text(&format!("#state-atrip-{field}"), |t| t == "Stored in keyring").await?;
    }
    // The tab reads the new settings first (its state), then tests them: a click on the button
    // of the tab before it was drawn again would be lost with it.
    app.wait_for_text("#settings-state-atrip", |t| t == "Not tested yet").await?;
    app.click("#test-atrip").await?;
    wait_js(
        app,
        "the connection test to work",
        "document.querySelector('#test-result-atrip[data-code=test_worked]')",
        45,
    )
    .await?;
    audits.check(app, "settings-production-test-worked").await?;
    app.type_into("#set-atrip-base_url", "https://a11y-check.invalid/").await?;
    app.click("#save-atrip").await?;
    app.wait_for_text("#settings-state-atrip", |t| t == "Not tested yet").await?;
    app.click("#test-atrip").await?;
    connection_test(app, ":is([data-code=test_bad_address], [data-code=test_no_network])").await?;
    app.click("#test-result-atrip details summary").await?;
    audits.check(app, "settings-production-test-failed").await?;
    tokio::task::spawn_blocking(forget_atrip_credentials).await??;

    app.click("#profile-switch").await?;
    app.wait_for_text("#settings-dialog-title", |t| !t.is_empty()).await?;
    audits.check(app, "settings-dialog").await?;
    app.press(Key::Escape).await?;
    wait_js(app, "the switch dialog to close", "!document.getElementById('settings-dialog')", 5).await?;

    // Settings → Business: a refused value, then the business saved with its logo and a mail
    // server; its receipt then carries the business's block and logo.
    app.type_into("#biz-name", "Viajes Ñandú S.A.S.").await?;
    app.type_into("#biz-email", "hola at nandu").await?;
    app.click("#biz-save").await?;
    app.wait_for_text("#biz-email-error", |t| !t.is_empty()).await?;
    audits.check(app, "settings-business-refused").await?;
    app.type_into("#biz-email", "hola@nandu.example").await?;
    app.type_into("#biz-tax-label", "NIT").await?;
    app.type_into("#biz-tax-number", "900123456-7").await?;
    app.click("#biz-save").await?;
    app.wait_for_text("#biz-notice-details", |t| !t.is_empty()).await?;
    let logo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/receipt-logo.png");
    app.client.find(Locator::Css("#biz-logo-file")).await?.send_keys(&logo.display().to_string()).await?;
    app.wait_visible("#biz-logo-img").await?;
    app.type_into("#biz-host", "smtp.nandu.example").await?;
    app.type_into("#biz-from", "recibos@nandu.example").await?;
    app.type_into("#biz-username", "recibos").await?;
    app.click("#biz-mail-save").await?;
    app.wait_for_text("#biz-notice-mail", |t| !t.is_empty()).await?;
    audits.check(app, "settings-business").await?;
    goto(app, "payments").await?;
    open_row(app, &taken).await?;
    app.click("#pd-receipt").await?;
    app.wait_visible("#dialog-receipt #receipt .receipt-logo").await?;
    audits.check(app, "dialog-receipt-business").await?;
    close_dialog(app, "dialog-receipt").await?;
    goto(app, "settings").await?;
    // The desk's agents: Settings' section and each of its dialogs (one with a refused field), the
    // rail's switch asking a PIN and refusing a wrong one, then a payment taken by the agent in
    // Payments (its column and filter) and in the Summary (money taken by agent).
    app.click("#agent-add").await?;
    app.wait_visible("#dialog-agent-add").await?;
    audits.check(app, "settings-agent-add").await?;
    app.type_into("#agent-name", "Ana Pérez").await?;
    app.type_into("#agent-new-pin", "12").await?;
    app.press(Key::Enter).await?;
    app.wait_for_text("#agent-new-pin-error", |t| !t.is_empty()).await?;
    audits.check(app, "settings-agent-add-refused").await?;
    app.type_into("#agent-new-pin", "4826").await?;
    app.press(Key::Enter).await?;
    wait_js(app, "the add dialog to close", "!document.getElementById('dialog-agent-add')", 15).await?;
    app.wait_for_text("#agents-list", |t| t.contains("Ana Pérez")).await?;
    audits.check(app, "settings-agents").await?;
    let desk = app.invoke("desk_agents", json!({})).await?;
    let agent = desk["agents"][0]["id"].as_str().ok_or("no agent was added")?.to_string();
    for (button, dialog) in
        [("edit", "dialog-agent-edit"), ("pin", "dialog-agent-pin"), ("remove", "dialog-agent-remove")]
    {
        app.click(&format!("#agent-{button}-{agent}")).await?;
        app.wait_visible(&format!("#{dialog}")).await?;
        audits.check(app, &format!("settings-agent-{button}")).await?;
        close_dialog(app, dialog).await?;
    }
    app.click("#agent-switch").await?;
    app.wait_visible("#dialog-agent #agent-pin").await?;
    audits.check(app, "agent-switch").await?;
    app.type_into("#agent-pin", "0000").await?;
    app.press(Key::Enter).await?;
    app.wait_for_text("#agent-pin-error", |t| !t.is_empty()).await?;
    audits.check(app, "agent-switch-refused").await?;
    app.type_into("#agent-pin", "4826").await?;
    app.press(Key::Enter).await?;
    wait_js(app, "the switch to close", "!document.getElementById('dialog-agent')", 15).await?;
    pay(app, "pay_holidayextras", holiday_extras("7000000000000001", "HXA-1003", "12.00", "Agent Walk"))
        .await?;
    goto(app, "payments").await?;
    app.wait_visible("#pay-agent").await?;
    wait_js(
        app,
        "the agent column to name who took a payment",
        "[...document.querySelectorAll('#pay-table td.col-agent')].some((td) => td.textContent)",
        15,
    )
    .await?;
    audits.check(app, "payments-agents").await?;
    goto(app, "summary").await?;
    app.wait_visible("#sum-agents").await?;
    audits.check(app, "summary-agents").await?;
    goto(app, "settings").await?;

    // The same window in Spanish: longer words, the same colours.
    app.click("#locale-switch").await?;
    app.wait_for_text("#h-settings", |t| t == "Ajustes").await?;
    goto(app, "take").await?;
    audits.check(app, "take-es").await?;
    app.click("#locale-switch").await?;
    app.wait_for_text("#h-take", |t| t == "Take payment").await?;

    println!("[{}] axe checked {} window states", audits.name(), audits.checked);
    Ok(())
}

/// The reference of the one payment a search for `text` finds.
async fn reference_found(app: &AppSession, text: &str) -> TestResult<String> {
    let page = app.invoke("search_payments", json!({ "query": { "text": text } })).await?;
    let rows = page["rows"].as_array().ok_or("search_payments answered no rows")?;
    ensure!(rows.len() == 1, "searching {text:?} finds {} payments", rows.len());
    Ok(rows[0]["reference"].as_str().ok_or("a row without a reference")?.to_string())
}

/// Waits (up to 45 s: a loaded machine) for ATRIP's connection test to show the outcome `which`
/// (a selector on the result); on a timeout, says what it shows instead.
async fn connection_test(app: &AppSession, which: &str) -> TestResult {
    let css = format!("#test-result-atrip{which}");
    if wait_js(app, &css, &format!("document.querySelector({css:?})"), 45).await.is_ok() {
        return Ok(());
    }
    let shown = app
        .client
        .execute(
            "const r = document.getElementById('test-result-atrip');
             return r ? (r.dataset.code ?? '') + ': ' + r.textContent : 'no result; state: ' + (document.getElementById('settings-state-atrip')?.textContent ?? '?');",
            vec![],
        )
        .await?;
    Err(format!("ATRIP's connection test never showed {which}; it shows {shown}").into())
}

/// Closes the open dialog `id` with Esc and waits until it is gone.
async fn close_dialog(app: &AppSession, id: &str) -> TestResult {
    app.press(Key::Escape).await?;
    wait_js(app, &format!("{id} to close"), &format!("!document.getElementById('{id}')"), 5).await
}
