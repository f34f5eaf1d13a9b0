//! What an ATRIP payment pays for, as kept in the payment's subject.

use serde::{Deserialize, Serialize};

use super::wire::{Charge, Method};
use crate::money::Money;
use crate::subject::{present, OtherKeys};

/// The stored keys read by name outside the struct: the export's SQL (`json_extract` on the
/// stored text) and the seal (`seal::STATED_LATER`). A test holds them to the names serde writes.
pub mod keys {
    pub const TRANSACTION_FEE: &str = "transaction_fee";
    pub const AIRLINE_AMOUNT: &str = "airline_amount";
    pub const CHARGES: &str = "charges";
    pub const CARD_CHARGED: &str = "card_charged";
}

/// The order and the amounts ATRIP stated for it. Rewritten once paid (`charges`,
/// `card_charged`), so every key keeps whether the stored text had it: `None` is absent, and
/// `Some(None)` a stored `null`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AtripSubject {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub pnr_code: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    /// ATRIP's technical fee beside the total, when stated.
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub transaction_fee: Option<Option<Money>>,
    /// The airline's price (`vendorTotalPrice`), the reference a VCC is made out for.
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub airline_amount: Option<Option<Money>>,
    /// What ATRIP states it took once the order is paid (stated later: `seal::STATED_LATER`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charges: Option<Vec<Charge>>,
    /// What the card was charged in all, from `charges` (stated later too).
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub card_charged: Option<Option<Money>>,
    #[serde(flatten)]
    pub other: OtherKeys,
}

impl AtripSubject {
    /// A new payment's subject: the order as read before paying it.
    pub fn new(
        order_no: &str,
        pnr_code: Option<String>,
        method: Method,
        transaction_fee: Option<Money>,
        airline_amount: Option<Money>,
    ) -> AtripSubject {
        AtripSubject {
            order_no: Some(order_no.to_string()),
            pnr_code: Some(pnr_code),
            method: Some(method),
            transaction_fee: Some(transaction_fee),
            airline_amount: Some(airline_amount),
            ..AtripSubject::default()
        }
    }

    pub fn pnr_code(&self) -> Option<&str> {
        self.pnr_code.as_ref().and_then(|p| p.as_deref())
    }

    pub fn transaction_fee(&self) -> Option<Money> {
        self.transaction_fee.flatten()
    }

    pub fn airline_amount(&self) -> Option<Money> {
        self.airline_amount.flatten()
    }

    pub fn card_charged(&self) -> Option<Money> {
        self.card_charged.flatten()
    }
}
