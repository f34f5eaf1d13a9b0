//! Test cards: the card number chooses the outcome, in every provider that sees a card.
//!
//! Any other valid card number is approved. Numbers are Luhn-valid so a real client's own card
//! checks accept them.

use farepoint_core::card::{CardBrand, CardNumber};
use serde::Serialize;

/// What the simulated issuer (or airline) does with a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approve,
    /// The issuer declines ("do not honour").
    Decline,
    InsufficientFunds,
    /// ATRIP: payment accepted, then the airline rejects the card at ticketing (`errorCode` 604).
    /// Travelport: the carrier rejects the form of payment at commit.
    AirlineDeclines,
    /// ATRIP: the airline's risk control declines at ticketing (`errorCode` 613).
    AirlineRiskControl,
    /// ATRIP VCC: the card needs 3-D Secure, which VCC cannot do (`errorCode` 616).
    Requires3ds,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct TestCard {
    pub number: &'static str,
    pub brand: CardBrand,
    pub outcome: Outcome,
    pub note: &'static str,
}

const fn card(number: &'static str, brand: CardBrand, outcome: Outcome, note: &'static str) -> TestCard {
    TestCard { number, brand, outcome, note }
}

pub const VISA_APPROVE: &str = "4111111111111111";
pub const VISA_ATLAS_APPROVE: &str = "4532015112830366";
pub const MASTERCARD_APPROVE: &str = "5555555555554444";
pub const AMEX_APPROVE: &str = "378282246310005";
pub const DISCOVER_APPROVE: &str = "6011111111111117";
pub const JCB_APPROVE: &str = "3530111333300000";
pub const DINERS_APPROVE: &str = "36227206271667";
pub const UNIONPAY_APPROVE: &str = "6200000000000005";
pub const VISA_DECLINE: &str = "4000000000000002";
/// Not 5105105105105100: Atlas lists that one among its approving VCC test cards.
pub const MASTERCARD_DECLINE: &str = "5200000000000007";
pub const VISA_INSUFFICIENT_FUNDS: &str = "4000000000009995";
pub const VISA_AIRLINE_DECLINES: &str = "4000000000006041";
pub const VISA_AIRLINE_RISK_CONTROL: &str = "4000000000006132";
pub const VISA_REQUIRES_3DS: &str = "4000000000006165";

/// Every test card with a special meaning (the README's table is this list).
pub const TEST_CARDS: &[TestCard] = &[
    card(VISA_APPROVE, CardBrand::Visa, Outcome::Approve, "approved everywhere"),
    card(VISA_ATLAS_APPROVE, CardBrand::Visa, Outcome::Approve, "the ATRIP docs' sandbox Visa"),
    card(MASTERCARD_APPROVE, CardBrand::Mastercard, Outcome::Approve, "approved"),
    card(AMEX_APPROVE, CardBrand::Amex, Outcome::Approve, "approved; ATRIP MoR order for Visa → 414"),
    card(DISCOVER_APPROVE, CardBrand::Discover, Outcome::Approve, "approved"),
    card(JCB_APPROVE, CardBrand::Jcb, Outcome::Approve, "approved"),
    card(DINERS_APPROVE, CardBrand::Diners, Outcome::Approve, "approved"),
    card(
        UNIONPAY_APPROVE,
        CardBrand::UnionPay,
        Outcome::Approve,
        "approved; ATRIP MoR does not take UnionPay → 413",
    ),
    card(VISA_DECLINE, CardBrand::Visa, Outcome::Decline, "issuer declines"),
    card(MASTERCARD_DECLINE, CardBrand::Mastercard, Outcome::Decline, "issuer declines"),
    card(VISA_INSUFFICIENT_FUNDS, CardBrand::Visa, Outcome::InsufficientFunds, "insufficient funds"),
    card(
        VISA_AIRLINE_DECLINES,
        CardBrand::Visa,
        Outcome::AirlineDeclines,
        "airline declines at ticketing (604)",
    ),
    card(
        VISA_AIRLINE_RISK_CONTROL,
        CardBrand::Visa,
        Outcome::AirlineRiskControl,
        "airline risk control (613)",
    ),
    card(VISA_REQUIRES_3DS, CardBrand::Visa, Outcome::Requires3ds, "needs 3-D Secure: VCC fails with 616"),
];

/// Atlas's published VCC and MoR test cards ("Test cards" in its sandbox guide). Each approves;
/// four of them fail the Luhn check Atlas's own `pay.do` page asks for, and ATRIP's simulator
/// takes them anyway, as Atlas's test environment is published to (Farepoint's own card entry
/// refuses them, as it refuses any number a real card could not have).
pub const ATLAS_TEST_CARDS: &[&str] = &[
    "4532015112830366",
    "4916931584764308",
    "4485275742308327",
    "4556737586899855",
    "4532644189324563",
    "5555555555554444",
    "5105105105105100",
    "5223456789012346",
    "5301250070000191",
    "5454545454545454",
    "378282246310005",
    "371449635398431",
    "340000000000009",
    "370000000000002",
    "375987654321001",
    "6011111111111117",
    "6011000990139424",
    "6011987612345678",
    "3566002020360505",
    "4054695723100768",
    "5162774114974622",
];

/// The outcome for a parsed card: its entry in the table, or approve.
pub fn outcome_of(card: &CardNumber) -> Outcome {
    outcome_of_digits(card.expose_number())
}

pub(crate) fn outcome_of_digits(digits: &str) -> Outcome {
    TEST_CARDS.iter().find(|c| c.number == digits).map_or(Outcome::Approve, |c| c.outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_test_card_is_valid_and_of_its_brand() {
        for c in TEST_CARDS {
            let parsed = CardNumber::parse(c.number).unwrap_or_else(|e| panic!("{}: {e}", c.number));
            assert_eq!(parsed.brand(), c.brand, "{}", c.number);
            assert_eq!(outcome_of(&parsed), c.outcome);
        }
    }
}
