//! The Production profile's non-secret values: read, and saved after checking, in one transaction.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::check::check_value;
use super::hotels::{check_hotels, Hotel, HOTELS_FIELD};
use super::schema::schema;
use super::{Code, Coded, SettingsError};
use crate::payment::Provider;
use crate::profile::Profile;
use crate::store::{self, StoreError};

/// The settings scope (and keyring profile) of the Production profile.
pub(super) const PRODUCTION: &str = "production";

/// The Production profile's non-secret settings as stored. Holds no secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductionSettings {
    /// `<provider>.<field>` → the stored value.
    values: HashMap<String, String>,
    hotels: Vec<Hotel>,
}

pub(super) fn setting_key(provider: Provider, field: &str) -> String {
    format!("{}.{field}", provider.as_str())
}

/// Only Production is written; the Sandbox's settings are built in.
pub(super) fn writable(profile: Profile) -> Result<(), SettingsError> {
    match profile {
        Profile::Production => Ok(()),
        Profile::Sandbox => Err(SettingsError::ReadOnly),
    }
}

impl ProductionSettings {
    /// The stored value, or the field's default.
    pub fn value(&self, provider: Provider, field: &str) -> String {
        if let Some(stored) = self.values.get(&setting_key(provider, field)) {
            return stored.clone();
        }
        schema(provider).field(field).map(|f| f.default.to_string()).unwrap_or_default()
    }

    pub fn hotels(&self) -> &[Hotel] {
        &self.hotels
    }

    /// Whether anything of `provider`'s was saved (a value, or its hotels): the desk means to
    /// use it, even if not everything is entered yet.
    pub fn entered_any(&self, provider: Provider) -> bool {
        let prefix = setting_key(provider, "");
        self.values.keys().any(|k| k.starts_with(&prefix))
            || (schema(provider).hotels && !self.hotels.is_empty())
    }
}

/// The provider whose schema keeps a hotel list (HeiPay).
fn hotel_provider() -> Option<Provider> {
    Provider::ALL.into_iter().find(|p| schema(*p).hotels)
}

/// Reads the Production profile's non-secret settings.
pub fn load(conn: &Connection) -> Result<ProductionSettings, SettingsError> {
    let mut stmt =
        conn.prepare("SELECT key, value FROM settings WHERE profile = ?1").map_err(StoreError::from)?;
    let values = stmt
        .query_map([PRODUCTION], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(StoreError::from)?
        .collect::<Result<HashMap<_, _>, _>>()
        .map_err(StoreError::from)?;
    let stored = hotel_provider().and_then(|p| Some((p, values.get(&setting_key(p, HOTELS_FIELD))?)));
    let hotels = match stored {
        None => Vec::new(),
        Some((provider, json)) => serde_json::from_str(json).map_err(|e| {
            StoreError::Corrupt(format!("the {} hotel list is not readable: {e}", provider.display_name()))
        })?,
    };
    Ok(ProductionSettings { values, hotels })
}

/// The Production profile's hotels (HeiPay's).
pub fn hotels(conn: &Connection) -> Result<Vec<Hotel>, SettingsError> {
    Ok(load(conn)?.hotels)
}

/// Saves one provider's non-secret values (fields not in `values` keep theirs; `hotels: None`
/// keeps the list). Everything is checked first and written in one transaction, so a refused
/// value leaves nothing half-saved. Returns the ids of hotels that were removed, whose card keys
/// the caller should forget (`forget_credential` with `card_key/<id>`).
pub fn save(
    conn: &mut Connection,
    profile: Profile,
    provider: Provider,
    values: &HashMap<String, String>,
    hotels: Option<&[Hotel]>,
    now_ms: i64,
) -> Result<Vec<i64>, SettingsError> {
    writable(profile)?;
    let schema = schema(provider);
    let mut keys: Vec<&String> = values.keys().collect();
    keys.sort();
    let mut checked = Vec::with_capacity(keys.len());
    for key in keys {
        let spec = schema.field(key).ok_or_else(|| SettingsError::UnknownField {
            provider: provider.display_name(),
            field: key.clone(),
            expected: schema.fields.iter().map(|f| f.key).collect::<Vec<_>>().join(", "),
        })?;
        let value = check_value(spec, &values[key])
            .map_err(|fix| SettingsError::invalid(provider, spec.key, spec.label, fix))?;
        checked.push((setting_key(provider, spec.key), value));
    }
    let hotels = match hotels {
        None => None,
        Some(_) if !schema.hotels => {
            let only = hotel_provider().map_or("no provider", Provider::display_name);
            return Err(SettingsError::invalid(
                provider,
                HOTELS_FIELD,
                "Hotels",
                Coded::new(Code::HotelsHeiPayOnly).with("provider", only),
            ));
        }
        Some(list) => Some(check_hotels(provider, list)?),
    };

    let current = load(conn)?;
    let tx = conn.transaction().map_err(StoreError::from)?;
    for (key, value) in &checked {
        store::set_setting(&tx, PRODUCTION, key, value, now_ms)?;
    }
    let mut removed = Vec::new();
    if let Some(list) = &hotels {
        let json = serde_json::to_string(list).expect("hotels serialize");
        store::set_setting(&tx, PRODUCTION, &setting_key(provider, HOTELS_FIELD), &json, now_ms)?;
        let kept: HashSet<i64> = list.iter().map(|h| h.id).collect();
        removed = current.hotels.iter().map(|h| h.id).filter(|id| !kept.contains(id)).collect();
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(removed)
}
