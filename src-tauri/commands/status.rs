//! `app_status`: what the frame and the Settings view show about this installation.

use serde::Serialize;
use tauri::State;

use super::CommandError;
use crate::AppState;

#[derive(Debug, Serialize)]
pub struct KeyringStatus {
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct AppStatus {
    pub version: &'static str,
    pub profile: String,
    pub data_dir: String,
    pub log_dir: String,
    pub database: String,
    /// The in-process simulator's address while the Sandbox profile is active.
    pub sandbox: Option<String>,
    pub keyring: KeyringStatus,
}

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, CommandError> {
    let mut keyring = state.keyring.clone();
    let check = keyring
        .wait_for(Option::is_some)
        .await
        .map_err(|_| CommandError::new("keyring_check_lost", "the keyring check stopped unexpectedly"))?
        .clone();
    let keyring = match check {
        Some(Ok(())) => {
            KeyringStatus { ok: true, message: "Working — credentials are stored in the OS keyring".into() }
        }
        Some(Err(problem)) => KeyringStatus { ok: false, message: problem },
        None => unreachable!("waited for the check to finish"),
    };
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION"),
        profile: state.profile.to_string(),
        data_dir: state.data_dir.display().to_string(),
        log_dir: state.log_dir.display().to_string(),
        database: state.store.path().display().to_string(),
        sandbox: state.sandbox.as_ref().map(|s| s.base_url()),
        keyring,
    })
}
