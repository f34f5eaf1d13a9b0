//! Tauri commands: each validates its input, calls the core and returns a typed error.

pub mod history;
pub mod live;
pub mod payments;
pub mod settings;
pub mod status;
pub mod take;

use farepoint_core::card::{CardError, CardField};
use farepoint_core::engine::EngineError;
use farepoint_core::providers::ProviderError;
use serde::Serialize;

/// What a failed command returns to the UI: a stable code, a message that says what to fix,
/// and, for form input, the field each problem belongs to.
#[derive(Debug, Serialize)]
pub struct CommandError {
    pub code: &'static str,
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
        return Err(CommandError::field(
            field,
            format!("is {length} characters long; at most {max} fit here"),
        ));
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
        return Err(CommandError::field(
            field,
            format!("has {} items; at most {MAX_ITEMS} can be sent at once", items.len()),
        ));
    }
    items.iter().try_for_each(|item| bounded(field, item, max))
}

/// What the window may show of a message: no card number, whoever wrote it.
fn shown(message: impl ToString) -> String {
    let text = message.to_string();
    farepoint_core::redact::redact_text(&text).into_owned()
}

#[derive(Debug, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl CommandError {
    /// An error for the window; its words are redacted, since they may carry a provider's.
    pub fn new(code: &'static str, message: impl ToString) -> Self {
        CommandError { code, message: shown(message), fields: Vec::new() }
    }

    /// A form field the agent must correct.
    pub fn field(field: &str, message: impl ToString) -> Self {
        let message = shown(message);
        CommandError {
            code: "invalid",
            message: message.clone(),
            fields: vec![FieldProblem { field: field.to_string(), message }],
        }
    }

    /// Every problem of a card entry, each against its field (`card.number`, `card.cvv` …).
    pub fn card(problems: Vec<(CardField, CardError)>) -> Self {
        let fields: Vec<FieldProblem> = problems
            .into_iter()
            .map(|(field, e)| FieldProblem {
                field: format!(
                    "card.{}",
                    serde_json::to_value(field).unwrap_or_default().as_str().unwrap_or("")
                ),
                message: e.to_string(),
            })
            .collect();
        let message = fields.first().map(|f| f.message.clone()).unwrap_or_default();
        CommandError { code: "card_invalid", message, fields }
    }
}

impl From<EngineError> for CommandError {
    fn from(e: EngineError) -> Self {
        let code = match &e {
            EngineError::Store(_) => "storage",
            EngineError::NotConfigured { .. } => "not_configured",
            EngineError::Busy { .. } => "busy",
            EngineError::WrongState { .. } => "wrong_state",
            EngineError::Unsaved(_) => "unsaved",
            EngineError::Provider(p) => match p {
                ProviderError::Invalid { field, message } => return CommandError::field(field, message),
                ProviderError::Config(_) | ProviderError::Credentials { .. } => "not_configured",
                ProviderError::Refused(_) => "refused",
                ProviderError::Unreachable { .. } => "unreachable",
                ProviderError::Unclear { .. } => "unclear",
                ProviderError::NoAnswer { .. } => "no_answer",
            },
        };
        if let EngineError::Store(s) = &e {
            tracing::error!("storage error behind a command: {s}");
        }
        CommandError::new(code, e)
    }
}
