//! ATRIP's JSON and its mapping to the unified model (docs/providers/atrip.md).
//!
//! Success is the body's `status` (0), never `msg`. Amounts arrive as JSON numbers: they are read
//! from their literal text so nothing passes through a float.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use time::macros::{format_description, offset};
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::card::Card;
use crate::money::{Currency, Money, Sign};
use crate::providers::http::Exchange;
use crate::providers::probe::Probe;
use crate::providers::{lenient, PayOutcome, ProviderError, Refusal};

/// How an ATRIP order is paid (`paymentMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// 1: debit the agency's prepaid ATRIP balance.
    Deposit,
    /// 3: pass the agency's virtual card through to the airline.
    Vcc,
    /// 4: the agency's own airline account.
    Byoa,
    /// 5: ATRIP charges the card as merchant of record.
    Mor,
}

/// What paying by one method needs from the agent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MethodForm {
    pub method: Method,
    /// A card (VCC and MoR).
    pub card: bool,
    /// The card holder's IP address, for 3-D Secure when ATRIP charges as merchant.
    pub three_ds_ip: bool,
}

impl MethodForm {
    pub fn of(method: Method) -> MethodForm {
        // `pay_body` sends a card for `needs_card` and 3-D Secure's IP with MoR's card.
        MethodForm { method, card: method.needs_card(), three_ds_ip: method == Method::Mor }
    }
}

/// The form's facts: every method, in the order the desk lists them, with what each needs.
pub fn form() -> crate::catalog::Form {
    crate::catalog::Form { methods: Method::ALL.map(MethodForm::of).to_vec(), ..Default::default() }
}

impl Method {
    /// Every method, in the order the desk lists them.
    pub const ALL: [Method; 4] = [Method::Deposit, Method::Vcc, Method::Byoa, Method::Mor];

    pub fn code(self) -> i64 {
        match self {
            Method::Deposit => 1,
            Method::Vcc => 3,
            Method::Byoa => 4,
            Method::Mor => 5,
        }
    }

    pub fn from_code(code: i64) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.code() == code)
    }

    /// VCC and MoR carry a card; deposit and BYOA do not.
    pub fn needs_card(self) -> bool {
        matches!(self, Method::Vcc | Method::Mor)
    }

    pub fn label(self) -> &'static str {
        match self {
            Method::Deposit => "deposit",
            Method::Vcc => "VCC",
            Method::Byoa => "BYOA",
            Method::Mor => "MoR",
        }
    }
}

/// A payment by `method`, which needs a card, was asked for without one.
pub fn card_needed(method: Method) -> ProviderError {
    let problem = crate::codes::CodedError::new(crate::codes::ErrorCode::CardNeeded);
    ProviderError::invalid("card", problem.with("method", method.label()))
}

/// `orderStatus`, a string on the wire.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum OrderStatus {
    Unpaid,
    /// "1": paid, ticketing in process.
    Ticketing,
    Ticketed,
    Cancelled,
    /// A value the documentation does not list: treated as still pending.
    Other(String),
}

impl OrderStatus {
    fn parse(s: &str) -> OrderStatus {
        match s {
            "0" => OrderStatus::Unpaid,
            "1" => OrderStatus::Ticketing,
            "2" => OrderStatus::Ticketed,
            "-3" => OrderStatus::Cancelled,
            other => OrderStatus::Other(other.to_string()),
        }
    }
}

/// One passenger's tickets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PassengerTickets {
    pub name: String,
    pub ticket_numbers: Vec<String>,
}

/// What an amount ATRIP states for a paid order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeKind {
    /// `payment.ticketFare`: the tickets' price.
    TicketFare,
    /// `payment.serviceFee`: ATRIP's service fee.
    ServiceFee,
    /// `payment.paymentFee`: the card handling fee (MoR).
    PaymentFee,
    /// `vendorCost`: what the airline actually charged (VCC or BYOA), in its own currency.
    AirlineCharged,
}

/// Where ATRIP says an amount was taken from (`deductFrom`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeductedFrom {
    /// `CARD`: the card sent with the payment.
    Card,
    /// `DEPOSIT`: the agency's ATRIP balance.
    Deposit,
    /// The agency's own airline account (BYOA's `vendorCost`).
    AirlineAccount,
}

/// One amount ATRIP states it took for a paid order, each in its own currency: a card may be
/// charged in a currency that is neither the order's nor the airline's (Atlas's own MoR example
/// charges EUR on a USD order for a NOK fare), so nothing here is converted or added to the total.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Charge {
    pub what: ChargeKind,
    pub amount: Money,
    /// `None` when ATRIP does not say, or says something we do not know.
    pub from: Option<DeductedFrom>,
}

impl Charge {
    /// "Ticket fare, charged to the card" — the line the timeline tells.
    pub fn label(&self) -> String {
        let what = match self.what {
            ChargeKind::TicketFare => "Ticket fare",
            ChargeKind::ServiceFee => "ATRIP service fee",
            ChargeKind::PaymentFee => "Card fee",
            ChargeKind::AirlineCharged => "Airline charged",
        };
        match self.from {
            Some(DeductedFrom::Card) => format!("{what}, charged to the card"),
            Some(DeductedFrom::Deposit) => format!("{what}, from the ATRIP deposit"),
            Some(DeductedFrom::AirlineAccount) => format!("{what}, to the airline account"),
            None => what.to_string(),
        }
    }
}

/// What the card was charged in all, when ATRIP's statement gives one amount: the `payment`
/// parts taken from the card, or (without them) the airline's `vendorCost` on a VCC. `None` when
/// nothing was taken from a card, or the parts are in different currencies (the timeline then
/// lists each; they are never added across currencies).
pub fn card_charged(charges: &[Charge]) -> Option<Money> {
    let on_card = |c: &&Charge| c.from == Some(DeductedFrom::Card);
    let parts: Vec<&Charge> =
        charges.iter().filter(on_card).filter(|c| c.what != ChargeKind::AirlineCharged).collect();
    let parts = if parts.is_empty() { charges.iter().filter(on_card).collect() } else { parts };
    let first = parts.first()?.amount.currency;
    parts.iter().try_fold(Money::from_minor(0, first), |sum, c| {
        (c.amount.currency == first)
            .then(|| sum.minor.checked_add(c.amount.minor))
            .flatten()
            .map(|m| Money::from_minor(m, first))
    })
}

/// What `queryOrderDetails.do` tells about an order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Order {
    pub order_no: String,
    pub pnr_code: Option<String>,
    pub status: OrderStatus,
    /// `ticketStatus` "1": tickets issued.
    pub tickets_issued: bool,
    /// `totalPrice`: what ATRIP settles with the agency, without its technical fee.
    pub total: Money,
    /// `totalTransactionFee`: ATRIP's technical fee, in the same currency, when stated.
    pub transaction_fee: Option<Money>,
    /// `vendorTotalPrice` in `vendorCurrency`: the airline's price, the reference a VCC is made
    /// out for (what the airline finally charged is `vendorCost`); stated only for orders that
    /// can be paid by VCC or BYOA.
    pub vendor_total: Option<Money>,
    /// `tktLimitTime`, the payment deadline.
    #[serde(with = "time::serde::rfc3339::option")]
    pub deadline: Option<OffsetDateTime>,
    pub supported_methods: Vec<Method>,
    pub paid_with: Option<Method>,
    /// The order carries a `payment` object (ATRIP fills it once the order is paid).
    pub payment_recorded: bool,
    /// What ATRIP states it took once paid: its `payment` object's amounts and, for VCC and
    /// BYOA, the airline's `vendorCost`. Empty before payment, or when none can be read.
    pub charges: Vec<Charge>,
    /// `paymentAttempted: true`: Atlas has already tried to charge the card (VCC).
    pub payment_attempted: bool,
    pub passengers: Vec<PassengerTickets>,
    /// Why ticketing failed, with what to do next, when the order was cancelled.
    pub ticketing_error: Option<Refusal>,
}

impl Order {
    /// Any trace of a payment: a payment method, a `payment` object, or an attempt to charge.
    pub fn shows_payment(&self) -> bool {
        self.paid_with.is_some() || self.payment_recorded || self.payment_attempted
    }

    /// The one answer that proves a `pay.do` did not take money: the order is still `"0"`
    /// (unpaid) with no trace of a payment. ATRIP holds the order's state and `pay.do` is
    /// synchronous, so once our request's time is over, an order it had paid would be `"1"`/`"2"`
    /// with `paymentMethod` and `payment` set. The engine still waits a grace period first, for a
    /// `pay.do` ATRIP may be processing ("406 payment in progress").
    pub fn proves_unpaid(&self) -> bool {
        self.status == OrderStatus::Unpaid && !self.shows_payment()
    }

    /// Refuses, before sending, a payment the order cannot take.
    pub fn check_payable(&self, method: Method, now: OffsetDateTime) -> Result<(), ProviderError> {
        let refuse = |code: &str| Err(ProviderError::Refused(refusal(code, "")));
        match self.status {
            OrderStatus::Unpaid => {}
            OrderStatus::Ticketing => return refuse("404"),
            OrderStatus::Ticketed | OrderStatus::Cancelled => return refuse("402"),
            OrderStatus::Other(ref s) => {
                return Err(ProviderError::Refused(Refusal {
                    code: format!("orderStatus {s}"),
                    message: "ATRIP reports an order state Farepoint does not know".into(),
                    advice: "Check the order in the ATRIP portal before paying".into(),
                }))
            }
        }
        if self.deadline.is_some_and(|d| d <= now) {
            return refuse("401");
        }
        if self.supported_methods.is_empty() {
            return refuse("412");
        }
        if !self.supported_methods.contains(&method) {
            return Err(ProviderError::Refused(Refusal {
                code: "403".into(),
                message: format!("This order cannot be paid by {}", method.label()),
                advice: format!(
                    "Choose one of: {}",
                    self.supported_methods.iter().map(|m| m.label()).collect::<Vec<_>>().join(", ")
                ),
            }));
        }
        Ok(())
    }

    /// All ticket numbers with their passenger, in order.
    pub fn tickets(&self) -> Vec<(String, String)> {
        self.passengers
            .iter()
            .flat_map(|p| p.ticket_numbers.iter().map(move |t| (p.name.clone(), t.clone())))
            .collect()
    }
}

/// What the agent should do after one of ATRIP's codes. The engine acts on it too: only
/// `Regenerate` lets a failed order be regenerated and paid again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// The same order can be paid again, another way (another card, another method, deposit).
    PayAgain,
    /// The order is gone; a regenerated order (same trip, new order number) can be paid.
    Regenerate,
    /// The booking itself cannot go on: search and book again.
    NewBooking,
    /// Something in the request or the booking must be corrected first.
    FixRequest,
    /// Nothing to pay: cancel (or leave) this booking.
    Cancel,
    /// Money may be moving or already moved: watch the order, never pay it again.
    WaitAndWatch,
    /// ATRIP's people (or the airline) must look at it before anything else is paid.
    AskAtrip,
    /// Farepoint's ATRIP credentials are refused: fix them in Settings.
    FixSettings,
}

/// Every code ATRIP publishes for `pay.do`, ticketing (`errorCode` of a cancelled order),
/// the order query and its general errors: what it means for the agent, and the next step.
/// Where Atlas's pages disagree, the reading that cannot lead to paying twice is kept (a code
/// once described as "payment status unknown" is never a reason to pay again).
const CODES: &[(&str, &str, &str, NextStep)] = &[
    // pay.do
    (
        "400",
        "ATRIP refused the request as invalid",
        "Correct what ATRIP's message names, then pay again",
        NextStep::FixRequest,
    ),
    (
        "401",
        "The payment deadline of this order has passed",
        "Regenerate the order or make a new booking",
        NextStep::Regenerate,
    ),
    (
        "402",
        "The order is already ticketing, ticketed or cancelled",
        "Check the order instead of paying again",
        NextStep::WaitAndWatch,
    ),
    (
        "403",
        "This order does not accept that payment method",
        "Choose one of the methods the order offers",
        NextStep::PayAgain,
    ),
    (
        "404",
        "The order is already paid",
        "Check the order for its tickets; do not pay again",
        NextStep::WaitAndWatch,
    ),
    (
        "405",
        "ATRIP reports the order in a state that cannot be paid",
        "Check the order in the ATRIP portal before doing anything else",
        NextStep::WaitAndWatch,
    ),
    (
        "406",
        "A payment for this order is already in progress",
        "Wait for it and check the order; do not pay again",
        NextStep::WaitAndWatch,
    ),
    (
        "407",
        "Passenger data is incomplete",
        "Correct the passengers in the booking, then pay",
        NextStep::FixRequest,
    ),
    (
        "408",
        "A child cannot travel alone on this booking",
        "Make a new booking with an adult travelling",
        NextStep::NewBooking,
    ),
    (
        "409",
        "The extra baggage does not match the flight segments",
        "Correct the baggage in the booking, then pay",
        NextStep::FixRequest,
    ),
    (
        "410",
        "The contact details are in the wrong format",
        "Fix the contact phone (XXXX-XXXXXXXX) in the booking, then pay",
        NextStep::FixRequest,
    ),
    (
        "411",
        "The payment was refused (card declined or deposit balance too low)",
        "Use another card, or top up the deposit, then pay again",
        NextStep::PayAgain,
    ),
    (
        "412",
        "No payment method is available for this order",
        "Ask ATRIP support why the order cannot be paid",
        NextStep::AskAtrip,
    ),
    ("413", "ATRIP does not accept this card", "Use another card, or pay by deposit", NextStep::PayAgain),
    (
        "414",
        "The card brand does not match the one chosen at booking",
        "Use a card of the brand chosen when the order was made",
        NextStep::PayAgain,
    ),
    (
        "415",
        "The order has not been confirmed yet",
        "Confirm the order (orderCommit), then pay",
        NextStep::FixRequest,
    ),
    // Ticketing: the order was cancelled after payment.
    (
        "601",
        "The fare changed before ticketing",
        "Search and book again at the current fare",
        NextStep::NewBooking,
    ),
    ("602", "The flight is no longer available", "Make a new booking", NextStep::NewBooking),
    ("603", "The flight sold out before ticketing", "Make a new booking", NextStep::NewBooking),
    (
        "604",
        "The airline declined the card",
        "Regenerate the order, then pay it with another card or by deposit",
        NextStep::Regenerate,
    ),
    (
        "605",
        "The passenger details are wrong",
        "Make a new booking with the corrected passenger details",
        NextStep::NewBooking,
    ),
    ("606", "The airline changed the flight's schedule", "Search and book again", NextStep::NewBooking),
    ("607", "The seats sold out", "Search and book again", NextStep::NewBooking),
    (
        "608",
        "The airline reports a duplicate booking",
        "Find the existing booking for these passengers and flights; do not book or pay again",
        NextStep::Cancel,
    ),
    (
        "609",
        "The airline blocks the contact e-mail",
        "Make a new booking with another contact e-mail",
        NextStep::NewBooking,
    ),
    (
        "610",
        "Something went wrong while the airline took the payment",
        "Ask ATRIP whether the airline was paid before paying again",
        NextStep::AskAtrip,
    ),
    (
        "611",
        "The airline cancelled the reservation or it expired",
        "Search and book again",
        NextStep::NewBooking,
    ),
    (
        "613",
        "The airline's risk control refused the payment",
        "Regenerate the order, then pay by deposit or with another card",
        NextStep::Regenerate,
    ),
    (
        "614",
        "A child passenger's age is wrong",
        "Make a new booking with the right date of birth",
        NextStep::NewBooking,
    ),
    (
        "615",
        "Paid, but the airline has not confirmed the booking yet",
        "Do not pay again — ATRIP is following it up with the airline",
        NextStep::WaitAndWatch,
    ),
    (
        "616",
        "The card needs 3-D Secure, which ATRIP cannot do",
        "Regenerate the order, then pay with a card without 3-D Secure or by deposit",
        NextStep::Regenerate,
    ),
    (
        "617",
        "The ATRIP deposit balance is too low",
        "Top up the deposit, then regenerate the order and pay",
        NextStep::Regenerate,
    ),
    (
        "618",
        "The baggage weight does not match the airline's options",
        "Ask ATRIP's operations team",
        NextStep::AskAtrip,
    ),
    (
        "619",
        "Payment information was missing or wrong at the airline",
        "Regenerate the order and pay again with complete card details",
        NextStep::Regenerate,
    ),
    (
        "620",
        "This return fare cannot be combined",
        "Book each direction as its own one-way booking",
        NextStep::NewBooking,
    ),
    (
        "621",
        "The airline does not take infants through ATRIP",
        "Make a new booking without the infant",
        NextStep::NewBooking,
    ),
    (
        "623",
        "The card's balance or spending limit was too low",
        "Regenerate the order, then pay with another card",
        NextStep::Regenerate,
    ),
    (
        "624",
        "Round trips are not available for this airline",
        "Book two one-way bookings",
        NextStep::NewBooking,
    ),
    (
        "625",
        "Frequent-flyer bookings are ticketed by hand",
        "Ask ATRIP about this booking",
        NextStep::AskAtrip,
    ),
    (
        "626",
        "The reservation has unpaid services at the airline",
        "Ask ATRIP which services are unpaid",
        NextStep::AskAtrip,
    ),
    (
        "627",
        "Extras cannot be bought for this order after ticketing",
        "Make a new order without the extras",
        NextStep::NewBooking,
    ),
    (
        "628",
        "The extras order does not match the original flight",
        "Make a new order with the right flight",
        NextStep::NewBooking,
    ),
    ("629", "The order cannot be refunded", "Ask ATRIP about this order", NextStep::AskAtrip),
    ("630", "The airline refunds less than expected", "Ask ATRIP about this order", NextStep::AskAtrip),
    ("631", "The baggage price changed before ticketing", "Search and book again", NextStep::NewBooking),
    (
        "632",
        "The airline's risk control stopped ticketing",
        "Search and book again; if it happens again, ask ATRIP",
        NextStep::NewBooking,
    ),
    (
        "633",
        "The airline's risk control refused the payment",
        "Regenerate the order, then pay by deposit",
        NextStep::Regenerate,
    ),
    (
        "634",
        "The airline's systems failed",
        "Make a new booking; if it happens again, ask ATRIP",
        NextStep::NewBooking,
    ),
    (
        "6051",
        "The passenger is on a government no-fly list",
        "Tell the passenger and cancel the booking",
        NextStep::Cancel,
    ),
    (
        "698",
        "The airline had a technical error and the payment's outcome is unknown",
        "Ask ATRIP and the airline whether it was paid before booking or paying again",
        NextStep::AskAtrip,
    ),
    ("699", "ATRIP had a system error", "Ask ATRIP about this order before paying again", NextStep::AskAtrip),
    // Order query.
    ("701", "Several orders match", "Look the order up by its ATRIP order number", NextStep::FixRequest),
    (
        "702",
        "ATRIP needs the airline PNR and carrier to find the order",
        "Look the order up by its ATRIP order number",
        NextStep::FixRequest,
    ),
    ("703", "ATRIP has no such order", "Check the order number", NextStep::FixRequest),
    ("704", "ATRIP could not match the order's details", "Check the order number", NextStep::FixRequest),
    ("705", "ATRIP took too long to find the order", "Look it up again in a moment", NextStep::WaitAndWatch),
    ("800", "ATRIP has no such order", "Check the order number", NextStep::FixRequest),
    // General.
    (
        "-1",
        "ATRIP reported an error without a code",
        "Ask ATRIP support about this order",
        NextStep::AskAtrip,
    ),
    ("-3", "ATRIP cancelled the order", "Check the order in the ATRIP portal", NextStep::AskAtrip),
    (
        "100",
        "ATRIP says the request lacked required data",
        "Report this to Farepoint support",
        NextStep::AskAtrip,
    ),
    (
        "900",
        "ATRIP rejected Farepoint's credentials",
        "Check the ATRIP client id and secret in Settings",
        NextStep::FixSettings,
    ),
    ("901", "ATRIP could not read the request", "Report this to Farepoint support", NextStep::AskAtrip),
    (
        "902",
        "ATRIP refused access",
        "Check the ATRIP client id and secret in Settings",
        NextStep::FixSettings,
    ),
    (
        "9999",
        "ATRIP had a system error",
        "Ask ATRIP about this order before paying again",
        NextStep::AskAtrip,
    ),
];

/// The meaning of an ATRIP code: what happened, what to do, the next step. A code ATRIP does
/// not publish is taken conservatively: ask ATRIP before paying again.
pub fn meaning(code: &str) -> (&'static str, &'static str, NextStep) {
    let code = code.trim();
    match CODES.iter().find(|(c, ..)| *c == code) {
        Some((_, message, advice, next)) => (message, advice, *next),
        None if code.starts_with('6') => (
            "Ticketing failed at the airline",
            "Ask ATRIP what happened before regenerating or paying again",
            NextStep::AskAtrip,
        ),
        None => (
            "ATRIP refused the payment",
            "Check the order in the ATRIP portal before paying again",
            NextStep::AskAtrip,
        ),
    }
}

/// The next step after an ATRIP code.
pub fn next_step(code: &str) -> NextStep {
    meaning(code).2
}

/// The agent-facing refusal for an ATRIP code, with ATRIP's own message when it adds something.
pub fn refusal(code: &str, provider_msg: &str) -> Refusal {
    let (message, advice, _) = meaning(code);
    let message = if provider_msg.is_empty() || provider_msg == message {
        message.to_string()
    } else {
        format!("{message} (ATRIP: {provider_msg})")
    };
    Refusal { code: code.to_string(), message, advice: advice.to_string() }
}

/// The `pay.do` body. Built as JSON directly: card types do not serialize, by design.
pub fn pay_body(
    order_no: &str,
    method: Method,
    card: Option<&Card>,
    three_ds_ip: Option<&str>,
) -> Result<Value, ProviderError> {
    let credit_card = match (method.needs_card(), card) {
        (false, _) => Value::Null,
        (true, None) => {
            return Err(card_needed(method));
        }
        (true, Some(card)) => {
            let (first, last) = split_holder(card.holder.as_str())?;
            let mut cc = json!({
                "cardNumber": card.number.expose_number(),
                "cardCVV": card.cvv.expose_cvv(),
                "cardExpireMonth": format!("{:02}", card.expiry.month()),
                "cardExpireYear": format!("{:02}", card.expiry.year() % 100),
                "cardHolderFirstName": first,
                "cardHolderLastName": last,
                "reusable": false,
            });
            if method == Method::Mor {
                cc["threeDS"] = json!({ "ip": three_ds_ip });
            }
            cc
        }
    };
    Ok(json!({ "orderNo": order_no, "paymentMethod": method.code(), "creditCard": credit_card }))
}

/// ATRIP takes letters and hyphens only: given names are joined, the last word is the surname.
fn split_holder(holder: &str) -> Result<(String, String), ProviderError> {
    let words: Vec<String> =
        holder.split_whitespace().map(|w| w.chars().filter(|c| !matches!(c, '\'' | '.')).collect()).collect();
    let invalid = || {
        ProviderError::invalid("holder", crate::codes::CodedError::new(crate::codes::ErrorCode::AtripHolder))
    };
    let (last, given) = words.split_last().ok_or_else(invalid)?;
    if given.is_empty() || last.is_empty() {
        return Err(invalid());
    }
    Ok((given.concat(), last.clone()))
}

#[derive(Deserialize)]
struct StatusOnly {
    status: Option<i64>,
    msg: Option<String>,
}

/// `pay.do` refusals whose published meaning does not say the money stayed put: 411, "Some error
/// happened with the payment gateway" in Atlas's current reference (its older error table reads
/// "not enough balance", Atlas's own client treats it as a side effect to check). The engine takes
/// such a refusal only once the order shows unpaid with no payment on it.
pub fn refusal_needs_the_order(code: &str) -> bool {
    code == "411"
}

/// Maps a `pay.do` answer. Only `status` 0 is success; the codes that mean "the order may
/// already be paid" are ambiguous on purpose: the engine asks `queryOrderDetails.do`.
pub fn pay_outcome(http_status: u16, body: &[u8], order_no: &str) -> PayOutcome {
    if http_status >= 500 {
        return PayOutcome::Ambiguous { reason: format!("ATRIP answered HTTP {http_status}") };
    }
    let Ok(StatusOnly { status: Some(status), msg }) = serde_json::from_slice::<StatusOnly>(body) else {
        return PayOutcome::Ambiguous {
            reason: format!("ATRIP's answer (HTTP {http_status}) could not be read"),
        };
    };
    let msg = msg.unwrap_or_default();
    match status {
        0 => PayOutcome::Accepted {
            provider_ref: Some(order_no.to_string()),
            message: "ATRIP accepted the payment".into(),
        },
        402 | 404 | 406 => PayOutcome::Ambiguous {
            reason: format!("ATRIP answered {status} ({msg}): the order's state decides, not this answer"),
        },
        400 | 401 | 403 | 407..=415 | 900 | 901 | 902 => {
            PayOutcome::Declined(refusal(&status.to_string(), &msg))
        }
        other => PayOutcome::Ambiguous { reason: format!("ATRIP answered status {other} ({msg})") },
    }
}

/// ATRIP's answers are read leniently where its own published material varies: a code or status
/// may be a string (`"2"`, as the order query documents) or a number (`2`, as its webhooks and
/// Postman tests use), and any list may be `null` (the regenerate example sends
/// `"ticketNos": null` before tickets exist) as well as absent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryWire {
    status: Option<i64>,
    msg: Option<String>,
    order_no: Option<String>,
    pnr_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::code_text")]
    order_status: Option<String>,
    #[serde(default, deserialize_with = "lenient::code_text")]
    ticket_status: Option<String>,
    total_price: Option<Box<RawValue>>,
    currency: Option<String>,
    total_transaction_fee: Option<Box<RawValue>>,
    vendor_total_price: Option<Box<RawValue>>,
    vendor_currency: Option<String>,
    tkt_limit_time: Option<String>,
    #[serde(default, deserialize_with = "lenient::null_as_empty")]
    support_payment_methods: Vec<i64>,
    payment_method: Option<i64>,
    /// What was paid, present once paid (null or absent before). Read leniently: its presence
    /// alone says "paid", whatever its amounts look like.
    payment: Option<Box<RawValue>>,
    /// What the airline charged (VCC, BYOA), in `vendorCurrency`.
    vendor_cost: Option<Box<RawValue>>,
    /// VCC: true once Atlas has tried charging the card at the airline.
    payment_attempted: Option<bool>,
    #[serde(default, deserialize_with = "lenient::null_as_empty")]
    pax_ticket_infos: Vec<PaxWire>,
    #[serde(default, deserialize_with = "lenient::code_text")]
    error_code: Option<String>,
    error_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaxWire {
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient::null_as_empty")]
    ticket_nos: Vec<String>,
}

/// Maps a `queryOrderDetails.do` answer.
pub fn parse_order(http_status: u16, body: &[u8]) -> Result<Order, ProviderError> {
    let no_answer = |detail: String| ProviderError::NoAnswer { provider: "ATRIP", detail };
    if http_status >= 500 {
        return Err(no_answer(format!("HTTP {http_status}")));
    }
    let wire: QueryWire =
        serde_json::from_slice(body).map_err(|e| no_answer(format!("the order could not be read ({e})")))?;
    match wire.status {
        Some(0) => {}
        Some(code) => {
            return Err(ProviderError::Refused(refusal(
                &code.to_string(),
                wire.msg.as_deref().unwrap_or(""),
            )));
        }
        None => return Err(no_answer("the answer has no status".into())),
    }
    let missing = |field: &str| no_answer(format!("the order has no {field}"));
    let currency = Currency::from_code(wire.currency.as_deref().ok_or_else(|| missing("currency"))?)
        .map_err(|e| no_answer(e.to_string()))?;
    let total_text =
        wire.total_price.as_ref().ok_or_else(|| missing("totalPrice"))?.get().trim_matches('"').to_string();
    let total =
        Money::parse_major(&total_text, currency, Sign::NonNegative).map_err(|e| no_answer(e.to_string()))?;
    // Stated amounts beside the total: kept when readable, never a reason to refuse the order.
    let amount = |raw: &Option<Box<RawValue>>, currency: Option<Currency>| -> Option<Money> {
        let text = raw.as_ref()?.get().trim_matches('"').to_string();
        Money::parse_major(&text, currency?, Sign::NonNegative).ok()
    };
    let transaction_fee = amount(&wire.total_transaction_fee, Some(currency));
    let vendor_total = amount(
        &wire.vendor_total_price,
        wire.vendor_currency.as_deref().and_then(|c| Currency::from_code(c).ok()),
    );
    let vendor_currency = wire.vendor_currency.as_deref().and_then(|c| Currency::from_code(c).ok());
    let paid_with = wire.payment_method.and_then(Method::from_code);
    let mut charges = wire.payment.as_deref().map(payment_charges).unwrap_or_default();
    // `vendorCost` is what the airline charged: only a statement once the order shows a payment.
    let paid = wire.payment.is_some() || paid_with.is_some();
    if let Some(cost) = amount(&wire.vendor_cost, vendor_currency).filter(|_| paid) {
        let from = match paid_with {
            Some(Method::Vcc) => Some(DeductedFrom::Card),
            Some(Method::Byoa) => Some(DeductedFrom::AirlineAccount),
            _ => None,
        };
        charges.push(Charge { what: ChargeKind::AirlineCharged, amount: cost, from });
    }
    let status = OrderStatus::parse(wire.order_status.as_deref().unwrap_or(""));
    // `ticketStatus` "1" says the tickets are out. Atlas's older published answers have no
    // `ticketStatus`: there a ticketed order whose every passenger has a ticket number says it.
    let tickets_issued = match wire.ticket_status.as_deref() {
        Some(ticket_status) => ticket_status == "1",
        None => {
            status == OrderStatus::Ticketed
                && !wire.pax_ticket_infos.is_empty()
                && wire.pax_ticket_infos.iter().all(|p| !p.ticket_nos.is_empty())
        }
    };
    let ticketing_error = match (&status, &wire.error_code) {
        (OrderStatus::Cancelled, Some(code)) => {
            Some(refusal(code, wire.error_message.as_deref().unwrap_or("")))
        }
        (OrderStatus::Cancelled, None) => Some(Refusal {
            code: "-3".into(),
            message: "ATRIP cancelled the order".into(),
            advice: "Check the order in the ATRIP portal".into(),
        }),
        _ => None,
    };
    Ok(Order {
        order_no: wire.order_no.ok_or_else(|| missing("orderNo"))?,
        pnr_code: wire.pnr_code,
        tickets_issued,
        status,
        total,
        transaction_fee,
        vendor_total,
        deadline: wire.tkt_limit_time.as_deref().and_then(parse_deadline),
        supported_methods: wire.support_payment_methods.into_iter().filter_map(Method::from_code).collect(),
        paid_with,
        payment_recorded: wire.payment.is_some(),
        charges,
        payment_attempted: wire.payment_attempted == Some(true),
        passengers: wire
            .pax_ticket_infos
            .into_iter()
            .map(|p| PassengerTickets { name: p.name.unwrap_or_default(), ticket_numbers: p.ticket_nos })
            .collect(),
        ticketing_error,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentWire {
    ticket_fare: Option<PartWire>,
    service_fee: Option<PartWire>,
    payment_fee: Option<PartWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PartWire {
    amount: Option<Box<RawValue>>,
    currency: Option<String>,
    deduct_from: Option<String>,
}

/// The amounts of a paid order's `payment` object (`ticketFare`, `serviceFee`, `paymentFee`, each
/// `{amount, currency, deductFrom}`), read from their literal text; an object or a part that
/// cannot be read exactly is left out, never guessed.
fn payment_charges(payment: &RawValue) -> Vec<Charge> {
    let Ok(wire) = serde_json::from_str::<PaymentWire>(payment.get()) else { return Vec::new() };
    [
        (wire.ticket_fare, ChargeKind::TicketFare),
        (wire.service_fee, ChargeKind::ServiceFee),
        (wire.payment_fee, ChargeKind::PaymentFee),
    ]
    .into_iter()
    .filter_map(|(part, what)| {
        let part = part?;
        let currency = Currency::from_code(part.currency.as_deref()?).ok()?;
        let text = part.amount?.get().trim_matches('"').to_string();
        let amount = Money::parse_major(&text, currency, Sign::NonNegative).ok()?;
        let from = match part.deduct_from.as_deref() {
            Some("CARD") => Some(DeductedFrom::Card),
            Some("DEPOSIT") => Some(DeductedFrom::Deposit),
            _ => None,
        };
        Some(Charge { what, amount, from })
    })
    .collect()
}

/// `tktLimitTime`: `yyyy-MM-dd HH:mm:ss` in Singapore time (GMT+8).
pub fn parse_deadline(text: &str) -> Option<OffsetDateTime> {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    PrimitiveDateTime::parse(text.trim(), &format).ok().map(|t| t.assume_offset(offset!(+8)))
}

/// `regenerateOrder.do`: the new order number that replaces a cancelled one. The published
/// answer is the new order itself, with `status` 0 at its end; its `orderNo` must be new.
pub fn parse_regenerated(http_status: u16, body: &[u8], original: &str) -> Result<String, ProviderError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| ProviderError::NoAnswer {
        provider: "ATRIP",
        detail: format!("HTTP {http_status}, unreadable answer"),
    })?;
    let new_order = value["orderNo"].as_str().filter(|no| !no.is_empty() && *no != original);
    match value["status"].as_i64() {
        Some(0) => new_order.map(str::to_string).ok_or(ProviderError::NoAnswer {
            provider: "ATRIP",
            detail: "the answer names no new order".into(),
        }),
        Some(code) => {
            Err(ProviderError::Refused(refusal(&code.to_string(), value["msg"].as_str().unwrap_or(""))))
        }
        None => Err(ProviderError::NoAnswer {
            provider: "ATRIP",
            detail: format!("HTTP {http_status}, no status"),
        }),
    }
}

/// The order number "Test connection" looks up: one no ATRIP order can have (ATRIP's order
/// numbers are five letters and seventeen digits that begin with the order's date; this one's date
/// is 0000-00-00).
pub const CHECK_ORDER_NO: &str = "FPCHK00000000000000000";

/// What ATRIP's answer to the test's order query proves. ATRIP publishes that it refuses
/// credentials "before business processing starts" (900, 902): its own "no such order" (703, 800)
/// — or, impossibly, the order — comes only past that check. Any other code is ATRIP's own error.
pub fn check_answer(address: &str, exchange: &Exchange, http_status: u16, body: &[u8]) -> Probe {
    let status = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
        let code = match &v["status"] {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => return None,
        };
        Some((code, v["msg"].as_str().unwrap_or_default().to_string()))
    });
    let Some((code, msg)) = status else {
        return Probe::not_the_api(address, exchange, http_status, body);
    };
    let detail = format!("ATRIP {code}: {msg} (HTTP {http_status})");
    match code.as_str() {
        "0" | "703" | "800" => Probe::Proven,
        "900" | "902" => Probe::CredentialsRefused { detail },
        _ => Probe::ProviderError { detail },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payment::Provider;

    /// A published example, verbatim from `tests/fixtures/atrip/` (where each file was taken from
    /// is in that folder's `SOURCES.md`).
    fn published(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/atrip/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The published ticketed MoR order (Atlas's OpenAPI, first Retrieve Booking example) with
    /// `change` applied: the variants the documentation describes but shows no example of.
    fn order_like(change: impl FnOnce(&mut Value)) -> Result<Order, ProviderError> {
        let mut order: Value =
            serde_json::from_slice(&published("queryOrderDetails.do.response.ticketed.openapi.json"))
                .unwrap();
        change(&mut order);
        parse_order(200, order.to_string().as_bytes())
    }

    /// The published ticketed order with one amount's literal text replaced, as ATRIP may send it.
    fn order_with_text(from: &str, to: &str) -> Result<Order, ProviderError> {
        let text =
            String::from_utf8(published("queryOrderDetails.do.response.ticketed.openapi.json")).unwrap();
        assert!(text.contains(from), "the example has {from}");
        parse_order(200, text.replacen(from, to, 1).as_bytes())
    }

    fn money(minor: i64, currency: Currency) -> Money {
        Money::from_minor(minor, currency)
    }

    #[test]
    fn every_published_pay_answer_is_success_by_its_status_alone() {
        for name in [
            "pay.do.response.success.openapi.json",
            "pay.do.response.success.legacy.json",
            "pay.do.response.success.doc-sabre.json",
            "pay.do.response.success.doc-2022.json",
        ] {
            // Whatever order the example names, the reference is the order we paid.
            assert_eq!(
                pay_outcome(200, &published(name), "TESTA1"),
                PayOutcome::Accepted {
                    provider_ref: Some("TESTA1".into()),
                    message: "ATRIP accepted the payment".into()
                },
                "{name}"
            );
        }
        // `msg` "success" without `status` 0 is not a success.
        let mut answer: Value =
            serde_json::from_slice(&published("pay.do.response.success.openapi.json")).unwrap();
        answer.as_object_mut().unwrap().remove("status");
        assert!(matches!(pay_outcome(200, answer.to_string().as_bytes(), "O"), PayOutcome::Ambiguous { .. }));
    }

    #[test]
    fn answers_that_cannot_tell_are_ambiguous_never_declined() {
        let success = published("pay.do.response.success.openapi.json");
        // A 5xx says nothing, whatever its body.
        for status in [500, 502, 503, 504] {
            assert!(matches!(pay_outcome(status, &success, "O"), PayOutcome::Ambiguous { .. }), "{status}");
        }
        // Bodies that cannot be read, or whose status is missing or not a number.
        for body in ["", "<html>Bad Gateway</html>", "{", r#"{"msg":"success"}"#, r#"{"status":"0"}"#] {
            assert!(matches!(pay_outcome(200, body.as_bytes(), "O"), PayOutcome::Ambiguous { .. }), "{body}");
        }
        // Already paid, ticketing, in progress: the order's state decides, not this answer.
        for code in [402, 404, 406] {
            let body = json!({ "status": code, "msg": "order status error" }).to_string();
            match pay_outcome(200, body.as_bytes(), "O") {
                PayOutcome::Ambiguous { reason } => {
                    assert!(reason.contains("order's state decides"), "{reason}")
                }
                other => panic!("{code}: {other:?}"),
            }
        }
        // A status no table lists is not read as a refusal.
        for code in [1, 405, 601, 999, -1] {
            let body = json!({ "status": code, "msg": "?" }).to_string();
            assert!(matches!(pay_outcome(200, body.as_bytes(), "O"), PayOutcome::Ambiguous { .. }), "{code}");
        }
    }

    #[test]
    fn refusals_carry_the_tables_words_and_atrips_own() {
        let body = json!({ "status": 413, "msg": "card not supported" }).to_string();
        let PayOutcome::Declined(refused) = pay_outcome(200, body.as_bytes(), "O") else {
            panic!("413 declines")
        };
        assert_eq!(refused, refusal("413", "card not supported"));
        let (message, advice, next) = meaning("413");
        assert_eq!(next, NextStep::PayAgain);
        assert_eq!(refused.message, format!("{message} (ATRIP: card not supported)"));
        assert_eq!(refused.advice, advice);
        assert_eq!(
            refused.sentence(Provider::Atrip),
            "ATRIP does not accept this card (ATRIP: card not supported) (413) — Use another card, or pay by deposit"
        );
        // ATRIP's message is added only when it says something the table does not.
        assert_eq!(refusal("413", "").message, message);
        assert_eq!(refusal("413", message).message, message);
        // Every refusal pay.do can answer: declined, and only 411 waits for the order.
        for code in [400, 401, 403, 407, 408, 409, 410, 411, 412, 413, 414, 415, 900, 901, 902] {
            let body = json!({ "status": code, "msg": "" }).to_string();
            let PayOutcome::Declined(r) = pay_outcome(200, body.as_bytes(), "O") else { panic!("{code}") };
            assert_eq!(r.code, code.to_string());
            assert_eq!(refusal_needs_the_order(&r.code), code == 411, "{code}");
        }
    }

    #[test]
    fn amounts_are_read_from_their_literal_text() {
        let usd = Currency::from_code("USD").unwrap();
        // 19.99 is 1998.999… as a float: read from its text, it is 1999 cents.
        assert_eq!(
            order_with_text("\"totalPrice\": 114.99", "\"totalPrice\": 19.99").unwrap().total,
            money(1_999, usd)
        );
        // As a string, and in JSON's exponent form, too.
        assert_eq!(
            order_with_text("\"totalPrice\": 114.99", "\"totalPrice\": \"114.90\"").unwrap().total,
            money(11_490, usd)
        );
        assert_eq!(
            order_with_text("\"totalPrice\": 114.99", "\"totalPrice\": 1.1499e2").unwrap().total,
            money(11_499, usd)
        );
        // A total that cannot be exact in its currency, or is negative, is no answer at all.
        for wrong in ["114.999", "-114.99", "\"\"", "null"] {
            let read = order_with_text("\"totalPrice\": 114.99", &format!("\"totalPrice\": {wrong}"));
            assert!(matches!(read, Err(ProviderError::NoAnswer { .. })), "{wrong}: {read:?}");
        }
        // An amount beside the total that cannot be read exactly is left out, never guessed.
        let order =
            order_with_text("\"vendorTotalPrice\": 1281.9", "\"vendorTotalPrice\": 1281.999").unwrap();
        assert_eq!((order.vendor_total, order.total), (None, money(11_499, usd)));
        let order = order_with_text("\"totalTransactionFee\": 5", "\"totalTransactionFee\": -5").unwrap();
        assert_eq!(order.transaction_fee, None);
    }

    #[test]
    fn an_unpaid_order_proves_unpaid_only_without_any_trace_of_a_payment() {
        let unpaid = |v: &mut Value| {
            v["orderStatus"] = json!("0");
            v["ticketStatus"] = json!("0");
            v["paymentMethod"] = Value::Null;
            v["payment"] = Value::Null;
        };
        let order = order_like(unpaid).unwrap();
        assert!(order.proves_unpaid(), "{order:?}");
        assert!(order.charges.is_empty(), "vendorCost is no statement before a payment");
        // Any one trace is enough to doubt it.
        let traces: [fn(&mut Value); 3] = [
            |v| v["paymentAttempted"] = json!(true),
            |v| v["paymentMethod"] = json!(3),
            |v| v["payment"] = json!({ "paymentMethod": 3 }),
        ];
        for trace in traces {
            let order = order_like(|v| {
                unpaid(v);
                trace(v);
            })
            .unwrap();
            assert!(order.shows_payment() && !order.proves_unpaid(), "{order:?}");
        }
    }

    #[test]
    fn a_cancelled_order_says_why_ticketing_failed() {
        let cancelled = order_like(|v| {
            v["orderStatus"] = json!(-3);
            v["errorCode"] = json!(604);
            v["errorMessage"] = json!("card declined by airline");
        })
        .unwrap();
        assert_eq!(cancelled.status, OrderStatus::Cancelled);
        assert_eq!(cancelled.ticketing_error, Some(refusal("604", "card declined by airline")));
        let silent = order_like(|v| v["orderStatus"] = json!("-3")).unwrap();
        assert_eq!(silent.ticketing_error.map(|r| r.code), Some("-3".to_string()));
    }

    #[test]
    fn an_order_query_that_cannot_be_read_is_no_answer_and_a_refused_one_is_refused() {
        let ticketed = published("queryOrderDetails.do.response.ticketed.openapi.json");
        assert!(matches!(parse_order(500, &ticketed), Err(ProviderError::NoAnswer { .. })));
        assert!(matches!(parse_order(200, b"<html>"), Err(ProviderError::NoAnswer { .. })));
        let refused = order_like(|v| {
            v["status"] = json!(702);
            v["msg"] = json!("order not found");
        });
        assert!(matches!(refused, Err(ProviderError::Refused(ref r)) if r.code == "702"), "{refused:?}");
        for field in ["status", "currency", "totalPrice", "orderNo"] {
            let read = order_like(|v| {
                v.as_object_mut().unwrap().remove(field);
            });
            assert!(matches!(read, Err(ProviderError::NoAnswer { .. })), "without {field}: {read:?}");
        }
    }

    #[test]
    fn the_deadline_is_singapore_time() {
        let deadline = parse_deadline("2025-02-11 16:31:43").unwrap();
        assert_eq!(deadline, time::macros::datetime!(2025-02-11 08:31:43 UTC));
        assert_eq!(parse_deadline("2025-02-11T16:31:43Z"), None);
        assert_eq!(parse_deadline(""), None);
    }

    #[test]
    fn the_published_regenerate_answer_names_a_new_order() {
        let answer = published("regenerateOrder.do.response.success.openapi.json");
        assert_eq!(
            parse_regenerated(200, &answer, "AAYDY20250816162229555").unwrap(),
            "AAWPQ20250816170913493"
        );
        // An answer naming the order it replaces names no new one.
        let same = parse_regenerated(200, &answer, "AAWPQ20250816170913493");
        assert!(matches!(same, Err(ProviderError::NoAnswer { .. })), "{same:?}");
        let refused = parse_regenerated(200, br#"{"status": 401, "msg": "expired"}"#, "X");
        assert!(matches!(refused, Err(ProviderError::Refused(ref r)) if r.code == "401"), "{refused:?}");
    }

    /// Every code in Atlas's published tables (payment, ticketing incl. the OpenAPI
    /// `TicketErrorCodes` enum, order query, general), each with its own meaning.
    const PUBLISHED: &[&str] = &[
        "400", "401", "402", "403", "404", "405", "406", "407", "408", "409", "410", "411", "412", "413",
        "414", "415", "601", "602", "603", "604", "605", "6051", "606", "607", "608", "609", "610", "611",
        "613", "614", "615", "616", "617", "618", "619", "620", "621", "623", "624", "625", "626", "627",
        "628", "629", "630", "631", "632", "633", "634", "698", "699", "701", "702", "703", "704", "705",
        "800", "-1", "100", "900", "901", "902", "9999",
    ];

    #[test]
    fn every_published_code_has_its_own_meaning_and_next_step() {
        // Neither fallback (a code ATRIP does not publish, or an unpublished 6xx) may answer.
        let fallbacks = [meaning("0000"), meaning("6999")];
        for code in PUBLISHED {
            let (message, advice, _) = meaning(code);
            for fallback in fallbacks {
                assert_ne!((message, advice), (fallback.0, fallback.1), "{code} falls back");
            }
            assert!(!message.is_empty() && !advice.is_empty(), "{code}");
        }
        assert_eq!(CODES.len(), PUBLISHED.len() + 1, "the table holds the published codes and -3");
    }

    #[test]
    fn codes_that_say_paid_or_duplicate_never_lead_to_paying_again() {
        // Already paid, in progress, PNR pending: watch the order.
        for code in ["402", "404", "405", "406", "615"] {
            assert_eq!(next_step(code), NextStep::WaitAndWatch, "{code}");
        }
        // A duplicate booking, a no-fly passenger, an outcome the airline could not tell: never
        // a new order, never another card.
        for code in ["608", "6051", "698", "610", "699"] {
            assert!(!matches!(next_step(code), NextStep::Regenerate | NextStep::PayAgain), "{code}");
        }
        let (_, no_fly, next) = meaning("6051");
        assert_eq!(next, NextStep::Cancel);
        assert!(!no_fly.to_lowercase().contains("card") && !no_fly.contains("deposit"), "{no_fly}");
    }

    #[test]
    fn query_errors_say_what_to_change_not_to_try_again() {
        for code in ["701", "702", "703", "704", "800"] {
            let (_, advice, next) = meaning(code);
            assert_eq!(next, NextStep::FixRequest, "{code}");
            assert!(!advice.to_lowercase().contains("try again"), "{code}: {advice}");
        }
        // A timeout is the one query answer that is worth asking again.
        assert_eq!(next_step("705"), NextStep::WaitAndWatch);
    }

    #[test]
    fn unknown_codes_stay_conservative() {
        for code in ["612", "6999", "4242", "", "abc"] {
            let (_, advice, next) = meaning(code);
            assert_eq!(next, NextStep::AskAtrip, "{code}");
            assert!(advice.contains("before"), "{code}: {advice}");
        }
    }
}
