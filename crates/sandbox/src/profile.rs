//! The Sandbox profile: Farepoint's four provider clients pointed at this simulator with its
//! demo credentials, so the app (and anything else) can take every flow with no account.
//!
//! The one place a client for the sandbox is set up: the app's Sandbox profile (`clients`), and
//! the tests, benchmarks and examples, which pass what they vary (timeouts, the Holiday Extras
//! API version, HeiPay's hotels).

use std::collections::HashMap;

use farepoint_core::engine::Clients;
use farepoint_core::providers::atrip::{AtripClient, AtripConfig};
use farepoint_core::providers::heipay::{HeiPayClient, HeiPayConfig};
use farepoint_core::providers::holidayextras::{ApiVersion, HolidayExtrasClient, HolidayExtrasConfig};
use farepoint_core::providers::http::Timeouts;
use farepoint_core::providers::travelport::{TravelportClient, TravelportConfig};
use farepoint_core::providers::ProviderError;
use farepoint_core::secrets::SecretString;
use farepoint_core::vault;

use crate::{demo, RunningSandbox};

/// The demo hotels with their card keys: every hotel the Sandbox profile's HeiPay knows.
pub const HEIPAY_HOTELS: [(i64, &str); 2] = [
    (demo::heipay::HOTEL_ID, demo::heipay::CARD_KEY),
    (demo::heipay::SECOND_HOTEL_ID, demo::heipay::SECOND_HOTEL_CARD_KEY),
];

/// All four clients for the running sandbox, Holiday Extras on API v2.
pub fn clients(sandbox: &RunningSandbox, timeouts: Timeouts) -> Result<Clients, ProviderError> {
    Ok(Clients {
        atrip: Some(atrip(sandbox, timeouts)?),
        travelport: Some(travelport(sandbox, timeouts)?),
        holidayextras: Some(holidayextras(sandbox, ApiVersion::V2, timeouts)?),
        heipay: Some(heipay(sandbox, &HEIPAY_HOTELS, timeouts)?),
    })
}

/// ATRIP with the demo client id.
pub fn atrip(sandbox: &RunningSandbox, timeouts: Timeouts) -> Result<AtripClient, ProviderError> {
    atrip_at(sandbox.atrip_base_url(), timeouts)
}

/// ATRIP with the demo credentials at a sandbox's ATRIP address, for a process that was handed
/// the address rather than the running sandbox (the crash test's child).
pub fn atrip_at(base_url: String, timeouts: Timeouts) -> Result<AtripClient, ProviderError> {
    AtripClient::new(AtripConfig {
        base_url,
        client_id: demo::atrip::CLIENT_ID.into(),
        client_secret: SecretString::from(demo::atrip::CLIENT_SECRET),
        timeouts,
    })
}

/// Travelport with the demo agency's account and PCC.
pub fn travelport(sandbox: &RunningSandbox, timeouts: Timeouts) -> Result<TravelportClient, ProviderError> {
    TravelportClient::new(TravelportConfig {
        air_base_url: sandbox.travelport_air_base_url(),
        token_url: sandbox.travelport_oauth_token_url(),
        username: demo::travelport::USERNAME.into(),
        password: SecretString::from(demo::travelport::PASSWORD),
        client_id: demo::travelport::CLIENT_ID.into(),
        client_secret: SecretString::from(demo::travelport::CLIENT_SECRET),
        pcc: demo::travelport::PCC.into(),
        timeouts,
    })
}

/// Holiday Extras' demo account in `version` of its API.
pub fn holidayextras(
    sandbox: &RunningSandbox,
    version: ApiVersion,
    timeouts: Timeouts,
) -> Result<HolidayExtrasClient, ProviderError> {
    HolidayExtrasClient::new(holidayextras_config(sandbox, version, timeouts))
}

/// What `holidayextras` builds its client from (also what a person would type into Settings to
/// point Production at a simulator).
pub fn holidayextras_config(
    sandbox: &RunningSandbox,
    version: ApiVersion,
    timeouts: Timeouts,
) -> HolidayExtrasConfig {
    HolidayExtrasConfig {
        base_url: sandbox.holidayextras_base_url(),
        username: demo::holidayextras::USERNAME.into(),
        password: SecretString::from(demo::holidayextras::PASSWORD),
        channel: demo::holidayextras::CHANNEL.into(),
        version,
        timeouts,
    }
}

/// HeiPay's demo terminal, knowing exactly `hotels` (id, card key in base64).
pub fn heipay(
    sandbox: &RunningSandbox,
    hotels: &[(i64, &str)],
    timeouts: Timeouts,
) -> Result<HeiPayClient, ProviderError> {
    HeiPayClient::new(heipay_config(sandbox, hotels, timeouts)?)
}

/// What `heipay` builds its client from; a key that is not one is the error.
pub fn heipay_config(
    sandbox: &RunningSandbox,
    hotels: &[(i64, &str)],
    timeouts: Timeouts,
) -> Result<HeiPayConfig, ProviderError> {
    let card_ciphers = hotels
        .iter()
        .map(|&(hotel, key)| {
            let cipher = vault::hotel_cipher(key).map_err(|e| ProviderError::Config(e.to_string()))?;
            Ok((hotel, cipher))
        })
        .collect::<Result<HashMap<_, _>, ProviderError>>()?;
    Ok(HeiPayConfig {
        base_url: sandbox.heipay_base_url(),
        api_token: SecretString::from(demo::heipay::API_TOKEN),
        card_ciphers,
        timeouts,
    })
}
