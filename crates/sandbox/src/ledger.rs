//! The ledger: every charge and refund the simulated providers made, in order.
//!
//! It is the ground truth a test reads to prove "charged exactly once": an entry is written in the
//! same critical section as the state change that moves the money, before any response (or
//! injected fault) reaches the client.

use farepoint_core::money::Money;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The provider a movement belongs to: the same names Farepoint uses.
pub use farepoint_core::payment::Provider;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Charge,
    Refund,
}

/// One movement of money.
///
/// `reference` is the client's reference: ATRIP `orderNo`, Travelport record locator, Holiday
/// Extras `paymentId`, HeiPay `ref_number`. `secondary_reference` is the second one where the
/// provider has it: Travelport `Payment.id`, Holiday Extras `paymentReference`. `provider_id` is
/// the provider's own identifier for the movement (ATRIP payment serial, Travelport Payment
/// identifier, Holiday Extras `id` / refund id, HeiPay terminal-payment id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub seq: u64,
    pub provider: Provider,
    pub kind: EntryKind,
    pub amount_minor: i64,
    pub currency: String,
    /// The same amount in major units, exact ("12.30"), for reading.
    pub amount: String,
    pub reference: String,
    pub secondary_reference: Option<String>,
    pub provider_id: String,
    /// deposit, vcc, byoa, mor, card, cash, token.
    pub method: String,
    pub card_last4: Option<String>,
    pub at_ms: i64,
    pub at: String,
}

/// What a handler supplies; the ledger adds sequence and time.
pub(crate) struct NewEntry {
    pub provider: Provider,
    pub kind: EntryKind,
    pub amount: Money,
    pub reference: String,
    pub secondary_reference: Option<String>,
    pub provider_id: String,
    pub method: &'static str,
    pub card_last4: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Ledger {
    entries: Vec<LedgerEntry>,
}

impl Ledger {
    pub(crate) fn record(&mut self, new: NewEntry) -> &LedgerEntry {
        let now = OffsetDateTime::now_utc();
        let entry = LedgerEntry {
            seq: self.entries.len() as u64 + 1,
            provider: new.provider,
            kind: new.kind,
            amount_minor: new.amount.minor,
            currency: new.amount.currency.code().to_string(),
            amount: new.amount.to_major_string(),
            reference: new.reference,
            secondary_reference: new.secondary_reference,
            provider_id: new.provider_id,
            method: new.method.to_string(),
            card_last4: new.card_last4,
            at_ms: (now.unix_timestamp_nanos() / 1_000_000) as i64,
            at: now.format(&Rfc3339).unwrap_or_default(),
        };
        tracing::info!(
            provider = entry.provider.as_str(),
            kind = ?entry.kind,
            amount = %entry.amount,
            currency = %entry.currency,
            reference = %entry.reference,
            "ledger entry recorded"
        );
        self.entries.push(entry);
        self.entries.last().expect("just pushed")
    }

    pub(crate) fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }
}
