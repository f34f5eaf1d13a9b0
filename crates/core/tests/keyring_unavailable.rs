//! With no keyring service reachable, the start-up self-check fails with a plain-language error
//! that names the fix. Its own test binary, because it points this process's D-Bus at nowhere.
#![cfg(target_os = "linux")]

use farepoint_core::secrets::{self, KeyringStore, SecretError};

#[test]
fn self_check_without_a_keyring_service_names_the_fix() {
    let nowhere = tempfile::tempdir().unwrap();
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}/no-bus", nowhere.path().display()));
    std::env::remove_var("DISPLAY");

    let store = KeyringStore::new().expect("the build has a persistent keyring backend");
    let err = secrets::self_check(&store).expect_err("no keyring service is reachable");
    assert!(matches!(err, SecretError::Unavailable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with("No OS keyring is available"), "{message}");
    assert!(message.contains("Fix: install and start a Secret Service keyring"), "{message}");
    assert!(message.contains("Nothing was saved anywhere else"), "{message}");
}
