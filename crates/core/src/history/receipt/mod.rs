//! A receipt fit to hand over, built here once for the dialog, the PDF and the email alike
//! (docs/ui.md §11): the business that issues it, what was paid for in the provider's terms, the
//! amount, the card masked (never its expiry) or the method, the provider's own reference, the
//! date, our reference and any refunds — in the agent's language. Nothing internal: no attempt
//! counts, timeline sentences, seals or raw codes.

pub mod email;
pub mod pdf;
mod words;

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

pub use words::{Locale, Words};

use super::{ticket_number_display, MaskedCard, Result};
use crate::business::{Business, Logo};
use crate::codes::{CodedError, ErrorCode};
use crate::money::Money;
use crate::payment::{Payment, Provider, RefundStatus, Status, TicketKind};
use crate::profile::Profile;
use crate::providers::atrip::Method;
use crate::settings::Hotel;
use crate::store;
use crate::subject::Subject;
use words::fill;

/// One "label: value" line. `key` names the line for the window (an element id), where it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    pub label: String,
    pub value: String,
}

impl ReceiptLine {
    fn new(key: &str, label: impl Into<String>, value: impl Into<String>) -> Self {
        ReceiptLine { key: key.to_string(), label: label.into(), value: value.into() }
    }
}

/// A small table (tickets, refunds): its heading, column names and rows of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptTable {
    pub heading: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The business's block at the head of the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issuer {
    pub name: String,
    /// Address lines, then the tax number, then phone and email.
    pub lines: Vec<String>,
    pub logo: Option<Logo>,
}

/// What the window asks a receipt in: its language, and its UTC offset for the times.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct ReceiptRequest {
    pub locale: Locale,
    pub utc_offset_minutes: i32,
}

/// What a receipt needs beside the history: who issues it, and the hotels' names.
pub struct Issuing<'a> {
    pub business: &'a Business,
    pub hotels: &'a [Hotel],
    pub request: ReceiptRequest,
    /// When it is issued (`now_ms`).
    pub now_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// The payment the dialog saves or emails (never shown).
    pub payment_id: String,
    pub reference: String,
    pub locale: Locale,
    pub title: String,
    /// On a Sandbox receipt, the words that say it is a test.
    pub test: Option<String>,
    /// `None` until the business is set up in Settings.
    pub issuer: Option<Issuer>,
    pub amount: Money,
    pub amount_label: String,
    /// "250,000.00 COP".
    pub amount_text: String,
    pub status: Status,
    pub status_text: String,
    /// Reference, date, provider and its reference, customer, card or method.
    pub facts: Vec<ReceiptLine>,
    pub paid_for_heading: String,
    /// What was bought, in the provider's terms.
    pub paid_for: Vec<ReceiptLine>,
    /// HeiPay's subtotal, tax and service as entered, and the total; refunds' net.
    pub totals: Vec<ReceiptLine>,
    pub tickets: Option<ReceiptTable>,
    pub refunds: Option<ReceiptTable>,
    /// "Issued 8 Dec 2026, 14:05 (UTC+01:00)".
    pub issued: String,
    /// "Receipt FP-….pdf": the saved file's and the attachment's name.
    pub file_name: String,
    /// The email's subject.
    pub subject: String,
    /// The customer's address, when the payment holds one (a HeiPay guest's).
    pub email_to: Option<String>,
}

/// Everything a receipt for `payment_id` shows, in `issuing.request.locale`.
pub fn receipt(conn: &Connection, payment_id: &str, issuing: &Issuing<'_>) -> Result<Receipt> {
    let offset = issuing.request.utc_offset_minutes;
    if offset.abs() > 18 * 60 {
        return Err(super::invalid(CodedError::new(ErrorCode::UtcOffset).with("minutes", offset)));
    }
    let p = store::get_payment(conn, payment_id)?;
    let locale = issuing.request.locale;
    let w = locale.words();
    let when = |ms: i64| locale.date_time(ms, offset);

    let tickets = store::tickets_for(conn, payment_id)?;
    let attempts = store::attempts_for(conn, payment_id)?;
    let refunds: Vec<_> = store::refunds_for(conn, payment_id)?
        .into_iter()
        .filter(|r| r.status == RefundStatus::Refunded)
        .collect();
    // The provider's own id for the charge, from the newest attempt that holds one.
    let provider_ref = attempts.iter().rev().find_map(|a| a.provider_ref.clone());

    let facts = facts(&p, provider_ref, locale, offset);

    let mut totals = heipay_totals(&p, locale);
    if !refunds.is_empty() {
        // Refunds are in the payment's currency and never more than was charged (engine/refund.rs).
        let refunded: i64 = refunds.iter().map(|r| r.amount.minor).sum();
        let currency = p.amount.currency;
        totals.push(ReceiptLine::new(
            "refunded",
            w.refunded,
            locale.money(Money::from_minor(refunded, currency)),
        ));
        let net = Money::from_minor(p.amount.minor - refunded, currency);
        totals.push(ReceiptLine::new("net", w.net_paid, locale.money(net)));
    }

    let tickets = (!tickets.is_empty()).then(|| ReceiptTable {
        heading: w.tickets.into(),
        columns: vec![w.ticket_number.into(), w.passenger.into(), w.ticket_kind.into()],
        rows: tickets
            .iter()
            .map(|t| {
                let kind = match t.kind {
                    TicketKind::Ticket => w.kind_ticket,
                    TicketKind::Emd => w.kind_emd,
                };
                vec![ticket_number_display(&t.number), t.passenger.clone(), kind.into()]
            })
            .collect(),
    });
    let refunds = (!refunds.is_empty()).then(|| ReceiptTable {
        heading: w.refunds.into(),
        columns: vec![w.date.into(), w.amount.into()],
        rows: refunds.iter().map(|r| vec![when(r.updated_at_ms), locale.money(r.amount)]).collect(),
    });

    let issuer = issuer(issuing.business, w);
    let of_reference = fill(w.receipt_of, "reference", &p.reference);
    let subject = match &issuer {
        Some(issuer) => format!("{of_reference} — {}", issuer.name),
        None => of_reference.clone(),
    };
    let sandbox = p.profile == Profile::Sandbox.as_str();
    let email_to = match &p.subject {
        Subject::HeiPay(s) => s.email.clone().filter(|e| !e.is_empty()),
        _ => None,
    };
    Ok(Receipt {
        paid_for: paid_for_lines(&p, locale, issuing.hotels),
        payment_id: p.id,
        reference: p.reference,
        locale,
        title: w.title.into(),
        test: sandbox.then(|| w.test_receipt.into()),
        issuer,
        amount: p.amount,
        amount_label: w.amount.into(),
        amount_text: locale.money(p.amount),
        status: p.status,
        status_text: w.status(p.status).into(),
        facts,
        paid_for_heading: w.paid_for.into(),
        totals,
        tickets,
        refunds,
        issued: fill(w.issued, "date", &when(issuing.now_ms)),
        file_name: format!("{}.pdf", file_safe(&of_reference)),
        subject,
        email_to,
    })
}

/// Reference, date, provider and its reference, customer, card or method.
fn facts(p: &Payment, provider_ref: Option<String>, locale: Locale, offset: i32) -> Vec<ReceiptLine> {
    let w = locale.words();
    let mut facts = vec![
        ReceiptLine::new("reference", w.reference, &p.reference),
        ReceiptLine::new("date", w.date, locale.date_time(p.created_at_ms, offset)),
        ReceiptLine::new("provider", w.paid_through, p.provider.display_name()),
    ];
    let (label, value) = provider_reference(p, provider_ref, w);
    facts.push(ReceiptLine::new("provider-reference", label, value));
    let guest = matches!(p.subject, Subject::HeiPay(_));
    facts.push(ReceiptLine::new("customer", if guest { w.guest } else { w.customer }, &p.customer));
    if let Subject::HeiPay(s) = &p.subject {
        if let Some(fiscal) = s.fiscal_number.clone().filter(|f| !f.is_empty()) {
            facts.push(ReceiptLine::new("customer-tax-number", w.customer_tax_number, fiscal));
        }
    }
    if let Some(card) = &p.card {
        let masked = MaskedCard { brand: card.brand, last4: card.last4.clone() }.masked();
        facts.push(ReceiptLine::new("card", w.card, masked));
        if !card.holder.is_empty() {
            facts.push(ReceiptLine::new("holder", w.holder, &card.holder));
        }
    }
    if let Some(method) = method(p, w) {
        facts.push(ReceiptLine::new("method", w.paid_with, method));
    }
    facts
}

/// The business's block: its name, then address lines, tax number, phone and email.
fn issuer(business: &Business, w: &Words) -> Option<Issuer> {
    business.is_set_up().then(|| {
        let mut lines = business.address.clone();
        lines.extend(business.tax_line());
        lines.extend((!business.phone.is_empty()).then(|| format!("{} {}", w.phone, business.phone)));
        lines.extend((!business.email.is_empty()).then(|| business.email.clone()));
        Issuer { name: business.name.clone(), lines, logo: business.logo.clone() }
    })
}

/// The provider's own reference for the payment, from what its answers carry (docs/ui.md §11):
/// none of the four states an authorisation code, so each shows the reference it keeps the
/// payment under.
fn provider_reference(p: &Payment, provider_ref: Option<String>, w: &Words) -> (&'static str, String) {
    match p.provider {
        // `pay.do` answers with the order number (`orderNo`) it charged.
        Provider::Atrip => (w.atrip_order, provider_ref.unwrap_or_else(|| p.subject_key.clone())),
        // The commit answers with the reservation; its record locator is what Travelport and the
        // airline file the payment and its tickets under.
        Provider::Travelport => (w.travelport_locator, p.subject_key.clone()),
        // `/pay` answers with the payment's `id` (the `paymentId` we sent).
        Provider::HolidayExtras => {
            (w.holidayextras_payment, provider_ref.unwrap_or_else(|| p.subject_key.clone()))
        }
        // HeiPay answers with a message and a voucher link only; its portal finds the payment by
        // the `ref_number` we sent, our reference.
        Provider::HeiPay => (w.heipay_reference, p.reference.clone()),
    }
}

/// How it was paid, when no card says it: ATRIP's method, Travelport's cash or stored form,
/// Holiday Extras' card token.
fn method(p: &Payment, w: &Words) -> Option<&'static str> {
    match &p.subject {
        Subject::Atrip(s) => s.method.map(|m| match m {
            Method::Deposit => w.method_deposit,
            Method::Vcc => w.method_vcc,
            Method::Byoa => w.method_byoa,
            Method::Mor => w.method_mor,
        }),
        Subject::Travelport(s) if s.fop == "cash" => Some(w.cash),
        Subject::Travelport(s) if s.fop.starts_with("stored") => Some(w.stored_fop),
        Subject::HolidayExtras(_) => Some(w.hx_token),
        _ => None,
    }
}

/// What was bought, in the receipt's language.
fn paid_for_lines(p: &Payment, locale: Locale, hotels: &[Hotel]) -> Vec<ReceiptLine> {
    let w = locale.words();
    let text = |t: Option<&str>| t.filter(|t| !t.is_empty()).map(str::to_string);
    let money = |m: Option<Money>| m.map(|m| locale.money(m));
    let lines: Vec<(&str, String, Option<String>)> = match &p.subject {
        Subject::Atrip(s) => vec![
            ("pnr", w.pnr.into(), text(s.pnr_code())),
            ("atrip-fee", w.atrip_fee.into(), money(s.transaction_fee().filter(|fee| fee.minor != 0))),
            ("airline-price", w.airline_price.into(), money(s.airline_amount())),
            // Once paid, what ATRIP says the card was charged in all, in its own currency.
            ("card-charged", w.card_charged.into(), money(s.card_charged())),
        ],
        Subject::Travelport(s) => s
            .offers
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let label = if o.description.is_empty() {
                    fill(w.offer, "n", &(i + 1).to_string())
                } else {
                    o.description.clone()
                };
                let price =
                    o.other.get("price").cloned().and_then(|v| serde_json::from_value::<Money>(v).ok());
                ("offer", label, Some(price.map(|m| locale.money(m)).unwrap_or_default()))
            })
            .collect(),
        Subject::HolidayExtras(s) => {
            vec![("booking", w.booking_reference.into(), text(Some(&s.payment_reference)))]
        }
        Subject::HeiPay(s) => {
            let hotel = hotels.iter().find(|h| h.id == s.hotel_id).map(|h| h.name.clone());
            vec![
                // A hotel this desk no longer lists is still named by its number at HeiPay.
                ("hotel", w.hotel.into(), Some(hotel.unwrap_or_else(|| format!("HeiPay {}", s.hotel_id)))),
                ("detail", w.detail.into(), text(s.detail.as_deref())),
                (
                    "installments",
                    w.installments.into(),
                    (s.installments > 1).then(|| s.installments.to_string()),
                ),
            ]
        }
    };
    lines.into_iter().filter_map(|(key, label, value)| Some(ReceiptLine::new(key, label, value?))).collect()
}

/// A HeiPay charge's subtotal, tax and service, from the rates entered and the amount charged.
/// HeiPay charges the amount sent, so the rates split that total: subtotal × (1 + tax + service)
/// = amount. Each line is rounded to the minor unit and the subtotal takes the remainder, so the
/// lines add up to exactly what was charged (docs/ui.md §11).
fn heipay_totals(p: &Payment, locale: Locale) -> Vec<ReceiptLine> {
    let Subject::HeiPay(s) = &p.subject else { return Vec::new() };
    let w = locale.words();
    let hundredths = |rate: &Option<String>| -> Option<(i128, String)> {
        let text = rate.as_deref().filter(|r| !r.trim().is_empty())?;
        let value: rust_decimal::Decimal = text.trim().parse().ok()?;
        let hundredths = (value * rust_decimal::Decimal::ONE_HUNDRED).trunc();
        let whole: i128 = hundredths.try_into().ok()?;
        (whole > 0).then(|| (whole, locale.percent(text).unwrap_or_else(|| text.to_string())))
    };
    let (tax, service) = (hundredths(&s.tax_percent), hundredths(&s.service_percent));
    if tax.is_none() && service.is_none() {
        return Vec::new();
    }
    let amount = i128::from(p.amount.minor);
    let rates = 100 + tax.as_ref().map_or(0, |t| t.0) + service.as_ref().map_or(0, |s| s.0);
    // round(x / d) for positive d, half away from zero.
    let round_div = |x: i128, d: i128| (2 * x + d.signum() * d) / (2 * d);
    let base = round_div(amount * 100, rates);
    let part = |rate: &Option<(i128, String)>| {
        rate.as_ref().map(|(r, words)| (round_div(base * r, 100), words.clone()))
    };
    let (tax, service) = (part(&tax), part(&service));
    let subtotal = amount - tax.as_ref().map_or(0, |t| t.0) - service.as_ref().map_or(0, |s| s.0);
    let text = |minor: i128| locale.money(Money { minor: minor as i64, currency: p.amount.currency });
    let mut lines = vec![ReceiptLine::new("subtotal", w.subtotal, text(subtotal))];
    if let Some((minor, rate)) = tax {
        lines.push(ReceiptLine::new("tax", fill(w.tax, "rate", &rate), text(minor)));
    }
    if let Some((minor, rate)) = service {
        lines.push(ReceiptLine::new("service", fill(w.service, "rate", &rate), text(minor)));
    }
    lines.push(ReceiptLine::new("total", w.total, locale.money(p.amount)));
    lines
}

/// A name any file system takes: no path separators or characters Windows refuses.
fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '-' } else { c }).collect()
}

/// Writes `pdf` as `dir/<receipt's file name>`: first as `.part`, then renamed, so the folder
/// never shows half a receipt. A receipt saved again replaces the earlier copy.
pub fn save_pdf(dir: &Path, receipt: &Receipt, pdf: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(&receipt.file_name);
    let part = dir.join(format!("{}.part", receipt.file_name));
    let written = (|| {
        use std::io::Write as _;
        let mut file = std::fs::File::create(&part)?;
        file.write_all(pdf)?;
        file.sync_all()?;
        std::fs::rename(&part, &path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    written.map(|()| path)
}

/// The lines naming what was paid, from the payment's subject, as the payment detail shows them
/// (in the core's English; the receipt has its own words, above).
pub fn paid_for(p: &Payment) -> Vec<ReceiptLine> {
    let text = |t: &Option<String>| t.clone().filter(|t| !t.is_empty());
    let money = |m: Option<Money>| m.map(|m| m.to_string());
    let lines: Vec<(&str, Option<String>)> = match &p.subject {
        Subject::Atrip(s) => {
            // ATRIP's `vendorTotalPrice`: the airline's price, the reference a VCC is made out
            // for — not what the card was charged (ATRIP states that later, as `vendorCost`).
            let vcc = s.method == Some(Method::Vcc);
            let airline = if vcc { "Airline price (VCC reference)" } else { "Airline price" };
            // The method's id as stored ("vcc", "mor", …).
            let method = s.method.and_then(|m| serde_json::to_value(m).ok()?.as_str().map(str::to_string));
            vec![
                ("ATRIP order", Some(p.subject_key.clone())),
                ("PNR", text(&s.pnr_code.clone().flatten())),
                ("Paid by", method),
                ("ATRIP service fee", money(s.transaction_fee().filter(|fee| fee.minor != 0))),
                (airline, money(s.airline_amount())),
                // Once paid, what ATRIP says the card was charged in all (it may be in a
                // currency of its own): never shown as the order's total, nor the total as it.
                ("Charged to the card", money(s.card_charged())),
            ]
        }
        Subject::Travelport(s) => {
            let offers = s
                .offers
                .iter()
                .map(|o| if o.description.is_empty() { o.id.as_str() } else { o.description.as_str() })
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                ("Locator", Some(p.subject_key.clone())),
                ("Offers", Some(offers).filter(|o| !o.is_empty())),
                ("Form of payment", Some(s.fop.clone()).filter(|f| !f.is_empty())),
            ]
        }
        Subject::HolidayExtras(_) => vec![("Payment reference", Some(p.subject_key.clone()))],
        Subject::HeiPay(s) => vec![
            ("Hotel", Some(s.hotel_id.to_string())),
            ("Detail", text(&s.detail)),
            ("Installments", Some(s.installments.to_string())),
        ],
    };
    lines.into_iter().filter_map(|(label, value)| Some(ReceiptLine::new("", label, value?))).collect()
}
