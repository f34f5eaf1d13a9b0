//! A provider's hotels (HeiPay's): the list kept beside its settings, each hotel with a card key
//! of its own in the keyring.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{Code, Coded, SettingsError};
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
    let invalid = |code: Code, id: i64| {
        SettingsError::invalid(provider, HOTELS_FIELD, "Hotels", Coded::new(code).with("hotel_id", id))
    };
    let mut seen = HashSet::new();
    let mut checked = Vec::with_capacity(hotels.len());
    for hotel in hotels {
        if hotel.id <= 0 {
            return Err(invalid(Code::HotelIdInvalid, hotel.id));
        }
        if !seen.insert(hotel.id) {
            return Err(invalid(Code::HotelListedTwice, hotel.id));
        }
        let name = hotel.name.trim();
        if name.is_empty() {
            return Err(invalid(Code::HotelUnnamed, hotel.id));
        }
        checked.push(Hotel { id: hotel.id, name: name.to_string() });
    }
    Ok(checked)
}
