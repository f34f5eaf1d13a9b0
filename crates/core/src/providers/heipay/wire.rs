//! HeiPay's JSON and its mapping to the unified model (docs/providers/heipay.md).
//!
//! Every number HeiPay wants "with two fraction digits" (amount, tax and service rates) is written
//! from its exact decimal text as a JSON number literal: nothing passes through a float, so
//! 1234.50 leaves as `1234.50`, never `1234.5`.

use std::net::Ipv4Addr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::card::Card;
use crate::codes::{CodedError, ErrorCode};
use crate::money::{Currency, Money};
use crate::providers::{PayOutcome, ProviderError, Refusal};
use crate::vault::FieldCipher;

/// `order.detail` is at most this many characters (provider page).
pub const DETAIL_MAX: usize = 99;
/// The guest's first or last name, in characters.
pub const NAME_MAX: usize = 100;
/// The guest's address, in characters.
pub const ADDRESS_MAX: usize = 200;
/// A fiscal number (NIT or ID), in characters.
pub const FISCAL_NUMBER_MAX: usize = 30;
/// `order.installments` range. The page says only "Integer"; 36 is the longest Colombian card
/// plan and the sandbox's limit.
pub const INSTALLMENTS_MAX: u32 = 36;
/// HeiPay is a Colombian terminal and the page sends no currency: amounts are pesos (our reading,
/// and the sandbox's: docs/providers/heipay.md §6).
pub const CURRENCY_CODE: &str = "COP";

/// The form's facts: the limits `Order::validate` enforces.
pub fn form() -> crate::catalog::Form {
    crate::catalog::Form {
        max_len: [
            ("guest_first_name", NAME_MAX),
            ("guest_last_name", NAME_MAX),
            ("detail", DETAIL_MAX),
            ("address", ADDRESS_MAX),
            ("fiscal_number", FISCAL_NUMBER_MAX),
        ]
        .into(),
        installments_max: Some(INSTALLMENTS_MAX),
        ..Default::default()
    }
}

fn invalid(field: &str, problem: CodedError) -> ProviderError {
    ProviderError::invalid(field, problem)
}

fn said(code: ErrorCode) -> CodedError {
    CodedError::new(code)
}

/// A tax or service rate 0.00–1.00, exact, in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rate(u8);

impl Rate {
    /// Reads "0.19", "0.5", "1", "1.00"; refuses more than two decimals or anything outside 0–1.
    pub fn parse(field: &str, text: &str) -> Result<Rate, ProviderError> {
        let text = text.trim();
        let plain = !text.is_empty()
            && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && text.matches('.').count() <= 1
            && !text.starts_with('.')
            && !text.ends_with('.');
        let value = Decimal::from_str_exact(text)
            .ok()
            .filter(|_| plain)
            .ok_or_else(|| invalid(field, said(ErrorCode::RateFormat).with("value", text)))?
            .normalize();
        if value.scale() > 2 || value > Decimal::ONE {
            return Err(invalid(field, said(ErrorCode::RateRange).with("value", text)));
        }
        let hundredths =
            (value * Decimal::ONE_HUNDRED).to_u8().ok_or_else(|| invalid(field, said(ErrorCode::Rate)))?;
        Ok(Rate(hundredths))
    }

    pub fn hundredths(self) -> u8 {
        self.0
    }

    /// The wire literal: always two decimals ("0.19", "1.00").
    pub fn to_wire(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// What the desk enters about the order, as typed.
#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    pub hotel_id: i64,
    pub guest_first_name: String,
    pub guest_last_name: String,
    pub detail: Option<String>,
    pub amount: Option<Money>,
    pub installments: u32,
    pub tax_percent: Option<String>,
    pub service_percent: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub fiscal_number: Option<String>,
    pub ip: Option<String>,
}

/// An order HeiPay will accept as far as its page says: checked before anything is journaled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub hotel_id: i64,
    pub ref_name: String,
    pub ref_lastname: String,
    pub detail: Option<String>,
    pub amount: Money,
    pub installments: u32,
    pub tax_percent: Option<Rate>,
    pub service_percent: Option<Rate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub fiscal_number: Option<String>,
    pub ip: Option<Ipv4Addr>,
}

/// Trimmed, inner whitespace collapsed; empty becomes None.
fn tidy(text: Option<String>) -> Option<String> {
    text.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|t| !t.is_empty())
}

/// `codes` says the name missing and the name too long.
fn required_name(field: &str, text: String, codes: (ErrorCode, ErrorCode)) -> Result<String, ProviderError> {
    let name = tidy(Some(text)).ok_or_else(|| invalid(field, said(codes.0)))?;
    if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(invalid(field, said(codes.1).with("max", NAME_MAX)));
    }
    Ok(name)
}

impl Order {
    /// Checks every field against the provider page (and the sandbox where the page is silent).
    pub fn validate(input: OrderInput) -> Result<Order, ProviderError> {
        if input.hotel_id <= 0 {
            return Err(invalid("hotel_id", said(ErrorCode::HotelRequired)));
        }
        let ref_name = required_name(
            "guest_first_name",
            input.guest_first_name,
            (ErrorCode::GuestFirstNameRequired, ErrorCode::GuestFirstNameText),
        )?;
        let ref_lastname = required_name(
            "guest_last_name",
            input.guest_last_name,
            (ErrorCode::GuestLastNameRequired, ErrorCode::GuestLastNameText),
        )?;
        let detail = no_card_number("detail", tidy(input.detail))?;
        if let Some(d) = &detail {
            let n = d.chars().count();
            if n > DETAIL_MAX {
                let problem = said(ErrorCode::DetailTooLong).with("max", DETAIL_MAX).with("got", n);
                return Err(invalid("detail", problem));
            }
        }
        let amount = check_amount(input.amount)?;
        if !(1..=INSTALLMENTS_MAX).contains(&input.installments) {
            return Err(invalid(
                "installments",
                said(ErrorCode::InstallmentsRange).with("max", INSTALLMENTS_MAX),
            ));
        }
        let rate = |field: &str, text: Option<String>| tidy(text).map(|t| Rate::parse(field, &t)).transpose();
        Ok(Order {
            hotel_id: input.hotel_id,
            ref_name,
            ref_lastname,
            detail,
            amount,
            installments: input.installments,
            tax_percent: rate("tax_percent", input.tax_percent)?,
            service_percent: rate("service_percent", input.service_percent)?,
            email: check_email(tidy(input.email))?,
            phone: check_phone(tidy(input.phone))?,
            address: no_card_number("address", check_text("address", tidy(input.address), ADDRESS_MAX)?)?,
            fiscal_number: check_fiscal_number(tidy(input.fiscal_number))?,
            ip: check_ip(tidy(input.ip))?,
        })
    }
}

fn check_amount(amount: Option<Money>) -> Result<Money, ProviderError> {
    let amount = amount.ok_or_else(|| invalid("amount", said(ErrorCode::AmountRequired)))?;
    let cop = Currency::from_code(CURRENCY_CODE).expect("COP is ISO 4217");
    if amount.currency != cop {
        let problem = said(ErrorCode::HeipayCurrency)
            .with("amount", amount.to_major_string())
            .with("currency", amount.currency);
        return Err(invalid("amount", problem));
    }
    if amount.minor <= 0 {
        return Err(invalid("amount", said(ErrorCode::AmountNotPositive)));
    }
    Ok(amount)
}

fn check_email(email: Option<String>) -> Result<Option<String>, ProviderError> {
    let Some(email) = email else { return Ok(None) };
    let valid = !email.contains(' ')
        && email.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && !domain.contains('@')
                && domain.split('.').filter(|p| !p.is_empty()).count() >= 2
        });
    if !valid {
        return Err(invalid("email", said(ErrorCode::EmailFormat).with("value", email)));
    }
    Ok(Some(email))
}

/// 7 to 15 digits; spaces, dashes, dots, brackets and a leading + are dropped.
fn check_phone(phone: Option<String>) -> Result<Option<String>, ProviderError> {
    let Some(phone) = phone else { return Ok(None) };
    let digits: String =
        phone.trim_start_matches('+').chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    if !(7..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("phone", said(ErrorCode::PhoneFormat).with("value", phone)));
    }
    Ok(Some(digits))
}

/// Free text is sent to HeiPay and kept with the payment to send again: a card number typed
/// into it (pasted into the wrong field) is refused, never sent or stored.
fn no_card_number(field: &str, text: Option<String>) -> Result<Option<String>, ProviderError> {
    match text {
        Some(t) if matches!(crate::redact::redact_text(&t), std::borrow::Cow::Owned(_)) => {
            Err(invalid(field, said(ErrorCode::CardNumberInText)))
        }
        other => Ok(other),
    }
}

fn check_text(field: &str, text: Option<String>, max: usize) -> Result<Option<String>, ProviderError> {
    match text {
        Some(t) if t.chars().count() > max || t.chars().any(char::is_control) => {
            Err(invalid(field, said(ErrorCode::TextTooLong).with("max", max)))
        }
        other => Ok(other),
    }
}

/// A NIT or ID number: letters, digits and `-` / `.` (e.g. 900123456-7).
fn check_fiscal_number(text: Option<String>) -> Result<Option<String>, ProviderError> {
    let Some(t) = text else { return Ok(None) };
    let ok = t.len() <= FISCAL_NUMBER_MAX
        && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'));
    if !ok {
        return Err(invalid(
            "fiscal_number",
            said(ErrorCode::FiscalNumberFormat).with("max", FISCAL_NUMBER_MAX),
        ));
    }
    Ok(Some(t))
}

fn check_ip(text: Option<String>) -> Result<Option<Ipv4Addr>, ProviderError> {
    text.map(|t| {
        t.parse::<Ipv4Addr>().map_err(|_| invalid("ip", said(ErrorCode::IpFormat).with("value", &t)))
    })
    .transpose()
}

#[derive(Serialize)]
struct OrderWire<'a> {
    ref_name: &'a str,
    ref_lastname: &'a str,
    ref_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    amount: Box<RawValue>,
    installments: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    tax_percent: Option<Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_percent: Option<Box<RawValue>>,
    hotel_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fiscal_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<String>,
}

/// Every field is ciphertext: `base64(nonce ‖ ciphertext ‖ tag)` under the hotel's key.
#[derive(Serialize)]
struct CardItemWire {
    cc_code: String,
    cc_number: String,
    cc_expire_month: String,
    cc_expire_year: String,
    cc_holder: String,
}

#[derive(Serialize)]
struct PayWire<'a> {
    order: OrderWire<'a>,
    card_item: CardItemWire,
}

fn number_literal(text: String) -> Result<Box<RawValue>, ProviderError> {
    RawValue::from_string(text).map_err(|e| ProviderError::Config(format!("could not write a number: {e}")))
}

/// The request body as JSON text (a `Value` would turn the decimals into floats). The card's
/// plain values exist only inside this call, as arguments to the cipher.
pub fn pay_body(
    order: &Order,
    ref_number: &str,
    card: &Card,
    cipher: &dyn FieldCipher,
) -> Result<String, ProviderError> {
    let rate = |r: Option<Rate>| r.map(|r| number_literal(r.to_wire())).transpose();
    let body = PayWire {
        order: OrderWire {
            ref_name: &order.ref_name,
            ref_lastname: &order.ref_lastname,
            ref_number,
            detail: order.detail.as_deref(),
            amount: number_literal(order.amount.to_major_string())?,
            installments: order.installments,
            tax_percent: rate(order.tax_percent)?,
            service_percent: rate(order.service_percent)?,
            hotel_id: order.hotel_id,
            email: order.email.as_deref(),
            phone: order.phone.as_deref(),
            address: order.address.as_deref(),
            fiscal_number: order.fiscal_number.as_deref(),
            ip: order.ip.map(|ip| ip.to_string()),
        },
        card_item: CardItemWire {
            cc_code: cipher.encrypt_field(card.cvv.expose_cvv()),
            cc_number: cipher.encrypt_field(card.number.expose_number()),
            cc_expire_month: cipher.encrypt_field(&format!("{:02}", card.expiry.month())),
            cc_expire_year: cipher.encrypt_field(&format!("{:04}", card.expiry.year())),
            cc_holder: cipher.encrypt_field(card.holder.as_str()),
        },
    };
    serde_json::to_string(&body)
        .map_err(|e| ProviderError::Config(format!("could not write the request: {e}")))
}

/// The agent-facing meaning of HeiPay's failure `code`s. The page documents only `code` 0
/// ("El pago ha sido rechazado"); 1–5 are the sandbox's (docs/providers/heipay.md §3).
pub fn refusal(code: i64, detail: &str, hotel_id: i64) -> Option<Refusal> {
    let (message, advice) = match code {
        0 => (
            "The card was declined".to_string(),
            "Ask the guest for another card, or to call their bank".to_string(),
        ),
        1 => (
            "HeiPay refused the request as invalid".to_string(),
            "Correct the field HeiPay names, then take the payment again".to_string(),
        ),
        2 => (
            "HeiPay rejected Farepoint's API token".to_string(),
            "Check the HeiPay API token in Settings".to_string(),
        ),
        3 => (
            format!("HeiPay does not know hotel {hotel_id}"),
            "Check the hotel id of this desk in Settings".to_string(),
        ),
        4 => (
            "HeiPay could not decrypt the card: the card key does not match this hotel".to_string(),
            format!("The card key does not match hotel {hotel_id} — check the HeiPay card key in Settings"),
        ),
        5 => (
            "HeiPay found the card details invalid".to_string(),
            "Check the card number, security code, expiry and name with the guest".to_string(),
        ),
        _ => return None,
    };
    let detail = detail.trim();
    let message = if detail.is_empty() { message } else { format!("{message} (HeiPay: {detail})") };
    Some(Refusal { code: code.to_string(), message, advice })
}

#[derive(Deserialize)]
struct AnswerWire {
    msg: Option<String>,
    voucher_url: Option<String>,
    code: Option<Value>,
    message: Option<String>,
    detail: Option<String>,
    extra_info: Option<ExtraInfoWire>,
}

#[derive(Deserialize)]
struct ExtraInfoWire {
    voucher_url: Option<String>,
}

/// HeiPay's answer to a payment, in unified terms, with the voucher link it gave (as sent:
/// usually relative to the base URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayAnswer {
    pub outcome: PayOutcome,
    pub voucher_url: Option<String>,
}

fn ambiguous(reason: String) -> PayAnswer {
    PayAnswer { outcome: PayOutcome::Ambiguous { reason }, voucher_url: None }
}

/// Maps an answer to `POST v2/virtual-terminal/credit-card`. Success is the `{msg, voucher_url}`
/// shape on a 2xx; a definite "no" is a known `code`; anything else may have charged.
pub fn pay_answer(http_status: u16, body: &[u8], hotel_id: i64) -> PayAnswer {
    if http_status >= 500 {
        return ambiguous(format!("HeiPay answered HTTP {http_status}"));
    }
    let Ok(wire) = serde_json::from_slice::<AnswerWire>(body) else {
        return ambiguous(format!("HeiPay's answer (HTTP {http_status}) could not be read"));
    };
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if let Some(code) = &wire.code {
        let code = code.as_i64().or_else(|| code.as_str().and_then(|s| s.trim().parse().ok()));
        let voucher_url = nonempty(wire.extra_info.and_then(|e| e.voucher_url));
        let detail = wire.detail.or(wire.message).unwrap_or_default();
        // A "no" only with a client-error status, as the published decline comes ("Error http:
        // 400"): HeiPay does not de-duplicate `ref_number`, so a code on any other status is not
        // proof that nothing was charged.
        let client_error = (400..500).contains(&http_status);
        return match code.filter(|_| client_error).and_then(|c| refusal(c, &detail, hotel_id)) {
            Some(refusal) => PayAnswer { outcome: PayOutcome::Declined(refusal), voucher_url },
            None => PayAnswer {
                outcome: PayOutcome::Ambiguous {
                    reason: format!(
                        "HeiPay answered an unknown code {code:?} (HTTP {http_status}): {detail}"
                    ),
                },
                voucher_url,
            },
        };
    }
    let voucher_url = nonempty(wire.voucher_url);
    match (http_status, nonempty(wire.msg)) {
        (200..=299, Some(msg)) => PayAnswer {
            outcome: PayOutcome::Accepted { provider_ref: voucher_url.clone(), message: msg },
            voucher_url,
        },
        _ => ambiguous(format!("HeiPay answered HTTP {http_status} without a result")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::CardInput;

    #[test]
    fn a_code_is_a_no_only_with_a_client_error_status() {
        let body = br#"{"code":0,"message":"Error http: 400","detail":"El pago ha sido rechazado","extra_info":{"voucher_url":"/v"}}"#;
        assert!(matches!(pay_answer(400, body, 1).outcome, PayOutcome::Declined(_)));
        for status in [200, 202, 302] {
            assert!(matches!(pay_answer(status, body, 1).outcome, PayOutcome::Ambiguous { .. }), "{status}");
        }
    }
    use crate::money::Sign;
    use crate::vault::{AesGcmFields, FieldKey};

    fn cop(text: &str) -> Money {
        Money::parse_major(text, Currency::from_code("COP").unwrap(), Sign::NonNegative).unwrap()
    }

    fn input() -> OrderInput {
        OrderInput {
            hotel_id: 1,
            guest_first_name: " Jane ".into(),
            guest_last_name: "Doe".into(),
            amount: Some(cop("1234.5")),
            installments: 1,
            ..OrderInput::default()
        }
    }

    #[test]
    fn a_card_number_in_free_text_is_refused_naming_the_field() {
        for (detail, address) in
            [(Some("paid by 4111 1111 1111 1111"), None), (None, Some("Calle 5555-5555-5555-4444"))]
        {
            let e = Order::validate(OrderInput {
                detail: detail.map(str::to_string),
                address: address.map(str::to_string),
                ..input()
            })
            .unwrap_err();
            let field = if detail.is_some() { "detail" } else { "address" };
            assert!(
                matches!(&e, ProviderError::Invalid { field: f, message, .. } if f == field && message.contains("card fields")),
                "{e}"
            );
            assert!(!e.to_string().contains("1111 1111"), "the error does not repeat it: {e}");
        }
        // Ordinary text with numbers is fine.
        let ok =
            Order::validate(OrderInput { detail: Some("Room 1204, 3 nights from 12/05".into()), ..input() });
        assert!(ok.is_ok());
    }

    #[test]
    fn rates_are_exact_hundredths_between_zero_and_one() {
        assert_eq!(Rate::parse("t", "0.19").unwrap().to_wire(), "0.19");
        assert_eq!(Rate::parse("t", "0.5").unwrap().to_wire(), "0.50");
        assert_eq!(Rate::parse("t", "1").unwrap().to_wire(), "1.00");
        assert_eq!(Rate::parse("t", "0.190").unwrap().hundredths(), 19);
        for bad in ["1.5", "0.195", "-0.1", "", ".5", "5.", "abc", "1e-1", "0.1.2"] {
            assert!(Rate::parse("tax_percent", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_body_has_exact_two_decimal_numbers_and_only_ciphertext_card_fields() {
        let mut i = input();
        i.tax_percent = Some("0.19".into());
        i.service_percent = Some("0.1".into());
        let order = Order::validate(i).unwrap();
        assert_eq!(order.ref_name, "Jane");
        let card = Card::parse(&CardInput {
            number: "4111111111111111",
            cvv: "739",
            expiry_month: "3",
            expiry_year: "2099",
            holder: "Jane Doe",
        })
        .unwrap();
        let key = FieldKey::generate();
        let cipher = AesGcmFields::new(&key);
        let body = pay_body(&order, "FP-ABC", &card, &cipher).unwrap();
        assert!(body.contains(r#""amount":1234.50"#), "{body}");
        assert!(
            body.contains(r#""tax_percent":0.19"#) && body.contains(r#""service_percent":0.10"#),
            "{body}"
        );
        assert!(!body.contains("4111111111111111") && !body.contains("\"739\""), "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let open = |f: &str| cipher.decrypt_field(v["card_item"][f].as_str().unwrap()).unwrap().to_string();
        assert_eq!(open("cc_number"), "4111111111111111");
        assert_eq!(open("cc_code"), "739");
        assert_eq!(open("cc_expire_month"), "03");
        assert_eq!(open("cc_expire_year"), "2099");
        assert_eq!(open("cc_holder"), "JANE DOE");
        assert_eq!(v["order"]["ref_number"], "FP-ABC");
        assert!(v["order"].get("email").is_none(), "absent optional fields are left out");
    }

    #[test]
    fn fields_are_refused_in_plain_words() {
        let field = |f: fn(&mut OrderInput)| {
            let mut i = input();
            f(&mut i);
            match Order::validate(i) {
                Err(ProviderError::Invalid { field, message, .. }) => (field, message),
                other => panic!("expected a refusal, got {other:?}"),
            }
        };
        assert_eq!(field(|i| i.detail = Some("x".repeat(100))).0, "detail");
        assert_eq!(field(|i| i.installments = 0).0, "installments");
        assert_eq!(field(|i| i.installments = 37).0, "installments");
        assert_eq!(field(|i| i.guest_last_name = "  ".into()).0, "guest_last_name");
        assert_eq!(field(|i| i.email = Some("jane@".into())).0, "email");
        assert_eq!(field(|i| i.phone = Some("12ab".into())).0, "phone");
        assert_eq!(field(|i| i.ip = Some("300.1.1.1".into())).0, "ip");
        assert_eq!(field(|i| i.fiscal_number = Some("90012/3".into())).0, "fiscal_number");
        let (f, m) = field(|i| {
            i.amount = Some(Money::parse_major("12.345", Currency::KWD, Sign::NonNegative).unwrap())
        });
        assert_eq!(f, "amount");
        assert!(m.contains("COP"), "{m}");
        assert_eq!(field(|i| i.amount = Some(cop("0"))).0, "amount");
        let mut ok = input();
        ok.detail = Some("x".repeat(99));
        ok.phone = Some("+57 301-210 4578".into());
        assert_eq!(Order::validate(ok).unwrap().phone.as_deref(), Some("573012104578"));
    }

    #[test]
    fn answers_map_to_the_unified_model() {
        let ok = pay_answer(
            200,
            br#"{"msg":"Pago realizado correctamente","voucher_url":"v2/terminal-payments/505/vouchers"}"#,
            1,
        );
        assert_eq!(ok.voucher_url.as_deref(), Some("v2/terminal-payments/505/vouchers"));
        assert!(matches!(ok.outcome, PayOutcome::Accepted { .. }));
        // The page's own failure example.
        let no = pay_answer(
            400,
            br#"{"code":0,"message":"Error http: 400","detail":"El pago ha sido rechazado","extra_info":{"voucher_url":"v2/terminal-payments/481/vouchers"}}"#,
            1,
        );
        assert_eq!(no.voucher_url.as_deref(), Some("v2/terminal-payments/481/vouchers"));
        match no.outcome {
            PayOutcome::Declined(r) => {
                assert_eq!(r.code, "0");
                assert!(r.message.contains("El pago ha sido rechazado"));
            }
            other => panic!("{other:?}"),
        }
        let key =
            pay_answer(400, br#"{"code":4,"message":"Error http: 400","detail":"x","extra_info":{}}"#, 2);
        match key.outcome {
            PayOutcome::Declined(r) => {
                assert!(r.advice.contains("check the HeiPay card key in Settings"), "{r:?}")
            }
            other => panic!("{other:?}"),
        }
        for (status, body) in [
            (500, &br#"{"code":0}"#[..]),
            (200, br#"{"msg":"Pago realiz"#),
            (400, br#"{"code":77,"detail":"?"}"#),
            (200, br#"{}"#),
            (404, br#"{"msg":"ok"}"#),
        ] {
            assert!(matches!(pay_answer(status, body, 1).outcome, PayOutcome::Ambiguous { .. }), "{status}");
        }
    }
}
