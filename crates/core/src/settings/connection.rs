//! "Test connection" (Settings → Production): a provider's client is built from the saved
//! settings and the keyring, makes its one harmless call (`providers::probe`), and what came back
//! is classified into a plain, coded outcome — worked, bad address, no network, a timeout,
//! refused credentials, the provider's own error — with the technical words kept apart as
//! `details`. The last test of each provider is kept in the main file's `settings` table (scope
//! `connection_test`), desk-wide, with a digest of the non-secret settings it tested: once an
//! address or value changes it no longer counts, and a credential stored or forgotten forgets it
//! (`forget`, called by whoever changes the keyring).

use std::collections::HashMap;
use std::time::Duration;

use rusqlite::Connection;
use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};

use super::clients::build;
use super::gather::gather;
use super::production::ProductionSettings;
use super::reader::Reader;
use super::schema::schema;
use super::{Code, Coded, SettingsError};
use crate::engine::Clients;
use crate::payment::Provider;
use crate::providers::http::Timeouts;
use crate::providers::network::{NetFault, NetKind};
use crate::providers::probe::Probe;
use crate::secrets::SecretStore;
use crate::store::{self, StoreError};

/// How long a test waits: long enough for a slow gateway, short enough for a person waiting.
pub const TEST_TIMEOUTS: Timeouts =
    Timeouts { connect: Duration::from_secs(10), total: Duration::from_secs(20) };

/// Where the last test of each provider is kept (key: the provider's id).
const SCOPE: &str = "connection_test";

/// What a test found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// The provider's answer proved the address and the credentials.
    Worked,
    /// The address answers (and is the provider's, where that can be told); the credentials are
    /// proven by the first real payment.
    Reached,
    /// The host does not exist, refuses the connection, or has no valid certificate.
    BadAddress { host: String, why: NetKind },
    /// The host answered, but not as the provider's API.
    NotTheApi { host: String, status: u16 },
    /// This computer could not reach any network.
    NoNetwork { host: String, why: NetKind },
    /// Nothing came back in time.
    Timeout { host: String, seconds: u64 },
    /// The connection ended before an answer.
    NoAnswer { host: String, why: NetKind },
    /// The provider refused the credentials (its words in the details).
    CredentialsRefused,
    /// The provider answered with an error of its own (its words in the details).
    ProviderError,
}

impl Outcome {
    fn from_probe(probe: &Probe, timeouts: Timeouts) -> Outcome {
        let host = |address: &str| {
            reqwest::Url::parse(address)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| address.to_string())
        };
        match probe {
            Probe::Proven => Outcome::Worked,
            Probe::Reached { .. } => Outcome::Reached,
            Probe::NotTheApi { address, status, .. } => {
                Outcome::NotTheApi { host: host(address), status: *status }
            }
            Probe::CredentialsRefused { .. } => Outcome::CredentialsRefused,
            Probe::ProviderError { .. } => Outcome::ProviderError,
            Probe::Net { address, fault: NetFault { kind, .. } } => {
                let (host, why) = (host(address), *kind);
                match kind {
                    NetKind::HostNotFound | NetKind::Refused | NetKind::Tls | NetKind::NotBuilt => {
                        Outcome::BadAddress { host, why }
                    }
                    NetKind::LookupFailed | NetKind::NoRoute => Outcome::NoNetwork { host, why },
                    NetKind::ConnectTimeout => Outcome::Timeout { host, seconds: timeouts.connect.as_secs() },
                    NetKind::Timeout => Outcome::Timeout { host, seconds: timeouts.total.as_secs() },
                    NetKind::Closed | NetKind::CutOff => Outcome::NoAnswer { host, why },
                }
            }
        }
    }

    /// Whether nothing failed: the provider can be used.
    pub fn ok(&self) -> bool {
        matches!(self, Outcome::Worked | Outcome::Reached)
    }

    /// The outcome as the window says it, for `provider`.
    pub fn coded(&self, provider: Provider) -> Coded {
        let name = provider.display_name();
        let at = |code: Code, host: &str| Coded::new(code).with("provider", name).with("host", host);
        match self {
            Outcome::Worked => {
                Coded::new(Code::TestWorked).with("provider", name).because(Coded::new(proof(provider)))
            }
            Outcome::Reached => {
                Coded::new(Code::TestReached).with("provider", name).because(Coded::new(proof(provider)))
            }
            Outcome::BadAddress { host, why } => at(Code::TestBadAddress, host).with("why", why.as_str()),
            Outcome::NotTheApi { host, status } => at(Code::TestNotTheApi, host).with("status", status),
            Outcome::NoNetwork { host, why } => at(Code::TestNoNetwork, host).with("why", why.as_str()),
            Outcome::Timeout { host, seconds } => at(Code::TestTimeout, host).with("seconds", seconds),
            Outcome::NoAnswer { host, why } => at(Code::TestNoAnswer, host).with("why", why.as_str()),
            Outcome::CredentialsRefused => Coded::new(Code::TestCredentialsRefused).with("provider", name),
            Outcome::ProviderError => Coded::new(Code::TestProviderError).with("provider", name),
        }
    }
}

/// What each provider's test proves, in words. A new provider is a line here (and one in `probe`).
fn proof(provider: Provider) -> Code {
    match provider {
        Provider::Atrip => Code::ProvenAtrip,
        Provider::Travelport => Code::ProvenTravelport,
        Provider::HolidayExtras => Code::ReachedHolidayextras,
        Provider::HeiPay => Code::ReachedHeipay,
    }
}

/// Each provider's test call, on its client.
async fn probe(provider: Provider, clients: &Clients) -> Option<Probe> {
    Some(match provider {
        Provider::Atrip => clients.atrip.as_ref()?.check_connection().await,
        Provider::Travelport => clients.travelport.as_ref()?.check_connection().await,
        Provider::HolidayExtras => clients.holidayextras.as_ref()?.check_connection().await,
        Provider::HeiPay => clients.heipay.as_ref()?.check_connection().await,
    })
}

/// One test: when, what it found, the technical words behind it, and which settings it tested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionTest {
    pub provider: Provider,
    pub at_ms: i64,
    pub outcome: Outcome,
    /// The provider's or the network library's own words (redacted), for a "details" part.
    pub details: Option<String>,
    /// The digest of the non-secret settings tested (`fingerprint`).
    tested: String,
}

/// As it is kept.
#[derive(Serialize, Deserialize)]
struct Kept {
    at_ms: i64,
    outcome: Outcome,
    details: Option<String>,
    tested: String,
}

/// As the window reads it: the outcome by its code, beside the English.
impl Serialize for ConnectionTest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            provider: Provider,
            at_ms: i64,
            ok: bool,
            message: String,
            #[serde(flatten)]
            coded: Coded,
            #[serde(skip_serializing_if = "Option::is_none")]
            details: Option<&'a str>,
        }
        let coded = self.outcome.coded(self.provider);
        Shown {
            provider: self.provider,
            at_ms: self.at_ms,
            ok: self.outcome.ok(),
            message: coded.english(self.provider),
            coded,
            details: self.details.as_deref(),
        }
        .serialize(s)
    }
}

impl ConnectionTest {
    /// A test of `settings` as they are now, found `outcome` (for other modules' tests).
    #[cfg(test)]
    pub(super) fn of(
        settings: &ProductionSettings,
        provider: Provider,
        outcome: Outcome,
        at_ms: i64,
    ) -> Self {
        ConnectionTest { provider, at_ms, outcome, details: None, tested: fingerprint(settings, provider) }
    }

    /// Whether it tested the settings as they are now.
    pub fn is_current(&self, settings: &ProductionSettings) -> bool {
        self.tested == fingerprint(settings, self.provider)
    }
}

/// A digest of a provider's non-secret settings (values and hotels), never of a secret: the
/// settings table may hold it.
fn fingerprint(settings: &ProductionSettings, provider: Provider) -> String {
    let schema = schema(provider);
    let mut digest = Sha256::new();
    for field in schema.fields {
        digest.update(format!("{}={}\n", field.key, settings.value(provider, field.key).trim()));
    }
    if schema.hotels {
        digest.update(serde_json::to_string(settings.hotels()).unwrap_or_default());
    }
    hex::encode(digest.finalize())
}

/// A provider's client, built to be tested, from the saved settings and the keyring.
pub struct Prepared {
    provider: Provider,
    clients: Clients,
    tested: String,
    timeouts: Timeouts,
}

/// Builds `provider`'s client from the saved settings and the keyring (which may block: call it
/// where blocking is allowed), or says it is not set up. `secrets: None`: the keyring is not
/// working.
pub fn prepare(
    settings: &ProductionSettings,
    secrets: Option<&dyn SecretStore>,
    provider: Provider,
    timeouts: Timeouts,
) -> Result<Prepared, Coded> {
    let not_set_up = || Coded::new(Code::TestNotSetUp).with("provider", provider.display_name());
    let g = gather(settings, provider, &mut Reader::new(secrets));
    if !g.gaps.is_empty() {
        return Err(not_set_up());
    }
    let mut clients = Clients::default();
    build(provider, g, timeouts, &mut clients).map_err(|e| not_set_up().because(e))?;
    Ok(Prepared { provider, clients, tested: fingerprint(settings, provider), timeouts })
}

impl Prepared {
    /// Makes the provider's test call and says what it found.
    pub async fn run(self) -> ConnectionTest {
        let probe = probe(self.provider, &self.clients).await.expect("prepare built this provider's client");
        let details = match &probe {
            Probe::Proven => None,
            Probe::Reached { detail }
            | Probe::NotTheApi { detail, .. }
            | Probe::CredentialsRefused { detail }
            | Probe::ProviderError { detail } => Some(detail.clone()),
            Probe::Net { address, fault } => Some(format!("{address}: {}", fault.detail)),
        };
        let test = ConnectionTest {
            provider: self.provider,
            at_ms: crate::now_ms(),
            outcome: Outcome::from_probe(&probe, self.timeouts),
            details: details.map(|d| crate::redact::redact_text(&d).into_owned()),
            tested: self.tested,
        };
        tracing::info!(
            provider = self.provider.as_str(),
            outcome = ?test.outcome,
            details = test.details.as_deref().unwrap_or(""),
            "connection test"
        );
        test
    }
}

/// Keeps `test` as its provider's last.
pub fn keep(conn: &Connection, test: &ConnectionTest) -> Result<(), SettingsError> {
    let kept = Kept {
        at_ms: test.at_ms,
        outcome: test.outcome.clone(),
        details: test.details.clone(),
        tested: test.tested.clone(),
    };
    let json = serde_json::to_string(&kept).expect("a test serialises");
    store::set_setting(conn, SCOPE, test.provider.as_str(), &json, test.at_ms)?;
    Ok(())
}

/// Forgets `provider`'s last test: its credentials changed, so it proves nothing any more.
pub fn forget(conn: &Connection, provider: Provider) -> Result<(), SettingsError> {
    conn.execute("DELETE FROM settings WHERE profile = ?1 AND key = ?2", [SCOPE, provider.as_str()])
        .map_err(StoreError::from)?;
    Ok(())
}

/// The last test of each provider, as kept (whether each is still current: `is_current`). A row
/// this version cannot read is passed over, as if never tested.
pub fn kept(conn: &Connection) -> Result<HashMap<Provider, ConnectionTest>, SettingsError> {
    let mut stmt =
        conn.prepare("SELECT key, value FROM settings WHERE profile = ?1").map_err(StoreError::from)?;
    let rows = stmt
        .query_map([SCOPE], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(StoreError::from)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(StoreError::from)?;
    let mut tests = HashMap::new();
    for (key, value) in rows {
        let (Ok(provider), Ok(kept)) = (key.parse::<Provider>(), serde_json::from_str::<Kept>(&value)) else {
            tracing::warn!(key = %key, "a kept connection test could not be read; passed over");
            continue;
        };
        let Kept { at_ms, outcome, details, tested } = kept;
        tests.insert(provider, ConnectionTest { provider, at_ms, outcome, details, tested });
    }
    Ok(tests)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;
    use crate::secrets::MemoryStore;
    use crate::settings::{load, save};
    use crate::store::Store;

    #[test]
    fn a_kept_test_counts_until_its_settings_change_and_is_forgotten_with_a_credential() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open_in(dir.path()).unwrap());
        let mut conn = Connection::open(dir.path().join(store::DB_FILE)).unwrap();
        let url = |u: &str| [("base_url".to_string(), u.to_string())].into();
        save(&mut conn, Profile::Production, Provider::Atrip, &url("https://a.example/"), None, 1).unwrap();
        let settings = load(&conn).unwrap();
        let test = ConnectionTest {
            provider: Provider::Atrip,
            at_ms: 5,
            outcome: Outcome::BadAddress { host: "a.example".into(), why: NetKind::HostNotFound },
            details: Some("https://a.example/queryOrderDetails.do: dns error".into()),
            tested: fingerprint(&settings, Provider::Atrip),
        };
        keep(&conn, &test).unwrap();
        let read = kept(&conn).unwrap();
        assert_eq!(read[&Provider::Atrip], test);
        assert!(read[&Provider::Atrip].is_current(&settings));
        // What the window reads: the outcome by code, the English beside it, the details apart.
        let shown = serde_json::to_value(&read[&Provider::Atrip]).unwrap();
        assert_eq!(shown["code"], "test_bad_address");
        assert_eq!(shown["params"]["why"], "host_not_found");
        assert_eq!(shown["ok"], false);
        assert_eq!(
            shown["message"],
            "Bad address: the address's host name does not exist (a.example) — check the address in Settings"
        );
        assert_eq!(shown["details"], "https://a.example/queryOrderDetails.do: dns error");

        // Another address: the test was of other settings.
        save(&mut conn, Profile::Production, Provider::Atrip, &url("https://b.example/"), None, 2).unwrap();
        assert!(!kept(&conn).unwrap()[&Provider::Atrip].is_current(&load(&conn).unwrap()));
        forget(&conn, Provider::Atrip).unwrap();
        assert!(kept(&conn).unwrap().is_empty());
    }

    #[test]
    fn a_provider_not_set_up_is_not_tested() {
        let secrets = MemoryStore::default();
        let refused =
            prepare(&ProductionSettings::default(), Some(&secrets), Provider::Travelport, TEST_TIMEOUTS);
        let Err(coded) = refused else { panic!("a provider with nothing entered was prepared for a test") };
        assert_eq!(coded.code, Code::TestNotSetUp);
        assert_eq!(
            coded.english(Provider::Travelport),
            "Travelport is not set up yet — enter what is missing, then test the connection"
        );
    }

    #[test]
    fn every_network_fault_is_said_as_one_outcome() {
        let t = TEST_TIMEOUTS;
        let net = |kind| Probe::Net {
            address: "https://gw.example:8443/pay".into(),
            fault: NetFault::new(kind, "x"),
        };
        for kind in NetKind::ALL {
            let outcome = Outcome::from_probe(&net(kind), t);
            assert!(!outcome.ok(), "{kind:?}");
            let coded = outcome.coded(Provider::HolidayExtras);
            assert_eq!(coded.params["host"], "gw.example", "{kind:?}");
        }
        assert_eq!(
            Outcome::from_probe(&net(NetKind::Timeout), t),
            Outcome::Timeout { host: "gw.example".into(), seconds: 20 }
        );
        assert_eq!(
            Outcome::from_probe(&net(NetKind::LookupFailed), t).coded(Provider::Atrip).code,
            Code::TestNoNetwork
        );
        let worked = Outcome::Worked.coded(Provider::Atrip);
        assert!(worked.english(Provider::Atrip).starts_with("The connection works: ATRIP answered"));
    }
}
