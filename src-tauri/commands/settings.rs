//! Settings (issue 5): both profiles' provider settings, write-only credentials in the OS keyring,
//! the active profile and the app's preferences. The rules live in `farepoint_core::settings`.
//!
//! Keyring calls may block (a locked keyring prompts), so they run on blocking threads. A
//! credential arrives as a plain string over IPC and becomes a `SecretString` at once; it is
//! never echoed, logged or part of an error.

use std::collections::HashMap;

use farepoint_core::codes::{CodedError, ErrorCode};
use farepoint_core::payment::Provider;
use farepoint_core::profile::{self, Profile};
use farepoint_core::secrets::{KeyringStore, SecretStore, SecretString};
use farepoint_core::settings::{
    self, Code, Coded, Hotel, ProductionSettings, ProfileView, ProviderView, SettingsError,
};
use farepoint_core::store::StoreError;
use farepoint_sandbox::demo;
use serde::Serialize;
use tauri::{AppHandle, State};

use super::status::KeyringStatus;
use super::CommandError;
use crate::AppState;

#[derive(Debug, Serialize)]
pub struct SettingsPage {
    pub active_profile: Profile,
    pub locale: String,
    pub keyring: KeyringStatus,
    /// Sandbox first, then Production.
    pub profiles: Vec<ProfileView>,
}

/// The refusal by its code (translated by the window), each invalid value under its field.
pub(super) fn settings_error(e: SettingsError) -> CommandError {
    if let SettingsError::Store(s) = &e {
        tracing::error!("storage error behind a settings command: {s}");
    }
    let coded = e.coded();
    if let SettingsError::Invalid { field, message, .. } = &e {
        let mut error = CommandError::field_coded(field, coded.code.as_str(), coded.params, message);
        error.code = Code::InvalidSetting.as_str();
        return error;
    }
    CommandError::coded(&coded, e)
}

/// The keyring self-check failed: nothing can be stored or forgotten.
pub(super) fn keyring_unavailable(problem: String) -> CommandError {
    CommandError::coded(&Coded::new(Code::KeyringUnavailable).with("reason", &problem), problem)
}

/// A store job's two layers of error as one.
pub(super) fn flat<T>(result: Result<Result<T, SettingsError>, StoreError>) -> Result<T, CommandError> {
    result.map_err(SettingsError::from).and_then(|r| r).map_err(settings_error)
}

fn provider(name: &str) -> Result<Provider, CommandError> {
    name.parse().map_err(|_: String| {
        let ids: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
        CommandError::said(CodedError::unknown_name(ErrorCode::UnknownProvider, name, &ids))
    })
}

/// A profile by its name, or the refusal naming the two there are.
fn profile_named(name: &str) -> Result<Profile, CommandError> {
    name.parse().map_err(|_: String| {
        let names = [Profile::Sandbox.as_str(), Profile::Production.as_str()];
        CommandError::said(CodedError::unknown_name(ErrorCode::UnknownProfile, name, &names))
    })
}

/// Settings are written to Production; naming the Sandbox is refused with the reason.
fn target(profile: Option<String>) -> Result<Profile, CommandError> {
    let profile = match profile {
        None => Profile::Production,
        Some(name) => profile_named(&name)?,
    };
    match profile {
        Profile::Production => Ok(profile),
        Profile::Sandbox => Err(settings_error(SettingsError::ReadOnly)),
    }
}

/// The start-up keyring self-check, once it has finished: OK, or the problem with its fix.
pub(super) async fn keyring_check(state: &AppState) -> Result<Result<(), String>, CommandError> {
    let mut keyring = state.keyring.clone();
    let check = keyring
        .wait_for(Option::is_some)
        .await
        .map_err(|_| CommandError::said(CodedError::new(ErrorCode::KeyringCheckLost)))?
        .clone();
    Ok(check.unwrap_or(Ok(())))
}

/// The OS keyring when the self-check passed; `None` makes the view say the keyring is not working.
fn keyring(check_ok: bool) -> Option<KeyringStore> {
    check_ok.then(KeyringStore::new).and_then(Result::ok)
}

fn as_store(keyring: &Option<KeyringStore>) -> Option<&dyn SecretStore> {
    keyring.as_ref().map(|k| k as &dyn SecretStore)
}

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| CommandError::because(ErrorCode::Internal, format!("a keyring task failed: {e}")))
}

/// One provider of the Production view, reading the keyring on a blocking thread.
async fn provider_view(
    production: ProductionSettings,
    check_ok: bool,
    provider: Provider,
) -> Result<ProviderView, CommandError> {
    let view = blocking(move || production.view(as_store(&keyring(check_ok)))).await?;
    view.providers.into_iter().find(|p| p.provider == provider).ok_or_else(|| {
        CommandError::because(ErrorCode::Internal, "the provider is missing from the settings view")
    })
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<SettingsPage, CommandError> {
    let check = keyring_check(&state).await?;
    let read =
        state.settings.read(|c| Ok(settings::locale(c).and_then(|l| Ok((l, settings::load(c)?))))).await;
    let (locale, production) = flat(read)?;
    let check_ok = check.is_ok();
    let production = blocking(move || production.view(as_store(&keyring(check_ok)))).await?;
    let keyring = KeyringStatus::of(&check);
    Ok(SettingsPage {
        active_profile: state.profile,
        locale,
        keyring,
        profiles: vec![demo::settings_view(state.sandbox.as_ref()), production],
    })
}

/// Saves one provider's non-secret Production settings; fields left out keep their values,
/// `hotels` left out keeps the list. A removed hotel's card key is forgotten too.
/// Changes reach the running engine at the next start (`set_profile` restarts).
#[tauri::command]
pub async fn save_provider_settings(
    state: State<'_, AppState>,
    provider: String,
    values: HashMap<String, String>,
    hotels: Option<Vec<Hotel>>,
    profile: Option<String>,
) -> Result<ProviderView, CommandError> {
    if values.len() > super::MAX_ITEMS {
        return Err(CommandError::too_many("values", values.len()));
    }
    for (key, value) in &values {
        super::bounded("field", key, super::MAX_ID)?;
        super::bounded(key, value, super::MAX_TEXT)?;
    }
    if hotels.as_ref().is_some_and(|h| h.len() > super::MAX_ITEMS) {
        return Err(CommandError::too_many("hotels", hotels.as_ref().map_or(0, Vec::len)));
    }
    let provider = self::provider(&provider)?;
    let target = target(profile)?;
    let now = farepoint_core::now_ms();
    let removed = flat(
        state
            .settings
            .write(move |c| Ok(settings::save(c, target, provider, &values, hotels.as_deref(), now)))
            .await,
    )?;
    tracing::info!(provider = provider.as_str(), "Production settings saved");
    let check_ok = keyring_check(&state).await?.is_ok();
    if !removed.is_empty() && check_ok {
        blocking(move || {
            let Some(keyring) = keyring(true) else { return };
            for id in removed {
                let field = format!("card_key/{id}");
                // The hotel is gone from the list either way; a key left behind is only untidy.
                if let Err(e) = settings::forget_credential(&keyring, target, provider, &field) {
                    tracing::warn!(hotel = id, "could not forget a removed hotel's card key: {e}");
                }
            }
        })
        .await?;
    }
    let production = flat(state.settings.read(|c| Ok(settings::load(c))).await)?;
    provider_view(production, check_ok, provider).await
}

#[tauri::command]
pub async fn store_credential(
    state: State<'_, AppState>,
    provider: String,
    field: String,
    value: String,
    profile: Option<String>,
) -> Result<ProviderView, CommandError> {
    super::bounded("field", &field, super::MAX_ID)?;
    // Never the value in the message: only how long it is.
    let length = value.chars().count();
    if length > super::MAX_TEXT {
        return Err(CommandError::too_long(&field, length, super::MAX_TEXT));
    }
    let value = SecretString::from(value);
    let provider = self::provider(&provider)?;
    let target = target(profile)?;
    if let Err(problem) = keyring_check(&state).await? {
        return Err(keyring_unavailable(problem));
    }
    let production = flat(state.settings.read(|c| Ok(settings::load(c))).await)?;
    let stored = production.clone();
    let name = field.clone();
    blocking(move || {
        let keyring = KeyringStore::new().map_err(SettingsError::from)?;
        settings::store_credential(&stored, &keyring, target, provider, &name, value)
    })
    .await?
    .map_err(settings_error)?;
    tracing::info!(provider = provider.as_str(), field = %field, "credential stored in the OS keyring");
    provider_view(production, true, provider).await
}

#[tauri::command]
pub async fn forget_credential(
    state: State<'_, AppState>,
    provider: String,
    field: String,
    profile: Option<String>,
) -> Result<ProviderView, CommandError> {
    let provider = self::provider(&provider)?;
    let target = target(profile)?;
    if let Err(problem) = keyring_check(&state).await? {
        return Err(keyring_unavailable(problem));
    }
    let name = field.clone();
    blocking(move || {
        let keyring = KeyringStore::new().map_err(SettingsError::from)?;
        settings::forget_credential(&keyring, target, provider, &name)
    })
    .await?
    .map_err(settings_error)?;
    tracing::info!(provider = provider.as_str(), field = %field, "credential removed from the OS keyring");
    let production = flat(state.settings.read(|c| Ok(settings::load(c))).await)?;
    provider_view(production, true, provider).await
}

/// Stores the choice and restarts into it. A restart rather than a swap in place: the engine, its
/// poller, the clients and (for Sandbox) the in-process simulator all belong to one profile, and
/// payments in flight are journaled, so a clean start is the one path that is always consistent.
/// Choosing the active profile again restarts too, which applies changed Production settings.
#[tauri::command]
pub async fn set_profile(
    app: AppHandle,
    state: State<'_, AppState>,
    profile: String,
) -> Result<(), CommandError> {
    let profile = profile_named(&profile)?;
    let refusal = state.store.read(|c| profile::switch_refusal(c)).await.map_err(CommandError::storage)?;
    if let Some(refusal) = refusal {
        return Err(CommandError::said(refusal));
    }
    let now = farepoint_core::now_ms();
    state
        .settings
        .write(move |c| profile::set_active(c, profile, now))
        .await
        .map_err(|e| settings_error(e.into()))?;
    tracing::info!(%profile, "profile chosen; restarting");
    // Lets this command answer, then exits through the normal Exit events and starts again.
    app.request_restart();
    Ok(())
}

#[tauri::command]
pub async fn set_preference(
    state: State<'_, AppState>,
    key: String,
    value: String,
) -> Result<(), CommandError> {
    super::bounded("key", &key, super::MAX_ID)?;
    super::bounded(&key, &value, super::MAX_SHORT)?;
    let now = farepoint_core::now_ms();
    flat(state.settings.write(move |c| Ok(settings::set_preference(c, &key, &value, now))).await)
}
