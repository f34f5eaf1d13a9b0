//! Travelport's published JSON Air v11 examples (see `tests/fixtures/travelport/SOURCES.md`).
//! Travelport publishes few complete bodies; where a test builds one from the page's words, it
//! says so.

use farepoint_core::payment::TicketKind;
use farepoint_core::providers::http::Timeouts;
use farepoint_core::providers::travelport::{TravelportClient, TravelportConfig};
use farepoint_core::redact::Mask;
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

/// What we send to Add Payment has the published example's structure: the same objects and keys
/// at every level. Its amount is the example's (AUD 63.10); the page shows the amount both as a
/// number and as a string, and we send the exact decimal as a string.
#[tokio::test]
async fn what_we_send_to_add_payment_has_the_published_shape() {
    use farepoint_core::money::{Currency, Money};
    use farepoint_core::providers::travelport::{FopRef, Offer, OfferKind};
    let replay = Replay::start().await;
    let tp = client(&replay);
    let published = super::fixture_json("travelport/payment.add.request.aud-63.1.json");
    let p = &published["Payment"];
    let fop = FopRef {
        id: p["FormOfPaymentIdentifier"]["id"].as_str().unwrap().into(),
        identifier: p["FormOfPaymentIdentifier"]["Identifier"]["value"].as_str().unwrap().into(),
    };
    let offer = Offer {
        id: p["OfferIdentifier"][0]["id"].as_str().unwrap().into(),
        identifier: p["OfferIdentifier"][0]["Identifier"]["value"].as_str().unwrap().into(),
        kind: OfferKind::Itinerary,
        description: "Flights".into(),
        price: Money::from_minor(6310, Currency::from_code("AUD").unwrap()),
        travelers: vec![],
    };
    // No Add Payment answer is published; this one has only what the client reads.
    replay.answer(
        201,
        json!({ "PaymentResponse": { "Payment": { "Identifier": { "value": "p" } } } }).to_string(),
    );
    tp.add_payment("workbench-1", "payment_1", offer.price, &fop, &[&offer], &Mask::default()).await.unwrap();
    let sent = replay.last();
    assert_eq!(sent.path, "/paymentoffer/reservationworkbench/workbench-1/payments");
    let ours = sent.json();
    fn same_shape(path: &str, ours: &serde_json::Value, theirs: &serde_json::Value) {
        match (ours, theirs) {
            (serde_json::Value::Object(o), serde_json::Value::Object(t)) => {
                let keys =
                    |m: &serde_json::Map<String, serde_json::Value>| m.keys().cloned().collect::<Vec<_>>();
                let (mut ok, mut tk) = (keys(o), keys(t));
                ok.sort();
                tk.sort();
                // The example marks its amount `approximateInd`; we state ours exactly.
                tk.retain(|k| k != "approximateInd");
                assert_eq!(ok, tk, "{path}");
                for k in tk {
                    same_shape(&format!("{path}.{k}"), &o[&k], &t[&k]);
                }
            }
            (serde_json::Value::Array(o), serde_json::Value::Array(t)) => {
                assert_eq!(o.len(), t.len(), "{path}");
                for (i, (a, b)) in o.iter().zip(t).enumerate() {
                    same_shape(&format!("{path}[{i}]"), a, b);
                }
            }
            _ => {}
        }
    }
    same_shape("", &ours, &published);
    for field in ["id", "FormOfPaymentRef"] {
        assert_eq!(ours["Payment"]["FormOfPaymentIdentifier"][field], p["FormOfPaymentIdentifier"][field]);
    }
    assert_eq!(ours["Payment"]["OfferIdentifier"], p["OfferIdentifier"]);
    assert_eq!(ours["Payment"]["Amount"]["code"], "AUD");
    assert_eq!(ours["Payment"]["Amount"]["value"], "63.10");
}

/// Travelport's error pages say an error can come inside `Result` on an HTTP 200. A commit answer
/// that carries the reservation *and* an error is not a success: unless the error says nothing
/// was processed, what happened is read from the reservation's tickets. Hand-derived: the
/// published Create Workbench answer with an `ErrorDetail` of the documented shape added.
#[tokio::test]
async fn a_commit_answered_200_with_an_error_is_not_a_success() {
    use farepoint_core::providers::travelport::CommitOutcome;
    let with_error = |source_code: &str, status: &str| {
        let mut answer = super::fixture_json("travelport/workbench.create.response.json");
        answer["ReservationResponse"]["Result"] = json!({
            "@type": "Result",
            "status": status,
            "Error": [{ "@type": "ErrorDetail", "StatusCode": 400, "Message": "Ticketing failed",
                "SourceID": "1G", "SourceCode": source_code }]
        });
        answer.to_string()
    };
    let replay = Replay::start().await;
    let tp = client(&replay);
    replay.answer(200, with_error("4500", "Incomplete"));
    let outcome =
        tp.commit("af9da82f-1966-4134-8561-3fd1a430d62e", "0058XL", &Mask::default()).await.unwrap().result;
    assert!(matches!(outcome, CommitOutcome::Ambiguous { .. }), "{outcome:?}");

    let replay = Replay::start().await;
    let tp = client(&replay);
    replay.answer(200, with_error("4500", "Not processed"));
    let outcome =
        tp.commit("af9da82f-1966-4134-8561-3fd1a430d62e", "0058XL", &Mask::default()).await.unwrap().result;
    assert!(matches!(outcome, CommitOutcome::Declined(_)), "{outcome:?}");
}

/// Not a published answer — the worst a gateway could send: the steps after the form of payment
/// quoting the card and its code. Three digits are no card number, so only the payment's own card
/// (the mask its flow keeps) recognises the code: neither the timeline's exchanges nor the
/// outcome keep either.
#[tokio::test]
async fn the_card_quoted_by_a_later_step_is_masked_in_its_exchange_and_its_words() {
    use farepoint_core::money::{Currency, Money};
    use farepoint_core::providers::travelport::{CommitOutcome, FopRef, Offer, OfferKind};
    let mask = Mask::default().with_card("4532015112830366", "739");
    let leaks = |text: &str| ["739", "4532015112830366", "4532 0151"].into_iter().find(|s| text.contains(s));

    let replay = Replay::start().await;
    let tp = client(&replay);
    replay.answer(500, "<html>gateway error: card 4532015112830366 cvv 739 refused</html>");
    let call = tp.commit("af9da82f-1966-4134-8561-3fd1a430d62e", "0058XL", &mask).await.unwrap();
    let shown = serde_json::to_string(&call.exchanges).unwrap();
    assert_eq!(leaks(&shown), None, "{shown}");
    assert!(matches!(call.result, CommitOutcome::Ambiguous { .. }), "{:?}", call.result);

    let replay = Replay::start().await;
    let tp = client(&replay);
    let mut answer = super::fixture_json("travelport/workbench.create.response.json");
    answer["ReservationResponse"]["Result"] = json!({ "status": "Not processed", "Error": [{
        "StatusCode": 400, "Message": "Card 4532 0151 1283 0366 with CVV 739 declined", "SourceCode": "1100" }] });
    replay.answer(200, answer.to_string());
    let call = tp.commit("af9da82f-1966-4134-8561-3fd1a430d62e", "0058XL", &mask).await.unwrap();
    let CommitOutcome::Declined(refusal) = &call.result else { panic!("{:?}", call.result) };
    assert_eq!(leaks(&refusal.message), None, "{}", refusal.message);
    assert_eq!(leaks(&serde_json::to_string(&call.exchanges).unwrap()), None);

    // A refused Add Payment: the error the agent reads.
    let replay = Replay::start().await;
    let tp = client(&replay);
    replay.answer(
        400,
        json!({ "PaymentResponse": { "Result": { "Error": [{
        "StatusCode": 400, "Message": "Security code 739 does not match" }] } } })
        .to_string(),
    );
    let offer = Offer {
        id: "offer_1".into(),
        identifier: "0b1d7a40".into(),
        kind: OfferKind::Itinerary,
        description: "Flights".into(),
        price: Money::from_minor(1000, Currency::from_code("USD").unwrap()),
        travelers: vec![],
    };
    let fop = FopRef { id: "fop_1".into(), identifier: "1".into() };
    let Err((exchanges, error)) =
        tp.add_payment("wb", "payment_1", offer.price, &fop, &[&offer], &mask).await
    else {
        panic!("a refused Add Payment is an error")
    };
    assert_eq!(leaks(&error.to_string()), None, "{error}");
    assert_eq!(leaks(&serde_json::to_string(&exchanges).unwrap()), None);
}
