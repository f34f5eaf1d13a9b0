//! Holiday Extras' settings (docs/providers/holidayextras.md) and its client from them.

use super::{ApiVersion, HolidayExtrasClient, HolidayExtrasConfig};
use crate::payment::Provider;
use crate::providers::http::Timeouts;
use crate::providers::ProviderError;
use crate::settings::{Code, Coded, FieldKind, FieldSpec, Gathered, ProviderSchema, Retired, SecretSpec};

pub const SCHEMA: ProviderSchema = ProviderSchema {
    provider: Provider::HolidayExtras,
    fields: &[
        FieldSpec::url(
            "base_url",
            "Payment gateway URL",
            "https://payment-gateway.holidayextras.co.uk/",
            "pay and refund are appended. Staging: https://payment-gateway-staging.holidayextras.co.uk/",
        ),
        FieldSpec::text(
            "channel",
            "Channel",
            "",
            "The channel Holiday Extras issued with your credentials; sent in every request.",
        ),
        FieldSpec {
            kind: FieldKind::Choice,
            choices: &["v1", "v2"],
            ..FieldSpec::text(
                "api_version",
                "API version",
                "v2",
                "v2 sends whole pence with a currency. v1 (pence as text, GBP only) is the version the \
                 provider page documents; Holiday Extras sunset it in September 2022.",
            )
        },
    ],
    secrets: &[
        SecretSpec { check: Some(check_username), ..SecretSpec::new("username", "Username") },
        SecretSpec::password("password", "Password"),
    ],
    hotels: false,
    // Staging (the help above); v1 sunset in September 2022 (its page, "Notice on sunset of v1").
    test_hosts: &["payment-gateway-staging.holidayextras.co.uk"],
    retired: Some(Retired { field: "api_version", value: "v1", instead: "v2" }),
};

fn check_username(value: &str) -> Result<(), Coded> {
    if value.contains(':') {
        return Err(Coded::new(Code::UsernameColon));
    }
    Ok(())
}

pub(crate) fn client(g: &mut Gathered, timeouts: Timeouts) -> Result<HolidayExtrasClient, ProviderError> {
    let version = if g.value("api_version") == "v1" { ApiVersion::V1 } else { ApiVersion::V2 };
    HolidayExtrasClient::new(HolidayExtrasConfig {
        base_url: g.value("base_url"),
        username: g.plain_secret("username"),
        password: g.secret("password"),
        channel: g.value("channel"),
        version,
        timeouts,
    })
}
