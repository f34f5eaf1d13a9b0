//! The stable codes of what Settings finds missing or refuses, with the parameters each sentence
//! needs. The window translates by code (docs/ui.md, "Languages"), so rewording an English
//! sentence here never breaks another language; the English stays for logs and the CLI.
//! `Code::ALL` is the one list of codes: `tests/ui_strings.rs` checks that the window can say
//! each in English and Spanish.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Serialize, Serializer};

use super::credentials::CARD_KEY_PREFIX;
use super::hotels::HOTELS_FIELD;
use super::{schema, SettingsError};
use crate::payment::Provider;
use crate::providers::network::NetKind;
use crate::secrets::SecretError;

macro_rules! codes {
    ($($variant:ident => $code:literal,)*) => {
        /// One kind of problem or refusal; serialised as its stable snake_case name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code the core can send to the window.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }
        }
    };
}

codes! {
    // What keeps a Production provider from being used (`Problem`).
    MissingValue => "missing_value",
    InvalidValue => "invalid_value",
    MissingSecret => "missing_secret",
    KeyringNotWorking => "keyring_not_working",
    KeyringReadFailed => "keyring_read_failed",
    KeyringCheckFailed => "keyring_check_failed",
    NoHotels => "no_hotels",
    MissingCardKey => "missing_card_key",
    CardKeyUnusable => "card_key_unusable",
    ClientFailed => "client_failed",
    // What is wrong with one value (a field's refusal, or the cause of `InvalidValue`).
    Required => "required",
    NotUrl => "not_url",
    NoHost => "no_host",
    PlainHttp => "plain_http",
    NotHttps => "not_https",
    UrlCredentials => "url_credentials",
    NotAChoice => "not_a_choice",
    BadPcc => "bad_pcc",
    HotelIdInvalid => "hotel_id_invalid",
    HotelListedTwice => "hotel_listed_twice",
    HotelUnnamed => "hotel_unnamed",
    HotelsHeiPayOnly => "hotels_heipay_only",
    CardKeyFieldInvalid => "card_key_field_invalid",
    SecretEmpty => "secret_empty",
    NoSuchHotel => "no_such_hotel",
    CardKeyInvalid => "card_key_invalid",
    UsernameColon => "username_colon",
    PreferenceNotAllowed => "preference_not_allowed",
    TooLong => "too_long",
    TooManyItems => "too_many_items",
    // The business a receipt names, and its mail server (`business`, `smtp`).
    OneLine => "one_line",
    AddressLines => "address_lines",
    PhoneText => "phone_text",
    EmailAddress => "email_address",
    LogoType => "logo_type",
    LogoTooLarge => "logo_too_large",
    LogoPixels => "logo_pixels",
    LogoUnreadable => "logo_unreadable",
    SmtpHost => "smtp_host",
    SmtpPort => "smtp_port",
    SmtpPlain => "smtp_plain",
    SmtpNoUsername => "smtp_no_username",
    // A settings command's refusal as a whole (`SettingsError`).
    InvalidSetting => "invalid_setting",
    ReadOnlyProfile => "read_only_profile",
    UnknownSetting => "unknown_setting",
    UnknownPreference => "unknown_preference",
    Storage => "storage",
    KeyringUnavailable => "keyring_unavailable",
    Keyring => "keyring",
    // What a provider's "Test connection" found (`connection::Outcome`), and what it proved.
    TestWorked => "test_worked",
    TestReached => "test_reached",
    TestBadAddress => "test_bad_address",
    TestNotTheApi => "test_not_the_api",
    TestNoNetwork => "test_no_network",
    TestTimeout => "test_timeout",
    TestNoAnswer => "test_no_answer",
    TestCredentialsRefused => "test_credentials_refused",
    TestProviderError => "test_provider_error",
    TestNotSetUp => "test_not_set_up",
    ProvenAtrip => "proven_atrip",
    ProvenTravelport => "proven_travelport",
    ReachedHolidayextras => "reached_holidayextras",
    ReachedHeipay => "reached_heipay",
    // The checklist before the first real payment (`readiness::checklist`).
    CheckKeyring => "check_keyring",
    CheckKeyringBroken => "check_keyring_broken",
    CheckEntered => "check_entered",
    CheckMissing => "check_missing",
    CheckPartly => "check_partly",
    CheckTested => "check_tested",
    CheckReached => "check_reached",
    CheckUntested => "check_untested",
    CheckFailed => "check_failed",
    CheckTestAddress => "check_test_address",
    CheckLocalAddress => "check_local_address",
    CheckRetiredVersion => "check_retired_version",
    CheckRestart => "check_restart",
    CheckUnused => "check_unused",
    CheckNoProvider => "check_no_provider",
    CheckSwitch => "check_switch",
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A code with the parameters its sentence needs, and for `InvalidValue` the value's own fault.
/// Serialised as `{code, params, cause?}`. A `field` parameter is the schema's key; the window
/// names it by `<provider>.<field>`, the English by the schema's label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coded {
    pub code: Code,
    pub params: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<Box<Coded>>,
}

impl Coded {
    pub fn new(code: Code) -> Self {
        Coded { code, params: BTreeMap::new(), cause: None }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.params.insert(name, value.to_string());
        self
    }

    pub fn because(mut self, cause: Coded) -> Self {
        self.cause = Some(Box::new(cause));
        self
    }

    fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }

    /// The English sentence, for logs, the CLI and a message beside the code.
    pub fn english(&self, provider: Provider) -> String {
        let p = |name| self.param(name);
        let label = || field_label(provider, p("field"));
        let cause = || self.cause.as_ref().map(|c| c.english(provider)).unwrap_or_default();
        let hotel = || format!("hotel {} ({})", p("hotel_id"), p("hotel_name"));
        // A network fault's code (`NetKind`), in its plain words.
        let why = || NetKind::words_of(p("why"));
        let mut s = String::new();
        let _ = match self.code {
            Code::MissingValue => write!(s, "{} is not set — enter it in Settings", label()),
            Code::InvalidValue => write!(s, "{}: {} — correct it in Settings", label(), cause()),
            Code::MissingSecret => write!(s, "{} is not stored in the keyring — add it in Settings", label()),
            Code::KeyringNotWorking => write!(
                s,
                "credentials cannot be read because the OS keyring is not working — see the keyring \
                 status for the fix"
            ),
            Code::KeyringCheckFailed => write!(s, "not working: {}", p("reason")),
            Code::KeyringReadFailed => {
                write!(s, "credentials could not be read from the OS keyring: {}", p("reason"))
            }
            Code::NoHotels => {
                write!(s, "no hotels are set up — add each hotel's id and name, then its card key")
            }
            Code::MissingCardKey => {
                write!(s, "the card key for {} is not stored in the keyring — add it in Settings", hotel())
            }
            Code::CardKeyUnusable => write!(
                s,
                "the card key stored for {} is not usable ({}) — store it again in Settings",
                hotel(),
                p("reason")
            ),
            Code::ClientFailed | Code::CardKeyInvalid | Code::Storage | Code::Keyring => {
                write!(s, "{}", p("reason"))
            }
            Code::Required => {
                write!(s, "is required — enter it (the help beside the field says where to find it)")
            }
            Code::NotUrl => write!(
                s,
                "'{}' is not a full web address ({}) — enter it starting with https://",
                p("value"),
                p("reason")
            ),
            Code::NoHost => {
                write!(s, "'{}' has no host name — enter it like https://api.example.com/", p("value"))
            }
            Code::PlainHttp => write!(
                s,
                "'{}' must start with https:// — plain http:// is only for a server on this computer",
                p("value")
            ),
            Code::NotHttps => write!(s, "'{}' must start with https://", p("value")),
            Code::UrlCredentials => write!(
                s,
                "the address must not contain a user name or password — enter credentials in the \
                 credential fields, which go to the OS keyring"
            ),
            Code::NotAChoice => write!(s, "'{}' is not one of {}", p("value"), p("choices")),
            Code::BadPcc => write!(s, "'{}' must be written PCC_GDS, e.g. 79JP_1G", p("value")),
            Code::HotelIdInvalid => write!(
                s,
                "hotel id {} is not valid — use the hotel's id at HeiPay, a whole number above 0",
                p("hotel_id")
            ),
            Code::HotelListedTwice => write!(s, "hotel id {} is listed twice — keep one", p("hotel_id")),
            Code::HotelUnnamed => {
                write!(s, "hotel {} has no name — enter the name the desk knows it by", p("hotel_id"))
            }
            Code::HotelsHeiPayOnly => write!(s, "only {} has hotels", p("provider")),
            Code::CardKeyFieldInvalid => {
                write!(s, "'{}' is not a hotel id — write card_key/<hotel id>, e.g. card_key/1", p("value"))
            }
            Code::SecretEmpty => write!(s, "is empty — paste the value issued by the provider"),
            Code::NoSuchHotel => write!(
                s,
                "there is no hotel {} — add it to the hotel list and save before storing its card key",
                p("hotel_id")
            ),
            Code::UsernameColon => {
                write!(s, "cannot contain ':' (HTTP Basic authentication separates it with one)")
            }
            Code::PreferenceNotAllowed => write!(
                s,
                "'{}' is not a {} Farepoint offers — choose one of {}",
                p("value"),
                p("key"),
                p("choices")
            ),
            Code::TooLong => write!(s, "is {} characters long; at most {} fit here", p("length"), p("max")),
            Code::TooManyItems => {
                write!(s, "has {} items; at most {} can be sent at once", p("count"), p("max"))
            }
            Code::OneLine => write!(s, "must be one line of plain text"),
            Code::AddressLines => {
                write!(s, "has {} lines; at most {} fit on a receipt — join some", p("count"), p("max"))
            }
            Code::PhoneText => write!(
                s,
                "'{}' is not a phone number — use digits, spaces and + - ( ) . only",
                p("value")
            ),
            Code::EmailAddress => write!(s, "'{}' is not an email address (name@example.com)", p("value")),
            Code::LogoType => write!(s, "the logo must be a PNG or JPEG picture"),
            Code::LogoTooLarge => write!(
                s,
                "the logo is {} bytes; at most {} fit — save it smaller (a receipt prints it about 4 cm wide)",
                p("bytes"),
                p("max")
            ),
            Code::LogoPixels => write!(
                s,
                "the logo is {}×{} pixels; each side must be {} to {} pixels",
                p("width"),
                p("height"),
                p("min"),
                p("max")
            ),
            Code::LogoUnreadable => {
                write!(s, "the picture cannot be read ({}) — save it again as PNG or JPEG", p("reason"))
            }
            Code::SmtpHost => {
                write!(s, "'{}' is not a server name — enter it like smtp.example.com", p("value"))
            }
            Code::SmtpPort => write!(
                s,
                "'{}' is not a port — enter a number from 1 to 65535 (587 for STARTTLS, 465 for TLS)",
                p("value")
            ),
            Code::SmtpPlain => write!(
                s,
                "mail without encryption is only for a server on this computer — choose STARTTLS or TLS for {}",
                p("value")
            ),
            Code::SmtpNoUsername => {
                write!(s, "enter the user name first: the password goes with it")
            }
            Code::InvalidSetting => write!(s, "{} — {}: {}", provider.display_name(), label(), cause()),
            Code::ReadOnlyProfile => write!(
                s,
                "The Sandbox profile's settings and demo credentials are built in and cannot be changed — \
                 switch to the Production profile to enter your own"
            ),
            Code::UnknownSetting => write!(
                s,
                "{} has no setting '{}' — expected one of: {}",
                p("provider"),
                p("field"),
                p("expected")
            ),
            Code::UnknownPreference => {
                write!(s, "unknown preference '{}' — the preferences are: locale", p("key"))
            }
            Code::KeyringUnavailable => write!(s, "{}", p("reason")),
            Code::TestWorked => write!(s, "The connection works: {}", cause()),
            Code::TestReached => write!(s, "The address answers; the credentials are not proven yet: {}", cause()),
            Code::TestBadAddress => {
                write!(s, "Bad address: {} ({}) — check the address in Settings", why(), p("host"))
            }
            Code::TestNotTheApi => write!(
                s,
                "Bad address: {} answered, but not as {}'s API (HTTP {}) — check the address in Settings",
                p("host"),
                p("provider"),
                p("status")
            ),
            Code::TestNoNetwork => {
                write!(s, "No network: {} ({}) — check this computer's connection", why(), p("host"))
            }
            Code::TestTimeout => write!(
                s,
                "No answer from {} within {} seconds — try again; if it repeats, check the address and the network",
                p("host"),
                p("seconds")
            ),
            Code::TestNoAnswer => {
                write!(s, "No answer from {}: {} — try again; if it repeats, check the address", p("host"), why())
            }
            Code::TestCredentialsRefused => write!(
                s,
                "{} refused the credentials — check them in Settings (its answer is in the details)",
                p("provider")
            ),
            Code::TestProviderError => {
                write!(s, "{} answered with an error of its own — its words are in the details", p("provider"))
            }
            Code::TestNotSetUp => {
                write!(s, "{} is not set up yet — enter what is missing, then test the connection", p("provider"))
            }
            Code::ProvenAtrip => write!(
                s,
                "ATRIP answered a look-up of an order number no order can have with its own \"no such order\": \
                 the address is ATRIP's API and it accepted the client id and secret"
            ),
            Code::ProvenTravelport => write!(
                s,
                "Travelport issued an access token for the username, password, client id and secret, and its \
                 Air API accepted that token and the PCC"
            ),
            Code::ReachedHolidayextras => write!(
                s,
                "the address serves Holiday Extras' published payment script, so it is the payment gateway; \
                 Holiday Extras publishes no call that checks the username and password without taking a \
                 payment, so the first real payment proves them"
            ),
            Code::ReachedHeipay => write!(
                s,
                "the address answers and each hotel's card key is a valid key; HeiPay publishes no call that \
                 checks the API token without taking a payment, so the first real payment proves it"
            ),
            Code::CheckKeyring => write!(
                s,
                "The OS keyring works: credentials are kept only there, and so is the key that seals \
                 Production's history"
            ),
            Code::CheckKeyringBroken => write!(
                s,
                "The OS keyring must work: credentials are kept only there — see the keyring status for the fix"
            ),
            Code::CheckEntered => write!(s, "{}: addresses and credentials entered", p("provider")),
            Code::CheckMissing => write!(s, "{}: enter what is missing (its tab lists it)", p("provider")),
            Code::CheckPartly => {
                write!(s, "{}: set up, but part of it cannot be used yet (its tab says what)", p("provider"))
            }
            Code::CheckTested => write!(s, "{}: the connection test worked", p("provider")),
            Code::CheckReached => write!(
                s,
                "{}: the address answers; the first real payment proves the credentials",
                p("provider")
            ),
            Code::CheckUntested => {
                write!(s, "{}: test the connection — nothing was tested since the last change", p("provider"))
            }
            Code::CheckFailed => write!(s, "{}: the last connection test failed — {}", p("provider"), cause()),
            Code::CheckTestAddress => write!(
                s,
                "{}: {} is {}'s test environment — no real money moves there",
                p("provider"),
                p("host"),
                p("provider")
            ),
            Code::CheckLocalAddress => write!(
                s,
                "{}: {} is this computer, not {} — no real money moves there",
                p("provider"),
                p("host"),
                p("provider")
            ),
            Code::CheckRetiredVersion => write!(
                s,
                "{}: API {} is retired by {} — choose {}",
                p("provider"),
                p("version"),
                p("provider"),
                p("current")
            ),
            Code::CheckRestart => write!(
                s,
                "{}: restart Farepoint so the desk takes its payments with these settings",
                p("provider")
            ),
            Code::CheckUnused => write!(s, "{}: not set up — the desk does not offer it", p("provider")),
            Code::CheckNoProvider => write!(s, "Set up at least one provider"),
            Code::CheckSwitch => write!(s, "Switch to the Production profile when everything above is done"),
        };
        s
    }
}

/// A field's, secret's or hotel card key's English label, by its schema key.
fn field_label(provider: Provider, key: &str) -> String {
    let schema = schema(provider);
    if let Some(f) = schema.field(key) {
        return f.label.to_string();
    }
    if let Some(s) = schema.secrets.iter().find(|s| s.key == key) {
        return s.label.to_string();
    }
    match key.strip_prefix(CARD_KEY_PREFIX) {
        Some(id) => format!("Card key for hotel {id}"),
        None if key == HOTELS_FIELD => "Hotels".to_string(),
        None => key.to_string(),
    }
}

impl SettingsError {
    /// The refusal as a code and its parameters, for the window.
    pub fn coded(&self) -> Coded {
        match self {
            SettingsError::Invalid { problem, .. } => problem.clone(),
            SettingsError::ReadOnly => Coded::new(Code::ReadOnlyProfile),
            SettingsError::UnknownField { provider, field, expected } => Coded::new(Code::UnknownSetting)
                .with("provider", provider)
                .with("field", field)
                .with("expected", expected),
            SettingsError::UnknownPreference(key) => Coded::new(Code::UnknownPreference).with("key", key),
            SettingsError::Store(e) => Coded::new(Code::Storage).with("reason", e),
            SettingsError::Secret(
                e @ (SecretError::Unavailable { .. }
                | SecretError::Locked { .. }
                | SecretError::NotPersistent),
            ) => Coded::new(Code::KeyringUnavailable).with("reason", e),
            SettingsError::Secret(e) => Coded::new(Code::Keyring).with("reason", e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;
    use crate::providers::http::Timeouts;
    use crate::secrets::{MemoryStore, SecretString};
    use crate::settings::{load, save, store_credential, Hotel, Problem, ProductionSettings};
    use crate::store::{self, Store};

    fn codes_of(problems: &[Problem], provider: Provider) -> Vec<(Code, Option<&str>)> {
        problems
            .iter()
            .filter(|p| p.provider == provider)
            .map(|p| {
                assert_eq!(p.message, p.coded.english(provider), "the message is the code's English");
                (p.coded.code, p.coded.params.get("field").map(String::as_str))
            })
            .collect()
    }

    #[test]
    fn what_is_missing_is_sent_by_code_with_the_field_key() {
        let secrets = MemoryStore::default();
        let (_, problems) = ProductionSettings::default().clients(Some(&secrets), Timeouts::default());
        assert_eq!(
            codes_of(&problems, Provider::Atrip),
            [
                (Code::MissingValue, Some("base_url")),
                (Code::MissingSecret, Some("client_id")),
                (Code::MissingSecret, Some("client_secret")),
            ]
        );
        assert!(codes_of(&problems, Provider::HeiPay).contains(&(Code::NoHotels, None)));
        let atrip = problems.iter().find(|p| p.provider == Provider::Atrip).unwrap();
        assert_eq!(atrip.message, "API base URL is not set — enter it in Settings");
        assert_eq!(
            serde_json::to_value(atrip).unwrap(),
            serde_json::json!({
                "message": "API base URL is not set — enter it in Settings",
                "code": "missing_value",
                "params": { "field": "base_url" },
            })
        );

        // Without a keyring: the secrets cannot be read, said once per provider.
        let (_, problems) = ProductionSettings::default().clients(None, Timeouts::default());
        let travelport = codes_of(&problems, Provider::Travelport);
        assert_eq!(
            travelport.iter().filter(|(c, _)| *c == Code::KeyringNotWorking).count(),
            1,
            "{travelport:?}"
        );
    }

    #[test]
    fn a_refused_value_says_its_fault_by_code() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open_in(dir.path()).unwrap());
        let mut conn = rusqlite::Connection::open(dir.path().join(store::DB_FILE)).unwrap();
        let values = [("base_url".to_string(), "atrip dot example".to_string())].into();
        let err = save(&mut conn, Profile::Production, Provider::Atrip, &values, None, 1).unwrap_err();
        let coded = err.coded();
        assert_eq!(coded.code, Code::NotUrl);
        assert_eq!(coded.params["value"], "atrip dot example");
        assert!(err
            .to_string()
            .starts_with("ATRIP — API base URL: 'atrip dot example' is not a full web address ("));

        let hotels = [Hotel { id: 7, name: "Hotel Siete".into() }];
        save(&mut conn, Profile::Production, Provider::HeiPay, &Default::default(), Some(&hotels), 1)
            .unwrap();
        let settings = load(&conn).unwrap();
        let secrets = MemoryStore::default();
        let key = SecretString::from("not-a-card-key".to_string());
        let err =
            store_credential(&settings, &secrets, Profile::Production, Provider::HeiPay, "card_key/7", key)
                .unwrap_err();
        assert_eq!(err.coded().code, Code::CardKeyInvalid);
        assert!(err.coded().params["reason"].contains("base64"), "{err}");
        let err = save(&mut conn, Profile::Sandbox, Provider::Atrip, &values, None, 1).unwrap_err();
        assert_eq!(err.coded(), Coded::new(Code::ReadOnlyProfile));
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name}");
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(name));
        }
    }

    #[test]
    fn a_problem_serialises_its_code_params_and_cause() {
        let coded = Coded::new(Code::InvalidValue)
            .with("field", "base_url")
            .because(Coded::new(Code::NotHttps).with("value", "ftp://x"));
        assert_eq!(
            serde_json::to_value(&coded).unwrap(),
            serde_json::json!({
                "code": "invalid_value",
                "params": { "field": "base_url" },
                "cause": { "code": "not_https", "params": { "value": "ftp://x" } },
            })
        );
        assert_eq!(
            coded.english(Provider::Atrip),
            "API base URL: 'ftp://x' must start with https:// — correct it in Settings"
        );
    }
}
