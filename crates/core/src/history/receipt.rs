//! The content of a printable receipt for one payment; the UI lays it out.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{ticket_number_display, MaskedCard, Result};
use crate::money::Money;
use crate::payment::{Payment, Provider, Status, TicketKind};
use crate::providers::atrip::Method;
use crate::store;
use crate::subject::Subject;

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
    lines
        .into_iter()
        .filter_map(|(label, value)| Some(ReceiptLine { label: label.to_string(), value: value? }))
        .collect()
}
