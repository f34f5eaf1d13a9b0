//! What a Travelport payment pays for, as kept in the payment's subject.

use serde::{Deserialize, Serialize};

use super::wire::Offer;
use crate::subject::OtherKeys;

/// The reservation, the offers paid and the form of payment; the documents it already had, so
/// polling tells only the new ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TravelportSubject {
    pub locator: String,
    pub workbench_id: String,
    pub offers: Vec<StoredOffer>,
    /// "card", "cash" or "stored <id>".
    pub fop: String,
    pub known_documents: Vec<String>,
    #[serde(flatten)]
    pub other: OtherKeys,
}

/// An offer as stored: what is read back by name, the rest (identifier, kind, price,
/// travelers) kept as it was written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoredOffer {
    pub id: String,
    pub description: String,
    #[serde(flatten)]
    pub other: OtherKeys,
}

impl StoredOffer {
    pub fn of(offer: &Offer) -> StoredOffer {
        // The offer as its own `Serialize` writes it: what the subject always held.
        serde_json::to_value(offer).and_then(serde_json::from_value).expect("an offer serialises")
    }
}
