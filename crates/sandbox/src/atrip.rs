//! ATRIP (Atlas): `pay.do`, `queryOrderDetails.do`, `regenerateOrder.do`.
//!
//! Wire facts (docs/providers/atrip.md): every call is a POST with a JSON body, authenticated by
//! the `x-atlas-client-id` / `x-atlas-client-secret` headers; the business result is the body's
//! `status` (0 = success) with HTTP 200, never `msg`. Our choices where the docs are silent:
//! auth failures are HTTP 200 with `status` 900 like every other result; an unknown `orderNo` on
//! `pay.do` is a 400 (illegal param); ticketing takes the configurable ticketing delay.
//!
//! Order life: "0" unpaid → `pay.do` → "1" (paid, ticketing in process) → after the delay "2"
//! (ticketed, ticket numbers per passenger) or "-3" (cancelled, 6xx `errorCode`) by test card.
//! A second `pay.do` gets 406 while the first is still charging, 404 once paid ("1"), 402 once
//! the order is ticketed or cancelled.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use farepoint_core::card::{CardBrand, CardNumber, Expiry};
use farepoint_core::money::{Currency, Money};
use serde::Serialize;
use serde_json::json;
use time::macros::{format_description, offset};
use time::OffsetDateTime;
use tokio::time::Instant;

use crate::cards::{self, Outcome};
use crate::json::{to_body, FieldError, Num, Obj};
use crate::ledger::{EntryKind, NewEntry, Provider};
use crate::state::{SharedState, World};
use crate::web::{self, header_str};

const PAYMENT_METHODS: [i64; 4] = [1, 3, 4, 5];

#[derive(Debug, Default)]
pub(crate) struct AtripState {
    pub credentials: Vec<(String, String)>,
    pub orders: BTreeMap<String, Order>,
    /// Deposit balance per currency code, in minor units.
    pub balances: BTreeMap<String, i64>,
    /// MoR cards charged before (masked), for which `cardCVV` may then be null.
    mor_cards: HashSet<String>,
    payment_seq: u64,
    ticket_seq: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Passenger {
    pub name: String,
    pub passenger_type: i64,
    pub ticket_nos: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct PaymentInfo {
    method: i64,
    brand: Option<CardBrand>,
    last4: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) enum Phase {
    Unpaid,
    /// A `pay.do` is charging right now.
    Paying,
    Paid {
        payment: PaymentInfo,
        due: Instant,
        outcome: Outcome,
    },
    Ticketed {
        payment: Option<PaymentInfo>,
        airline_pnr: String,
    },
    Cancelled {
        payment: Option<PaymentInfo>,
        error_code: String,
        error_message: String,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub order_no: String,
    pub pnr_code: String,
    pub airline: String,
    pub ticket_prefix: String,
    pub total: Money,
    /// `totalTransactionFee`: ATRIP's technical fee, in the order's currency, outside the total.
    pub fee: Money,
    /// `vendorTotalPrice` in `vendorCurrency`: the airline's own price (what a VCC is made out for).
    pub vendor_total: Money,
    pub tkt_limit: OffsetDateTime,
    pub support_methods: Vec<i64>,
    /// `payment.cardType` given at `order.do` for MoR: Amex|Visa|MasterCard|JCB|Discover|DinersClub.
    pub card_type: Option<String>,
    /// Ryanair-style orders that need `orderCommit.do` before payment (415).
    pub requires_commit: bool,
    pub passengers: Vec<Passenger>,
    pub from: String,
    pub to: String,
    pub flight: String,
    /// `depTime`, `yyyyMMddHHmm` as published; the flight lands 100 minutes later.
    pub dep_time: String,
    pub phase: Phase,
    pub original_order_no: Option<String>,
}

/// What the demo data and the control API give to create an order.
#[derive(Debug, Clone)]
pub(crate) struct OrderSeed {
    pub order_no: Option<String>,
    pub total: Money,
    pub fee: Money,
    /// The airline's price; the order's total in its currency unless seeded.
    pub vendor_total: Money,
    pub support_methods: Vec<i64>,
    pub tkt_limit: OffsetDateTime,
    pub order_status: String,
    pub card_type: Option<String>,
    pub requires_commit: bool,
    pub passengers: Vec<(String, i64)>,
    pub airline: String,
}

impl OrderSeed {
    pub(crate) fn new(total: Money, support_methods: &[i64]) -> OrderSeed {
        OrderSeed {
            order_no: None,
            total,
            fee: Money::from_minor(0, total.currency),
            vendor_total: total,
            support_methods: support_methods.to_vec(),
            tkt_limit: OffsetDateTime::now_utc() + time::Duration::minutes(30),
            order_status: "0".into(),
            card_type: None,
            requires_commit: false,
            passengers: vec![("TEST/ONE".into(), 0)],
            airline: "5J".into(),
        }
    }
}

/// Airline code → (name, ticket stock prefix). Unknown codes get a neutral prefix.
fn airline_info(code: &str) -> (&'static str, &'static str) {
    match code {
        "5J" => ("Cebu Pacific", "203"),
        "TR" => ("Scoot", "668"),
        "FR" => ("Ryanair", "224"),
        "AK" => ("AirAsia", "807"),
        "VJ" => ("VietJet Air", "978"),
        _ => ("Demo Air", "999"),
    }
}

fn card_type_of(brand: CardBrand) -> Option<&'static str> {
    match brand {
        CardBrand::Visa => Some("Visa"),
        CardBrand::Mastercard => Some("MasterCard"),
        CardBrand::Amex => Some("Amex"),
        CardBrand::Jcb => Some("JCB"),
        CardBrand::Discover => Some("Discover"),
        CardBrand::Diners => Some("DinersClub"),
        CardBrand::UnionPay => None,
    }
}

pub(crate) const CARD_TYPES: [&str; 6] = ["Amex", "Visa", "MasterCard", "JCB", "Discover", "DinersClub"];

fn sgt(t: OffsetDateTime, fmt: &[time::format_description::BorrowedFormatItem<'_>]) -> String {
    t.to_offset(offset!(+8)).format(fmt).unwrap_or_default()
}

/// `tktLimitTime` format: `yyyy-MM-dd HH:mm:ss` in Singapore time (GMT+8).
pub(crate) fn format_deadline(t: OffsetDateTime) -> String {
    sgt(t, format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"))
}

pub(crate) fn parse_deadline(text: &str) -> Option<OffsetDateTime> {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(text, fmt).ok().map(|p| p.assume_offset(offset!(+8)))
}

impl AtripState {
    fn new_order_no(&self, prefix: &str) -> String {
        let mut t = OffsetDateTime::now_utc();
        loop {
            let no = format!(
                "{prefix}{}",
                sgt(t, format_description!("[year][month][day][hour][minute][second][subsecond digits:3]"))
            );
            if !self.orders.contains_key(&no) {
                return no;
            }
            t += time::Duration::milliseconds(1);
        }
    }

    fn next_ticket(&mut self, prefix: &str) -> String {
        self.ticket_seq += 1;
        format!("{prefix}{:010}", 2_100_000_000 + self.ticket_seq)
    }

    fn issue_tickets(&mut self, order_no: &str) -> String {
        let Some(prefix) = self.orders.get(order_no).map(|o| o.ticket_prefix.clone()) else {
            return String::new();
        };
        let count = self.orders[order_no].passengers.len();
        let numbers: Vec<String> = (0..count).map(|_| self.next_ticket(&prefix)).collect();
        if let Some(order) = self.orders.get_mut(order_no) {
            for (pax, number) in order.passengers.iter_mut().zip(numbers) {
                pax.ticket_nos = vec![number];
            }
        }
        web::locator()
    }

    pub(crate) fn insert(&mut self, seed: OrderSeed, ticketing_delay: Duration) -> Result<String, String> {
        let order_no = match seed.order_no {
            Some(no) => {
                let valid = no.len() == 22
                    && no[..5].bytes().all(|b| b.is_ascii_uppercase())
                    && no[5..].bytes().all(|b| b.is_ascii_digit());
                if !valid {
                    return Err("orderNo must be 5 capital letters and 17 digits (yyyyMMddHHmmssSSS)".into());
                }
                if self.orders.contains_key(&no) {
                    return Err(format!("order {no} already exists"));
                }
                no
            }
            None => self.new_order_no("TESTA"),
        };
        if let Some(m) = seed.support_methods.iter().find(|m| !PAYMENT_METHODS.contains(m)) {
            return Err(format!("supportPaymentMethods: {m} is not a payment method (1, 3, 4, 5)"));
        }
        if let Some(ct) = &seed.card_type {
            if !CARD_TYPES.contains(&ct.as_str()) {
                return Err(format!("cardType must be one of {}", CARD_TYPES.join(", ")));
            }
        }
        if seed.passengers.is_empty() {
            return Err("an order needs at least one passenger".into());
        }
        let (_, prefix) = airline_info(&seed.airline);
        let seeded_payment = PaymentInfo { method: 1, brand: None, last4: None };
        let phase = match seed.order_status.as_str() {
            "0" => Phase::Unpaid,
            "1" => Phase::Paid {
                payment: seeded_payment,
                due: Instant::now() + ticketing_delay,
                outcome: Outcome::Approve,
            },
            "2" => Phase::Ticketed { payment: Some(seeded_payment), airline_pnr: web::locator() },
            "-3" => Phase::Cancelled {
                payment: None,
                error_code: "604".into(),
                error_message: "Payment declined by airline".into(),
            },
            other => return Err(format!("orderStatus '{other}' is not one of \"0\", \"1\", \"2\", \"-3\"")),
        };
        let ticketed = matches!(phase, Phase::Ticketed { .. });
        let order = Order {
            order_no: order_no.clone(),
            pnr_code: web::locator(),
            airline: seed.airline.clone(),
            ticket_prefix: prefix.to_string(),
            total: seed.total,
            fee: seed.fee,
            vendor_total: seed.vendor_total,
            tkt_limit: seed.tkt_limit,
            support_methods: seed.support_methods,
            card_type: seed.card_type,
            requires_commit: seed.requires_commit,
            passengers: seed
                .passengers
                .into_iter()
                .map(|(name, passenger_type)| Passenger { name, passenger_type, ticket_nos: vec![] })
                .collect(),
            from: "SIN".into(),
            to: "MNL".into(),
            flight: format!("{}806", seed.airline),
            dep_time: sgt(
                OffsetDateTime::now_utc() + time::Duration::days(14),
                format_description!("[year][month][day]0920"),
            ),
            phase,
            original_order_no: None,
        };
        self.orders.insert(order_no.clone(), order);
        if ticketed {
            self.issue_tickets(&order_no);
        }
        Ok(order_no)
    }

    /// Applies the airline's answer once the ticketing delay has passed.
    fn advance(&mut self, order_no: &str) {
        let Some(order) = self.orders.get(order_no) else { return };
        let Phase::Paid { payment, due, outcome } = &order.phase else { return };
        if *due > Instant::now() {
            return;
        }
        let (payment, outcome) = (payment.clone(), *outcome);
        let failure = match outcome {
            Outcome::AirlineDeclines => Some(("604", "Payment declined by airline")),
            Outcome::AirlineRiskControl => Some(("613", "Airline declined payment by risk control")),
            Outcome::Requires3ds => Some(("616", "3DS Authentication required by the card, not supported")),
            _ => None,
        };
        let phase = match failure {
            Some((code, message)) => Phase::Cancelled {
                payment: Some(payment),
                error_code: code.into(),
                error_message: message.into(),
            },
            None => Phase::Ticketed { airline_pnr: self.issue_tickets(order_no), payment: Some(payment) },
        };
        if let Some(order) = self.orders.get_mut(order_no) {
            order.phase = phase;
        }
    }

    fn advance_all(&mut self) {
        let numbers: Vec<String> = self.orders.keys().cloned().collect();
        for no in numbers {
            self.advance(&no);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Responses

fn status_body(order_no: Option<&str>, status: i64, msg: &str) -> Response {
    let mut body = json!({ "status": status, "msg": msg });
    if let Some(no) = order_no {
        body["orderNo"] = json!(no);
    }
    web::json_value(StatusCode::OK, &body)
}

fn illegal(e: &FieldError) -> String {
    format!("Illegal request param: {}", e.describe())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Fare {
    amount: Num,
    currency: &'static str,
    deduct_from: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentView {
    payment_method: i64,
    ticket_fare: Fare,
    service_fee: Option<Fare>,
    payment_fee: Option<Fare>,
    card_type: Option<&'static str>,
}

/// A passenger as the published order answer shows one. The simulator keeps no travel
/// documents, so those fields are `null` rather than made up.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaxTicketInfo {
    name: String,
    passenger_type: i64,
    birthday: Option<String>,
    gender: Option<String>,
    card_num: Option<String>,
    card_type: Option<String>,
    card_issue_place: Option<String>,
    card_expired: Option<String>,
    nationality: Option<String>,
    /// `null` in the published regenerate answer, before anything is issued.
    ticket_nos: Option<Vec<String>>,
    #[serde(rename = "airlinePNRs")]
    airline_pnrs: Option<Vec<String>>,
    contact_emails: Option<Vec<String>>,
    contact_phones: Option<Vec<String>>,
    ancillaries: Vec<serde_json::Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AirlineBooking {
    airline_code: String,
    airline_name: &'static str,
    airline_pnr: Option<String>,
    airline_web_site_address: Option<String>,
    mmb_email: Option<String>,
    tail_digits_of_payment_card: Option<String>,
}

/// A flight as the published order answer shows one: every key, with what the simulator knows and
/// the published "nothing" (`""`, `null`, `false`) for what it does not.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Segment {
    segment_index: i64,
    carrier: String,
    flight_number: String,
    dep_airport: String,
    dep_time: String,
    arr_airport: String,
    arr_time: String,
    stop_cities: Option<String>,
    duration: i64,
    code_share: bool,
    cabin: &'static str,
    cabin_class: i64,
    seat_count: i64,
    aircraft_code: &'static str,
    dep_terminal: &'static str,
    arr_terminal: &'static str,
    operating_carrier: &'static str,
    operating_flightnumber: &'static str,
    fare_family: &'static str,
}

/// The priced itinerary, with every key of the published answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Routing {
    routing_identifier: String,
    /// "1" when a VCC may pay (published as a string).
    support_credit_trans_payment: &'static str,
    support_payment_methods: Vec<i64>,
    currency: &'static str,
    adult_price: Num,
    adult_tax: Num,
    adult_details: Vec<serde_json::Value>,
    child_price: Option<Num>,
    child_tax: Option<Num>,
    child_details: Vec<serde_json::Value>,
    infant_price: Option<Num>,
    infant_tax: Option<Num>,
    infant_details: Vec<serde_json::Value>,
    infant_allowed: bool,
    child_mandatory_seating_fee: Option<Num>,
    transaction_fee_per_pax: Num,
    transaction_fee: Num,
    transaction_fee_mode: &'static str,
    from_segments: Vec<Segment>,
    ret_segments: Vec<Segment>,
    rule: serde_json::Value,
    ancillary_product_elements: Vec<serde_json::Value>,
    vendor_fare: Option<serde_json::Value>,
    links: Vec<serde_json::Value>,
    separate_bookings: bool,
    refresh_time: Option<String>,
    expire_time: Option<String>,
    ancillary_supported: Vec<serde_json::Value>,
    card_charge_list: Vec<serde_json::Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderView {
    status: i64,
    msg: &'static str,
    order_no: String,
    pnr_code: String,
    order_status: &'static str,
    ticket_status: &'static str,
    total_price: Num,
    total_transaction_fee: Num,
    currency: &'static str,
    /// The airline's price and currency: published only for orders a VCC or BYOA can pay (the
    /// order's own total and currency unless the seed says otherwise).
    vendor_total_price: Option<Num>,
    vendor_cost: Option<Num>,
    vendor_total_ancillary_price: Option<Num>,
    vendor_currency: Option<&'static str>,
    adult_total_fare: Option<Num>,
    child_total_fare: Option<Num>,
    infant_total_fare: Option<Num>,
    total_ancillary_price: Num,
    tkt_limit_time: String,
    /// The older single-method field, still in the published answer.
    support_payment_method: Option<i64>,
    support_payment_methods: Vec<i64>,
    contact: Option<serde_json::Value>,
    if_seat_occupied: Option<&'static str>,
    itinerary_download: Option<String>,
    locale: &'static str,
    refund_rules: Vec<serde_json::Value>,
    payment_method: Option<i64>,
    pax_ticket_infos: Vec<PaxTicketInfo>,
    airline_bookings: Vec<AirlineBooking>,
    error_code: Option<String>,
    error_message: Option<String>,
    airline_message: Option<String>,
    payment_options: Option<Vec<PaymentView>>,
    payment: Option<PaymentView>,
    payment_attempted: Option<bool>,
    routing: Routing,
    original_order_no: Option<String>,
}

fn deduct_from(method: i64) -> &'static str {
    if matches!(method, 3 | 5) {
        "CARD"
    } else {
        "DEPOSIT"
    }
}

/// A payment option, or the payment made, as Atlas's examples show them: the ticket fare from
/// the card (VCC in the airline's currency, MoR in the order's) or the deposit; the service fee
/// (`totalTransactionFee`) always from the deposit; for MoR a card fee of 3% (5% Amex), Atlas's
/// published MoR rates, from the card. The ledger keeps the fare a `pay.do` charged; the MoR card
/// fee is stated here only.
fn payment_view(order: &Order, method: i64, card: Option<CardBrand>) -> PaymentView {
    let fare = if method == 3 { order.vendor_total } else { order.total };
    let fare_view = |m: Money, from: &'static str| Fare {
        amount: Num::major(m),
        currency: m.currency.code(),
        deduct_from: from,
    };
    let card_fee = (method == 5).then(|| {
        let amex = card == Some(CardBrand::Amex) || order.card_type.as_deref() == Some("Amex");
        let percent = if amex { 5 } else { 3 };
        // Rounded half up to the currency's minor unit.
        Money::from_minor((order.total.minor * percent + 50) / 100, order.total.currency)
    });
    PaymentView {
        payment_method: method,
        ticket_fare: fare_view(fare, deduct_from(method)),
        service_fee: (order.fee.minor > 0).then(|| fare_view(order.fee, "DEPOSIT")),
        payment_fee: card_fee.map(|fee| fare_view(fee, "CARD")),
        card_type: card.and_then(card_type_of),
    }
}

fn order_view(order: &Order) -> OrderView {
    let (order_status, ticket_status) = match order.phase {
        Phase::Unpaid | Phase::Paying => ("0", "0"),
        Phase::Paid { .. } => ("1", "0"),
        Phase::Ticketed { .. } => ("2", "1"),
        Phase::Cancelled { .. } => ("-3", "0"),
    };
    let payment = match &order.phase {
        Phase::Paid { payment, .. } => Some(payment),
        Phase::Ticketed { payment, .. } | Phase::Cancelled { payment, .. } => payment.as_ref(),
        _ => None,
    };
    let airline_pnr = match &order.phase {
        Phase::Ticketed { airline_pnr, .. } => Some(airline_pnr.clone()),
        _ => None,
    };
    let (error_code, error_message) = match &order.phase {
        Phase::Cancelled { error_code, error_message, .. } => {
            (Some(error_code.clone()), Some(error_message.clone()))
        }
        _ => (None, None),
    };
    let (airline_name, _) = airline_info(&order.airline);
    let zero = Money::from_minor(0, order.total.currency);
    let vendor = order.support_methods.iter().any(|m| matches!(m, 3 | 4));
    OrderView {
        status: 0,
        msg: "success",
        order_no: order.order_no.clone(),
        pnr_code: order.pnr_code.clone(),
        order_status,
        ticket_status,
        total_price: Num::major(order.total),
        total_transaction_fee: Num::major(order.fee),
        currency: order.total.currency.code(),
        vendor_total_price: vendor.then(|| Num::major(order.vendor_total)),
        // "The actual price charged by the airline": once there is a payment.
        vendor_cost: (vendor && payment.is_some()).then(|| Num::major(order.vendor_total)),
        vendor_total_ancillary_price: vendor
            .then(|| Num::major(Money::from_minor(0, order.vendor_total.currency))),
        vendor_currency: vendor.then(|| order.vendor_total.currency.code()),
        adult_total_fare: Some(Num::major(order.total)),
        child_total_fare: None,
        infant_total_fare: None,
        total_ancillary_price: Num::major(zero),
        tkt_limit_time: format_deadline(order.tkt_limit),
        support_payment_method: order.support_methods.first().copied(),
        support_payment_methods: order.support_methods.clone(),
        contact: None,
        if_seat_occupied: None,
        itinerary_download: None,
        locale: "",
        refund_rules: vec![],
        payment_method: payment.map(|p| p.method),
        pax_ticket_infos: order
            .passengers
            .iter()
            .map(|p| PaxTicketInfo {
                name: p.name.clone(),
                passenger_type: p.passenger_type,
                birthday: None,
                gender: None,
                card_num: None,
                card_type: None,
                card_issue_place: None,
                card_expired: None,
                nationality: None,
                ticket_nos: Some(p.ticket_nos.clone()),
                airline_pnrs: Some(airline_pnr.iter().cloned().collect()),
                contact_emails: Some(vec![]),
                contact_phones: Some(vec![]),
                ancillaries: vec![],
            })
            .collect(),
        airline_bookings: vec![AirlineBooking {
            airline_code: order.airline.clone(),
            airline_name,
            airline_pnr: airline_pnr.clone(),
            airline_web_site_address: None,
            mmb_email: None,
            tail_digits_of_payment_card: payment.and_then(|p| p.last4.clone()),
        }],
        airline_message: error_message.as_ref().map(|_| "Ticket issuance failed at the airline".to_string()),
        error_code,
        error_message,
        payment_options: match payment {
            None => Some(order.support_methods.iter().map(|m| payment_view(order, *m, None)).collect()),
            Some(_) => None,
        },
        payment: payment.map(|p| payment_view(order, p.method, p.brand)),
        payment_attempted: payment.filter(|p| p.method == 3).map(|_| true),
        routing: routing_view(order),
        original_order_no: order.original_order_no.clone(),
    }
}

fn routing_view(order: &Order) -> Routing {
    let currency = order.total.currency;
    let zero = Num::major(Money::from_minor(0, currency));
    let adults = order.passengers.len().max(1) as i64;
    let per_pax = |m: Money| Num::major(Money::from_minor(m.minor / adults, m.currency));
    let arr_time = order.dep_time.get(..8).map(|day| format!("{day}1100")).unwrap_or_default();
    let vcc = order.support_methods.contains(&3);
    Routing {
        routing_identifier: format!("SANDBOX-{}", order.order_no),
        support_credit_trans_payment: if vcc { "1" } else { "0" },
        support_payment_methods: order.support_methods.clone(),
        currency: currency.code(),
        adult_price: per_pax(order.total),
        adult_tax: zero,
        adult_details: vec![],
        child_price: None,
        child_tax: None,
        child_details: vec![],
        infant_price: None,
        infant_tax: None,
        infant_details: vec![],
        infant_allowed: false,
        child_mandatory_seating_fee: None,
        transaction_fee_per_pax: per_pax(order.fee),
        transaction_fee: per_pax(order.fee),
        transaction_fee_mode: "PER_PAX",
        from_segments: vec![Segment {
            segment_index: 1,
            carrier: order.airline.clone(),
            flight_number: order.flight.clone(),
            dep_airport: order.from.clone(),
            dep_time: order.dep_time.clone(),
            arr_airport: order.to.clone(),
            arr_time,
            stop_cities: None,
            duration: 100,
            code_share: false,
            cabin: "",
            cabin_class: 1,
            seat_count: 9,
            aircraft_code: "",
            dep_terminal: "",
            arr_terminal: "",
            operating_carrier: "",
            operating_flightnumber: "",
            fare_family: "Standard",
        }],
        ret_segments: vec![],
        rule: json!({ "hasBaggage": 0, "baggageElements": [], "refundRules": [], "changesRules": [], "serviceElements": [] }),
        ancillary_product_elements: vec![],
        vendor_fare: None,
        links: vec![],
        separate_bookings: false,
        refresh_time: None,
        expire_time: None,
        ancillary_supported: vec![],
        card_charge_list: if order.support_methods.contains(&5) {
            ["Visa", "MasterCard"]
                .iter()
                .map(|t| json!({ "cardType": t, "percentage": 0.03, "charge": null, "currency": "" }))
                .chain(std::iter::once(
                    json!({ "cardType": "Amex", "percentage": 0.05, "charge": null, "currency": "" }),
                ))
                .collect()
        } else {
            vec![]
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers

fn authorized(shared: &SharedState, headers: &HeaderMap) -> bool {
    let (Some(id), Some(secret)) =
        (header_str(headers, "x-atlas-client-id"), header_str(headers, "x-atlas-client-secret"))
    else {
        return false;
    };
    shared.world().atrip.credentials.iter().any(|(i, s)| i == id && s == secret)
}

/// The validated card of a `pay.do` (digits dropped: only what may be kept).
struct CheckedCard {
    brand: CardBrand,
    last4: String,
    masked: String,
    outcome: Outcome,
}

fn holder_name_ok(name: &str) -> bool {
    // The spec's character set: A-Z a-z - À-Ö Ø-ö ø-ÿ.
    name.chars().all(|c| {
        c.is_ascii_alphabetic()
            || c == '-'
            || ('\u{C0}'..='\u{D6}').contains(&c)
            || ('\u{D8}'..='\u{F6}').contains(&c)
            || ('\u{F8}'..='\u{FF}').contains(&c)
    })
}

fn check_card(cc: &Obj, method: i64, mor_cards: &HashSet<String>) -> Result<CheckedCard, String> {
    let bad = |e: FieldError| illegal(&e);
    let number_text = cc.req_str("cardNumber").map_err(bad)?;
    let digits_ok = (13..=19).contains(&number_text.len()) && number_text.bytes().all(|b| b.is_ascii_digit());
    let invalid = || "Illegal request param: creditCard.cardNumber is not a valid card number".to_string();
    // Atlas's published test cards are taken as published, Luhn or not.
    let (brand, last4, masked, card_outcome) =
        match CardNumber::parse(&number_text).ok().filter(|_| digits_ok) {
            Some(number) => {
                (number.brand(), number.last4().to_string(), number.masked(), cards::outcome_of(&number))
            }
            None if cards::ATLAS_TEST_CARDS.contains(&number_text.as_str()) => {
                let brand = CardBrand::detect(&number_text).ok_or_else(invalid)?;
                let last4 = number_text[number_text.len() - 4..].to_string();
                let masked = format!("{}{}{last4}", &number_text[..6], "•".repeat(number_text.len() - 10));
                (brand, last4, masked, Outcome::Approve)
            }
            None => return Err(invalid()),
        };
    let month = cc.req_str("cardExpireMonth").map_err(bad)?;
    let year = cc.req_str("cardExpireYear").map_err(bad)?;
    if month.len() != 2 || !matches!(year.len(), 2 | 4) {
        return Err("Illegal request param: Invalid VCC validity period".into());
    }
    Expiry::parse(&month, &year)
        .map_err(|_| "Illegal request param: Invalid VCC validity period".to_string())?;
    match cc.str("cardCVV").map_err(bad)? {
        Some(cvv) => {
            let ok = cvv.len() == brand.cvv_length() && cvv.bytes().all(|b| b.is_ascii_digit());
            if !ok {
                return Err("Illegal request param: creditCard.cardCVV is not a valid security code".into());
            }
        }
        // MoR: "required on first use of the card, later may be null".
        None if method == 5 && mor_cards.contains(&masked) => {}
        None => return Err("Illegal request param: creditCard.cardCVV is required".into()),
    }
    let first_name = cc.str("cardHolderFirstName").map_err(bad)?.unwrap_or_default();
    let simulated = simulated_outcome(&first_name);
    for field in ["cardHolderLastName", "cardHolderFirstName"] {
        let name = cc.str(field).map_err(bad)?.unwrap_or_default();
        if name.trim().is_empty() {
            return Err("Illegal request param: Lack of VCC cardholder information".into());
        }
        // Atlas's own test name "Three DS" has a space its character rule does not allow.
        let test_name = field == "cardHolderFirstName" && simulated.is_some();
        if !(holder_name_ok(&name) || test_name) {
            return Err(format!("Illegal request param: creditCard.{field} may use only letters and '-'"));
        }
    }
    // An empty string is "not given": Atlas's own MoR example sends `"cardHolderProvince": ""`.
    let optional = |field: &str, ok: &dyn Fn(&str) -> bool, rule: &str| -> Result<(), String> {
        match cc.str(field).map_err(bad)? {
            Some(v) if !v.is_empty() && !ok(&v) => {
                Err(format!("Illegal request param: creditCard.{field} {rule}"))
            }
            _ => Ok(()),
        }
    };
    optional(
        "cardHolderCountry",
        &|v| v.len() == 2 && v.bytes().all(|b| b.is_ascii_uppercase()),
        "must be an ISO 3166-1 alpha-2 code",
    )?;
    optional(
        "cardHolderProvince",
        &|v| v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphabetic()),
        "must be a 2-letter code",
    )?;
    optional(
        "cardHolderPostCode",
        &|v| v.len() > 4 && v.bytes().all(|b| b.is_ascii_alphanumeric()),
        "must be letters and digits, more than 4",
    )?;
    optional("cardHolderAddress", &|v| v.chars().count() > 6, "must be more than 6 characters")?;
    if let Some(three_ds) = cc.obj("threeDS").map_err(bad)? {
        // `""` is "not given" ("by default, the system will use the source IP of the request").
        if let Some(ip) = three_ds.str("ip").map_err(bad)?.filter(|ip| !ip.is_empty()) {
            if ip.parse::<std::net::IpAddr>().is_err() {
                return Err("Illegal request param: creditCard.threeDS.ip is not an IP address".into());
            }
        }
    }
    cc.bool("reusable").map_err(bad)?;
    if let Some(limit) = cc.number_text("paymentLimit").map_err(bad)? {
        if limit.starts_with('-') {
            return Err("Illegal request param: creditCard.paymentLimit must not be negative".into());
        }
    }
    Ok(CheckedCard { brand, last4, outcome: simulated.unwrap_or(card_outcome), masked })
}

/// Atlas's published failure simulations (legacy GitBook `atlas-sandbox/test-mode.md`, "Testing
/// VCC Errors"; current `sandbox-development/README.md`, "Payment failure simulation"): card
/// holder first name "Reject" → 604, "Three DS" → 616, whatever the card number and last name.
/// Matched exactly as published — not bent to what any client sends.
fn simulated_outcome(first_name: &str) -> Option<Outcome> {
    match first_name.trim() {
        "Reject" => Some(Outcome::AirlineDeclines),
        "Three DS" => Some(Outcome::Requires3ds),
        _ => None,
    }
}

/// What was decided under the lock: answer now, or charge (after the payment time).
enum Step {
    Answer(Response),
    Charge { order_no: String, method: i64, card: Option<CheckedCard>, wait: Duration },
}

fn begin_payment(world: &mut World, req: &Obj) -> Step {
    let answer = |no: Option<&str>, status: i64, msg: &str| Step::Answer(status_body(no, status, msg));
    let order_no = match req.req_str("orderNo") {
        Ok(no) => no,
        Err(e) => return answer(None, 400, &illegal(&e)),
    };
    let no = Some(order_no.as_str());
    let method = match req.int("paymentMethod") {
        Ok(Some(m)) => m,
        Ok(None) => return answer(no, 400, "Illegal request param: paymentMethod is required"),
        Err(e) => return answer(no, 400, &illegal(&e)),
    };
    if !PAYMENT_METHODS.contains(&method) {
        return answer(no, 400, "Illegal request param: paymentMethod must be 1, 3, 4 or 5");
    }
    world.atrip.advance(&order_no);
    let Some(order) = world.atrip.orders.get(&order_no) else {
        return answer(no, 400, &format!("Illegal request param: order {order_no} does not exist"));
    };
    match order.phase {
        Phase::Paying => return answer(no, 406, "Payment operation is in progress"),
        Phase::Paid { .. } => return answer(no, 404, "The order is already paid"),
        Phase::Ticketed { .. } | Phase::Cancelled { .. } => {
            return answer(no, 402, "Order status does not support payment")
        }
        Phase::Unpaid => {}
    }
    if order.requires_commit {
        return answer(no, 415, "Order is not confirmed by user, call orderCommit.do first");
    }
    if order.tkt_limit <= OffsetDateTime::now_utc() {
        return answer(no, 401, "Time out of payment");
    }
    if order.support_methods.is_empty() {
        return answer(no, 412, "No available payment methods");
    }
    if !order.support_methods.contains(&method) {
        return answer(no, 403, "Unsupported payment method");
    }
    let card = if matches!(method, 3 | 5) {
        let cc = match req.obj("creditCard") {
            Ok(Some(cc)) => cc,
            Ok(None) => return answer(no, 400, "Illegal request param: creditCard is required"),
            Err(e) => return answer(no, 400, &illegal(&e)),
        };
        let card = match check_card(&cc, method, &world.atrip.mor_cards) {
            Ok(card) => card,
            Err(msg) => return answer(no, 400, &msg),
        };
        if method == 5 {
            let Some(card_type) = card_type_of(card.brand) else {
                return answer(no, 413, "Card brand not supported");
            };
            if order.card_type.as_deref().is_some_and(|ct| ct != card_type) {
                return answer(no, 414, "Card brand does not match the card type of the order");
            }
        }
        tracing::info!(order_no = %order_no, method, card = %card.masked, "atrip pay.do");
        match card.outcome {
            Outcome::Decline => return answer(no, 411, "Generic payment error: card declined by issuer"),
            Outcome::InsufficientFunds => {
                return answer(no, 411, "Generic payment error: insufficient funds")
            }
            _ => {}
        }
        Some(card)
    } else {
        tracing::info!(order_no = %order_no, method, "atrip pay.do");
        None
    };
    if method == 1 {
        let balance = world.atrip.balances.get(order.total.currency.code()).copied().unwrap_or(0);
        if balance < order.total.minor {
            return answer(no, 411, "Generic payment error: not enough balance");
        }
    }
    let wait = Duration::from_millis(world.settings.atrip_payment_ms);
    if let Some(order) = world.atrip.orders.get_mut(&order_no) {
        order.phase = Phase::Paying;
    }
    Step::Charge { order_no, method, card, wait }
}

fn finish_payment(world: &mut World, order_no: &str, method: i64, card: Option<CheckedCard>) -> Response {
    let delay = Duration::from_millis(world.settings.ticketing_delay_ms);
    let atrip = &mut world.atrip;
    let Some(order) = atrip.orders.get_mut(order_no) else {
        // The order vanished (a control-API reset) while charging.
        return status_body(Some(order_no), 9999, "System error");
    };
    if method == 1 {
        *atrip.balances.entry(order.total.currency.code().to_string()).or_default() -= order.total.minor;
    }
    let outcome = card.as_ref().map_or(Outcome::Approve, |c| match c.outcome {
        // 3DS only defeats VCC; MoR carries threeDS data.
        Outcome::Requires3ds if method == 5 => Outcome::Approve,
        other => other,
    });
    if method == 5 {
        if let Some(c) = &card {
            atrip.mor_cards.insert(c.masked.clone());
        }
    }
    let payment = PaymentInfo {
        method,
        brand: card.as_ref().map(|c| c.brand),
        last4: card.as_ref().map(|c| c.last4.clone()),
    };
    order.phase = Phase::Paid { payment, due: Instant::now() + delay, outcome };
    // A VCC is charged by the airline, its own price in its own currency.
    let total = if method == 3 { order.vendor_total } else { order.total };
    let (pnr_code, airline) = (order.pnr_code.clone(), order.airline.clone());
    atrip.payment_seq += 1;
    let provider_id = format!("ATP{:08}", atrip.payment_seq);
    world.ledger.record(NewEntry {
        provider: Provider::Atrip,
        kind: EntryKind::Charge,
        amount: total,
        reference: order_no.to_string(),
        secondary_reference: None,
        provider_id,
        method: match method {
            1 => "deposit",
            3 => "vcc",
            4 => "byoa",
            _ => "mor",
        },
        card_last4: card.map(|c| c.last4),
    });
    let body = json!({
        "orderNo": order_no,
        "pnrCode": pnr_code,
        "paymentMethod": method,
        "airlines": [airline],
        "status": 0,
        "msg": "success",
    });
    web::json_value(StatusCode::OK, &body)
}

pub(crate) async fn pay(State(shared): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorized(&shared, &headers) {
        return status_body(None, 900, "Unauthorized access");
    }
    let Some(req) = Obj::parse(&body) else { return status_body(None, 901, "illegal request data") };
    let step = begin_payment(&mut shared.world(), &req);
    match step {
        Step::Answer(response) => response,
        Step::Charge { order_no, method, card, wait } => {
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            finish_payment(&mut shared.world(), &order_no, method, card)
        }
    }
}

pub(crate) async fn query(State(shared): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorized(&shared, &headers) {
        return status_body(None, 900, "Unauthorized access");
    }
    let Some(req) = Obj::parse(&body) else { return status_body(None, 901, "illegal request data") };
    let field = |k: &str| req.str(k).map(|v| v.filter(|s| !s.trim().is_empty()));
    let (order_no, pnr_code, airline_pnr, carrier) =
        match (field("orderNo"), field("pnrCode"), field("airlinePNR"), field("carrier")) {
            (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
            _ => return status_body(None, 100, "Missing required request data"),
        };
    if airline_pnr.is_some() != carrier.is_some() {
        return status_body(
            None,
            702,
            "airlinePNR and carrier are mandatory to fill in for order retrieval, please check and request again",
        );
    }
    if order_no.is_none() && pnr_code.is_none() && airline_pnr.is_none() {
        return status_body(
            None,
            100,
            "Missing required request data: orderNo, pnrCode or airlinePNR + carrier",
        );
    }
    let mut world = shared.world();
    world.atrip.advance_all();
    let orders = &world.atrip.orders;
    let matches = |o: &Order| {
        let airline_pnr_of = match &o.phase {
            Phase::Ticketed { airline_pnr, .. } => Some(airline_pnr.as_str()),
            _ => None,
        };
        order_no.as_deref().is_none_or(|n| n == o.order_no)
            && pnr_code.as_deref().is_none_or(|p| p == o.pnr_code)
            && airline_pnr.as_deref().is_none_or(|a| Some(a) == airline_pnr_of)
            && carrier.as_deref().is_none_or(|c| c == o.airline)
    };
    let found: Vec<&Order> = orders.values().filter(|o| matches(o)).collect();
    match found.as_slice() {
        [order] => web::json_text(StatusCode::OK, to_body(&order_view(order))),
        [] => {
            // Each identifier on its own finds an order, but not the same one: 704.
            let any = orders.values().any(|o| {
                order_no.as_deref() == Some(&o.order_no) || pnr_code.as_deref() == Some(&o.pnr_code)
            });
            if any {
                status_body(order_no.as_deref(), 704, "Parameters don't match, please check and retry")
            } else {
                status_body(order_no.as_deref(), 703, "No order found, please check the parameter")
            }
        }
        _ => status_body(
            None,
            701,
            "Multi-order are identified, please request again with extra parameters added",
        ),
    }
}

pub(crate) async fn regenerate(
    State(shared): State<SharedState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !authorized(&shared, &headers) {
        return status_body(None, 900, "Unauthorized access");
    }
    let Some(req) = Obj::parse(&body) else { return status_body(None, 901, "illegal request data") };
    let original = match req.req_str("originalOrderNo") {
        Ok(no) => no,
        Err(e) => {
            return status_body(None, 307, &format!("Illegal booking request parameters: {}", e.describe()))
        }
    };
    let mut world = shared.world();
    let atrip = &mut world.atrip;
    atrip.advance(&original);
    let Some(old) = atrip.orders.get(&original) else {
        return status_body(Some(&original), 800, "Order does not exist");
    };
    if matches!(old.phase, Phase::Paying | Phase::Paid { .. } | Phase::Ticketed { .. }) {
        return status_body(
            Some(&original),
            314,
            "Unable to regenerate order: The original order is ticketing or ticketed",
        );
    }
    let mut order = old.clone();
    order.order_no = atrip.new_order_no(&original[..5]);
    order.pnr_code = web::locator();
    order.tkt_limit = OffsetDateTime::now_utc() + time::Duration::minutes(30);
    order.phase = Phase::Unpaid;
    order.original_order_no = Some(original);
    for pax in &mut order.passengers {
        pax.ticket_nos.clear();
    }
    // As Atlas's published regenerate answer: the new order's passengers have no tickets, PNRs
    // or contacts yet, and say so with `null`.
    let mut view = order_view(&order);
    for pax in &mut view.pax_ticket_infos {
        (pax.ticket_nos, pax.airline_pnrs, pax.contact_emails, pax.contact_phones) = (None, None, None, None);
    }
    atrip.orders.insert(order.order_no.clone(), order);
    web::json_text(StatusCode::OK, to_body(&view))
}

/// Reads a control-API order seed: see the README for the fields.
pub(crate) fn seed_from_json(req: &Obj) -> Result<OrderSeed, String> {
    let e = |e: FieldError| e.describe();
    let currency = match req.str("currency").map_err(e)? {
        Some(code) => Currency::from_code(&code).map_err(|e| e.to_string())?,
        None => Currency::USD,
    };
    let total_text = req.decimal_text("totalPrice").map_err(e)?.ok_or("totalPrice is required")?;
    let total = Money::parse_major(&total_text, currency, farepoint_core::money::Sign::NonNegative)
        .map_err(|e| e.to_string())?;
    let methods = req.ints("supportPaymentMethods").map_err(e)?.unwrap_or_else(|| vec![1, 3, 4, 5]);
    let mut seed = OrderSeed::new(total, &methods);
    seed.order_no = req.str("orderNo").map_err(e)?;
    if let Some(text) = req.decimal_text("totalTransactionFee").map_err(e)? {
        seed.fee = Money::parse_major(&text, currency, farepoint_core::money::Sign::NonNegative)
            .map_err(|e| e.to_string())?;
    }
    let vendor_currency = match req.str("vendorCurrency").map_err(e)? {
        Some(code) => Currency::from_code(&code).map_err(|e| e.to_string())?,
        None => currency,
    };
    match req.decimal_text("vendorTotalPrice").map_err(e)? {
        Some(text) => {
            seed.vendor_total =
                Money::parse_major(&text, vendor_currency, farepoint_core::money::Sign::NonNegative)
                    .map_err(|e| e.to_string())?;
        }
        None if vendor_currency != currency => return Err("vendorCurrency needs vendorTotalPrice".into()),
        None => {}
    }
    if let Some(text) = req.str("tktLimitTime").map_err(e)? {
        seed.tkt_limit = parse_deadline(&text).ok_or("tktLimitTime must be yyyy-MM-dd HH:mm:ss (GMT+8)")?;
    } else if let Some(secs) = req.int("deadlineInSecs").map_err(e)? {
        seed.tkt_limit = OffsetDateTime::now_utc() + time::Duration::seconds(secs);
    }
    if let Some(status) = req.str("orderStatus").map_err(e)? {
        seed.order_status = status;
    }
    seed.card_type = req.str("cardType").map_err(e)?;
    seed.requires_commit = req.bool("requiresCommit").map_err(e)?.unwrap_or(false);
    if let Some(airline) = req.str("airline").map_err(e)? {
        seed.airline = airline;
    }
    if let Some(passengers) = req.objects("passengers").map_err(e)? {
        seed.passengers = passengers
            .iter()
            .map(|p| Ok((p.req_str("name").map_err(e)?, p.int("passengerType").map_err(e)?.unwrap_or(0))))
            .collect::<Result<_, String>>()?;
    }
    Ok(seed)
}

/// The order as `queryOrderDetails.do` shows it, for the control API.
pub(crate) fn order_json(world: &mut World, order_no: &str) -> Option<String> {
    world.atrip.advance(order_no);
    world.atrip.orders.get(order_no).map(|o| to_body(&order_view(o)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_singapore_time() {
        let t = time::macros::datetime!(2025-01-01 00:00:00 UTC);
        assert_eq!(format_deadline(t), "2025-01-01 08:00:00");
        assert_eq!(parse_deadline("2025-01-01 08:00:00"), Some(t));
    }

    #[test]
    fn holder_names_use_the_documented_letters() {
        assert!(holder_name_ok("DOE"));
        assert!(holder_name_ok("Müller-Lüdenscheidt"));
        assert!(!holder_name_ok("O'NEIL"));
        assert!(!holder_name_ok("VAN DAM"));
    }
}
