//! Holiday Extras' JSON and its mapping to the unified model (docs/providers/holidayextras.md).
//!
//! Amounts go out as pence (v1 a string, v2 an integer) and come back in pounds as a JSON number:
//! the answer's amount is read from its literal text and compared with what was sent. HX has no
//! error codes, only `status` ("SUCCESS" / "FAIL") and a free-text `error`; the HTTP status is
//! undocumented, so a failure is classified from both, and anything unclear is ambiguous.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::codes::{CodedError, ErrorCode};
use crate::money::{Currency, Money, Sign};
use crate::providers::{ProviderError, Refusal};

/// A card token, in digits (Holiday Extras' own, never a card number).
pub const TOKEN_MAX: usize = 64;
/// The booking reference a payment is for.
pub const REFERENCE_MAX: usize = 64;
/// A postal code (v2).
pub const POSTAL_CODE_MAX: usize = 16;

/// The form's facts: the limits `PayRequest::new` enforces.
pub fn form() -> crate::catalog::Form {
    crate::catalog::Form {
        max_len: [
            ("token", TOKEN_MAX),
            ("payment_reference", REFERENCE_MAX),
            ("postal_code", POSTAL_CODE_MAX),
            ("country_code", 2),
        ]
        .into(),
        ..Default::default()
    }
}

/// The API version, chosen per profile and sent as `Accept: application/vnd.holidayextras.v{N}+json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiVersion {
    /// String pence, GBP only (the version the provider page documents; sunset by HX in 2022).
    V1,
    /// Integer pence + `currency`, optional `postalCode` / `countryCode`.
    V2,
}

impl ApiVersion {
    pub fn accept(self) -> &'static str {
        match self {
            ApiVersion::V1 => "application/vnd.holidayextras.v1+json",
            ApiVersion::V2 => "application/vnd.holidayextras.v2+json",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1",
            ApiVersion::V2 => "v2",
        }
    }

    /// `amount` in pence: a string in v1, an integer in v2.
    fn pence(self, amount: Money) -> Value {
        match self {
            ApiVersion::V1 => Value::String(amount.to_minor_string()),
            ApiVersion::V2 => json!(amount.minor),
        }
    }
}

/// A `/pay` request, checked: everything HX documents about its fields holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayRequest {
    pub token: String,
    pub payment_reference: String,
    pub amount: Money,
    pub postal_code: Option<String>,
    pub country_code: Option<String>,
}

impl ApiVersion {
    /// The currencies Holiday Extras charges tokens in with this version: pence only in v1, its UK
    /// and German markets in v2.
    pub fn currencies(self) -> &'static [Currency] {
        match self {
            ApiVersion::V1 => &[Currency::GBP],
            ApiVersion::V2 => &[Currency::GBP, Currency::EUR],
        }
    }
}

fn invalid(field: &str, problem: CodedError) -> ProviderError {
    ProviderError::invalid(field, problem)
}

fn said(code: ErrorCode) -> CodedError {
    CodedError::new(code)
}

impl PayRequest {
    /// Checks and normalises the agent's input for `version`. Refuses, before anything is sent,
    /// what HX would refuse — and a "token" that is really a card number, which must never be
    /// sent as a token or stored.
    pub fn new(
        version: ApiVersion,
        token: &str,
        payment_reference: &str,
        amount: Money,
        postal_code: Option<&str>,
        country_code: Option<&str>,
    ) -> Result<PayRequest, ProviderError> {
        let token = token.trim();
        if token.is_empty() || token.len() > TOKEN_MAX || !token.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("token", said(ErrorCode::HxTokenDigits).with("max", TOKEN_MAX)));
        }
        if crate::redact::looks_like_card_number(token) {
            return Err(invalid("token", said(ErrorCode::HxTokenCardNumber)));
        }
        let reference = payment_reference.trim();
        let reference_ok = (1..=REFERENCE_MAX).contains(&reference.len())
            && reference.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !reference_ok {
            return Err(invalid(
                "payment_reference",
                said(ErrorCode::HxReferenceFormat).with("max", REFERENCE_MAX),
            ));
        }
        if amount.minor <= 0 {
            return Err(invalid("amount", said(ErrorCode::AmountNotPositive)));
        }
        match version {
            ApiVersion::V1 if amount.currency != Currency::GBP => {
                return Err(invalid("amount", said(ErrorCode::HxGbpOnly).with("currency", amount.currency)))
            }
            ApiVersion::V2 if !version.currencies().contains(&amount.currency) => {
                return Err(invalid("amount", said(ErrorCode::HxCurrency).with("currency", amount.currency)))
            }
            _ => {}
        }
        let postal_code = postal_code.map(str::trim).filter(|p| !p.is_empty());
        let country_code = country_code.map(str::trim).filter(|c| !c.is_empty());
        if version == ApiVersion::V1 && (postal_code.is_some() || country_code.is_some()) {
            let field = if postal_code.is_some() { "postal_code" } else { "country_code" };
            return Err(invalid(field, said(ErrorCode::HxNoAddress)));
        }
        if let Some(p) = postal_code {
            let ok = p.len() <= POSTAL_CODE_MAX
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
            if !ok {
                return Err(invalid(
                    "postal_code",
                    said(ErrorCode::PostalCodeFormat).with("max", POSTAL_CODE_MAX),
                ));
            }
        }
        let country_code = country_code.map(str::to_ascii_uppercase);
        if let Some(c) = &country_code {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(invalid("country_code", said(ErrorCode::CountryCodeFormat)));
            }
        }
        Ok(PayRequest {
            token: token.to_string(),
            payment_reference: reference.to_string(),
            amount,
            postal_code: postal_code.map(str::to_string),
            country_code,
        })
    }
}

/// The `/pay` body. `payment_id` is our idempotency key: HX refuses a second payment with it.
pub fn pay_body(version: ApiVersion, channel: &str, payment_id: &str, req: &PayRequest) -> Value {
    let mut body = json!({
        "channel": channel,
        "paymentId": payment_id,
        "token": req.token,
        "paymentReference": req.payment_reference,
        "amount": version.pence(req.amount),
    });
    if version == ApiVersion::V2 {
        body["currency"] = json!(req.amount.currency.code());
        if let Some(p) = &req.postal_code {
            body["postalCode"] = json!(p);
        }
        if let Some(c) = &req.country_code {
            body["countryCode"] = json!(c);
        }
    }
    body
}

/// The `/refund` body: the HX payment ids it covers and the amount in pence.
pub fn refund_body(version: ApiVersion, channel: &str, payment_ids: &[String], amount: Money) -> Value {
    json!({ "channel": channel, "payments": payment_ids, "amount": version.pence(amount) })
}

/// Why HX said FAIL, as far as its free text and HTTP status tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailKind {
    CardDeclined,
    InsufficientFunds,
    UnknownToken,
    Credentials,
    Channel,
    Version,
    Invalid,
    /// `/refund`: HX has no such (charged) payment.
    UnknownPayment,
    /// `/refund`: more than what is left to refund.
    OverRefund,
    Other,
}

/// HX's answer to `/pay`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayAnswer {
    /// Charged. `id` is HX's payment id (ours, echoed). `note` says what did not match.
    Paid { id: String, note: Option<String> },
    /// FAIL. To a first send of a fresh `paymentId`, nothing was charged. To a re-send it says
    /// nothing about the first request: HX documents one failure body for every cause, a
    /// `paymentId` that already exists among them, and no status code that tells them apart.
    Refused { kind: FailKind, refusal: Refusal },
    /// No telling whether money moved.
    Ambiguous { reason: String },
}

/// HX's answer to `/refund`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundAnswer {
    Refunded { id: Option<String>, note: Option<String> },
    Refused { kind: FailKind, refusal: Refusal },
    Ambiguous { reason: String },
}

#[derive(Deserialize)]
struct AnswerWire {
    amount: Option<Box<RawValue>>,
    id: Option<String>,
    status: Option<String>,
    error: Option<String>,
}

/// The parts of an answer every mapping needs, or why it is ambiguous.
fn read_answer(http_status: u16, body: &[u8]) -> Result<AnswerWire, String> {
    if http_status >= 500 {
        return Err(format!("Holiday Extras answered HTTP {http_status}"));
    }
    match serde_json::from_slice::<AnswerWire>(body) {
        Ok(answer) if answer.status.is_some() => Ok(answer),
        Ok(_) => Err(format!("Holiday Extras' answer (HTTP {http_status}) has no status")),
        Err(_) => Err(format!("Holiday Extras' answer (HTTP {http_status}) could not be read")),
    }
}

/// Compares the answer's amount (pounds, a JSON number) with the pence sent, exactly.
fn amount_note(raw: Option<&RawValue>, sent: Money) -> Option<String> {
    let Some(raw) = raw else {
        return Some(format!("Holiday Extras did not say which amount it took; {sent} was sent"));
    };
    let text = raw.get().trim_matches('"');
    match Money::from_json_number(text, sent.currency, Sign::NonNegative) {
        Ok(got) if got == sent => None,
        Ok(got) => Some(format!(
            "Holiday Extras reports {got}, but {sent} was sent — check the amount in the Holiday Extras portal"
        )),
        Err(e) => Some(format!(
            "Holiday Extras' amount '{text}' could not be read exactly ({e}); {sent} was sent"
        )),
    }
}

/// Maps a `/pay` answer. Only `SUCCESS` with a 2xx is a payment; an unknown status is ambiguous.
pub fn pay_answer(http_status: u16, body: &[u8], payment_id: &str, sent: Money) -> PayAnswer {
    let answer = match read_answer(http_status, body) {
        Ok(a) => a,
        Err(reason) => return PayAnswer::Ambiguous { reason },
    };
    let error = answer.error.clone().unwrap_or_default();
    match answer.status.as_deref().unwrap_or_default() {
        "SUCCESS" if (200..300).contains(&http_status) => {
            let mut notes: Vec<String> = amount_note(answer.amount.as_deref(), sent).into_iter().collect();
            let id = match answer.id {
                Some(id) if id == payment_id => id,
                Some(id) => {
                    notes.push(format!("Holiday Extras returned payment id {id}, not the {payment_id} sent"));
                    id
                }
                None => payment_id.to_string(),
            };
            PayAnswer::Paid { id, note: (!notes.is_empty()).then(|| notes.join("; ")) }
        }
        "FAIL" => {
            let kind = fail_kind(http_status, &error, false);
            PayAnswer::Refused { kind, refusal: refusal(kind, http_status, &error) }
        }
        other => PayAnswer::Ambiguous {
            reason: format!("Holiday Extras answered status '{other}' with HTTP {http_status}"),
        },
    }
}

/// Maps a `/refund` answer.
pub fn refund_answer(http_status: u16, body: &[u8], sent: Money) -> RefundAnswer {
    let answer = match read_answer(http_status, body) {
        Ok(a) => a,
        Err(reason) => return RefundAnswer::Ambiguous { reason },
    };
    let error = answer.error.clone().unwrap_or_default();
    match answer.status.as_deref().unwrap_or_default() {
        "SUCCESS" if (200..300).contains(&http_status) => {
            RefundAnswer::Refunded { id: answer.id, note: amount_note(answer.amount.as_deref(), sent) }
        }
        "FAIL" => {
            let kind = fail_kind(http_status, &error, true);
            RefundAnswer::Refused { kind, refusal: refusal(kind, http_status, &error) }
        }
        other => RefundAnswer::Ambiguous {
            reason: format!("Holiday Extras answered status '{other}' with HTTP {http_status}"),
        },
    }
}

/// HX documents no codes: the HTTP status and the free text decide, most specific first.
fn fail_kind(http_status: u16, error: &str, refund: bool) -> FailKind {
    let e = error.to_ascii_lowercase();
    let has = |s: &str| e.contains(s);
    match http_status {
        _ if http_status == 401 || has("unauthori") || has("credential") => FailKind::Credentials,
        _ if http_status == 403 || has("channel") => FailKind::Channel,
        _ if http_status == 406 || has("version") => FailKind::Version,
        _ if refund && (http_status == 409 || has("exceed")) => FailKind::OverRefund,
        _ if refund && (http_status == 404 || has("not found")) => FailKind::UnknownPayment,
        _ if has("insufficient") => FailKind::InsufficientFunds,
        _ if http_status == 404 || has("token") => FailKind::UnknownToken,
        _ if !refund && (http_status == 402 || has("failed to make payment") || has("declin")) => {
            FailKind::CardDeclined
        }
        400 => FailKind::Invalid,
        _ => FailKind::Other,
    }
}

/// What a failure means to the agent, and what to do next.
pub fn refusal(kind: FailKind, http_status: u16, error: &str) -> Refusal {
    let (message, advice) = match kind {
        FailKind::CardDeclined => {
            ("The card was declined", "Ask the customer for another card (a new token) or another way to pay")
        }
        FailKind::InsufficientFunds => (
            "The card has insufficient funds",
            "Ask the customer for another card (a new token) or another way to pay",
        ),
        FailKind::UnknownToken => (
            "Holiday Extras does not know this card token",
            "Check the token; if it has expired, tokenise the card again",
        ),
        FailKind::Credentials => (
            "Holiday Extras rejected Farepoint's credentials",
            "Check the Holiday Extras username and password in Settings",
        ),
        FailKind::Channel => (
            "Holiday Extras does not accept this channel for these credentials",
            "Check the channel in Settings — it comes with the credentials",
        ),
        FailKind::Version => (
            "Holiday Extras does not accept this API version",
            "Choose the API version Holiday Extras gave you (v2 is current) in Settings",
        ),
        FailKind::Invalid => (
            "Holiday Extras refused the request as invalid",
            "Check the token, reference and amount; if it happens again, report it to Farepoint support",
        ),
        FailKind::UnknownPayment => (
            "Holiday Extras has no charged payment with this id",
            "Check the payment in the Holiday Extras portal",
        ),
        FailKind::OverRefund => (
            "The refund is more than what is left to refund",
            "It may already be refunded — check the payment in the Holiday Extras portal",
        ),
        FailKind::Other => (
            "Holiday Extras refused the request",
            "Check the payment in the Holiday Extras portal before trying again",
        ),
    };
    let message =
        if error.is_empty() { message.to_string() } else { format!("{message} (Holiday Extras: {error})") };
    Refusal { code: format!("FAIL {http_status}"), message, advice: advice.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbp(minor: i64) -> Money {
        Money::from_minor(minor, Currency::GBP)
    }

    fn request(version: ApiVersion, amount: Money) -> Result<PayRequest, ProviderError> {
        PayRequest::new(version, "7000000000000001", "HXB-123", amount, None, None)
    }

    #[test]
    fn bodies_carry_pence_as_each_version_wants() {
        let req = PayRequest::new(
            ApiVersion::V2,
            " 7000000000000001 ",
            "HXB-123",
            Money::from_minor(1234, Currency::EUR),
            Some(" 10115 "),
            Some("de"),
        )
        .unwrap();
        let v2 = pay_body(ApiVersion::V2, "FAREPOINT", "K8Z2Q4M7R1T5V9X3", &req);
        assert_eq!(
            v2,
            json!({"channel": "FAREPOINT", "paymentId": "K8Z2Q4M7R1T5V9X3", "token": "7000000000000001",
                   "paymentReference": "HXB-123", "amount": 1234, "currency": "EUR",
                   "postalCode": "10115", "countryCode": "DE"})
        );
        let v1 = pay_body(ApiVersion::V1, "channel", "ID1", &request(ApiVersion::V1, gbp(1234)).unwrap());
        assert_eq!(v1["amount"], json!("1234"));
        assert!(v1.get("currency").is_none() && v1.get("postalCode").is_none());
        let ids = vec!["ID1".to_string()];
        assert_eq!(refund_body(ApiVersion::V1, "c", &ids, gbp(5))["amount"], json!("5"));
        assert_eq!(
            refund_body(ApiVersion::V2, "c", &ids, gbp(5)),
            json!({"channel": "c", "payments": ["ID1"], "amount": 5})
        );
    }

    #[test]
    fn bad_input_is_refused_with_the_field_to_fix() {
        let field = |r: Result<PayRequest, ProviderError>| match r {
            Err(ProviderError::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        };
        let v2 = ApiVersion::V2;
        assert_eq!(field(PayRequest::new(v2, "70000A01", "R", gbp(1), None, None)), "token");
        assert_eq!(field(PayRequest::new(v2, "4111111111111111", "R", gbp(1), None, None)), "token");
        assert_eq!(
            field(PayRequest::new(v2, "7000000000000001", "R 1", gbp(1), None, None)),
            "payment_reference"
        );
        assert_eq!(field(request(v2, gbp(0))), "amount");
        assert_eq!(field(request(v2, Money::from_minor(100, Currency::USD))), "amount");
        assert_eq!(field(request(ApiVersion::V1, Money::from_minor(100, Currency::EUR))), "amount");
        assert_eq!(
            field(PayRequest::new(ApiVersion::V1, "7001", "R", gbp(1), Some("SW1A 1AA"), None)),
            "postal_code"
        );
        assert_eq!(field(PayRequest::new(v2, "7001", "R", gbp(1), None, Some("GBR"))), "country_code");
    }

    #[test]
    fn the_answer_amount_is_read_exactly_and_checked() {
        let ok = br#"{"amount": 12.34, "id": "ID1", "status": "SUCCESS"}"#;
        assert_eq!(pay_answer(200, ok, "ID1", gbp(1234)), PayAnswer::Paid { id: "ID1".into(), note: None });
        // 0.1 + 0.2 style values: exact, and a trailing zero lost by a float printer is fine.
        let tenth = br#"{"amount": 0.3, "id": "ID1", "status": "SUCCESS"}"#;
        assert_eq!(pay_answer(200, tenth, "ID1", gbp(30)), PayAnswer::Paid { id: "ID1".into(), note: None });
        match pay_answer(200, ok, "ID1", gbp(1235)) {
            PayAnswer::Paid { note: Some(note), .. } => assert!(note.contains("12.34 GBP"), "{note}"),
            other => panic!("{other:?}"),
        }
        let rounded = br#"{"amount": 12.345, "id": "ID1", "status": "SUCCESS"}"#;
        assert!(matches!(pay_answer(200, rounded, "ID1", gbp(1234)), PayAnswer::Paid { note: Some(_), .. }));
    }

    #[test]
    fn failures_map_to_advice_and_doubt_stays_ambiguous() {
        let fail = |status: u16, error: &str| {
            let body = json!({"amount": 12.34, "status": "FAIL", "error": error}).to_string();
            pay_answer(status, body.as_bytes(), "ID1", gbp(1234))
        };
        let kind = |a: PayAnswer| match a {
            PayAnswer::Refused { kind, refusal } => {
                assert!(!refusal.advice.is_empty());
                kind
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(kind(fail(402, "Failed to make payment")), FailKind::CardDeclined);
        assert_eq!(kind(fail(200, "Failed to make payment")), FailKind::CardDeclined);
        assert_eq!(
            kind(fail(402, "Failed to make payment: insufficient funds")),
            FailKind::InsufficientFunds
        );
        assert_eq!(kind(fail(404, "Token not found: payment failed")), FailKind::UnknownToken);
        assert_eq!(kind(fail(403, "Invalid channel")), FailKind::Channel);
        assert_eq!(kind(fail(401, "Unauthorized")), FailKind::Credentials);
        assert_eq!(kind(fail(400, "amount is required")), FailKind::Invalid);
        // HX documents no answer of its own for a reused paymentId: whatever the status or text,
        // it is a FAIL like any other (the engine decides what a FAIL to a re-send means).
        for status in [200, 400, 402, 409] {
            assert!(matches!(fail(status, "Failed to make payment"), PayAnswer::Refused { .. }), "{status}");
        }
        assert!(matches!(fail(503, "Failed to make payment"), PayAnswer::Ambiguous { .. }));
        for body in [
            &b"<html>500</html>"[..],
            b"{\"amount\": 12.",
            b"{\"id\": \"ID1\"}",
            b"{\"status\": \"PENDING\"}",
        ] {
            assert!(matches!(pay_answer(200, body, "ID1", gbp(1234)), PayAnswer::Ambiguous { .. }));
        }
        let success_with_error_status = br#"{"amount": 12.34, "id": "ID1", "status": "SUCCESS"}"#;
        assert!(matches!(
            pay_answer(400, success_with_error_status, "ID1", gbp(1234)),
            PayAnswer::Ambiguous { .. }
        ));
    }

    #[test]
    fn refund_answers_map() {
        let ok = br#"{"amount": 5.5, "id": "REFUND-ID1", "status": "SUCCESS"}"#;
        assert_eq!(
            refund_answer(200, ok, gbp(550)),
            RefundAnswer::Refunded { id: Some("REFUND-ID1".into()), note: None }
        );
        let over = br#"{"amount": 5.5, "status": "FAIL", "error": "Failed making refund: amount exceeds the amount paid"}"#;
        assert!(matches!(
            refund_answer(409, over, gbp(550)),
            RefundAnswer::Refused { kind: FailKind::OverRefund, .. }
        ));
        let generic = br#"{"amount": 12.34, "status": "FAIL", "error": "Failed making refund"}"#;
        assert!(matches!(
            refund_answer(200, generic, gbp(1234)),
            RefundAnswer::Refused { kind: FailKind::Other, .. }
        ));
        assert!(matches!(refund_answer(500, b"", gbp(1)), RefundAnswer::Ambiguous { .. }));
    }
}
