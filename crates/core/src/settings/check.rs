//! The checks every value passes before it is saved, and again before a client is built from it.

use super::schema::{FieldKind, FieldSpec};
use super::{Code, Coded};

/// An https address with a host. Plain http only to this computer (a local test server):
/// anywhere else it would carry credentials and card data in the clear. Credentials in the URL
/// are refused: they would land in SQLite.
pub(super) fn check_url(text: &str) -> Result<(), Coded> {
    let parsed = reqwest::Url::parse(text)
        .map_err(|e| Coded::new(Code::NotUrl).with("value", text).with("reason", e))?;
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return Err(Coded::new(Code::NoHost).with("value", text));
    };
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => return Err(Coded::new(Code::PlainHttp).with("value", text)),
        _ => return Err(Coded::new(Code::NotHttps).with("value", text)),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Coded::new(Code::UrlCredentials));
    }
    Ok(())
}

/// Whether `host` is this computer.
pub(super) fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks one non-secret value; `Ok` carries it as it will be stored (trimmed), `Err` what to fix.
pub(super) fn check_value(spec: &FieldSpec, raw: &str) -> Result<String, Coded> {
    let value = raw.trim();
    if value.is_empty() {
        return if spec.required { Err(Coded::new(Code::Required)) } else { Ok(String::new()) };
    }
    match spec.kind {
        FieldKind::Url => check_url(value)?,
        FieldKind::Choice if !spec.choices.contains(&value) => {
            return Err(Coded::new(Code::NotAChoice)
                .with("value", value)
                .with("choices", spec.choices.join(", ")));
        }
        FieldKind::Choice | FieldKind::Text => {}
    }
    if let Some(check) = spec.check {
        check(value)?;
    }
    Ok(value.to_string())
}
