//! The stable codes of every error a command returns besides Settings' own (`settings::Code`),
//! with the parameters each sentence needs: the engine's and a provider's refusals, card entry,
//! typed amounts, the history's filters and the shell's own. The window translates by code
//! (docs/ui.md, "Languages"); the English here is the errors' own `Display`, kept for logs and the
//! CLI. A sibling list of `settings::Code` rather than more of it: these sentences need no
//! settings schema to be said. `all()` is the one list of both that `tests/ui_strings.rs` walks.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::card::CardError;
use crate::engine::{EngineError, Unsaved};
use crate::money::MoneyError;
use crate::providers::ProviderError;

macro_rules! codes {
    ($($variant:ident => $code:literal,)*) => {
        /// One kind of error; serialised as its stable snake_case name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $($variant,)* }

        impl ErrorCode {
            /// Every code of this list.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }
        }
    };
}

codes! {
    // The engine (`EngineError`).
    NotConfigured => "not_configured",
    Busy => "busy",
    WrongState => "wrong_state",
    UnsavedTaken => "unsaved_taken",
    UnsavedAnswered => "unsaved_answered",
    UnsavedRefundMade => "unsaved_refund_made",
    UnsavedRefundAnswered => "unsaved_refund_answered",
    // A provider (`ProviderError`); a refusal's own words are its parameters.
    ProviderConfig => "provider_config",
    CredentialsMissing => "credentials_missing",
    ProviderInvalid => "provider_invalid",
    ProviderRefused => "provider_refused",
    Unreachable => "unreachable",
    Unclear => "unclear",
    NoAnswer => "no_answer",
    // A card entry's field (`CardError`).
    CardNotDigits => "card_not_digits",
    CardLength => "card_length",
    CardBrandUnknown => "card_brand_unknown",
    CardBrandLength => "card_brand_length",
    CardNotLuhn => "card_not_luhn",
    CvvFormat => "cvv_format",
    ExpiryMonth => "expiry_month",
    ExpiryYear => "expiry_year",
    ExpiryPast => "expiry_past",
    HolderEmpty => "holder_empty",
    HolderCharacters => "holder_characters",
    HolderLength => "holder_length",
    // A typed amount or currency (`MoneyError`).
    UnknownCurrency => "unknown_currency",
    NoMinorUnit => "no_minor_unit",
    AmountInvalid => "amount_invalid",
    TooManyDecimals => "too_many_decimals",
    AmountNegative => "amount_negative",
    AmountTooLarge => "amount_too_large",
    CurrencyMismatch => "currency_mismatch",
    // The history's requests, and the shell's own refusals.
    FilterInvalid => "filter_invalid",
    Invalid => "invalid",
    NotFound => "not_found",
    ExportFailed => "export_failed",
    Internal => "internal",
    UnknownProfile => "unknown_profile",
    UnknownProvider => "unknown_provider",
    ProfileBusy => "profile_busy",
    KeyringCheckLost => "keyring_check_lost",
    VoucherUnreadable => "voucher_unreadable",
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Every code the core sends the window: Settings' and this list's.
pub fn all() -> impl Iterator<Item = &'static str> {
    crate::settings::Code::ALL.iter().map(|c| c.as_str()).chain(ErrorCode::ALL.iter().map(|c| c.as_str()))
}

/// An error's code with the parameters its sentence needs. Serialised as `{code, params}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodedError {
    pub code: ErrorCode,
    pub params: BTreeMap<&'static str, String>,
}

impl CodedError {
    pub fn new(code: ErrorCode) -> Self {
        CodedError { code, params: BTreeMap::new() }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.params.insert(name, value.to_string());
        self
    }

    /// The English sentence: the error's own `Display` (a test holds them equal).
    pub fn english(&self) -> String {
        let p = |name: &str| self.params.get(name).map_or("", String::as_str);
        let unsaved = |what: String, again: &str| {
            format!(
                "{what}, but Farepoint could not save that ({}). Do not {again} again. Farepoint keeps \
                 trying to save it — free some disk space or fix what stops it writing — and if it closes \
                 first, it checks the payment when it next starts.",
                p("reason")
            )
        };
        let (provider, reference) = (p("provider"), p("reference"));
        match self.code {
            ErrorCode::NotConfigured => format!(
                "{provider} is not set up in this profile — add its address and credentials in Settings"
            ),
            ErrorCode::Busy => format!(
                "payment {reference} for {} is still {} — finish or resolve it before taking another",
                p("subject"),
                p("status")
            ),
            ErrorCode::WrongState => format!(
                "payment {reference} is {}; this action needs it to be {}",
                p("status"),
                p("needed")
            ),
            ErrorCode::UnsavedTaken => {
                unsaved(format!("{provider} took payment {reference}"), "take this payment")
            }
            ErrorCode::UnsavedAnswered => {
                unsaved(format!("{provider} answered about payment {reference}"), "take this payment")
            }
            ErrorCode::UnsavedRefundMade => {
                unsaved(format!("{provider} made the refund of payment {reference}"), "refund it")
            }
            ErrorCode::UnsavedRefundAnswered => {
                unsaved(format!("{provider} answered about the refund of payment {reference}"), "refund it")
            }
            ErrorCode::CredentialsMissing => format!("{provider} credentials are missing: {}", p("detail")),
            ErrorCode::ProviderRefused => {
                format!("{}: {} — {}", p("provider_code"), p("provider_message"), p("advice"))
            }
            ErrorCode::Unreachable => format!(
                "could not reach {provider}: {} — check the network and the {provider} address in Settings",
                p("detail")
            ),
            ErrorCode::Unclear => format!("no clear answer from {provider}: {}", p("detail")),
            ErrorCode::NoAnswer => format!("{provider} gave no usable answer: {}", p("detail")),
            ErrorCode::CardNotDigits => "The card number may contain only digits, spaces and dashes".into(),
            ErrorCode::CardLength => format!("A card number has 12 to 19 digits — this one has {}", p("got")),
            ErrorCode::CardBrandUnknown => "We don't accept this kind of card — use Visa, Mastercard, \
                                            American Express, Discover, Diners Club, JCB or UnionPay"
                .into(),
            ErrorCode::CardBrandLength => format!(
                "A {} card number has {} digits — this one has {}",
                p("brand"),
                p("expected"),
                p("got")
            ),
            ErrorCode::CardNotLuhn => "This card number has a typo — check the digits".into(),
            ErrorCode::CvvFormat => format!(
                "The security code is {} digits on the back of the card (4 on the front for American Express)",
                p("expected")
            ),
            ErrorCode::ExpiryMonth => "The expiry month must be 01 to 12".into(),
            ErrorCode::ExpiryYear => "The expiry year must be written as YY or YYYY".into(),
            ErrorCode::ExpiryPast => format!(
                "This card expired at the end of {}/{} — ask for another card",
                p("month"),
                p("year")
            ),
            ErrorCode::HolderEmpty => "Enter the cardholder's name as printed on the card".into(),
            ErrorCode::HolderCharacters => {
                "The cardholder's name may use Latin letters, spaces, apostrophes, dots and dashes only".into()
            }
            ErrorCode::HolderLength => {
                "The cardholder's name is at most 26 characters, as printed on the card".into()
            }
            ErrorCode::UnknownCurrency => format!(
                "'{}' is not an ISO 4217 currency code — use three letters such as EUR, USD or GBP",
                p("value")
            ),
            ErrorCode::NoMinorUnit => format!(
                "{} has no minor unit defined (it is a metal, fund or test code) — use a currency",
                p("currency")
            ),
            ErrorCode::AmountInvalid => format!(
                "'{}' is not an amount — write digits with an optional decimal point, e.g. 12.34",
                p("input")
            ),
            ErrorCode::TooManyDecimals => format!(
                "{} has more decimals than {} allows ({}) — remove the extra digits",
                p("input"),
                p("currency"),
                p("max")
            ),
            ErrorCode::AmountNegative => {
                format!("{} is negative — enter the amount without a minus sign", p("input"))
            }
            ErrorCode::AmountTooLarge => format!("{} is too large to be an amount", p("input")),
            ErrorCode::CurrencyMismatch => format!(
                "cannot combine {} with {} — amounts must be in the same currency",
                p("left"),
                p("right")
            ),
            ErrorCode::NotFound => format!("no {} with id {}", p("what"), p("id")),
            ErrorCode::ExportFailed => format!("could not write the export: {}", p("reason")),
            ErrorCode::UnknownProvider | ErrorCode::UnknownProfile => {
                let what = if self.code == ErrorCode::UnknownProvider { "provider" } else { "profile" };
                format!("unknown {what} '{}' — expected {}", p("value"), p("expected"))
            }
            ErrorCode::KeyringCheckLost => "the keyring check stopped unexpectedly".into(),
            ErrorCode::VoucherUnreadable => "HeiPay sent a voucher that is not text".into(),
            ErrorCode::ProviderConfig
            | ErrorCode::ProviderInvalid
            | ErrorCode::FilterInvalid
            | ErrorCode::Invalid
            | ErrorCode::Internal
            | ErrorCode::ProfileBusy => p("reason").to_string(),
        }
    }
}

impl CodedError {
    /// A provider or profile name the core does not know, with the names it does.
    pub fn unknown_name(code: ErrorCode, value: &str, known: &[&str]) -> Self {
        let expected = match known.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        CodedError::new(code).with("value", value).with("expected", expected)
    }
}

impl EngineError {
    /// The error as a code and its parameters, for the window; `None` for a store error (the
    /// shell sends Settings' `storage`).
    pub fn coded(&self) -> Option<CodedError> {
        Some(match self {
            EngineError::Store(_) => return None,
            EngineError::Provider(p) => p.coded(),
            EngineError::NotConfigured { provider } => {
                CodedError::new(ErrorCode::NotConfigured).with("provider", provider)
            }
            EngineError::Busy { reference, subject, status } => CodedError::new(ErrorCode::Busy)
                .with("reference", reference)
                .with("subject", subject)
                .with("status", status),
            EngineError::WrongState { reference, status, needed } => CodedError::new(ErrorCode::WrongState)
                .with("reference", reference)
                .with("status", status)
                .with("needed", needed),
            EngineError::Unsaved(u) => u.coded(),
        })
    }
}

impl Unsaved {
    /// What the agent reads when an answer could not be saved, by whether it was a refund and
    /// whether the money moved.
    pub fn coded(&self) -> CodedError {
        let code = match (self.refund, self.went_through) {
            (false, true) => ErrorCode::UnsavedTaken,
            (false, false) => ErrorCode::UnsavedAnswered,
            (true, true) => ErrorCode::UnsavedRefundMade,
            (true, false) => ErrorCode::UnsavedRefundAnswered,
        };
        CodedError::new(code)
            .with("provider", self.provider)
            .with("reference", &self.reference)
            .with("reason", &self.reason)
    }
}

impl ProviderError {
    /// The error as a code and its parameters; `Invalid`'s `field` is where the window shows it.
    pub fn coded(&self) -> CodedError {
        let said = |code, provider: &str, detail: &str| {
            CodedError::new(code).with("provider", provider).with("detail", detail)
        };
        match self {
            ProviderError::Config(reason) => {
                CodedError::new(ErrorCode::ProviderConfig).with("reason", reason)
            }
            ProviderError::Credentials { provider, detail } => {
                said(ErrorCode::CredentialsMissing, provider, detail)
            }
            ProviderError::Invalid { field, message } => {
                CodedError::new(ErrorCode::ProviderInvalid).with("field", field).with("reason", message)
            }
            ProviderError::Refused(r) => CodedError::new(ErrorCode::ProviderRefused)
                .with("provider_code", &r.code)
                .with("provider_message", &r.message)
                .with("advice", &r.advice),
            ProviderError::Unreachable { provider, detail } => said(ErrorCode::Unreachable, provider, detail),
            ProviderError::Unclear { provider, detail } => said(ErrorCode::Unclear, provider, detail),
            ProviderError::NoAnswer { provider, detail } => said(ErrorCode::NoAnswer, provider, detail),
        }
    }
}

impl CardError {
    /// The refusal as a code and its parameters, for the field it belongs to.
    pub fn coded(&self) -> CodedError {
        let code = CodedError::new;
        match self {
            CardError::NumberNotDigits => code(ErrorCode::CardNotDigits),
            CardError::NumberLength(got) => code(ErrorCode::CardLength).with("got", got),
            CardError::UnknownBrand => code(ErrorCode::CardBrandUnknown),
            CardError::BrandLength { brand, expected, got } => code(ErrorCode::CardBrandLength)
                .with("brand", brand)
                .with("expected", expected)
                .with("got", got),
            CardError::Luhn => code(ErrorCode::CardNotLuhn),
            CardError::CvvFormat { expected } => code(ErrorCode::CvvFormat).with("expected", expected),
            CardError::ExpiryMonth => code(ErrorCode::ExpiryMonth),
            CardError::ExpiryYear => code(ErrorCode::ExpiryYear),
            CardError::Expired { month, year } => {
                code(ErrorCode::ExpiryPast).with("month", format!("{month:02}")).with("year", year)
            }
            CardError::HolderEmpty => code(ErrorCode::HolderEmpty),
            CardError::HolderCharacters => code(ErrorCode::HolderCharacters),
            CardError::HolderLength => code(ErrorCode::HolderLength),
        }
    }
}

impl MoneyError {
    /// The refusal as a code and its parameters.
    pub fn coded(&self) -> CodedError {
        let code = CodedError::new;
        match self {
            MoneyError::UnknownCurrency(value) => code(ErrorCode::UnknownCurrency).with("value", value),
            MoneyError::NoMinorUnit(currency) => code(ErrorCode::NoMinorUnit).with("currency", currency),
            MoneyError::Invalid { input } => code(ErrorCode::AmountInvalid).with("input", input),
            MoneyError::TooManyFractionDigits { input, currency, max } => code(ErrorCode::TooManyDecimals)
                .with("input", input)
                .with("currency", currency)
                .with("max", max),
            MoneyError::Negative { input } => code(ErrorCode::AmountNegative).with("input", input),
            MoneyError::Overflow { input } => code(ErrorCode::AmountTooLarge).with("input", input),
            MoneyError::CurrencyMismatch { left, right } => {
                code(ErrorCode::CurrencyMismatch).with("left", left).with("right", right)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::payment::Status;
    use crate::providers::Refusal;

    #[test]
    fn codes_are_unique_snake_case_across_both_lists() {
        let mut seen = std::collections::HashSet::new();
        for name in all() {
            assert!(seen.insert(name), "{name} twice");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name}");
        }
        assert_eq!(seen.len(), crate::settings::Code::ALL.len() + ErrorCode::ALL.len());
    }

    #[test]
    fn each_errors_english_is_its_codes() {
        let detail = || "connection refused".to_string();
        let engine = [
            EngineError::NotConfigured { provider: "ATRIP" },
            EngineError::Busy {
                reference: "FP-1".into(),
                subject: "order 7".into(),
                status: Status::Unknown,
            },
            EngineError::WrongState { reference: "FP-2".into(), status: Status::Declined, needed: "Paid" },
            EngineError::Provider(ProviderError::Config("no address".into())),
            EngineError::Provider(ProviderError::Credentials { provider: "HeiPay", detail: detail() }),
            EngineError::Provider(ProviderError::Invalid {
                field: "amount".into(),
                message: "too big".into(),
            }),
            EngineError::Provider(ProviderError::Refused(Refusal {
                code: "4003".into(),
                message: "The card was declined".into(),
                advice: "Use another card".into(),
            })),
            EngineError::Provider(ProviderError::Unreachable { provider: "ATRIP", detail: detail() }),
            EngineError::Provider(ProviderError::Unclear { provider: "ATRIP", detail: detail() }),
            EngineError::Provider(ProviderError::NoAnswer { provider: "ATRIP", detail: detail() }),
        ];
        let mut count = 0;
        for e in engine {
            let coded = e.coded().unwrap();
            let english = coded.english();
            let english = match &e {
                EngineError::Provider(ProviderError::Invalid { field, .. }) => format!("{field}: {english}"),
                _ => english,
            };
            assert_eq!(english, e.to_string(), "{:?}", coded.code);
            count += 1;
        }
        for (refund, went_through) in [(false, true), (false, false), (true, true), (true, false)] {
            let e = EngineError::Unsaved(Unsaved {
                payment_id: "p".into(),
                reference: "FP-3".into(),
                provider: "HeiPay",
                refund,
                went_through,
                reason: "disk full".into(),
            });
            assert_eq!(e.coded().unwrap().english(), e.to_string());
            count += 1;
        }
        let card = [
            CardError::NumberNotDigits,
            CardError::NumberLength(9),
            CardError::UnknownBrand,
            CardError::BrandLength { brand: "Visa", expected: "13, 16 or 19".into(), got: 15 },
            CardError::Luhn,
            CardError::CvvFormat { expected: 3 },
            CardError::ExpiryMonth,
            CardError::ExpiryYear,
            CardError::Expired { month: 3, year: 2024 },
            CardError::HolderEmpty,
            CardError::HolderCharacters,
            CardError::HolderLength,
        ];
        for e in card {
            assert_eq!(e.coded().english(), e.to_string());
            count += 1;
        }
        let money = [
            MoneyError::UnknownCurrency("EUX".into()),
            MoneyError::NoMinorUnit("XAU".into()),
            MoneyError::Invalid { input: "1,2.3".into() },
            MoneyError::TooManyFractionDigits { input: "1.234".into(), currency: Currency::EUR, max: 2 },
            MoneyError::Negative { input: "-5".into() },
            MoneyError::Overflow { input: "9".repeat(30) },
            MoneyError::CurrencyMismatch { left: Currency::EUR, right: Currency::GBP },
        ];
        for e in money {
            assert_eq!(e.coded().english(), e.to_string());
            count += 1;
        }
        // Every code of the errors above was said once (the shell's own are said in the shell).
        assert_eq!(count, 33);
    }

    #[test]
    fn an_unknown_name_reads_as_its_parser_says() {
        use crate::payment::Provider;
        use crate::profile::Profile;
        let ids: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
        let provider = CodedError::unknown_name(ErrorCode::UnknownProvider, "amadeus", &ids);
        assert_eq!(Some(provider.english()), "amadeus".parse::<Provider>().err());
        let profile = CodedError::unknown_name(ErrorCode::UnknownProfile, "demo", &["sandbox", "production"]);
        assert_eq!(Some(profile.english()), "demo".parse::<Profile>().err());
    }

    #[test]
    fn a_refusal_sends_the_providers_words_as_parameters() {
        let refused = ProviderError::Refused(Refusal {
            code: "413".into(),
            message: "Insufficient funds".into(),
            advice: "Ask for another card".into(),
        });
        assert_eq!(
            serde_json::to_value(refused.coded()).unwrap(),
            serde_json::json!({
                "code": "provider_refused",
                "params": {
                    "provider_code": "413",
                    "provider_message": "Insufficient funds",
                    "advice": "Ask for another card",
                },
            })
        );
    }
}
