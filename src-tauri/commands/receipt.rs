//! A payment's receipt: read in the agent's language, saved as PDF in the receipts folder, or
//! emailed to the customer through the business's own mail server. The receipt, its PDF and its
//! email are all made in `farepoint_core::history::receipt`; these commands pick where each runs
//! and where the file goes.

use std::path::PathBuf;

use farepoint_core::business::{self, Business};
use farepoint_core::codes::{CodedError, ErrorCode};
use farepoint_core::history::receipt::{self, email, pdf, Issuing, Receipt, ReceiptRequest};
use farepoint_core::profile::Profile;
use farepoint_core::secrets::KeyringStore;
use farepoint_core::settings::{self, Hotel};
use farepoint_core::smtp::{self, SendError};
use farepoint_core::store::StoreError;
use serde::Serialize;
use tauri::{AppHandle, Manager, State};

use super::history::on_reader;
use super::settings::{blocking, flat};
use super::{bounded, CommandError, MAX_ID, MAX_SHORT};
use crate::AppState;

/// The names the desk knows its HeiPay hotels by, in the active profile (the Sandbox's are the
/// simulator's demo hotels).
pub async fn hotel_names(state: &AppState) -> Result<Vec<Hotel>, CommandError> {
    match state.profile {
        Profile::Sandbox => {
            use farepoint_sandbox::demo::heipay as demo;
            Ok(vec![
                Hotel { id: demo::HOTEL_ID, name: demo::HOTEL_NAME.into() },
                Hotel { id: demo::SECOND_HOTEL_ID, name: demo::SECOND_HOTEL_NAME.into() },
            ])
        }
        Profile::Production => state
            .settings
            .read(|c| settings::hotels(c).map_err(|e| StoreError::Corrupt(e.to_string())))
            .await
            .map_err(CommandError::storage),
    }
}

/// The receipt, and the business that issues it.
async fn build(
    state: &State<'_, AppState>,
    payment_id: String,
    request: ReceiptRequest,
) -> Result<(Receipt, Business), CommandError> {
    bounded("payment_id", &payment_id, MAX_ID)?;
    let business = flat(state.settings.read(|c| Ok(business::load(c))).await)?;
    let hotels = hotel_names(state).await?;
    let issuer = business.clone();
    let now_ms = farepoint_core::now_ms();
    let receipt = on_reader(state, move |c| {
        let issuing = Issuing { business: &issuer, hotels: &hotels, request, now_ms };
        receipt::receipt(c, &payment_id, &issuing)
    })
    .await?;
    Ok((receipt, business))
}

/// The receipt's PDF, made on a blocking thread (fonts are subset, the logo embedded).
async fn make_pdf(receipt: Receipt) -> Result<(Receipt, Vec<u8>), CommandError> {
    blocking(move || pdf::pdf(&receipt).map(|bytes| (receipt, bytes)))
        .await?
        .map_err(|e| CommandError::because(ErrorCode::ReceiptPdf, e))
}

/// Everything the receipt shows for one payment, in the language asked for.
#[tauri::command]
pub async fn payment_receipt(
    state: State<'_, AppState>,
    payment_id: String,
    request: ReceiptRequest,
) -> Result<Receipt, CommandError> {
    Ok(build(&state, payment_id, request).await?.0)
}

/// Where receipts are saved: a "Farepoint" folder in the desk user's Documents (or under the data
/// dir where there is none). One fixed place, named in the dialog, opened with "Open folder":
/// docs/ui.md §11 says why not a save dialog.
fn receipts_dir(app: &AppHandle, state: &AppState) -> PathBuf {
    app.path().document_dir().map(|d| d.join("Farepoint")).unwrap_or_else(|_| state.data_dir.join("receipts"))
}

#[derive(Debug, Serialize)]
pub struct SavedReceipt {
    pub path: String,
    pub folder: String,
}

/// Saves the receipt as PDF in the receipts folder (`.part`, then renamed).
#[tauri::command]
pub async fn save_receipt_pdf(
    app: AppHandle,
    state: State<'_, AppState>,
    payment_id: String,
    request: ReceiptRequest,
) -> Result<SavedReceipt, CommandError> {
    let (receipt, _) = build(&state, payment_id, request).await?;
    let (receipt, bytes) = make_pdf(receipt).await?;
    let dir = receipts_dir(&app, &state);
    let folder = dir.display().to_string();
    let path = blocking(move || receipt::save_pdf(&dir, &receipt, &bytes)).await?.map_err(|e| {
        CommandError::said(CodedError::new(ErrorCode::ReceiptSave).with("folder", &folder).with("reason", e))
    })?;
    tracing::info!(path = %path.display(), "receipt saved as PDF");
    Ok(SavedReceipt { path: path.display().to_string(), folder })
}

/// Opens the receipts folder in the desk's file manager. It opens only that folder: the window
/// names no path.
#[tauri::command]
pub async fn open_receipts_folder(app: AppHandle, state: State<'_, AppState>) -> Result<(), CommandError> {
    let dir = receipts_dir(&app, &state);
    let folder = dir.display().to_string();
    let failed = |reason: String| {
        CommandError::said(
            CodedError::new(ErrorCode::FolderOpen).with("folder", &folder).with("reason", reason),
        )
    };
    std::fs::create_dir_all(&dir).map_err(|e| failed(e.to_string()))?;
    let opener = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    // Not waited for: the file manager stays open after this answers.
    std::process::Command::new(opener).arg(&dir).spawn().map_err(|e| failed(format!("{opener}: {e}")))?;
    Ok(())
}

#[derive(Debug, Serialize)]
pub struct EmailedReceipt {
    pub to: String,
    pub server: String,
}

/// Emails the receipt, with its PDF, to `to` through the business's mail server. Sent once: what
/// the server answered is said as it is, and the agent decides whether to send again.
#[tauri::command]
pub async fn email_receipt(
    state: State<'_, AppState>,
    payment_id: String,
    request: ReceiptRequest,
    to: String,
) -> Result<EmailedReceipt, CommandError> {
    bounded("to", &to, MAX_SHORT)?;
    let refused = |e: SendError| CommandError::said(e.coded());
    email::recipient(&to).map_err(|e| CommandError::field("to", e.coded()))?;
    let smtp = flat(state.settings.read(|c| Ok(smtp::load(c))).await)?;
    if !smtp.is_set_up() {
        return Err(refused(SendError::NotSetUp));
    }
    let (receipt, business) = build(&state, payment_id, request).await?;
    let (receipt, pdf) = make_pdf(receipt).await?;
    let server = smtp.clone();
    let password = blocking(move || {
        if !server.needs_password() {
            return Ok(None);
        }
        smtp::password_for(&server, &KeyringStore::new()?)
    })
    .await?
    .map_err(refused)?;
    let message = email::message(&receipt, &smtp, &business, &to, pdf).map_err(|e| match &e {
        email::EmailError::To(_) => CommandError::field("to", e.coded()),
        email::EmailError::Build(_) => CommandError::said(e.coded()),
    })?;
    smtp::send(&smtp, password, message).await.map_err(|e| {
        tracing::warn!(reference = %receipt.reference, "receipt not emailed: {e}");
        refused(e)
    })?;
    tracing::info!(reference = %receipt.reference, server = %smtp.server(), "receipt emailed");
    Ok(EmailedReceipt { to: to.trim().to_string(), server: smtp.server() })
}
