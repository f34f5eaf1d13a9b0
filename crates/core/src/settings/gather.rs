//! One provider's values and secrets gathered for a pass: what the view shows and what its
//! client is built from (`providers/<name>/setup.rs`).

use std::collections::HashMap;

use super::check::check_value;
use super::credentials::{credential, CARD_KEY_PREFIX};
use super::production::ProductionSettings;
use super::reader::Reader;
use super::schema::schema;
use super::{Code, Coded};
use crate::payment::Provider;
use crate::secrets::{ExposeSecret, SecretString};
use crate::vault::{self, FieldCipher};

/// One provider's values and secrets, read and checked. `gaps` keep its client from being built;
/// `notes` do not (a HeiPay hotel without a card key while another hotel has one).
pub(crate) struct Gathered {
    pub(super) values: HashMap<&'static str, String>,
    secrets: HashMap<&'static str, SecretString>,
    pub(super) stored: HashMap<&'static str, bool>,
    card_ciphers: HashMap<i64, Box<dyn FieldCipher>>,
    pub(super) hotel_key_stored: HashMap<i64, bool>,
    pub(super) gaps: Vec<Coded>,
    pub(super) notes: Vec<Coded>,
}

impl Gathered {
    /// A field's value as stored (or its default), trimmed.
    pub(crate) fn value(&self, key: &str) -> String {
        self.values.get(key).cloned().unwrap_or_default()
    }

    /// A secret, taken out (a client holds it from here on).
    pub(crate) fn secret(&mut self, key: &str) -> SecretString {
        self.secrets.remove(key).unwrap_or_else(|| SecretString::from(String::new()))
    }

    /// A secret the provider's client keeps as plain text (an id or user name, not a password).
    pub(crate) fn plain_secret(&mut self, key: &str) -> String {
        self.secret(key).expose_secret().to_string()
    }

    /// Each hotel's cipher from its card key, taken out.
    pub(crate) fn card_ciphers(&mut self) -> HashMap<i64, Box<dyn FieldCipher>> {
        std::mem::take(&mut self.card_ciphers)
    }
}

pub(super) fn gather(settings: &ProductionSettings, provider: Provider, reader: &mut Reader<'_>) -> Gathered {
    let schema = schema(provider);
    let mut g = Gathered {
        values: HashMap::new(),
        secrets: HashMap::new(),
        stored: HashMap::new(),
        card_ciphers: HashMap::new(),
        hotel_key_stored: HashMap::new(),
        gaps: Vec::new(),
        notes: Vec::new(),
    };
    for spec in schema.fields {
        let value = settings.value(provider, spec.key);
        if value.trim().is_empty() && spec.required {
            g.gaps.push(Coded::new(Code::MissingValue).with("field", spec.key));
        } else if let Err(fix) = check_value(spec, &value) {
            g.gaps.push(Coded::new(Code::InvalidValue).with("field", spec.key).because(fix));
        }
        g.values.insert(spec.key, value.trim().to_string());
    }
    let mut keyring_failure = None;
    for spec in schema.secrets {
        match reader.get(&credential(provider, spec.key)) {
            Ok(Some(secret)) => {
                g.stored.insert(spec.key, true);
                g.secrets.insert(spec.key, secret);
            }
            Ok(None) => {
                g.stored.insert(spec.key, false);
                g.gaps.push(Coded::new(Code::MissingSecret).with("field", spec.key));
            }
            Err(failure) => {
                g.stored.insert(spec.key, false);
                keyring_failure.get_or_insert(failure);
            }
        }
    }
    if schema.hotels {
        let mut missing = Vec::new();
        for hotel in settings.hotels() {
            let field = format!("{CARD_KEY_PREFIX}{}", hotel.id);
            let who = |code| Coded::new(code).with("hotel_id", hotel.id).with("hotel_name", &hotel.name);
            match reader.get(&credential(provider, &field)) {
                Ok(Some(encoded)) => {
                    g.hotel_key_stored.insert(hotel.id, true);
                    match vault::hotel_cipher(encoded.expose_secret()) {
                        Ok(cipher) => {
                            g.card_ciphers.insert(hotel.id, cipher);
                        }
                        Err(e) => missing.push(who(Code::CardKeyUnusable).with("reason", e)),
                    }
                }
                Ok(None) => {
                    g.hotel_key_stored.insert(hotel.id, false);
                    missing.push(who(Code::MissingCardKey));
                }
                Err(failure) => {
                    g.hotel_key_stored.insert(hotel.id, false);
                    keyring_failure.get_or_insert(failure);
                }
            }
        }
        if settings.hotels().is_empty() {
            g.gaps.push(Coded::new(Code::NoHotels));
        } else if g.card_ciphers.is_empty() {
            g.gaps.extend(missing);
        } else {
            g.notes.extend(missing);
        }
    }
    if let Some(failure) = keyring_failure {
        g.gaps.push(failure);
    }
    g
}
