//! Travelport's settings (docs/providers/travelport.md) and its client from them.

use super::{TravelportClient, TravelportConfig};
use crate::payment::Provider;
use crate::providers::http::Timeouts;
use crate::providers::ProviderError;
use crate::settings::{Code, Coded, FieldSpec, Gathered, ProviderSchema, SecretSpec};

pub const SCHEMA: ProviderSchema = ProviderSchema {
    provider: Provider::Travelport,
    fields: &[
        FieldSpec::url(
            "air_base_url",
            "Air API base URL",
            "https://api.travelport.net/11/air/",
            "JSON Air API v11. Pre-production: https://api.pp.travelport.net/11/air/ (the older \
             .com hosts were retired in 2025–2026).",
        ),
        // Not `token_url`: the settings table refuses keys that look like secrets.
        FieldSpec::url(
            "auth_url",
            "OAuth token URL",
            "https://auth.travelport.net/oauth/token",
            "Where the access token is requested. Pre-production: https://auth.pp.travelport.net/oauth/token",
        ),
        FieldSpec {
            check: Some(check_pcc),
            ..FieldSpec::text(
                "pcc",
                "PCC",
                "",
                "Your pseudo city code and GDS written PCC_GDS, e.g. 79JP_1G (sent as TVP-PCC-CORE).",
            )
        },
    ],
    secrets: &[
        SecretSpec::new("username", "Username"),
        SecretSpec::password("password", "Password"),
        SecretSpec::new("client_id", "Client ID"),
        SecretSpec::new("client_secret", "Client secret"),
    ],
    hotels: false,
    // Pre-production (the help above).
    test_hosts: &["api.pp.travelport.net", "auth.pp.travelport.net"],
    retired: None,
};

/// The `TVP-PCC-CORE` header's form: `PCC_GDS`.
fn check_pcc(value: &str) -> Result<(), Coded> {
    let ok = value.split_once('_').is_some_and(|(p, g)| !p.is_empty() && !g.is_empty())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Coded::new(Code::BadPcc).with("value", value))
    }
}

pub(crate) fn client(g: &mut Gathered, timeouts: Timeouts) -> Result<TravelportClient, ProviderError> {
    TravelportClient::new(TravelportConfig {
        air_base_url: g.value("air_base_url"),
        token_url: g.value("auth_url"),
        username: g.plain_secret("username"),
        password: g.secret("password"),
        client_id: g.plain_secret("client_id"),
        client_secret: g.secret("client_secret"),
        pcc: g.value("pcc"),
        timeouts,
    })
}
