//! Provider credentials, kept only in the OS keyring (docs/design.md §6).
//!
//! Entries live under service `farepoint`, account `<profile>/<provider>/<field>`. The app uses
//! `KeyringStore`; `MemoryStore` exists for unit tests of code that needs *a* store. Values travel
//! as `SecretString`, which prints as a mask.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use keyring::credential::CredentialPersistence;
pub use secrecy::{ExposeSecret, SecretString};

/// The keyring service name every Farepoint entry is filed under.
pub const SERVICE: &str = "farepoint";

/// Identifies one secret: which profile, which provider, which field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CredentialKey {
    pub profile: String,
    pub provider: String,
    pub field: String,
}

impl CredentialKey {
    pub fn new(profile: &str, provider: &str, field: &str) -> Self {
        CredentialKey { profile: profile.into(), provider: provider.into(), field: field.into() }
    }

    /// The keyring account name: `<profile>/<provider>/<field>`.
    pub fn account(&self) -> String {
        format!("{}/{}/{}", self.profile, self.provider, self.field)
    }
}

impl fmt::Display for CredentialKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.account())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "No OS keyring is available, so Farepoint cannot store provider credentials ({detail}). \
         Fix: {fix}. Nothing was saved anywhere else."
    )]
    Unavailable { detail: String, fix: &'static str },
    #[error(
        "The OS keyring is locked ({detail}). Fix: unlock it — log in to your desktop session, or \
         open your keyring manager and unlock the login keyring — then try again."
    )]
    Locked { detail: String },
    #[error("The keyring entry {key} holds something Farepoint cannot read: {detail}")]
    Corrupt { key: String, detail: String },
    #[error("The keyring self-check wrote a value and read back something else — the keyring is not storing data reliably")]
    SelfCheckMismatch,
    #[error(
        "This build of Farepoint has no persistent keyring for this system (it would keep credentials \
         only in memory). Build it on Linux, macOS or Windows with the platform keyring enabled."
    )]
    NotPersistent,
}

/// Where provider credentials are kept.
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &CredentialKey) -> Result<Option<SecretString>, SecretError>;
    fn set(&self, key: &CredentialKey, value: &SecretString) -> Result<(), SecretError>;
    /// Removes the entry; removing one that does not exist is not an error.
    fn delete(&self, key: &CredentialKey) -> Result<(), SecretError>;
    fn contains(&self, key: &CredentialKey) -> Result<bool, SecretError> {
        Ok(self.get(key)?.is_some())
    }
}

/// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// The app's store. Refuses to exist if the build's keyring would not persist anything.
    pub fn new() -> Result<Self, SecretError> {
        Self::with_service(SERVICE)
    }

    /// A store filed under another service name (tests use their own to stay out of the way).
    pub fn with_service(service: &str) -> Result<Self, SecretError> {
        match keyring::default::default_credential_builder().persistence() {
            CredentialPersistence::UntilDelete => Ok(KeyringStore { service: service.to_string() }),
            _ => Err(SecretError::NotPersistent),
        }
    }

    fn entry(&self, key: &CredentialKey) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, &key.account()).map_err(|e| map_error(key, e))
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &CredentialKey) -> Result<Option<SecretString>, SecretError> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(SecretString::from(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(key, e)),
        }
    }

    fn set(&self, key: &CredentialKey, value: &SecretString) -> Result<(), SecretError> {
        self.entry(key)?.set_password(value.expose_secret()).map_err(|e| map_error(key, e))
    }

    fn delete(&self, key: &CredentialKey) -> Result<(), SecretError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(key, e)),
        }
    }
}

/// What to do when no keyring service answers, for this platform.
fn unavailable_fix() -> &'static str {
    if cfg!(target_os = "linux") || cfg!(target_os = "freebsd") || cfg!(target_os = "openbsd") {
        "install and start a Secret Service keyring (GNOME Keyring: `sudo apt-get install gnome-keyring`, \
         or KeePassXC with Secret Service integration on), make sure a D-Bus session is running, \
         log in to unlock it, then restart Farepoint"
    } else if cfg!(target_os = "macos") {
        "open Keychain Access and make sure the login keychain exists and is unlocked"
    } else if cfg!(target_os = "windows") {
        "make sure the Credential Manager service is running (services.msc → Credential Manager)"
    } else {
        "run Farepoint on Linux, macOS or Windows"
    }
}

fn map_error(key: &CredentialKey, error: keyring::Error) -> SecretError {
    match error {
        keyring::Error::NoStorageAccess(e) => SecretError::Locked { detail: e.to_string() },
        keyring::Error::PlatformFailure(e) => {
            SecretError::Unavailable { detail: e.to_string(), fix: unavailable_fix() }
        }
        keyring::Error::BadEncoding(_) => {
            SecretError::Corrupt { key: key.account(), detail: "the value is not UTF-8 text".into() }
        }
        other => SecretError::Corrupt { key: key.account(), detail: other.to_string() },
    }
}

/// Proves the store works before anything relies on it: write a random value, read it back
/// through a fresh entry, delete it. Errors carry the plain-language fix.
pub fn self_check(store: &dyn SecretStore) -> Result<(), SecretError> {
    let key = CredentialKey::new("self-check", "farepoint", &uuid::Uuid::new_v4().to_string());
    let value = SecretString::from(uuid::Uuid::new_v4().to_string());
    store.set(&key, &value)?;
    let read = store.get(&key);
    let deleted = store.delete(&key);
    match read? {
        Some(back) if back.expose_secret() == value.expose_secret() => deleted,
        _ => Err(SecretError::SelfCheckMismatch),
    }
}

/// A process-memory store, for unit tests only: it forgets everything at exit.
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, SecretString>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, key: &CredentialKey) -> Result<Option<SecretString>, SecretError> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        Ok(entries.get(&key.account()).map(|v| SecretString::from(v.expose_secret().to_string())))
    }

    fn set(&self, key: &CredentialKey, value: &SecretString) -> Result<(), SecretError> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(key.account(), SecretString::from(value.expose_secret().to_string()));
        Ok(())
    }

    fn delete(&self, key: &CredentialKey) -> Result<(), SecretError> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).remove(&key.account());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(store: &dyn SecretStore, profile: &str) {
        let key = CredentialKey::new(profile, "atrip", "client_secret");
        store.delete(&key).unwrap();
        assert!(store.get(&key).unwrap().is_none());
        store.set(&key, &SecretString::from("s3cr3t-value")).unwrap();
        assert_eq!(store.get(&key).unwrap().unwrap().expose_secret(), "s3cr3t-value");
        assert!(store.contains(&key).unwrap());
        store.set(&key, &SecretString::from("rotated")).unwrap();
        assert_eq!(store.get(&key).unwrap().unwrap().expose_secret(), "rotated");
        store.delete(&key).unwrap();
        store.delete(&key).unwrap();
        assert!(!store.contains(&key).unwrap());
    }

    #[test]
    fn account_names_follow_the_design() {
        assert_eq!(
            CredentialKey::new("production", "heipay", "card_key").account(),
            "production/heipay/card_key"
        );
    }

    #[test]
    fn memory_store_behaves_like_a_store() {
        let store = MemoryStore::new();
        exercise(&store, "unit");
        self_check(&store).unwrap();
    }

    #[test]
    fn secrets_print_as_a_mask() {
        let secret = SecretString::from("hunter2-password");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn the_build_uses_a_persistent_platform_keyring_not_the_mock() {
        let persistence = keyring::default::default_credential_builder().persistence();
        assert!(
            matches!(persistence, CredentialPersistence::UntilDelete),
            "the default keyring would not persist credentials across restarts"
        );
    }

    /// Runs against the real OS keyring. `cargo xtask test` provides one on Linux: gnome-keyring
    /// inside a private D-Bus session. Outside it this fails with the keyring's own fix text.
    #[test]
    fn real_os_keyring_round_trip_and_self_check() {
        let store = KeyringStore::with_service("farepoint-tests").unwrap();
        let profile = format!("test-{}", uuid::Uuid::new_v4());
        if let Err(e) = self_check(&store) {
            panic!("no usable OS keyring — run the tests with `cargo xtask test`: {e}");
        }
        exercise(&store, &profile);
        // A value written through one entry is read through a new one (a second store here).
        let key = CredentialKey::new(&profile, "travelport", "password");
        store.set(&key, &SecretString::from("ünïcode pässword")).unwrap();
        let other = KeyringStore::with_service("farepoint-tests").unwrap();
        assert_eq!(other.get(&key).unwrap().unwrap().expose_secret(), "ünïcode pässword");
        other.delete(&key).unwrap();
        assert!(store.get(&key).unwrap().is_none());
    }
}
