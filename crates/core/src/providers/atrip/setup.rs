//! ATRIP's settings (docs/providers/atrip.md) and its client from them. ATRIP gives each
//! account its own host, so the address starts empty and must be entered.

use super::{AtripClient, AtripConfig};
use crate::payment::Provider;
use crate::providers::http::Timeouts;
use crate::providers::ProviderError;
use crate::settings::{FieldSpec, Gathered, ProviderSchema, SecretSpec};

pub const SCHEMA: ProviderSchema = ProviderSchema {
    provider: Provider::Atrip,
    fields: &[FieldSpec::url(
        "base_url",
        "API base URL",
        "",
        "Your company's ATRIP API address, shown in ATRIP under Profile → My Profile → Company \
         Information (the one for every call except search.do). The ATRIP sandbox is \
         https://sandbox.atriptech.com/.",
    )],
    secrets: &[SecretSpec::new("client_id", "Client ID"), SecretSpec::new("client_secret", "Client secret")],
    hotels: false,
    // The ATRIP sandbox (the help above).
    test_hosts: &["sandbox.atriptech.com"],
    retired: None,
};

pub(crate) fn client(g: &mut Gathered, timeouts: Timeouts) -> Result<AtripClient, ProviderError> {
    AtripClient::new(AtripConfig {
        base_url: g.value("base_url"),
        client_id: g.plain_secret("client_id"),
        client_secret: g.secret("client_secret"),
        timeouts,
    })
}
