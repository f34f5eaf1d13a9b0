//! What a settings call can refuse, and why a Production provider cannot be used.

use std::fmt;

use serde::Serialize;

use super::Coded;
use crate::payment::Provider;
use crate::secrets::SecretError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A value that cannot be saved; the message names the field and what to fix, `problem`
    /// says what to fix by code.
    #[error("{message}")]
    Invalid { field: String, problem: Coded, message: String },
    #[error(
        "The Sandbox profile's settings and demo credentials are built in and cannot be changed — \
         switch to the Production profile to enter your own"
    )]
    ReadOnly,
    #[error("{provider} has no setting '{field}' — expected one of: {expected}")]
    UnknownField { provider: &'static str, field: String, expected: String },
    #[error("unknown preference '{0}' — the preferences are: locale")]
    UnknownPreference(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
}

impl SettingsError {
    pub(super) fn invalid(provider: Provider, field: &str, label: &str, fix: Coded) -> Self {
        SettingsError::Invalid {
            field: field.to_string(),
            message: format!("{} — {label}: {}", provider.display_name(), fix.english(provider)),
            problem: fix,
        }
    }
}

/// Why a Production provider has no client (or, for a HeiPay hotel, cannot be used): the
/// English `message`, and beside it the code and parameters the window translates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(skip)]
    pub provider: Provider,
    pub message: String,
    #[serde(flatten)]
    pub coded: Coded,
}

impl Problem {
    pub(super) fn new(provider: Provider, coded: Coded) -> Self {
        Problem { provider, message: coded.english(provider), coded }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.provider.display_name(), self.message)
    }
}
