//! Holiday Extras payment gateway: `/pay` and `/refund`, v1 and v2 by the `Accept` header.
//!
//! Wire facts (docs/providers/holidayextras.md; fixtures' SOURCES.md): Basic auth plus the
//! partner's `channel` in every body; v1 sends `amount` as a string of pence and requires
//! `paymentId`; v2 sends integer pence plus `currency`, and `paymentId` (`[0-9A-Z]{16}`) is
//! generated when absent; a `paymentId` that already exists fails; the answer carries the amount in
//! pounds as a JSON number. The pages publish one failure body per call and no HTTP status, so
//! every money failure answers exactly that body — `"Failed to make payment"` for a declined
//! card, an unknown token or a reused `paymentId`; `"Failed making refund"` for a refund of an
//! unknown payment or of more than is left — at the status set by `holidayextras_fail_status`
//! (a reused id: `holidayextras_reused_id_status`), 200 unless changed: nothing in the answer
//! tells one cause from another. Our choices where the docs are silent: no `Accept` version
//! means v1 (the version the page documents); HTTP 400 for a malformed request, 401 bad
//! credentials, 403 wrong channel, 406 an unknown API version; a token can be charged any
//! number of times.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use farepoint_core::money::{Currency, Money, Sign};
use serde::Serialize;

use crate::cards::{self, Outcome};
use crate::json::{to_body, Num, Obj};
use crate::ledger::{EntryKind, NewEntry, Provider};
use crate::state::{SharedState, World};
use crate::web::{self, header_str};

/// The pages' failure sentences, the only ones published.
const PAY_FAILED: &str = "Failed to make payment";
const REFUND_FAILED: &str = "Failed making refund";

#[derive(Debug, Clone)]
pub(crate) struct HxAccount {
    pub username: String,
    pub password: String,
    pub channel: String,
}

#[derive(Debug, Clone)]
pub(crate) struct HxToken {
    pub outcome: Outcome,
    pub last4: Option<String>,
}

#[derive(Debug, Clone)]
struct HxPayment {
    channel: String,
    amount: Money,
    refunded_minor: i64,
    succeeded: bool,
}

#[derive(Debug, Default)]
pub(crate) struct HxState {
    pub accounts: Vec<HxAccount>,
    pub tokens: BTreeMap<String, HxToken>,
    payments: BTreeMap<String, HxPayment>,
    refund_ids: BTreeMap<String, u32>,
}

impl HxState {
    /// Tokenises a card as the gateway's front-end script would: a numeric token whose outcome
    /// is the card's.
    pub(crate) fn tokenise(&mut self, card_digits: &str, token: Option<String>) -> Result<String, String> {
        let card = farepoint_core::card::CardNumber::parse(card_digits).map_err(|e| e.to_string())?;
        let token = token.unwrap_or_else(|| format!("9{}", web::random_from(b"0123456789", 15)));
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
            return Err("a token is digits only".into());
        }
        self.tokens.insert(
            token.clone(),
            HxToken { outcome: cards::outcome_of(&card), last4: Some(card.last4().to_string()) },
        );
        Ok(token)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

#[derive(Serialize)]
struct Answer {
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<Num>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn reply(status: StatusCode, version: Version, answer: &Answer) -> Response {
    let content_type = match version {
        Version::V1 => "application/vnd.holidayextras.v1+json",
        Version::V2 => "application/vnd.holidayextras.v2+json",
    };
    let mut response = web::json_text(status, to_body(answer));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn fail(status: StatusCode, version: Version, amount: Option<Money>, error: impl Into<String>) -> Response {
    reply(
        status,
        version,
        &Answer { amount: amount.map(Num::major), id: None, status: "FAIL", error: Some(error.into()) },
    )
}

fn version_of(headers: &HeaderMap) -> Result<Version, Box<Response>> {
    let Some(accept) = header_str(headers, header::ACCEPT.as_str()) else { return Ok(Version::V1) };
    let Some(start) = accept.find("application/vnd.holidayextras.v") else { return Ok(Version::V1) };
    let rest = &accept[start + "application/vnd.holidayextras.v".len()..];
    match rest.split('+').next() {
        Some("1") => Ok(Version::V1),
        Some("2") => Ok(Version::V2),
        _ => Err(Box::new(fail(StatusCode::NOT_ACCEPTABLE, Version::V1, None, "Unsupported API version"))),
    }
}

/// Auth, version, content type and JSON: what both endpoints check first.
fn preamble(
    world: &World,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Version, Obj, HxAccount), Box<Response>> {
    let version = version_of(headers)?;
    let account = web::basic(headers).and_then(|(user, password)| {
        world.holidayextras.accounts.iter().find(|a| a.username == user && a.password == password).cloned()
    });
    let Some(account) = account else {
        let mut response = fail(StatusCode::UNAUTHORIZED, version, None, "Unauthorized");
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"payment-gateway\""));
        return Err(Box::new(response));
    };
    let json_type = header_str(headers, header::CONTENT_TYPE.as_str())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !json_type {
        return Err(Box::new(fail(
            StatusCode::BAD_REQUEST,
            version,
            None,
            "Content-Type must be application/json",
        )));
    }
    let Some(req) = Obj::parse(body) else {
        return Err(Box::new(fail(StatusCode::BAD_REQUEST, version, None, "Invalid JSON body")));
    };
    let channel = match req.req_str("channel") {
        Ok(c) => c,
        Err(e) => return Err(Box::new(fail(StatusCode::BAD_REQUEST, version, None, e.describe()))),
    };
    if channel != account.channel {
        return Err(Box::new(fail(StatusCode::FORBIDDEN, version, None, "Invalid channel")));
    }
    Ok((version, req, account))
}

/// `amount` in pence: a string of digits in v1, an integer in v2.
fn pence(req: &Obj, version: Version, currency: Currency) -> Result<Money, String> {
    let text = match version {
        Version::V1 => match req.str("amount") {
            Ok(Some(s)) => s,
            Ok(None) => return Err("amount is required".into()),
            Err(_) => return Err("amount must be a string of pence, e.g. \"1234\"".into()),
        },
        Version::V2 => match req.int("amount") {
            Ok(Some(n)) => n.to_string(),
            Ok(None) => return Err("amount is required".into()),
            Err(_) => return Err("amount must be an integer number of pence, e.g. 1234".into()),
        },
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("amount must be digits only (pence)".into());
    }
    let money = Money::parse_minor(&text, currency, Sign::NonNegative).map_err(|e| e.to_string())?;
    if money.minor == 0 {
        return Err("amount must be more than 0".into());
    }
    Ok(money)
}

fn id_chars_ok(id: &str, max: usize) -> bool {
    (1..=max).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

pub(crate) async fn pay(State(shared): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let mut world = shared.world();
    let (version, req, account) = match preamble(&world, &headers, &body) {
        Ok(p) => p,
        Err(response) => return *response,
    };
    let bad = |msg: String| fail(StatusCode::BAD_REQUEST, version, None, msg);
    let payment_id = match (version, req.str("paymentId")) {
        (_, Err(e)) => return bad(e.describe()),
        (Version::V1, Ok(None)) => return bad("paymentId is required".into()),
        // The page's own example ("testPaymentId") is mixed case, so v1 takes letters and digits.
        (Version::V1, Ok(Some(id))) if !id_chars_ok(&id, 64) => {
            return bad("paymentId must be 1 to 64 letters or digits".into())
        }
        (Version::V2, Ok(Some(id)))
            if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
        {
            return bad("paymentId must be 16 characters [0-9A-Z]".into())
        }
        (_, Ok(Some(id))) => id,
        (Version::V2, Ok(None)) => loop {
            let id = web::random_from(web::UPPER_ALNUM, 16);
            if !world.holidayextras.payments.contains_key(&id) {
                break id;
            }
        },
    };
    let token = match req.req_str("token") {
        Ok(t) if t.bytes().all(|b| b.is_ascii_digit()) => t,
        Ok(_) => return bad("token must be digits only".into()),
        Err(e) => return bad(e.describe()),
    };
    let reference = match req.req_str("paymentReference") {
        Ok(r) if r.len() <= 64 && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') => r,
        Ok(_) => return bad("paymentReference must be up to 64 letters, digits, '-' or '_'".into()),
        Err(e) => return bad(e.describe()),
    };
    let currency = match version {
        Version::V1 => Currency::GBP,
        Version::V2 => match req.req_str("currency").map(|c| Currency::from_code(&c)) {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return bad(format!("currency: {e}")),
            Err(e) => return bad(e.describe()),
        },
    };
    let amount = match pence(&req, version, currency) {
        Ok(m) => m,
        Err(msg) => return bad(msg),
    };
    if version == Version::V2 {
        match req.str("postalCode") {
            Ok(Some(p)) if p.trim().is_empty() || p.len() > 16 => {
                return bad("postalCode is 1 to 16 characters".into())
            }
            Err(e) => return bad(e.describe()),
            _ => {}
        }
        match req.str("countryCode") {
            Ok(Some(c)) if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) => {
                return bad("countryCode must be ISO 3166-1 alpha-2".into())
            }
            Err(e) => return bad(e.describe()),
            _ => {}
        }
    }
    if world.holidayextras.payments.contains_key(&payment_id) {
        // The page: the id "cannot already exist otherwise payment will fail", and one failure
        // body. Nothing tells this failure from a declined card; the status is a setting.
        let status =
            StatusCode::from_u16(world.settings.holidayextras_reused_id_status).unwrap_or(StatusCode::OK);
        return fail(status, version, Some(amount), PAY_FAILED);
    }
    let failed = StatusCode::from_u16(world.settings.holidayextras_fail_status).unwrap_or(StatusCode::OK);
    let Some(token_info) = world.holidayextras.tokens.get(&token).cloned() else {
        return fail(failed, version, Some(amount), PAY_FAILED);
    };
    let succeeded = matches!(
        token_info.outcome,
        Outcome::Approve | Outcome::AirlineDeclines | Outcome::AirlineRiskControl | Outcome::Requires3ds
    );
    world.holidayextras.payments.insert(
        payment_id.clone(),
        HxPayment { channel: account.channel.clone(), amount, refunded_minor: 0, succeeded },
    );
    tracing::info!(payment_id = %payment_id, succeeded, amount = %amount, "holidayextras pay");
    if !succeeded {
        return fail(failed, version, Some(amount), PAY_FAILED);
    }
    world.ledger.record(NewEntry {
        provider: Provider::HolidayExtras,
        kind: EntryKind::Charge,
        amount,
        reference: payment_id.clone(),
        secondary_reference: Some(reference),
        provider_id: payment_id.clone(),
        method: "token",
        card_last4: token_info.last4,
    });
    reply(
        StatusCode::OK,
        version,
        &Answer { amount: Some(Num::major(amount)), id: Some(payment_id), status: "SUCCESS", error: None },
    )
}

pub(crate) async fn refund(State(shared): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let mut world = shared.world();
    let (version, req, account) = match preamble(&world, &headers, &body) {
        Ok(p) => p,
        Err(response) => return *response,
    };
    let bad = |msg: String| fail(StatusCode::BAD_REQUEST, version, None, msg);
    let failed = StatusCode::from_u16(world.settings.holidayextras_fail_status).unwrap_or(StatusCode::OK);
    let ids = match req.strings("payments") {
        Ok(Some(ids)) if !ids.is_empty() => ids,
        Ok(_) => return bad("payments is required: the paymentIds to refund".into()),
        Err(e) => return bad(e.describe()),
    };
    let hx = &mut world.holidayextras;
    let mut found = Vec::new();
    for id in &ids {
        match hx.payments.get(id) {
            Some(p) if p.succeeded && p.channel == account.channel => found.push((id.clone(), p.clone())),
            _ => return fail(failed, version, None, REFUND_FAILED),
        }
    }
    let currency = found[0].1.amount.currency;
    if found.iter().any(|(_, p)| p.amount.currency != currency) {
        return bad("payments must all be in one currency".into());
    }
    let amount = match pence(&req, version, currency) {
        Ok(m) => m,
        Err(msg) => return bad(msg),
    };
    let refundable: i64 = found.iter().map(|(_, p)| p.amount.minor - p.refunded_minor).sum();
    if amount.minor > refundable {
        return fail(failed, version, Some(amount), REFUND_FAILED);
    }
    let first = ids[0].clone();
    let n = hx.refund_ids.entry(first.clone()).or_default();
    *n += 1;
    let refund_id = if *n == 1 { format!("REFUND-{first}") } else { format!("REFUND-{first}-{n}") };
    // Allocated in the order given, each payment up to what is left of it.
    let mut left = amount.minor;
    let mut entries = Vec::new();
    for (id, _) in &found {
        if left == 0 {
            break;
        }
        let Some(p) = hx.payments.get_mut(id) else { continue };
        let take = left.min(p.amount.minor - p.refunded_minor);
        if take > 0 {
            p.refunded_minor += take;
            left -= take;
            entries.push((id.clone(), take));
        }
    }
    for (id, take) in entries {
        world.ledger.record(NewEntry {
            provider: Provider::HolidayExtras,
            kind: EntryKind::Refund,
            amount: Money::from_minor(take, currency),
            reference: id,
            secondary_reference: None,
            provider_id: refund_id.clone(),
            method: "token",
            card_last4: None,
        });
    }
    tracing::info!(refund_id = %refund_id, amount = %amount, "holidayextras refund");
    reply(
        StatusCode::OK,
        version,
        &Answer { amount: Some(Num::major(amount)), id: Some(refund_id), status: "SUCCESS", error: None },
    )
}

/// A stand-in for the gateway's front-end tokenising script (the real one runs in a browser).
pub(crate) fn tokenise_response(world: &mut World, req: &Obj) -> Response {
    let card = match req.req_str("card_number") {
        Ok(c) => c,
        Err(e) => return (StatusCode::BAD_REQUEST, e.describe()).into_response(),
    };
    let token = match req.str("token") {
        Ok(t) => t,
        Err(e) => return (StatusCode::BAD_REQUEST, e.describe()).into_response(),
    };
    match world.holidayextras.tokenise(&card, token) {
        Ok(token) => web::json_value(StatusCode::CREATED, &serde_json::json!({ "token": token })),
        Err(e) => (StatusCode::BAD_REQUEST, e).into_response(),
    }
}

/// The frontend payment script the integration page publishes on the gateway's own host —
/// `payment.2.0.0.min.js`, and `payment.staging.2.0.0.min.js` on staging — served here under
/// both names as a stand-in (the real script tokenises a card; this one only names itself). No
/// credentials: the page loads it in a customer's browser.
pub(crate) async fn payment_script(axum::extract::Path(script): axum::extract::Path<String>) -> Response {
    if !farepoint_core::providers::holidayextras::PAYMENT_SCRIPTS.contains(&script.as_str()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let body =
        format!("/* {script}: the Farepoint sandbox's stand-in for Holiday Extras' payment script */\n");
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/javascript"))], body).into_response()
}
