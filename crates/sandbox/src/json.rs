//! Reading request bodies field by field, and writing amounts as exact JSON numbers.
//!
//! Provider bodies are read into a map of raw JSON values so each handler can answer a missing or
//! mistyped field with that provider's own error, and so a JSON number's literal text reaches
//! `Money` without ever passing through `f64`.

use std::collections::BTreeMap;

use farepoint_core::money::Money;
use serde::Serialize;
use serde_json::value::RawValue;

/// Why a field could not be read. `field` is the path as the provider names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldError {
    Missing(String),
    Type { field: String, expected: &'static str },
}

impl FieldError {
    pub(crate) fn describe(&self) -> String {
        match self {
            FieldError::Missing(f) => format!("{f} is required"),
            FieldError::Type { field, expected } => format!("{field} must be {expected}"),
        }
    }
}

/// One JSON object, its values kept as raw JSON text until a handler asks for a type.
pub(crate) struct Obj {
    path: String,
    map: BTreeMap<String, Box<RawValue>>,
}

impl Obj {
    /// Parses a request body that must be a JSON object.
    pub(crate) fn parse(body: &[u8]) -> Option<Obj> {
        serde_json::from_slice(body).ok().map(|map| Obj { path: String::new(), map })
    }

    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The raw value, with JSON `null` treated as absent (providers send null for "not given").
    pub(crate) fn raw(&self, key: &str) -> Option<&RawValue> {
        self.map.get(key).map(|b| &**b).filter(|r| r.get().trim() != "null")
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    fn wrong(&self, key: &str, expected: &'static str) -> FieldError {
        FieldError::Type { field: self.child_path(key), expected }
    }

    pub(crate) fn missing(&self, key: &str) -> FieldError {
        FieldError::Missing(self.child_path(key))
    }

    pub(crate) fn str(&self, key: &str) -> Result<Option<String>, FieldError> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) => {
                serde_json::from_str::<String>(raw.get()).map(Some).map_err(|_| self.wrong(key, "a string"))
            }
        }
    }

    /// A required string; an empty one counts as missing.
    pub(crate) fn req_str(&self, key: &str) -> Result<String, FieldError> {
        match self.str(key)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(self.missing(key)),
        }
    }

    /// A JSON integer literal (no fraction, no exponent).
    pub(crate) fn int(&self, key: &str) -> Result<Option<i64>, FieldError> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) => {
                let text = raw.get().trim();
                let digits = text.strip_prefix('-').unwrap_or(text);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(self.wrong(key, "an integer"));
                }
                text.parse().map(Some).map_err(|_| self.wrong(key, "an integer"))
            }
        }
    }

    pub(crate) fn req_int(&self, key: &str) -> Result<i64, FieldError> {
        self.int(key)?.ok_or_else(|| self.missing(key))
    }

    /// The literal text of a JSON number, e.g. `"12.30"` for `12.30`.
    pub(crate) fn number_text(&self, key: &str) -> Result<Option<String>, FieldError> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) => {
                let text = raw.get().trim();
                let is_number = text.starts_with(|c: char| c == '-' || c.is_ascii_digit())
                    && serde_json::from_str::<serde_json::Number>(text).is_ok();
                if is_number {
                    Ok(Some(text.to_string()))
                } else {
                    Err(self.wrong(key, "a number"))
                }
            }
        }
    }

    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, FieldError> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) => {
                serde_json::from_str(raw.get()).map(Some).map_err(|_| self.wrong(key, "true or false"))
            }
        }
    }

    pub(crate) fn obj(&self, key: &str) -> Result<Option<Obj>, FieldError> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) => serde_json::from_str(raw.get())
                .map(|map| Some(Obj { path: self.child_path(key), map }))
                .map_err(|_| self.wrong(key, "an object")),
        }
    }

    pub(crate) fn req_obj(&self, key: &str) -> Result<Obj, FieldError> {
        self.obj(key)?.ok_or_else(|| self.missing(key))
    }

    /// An array of objects, each addressed as `key[i]` in errors.
    pub(crate) fn objects(&self, key: &str) -> Result<Option<Vec<Obj>>, FieldError> {
        let Some(raw) = self.raw(key) else { return Ok(None) };
        let items: Vec<Box<RawValue>> =
            serde_json::from_str(raw.get()).map_err(|_| self.wrong(key, "an array"))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let path = format!("{}[{i}]", self.child_path(key));
                serde_json::from_str(item.get())
                    .map(|map| Obj { path: path.clone(), map })
                    .map_err(|_| FieldError::Type { field: path, expected: "an object" })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    pub(crate) fn strings(&self, key: &str) -> Result<Option<Vec<String>>, FieldError> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) => {
                serde_json::from_str(raw.get()).map(Some).map_err(|_| self.wrong(key, "an array of strings"))
            }
        }
    }

    pub(crate) fn ints(&self, key: &str) -> Result<Option<Vec<i64>>, FieldError> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) => {
                serde_json::from_str(raw.get()).map(Some).map_err(|_| self.wrong(key, "an array of integers"))
            }
        }
    }

    /// A number given either as a JSON number or as a numeric string (Travelport's own samples
    /// use both for `Amount.value`). Returns the decimal text.
    pub(crate) fn decimal_text(&self, key: &str) -> Result<Option<String>, FieldError> {
        match self.number_text(key) {
            Ok(v) => Ok(v),
            Err(_) => match self.str(key) {
                Ok(Some(s)) => Ok(Some(s)),
                _ => Err(self.wrong(key, "a number")),
            },
        }
    }
}

/// A JSON number written from its exact decimal text (`12.30`, `1500`), never via `f64`.
/// Only serialize it with `serde_json` (it is emitted as a raw value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Num(String);

impl Num {
    pub(crate) fn major(money: Money) -> Num {
        Num(money.to_major_string())
    }
}

impl Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RawValue::from_string(self.0.clone()).map_err(serde::ser::Error::custom)?.serialize(s)
    }
}

/// Serializes a typed response body. Our own types always serialize, so a failure is a bug.
pub(crate) fn to_body<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("sandbox response types serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use farepoint_core::money::Currency;

    #[test]
    fn numbers_keep_their_literal_text() {
        let obj = Obj::parse(br#"{"a": 12.30, "b": "7", "c": null, "d": 1e2, "e": 3}"#).unwrap();
        assert_eq!(obj.number_text("a").unwrap().as_deref(), Some("12.30"));
        assert!(obj.number_text("b").is_err());
        assert_eq!(obj.decimal_text("b").unwrap().as_deref(), Some("7"));
        assert_eq!(obj.number_text("c").unwrap(), None);
        assert!(obj.int("d").is_err());
        assert_eq!(obj.int("e").unwrap(), Some(3));
        assert_eq!(obj.req_str("zz"), Err(FieldError::Missing("zz".into())));
    }

    #[test]
    fn nested_paths_name_the_field() {
        let obj = Obj::parse(br#"{"order": {"items": [{"x": 1}, 5]}}"#).unwrap();
        let order = obj.req_obj("order").unwrap();
        let err = order.objects("items").err().unwrap();
        assert_eq!(err.describe(), "order.items[1] must be an object");
        assert_eq!(order.req_str("name").unwrap_err().describe(), "order.name is required");
    }

    #[test]
    fn amounts_are_written_exactly() {
        #[derive(Serialize)]
        struct Body {
            amount: Num,
        }
        let m = Money::from_minor(1230, Currency::USD);
        assert_eq!(to_body(&Body { amount: Num::major(m) }), r#"{"amount":12.30}"#);
        let big = Money::from_minor(9_007_199_254_740_993, Currency::USD);
        assert_eq!(to_body(&Body { amount: Num::major(big) }), r#"{"amount":90071992547409.93}"#);
    }
}
