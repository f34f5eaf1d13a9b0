//! Fuzz and property targets for every parser that reads outside input: card entry, typed
//! amounts, each provider's answers, the history query the window sends, and Settings input.
//! (`redact` and the event codec have theirs beside their code.)
//!
//! Each runs `FAREPOINT_FUZZ_CASES` cases (a bounded number by default, so `cargo xtask test`
//! runs them all; `cargo xtask fuzz` runs a million each) and prints its count when done. The
//! provider targets start from the providers' published examples (`tests/fixtures`) and mutate
//! them: a value replaced by another kind or an edge of its own, a key removed, a body cut
//! short, or bytes that are not JSON at all. Nothing may panic, and where an amount is read it
//! must be read exactly.

use std::collections::HashMap;

use farepoint_core::card::{Card, CardInput};
use farepoint_core::fuzz;
use farepoint_core::history::HistoryQuery;
use farepoint_core::money::{Currency, Money, Sign};
use farepoint_core::payment::Provider;
use farepoint_core::profile::Profile;
use farepoint_core::providers::{atrip, heipay, holidayextras, travelport};
use farepoint_core::store::Store;
use proptest::prelude::*;
use serde_json::{json, Value};

fn cases() -> u32 {
    fuzz::cases_or(300)
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() }
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// A value a provider might send where another was expected.
fn odd_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        Just(json!(1e300)),
        Just(json!(-0.0)),
        Just(json!(u64::MAX)),
        "[0-9]{0,22}(\\.[0-9]{0,6})?".prop_map(Value::String),
        "\\PC{0,12}".prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
    ]
}

/// One mutation of a JSON document: where (a path of choices) and what.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(Vec<usize>, Value),
    Remove(Vec<usize>),
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let path = proptest::collection::vec(any::<usize>(), 1..8);
    let one = prop_oneof![
        3 => (path.clone(), odd_value()).prop_map(|(p, v)| Mutation::Replace(p, v)),
        1 => path.prop_map(Mutation::Remove),
    ];
    proptest::collection::vec(one, 1..5)
}

/// Follows `path` into `value` as far as it goes and applies the change there.
fn apply(value: &mut Value, path: &[usize], change: &Mutation) {
    let (first, rest) = match path.split_first() {
        Some(split) => split,
        None => return,
    };
    let stop = rest.is_empty() || first % 4 == 0;
    match value {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(first % map.len()).cloned().unwrap();
            if stop {
                match change {
                    Mutation::Replace(_, v) => {
                        map.insert(key, v.clone());
                    }
                    Mutation::Remove(_) => {
                        map.remove(&key);
                    }
                }
            } else {
                apply(map.get_mut(&key).unwrap(), rest, change);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let at = first % items.len();
            if stop {
                match change {
                    Mutation::Replace(_, v) => items[at] = v.clone(),
                    Mutation::Remove(_) => {
                        items.remove(at);
                    }
                }
            } else {
                apply(&mut items[at], rest, change);
            }
        }
        other => {
            if let Mutation::Replace(_, v) = change {
                *other = v.clone();
            }
        }
    }
}

/// The body a target reads: a mutated fixture, sometimes cut short, sometimes not JSON.
fn body(fixtures: Vec<Value>) -> impl Strategy<Value = Vec<u8>> {
    let mutated = (proptest::sample::select(fixtures), mutations(), any::<Option<u16>>()).prop_map(
        |(mut doc, changes, cut)| {
            for change in &changes {
                let path = match change {
                    Mutation::Replace(p, _) | Mutation::Remove(p) => p.clone(),
                };
                apply(&mut doc, &path, change);
            }
            let mut bytes = doc.to_string().into_bytes();
            if let Some(cut) = cut.filter(|c| c % 5 == 0) {
                bytes.truncate(usize::from(cut) % (bytes.len() + 1));
            }
            bytes
        },
    );
    prop_oneof![9 => mutated, 1 => proptest::collection::vec(any::<u8>(), 0..200)]
}

fn statuses() -> impl Strategy<Value = u16> {
    prop_oneof![Just(200u16), Just(201), Just(400), Just(402), Just(404), Just(409), Just(500), 100u16..600]
}

/// A decimal literal with up to `places` fraction digits, and its value in minor units at
/// `exponent` (trailing zeros padded).
fn decimal(exponent: u32) -> impl Strategy<Value = (String, i64)> {
    (0i64..10_000_000, 0..=exponent).prop_map(move |(minor, places)| {
        let scale = 10i64.pow(exponent - places);
        let minor = minor / scale * scale; // exactly representable with `places` digits
        let text = Money::from_minor(minor, currency_with(exponent)).to_major_string();
        // Written with as few fraction digits as the provider likes.
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        };
        (text, minor)
    })
}

fn currency_with(exponent: u32) -> Currency {
    Currency::from_code(match exponent {
        0 => "JPY",
        3 => "KWD",
        _ => "USD",
    })
    .unwrap()
}

proptest! {
    #![proptest_config(config())]

    /// Card entry: any text in any field is refused or read, never a panic; a card read has a
    /// Luhn-valid number and never prints it.
    #[test]
    fn card_entry(number in "[0-9 -]{0,24}|\\PC{0,24}", cvv in "[0-9]{0,5}|\\PC{0,5}",
                  month in "[0-9]{0,3}|\\PC{0,3}", year in "[0-9]{0,5}|\\PC{0,5}", holder in "\\PC{0,40}") {
        fuzz::count("card_entry", cases());
        let input = CardInput { number: &number, cvv: &cvv, expiry_month: &month, expiry_year: &year, holder: &holder };
        if let Ok(card) = Card::parse(&input) {
            let digits = card.number.expose_number().to_string();
            prop_assert!(farepoint_core::card::luhn_valid(&digits));
            let printed = format!("{:?}", card);
            prop_assert!(!printed.contains(&digits));
        }
    }

    /// Typed amounts: any text is refused or read; what `to_major_string` writes reads back to
    /// the same minor units, in currencies of 0, 2 and 3 decimals.
    #[test]
    fn typed_amounts(text in "\\PC{0,20}|[0-9.,' -]{0,20}", exponent in prop_oneof![Just(0u32), Just(2), Just(3)],
                     minor in 0i64..1_000_000_000_000) {
        fuzz::count("typed_amounts", cases());
        let currency = currency_with(exponent);
        let _ = Money::parse_typed(&text, currency);
        let _ = Money::parse_major(&text, currency, Sign::NonNegative);
        let written = Money::from_minor(minor, currency).to_major_string();
        prop_assert_eq!(Money::parse_typed(&written, currency).unwrap().minor, minor);
        prop_assert_eq!(Money::parse_major(&written, currency, Sign::NonNegative).unwrap().minor, minor);
    }

    /// ATRIP's answers: never a panic; a published order with any price reads that price exactly.
    #[test]
    fn atrip_answers(bytes in body(vec![
            fixture("atrip/queryOrderDetails.do.response.ticketed.openapi.json"),
            fixture("atrip/queryOrderDetails.do.response.completed-order-list.doc-sabre.json"),
            fixture("atrip/queryOrderDetails.do.response.ticketed-vcc-krw.doc-2023.json"),
            fixture("atrip/regenerateOrder.do.response.success.openapi.json"),
            fixture("atrip/pay.do.response.success.openapi.json"),
        ]), status in statuses(), (price, minor) in decimal(2)) {
        fuzz::count("atrip_answers", cases());
        let _ = atrip::wire::parse_order(status, &bytes);
        let _ = atrip::wire::pay_outcome(status, &bytes, "AFKMN20250819153129241");
        let _ = atrip::wire::parse_regenerated(status, &bytes, "AFKMN20250819153129241");
        let mut order = fixture("atrip/queryOrderDetails.do.response.ticketed.openapi.json");
        let text = format!("{}", order).replace("\"totalPrice\":114.99", &format!("\"totalPrice\":{price}"));
        order = serde_json::from_str(&text).unwrap();
        let read = atrip::wire::parse_order(200, order.to_string().as_bytes()).unwrap();
        prop_assert_eq!(read.total, Money::from_minor(minor, currency_with(2)));
    }

    /// Travelport's answers: never a panic, whatever the shape.
    #[test]
    fn travelport_answers(bytes in body(vec![
            fixture("travelport/workbench.create.response.json"),
            fixture("travelport/ticketlist.response.json"),
            json!({ "access_token": "t", "token_type": "Bearer", "expires_in": 86400 }),
            json!({ "ErrorResponse": { "Result": { "@type": "Result", "status": "Not processed",
                "Error": [{ "@type": "ErrorDetail", "StatusCode": 400, "Message": "m", "SourceID": "1G", "SourceCode": "1001" }] } } }),
        ]), status in statuses()) {
        fuzz::count("travelport_answers", cases());
        let _ = travelport::wire::parse_reservation(status, &bytes, "0058XL");
        let _ = travelport::wire::parse_ticket_list(status, &bytes);
        let _ = travelport::wire::commit_outcome(status, &bytes, "0058XL");
        let _ = travelport::wire::parse_fop_added(status, &bytes);
        let _ = travelport::wire::parse_payment_added(status, &bytes);
        let _ = travelport::wire::parse_token(status, &bytes);
        let _ = travelport::wire::first_error(&bytes);
    }

    /// Holiday Extras' answers, v1 and v2, success and failure: never a panic.
    #[test]
    fn holidayextras_answers(bytes in body(["v1.pay.response.success.json", "v1.pay.response.fail.json",
            "v2.pay.response.success.json", "v2.pay.response.fail.json", "v1.refund.response.success.json",
            "v1.refund.response.fail.json", "v2.refund.response.success.json", "v2.refund.response.fail.json"]
            .iter().map(|f| fixture(&format!("holidayextras/{f}"))).collect()), status in statuses()) {
        fuzz::count("holidayextras_answers", cases());
        let sent = Money::from_minor(4_500, Currency::from_code("GBP").unwrap());
        let _ = holidayextras::wire::pay_answer(status, &bytes, "HX-1", sent);
        let _ = holidayextras::wire::refund_answer(status, &bytes, sent);
    }

    /// HeiPay's answers: never a panic.
    #[test]
    fn heipay_answers(bytes in body(vec![fixture("heipay/pay.response.success.json"),
            fixture("heipay/pay.response.declined.json")]), status in statuses()) {
        fuzz::count("heipay_answers", cases());
        let _ = heipay::wire::pay_answer(status, &bytes, 1);
    }
}

/// A history query as the window sends it (any JSON the IPC layer may deliver): refused with a
/// reason or answered, never a panic — against a real history file.
#[test]
fn history_queries() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let query = proptest::collection::btree_map(
        prop_oneof![
            Just("text"),
            Just("providers"),
            Just("statuses"),
            Just("refunds"),
            Just("from_ms"),
            Just("to_ms"),
            Just("amount_min"),
            Just("amount_max"),
            Just("currency"),
            Just("limit"),
            Just("after"),
            Just("nonsense"),
        ],
        prop_oneof![odd_value(), proptest::collection::vec(odd_value(), 0..4).prop_map(Value::Array)],
        0..6,
    );
    let mut runner = proptest::test_runner::TestRunner::new(config());
    runner
        .run(&query, |fields| {
            fuzz::count("history_queries", cases());
            let value = Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
            if let Ok(query) = serde_json::from_value::<HistoryQuery>(value) {
                // A panic in `search` kills the reader thread: the store then answers with an
                // error, which fails this target instead of passing unseen.
                store.read_blocking(move |c| Ok(farepoint_core::history::search(c, &query).is_ok())).unwrap();
            }
            Ok(())
        })
        .unwrap();
}

/// Settings input: any value for any field of any provider is refused with what to fix, or
/// saved — never a panic, and a refusal writes nothing.
#[test]
fn settings_input() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let input = (
        proptest::sample::select(Provider::ALL.to_vec()),
        proptest::collection::vec(("[a-z_]{1,12}", "\\PC{0,40}|[0-9.: /-]{0,30}"), 0..4),
    );
    let mut runner = proptest::test_runner::TestRunner::new(config());
    runner
        .run(&input, |(provider, pairs)| {
            fuzz::count("settings_input", cases());
            let schema = farepoint_core::settings::schema(provider);
            // Half the keys are the provider's own, so values reach their checks.
            let values: HashMap<String, String> = pairs
                .into_iter()
                .enumerate()
                .map(|(i, (k, v))| match schema.fields.get(i % (schema.fields.len() + 1)) {
                    Some(f) if i % 2 == 0 => (f.key.to_string(), v),
                    _ => (k, v),
                })
                .collect();
            let saved = store
                .write_blocking(move |c| {
                    let before =
                        farepoint_core::settings::load(c).map(|s| format!("{s:?}")).unwrap_or_default();
                    let result =
                        farepoint_core::settings::save(c, Profile::Production, provider, &values, None, 1);
                    let after =
                        farepoint_core::settings::load(c).map(|s| format!("{s:?}")).unwrap_or_default();
                    Ok((result.is_ok(), before == after))
                })
                .unwrap();
            prop_assert!(saved.0 || saved.1, "a refused save changed the settings");
            Ok(())
        })
        .unwrap();
}
