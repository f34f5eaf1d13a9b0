//! HeiPay's settings (docs/providers/heipay.md) and its client from them. HeiPay gives each
//! account its own host, so the address starts empty; each hotel has a card key of its own.

use super::{HeiPayClient, HeiPayConfig};
use crate::payment::Provider;
use crate::providers::http::Timeouts;
use crate::providers::ProviderError;
use crate::settings::{FieldSpec, Gathered, ProviderSchema, SecretSpec};

pub const SCHEMA: ProviderSchema = ProviderSchema {
    provider: Provider::HeiPay,
    fields: &[FieldSpec::url(
        "base_url",
        "API base URL",
        "",
        "The HeiPay API address issued with your account; v2/virtual-terminal/credit-card is appended.",
    )],
    secrets: &[SecretSpec::new("api_token", "API token")],
    hotels: true,
    // HeiPay publishes no test host.
    test_hosts: &[],
    retired: None,
};

pub(crate) fn client(g: &mut Gathered, timeouts: Timeouts) -> Result<HeiPayClient, ProviderError> {
    HeiPayClient::new(HeiPayConfig {
        base_url: g.value("base_url"),
        api_token: g.secret("api_token"),
        card_ciphers: g.card_ciphers(),
        timeouts,
    })
}
