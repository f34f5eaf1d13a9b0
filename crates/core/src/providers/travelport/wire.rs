//! Travelport JSON Air v11's JSON and its mapping to the unified model
//! (docs/providers/travelport.md).
//!
//! Prices arrive as JSON numbers (`Price.TotalPrice`): they are read from their literal text, never
//! through a float. The amount we send is a decimal string (`"value": "943.60"`, as in the
//! provider page's first example), so no float is involved either way.
//! Errors are `Result.Error[]`, at the top level (gateway: auth, headers, JSON) or under the
//! endpoint's wrapper (`ReservationResponse`, `FormOfPaymentResponse`, `PaymentResponse`, …).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::card::{Card, CardBrand};
use crate::money::{Currency, Money, Sign};
use crate::payment::TicketKind;
use crate::providers::http::Exchange;
use crate::providers::probe::Probe;
use crate::providers::{lenient, ProviderError, Refusal};

const PROVIDER: &str = "Travelport";

/// What an offer pays for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OfferKind {
    /// The flights (`ProductAir`): one ticket per traveler.
    Itinerary,
    /// A paid extra (`ProductAncillary`: bag, seat…): an EMD.
    Ancillary,
    /// A product type Farepoint does not know; shown, payable, documents read as they come.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Traveler {
    /// Local reference, e.g. `travelerRefId_1`.
    pub id: String,
    /// Travelport's identifier value.
    pub identifier: String,
    /// "DOE/JANE", as tickets print it.
    pub name: String,
}

/// One offer of the reservation, as the agent ticks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    /// e.g. `offer_1`, `an_o1` — what the agent chooses by.
    pub id: String,
    /// Travelport's identifier value, sent back in `OfferIdentifier`.
    pub identifier: String,
    pub kind: OfferKind,
    pub description: String,
    pub price: Money,
    /// Who it is for ("DOE/JANE").
    pub travelers: Vec<String>,
}

/// A form of payment already in the reservation (a stored card, cash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFop {
    /// e.g. `formOfPayment_stored_1` — what the agent chooses by.
    pub id: String,
    pub identifier: String,
    /// `FormOfPaymentPaymentCard`, `FormOfPaymentCash`, …
    pub fop_type: String,
    /// "VI ••••1111 ALEX SMITH", "Cash": the card number only ever masked.
    pub description: String,
}

/// A ticket or EMD in a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    pub number: String,
    pub kind: TicketKind,
    pub passenger: String,
}

/// An opened post-commit workbench (or a retrieved reservation): what can be paid and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkbenchView {
    /// `Reservation.Identifier.value`: the workbench id after `buildfromlocator`.
    pub workbench_id: String,
    pub locator: String,
    pub travelers: Vec<Traveler>,
    pub offers: Vec<Offer>,
    pub stored_fops: Vec<StoredFop>,
    /// Tickets and EMDs already issued in this reservation.
    pub documents: Vec<Document>,
}

/// The answer to a commit, in unified terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    /// Committed: the documents of the reservation's receipt (all of them, old ones included).
    Committed { documents: Vec<Document> },
    /// Refused; nothing was charged.
    Declined(Refusal),
    /// We cannot tell whether the commit went through. Reconcile; never commit again blindly.
    Ambiguous { reason: String },
}

impl CommitOutcome {
    /// The outcome with `mask`'s exact card data masked in Travelport's words.
    pub fn redacted(self, mask: &crate::redact::Mask) -> CommitOutcome {
        match self {
            CommitOutcome::Declined(r) => CommitOutcome::Declined(r.redacted(mask)),
            CommitOutcome::Ambiguous { reason } => CommitOutcome::Ambiguous {
                reason: crate::redact::redact_text_with(&reason, mask).into_owned(),
            },
            committed => committed,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// One `Result.Error[]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    pub status: Option<u16>,
    pub source_code: String,
    pub source_id: String,
    pub message: String,
    /// The `Result.status` beside the error: "Not processed", "Incomplete", "Complete" or
    /// "Unknown" (the published enum); empty when absent.
    pub result_status: String,
}

/// The first error of `Result.Error[]`, at the top level or under any wrapper object.
pub fn first_error(body: &[u8]) -> Option<ErrorDetail> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let top = value.get("Result").into_iter();
    let wrapped = value.as_object().into_iter().flat_map(|o| o.values()).filter_map(|v| v.get("Result"));
    let (result, error) =
        top.chain(wrapped).find_map(|r| Some((r, r.get("Error")?.as_array()?.first().cloned()?)))?;
    let result_status = result["status"].as_str().unwrap_or_default().to_string();
    let text = |key: &str| match &error[key] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    Some(ErrorDetail {
        status: error["StatusCode"].as_u64().and_then(|s| u16::try_from(s).ok()),
        source_code: text("SourceCode"),
        source_id: text("SourceID"),
        message: text("Message"),
        result_status,
    })
}

/// Whether a commit's error proves that nothing was charged. Travelport publishes no table of
/// commit codes, only what they are: `Result.status` "Not processed" says so outright, and the
/// `SourceCode` ranges 1000 (object validation) and 2000 (system-wide: communication,
/// authorization, header, query parameter) are refusals before anything is processed. Anything
/// else — a card refusal included, whose code is unpublished — is read from the reservation.
fn commit_not_processed(e: &ErrorDetail) -> bool {
    e.result_status.eq_ignore_ascii_case("Not processed")
        || e.source_code.parse::<u32>().is_ok_and(|c| (1000..3000).contains(&c))
}

/// The agent-facing meaning of Travelport's `SourceCode`s: message and next step.
pub fn refusal(code: &str, provider_msg: &str) -> Refusal {
    let (message, advice) = match code {
        "1001" => (
            "Travelport refused the request as invalid",
            "Check the card details and the offers chosen; if it repeats, report it to Farepoint support",
        ),
        "1002" => ("Travelport could not read the request", "Report this to Farepoint support"),
        "1003" => ("This form of payment cannot be used for ticketing", "Pay by card or cash"),
        "2001" | "2002" => (
            "Travelport rejected Farepoint's access",
            "Check the Travelport username, password, client id and secret in Settings",
        ),
        "2010" => (
            "Travelport refused the PCC (TVP-PCC-CORE missing, invalid, or not entitled to ticketing)",
            "Check the PCC in Settings (e.g. 79JP_1G); ask Travelport to enable payment and ticketing for it",
        ),
        "4001" => ("Travelport has no reservation with this locator", "Check the record locator"),
        "4002" | "4003" => {
            ("The reservation's payment session expired", "Open it again and pay. Nothing was charged")
        }
        "4010" => (
            "The form of payment is not in the reservation",
            "Open the reservation again and choose one of its stored forms of payment, or enter a card",
        ),
        "4011" => (
            "An offer chosen is not in the reservation",
            "Open the reservation again and tick its offers again",
        ),
        "4012" => (
            "An offer chosen is already paid",
            "Check the reservation's tickets; do not pay that offer again",
        ),
        "4013" => (
            "The amount does not match the offers' total",
            "Open the reservation again: its prices may have changed",
        ),
        "4014" => (
            "The payment currency does not match the offers'",
            "Open the reservation again and pay its offers in their currency",
        ),
        "4020" => ("The card was declined", "Use another card or pay cash"),
        "4021" => ("The card has insufficient funds", "Use another card or pay cash"),
        "4022" => (
            "The airline rejected the form of payment; no tickets were issued",
            "Use another card or pay cash",
        ),
        "4030" | "4178" => {
            ("Travelport refused how the form of payment was referenced", "Report this to Farepoint support")
        }
        _ if code.len() == 1 => (
            "Travelport reports a service impairment",
            "Try again in a few minutes; check the Travelport status page",
        ),
        _ => ("Travelport refused the request", "Check the reservation in Travelport Smartpoint"),
    };
    // The workbench's own words ("build a new one") are jargon at the desk: ours say it all.
    let plain = provider_msg.is_empty() || matches!(code, "4002" | "4003");
    let message = if plain { message.to_string() } else { format!("{message} (Travelport: {provider_msg})") };
    Refusal { code: code.to_string(), message, advice: advice.to_string() }
}

fn no_answer(detail: impl Into<String>) -> ProviderError {
    ProviderError::NoAnswer { provider: PROVIDER, detail: detail.into() }
}

/// A non-success answer of a call that moves no money: a refusal when it says why, else no
/// usable answer.
fn failure(http_status: u16, body: &[u8]) -> ProviderError {
    match first_error(body) {
        Some(e) if http_status < 500 => ProviderError::Refused(refusal(&e.source_code, &e.message)),
        Some(e) => no_answer(format!("HTTP {http_status}: {} ({})", e.message, e.source_code)),
        None => no_answer(format!("HTTP {http_status}, no readable error")),
    }
}

/// A success status whose body lacks what it should have: the error it carries, if any.
fn missing_or_error(body: &[u8], what: &str) -> ProviderError {
    match first_error(body) {
        Some(e) => ProviderError::Refused(refusal(&e.source_code, &e.message)),
        None => no_answer(format!("the answer has no {what}")),
    }
}

fn is_success(http_status: u16) -> bool {
    (200..300).contains(&http_status)
}

// ---------------------------------------------------------------------------------------------
// Reservation / workbench

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "ReservationResponse")]
    response: Option<ResponseWire>,
}

#[derive(Deserialize)]
struct ResponseWire {
    /// Where the post-commit workbench's id is published ("an additional Identifier object at the
    /// end of the response", named `ReservationResponse/Identifier/value` by the payment pages).
    #[serde(rename = "Identifier", default, deserialize_with = "lenient::null_as_default")]
    identifier: IdentifierWire,
    #[serde(rename = "Reservation")]
    reservation: Option<ReservationWire>,
}

#[derive(Deserialize, Default)]
struct IdentifierWire {
    value: Option<String>,
}

#[derive(Deserialize)]
struct ReservationWire {
    #[serde(rename = "Identifier", default, deserialize_with = "lenient::null_as_default")]
    identifier: IdentifierWire,
    #[serde(rename = "Traveler", default, deserialize_with = "lenient::null_as_empty")]
    travelers: Vec<TravelerWire>,
    #[serde(rename = "Offer", default, deserialize_with = "lenient::null_as_empty")]
    offers: Vec<OfferWire>,
    #[serde(rename = "FormOfPayment", default, deserialize_with = "lenient::null_as_empty")]
    fops: Vec<Value>,
    #[serde(rename = "Receipt", default, deserialize_with = "lenient::null_as_empty")]
    receipts: Vec<ReceiptWire>,
}

#[derive(Deserialize)]
struct TravelerWire {
    #[serde(default)]
    id: String,
    #[serde(rename = "Identifier", default, deserialize_with = "lenient::null_as_default")]
    identifier: IdentifierWire,
    #[serde(rename = "PersonName")]
    name: Option<PersonName>,
}

#[derive(Deserialize)]
struct PersonName {
    #[serde(rename = "Given", default)]
    given: String,
    #[serde(rename = "Surname", default)]
    surname: String,
}

impl PersonName {
    fn display(&self) -> String {
        format!("{}/{}", self.surname.trim(), self.given.trim())
    }
}

#[derive(Deserialize)]
struct OfferWire {
    id: Option<String>,
    #[serde(rename = "Identifier", default, deserialize_with = "lenient::null_as_default")]
    identifier: IdentifierWire,
    #[serde(rename = "Product", default, deserialize_with = "lenient::null_as_empty")]
    products: Vec<Value>,
    #[serde(rename = "Price")]
    price: Option<PriceWire>,
    #[serde(rename = "TravelerIdentifierRef", default, deserialize_with = "lenient::null_as_empty")]
    travelers: Vec<RefWire>,
}

#[derive(Deserialize)]
struct PriceWire {
    #[serde(rename = "TotalPrice")]
    total: Option<Box<RawValue>>,
    #[serde(rename = "CurrencyCode")]
    currency: Option<CurrencyWire>,
}

#[derive(Deserialize)]
struct CurrencyWire {
    value: Option<String>,
}

#[derive(Deserialize, Default)]
struct RefWire {
    id: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
struct ReceiptWire {
    #[serde(rename = "Document", default, deserialize_with = "lenient::null_as_empty")]
    documents: Vec<DocumentWire>,
}

#[derive(Deserialize)]
struct DocumentWire {
    #[serde(rename = "@type", default)]
    kind: String,
    #[serde(rename = "Number")]
    number: Option<String>,
    #[serde(rename = "TravelerIdentifierRef", default, deserialize_with = "lenient::null_as_default")]
    traveler: RefWire,
    #[serde(rename = "TravelerName")]
    name: Option<PersonName>,
}

/// Maps a `buildfromlocator`, retrieve or commit answer's `ReservationResponse.Reservation`.
pub fn parse_reservation(
    http_status: u16,
    body: &[u8],
    locator: &str,
) -> Result<WorkbenchView, ProviderError> {
    if !is_success(http_status) {
        return Err(failure(http_status, body));
    }
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| no_answer(format!("the reservation could not be read ({e})")))?;
    match envelope.response {
        Some(ResponseWire { identifier, reservation: Some(wire) }) => {
            let mut view = reservation(wire, locator)?;
            // The top-level id first (the post-commit workbench), then the reservation's own
            // (a new workbench, as in the Create Workbench example).
            if let Some(id) = identifier.value.filter(|v| !v.is_empty()) {
                view.workbench_id = id;
            }
            Ok(view)
        }
        _ => Err(missing_or_error(body, "reservation")),
    }
}

fn reservation(wire: ReservationWire, locator: &str) -> Result<WorkbenchView, ProviderError> {
    let travelers: Vec<Traveler> = wire
        .travelers
        .into_iter()
        .map(|t| Traveler {
            name: t.name.as_ref().map(PersonName::display).unwrap_or_else(|| t.id.clone()),
            id: t.id,
            identifier: t.identifier.value.unwrap_or_default(),
        })
        .collect();
    let name_of = |r: &RefWire| -> String {
        travelers
            .iter()
            .find(|t| {
                r.value.as_deref().is_some_and(|v| v == t.identifier)
                    || r.id.as_deref() == Some(t.id.as_str())
            })
            .map(|t| t.name.clone())
            .or_else(|| r.id.clone())
            .unwrap_or_default()
    };
    let offers = wire.offers.iter().map(|o| offer(o, &name_of)).collect::<Result<Vec<_>, _>>()?;
    let documents = wire
        .receipts
        .into_iter()
        .flat_map(|r| r.documents)
        .filter_map(|d| {
            let passenger = d.name.as_ref().map(PersonName::display).unwrap_or_else(|| name_of(&d.traveler));
            document(d, passenger)
        })
        .collect();
    Ok(WorkbenchView {
        workbench_id: wire.identifier.value.unwrap_or_default(),
        locator: locator.to_string(),
        stored_fops: wire.fops.iter().filter_map(stored_fop).collect(),
        travelers,
        offers,
        documents,
    })
}

fn offer(o: &OfferWire, name_of: &dyn Fn(&RefWire) -> String) -> Result<Offer, ProviderError> {
    let id = o.id.clone().ok_or_else(|| no_answer("an offer has no id"))?;
    let missing = |what: &str| no_answer(format!("offer {id} has no {what}"));
    let price = o.price.as_ref().ok_or_else(|| missing("Price"))?;
    let code = price.currency.as_ref().and_then(|c| c.value.as_deref()).ok_or_else(|| missing("currency"))?;
    let currency = Currency::from_code(code).map_err(|e| no_answer(format!("offer {id}: {e}")))?;
    let text = price.total.as_ref().ok_or_else(|| missing("TotalPrice"))?.get().trim_matches('"').to_string();
    let price = Money::parse_major(&text, currency, Sign::NonNegative)
        .map_err(|e| no_answer(format!("offer {id}: {e}")))?;
    let product = o.products.first();
    let kind = match product.and_then(|p| p["@type"].as_str()).unwrap_or("") {
        "ProductAir" => OfferKind::Itinerary,
        "ProductAncillary" => OfferKind::Ancillary,
        other => OfferKind::Other(other.to_string()),
    };
    let description =
        product.and_then(|p| p["Description"].as_str()).map(str::to_string).unwrap_or_else(|| match kind {
            OfferKind::Itinerary => "Flights".into(),
            OfferKind::Ancillary => "Ancillary".into(),
            OfferKind::Other(ref t) => t.clone(),
        });
    Ok(Offer {
        identifier: o.identifier.value.clone().ok_or_else(|| missing("Identifier"))?,
        id,
        kind,
        description,
        price,
        travelers: o.travelers.iter().map(name_of).collect(),
    })
}

fn stored_fop(v: &Value) -> Option<StoredFop> {
    let fop_type = v["@type"].as_str().unwrap_or("FormOfPayment").to_string();
    let description = match fop_type.as_str() {
        "FormOfPaymentPaymentCard" => {
            let card = &v["PaymentCard"];
            let digits = card["CardNumber"]["PlainText"].as_str().unwrap_or("");
            let last4 = digits.get(digits.len().saturating_sub(4)..).unwrap_or("");
            let code = card["CardCode"].as_str().unwrap_or("Card");
            let holder = card["CardHolderName"].as_str().unwrap_or("");
            format!("{code} ••••{last4} {holder}").trim().to_string()
        }
        "FormOfPaymentCash" => "Cash".into(),
        other => other.trim_start_matches("FormOfPayment").to_string(),
    };
    Some(StoredFop {
        id: v["id"].as_str()?.to_string(),
        identifier: v["Identifier"]["value"].as_str()?.to_string(),
        fop_type,
        description,
    })
}

fn document(d: DocumentWire, passenger: String) -> Option<Document> {
    let kind = match d.kind.as_str() {
        // The published Ticket List example types its ticket numbers plain "Document".
        "DocumentTicket" | "Document" => TicketKind::Ticket,
        "DocumentEMD" => TicketKind::Emd,
        _ => return None,
    };
    Some(Document { number: d.number?, kind, passenger })
}

// ---------------------------------------------------------------------------------------------
// Form of payment, Payment, commit

/// The Add Form of Payment body for a card: a top-level polymorphic object (the most detailed
/// sample's shape). Built as JSON directly: card types do not serialize, by design.
pub fn card_fop_body(id: &str, card: &Card) -> Value {
    json!({
        "@type": "FormOfPaymentPaymentCard",
        "id": id,
        "FormOfPaymentRef": id,
        "PaymentCard": {
            "@type": "PaymentCardDetail",
            "expireDate": format!("{:02}{:02}", card.expiry.month(), card.expiry.year() % 100),
            "CardType": "Credit",
            "CardCode": card_code(card.number.brand()),
            "CardHolderName": card.holder.as_str().to_uppercase(),
            "CardNumber": { "@type": "CardNumber", "PlainText": card.number.expose_number() },
            "SeriesCode": { "@type": "SeriesCode", "PlainText": card.cvv.expose_cvv() },
        }
    })
}

pub fn cash_fop_body(id: &str) -> Value {
    json!({ "@type": "FormOfPaymentCash", "id": id, "FormOfPaymentRef": id })
}

/// Travelport's two-letter card codes.
pub fn card_code(brand: CardBrand) -> &'static str {
    match brand {
        CardBrand::Visa => "VI",
        CardBrand::Mastercard => "CA",
        CardBrand::Amex => "AX",
        CardBrand::Discover => "DS",
        CardBrand::Diners => "DC",
        CardBrand::Jcb => "JC",
        CardBrand::UnionPay => "UP",
    }
}

/// A form of payment as a Payment references it: local id plus Travelport's identifier (both
/// are needed, or Travelport answers 4178).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FopRef {
    pub id: String,
    pub identifier: String,
}

/// Maps the Add Form of Payment answer to the FOP's reference.
pub fn parse_fop_added(http_status: u16, body: &[u8]) -> Result<FopRef, ProviderError> {
    if !is_success(http_status) {
        return Err(failure(http_status, body));
    }
    let value: Value = serde_json::from_slice(body).map_err(|_| no_answer("the answer could not be read"))?;
    let fop = &value["FormOfPaymentResponse"]["FormOfPayment"];
    match (fop["id"].as_str(), fop["Identifier"]["value"].as_str()) {
        (Some(id), Some(identifier)) => Ok(FopRef { id: id.into(), identifier: identifier.into() }),
        _ => Err(missing_or_error(body, "form of payment identifier")),
    }
}

/// The Add Payment body, in the provider page's shape (`{"Payment": {...}}`): one FOP, the
/// chosen offers, the exact amount as a decimal string.
pub fn payment_body(payment_id: &str, amount: Money, fop: &FopRef, offers: &[&Offer]) -> Value {
    json!({
        "Payment": {
            "id": payment_id,
            // "A placeholder value that has no use at this time": our key, for support calls.
            "Identifier": { "authority": "Travelport", "value": payment_id },
            "Amount": {
                "code": amount.currency.code(),
                "minorUnit": amount.currency.exponent(),
                "currencySource": "Charged",
                "value": amount.to_major_string(),
            },
            "FormOfPaymentIdentifier": {
                "id": fop.id,
                "FormOfPaymentRef": fop.id,
                "Identifier": { "authority": "Travelport", "value": fop.identifier },
            },
            "OfferIdentifier": offers.iter().map(|o| json!({
                "id": o.id,
                "offerRef": o.id,
                "Identifier": { "authority": "Travelport", "value": o.identifier },
            })).collect::<Vec<_>>(),
        }
    })
}

/// Maps the Add Payment answer to the Payment's identifier.
pub fn parse_payment_added(http_status: u16, body: &[u8]) -> Result<String, ProviderError> {
    if !is_success(http_status) {
        return Err(failure(http_status, body));
    }
    let value: Value = serde_json::from_slice(body).map_err(|_| no_answer("the answer could not be read"))?;
    match value["PaymentResponse"]["Payment"]["Identifier"]["value"].as_str() {
        Some(id) => Ok(id.to_string()),
        None => Err(missing_or_error(body, "payment identifier")),
    }
}

/// The commit body, bare as in the Commit Workbench reference.
pub fn commit_body() -> Value {
    json!({ "@type": "ReservationQueryCommitReservation" })
}

/// Maps a commit answer. Only a readable reservation is success; a 5xx, an unreadable body or an
/// error code we do not know leaves the question open.
pub fn commit_outcome(http_status: u16, body: &[u8], locator: &str) -> CommitOutcome {
    if http_status >= 500 {
        return CommitOutcome::Ambiguous { reason: format!("Travelport answered HTTP {http_status}") };
    }
    if is_success(http_status) {
        // Travelport can answer 200 with errors inside `Result`: such a commit is not a success.
        if let Some(e) = first_error(body) {
            return if commit_not_processed(&e) {
                CommitOutcome::Declined(refusal(&e.source_code, &e.message))
            } else {
                CommitOutcome::Ambiguous {
                    reason: format!(
                        "Travelport answered HTTP {http_status} with an error: {} ({})",
                        e.source_code, e.message
                    ),
                }
            };
        }
        return match parse_reservation(http_status, body, locator) {
            Ok(view) => CommitOutcome::Committed { documents: view.documents },
            Err(e) => {
                CommitOutcome::Ambiguous { reason: format!("the commit's answer could not be read: {e}") }
            }
        };
    }
    match first_error(body) {
        Some(e) if commit_not_processed(&e) => CommitOutcome::Declined(refusal(&e.source_code, &e.message)),
        Some(e) => CommitOutcome::Ambiguous {
            reason: format!("Travelport answered {} ({}) — not a known refusal", e.source_code, e.message),
        },
        None => {
            CommitOutcome::Ambiguous { reason: format!("Travelport answered HTTP {http_status}, unreadable") }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ticket list

#[derive(Deserialize)]
struct ReceiptListEnvelope {
    #[serde(rename = "ReceiptListResponse")]
    response: Option<ReceiptListWire>,
}

#[derive(Deserialize)]
struct ReceiptListWire {
    /// `ReceiptID` in the published Ticket List example; `Receipt` as in a reservation.
    #[serde(rename = "ReceiptID", alias = "Receipt", default, deserialize_with = "lenient::null_as_empty")]
    receipts: Vec<ReceiptWire>,
}

/// Maps the Ticket List answer (`receipt/reservations/{Locator}/receipts`).
pub fn parse_ticket_list(http_status: u16, body: &[u8]) -> Result<Vec<Document>, ProviderError> {
    if !is_success(http_status) {
        return Err(failure(http_status, body));
    }
    let envelope: ReceiptListEnvelope = serde_json::from_slice(body)
        .map_err(|e| no_answer(format!("the ticket list could not be read ({e})")))?;
    let list = envelope.response.ok_or_else(|| missing_or_error(body, "ticket list"))?;
    Ok(list
        .receipts
        .into_iter()
        .flat_map(|r| r.documents)
        .filter_map(|d| {
            let passenger = match &d.name {
                Some(n) => n.display(),
                None => d.traveler.id.clone().unwrap_or_default(),
            };
            document(d, passenger)
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// OAuth

#[derive(Deserialize)]
struct TokenWire {
    access_token: Option<String>,
    expires_in: Option<Value>,
    error: Option<String>,
    error_description: Option<String>,
}

/// A token and its lifetime in seconds.
pub fn parse_token(http_status: u16, body: &[u8]) -> Result<(String, u64), ProviderError> {
    let wire: TokenWire = serde_json::from_slice(body)
        .map_err(|_| no_answer(format!("the token answer (HTTP {http_status}) could not be read")))?;
    if let Some(error) = wire.error {
        let detail = match error.as_str() {
            "invalid_grant" => "the username or password was refused — check them in Settings".to_string(),
            "invalid_client" => "the client id or secret was refused — check them in Settings".to_string(),
            other => format!("{other}: {}", wire.error_description.unwrap_or_default()),
        };
        return Err(ProviderError::Credentials { provider: PROVIDER, detail });
    }
    if !is_success(http_status) {
        return Err(no_answer(format!("the token service answered HTTP {http_status}")));
    }
    let token = wire.access_token.filter(|t| !t.is_empty()).ok_or_else(|| no_answer("no access_token"))?;
    // `expires_in` is a number in the docs; some gateways send it as a string.
    let expires_in = match wire.expires_in {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    .unwrap_or(3600);
    Ok((token, expires_in))
}

/// The record locator "Test connection" retrieves: a well-formed locator for a reservation
/// that is not expected to exist (reading one that does proves the same).
pub const CHECK_LOCATOR: &str = "FPCHK0";

/// The test's token answer: the token, or what the answer says instead. OAuth's own refusals of
/// the grant (`invalid_grant`) or the client (`invalid_client`) are refused credentials.
pub fn check_token(
    address: &str,
    exchange: &Exchange,
    http_status: u16,
    body: &[u8],
) -> Result<String, Probe> {
    let wire: TokenWire = serde_json::from_slice(body)
        .map_err(|_| refused_or_not_the_api(address, exchange, http_status, body))?;
    if let Some(error) = wire.error {
        let detail = format!("{error}: {} (HTTP {http_status})", wire.error_description.unwrap_or_default());
        return Err(match error.as_str() {
            "invalid_grant" | "invalid_client" | "unauthorized_client" => {
                Probe::CredentialsRefused { detail }
            }
            _ => Probe::ProviderError { detail },
        });
    }
    match wire.access_token.filter(|t| !t.is_empty()) {
        Some(token) if is_success(http_status) => Ok(token),
        _ => Err(refused_or_not_the_api(address, exchange, http_status, body)),
    }
}

/// An answer the test cannot read as Travelport's: a bare 401 is still a refusal of what was
/// presented (OAuth answers a refused client so, and the Air gateway a refused token — §1);
/// anything else says the address is not Travelport's.
fn refused_or_not_the_api(address: &str, exchange: &Exchange, http_status: u16, body: &[u8]) -> Probe {
    if http_status == 401 {
        Probe::CredentialsRefused {
            detail: crate::providers::probe::described_status(exchange, http_status, body),
        }
    } else {
        Probe::not_the_api(address, exchange, http_status, body)
    }
}

/// The test's retrieve: a reservation, or Travelport's "no reservation with this locator"
/// (4001), proves the Air API took the token and the PCC; its access codes (2001, 2002, 2010)
/// refuse them; anything else is its own error, or not Travelport.
pub fn check_air(address: &str, exchange: &Exchange, http_status: u16, body: &[u8]) -> Probe {
    if let Some(e) = first_error(body) {
        let detail = format!("Travelport {}: {} (HTTP {http_status})", e.source_code, e.message);
        return match e.source_code.as_str() {
            "4001" => Probe::Proven,
            "2001" | "2002" | "2010" => Probe::CredentialsRefused { detail },
            _ => Probe::ProviderError { detail },
        };
    }
    let reservation = serde_json::from_slice::<Value>(body)
        .is_ok_and(|v| v.get("ReservationResponse").is_some_and(|r| r.get("Reservation").is_some()));
    if is_success(http_status) && reservation {
        Probe::Proven
    } else {
        refused_or_not_the_api(address, exchange, http_status, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Test connection": OAuth's refusals of the grant or the client are refused credentials,
    /// its other errors Travelport's own; the Air gateway's 4001 proves the token and the PCC, its
    /// access codes refuse them; a bare 401 refuses what was presented, any other unreadable
    /// answer is not Travelport.
    #[test]
    fn the_connection_test_reads_oauth_refusals_and_the_air_gateways_codes() {
        let exchange = |content_type: &str| Exchange {
            method: "GET".into(),
            path: "/".into(),
            request: Value::Null,
            status: None,
            response: Value::Null,
            elapsed_ms: 0,
            error: None,
            content_type: Some(content_type.into()),
        };
        let (json, html) = (exchange("application/json"), exchange("text/html"));
        let token = |status, body: &[u8], ex: &Exchange| check_token("https://auth/", ex, status, body);
        assert_eq!(token(200, br#"{"access_token":"t","expires_in":3600}"#, &json), Ok("t".to_string()));
        for refused in ["invalid_grant", "invalid_client", "unauthorized_client"] {
            let body = json!({ "error": refused, "error_description": "no" }).to_string();
            assert!(
                matches!(token(400, body.as_bytes(), &json), Err(Probe::CredentialsRefused { .. })),
                "{refused}"
            );
        }
        let other = token(400, br#"{"error":"invalid_request"}"#, &json);
        assert_eq!(other, Err(Probe::ProviderError { detail: "invalid_request:  (HTTP 400)".into() }));
        assert!(matches!(token(401, b"<html>no</html>", &html), Err(Probe::CredentialsRefused { .. })));
        assert!(matches!(token(200, b"<html>hi</html>", &html), Err(Probe::NotTheApi { status: 200, .. })));

        let error = |code: &str| {
            json!({ "ReservationResponse": { "Result": { "Error": [{ "SourceCode": code, "Message": "m" }] } } })
                .to_string()
        };
        let air = |status, body: &str, ex: &Exchange| check_air("https://air/", ex, status, body.as_bytes());
        assert_eq!(air(404, &error("4001"), &json), Probe::Proven);
        for refused in ["2001", "2002", "2010"] {
            assert!(
                matches!(air(401, &error(refused), &json), Probe::CredentialsRefused { .. }),
                "{refused}"
            );
        }
        assert!(matches!(air(400, &error("1002"), &json), Probe::ProviderError { .. }));
        assert!(matches!(air(401, "", &html), Probe::CredentialsRefused { .. }));
        assert!(matches!(air(404, "<html></html>", &html), Probe::NotTheApi { status: 404, .. }));
        let found = json!({ "ReservationResponse": { "Reservation": { "Identifier": { "value": "x" } } } });
        assert_eq!(air(200, &found.to_string(), &json), Probe::Proven);
    }

    /// Only what Travelport publishes proves a commit charged nothing: "Not processed", or a
    /// validation / system-wide code. An unpublished code alone — even one our simulator uses
    /// for a declined card — is read from the reservation instead.
    #[test]
    fn a_commit_error_proves_nothing_unless_travelport_says_not_processed() {
        let answer = |status: &str, code: &str| {
            let result = if status.is_empty() {
                json!({ "Error": [{ "StatusCode": 402, "SourceCode": code, "Message": "Card declined" }] })
            } else {
                json!({ "status": status, "Error": [{ "StatusCode": 402, "SourceCode": code, "Message": "Card declined" }] })
            };
            commit_outcome(
                402,
                json!({ "ReservationResponse": { "Result": result } }).to_string().as_bytes(),
                "ABC123",
            )
        };
        assert!(matches!(answer("", "4020"), CommitOutcome::Ambiguous { .. }));
        assert!(matches!(answer("Unknown", "4020"), CommitOutcome::Ambiguous { .. }));
        assert!(matches!(answer("Incomplete", "4020"), CommitOutcome::Ambiguous { .. }));
        assert!(matches!(answer("Not processed", "4020"), CommitOutcome::Declined(_)));
        assert!(matches!(answer("", "1001"), CommitOutcome::Declined(_)));
        assert!(matches!(answer("", "2010"), CommitOutcome::Declined(_)));
        assert!(matches!(answer("", "3001"), CommitOutcome::Ambiguous { .. }));
    }

    #[test]
    fn errors_are_found_at_the_top_or_under_a_wrapper() {
        let top = br#"{"Result":{"Error":[{"StatusCode":401,"Message":"Access token expired","SourceID":"API","SourceCode":"2002"}]}}"#;
        let e = first_error(top).unwrap();
        assert_eq!((e.source_code.as_str(), e.status), ("2002", Some(401)));
        let wrapped = br#"{"PaymentResponse":{"Result":{"Error":[{"Message":"x","SourceCode":4013}]}}}"#;
        assert_eq!(first_error(wrapped).unwrap().source_code, "4013");
        assert!(first_error(b"<html>").is_none());
    }

    #[test]
    fn commit_answers_map_to_outcomes() {
        let declined = br#"{"ReservationResponse":{"Result":{"status":"Not processed","Error":[{"Message":"CREDIT CARD DECLINED","SourceCode":"4020"}]}}}"#;
        match commit_outcome(400, declined, "ABC123") {
            CommitOutcome::Declined(r) => assert!(r.advice.contains("another card"), "{r:?}"),
            other => panic!("{other:?}"),
        }
        let odd = br#"{"ReservationResponse":{"Result":{"Error":[{"Message":"?","SourceCode":"4999"}]}}}"#;
        assert!(matches!(commit_outcome(400, odd, "ABC123"), CommitOutcome::Ambiguous { .. }));
        assert!(matches!(commit_outcome(500, b"<html>", "ABC123"), CommitOutcome::Ambiguous { .. }));
        assert!(matches!(commit_outcome(201, b"{\"Reserv", "ABC123"), CommitOutcome::Ambiguous { .. }));
    }

    #[test]
    fn prices_are_read_exactly_and_documents_name_their_traveler() {
        let body = br#"{"ReservationResponse":{"Reservation":{"Identifier":{"value":"wb-1"},
          "Traveler":[{"id":"t1","Identifier":{"value":"u1"},"PersonName":{"Given":"JANE","Surname":"DOE"}}],
          "Offer":[{"id":"offer_1","Identifier":{"value":"o1"},"Product":[{"@type":"ProductAir"}],
                    "Price":{"TotalPrice":0.29,"CurrencyCode":{"value":"USD"}},"TravelerIdentifierRef":[{"id":"t1","value":"u1"}]},
                   {"id":"an_o1","Identifier":{"value":"o2"},"Product":[{"@type":"ProductAncillary","Description":"Bag"}],
                    "Price":{"TotalPrice":1000.1,"CurrencyCode":{"value":"KWD"}}}],
          "FormOfPayment":[{"@type":"FormOfPaymentPaymentCard","id":"f1","Identifier":{"value":"fu"},
                    "PaymentCard":{"CardCode":"VI","CardHolderName":"JANE DOE","CardNumber":{"PlainText":"XXXXXXXXXXXX1111"}}}],
          "Receipt":[{"@type":"ReceiptPayment","Document":[{"@type":"DocumentTicket","Number":"0169904900001",
                    "TravelerIdentifierRef":{"id":"t1","value":"u1"}}]}]}}}"#;
        let view = parse_reservation(201, body, "ABC123").unwrap();
        assert_eq!(view.workbench_id, "wb-1");
        assert_eq!(view.offers[0].price, Money::from_minor(29, Currency::USD));
        assert_eq!(view.offers[1].price, Money::from_minor(1_000_100, Currency::KWD));
        assert_eq!(view.offers[1].kind, OfferKind::Ancillary);
        assert_eq!(view.offers[0].travelers, ["DOE/JANE"]);
        assert_eq!(view.stored_fops[0].description, "VI ••••1111 JANE DOE");
        assert_eq!(view.documents[0].passenger, "DOE/JANE");
        let too_precise = String::from_utf8_lossy(body).replace("0.29", "0.291");
        assert!(parse_reservation(201, too_precise.as_bytes(), "ABC123").is_err());
    }

    #[test]
    fn the_amount_is_sent_as_an_exact_decimal_string() {
        let fop = FopRef { id: "formOfPayment_1".into(), identifier: "u".into() };
        let offer = Offer {
            id: "offer_1".into(),
            identifier: "o1".into(),
            kind: OfferKind::Itinerary,
            description: "Flights".into(),
            price: Money::from_minor(100_670, Currency::USD),
            travelers: vec![],
        };
        let body = payment_body("K1", offer.price, &fop, &[&offer]);
        assert_eq!(body["Payment"]["Amount"]["value"], "1006.70");
        assert_eq!(body["Payment"]["Amount"]["minorUnit"], 2);
        assert_eq!(body["Payment"]["OfferIdentifier"][0]["Identifier"]["value"], "o1");
    }

    #[test]
    fn token_errors_are_credential_problems() {
        let err = parse_token(400, br#"{"error":"invalid_grant"}"#).unwrap_err();
        assert!(matches!(err, ProviderError::Credentials { .. }), "{err}");
        assert_eq!(parse_token(200, br#"{"access_token":"t","expires_in":86400}"#).unwrap().1, 86400);
    }
}
