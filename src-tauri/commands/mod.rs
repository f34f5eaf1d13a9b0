//! Tauri commands: each validates its input, calls the core and returns a typed error.

pub mod agents;
pub mod amount;
pub mod business;
pub mod connection;
pub mod history;
pub mod live;
pub mod payments;
pub mod receipt;
pub mod settings;
pub mod status;
pub mod take;

use std::collections::BTreeMap;

use farepoint_core::card::{CardError, CardField};
use farepoint_core::codes::{CodedError, ErrorCode};
use farepoint_core::engine::EngineError;
use farepoint_core::providers::ProviderError;
use farepoint_core::settings::{Code, Coded};
use serde::Serialize;

/// What a failed command returns to the UI: a stable code of `codes::all()` with the parameters
/// its sentence needs (a settings code also its cause), the English message that says what to
/// fix, and, for form input, each field's problem by its own code. The window says it by code in
/// its own language; the English is for the log and the CLI.
#[derive(Debug, Serialize)]
pub struct CommandError {
    pub code: &'static str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<Box<Coded>>,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

/// The most a command's text field may carry: ids, references, locators, tokens and codes…
pub const MAX_ID: usize = 128;
/// …names, amounts and other short text typed at the desk…
pub const MAX_SHORT: usize = 300;
/// …and notes, details and addresses.
pub const MAX_TEXT: usize = 2_000;
/// The most items a list in a command may hold (offers, filters).
pub const MAX_ITEMS: usize = 100;

/// Refuses text longer than its field can hold before it reaches the core, saying by how much.
pub fn bounded(field: &str, value: &str, max: usize) -> Result<(), CommandError> {
    let length = value.chars().count();
    if length > max {
        return Err(CommandError::too_long(field, length, max));
    }
    Ok(())
}

/// `bounded` for an optional field.
pub fn bounded_opt(field: &str, value: Option<&str>, max: usize) -> Result<(), CommandError> {
    value.map_or(Ok(()), |v| bounded(field, v, max))
}

/// Refuses a list with more items than a desk could choose, and items longer than `max`.
pub fn bounded_list(field: &str, items: &[String], max: usize) -> Result<(), CommandError> {
    if items.len() > MAX_ITEMS {
        return Err(CommandError::too_many(field, items.len()));
    }
    items.iter().try_for_each(|item| bounded(field, item, max))
}

/// What the window may show of a message: no card number, whoever wrote it.
fn shown(message: impl ToString) -> String {
    let text = message.to_string();
    farepoint_core::redact::redact_text(&text).into_owned()
}

/// One form field's problem: the field, its code and parameters, and the English message.
#[derive(Debug, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub code: &'static str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<&'static str, String>,
    pub message: String,
}

/// A code's parameters as the window may see them: redacted like every message.
fn shown_params(params: &BTreeMap<&'static str, String>) -> BTreeMap<&'static str, String> {
    params.iter().map(|(k, v)| (*k, shown(v))).collect()
}

impl CommandError {
    /// An error the window translates by its code and parameters (a `settings::Code`).
    pub fn coded(coded: &Coded, message: impl ToString) -> Self {
        CommandError {
            code: coded.code.as_str(),
            params: shown_params(&coded.params),
            cause: coded
                .cause
                .as_ref()
                .map(|c| Box::new(Coded { params: shown_params(&c.params), ..(**c).clone() })),
            message: shown(message),
            fields: Vec::new(),
        }
    }

    /// An error of `codes::ErrorCode`, its English message said from the same parameters.
    pub fn said(coded: CodedError) -> Self {
        CommandError {
            code: coded.code.as_str(),
            params: shown_params(&coded.params),
            cause: None,
            message: shown(coded.english()),
            fields: Vec::new(),
        }
    }

    /// An error whose one parameter is the reason in the core's or a library's words.
    pub fn because(code: ErrorCode, reason: impl ToString) -> Self {
        Self::said(CodedError::new(code).with("reason", reason))
    }

    /// The history could not be read or written; logged, since the agent cannot fix it alone.
    pub fn storage(e: impl std::fmt::Display) -> Self {
        tracing::error!("storage error behind a command: {e}");
        Self::coded(&Coded::new(Code::Storage).with("reason", &e), e)
    }

    /// A form field the agent must correct, said by an `ErrorCode` with its parameters.
    pub fn field(field: &str, coded: CodedError) -> Self {
        let message = coded.english();
        Self::field_coded(field, coded.code.as_str(), coded.params, message)
    }

    /// A form field the agent must correct, with the code of what is wrong and its parameters.
    pub fn field_coded(
        field: &str,
        code: &'static str,
        params: BTreeMap<&'static str, String>,
        message: impl ToString,
    ) -> Self {
        let message = shown(message);
        CommandError {
            code: "invalid",
            params: BTreeMap::new(),
            cause: None,
            message: message.clone(),
            fields: vec![FieldProblem {
                field: field.to_string(),
                code,
                params: shown_params(&params),
                message,
            }],
        }
    }

    /// Text longer than its field can hold.
    pub fn too_long(field: &str, length: usize, max: usize) -> Self {
        let coded = Coded::new(Code::TooLong).with("length", length).with("max", max);
        let message = format!("is {length} characters long; at most {max} fit here");
        Self::field_coded(field, coded.code.as_str(), coded.params, message)
    }

    /// A list with more items than can be sent at once.
    pub fn too_many(field: &str, count: usize) -> Self {
        let coded = Coded::new(Code::TooManyItems).with("count", count).with("max", MAX_ITEMS);
        let message = format!("has {count} items; at most {MAX_ITEMS} can be sent at once");
        Self::field_coded(field, coded.code.as_str(), coded.params, message)
    }

    /// Every problem of a card entry, each against its field (`card.number`, `card.cvv` …) with
    /// its code; the error as a whole is said as its first problem.
    pub fn card(problems: Vec<(CardField, CardError)>) -> Self {
        let fields: Vec<FieldProblem> = problems
            .into_iter()
            .map(|(field, e)| {
                let coded = e.coded();
                FieldProblem {
                    code: coded.code.as_str(),
                    params: shown_params(&coded.params),
                    field: format!(
                        "card.{}",
                        serde_json::to_value(field).unwrap_or_default().as_str().unwrap_or("")
                    ),
                    message: shown(e),
                }
            })
            .collect();
        let message = fields.first().map(|f| f.message.clone()).unwrap_or_default();
        CommandError { code: "invalid", params: BTreeMap::new(), cause: None, message, fields }
    }
}

impl From<EngineError> for CommandError {
    fn from(e: EngineError) -> Self {
        match (&e, e.coded()) {
            (EngineError::Provider(ProviderError::Invalid { field, .. }), Some(coded)) => {
                CommandError::field(field, coded)
            }
            (_, Some(coded)) => CommandError::said(coded),
            (_, None) => CommandError::storage(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use farepoint_core::providers::Refusal;
    use serde_json::json;

    #[test]
    fn each_error_reaches_the_window_by_code_with_its_parameters() {
        let card = CommandError::card(vec![
            (CardField::Number, CardError::Luhn),
            (CardField::Expiry, CardError::Expired { month: 3, year: 2024 }),
        ]);
        let card = serde_json::to_value(&card).unwrap();
        assert_eq!(card["code"], "invalid");
        assert_eq!(card["message"], "This card number has a typo — check the digits");
        assert_eq!(card["fields"][0]["field"], "card.number");
        assert_eq!(card["fields"][0]["code"], "card_not_luhn");
        assert_eq!(card["fields"][1]["code"], "expiry_past");
        assert_eq!(card["fields"][1]["params"], json!({ "month": "03", "year": "2024" }));

        let refused = CommandError::from(EngineError::Provider(ProviderError::Refused(Refusal {
            code: "413".into(),
            message: "Insufficient funds".into(),
            advice: "Ask for another card".into(),
        })));
        assert_eq!(refused.code, "provider_refused");
        assert_eq!(refused.params["provider_code"], "413");
        assert_eq!(refused.message, "413: Insufficient funds — Ask for another card");

        let invalid = CommandError::from(EngineError::Provider(ProviderError::invalid(
            "amount",
            CodedError::new(ErrorCode::RefundCurrency).with("currency", "EUR"),
        )));
        assert_eq!((invalid.code, invalid.fields[0].field.as_str()), ("invalid", "amount"));
        assert_eq!(invalid.fields[0].code, "refund_currency");
        assert_eq!(invalid.fields[0].params["currency"], "EUR");
        assert_eq!(invalid.fields[0].message, "the refund must be in EUR, the payment's currency");

        // A card number in a provider's words never reaches the window, in the message or a parameter.
        let leaky = CommandError::from(EngineError::Provider(ProviderError::Unclear {
            provider: "ATRIP",
            detail: "card 4111 1111 1111 1111 timed out".into(),
        }));
        assert_eq!(leaky.code, "unclear");
        assert!(!leaky.params["detail"].contains("4111 1111 1111 1111"), "{:?}", leaky.params);
        assert!(!leaky.message.contains("4111 1111 1111 1111"), "{}", leaky.message);
    }
}
