//! "Test connection" (Settings → Production): a provider's saved settings and credentials,
//! tested with its one harmless call. The rules — which call, what its answer proves, how a
//! failure is said — live in `farepoint_core::settings::connection`; this builds the client on a
//! blocking thread (the keyring may prompt), runs the call and keeps the result.

use farepoint_core::settings::connection::{self, ConnectionTest, TEST_TIMEOUTS};
use farepoint_core::settings::{self, Coded};
use tauri::State;

use super::settings::{as_store, blocking, flat, keyring, keyring_check, keyring_unavailable, provider};
use super::CommandError;
use crate::AppState;

/// Tests one provider's Production settings and keeps the result as its last test. Production's
/// own settings whichever profile is active: a desk prepares Production from the Sandbox.
#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    provider: String,
) -> Result<ConnectionTest, CommandError> {
    let provider = self::provider(&provider)?;
    if let Err(problem) = keyring_check(&state).await? {
        return Err(keyring_unavailable(problem));
    }
    let production = flat(state.settings.read(|c| Ok(settings::load(c))).await)?;
    let prepared =
        blocking(move || connection::prepare(&production, as_store(&keyring(true)), provider, TEST_TIMEOUTS))
            .await?
            .map_err(|coded: Coded| {
                let english = coded.english(provider);
                CommandError::coded(&coded, english)
            })?;
    let test = prepared.run().await;
    let kept = test.clone();
    flat(state.settings.write(move |c| Ok(connection::keep(c, &kept))).await)?;
    Ok(test)
}
