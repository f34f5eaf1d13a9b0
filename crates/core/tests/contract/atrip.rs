//! ATRIP's published `pay.do`, `queryOrderDetails.do` and `regenerateOrder.do` examples (see
//! `tests/fixtures/atrip/SOURCES.md`).

use farepoint_core::card::{Card, CardInput};
use farepoint_core::money::{Currency, Money};
use farepoint_core::providers::atrip::wire::{card_charged, Charge, ChargeKind, DeductedFrom};
use farepoint_core::providers::atrip::{AtripClient, AtripConfig, Method, OrderStatus};
use farepoint_core::providers::http::Timeouts;
use farepoint_core::providers::PayOutcome;
use farepoint_core::secrets::SecretString;
use serde_json::Value;

use super::replay::Replay;
use super::{fixture, fixture_json, kind};

fn client(replay: &Replay) -> AtripClient {
    AtripClient::new(AtripConfig {
        base_url: replay.url.clone(),
        client_id: "client-id".into(),
        client_secret: SecretString::from("client-secret"),
        timeouts: Timeouts::default(),
    })
    .unwrap()
}

fn money(minor: i64, code: &str) -> Money {
    Money::from_minor(minor, Currency::from_code(code).unwrap())
}

#[tokio::test]
async fn published_pay_answers_are_accepted() {
    // The OpenAPI export answers `"msg": "success"`, the older reference `"msg": null`: only
    // `status` decides.
    for name in [
        "pay.do.response.success.openapi.json",
        "pay.do.response.success.legacy.json",
        "pay.do.response.success.doc-sabre.json",
        "pay.do.response.success.doc-2022.json",
    ] {
        let replay = Replay::start().await;
        replay.answer(200, fixture(&format!("atrip/{name}")));
        let paid = client(&replay).pay("AFKMN20250819153129241", Method::Deposit, None, None).await.unwrap();
        assert!(matches!(paid.result, PayOutcome::Accepted { .. }), "{name}: {:?}", paid.result);
    }
}

#[tokio::test]
async fn a_published_ticketed_order_is_read_exactly() {
    let replay = Replay::start().await;
    replay.answer(200, fixture("atrip/queryOrderDetails.do.response.ticketed.openapi.json"));
    let order = client(&replay).query_order("TESTA20250210154142832").await.unwrap().result;
    assert_eq!(order.order_no, "TESTA20250210154142832");
    assert_eq!(order.pnr_code.as_deref(), Some("XVOCMN"));
    assert_eq!(order.status, OrderStatus::Ticketed);
    assert!(order.tickets_issued);
    assert_eq!(order.total, money(11_499, "USD"));
    assert_eq!(order.transaction_fee, Some(money(500, "USD")));
    assert_eq!(order.vendor_total, Some(money(128_190, "NOK")));
    assert_eq!(order.supported_methods, [Method::Deposit, Method::Vcc, Method::Mor]);
    assert_eq!(order.paid_with, Some(Method::Mor));
    assert!(order.shows_payment() && !order.proves_unpaid());
    // What ATRIP states it took, each part in its own currency: the card was charged in EUR on
    // a USD order for a NOK fare, the service fee came from the deposit.
    let charge = |what, minor, code, from| Charge { what, amount: money(minor, code), from };
    assert_eq!(
        order.charges,
        [
            charge(ChargeKind::TicketFare, 11_141, "EUR", Some(DeductedFrom::Card)),
            charge(ChargeKind::ServiceFee, 500, "USD", Some(DeductedFrom::Deposit)),
            charge(ChargeKind::PaymentFee, 480, "EUR", Some(DeductedFrom::Card)),
            charge(ChargeKind::AirlineCharged, 134_600, "NOK", None),
        ]
    );
    assert_eq!(card_charged(&order.charges), Some(money(11_621, "EUR")));
    // ATRIP's sandbox gives the airline PNR as the "ticket number": kept as given.
    assert_eq!(order.tickets(), [("aaaaa/aaaaaabs".to_string(), "S77182".to_string())]);
    assert_eq!(order.ticketing_error, None);
    assert_eq!(
        replay.last().json(),
        fixture_json("atrip/queryOrderDetails.do.request.openapi.json")
            .as_object()
            .map(|o| {
                let mut ours = o.clone();
                ours["orderNo"] = "TESTA20250210154142832".into();
                Value::Object(ours)
            })
            .unwrap()
    );
}

#[tokio::test]
async fn a_round_trip_issued_as_two_tickets_keeps_both() {
    let replay = Replay::start().await;
    replay.answer(200, fixture("atrip/queryOrderDetails.do.response.ticketed-two-pnrs.openapi.json"));
    let order = client(&replay).query_order("TESTA20250210154142832").await.unwrap().result;
    let published = fixture_json("atrip/queryOrderDetails.do.response.ticketed-two-pnrs.openapi.json");
    let expected: Vec<(String, String)> = published["paxTicketInfos"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            let name = p["name"].as_str().unwrap().to_string();
            p["ticketNos"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |t| (name.clone(), t.as_str().unwrap().to_string()))
        })
        .collect();
    assert_eq!(expected.len(), 2, "the example has two tickets");
    assert_eq!(order.tickets(), expected);
}

/// The codes as numbers, as ATRIP's webhooks (`"orderStatus": 2`) and its Postman tests send
/// them: hand-derived from the published ticketed order by turning its string codes into numbers.
#[tokio::test]
async fn order_codes_are_read_as_numbers_too() {
    let mut published = fixture_json("atrip/queryOrderDetails.do.response.ticketed.openapi.json");
    published["orderStatus"] = 2.into();
    published["ticketStatus"] = 1.into();
    let replay = Replay::start().await;
    replay.answer(200, published.to_string());
    let order = client(&replay).query_order("TESTA20250210154142832").await.unwrap().result;
    assert_eq!((order.status, order.tickets_issued), (OrderStatus::Ticketed, true));
}

/// The published regenerate answer is the new order itself, with `"ticketNos": null` for its
/// passenger.
#[tokio::test]
async fn the_published_regenerate_answer_gives_the_new_order() {
    let replay = Replay::start().await;
    replay.answer(200, fixture("atrip/regenerateOrder.do.response.success.openapi.json"));
    let new_order = client(&replay).regenerate("AAYDY20250816162229555").await.unwrap().result;
    assert_eq!(new_order, "AAWPQ20250816170913493");
    assert_eq!(replay.last().json(), fixture_json("atrip/regenerateOrder.do.request.openapi.json"));

    // The same body read as an order: nulls where lists go are empty lists, not an error.
    replay.answer(200, fixture("atrip/regenerateOrder.do.response.success.openapi.json"));
    let order = client(&replay).query_order("AAWPQ20250816170913493").await.unwrap().result;
    assert!(order.tickets().is_empty());
    assert_eq!(order.total, money(95_402, "CNY"));
    assert_eq!(order.transaction_fee, Some(money(718, "CNY")));
    assert_eq!(order.vendor_total, Some(money(49_821, "SAR")));
}

/// Our `pay.do` bodies have the published requests' fields and JSON types (deposit: the hybrid
/// payment guide; VCC: the OpenAPI export, whose card fields Atlas masked). We send fewer of the
/// optional card fields (no address), never one the example lacks.
#[tokio::test]
async fn what_we_send_has_the_published_shape() {
    let replay = Replay::start().await;
    let atrip = client(&replay);
    replay.answer(200, fixture("atrip/pay.do.response.success.openapi.json"));
    atrip.pay("XXX", Method::Deposit, None, None).await.unwrap();
    let deposit = replay.last().json();
    let published = fixture_json("atrip/pay.do.request.deposit.hybrid-guide.json");
    for (field, value) in published.as_object().unwrap() {
        assert_eq!(&deposit[field], value, "deposit: {field}");
    }

    let card = Card::parse(&CardInput {
        number: "4532015112830366",
        cvv: "123",
        expiry_month: "07",
        expiry_year: "2027",
        holder: "Jane Carter",
    })
    .unwrap();
    replay.answer(200, fixture("atrip/pay.do.response.success.openapi.json"));
    atrip.pay("AFKMN20250819153129241", Method::Vcc, Some(&card), None).await.unwrap();
    let ours = replay.last().json();
    let published = fixture_json("atrip/pay.do.request.vcc.openapi.json");
    let same_kind = |path: &str, ours: &Value, published: &Value| {
        // `null` in the example marks an optional field: any type of ours fits it.
        if !published.is_null() {
            assert_eq!(kind(ours), kind(published), "{path}: ours {ours}, published {published}");
        }
    };
    for (field, value) in ours.as_object().unwrap() {
        let theirs =
            published.get(field).unwrap_or_else(|| panic!("we send {field}, which the example lacks"));
        same_kind(field, value, theirs);
    }
    for (field, value) in ours["creditCard"].as_object().unwrap() {
        let theirs =
            published["creditCard"].get(field).unwrap_or_else(|| panic!("we send creditCard.{field}"));
        same_kind(&format!("creditCard.{field}"), value, theirs);
    }
    assert_eq!(ours["paymentMethod"], 3);
    assert_eq!(ours["creditCard"]["cardExpireMonth"], "07");
}

/// The "completed order" view: the top level's codes and amounts are `null`, the orders are in
/// `orderList`, and a ticketed order still carries an `errorCode` ("601"). Farepoint does not ask
/// for this view; if it ever gets one, it reads nothing from it that could end a payment — not
/// unpaid, not cancelled.
#[tokio::test]
async fn the_completed_order_view_decides_nothing() {
    let replay = Replay::start().await;
    replay.answer(200, fixture("atrip/queryOrderDetails.do.response.completed-order-list.doc-sabre.json"));
    let order = client(&replay).query_order("TESTA20240627114717735").await.unwrap().result;
    assert!(matches!(order.status, OrderStatus::Other(_)), "{:?}", order.status);
    assert!(!order.proves_unpaid(), "an unknown state is not proof of unpaid");
    assert_eq!(order.ticketing_error, None, "601 on a ticketed order is not a failure");
    assert_eq!(order.transaction_fee, None);
    assert_eq!(order.vendor_total, None);
    assert!(order.charges.is_empty(), "no payment object, no vendorCost at the top");
}

/// Our MoR body has the fields and JSON types of Atlas's MoR example (doc-sabre "Pay with credit
/// card pass through", `paymentMethod` 5) and of the OpenAPI card object; nothing else.
#[tokio::test]
async fn what_we_send_for_mor_has_the_published_shape() {
    let replay = Replay::start().await;
    let card = Card::parse(&CardInput {
        number: "4054695723100768",
        cvv: "123",
        expiry_month: "09",
        expiry_year: "2031",
        holder: "Ana Torres",
    })
    .unwrap();
    replay.answer(200, fixture("atrip/pay.do.response.success.openapi.json"));
    client(&replay)
        .pay("APOGF20250324204900551", Method::Mor, Some(&card), Some("34.132.184.222"))
        .await
        .unwrap();
    let ours = replay.last().json();
    let mor = fixture_json("atrip/pay.do.request.mor.doc-sabre.json");
    let schema = fixture_json("atrip/pay.do.request.vcc.openapi.json");
    for (field, value) in ours.as_object().unwrap() {
        let theirs = mor.get(field).unwrap_or_else(|| panic!("we send {field}, which the MoR example lacks"));
        if !theirs.is_null() {
            assert_eq!(kind(value), kind(theirs), "{field}");
        }
    }
    for (field, value) in ours["creditCard"].as_object().unwrap() {
        let theirs = [&mor, &schema]
            .into_iter()
            .find_map(|e| e["creditCard"].get(field))
            .unwrap_or_else(|| panic!("we send creditCard.{field}, which no example has"));
        if !theirs.is_null() {
            assert_eq!(kind(value), kind(theirs), "creditCard.{field}");
        }
    }
    assert_eq!(ours["paymentMethod"], mor["paymentMethod"]);
    assert_eq!(ours["creditCard"]["threeDS"]["ip"], "34.132.184.222");
    assert_eq!(ours["creditCard"]["cardExpireYear"], "31", "two digits, as the example");
}

/// Atlas's older order answers: one without `ticketStatus` or `paymentMethod` (2023, the
/// airline's price in KRW, whose minor unit is the won), one paid by deposit with a fee (2024).
/// Both are ticketed with the PNR as every passenger's ticket number.
#[tokio::test]
async fn older_published_orders_are_read_exactly() {
    let replay = Replay::start().await;
    replay.answer(200, fixture("atrip/queryOrderDetails.do.response.ticketed-vcc-krw.doc-2023.json"));
    let order = client(&replay).query_order("ZNMKU20220119160129691").await.unwrap().result;
    assert_eq!(order.status, OrderStatus::Ticketed);
    assert!(order.tickets_issued, "no ticketStatus: every passenger has a ticket number");
    assert_eq!(order.total, money(3_790, "USD"));
    assert_eq!(order.transaction_fee, Some(money(0, "USD")));
    assert_eq!(order.vendor_total, Some(money(45_000, "KRW")));
    assert_eq!(order.paid_with, None);
    assert!(order.charges.is_empty(), "no payment object, vendorCost null");
    assert_eq!(
        order.tickets(),
        [("YAO/SAHA".to_string(), "S10491".to_string()), ("SONG/YUN".to_string(), "S10491".to_string())]
    );

    let replay = Replay::start().await;
    replay.answer(200, fixture("atrip/queryOrderDetails.do.response.ticketed-deposit.doc-2024.json"));
    let order = client(&replay).query_order("AUASC20240105124643947").await.unwrap().result;
    assert_eq!((order.status.clone(), order.tickets_issued), (OrderStatus::Ticketed, true));
    assert_eq!(order.total, money(23_277, "USD"));
    assert_eq!(order.transaction_fee, Some(money(450, "USD")));
    assert_eq!(order.vendor_total, None, "vendor fields are null");
    assert_eq!(order.paid_with, Some(Method::Deposit));
    assert_eq!(order.tickets().len(), 3);
    assert!(order.tickets().iter().all(|(_, number)| number == "AQTBLW"));

    // With `ticketStatus` present, only "1" says issued, whatever the passengers show.
    let mut pending = fixture_json("atrip/queryOrderDetails.do.response.ticketed-deposit.doc-2024.json");
    pending["ticketStatus"] = "0".into();
    let replay = Replay::start().await;
    replay.answer(200, pending.to_string());
    let order = client(&replay).query_order("AUASC20240105124643947").await.unwrap().result;
    assert!(!order.tickets_issued);
}

/// The codes of Atlas's published error tables (`errors.*.atlas-api-docs.md`): each row's code and
/// its description.
fn published_codes() -> Vec<(String, String)> {
    ["atrip/errors.general.atlas-api-docs.md", "atrip/errors.query-order.atlas-api-docs.md"]
        .iter()
        .flat_map(|name| {
            fixture(name)
                .lines()
                .filter_map(|line| {
                    let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                    let code = cells
                        .get(1)?
                        .strip_prefix("<mark style=\"color:blue;\">")?
                        .strip_suffix("</mark>")?;
                    Some((code.to_string(), cells.get(2)?.to_string()))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// "Test connection" looks up an order no ATRIP order can have, and reads the answer by Atlas's
/// published codes: the access refusals (900, 902: "Incorrect credentials …") are refused
/// credentials; the order query's "no such order" (703, 800), which comes only past the access
/// check, proves the address and the credentials; any other code is ATRIP's own error. Atlas
/// publishes the codes but no answer body for them: each answer here is the code with its
/// published description as `msg`, in the `status`/`msg` shape every ATRIP answer has
/// (hand-derived).
#[tokio::test]
async fn the_connection_test_reads_the_published_access_and_order_codes() {
    use farepoint_core::providers::atrip::wire::CHECK_ORDER_NO;
    use farepoint_core::providers::probe::Probe;
    let codes = published_codes();
    assert_eq!(codes.len(), 12, "{codes:?}");
    for (code, description) in codes {
        let replay = Replay::start().await;
        let status: i64 = code.parse().unwrap();
        replay.answer(200, serde_json::json!({ "status": status, "msg": description }).to_string());
        let probe = client(&replay).check_connection().await;
        let detail = format!("ATRIP {code}: {description} (HTTP 200)");
        let expected = match code.as_str() {
            "703" | "800" => Probe::Proven,
            "900" | "902" => Probe::CredentialsRefused { detail },
            _ => Probe::ProviderError { detail },
        };
        assert_eq!(probe, expected, "{code}");
        // Read-only and authenticated: the order query, for an order number no order has.
        let sent = replay.last();
        assert_eq!(sent.path, "/queryOrderDetails.do");
        assert_eq!(sent.json(), serde_json::json!({ "orderNo": CHECK_ORDER_NO }));
        assert_eq!(sent.header("x-atlas-client-id"), Some("client-id"));
    }
}
