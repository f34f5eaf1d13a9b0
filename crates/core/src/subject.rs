//! What a payment pays for, typed per provider. It is stored as its provider's object alone (the
//! provider is its own column) and served to the window tagged with the provider's id.
//!
//! The stored text is sealed (`docs/tamper-evidence.md`), so `stored` writes exactly what the
//! untyped code wrote: object keys sorted (the workspace does not enable serde_json's
//! `preserve_order`), `null` where a value was written as null, absent where it was never
//! written. Each provider's struct keeps keys it does not know (`other`), so a subject written by
//! an older or newer version is read without failing and rewritten without losing any.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::payment::Provider;
pub use crate::providers::atrip::subject::AtripSubject;
pub use crate::providers::heipay::subject::HeiPaySubject;
pub use crate::providers::holidayextras::subject::HolidayExtrasSubject;
pub use crate::providers::travelport::subject::{StoredOffer, TravelportSubject};

/// The keys an object keeps beyond those its struct names, in stored (sorted) order.
pub type OtherKeys = serde_json::Map<String, Value>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "lowercase")]
pub enum Subject {
    Atrip(AtripSubject),
    Travelport(TravelportSubject),
    HolidayExtras(HolidayExtrasSubject),
    HeiPay(HeiPaySubject),
}

impl Subject {
    /// Reads a stored subject (JSON text, without the tag) of a payment to `provider`.
    pub fn read(provider: Provider, stored: &str) -> Result<Subject, serde_json::Error> {
        Subject::from_value(provider, serde_json::from_str(stored)?)
    }

    /// Reads a subject as a JSON value (without the tag) of a payment to `provider`.
    pub fn from_value(provider: Provider, value: Value) -> Result<Subject, serde_json::Error> {
        Ok(match provider {
            Provider::Atrip => Subject::Atrip(serde_json::from_value(value)?),
            Provider::Travelport => Subject::Travelport(serde_json::from_value(value)?),
            Provider::HolidayExtras => Subject::HolidayExtras(serde_json::from_value(value)?),
            Provider::HeiPay => Subject::HeiPay(serde_json::from_value(value)?),
        })
    }

    /// A subject with nothing in it yet, for a payment being put together.
    pub fn blank(provider: Provider) -> Subject {
        match provider {
            Provider::Atrip => Subject::Atrip(AtripSubject::default()),
            Provider::Travelport => Subject::Travelport(TravelportSubject::default()),
            Provider::HolidayExtras => Subject::HolidayExtras(HolidayExtrasSubject::default()),
            Provider::HeiPay => Subject::HeiPay(HeiPaySubject::default()),
        }
    }

    pub fn provider(&self) -> Provider {
        match self {
            Subject::Atrip(_) => Provider::Atrip,
            Subject::Travelport(_) => Provider::Travelport,
            Subject::HolidayExtras(_) => Provider::HolidayExtras,
            Subject::HeiPay(_) => Provider::HeiPay,
        }
    }

    /// The subject as a JSON object without the tag, keys sorted.
    pub fn to_value(&self) -> Value {
        let value = match self {
            Subject::Atrip(s) => serde_json::to_value(s),
            Subject::Travelport(s) => serde_json::to_value(s),
            Subject::HolidayExtras(s) => serde_json::to_value(s),
            Subject::HeiPay(s) => serde_json::to_value(s),
        };
        // Plain fields, strings, integers and maps: nothing here can fail to serialise.
        value.expect("a subject serialises")
    }

    /// The text stored in `payments.subject` (and covered by the seal).
    pub fn stored(&self) -> String {
        // Through a `Value`, whose map sorts keys: the order the untyped code stored.
        self.to_value().to_string()
    }

    pub fn atrip(&self) -> Option<&AtripSubject> {
        match self {
            Subject::Atrip(s) => Some(s),
            _ => None,
        }
    }

    pub fn travelport(&self) -> Option<&TravelportSubject> {
        match self {
            Subject::Travelport(s) => Some(s),
            _ => None,
        }
    }

    pub fn holidayextras(&self) -> Option<&HolidayExtrasSubject> {
        match self {
            Subject::HolidayExtras(s) => Some(s),
            _ => None,
        }
    }

    pub fn heipay(&self) -> Option<&HeiPaySubject> {
        match self {
            Subject::HeiPay(s) => Some(s),
            _ => None,
        }
    }
}

/// `Some(value)` for a key present in the stored object (even as `null`), `None` for one absent:
/// with `#[serde(default, skip_serializing_if = "Option::is_none")]` it keeps that difference.
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests;
