//! The HeiPay client the engine tests use, pointed at the sandbox with its demo token and the
//! two demo hotels' card keys.

use std::collections::HashMap;

use farepoint_core::providers::heipay::{HeiPayClient, HeiPayConfig};
use farepoint_core::secrets::SecretString;
use farepoint_core::vault;
use farepoint_sandbox::{demo, RunningSandbox};

pub fn config(sandbox: &RunningSandbox, keys: &[(i64, &str)]) -> HeiPayConfig {
    HeiPayConfig {
        base_url: sandbox.heipay_base_url(),
        api_token: SecretString::from(demo::heipay::API_TOKEN),
        card_ciphers: keys
            .iter()
            .map(|(hotel, key)| (*hotel, vault::hotel_cipher(key).unwrap()))
            .collect::<HashMap<_, _>>(),
        timeouts: super::timeouts(),
    }
}

pub fn client(sandbox: &RunningSandbox) -> Option<HeiPayClient> {
    let keys = [
        (demo::heipay::HOTEL_ID, demo::heipay::CARD_KEY),
        (demo::heipay::SECOND_HOTEL_ID, demo::heipay::SECOND_HOTEL_CARD_KEY),
    ];
    Some(HeiPayClient::new(config(sandbox, &keys)).unwrap())
}
