//! End-to-end: the Payments and Summary views of the real window (issues 5 and 6). Payments are
//! taken through the real commands against the in-process sandbox, then found, opened and acted
//! on through the views as an agent would: search, filters, the detail pane, refund, a new
//! attempt, the HeiPay voucher, the printable receipt, and the Summary's totals, chart and links.
//! Linux only — tauri-driver has no macOS WebDriver to talk to.
#![cfg(target_os = "linux")]

#[macro_use]
mod support;

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::json;
use support::desk::{goto, heipay, holiday_extras, open_row, pay, reference_of, status_of, wait_js};
use support::{AppSession, TestResult};

/// The card numbers these scenarios type or send.
const TYPED_CARDS: &[&str] = &["4111111111111111", "4000000000000002"];

/// Runs one scenario in its own app window, closing it whatever the outcome; afterwards no card
/// number it used may be on disk (database, WAL, timelines, logs).
macro_rules! scenario {
    ($name:ident, $body:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let app = AppSession::start().await.expect("start the app window");
            let mut outcome = $body(&app).await;
            if outcome.is_ok() {
                outcome = match app.files_containing(TYPED_CARDS) {
                    Ok(leaks) if leaks.is_empty() => Ok(()),
                    Ok(leaks) => Err(format!("card numbers on disk: {leaks:?}").into()),
                    Err(e) => Err(e),
                };
            }
            if outcome.is_err() {
                let _ = app.screenshot(concat!("failed-payments-", stringify!($name))).await;
            }
            let closed = app.close().await;
            outcome.unwrap();
            closed.unwrap();
        }
    };
}

scenario!(holiday_extras_payment_is_found_opened_and_refunded, refund_scenario);
scenario!(heipay_decline_new_attempt_and_voucher, heipay_scenario);
scenario!(search_and_filters_narrow_the_table, search_scenario);
scenario!(summary_totals_chart_and_review_link, summary_scenario);
scenario!(receipt_preview_shows_reference_and_masked_card, receipt_scenario);

// ---- helpers ---------------------------------------------------------------------------------

/// The references of the table's rows, top to bottom (read in one go: the table re-renders).
async fn table_references(app: &AppSession) -> TestResult<Vec<String>> {
    let refs = app
        .client
        .execute("return [...document.querySelectorAll('#pay-table tbody tr[data-id]')].map((tr) => tr.dataset.reference);", vec![])
        .await?;
    Ok(serde_json::from_value(refs)?)
}

/// Waits (up to 15 s) until the table's references satisfy `check`.
async fn wait_rows(
    app: &AppSession,
    what: &str,
    check: impl Fn(&[String]) -> bool,
) -> TestResult<Vec<String>> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = Vec::new();
    while Instant::now() < deadline {
        last = table_references(app).await?;
        if check(&last) && app.client.find(Locator::Css("#pay-wrap[aria-busy]")).await.is_err() {
            return Ok(last);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("the table never showed {what}; it shows {last:?}").into())
}

/// Waits (up to 15 s) for the text of a table part. WebKitWebDriver reads table cells as hidden
/// (their visible text comes back empty), so the text is read from the page.
async fn wait_cell(app: &AppSession, css: &str, check: impl Fn(&str) -> bool) -> TestResult<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = String::new();
    while Instant::now() < deadline {
        let text = app
            .client
            .execute("return document.querySelector(arguments[0])?.textContent ?? '';", vec![json!(css)])
            .await?;
        last = text.as_str().unwrap_or_default().trim().to_string();
        if check(&last) {
            return Ok(last);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("timed out waiting for {css}; last text was {last:?}").into())
}

/// Waits (up to 15 s) until the attribute `name` of `css` satisfies `check` (`None` while the
/// element or the attribute is missing), and returns its last value either way, for the caller's
/// assertion to report.
async fn wait_attr(
    app: &AppSession,
    css: &str,
    name: &str,
    check: impl Fn(Option<&str>) -> bool,
) -> TestResult<Option<String>> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let value = app
            .client
            .execute(
                "return document.querySelector(arguments[0])?.getAttribute(arguments[1]) ?? null;",
                vec![json!(css), json!(name)],
            )
            .await?;
        let value = value.as_str().map(str::to_string);
        if check(value.as_deref()) || Instant::now() >= deadline {
            return Ok(value);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn search_for(app: &AppSession, text: &str) -> TestResult {
    app.type_into("#pay-search", text).await
}

/// Presses Ctrl + `key` on whatever has the focus.
async fn ctrl(app: &AppSession, key: char) -> TestResult {
    let focused = app.client.active_element().await?;
    focused.send_keys(&format!("{}{key}", char::from(Key::Control))).await?;
    Ok(())
}

async fn focused_id(app: &AppSession) -> TestResult<String> {
    Ok(app.client.active_element().await?.attr("id").await?.unwrap_or_default())
}

/// True when no card number appears anywhere in the page (markup, values, attributes), apart
/// from the Sandbox's list of test cards beside the Take payment forms.
async fn page_has_no_pan(app: &AppSession, pan: &str) -> TestResult<bool> {
    let found = app
        .client
        .execute(
            "const pan = arguments[0];
             const values = [...document.querySelectorAll('input, textarea')].map((i) => i.value).join(' ');
             const page = document.documentElement.cloneNode(true);
             for (const hints of page.querySelectorAll('.demo')) hints.remove();
             // Card entry shows the number grouped (\"4111 1111 …\"): compare without separators.
             const bare = (text) => text.replace(/[\\s-]/g, '');
             return bare(page.outerHTML).includes(pan) || bare(values).includes(pan);",
            vec![json!(pan)],
        )
        .await?;
    Ok(found.as_bool() == Some(false))
}

// ---- scenarios -------------------------------------------------------------------------------

/// (1) A Holiday Extras charge, found by its reference, opened, refused an over-refund, then
/// refunded in part through the dialog: the timeline and the row both say Refunded.
async fn refund_scenario(app: &AppSession) -> TestResult {
    app.wait_for_text("#profile", |t| t != "…").await?;
    let record =
        pay(app, "pay_holidayextras", holiday_extras("7000000000000001", "HXB-1001", "45.00", "Jane Refund"))
            .await?;
    ensure!(status_of(&record) == "Paid", "the HX charge ended {}", status_of(&record));
    let reference = reference_of(&record)?;
    // A second payment, so the search has something to leave out.
    pay(app, "pay_holidayextras", holiday_extras("7000000000000001", "HXB-1002", "19.99", "John Other"))
        .await?;

    goto(app, "payments").await?;
    wait_rows(app, "both payments", |r| r.len() == 2).await?;
    app.snap("payments-table").await?;
    search_for(app, &reference).await?;
    let rows = wait_rows(app, "only the searched payment", |r| r == [reference.clone()]).await?;
    ensure!(rows == [reference.clone()], "searching {reference} shows {rows:?}");

    open_row(app, &reference).await?;
    let amount = app.wait_for_text("#pd-amount", |t| !t.is_empty()).await?;
    ensure!(amount == "£45.00", "the detail shows the amount as {amount:?}");
    let status = app.wait_for_text("#pd-status", |t| !t.is_empty()).await?;
    ensure!(status == "Paid", "the detail's status reads {status:?}");
    let subject = app.wait_for_text("#pd-subject", |t| !t.is_empty()).await?;
    ensure!(subject == "HXB-1001", "the detail's subject reads {subject:?}");
    app.wait_for_text(".payment-detail .events", |t| t.contains("Holiday Extras")).await?;
    app.snap("payments-detail").await?;

    // Refund: partial, too much first — the engine refuses and the dialog says why.
    app.click("#pd-refund").await?;
    app.wait_visible("#dialog-refund").await?;
    app.snap("payments-refund-dialog").await?;
    app.click("#refund-kind input[value=partial]").await?;
    app.type_into("#refund-amount", "99.00").await?;
    app.press(Key::Enter).await?;
    let refused = app.wait_for_text("#refund-amount-error", |t| !t.is_empty()).await?;
    ensure!(refused.contains("at most"), "an over-refund was answered with {refused:?}");
    ensure!(
        app.client.find(Locator::Css("#dialog-refund[open]")).await.is_ok(),
        "the dialog closed although the refund was refused"
    );
    app.type_into("#refund-amount", "12.50").await?;
    app.press(Key::Enter).await?;
    // A part refund: the payment stays Paid, with what is left to refund shown.
    wait_js(app, "the refund dialog to close", "!document.getElementById('dialog-refund')", 15).await?;
    app.wait_for_text(".payment-detail .events", |t| t.contains("Refunded 12.50 GBP of 45.00 GBP")).await?;
    app.wait_for_text("#pd-refunded", |t| t.contains("£12.50") && t.contains("£32.50")).await?;
    let status = app.wait_for_text("#pd-status", |t| !t.is_empty()).await?;
    ensure!(status == "Paid", "after a part refund the payment reads {status:?}");

    // The next refund gets no clear answer: it is Unclear, the payment stays Paid, no refund
    // is offered until a person records what the portal shows.
    app.sandbox_fault(json!({ "route": "holidayextras.refund", "kind": "http_500", "count": 1 })).await?;
    app.click("#pd-refund").await?;
    app.wait_visible("#dialog-refund").await?;
    let offered = app.wait_for_text("#refund-kind", |t| t.contains("£32.50")).await?;
    ensure!(offered.contains("£32.50"), "the dialog offers {offered:?}");
    app.press(Key::Enter).await?;
    let unclear = app.wait_for_text("#dialog-refund-error", |t| !t.is_empty()).await?;
    ensure!(
        unclear.contains("may or may not have been made"),
        "an unclear refund was answered with {unclear:?}"
    );
    app.press(Key::Escape).await?;
    app.wait_visible("#pd-resolve-refund").await?;
    app.wait_for_text("#pd-refunds", |t| t.contains("Unclear")).await?;
    ensure!(
        app.client.find(Locator::Css("#pd-refund")).await.is_err(),
        "a refund is offered while another is unclear"
    );
    app.snap("payments-refund-unclear").await?;
    app.click("#pd-resolve-refund").await?;
    app.wait_visible("#dialog-refund-resolve").await?;
    app.click("#refund-outcome input[value=not_made]").await?;
    app.type_into("#refund-note", "HX portal lists only the 12.50 refund").await?;
    app.click("#dialog-refund-resolve-confirm").await?;
    wait_js(app, "the resolve dialog to close", "!document.getElementById('dialog-refund-resolve')", 15)
        .await?;
    app.wait_for_text("#pd-refunds", |t| t.contains("Not made")).await?;

    // The rest, in full: now the payment is Refunded and no refund is offered.
    app.click("#pd-refund").await?;
    app.wait_visible("#dialog-refund").await?;
    app.press(Key::Enter).await?;
    wait_js(app, "the refund dialog to close", "!document.getElementById('dialog-refund')", 15).await?;
    app.wait_for_text("#pd-status", |t| t == "Refunded").await?;
    app.wait_for_text(".payment-detail .events", |t| t.contains("Refunded 32.50 GBP of 45.00 GBP")).await?;
    wait_cell(app, &format!("#pay-table tr[data-reference=\"{reference}\"] .col-status"), |t| {
        t == "Refunded"
    })
    .await?;
    ensure!(
        app.client.find(Locator::Css("#pd-refund")).await.is_err(),
        "Refund is still offered for a refunded payment"
    );
    let ledger = app.sandbox_ledger().await?;
    let refunds: Vec<_> =
        ledger.iter().filter(|e| e["kind"] == "refund").map(|e| e["amount_minor"].clone()).collect();
    ensure!(refunds == [json!(1250), json!(3250)], "the sandbox recorded refunds {refunds:?}");
    app.snap("payments-refunded").await?;

    // Esc closes the detail; the row keeps the focus, and `/` goes back to the search.
    app.press(Key::Escape).await?;
    wait_js(app, "the detail to close", "document.getElementById('payment-detail').hidden", 5).await?;
    app.client.active_element().await?.send_keys("/").await?;
    ensure!(focused_id(app).await? == "pay-search", "`/` did not focus the search box");
    Ok(())
}

/// (2) A HeiPay charge declined; a new attempt with another card through the dialog's card
/// entry is paid, and its voucher opens inside the app.
async fn heipay_scenario(app: &AppSession) -> TestResult {
    app.wait_for_text("#profile", |t| t != "…").await?;
    let record =
        pay(app, "pay_heipay", heipay("Lucía", "Gómez", "LUCIA GOMEZ", "350000", "4000000000000002")).await?;
    ensure!(status_of(&record) == "Declined", "the declined card ended {}", status_of(&record));
    let reference = reference_of(&record)?;
    // The core serves what the payment allows: a new attempt keying a card, and no refund.
    let actions = &record["actions"];
    ensure!(actions["retry"] == json!({ "form": "card" }), "a declined HeiPay charge allows {actions}");
    ensure!(actions["refund"].is_null() && actions["poll"] == json!(false), "and nothing else: {actions}");
    let refusal = record["timeline"]
        .as_array()
        .and_then(|events| events.iter().rev().find(|e| e["status_after"] == "Declined"))
        .and_then(|e| e["message"].as_str())
        .ok_or("the record has no event declining it")?
        .to_string();

    goto(app, "payments").await?;
    wait_rows(app, "the HeiPay payment", |r| r == [reference.clone()]).await?;
    open_row(app, &reference).await?;
    // A decline is told in the provider's words (the core names the statuses its event tells).
    app.wait_for_text(".payment-detail .timeline-head .outcome", |t| t == refusal)
        .await
        .map_err(|e| format!("the headline was not HeiPay's refusal {refusal:?}: {e}"))?;
    app.click("#pd-retry").await?;
    app.wait_visible("#dialog-retry").await?;
    app.type_into("#dialog-retry input[name=card-number]", "4111 1111 1111 1111").await?;
    app.type_into("#dialog-retry input[name=card-expiry]", "1230").await?;
    app.type_into("#dialog-retry input[name=card-cvv]", "123").await?;
    app.type_into("#dialog-retry input[name=card-holder]", "lucia gomez").await?;
    let mark = app.wait_for_text("#dialog-retry .brand-mark", |t| !t.is_empty()).await?;
    ensure!(mark == "VISA", "the card entry shows the brand as {mark:?}");
    app.snap("payments-new-attempt-dialog").await?;
    app.press(Key::Enter).await?;
    app.wait_for_text("#pd-status", |t| t == "Paid").await?;
    ensure!(page_has_no_pan(app, "4111111111111111").await?, "the card number stayed in the page");
    // Paid streams in before the command answers: the dialog closes on the answer, and until the
    // new record arrives the pane shows the old one's attempts (the second still Submitting, or
    // not yet there) and the declined card.
    wait_js(app, "the new-attempt dialog to close", "!document.getElementById('dialog-retry')", 15).await?;
    app.wait_for_text("#pd-attempts", |t| {
        t.contains("Attempt 2") && t.contains("Declined") && t.contains("Paid")
    })
    .await
    .map_err(|e| format!("the attempts never showed the declined one and the paid one: {e}"))?;
    app.wait_for_text("#pd-card", |t| t.ends_with("•••• 1111"))
        .await
        .map_err(|e| format!("the detail never showed the new card: {e}"))?;
    // Paid, the core allows no new attempt any more, and the voucher HeiPay linked.
    wait_js(
        app,
        "the paid payment's actions",
        "!document.getElementById('pd-retry') && document.getElementById('pd-voucher')",
        15,
    )
    .await?;

    app.click("#pd-voucher").await?;
    let frame = app.wait_visible("#dialog-voucher #voucher-frame").await?;
    ensure!(frame.attr("sandbox").await?.as_deref() == Some(""), "the voucher frame is not sandboxed");
    let doc = frame.attr("srcdoc").await?.unwrap_or_default();
    ensure!(doc.contains(&reference) && doc.contains("APPROVED"), "the voucher reads {doc:?}");
    app.snap("payments-voucher-dialog").await?;
    app.press(Key::Escape).await?;
    wait_js(app, "the voucher dialog to close", "!document.getElementById('dialog-voucher')", 5).await?;
    Ok(())
}

/// (3) Search by reference, by a name typed with accents, by an issued ticket number; the chips
/// and fields narrow the table; rows are chosen with the arrow keys; no horizontal scrolling at
/// the minimum window size.
async fn search_scenario(app: &AppSession) -> TestResult {
    app.wait_for_text("#profile", |t| t != "…").await?;
    let munoz =
        pay(app, "pay_holidayextras", holiday_extras("7000000000000001", "HXS-2001", "30.00", "Pedro Munoz"))
            .await?;
    let lopez =
        pay(app, "pay_holidayextras", holiday_extras("7000000000000002", "HXS-2002", "12.00", "Ana Lopez"))
            .await?;
    ensure!(status_of(&lopez) == "Declined", "the declining token ended {}", status_of(&lopez));
    let atrip = pay(
        app,
        "pay_atrip",
        json!({ "order_no": "FPDMO20250101000000001", "method": "deposit", "card": null, "three_ds_ip": null }),
    )
    .await?;
    let (munoz_ref, lopez_ref, atrip_ref) =
        (reference_of(&munoz)?, reference_of(&lopez)?, reference_of(&atrip)?);

    goto(app, "payments").await?;
    let all = wait_rows(app, "all three payments", |r| r.len() == 3).await?;
    ensure!(all[0] == atrip_ref, "the newest payment is not first: {all:?}");

    // The ATRIP payment is open while the airline tickets it: the engine's polling brings
    // Ticketed and the tickets into the pane, and the row's pill, without any click.
    open_row(app, &atrip_ref).await?;
    let before = app.wait_for_text("#pd-status", |t| !t.is_empty()).await?;
    ensure!(before == "Paid" || before == "Ticketing", "the new ATRIP payment is {before:?}");
    let deadline = Instant::now() + Duration::from_secs(45);
    while app.wait_for_text("#pd-status", |t| t == "Ticketed").await.is_err() {
        ensure!(Instant::now() < deadline, "the open ATRIP payment never showed Ticketed");
    }
    let tickets = wait_cell(app, "#pd-tickets tbody", |t| !t.is_empty()).await?;
    let printed: String = tickets.chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
    ensure!(printed.len() == 14 && printed.as_bytes()[3] == b'-', "the first ticket reads {tickets:?}");
    app.wait_for_text(".payment-detail .events", |t| t.contains(&printed))
        .await
        .map_err(|e| format!("the timeline does not name ticket {printed}: {e}"))?;
    // The row's pill follows the same stream, on its own path: wait for it too.
    let row = format!("#pay-table tr[data-reference=\"{atrip_ref}\"]");
    let row_status = wait_attr(app, &row, "data-status", |s| s == Some("Ticketed")).await?;
    ensure!(row_status.as_deref() == Some("Ticketed"), "the row still shows {row_status:?}");
    app.press(Key::Escape).await?;

    goto(app, "summary").await?;
    // Keyboard only, from another view: Ctrl+2 lands in the search box, a name narrows the
    // table, ↓ goes to the first result and Enter opens it.
    ctrl(app, '2').await?;
    app.wait_visible("#view-payments").await?;
    wait_js(app, "the search box to have the focus", "document.activeElement?.id === 'pay-search'", 5)
        .await?;
    app.client.active_element().await?.send_keys("munoz").await?;
    wait_rows(app, "Munoz alone", |r| r == [munoz_ref.clone()]).await?;
    app.press(Key::Down).await?;
    wait_js(
        app,
        "the first result to have the focus",
        &format!("document.activeElement?.dataset?.reference === {munoz_ref:?}"),
        5,
    )
    .await?;
    app.press(Key::Enter).await?;
    app.wait_for_text("#pd-reference", |t| t == munoz_ref).await?;
    app.press(Key::Escape).await?;
    ctrl(app, '2').await?;
    wait_js(app, "the search box to have the focus again", "document.activeElement?.id === 'pay-search'", 5)
        .await?;

    search_for(app, "Muñoz").await?;
    wait_rows(app, "Munoz found as Muñoz", |r| r == [munoz_ref.clone()]).await?;
    search_for(app, &lopez_ref).await?;
    wait_rows(app, "the payment by its reference", |r| r == [lopez_ref.clone()]).await?;
    search_for(app, &printed).await?;
    wait_rows(app, "the ATRIP payment by its ticket number", |r| r == [atrip_ref.clone()]).await?;
    let tickets_cell =
        wait_cell(app, &format!("tr[data-reference=\"{atrip_ref}\"] .col-tickets"), |t| !t.is_empty())
            .await?;
    ensure!(tickets_cell.starts_with(&printed), "the tickets column reads {tickets_cell:?}");
    search_for(app, "nobody-like-this").await?;
    wait_rows(app, "no row", |r| r.is_empty()).await?;
    let empty = wait_cell(app, "#pay-table tbody", |t| !t.is_empty()).await?;
    ensure!(empty.contains("No payment matches"), "an empty result reads {empty:?}");

    // Filters: the provider chip, then a status chip, then the amount range.
    app.click("#pay-clear").await?;
    wait_rows(app, "everything again", |r| r.len() == 3).await?;
    app.click(".chip[data-provider=holidayextras]").await?;
    wait_rows(app, "only Holiday Extras", |r| r.len() == 2 && !r.contains(&atrip_ref)).await?;
    app.click(".chip[data-status=Declined]").await?;
    wait_rows(app, "only the declined HX payment", |r| r == [lopez_ref.clone()]).await?;
    ensure!(
        app.client.find(Locator::Css(".chip[data-status=Declined][aria-pressed=true]")).await.is_ok(),
        "the Declined chip does not show as pressed"
    );
    app.snap("payments-filtered").await?;
    app.click(".chip[data-status=Declined]").await?;
    app.click(".chip[data-provider=holidayextras]").await?;
    wait_rows(app, "everything again", |r| r.len() == 3).await?;
    // Amounts filter within one currency: the range fields open once GBP is chosen.
    ensure!(
        !app.wait_visible("#pay-min").await?.is_enabled().await?,
        "amount filter open without a currency"
    );
    app.wait_visible("#pay-currency").await?.select_by_value("GBP").await?;
    // The core reads what was typed: a third decimal is refused at its field, in its words.
    app.type_into("#pay-min", "20.001").await?;
    app.client.find(Locator::Css("#pay-search")).await?.click().await?;
    let refused = app.wait_for_text("#pay-min-error", |t| !t.is_empty()).await?;
    ensure!(refused.contains("20.001") && refused.contains("GBP"), "a wrong bound reads {refused:?}");
    app.type_into("#pay-min", "20").await?;
    app.type_into("#pay-max", "100").await?;
    app.client.find(Locator::Css("#pay-search")).await?.click().await?;
    wait_rows(app, "only the payment between 20 and 100", |r| r == [munoz_ref.clone()]).await?;
    app.click("#pay-clear").await?;
    wait_rows(app, "everything again", |r| r.len() == 3).await?;

    // Export follows the filter: Holiday Extras only → two rows in the CSV.
    app.click(".chip[data-provider=holidayextras]").await?;
    wait_rows(app, "only Holiday Extras", |r| r.len() == 2).await?;
    app.click("#pay-export-csv").await?;
    let path = app.wait_for_text("#pay-export-path", |t| !t.is_empty()).await?;
    let saved = app.wait_for_text("#pay-task", |t| !t.is_empty()).await?;
    ensure!(saved.starts_with("Saved 2 payments to"), "the export says {saved:?}");
    let csv = std::fs::read_to_string(&path).map_err(|e| format!("the export {path} cannot be read: {e}"))?;
    let _ = std::fs::remove_file(&path);
    ensure!(
        csv.contains(&munoz_ref) && csv.contains(&lopez_ref) && !csv.contains(&atrip_ref),
        "the CSV does not hold the filtered payments: {csv}"
    );
    app.snap("payments-exported").await?;
    app.click(".chip[data-provider=holidayextras]").await?;
    wait_rows(app, "everything again", |r| r.len() == 3).await?;
    // Verify history: every chain holds.
    app.click("#pay-verify").await?;
    let verified = app.wait_for_text("#pay-verify-result", |t| !t.is_empty()).await?;
    ensure!(verified == "3 payments checked, no break", "verify says {verified:?}");

    // Keyboard: the arrow keys move the selection and open each payment.
    open_row(app, &all[0]).await?;
    app.press(Key::Down).await?;
    app.wait_for_text("#pd-reference", |t| t == all[1]).await?;
    let selected = app.client.find(Locator::Css("#pay-table tr[aria-selected=true]")).await?;
    ensure!(
        selected.attr("data-reference").await?.as_deref() == Some(all[1].as_str()),
        "Down did not select the second row"
    );
    app.press(Key::Up).await?;
    app.wait_for_text("#pd-reference", |t| t == all[0]).await?;
    let tickets = wait_cell(app, "#pd-tickets", |t| !t.is_empty()).await?;
    ensure!(tickets.contains(&printed), "the detail's tickets read {tickets:?}");
    app.snap("payments-detail-ticketed").await?;

    // The smallest window: nothing scrolls sideways, the table included.
    app.client.set_window_size(1024, 700).await?;
    // Measured once the page has the new size (reading the widths then lays it out), not after a
    // fixed pause.
    wait_js(app, "the page to be 1024 px wide", "window.innerWidth <= 1024", 15).await?;
    let overflow = app
        .client
        .execute(
            "const wrap = document.getElementById('pay-wrap');
             const page = document.scrollingElement;
             const content = document.querySelector('main.content');
             return [page.scrollWidth - page.clientWidth, content.scrollWidth - content.clientWidth, wrap.scrollWidth - wrap.clientWidth];",
            vec![],
        )
        .await?;
    ensure!(overflow == json!([0, 0, 0]), "something scrolls horizontally at 1024×700: {overflow}");
    // With the detail open, the essentials stay, each wide enough for what it shows: nothing in
    // them is cut (a cell's text overflowing its cell is an ellipsis).
    let shown = app
        .client
        .execute(
            "return [...document.querySelectorAll('#pay-table thead th')]
               .filter((th) => th.getBoundingClientRect().width > 0).map((th) => th.className.split(' ')[0]);",
            vec![],
        )
        .await?;
    ensure!(
        shown == json!(["col-time", "col-reference", "col-customer", "col-amount", "col-status"]),
        "beside the detail at 1024 px the table shows {shown}"
    );
    let cut = app
        .client
        .execute(
            "return [...document.querySelectorAll('#pay-table tbody tr[data-id] td')]
               .filter((td) => !td.classList.contains('col-customer') && td.getBoundingClientRect().width > 0)
               .filter((td) => {
                 const text = document.createRange();
                 text.selectNodeContents(td);
                 const style = getComputedStyle(td);
                 const room = td.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
                 return text.getBoundingClientRect().width > room + 0.5;
               }).map((td) => td.className + ': ' + td.textContent);",
            vec![],
        )
        .await?;
    ensure!(cut == json!([]), "cells cut beside the detail at 1024 px: {cut}");
    app.snap("payments-detail-1024").await?;
    Ok(())
}

/// (4) Summary: the totals of the payments taken, bars in the chart, and a payment left for
/// review (HeiPay, connection closed after charging) linked into the filtered table, where it
/// is resolved through the dialog.
async fn summary_scenario(app: &AppSession) -> TestResult {
    app.wait_for_text("#profile", |t| t != "…").await?;
    pay(app, "pay_holidayextras", holiday_extras("7000000000000001", "HXT-3001", "45.00", "Kim Total"))
        .await?;
    pay(app, "pay_holidayextras", holiday_extras("7000000000000001", "HXT-3002", "20.50", "Lee Total"))
        .await?;
    pay(app, "pay_holidayextras", holiday_extras("7000000000000002", "HXT-3003", "99.00", "Declined Total"))
        .await?;
    // HeiPay answers nothing after charging: the app cannot know, so a person must look.
    let status = app.invoke("app_status", json!({})).await?;
    let base = status["sandbox"]
        .as_str()
        .ok_or("the Sandbox profile is not active")?
        .trim_end_matches('/')
        .to_string();
    let armed = reqwest::Client::new()
        .post(format!("{base}/__sandbox/faults"))
        .json(&json!({ "route": "heipay.pay", "kind": "close_after_charge", "count": 1 }))
        .send()
        .await?;
    ensure!(armed.status().is_success(), "the sandbox refused the fault: {}", armed.status());
    let review =
        match pay(app, "pay_heipay", heipay("Marta", "Ruiz", "MARTA RUIZ", "120000", "4111111111111111"))
            .await
        {
            Ok(record) => record,
            Err(_) => {
                let page = app.invoke("search_payments", json!({ "query": { "text": "Ruiz" } })).await?;
                json!({ "payment": page["rows"][0] })
            }
        };
    let review_ref = reference_of(&review)?;
    let review_status = app.invoke("search_payments", json!({ "query": { "text": review_ref } })).await?
        ["rows"][0]["status"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    ensure!(review_status == "NeedsReview", "the HeiPay payment without an answer is {review_status}");

    goto(app, "summary").await?;
    app.click("#sum-range-today").await?;
    // The view opens on the last 7 days ("a – b"): wait until today's figures (one date) replace
    // them, so what follows is read from today's totals and chart.
    app.wait_for_text("#sum-range-line", |t| !t.is_empty() && !t.contains('–')).await?;
    let total = app.wait_for_text(".total[data-currency=GBP] .total-amount", |t| !t.is_empty()).await?;
    ensure!(total == "£65.50", "today's GBP total reads {total:?}");
    let count = app.wait_for_text(".total[data-currency=GBP] .total-amount + p", |t| !t.is_empty()).await?;
    ensure!(count == "2 payments", "today's GBP count reads {count:?}");
    ensure!(
        app.client.find(Locator::Css(".total[data-currency=COP]")).await.is_err(),
        "a payment under review was counted as money taken"
    );
    let bars = app.client.find_all(Locator::Css("#sum-chart-svg rect.bar-holidayextras")).await?;
    ensure!(bars.len() == 1, "the chart has {} Holiday Extras bars for one day", bars.len());
    let title = app
        .client
        .execute(
            "return document.querySelector('#sum-chart-svg rect.bar-holidayextras title').textContent;",
            vec![],
        )
        .await?;
    ensure!(title.as_str().is_some_and(|t| t.contains("£65.50")), "the bar's title reads {title}");
    let paid = app.wait_for_text("#sum-status-Paid .status-count", |t| !t.is_empty()).await?;
    ensure!(paid == "2", "Paid count reads {paid:?}");
    let declined = app.wait_for_text("#sum-status-Declined .status-count", |t| !t.is_empty()).await?;
    ensure!(declined == "1", "Declined count reads {declined:?}");
    let link = app.wait_for_text("#sum-link-NeedsReview", |t| !t.is_empty()).await?;
    ensure!(link.starts_with("1 needs review"), "the review call-out reads {link:?}");
    app.snap("summary-today").await?;
    app.click("#sum-range-7d").await?;
    app.wait_for_text("#sum-range-line", |t| t.contains('–')).await?;
    let bars = app.client.find_all(Locator::Css("#sum-chart-svg g.day")).await?;
    ensure!(bars.len() == 7, "the 7-day chart has {} days", bars.len());
    app.snap("summary-7-days").await?;

    // The call-out opens Payments filtered to that status and range.
    app.click("#sum-link-NeedsReview").await?;
    app.wait_visible("#view-payments").await?;
    wait_rows(app, "only the payment under review", |r| r == [review_ref.clone()]).await?;
    ensure!(
        app.client.find(Locator::Css(".chip[data-status=NeedsReview][aria-pressed=true]")).await.is_ok(),
        "the NeedsReview chip is not pressed after the link"
    );
    let from = app.client.find(Locator::Css("#pay-from")).await?.prop("value").await?.unwrap_or_default();
    ensure!(!from.is_empty(), "the date range did not come with the link");

    // Resolve it: outcome and a note are required; Enter confirms.
    open_row(app, &review_ref).await?;
    app.click("#pd-resolve").await?;
    app.wait_visible("#dialog-resolve").await?;
    // A hotel charge issues no tickets: the outcomes offered are the core's for HeiPay.
    let offered = app
        .client
        .execute(
            "return [...document.querySelectorAll('#resolve-outcome input')].map((i) => i.value);",
            vec![],
        )
        .await?;
    ensure!(offered == json!(["Paid", "Declined"]), "the review offered {offered}");
    app.press(Key::Enter).await?;
    app.wait_for_text("#resolve-outcome-error", |t| !t.is_empty()).await?;
    app.click("#resolve-outcome input[value=Paid]").await?;
    let note = "HeiPay portal shows it approved, authorisation 123456";
    app.type_into("#resolve-note", note).await?;
    wait_js(
        app,
        "the note to be typed",
        &format!("document.getElementById('resolve-note').value === {note:?}"),
        5,
    )
    .await?;
    app.snap("payments-resolve-dialog").await?;
    app.press(Key::Enter).await?;
    app.wait_for_text("#pd-status", |t| t == "Paid").await?;
    // Streamed before the command answers; the modal dialog closes on the answer, and until then
    // the navigation behind it cannot be clicked.
    wait_js(app, "the resolve dialog to close", "!document.getElementById('dialog-resolve')", 15).await?;
    app.wait_for_text(".payment-detail .events", |t| t.contains("Resolved by the agent")).await?;
    wait_cell(app, &format!("#pay-table tr[data-reference=\"{review_ref}\"] .col-status"), |t| t == "Paid")
        .await?;

    // Back in Summary the call-out is gone and the hotel's pesos count as taken.
    goto(app, "summary").await?;
    app.wait_for_text("#sum-callout-NeedsReview", |t| t.contains("None")).await?;
    app.wait_for_text(".total[data-currency=COP] .total-amount", |t| t.contains("120")).await?;
    Ok(())
}

/// (5) Ctrl+P on a selected payment previews its receipt: reference and masked card, never the
/// number. The Print button would call window.print, which the test leaves alone.
async fn receipt_scenario(app: &AppSession) -> TestResult {
    app.wait_for_text("#profile", |t| t != "…").await?;
    let record =
        pay(app, "pay_heipay", heipay("Carmen", "Vidal", "CARMEN VIDAL", "250000", "4111111111111111"))
            .await?;
    ensure!(status_of(&record) == "Paid", "the HeiPay charge ended {}", status_of(&record));
    let reference = reference_of(&record)?;

    goto(app, "payments").await?;
    wait_rows(app, "the payment", |r| r == [reference.clone()]).await?;
    open_row(app, &reference).await?;
    ctrl(app, 'p').await?;
    app.wait_visible("#dialog-receipt #receipt").await?;
    let shown = app.wait_for_text("#receipt-reference", |t| !t.is_empty()).await?;
    ensure!(shown == reference, "the receipt's reference reads {shown:?}");
    let card = app.wait_for_text("#receipt-card", |t| !t.is_empty()).await?;
    ensure!(card == "Visa •••• 1111", "the receipt's card reads {card:?}");
    let amount = app.wait_for_text("#receipt-amount", |t| !t.is_empty()).await?;
    ensure!(amount.contains("250,000"), "the receipt's amount reads {amount:?}");
    ensure!(focused_id(app).await? == "dialog-receipt-confirm", "the Print button does not have the focus");
    ensure!(page_has_no_pan(app, "4111111111111111").await?, "the card number is in the page");
    app.snap("payments-receipt-preview").await?;
    app.press(Key::Escape).await?;
    wait_js(app, "the receipt dialog to close", "!document.getElementById('dialog-receipt')", 5).await?;

    // The same in Spanish: every label follows the language.
    app.click("#locale-switch").await?;
    app.wait_for_text("#h-payments", |t| t == "Pagos").await?;
    let head = wait_cell(app, "#pay-table thead", |t| !t.is_empty()).await?;
    ensure!(head.contains("Referencia") && head.contains("Importe"), "the table head reads {head:?}");
    app.wait_for_text("#pd-receipt", |t| t == "Imprimir recibo").await?;
    app.snap("payments-detail-es").await?;
    app.click("#locale-switch").await?;
    app.wait_for_text("#h-payments", |t| t == "Payments").await?;
    Ok(())
}
