//! The HeiPay client the engine tests use: the Sandbox profile's (`farepoint_sandbox::profile`)
//! with the tests' timeouts.

use farepoint_core::providers::heipay::{HeiPayClient, HeiPayConfig};
use farepoint_sandbox::{profile, RunningSandbox};

/// The demo terminal knowing exactly these hotels (id, card key).
pub fn config(sandbox: &RunningSandbox, keys: &[(i64, &str)]) -> HeiPayConfig {
    profile::heipay_config(sandbox, keys, super::timeouts()).unwrap()
}

/// The demo terminal with both demo hotels.
pub fn client(sandbox: &RunningSandbox) -> Option<HeiPayClient> {
    Some(profile::heipay(sandbox, &profile::HEIPAY_HOTELS, super::timeouts()).unwrap())
}
