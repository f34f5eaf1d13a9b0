//! A provider's hotels (HeiPay's): the list kept beside its settings, each hotel with a card key
//! of its own in the keyring.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::SettingsError;
use crate::payment::Provider;

/// HeiPay's hotel list, one JSON value.
pub(super) const HOTELS_FIELD: &str = "hotels";

/// A HeiPay hotel: its id at HeiPay and the name the desk knows it by. Its card key is a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hotel {
    pub id: i64,
    pub name: String,
}

pub(super) fn check_hotels(provider: Provider, hotels: &[Hotel]) -> Result<Vec<Hotel>, SettingsError> {
    let invalid = |fix: String| SettingsError::invalid(provider, HOTELS_FIELD, "Hotels", fix);
    let mut seen = HashSet::new();
    let mut checked = Vec::with_capacity(hotels.len());
    for hotel in hotels {
        if hotel.id <= 0 {
            return Err(invalid(format!(
                "hotel id {} is not valid — use the hotel's id at HeiPay, a whole number above 0",
                hotel.id
            )));
        }
        if !seen.insert(hotel.id) {
            return Err(invalid(format!("hotel id {} is listed twice — keep one", hotel.id)));
        }
        let name = hotel.name.trim();
        if name.is_empty() {
            return Err(invalid(format!(
                "hotel {} has no name — enter the name the desk knows it by",
                hotel.id
            )));
        }
        checked.push(Hotel { id: hotel.id, name: name.to_string() });
    }
    Ok(checked)
}
