//! The Production clients: one per fully set-up provider, built by the provider's own
//! `setup::client`, and for every other provider a `Problem` naming what is missing.

use rusqlite::Connection;

use super::check::check_url;
use super::gather::{gather, Gathered};
use super::production::{load, ProductionSettings};
use super::reader::Reader;
use super::schema::{schema, FieldKind};
use super::{Code, Coded, Problem, SettingsError};
use crate::engine::Clients;
use crate::payment::Provider;
use crate::providers::http::Timeouts;
use crate::providers::{atrip, heipay, holidayextras, travelport};
use crate::secrets::SecretStore;

/// Builds the client of a provider whose gather found no gap. A new provider is a line here.
pub(super) fn build(
    provider: Provider,
    mut g: Gathered,
    timeouts: Timeouts,
    clients: &mut Clients,
) -> Result<(), Coded> {
    // Checked again as stored: an address saved before a rule tightened must not be used.
    for field in schema(provider).fields.iter().filter(|f| f.kind == FieldKind::Url) {
        check_url(&g.value(field.key))
            .map_err(|e| Coded::new(Code::InvalidValue).with("field", field.key).because(e))?;
    }
    let g = &mut g;
    match provider {
        Provider::Atrip => clients.atrip = Some(atrip::setup::client(g, timeouts).map_err(client_failed)?),
        Provider::Travelport => {
            clients.travelport = Some(travelport::setup::client(g, timeouts).map_err(client_failed)?)
        }
        Provider::HolidayExtras => {
            clients.holidayextras = Some(holidayextras::setup::client(g, timeouts).map_err(client_failed)?)
        }
        Provider::HeiPay => clients.heipay = Some(heipay::setup::client(g, timeouts).map_err(client_failed)?),
    }
    Ok(())
}

/// A provider's client refused its settings: said once here for every provider.
fn client_failed(e: crate::providers::ProviderError) -> Coded {
    Coded::new(Code::ClientFailed).with("reason", e)
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
}

/// The Production clients from the stored settings and the keyring (see `ProductionSettings::clients`).
pub fn production_clients(
    conn: &Connection,
    secrets: Option<&dyn SecretStore>,
    timeouts: Timeouts,
) -> Result<(Clients, Vec<Problem>), SettingsError> {
    Ok(load(conn)?.clients(secrets, timeouts))
}
