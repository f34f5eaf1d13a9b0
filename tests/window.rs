//! End-to-end: the real Farepoint window opens under Xvfb and shows its frame, read through
//! WebDriver. Linux only — tauri-driver has no macOS WebDriver to talk to.
#![cfg(target_os = "linux")]

#[macro_use]
mod support;

use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::{json, Value};
use support::{AppSession, TestResult};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn isolation_hook_refuses_unlisted_and_oversized_messages() {
    let app = AppSession::start().await.expect("start the app window");
    let outcome = isolation_scenario(&app).await;
    let closed = app.close().await;
    outcome.unwrap();
    closed.unwrap();
}

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

/// Sends `cmd` with the arguments the JavaScript expression `args` makes (it may use `Channel`),
/// straight through Tauri's internals as any script in the window could: `Ok` with the answer, or
/// `Err` with what the call was rejected with.
async fn attempt(app: &AppSession, cmd: &str, args: &str) -> TestResult<Result<Value, Value>> {
    let script = format!(
        "const [cmd, done] = arguments;
         setTimeout(() => done({{ hung: true }}), 10000);
         import('./lib/tauri.js')
           .then(({{ Channel }}) => window.__TAURI_INTERNALS__.invoke(cmd, {args}))
           .then((v) => done({{ ok: v ?? null }}), (e) => done({{ err: e ?? null }}));"
    );
    let answer = app.client.execute_async(&script, vec![json!(cmd)]).await?;
    ensure!(answer.get("hung").is_none(), "{cmd} got no answer within 10 s");
    Ok(match answer.get("ok") {
        Some(value) => Ok(value.clone()),
        None => Err(answer.get("err").cloned().unwrap_or_default()),
    })
}

/// The isolation hook's refusal of `cmd`: its code, and a message containing `says`.
fn refused(cmd: &str, answer: Result<Value, Value>, says: &str) -> TestResult {
    let error = match answer {
        Ok(value) => return Err(format!("{cmd} went through: {value}").into()),
        Err(error) => error,
    };
    let message = error["message"].as_str().unwrap_or_default();
    ensure!(
        error["code"] == "refused" && message.contains(says) && message.contains("before it reached the app"),
        "{cmd} was not refused by the isolation hook: {error}"
    );
    Ok(())
}

async fn locale(app: &AppSession) -> TestResult<String> {
    Ok(app.invoke("app_status", json!({})).await?["locale"].as_str().unwrap_or_default().to_string())
}

/// Every IPC message passes isolation/hook.js: what is not on its list, or too large, is refused
/// there with its own words and never reaches Rust; what is listed and fits goes through.
async fn isolation_scenario(app: &AppSession) -> TestResult {
    let c = &app.client;
    app.wait_for_text("#profile", |t| t != "…").await?;

    // Not on the list: a window command (which the capability would refuse too, in Rust's words,
    // were it reached) and a made-up one. The hook's words prove Rust never saw them.
    let set_title = attempt(app, "plugin:window|set_title", "{ label: 'main', value: 'Changed' }").await?;
    refused("set_title", set_title, "is not a command this window may call")?;
    ensure!(c.title().await? == "Farepoint", "the title changed despite the refusal");
    let made_up = attempt(app, "drop_history", "{}").await?;
    refused("drop_history", made_up, "is not a command this window may call")?;

    // Over 64 KiB to a real command: a preference change that Rust would make (it ignores the
    // padding) is refused whole, and the preference stays as it was.
    ensure!(locale(app).await? == "en", "the locale is not English at first");
    let padded = |bytes: usize| format!("{{ key: 'locale', value: 'es', padding: 'x'.repeat({bytes}) }}");
    let oversized = attempt(app, "set_preference", &padded(64 * 1024)).await?;
    refused("an oversized set_preference", oversized, "at most 65536 may be sent")?;
    ensure!(locale(app).await? == "en", "the oversized set_preference reached Rust");

    // The same call just under the bound goes through, and takes effect.
    let fits = attempt(app, "set_preference", &padded(63 * 1024)).await?;
    ensure!(fits.is_ok(), "set_preference under the bound was refused: {fits:?}");
    ensure!(locale(app).await? == "es", "set_preference under the bound did not take effect");
    app.invoke("set_preference", json!({ "key": "locale", "value": "en" })).await?;

    // The largest request the shell's own limits let through (commands/mod.rs): a HeiPay charge
    // with every text at its limit, in 4-byte characters, passes the hook with room to spare and
    // is answered by Rust — here refusing the amount, so nothing is charged.
    let at = |n: usize| format!("'\u{1D11E}'.repeat({n})");
    let heipay = format!(
        "{{ onStarted: new Channel(), request: {{ hotel_id: 1, guest_first_name: {short}, guest_last_name: {short},
           detail: {text}, amount: {id}, installments: 1, tax_percent: {id}, service_percent: {id},
           email: {short}, phone: {id}, address: {text}, fiscal_number: {id},
           card: {{ number: '4111111111111111', expiry: '12/30', cvv: '123', holder: 'ANA MUNOZ' }} }} }}",
        short = at(300),
        text = at(2000),
        id = at(128),
    );
    let largest = attempt(app, "pay_heipay", &heipay).await?;
    let error = largest.err().ok_or("the largest HeiPay request was accepted")?;
    ensure!(
        error["code"] != "refused" && error["fields"][0]["field"] == "amount",
        "the largest HeiPay request did not reach Rust's checks: {error}"
    );

    // An allowed command still works through the hook.
    let rules = attempt(app, "card_rules", "{}").await?.map_err(|e| format!("card_rules failed: {e}"))?;
    ensure!(rules["brands"].as_array().is_some_and(|b| !b.is_empty()), "card_rules answered {rules}");

    // So does the command Tauri's own scripts use to fetch a large channel message, header and
    // all: Rust answers that it holds no message under this made-up id.
    let fetch = app
        .client
        .execute_async(
            "const done = arguments[0];
             window.__TAURI_INTERNALS__.invoke('plugin:__TAURI_CHANNEL__|fetch', null, { headers: { 'Tauri-Channel-Id': '987654' } })
               .then((v) => done('fetched ' + v), (e) => done(String(e?.message ?? e)));",
            vec![],
        )
        .await?;
    ensure!(fetch == "data not found", "the channel fetch was answered {fetch}");

    // The hook's frame works unseen, and is locked down: an origin of its own (sandboxed, so
    // "null"), no Tauri internals, and a policy that lets it load or connect to nothing.
    let frame = c.find(Locator::Css("iframe#__tauri_isolation__")).await?;
    ensure!(!frame.is_displayed().await?, "the isolation iframe is shown in the window");
    frame.enter_frame().await?;
    let inside = c
        .execute(
            "return [typeof window.__TAURI_ISOLATION_HOOK__, typeof window.__TAURI_INTERNALS__, self.origin].join(' ');",
            vec![],
        )
        .await?;
    let policy = csp_of_frame(c).await;
    c.enter_parent_frame().await?;
    ensure!(inside == "function undefined null", "inside the isolation frame: {inside}");
    let policy = policy?;
    ensure!(
        policy.split(';').any(|d| d.trim() == "default-src 'none'")
            && !policy.contains("unsafe-")
            && !policy.contains("connect-src"),
        "the isolation frame's policy is not strict: {policy}"
    );
    Ok(())
}

/// The Content-Security-Policy the current frame was served with, read from the violation an
/// image load there causes.
async fn csp_of_frame(c: &fantoccini::Client) -> TestResult<String> {
    let answer = c
        .execute_async(
            "const done = arguments[0];
             document.addEventListener('securitypolicyviolation', (e) => done(e.originalPolicy), { once: true });
             setTimeout(() => done(null), 5000);
             const image = new Image();
             image.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
             document.body.append(image);",
            vec![],
        )
        .await?;
    Ok(answer.as_str().ok_or("an image loaded in the isolation frame: no policy stopped it")?.to_string())
}
