//! Tauri commands: each validates its input, calls the core and returns a typed error.

pub mod status;

use serde::Serialize;

/// What a failed command returns to the UI: a stable code and a message that says what to fix.
#[derive(Debug, Serialize)]
pub struct CommandError {
    pub code: &'static str,
    pub message: String,
}

impl CommandError {
    pub fn new(code: &'static str, message: impl ToString) -> Self {
        CommandError { code, message: message.to_string() }
    }
}
