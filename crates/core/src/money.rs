//! Money as integer minor units of an ISO 4217 currency.
//!
//! Providers speak decimals in several shapes ("12.34", the JSON number 12.34, "1234" pence).
//! Every conversion here is exact: a value that would need rounding is an error, never a guess.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Why an amount or currency was refused. Each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not an ISO 4217 currency code — use three letters such as EUR, USD or GBP")]
    UnknownCurrency(String),
    #[error("{0} has no minor unit defined (it is a metal, fund or test code) — use a currency")]
    NoMinorUnit(String),
    #[error("'{input}' is not an amount — write digits with an optional decimal point, e.g. 12.34")]
    Invalid { input: String },
    #[error("{input} has more decimals than {currency} allows ({max}) — remove the extra digits")]
    TooManyFractionDigits { input: String, currency: Currency, max: u32 },
    #[error("{input} is negative — enter the amount without a minus sign")]
    Negative { input: String },
    #[error("{input} is too large to be an amount")]
    Overflow { input: String },
    #[error("cannot combine {left} with {right} — amounts must be in the same currency")]
    CurrencyMismatch { left: Currency, right: Currency },
}

/// An ISO 4217 currency that has a minor unit (so XAU, XDR… are refused).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub const EUR: Currency = Currency(iso_currency::Currency::EUR);
    pub const USD: Currency = Currency(iso_currency::Currency::USD);
    pub const GBP: Currency = Currency(iso_currency::Currency::GBP);
    pub const JPY: Currency = Currency(iso_currency::Currency::JPY);
    pub const KWD: Currency = Currency(iso_currency::Currency::KWD);
    pub const AUD: Currency = Currency(iso_currency::Currency::AUD);

    /// Parses a three-letter code, case-insensitively.
    pub fn from_code(code: &str) -> Result<Self, MoneyError> {
        let iso = iso_currency::Currency::from_code(&code.trim().to_ascii_uppercase())
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_string()))?;
        if iso.exponent().is_none() {
            return Err(MoneyError::NoMinorUnit(iso.code().to_string()));
        }
        Ok(Currency(iso))
    }

    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Number of decimal places of the minor unit (JPY 0, USD 2, KWD 3).
    pub fn exponent(self) -> u32 {
        // from_code refuses currencies without an exponent, so this is always Some.
        u32::from(self.0.exponent().unwrap_or(0))
    }
}

/// Every currency that has a minor unit, with its decimals (ISO 4217). Amounts cross to the
/// window in minor units; the window must divide them by these, not by its own locale data,
/// which can differ (current CLDR shows COP with no decimals; ISO and the providers use two).
pub fn currency_decimals() -> std::collections::BTreeMap<&'static str, u32> {
    use iso_currency::IntoEnumIterator;
    iso_currency::Currency::iter().filter_map(|c| Some((c.code(), u32::from(c.exponent()?)))).collect()
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::from_code(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

/// Whether a parsed amount may be below zero. Charges never are; adjustments may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    NonNegative,
    Any,
}

/// An exact amount: `minor` units (cents, pence, yen, fils) of `currency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Parses a decimal in major units: "12.34", "12", "0.5", "1.2e1" (JSON number syntax).
    /// Trailing zeros beyond the exponent are fine ("12.340" USD); real extra digits are not.
    pub fn parse_major(input: &str, currency: Currency, sign: Sign) -> Result<Self, MoneyError> {
        let text = input.trim();
        let invalid = || MoneyError::Invalid { input: input.to_string() };
        if text.is_empty() || text.starts_with('+') || text.starts_with('.') || text.ends_with('.') {
            return Err(invalid());
        }
        let parse_error = |e: rust_decimal::Error| match e {
            rust_decimal::Error::ExceedsMaximumPossibleValue
            | rust_decimal::Error::LessThanMinimumPossibleValue
            | rust_decimal::Error::ScaleExceedsMaximumPrecision(_) => {
                MoneyError::Overflow { input: input.to_string() }
            }
            _ => invalid(),
        };
        let decimal = if text.contains(['e', 'E']) {
            Decimal::from_scientific(text).map_err(parse_error)?
        } else {
            let body = text.strip_prefix('-').unwrap_or(text);
            let well_formed = body.chars().all(|c| c.is_ascii_digit() || c == '.')
                && body.matches('.').count() <= 1
                && body.starts_with(|c: char| c.is_ascii_digit());
            if !well_formed {
                return Err(invalid());
            }
            // The text is a well-formed decimal, so the only way parsing fails is size.
            Decimal::from_str_exact(text).map_err(|_| MoneyError::Overflow { input: input.to_string() })?
        };
        Self::from_decimal(decimal, input, currency, sign)
    }

    /// Parses an amount as an agent types it at the desk: spaces between digit groups are
    /// ignored and a comma may stand for the decimal point ("1 234,50"), but nothing is guessed —
    /// more written decimals than the currency has is refused, because "350,000" or "1.250" are
    /// then thousands separators, and reading them as decimals would charge a thousandth.
    pub fn parse_typed(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let text: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        // Both marks is a guess either way; an exponent ("1e3") is JSON's, not the agent's.
        if (text.contains('.') && text.contains(',')) || text.contains(['e', 'E', '+']) {
            return Err(MoneyError::Invalid { input: input.trim().to_string() });
        }
        let text = text.replace(',', ".");
        let written = text.split_once('.').map_or(0, |(_, fraction)| fraction.len());
        if written > currency.exponent() as usize {
            return Err(MoneyError::TooManyFractionDigits {
                input: input.trim().to_string(),
                currency,
                max: currency.exponent(),
            });
        }
        Self::parse_major(&text, currency, Sign::NonNegative)
    }

    /// Parses a JSON number exactly from its literal text (use `serde_json::value::RawValue`
    /// to get it; a binary float would already have rounded it).
    pub fn from_json_number(raw: &str, currency: Currency, sign: Sign) -> Result<Self, MoneyError> {
        Self::parse_major(raw, currency, sign)
    }

    /// Parses an integer count of minor units, as Holiday Extras sends pence: "1234" → 12.34.
    pub fn parse_minor(input: &str, currency: Currency, sign: Sign) -> Result<Self, MoneyError> {
        let text = input.trim();
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::Invalid { input: input.to_string() });
        }
        let minor: i64 = text.parse().map_err(|_| MoneyError::Overflow { input: input.to_string() })?;
        if minor < 0 && sign == Sign::NonNegative {
            return Err(MoneyError::Negative { input: input.to_string() });
        }
        Ok(Money { minor, currency })
    }

    fn from_decimal(
        decimal: Decimal,
        input: &str,
        currency: Currency,
        sign: Sign,
    ) -> Result<Self, MoneyError> {
        if decimal.is_sign_negative() && !decimal.is_zero() && sign == Sign::NonNegative {
            return Err(MoneyError::Negative { input: input.to_string() });
        }
        let exponent = currency.exponent();
        let normalized = decimal.normalize();
        if normalized.scale() > exponent {
            return Err(MoneyError::TooManyFractionDigits {
                input: input.to_string(),
                currency,
                max: exponent,
            });
        }
        let overflow = || MoneyError::Overflow { input: input.to_string() };
        let scaled = normalized.checked_mul(Decimal::from(10_i64.pow(exponent))).ok_or_else(overflow)?;
        let minor = i64::try_from(scaled.mantissa() / 10_i128.pow(scaled.scale())).map_err(|_| overflow())?;
        Ok(Money { minor: if decimal.is_zero() { 0 } else { minor }, currency })
    }

    /// The amount in major units with exactly the currency's decimals: "12.34", "1500", "1.250".
    pub fn to_major_string(&self) -> String {
        let exponent = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exponent == 0 {
            return format!("{sign}{abs}");
        }
        let unit = 10_u64.pow(exponent);
        format!("{sign}{}.{:0width$}", abs / unit, abs % unit, width = exponent as usize)
    }

    /// The minor-unit count as a string, as Holiday Extras v1 expects ("1234").
    pub fn to_minor_string(&self) -> String {
        self.minor.to_string()
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch { left: self.currency, right: other.currency });
        }
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or_else(|| MoneyError::Overflow { input: format!("{} + {}", self, other) })?;
        Ok(Money { minor, currency: self.currency })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_major_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decimals_table_is_iso_4217() {
        let table = currency_decimals();
        for (code, decimals) in [("USD", 2), ("COP", 2), ("JPY", 0), ("KWD", 3), ("EUR", 2)] {
            assert_eq!(table.get(code), Some(&decimals), "{code}");
            assert_eq!(Currency::from_code(code).unwrap().exponent(), decimals);
        }
        assert!(table.len() > 150, "{}", table.len());
        assert!(!table.contains_key("XAU"), "gold has no minor unit");
    }

    #[test]
    fn a_typed_amount_never_reads_a_thousands_separator_as_decimals() {
        let cop = Currency::from_code("COP").unwrap();
        let eur = Currency::from_code("EUR").unwrap();
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(Money::parse_typed("350000", cop).unwrap().minor, 35_000_000);
        assert_eq!(Money::parse_typed(" 1 234,5 ", eur).unwrap().minor, 123_450);
        assert_eq!(Money::parse_typed("12.30", eur).unwrap().minor, 1_230);
        assert_eq!(Money::parse_typed("4500", jpy).unwrap().minor, 4_500);
        for (text, currency) in [("350,000", cop), ("1.250", eur), ("12.340", eur), ("45,5", jpy)] {
            assert!(
                matches!(Money::parse_typed(text, currency), Err(MoneyError::TooManyFractionDigits { .. })),
                "{text} {currency}"
            );
        }
        assert!(matches!(Money::parse_typed("1,234.50", eur), Err(MoneyError::Invalid { .. })));
        for text in ["1e3", "2E2", "+5"] {
            assert!(
                matches!(Money::parse_typed(text, eur), Err(MoneyError::Invalid { .. })),
                "{text} accepted"
            );
        }
        assert!(matches!(Money::parse_typed("-5", eur), Err(MoneyError::Negative { .. })));
    }

    fn usd(s: &str) -> Result<Money, MoneyError> {
        Money::parse_major(s, Currency::USD, Sign::NonNegative)
    }

    #[test]
    fn currency_exponents_follow_iso_4217() {
        assert_eq!(Currency::from_code("usd").unwrap().exponent(), 2);
        assert_eq!(Currency::from_code("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::from_code("KWD").unwrap().exponent(), 3);
        assert!(matches!(Currency::from_code("XAU"), Err(MoneyError::NoMinorUnit(_))));
        assert!(matches!(Currency::from_code("ZZZ"), Err(MoneyError::UnknownCurrency(_))));
    }

    #[test]
    fn parses_decimal_strings_exactly() {
        assert_eq!(usd("12.34").unwrap().minor, 1234);
        assert_eq!(usd("12").unwrap().minor, 1200);
        assert_eq!(usd("0.5").unwrap().minor, 50);
        assert_eq!(usd("12.340").unwrap().minor, 1234, "trailing zeros lose nothing");
        assert_eq!(usd(" 2773.5 ").unwrap().minor, 277350);
        // 0.1 + 0.2 style values that binary floats cannot hold stay exact.
        assert_eq!(usd("0.29").unwrap().minor, 29);
        assert_eq!(usd("1234567890123.45").unwrap().minor, 123456789012345);
    }

    #[test]
    fn parses_json_number_literals_including_exponents() {
        let raw: Box<serde_json::value::RawValue> = serde_json::from_str(r#"12.34"#).unwrap();
        assert_eq!(Money::from_json_number(raw.get(), Currency::GBP, Sign::NonNegative).unwrap().minor, 1234);
        assert_eq!(Money::from_json_number("6.31e1", Currency::AUD, Sign::NonNegative).unwrap().minor, 6310);
        assert_eq!(Money::from_json_number("1500", Currency::JPY, Sign::NonNegative).unwrap().minor, 1500);
    }

    #[test]
    fn parses_minor_unit_strings() {
        let pence = Money::parse_minor("1234", Currency::GBP, Sign::NonNegative).unwrap();
        assert_eq!(pence.minor, 1234);
        assert_eq!(pence.to_major_string(), "12.34");
        assert!(matches!(
            Money::parse_minor("12.34", Currency::GBP, Sign::NonNegative),
            Err(MoneyError::Invalid { .. })
        ));
        assert!(matches!(
            Money::parse_minor("-5", Currency::GBP, Sign::NonNegative),
            Err(MoneyError::Negative { .. })
        ));
        assert_eq!(Money::parse_minor("-5", Currency::GBP, Sign::Any).unwrap().minor, -5);
        assert!(matches!(
            Money::parse_minor("99999999999999999999", Currency::GBP, Sign::NonNegative),
            Err(MoneyError::Overflow { .. })
        ));
    }

    #[test]
    fn too_many_fraction_digits_is_a_typed_error() {
        assert!(matches!(usd("12.345"), Err(MoneyError::TooManyFractionDigits { max: 2, .. })));
        assert!(matches!(
            Money::parse_major("100.5", Currency::JPY, Sign::NonNegative),
            Err(MoneyError::TooManyFractionDigits { max: 0, .. })
        ));
        assert_eq!(Money::parse_major("1.250", Currency::KWD, Sign::NonNegative).unwrap().minor, 1250);
        assert!(matches!(
            Money::parse_major("1.2505", Currency::KWD, Sign::NonNegative),
            Err(MoneyError::TooManyFractionDigits { max: 3, .. })
        ));
        let message = usd("12.345").unwrap_err().to_string();
        assert!(message.contains("USD allows (2)"), "{message}");
    }

    #[test]
    fn negatives_only_where_allowed() {
        assert!(matches!(usd("-1.00"), Err(MoneyError::Negative { .. })));
        assert_eq!(usd("-0").unwrap().minor, 0);
        assert_eq!(Money::parse_major("-1.05", Currency::USD, Sign::Any).unwrap().minor, -105);
    }

    #[test]
    fn overflow_is_a_typed_error() {
        assert!(matches!(usd("92233720368547758.08"), Err(MoneyError::Overflow { .. })));
        assert!(matches!(usd("1e30"), Err(MoneyError::Overflow { .. })));
        assert!(matches!(usd("99999999999999999999999999999999999"), Err(MoneyError::Overflow { .. })));
        assert_eq!(usd("92233720368547758.07").unwrap().minor, i64::MAX);
    }

    #[test]
    fn rejects_things_that_are_not_amounts() {
        for bad in ["", "abc", "12,34", "1.2.3", "+5", ".5", "5.", "0x10", "1 000", "NaN", "inf"] {
            assert!(matches!(usd(bad), Err(MoneyError::Invalid { .. })), "{bad:?} accepted");
        }
    }

    #[test]
    fn formats_with_the_currency_exponent() {
        assert_eq!(Money::from_minor(1234, Currency::USD).to_major_string(), "12.34");
        assert_eq!(Money::from_minor(5, Currency::USD).to_major_string(), "0.05");
        assert_eq!(Money::from_minor(1500, Currency::JPY).to_major_string(), "1500");
        assert_eq!(Money::from_minor(1250, Currency::KWD).to_major_string(), "1.250");
        assert_eq!(Money::from_minor(-105, Currency::EUR).to_string(), "-1.05 EUR");
        assert_eq!(Money::from_minor(1234, Currency::GBP).to_minor_string(), "1234");
    }

    #[test]
    fn round_trips_and_serde() {
        for minor in [0, 1, 99, 100, 123456, i64::MAX] {
            let m = Money::from_minor(minor, Currency::EUR);
            assert_eq!(
                Money::parse_major(&m.to_major_string(), Currency::EUR, Sign::NonNegative).unwrap(),
                m
            );
        }
        let json = serde_json::to_string(&Money::from_minor(1234, Currency::GBP)).unwrap();
        assert_eq!(json, r#"{"minor":1234,"currency":"GBP"}"#);
        assert!(serde_json::from_str::<Money>(r#"{"minor":1,"currency":"XXX"}"#).is_err());
    }

    #[test]
    fn adding_different_currencies_is_refused() {
        let sum = Money::from_minor(1, Currency::EUR).checked_add(Money::from_minor(2, Currency::EUR));
        assert_eq!(sum.unwrap().minor, 3);
        assert!(matches!(
            Money::from_minor(1, Currency::EUR).checked_add(Money::from_minor(2, Currency::USD)),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
    }
}
