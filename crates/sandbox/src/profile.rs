//! The Sandbox profile: Farepoint's four provider clients pointed at this simulator with its
//! demo credentials, so the app (and anything else) can take every flow with no account.

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

/// All four clients for the running sandbox, Holiday Extras on API v2.
pub fn clients(sandbox: &RunningSandbox, timeouts: Timeouts) -> Result<Clients, ProviderError> {
    let atrip = AtripClient::new(AtripConfig {
        base_url: sandbox.atrip_base_url(),
        client_id: demo::atrip::CLIENT_ID.into(),
        client_secret: SecretString::from(demo::atrip::CLIENT_SECRET),
        timeouts,
    })?;
    let travelport = TravelportClient::new(TravelportConfig {
        air_base_url: sandbox.travelport_air_base_url(),
        token_url: sandbox.travelport_oauth_token_url(),
        username: demo::travelport::USERNAME.into(),
        password: SecretString::from(demo::travelport::PASSWORD),
        client_id: demo::travelport::CLIENT_ID.into(),
        client_secret: SecretString::from(demo::travelport::CLIENT_SECRET),
        pcc: demo::travelport::PCC.into(),
        timeouts,
    })?;
    let holidayextras = HolidayExtrasClient::new(HolidayExtrasConfig {
        base_url: sandbox.holidayextras_base_url(),
        username: demo::holidayextras::USERNAME.into(),
        password: SecretString::from(demo::holidayextras::PASSWORD),
        channel: demo::holidayextras::CHANNEL.into(),
        version: ApiVersion::V2,
        timeouts,
    })?;
    let key = |b64: &str| vault::hotel_cipher(b64).map_err(|e| ProviderError::Config(e.to_string()));
    let card_ciphers = HashMap::from([
        (demo::heipay::HOTEL_ID, key(demo::heipay::CARD_KEY)?),
        (demo::heipay::SECOND_HOTEL_ID, key(demo::heipay::SECOND_HOTEL_CARD_KEY)?),
    ]);
    let heipay = HeiPayClient::new(HeiPayConfig {
        base_url: sandbox.heipay_base_url(),
        api_token: SecretString::from(demo::heipay::API_TOKEN),
        card_ciphers,
        timeouts,
    })?;
    Ok(Clients {
        atrip: Some(atrip),
        travelport: Some(travelport),
        holidayextras: Some(holidayextras),
        heipay: Some(heipay),
    })
}
