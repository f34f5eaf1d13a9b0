//! An amount as the agent typed it, read by the core's one rule for typed amounts
//! (`Money::parse_typed`), so the window's confirm step shows what the core will send and
//! refuses what it would refuse — the window parses no amount itself.

use farepoint_core::money::Money;

use super::take::money;
use super::{bounded, CommandError, MAX_ID};

/// `text` in `currency` as minor units, or the field problem to show against `field`.
#[tauri::command]
pub fn read_amount(field: String, text: String, currency: String) -> Result<Money, CommandError> {
    bounded("field", &field, MAX_ID)?;
    bounded(&field, &text, MAX_ID)?;
    bounded("currency", &currency, MAX_ID)?;
    money(&field, &text, &currency)
}
