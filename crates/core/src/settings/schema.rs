//! The shape of a provider's settings: its non-secret fields and its secrets. Each provider's
//! own schema is in `providers/<name>/setup.rs`; `schema` is the one table that reaches them.

use serde::Serialize;

use super::Coded;
use crate::payment::Provider;
use crate::providers::{atrip, heipay, holidayextras, travelport};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Url,
    Text,
    Choice,
}

/// A value check of a provider's own beyond its kind's: `Err` says what to fix, by code.
pub type Check = fn(&str) -> Result<(), Coded>;

/// A non-secret setting of one provider.
#[derive(Debug)]
pub struct FieldSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    /// The allowed values of a `Choice`; empty otherwise.
    pub choices: &'static [&'static str],
    /// The Production default ("" where the provider issues it per account).
    pub default: &'static str,
    pub help: &'static str,
    pub required: bool,
    /// The provider's own rule for the value (Travelport's `PCC_GDS`), after the kind's.
    pub check: Option<Check>,
}

/// A secret of one provider: kept in the keyring, entered write-only.
#[derive(Debug)]
pub struct SecretSpec {
    pub key: &'static str,
    pub label: &'static str,
    /// Kept exactly as typed (a password's spaces are part of it); others are trimmed, as a
    /// pasted value often carries a stray newline.
    pub as_typed: bool,
    /// The provider's own rule for the value (Holiday Extras' user name has no ':').
    pub check: Option<Check>,
}

impl SecretSpec {
    pub const fn new(key: &'static str, label: &'static str) -> Self {
        SecretSpec { key, label, as_typed: false, check: None }
    }

    /// A password: kept as typed.
    pub const fn password(key: &'static str, label: &'static str) -> Self {
        SecretSpec { as_typed: true, ..SecretSpec::new(key, label) }
    }
}

#[derive(Debug)]
pub struct ProviderSchema {
    pub provider: Provider,
    pub fields: &'static [FieldSpec],
    pub secrets: &'static [SecretSpec],
    /// HeiPay: a list of hotels, each with its own card key in the keyring.
    pub hotels: bool,
    /// Hosts of the provider's own test environment, as its pages name them: an address there in
    /// Production is worth a warning before the first real payment.
    pub test_hosts: &'static [&'static str],
    /// A choice the provider has retired, and the one to choose instead.
    pub retired: Option<Retired>,
}

/// A value of a choice the provider no longer supports.
#[derive(Debug)]
pub struct Retired {
    pub field: &'static str,
    pub value: &'static str,
    pub instead: &'static str,
}

impl ProviderSchema {
    pub fn field(&self, key: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.key == key)
    }
}

impl FieldSpec {
    /// A required web address.
    pub const fn url(
        key: &'static str,
        label: &'static str,
        default: &'static str,
        help: &'static str,
    ) -> Self {
        FieldSpec {
            key,
            label,
            kind: FieldKind::Url,
            choices: &[],
            default,
            help,
            required: true,
            check: None,
        }
    }

    /// A required line of text.
    pub const fn text(
        key: &'static str,
        label: &'static str,
        default: &'static str,
        help: &'static str,
    ) -> Self {
        FieldSpec { kind: FieldKind::Text, ..FieldSpec::url(key, label, default, help) }
    }
}

/// Each provider's schema. A new provider is a line here (and one in `clients::build`).
pub fn schema(provider: Provider) -> &'static ProviderSchema {
    match provider {
        Provider::Atrip => &atrip::setup::SCHEMA,
        Provider::Travelport => &travelport::setup::SCHEMA,
        Provider::HolidayExtras => &holidayextras::setup::SCHEMA,
        Provider::HeiPay => &heipay::setup::SCHEMA,
    }
}
