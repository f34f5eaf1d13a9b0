//! What a settings call can refuse, and why a Production provider cannot be used.

use std::fmt;

use crate::payment::Provider;
use crate::secrets::SecretError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A value that cannot be saved; the message names the field and what to fix.
    #[error("{message}")]
    Invalid { field: String, message: String },
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
    pub(super) fn invalid(provider: Provider, field: &str, label: &str, fix: impl fmt::Display) -> Self {
        SettingsError::Invalid {
            field: field.to_string(),
            message: format!("{} — {label}: {fix}", provider.display_name()),
        }
    }
}

/// Why a Production provider has no client (or, for a HeiPay hotel, cannot be used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub provider: Provider,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.provider.display_name(), self.message)
    }
}
