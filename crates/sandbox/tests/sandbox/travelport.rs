//! Travelport over real HTTP: OAuth, workbench, FOP, Payment, commit, ticket list, retrieve.

use farepoint_sandbox::cards;
use farepoint_sandbox::demo::travelport as d;
use serde_json::{json, Value};

use crate::common::{charges, form, Env, Reply};

const BUILD: &str = "book/session/reservationworkbench/buildfromlocator?Locator=";

struct Workbench {
    id: String,
    offers: Vec<Value>,
}

async fn open(env: &Env, token: &str, locator: &str) -> Workbench {
    let r = env.tp_post(&format!("{BUILD}{locator}"), token, None).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let res = &r.json["ReservationResponse"]["Reservation"];
    // The workbench id is the top-level Identifier "at the end of the response"; the
    // reservation keeps its own.
    let id = r.json["ReservationResponse"]["Identifier"]["value"].as_str().unwrap().to_string();
    assert_ne!(Some(id.as_str()), res["Identifier"]["value"].as_str());
    Workbench { id, offers: res["Offer"].as_array().unwrap().clone() }
}

fn card_fop(id: &str, number: &str, code: &str) -> Value {
    json!({
        "@type": "FormOfPaymentPaymentCard",
        "id": id,
        "FormOfPaymentRef": id,
        "PaymentCard": {
            "@type": "PaymentCardDetail",
            "expireDate": "1231",
            "CardType": "Credit",
            "CardCode": code,
            "CardHolderName": "JANE DOE",
            "CardNumber": { "@type": "CardNumber", "PlainText": number },
            "SeriesCode": { "@type": "SeriesCode", "PlainText": "123" },
        }
    })
}

async fn add_fop(env: &Env, token: &str, wb: &Workbench, body: Value) -> Reply {
    env.tp_post(&format!("payment/reservationworkbench/{}/formofpayment", wb.id), token, Some(body)).await
}

/// Adds a FOP and returns its (id, identifier).
async fn fop(env: &Env, token: &str, wb: &Workbench, body: Value) -> (String, String) {
    let r = add_fop(env, token, wb, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let f = &r.json["FormOfPaymentResponse"]["FormOfPayment"];
    assert!(!r.text.contains("4111111111111111") && !r.text.contains("\"123\""), "no card data echoed");
    (f["id"].as_str().unwrap().into(), f["Identifier"]["value"].as_str().unwrap().into())
}

/// The page's example shape: `{"Payment": {...}}`.
fn payment(code: &str, value: Value, fop: &(String, String), offers: &[&Value]) -> Value {
    json!({
        "Payment": {
            "id": "payment_1",
            "Identifier": { "authority": "Travelport", "value": "A0656EFF-FAF4-456F-B061-0161008D6A5E" },
            "Amount": { "code": code, "minorUnit": 2, "currencySource": "Charged", "approximateInd": true, "value": value },
            "FormOfPaymentIdentifier": {
                "id": fop.0, "FormOfPaymentRef": fop.0,
                "Identifier": { "authority": "Travelport", "value": fop.1 },
            },
            "OfferIdentifier": offers.iter().map(|o| json!({
                "id": o["id"], "offerRef": o["id"],
                "Identifier": { "authority": "Travelport", "value": o["Identifier"]["value"] },
            })).collect::<Vec<_>>(),
        }
    })
}

async fn add_payment(env: &Env, token: &str, wb: &Workbench, body: Value) -> Reply {
    env.tp_post(&format!("paymentoffer/reservationworkbench/{}/payments", wb.id), token, Some(body)).await
}

async fn commit(env: &Env, token: &str, wb: &Workbench) -> Reply {
    let path = format!(
        "book/reservation/reservations/{}?Issuance=Ticket&DocumentValue=Retain&payLaterInd=false",
        wb.id
    );
    env.tp_post(&path, token, Some(json!({ "@type": "ReservationQueryCommitReservation" }))).await
}

fn error_of(r: &Reply, wrapper: Option<&str>) -> Value {
    let result = match wrapper {
        Some(w) => &r.json[w]["Result"],
        None => &r.json["Result"],
    };
    result["Error"][0].clone()
}

#[tokio::test]
async fn oauth_password_grant_and_its_errors() {
    let env = Env::new();
    let url = env.sb.travelport_oauth_token_url();
    let post = |body: String, ct: &'static str| env.http.post(&url).header("Content-Type", ct).body(body);
    let ok = env
        .send(post(
            form(&[
                ("grant_type", "password"),
                ("username", d::USERNAME),
                ("password", d::PASSWORD),
                ("client_id", d::CLIENT_ID),
                ("client_secret", d::CLIENT_SECRET),
                ("scope", "openid"),
            ]),
            "application/x-www-form-urlencoded",
        ))
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json["token_type"], "Bearer");
    assert_eq!(ok.json["expires_in"], 86400);
    assert_eq!(ok.json["scope"], "openid");
    let full = |grant: &str, user: &str, pw: &str| {
        form(&[
            ("grant_type", grant),
            ("username", user),
            ("password", pw),
            ("client_id", d::CLIENT_ID),
            ("client_secret", d::CLIENT_SECRET),
        ])
    };
    let cases = [
        (post(full("password", d::USERNAME, d::PASSWORD), "application/json"), 400, "invalid_request"),
        (
            post(full("client_credentials", d::USERNAME, d::PASSWORD), "application/x-www-form-urlencoded"),
            400,
            "unsupported_grant_type",
        ),
        (
            post(full("password", d::USERNAME, "nope"), "application/x-www-form-urlencoded"),
            400,
            "invalid_grant",
        ),
        (
            post(
                form(&[("grant_type", "password"), ("username", d::USERNAME), ("password", d::PASSWORD)]),
                "application/x-www-form-urlencoded",
            )
            .basic_auth(d::CLIENT_ID, Some(d::CLIENT_SECRET)),
            401,
            "invalid_client",
        ),
    ];
    for (req, status, error) in cases {
        let r = env.send(req).await;
        assert_eq!((r.status, r.json["error"].as_str()), (status, Some(error)), "{}", r.text);
    }
}

#[tokio::test]
async fn air_calls_need_a_live_token_and_a_pcc() {
    let env = Env::new();
    let path = format!("{BUILD}{}", d::LOCATOR_WITH_ANCILLARY);
    let r = env.tp_post(&path, "not-a-token", None).await;
    assert_eq!(r.status, 401);
    let e = error_of(&r, None);
    assert_eq!((e["StatusCode"].as_i64(), e["SourceCode"].as_str()), (Some(401), Some("2001")));
    let token = env.tp_token().await;
    let no_pcc = env
        .send(env.http.post(format!("{}{path}", env.sb.travelport_air_base_url())).bearer_auth(&token))
        .await;
    assert_eq!(no_pcc.status, 400);
    assert_eq!(error_of(&no_pcc, None)["Message"], "TVP-PCC-CORE HEADER IS MISSING OR INVALID");
    assert_eq!(env.tp_post(&path, &token, None).await.status, 201);
    let r = env.control_post("travelport/expire-tokens", json!({})).await;
    assert_eq!(r.json["expired"], 1);
    let expired = env.tp_post(&path, &token, None).await;
    assert_eq!((expired.status, error_of(&expired, None)["SourceCode"].as_str()), (401, Some("2002")));
}

#[tokio::test]
async fn card_payment_for_itinerary_and_ancillary_issues_tickets_and_an_emd() {
    let env = Env::new();
    let token = env.tp_token().await;
    let wb = open(&env, &token, d::LOCATOR_WITH_ANCILLARY).await;
    assert_eq!(wb.offers.len(), 2);
    assert_eq!(wb.offers[0]["id"], "offer_1");
    assert_eq!(wb.offers[1]["id"], "an_o1");
    let card = fop(&env, &token, &wb, card_fop("formOfPayment_1", cards::VISA_APPROVE, "VI")).await;
    let body = payment("USD", json!(1006.70), &card, &[&wb.offers[0], &wb.offers[1]]);
    let p = add_payment(&env, &token, &wb, body).await;
    assert_eq!(p.status, 201, "{}", p.text);
    assert_eq!(p.json["PaymentResponse"]["Payment"]["@type"], "PaymentIdentifier");
    let payment_id =
        p.json["PaymentResponse"]["Payment"]["Identifier"]["value"].as_str().unwrap().to_string();

    let c = commit(&env, &token, &wb).await;
    assert_eq!(c.status, 201, "{}", c.text);
    let receipts = c.json["ReservationResponse"]["Reservation"]["Receipt"].as_array().unwrap();
    assert_eq!(receipts[0]["Confirmation"]["Locator"]["value"], d::LOCATOR_WITH_ANCILLARY);
    let docs =
        receipts.iter().find(|r| r["@type"] == "ReceiptPayment").unwrap()["Document"].as_array().unwrap();
    let kinds: Vec<&str> = docs.iter().map(|d| d["@type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["DocumentTicket", "DocumentTicket", "DocumentEMD"]);
    assert!(docs.iter().all(|d| d["Number"].as_str().unwrap().len() == 13));
    assert!(c.text.contains(r#""Total":471.80"#) && c.text.contains(r#""Total":63.10"#), "{}", c.text);

    let ledger = env.ledger().await;
    assert_eq!(ledger.len(), 1);
    let e = &ledger[0];
    assert_eq!((e.amount_minor, e.currency.as_str()), (100670, "USD"));
    assert_eq!(e.reference, d::LOCATOR_WITH_ANCILLARY);
    assert_eq!(e.secondary_reference.as_deref(), Some("payment_1"));
    assert_eq!(e.provider_id, payment_id);
    assert_eq!(e.card_last4.as_deref(), Some("1111"));

    let list =
        env.tp_get(&format!("receipt/reservations/{}/receipts", d::LOCATOR_WITH_ANCILLARY), &token).await;
    assert_eq!(list.status, 200);
    // The published Ticket List shape: `ReceiptID`, tickets typed plain "Document".
    let listed = list.json["ReceiptListResponse"]["ReceiptID"][0]["Document"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    let kinds: Vec<_> = listed.iter().map(|d| d["@type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Document", "Document", "DocumentEMD"]);
    assert_eq!(listed[0]["TravelerName"]["Given"], "JANE");
    assert_eq!(listed[1]["TravelerName"]["Given"], "JOHN");
    let retrieved =
        env.tp_get(&format!("book/reservation/reservations/{}", d::LOCATOR_WITH_ANCILLARY), &token).await;
    assert_eq!(retrieved.status, 200);
    assert!(retrieved.text.contains("DocumentEMD"));

    // The workbench is closed by commit; a new one cannot pay the same offers again.
    assert_eq!(commit(&env, &token, &wb).await.status, 404);
    let wb2 = open(&env, &token, d::LOCATOR_WITH_ANCILLARY).await;
    let card2 = fop(&env, &token, &wb2, card_fop("formOfPayment_1", cards::VISA_APPROVE, "VI")).await;
    let again =
        add_payment(&env, &token, &wb2, payment("USD", json!(943.60), &card2, &[&wb2.offers[0]])).await;
    assert_eq!(error_of(&again, Some("PaymentResponse"))["SourceCode"], "4012");
    assert_eq!(charges(&env.ledger().await).len(), 1);
}

#[tokio::test]
async fn stored_card_and_string_amount_as_on_the_page() {
    let env = Env::new();
    let token = env.tp_token().await;
    let r = env.tp_post(&format!("{BUILD}{}", d::LOCATOR_STORED_CARD), &token, None).await;
    let stored = &r.json["ReservationResponse"]["Reservation"]["FormOfPayment"][0];
    assert!(stored["PaymentCard"]["CardNumber"]["PlainText"].as_str().unwrap().ends_with("1111"));
    assert!(!r.text.contains("4111111111111111"));
    let wb = Workbench {
        id: r.json["ReservationResponse"]["Identifier"]["value"].as_str().unwrap().into(),
        offers: r.json["ReservationResponse"]["Reservation"]["Offer"].as_array().unwrap().clone(),
    };
    let fop = (
        stored["id"].as_str().unwrap().to_string(),
        stored["Identifier"]["value"].as_str().unwrap().to_string(),
    );
    let body = payment("AUD", json!("1250.00"), &fop, &[&wb.offers[0]]);
    assert_eq!(add_payment(&env, &token, &wb, body).await.status, 201);
    // The commit body wrapped, as one client sends it.
    let c = env
        .tp_post(
            &format!("book/reservation/reservations/{}", wb.id),
            &token,
            Some(json!({ "ReservationQueryCommitReservation": { "@type": "ReservationQueryCommitReservation" } })),
        )
        .await;
    assert_eq!(c.status, 201, "{}", c.text);
    let ledger = env.ledger().await;
    assert_eq!((ledger[0].amount_minor, ledger[0].currency.as_str()), (125000, "AUD"));
}

#[tokio::test]
async fn declined_card_fails_the_commit_charges_nothing_and_cash_then_works() {
    let env = Env::new();
    let token = env.tp_token().await;
    let wb = open(&env, &token, d::LOCATOR_WITH_ANCILLARY).await;
    for (i, (number, code, source)) in [
        (cards::VISA_DECLINE, "VI", "4020"),
        (cards::MASTERCARD_DECLINE, "CA", "4020"),
        (cards::VISA_INSUFFICIENT_FUNDS, "VI", "4021"),
        (cards::VISA_AIRLINE_DECLINES, "VI", "4022"),
    ]
    .into_iter()
    .enumerate()
    {
        let f = fop(&env, &token, &wb, card_fop(&format!("fop_{i}"), number, code)).await;
        assert_eq!(
            add_payment(&env, &token, &wb, payment("USD", json!(943.6), &f, &[&wb.offers[0]])).await.status,
            201
        );
        let c = commit(&env, &token, &wb).await;
        assert_eq!(c.status, 400, "{}", c.text);
        assert_eq!(error_of(&c, Some("ReservationResponse"))["SourceCode"], source);
    }
    assert!(env.ledger().await.is_empty());
    let cash = fop(
        &env,
        &token,
        &wb,
        json!({ "FormOfPaymentCash": { "id": "cash_1", "FormOfPaymentRef": "cash_1" } }),
    )
    .await;
    assert_eq!(
        add_payment(&env, &token, &wb, payment("USD", json!(943.6), &cash, &[&wb.offers[0]])).await.status,
        201
    );
    let c = commit(&env, &token, &wb).await;
    assert_eq!(c.status, 201, "{}", c.text);
    let ledger = env.ledger().await;
    assert_eq!(ledger.len(), 1);
    assert_eq!((ledger[0].method.as_str(), ledger[0].amount_minor), ("cash", 94360));
}

#[tokio::test]
async fn form_of_payment_validation() {
    let env = Env::new();
    let token = env.tp_token().await;
    let wb = open(&env, &token, d::LOCATOR_WITH_ANCILLARY).await;
    let mut expired = card_fop("f", cards::VISA_APPROVE, "VI");
    expired["PaymentCard"]["expireDate"] = json!("0120");
    let mut no_holder = card_fop("f", cards::VISA_APPROVE, "VI");
    no_holder["PaymentCard"]["CardHolderName"] = json!("");
    let cases = [
        (card_fop("f", "4111111111111112", "VI"), "1001"),
        (card_fop("f", cards::VISA_APPROVE, "CA"), "1001"),
        (card_fop("f", cards::AMEX_APPROVE, "TP"), "1001"),
        (expired, "1001"),
        (no_holder, "1001"),
        (json!({ "@type": "FormOfPaymentInvoice", "id": "f" }), "1003"),
        (json!({ "@type": "FormOfPaymentCash" }), "1001"),
        (json!({ "@type": "Something", "id": "f" }), "1001"),
    ];
    for (body, code) in cases {
        let r = add_fop(&env, &token, &wb, body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(error_of(&r, Some("FormOfPaymentResponse"))["SourceCode"], code, "{body}");
    }
    fop(&env, &token, &wb, json!({ "@type": "FormOfPaymentCash", "id": "cash_1" })).await;
    let dup = add_fop(&env, &token, &wb, json!({ "@type": "FormOfPaymentCash", "id": "cash_1" })).await;
    assert_eq!(error_of(&dup, Some("FormOfPaymentResponse"))["SourceCode"], "4030");
    let bad_json = env
        .send(
            env.tp_req(
                reqwest::Method::POST,
                &format!("payment/reservationworkbench/{}/formofpayment", wb.id),
                &token,
            )
            .body("{"),
        )
        .await;
    assert_eq!((bad_json.status, error_of(&bad_json, None)["SourceCode"].as_str()), (400, Some("1002")));
}

#[tokio::test]
async fn payment_validation_checks_amount_fop_and_offer_references() {
    let env = Env::new();
    let token = env.tp_token().await;
    let wb = open(&env, &token, d::LOCATOR_WITH_ANCILLARY).await;
    let card = fop(&env, &token, &wb, card_fop("formOfPayment_1", cards::VISA_APPROVE, "VI")).await;
    let offer = &wb.offers[0];
    let good = || payment("USD", json!(943.60), &card, &[offer]);
    let mut wrong_minor = good();
    wrong_minor["Payment"]["Amount"]["minorUnit"] = json!(3);
    let mut no_identifier = good();
    no_identifier["Payment"]["FormOfPaymentIdentifier"].as_object_mut().unwrap().remove("Identifier");
    let mut wrong_ref = good();
    wrong_ref["Payment"]["FormOfPaymentIdentifier"]["FormOfPaymentRef"] = json!("other");
    let mut no_offers = good();
    no_offers["Payment"].as_object_mut().unwrap().remove("OfferIdentifier");
    let mut no_amount = good();
    no_amount["Payment"].as_object_mut().unwrap().remove("Amount");
    let ghost_offer =
        json!({ "id": "offer_9", "Identifier": { "value": "00000000-0000-0000-0000-000000000000" } });
    let cases = [
        (payment("USD", json!(943.61), &card, &[offer]), "4013"),
        (payment("USD", json!(943.605), &card, &[offer]), "1001"),
        (payment("EUR", json!(943.60), &card, &[offer]), "4014"),
        (wrong_minor, "1001"),
        (no_identifier, "4178"),
        (wrong_ref, "1001"),
        (payment("USD", json!(943.60), &("formOfPayment_1".into(), "bogus".into()), &[offer]), "4010"),
        (payment("USD", json!(943.60), &card, &[&ghost_offer]), "4011"),
        (payment("USD", json!(1887.20), &card, &[offer, offer]), "4012"),
        (no_offers, "1001"),
        (no_amount, "1001"),
    ];
    for (body, code) in cases {
        let r = add_payment(&env, &token, &wb, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(error_of(&r, Some("PaymentResponse"))["SourceCode"], code, "{body}");
    }
    assert_eq!(add_payment(&env, &token, &wb, good()).await.status, 201);
    // A Payment id is unique within the workbench.
    assert_eq!(
        add_payment(&env, &token, &wb, payment("USD", json!(63.10), &card, &[&wb.offers[1]])).await.status,
        400
    );
}

#[tokio::test]
async fn workbench_lifetime_and_unknown_references() {
    let env = Env::new();
    let token = env.tp_token().await;
    let missing = env.tp_post(&format!("{BUILD}ZZZZZZ"), &token, None).await;
    assert_eq!(
        (missing.status, error_of(&missing, Some("ReservationResponse"))["SourceCode"].as_str()),
        (404, Some("4001"))
    );
    let no_locator = env.tp_post("book/session/reservationworkbench/buildfromlocator", &token, None).await;
    assert_eq!(no_locator.status, 400);
    assert_eq!(env.tp_get("book/reservation/reservations/ZZZZZZ", &token).await.status, 404);
    assert_eq!(env.tp_get("receipt/reservations/ZZZZZZ/receipts", &token).await.status, 404);
    let unknown = Workbench { id: "no-such-workbench".into(), offers: vec![] };
    let r = add_fop(&env, &token, &unknown, json!({ "@type": "FormOfPaymentCash", "id": "c" })).await;
    assert_eq!(
        (r.status, error_of(&r, Some("FormOfPaymentResponse"))["SourceCode"].as_str()),
        (404, Some("4002"))
    );

    let wb = open(&env, &token, d::LOCATOR_WITH_ANCILLARY).await;
    assert_eq!(env.control_post("travelport/expire-workbenches", json!({})).await.json["expired"], 1);
    let r = add_fop(&env, &token, &wb, json!({ "@type": "FormOfPaymentCash", "id": "c" })).await;
    assert_eq!(
        (r.status, error_of(&r, Some("FormOfPaymentResponse"))["SourceCode"].as_str()),
        (404, Some("4003"))
    );
    let c = commit(&env, &token, &wb).await;
    assert_eq!(error_of(&c, Some("ReservationResponse"))["SourceCode"], "4003");
    // The ticketed demo PNR lists its ticket; an unticketed one lists nothing.
    let t = env.tp_get(&format!("receipt/reservations/{}/receipts", d::LOCATOR_TICKETED), &token).await;
    assert_eq!(t.json["ReceiptListResponse"]["ReceiptID"][0]["Document"].as_array().unwrap().len(), 1);
    let u = env.tp_get(&format!("receipt/reservations/{}/receipts", d::LOCATOR_STORED_CARD), &token).await;
    assert_eq!(u.json["ReceiptListResponse"]["ReceiptID"], json!([]));
    // A commit without a Payment confirms without issuing anything.
    let wb = open(&env, &token, d::LOCATOR_STORED_CARD).await;
    let bad = env.tp_post(&format!("book/reservation/reservations/{}", wb.id), &token, Some(json!({}))).await;
    assert_eq!(bad.status, 400);
    let c = commit(&env, &token, &wb).await;
    assert_eq!(c.status, 201);
    assert!(!c.text.contains("ReceiptPayment"));
    assert!(env.ledger().await.is_empty());
}
