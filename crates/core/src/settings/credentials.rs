//! The Production profile's credentials: checked, then stored in or forgotten from the keyring.
//! A value is never part of an error.

use super::production::{writable, ProductionSettings, PRODUCTION};
use super::schema::{schema, SecretSpec};
use super::{Code, Coded, SettingsError};
use crate::payment::Provider;
use crate::profile::Profile;
use crate::secrets::{CredentialKey, ExposeSecret, SecretStore, SecretString};
use crate::vault;

/// A hotel's card key is the keyring field `card_key/<hotel id>`.
pub(super) const CARD_KEY_PREFIX: &str = "card_key/";

/// A credential field of a provider: a named secret, or a HeiPay hotel's card key.
enum SecretField {
    Named(&'static SecretSpec),
    CardKey(i64),
}

fn secret_field(provider: Provider, field: &str) -> Result<SecretField, SettingsError> {
    let schema = schema(provider);
    if let Some(spec) = schema.secrets.iter().find(|s| s.key == field) {
        return Ok(SecretField::Named(spec));
    }
    if schema.hotels {
        if let Some(id) = field.strip_prefix(CARD_KEY_PREFIX) {
            return match id.parse::<i64>() {
                Ok(id) if id > 0 => Ok(SecretField::CardKey(id)),
                _ => Err(SettingsError::invalid(
                    provider,
                    field,
                    "Card key",
                    Coded::new(Code::CardKeyFieldInvalid).with("value", id),
                )),
            };
        }
    }
    let mut expected: Vec<&str> = schema.secrets.iter().map(|s| s.key).collect();
    if schema.hotels {
        expected.push("card_key/<hotel id>");
    }
    Err(SettingsError::UnknownField {
        provider: provider.display_name(),
        field: field.to_string(),
        expected: expected.join(", "),
    })
}

/// Where a Production credential is kept in the keyring.
pub(super) fn credential(provider: Provider, field: &str) -> CredentialKey {
    CredentialKey::new(PRODUCTION, provider.as_str(), field)
}

/// Stores one credential in the keyring, after checking it. `field` is a secret of the provider's
/// schema or, for HeiPay, `card_key/<hotel id>` of a hotel already in `settings`. The value is
/// never part of an error.
pub fn store_credential(
    settings: &ProductionSettings,
    secrets: &dyn SecretStore,
    profile: Profile,
    provider: Provider,
    field: &str,
    value: SecretString,
) -> Result<(), SettingsError> {
    writable(profile)?;
    let kind = secret_field(provider, field)?;
    let label = match &kind {
        SecretField::Named(spec) => spec.label.to_string(),
        SecretField::CardKey(id) => format!("Card key for hotel {id}"),
    };
    let invalid = |fix: Coded| SettingsError::invalid(provider, field, &label, fix);
    if value.expose_secret().trim().is_empty() {
        return Err(invalid(Coded::new(Code::SecretEmpty)));
    }
    // A pasted value often carries a stray newline; a password keeps its spaces as typed.
    let value = match &kind {
        SecretField::Named(spec) if spec.as_typed => value,
        _ => SecretString::from(value.expose_secret().trim().to_string()),
    };
    match kind {
        SecretField::CardKey(id) => {
            if !settings.hotels().iter().any(|h| h.id == id) {
                return Err(invalid(Coded::new(Code::NoSuchHotel).with("hotel_id", id)));
            }
            vault::hotel_cipher(value.expose_secret())
                .map_err(|e| invalid(Coded::new(Code::CardKeyInvalid).with("reason", e)))?;
        }
        SecretField::Named(spec) => {
            if let Some(check) = spec.check {
                check(value.expose_secret()).map_err(invalid)?;
            }
        }
    }
    secrets.set(&credential(provider, field), &value)?;
    Ok(())
}

/// Removes one credential from the keyring; removing one that is not there is not an error.
pub fn forget_credential(
    secrets: &dyn SecretStore,
    profile: Profile,
    provider: Provider,
    field: &str,
) -> Result<(), SettingsError> {
    writable(profile)?;
    secret_field(provider, field)?;
    secrets.delete(&credential(provider, field))?;
    Ok(())
}
