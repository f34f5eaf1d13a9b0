//! The content of a printable receipt for one payment; the UI lays it out.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{ticket_number_display, MaskedCard, Result};
use crate::money::Money;
use crate::payment::{Payment, Provider, Status, TicketKind};
use crate::store;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptCard {
    pub brand: String,
    pub last4: String,
    /// "Visa •••• 1111".
    pub masked: String,
    pub holder: String,
    /// "MM/YY".
    pub expiry: String,
}

/// One "label: value" line of what was paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptTicket {
    /// As printed: "176-2345678901".
    pub number: String,
    pub passenger: String,
    pub kind: TicketKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub payment_id: String,
    pub reference: String,
    pub provider: Provider,
    pub provider_name: String,
    pub profile: String,
    pub status: Status,
    pub amount: Money,
    /// "245.60 USD".
    pub amount_text: String,
    pub card: Option<ReceiptCard>,
    pub customer: String,
    /// What was paid: order number, locator, reference… in the provider's words.
    pub paid_for: Vec<ReceiptLine>,
    pub tickets: Vec<ReceiptTicket>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub attempts: u64,
    /// The last timeline entry, e.g. "Ticketed" or why it was declined.
    pub last_message: String,
}

/// Everything a printed receipt for `payment_id` shows.
pub fn receipt(conn: &Connection, payment_id: &str) -> Result<Receipt> {
    let p = store::get_payment(conn, payment_id)?;
    let tickets = store::tickets_for(conn, payment_id)?;
    let attempts = store::attempts_for(conn, payment_id)?.len() as i64;
    let last_message = store::events_for(conn, payment_id)?.pop().map(|e| e.message);
    let card = p.card.as_ref().map(|c| ReceiptCard {
        brand: c.brand.display_name().to_string(),
        last4: c.last4.clone(),
        masked: MaskedCard { brand: c.brand, last4: c.last4.clone() }.masked(),
        holder: c.holder.clone(),
        expiry: format!("{:02}/{:02}", c.expiry_month, c.expiry_year % 100),
    });
    Ok(Receipt {
        paid_for: paid_for(&p),
        payment_id: p.id,
        reference: p.reference,
        provider: p.provider,
        provider_name: p.provider.display_name().to_string(),
        profile: p.profile,
        status: p.status,
        amount: p.amount,
        amount_text: p.amount.to_string(),
        card,
        customer: p.customer,
        tickets: tickets
            .into_iter()
            .map(|t| ReceiptTicket {
                number: ticket_number_display(&t.number),
                passenger: t.passenger,
                kind: t.kind,
            })
            .collect(),
        created_at_ms: p.created_at_ms,
        updated_at_ms: p.updated_at_ms,
        attempts: attempts as u64,
        last_message: last_message.unwrap_or_default(),
    })
}

/// The lines naming what was paid, from the payment's subject (also shown in the payment detail).
pub fn paid_for(p: &Payment) -> Vec<ReceiptLine> {
    let s = &p.subject;
    let text = |key: &str| match &s[key] {
        serde_json::Value::String(v) if !v.is_empty() => Some(v.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let money = |key: &str| serde_json::from_value::<Money>(s[key].clone()).ok().map(|m| m.to_string());
    let lines: Vec<(&str, Option<String>)> = match p.provider {
        Provider::Atrip => {
            // ATRIP's `vendorTotalPrice`: the airline's price, the reference a VCC is made out
            // for — not what the card was charged (ATRIP states that later, as `vendorCost`).
            let vcc = s["method"].as_str() == Some("vcc");
            let airline = if vcc { "Airline price (VCC reference)" } else { "Airline price" };
            vec![
                ("ATRIP order", Some(p.subject_key.clone())),
                ("PNR", text("pnr_code")),
                ("Paid by", text("method")),
                (
                    "ATRIP service fee",
                    money("transaction_fee").filter(|_| s["transaction_fee"]["minor"] != 0),
                ),
                (airline, money("airline_amount")),
                // Once paid, what ATRIP says the card was charged in all (it may be in a
                // currency of its own): never shown as the order's total, nor the total as it.
                ("Charged to the card", money("card_charged")),
            ]
        }
        Provider::Travelport => {
            let offers = s["offers"].as_array().map(|offers| {
                offers
                    .iter()
                    .filter_map(|o| o["description"].as_str().or(o["id"].as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            vec![
                ("Locator", Some(p.subject_key.clone())),
                ("Offers", offers),
                ("Form of payment", text("fop")),
            ]
        }
        Provider::HolidayExtras => vec![("Payment reference", Some(p.subject_key.clone()))],
        Provider::HeiPay => vec![
            ("Hotel", text("hotel_id")),
            ("Detail", text("detail")),
            ("Installments", text("installments")),
        ],
    };
    lines
        .into_iter()
        .filter_map(|(label, value)| Some(ReceiptLine { label: label.to_string(), value: value? }))
        .collect()
}
