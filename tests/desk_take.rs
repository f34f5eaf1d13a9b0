//! End-to-end, as an agent at the desk: take a payment through each provider's form in the real
//! window (in-process sandbox), watch the live timeline, and see a bad card stopped in the form.
#![cfg(target_os = "linux")]

#[macro_use]
mod support;

use fantoccini::key::Key;
use fantoccini::Locator;
use support::{AppSession, TestResult};

/// The card numbers the scenarios type (digits as stored would be).
const TYPED_CARDS: &[&str] =
    &["4111111111111111", "5555555555554444", "4111111111111112", "4000000000006041"];

/// Runs one scenario in its own app window and always closes it.
async fn with_app<F, Fut>(scenario: F)
where
    F: FnOnce(AppSession) -> Fut,
    Fut: std::future::Future<Output = (AppSession, TestResult)>,
{
    let app = AppSession::start().await.expect("start the app window");
    let (app, mut outcome) = scenario(app).await;
    if outcome.is_ok() {
        // No card number typed in these scenarios may reach the database, its WAL or the logs.
        outcome = match app.files_containing(TYPED_CARDS) {
            Ok(leaks) if leaks.is_empty() => Ok(()),
            Ok(leaks) => Err(format!("card numbers on disk: {leaks:?}").into()),
            Err(e) => Err(e),
        };
    }
    if let Err(e) = &outcome {
        // What the agent would have seen when it went wrong.
        let _ = app.screenshot("failed-desk-take").await;
        let body = app.client.find(Locator::Css("body")).await;
        if let Ok(body) = body {
            eprintln!("failed: {e}\nwindow text:\n{}", body.text().await.unwrap_or_default());
        }
    }
    let closed = app.close().await;
    outcome.unwrap();
    closed.unwrap();
}

/// The card form of the visible provider panel, filled as typed at the desk.
async fn type_card(
    app: &AppSession,
    panel: &str,
    number: &str,
    expiry: &str,
    cvv: &str,
    holder: &str,
) -> TestResult {
    app.type_into(&format!("{panel} input[name=card-number]"), number).await?;
    app.type_into(&format!("{panel} input[name=card-expiry]"), expiry).await?;
    app.type_into(&format!("{panel} input[name=card-cvv]"), cvv).await?;
    app.type_into(&format!("{panel} input[name=card-holder]"), holder).await?;
    Ok(())
}

/// Looks up an ATRIP order as typed at the desk and chooses how to pay it.
async fn open_atrip_order(app: &AppSession, order_no: &str, method: &str) -> TestResult {
    app.type_into("#atrip-order-no", order_no).await?;
    app.press(Key::Enter).await?;
    app.wait_for_text("#atrip-amount", |t| !t.is_empty()).await?;
    app.click(&format!("#atrip-methods input[value={method}]")).await
}

/// Continue → the confirm step (checked) → Enter pays.
async fn confirm_and_pay(app: &AppSession, amount: &str) -> TestResult {
    app.click("#take-continue").await?;
    let shown = app.wait_for_text("#confirm-amount", |t| !t.is_empty()).await?;
    ensure!(shown == amount, "the confirm step shows {shown:?}, expected {amount:?}");
    app.press(Key::Enter).await?;
    Ok(())
}

async fn timeline_text(app: &AppSession) -> TestResult<String> {
    Ok(app.client.find(Locator::Css("#take-timeline")).await?.text().await?)
}

/// The card number must be gone from every input once the payment is sent.
async fn card_fields_cleared(app: &AppSession) -> TestResult {
    for input in app.client.find_all(Locator::Css("input[name=card-number], input[name=card-cvv]")).await? {
        let value = input.prop("value").await?.unwrap_or_default();
        ensure!(value.is_empty(), "a card field still holds {} characters after sending", value.len());
    }
    Ok(())
}

/// Waits until the ATRIP form has answered an Enter: refused, with the focus moved to the card
/// number (the first invalid field), or — wrongly — on the confirm step, which the caller reports.
async fn wait_form_answered(app: &AppSession) -> TestResult {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let answered = app
            .client
            .execute(
                "return Boolean(document.activeElement?.matches('#form-atrip input[name=card-number]')
                   || !document.getElementById('take-confirm').hidden);",
                vec![],
            )
            .await?;
        if answered.as_bool() == Some(true) {
            return Ok(());
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "the form never answered Enter: the focus is not on the card number, no confirm step"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Waits until the Payments table's rows (their references, top to bottom) satisfy `check`.
async fn wait_for_rows(app: &AppSession, check: impl Fn(&[String]) -> bool) -> TestResult<Vec<String>> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let mut rows = Vec::new();
    while std::time::Instant::now() < deadline {
        let read = app
            .client
            .execute(
                "return [...document.querySelectorAll('#pay-table tbody tr[data-id]')].map((tr) => tr.dataset.reference);",
                vec![],
            )
            .await?;
        rows = serde_json::from_value(read)?;
        if check(&rows) {
            return Ok(rows);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn atrip_order_paid_by_vcc_shows_ticket_numbers_on_the_timeline() {
    with_app(|app| async move {
        let outcome = async {
            app.wait_visible("#tab-atrip").await?;
            app.type_into("#atrip-order-no", "fpdmo20250101000000002").await?;
            app.press(Key::Enter).await?;
            // The order's amount, deadline countdown and only its methods (VCC only) appear.
            let amount = app.wait_for_text("#atrip-amount", |t| !t.is_empty()).await?;
            ensure!(amount == "€612.35", "order amount shown as {amount:?}");
            let left = app.wait_for_text("#atrip-countdown", |t| !t.is_empty()).await?;
            ensure!(left.ends_with("left"), "deadline countdown reads {left:?}");
            let methods = app.client.find_all(Locator::Css("#atrip-methods input[type=radio]")).await?;
            ensure!(methods.len() == 1, "{} methods offered for a VCC-only order", methods.len());
            type_card(&app, "#form-atrip", "4111 1111 1111 1111", "1239", "123", "jane doe").await?;
            app.screenshot("take-atrip-form").await?;
            app.click("#take-continue").await?;
            app.wait_visible("#take-confirm").await?;
            app.screenshot("take-atrip-confirm").await?;
            let shown = app.wait_for_text("#confirm-amount", |t| !t.is_empty()).await?;
            ensure!(shown == "€612.35", "confirm shows {shown:?}");
            let confirm = app.client.find(Locator::Css("#take-confirm")).await?.text().await?;
            ensure!(
                confirm.contains("•••• 1111") && !confirm.contains("4111 1111"),
                "confirm shows the card as {confirm:?}"
            );
            app.press(Key::Enter).await?;
            // Journaled, sent, ATRIP's answer, paid … then the airline's ticket numbers, live.
            app.wait_for_text("#take-timeline", |t| t.contains("ATRIP accepted the payment")).await?;
            card_fields_cleared(&app).await?;
            // Wait for the state asserted: both tickets *and* the final `Ticketed` event, which
            // streams a moment after the tickets.
            let timeline = app
                .wait_for_text("#take-timeline", |t| {
                    t.matches("Ticket ").count() >= 2 && t.contains("Ticketed")
                })
                .await?;
            ensure!(timeline.contains("Journaled"), "no journal entry on the timeline: {timeline}");
            let pill = app.wait_for_text("#take-result .pill", |t| t == "Ticketed").await?;
            ensure!(pill == "Ticketed", "result pill reads {pill:?}");
            app.screenshot("take-atrip-ticketed").await?;
            let ledger = app.sandbox_ledger().await?;
            ensure!(ledger.len() == 1, "the simulator took {} charges, expected exactly 1", ledger.len());
            ensure!(ledger[0]["method"] == "vcc", "charged by {}", ledger[0]["method"]);
            Ok(())
        }
        .await;
        (app, outcome)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn travelport_itinerary_and_ancillary_paid_by_card_issue_ticket_and_emd() {
    with_app(|app| async move {
        let outcome = async {
            app.click("#tab-travelport").await?;
            app.type_into("#tp-locator", "FPAIR1").await?;
            app.press(Key::Enter).await?;
            let total = app.wait_for_text("#tp-total", |t| t != "—" && !t.is_empty()).await?;
            ensure!(total == "US$1,006.70", "both offers ticked should total US$1,006.70, shows {total:?}");
            let offers = app.client.find_all(Locator::Css("#tp-offers input[type=checkbox]")).await?;
            ensure!(offers.len() == 2, "{} offers shown for FPAIR1", offers.len());
            type_card(&app, "#form-travelport", "5555555555554444", "11/38", "321", "JANE DOE").await?;
            app.screenshot("take-travelport-form").await?;
            confirm_and_pay(&app, "US$1,006.70").await?;
            let timeline =
                app.wait_for_text("#take-timeline", |t| t.contains("Ticketed") && t.contains("EMD")).await?;
            ensure!(
                timeline.matches("Ticket ").count() >= 2,
                "two tickets expected on the timeline: {timeline}"
            );
            card_fields_cleared(&app).await?;
            app.screenshot("take-travelport-ticketed").await?;

            // Found again in Payments by its EMD number.
            let reference = app.wait_for_text("#result-reference", |t| !t.is_empty()).await?;
            let emd = timeline
                .split("EMD ")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .ok_or("no EMD number on the timeline")?
                .to_string();
            app.click(".nav a[data-view=payments]").await?;
            app.type_into("#pay-search", &emd).await?;
            let found = wait_for_rows(&app, |rows| rows == [reference.clone()]).await?;
            ensure!(found == [reference.clone()], "searching {emd} shows {found:?}, expected {reference}");
            Ok(())
        }
        .await;
        (app, outcome)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holiday_extras_token_charge_and_heipay_card_payment() {
    with_app(|app| async move {
        let outcome = async {
            app.click("#tab-holidayextras").await?;
            app.type_into("#hx-token", "7000000000000001").await?;
            app.type_into("#hx-reference", "hx-park-1042").await?;
            app.type_into("#hx-customer", "Ana Muñoz").await?;
            // The core reads the typed amount: a thousandth of a pound is refused against its
            // field, before anything is confirmed.
            app.type_into("#hx-amount", "45,001").await?;
            app.click("#take-continue").await?;
            let refused = app.wait_for_text("#hx-amount-error", |t| !t.is_empty()).await?;
            ensure!(
                refused.contains("45,001") && refused.contains("GBP"),
                "a wrong amount reads {refused:?}"
            );
            app.type_into("#hx-amount", "45.00").await?;
            confirm_and_pay(&app, "£45.00").await?;
            app.wait_for_text("#take-result .pill", |t| t == "Paid").await?;
            app.screenshot("take-holidayextras-paid").await?;

            app.click("#take-new").await?;
            app.click("#tab-heipay").await?;
            app.wait_for_text("#hp-hotel", |t| t.contains("Hotel Demo")).await?;
            app.type_into("#hp-first", "José").await?;
            app.type_into("#hp-last", "Pérez").await?;
            app.type_into("#hp-detail", "Room 214, 2 nights").await?;
            app.type_into("#hp-amount", "350000").await?;
            app.type_into("#hp-tax", "0.19").await?;
            type_card(&app, "#form-heipay", "4111111111111111", "0940", "123", "Jose Perez").await?;
            app.screenshot("take-heipay-form").await?;
            app.click("#take-continue").await?;
            let shown = app.wait_for_text("#confirm-amount", |t| !t.is_empty()).await?;
            ensure!(shown.contains("350,000"), "confirm shows {shown:?}");
            app.press(Key::Enter).await?;
            app.wait_for_text("#take-result .pill", |t| t == "Paid").await?;
            card_fields_cleared(&app).await?;
            app.wait_for_text("#take-timeline", |t| t.contains("HeiPay"))
                .await
                .map_err(|e| format!("timeline does not name HeiPay: {e}"))?;
            app.screenshot("take-heipay-paid").await?;
            let ledger = app.sandbox_ledger().await?;
            ensure!(ledger.len() == 2, "{} charges in the simulator, expected 2", ledger.len());

            // The desk works in Spanish too, amounts formatted for the locale.
            app.click("#locale-switch").await?;
            app.wait_for_text("#h-take", |t| t == "Cobrar").await?;
            let amount = app.wait_for_text("#take-result .amount-big", |t| !t.is_empty()).await?;
            ensure!(amount.contains("350.000,00"), "Spanish amount reads {amount:?}");
            let pill = app.wait_for_text("#take-result .pill", |t| !t.is_empty()).await?;
            ensure!(pill == "Pagado", "Spanish status reads {pill:?}");
            app.screenshot("take-heipay-paid-es").await?;
            app.click("#locale-switch").await?;
            app.wait_for_text("#h-take", |t| t == "Take payment").await?;

            // Both found again in Payments, by the names typed without their accents.
            let heipay_ref = app.wait_for_text("#result-reference", |t| !t.is_empty()).await?;
            app.click(".nav a[data-view=payments]").await?;
            app.type_into("#pay-search", "jose perez").await?;
            let found = wait_for_rows(&app, |rows| rows == [heipay_ref.clone()]).await?;
            ensure!(found == [heipay_ref.clone()], "searching jose perez shows {found:?}");
            app.type_into("#pay-search", "munoz").await?;
            let found = wait_for_rows(&app, |rows| rows.len() == 1 && rows[0] != heipay_ref).await?;
            ensure!(found.len() == 1 && found[0] != heipay_ref, "searching munoz shows {found:?}");
            Ok(())
        }
        .await;
        (app, outcome)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mistyped_card_number_is_stopped_in_the_form_and_nothing_is_sent() {
    with_app(|app| async move {
        let outcome = async {
            open_atrip_order(&app, "FPDMO20250101000000001", "vcc").await?;
            // One digit wrong: the Luhn check catches it as soon as the number is complete.
            app.type_into("#form-atrip input[name=card-number]", "4111111111111112").await?;
            let error = app.wait_for_text("#form-atrip .card-entry .field-error", |t| !t.is_empty()).await?;
            ensure!(
                error == "This card number has a typo — check the digits",
                "inline error reads {error:?}"
            );
            app.type_into("#form-atrip input[name=card-expiry]", "1239").await?;
            app.type_into("#form-atrip input[name=card-cvv]", "123").await?;
            app.type_into("#form-atrip input[name=card-holder]", "JANE DOE").await?;
            // Enter, Enter — continue, then pay, as a hurried agent would: the form must stop at
            // the first one. Each Enter is waited for by its answer, not by a pause.
            app.press(Key::Enter).await?;
            wait_form_answered(&app).await?;
            app.press(Key::Enter).await?;
            wait_form_answered(&app).await?;
            // Nothing must happen now, and "nothing" has no state to wait for: give a wrongly
            // opened confirm step or a payment the time to show before looking.
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            // Still on the form, no confirm step, nothing journaled, nothing charged.
            ensure!(
                !app.client.find(Locator::Css("#take-confirm")).await?.is_displayed().await?,
                "the confirm step opened"
            );
            let invalid = app.client.find(Locator::Css("#form-atrip input[name=card-number]")).await?;
            let marked = invalid.attr("aria-invalid").await?;
            ensure!(
                marked.as_deref() == Some("true"),
                "the number field is marked aria-invalid={marked:?}, not \"true\""
            );
            app.screenshot("take-bad-card").await?;
            ensure!(app.sandbox_ledger().await?.is_empty(), "a charge reached the simulator");
            let timeline = timeline_text(&app).await?;
            ensure!(!timeline.contains("Journaled"), "a payment was journaled: {timeline}");

            // Put right, an error goes as the field is typed — the focus still in it — so the
            // click on Continue lands where it was aimed and the confirm step opens. (Cleared only
            // when the click took the focus away, the form would close up under the pointer.)
            app.type_into("#form-atrip input[name=card-number]", "4111 1111 1111 1111").await?;
            app.type_into("#form-atrip input[name=card-holder]", "JANE D0E").await?;
            app.press(Key::Enter).await?;
            app.wait_for_text("#form-atrip .card-entry", |t| t.contains("letters")).await?;
            app.type_into("#form-atrip input[name=card-holder]", "JANE DOE").await?;
            let focused = app.client.active_element().await?.attr("name").await?;
            ensure!(focused.as_deref() == Some("card-holder"), "the focus left the holder: {focused:?}");
            app.wait_for_text("#form-atrip .card-entry", |t| !t.contains("letters")).await?;
            app.click("#take-continue").await?;
            app.wait_visible("#take-confirm").await?;
            app.press(Key::Escape).await?;
            ensure!(app.sandbox_ledger().await?.is_empty(), "a charge reached the simulator");
            Ok(())
        }
        .await;
        (app, outcome)
    })
    .await;
}

/// The airline declines the card at ticketing (ATRIP's 604): the result says what became of the
/// money and offers the next step ATRIP's advice names — a new order, paid another way. From the
/// payment's detail, "New order and pay" opens Take on ATRIP's new order; paid by deposit, it
/// tickets, and the sandbox took the old order's card once and the new order once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticketing_failure_says_what_became_of_the_money_and_pays_a_new_order() {
    with_app(|app| async move {
        let outcome = async {
            open_atrip_order(&app, "FPDMO20250101000000001", "vcc").await?;
            type_card(&app, "#form-atrip", "4000 0000 0000 6041", "1239", "123", "jane doe").await?;
            app.click("#take-continue").await?;
            app.wait_visible("#take-confirm").await?;
            app.press(Key::Enter).await?;
            app.wait_for_text("#take-result .pill", |t| t == "Ticketing failed").await?;
            let money = app.wait_for_text("#take-money", |t| t.contains("no ticket was issued")).await?;
            ensure!(money.contains("ATRIP portal"), "the money line names no place to check: {money:?}");
            app.wait_visible("#take-regenerate").await?;
            app.snap("take-atrip-ticketing-failed").await?;
            let old_reference = app.wait_for_text("#result-reference", |t| !t.is_empty()).await?;

            // The same words and the same next step on the payment's detail.
            app.click("#take-open").await?;
            app.wait_for_text("#pd-reference", |t| t == old_reference).await?;
            let detail_money = app.wait_for_text("#pd-money", |t| !t.is_empty()).await?;
            ensure!(
                detail_money == money,
                "the detail tells the money as {detail_money:?}, Take as {money:?}"
            );
            app.click("#pd-regenerate").await?;
            // Take opens on the new order, read from ATRIP.
            app.wait_visible("#view-take").await?;
            let new_order = app
                .client
                .find(Locator::Css("#atrip-order-no"))
                .await?
                .prop("value")
                .await?
                .unwrap_or_default();
            ensure!(
                !new_order.is_empty() && new_order != "FPDMO20250101000000001",
                "Take opened on order {new_order:?}, not a new one"
            );
            app.wait_for_text("#atrip-amount", |t| !t.is_empty()).await?;
            app.click("#atrip-methods input[value=deposit]").await?;
            app.click("#take-continue").await?;
            app.wait_visible("#take-confirm").await?;
            app.press(Key::Enter).await?;
            app.wait_for_text("#take-result .pill", |t| t == "Ticketed").await?;
            app.wait_for_text("#take-money", |t| t.contains("was charged")).await?;
            let ledger = app.sandbox_ledger().await?;
            let charges: Vec<_> =
                ledger.iter().filter(|e| e["kind"] == "charge").map(|e| e["method"].clone()).collect();
            ensure!(
                charges == [serde_json::json!("vcc"), serde_json::json!("deposit")],
                "the sandbox took {ledger:?}"
            );
            Ok(())
        }
        .await;
        (app, outcome)
    })
    .await;
}
