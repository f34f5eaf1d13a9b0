//! One payment in the Payments view: its full record and the actions that apply to it. The
//! engine decides whether an action is allowed, and each record carries the actions it allows now
//! (`farepoint_core::actions`, computed in the core); these commands only adapt the input.

use farepoint_core::card::CardEntry;
use farepoint_core::codes::{CodedError, ErrorCode};
use farepoint_core::engine::PaymentRecord;
use farepoint_core::payment::Status;
use serde::Serialize;
use tauri::State;

use super::take::{card, money, AtripRequest, FopRequest};
use super::{bounded, CommandError, MAX_ID, MAX_TEXT};
use crate::AppState;

#[tauri::command]
pub async fn payment_detail(
    state: State<'_, AppState>,
    payment_id: String,
) -> Result<PaymentRecord, CommandError> {
    bounded("payment_id", &payment_id, MAX_ID)?;
    Ok(state.engine.record(&payment_id).await?)
}

/// Asks the provider now instead of waiting for the next scheduled look.
#[tauri::command]
pub async fn poll_now(state: State<'_, AppState>, payment_id: String) -> Result<PaymentRecord, CommandError> {
    bounded("payment_id", &payment_id, MAX_ID)?;
    Ok(state.engine.poll_now(&payment_id).await?)
}

/// What the agent found in the provider's portal for a payment under review.
#[tauri::command]
pub async fn resolve_review(
    state: State<'_, AppState>,
    payment_id: String,
    outcome: Status,
    note: String,
) -> Result<PaymentRecord, CommandError> {
    bounded("payment_id", &payment_id, MAX_ID)?;
    bounded("note", &note, MAX_TEXT)?;
    Ok(state.engine.resolve_review(&payment_id, outcome, &note).await?)
}

/// After ATRIP's ticketing failed with a code that allows it: a new order replacing the old one,
/// its number answered for the Take view to load and pay as a new payment.
#[tauri::command]
pub async fn regenerate_atrip(
    state: State<'_, AppState>,
    payment_id: String,
) -> Result<String, CommandError> {
    bounded("payment_id", &payment_id, MAX_ID)?;
    Ok(state.engine.regenerate_atrip(&payment_id).await?)
}

#[tauri::command]
pub async fn retry_atrip(
    state: State<'_, AppState>,
    payment_id: String,
    request: AtripRequest,
) -> Result<PaymentRecord, CommandError> {
    bounded("payment_id", &payment_id, MAX_ID)?;
    Ok(state.engine.retry_atrip(&payment_id, request.into_payment()?).await?)
}

#[tauri::command]
pub async fn retry_travelport(
    state: State<'_, AppState>,
    payment_id: String,
    fop: FopRequest,
) -> Result<PaymentRecord, CommandError> {
    bounded("payment_id", &payment_id, MAX_ID)?;
    Ok(state.engine.retry_travelport(&payment_id, fop.into_fop()?).await?)
}

/// Holiday Extras charges the same token again, under a new payment id.
#[tauri::command]
pub async fn retry_holidayextras(
    state: State<'_, AppState>,
    payment_id: String,
) -> Result<PaymentRecord, CommandError> {
    bounded("payment_id", &payment_id, MAX_ID)?;
    Ok(state.engine.retry_holidayextras(&payment_id).await?)
}

#[tauri::command]
pub async fn retry_heipay(
    state: State<'_, AppState>,
    payment_id: String,
    card_entry: CardEntry,
) -> Result<PaymentRecord, CommandError> {
    bounded("payment_id", &payment_id, MAX_ID)?;
    let card = card(card_entry)?;
    Ok(state.engine.retry_heipay(&payment_id, card).await?)
}

/// Refunds in full, or the amount given (in the payment's currency).
#[tauri::command]
pub async fn refund_holidayextras(
    state: State<'_, AppState>,
    payment_id: String,
    amount: Option<String>,
) -> Result<PaymentRecord, CommandError> {
    bounded("payment_id", &payment_id, MAX_ID)?;
    super::bounded_opt("amount", amount.as_deref(), MAX_ID)?;
    let amount = match amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(text) => {
            let record = state.engine.record(&payment_id).await?;
            Some(money("amount", text, record.payment.amount.currency.code())?)
        }
    };
    Ok(state.engine.refund_holidayextras(&payment_id, amount).await?)
}

/// The agent's answer for an unclear refund, from the provider's portal: it was made or not.
#[tauri::command]
pub async fn resolve_refund(
    state: State<'_, AppState>,
    payment_id: String,
    refunded: bool,
    note: String,
) -> Result<PaymentRecord, CommandError> {
    bounded("payment_id", &payment_id, MAX_ID)?;
    bounded("note", &note, MAX_TEXT)?;
    Ok(state.engine.resolve_refund(&payment_id, refunded, &note).await?)
}

#[derive(Serialize)]
pub struct Voucher {
    content_type: String,
    /// The voucher as text (HTML or JSON) for the window to show in a sandboxed frame.
    body: String,
}

#[tauri::command]
pub async fn heipay_voucher(state: State<'_, AppState>, payment_id: String) -> Result<Voucher, CommandError> {
    bounded("payment_id", &payment_id, MAX_ID)?;
    let (content_type, bytes) = state.engine.heipay_voucher(&payment_id).await?;
    let body = String::from_utf8(bytes)
        .map_err(|_| CommandError::said(CodedError::new(ErrorCode::VoucherUnreadable)))?;
    Ok(Voucher { content_type, body })
}
