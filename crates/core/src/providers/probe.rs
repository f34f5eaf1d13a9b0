//! A provider's "Test connection" (Settings → Production): one harmless call per provider, from
//! what the provider publishes, and what its answer proves. Never a call that can move money.
//! Where a provider publishes no harmless call that checks credentials, only what can be checked
//! without one is (the address answers, it is the provider's) and the credentials are left to the
//! first real payment — never a guess dressed up as a proof. Each provider's call is its client's
//! `check_connection`; docs/providers/<name>.md says what it sends and what each answer means.

use super::http::Exchange;
use super::network::NetFault;
use crate::redact::{excerpt, Mask};

/// What one test found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// The provider answered as its published material says it answers this call: the address is
    /// its API and it accepted the credentials.
    Proven,
    /// The address answers (and is the provider's, where that can be told); the provider
    /// publishes no harmless call that checks the credentials.
    Reached { detail: String },
    /// An HTTP answer, but not the provider's API (a page, a "not found", another service).
    NotTheApi { address: String, status: u16, detail: String },
    /// The provider refused the credentials (or the account's access); its words in `detail`.
    CredentialsRefused { detail: String },
    /// The provider answered with an error of its own; its words in `detail`.
    ProviderError { detail: String },
    /// No HTTP answer from `address`.
    Net { address: String, fault: NetFault },
}

impl Probe {
    /// No answer from `address`.
    pub(super) fn net(address: &str, fault: NetFault) -> Probe {
        Probe::Net { address: address.to_string(), fault }
    }

    /// An answer that is not the provider's: a server's own error (5xx) is the provider's
    /// trouble, anything else says the address is not its API.
    pub(super) fn not_the_api(address: &str, exchange: &Exchange, status: u16, body: &[u8]) -> Probe {
        let detail = described_status(exchange, status, body);
        if status >= 500 {
            Probe::ProviderError { detail }
        } else {
            Probe::NotTheApi { address: address.to_string(), status, detail }
        }
    }
}

/// An unexpected answer's status and what it held, for the test's details.
pub(crate) fn described_status(exchange: &Exchange, status: u16, body: &[u8]) -> String {
    format!("HTTP {status}, {}", described(exchange, body))
}

/// What an answer that is not the expected one held: its type, size and, for a page, its title.
/// Never its text: a server that is not the provider may echo what it was sent — credentials
/// among it — and the details are kept and shown.
fn described(exchange: &Exchange, body: &[u8]) -> String {
    let kind = exchange.content_type.as_deref().unwrap_or("no content type");
    if body.is_empty() {
        return format!("{kind}, empty");
    }
    match title(body) {
        Some(title) => format!("{kind}, {} bytes, the page \"{title}\"", body.len()),
        None => format!("{kind}, {} bytes", body.len()),
    }
}

/// An HTML page's `<title>`, short and redacted.
fn title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open = start + lower[start..].find('>')? + 1;
    let close = open + lower[open..].find("</title")?;
    let title = text[open..close].split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then(|| excerpt(&title, 80, &Mask::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(content_type: Option<&str>) -> Exchange {
        Exchange {
            method: "POST".into(),
            path: "/x".into(),
            request: serde_json::Value::Null,
            status: Some(404),
            response: serde_json::Value::Null,
            elapsed_ms: 1,
            error: None,
            content_type: content_type.map(str::to_string),
        }
    }

    #[test]
    fn an_answer_that_is_not_the_api_says_what_it_was() {
        let html = b"<html><head><TITLE>404\n  Not Found</TITLE></head><body>password=hunter2</body></html>";
        let probe = Probe::not_the_api("https://x/", &exchange(Some("text/html")), 404, html);
        assert_eq!(
            probe,
            Probe::NotTheApi {
                address: "https://x/".into(),
                status: 404,
                detail: "HTTP 404, text/html, 85 bytes, the page \"404 Not Found\"".into()
            }
        );
        // What a page says is never kept: it may echo what was sent.
        let echo = Probe::not_the_api("https://x/", &exchange(Some("text/plain")), 200, b"password=hunter2");
        assert_eq!(
            echo,
            Probe::NotTheApi {
                address: "https://x/".into(),
                status: 200,
                detail: "HTTP 200, text/plain, 16 bytes".into()
            }
        );
        let down = Probe::not_the_api("https://x/", &exchange(None), 503, b"");
        assert_eq!(down, Probe::ProviderError { detail: "HTTP 503, no content type, empty".into() });
    }
}
