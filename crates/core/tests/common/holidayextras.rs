//! The Holiday Extras clients the engine tests use, pointed at the sandbox's demo account.

use farepoint_core::providers::holidayextras::{ApiVersion, HolidayExtrasClient, HolidayExtrasConfig};
use farepoint_core::secrets::SecretString;
use farepoint_sandbox::{demo, RunningSandbox};

pub fn config(sandbox: &RunningSandbox, version: ApiVersion) -> HolidayExtrasConfig {
    HolidayExtrasConfig {
        base_url: sandbox.holidayextras_base_url(),
        username: demo::holidayextras::USERNAME.into(),
        password: SecretString::from(demo::holidayextras::PASSWORD),
        channel: demo::holidayextras::CHANNEL.into(),
        version,
        timeouts: super::timeouts(),
    }
}

/// The demo account over API v2 (the current version).
pub fn client(sandbox: &RunningSandbox) -> Option<HolidayExtrasClient> {
    Some(HolidayExtrasClient::new(config(sandbox, ApiVersion::V2)).unwrap())
}

/// The demo account over API v1 (string pence, GBP).
pub fn client_v1(sandbox: &RunningSandbox) -> HolidayExtrasClient {
    HolidayExtrasClient::new(config(sandbox, ApiVersion::V1)).unwrap()
}
