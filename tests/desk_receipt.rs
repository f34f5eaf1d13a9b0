//! End-to-end: a receipt fit to hand over, in the real window (issue 15). The business is set up
//! in Settings → Business with a logo and the local SMTP sink as its mail server; a HeiPay charge
//! with tax and service is taken; its receipt is opened (screenshots), saved as PDF (the file is
//! read back from where the dialog says it went) and emailed to the sink, whose mailbox is read
//! back: the message arrives with the PDF, and no card data is in any of it. The sink is the test
//! session's (`xtask/src/session.rs`). Linux only — tauri-driver has no macOS WebDriver.
#![cfg(target_os = "linux")]

#[macro_use]
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::json;
use support::desk::{goto, open_row, pay, reference_of, status_of, wait_js};
use support::{AppSession, TestResult};

/// The card typed, and what the receipt, its file and its email may never show of it.
const CARD: &str = "4111111111111111";
const EXPIRY: &[&str] = &["12/30", "12/2030", "1230"];

fn logo_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/receipt-logo.png")
}

/// The session's SMTP sink: its port and the Maildir it writes each message to.
fn sink() -> TestResult<(u16, PathBuf)> {
    let address = std::env::var("FAREPOINT_SMTP_SINK").map_err(|_| {
        "FAREPOINT_SMTP_SINK is not set — run the window tests with `cargo xtask test`, whose session starts \
         the local SMTP sink (xtask/src/session.rs)"
    })?;
    let mailbox = std::env::var("FAREPOINT_SMTP_MAILBOX").map_err(|_| "FAREPOINT_SMTP_MAILBOX is not set")?;
    let port = address
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .ok_or("FAREPOINT_SMTP_SINK is not host:port")?;
    Ok((port, PathBuf::from(mailbox)))
}

/// The raw message the sink received for `to` (waits up to 15 s).
fn received(mailbox: &Path, to: &str) -> TestResult<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        for folder in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(mailbox.join(folder)) else { continue };
            for entry in entries.flatten() {
                let text = String::from_utf8_lossy(&std::fs::read(entry.path())?).to_string();
                if text.contains(to) {
                    return Ok(text);
                }
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("no message for {to} reached the sink's mailbox {}", mailbox.display()).into())
}

/// Picks `path` in the file input `css`, as WebDriver sends a file to one.
async fn pick_file(app: &AppSession, css: &str, path: &Path) -> TestResult {
    let input = app.client.find(Locator::Css(css)).await?;
    input.send_keys(&path.display().to_string()).await?;
    Ok(())
}

/// The visible text of the whole page (for what must not be on it).
async fn page_text(app: &AppSession) -> TestResult<String> {
    let text = app.client.execute("return document.body.innerText;", vec![]).await?;
    Ok(text.as_str().unwrap_or_default().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_is_set_up_saved_as_pdf_and_emailed_from_the_real_window() {
    let app = AppSession::start().await.expect("start the app window");
    let outcome = receipt_scenario(&app).await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-receipt").await;
    }
    let closed = app.close().await;
    outcome.unwrap();
    closed.unwrap();
}

async fn receipt_scenario(app: &AppSession) -> TestResult {
    let (port, mailbox) = sink()?;
    app.wait_for_text("#profile", |t| t != "…").await?;

    // Settings → Business: who the receipts are from, a refused address first.
    goto(app, "settings").await?;
    app.wait_visible("#settings-business #biz-name").await?;
    app.type_into("#biz-name", "Viajes Ñandú S.A.S.").await?;
    // Two lines, as typed: Enter between them.
    let address = format!("Calle 10 # 5-51{}Cartagena de Indias, Colombia", char::from(Key::Enter));
    app.type_into("#biz-address", &address).await?;
    app.type_into("#biz-tax-label", "NIT").await?;
    app.type_into("#biz-tax-number", "900123456-7").await?;
    app.type_into("#biz-phone", "+57 605 660 1234").await?;
    app.type_into("#biz-email", "hola at nandu").await?;
    app.click("#biz-save").await?;
    let refused = app.wait_for_text("#biz-email-error", |t| !t.is_empty()).await?;
    ensure!(
        refused.contains("hola at nandu") && refused.contains("email"),
        "a wrong email reads {refused:?}"
    );
    app.type_into("#biz-email", "hola@nandu.example").await?;
    app.click("#biz-save").await?;
    app.wait_for_text("#biz-notice-details", |t| t == "Saved").await?;

    // The logo, picked as a file; the core checks it and the preview shows it.
    pick_file(app, "#biz-logo-file", &logo_fixture()).await?;
    app.wait_for_text("#biz-notice-logo", |t| t == "Logo saved").await?;
    wait_js(app, "the logo's preview", "document.getElementById('biz-logo-img')?.naturalWidth === 240", 10)
        .await?;
    app.client.execute("document.getElementById('settings-business').scrollIntoView();", vec![]).await?;
    app.snap("receipt-settings-business-details").await?;

    // The mail server: the session's sink, on this computer, so without encryption.
    app.type_into("#biz-host", "127.0.0.1").await?;
    app.wait_visible("#biz-security").await?.select_by_value("none").await?;
    app.type_into("#biz-port", &port.to_string()).await?;
    app.type_into("#biz-from", "recibos@nandu.example").await?;
    app.click("#biz-mail-save").await?;
    app.wait_for_text("#biz-notice-mail", |t| t == "Saved").await?;
    app.snap("receipt-settings-business").await?;

    // A hotel charge with tax and service, paid with a card.
    let guest = format!("guest-{}@example.com", std::process::id());
    let record = pay(
        app,
        "pay_heipay",
        json!({
            "hotel_id": 1, "guest_first_name": "Ana", "guest_last_name": "Muñoz", "detail": "Habitación 204, dos noches",
            "amount": "250000", "installments": 1, "tax_percent": "0.19", "service_percent": "0.10", "email": guest,
            "phone": null, "address": null, "fiscal_number": null,
            "card": { "number": CARD, "expiry": "12/30", "cvv": "123", "holder": "ANA MUNOZ" },
        }),
    )
    .await?;
    ensure!(status_of(&record) == "Paid", "the HeiPay charge ended {}", status_of(&record));
    let reference = reference_of(&record)?;

    // The receipt, as the core wrote it: the business, the hotel by name, the tax lines.
    goto(app, "payments").await?;
    wait_js(
        app,
        "the payment in the table",
        &format!("document.querySelector('#pay-table tr[data-reference=\"{reference}\"]')"),
        15,
    )
    .await?;
    open_row(app, &reference).await?;
    app.click("#pd-receipt").await?;
    app.wait_visible("#dialog-receipt #receipt").await?;
    ensure!(
        app.wait_for_text("#receipt-reference", |t| !t.is_empty()).await? == reference,
        "the receipt's reference"
    );
    app.wait_for_text("#receipt-business", |t| t == "Viajes Ñandú S.A.S.").await?;
    let receipt = app.wait_for_text("#receipt", |t| !t.is_empty()).await?;
    for expected in [
        "NIT 900123456-7",
        "Hotel Demo Cartagena",
        "250,000.00 COP",
        "Visa •••• 1111",
        "Tax (19 %)",
        "36,821.71 COP",
        "Service (10 %)",
        "TEST RECEIPT",
    ] {
        ensure!(receipt.contains(expected), "the receipt lacks {expected:?}:\n{receipt}");
    }
    wait_js(
        app,
        "the logo on the receipt",
        "document.querySelector('#receipt .receipt-logo')?.naturalWidth === 240",
        10,
    )
    .await?;
    let page = page_text(app).await?;
    for never in EXPIRY.iter().chain([&CARD]) {
        ensure!(!page.contains(never), "the window shows {never:?} with the receipt open");
    }
    app.snap("receipt-preview").await?;

    // Save as PDF: the file the dialog names exists, is a PDF, and holds no card data.
    app.click("#receipt-save").await?;
    let path = app.wait_for_text("#receipt-saved-path", |t| !t.is_empty()).await?;
    ensure!(path.ends_with(&format!("Receipt {reference}.pdf")), "saved as {path:?}");
    let bytes = std::fs::read(&path).map_err(|e| format!("the saved receipt {path} cannot be read: {e}"))?;
    let _ = std::fs::remove_file(&path);
    ensure!(bytes.starts_with(b"%PDF-"), "{path} is not a PDF");
    ensure!(!bytes.windows(CARD.len()).any(|w| w == CARD.as_bytes()), "the PDF holds the card number");
    app.wait_visible("#receipt-open-folder").await?;
    app.snap("receipt-saved-pdf").await?;

    // Email: the guest's address comes filled from the payment; it arrives at the sink with the PDF.
    app.click("#receipt-email-open").await?;
    let to =
        app.client.find(Locator::Css("#receipt-email-to")).await?.prop("value").await?.unwrap_or_default();
    ensure!(to == guest, "the email field holds {to:?}, not the guest's address");
    app.press(Key::Enter).await?;
    let sent = app.wait_for_text("#receipt-email-sent", |t| !t.is_empty()).await?;
    ensure!(sent.contains(&guest) && sent.contains(&port.to_string()), "the dialog says {sent:?}");
    ensure!(
        app.client.find(Locator::Css("#dialog-receipt")).await.is_ok(),
        "Enter in the address printed or closed"
    );
    app.snap("receipt-emailed").await?;
    let message = received(&mailbox, &guest)?;
    ensure!(message.contains(&format!("To: {guest}")), "not addressed to the guest: {message:.600}");
    ensure!(message.contains("Content-Type: application/pdf"), "no PDF attached:\n{message:.2000}");
    ensure!(message.contains(&format!("filename=\"Receipt {reference}.pdf\"")), "the attachment's name");
    // "%PDF-" in base64, at the start of the attachment's body.
    ensure!(message.contains("JVBERi0"), "the attachment is not a PDF");
    for never in EXPIRY.iter().chain([&CARD]) {
        ensure!(!message.contains(never), "the email holds {never:?}");
    }

    // A wrong address is refused at its field, nothing sent.
    app.type_into("#receipt-email-to", "ana at example").await?;
    app.click("#receipt-email-send").await?;
    let wrong = app.wait_for_text("#receipt-email-to-error", |t| !t.is_empty()).await?;
    ensure!(wrong.contains("ana at example"), "a wrong address reads {wrong:?}");
    app.press(Key::Escape).await?;
    wait_js(app, "the receipt dialog to close", "!document.getElementById('dialog-receipt')", 5).await?;

    // In Spanish, the whole receipt follows the language.
    app.click("#locale-switch").await?;
    app.wait_for_text("#h-payments", |t| t == "Pagos").await?;
    app.click("#pd-receipt").await?;
    app.wait_visible("#dialog-receipt #receipt").await?;
    let receipt = app.wait_for_text("#receipt", |t| t.contains("Recibo de pago")).await?;
    for expected in
        ["250.000,00 COP", "Impuesto (19 %)", "Huésped", "RECIBO DE PRUEBA", "Viajes Ñandú S.A.S."]
    {
        ensure!(receipt.contains(expected), "the Spanish receipt lacks {expected:?}:\n{receipt}");
    }
    app.snap("receipt-preview-es").await?;
    app.press(Key::Escape).await?;
    wait_js(app, "the receipt dialog to close", "!document.getElementById('dialog-receipt')", 5).await?;
    app.click("#locale-switch").await?;
    app.wait_for_text("#h-payments", |t| t == "Payments").await?;

    // Nothing of the card on disk either.
    let leaks = app.files_containing(&[CARD])?;
    ensure!(leaks.is_empty(), "card numbers on disk: {leaks:?}");
    Ok(())
}
