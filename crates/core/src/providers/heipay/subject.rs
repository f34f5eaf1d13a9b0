//! What a HeiPay payment pays for, as kept in the payment's subject.

use serde::{Deserialize, Serialize};

use super::wire::{Order, OrderInput};
use crate::money::Money;
use crate::providers::lenient;
use crate::subject::OtherKeys;

/// Everything needed to send the order again (no card data: the card is keyed anew).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HeiPaySubject {
    pub hotel_id: i64,
    pub guest_first_name: String,
    pub guest_last_name: String,
    pub detail: Option<String>,
    pub installments: u32,
    /// Rates as their wire literal ("0.19"); read from a number too.
    #[serde(deserialize_with = "lenient::code_text")]
    pub tax_percent: Option<String>,
    #[serde(deserialize_with = "lenient::code_text")]
    pub service_percent: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub fiscal_number: Option<String>,
    pub ip: Option<String>,
    #[serde(flatten)]
    pub other: OtherKeys,
}

impl Default for HeiPaySubject {
    fn default() -> Self {
        HeiPaySubject {
            hotel_id: 0,
            guest_first_name: String::new(),
            guest_last_name: String::new(),
            detail: None,
            // One payment unless said otherwise.
            installments: 1,
            tax_percent: None,
            service_percent: None,
            email: None,
            phone: None,
            address: None,
            fiscal_number: None,
            ip: None,
            other: OtherKeys::new(),
        }
    }
}

impl HeiPaySubject {
    pub fn of(order: &Order) -> HeiPaySubject {
        HeiPaySubject {
            hotel_id: order.hotel_id,
            guest_first_name: order.ref_name.clone(),
            guest_last_name: order.ref_lastname.clone(),
            detail: order.detail.clone(),
            installments: order.installments,
            tax_percent: order.tax_percent.map(|r| r.to_wire()),
            service_percent: order.service_percent.map(|r| r.to_wire()),
            email: order.email.clone(),
            phone: order.phone.clone(),
            address: order.address.clone(),
            fiscal_number: order.fiscal_number.clone(),
            ip: order.ip.map(|ip| ip.to_string()),
            other: OtherKeys::new(),
        }
    }

    /// The order as the desk entered it, for `Order::validate` to check again before a resend.
    pub fn input(&self, amount: Money) -> OrderInput {
        OrderInput {
            hotel_id: self.hotel_id,
            guest_first_name: self.guest_first_name.clone(),
            guest_last_name: self.guest_last_name.clone(),
            detail: self.detail.clone(),
            amount: Some(amount),
            installments: self.installments,
            tax_percent: self.tax_percent.clone(),
            service_percent: self.service_percent.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            fiscal_number: self.fiscal_number.clone(),
            ip: self.ip.clone(),
        }
    }
}
