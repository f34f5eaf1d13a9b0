//! A timeline event's body on disk: what it says, as one zstd frame.
//!
//! The frame holds the JSON array `[kind, status_before, status_after, message, data]`
//! (`body_json`), compressed against a dictionary trained
//! on the provider exchanges the engine records (`examples/exchange_dictionary.rs`). Bodies
//! are a few hundred bytes of JSON whose keys and shapes repeat from payment to payment: on
//! their own they hardly compress (~45%), against the dictionary they shrink ~5×.
//!
//! Each frame names its dictionary (one byte of the frame header). A dictionary is never
//! changed once shipped: a better one comes as v2 with its own id, and v1 stays here so older
//! events still read back.

use std::cell::RefCell;
use std::sync::LazyLock;

use serde_json::Value;

use crate::payment::{EventKind, Status, TimelineEvent};
use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};

const DICTIONARY_V1: &[u8] = include_bytes!("exchanges.v1.zdict");
const DICTIONARY_V1_ID: u32 = 1;
/// Within a byte or two of zstd's best ratio on bodies this small, at a few microseconds an
/// event (level 19 takes ~20× as long to save about one byte).
const LEVEL: i32 = 9;
/// A frame that claims a larger body than this is not one we wrote.
const MAX_BODY: u64 = 16 << 20;

static ENCODER: LazyLock<EncoderDictionary<'static>> =
    LazyLock::new(|| EncoderDictionary::copy(DICTIONARY_V1, LEVEL));
static DECODER_V1: LazyLock<DecoderDictionary<'static>> =
    LazyLock::new(|| DecoderDictionary::copy(DICTIONARY_V1));

thread_local! {
    // A context per thread, reused: setting one up costs more than compressing a body.
    static COMPRESSOR: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
}

/// What an event's body holds before compression: the text its dictionary is trained on.
pub fn body_json(e: &TimelineEvent) -> Vec<u8> {
    let fields = (
        e.kind.as_str(),
        e.status_before.map(Status::as_str),
        e.status_after.map(Status::as_str),
        &e.message,
        &e.data,
    );
    serde_json::to_vec(&fields).expect("strings and a JSON value always serialize")
}

/// An event's body as read back.
#[derive(Debug, PartialEq)]
pub(crate) struct Body {
    pub kind: EventKind,
    pub status_before: Option<Status>,
    pub status_after: Option<Status>,
    pub message: String,
    pub data: Value,
}

/// Compresses what an event says into its stored body.
pub(crate) fn encode(e: &TimelineEvent) -> Result<Vec<u8>, String> {
    compress(&body_json(e))
}

/// Compresses a body's JSON (`body_json`'s shape).
pub(crate) fn compress(json: &[u8]) -> Result<Vec<u8>, String> {
    if json.len() as u64 > MAX_BODY {
        return Err(format!(
            "an event of {} bytes is larger than the {MAX_BODY} a body may hold",
            json.len()
        ));
    }
    COMPRESSOR.with_borrow_mut(|slot| {
        let compressor = match slot {
            Some(c) => c,
            None => slot.insert(Compressor::with_prepared_dictionary(&ENCODER).map_err(|e| e.to_string())?),
        };
        compressor.compress(json).map_err(|e| format!("could not compress an event: {e}"))
    })
}

/// What a stored body says.
pub(crate) fn decode(body: &[u8]) -> Result<Body, String> {
    match zstd::zstd_safe::get_dict_id_from_frame(body).map(|id| id.get()) {
        Some(DICTIONARY_V1_ID) => {}
        Some(id) => {
            return Err(format!("event body compressed with dictionary {id}, unknown to this version"))
        }
        None => return Err("event body is not compressed with a known dictionary".into()),
    }
    let size = match zstd::zstd_safe::get_frame_content_size(body) {
        Ok(Some(n)) if n <= MAX_BODY => n as usize,
        _ => return Err("event body has no plausible size".into()),
    };
    let json = DECOMPRESSOR.with_borrow_mut(|slot| {
        let decompressor = match slot {
            Some(d) => d,
            None => {
                slot.insert(Decompressor::with_prepared_dictionary(&DECODER_V1).map_err(|e| e.to_string())?)
            }
        };
        decompressor.decompress(body, size).map_err(|e| format!("event body does not decompress: {e}"))
    })?;
    let (kind, before, after, message, data): (String, Option<String>, Option<String>, String, Value) =
        serde_json::from_slice(&json).map_err(|e| format!("event body is not an event: {e}"))?;
    let status = |s: Option<String>| s.map(|s| s.parse::<Status>()).transpose();
    Ok(Body {
        kind: kind.parse()?,
        status_before: status(before)?,
        status_after: status(after)?,
        message,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(message: &str, data: Value) -> TimelineEvent {
        let e = crate::payment::NewEvent {
            at_ms: 1,
            kind: EventKind::ProviderAnswer,
            status_before: Some(Status::Submitting),
            status_after: Some(Status::Paid),
            message: message.into(),
            data,
        };
        TimelineEvent::next("p", None, e)
    }

    #[test]
    fn bodies_round_trip_and_shrink() {
        let data = json!({"exchange": {"method": "POST", "path": "/atrip/pay.do", "status": 200,
            "request": {"orderNo": "A1733174230946", "paymentMethod": 1},
            "response": {"msg": "success", "orderNo": "A1733174230946", "status": 0, "totalPrice": 1675.96}}});
        let e = event("ATRIP accepted the payment — Muñoz", data);
        let body = encode(&e).unwrap();
        let raw = body_json(&e).len();
        assert!(body.len() * 2 < raw, "{} bytes compressed from {raw}", body.len());
        let back = decode(&body).unwrap();
        let want = Body {
            kind: e.kind,
            status_before: e.status_before,
            status_after: e.status_after,
            message: e.message.clone(),
            data: e.data.clone(),
        };
        assert_eq!(back, want);
        // The hash is taken over the data's text: it must come back byte for byte.
        assert_eq!(back.data.to_string(), e.data.to_string());
    }

    #[test]
    fn foreign_or_damaged_bodies_are_refused() {
        assert!(decode(b"{\"not\":\"compressed\"}")
            .unwrap_err()
            .contains("not compressed with a known dictionary"));
        let other = zstd::bulk::compress(b"[\"note\",null,null,\"m\",{}]", 3).unwrap();
        assert!(decode(&other).is_err(), "a frame without our dictionary was accepted");
        // Altered content is the hash chain's to find; a cut-off frame does not even decode.
        let body = encode(&event("Paid", json!({"attempt": 1}))).unwrap();
        assert!(decode(&body[..body.len() - 2]).is_err(), "a truncated frame was accepted");
    }

    fn cases() -> u32 {
        crate::fuzz::cases_or(300)
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "\\PC{0,30}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::btree_map("\\PC{0,8}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: cases(), failure_persistence: None, ..Default::default()
        })]

        /// Any event reads back as it was written.
        #[test]
        fn any_event_round_trips(message in "\\PC{0,200}", data in json_value(),
                                 kind in proptest::sample::select(vec![EventKind::Created, EventKind::Ticket, EventKind::Note]),
                                 before in proptest::option::of(proptest::sample::select(Status::ALL.to_vec()))) {
            crate::fuzz::count("event_codec_round_trip", cases());
            let mut e = event(&message, data);
            e.kind = kind;
            e.status_before = before;
            let body = decode(&encode(&e).unwrap()).unwrap();
            proptest::prop_assert_eq!(
                body,
                Body { kind, status_before: before, status_after: e.status_after, message, data: e.data.clone() }
            );
        }

        /// A stored body changed or cut anywhere is refused with a reason or read, never a panic.
        #[test]
        fn any_damaged_body_is_refused_or_read(message in "\\PC{0,60}", flips in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 0..4),
                                               cut in proptest::prelude::any::<usize>(), raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            crate::fuzz::count("event_codec_damaged", cases());
            let mut body = encode(&event(&message, json!({ "n": 1 }))).unwrap();
            for (at, byte) in flips {
                let n = body.len();
                body[at % n] ^= byte;
            }
            body.truncate(cut % (body.len() + 1));
            let _ = decode(&body);
            let _ = decode(&raw);
        }
    }
}
