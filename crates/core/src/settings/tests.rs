//! Settings tests: a real SQLite file; `MemoryStore` for the logic, one real OS keyring round trip.

use std::collections::HashMap;

use rusqlite::Connection;

use super::credentials::credential;
use super::hotels::HOTELS_FIELD;
use super::production::{setting_key, PRODUCTION};
use super::view::DEMO_CREDENTIAL;
use super::*;
use crate::payment::Provider;
use crate::profile::Profile;
use crate::providers::holidayextras::ApiVersion;
use crate::providers::http::Timeouts;
use crate::secrets::{
    CredentialKey, ExposeSecret, KeyringStore, MemoryStore, SecretError, SecretStore, SecretString,
};
use crate::store::{self, Store};

/// A migrated database file, opened as a plain connection.
fn db() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open_in(dir.path()).unwrap());
    let conn = Connection::open(dir.path().join(store::DB_FILE)).unwrap();
    (dir, conn)
}

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn secret(text: &str) -> SecretString {
    SecretString::from(text.to_string())
}

const KEY_1: &str = "ZmFyZXBvaW50LXNhbmRib3gtZGVtby1ob3RlbC1rZXk=";

/// Every value a complete Production set-up needs, non-secret and secret.
fn configure_everything(conn: &mut Connection, secrets: &dyn SecretStore) {
    let p = Profile::Production;
    save(conn, p, Provider::Atrip, &map(&[("base_url", "https://acme.atriptech.com/")]), None, 1).unwrap();
    save(conn, p, Provider::Travelport, &map(&[("pcc", "79JP_1G")]), None, 1).unwrap();
    save(conn, p, Provider::HolidayExtras, &map(&[("channel", "ACME")]), None, 1).unwrap();
    let hotels = [Hotel { id: 7, name: "Hotel Siete".into() }];
    save(conn, p, Provider::HeiPay, &map(&[("base_url", "https://api.heipay.test/")]), Some(&hotels), 1)
        .unwrap();
    let settings = load(conn).unwrap();
    for (provider, field, value) in [
        (Provider::Atrip, "client_id", "atrip-id-MARKER"),
        (Provider::Atrip, "client_secret", "atrip-secret-MARKER"),
        (Provider::Travelport, "username", "tp-user-MARKER"),
        (Provider::Travelport, "password", "tp-password-MARKER"),
        (Provider::Travelport, "client_id", "tp-client-MARKER"),
        (Provider::Travelport, "client_secret", "tp-client-secret-MARKER"),
        (Provider::HolidayExtras, "username", "hx-user-MARKER"),
        (Provider::HolidayExtras, "password", "hx-password-MARKER"),
        (Provider::HeiPay, "api_token", "heipay-token-MARKER"),
        (Provider::HeiPay, "card_key/7", KEY_1),
    ] {
        store_credential(&settings, secrets, p, provider, field, secret(value)).unwrap();
    }
}

fn problems_of(problems: &[Problem], provider: Provider) -> Vec<String> {
    problems.iter().filter(|p| p.provider == provider).map(|p| p.to_string()).collect()
}

#[test]
fn the_schema_follows_the_design_and_fits_the_settings_table() {
    let secrets = |p| schema(p).secrets.iter().map(|s| s.key).collect::<Vec<_>>();
    assert_eq!(secrets(Provider::Atrip), ["client_id", "client_secret"]);
    assert_eq!(secrets(Provider::Travelport), ["username", "password", "client_id", "client_secret"]);
    assert_eq!(secrets(Provider::HolidayExtras), ["username", "password"]);
    assert_eq!(secrets(Provider::HeiPay), ["api_token"]);
    assert!(schema(Provider::HeiPay).hotels);
    let choice = schema(Provider::HolidayExtras).field("api_version").unwrap();
    assert_eq!(choice.choices, ["v1", "v2"]);

    // No field name trips the table's guard against secrets (e.g. a `token_url` would).
    let (_dir, conn) = db();
    for provider in Provider::ALL {
        for spec in schema(provider).fields {
            store::set_setting(&conn, PRODUCTION, &setting_key(provider, spec.key), "x", 1).unwrap();
        }
        if schema(provider).hotels {
            store::set_setting(&conn, PRODUCTION, &setting_key(provider, HOTELS_FIELD), "[]", 1).unwrap();
        }
    }
}

#[test]
fn values_round_trip_and_defaults_show_until_saved() {
    let (dir, mut conn) = db();
    let before = load(&conn).unwrap();
    assert_eq!(before.value(Provider::Travelport, "air_base_url"), "https://api.travelport.net/11/air/");
    assert_eq!(before.value(Provider::HolidayExtras, "api_version"), "v2");
    assert_eq!(before.value(Provider::Atrip, "base_url"), "");

    let values = map(&[
        ("air_base_url", " https://api.pp.travelport.net/11/air/ "),
        ("auth_url", "https://auth.pp.travelport.net/oauth/token"),
        ("pcc", "79JP_1G"),
    ]);
    let removed = save(&mut conn, Profile::Production, Provider::Travelport, &values, None, 5).unwrap();
    assert!(removed.is_empty());
    save(&mut conn, Profile::Production, Provider::HolidayExtras, &map(&[("api_version", "v1")]), None, 5)
        .unwrap();
    drop(conn);

    let conn = Connection::open(dir.path().join(store::DB_FILE)).unwrap();
    let after = load(&conn).unwrap();
    assert_eq!(after.value(Provider::Travelport, "air_base_url"), "https://api.pp.travelport.net/11/air/");
    assert_eq!(after.value(Provider::Travelport, "pcc"), "79JP_1G");
    assert_eq!(after.value(Provider::HolidayExtras, "api_version"), "v1");
    let view = after.view(Some(&MemoryStore::new()));
    let tp = view.provider(Provider::Travelport).unwrap();
    let pcc = tp.fields.iter().find(|f| f.key == "pcc").unwrap();
    assert_eq!(pcc.value, "79JP_1G");
    assert!(!tp.configured);
    assert!(tp.secrets.iter().all(|s| !s.stored));
}

#[test]
fn a_bad_value_is_refused_by_name_and_nothing_is_written() {
    let (_dir, mut conn) = db();
    for (bad, expect) in [
        ("ftp://api.travelport.net/", "https://"),
        // Plain http carries credentials and card data in the clear: only to this computer.
        ("http://api.travelport.net/11/air/", "plain http:// is only for a server on this computer"),
        ("http://10.0.0.5/11/air/", "plain http://"),
        ("api.travelport.net/11/air/", "not a full web address"),
        ("https://user:pw@api.travelport.net/", "user name or password"),
        ("https://", "not a full web address"),
        ("", "is required"),
    ] {
        let values = map(&[("pcc", "79JP_1G"), ("air_base_url", bad)]);
        let err = save(&mut conn, Profile::Production, Provider::Travelport, &values, None, 1).unwrap_err();
        let text = err.to_string();
        assert!(matches!(&err, SettingsError::Invalid { field, .. } if field == "air_base_url"), "{text}");
        assert!(text.contains("Air API base URL"), "{text}");
        assert!(text.contains(expect), "{bad:?} → {text}");
        // The valid PCC in the same save was not written either.
        assert_eq!(load(&conn).unwrap().value(Provider::Travelport, "pcc"), "");
    }
    let err = save(&mut conn, Profile::Production, Provider::Travelport, &map(&[("pcc", "79JP")]), None, 1)
        .unwrap_err();
    assert!(err.to_string().contains("PCC_GDS"), "{err}");
    let err =
        save(&mut conn, Profile::Production, Provider::HolidayExtras, &map(&[("channel", "  ")]), None, 1)
            .unwrap_err();
    assert!(err.to_string().contains("Channel: is required"), "{err}");
    let err = save(
        &mut conn,
        Profile::Production,
        Provider::HolidayExtras,
        &map(&[("api_version", "v3")]),
        None,
        1,
    )
    .unwrap_err();
    assert!(err.to_string().contains("'v3' is not one of v1, v2"), "{err}");
    let err = save(&mut conn, Profile::Production, Provider::Atrip, &map(&[("password", "x")]), None, 1)
        .unwrap_err();
    assert!(matches!(err, SettingsError::UnknownField { .. }), "{err}");
    let err = save(&mut conn, Profile::Sandbox, Provider::Atrip, &map(&[]), None, 1).unwrap_err();
    assert!(matches!(err, SettingsError::ReadOnly));
    assert_eq!(load(&conn).unwrap(), ProductionSettings::default());
}

#[test]
fn hotels_are_checked_and_removed_ones_are_reported() {
    let (_dir, mut conn) = db();
    let hotel = |id, name: &str| Hotel { id, name: name.into() };
    for (list, expect) in [
        (vec![hotel(0, "Zero")], "hotel id 0 is not valid"),
        (vec![hotel(-3, "Minus")], "hotel id -3 is not valid"),
        (vec![hotel(1, "A"), hotel(1, "B")], "listed twice"),
        (vec![hotel(2, "  ")], "has no name"),
    ] {
        let err =
            save(&mut conn, Profile::Production, Provider::HeiPay, &map(&[]), Some(&list), 1).unwrap_err();
        assert!(err.to_string().contains(expect), "{err}");
        assert!(err.to_string().starts_with("HeiPay — Hotels:"), "{err}");
    }
    let err = save(&mut conn, Profile::Production, Provider::Atrip, &map(&[]), Some(&[hotel(1, "A")]), 1)
        .unwrap_err();
    assert!(err.to_string().contains("only HeiPay has hotels"), "{err}");

    let two = [hotel(1, " Uno "), hotel(2, "Dos")];
    save(&mut conn, Profile::Production, Provider::HeiPay, &map(&[]), Some(&two), 1).unwrap();
    assert_eq!(hotels(&conn).unwrap(), [hotel(1, "Uno"), hotel(2, "Dos")]);
    let removed =
        save(&mut conn, Profile::Production, Provider::HeiPay, &map(&[]), Some(&[hotel(2, "Dos")]), 2)
            .unwrap();
    assert_eq!(removed, [1]);
    // `None` keeps the list.
    save(&mut conn, Profile::Production, Provider::HeiPay, &map(&[("base_url", "https://h.test/")]), None, 3)
        .unwrap();
    assert_eq!(hotels(&conn).unwrap(), [hotel(2, "Dos")]);
}

#[test]
fn card_keys_are_validated_before_they_are_stored() {
    let (_dir, mut conn) = db();
    let secrets = MemoryStore::new();
    let p = Profile::Production;
    save(&mut conn, p, Provider::HeiPay, &map(&[]), Some(&[Hotel { id: 7, name: "Siete".into() }]), 1)
        .unwrap();
    let settings = load(&conn).unwrap();
    let store = |field: &str, value: &str| {
        store_credential(&settings, &secrets, p, Provider::HeiPay, field, secret(value))
    };
    let err = store("card_key/7", "not base64 at all!").unwrap_err();
    assert!(err.to_string().contains("not valid base64"), "{err}");
    let err = store("card_key/7", "c2hvcnQ=").unwrap_err();
    assert!(err.to_string().contains("must be 32 bytes"), "{err}");
    let err = store("card_key/8", KEY_1).unwrap_err();
    assert!(err.to_string().contains("there is no hotel 8"), "{err}");
    let err = store("card_key/x", KEY_1).unwrap_err();
    assert!(err.to_string().contains("card_key/<hotel id>"), "{err}");
    assert!(!secrets.contains(&credential(Provider::HeiPay, "card_key/7")).unwrap());

    store("card_key/7", &format!("{KEY_1}\n")).unwrap();
    let stored = secrets.get(&credential(Provider::HeiPay, "card_key/7")).unwrap().unwrap();
    assert_eq!(stored.expose_secret(), KEY_1, "trimmed before storing");
    let view = settings.view(Some(&secrets));
    assert!(view.provider(Provider::HeiPay).unwrap().hotels.as_ref().unwrap()[0].card_key_stored);
}

#[test]
fn credentials_are_checked_stored_and_forgotten() {
    let secrets = MemoryStore::new();
    let settings = ProductionSettings::default();
    let p = Profile::Production;
    let err =
        store_credential(&settings, &secrets, p, Provider::Travelport, "password", secret("  ")).unwrap_err();
    assert!(err.to_string().contains("Travelport — Password: is empty"), "{err}");
    let err = store_credential(&settings, &secrets, p, Provider::Atrip, "pcc", secret("x")).unwrap_err();
    assert!(matches!(err, SettingsError::UnknownField { .. }), "{err}");
    let err = store_credential(&settings, &secrets, p, Provider::HolidayExtras, "username", secret("a:b"))
        .unwrap_err();
    assert!(err.to_string().contains("cannot contain ':'"), "{err}");
    let err =
        store_credential(&settings, &secrets, Profile::Sandbox, Provider::Atrip, "client_id", secret("x"))
            .unwrap_err();
    assert!(matches!(err, SettingsError::ReadOnly));

    store_credential(&settings, &secrets, p, Provider::Travelport, "password", secret(" pass word "))
        .unwrap();
    store_credential(&settings, &secrets, p, Provider::Travelport, "client_id", secret(" id\n")).unwrap();
    let get = |field| secrets.get(&credential(Provider::Travelport, field)).unwrap().unwrap();
    assert_eq!(get("password").expose_secret(), " pass word ", "a password is kept as typed");
    assert_eq!(get("client_id").expose_secret(), "id");
    let tp = |s: &MemoryStore| settings.view(Some(s)).provider(Provider::Travelport).unwrap().secrets.clone();
    assert!(tp(&secrets).iter().any(|s| s.key == "password" && s.stored));

    forget_credential(&secrets, p, Provider::Travelport, "password").unwrap();
    forget_credential(&secrets, p, Provider::Travelport, "password").unwrap();
    assert!(tp(&secrets).iter().any(|s| s.key == "password" && !s.stored));
    assert!(forget_credential(&secrets, Profile::Sandbox, Provider::Travelport, "password").is_err());
}

#[test]
fn production_clients_are_built_only_when_complete_and_gaps_are_named() {
    let (_dir, mut conn) = db();
    let secrets = MemoryStore::new();
    let (clients, problems) = production_clients(&conn, Some(&secrets), Timeouts::default()).unwrap();
    assert!(clients.atrip.is_none() && clients.travelport.is_none());
    assert!(clients.holidayextras.is_none() && clients.heipay.is_none());
    let atrip = problems_of(&problems, Provider::Atrip);
    assert!(
        atrip.contains(&"ATRIP: API base URL is not set — enter it in Settings".to_string()),
        "{atrip:?}"
    );
    assert!(atrip.contains(&"ATRIP: Client secret is not stored in the keyring — add it in Settings".into()));
    let heipay = problems_of(&problems, Provider::HeiPay);
    assert!(heipay.iter().any(|p| p.contains("no hotels are set up")), "{heipay:?}");

    configure_everything(&mut conn, &secrets);
    let (clients, problems) = production_clients(&conn, Some(&secrets), Timeouts::default()).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert!(clients.atrip.is_some() && clients.travelport.is_some());
    assert!(clients.holidayextras.is_some() && clients.heipay.is_some());
    assert!(clients.heipay.as_ref().unwrap().check_hotel(7).is_ok());
    assert_eq!(clients.holidayextras.as_ref().unwrap().version(), ApiVersion::V2);

    // An address stored as plain http by an earlier version (or by hand) is refused when the
    // client is built, not used.
    crate::store::set_setting(&conn, "production", "atrip.base_url", "http://atrip.example.com/", 3).unwrap();
    let (clients, problems) = production_clients(&conn, Some(&secrets), Timeouts::default()).unwrap();
    assert!(clients.atrip.is_none());
    let atrip = problems_of(&problems, Provider::Atrip).join("\n");
    assert!(atrip.contains("plain http:// is only for a server on this computer"), "{atrip}");
    crate::store::set_setting(&conn, "production", "atrip.base_url", "https://atrip.example.com/", 4)
        .unwrap();

    // One missing secret: that provider only, named.
    forget_credential(&secrets, Profile::Production, Provider::Travelport, "password").unwrap();
    let (clients, problems) = production_clients(&conn, Some(&secrets), Timeouts::default()).unwrap();
    assert!(clients.travelport.is_none() && clients.atrip.is_some());
    assert_eq!(
        problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        ["Travelport: Password is not stored in the keyring — add it in Settings"]
    );

    // A second hotel without its key: HeiPay still works for the first, and says so.
    let hotels = [Hotel { id: 7, name: "Hotel Siete".into() }, Hotel { id: 8, name: "Hotel Ocho".into() }];
    save(&mut conn, Profile::Production, Provider::HeiPay, &map(&[]), Some(&hotels), 2).unwrap();
    let (clients, problems) = production_clients(&conn, Some(&secrets), Timeouts::default()).unwrap();
    assert!(clients.heipay.is_some());
    assert!(problems_of(&problems, Provider::HeiPay).contains(
        &"HeiPay: the card key for hotel 8 (Hotel Ocho) is not stored in the keyring — add it in Settings"
            .into()
    ));
    let view = load(&conn).unwrap().view(Some(&secrets));
    let heipay = view.provider(Provider::HeiPay).unwrap();
    assert!(heipay.configured);
    let stored: Vec<bool> = heipay.hotels.as_ref().unwrap().iter().map(|h| h.card_key_stored).collect();
    assert_eq!(stored, [true, false]);
}

/// A keyring that is not there: every call fails, and counts how often it was asked.
#[derive(Default)]
struct NoKeyring {
    calls: std::sync::atomic::AtomicUsize,
}

impl SecretStore for NoKeyring {
    fn get(&self, _: &CredentialKey) -> Result<Option<SecretString>, SecretError> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Err(SecretError::Unavailable { detail: "no D-Bus session".into(), fix: "start one" })
    }
    fn set(&self, _: &CredentialKey, _: &SecretString) -> Result<(), SecretError> {
        Err(SecretError::Unavailable { detail: "no D-Bus session".into(), fix: "start one" })
    }
    fn delete(&self, _: &CredentialKey) -> Result<(), SecretError> {
        Err(SecretError::Unavailable { detail: "no D-Bus session".into(), fix: "start one" })
    }
}

#[test]
fn a_missing_keyring_gives_no_clients_and_is_explained_once_per_provider() {
    let (_dir, mut conn) = db();
    configure_everything(&mut conn, &MemoryStore::new());
    let broken = NoKeyring::default();
    let (clients, problems) = production_clients(&conn, Some(&broken), Timeouts::default()).unwrap();
    assert!(clients.atrip.is_none() && clients.heipay.is_none());
    assert_eq!(broken.calls.load(std::sync::atomic::Ordering::SeqCst), 1, "asked once, not per secret");
    for provider in Provider::ALL {
        let mine = problems_of(&problems, provider);
        assert_eq!(mine.len(), 1, "{mine:?}");
        assert!(mine[0].contains("Fix: start one"), "{mine:?}");
    }
    let (_, problems) = production_clients(&conn, None, Timeouts::default()).unwrap();
    assert!(problems.iter().all(|p| p.message.contains("OS keyring is not working")));
    let settings = load(&conn).unwrap();
    let err =
        store_credential(&settings, &broken, Profile::Production, Provider::Atrip, "client_id", secret("x"))
            .unwrap_err();
    assert!(matches!(err, SettingsError::Secret(SecretError::Unavailable { .. })));
}

#[test]
fn secret_values_never_reach_the_view_debug_output_or_problems() {
    let (_dir, mut conn) = db();
    let secrets = MemoryStore::new();
    configure_everything(&mut conn, &secrets);
    let settings = load(&conn).unwrap();
    let view = settings.view(Some(&secrets));
    let (clients, problems) = settings.clients(Some(&secrets), Timeouts::default());
    assert!(clients.atrip.is_some());
    let outputs = [
        serde_json::to_string(&view).unwrap(),
        format!("{view:?}"),
        format!("{settings:?}"),
        format!("{problems:?}"),
    ];
    for output in outputs {
        assert!(!output.contains("MARKER"), "a secret leaked: {output}");
        assert!(!output.contains(KEY_1), "a card key leaked: {output}");
    }
    let json = serde_json::to_value(&view).unwrap();
    let atrip = &json["providers"][0];
    assert_eq!(atrip["provider"], "atrip");
    assert_eq!(
        atrip["secrets"][0],
        serde_json::json!({"key": "client_id", "label": "Client ID", "stored": true, "read_only": false})
    );
    assert_eq!(
        json["providers"][3]["hotels"][0],
        serde_json::json!({"id": 7, "name": "Hotel Siete", "card_key_stored": true})
    );
    assert!(json["providers"][0].get("hotels").is_none());
    let version = &json["providers"][2]["fields"][2];
    assert_eq!(version["kind"], "choice");
    assert_eq!(version["choices"], serde_json::json!(["v1", "v2"]));
}

#[test]
fn the_sandbox_view_is_read_only_with_demo_values() {
    let mut values = SandboxValues::default()
        .with(Provider::Atrip, "base_url", "http://127.0.0.1:4000/atrip/")
        .with(Provider::Travelport, "air_base_url", "http://127.0.0.1:4000/travelport/11/air/")
        .with(Provider::Travelport, "auth_url", "http://127.0.0.1:4000/travelport/oauth/token")
        .with(Provider::Travelport, "pcc", "79JP_1G")
        .with(Provider::HolidayExtras, "base_url", "http://127.0.0.1:4000/hx/")
        .with(Provider::HolidayExtras, "channel", "FAREPOINT")
        .with(Provider::HolidayExtras, "api_version", ApiVersion::V2.label())
        .with(Provider::HeiPay, "base_url", "http://127.0.0.1:4000/heipay/");
    values.hotels = vec![Hotel { id: 1, name: "Hotel Demo".into() }];
    let view = sandbox_view(&values);
    assert!(view.read_only);
    assert_eq!(view.profile, Profile::Sandbox);
    for provider in &view.providers {
        assert!(provider.configured && provider.problems.is_empty());
        assert!(provider.secrets.iter().all(|s| s.stored && s.read_only && s.note == Some(DEMO_CREDENTIAL)));
        assert!(provider.fields.iter().all(|f| !f.value.is_empty() && f.help.is_none()), "{provider:?}");
    }
    let hx = view.provider(Provider::HolidayExtras).unwrap();
    assert_eq!(hx.fields.iter().find(|f| f.key == "api_version").unwrap().value, "v2");
    assert!(view.provider(Provider::HeiPay).unwrap().hotels.as_ref().unwrap()[0].card_key_stored);
}

#[test]
fn preferences_are_known_keys_with_known_values() {
    let (_dir, conn) = db();
    assert_eq!(locale(&conn).unwrap(), "en");
    set_preference(&conn, "locale", "es", 1).unwrap();
    assert_eq!(get_preference(&conn, "locale").unwrap(), "es");
    let err = set_preference(&conn, "locale", "fr", 1).unwrap_err();
    assert!(err.to_string().contains("choose one of en, es"), "{err}");
    assert!(matches!(
        set_preference(&conn, "active_profile", "production", 1),
        Err(SettingsError::UnknownPreference(_))
    ));
    assert!(get_preference(&conn, "theme").is_err());
    assert_eq!(locale(&conn).unwrap(), "es");
    // The active profile shares the scope and is not disturbed.
    assert_eq!(crate::profile::active(&conn).unwrap(), Profile::Sandbox);
}

/// Through the real OS keyring, gated like `secrets::tests::real_os_keyring_round_trip_and_self_check`:
/// `cargo xtask test` provides one (gnome-keyring in a private D-Bus session).
#[test]
fn real_os_keyring_stores_and_forgets_a_credential_through_settings() {
    let service = format!("farepoint-tests-{}", uuid::Uuid::new_v4());
    let keyring = KeyringStore::with_service(&service).unwrap();
    if let Err(e) = crate::secrets::self_check(&keyring) {
        panic!("no usable OS keyring — run the tests with `cargo xtask test`: {e}");
    }
    let (_dir, mut conn) = db();
    let p = Profile::Production;
    save(&mut conn, p, Provider::HolidayExtras, &map(&[("channel", "ACME")]), None, 1).unwrap();
    let settings = load(&conn).unwrap();
    store_credential(&settings, &keyring, p, Provider::HolidayExtras, "username", secret("hx-user")).unwrap();
    store_credential(&settings, &keyring, p, Provider::HolidayExtras, "password", secret("pässword"))
        .unwrap();

    let other = KeyringStore::with_service(&service).unwrap();
    let (clients, problems) = settings.clients(Some(&other), Timeouts::default());
    assert!(clients.holidayextras.is_some(), "{problems:?}");
    let view = settings.view(Some(&other));
    assert!(view.provider(Provider::HolidayExtras).unwrap().secrets.iter().all(|s| s.stored));

    for field in ["username", "password"] {
        forget_credential(&keyring, p, Provider::HolidayExtras, field).unwrap();
    }
    let (clients, problems) = settings.clients(Some(&other), Timeouts::default());
    assert!(clients.holidayextras.is_none());
    assert!(problems_of(&problems, Provider::HolidayExtras)
        .contains(&"Holiday Extras: Password is not stored in the keyring — add it in Settings".into()));
}
