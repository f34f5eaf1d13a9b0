//! What the Settings page shows: each profile's providers, their values, and for each secret only
//! whether it is stored. The Sandbox's is read-only, filled with what the simulator says.

use std::collections::HashMap;

use serde::Serialize;

use super::gather::gather;
use super::hotels::Hotel;
use super::production::ProductionSettings;
use super::reader::Reader;
use super::readiness::Readiness;
use super::schema::{schema, FieldKind, FieldSpec};
use super::Problem;
use crate::payment::Provider;
use crate::profile::Profile;
use crate::secrets::SecretStore;

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
    /// Whether it can take real payments: demo, not set up, not tested, tested or failed
    /// (`readiness.rs`); set from the kept tests by `ProfileView::with_tests`.
    pub readiness: Readiness,
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

impl ProductionSettings {
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
                    self.hotels()
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
                    readiness: if g.gaps.is_empty() { Readiness::Untested } else { Readiness::NotSetUp },
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

/// The Sandbox profile's values, as the simulator states them (`farepoint_sandbox::demo`
/// assembles them; core does not depend on the simulator). A field not given shows empty.
#[derive(Debug, Clone, Default)]
pub struct SandboxValues {
    values: HashMap<(Provider, &'static str), String>,
    pub hotels: Vec<Hotel>,
}

impl SandboxValues {
    /// Sets one field of a provider's schema.
    ///
    /// # Panics
    /// When the provider's schema has no such field: the simulator and the schema disagree.
    pub fn with(mut self, provider: Provider, field: &'static str, value: impl Into<String>) -> Self {
        assert!(schema(provider).field(field).is_some(), "{provider:?} has no setting {field}");
        self.values.insert((provider, field), value.into());
        self
    }

    fn value(&self, provider: Provider, field: &'static str) -> String {
        self.values.get(&(provider, field)).cloned().unwrap_or_default()
    }
}

pub(super) const DEMO_CREDENTIAL: &str = "Built-in demo credential";

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
                readiness: Readiness::Demo,
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
