//! The Holiday Extras clients the engine tests use: the Sandbox profile's
//! (`farepoint_sandbox::profile`) with the tests' timeouts.

use farepoint_core::providers::holidayextras::{ApiVersion, HolidayExtrasClient};
use farepoint_sandbox::{profile, RunningSandbox};

/// The demo account over API v2 (the current version).
pub fn client(sandbox: &RunningSandbox) -> Option<HolidayExtrasClient> {
    Some(profile::holidayextras(sandbox, ApiVersion::V2, super::timeouts()).unwrap())
}

/// The demo account over API v1 (string pence, GBP).
pub fn client_v1(sandbox: &RunningSandbox) -> HolidayExtrasClient {
    profile::holidayextras(sandbox, ApiVersion::V1, super::timeouts()).unwrap()
}
