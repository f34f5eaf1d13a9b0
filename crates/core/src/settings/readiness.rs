//! Whether each provider can take real payments, as state the core serves (`Readiness`), and
//! the checklist before the first real payment (`checklist`), both drawn by Settings →
//! Production. A provider that is only filled in is not "ready": it is untested until a
//! connection test of these very settings worked (`connection.rs`).

use std::collections::HashMap;

use serde::Serialize;

use super::check::is_loopback;
use super::connection::{ConnectionTest, Outcome};
use super::production::ProductionSettings;
use super::schema::{schema, FieldKind};
use super::view::{ProfileView, ProviderView};
use super::{Code, Coded};
use crate::payment::Provider;
use crate::profile::Profile;

/// How far a provider is from taking real payments.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Readiness {
    /// The Sandbox's simulator, with its demo account: always set up.
    Demo,
    /// Something is missing: the view's `problems` say what.
    NotSetUp,
    /// Everything is entered; nothing was tested since the last change.
    Untested,
    /// The last test of these settings proved the address and the credentials.
    Tested { test: ConnectionTest },
    /// The last test of these settings reached the provider; the first real payment proves the
    /// credentials (the provider publishes no call that checks them without taking one).
    Reached { test: ConnectionTest },
    /// The last test of these settings failed: `test` says why.
    Failed { test: ConnectionTest },
}

impl Readiness {
    /// A set-up provider's readiness from its last test, when that tested these settings.
    fn tested(test: &ConnectionTest) -> Readiness {
        let test = test.clone();
        match test.outcome {
            Outcome::Worked => Readiness::Tested { test },
            Outcome::Reached => Readiness::Reached { test },
            _ => Readiness::Failed { test },
        }
    }

    fn test(&self) -> Option<&ConnectionTest> {
        match self {
            Readiness::Tested { test } | Readiness::Reached { test } | Readiness::Failed { test } => {
                Some(test)
            }
            _ => None,
        }
    }
}

impl ProfileView {
    /// The Production view with each set-up provider's last test, where it tested the settings as
    /// they are now (an older one proves nothing about these).
    pub fn with_tests(
        mut self,
        settings: &ProductionSettings,
        tests: &HashMap<Provider, ConnectionTest>,
    ) -> Self {
        for p in &mut self.providers {
            let current = tests.get(&p.provider).filter(|t| t.is_current(settings));
            if let (Readiness::Untested, Some(test)) = (&p.readiness, current) {
                p.readiness = Readiness::tested(test);
            }
        }
        self
    }
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    /// Done.
    Done,
    /// Must be done before the first real payment.
    Todo,
    /// Worth a look: real money may not move as expected.
    Warning,
    /// For the record.
    Info,
}

/// One item of the checklist: what it says, by code, and where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    pub state: CheckState,
    /// A connection test's item: when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<i64>,
    pub message: String,
    #[serde(flatten)]
    pub coded: Coded,
}

/// The checklist before the first real payment, in the order to work through it.
#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    /// Nothing is left to do (warnings aside).
    pub ready: bool,
    pub items: Vec<Check>,
}

/// What the checklist needs to know of the desk besides Production's settings.
pub struct Desk<'a> {
    /// The keyring self-check passed.
    pub keyring_ok: bool,
    pub active: Profile,
    /// The providers the running desk takes payments with (its engine's clients).
    pub running: &'a [Provider],
    /// The providers whose settings or credentials changed since the desk started: it still
    /// takes their payments as they were.
    pub changed: &'a [Provider],
}

/// The checklist: the keyring; then each provider the desk means to use — everything entered,
/// the connection tested since the last change, no test or local address, no retired version,
/// the running desk using these settings (restarted since they changed); the providers left out; and the switch to Production. `view` is
/// Production's, with its tests (`ProfileView::with_tests`).
pub fn checklist(view: &ProfileView, settings: &ProductionSettings, desk: Desk<'_>) -> Checklist {
    let mut items = Vec::new();
    let item = |provider: Option<Provider>, state, coded: Coded| {
        let english = coded.english(provider.unwrap_or(Provider::Atrip));
        Check { provider, state, at_ms: None, message: english, coded }
    };
    items.push(if desk.keyring_ok {
        item(None, CheckState::Done, Coded::new(Code::CheckKeyring))
    } else {
        item(None, CheckState::Todo, Coded::new(Code::CheckKeyringBroken))
    });
    let (used, unused): (Vec<&ProviderView>, Vec<&ProviderView>) =
        view.providers.iter().partition(|p| in_use(p, settings));
    for p in &used {
        let said = |code| Coded::new(code).with("provider", p.name);
        let one = |state, code| item(Some(p.provider), state, said(code));
        items.push(match (p.configured, p.problems.is_empty()) {
            (false, _) => one(CheckState::Todo, Code::CheckMissing),
            (true, true) => one(CheckState::Done, Code::CheckEntered),
            (true, false) => one(CheckState::Warning, Code::CheckPartly),
        });
        if p.configured {
            let mut tested = match &p.readiness {
                Readiness::Tested { .. } => one(CheckState::Done, Code::CheckTested),
                Readiness::Reached { .. } => one(CheckState::Done, Code::CheckReached),
                Readiness::Failed { test } => {
                    let cause = test.outcome.coded(p.provider);
                    item(Some(p.provider), CheckState::Todo, said(Code::CheckFailed).because(cause))
                }
                _ => one(CheckState::Todo, Code::CheckUntested),
            };
            tested.at_ms = p.readiness.test().map(|t| t.at_ms);
            items.push(tested);
        }
        for warning in warnings(p, settings) {
            items.push(item(Some(p.provider), CheckState::Warning, warning));
        }
        let stale = !desk.running.contains(&p.provider) || desk.changed.contains(&p.provider);
        if desk.active == Profile::Production && p.configured && stale {
            items.push(one(CheckState::Todo, Code::CheckRestart));
        }
    }
    if used.is_empty() {
        items.push(item(None, CheckState::Todo, Coded::new(Code::CheckNoProvider)));
    }
    for p in unused {
        items.push(item(
            Some(p.provider),
            CheckState::Info,
            Coded::new(Code::CheckUnused).with("provider", p.name),
        ));
    }
    if desk.active != Profile::Production {
        items.push(item(None, CheckState::Info, Coded::new(Code::CheckSwitch)));
    }
    let ready = !items.iter().any(|c| c.state == CheckState::Todo);
    Checklist { ready, items }
}

/// Whether the desk means to use a provider: it is set up, or something of it was entered.
fn in_use(p: &ProviderView, settings: &ProductionSettings) -> bool {
    p.configured
        || settings.entered_any(p.provider)
        || p.secrets.iter().any(|s| s.stored)
        || p.hotels.as_ref().is_some_and(|h| h.iter().any(|h| h.card_key_stored))
}

/// What real money would not survive: an address on this computer or in the provider's own test
/// environment, a version the provider retired.
fn warnings(p: &ProviderView, settings: &ProductionSettings) -> Vec<Coded> {
    let schema = schema(p.provider);
    let mut found = Vec::new();
    for field in schema.fields.iter().filter(|f| f.kind == FieldKind::Url) {
        let value = settings.value(p.provider, field.key);
        let Some(host) =
            reqwest::Url::parse(value.trim()).ok().and_then(|u| u.host_str().map(str::to_string))
        else {
            continue;
        };
        let code = if is_loopback(&host) {
            Code::CheckLocalAddress
        } else if schema.test_hosts.iter().any(|t| t.eq_ignore_ascii_case(&host)) {
            Code::CheckTestAddress
        } else {
            continue;
        };
        let said = Coded::new(code).with("provider", p.name).with("host", &host);
        if !found.contains(&said) {
            found.push(said);
        }
    }
    if let Some(retired) = &schema.retired {
        if settings.value(p.provider, retired.field).trim() == retired.value {
            found.push(
                Coded::new(Code::CheckRetiredVersion)
                    .with("provider", p.name)
                    .with("version", retired.value)
                    .with("current", retired.instead),
            );
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::{MemoryStore, SecretString};
    use crate::settings::{load, save, store_credential};
    use crate::store::{self, Store};

    fn codes(list: &Checklist) -> Vec<(Option<Provider>, CheckState, Code)> {
        list.items.iter().map(|c| (c.provider, c.state, c.coded.code)).collect()
    }

    #[test]
    fn the_checklist_says_what_is_left_before_the_first_real_payment() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open_in(dir.path()).unwrap());
        let mut conn = rusqlite::Connection::open(dir.path().join(store::DB_FILE)).unwrap();
        let values = [("base_url".to_string(), "http://127.0.0.1:9/atrip/".to_string())].into();
        save(&mut conn, Profile::Production, Provider::Atrip, &values, None, 1).unwrap();
        let v1 = [("api_version".to_string(), "v1".to_string())].into();
        save(&mut conn, Profile::Production, Provider::HolidayExtras, &v1, None, 1).unwrap();
        let settings = load(&conn).unwrap();
        let secrets = MemoryStore::default();
        for field in ["client_id", "client_secret"] {
            let value = SecretString::from("x".to_string());
            store_credential(&settings, &secrets, Profile::Production, Provider::Atrip, field, value)
                .unwrap();
        }
        let view = settings.view(Some(&secrets));
        assert!(matches!(view.provider(Provider::Atrip).unwrap().readiness, Readiness::Untested));
        assert!(matches!(view.provider(Provider::Travelport).unwrap().readiness, Readiness::NotSetUp));
        let desk = |running| Desk { keyring_ok: true, active: Profile::Production, running, changed: &[] };

        let list = checklist(&view, &settings, desk(&[]));
        assert!(!list.ready);
        let atrip = Some(Provider::Atrip);
        let hx = Some(Provider::HolidayExtras);
        assert_eq!(
            codes(&list),
            [
                (None, CheckState::Done, Code::CheckKeyring),
                (atrip, CheckState::Done, Code::CheckEntered),
                (atrip, CheckState::Todo, Code::CheckUntested),
                (atrip, CheckState::Warning, Code::CheckLocalAddress),
                (atrip, CheckState::Todo, Code::CheckRestart),
                (hx, CheckState::Todo, Code::CheckMissing),
                (hx, CheckState::Warning, Code::CheckRetiredVersion),
                (Some(Provider::Travelport), CheckState::Info, Code::CheckUnused),
                (Some(Provider::HeiPay), CheckState::Info, Code::CheckUnused),
            ]
        );
        assert_eq!(
            list.items[3].message,
            "ATRIP: 127.0.0.1 is this computer, not ATRIP — no real money moves there"
        );
        assert_eq!(list.items[6].message, "Holiday Extras: API v1 is retired by Holiday Extras — choose v2");

        // A failed test says why; a test that worked, with the desk running ATRIP and Holiday
        // Extras left out, leaves nothing to do.
        let failed = Outcome::BadAddress {
            host: "127.0.0.1".into(),
            why: crate::providers::network::NetKind::Refused,
        };
        let tests =
            HashMap::from([(Provider::Atrip, ConnectionTest::of(&settings, Provider::Atrip, failed, 7))]);
        let view = settings.view(Some(&secrets)).with_tests(&settings, &tests);
        let list = checklist(&view, &settings, desk(&[Provider::Atrip]));
        let said = &list.items[2];
        assert_eq!((said.state, said.coded.code, said.at_ms), (CheckState::Todo, Code::CheckFailed, Some(7)));
        assert_eq!(
            said.message,
            "ATRIP: the last connection test failed — Bad address: nothing answers at that address (the connection \
             was refused) (127.0.0.1) — check the address in Settings"
        );
        conn.execute("DELETE FROM settings WHERE key LIKE 'holidayextras.%'", []).unwrap();
        let settings = load(&conn).unwrap();
        let tests = HashMap::from([(
            Provider::Atrip,
            ConnectionTest::of(&settings, Provider::Atrip, Outcome::Worked, 8),
        )]);
        let view = settings.view(Some(&secrets)).with_tests(&settings, &tests);
        assert!(matches!(view.provider(Provider::Atrip).unwrap().readiness, Readiness::Tested { .. }));
        let list = checklist(&view, &settings, desk(&[Provider::Atrip]));
        assert!(list.ready, "{:?}", codes(&list));
        // Changed since the desk started: it still runs the old settings until a restart.
        let changed = Desk { changed: &[Provider::Atrip], ..desk(&[Provider::Atrip]) };
        let list = checklist(&view, &settings, changed);
        assert!(!list.ready && codes(&list).contains(&(atrip, CheckState::Todo, Code::CheckRestart)));
        // Without a keyring, or with nothing set up, it is not.
        let broken = Desk { keyring_ok: false, ..desk(&[Provider::Atrip]) };
        assert!(!checklist(&view, &settings, broken).ready);
        let empty = ProductionSettings::default();
        let none = checklist(&empty.view(Some(&MemoryStore::default())), &empty, desk(&[]));
        assert!(!none.ready && codes(&none).contains(&(None, CheckState::Todo, Code::CheckNoProvider)));
    }
}
