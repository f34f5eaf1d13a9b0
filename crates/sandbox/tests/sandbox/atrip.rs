//! ATRIP over real HTTP: pay.do, queryOrderDetails.do, regenerateOrder.do.

use std::time::Duration;

use farepoint_sandbox::cards;
use farepoint_sandbox::demo::atrip as d;
use serde_json::{json, Value};

use crate::common::{atrip_card, charges, Env};

async fn pay(env: &Env, order_no: &str, method: i64, card: Option<Value>) -> Value {
    let mut body = json!({ "orderNo": order_no, "paymentMethod": method });
    if let Some(card) = card {
        body["creditCard"] = card;
    }
    env.atrip("pay.do", body).await
}

/// A fresh order through the control API.
async fn seed(env: &Env, spec: Value) -> String {
    let r = env.control_post("atrip/orders", spec).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["orderNo"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn query_shows_the_demo_order_with_exact_amounts() {
    let env = Env::new();
    let r = env
        .send(env.atrip_req("queryOrderDetails.do").json(&json!({ "orderNo": d::ORDER_ANY_METHOD })))
        .await;
    assert!(r.text.contains(r#""totalPrice":245.60"#), "amount keeps its literal: {}", r.text);
    let o = r.json;
    assert_eq!(o["status"], 0);
    assert_eq!(o["orderStatus"], "0");
    assert_eq!(o["ticketStatus"], "0");
    assert_eq!(o["currency"], "USD");
    assert_eq!(o["supportPaymentMethods"], json!([1, 3, 4, 5]));
    assert_eq!(o["paymentMethod"], Value::Null);
    assert_eq!(o["paymentOptions"].as_array().unwrap().len(), 4);
    let deadline = o["tktLimitTime"].as_str().unwrap();
    assert_eq!(deadline.len(), 19, "yyyy-MM-dd HH:mm:ss: {deadline}");
    let jpy = env.send(env.atrip_req("queryOrderDetails.do").json(&json!({ "orderNo": d::ORDER_JPY }))).await;
    assert!(jpy.text.contains(r#""totalPrice":45000,"#), "{}", jpy.text);
}

#[tokio::test]
async fn deposit_payment_is_charged_once_and_ticketed() {
    let env = Env::new();
    let paid = pay(&env, d::ORDER_ANY_METHOD, 1, None).await;
    assert_eq!(paid["status"], 0, "{paid}");
    assert_eq!(paid["msg"], "success");
    assert_eq!(paid["orderNo"], d::ORDER_ANY_METHOD);
    assert_eq!(paid["paymentMethod"], 1);
    assert!(paid["pnrCode"].as_str().is_some_and(|p| p.len() == 6));

    let order = env.atrip_order(d::ORDER_ANY_METHOD).await;
    assert_eq!(order["orderStatus"], "2", "ticketing delay is 0 in tests: {order}");
    assert_eq!(order["ticketStatus"], "1");
    assert_eq!(order["paymentMethod"], 1);
    assert_eq!(order["payment"]["ticketFare"]["deductFrom"], "DEPOSIT");
    assert_eq!(order["paymentOptions"], Value::Null);
    let tickets = order["paxTicketInfos"][0]["ticketNos"].as_array().unwrap();
    assert_eq!(tickets.len(), 1);
    assert!(tickets[0].as_str().unwrap().len() == 13 && tickets[0].as_str().unwrap().starts_with("203"));

    // Paying a ticketed order again: 402, and nothing more is charged.
    assert_eq!(pay(&env, d::ORDER_ANY_METHOD, 1, None).await["status"], 402);
    let ledger = env.ledger().await;
    assert_eq!(ledger.len(), 1);
    let e = &ledger[0];
    assert_eq!((e.amount_minor, e.currency.as_str(), e.amount.as_str()), (24560, "USD", "245.60"));
    assert_eq!((e.reference.as_str(), e.method.as_str()), (d::ORDER_ANY_METHOD, "deposit"));
}

#[tokio::test]
async fn paid_order_awaiting_tickets_is_404_then_ticketed_after_the_delay() {
    let env = Env::new();
    let r = env.control_put("config", json!({ "ticketing_delay_ms": 1500 })).await;
    assert_eq!(r.json["ticketing_delay_ms"], 1500);
    let paid = pay(&env, d::ORDER_VCC_ONLY, 3, Some(atrip_card(cards::VISA_APPROVE, Some("123")))).await;
    assert_eq!(paid["status"], 0, "{paid}");
    let order = env.atrip_order(d::ORDER_VCC_ONLY).await;
    assert_eq!((order["orderStatus"].as_str(), order["ticketStatus"].as_str()), (Some("1"), Some("0")));
    assert_eq!(order["paymentAttempted"], true);
    assert_eq!(order["airlineBookings"][0]["tailDigitsOfPaymentCard"], "1111");
    let again = pay(&env, d::ORDER_VCC_ONLY, 3, Some(atrip_card(cards::VISA_APPROVE, Some("123")))).await;
    assert_eq!(again["status"], 404);
    // Ticketed once the delay has passed: waited for (within a bound), not slept for.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let order = loop {
        let order = env.atrip_order(d::ORDER_VCC_ONLY).await;
        if order["orderStatus"] == "2" {
            break order;
        }
        assert!(std::time::Instant::now() < deadline, "never ticketed: {order}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let pax = order["paxTicketInfos"].as_array().unwrap();
    assert_eq!(pax.len(), 2, "one ticket per passenger");
    assert!(pax.iter().all(|p| p["ticketNos"].as_array().unwrap().len() == 1));
    assert_ne!(pax[0]["ticketNos"], pax[1]["ticketNos"]);
    // Found again by airline PNR + carrier once ticketed.
    let airline_pnr = pax[0]["airlinePNRs"][0].as_str().unwrap();
    let by_pnr =
        env.atrip("queryOrderDetails.do", json!({ "airlinePNR": airline_pnr, "carrier": "TR" })).await;
    assert_eq!(by_pnr["orderNo"], d::ORDER_VCC_ONLY);
    assert_eq!(charges(&env.ledger().await).len(), 1);
}

#[tokio::test]
async fn airline_declines_at_ticketing_then_regenerate_and_pay_again() {
    let env = Env::new();
    let paid =
        pay(&env, d::ORDER_VCC_ONLY, 3, Some(atrip_card(cards::VISA_AIRLINE_DECLINES, Some("123")))).await;
    assert_eq!(paid["status"], 0, "pay.do success is not ticketed: {paid}");
    let order = env.atrip_order(d::ORDER_VCC_ONLY).await;
    assert_eq!(order["orderStatus"], "-3");
    assert_eq!(order["errorCode"], "604");
    assert_eq!(order["errorMessage"], "Payment declined by airline");
    assert_eq!(
        pay(&env, d::ORDER_VCC_ONLY, 3, Some(atrip_card(cards::VISA_APPROVE, Some("123")))).await["status"],
        402
    );

    let regen = env.atrip("regenerateOrder.do", json!({ "originalOrderNo": d::ORDER_VCC_ONLY })).await;
    assert_eq!(regen["status"], 0, "{regen}");
    assert_eq!(regen["originalOrderNo"], d::ORDER_VCC_ONLY);
    assert_eq!(regen["orderStatus"], "0");
    // As the published answer: nothing issued yet, said with null.
    assert_eq!(regen["paxTicketInfos"][0]["ticketNos"], Value::Null);
    assert_eq!(regen["paxTicketInfos"][0]["airlinePNRs"], Value::Null);
    let new_no = regen["orderNo"].as_str().unwrap().to_string();
    assert!(new_no.starts_with("FPDMO") && new_no.len() == 22 && new_no != d::ORDER_VCC_ONLY);
    assert_eq!(
        pay(&env, &new_no, 3, Some(atrip_card(cards::MASTERCARD_APPROVE, Some("123")))).await["status"],
        0
    );
    assert_eq!(env.atrip_order(&new_no).await["orderStatus"], "2");

    let ledger = env.ledger().await;
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[1].reference, new_no);
    assert_eq!(ledger[1].card_last4.as_deref(), Some("4444"));
}

#[tokio::test]
async fn other_ticketing_failures_come_from_their_test_cards() {
    let env = Env::new();
    for (card, code) in [(cards::VISA_AIRLINE_RISK_CONTROL, "613"), (cards::VISA_REQUIRES_3DS, "616")] {
        let no = seed(&env, json!({ "totalPrice": "100.00", "supportPaymentMethods": [3] })).await;
        assert_eq!(pay(&env, &no, 3, Some(atrip_card(card, Some("123")))).await["status"], 0);
        let order = env.atrip_order(&no).await;
        assert_eq!((order["orderStatus"].as_str(), order["errorCode"].as_str()), (Some("-3"), Some(code)));
    }
    // Atlas's own published test inputs: the card holder's first name decides, any card.
    for (first_name, code) in [("Reject", "604"), ("Three DS", "616")] {
        let no = seed(&env, json!({ "totalPrice": "100.00", "supportPaymentMethods": [3] })).await;
        let mut card = atrip_card(cards::VISA_APPROVE, Some("123"));
        card["cardHolderFirstName"] = first_name.into();
        assert_eq!(pay(&env, &no, 3, Some(card)).await["status"], 0, "{first_name}");
        let order = env.atrip_order(&no).await;
        assert_eq!((order["orderStatus"].as_str(), order["errorCode"].as_str()), (Some("-3"), Some(code)));
    }
    // 3DS is only a problem for VCC: MoR carries threeDS data and tickets.
    let no = seed(&env, json!({ "totalPrice": "100.00", "supportPaymentMethods": [5] })).await;
    assert_eq!(pay(&env, &no, 5, Some(atrip_card(cards::VISA_REQUIRES_3DS, Some("123")))).await["status"], 0);
    assert_eq!(env.atrip_order(&no).await["orderStatus"], "2");
}

#[tokio::test]
async fn every_documented_payment_error_and_none_charges() {
    let env = Env::new();
    let good = || Some(atrip_card(cards::VISA_APPROVE, Some("123")));
    let cases: Vec<(&str, Value, i64)> = vec![
        ("no orderNo", json!({ "paymentMethod": 1 }), 400),
        ("no paymentMethod", json!({ "orderNo": d::ORDER_ANY_METHOD }), 400),
        ("method 2", json!({ "orderNo": d::ORDER_ANY_METHOD, "paymentMethod": 2 }), 400),
        ("unknown order", json!({ "orderNo": "XXXXX20250101000000001", "paymentMethod": 1 }), 400),
        ("VCC without card", json!({ "orderNo": d::ORDER_ANY_METHOD, "paymentMethod": 3 }), 400),
        ("past deadline", json!({ "orderNo": d::ORDER_PAST_DEADLINE, "paymentMethod": 1 }), 401),
        ("ticketed", json!({ "orderNo": d::ORDER_TICKETED, "paymentMethod": 1 }), 402),
        ("unsupported method", json!({ "orderNo": d::ORDER_VCC_ONLY, "paymentMethod": 1 }), 403),
        ("balance", json!({ "orderNo": d::ORDER_OVER_BALANCE, "paymentMethod": 1 }), 411),
        ("no methods", json!({ "orderNo": d::ORDER_NO_METHODS, "paymentMethod": 1 }), 412),
        ("FR not confirmed", json!({ "orderNo": d::ORDER_NOT_CONFIRMED, "paymentMethod": 1 }), 415),
    ];
    for (what, body, status) in cases {
        assert_eq!(env.atrip("pay.do", body).await["status"], status, "{what}");
    }
    let card_cases: Vec<(&str, &str, i64, Value, i64)> = vec![
        ("bad Luhn", d::ORDER_ANY_METHOD, 3, atrip_card("4111111111111112", Some("123")), 400),
        ("expired", d::ORDER_ANY_METHOD, 3, json!({ "cardExpireYear": "2020" }), 400),
        ("month format", d::ORDER_ANY_METHOD, 3, json!({ "cardExpireMonth": "7" }), 400),
        ("no holder", d::ORDER_ANY_METHOD, 3, json!({ "cardHolderLastName": null }), 400),
        ("holder chars", d::ORDER_ANY_METHOD, 3, json!({ "cardHolderFirstName": "J0HN" }), 400),
        ("empty CVV", d::ORDER_ANY_METHOD, 3, json!({ "cardCVV": "" }), 400),
        ("VCC without CVV", d::ORDER_ANY_METHOD, 3, json!({ "cardCVV": null }), 400),
        ("country", d::ORDER_ANY_METHOD, 3, json!({ "cardHolderCountry": "USA" }), 400),
        ("post code", d::ORDER_ANY_METHOD, 3, json!({ "cardHolderPostCode": "123" }), 400),
        ("address", d::ORDER_ANY_METHOD, 3, json!({ "cardHolderAddress": "1 A St" }), 400),
        ("3DS ip", d::ORDER_ANY_METHOD, 5, json!({ "threeDS": { "ip": "not-an-ip" } }), 400),
        ("declined", d::ORDER_ANY_METHOD, 3, atrip_card(cards::VISA_DECLINE, Some("123")), 411),
        ("no funds", d::ORDER_ANY_METHOD, 5, atrip_card(cards::VISA_INSUFFICIENT_FUNDS, Some("123")), 411),
        ("MoR UnionPay", d::ORDER_ANY_METHOD, 5, atrip_card(cards::UNIONPAY_APPROVE, Some("123")), 413),
        (
            "MoR Amex on a Visa order",
            d::ORDER_MOR_VISA,
            5,
            atrip_card(cards::AMEX_APPROVE, Some("1234")),
            414,
        ),
    ];
    for (what, order_no, method, card, status) in card_cases {
        // Partial cards override the fields of a good one.
        let mut full = good().unwrap();
        let card = if card.get("cardNumber").is_some() {
            card
        } else {
            for (k, v) in card.as_object().unwrap() {
                full[k] = v.clone();
            }
            full
        };
        let r = pay(&env, order_no, method, Some(card)).await;
        assert_eq!(r["status"], status, "{what}: {r}");
        assert!(r["msg"].as_str().is_some_and(|m| !m.is_empty()));
    }
    assert!(env.ledger().await.is_empty(), "no error charges anything");
    assert_eq!(env.atrip_order(d::ORDER_ANY_METHOD).await["orderStatus"], "0");
    // Bad JSON and bad credentials have their general codes.
    let r = env.send(env.atrip_req("pay.do").body("{not json")).await;
    assert_eq!((r.status, r.json["status"].as_i64()), (200, Some(901)));
}

#[tokio::test]
async fn a_second_pay_while_the_first_is_charging_gets_406_and_one_charge() {
    let env = Env::new();
    env.control_put("config", json!({ "atrip_payment_ms": 1000, "ticketing_delay_ms": 60000 })).await;
    let first = pay(&env, d::ORDER_ANY_METHOD, 4, None);
    let second = async {
        // Once the first pay.do has reached the server it is charging for a second.
        while env.sb.request_count("atrip.pay") == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let during = env.atrip_order(d::ORDER_ANY_METHOD).await;
        (pay(&env, d::ORDER_ANY_METHOD, 4, None).await, during)
    };
    let (first, (second, during)) = tokio::join!(first, second);
    assert_eq!(first["status"], 0);
    assert_eq!(second["status"], 406, "{second}");
    assert_eq!(during["orderStatus"], "0", "not paid until the charge completes");
    assert_eq!(pay(&env, d::ORDER_ANY_METHOD, 4, None).await["status"], 404);
    let ledger = env.ledger().await;
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].method, "byoa");
}

#[tokio::test]
async fn mor_cvv_may_be_null_only_for_a_card_used_before() {
    let env = Env::new();
    let a = seed(&env, json!({ "totalPrice": 10.5, "supportPaymentMethods": [5], "cardType": "MasterCard" }))
        .await;
    let b = seed(&env, json!({ "totalPrice": "20.00", "supportPaymentMethods": [5] })).await;
    assert_eq!(pay(&env, &a, 5, Some(atrip_card(cards::MASTERCARD_APPROVE, None))).await["status"], 400);
    assert_eq!(pay(&env, &a, 5, Some(atrip_card(cards::MASTERCARD_APPROVE, Some("123")))).await["status"], 0);
    assert_eq!(pay(&env, &b, 5, Some(atrip_card(cards::MASTERCARD_APPROVE, None))).await["status"], 0);
    let ledger = env.ledger().await;
    assert_eq!(ledger.iter().map(|e| e.amount_minor).collect::<Vec<_>>(), [1050, 2000]);
    assert!(ledger.iter().all(|e| e.method == "mor"));
}

#[tokio::test]
async fn query_errors_and_lookups() {
    let env = Env::new();
    let pnr = env.atrip_order(d::ORDER_JPY).await["pnrCode"].as_str().unwrap().to_string();
    assert_eq!(env.atrip("queryOrderDetails.do", json!({ "pnrCode": pnr })).await["orderNo"], d::ORDER_JPY);
    let cases = [
        (json!({}), 100),
        (json!({ "airlinePNR": "ABC123" }), 702),
        (json!({ "orderNo": "NOPEX20250101000000001" }), 703),
        (json!({ "orderNo": d::ORDER_ANY_METHOD, "pnrCode": pnr }), 704),
    ];
    for (body, status) in cases {
        assert_eq!(env.atrip("queryOrderDetails.do", body.clone()).await["status"], status, "{body}");
    }
}

#[tokio::test]
async fn regenerate_errors() {
    let env = Env::new();
    assert_eq!(env.atrip("regenerateOrder.do", json!({})).await["status"], 307);
    assert_eq!(
        env.atrip("regenerateOrder.do", json!({ "originalOrderNo": "NOPEX20250101000000001" })).await
            ["status"],
        800
    );
    assert_eq!(
        env.atrip("regenerateOrder.do", json!({ "originalOrderNo": d::ORDER_TICKETED })).await["status"],
        314
    );
    // An order past its deadline can be regenerated with a fresh one.
    let regen = env.atrip("regenerateOrder.do", json!({ "originalOrderNo": d::ORDER_PAST_DEADLINE })).await;
    assert_eq!(regen["status"], 0);
    let new_no = regen["orderNo"].as_str().unwrap();
    assert_eq!(pay(&env, new_no, 1, None).await["status"], 0);
}

#[tokio::test]
async fn auth_is_enforced_on_every_route() {
    let env = Env::new();
    for op in ["pay.do", "queryOrderDetails.do", "regenerateOrder.do"] {
        let url = format!("{}{op}", env.sb.atrip_base_url());
        let none = env.send(env.http.post(&url).json(&json!({ "orderNo": d::ORDER_ANY_METHOD }))).await;
        assert_eq!((none.status, none.json["status"].as_i64()), (200, Some(900)), "{op}");
        let wrong = env
            .send(
                env.http
                    .post(&url)
                    .header("x-atlas-client-id", d::CLIENT_ID)
                    .header("x-atlas-client-secret", "wrong")
                    .json(&json!({ "orderNo": d::ORDER_ANY_METHOD, "paymentMethod": 1 })),
            )
            .await;
        assert_eq!(wrong.json["status"], 900, "{op}");
        assert_eq!(wrong.json["msg"], "Unauthorized access");
    }
    assert!(env.ledger().await.is_empty());
}

/// The simulator's order answer carries every key of Atlas's published ticketed order (the
/// client's contract fixture), at the top and for each passenger — `null` where the simulator
/// has nothing to say, never a key left out — with the codes as strings, as published.
#[tokio::test]
async fn a_ticketed_order_carries_every_published_key() {
    let env = Env::new();
    assert_eq!(pay(&env, d::ORDER_ANY_METHOD, 1, None).await["status"], 0);
    let ours = env.atrip_order(d::ORDER_ANY_METHOD).await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/fixtures/atrip/queryOrderDetails.do.response.ticketed.openapi.json"
    );
    let published: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let missing = |ours: &Value, theirs: &Value| -> Vec<String> {
        theirs.as_object().unwrap().keys().filter(|k| ours.get(k.as_str()).is_none()).cloned().collect()
    };
    assert_eq!(missing(&ours, &published), Vec::<String>::new(), "top level");
    assert_eq!(
        missing(&ours["paxTicketInfos"][0], &published["paxTicketInfos"][0]),
        Vec::<String>::new(),
        "passenger"
    );
    for code in ["orderStatus", "ticketStatus"] {
        assert!(ours[code].is_string() && published[code].is_string(), "{code}");
    }
    // Vendor amounts only where a VCC or BYOA could pay: this order takes every method.
    assert!(ours["vendorTotalPrice"].is_number() && ours["vendorCurrency"].is_string());
}

/// An order priced by the airline in another currency, with ATRIP's fee: the answer states each
/// amount as Atlas's examples do — `vendorCost` only once paid, and a `payment` object whose parts
/// say where each came from — and the VCC is charged the airline's price, in its currency.
#[tokio::test]
async fn a_paid_order_states_what_was_taken_and_from_where() {
    let env = Env::new();
    let spec = json!({ "totalPrice": "114.99", "currency": "USD", "totalTransactionFee": 5,
        "vendorTotalPrice": "1281.9", "vendorCurrency": "NOK", "supportPaymentMethods": [1, 3, 5] });
    let vcc = seed(&env, spec.clone()).await;
    let before = env.atrip_order(&vcc).await;
    assert_eq!(
        (before["totalTransactionFee"].clone(), before["vendorCurrency"].clone()),
        (json!(5.00), json!("NOK"))
    );
    assert_eq!(before["vendorTotalPrice"], json!(1281.9));
    assert_eq!(before["vendorCost"], Value::Null, "nothing charged yet");
    assert_eq!(before["payment"], Value::Null);

    assert_eq!(pay(&env, &vcc, 3, Some(atrip_card(cards::VISA_APPROVE, Some("123")))).await["status"], 0);
    let after = env.atrip_order(&vcc).await;
    assert_eq!(after["vendorCost"], json!(1281.9));
    assert_eq!(after["paymentOptions"], Value::Null, "published: null once paid");
    let p = &after["payment"];
    assert_eq!(p["ticketFare"], json!({ "amount": 1281.9, "currency": "NOK", "deductFrom": "CARD" }));
    assert_eq!(p["serviceFee"], json!({ "amount": 5.0, "currency": "USD", "deductFrom": "DEPOSIT" }));
    assert_eq!(p["paymentFee"], Value::Null);
    let ledger = env.ledger().await;
    assert_eq!((ledger[0].amount_minor, ledger[0].currency.as_str()), (128_190, "NOK"));

    // MoR: the fare in the order's currency from the card, and Atlas's 3% card fee beside it.
    let mor = seed(&env, spec).await;
    let mut card = atrip_card(cards::VISA_APPROVE, Some("123"));
    card["cardHolderProvince"] = json!(""); // as Atlas's own MoR example sends it
    card["threeDS"] = json!({ "ip": "" }); // as one of its VCC examples does: the source IP is used
    assert_eq!(pay(&env, &mor, 5, Some(card)).await["status"], 0);
    let p = env.atrip_order(&mor).await["payment"].clone();
    assert_eq!(p["ticketFare"], json!({ "amount": 114.99, "currency": "USD", "deductFrom": "CARD" }));
    assert_eq!(p["paymentFee"], json!({ "amount": 3.45, "currency": "USD", "deductFrom": "CARD" }));
}

/// Every test card Atlas publishes pays a VCC order here — the four that fail Luhn included — and
/// the simulator's own decline card is not one of them.
#[tokio::test]
async fn atlas_published_test_cards_are_accepted() {
    let env = Env::new();
    for number in cards::ATLAS_TEST_CARDS {
        let order = seed(&env, json!({ "totalPrice": "10.00", "supportPaymentMethods": [3] })).await;
        let cvv = if number.len() == 15 { "1234" } else { "123" };
        let paid = pay(&env, &order, 3, Some(atrip_card(number, Some(cvv)))).await;
        assert_eq!(paid["status"], 0, "{number}: {paid}");
    }
    assert!(!cards::ATLAS_TEST_CARDS.contains(&cards::MASTERCARD_DECLINE));
    assert_eq!(env.ledger().await.len(), cards::ATLAS_TEST_CARDS.len());
}
