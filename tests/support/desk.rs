//! Steps the window scenarios share: paying through the real commands, moving between views,
//! waiting on the page.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{json, Value};

use super::{AppSession, TestResult};

/// Calls a `pay_*` command from the page with a real `Channel` for `onStarted` (a Channel can
/// only be made inside the page), and returns the payment record it answers.
pub async fn pay(app: &AppSession, command: &str, request: Value) -> TestResult<Value> {
    let answer = app
        .client
        .execute_async(
            "const [cmd, request, done] = arguments;
             import('./lib/tauri.js').then(({ invoke, Channel }) =>
               invoke(cmd, { request, onStarted: new Channel() })
             ).then((v) => done({ ok: v }), (e) => done({ err: e }));",
            vec![json!(command), request],
        )
        .await?;
    match answer.get("ok") {
        Some(record) => Ok(record.clone()),
        None => Err(format!("{command} failed: {}", answer.get("err").cloned().unwrap_or_default()).into()),
    }
}

pub fn holiday_extras(token: &str, reference: &str, amount: &str, customer: &str) -> Value {
    json!({
        "token": token, "payment_reference": reference, "amount": amount, "currency": "GBP",
        "customer": customer, "postal_code": null, "country_code": null,
    })
}

/// A HeiPay charge for hotel 1; `holder` as printed on the card (Latin capitals).
pub fn heipay(first: &str, last: &str, holder: &str, amount: &str, card: &str) -> Value {
    json!({
        "hotel_id": 1, "guest_first_name": first, "guest_last_name": last, "detail": "Room 204, two nights",
        "amount": amount, "installments": 1, "tax_percent": null, "service_percent": null, "email": null,
        "phone": null, "address": null, "fiscal_number": null,
        "card": { "number": card, "expiry": "12/30", "cvv": "123", "holder": holder },
    })
}

pub fn reference_of(record: &Value) -> TestResult<String> {
    Ok(record["payment"]["reference"].as_str().ok_or("the record has no reference")?.to_string())
}

pub fn status_of(record: &Value) -> &str {
    record["payment"]["status"].as_str().unwrap_or_default()
}

pub async fn goto(app: &AppSession, view: &str) -> TestResult {
    app.click(&format!(".nav a[data-view={view}]")).await?;
    app.wait_visible(&format!("#view-{view}")).await?;
    Ok(())
}

/// Waits (up to `secs`) until the page script `expr` is truthy.
pub async fn wait_js(app: &AppSession, what: &str, expr: &str, secs: u64) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if app.client.execute(&format!("return Boolean({expr});"), vec![]).await?.as_bool() == Some(true) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    Err(format!("timed out waiting for {what}").into())
}

pub async fn open_row(app: &AppSession, reference: &str) -> TestResult {
    // WebKitWebDriver reports table cells as not displayed, so the cell is clicked directly.
    let cell = format!("#pay-table tr[data-reference=\"{reference}\"] td.col-reference");
    app.client.find(Locator::Css(&cell)).await?.click().await?;
    app.wait_for_text("#pd-reference", |t| t == reference).await?;
    Ok(())
}
