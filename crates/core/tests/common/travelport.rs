//! The Travelport client the engine tests use (the Sandbox profile's, `farepoint_sandbox::profile`),
//! and seeding of PNRs through the sandbox's control API.

use farepoint_core::providers::travelport::TravelportClient;
use farepoint_sandbox::{profile, RunningSandbox};
use serde_json::{json, Value};

/// The demo agency's account, with the tests' timeouts.
pub fn client(sandbox: &RunningSandbox) -> Option<TravelportClient> {
    Some(profile::travelport(sandbox, super::timeouts()).unwrap())
}

/// Seeds a PNR (see the sandbox README for the fields); returns its locator.
pub async fn seed_pnr(sandbox: &RunningSandbox, body: Value) -> String {
    let url = format!("{}travelport/pnrs", sandbox.control_url());
    let reply: Value =
        reqwest::Client::new().post(url).json(&body).send().await.unwrap().json().await.unwrap();
    reply["ReservationResponse"]["Reservation"]["Receipt"][0]["Confirmation"]["Locator"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("seeding failed: {reply}"))
        .to_string()
}

/// A one-traveler PNR with just an itinerary offer (`offer_1`).
pub async fn seed_simple_pnr(sandbox: &RunningSandbox, fare: &str) -> String {
    seed_pnr(
        sandbox,
        json!({ "currency": "USD", "carrier": "UA", "travelers": [{"given": "JANE", "surname": "DOE"}],
                "farePerTraveler": fare }),
    )
    .await
}

/// Calls a control route with POST and no body.
pub async fn control_post(sandbox: &RunningSandbox, path: &str) {
    let url = format!("{}{path}", sandbox.control_url());
    let status = reqwest::Client::new().post(url).send().await.unwrap().status();
    assert!(status.is_success(), "{path}: {status}");
}
