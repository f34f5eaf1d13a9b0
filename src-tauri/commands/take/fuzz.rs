//! The IPC request types: whatever JSON the window (or anything able to reach the IPC layer)
//! sends to a `pay_*` or export command is refused with what to fix or turned into a request for
//! the core — never a panic. Counts as the core's targets do (`farepoint_core::fuzz`).

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::commands::history::ExportRequest;

fn cases() -> u32 {
    farepoint_core::fuzz::cases_or(300)
}

/// A value of any kind, or text that looks like what a field usually holds.
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[0-9 .,'-]{0,24}".prop_map(Value::String),
        "\\PC{0,24}".prop_map(Value::String),
        Just(json!(["x"])),
        Just(json!({ "kind": "card" })),
    ]
}

/// An object with some of `keys` (each with any value) and perhaps a stray one.
fn object(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    proptest::collection::vec((proptest::sample::select(keys), value()), 0..keys.len() + 2)
        .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

const CARD: &[&str] = &["number", "cvv", "expiry_month", "expiry_year", "holder"];

/// A card entry: mostly well-formed keys with odd values.
fn card_entry() -> impl Strategy<Value = Value> {
    prop_oneof![
        object(CARD),
        Just(
            json!({ "number": "4111111111111111", "cvv": "123", "expiry_month": "12", "expiry_year": "2099", "holder": "Jane Doe" })
        ),
        value(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn ipc_requests(atrip in object(&["order_no", "method", "three_ds_ip"]), method in prop_oneof![Just(json!("vcc")), Just(json!("mor")), Just(json!("deposit")), value()],
                    card in card_entry(), hx in object(&["token", "payment_reference", "amount", "currency", "customer", "postal_code", "country_code"]),
                    heipay in object(&["hotel_id", "guest_first_name", "guest_last_name", "detail", "amount", "installments", "tax_percent", "service_percent", "email", "phone", "address", "fiscal_number"]),
                    fop_kind in prop_oneof![Just(json!("card")), Just(json!("cash")), Just(json!("stored")), value()],
                    export in object(&["query", "format"])) {
        farepoint_core::fuzz::count("ipc_requests", cases());
        let mut atrip = atrip;
        atrip["method"] = method;
        atrip["card"] = card.clone();
        if let Ok(request) = serde_json::from_value::<AtripRequest>(atrip) {
            let _ = request.into_payment();
        }
        let fop = json!({ "kind": fop_kind, "card": card.clone(), "id": "fop_1" });
        let fop_value = fop.clone();
        if let Ok(request) = serde_json::from_value::<FopRequest>(fop) {
            let _ = request.into_fop();
        }
        if let Ok(request) = serde_json::from_value::<TravelportRequest>(json!({ "locator": "ABC123", "offer_ids": ["o1"], "fop": fop_value })) {
            let _ = request.into_payment();
        }
        if let Ok(request) = serde_json::from_value::<HolidayExtrasRequest>(hx) {
            let _ = request.into_payment();
        }
        let mut heipay = heipay;
        heipay["card"] = card;
        if let Ok(request) = serde_json::from_value::<HeiPayRequest>(heipay) {
            let _ = request.into_payment();
        }
        let _ = serde_json::from_value::<ExportRequest>(export);
    }
}

/// Text longer than its field is refused at the boundary, naming the field; a list longer than a
/// desk could pick is refused whole.
#[test]
fn oversized_input_is_refused_naming_the_field() {
    let long = "9".repeat(super::super::MAX_TEXT + 1);
    let hx = json!({ "token": "9000000000000001", "payment_reference": long, "amount": "10.00",
        "currency": "GBP", "customer": "Jane Doe" });
    let err = serde_json::from_value::<HolidayExtrasRequest>(hx).unwrap().into_payment().err().unwrap();
    assert_eq!((err.code, err.fields[0].field.as_str()), ("invalid", "payment_reference"));
    assert!(err.message.contains("at most 128"), "{}", err.message);

    let offers: Vec<String> = (0..=super::super::MAX_ITEMS).map(|i| format!("offer_{i}")).collect();
    let tp = json!({ "locator": "ABC123", "offer_ids": offers, "fop": { "kind": "cash" } });
    let err = serde_json::from_value::<TravelportRequest>(tp).unwrap().into_payment().err().unwrap();
    assert_eq!(err.fields[0].field, "offer_ids");

    let atrip = json!({ "order_no": "A".repeat(200), "method": "deposit" });
    let err = serde_json::from_value::<AtripRequest>(atrip).unwrap().into_payment().err().unwrap();
    assert_eq!(err.fields[0].field, "order_no");
}
