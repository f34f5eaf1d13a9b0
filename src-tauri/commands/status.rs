//! `app_status`: what the frame and the Settings view show about this installation.
//! `ui_ready`: the UI's "first usable paint" marker, which `cargo xtask bench startup` times.
//! `startup_fault`: why Farepoint could not start, when it could not.

use farepoint_core::settings::{Code, Coded};
use serde::Serialize;
use tauri::State;

use super::CommandError;
use crate::AppState;

/// The keyring self-check as the window shows it: the English message, and when it failed the
/// code the window says it by (the reason, with its fix, stays the OS's words in English).
#[derive(Debug, Serialize)]
pub struct KeyringStatus {
    pub ok: bool,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Coded>,
}

impl KeyringStatus {
    pub fn of(check: &Result<(), String>) -> Self {
        match check {
            Ok(()) => KeyringStatus {
                ok: true,
                message: "Working — credentials are stored in the OS keyring".into(),
                problem: None,
            },
            Err(problem) => KeyringStatus {
                ok: false,
                message: problem.clone(),
                problem: Some(Coded::new(Code::KeyringCheckFailed).with("reason", problem)),
            },
        }
    }
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
    /// `None` while the start-up keyring check is still running.
    pub keyring: Option<KeyringStatus>,
    /// "en" or "es".
    pub locale: String,
    /// Sandbox data worth trying, beside the forms (`farepoint_sandbox::demo::hints`).
    pub demo: Vec<farepoint_sandbox::demo::Hint>,
    /// Decimals of each currency's minor unit (ISO 4217): the window formats amounts by these.
    pub currency_decimals: std::collections::BTreeMap<&'static str, u32>,
    /// What the window offers to choose from: providers, statuses, currencies, agents.
    pub catalog: farepoint_core::catalog::Catalog,
    /// The desk's agents and who is at the desk (the rail's switch).
    pub agents: farepoint_core::agents::DeskView,
}

/// What stopped the start (another Farepoint on this history, a damaged or newer history …), in
/// words for the desk; `None` when Farepoint started. The window asks only when its first call
/// failed.
#[tauri::command]
pub fn startup_fault(app: tauri::AppHandle) -> Option<String> {
    use tauri::Manager;
    app.try_state::<crate::boot::StartupFault>().map(|f| f.message.clone())
}

/// The frame's facts. Answers at once: the keyring check is `null` while it still runs (the
/// Settings view waits for it through `get_settings`), so the first paint never waits on it.
#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, CommandError> {
    let keyring = state.keyring.borrow().as_ref().map(KeyringStatus::of);
    let locale = state
        .settings
        .read(|c| farepoint_core::store::get_setting(c, "app", "locale"))
        .await
        .map_err(CommandError::storage)?
        .unwrap_or_else(|| "en".into());
    let demo = if state.sandbox.is_some() { farepoint_sandbox::demo::hints() } else { Vec::new() };
    let catalog = state
        .engine
        .catalog()
        .with_history(&state.store)
        .await
        .map_err(CommandError::storage)?
        .with_desk(&state.desk);
    Ok(AppStatus {
        version: env!("CARGO_PKG_VERSION"),
        profile: state.profile.to_string(),
        locale,
        data_dir: state.data_dir.display().to_string(),
        log_dir: state.log_dir.display().to_string(),
        database: state.store.path().display().to_string(),
        sandbox: state.sandbox.as_ref().map(|s| s.base_url()),
        keyring,
        demo,
        currency_decimals: farepoint_core::money::currency_decimals(),
        catalog,
        agents: state.desk.view(),
    })
}

/// Called once by the UI, two animation frames after the Take-payment view is rendered and its
/// first form is interactive. With `FAREPOINT_READY_FILE` set (the start-up benchmark sets it),
/// appends the wall-clock time in milliseconds since the Unix epoch as a line to that file.
/// Synchronous and argument-free so the timestamp is taken as soon as the call arrives.
#[tauri::command]
pub fn ui_ready() {
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis();
    let Some(path) = std::env::var_os("FAREPOINT_READY_FILE") else {
        tracing::debug!(epoch_ms = %now, "UI ready");
        return;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| std::io::Write::write_all(&mut file, format!("{now}\n").as_bytes()));
    match written {
        Ok(()) => tracing::debug!(epoch_ms = %now, "UI ready (marker written)"),
        Err(e) => tracing::warn!(
            "could not write the UI-ready marker to {}: {e}",
            std::path::Path::new(&path).display()
        ),
    }
}
