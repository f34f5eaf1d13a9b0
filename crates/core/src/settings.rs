//! Settings (docs/design.md §6): what each provider needs, the Production profile's values and
//! credentials, the Production clients built from them, and the app's preferences.
//!
//! - Non-secret values live in the `settings` table under scope `production`, key
//!   `<provider>.<field>`; HeiPay's hotels are one JSON list under `heipay.hotels`.
//! - Secrets go through `SecretStore` only, as `production/<provider>/<field>`; a hotel's card key
//!   is the field `card_key/<hotel id>`. Nothing here returns, logs or formats a secret's value:
//!   the view says whether a secret is stored, never what it is.
//! - The Sandbox profile is built in: its view is read-only and shows the simulator's demo values.
//! - Preferences (`locale`) belong to the app, not to a profile: scope `app`.

use std::collections::{HashMap, HashSet};
use std::fmt;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::engine::Clients;
use crate::payment::Provider;
use crate::profile::Profile;
use crate::providers::atrip::{AtripClient, AtripConfig};
use crate::providers::heipay::{HeiPayClient, HeiPayConfig};
use crate::providers::holidayextras::{ApiVersion, HolidayExtrasClient, HolidayExtrasConfig};
use crate::providers::http::Timeouts;
use crate::providers::travelport::{TravelportClient, TravelportConfig};
use crate::secrets::{CredentialKey, ExposeSecret, SecretError, SecretStore, SecretString};
use crate::store::{self, StoreError};
use crate::vault::{self, FieldCipher};

mod codes;
pub use codes::{Code, Coded};

/// The settings scope (and keyring profile) of the Production profile.
const PRODUCTION: &str = "production";
/// Preferences belong to the app, beside the active profile (profile.rs).
const APP_SCOPE: &str = "app";
/// HeiPay's hotel list, one JSON value.
const HOTELS_FIELD: &str = "hotels";
/// A hotel's card key is the keyring field `card_key/<hotel id>`.
const CARD_KEY_PREFIX: &str = "card_key/";

// ---------------------------------------------------------------------------------------------
// The schema

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Url,
    Text,
    Choice,
}

/// A non-secret setting of one provider.
#[derive(Debug)]
pub struct FieldSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    /// The allowed values of a `Choice`; empty otherwise.
    pub choices: &'static [&'static str],
    /// The Production default ("" where the provider issues it per account).
    pub default: &'static str,
    pub help: &'static str,
    pub required: bool,
}

/// A secret of one provider: kept in the keyring, entered write-only.
#[derive(Debug)]
pub struct SecretSpec {
    pub key: &'static str,
    pub label: &'static str,
}

#[derive(Debug)]
pub struct ProviderSchema {
    pub provider: Provider,
    pub fields: &'static [FieldSpec],
    pub secrets: &'static [SecretSpec],
    /// HeiPay: a list of hotels, each with its own card key in the keyring.
    pub hotels: bool,
}

impl ProviderSchema {
    pub fn field(&self, key: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.key == key)
    }
}

const fn url(key: &'static str, label: &'static str, default: &'static str, help: &'static str) -> FieldSpec {
    FieldSpec { key, label, kind: FieldKind::Url, choices: &[], default, help, required: true }
}

// Defaults from the providers' pages (docs/providers/): ATRIP and HeiPay give each account its own
// host, so those start empty and must be entered.
const ATRIP: ProviderSchema = ProviderSchema {
    provider: Provider::Atrip,
    fields: &[url(
        "base_url",
        "API base URL",
        "",
        "Your company's ATRIP API address, shown in ATRIP under Profile → My Profile → Company \
         Information (the one for every call except search.do). The ATRIP sandbox is \
         https://sandbox.atriptech.com/.",
    )],
    secrets: &[
        SecretSpec { key: "client_id", label: "Client ID" },
        SecretSpec { key: "client_secret", label: "Client secret" },
    ],
    hotels: false,
};

const TRAVELPORT: ProviderSchema = ProviderSchema {
    provider: Provider::Travelport,
    fields: &[
        url(
            "air_base_url",
            "Air API base URL",
            "https://api.travelport.net/11/air/",
            "JSON Air API v11. Pre-production: https://api.pp.travelport.net/11/air/ (the older \
             .com hosts were retired in 2025–2026).",
        ),
        // Not `token_url`: the settings table refuses keys that look like secrets.
        url(
            "auth_url",
            "OAuth token URL",
            "https://auth.travelport.net/oauth/token",
            "Where the access token is requested. Pre-production: https://auth.pp.travelport.net/oauth/token",
        ),
        FieldSpec {
            key: "pcc",
            label: "PCC",
            kind: FieldKind::Text,
            choices: &[],
            default: "",
            help: "Your pseudo city code and GDS written PCC_GDS, e.g. 79JP_1G (sent as TVP-PCC-CORE).",
            required: true,
        },
    ],
    secrets: &[
        SecretSpec { key: "username", label: "Username" },
        SecretSpec { key: "password", label: "Password" },
        SecretSpec { key: "client_id", label: "Client ID" },
        SecretSpec { key: "client_secret", label: "Client secret" },
    ],
    hotels: false,
};

const HOLIDAYEXTRAS: ProviderSchema = ProviderSchema {
    provider: Provider::HolidayExtras,
    fields: &[
        url(
            "base_url",
            "Payment gateway URL",
            "https://payment-gateway.holidayextras.co.uk/",
            "pay and refund are appended. Staging: https://payment-gateway-staging.holidayextras.co.uk/",
        ),
        FieldSpec {
            key: "channel",
            label: "Channel",
            kind: FieldKind::Text,
            choices: &[],
            default: "",
            help: "The channel Holiday Extras issued with your credentials; sent in every request.",
            required: true,
        },
        FieldSpec {
            key: "api_version",
            label: "API version",
            kind: FieldKind::Choice,
            choices: &["v1", "v2"],
            default: "v2",
            help: "v2 sends whole pence with a currency. v1 (pence as text, GBP only) is the version the \
                   provider page documents; Holiday Extras sunset it in September 2022.",
            required: true,
        },
    ],
    secrets: &[
        SecretSpec { key: "username", label: "Username" },
        SecretSpec { key: "password", label: "Password" },
    ],
    hotels: false,
};

const HEIPAY: ProviderSchema = ProviderSchema {
    provider: Provider::HeiPay,
    fields: &[url(
        "base_url",
        "API base URL",
        "",
        "The HeiPay API address issued with your account; v2/virtual-terminal/credit-card is appended.",
    )],
    secrets: &[SecretSpec { key: "api_token", label: "API token" }],
    hotels: true,
};

pub fn schema(provider: Provider) -> &'static ProviderSchema {
    match provider {
        Provider::Atrip => &ATRIP,
        Provider::Travelport => &TRAVELPORT,
        Provider::HolidayExtras => &HOLIDAYEXTRAS,
        Provider::HeiPay => &HEIPAY,
    }
}

/// A HeiPay hotel: its id at HeiPay and the name the desk knows it by. Its card key is a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hotel {
    pub id: i64,
    pub name: String,
}

// ---------------------------------------------------------------------------------------------
// Errors and problems

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A value that cannot be saved; the message names the field and what to fix, `problem`
    /// says what to fix by code.
    #[error("{message}")]
    Invalid { field: String, problem: Coded, message: String },
    #[error(
        "The Sandbox profile's settings and demo credentials are built in and cannot be changed — \
         switch to the Production profile to enter your own"
    )]
    ReadOnly,
    #[error("{provider} has no setting '{field}' — expected one of: {expected}")]
    UnknownField { provider: &'static str, field: String, expected: String },
    #[error("unknown preference '{0}' — the preferences are: locale")]
    UnknownPreference(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
}

impl SettingsError {
    fn invalid(provider: Provider, field: &str, label: &str, fix: Coded) -> Self {
        SettingsError::Invalid {
            field: field.to_string(),
            message: format!("{} — {label}: {}", provider.display_name(), fix.english(provider)),
            problem: fix,
        }
    }
}

/// Why a Production provider has no client (or, for a HeiPay hotel, cannot be used): the
/// English `message`, and beside it the code and parameters the window translates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(skip)]
    pub provider: Provider,
    pub message: String,
    #[serde(flatten)]
    pub coded: Coded,
}

impl Problem {
    fn new(provider: Provider, coded: Coded) -> Self {
        Problem { provider, message: coded.english(provider), coded }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.provider.display_name(), self.message)
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// An https address with a host. Plain http only to this computer (a local test server):
/// anywhere else it would carry credentials and card data in the clear. Credentials in the URL
/// are refused: they would land in SQLite.
fn check_url(text: &str) -> Result<(), Coded> {
    let parsed = reqwest::Url::parse(text)
        .map_err(|e| Coded::new(Code::NotUrl).with("value", text).with("reason", e))?;
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return Err(Coded::new(Code::NoHost).with("value", text));
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(Coded::new(Code::PlainHttp).with("value", text)),
        _ => return Err(Coded::new(Code::NotHttps).with("value", text)),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Coded::new(Code::UrlCredentials));
    }
    Ok(())
}

/// Checks one non-secret value; `Ok` carries it as it will be stored (trimmed), `Err` what to fix.
fn check_value(provider: Provider, spec: &FieldSpec, raw: &str) -> Result<String, Coded> {
    let value = raw.trim();
    if value.is_empty() {
        return if spec.required { Err(Coded::new(Code::Required)) } else { Ok(String::new()) };
    }
    match spec.kind {
        FieldKind::Url => check_url(value)?,
        FieldKind::Choice if !spec.choices.contains(&value) => {
            return Err(Coded::new(Code::NotAChoice)
                .with("value", value)
                .with("choices", spec.choices.join(", ")));
        }
        FieldKind::Choice => {}
        FieldKind::Text if provider == Provider::Travelport && spec.key == "pcc" => {
            let ok = value.split_once('_').is_some_and(|(p, g)| !p.is_empty() && !g.is_empty())
                && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                return Err(Coded::new(Code::BadPcc).with("value", value));
            }
        }
        FieldKind::Text => {}
    }
    Ok(value.to_string())
}

fn check_hotels(hotels: &[Hotel]) -> Result<Vec<Hotel>, SettingsError> {
    let invalid = |code: Code, id: i64| {
        SettingsError::invalid(
            Provider::HeiPay,
            HOTELS_FIELD,
            "Hotels",
            Coded::new(code).with("hotel_id", id),
        )
    };
    let mut seen = HashSet::new();
    let mut checked = Vec::with_capacity(hotels.len());
    for hotel in hotels {
        if hotel.id <= 0 {
            return Err(invalid(Code::HotelIdInvalid, hotel.id));
        }
        if !seen.insert(hotel.id) {
            return Err(invalid(Code::HotelListedTwice, hotel.id));
        }
        let name = hotel.name.trim();
        if name.is_empty() {
            return Err(invalid(Code::HotelUnnamed, hotel.id));
        }
        checked.push(Hotel { id: hotel.id, name: name.to_string() });
    }
    Ok(checked)
}

/// A credential field of a provider: a named secret, or a HeiPay hotel's card key.
enum SecretField {
    Named(&'static SecretSpec),
    CardKey(i64),
}

fn secret_field(provider: Provider, field: &str) -> Result<SecretField, SettingsError> {
    let schema = schema(provider);
    if let Some(spec) = schema.secrets.iter().find(|s| s.key == field) {
        return Ok(SecretField::Named(spec));
    }
    if schema.hotels {
        if let Some(id) = field.strip_prefix(CARD_KEY_PREFIX) {
            return match id.parse::<i64>() {
                Ok(id) if id > 0 => Ok(SecretField::CardKey(id)),
                _ => Err(SettingsError::invalid(
                    provider,
                    field,
                    "Card key",
                    Coded::new(Code::CardKeyFieldInvalid).with("value", id),
                )),
            };
        }
    }
    let mut expected: Vec<&str> = schema.secrets.iter().map(|s| s.key).collect();
    if schema.hotels {
        expected.push("card_key/<hotel id>");
    }
    Err(SettingsError::UnknownField {
        provider: provider.display_name(),
        field: field.to_string(),
        expected: expected.join(", "),
    })
}

fn writable(profile: Profile) -> Result<(), SettingsError> {
    match profile {
        Profile::Production => Ok(()),
        Profile::Sandbox => Err(SettingsError::ReadOnly),
    }
}

fn credential(provider: Provider, field: &str) -> CredentialKey {
    CredentialKey::new(PRODUCTION, provider.as_str(), field)
}

// ---------------------------------------------------------------------------------------------
// The Production profile's non-secret values

/// The Production profile's non-secret settings as stored. Holds no secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductionSettings {
    /// `<provider>.<field>` → the stored value.
    values: HashMap<String, String>,
    hotels: Vec<Hotel>,
}

fn setting_key(provider: Provider, field: &str) -> String {
    format!("{}.{field}", provider.as_str())
}

impl ProductionSettings {
    /// The stored value, or the field's default.
    pub fn value(&self, provider: Provider, field: &str) -> String {
        if let Some(stored) = self.values.get(&setting_key(provider, field)) {
            return stored.clone();
        }
        schema(provider).field(field).map(|f| f.default.to_string()).unwrap_or_default()
    }

    pub fn hotels(&self) -> &[Hotel] {
        &self.hotels
    }
}

/// Reads the Production profile's non-secret settings.
pub fn load(conn: &Connection) -> Result<ProductionSettings, SettingsError> {
    let mut stmt =
        conn.prepare("SELECT key, value FROM settings WHERE profile = ?1").map_err(StoreError::from)?;
    let values = stmt
        .query_map([PRODUCTION], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(StoreError::from)?
        .collect::<Result<HashMap<_, _>, _>>()
        .map_err(StoreError::from)?;
    let hotels = match values.get(&setting_key(Provider::HeiPay, HOTELS_FIELD)) {
        None => Vec::new(),
        Some(json) => serde_json::from_str(json)
            .map_err(|e| StoreError::Corrupt(format!("the HeiPay hotel list is not readable: {e}")))?,
    };
    Ok(ProductionSettings { values, hotels })
}

/// The HeiPay hotels of the Production profile.
pub fn hotels(conn: &Connection) -> Result<Vec<Hotel>, SettingsError> {
    Ok(load(conn)?.hotels)
}

/// Saves one provider's non-secret values (fields not in `values` keep theirs; `hotels: None`
/// keeps the list). Everything is checked first and written in one transaction, so a refused
/// value leaves nothing half-saved. Returns the ids of hotels that were removed, whose card keys
/// the caller should forget (`forget_credential` with `card_key/<id>`).
pub fn save(
    conn: &mut Connection,
    profile: Profile,
    provider: Provider,
    values: &HashMap<String, String>,
    hotels: Option<&[Hotel]>,
    now_ms: i64,
) -> Result<Vec<i64>, SettingsError> {
    writable(profile)?;
    let schema = schema(provider);
    let mut keys: Vec<&String> = values.keys().collect();
    keys.sort();
    let mut checked = Vec::with_capacity(keys.len());
    for key in keys {
        let spec = schema.field(key).ok_or_else(|| SettingsError::UnknownField {
            provider: provider.display_name(),
            field: key.clone(),
            expected: schema.fields.iter().map(|f| f.key).collect::<Vec<_>>().join(", "),
        })?;
        let value = check_value(provider, spec, &values[key])
            .map_err(|fix| SettingsError::invalid(provider, spec.key, spec.label, fix))?;
        checked.push((setting_key(provider, spec.key), value));
    }
    let hotels = match hotels {
        None => None,
        Some(_) if !schema.hotels => {
            return Err(SettingsError::invalid(
                provider,
                HOTELS_FIELD,
                "Hotels",
                Coded::new(Code::HotelsHeiPayOnly),
            ));
        }
        Some(list) => Some(check_hotels(list)?),
    };

    let current = load(conn)?;
    let tx = conn.transaction().map_err(StoreError::from)?;
    for (key, value) in &checked {
        store::set_setting(&tx, PRODUCTION, key, value, now_ms)?;
    }
    let mut removed = Vec::new();
    if let Some(list) = &hotels {
        let json = serde_json::to_string(list).expect("hotels serialize");
        store::set_setting(&tx, PRODUCTION, &setting_key(provider, HOTELS_FIELD), &json, now_ms)?;
        let kept: HashSet<i64> = list.iter().map(|h| h.id).collect();
        removed = current.hotels.iter().map(|h| h.id).filter(|id| !kept.contains(id)).collect();
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(removed)
}

// ---------------------------------------------------------------------------------------------
// Credentials

/// Stores one credential in the keyring, after checking it. `field` is a secret of the provider's
/// schema or, for HeiPay, `card_key/<hotel id>` of a hotel already in `settings`. The value is
/// never part of an error.
pub fn store_credential(
    settings: &ProductionSettings,
    secrets: &dyn SecretStore,
    profile: Profile,
    provider: Provider,
    field: &str,
    value: SecretString,
) -> Result<(), SettingsError> {
    writable(profile)?;
    let kind = secret_field(provider, field)?;
    let label = match &kind {
        SecretField::Named(spec) => spec.label.to_string(),
        SecretField::CardKey(id) => format!("Card key for hotel {id}"),
    };
    let invalid = |fix: Coded| SettingsError::invalid(provider, field, &label, fix);
    if value.expose_secret().trim().is_empty() {
        return Err(invalid(Coded::new(Code::SecretEmpty)));
    }
    // A pasted value often carries a stray newline; a password keeps its spaces as typed.
    let value = match &kind {
        SecretField::Named(spec) if spec.key == "password" => value,
        _ => SecretString::from(value.expose_secret().trim().to_string()),
    };
    match kind {
        SecretField::CardKey(id) => {
            if !settings.hotels.iter().any(|h| h.id == id) {
                return Err(invalid(Coded::new(Code::NoSuchHotel).with("hotel_id", id)));
            }
            vault::hotel_cipher(value.expose_secret())
                .map_err(|e| invalid(Coded::new(Code::CardKeyInvalid).with("reason", e)))?;
        }
        SecretField::Named(spec) if provider == Provider::HolidayExtras && spec.key == "username" => {
            if value.expose_secret().contains(':') {
                return Err(invalid(Coded::new(Code::UsernameColon)));
            }
        }
        SecretField::Named(_) => {}
    }
    secrets.set(&credential(provider, field), &value)?;
    Ok(())
}

/// Removes one credential from the keyring; removing one that is not there is not an error.
pub fn forget_credential(
    secrets: &dyn SecretStore,
    profile: Profile,
    provider: Provider,
    field: &str,
) -> Result<(), SettingsError> {
    writable(profile)?;
    secret_field(provider, field)?;
    secrets.delete(&credential(provider, field))?;
    Ok(())
}

/// Reads secrets for one pass over the providers. After the keyring fails once, the rest are not
/// asked for: the same failure would repeat (and a locked keyring would prompt again and again).
struct Reader<'a> {
    store: Option<&'a dyn SecretStore>,
    failure: Option<Coded>,
}

impl<'a> Reader<'a> {
    fn new(store: Option<&'a dyn SecretStore>) -> Self {
        let failure = store.is_none().then(|| Coded::new(Code::KeyringNotWorking));
        Reader { store, failure }
    }

    fn get(&mut self, key: &CredentialKey) -> Result<Option<SecretString>, Coded> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        let store = self.store.expect("a store when nothing failed");
        store.get(key).map_err(|e| {
            let failure = Coded::new(Code::KeyringReadFailed).with("reason", e);
            self.failure = Some(failure.clone());
            failure
        })
    }
}

/// One provider's values and secrets, read and checked. `gaps` keep its client from being built;
/// `notes` do not (a HeiPay hotel without a card key while another hotel has one).
struct Gathered {
    values: HashMap<&'static str, String>,
    secrets: HashMap<&'static str, SecretString>,
    stored: HashMap<&'static str, bool>,
    card_ciphers: HashMap<i64, Box<dyn FieldCipher>>,
    hotel_key_stored: HashMap<i64, bool>,
    gaps: Vec<Coded>,
    notes: Vec<Coded>,
}

fn gather(settings: &ProductionSettings, provider: Provider, reader: &mut Reader<'_>) -> Gathered {
    let schema = schema(provider);
    let mut g = Gathered {
        values: HashMap::new(),
        secrets: HashMap::new(),
        stored: HashMap::new(),
        card_ciphers: HashMap::new(),
        hotel_key_stored: HashMap::new(),
        gaps: Vec::new(),
        notes: Vec::new(),
    };
    for spec in schema.fields {
        let value = settings.value(provider, spec.key);
        if value.trim().is_empty() && spec.required {
            g.gaps.push(Coded::new(Code::MissingValue).with("field", spec.key));
        } else if let Err(fix) = check_value(provider, spec, &value) {
            g.gaps.push(Coded::new(Code::InvalidValue).with("field", spec.key).because(fix));
        }
        g.values.insert(spec.key, value.trim().to_string());
    }
    let mut keyring_failure = None;
    for spec in schema.secrets {
        match reader.get(&credential(provider, spec.key)) {
            Ok(Some(secret)) => {
                g.stored.insert(spec.key, true);
                g.secrets.insert(spec.key, secret);
            }
            Ok(None) => {
                g.stored.insert(spec.key, false);
                g.gaps.push(Coded::new(Code::MissingSecret).with("field", spec.key));
            }
            Err(failure) => {
                g.stored.insert(spec.key, false);
                keyring_failure.get_or_insert(failure);
            }
        }
    }
    if schema.hotels {
        let mut missing = Vec::new();
        for hotel in &settings.hotels {
            let field = format!("{CARD_KEY_PREFIX}{}", hotel.id);
            let who = |code| Coded::new(code).with("hotel_id", hotel.id).with("hotel_name", &hotel.name);
            match reader.get(&credential(provider, &field)) {
                Ok(Some(encoded)) => {
                    g.hotel_key_stored.insert(hotel.id, true);
                    match vault::hotel_cipher(encoded.expose_secret()) {
                        Ok(cipher) => {
                            g.card_ciphers.insert(hotel.id, cipher);
                        }
                        Err(e) => missing.push(who(Code::CardKeyUnusable).with("reason", e)),
                    }
                }
                Ok(None) => {
                    g.hotel_key_stored.insert(hotel.id, false);
                    missing.push(who(Code::MissingCardKey));
                }
                Err(failure) => {
                    g.hotel_key_stored.insert(hotel.id, false);
                    keyring_failure.get_or_insert(failure);
                }
            }
        }
        if settings.hotels.is_empty() {
            g.gaps.push(Coded::new(Code::NoHotels));
        } else if g.card_ciphers.is_empty() {
            g.gaps.extend(missing);
        } else {
            g.notes.extend(missing);
        }
    }
    if let Some(failure) = keyring_failure {
        g.gaps.push(failure);
    }
    g
}

fn client_failed(e: impl fmt::Display) -> Coded {
    Coded::new(Code::ClientFailed).with("reason", e)
}

fn take_secret(g: &mut Gathered, key: &str) -> SecretString {
    g.secrets.remove(key).unwrap_or_else(|| SecretString::from(String::new()))
}

/// Builds the client of a provider whose gather found no gap.
fn build(
    provider: Provider,
    mut g: Gathered,
    timeouts: Timeouts,
    clients: &mut Clients,
) -> Result<(), Coded> {
    let value = |g: &Gathered, key: &str| g.values.get(key).cloned().unwrap_or_default();
    let plain = |g: &mut Gathered, key: &str| take_secret(g, key).expose_secret().to_string();
    // Checked again as stored: an address saved before a rule tightened must not be used.
    for field in schema(provider).fields.iter().filter(|f| f.kind == FieldKind::Url) {
        check_url(&value(&g, field.key))
            .map_err(|e| Coded::new(Code::InvalidValue).with("field", field.key).because(e))?;
    }
    match provider {
        Provider::Atrip => {
            let config = AtripConfig {
                base_url: value(&g, "base_url"),
                client_id: plain(&mut g, "client_id"),
                client_secret: take_secret(&mut g, "client_secret"),
                timeouts,
            };
            clients.atrip = Some(AtripClient::new(config).map_err(client_failed)?);
        }
        Provider::Travelport => {
            let config = TravelportConfig {
                air_base_url: value(&g, "air_base_url"),
                token_url: value(&g, "auth_url"),
                username: plain(&mut g, "username"),
                password: take_secret(&mut g, "password"),
                client_id: plain(&mut g, "client_id"),
                client_secret: take_secret(&mut g, "client_secret"),
                pcc: value(&g, "pcc"),
                timeouts,
            };
            clients.travelport = Some(TravelportClient::new(config).map_err(client_failed)?);
        }
        Provider::HolidayExtras => {
            let version = if value(&g, "api_version") == "v1" { ApiVersion::V1 } else { ApiVersion::V2 };
            let config = HolidayExtrasConfig {
                base_url: value(&g, "base_url"),
                username: plain(&mut g, "username"),
                password: take_secret(&mut g, "password"),
                channel: value(&g, "channel"),
                version,
                timeouts,
            };
            clients.holidayextras = Some(HolidayExtrasClient::new(config).map_err(client_failed)?);
        }
        Provider::HeiPay => {
            let config = HeiPayConfig {
                base_url: value(&g, "base_url"),
                api_token: take_secret(&mut g, "api_token"),
                card_ciphers: std::mem::take(&mut g.card_ciphers),
                timeouts,
            };
            clients.heipay = Some(HeiPayClient::new(config).map_err(client_failed)?);
        }
    }
    Ok(())
}

impl ProductionSettings {
    /// The clients of every fully configured provider, and for each other one what is missing.
    /// `secrets: None` means the keyring is not working: no client, one problem per provider.
    pub fn clients(&self, secrets: Option<&dyn SecretStore>, timeouts: Timeouts) -> (Clients, Vec<Problem>) {
        let mut reader = Reader::new(secrets);
        let mut clients = Clients::default();
        let mut problems = Vec::new();
        for provider in Provider::ALL {
            let g = gather(self, provider, &mut reader);
            let mut messages = g.gaps.clone();
            messages.extend(g.notes.iter().cloned());
            if g.gaps.is_empty() {
                if let Err(e) = build(provider, g, timeouts, &mut clients) {
                    messages.push(e);
                }
            }
            problems.extend(messages.into_iter().map(|coded| Problem::new(provider, coded)));
        }
        (clients, problems)
    }

    /// What the Settings page shows: values, and for each secret only whether it is stored.
    pub fn view(&self, secrets: Option<&dyn SecretStore>) -> ProfileView {
        let mut reader = Reader::new(secrets);
        let providers = Provider::ALL
            .into_iter()
            .map(|provider| {
                let schema = schema(provider);
                let g = gather(self, provider, &mut reader);
                let fields =
                    schema.fields.iter().map(|spec| FieldView::new(spec, g.values[spec.key].clone()));
                let hotels = schema.hotels.then(|| {
                    self.hotels
                        .iter()
                        .map(|h| HotelView {
                            id: h.id,
                            name: h.name.clone(),
                            card_key_stored: g.hotel_key_stored.get(&h.id).copied().unwrap_or(false),
                        })
                        .collect()
                });
                let secrets = schema
                    .secrets
                    .iter()
                    .map(|s| SecretView {
                        key: s.key.to_string(),
                        label: s.label.to_string(),
                        stored: g.stored.get(s.key).copied().unwrap_or(false),
                        read_only: false,
                        note: None,
                    })
                    .collect();
                let problems =
                    g.gaps.iter().chain(&g.notes).map(|c| Problem::new(provider, c.clone())).collect();
                ProviderView {
                    provider,
                    name: provider.display_name(),
                    configured: g.gaps.is_empty(),
                    problems,
                    fields: fields.collect(),
                    hotels,
                    secrets,
                }
            })
            .collect();
        ProfileView { profile: Profile::Production, read_only: false, providers }
    }
}

/// The Production clients from the stored settings and the keyring (see `ProductionSettings::clients`).
pub fn production_clients(
    conn: &Connection,
    secrets: Option<&dyn SecretStore>,
    timeouts: Timeouts,
) -> Result<(Clients, Vec<Problem>), SettingsError> {
    Ok(load(conn)?.clients(secrets, timeouts))
}

// ---------------------------------------------------------------------------------------------
// The view

#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    pub profile: Profile,
    pub read_only: bool,
    pub providers: Vec<ProviderView>,
}

impl ProfileView {
    pub fn provider(&self, provider: Provider) -> Option<&ProviderView> {
        self.providers.iter().find(|p| p.provider == provider)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderView {
    pub provider: Provider,
    pub name: &'static str,
    /// Everything needed to build the client is there.
    pub configured: bool,
    pub problems: Vec<Problem>,
    pub fields: Vec<FieldView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hotels: Option<Vec<HotelView>>,
    pub secrets: Vec<SecretView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<&'static [&'static str]>,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'static str>,
    pub required: bool,
}

impl FieldView {
    fn new(spec: &'static FieldSpec, value: String) -> Self {
        FieldView {
            key: spec.key,
            label: spec.label,
            kind: spec.kind,
            choices: (spec.kind == FieldKind::Choice).then_some(spec.choices),
            value,
            help: (!spec.help.is_empty()).then_some(spec.help),
            required: spec.required,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HotelView {
    pub id: i64,
    pub name: String,
    pub card_key_stored: bool,
}

/// A secret as the page sees it: whether it is stored, never its value.
#[derive(Debug, Clone, Serialize)]
pub struct SecretView {
    pub key: String,
    pub label: String,
    pub stored: bool,
    pub read_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

/// The Sandbox profile's values, from the running simulator and its demo data (the caller knows
/// both; core does not depend on the simulator).
#[derive(Debug, Clone)]
pub struct SandboxValues {
    pub atrip_base_url: String,
    pub travelport_air_base_url: String,
    pub travelport_auth_url: String,
    pub travelport_pcc: String,
    pub holidayextras_base_url: String,
    pub holidayextras_channel: String,
    pub holidayextras_version: ApiVersion,
    pub heipay_base_url: String,
    pub hotels: Vec<Hotel>,
}

impl SandboxValues {
    fn value(&self, provider: Provider, field: &str) -> String {
        match (provider, field) {
            (Provider::Atrip, "base_url") => self.atrip_base_url.clone(),
            (Provider::Travelport, "air_base_url") => self.travelport_air_base_url.clone(),
            (Provider::Travelport, "auth_url") => self.travelport_auth_url.clone(),
            (Provider::Travelport, "pcc") => self.travelport_pcc.clone(),
            (Provider::HolidayExtras, "base_url") => self.holidayextras_base_url.clone(),
            (Provider::HolidayExtras, "channel") => self.holidayextras_channel.clone(),
            (Provider::HolidayExtras, "api_version") => self.holidayextras_version.label().to_string(),
            (Provider::HeiPay, "base_url") => self.heipay_base_url.clone(),
            _ => String::new(),
        }
    }
}

const DEMO_CREDENTIAL: &str = "Built-in demo credential";

/// The Sandbox profile, read-only: the simulator's addresses and demo values, every secret a
/// built-in demo credential.
pub fn sandbox_view(values: &SandboxValues) -> ProfileView {
    let providers = Provider::ALL
        .into_iter()
        .map(|provider| {
            let schema = schema(provider);
            ProviderView {
                provider,
                name: provider.display_name(),
                configured: true,
                problems: Vec::new(),
                fields: schema
                    .fields
                    .iter()
                    // The help says where a Production value comes from: not meant for the demo.
                    .map(|spec| FieldView {
                        help: None,
                        ..FieldView::new(spec, values.value(provider, spec.key))
                    })
                    .collect(),
                hotels: schema.hotels.then(|| {
                    values
                        .hotels
                        .iter()
                        .map(|h| HotelView { id: h.id, name: h.name.clone(), card_key_stored: true })
                        .collect()
                }),
                secrets: schema
                    .secrets
                    .iter()
                    .map(|s| SecretView {
                        key: s.key.to_string(),
                        label: s.label.to_string(),
                        stored: true,
                        read_only: true,
                        note: Some(DEMO_CREDENTIAL),
                    })
                    .collect(),
            }
        })
        .collect();
    ProfileView { profile: Profile::Sandbox, read_only: true, providers }
}

// ---------------------------------------------------------------------------------------------
// App preferences

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

#[cfg(test)]
mod tests;
