//! Redaction of provider requests and responses before they reach the timeline or a log.
//!
//! Card types already print masks; this catches what travels as plain JSON: fields known to hold
//! card data or secrets are masked by name, and any other string that *is* a card number (a
//! known brand's prefix and length, Luhn-valid) is masked too, wherever it appears.

use serde_json::Value;

use crate::card::{luhn_valid, CardBrand};

/// Field names (any provider, any depth) whose values are card data or secrets.
const SECRET_FIELDS: &[&str] = &[
    // ATRIP
    "cardNumber",
    "cardCVV",
    // Travelport (CardNumber / SeriesCode objects carry the digits in PlainText)
    "PlainText",
    // HeiPay card_item (already encrypted, but ciphertext has no place in a timeline either)
    "cc_code",
    "cc_number",
    "cc_expire_month",
    "cc_expire_year",
    "cc_holder",
    // credentials
    "password",
    "client_secret",
    "access_token",
    "Authorization",
];

/// Masks card data and secrets in place.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if SECRET_FIELDS.contains(&key.as_str()) {
                    *v = mask_value(v);
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::String(s) => {
            if let Some(masked) = mask_if_card_number(s) {
                *s = masked;
            }
        }
        _ => {}
    }
}

/// A copy of `value`, redacted.
pub fn redacted(value: &Value) -> Value {
    let mut copy = value.clone();
    redact(&mut copy);
    copy
}

fn mask_value(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::String(s) if s.len() >= 12 && s.bytes().all(|b| b.is_ascii_digit()) => {
            Value::String(format!("••••{}", &s[s.len() - 4..]))
        }
        _ => Value::String("•••".into()),
    }
}

/// Some(mask) when `s` is a whole card number (spaces/dashes allowed), else None.
pub fn mask_if_card_number(s: &str) -> Option<String> {
    if s.len() > 23 {
        return None;
    }
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if !(12..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let brand = CardBrand::detect(&digits)?;
    if !brand.lengths().contains(&digits.len()) || !luhn_valid(&digits) {
        return None;
    }
    Some(format!("••••{}", &digits[digits.len() - 4..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_card_fields_and_secrets_by_name() {
        let mut body = json!({
            "orderNo": "FPDMO20250101000000001",
            "creditCard": {"cardNumber": "4532015112830366", "cardCVV": "123", "cardHolderLastName": "DOE"},
            "PaymentCard": {"CardNumber": {"PlainText": "4987654321098769"}, "SeriesCode": {"PlainText": "123"}},
            "card_item": {"cc_number": "dBLXqs5dK3MCABhEtVhhA==", "cc_code": "SOGBH+0cTEUz"},
            "password": "hunter2",
            "threeDS": null
        });
        redact(&mut body);
        let text = body.to_string();
        for secret in
            ["4532015112830366", "\"123\"", "4987654321098769", "dBLXqs5dK3MCABhEtVhhA==", "hunter2"]
        {
            assert!(!text.contains(secret), "{secret} survived in {text}");
        }
        assert_eq!(body["creditCard"]["cardNumber"], "••••0366");
        assert_eq!(body["creditCard"]["cardCVV"], "•••");
        assert_eq!(body["creditCard"]["cardHolderLastName"], "DOE");
        assert_eq!(body["orderNo"], "FPDMO20250101000000001");
        assert_eq!(body["threeDS"], Value::Null);
    }

    #[test]
    fn masks_card_numbers_anywhere_but_leaves_other_numbers() {
        let mut body = json!({
            "token": "4111111111111111",
            "note": "4111 1111 1111 1111",
            "tickets": ["0169904912054", "1762345678901"],
            "amount": "1234",
            "paymentId": "K8Z2Q4M7R1T5V9X3"
        });
        redact(&mut body);
        assert_eq!(body["token"], "••••1111");
        assert_eq!(body["note"], "••••1111");
        assert_eq!(body["tickets"], json!(["0169904912054", "1762345678901"]));
        assert_eq!(body["amount"], "1234");
        assert_eq!(body["paymentId"], "K8Z2Q4M7R1T5V9X3");
    }
}
