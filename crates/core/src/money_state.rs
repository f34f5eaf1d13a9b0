//! What happened to the customer's money, told plainly on every payment record (`money`), so an
//! agent never reads a final state without knowing whether the customer was charged. It is read
//! from what the provider answered, never guessed: where no answer proves it either way, the
//! state says so and names where a person can look (`Check`).

use serde::Serialize;

use crate::engine::PaymentRecord;
use crate::money::Money;
use crate::payment::{Provider, RefundStatus, Status};
use crate::subject::Subject;

/// Where a person sees what the provider did with a payment: a place the window names in the
/// agent's language (`place`), and what to look up there (`key`: the order, locator or booking).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub place: &'static str,
    pub key: String,
}

impl Check {
    fn of(record: &PaymentRecord) -> Check {
        Check { place: record.payment.provider.check_place(), key: record.payment.subject_key.clone() }
    }
}

/// The money's state. Serialized with `state` as its tag, for the window to word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MoneyState {
    /// Not sent yet, or on its way: the provider has not answered.
    Sending,
    /// The answer was lost or unclear: Farepoint is asking the provider. Not to be taken again.
    Checking { check: Check },
    /// The provider took the amount; `refunded` of it was given back (zero for none), and a
    /// refund with no clear answer (`refund_unclear`) may have given back more.
    Charged { amount: Money, refunded: Money, refund_unclear: Option<Money>, check: Check },
    /// Everything taken was given back.
    Refunded { amount: Money },
    /// The provider refused the payment: nothing was taken.
    NotCharged,
    /// The provider recorded the payment but no ticket was issued. Whether the money comes back
    /// is the provider's to say; `stated` is what it states it took from the card, if it did.
    NotTicketed { stated: Option<Money>, check: Check },
    /// Nothing proves either way: a person looks at `check` and records what it shows.
    Unknown { check: Check },
}

impl MoneyState {
    pub fn of(record: &PaymentRecord) -> MoneyState {
        let amount = record.payment.amount;
        match record.payment.status {
            Status::Draft | Status::Submitting => MoneyState::Sending,
            Status::Unknown => MoneyState::Checking { check: Check::of(record) },
            Status::NeedsReview => MoneyState::Unknown { check: Check::of(record) },
            Status::Declined => MoneyState::NotCharged,
            Status::Refunded => MoneyState::Refunded { amount: record.refunded() },
            Status::TicketingFailed => {
                MoneyState::NotTicketed { stated: stated_charge(record), check: Check::of(record) }
            }
            Status::Paid | Status::Ticketing | Status::Ticketed => MoneyState::Charged {
                amount,
                refunded: record.refunded(),
                refund_unclear: record
                    .refunds
                    .iter()
                    .find(|r| matches!(r.status, RefundStatus::Unclear | RefundStatus::Sending))
                    .map(|r| r.amount),
                check: Check::of(record),
            },
        }
    }
}

/// What the provider states it took from the card, where it states it (ATRIP's order, once paid).
fn stated_charge(record: &PaymentRecord) -> Option<Money> {
    match &record.payment.subject {
        Subject::Atrip(subject) => subject.card_charged(),
        _ => None,
    }
}

impl Provider {
    /// Where a person sees this provider's own record of a payment (worded by the window).
    pub fn check_place(self) -> &'static str {
        match self {
            Provider::Atrip => "atrip_portal",
            Provider::Travelport => "smartpoint",
            Provider::HolidayExtras => "holidayextras_portal",
            Provider::HeiPay => "heipay_portal",
        }
    }
}
