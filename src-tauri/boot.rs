//! Start-up: where data and logs live, logging, the one-app-per-history lock, the database, the
//! profile, the keyring check. Whatever stops the start is a `StartupFault` the window explains.

use std::path::PathBuf;
use std::sync::Arc;

use farepoint_core::agents::Desk;
use farepoint_core::desk_lock::DeskLock;

use farepoint_core::engine::{Clients, Engine};
use farepoint_core::logging;
use farepoint_core::profile::{self, Profile};
use farepoint_core::providers::http::Timeouts;
use farepoint_core::seal::Sealing;
use farepoint_core::secrets::{self, KeyringStore, SecretStore};
use farepoint_core::settings::{self, SettingsError};
use farepoint_core::store::{Store, StoreError};
use farepoint_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use tauri::{AppHandle, Manager};
use tokio::sync::watch;

/// The keyring self-check result: `None` while it runs, then OK or the plain-language problem.
pub type KeyringCheck = Option<Result<(), String>>;

pub struct AppState {
    /// The active profile's payment history (the engine's store).
    pub store: Store,
    /// The main file: settings of both profiles, the app's preferences, and Production's history.
    pub settings: Store,
    pub engine: Engine,
    /// The desk's agents and who is at the desk (kept in the main file, whichever the profile).
    pub desk: Desk,
    pub profile: Profile,
    /// The in-process simulator while the Sandbox profile is active.
    pub sandbox: Option<RunningSandbox>,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
    pub keyring: watch::Receiver<KeyringCheck>,
    /// Keeps the log writer alive for the life of the app.
    _log_guard: logging::LogGuard,
    /// This app is the only one on this history while it holds this.
    _desk_lock: DeskLock,
}

/// Why Farepoint could not start, in words for the person at the desk: what happened and what to
/// do. Shown in the window (and printed on standard error); nothing was recovered, polled or sent.
#[derive(Debug, Clone)]
pub struct StartupFault {
    pub message: String,
}

impl std::fmt::Display for StartupFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl StartupFault {
    fn new(message: impl Into<String>) -> Self {
        StartupFault { message: message.into() }
    }

    fn history(e: StoreError, data_dir: &std::path::Path) -> Self {
        StartupFault::new(e.explain(data_dir))
    }
}

/// `FAREPOINT_DATA_DIR` / `FAREPOINT_LOG_DIR` override the OS locations (tests, portable use).
fn dirs(app: &AppHandle) -> tauri::Result<(PathBuf, PathBuf)> {
    let data_dir = match std::env::var_os("FAREPOINT_DATA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => app.path().app_data_dir()?,
    };
    let log_dir = match std::env::var_os("FAREPOINT_LOG_DIR") {
        Some(dir) => PathBuf::from(dir),
        None if std::env::var_os("FAREPOINT_DATA_DIR").is_some() => data_dir.join("logs"),
        None => app.path().app_log_dir()?,
    };
    Ok((data_dir, log_dir))
}

/// The Production clients from Settings and the OS keyring. A provider that is not fully set up
/// gets no client (the engine answers NotConfigured and the Settings page says what to add), so
/// gaps are warnings here, never a failed start. The keyring is read on this thread: the window
/// has not painted yet, and a locked keyring asks in the system's own dialog.
fn production_clients(store: &Store) -> Clients {
    let loaded = store.read_blocking(|c| Ok(settings::load(c))).map_err(SettingsError::from).and_then(|r| r);
    let production = match loaded {
        Ok(production) => production,
        Err(e) => {
            tracing::error!("could not read the Production settings, starting with no provider: {e}");
            return Clients::default();
        }
    };
    let keyring = KeyringStore::new()
        .inspect_err(|e| tracing::warn!("no OS keyring, starting with no provider: {e}"))
        .ok();
    let (clients, problems) =
        production.clients(keyring.as_ref().map(|k| k as &dyn SecretStore), Timeouts::default());
    // Problems name fields and what to do, never a value.
    for problem in &problems {
        tracing::warn!("not set up: {problem}");
    }
    clients
}

pub fn start(app: &AppHandle) -> Result<AppState, StartupFault> {
    let (data_dir, log_dir) =
        dirs(app).map_err(|e| StartupFault::new(format!("Farepoint could not find its data folder: {e}")))?;
    let log_guard = logging::init(&log_dir, "farepoint").map_err(|e| {
        StartupFault::new(format!(
            "Farepoint could not write its log in {} ({e}) — check that the folder can be written",
            log_dir.display()
        ))
    })?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %data_dir.display(), "Farepoint starting");

    // Before anything reads the history: a second Farepoint on it must not recover, poll or pay.
    let desk_lock = DeskLock::acquire_within(&data_dir, std::time::Duration::from_secs(5))
        .map_err(|e| StartupFault::new(e.to_string()))?;
    // Each history is sealed with its profile's key (the keyring's for Production), its newest
    // seal kept in the keyring too; without a keyring the Sandbox still works.
    let keyring: Option<Arc<dyn SecretStore>> = KeyringStore::new()
        .inspect_err(|e| tracing::warn!("no OS keyring for the history's seal: {e}"))
        .ok()
        .map(|k| Arc::new(k) as Arc<dyn SecretStore>);
    let sealing = |profile| Sealing::for_profile(profile, keyring.clone());
    let settings = Store::open_in_sealed(&data_dir, &sealing(Profile::Production))
        .map_err(|e| StartupFault::history(e, &data_dir))?;
    let profile =
        settings.read_blocking(|c| profile::active(c)).map_err(|e| StartupFault::history(e, &data_dir))?;
    tracing::info!(%profile, "active profile");
    // Each profile has a history of its own (ARCHITECTURE.md): a payment is only ever followed up
    // with the clients of the profile it was taken in, and never counted in the other's totals.
    match profile::move_legacy_sandbox_payments(&settings, &data_dir) {
        Ok(0) => {}
        Ok(n) => tracing::info!(count = n, "Sandbox payments moved to the Sandbox history"),
        Err(e) => return Err(StartupFault::history(e, &data_dir)),
    }
    let store = match profile {
        Profile::Production => settings.clone(),
        Profile::Sandbox => {
            let dir = profile::history_dir(&data_dir, Profile::Sandbox);
            Store::open_in_sealed(&dir, &sealing(Profile::Sandbox))
                .map_err(|e| StartupFault::history(e, &dir))?
        }
    };

    let (clients, sandbox) = match profile {
        Profile::Sandbox => {
            let simulator = |e: &dyn std::fmt::Display| {
                StartupFault::new(format!("Farepoint could not start its Sandbox simulator: {e}"))
            };
            let sandbox = Sandbox::start(SandboxConfig::default()).map_err(|e| simulator(&e))?;
            tracing::info!(url = %sandbox.base_url(), "sandbox simulator running");
            let clients = farepoint_sandbox::profile::clients(&sandbox, Timeouts::default())
                .map_err(|e| simulator(&e))?;
            (clients, Some(sandbox))
        }
        Profile::Production => (production_clients(&settings), None),
    };
    let engine = Engine::new(store.clone(), profile.as_str(), clients, Default::default());
    // Agents belong to the desk, not to a profile: the main file keeps them (docs/agents.md).
    let desk = Desk::open(settings.clone()).map_err(|e| StartupFault::history(e, &data_dir))?;
    engine.at_desk(desk.clone());
    let starting = engine.clone();
    tauri::async_runtime::spawn(async move {
        // Attempts a crash left in flight are reconciled before anything new is taken.
        match starting.recover().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(count = n, "payments interrupted by the last stop are being reconciled"),
            Err(e) => tracing::error!("start-up reconciliation failed: {e}"),
        }
        starting.spawn_poller();
    });

    // A keyring may block (a locked keyring prompts for its password): never on the UI thread.
    let (keyring_tx, keyring) = watch::channel(None);
    tauri::async_runtime::spawn_blocking(move || {
        let result = KeyringStore::new().and_then(|store| secrets::self_check(&store));
        match &result {
            Ok(()) => tracing::info!("OS keyring self-check passed"),
            Err(e) => tracing::warn!("OS keyring self-check failed: {e}"),
        }
        let _ = keyring_tx.send(Some(result.map_err(|e| e.to_string())));
    });

    Ok(AppState {
        store,
        settings,
        engine,
        desk,
        profile,
        sandbox,
        data_dir,
        log_dir,
        keyring,
        _log_guard: log_guard,
        _desk_lock: desk_lock,
    })
}
