//! Travelport JSON Air v11 ticketing: OAuth token, post-commit workbench from a locator, add form
//! of payment, add payment, commit (tickets + EMDs), ticket list and retrieve.
//!
//! Wire facts (docs/providers/travelport.md): OAuth password grant with the client
//! secret in the form body (HTTP Basic client auth is refused); bearer token on every air call
//! plus `TVP-PCC-CORE` (or `XAUTH_TRAVELPORT_ACCESSGROUP`); errors as `Result.Error[]` with
//! `StatusCode`, `Message`, `SourceID`, `SourceCode`, `Category`. Bodies are accepted both bare
//! and wrapped (`{"Payment": {...}}`, `{"FormOfPayment": {...}}`, `{"ReservationQueryCommitReservation": {...}}`)
//! because real clients disagree.
//!
//! Our choices where the docs are silent (README has the table): the card is charged at commit;
//! a declined card fails the whole commit, nothing is charged, and the failing Payment is removed
//! from the workbench so another FOP can be added; gateway errors (auth, header, JSON) carry a
//! top-level `Result`, business errors sit under the endpoint's wrapper (`PaymentResponse.Result`…).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use farepoint_core::card::{CardBrand, CardNumber, Expiry};
use farepoint_core::money::{Currency, Money, Sign};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::cards::{self, Outcome};
use crate::json::{to_body, FieldError, Num, Obj};
use crate::ledger::{EntryKind, NewEntry, Provider};
use crate::state::{SharedState, World};
use crate::web::{self, header_str};

#[derive(Debug, Clone)]
pub(crate) struct TpAccount {
    pub username: String,
    pub password: String,
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Traveler {
    id: String,
    uuid: String,
    given: String,
    surname: String,
}

#[derive(Debug, Clone)]
enum OfferKind {
    /// The flights; one ticket per traveler at `per_traveler[i]`.
    Itinerary { per_traveler: Vec<Money> },
    /// A paid ancillary for one traveler; an EMD at commit.
    Ancillary { traveler: usize, description: String },
}

#[derive(Debug, Clone)]
struct Offer {
    id: String,
    uuid: String,
    kind: OfferKind,
    total: Money,
    paid: bool,
}

#[derive(Debug, Clone)]
struct Document {
    emd: bool,
    number: String,
    traveler: usize,
    amount: Money,
}

#[derive(Debug, Clone)]
enum FopKind {
    Cash,
    Card { card_code: String, last4: String, outcome: Outcome, expire: String, holder: String },
}

#[derive(Debug, Clone)]
struct Fop {
    id: String,
    uuid: String,
    kind: FopKind,
}

#[derive(Debug, Clone)]
pub(crate) struct Pnr {
    locator: String,
    uuid: String,
    carrier: String,
    carrier_locator: String,
    created: String,
    travelers: Vec<Traveler>,
    offers: Vec<Offer>,
    stored_fops: Vec<Fop>,
    documents: Vec<Document>,
}

#[derive(Debug)]
struct PendingPayment {
    id: String,
    uuid: String,
    amount: Money,
    fop_uuid: String,
    offer_uuids: Vec<String>,
}

#[derive(Debug)]
struct Workbench {
    locator: String,
    expires: Instant,
    fops: Vec<Fop>,
    payments: Vec<PendingPayment>,
    committed: bool,
}

#[derive(Debug, Default)]
pub(crate) struct TravelportState {
    pub accounts: Vec<TpAccount>,
    tokens: HashMap<String, Instant>,
    pnrs: BTreeMap<String, Pnr>,
    workbenches: HashMap<String, Workbench>,
    doc_seq: u64,
}

/// What the demo data and the control API give to create a PNR.
#[derive(Debug, Clone)]
pub(crate) struct PnrSeed {
    pub locator: Option<String>,
    pub carrier: String,
    pub travelers: Vec<(String, String)>,
    pub fare_per_traveler: Money,
    /// (traveler index, description, price)
    pub ancillary: Option<(usize, String, Money)>,
    pub stored_card: Option<&'static str>,
    pub ticketed: bool,
}

fn ticket_prefix(carrier: &str) -> &'static str {
    match carrier {
        "UA" => "016",
        "AA" => "001",
        "BA" => "125",
        "QF" => "081",
        "LH" => "220",
        "AF" => "057",
        _ => "999",
    }
}

fn card_code_brand(code: &str) -> Option<CardBrand> {
    match code {
        "VI" => Some(CardBrand::Visa),
        "CA" | "MC" => Some(CardBrand::Mastercard),
        "AX" => Some(CardBrand::Amex),
        "DS" => Some(CardBrand::Discover),
        "DC" => Some(CardBrand::Diners),
        "JC" => Some(CardBrand::Jcb),
        "UP" => Some(CardBrand::UnionPay),
        _ => None,
    }
}

fn card_code_of(brand: CardBrand) -> &'static str {
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

impl TravelportState {
    fn next_document(&mut self, carrier: &str) -> String {
        self.doc_seq += 1;
        format!("{}{:010}", ticket_prefix(carrier), 9_904_900_000 + self.doc_seq)
    }

    pub(crate) fn insert(&mut self, seed: PnrSeed) -> Result<String, String> {
        let locator = seed.locator.clone().unwrap_or_else(web::locator);
        if locator.len() != 6 || !locator.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            return Err("locator must be 6 capital letters or digits".into());
        }
        if self.pnrs.contains_key(&locator) {
            return Err(format!("PNR {locator} already exists"));
        }
        if seed.travelers.is_empty() {
            return Err("a PNR needs at least one traveler".into());
        }
        let currency = seed.fare_per_traveler.currency;
        let per_traveler = vec![seed.fare_per_traveler; seed.travelers.len()];
        let itinerary_total =
            Money::from_minor(seed.fare_per_traveler.minor * per_traveler.len() as i64, currency);
        let mut offers = vec![Offer {
            id: "offer_1".into(),
            uuid: web::uuid(),
            kind: OfferKind::Itinerary { per_traveler },
            total: itinerary_total,
            paid: false,
        }];
        if let Some((traveler, description, price)) = seed.ancillary {
            if traveler >= seed.travelers.len() {
                return Err("ancillary traveler is out of range".into());
            }
            if price.currency != currency {
                return Err("the ancillary must be priced in the fare's currency".into());
            }
            offers.push(Offer {
                id: "an_o1".into(),
                uuid: web::uuid(),
                kind: OfferKind::Ancillary { traveler, description },
                total: price,
                paid: false,
            });
        }
        let stored_fops = match seed.stored_card {
            Some(number) => {
                let card = CardNumber::parse(number).map_err(|e| e.to_string())?;
                vec![Fop {
                    id: "formOfPayment_stored_1".into(),
                    uuid: web::uuid(),
                    kind: FopKind::Card {
                        card_code: card_code_of(card.brand()).into(),
                        last4: card.last4().into(),
                        outcome: cards::outcome_of(&card),
                        expire: "1230".into(),
                        holder: format!("{} {}", seed.travelers[0].0, seed.travelers[0].1),
                    },
                }]
            }
            None => vec![],
        };
        let mut pnr = Pnr {
            locator: locator.clone(),
            uuid: web::uuid(),
            carrier: seed.carrier,
            carrier_locator: web::locator(),
            created: time::OffsetDateTime::now_utc().date().to_string(),
            travelers: seed
                .travelers
                .into_iter()
                .enumerate()
                .map(|(i, (given, surname))| Traveler {
                    id: format!("travelerRefId_{}", i + 1),
                    uuid: web::uuid(),
                    given,
                    surname,
                })
                .collect(),
            offers,
            stored_fops,
            documents: vec![],
        };
        if seed.ticketed {
            let offer_ids: Vec<String> = pnr.offers.iter().map(|o| o.uuid.clone()).collect();
            self.issue(&mut pnr, &offer_ids);
        }
        self.pnrs.insert(locator.clone(), pnr);
        Ok(locator)
    }

    /// Marks the offers paid and issues their documents.
    fn issue(&mut self, pnr: &mut Pnr, offer_uuids: &[String]) {
        let carrier = pnr.carrier.clone();
        for offer in pnr.offers.iter_mut().filter(|o| offer_uuids.contains(&o.uuid)) {
            offer.paid = true;
            match &offer.kind {
                OfferKind::Itinerary { per_traveler } => {
                    for (traveler, amount) in per_traveler.iter().enumerate() {
                        let number = self.next_document(&carrier);
                        pnr.documents.push(Document { emd: false, number, traveler, amount: *amount });
                    }
                }
                OfferKind::Ancillary { traveler, .. } => {
                    let number = self.next_document(&carrier);
                    pnr.documents.push(Document {
                        emd: true,
                        number,
                        traveler: *traveler,
                        amount: offer.total,
                    });
                }
            }
        }
    }

    pub(crate) fn expire_tokens(&mut self) -> usize {
        let now = Instant::now();
        self.tokens.values_mut().for_each(|t| *t = now);
        self.tokens.len()
    }

    pub(crate) fn expire_workbenches(&mut self) -> usize {
        let now = Instant::now();
        self.workbenches.values_mut().for_each(|w| w.expires = now);
        self.workbenches.len()
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

struct TpError {
    status: StatusCode,
    source_id: String,
    source_code: &'static str,
    category: &'static str,
    message: String,
}

impl TpError {
    fn new(
        status: StatusCode,
        source_code: &'static str,
        category: &'static str,
        message: impl Into<String>,
    ) -> Self {
        TpError { status, source_id: "API".into(), source_code, category, message: message.into() }
    }

    fn validation(message: impl Into<String>) -> Self {
        TpError::new(StatusCode::BAD_REQUEST, "1001", "Validation", message)
    }

    fn field(e: FieldError) -> Self {
        TpError::validation(e.describe())
    }

    fn from(mut self, source_id: &str) -> Self {
        self.source_id = source_id.into();
        self
    }

    /// The error body, under `wrapper` when given (business errors) or at top level.
    fn respond(self, wrapper: Option<&str>) -> Response {
        // The simulator never half-does a request: every error it answers left everything as it
        // was, which the `Result.status` enum of Travelport's published v11 schema ("Not
        // processed", "Incomplete", "Complete", "Unknown") calls "Not processed". A client that
        // does not see it must not conclude "nothing charged" (see the client's `commit_outcome`).
        let result = json!({
            "@type": "Result",
            "status": "Not processed",
            "Error": [{
                "@type": "ErrorDetail",
                "StatusCode": self.status.as_u16(),
                "Message": self.message,
                "SourceID": self.source_id,
                "SourceCode": self.source_code,
                "Category": self.category,
            }]
        });
        let body = match wrapper {
            Some(w) => json!({ w: { "Result": result } }),
            None => json!({ "Result": result }),
        };
        web::json_value(self.status, &body)
    }
}

// ---------------------------------------------------------------------------------------------
// OAuth

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    web::json_value(status, &json!({ "error": error, "error_description": description }))
}

pub(crate) async fn token(State(shared): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let form_type = header_str(&headers, header::CONTENT_TYPE.as_str())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
        );
    }
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "the form body could not be read");
    };
    let form: HashMap<&str, &str> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let Some(grant) = form.get("grant_type") else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is required");
    };
    if *grant != "password" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only grant_type=password is supported",
        );
    }
    let mut world = shared.world();
    let ttl = Duration::from_secs(world.settings.travelport_token_ttl_secs);
    let tp = &mut world.travelport;
    let (Some(client_id), Some(client_secret)) = (form.get("client_id"), form.get("client_secret")) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id and client_secret must be sent in the form body",
        );
    };
    let Some(account) =
        tp.accounts.iter().find(|a| a.client_id == *client_id && a.client_secret == *client_secret)
    else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client authentication failed");
    };
    let (Some(user), Some(password)) = (form.get("username"), form.get("password")) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "username and password are required");
    };
    if account.username != *user || account.password != *password {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "bad username or password");
    }
    let access_token =
        web::random_from(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 40);
    // Any lifetime may be set, an absurd one included (to test clients): "never" past the clock.
    let expires =
        Instant::now().checked_add(ttl).unwrap_or_else(|| Instant::now() + Duration::from_secs(1 << 32));
    tp.tokens.insert(access_token.clone(), expires);
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl.as_secs(),
    });
    if let Some(scope) = form.get("scope") {
        body["scope"] = json!(scope);
    }
    web::json_value(StatusCode::OK, &body)
}

fn check_auth(world: &World, headers: &HeaderMap) -> Result<(), TpError> {
    let unauthorized = |code, msg: &str| TpError::new(StatusCode::UNAUTHORIZED, code, "Authorization", msg);
    let token =
        web::bearer(headers).ok_or_else(|| unauthorized("2001", "Authorization bearer token is missing"))?;
    match world.travelport.tokens.get(token) {
        None => return Err(unauthorized("2001", "Invalid access token")),
        Some(expires) if *expires <= Instant::now() => {
            return Err(unauthorized("2002", "Access token expired"));
        }
        Some(_) => {}
    }
    let pcc_ok = header_str(headers, "TVP-PCC-CORE").is_some_and(|v| {
        v.split_once('_').is_some_and(|(pcc, gds)| {
            (3..=4).contains(&pcc.len())
                && pcc.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && matches!(gds, "1G" | "1V" | "1P")
        })
    });
    if !pcc_ok && header_str(headers, "XAUTH_TRAVELPORT_ACCESSGROUP").is_none() {
        return Err(TpError::new(
            StatusCode::BAD_REQUEST,
            "2010",
            "Header",
            "TVP-PCC-CORE HEADER IS MISSING OR INVALID",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Views

fn identifier(value: &str) -> Value {
    json!({ "authority": "Travelport", "value": value })
}

#[derive(Serialize)]
struct CurrencyCode {
    value: &'static str,
    #[serde(rename = "decimalPlace")]
    decimal_place: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PriceView {
    #[serde(rename = "@type")]
    kind: &'static str,
    total_price: Num,
    currency_code: CurrencyCode,
}

#[derive(Serialize)]
struct OfferView {
    #[serde(rename = "@type")]
    kind: &'static str,
    id: String,
    #[serde(rename = "Identifier")]
    identifier: Value,
    #[serde(rename = "Product")]
    product: Value,
    #[serde(rename = "Price")]
    price: PriceView,
    #[serde(rename = "TravelerIdentifierRef")]
    travelers: Vec<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AmountView {
    #[serde(rename = "@type")]
    kind: &'static str,
    total: Num,
    currency_code: CurrencyCode,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DocumentView {
    #[serde(rename = "@type")]
    kind: &'static str,
    number: String,
    traveler_identifier_ref: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    traveler_name: Option<Value>,
    amount: AmountView,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ReceiptView {
    Confirmation(Value),
    Payment {
        #[serde(rename = "@type")]
        kind: &'static str,
        #[serde(rename = "Document")]
        documents: Vec<DocumentView>,
    },
}

#[derive(Serialize)]
struct ReservationView {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "Identifier")]
    identifier: Value,
    #[serde(rename = "Traveler")]
    travelers: Vec<Value>,
    #[serde(rename = "Offer")]
    offers: Vec<OfferView>,
    #[serde(rename = "FormOfPayment")]
    fops: Vec<Value>,
    #[serde(rename = "Receipt")]
    receipts: Vec<ReceiptView>,
}

#[derive(Serialize)]
struct ReservationResponse {
    #[serde(rename = "ReservationResponse")]
    inner: ReservationInner,
}

#[derive(Serialize)]
struct ReservationInner {
    #[serde(rename = "Reservation")]
    reservation: ReservationView,
    /// The post-commit workbench's id: "an additional Identifier object at the end of the
    /// response" (Create Post-Commit Workbench page). The reservation keeps its own identifier.
    #[serde(rename = "Identifier", skip_serializing_if = "Option::is_none")]
    workbench: Option<Value>,
}

fn currency_code(c: Currency) -> CurrencyCode {
    CurrencyCode { value: c.code(), decimal_place: c.exponent() }
}

fn traveler_ref(t: &Traveler) -> Value {
    json!({ "id": t.id, "value": t.uuid })
}

fn fop_view(fop: &Fop) -> Value {
    match &fop.kind {
        FopKind::Cash => json!({
            "@type": "FormOfPaymentCash",
            "id": fop.id,
            "FormOfPaymentRef": fop.id,
            "Identifier": identifier(&fop.uuid),
        }),
        FopKind::Card { card_code, last4, expire, holder, .. } => json!({
            "@type": "FormOfPaymentPaymentCard",
            "id": fop.id,
            "FormOfPaymentRef": fop.id,
            "Identifier": identifier(&fop.uuid),
            "PaymentCard": {
                "@type": "PaymentCardDetail",
                "CardCode": card_code,
                "CardHolderName": holder,
                "expireDate": expire,
                "CardNumber": { "@type": "CardNumber", "PlainText": format!("XXXXXXXXXXXX{last4}") },
            },
        }),
    }
}

fn document_views(pnr: &Pnr, with_names: bool) -> Vec<DocumentView> {
    pnr.documents
        .iter()
        .map(|d| {
            let traveler = &pnr.travelers[d.traveler];
            DocumentView {
                kind: if d.emd { "DocumentEMD" } else { "DocumentTicket" },
                number: d.number.clone(),
                traveler_identifier_ref: traveler_ref(traveler),
                traveler_name: with_names.then(|| {
                    json!({ "@type": "PersonNameDetail", "Given": traveler.given, "Surname": traveler.surname })
                }),
                amount: AmountView { kind: "Amount", total: Num::major(d.amount), currency_code: currency_code(d.amount.currency) },
            }
        })
        .collect()
}

fn reservation_view(pnr: &Pnr, id: &str, workbench_fops: &[Fop]) -> ReservationView {
    let mut receipts = vec![
        ReceiptView::Confirmation(json!({
            "@type": "ReceiptConfirmation",
            "Confirmation": {
                "@type": "ConfirmationHold",
                "Locator": { "source": "1G", "creationDate": pnr.created, "value": pnr.locator },
            },
        })),
        ReceiptView::Confirmation(json!({
            "@type": "ReceiptConfirmation",
            "Confirmation": {
                "@type": "ConfirmationHold",
                "Locator": { "source": pnr.carrier, "value": pnr.carrier_locator },
            },
        })),
    ];
    if !pnr.documents.is_empty() {
        receipts.push(ReceiptView::Payment { kind: "ReceiptPayment", documents: document_views(pnr, false) });
    }
    ReservationView {
        kind: "Reservation",
        identifier: identifier(id),
        travelers: pnr
            .travelers
            .iter()
            .map(|t| {
                json!({
                    "@type": "Traveler",
                    "id": t.id,
                    "Identifier": identifier(&t.uuid),
                    "passengerTypeCode": "ADT",
                    "PersonName": { "@type": "PersonNameDetail", "Given": t.given, "Surname": t.surname },
                })
            })
            .collect(),
        offers: pnr
            .offers
            .iter()
            .map(|o| OfferView {
                kind: "Offer",
                id: o.id.clone(),
                identifier: identifier(&o.uuid),
                product: match &o.kind {
                    OfferKind::Itinerary { .. } => json!([{ "@type": "ProductAir", "id": "product_1" }]),
                    OfferKind::Ancillary { description, .. } => {
                        json!([{ "@type": "ProductAncillary", "id": "product_an1", "Description": description }])
                    }
                },
                price: PriceView {
                    kind: "PriceDetail",
                    total_price: Num::major(o.total),
                    currency_code: currency_code(o.total.currency),
                },
                travelers: match &o.kind {
                    OfferKind::Itinerary { .. } => pnr.travelers.iter().map(traveler_ref).collect(),
                    OfferKind::Ancillary { traveler, .. } => vec![traveler_ref(&pnr.travelers[*traveler])],
                },
            })
            .collect(),
        fops: pnr.stored_fops.iter().chain(workbench_fops).map(fop_view).collect(),
        receipts,
    }
}

fn reservation_body(pnr: &Pnr, id: &str, workbench_fops: &[Fop]) -> String {
    to_body(&ReservationResponse {
        inner: ReservationInner { reservation: reservation_view(pnr, id, workbench_fops), workbench: None },
    })
}

/// A post-commit workbench built from a reservation: the reservation as retrieved, then the
/// workbench's own id at the end.
fn workbench_body(pnr: &Pnr, workbench_id: &str) -> String {
    to_body(&ReservationResponse {
        inner: ReservationInner {
            reservation: reservation_view(pnr, &pnr.uuid, &[]),
            workbench: Some(identifier(workbench_id)),
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Workbench operations

fn query_param(query: &Option<String>, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).ok()?;
    pairs.into_iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

pub(crate) async fn build_from_locator(
    State(shared): State<SharedState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let mut world = shared.world();
    if let Err(e) = check_auth(&world, &headers) {
        return e.respond(None);
    }
    const W: Option<&str> = Some("ReservationResponse");
    let Some(locator) = query_param(&query, "Locator").filter(|l| !l.is_empty()) else {
        return TpError::validation("Query parameter Locator is required").respond(W);
    };
    let ttl = Duration::from_secs(world.settings.travelport_workbench_ttl_secs);
    let tp = &mut world.travelport;
    let Some(pnr) = tp.pnrs.get(&locator) else {
        return TpError::new(
            StatusCode::NOT_FOUND,
            "4001",
            "Reservation",
            format!("Record locator {locator} not found"),
        )
        .from("1G")
        .respond(W);
    };
    let id = web::uuid();
    let body = workbench_body(pnr, &id);
    tracing::info!(locator = %locator, workbench = %id, "travelport workbench opened");
    tp.workbenches.insert(
        id,
        Workbench {
            locator,
            expires: Instant::now() + ttl,
            fops: vec![],
            payments: vec![],
            committed: false,
        },
    );
    web::json_text(StatusCode::CREATED, body)
}

fn open_workbench<'a>(
    workbenches: &'a mut HashMap<String, Workbench>,
    id: &str,
) -> Result<&'a mut Workbench, TpError> {
    let not_found =
        || TpError::new(StatusCode::NOT_FOUND, "4002", "Workbench", format!("Workbench {id} not found"));
    let wb = workbenches.get_mut(id).ok_or_else(not_found)?;
    if wb.committed {
        return Err(not_found());
    }
    if wb.expires <= Instant::now() {
        return Err(TpError::new(
            StatusCode::NOT_FOUND,
            "4003",
            "Workbench",
            format!("Workbench {id} has expired (a workbench lives 30 minutes) — build a new one"),
        ));
    }
    Ok(wb)
}

/// The FOP object of the body: bare with `@type`, or under one wrapper key.
fn fop_body(req: Obj) -> Result<(Obj, String), TpError> {
    for key in ["FormOfPayment", "FormOfPaymentPaymentCard", "FormOfPaymentCash"] {
        if let Some(inner) = req.obj(key).map_err(TpError::field)? {
            let kind = inner.str("@type").map_err(TpError::field)?.unwrap_or_else(|| key.to_string());
            return Ok((inner, kind));
        }
    }
    let kind =
        req.str("@type").map_err(TpError::field)?.ok_or_else(|| TpError::field(req.missing("@type")))?;
    Ok((req, kind))
}

fn parse_card(fop: &Obj) -> Result<FopKind, TpError> {
    let card = fop.req_obj("PaymentCard").map_err(TpError::field)?;
    let number = card.req_obj("CardNumber").map_err(TpError::field)?;
    let plain = number.req_str("PlainText").map_err(TpError::field)?;
    let number = CardNumber::parse(&plain).map_err(|e| {
        TpError::validation(format!("PaymentCard.CardNumber is not a valid card number: {e}"))
    })?;
    let code = card.req_str("CardCode").map_err(TpError::field)?;
    let brand = card_code_brand(&code)
        .ok_or_else(|| TpError::validation(format!("CardCode {code} is not accepted for ticketing")))?;
    if brand != number.brand() {
        return Err(TpError::validation(format!(
            "CardCode {code} does not match the card number ({})",
            card_code_of(number.brand())
        )));
    }
    let expire = card.req_str("expireDate").map_err(TpError::field)?;
    let expiry_ok = expire.len() == 4 && Expiry::parse(&expire[..2], &expire[2..]).is_ok();
    if !expiry_ok {
        return Err(TpError::validation("PaymentCard.expireDate must be MMYY and not in the past"));
    }
    if let Some(series) = card.obj("SeriesCode").map_err(TpError::field)? {
        let cvv = series.req_str("PlainText").map_err(TpError::field)?;
        if cvv.len() != brand.cvv_length() || !cvv.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TpError::validation("PaymentCard.SeriesCode.PlainText is not a valid security code"));
        }
    }
    let holder = card.req_str("CardHolderName").map_err(TpError::field)?;
    tracing::info!(card = %number.masked(), "travelport card form of payment");
    Ok(FopKind::Card {
        card_code: code,
        last4: number.last4().to_string(),
        outcome: cards::outcome_of(&number),
        expire,
        holder,
    })
}

pub(crate) async fn add_fop(
    State(shared): State<SharedState>,
    headers: HeaderMap,
    Path(workbench): Path<String>,
    body: Bytes,
) -> Response {
    const W: Option<&str> = Some("FormOfPaymentResponse");
    let mut world = shared.world();
    if let Err(e) = check_auth(&world, &headers) {
        return e.respond(None);
    }
    let Some(req) = Obj::parse(&body) else {
        return TpError::new(StatusCode::BAD_REQUEST, "1002", "Validation", "Request body is not valid JSON")
            .respond(None);
    };
    let result = (|| {
        let (fop, kind) = fop_body(req)?;
        let id = fop.req_str("id").map_err(TpError::field)?;
        if id.len() > 256 {
            return Err(TpError::validation("id supports up to 256 characters"));
        }
        if let Some(reference) = fop.str("FormOfPaymentRef").map_err(TpError::field)? {
            if reference != id {
                return Err(TpError::validation("FormOfPaymentRef must equal id"));
            }
        }
        let fop_kind = match kind.as_str() {
            "FormOfPaymentPaymentCard" => parse_card(&fop)?,
            "FormOfPaymentCash" => FopKind::Cash,
            "FormOfPaymentBSP"
            | "FormOfPaymentCheck"
            | "FormOfPaymentDocument"
            | "FormOfPaymentFlightPass"
            | "FormOfPaymentForfeit"
            | "FormOfPaymentInvoice"
            | "FormOfPaymentVirtualPaymentAccount"
            | "FormOfPaymentWaiverCode" => {
                return Err(TpError::new(
                    StatusCode::BAD_REQUEST,
                    "1003",
                    "Validation",
                    format!("{kind} is not supported for ticketing here — use a card or cash"),
                ))
            }
            other => return Err(TpError::validation(format!("@type {other} is not a form of payment"))),
        };
        let wb = open_workbench(&mut world.travelport.workbenches, &workbench)?;
        if wb.fops.iter().any(|f| f.id == id) {
            return Err(TpError::new(
                StatusCode::BAD_REQUEST,
                "4030",
                "Validation",
                format!("Form of payment {id} already exists in the workbench"),
            ));
        }
        let fop = Fop { id, uuid: web::uuid(), kind: fop_kind };
        let view = fop_view(&fop);
        wb.fops.push(fop);
        Ok(view)
    })();
    match result {
        Ok(view) => web::json_value(
            StatusCode::CREATED,
            &json!({ "FormOfPaymentResponse": { "FormOfPayment": view, "reservationStatus": "Active" } }),
        ),
        Err(e) => e.respond(W),
    }
}

fn parse_payment(req: Obj, pnr: &Pnr, wb: &Workbench) -> Result<PendingPayment, TpError> {
    let payment = match req.obj("Payment").map_err(TpError::field)? {
        Some(inner) => inner,
        None => req,
    };
    let id = payment.req_str("id").map_err(TpError::field)?;
    if id.len() > 256 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err(TpError::validation("Payment id must be up to 256 letters, digits, '_' or '-'"));
    }
    if let Some(ident) = payment.obj("Identifier").map_err(TpError::field)? {
        if ident.req_str("authority").map_err(TpError::field)? != "Travelport" {
            return Err(TpError::validation("Payment.Identifier.authority must be Travelport"));
        }
    }
    if wb.payments.iter().any(|p| p.id == id) {
        return Err(TpError::validation(format!("Payment {id} already exists in the workbench")));
    }

    // Amount
    let amount = payment.req_obj("Amount").map_err(TpError::field)?;
    let code = amount.req_str("code").map_err(TpError::field)?;
    let currency =
        Currency::from_code(&code).map_err(|e| TpError::validation(format!("Amount.code: {e}")))?;
    let minor_unit = amount.req_int("minorUnit").map_err(TpError::field)?;
    if minor_unit != i64::from(currency.exponent()) {
        return Err(TpError::validation(format!(
            "Amount.minorUnit must be {} for {}",
            currency.exponent(),
            currency.code()
        )));
    }
    let value = amount
        .decimal_text("value")
        .map_err(TpError::field)?
        .ok_or_else(|| TpError::field(amount.missing("value")))?;
    let money = Money::parse_major(&value, currency, Sign::NonNegative)
        .map_err(|e| TpError::validation(format!("Amount.value: {e}")))?;

    // Form of payment
    let fop_ref = payment.req_obj("FormOfPaymentIdentifier").map_err(TpError::field)?;
    let fop_id = fop_ref.str("id").map_err(TpError::field)?;
    let fop_ident = fop_ref.obj("Identifier").map_err(TpError::field)?;
    let (Some(fop_id), Some(fop_ident)) = (fop_id, fop_ident) else {
        return Err(TpError::new(
            StatusCode::BAD_REQUEST,
            "4178",
            "Validation",
            "FormOfPaymentIdentifier needs both id and Identifier",
        ));
    };
    if fop_ref.req_str("FormOfPaymentRef").map_err(TpError::field)? != fop_id {
        return Err(TpError::validation("FormOfPaymentIdentifier.FormOfPaymentRef must equal its id"));
    }
    let fop_uuid = fop_ident.req_str("value").map_err(TpError::field)?;
    let fop = pnr.stored_fops.iter().chain(&wb.fops).find(|f| f.uuid == fop_uuid && f.id == fop_id);
    let Some(fop) = fop else {
        return Err(TpError::new(
            StatusCode::BAD_REQUEST,
            "4010",
            "Reservation",
            format!("Form of payment {fop_id} / {fop_uuid} is not in the reservation or the workbench"),
        ));
    };

    // Offers
    let offers = payment
        .objects("OfferIdentifier")
        .map_err(TpError::field)?
        .filter(|o| !o.is_empty())
        .ok_or_else(|| TpError::field(payment.missing("OfferIdentifier")))?;
    let mut offer_uuids = Vec::new();
    let mut total = Money::from_minor(0, currency);
    for o in &offers {
        let offer_id = o.req_str("id").map_err(TpError::field)?;
        let uuid =
            o.req_obj("Identifier").map_err(TpError::field)?.req_str("value").map_err(TpError::field)?;
        let Some(offer) = pnr.offers.iter().find(|x| x.uuid == uuid && x.id == offer_id) else {
            return Err(TpError::new(
                StatusCode::BAD_REQUEST,
                "4011",
                "Reservation",
                format!("Offer {offer_id} / {uuid} is not in the reservation"),
            ));
        };
        let already = offer.paid || wb.payments.iter().any(|p| p.offer_uuids.contains(&uuid));
        if already || offer_uuids.contains(&uuid) {
            return Err(TpError::new(
                StatusCode::BAD_REQUEST,
                "4012",
                "Reservation",
                format!("Offer {offer_id} is already paid"),
            ));
        }
        if offer.total.currency != currency {
            return Err(TpError::new(
                StatusCode::BAD_REQUEST,
                "4014",
                "Validation",
                format!(
                    "Amount.code {} does not match the offer currency {}",
                    currency, offer.total.currency
                ),
            ));
        }
        total = total.checked_add(offer.total).map_err(|e| TpError::validation(e.to_string()))?;
        offer_uuids.push(uuid);
    }
    if money != total {
        return Err(TpError::new(
            StatusCode::BAD_REQUEST,
            "4013",
            "Validation",
            format!(
                "Amount.value {} does not equal the total of the offers, {}",
                money.to_major_string(),
                total.to_major_string()
            ),
        ));
    }
    Ok(PendingPayment { id, uuid: web::uuid(), amount: money, fop_uuid: fop.uuid.clone(), offer_uuids })
}

pub(crate) async fn add_payment(
    State(shared): State<SharedState>,
    headers: HeaderMap,
    Path(workbench): Path<String>,
    body: Bytes,
) -> Response {
    const W: Option<&str> = Some("PaymentResponse");
    let mut world = shared.world();
    if let Err(e) = check_auth(&world, &headers) {
        return e.respond(None);
    }
    let Some(req) = Obj::parse(&body) else {
        return TpError::new(StatusCode::BAD_REQUEST, "1002", "Validation", "Request body is not valid JSON")
            .respond(None);
    };
    let tp = &mut world.travelport;
    let wb = match open_workbench(&mut tp.workbenches, &workbench) {
        Ok(wb) => wb,
        Err(e) => return e.respond(W),
    };
    let Some(pnr) = tp.pnrs.get(&wb.locator) else {
        return TpError::new(StatusCode::NOT_FOUND, "4001", "Reservation", "Reservation not found")
            .respond(W);
    };
    let payment = match parse_payment(req, pnr, wb) {
        Ok(p) => p,
        Err(e) => return e.respond(W),
    };
    let body = json!({
        "PaymentResponse": {
            "Payment": {
                "@type": "PaymentIdentifier",
                "id": payment.id,
                "Identifier": identifier(&payment.uuid),
            }
        }
    });
    if let Some(wb) = tp.workbenches.get_mut(&workbench) {
        wb.payments.push(payment);
    }
    web::json_value(StatusCode::CREATED, &body)
}

fn check_commit_body(body: &[u8]) -> Result<(), TpError> {
    let req = Obj::parse(body).ok_or_else(|| {
        TpError::new(StatusCode::BAD_REQUEST, "1002", "Validation", "Request body is not valid JSON")
    })?;
    let inner = req.obj("ReservationQueryCommitReservation").map_err(TpError::field)?;
    let kind = match &inner {
        Some(inner) => inner.str("@type").map_err(TpError::field)?,
        None => req.str("@type").map_err(TpError::field)?,
    };
    if kind.as_deref() != Some("ReservationQueryCommitReservation") {
        return Err(TpError::validation(
            "The body must be {\"@type\": \"ReservationQueryCommitReservation\"}",
        ));
    }
    Ok(())
}

pub(crate) async fn commit(
    State(shared): State<SharedState>,
    headers: HeaderMap,
    Path(workbench): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    const W: Option<&str> = Some("ReservationResponse");
    let mut world = shared.world();
    if let Err(e) = check_auth(&world, &headers) {
        return e.respond(None);
    }
    if let Err(e) = check_commit_body(&body) {
        return e.respond(W);
    }
    if let Some(issuance) = query_param(&query, "Issuance") {
        if issuance != "Ticket" {
            return TpError::validation("Issuance must be Ticket").respond(W);
        }
    }
    let world = &mut *world;
    let tp = &mut world.travelport;
    let wb = match open_workbench(&mut tp.workbenches, &workbench) {
        Ok(wb) => wb,
        Err(e) => return e.respond(W),
    };
    let locator = wb.locator.clone();
    let Some(mut pnr) = tp.pnrs.get(&locator).cloned() else {
        return TpError::new(StatusCode::NOT_FOUND, "4001", "Reservation", "Reservation not found")
            .respond(W);
    };
    // Authorise every card first: one refusal fails the commit and charges nothing.
    let all_fops: Vec<Fop> = pnr.stored_fops.iter().chain(&wb.fops).cloned().collect();
    let fop_of = |uuid: &str| all_fops.iter().find(|f| f.uuid == uuid).cloned();
    for (index, payment) in wb.payments.iter().enumerate() {
        let Some(FopKind::Card { outcome, .. }) = fop_of(&payment.fop_uuid).map(|f| f.kind) else { continue };
        let refusal = match outcome {
            Outcome::Decline => Some(
                TpError::new(
                    StatusCode::BAD_REQUEST,
                    "4020",
                    "Payment",
                    "CREDIT CARD DECLINED - DO NOT HONOR",
                )
                .from("1G"),
            ),
            Outcome::InsufficientFunds => Some(
                TpError::new(
                    StatusCode::BAD_REQUEST,
                    "4021",
                    "Payment",
                    "CREDIT CARD DECLINED - INSUFFICIENT FUNDS",
                )
                .from("1G"),
            ),
            Outcome::AirlineDeclines | Outcome::AirlineRiskControl => Some(
                TpError::new(
                    StatusCode::BAD_REQUEST,
                    "4022",
                    "Ticketing",
                    "FORM OF PAYMENT REJECTED BY CARRIER - TICKETS NOT ISSUED",
                )
                .from(&pnr.carrier),
            ),
            _ => None,
        };
        if let Some(error) = refusal {
            let failed = wb.payments.remove(index);
            tracing::info!(locator = %locator, payment = %failed.id, "travelport commit refused");
            return error.respond(W);
        }
    }
    let payments = std::mem::take(&mut wb.payments);
    wb.committed = true;
    for payment in &payments {
        let fop = fop_of(&payment.fop_uuid);
        let (method, last4) = match fop.map(|f| f.kind) {
            Some(FopKind::Card { last4, .. }) => ("card", Some(last4)),
            _ => ("cash", None),
        };
        world.ledger.record(NewEntry {
            provider: Provider::Travelport,
            kind: EntryKind::Charge,
            amount: payment.amount,
            reference: locator.clone(),
            secondary_reference: Some(payment.id.clone()),
            provider_id: payment.uuid.clone(),
            method,
            card_last4: last4,
        });
        tp.issue(&mut pnr, &payment.offer_uuids);
    }
    tracing::info!(locator = %locator, payments = payments.len(), documents = pnr.documents.len(), "travelport commit");
    let body = reservation_body(&pnr, &pnr.uuid, &[]);
    tp.pnrs.insert(locator, pnr);
    web::json_text(StatusCode::CREATED, body)
}

pub(crate) async fn retrieve(
    State(shared): State<SharedState>,
    headers: HeaderMap,
    Path(locator): Path<String>,
) -> Response {
    let world = shared.world();
    if let Err(e) = check_auth(&world, &headers) {
        return e.respond(None);
    }
    match world.travelport.pnrs.get(&locator) {
        Some(pnr) => web::json_text(StatusCode::OK, reservation_body(pnr, &pnr.uuid, &[])),
        None => TpError::new(
            StatusCode::NOT_FOUND,
            "4001",
            "Reservation",
            format!("Record locator {locator} not found"),
        )
        .from("1G")
        .respond(Some("ReservationResponse")),
    }
}

#[derive(Serialize)]
struct ReceiptList {
    #[serde(rename = "ReceiptListResponse")]
    inner: ReceiptListInner,
}

/// As the published Ticket List example: `ReceiptID`, no `@type` of its own.
#[derive(Serialize)]
struct ReceiptListInner {
    #[serde(rename = "ReceiptID")]
    receipts: Vec<ReceiptView>,
}

pub(crate) async fn receipts(
    State(shared): State<SharedState>,
    headers: HeaderMap,
    Path(locator): Path<String>,
) -> Response {
    let world = shared.world();
    if let Err(e) = check_auth(&world, &headers) {
        return e.respond(None);
    }
    let Some(pnr) = world.travelport.pnrs.get(&locator) else {
        return TpError::new(
            StatusCode::NOT_FOUND,
            "4001",
            "Reservation",
            format!("Record locator {locator} not found"),
        )
        .from("1G")
        .respond(Some("ReceiptListResponse"));
    };
    let receipts = if pnr.documents.is_empty() {
        vec![]
    } else {
        // The published example types a ticket plain "Document" and shows only its `Number`.
        // Beyond it (ours): EMDs typed `DocumentEMD` and each document's traveler, as in the
        // reservation's receipts; the client uses them only to label a document, never to decide
        // whether it was paid.
        let mut documents = document_views(pnr, true);
        for d in &mut documents {
            if d.kind == "DocumentTicket" {
                d.kind = "Document";
            }
        }
        vec![ReceiptView::Payment { kind: "ReceiptPayment", documents }]
    };
    web::json_text(StatusCode::OK, to_body(&ReceiptList { inner: ReceiptListInner { receipts } }))
}

/// Reads a control-API PNR seed: see the README for the fields.
pub(crate) fn seed_from_json(req: &Obj) -> Result<PnrSeed, String> {
    let e = |e: FieldError| e.describe();
    let currency = match req.str("currency").map_err(e)? {
        Some(code) => Currency::from_code(&code).map_err(|e| e.to_string())?,
        None => Currency::USD,
    };
    let price =
        |text: String| Money::parse_major(&text, currency, Sign::NonNegative).map_err(|e| e.to_string());
    let fare = req.decimal_text("farePerTraveler").map_err(e)?.ok_or("farePerTraveler is required")?;
    let travelers = match req.objects("travelers").map_err(e)? {
        Some(list) => list
            .iter()
            .map(|t| Ok((t.req_str("given").map_err(e)?, t.req_str("surname").map_err(e)?)))
            .collect::<Result<Vec<_>, String>>()?,
        None => vec![("JANE".into(), "DOE".into())],
    };
    let ancillary = match req.obj("ancillary").map_err(e)? {
        Some(a) => {
            let traveler = a.int("traveler").map_err(e)?.unwrap_or(1);
            let description = a.str("description").map_err(e)?.unwrap_or_else(|| "Checked bag 23kg".into());
            let text = a.decimal_text("price").map_err(e)?.ok_or("ancillary.price is required")?;
            let index = usize::try_from(traveler - 1).map_err(|_| "ancillary.traveler counts from 1")?;
            Some((index, description, price(text)?))
        }
        None => None,
    };
    Ok(PnrSeed {
        locator: req.str("locator").map_err(e)?,
        carrier: req.str("carrier").map_err(e)?.unwrap_or_else(|| "UA".into()),
        travelers,
        fare_per_traveler: price(fare)?,
        ancillary,
        stored_card: None,
        ticketed: req.bool("ticketed").map_err(e)?.unwrap_or(false),
    })
}

/// The PNR as retrieve shows it, for the control API.
pub(crate) fn pnr_json(world: &World, locator: &str) -> Option<String> {
    world.travelport.pnrs.get(locator).map(|p| reservation_body(p, &p.uuid, &[]))
}
