//! Profiles: the built-in Sandbox (the default on first run) and Production.

use std::fmt;
use std::str::FromStr;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::store::{self, StoreError};

/// Settings that belong to the app rather than to one profile are filed under this name.
const APP_SCOPE: &str = "app";
const ACTIVE_PROFILE_KEY: &str = "active_profile";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The in-process provider simulator: fixed demo credentials, no real money.
    Sandbox,
    /// The real provider hosts, with credentials from the OS keyring.
    Production,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Sandbox => "sandbox",
            Profile::Production => "production",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sandbox" => Ok(Profile::Sandbox),
            "production" => Ok(Profile::Production),
            other => Err(format!("unknown profile '{other}' — expected sandbox or production")),
        }
    }
}

/// The active profile; Sandbox until someone chooses otherwise.
pub fn active(conn: &Connection) -> Result<Profile, StoreError> {
    match store::get_setting(conn, APP_SCOPE, ACTIVE_PROFILE_KEY)? {
        Some(text) => text.parse().map_err(StoreError::Corrupt),
        None => Ok(Profile::Sandbox),
    }
}

pub fn set_active(conn: &Connection, profile: Profile, now_ms: i64) -> Result<(), StoreError> {
    store::set_setting(conn, APP_SCOPE, ACTIVE_PROFILE_KEY, profile.as_str(), now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn sandbox_is_the_default_and_a_choice_persists() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        assert_eq!(store.read_blocking(|c| active(c)).unwrap(), Profile::Sandbox);
        store.write_blocking(|c| set_active(c, Profile::Production, 1)).unwrap();
        drop(store);
        let store = Store::open_in(dir.path()).unwrap();
        assert_eq!(store.read_blocking(|c| active(c)).unwrap(), Profile::Production);
        assert!("staging".parse::<Profile>().is_err());
    }
}
