//! Settings → Business: the business receipts are issued by (name, address, tax number, contact,
//! logo) and the mail server receipts are emailed through, desk-wide in both profiles. The rules
//! live in `farepoint_core::business` and `farepoint_core::smtp`; the mail server's password goes
//! to the OS keyring only, on a blocking thread (a locked keyring may prompt).

use farepoint_core::business::{self, Business, BusinessInput};
use farepoint_core::secrets::{KeyringStore, SecretStore, SecretString};
use farepoint_core::settings::SettingsError;
use farepoint_core::smtp::{self, SecurityChoice, Smtp, SmtpInput};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::settings::{blocking, flat, keyring_check, keyring_unavailable, settings_error};
use super::{bounded, CommandError, MAX_SHORT, MAX_TEXT};
use crate::AppState;

/// What Settings → Business shows, with the choices and limits the window draws its form from.
#[derive(Debug, Serialize)]
pub struct BusinessPage {
    pub business: Business,
    pub smtp: Smtp,
    /// Whether the mail server's password is in the keyring; `None` when it cannot be read.
    pub password_stored: Option<bool>,
    pub securities: Vec<SecurityChoice>,
    pub limits: Limits,
}

#[derive(Debug, Serialize)]
pub struct Limits {
    pub logo_bytes: usize,
    pub logo_types: [&'static str; 2],
    pub address_lines: usize,
}

/// Reads both, and whether the password is stored (from the keyring, when it works).
async fn page(state: &AppState) -> Result<BusinessPage, CommandError> {
    let (business, smtp) =
        flat(state.settings.read(|c| Ok(business::load(c).and_then(|b| Ok((b, smtp::load(c)?))))).await)?;
    let keyring_ok = keyring_check(state).await?.is_ok();
    let password_stored = if keyring_ok {
        blocking(|| KeyringStore::new().ok().and_then(|k| k.contains(&smtp::password_key()).ok())).await?
    } else {
        None
    };
    Ok(BusinessPage {
        business,
        smtp,
        password_stored,
        securities: smtp::security_choices(),
        limits: Limits {
            logo_bytes: business::LOGO_MAX_BYTES,
            logo_types: [business::LogoKind::Png.mime(), business::LogoKind::Jpeg.mime()],
            address_lines: business::ADDRESS_LINES,
        },
    })
}

#[tauri::command]
pub async fn business_settings(state: State<'_, AppState>) -> Result<BusinessPage, CommandError> {
    page(&state).await
}

#[derive(Debug, Deserialize)]
pub struct BusinessRequest {
    name: String,
    address: String,
    tax_label: String,
    tax_number: String,
    phone: String,
    email: String,
}

#[tauri::command]
pub async fn save_business(
    state: State<'_, AppState>,
    business: BusinessRequest,
) -> Result<BusinessPage, CommandError> {
    for (field, value) in [
        ("name", &business.name),
        ("tax_label", &business.tax_label),
        ("tax_number", &business.tax_number),
        ("phone", &business.phone),
        ("email", &business.email),
    ] {
        bounded(field, value, MAX_SHORT)?;
    }
    bounded("address", &business.address, MAX_TEXT)?;
    let input = BusinessInput {
        name: business.name,
        address: business.address,
        tax_label: business.tax_label,
        tax_number: business.tax_number,
        phone: business.phone,
        email: business.email,
    };
    let now = farepoint_core::now_ms();
    flat(state.settings.write(move |c| Ok(business::save(c, &input, now))).await)?;
    tracing::info!("the business's details saved");
    page(&state).await
}

/// The logo's bytes as base64, as the window read them from the file the agent picked.
#[tauri::command]
pub async fn set_business_logo(
    state: State<'_, AppState>,
    data: String,
) -> Result<BusinessPage, CommandError> {
    // The isolation hook bounds the message; this bounds what is decoded.
    bounded("logo", &data, business::LOGO_MAX_BYTES * 4 / 3 + 4)?;
    let now = farepoint_core::now_ms();
    flat(state.settings.write(move |c| Ok(business::set_logo_base64(c, &data, now))).await)?;
    tracing::info!("the business's logo saved");
    page(&state).await
}

#[tauri::command]
pub async fn remove_business_logo(state: State<'_, AppState>) -> Result<BusinessPage, CommandError> {
    let now = farepoint_core::now_ms();
    flat(state.settings.write(move |c| Ok(business::remove_logo(c, now))).await)?;
    page(&state).await
}

#[derive(Debug, Deserialize)]
pub struct SmtpRequest {
    host: String,
    port: String,
    security: String,
    username: String,
    from: String,
}

#[tauri::command]
pub async fn save_smtp(state: State<'_, AppState>, smtp: SmtpRequest) -> Result<BusinessPage, CommandError> {
    for (field, value) in [
        ("host", &smtp.host),
        ("port", &smtp.port),
        ("security", &smtp.security),
        ("username", &smtp.username),
        ("from", &smtp.from),
    ] {
        bounded(field, value, MAX_SHORT)?;
    }
    let input = SmtpInput {
        host: smtp.host,
        port: smtp.port,
        security: smtp.security,
        username: smtp.username,
        from: smtp.from,
    };
    let now = farepoint_core::now_ms();
    flat(state.settings.write(move |c| Ok(smtp::save(c, &input, now))).await)?;
    tracing::info!("the mail server for receipts saved");
    page(&state).await
}

/// Stores the mail server's password in the OS keyring; it is never echoed, logged or part of an
/// error (only its length, when it is too long).
#[tauri::command]
pub async fn store_smtp_password(
    state: State<'_, AppState>,
    value: String,
) -> Result<BusinessPage, CommandError> {
    let length = value.chars().count();
    if length > MAX_TEXT {
        return Err(CommandError::too_long("password", length, MAX_TEXT));
    }
    let value = SecretString::from(value);
    if let Err(problem) = keyring_check(&state).await? {
        return Err(keyring_unavailable(problem));
    }
    let smtp = flat(state.settings.read(|c| Ok(smtp::load(c))).await)?;
    blocking(move || {
        let keyring = KeyringStore::new().map_err(SettingsError::from)?;
        smtp::store_password(&smtp, &keyring, value)
    })
    .await?
    .map_err(settings_error)?;
    tracing::info!("the mail server's password stored in the OS keyring");
    page(&state).await
}

#[tauri::command]
pub async fn forget_smtp_password(state: State<'_, AppState>) -> Result<BusinessPage, CommandError> {
    if let Err(problem) = keyring_check(&state).await? {
        return Err(keyring_unavailable(problem));
    }
    blocking(|| {
        let keyring = KeyringStore::new().map_err(SettingsError::from)?;
        smtp::forget_password(&keyring)
    })
    .await?
    .map_err(settings_error)?;
    tracing::info!("the mail server's password removed from the OS keyring");
    page(&state).await
}
