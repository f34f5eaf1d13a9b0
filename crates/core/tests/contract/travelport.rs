//! Travelport's published JSON Air v11 examples (see `tests/fixtures/travelport/SOURCES.md`).
//! Travelport publishes few complete bodies; where a test builds one from the page's words, it
//! says so.

use farepoint_core::payment::TicketKind;
use farepoint_core::providers::http::Timeouts;
use farepoint_core::providers::travelport::{TravelportClient, TravelportConfig};
use farepoint_core::secrets::SecretString;
use serde_json::json;

use super::fixture;
use super::replay::Replay;

/// A client whose token and air calls both go to `replay`. No token example is published: the
/// token answer here has the fields Travelport's OAuth pages name, and nothing more.
fn client(replay: &Replay) -> TravelportClient {
    replay.answer(
        200,
        json!({ "access_token": "token", "token_type": "Bearer", "expires_in": 86400 }).to_string(),
    );
    TravelportClient::new(TravelportConfig {
        air_base_url: replay.url.clone(),
        token_url: format!("{}oauth/token", replay.url),
        username: "user".into(),
        password: SecretString::from("password"),
        client_id: "client".into(),
        client_secret: SecretString::from("secret"),
        pcc: "79JP_1G".into(),
        timeouts: Timeouts::default(),
    })
    .unwrap()
}

/// The Create New Workbench example: the workbench's id inside the reservation — where
/// Farepoint looks when an answer has no top-level id (it opens post-commit workbenches, whose
/// id comes at the end; see the next test).
#[tokio::test]
async fn the_published_workbench_answer_gives_its_id() {
    let replay = Replay::start().await;
    let tp = client(&replay);
    replay.answer(201, fixture("travelport/workbench.create.response.json"));
    let view = tp.open_workbench("0058XL").await.unwrap().result;
    assert_eq!(view.workbench_id, "af9da82f-1966-4134-8561-3fd1a430d62e");
    // The published request line of a post-commit workbench: POST, no body.
    let sent = replay.last();
    assert_eq!(sent.method.as_str(), "POST");
    assert_eq!(sent.path, "/book/session/reservationworkbench/buildfromlocator");
    assert_eq!(sent.query.as_deref(), Some("Locator=0058XL"));
    assert!(sent.body.is_empty());
}

/// The Create Post-Commit Workbench page puts the workbench id "in an additional Identifier
/// object at the end of the response", and the payment pages name it
/// `ReservationResponse/Identifier/value`; its example id is the page's. Hand-derived: that page's
/// full example is not in the fixtures.
#[tokio::test]
async fn the_post_commit_workbench_id_is_read_from_the_end_of_the_response() {
    let replay = Replay::start().await;
    let tp = client(&replay);
    let answer = json!({
        "ReservationResponse": {
            "Reservation": {
                "@type": "Reservation",
                "Identifier": { "authority": "Travelport", "value": "reservation-own-id" },
                "Traveler": null,
                "Offer": null
            },
            "Identifier": { "authority": "Travelport", "value": "36b6297f-b317-46fd-aaf1-1443faa8f3ef" }
        }
    });
    replay.answer(201, answer.to_string());
    let view = tp.open_workbench("0058XL").await.unwrap().result;
    assert_eq!(view.workbench_id, "36b6297f-b317-46fd-aaf1-1443faa8f3ef");
    assert!(view.offers.is_empty() && view.travelers.is_empty(), "null lists are empty lists");
}

/// The Ticket List example: `ReceiptID`, two ticket numbers typed plain "Document".
#[tokio::test]
async fn the_published_ticket_list_gives_both_tickets() {
    let replay = Replay::start().await;
    let tp = client(&replay);
    replay.answer(200, fixture("travelport/ticketlist.response.json"));
    let documents = tp.ticket_list("G8A909").await.unwrap().result;
    let read: Vec<_> = documents.iter().map(|d| (d.number.as_str(), d.kind)).collect();
    assert_eq!(read, [("0163767353086", TicketKind::Ticket), ("0163767353087", TicketKind::Ticket)]);
    let sent = replay.last();
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("GET", "/receipt/reservations/G8A909/receipts"));
}
