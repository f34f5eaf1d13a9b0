//! Contract tests: each provider's published request and response examples (kept verbatim in
//! `tests/fixtures/<provider>/`, with where each came from in that folder's `SOURCES.md`) run
//! through the real client against a loopback server that answers with the example as kept
//! (byte for byte; the Travelport pages' copies lost their indentation, as their SOURCES says). What the client reads must be exactly what the example says; what it sends must have the
//! published request's shape.

mod atrip;
mod heipay;
mod holidayextras;
mod replay;
mod travelport;

/// A fixture's text, as published.
pub fn fixture(path: &str) -> String {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("fixture {full}: {e}"))
}

/// A fixture parsed as JSON (every published example we keep is valid JSON).
pub fn fixture_json(path: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(path)).unwrap_or_else(|e| panic!("fixture {path} is not JSON: {e}"))
}

/// The JSON type of a value, to compare what we send with a published request field by field.
pub fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}
