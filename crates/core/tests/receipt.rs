//! Receipts fit to hand over: payments taken through the engine against the sandbox, into a real
//! SQLite file, then their receipts built in English and Spanish, made into PDFs read back by
//! poppler's `pdftotext`, and emailed through a real SMTP server — the local sink the test session
//! starts (`xtask/src/session.rs`), whose mailbox the test reads back. No card's expiry, number or
//! code may be in any of them.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use farepoint_core::business::{self, Business, BusinessInput};
use farepoint_core::card::{Card, CardInput};
use farepoint_core::engine::{AtripPayment, Engine, PaymentRecord, TravelportFop, TravelportPayment};
use farepoint_core::history::receipt::{self, email, pdf, Issuing, Locale, Receipt, ReceiptRequest};
use farepoint_core::money::{Currency, Money, Sign};
use farepoint_core::payment::Status;
use farepoint_core::providers::atrip::Method;
use farepoint_core::providers::heipay::{HeiPayPayment, OrderInput};
use farepoint_core::providers::holidayextras::HolidayExtrasPayment;
use farepoint_core::settings::Hotel;
use farepoint_core::smtp::{self, Security, SendError, Smtp};
use farepoint_core::store::{self, Store};
use farepoint_sandbox::demo;
use mail_parser::MimeHeaders;

/// The card every payment here is keyed with, and what a receipt must never show of it.
const PAN: &str = "4111111111111111";
const EXPIRY: [&str; 4] = ["12/99", "12/2099", "2099-12", "1299"];

fn keyed() -> Card {
    Card::parse(&CardInput {
        number: PAN,
        cvv: "123",
        expiry_month: "12",
        expiry_year: "2099",
        holder: "Ana Munoz",
    })
    .unwrap()
}

fn money(text: &str, code: &str) -> Money {
    Money::parse_major(text, Currency::from_code(code).unwrap(), Sign::NonNegative).unwrap()
}

/// A real PNG logo, drawn here.
fn logo_png() -> Vec<u8> {
    let (width, height) = (180, 60);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    let data: Vec<u8> = (0..width * height)
        .flat_map(|i| if (i % width) < width / 3 { [20, 90, 160] } else { [240, 150, 30] })
        .collect();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}

/// The business as Settings → Business keeps it, in a real settings file.
fn business() -> (tempfile::TempDir, Business) {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open_in(dir.path()).unwrap());
    let mut conn = rusqlite_connection(dir.path());
    let input = BusinessInput {
        name: "Viajes Ñandú S.A.S.".into(),
        address: "Calle 10 # 5-51\nCartagena de Indias, Colombia".into(),
        tax_label: "NIT".into(),
        tax_number: "900123456-7".into(),
        phone: "+57 605 660 1234".into(),
        email: "hola@nandu.example".into(),
    };
    business::save(&mut conn, &input, 1).unwrap();
    let business = business::set_logo(&conn, logo_png(), 2).unwrap();
    assert!(business.logo.is_some());
    (dir, business)
}

fn rusqlite_connection(dir: &Path) -> farepoint_core::history::Connection {
    farepoint_core::history::Connection::open(dir.join(store::DB_FILE)).unwrap()
}

fn hotels() -> Vec<Hotel> {
    vec![Hotel { id: demo::heipay::HOTEL_ID, name: demo::heipay::HOTEL_NAME.into() }]
}

async fn build(engine: &Engine, id: &str, business: &Business, locale: Locale) -> Receipt {
    let (id, business) = (id.to_string(), business.clone());
    engine
        .store()
        .read(move |c| {
            let hotels = hotels();
            let issuing = Issuing {
                business: &business,
                hotels: &hotels,
                request: ReceiptRequest { locale, utc_offset_minutes: -300 },
                now_ms: farepoint_core::now_ms(),
            };
            Ok(receipt::receipt(c, &id, &issuing))
        })
        .await
        .unwrap()
        .unwrap()
}

/// The receipt as served, less the logo's picture (its base64 is not text to search).
fn served(r: &Receipt) -> String {
    let mut r = r.clone();
    if let Some(issuer) = r.issuer.as_mut() {
        issuer.logo = None;
    }
    serde_json::to_string(&r).unwrap()
}

fn line<'a>(lines: &'a [receipt::ReceiptLine], key: &str) -> Option<&'a str> {
    lines.iter().find(|l| l.key == key).map(|l| l.value.as_str())
}

fn label<'a>(lines: &'a [receipt::ReceiptLine], key: &str) -> Option<&'a str> {
    lines.iter().find(|l| l.key == key).map(|l| l.label.as_str())
}

/// Nothing of the card beyond brand and last four, and nothing internal, anywhere in `text`.
fn assert_clean(what: &str, text: &str, record: &PaymentRecord) {
    assert!(!text.contains(PAN), "{what} holds the card number");
    for expiry in EXPIRY {
        assert!(!text.contains(expiry), "{what} holds the expiry ({expiry})");
    }
    for attempt in &record.attempts {
        assert!(!text.contains(&attempt.idempotency_key), "{what} holds an attempt's key");
        assert!(!text.contains(&attempt.id), "{what} holds an attempt's id");
    }
    for internal in ["gseq", "seal", "hash", "idempotency", "workbench", "Journaled", "attempt"] {
        assert!(!text.to_lowercase().contains(&internal.to_lowercase()), "{what} holds {internal:?}");
    }
}

/// £45.00 on the demo token that is approved, for booking `reference`.
fn holiday_extras(reference: &str) -> HolidayExtrasPayment {
    HolidayExtrasPayment {
        token: demo::holidayextras::TOKEN_APPROVE.into(),
        payment_reference: reference.into(),
        amount: money("45.00", "GBP"),
        customer: "Ana Muñoz".into(),
        postal_code: None,
        country_code: None,
    }
}

/// One paid payment of each provider, and the world they were taken in.
struct Paid {
    w: World,
    atrip: PaymentRecord,
    travelport: PaymentRecord,
    holidayextras: PaymentRecord,
    heipay: PaymentRecord,
}

async fn pay_each() -> Paid {
    let w = world().await;
    let order = seed_atrip_order(&w.sandbox, "245.60", "USD", &[1, 3, 4, 5], &["MUÑOZ/ANA"]).await;
    let atrip = w
        .engine
        .pay_atrip(AtripPayment {
            order_no: order.clone(),
            method: Method::Mor,
            card: Some(keyed()),
            three_ds_ip: Some("203.0.113.7".into()),
        })
        .await
        .unwrap();
    let atrip = settle(&w.engine, &atrip.payment.id).await;
    assert_eq!(atrip.status(), Status::Ticketed, "{:#?}", atrip.timeline);

    let locator = common::travelport::seed_simple_pnr(&w.sandbox, "512.30").await;
    let travelport = w
        .engine
        .pay_travelport(TravelportPayment {
            locator: locator.clone(),
            offer_ids: vec!["offer_1".into()],
            fop: TravelportFop::Card(keyed()),
        })
        .await
        .unwrap();
    let travelport = settle(&w.engine, &travelport.payment.id).await;
    assert_eq!(travelport.status(), Status::Ticketed, "{:#?}", travelport.timeline);

    let holidayextras = w.engine.pay_holidayextras(holiday_extras("HXA-2026-77")).await.unwrap();
    assert_eq!(holidayextras.status(), Status::Paid);

    let heipay = w
        .engine
        .pay_heipay(HeiPayPayment {
            order: OrderInput {
                hotel_id: demo::heipay::HOTEL_ID,
                guest_first_name: "Ana".into(),
                guest_last_name: "Muñoz".into(),
                detail: Some("Habitación 204, dos noches".into()),
                amount: Some(money("250000", "COP")),
                installments: 3,
                tax_percent: Some("0.19".into()),
                service_percent: Some("0.10".into()),
                email: Some("ana@example.com".into()),
                phone: None,
                address: None,
                fiscal_number: Some("52.123.456-1".into()),
                ip: None,
            },
            card: keyed(),
        })
        .await
        .unwrap();
    assert_eq!(heipay.status(), Status::Paid, "{:#?}", heipay.timeline);
    Paid { w, atrip, travelport, holidayextras, heipay }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_providers_receipt_names_the_business_what_was_paid_and_the_providers_reference() {
    let paid = pay_each().await;
    let (_settings, business) = business();
    let engine = &paid.w.engine;

    // ATRIP: its order number as the provider's reference, the airline's PNR, the card masked,
    // the tickets with their passengers.
    let r = build(engine, &paid.atrip.payment.id, &business, Locale::En).await;
    let order = paid.atrip.attempts[0].provider_ref.clone().expect("ATRIP answered with its order");
    assert_eq!(label(&r.facts, "provider-reference"), Some("ATRIP order"));
    assert_eq!(line(&r.facts, "provider-reference"), Some(order.as_str()));
    assert_eq!(line(&r.facts, "card"), Some("Visa •••• 1111"));
    assert_eq!(line(&r.facts, "holder"), Some("ANA MUNOZ"));
    assert_eq!(line(&r.facts, "method"), Some("Card, charged by ATRIP"));
    assert!(line(&r.paid_for, "pnr").is_some_and(|p| p.len() == 6), "{:?}", r.paid_for);
    assert_eq!(r.amount_text, "245.60 USD");
    assert_eq!(r.status_text, "Paid — tickets issued");
    let tickets = r.tickets.as_ref().expect("the tickets are listed");
    assert_eq!(tickets.rows.len(), 1);
    assert_eq!(tickets.rows[0][1], "MUÑOZ/ANA");
    assert_clean("the ATRIP receipt", &served(&r), &paid.atrip);

    // The business's block heads every receipt; a Sandbox payment's says it is a test.
    let issuer = r.issuer.as_ref().expect("the business is set up");
    assert_eq!(issuer.name, "Viajes Ñandú S.A.S.");
    assert_eq!(
        issuer.lines,
        [
            "Calle 10 # 5-51",
            "Cartagena de Indias, Colombia",
            "NIT 900123456-7",
            "Tel. +57 605 660 1234",
            "hola@nandu.example"
        ]
    );
    assert_eq!(issuer.logo.as_ref().map(|l| l.size()), Some((180, 60)));
    assert_eq!(r.test.as_deref(), Some("TEST RECEIPT — Sandbox: no real money moved"));
    assert_eq!(r.subject, format!("Receipt {} — Viajes Ñandú S.A.S.", r.reference));
    assert_eq!(r.file_name, format!("Receipt {}.pdf", r.reference));

    // Travelport: the locator, the offer paid with its price, the ticket issued.
    let r = build(engine, &paid.travelport.payment.id, &business, Locale::En).await;
    assert_eq!(label(&r.facts, "provider-reference"), Some("Travelport locator"));
    assert_eq!(line(&r.facts, "provider-reference"), Some(paid.travelport.payment.subject_key.as_str()));
    let offer = r.paid_for.iter().find(|l| l.key == "offer").expect("the offer is listed");
    assert_eq!(offer.value, "512.30 USD", "{offer:?}");
    assert!(!offer.label.is_empty() && !offer.label.contains("offer_1"), "{offer:?}");
    assert_eq!(r.tickets.as_ref().map(|t| t.rows.len()), Some(1));
    assert_clean("the Travelport receipt", &served(&r), &paid.travelport);

    // Holiday Extras: the id its answer gave, the booking reference, the token as the method.
    let r = build(engine, &paid.holidayextras.payment.id, &business, Locale::En).await;
    let hx_id = paid.holidayextras.attempts[0].provider_ref.clone().unwrap();
    assert_eq!(label(&r.facts, "provider-reference"), Some("Holiday Extras payment id"));
    assert_eq!(line(&r.facts, "provider-reference"), Some(hx_id.as_str()));
    assert_eq!(line(&r.paid_for, "booking"), Some("HXA-2026-77"));
    assert_eq!(line(&r.facts, "method"), Some("Card kept by Holiday Extras"));
    assert_eq!(line(&r.facts, "card"), None);
    // Its attempt's key is the paymentId Holiday Extras echoes: shown as the provider's reference,
    // and so not checked as an internal line here.
    assert!(!served(&r).contains(PAN));
    assert!(r.refunds.is_none() && r.totals.is_empty());

    // Refunded in part: the refund listed with its date, and what was paid less it.
    let refunded = engine
        .refund_holidayextras(&paid.holidayextras.payment.id, Some(money("15.00", "GBP")))
        .await
        .unwrap();
    assert_eq!(refunded.refunds.len(), 1, "{:#?}", refunded.refunds);
    let r = build(engine, &paid.holidayextras.payment.id, &business, Locale::En).await;
    let refunds = r.refunds.as_ref().expect("the refund is listed");
    assert_eq!(refunds.columns, ["Date", "Amount"]);
    assert_eq!(refunds.rows.len(), 1);
    assert_eq!(refunds.rows[0][1], "15.00 GBP");
    assert!(refunds.rows[0][0].ends_with("(UTC-05:00)"), "{:?}", refunds.rows);
    assert_eq!(line(&r.totals, "refunded"), Some("15.00 GBP"));
    assert_eq!(line(&r.totals, "net"), Some("30.00 GBP"));
    assert_eq!(r.status_text, "Paid");

    // HeiPay: the hotel by its name (never "Hotel: 1"), the guest, the description, the tax and
    // service entered splitting the amount charged to the cent, our reference as HeiPay's.
    let r = build(engine, &paid.heipay.payment.id, &business, Locale::En).await;
    assert_eq!(line(&r.paid_for, "hotel"), Some(demo::heipay::HOTEL_NAME));
    assert_eq!(line(&r.paid_for, "detail"), Some("Habitación 204, dos noches"));
    assert_eq!(line(&r.paid_for, "installments"), Some("3"));
    assert_eq!(label(&r.facts, "customer"), Some("Guest"));
    assert_eq!(line(&r.facts, "customer-tax-number"), Some("52.123.456-1"));
    assert_eq!(line(&r.facts, "provider-reference"), Some(r.reference.as_str()));
    let totals: Vec<(&str, &str)> = r.totals.iter().map(|l| (l.label.as_str(), l.value.as_str())).collect();
    assert_eq!(
        totals,
        [
            ("Subtotal", "193,798.44 COP"),
            ("Tax (19 %)", "36,821.71 COP"),
            ("Service (10 %)", "19,379.85 COP"),
            ("Total", "250,000.00 COP"),
        ]
    );
    assert_eq!(r.email_to.as_deref(), Some("ana@example.com"));
    assert_clean("the HeiPay receipt", &served(&r), &paid.heipay);

    // The same receipt in Spanish: every word, amounts as Spanish writes them.
    let es = build(engine, &paid.heipay.payment.id, &business, Locale::Es).await;
    assert_eq!(es.title, "Recibo de pago");
    assert_eq!(es.amount_text, "250.000,00 COP");
    assert_eq!(es.status_text, "Pagado");
    assert_eq!(label(&es.facts, "customer"), Some("Huésped"));
    assert_eq!(label(&es.facts, "provider-reference"), Some("Referencia en HeiPay"));
    assert_eq!(label(&es.totals, "tax"), Some("Impuesto (19 %)"));
    assert_eq!(line(&es.totals, "service"), Some("19.379,85 COP"));
    assert_eq!(es.test.as_deref(), Some("RECIBO DE PRUEBA — Sandbox: no se movió dinero real"));
    assert_eq!(es.file_name, format!("Recibo {}.pdf", es.reference));
    assert!(es.facts.iter().find(|l| l.key == "date").is_some_and(|d| d.value.ends_with("(UTC-05:00)")));

    // Without a business set up, a receipt still has everything else, and no header.
    let bare = build(engine, &paid.heipay.payment.id, &Business::default(), Locale::En).await;
    assert!(bare.issuer.is_none());
    assert_eq!(bare.subject, format!("Receipt {}", bare.reference));

    // A UTC offset no place has is refused by its code, as the Summary refuses it.
    let id = paid.heipay.payment.id.clone();
    let refused = engine
        .store()
        .read(move |c| {
            let request = ReceiptRequest { locale: Locale::En, utc_offset_minutes: 19 * 60 };
            let issuing = Issuing { business: &Business::default(), hotels: &[], request, now_ms: 0 };
            Ok(receipt::receipt(c, &id, &issuing))
        })
        .await
        .unwrap()
        .unwrap_err();
    match refused {
        farepoint_core::history::HistoryError::Invalid(coded) => {
            assert_eq!(coded.code.as_str(), "utc_offset")
        }
        other => panic!("{other}"),
    }
}

/// The text `pdftotext` (poppler) reads out of a PDF.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("receipt.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!("pdftotext (poppler-utils) is missing — `cargo xtask test` installs it: {e}")
        });
    assert!(out.status.success(), "poppler cannot read the PDF: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Where a test leaves a PDF for people to look at, as the window tests leave screenshots.
fn keep(name: &str, pdf: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("receipts");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipts_pdf_reads_back_with_the_business_amount_and_masked_card_and_no_expiry() {
    let paid = pay_each().await;
    let (_settings, business) = business();
    for (record, locale, amount, name) in [
        (&paid.heipay, Locale::En, "250,000.00 COP", "heipay-en.pdf"),
        (&paid.heipay, Locale::Es, "250.000,00 COP", "heipay-es.pdf"),
        (&paid.atrip, Locale::En, "245.60 USD", "atrip-en.pdf"),
        (&paid.travelport, Locale::Es, "512,30 USD", "travelport-es.pdf"),
    ] {
        let r = build(&paid.w.engine, &record.payment.id, &business, locale).await;
        let bytes = pdf::pdf(&r).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "{name} is not a PDF");
        keep(name, &bytes);
        let text = pdf_text(&bytes);
        for expected in [
            "Viajes Ñandú S.A.S.",
            "NIT 900123456-7",
            amount,
            "Visa •••• 1111",
            r.reference.as_str(),
            r.title.as_str(),
            r.test.as_deref().unwrap(),
        ] {
            assert!(text.contains(expected), "{name} lacks {expected:?}:\n{text}");
        }
        assert_clean(name, &text, record);
        // The file saved is these bytes, under the receipt's name, with no `.part` left behind.
        let dir = tempfile::tempdir().unwrap();
        let path = receipt::save_pdf(dir.path(), &r, &bytes).unwrap();
        assert_eq!(path, dir.path().join(&r.file_name));
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
    // A receipt longer than a page goes on over the next ones, every row kept.
    let mut long = build(&paid.w.engine, &paid.atrip.payment.id, &business, Locale::En).await;
    let tickets = long.tickets.as_mut().unwrap();
    for i in 0..90 {
        tickets.rows.push(vec![format!("203-21{i:08}"), format!("PASSENGER/NUMBER {i}"), "Ticket".into()]);
    }
    let bytes = pdf::pdf(&long).unwrap();
    keep("atrip-long.pdf", &bytes);
    let text = pdf_text(&bytes);
    assert!(text.contains("PASSENGER/NUMBER 89") && text.contains(long.issued.as_str()), "{text}");
    // pdftotext ends each page with a form feed.
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 2, "the rows did not go on to another page");
    for n in 1..=pages {
        assert!(text.contains(&format!("Page {n} of {pages}")), "page {n} is not numbered:\n{text}");
    }

    // The Spanish HeiPay PDF has the hotel, the tax lines and the guest in Spanish.
    let r = build(&paid.w.engine, &paid.heipay.payment.id, &business, Locale::Es).await;
    let text = pdf_text(&pdf::pdf(&r).unwrap());
    for expected in [demo::heipay::HOTEL_NAME, "Impuesto (19 %)", "36.821,71 COP", "Huésped", "Ana Muñoz"] {
        assert!(text.contains(expected), "the Spanish PDF lacks {expected:?}:\n{text}");
    }
}

/// The local SMTP sink the test session runs: its address and the Maildir it writes to.
fn sink() -> (String, u16, PathBuf) {
    let address = std::env::var("FAREPOINT_SMTP_SINK").expect(
        "FAREPOINT_SMTP_SINK is not set — run the tests with `cargo xtask test`, whose session starts the \
         local SMTP sink (xtask/src/session.rs)",
    );
    let mailbox = std::env::var("FAREPOINT_SMTP_MAILBOX").expect("FAREPOINT_SMTP_MAILBOX is not set");
    let (host, port) = address.rsplit_once(':').expect("host:port");
    (host.to_string(), port.parse().unwrap(), PathBuf::from(mailbox))
}

/// The message the sink received for `to`, as its raw bytes (waits up to 15 s).
fn received(mailbox: &Path, to: &str) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        for folder in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(mailbox.join(folder)) else { continue };
            for entry in entries.flatten() {
                let bytes = std::fs::read(entry.path()).unwrap_or_default();
                if bytes.windows(to.len()).any(|w| w == to.as_bytes()) {
                    return bytes;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no message for {to} reached the sink's mailbox {}", mailbox.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_emailed_through_a_real_smtp_server_arrives_with_its_pdf_and_no_card_data() {
    let (host, port, mailbox) = sink();
    let paid = pay_each().await;
    let (_settings, business) = business();
    let r = build(&paid.w.engine, &paid.heipay.payment.id, &business, Locale::Es).await;
    let pdf = pdf::pdf(&r).unwrap();
    let smtp = Smtp {
        host: host.clone(),
        port,
        security: Security::None,
        username: String::new(),
        from: "recibos@nandu.example".into(),
    };
    let to = format!("guest-{}@example.com", uuid::Uuid::new_v4().simple());

    // A wrong address is refused before anything is sent.
    let wrong = email::message(&r, &smtp, &business, "ana at example", pdf.clone()).unwrap_err();
    assert_eq!(wrong.coded().code.as_str(), "email_format");

    let message = email::message(&r, &smtp, &business, &to, pdf.clone()).unwrap();
    smtp::send(&smtp, None, message).await.unwrap();
    let raw = received(&mailbox, &to);
    let parsed = mail_parser::MessageParser::default().parse(&raw).expect("the message parses");
    assert_eq!(parsed.subject(), Some(r.subject.as_str()));
    assert!(
        r.subject.starts_with("Recibo FP-") && r.subject.ends_with("— Viajes Ñandú S.A.S."),
        "{}",
        r.subject
    );
    let from = parsed.from().and_then(|f| f.first()).unwrap();
    assert_eq!((from.name(), from.address()), (Some("Viajes Ñandú S.A.S."), Some("recibos@nandu.example")));
    assert_eq!(
        parsed.reply_to().and_then(|f| f.first()).and_then(|a| a.address()),
        Some("hola@nandu.example")
    );
    let text = parsed.body_text(0).expect("a plain-text body").to_string();
    let html = parsed.body_html(0).expect("an HTML body").to_string();
    for body in [&text, &html] {
        for expected in [
            "250.000,00 COP",
            r.reference.as_str(),
            demo::heipay::HOTEL_NAME,
            "Visa •••• 1111",
            "Impuesto (19 %)",
        ] {
            assert!(body.contains(expected), "the body lacks {expected:?}:\n{body}");
        }
    }
    assert!(html.contains("Viajes Ñandú S.A.S."), "{html}");
    // The logo rides inside the message, shown by the HTML body through its Content-ID.
    let logo = parsed
        .parts
        .iter()
        .find(|p| p.content_type().is_some_and(|c| c.ctype() == "image" && c.subtype() == Some("png")))
        .expect("the logo is in the message");
    assert_eq!(logo.contents(), logo_png().as_slice());
    let cid = logo.content_id().expect("the logo has a Content-ID");
    assert!(html.contains(&format!("cid:{cid}")), "{html}");
    let attachment = parsed
        .attachments()
        .find(|a| a.content_type().is_some_and(|c| c.subtype() == Some("pdf")))
        .expect("the PDF is attached");
    assert_eq!(
        attachment.content_type().map(|c| (c.ctype(), c.subtype())),
        Some(("application", Some("pdf")))
    );
    assert_eq!(attachment.attachment_name(), Some(r.file_name.as_str()));
    assert_eq!(attachment.contents(), pdf.as_slice());
    // Everything sent, decoded and raw: no card number, no expiry, nothing internal.
    let everything =
        format!("{}\n{text}\n{html}\n{}", String::from_utf8_lossy(&raw), pdf_text(attachment.contents()));
    assert_clean("the email", &everything, &paid.heipay);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_refuses_the_receipt_is_quoted_in_its_own_words() {
    // The session's second sink takes no message larger than 2 KiB: a receipt with its PDF is.
    let address = std::env::var("FAREPOINT_SMTP_REFUSING").expect(
        "FAREPOINT_SMTP_REFUSING is not set — run the tests with `cargo xtask test` (xtask/src/session.rs)",
    );
    let (host, port) = address.rsplit_once(':').unwrap();
    let paid = pay_each().await;
    let (_settings, business) = business();
    let r = build(&paid.w.engine, &paid.holidayextras.payment.id, &business, Locale::En).await;
    let smtp = Smtp {
        host: host.into(),
        port: port.parse().unwrap(),
        security: Security::None,
        username: String::new(),
        from: "recibos@nandu.example".into(),
    };
    let message = email::message(&r, &smtp, &business, "guest@example.com", pdf::pdf(&r).unwrap()).unwrap();
    let err = smtp::send(&smtp, None, message).await.unwrap_err();
    let SendError::Refused { reply, .. } = &err else { panic!("not a refusal: {err:?}") };
    assert!(reply.starts_with("552"), "the server's words: {reply}");
    let coded = err.coded();
    assert_eq!(coded.code.as_str(), "smtp_refused");
    assert_eq!(coded.params["reply"], *reply);
    assert!(coded.english().contains(reply), "{}", coded.english());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jpeg_logo_is_checked_kept_and_embedded_in_the_pdf_as_it_is() {
    let w = world().await;
    let paid = w.engine.pay_holidayextras(holiday_extras("HXA-2026-78")).await.unwrap();
    let jpeg =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/receipt/logo.jpg")).unwrap();
    let (_settings, business) = business();
    let conn = rusqlite_connection(_settings.path());
    let business = Business { logo: business::set_logo(&conn, jpeg, 3).unwrap().logo, ..business };
    let logo = business.logo.as_ref().unwrap();
    assert_eq!((logo.kind(), logo.size()), (business::LogoKind::Jpeg, (90, 30)));
    let r = build(&w.engine, &paid.payment.id, &business, Locale::En).await;
    let bytes = pdf::pdf(&r).unwrap();
    keep("holidayextras-jpeg-logo.pdf", &bytes);
    // poppler lists the one picture: the JPEG itself (DCT), at its own size.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("receipt.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let out = std::process::Command::new("pdfimages").arg("-list").arg(&path).output().unwrap();
    let list = String::from_utf8(out.stdout).unwrap();
    let images: Vec<&str> = list.lines().skip(2).collect();
    assert_eq!(images.len(), 1, "{list}");
    let columns: Vec<&str> = images[0].split_whitespace().collect();
    assert_eq!((columns[3], columns[4], columns[8]), ("90", "30", "jpeg"), "{list}");
}
