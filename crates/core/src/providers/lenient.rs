//! Reading what providers actually send, where their own published material varies: a code as
//! a string or a number, a list as `null` as well as absent. Used with
//! `#[serde(default, deserialize_with = "…")]`.

use serde::Deserialize;
use serde_json::Value;

/// A code as text, whether it comes as `"2"` or `2`; `null` or absent is `None`.
pub fn code_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => return Err(serde::de::Error::custom(format!("a code cannot be {other}"))),
    })
}

/// A list that may be `null`: empty.
pub fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// An object that may be `null`: its default.
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "code_text")]
        code: Option<String>,
        #[serde(default, deserialize_with = "null_as_empty")]
        list: Vec<u8>,
    }

    #[test]
    fn codes_and_lists_in_every_published_shape() {
        let read = |json: &str| serde_json::from_str::<Probe>(json).unwrap();
        for (json, code, list) in [
            (r#"{"code":"2","list":[1]}"#, Some("2"), vec![1]),
            (r#"{"code":2,"list":null}"#, Some("2"), vec![]),
            (r#"{"code":-3}"#, Some("-3"), vec![]),
            (r#"{"code":null}"#, None, vec![]),
            ("{}", None, vec![]),
        ] {
            let p = read(json);
            assert_eq!((p.code.as_deref(), p.list), (code, list), "{json}");
        }
        assert!(serde_json::from_str::<Probe>(r#"{"code":[1]}"#).is_err());
    }
}
