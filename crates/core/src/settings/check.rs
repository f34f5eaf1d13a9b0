//! The checks every value passes before it is saved, and again before a client is built from it.

use super::schema::{FieldKind, FieldSpec};

/// An https address with a host. Plain http only to this computer (a local test server):
/// anywhere else it would carry credentials and card data in the clear. Credentials in the URL
/// are refused: they would land in SQLite.
pub(super) fn check_url(text: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(text)
        .map_err(|e| format!("'{text}' is not a full web address ({e}) — enter it starting with https://"))?;
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return Err(format!("'{text}' has no host name — enter it like https://api.example.com/"));
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(format!(
                "'{text}' must start with https:// — plain http:// is only for a server on this computer"
            ))
        }
        _ => return Err(format!("'{text}' must start with https://")),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("the address must not contain a user name or password — enter credentials in the \
                    credential fields, which go to the OS keyring"
            .into());
    }
    Ok(())
}

/// Checks one non-secret value; `Ok` carries it as it will be stored (trimmed), `Err` what to fix.
pub(super) fn check_value(spec: &FieldSpec, raw: &str) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        return if spec.required {
            Err("is required — enter it (the help beside the field says where to find it)".into())
        } else {
            Ok(String::new())
        };
    }
    match spec.kind {
        FieldKind::Url => check_url(value)?,
        FieldKind::Choice if !spec.choices.contains(&value) => {
            return Err(format!("'{value}' is not one of {}", spec.choices.join(", ")));
        }
        FieldKind::Choice | FieldKind::Text => {}
    }
    if let Some(check) = spec.check {
        check(value)?;
    }
    Ok(value.to_string())
}
