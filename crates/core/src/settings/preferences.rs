//! The app's preferences (`locale`): the app's, not a profile's, so kept under scope `app`.

use rusqlite::Connection;

use super::{Code, Coded, SettingsError};
use crate::payment::Provider;
use crate::store;

/// Preferences belong to the app, beside the active profile (profile.rs).
const APP_SCOPE: &str = "app";

struct PreferenceSpec {
    key: &'static str,
    allowed: &'static [&'static str],
    default: &'static str,
}

const PREFERENCES: &[PreferenceSpec] =
    &[PreferenceSpec { key: "locale", allowed: &["en", "es"], default: "en" }];

fn preference(key: &str) -> Result<&'static PreferenceSpec, SettingsError> {
    PREFERENCES.iter().find(|p| p.key == key).ok_or_else(|| SettingsError::UnknownPreference(key.to_string()))
}

/// A preference's value, or its default. A hand-edited value that is not allowed reads as the default.
pub fn get_preference(conn: &Connection, key: &str) -> Result<String, SettingsError> {
    let spec = preference(key)?;
    Ok(match store::get_setting(conn, APP_SCOPE, spec.key)? {
        Some(v) if spec.allowed.contains(&v.as_str()) => v,
        _ => spec.default.to_string(),
    })
}

pub fn set_preference(conn: &Connection, key: &str, value: &str, now_ms: i64) -> Result<(), SettingsError> {
    let spec = preference(key)?;
    if !spec.allowed.contains(&value) {
        let problem = Coded::new(Code::PreferenceNotAllowed)
            .with("value", value)
            .with("key", key)
            .with("choices", spec.allowed.join(", "));
        return Err(SettingsError::Invalid {
            field: key.to_string(),
            // The sentence names no provider: any will do.
            message: problem.english(Provider::Atrip),
            problem,
        });
    }
    store::set_setting(conn, APP_SCOPE, spec.key, value, now_ms)?;
    Ok(())
}

/// The UI language: "en" or "es".
pub fn locale(conn: &Connection) -> Result<String, SettingsError> {
    get_preference(conn, "locale")
}
