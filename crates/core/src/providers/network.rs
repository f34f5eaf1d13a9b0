//! Why a request got no HTTP answer, in plain words: the network library's error classified once
//! (`NetFault::of`), so the agent reads "the host name does not exist", never a resolver's or a
//! TLS library's text. That text is kept as `detail`, for the exchange's record and the log.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What kind of network fault it was; serialised as a stable code the window says in its words
/// (`net.<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetKind {
    /// The address's host name is not known to the name service.
    HostNotFound,
    /// The name service could not be asked (typically: no network at all).
    LookupFailed,
    /// The host answered, but nothing listens at that port.
    Refused,
    /// This computer has no route to the host (no network, or the network is cut off).
    NoRoute,
    /// The secure connection could not be set up (no valid certificate, or not TLS at all).
    Tls,
    /// The host did not take the connection before the time limit.
    ConnectTimeout,
    /// Connected, but no answer came before the time limit.
    Timeout,
    /// The connection was closed or reset before an answer came.
    Closed,
    /// An answer began, but was cut off.
    CutOff,
    /// The request could not even be made (a bad address, a header that cannot be sent).
    NotBuilt,
}

impl NetKind {
    pub const ALL: [NetKind; 10] = [
        NetKind::HostNotFound,
        NetKind::LookupFailed,
        NetKind::Refused,
        NetKind::NoRoute,
        NetKind::Tls,
        NetKind::ConnectTimeout,
        NetKind::Timeout,
        NetKind::Closed,
        NetKind::CutOff,
        NetKind::NotBuilt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NetKind::HostNotFound => "host_not_found",
            NetKind::LookupFailed => "lookup_failed",
            NetKind::Refused => "refused",
            NetKind::NoRoute => "no_route",
            NetKind::Tls => "tls",
            NetKind::ConnectTimeout => "connect_timeout",
            NetKind::Timeout => "timeout",
            NetKind::Closed => "closed",
            NetKind::CutOff => "cut_off",
            NetKind::NotBuilt => "not_built",
        }
    }

    /// The plain English words, as the window's `net.<code>` says them in English.
    pub fn words(self) -> &'static str {
        match self {
            NetKind::HostNotFound => "the address's host name does not exist",
            NetKind::LookupFailed => "the host name could not be looked up — the network seems to be down",
            NetKind::Refused => "nothing answers at that address (the connection was refused)",
            NetKind::NoRoute => "this computer has no network route to the address",
            NetKind::Tls => "a secure connection could not be made — the address has no valid certificate",
            NetKind::ConnectTimeout => "the address did not take the connection in time",
            NetKind::Timeout => "no answer came before the time limit",
            NetKind::Closed => "the connection was closed before an answer came",
            NetKind::CutOff => "the answer was cut off",
            NetKind::NotBuilt => "the request could not be made",
        }
    }

    /// The plain words of a kind by its code; any other text as it is (a sentence's parameter
    /// that is not a code is said unchanged).
    pub fn words_of(code: &str) -> &str {
        NetKind::ALL.iter().find(|k| k.as_str() == code).map_or(code, |k| k.words())
    }
}

/// A request that got no HTTP answer: the kind in plain words (`Display`), and the network
/// library's own words in `detail`, for the exchange's record and the log only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetFault {
    pub kind: NetKind,
    pub detail: String,
}

impl fmt::Display for NetFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.words())
    }
}

impl NetFault {
    pub fn new(kind: NetKind, detail: impl Into<String>) -> Self {
        NetFault { kind, detail: detail.into() }
    }

    /// Classifies the HTTP library's error by what its chain of causes says: the resolver's
    /// "dns error", an OS error kind, a TLS failure while connecting, a timeout.
    pub fn of(e: &reqwest::Error) -> Self {
        let detail = chain(e);
        let kind = if e.is_builder() {
            NetKind::NotBuilt
        } else if e.is_connect() && e.is_timeout() {
            NetKind::ConnectTimeout
        } else if e.is_connect() {
            connect_kind(e)
        } else if e.is_timeout() {
            NetKind::Timeout
        } else if e.is_body() || e.is_decode() {
            NetKind::CutOff
        } else {
            NetKind::Closed
        };
        NetFault { kind, detail }
    }

    /// The fault of an answer whose body could not be read to its end.
    pub fn cut_off(e: &reqwest::Error) -> Self {
        let kind = if e.is_timeout() { NetKind::Timeout } else { NetKind::CutOff };
        NetFault { kind, detail: chain(e) }
    }
}

/// Why a connection could not be made, from the causes under the HTTP library's error.
fn connect_kind(e: &reqwest::Error) -> NetKind {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut dns = false;
    while let Some(err) = cause {
        // The connector names a failed look-up "dns error"; the resolver's own words follow.
        if err.to_string() == "dns error" {
            dns = true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind;
            match io_kind(io) {
                ErrorKind::ConnectionRefused => return NetKind::Refused,
                ErrorKind::NetworkUnreachable | ErrorKind::HostUnreachable | ErrorKind::NetworkDown => {
                    return NetKind::NoRoute
                }
                ErrorKind::TimedOut => return NetKind::ConnectTimeout,
                // TLS libraries report a failed handshake (a bad certificate, an answer that is
                // not TLS) as invalid data while connecting.
                ErrorKind::InvalidData => return NetKind::Tls,
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::UnexpectedEof
                    if !dns =>
                {
                    return NetKind::Closed
                }
                _ if dns => {
                    // getaddrinfo's EAI_AGAIN: no name service could be asked.
                    let text = io.to_string().to_ascii_lowercase();
                    let unanswered = text.contains("temporary failure") || text.contains("try again");
                    return if unanswered { NetKind::LookupFailed } else { NetKind::HostNotFound };
                }
                _ => {}
            }
        }
        cause = err.source();
    }
    if dns {
        NetKind::HostNotFound
    } else {
        NetKind::Closed
    }
}

/// What an OS or library error says happened. A library may wrap another's error in one of its
/// own of kind `Other` (a failed TLS handshake, for one), whose `source` skips the inner error:
/// the inner one says it.
fn io_kind(io: &std::io::Error) -> std::io::ErrorKind {
    match io.get_ref().and_then(|inner| inner.downcast_ref::<std::io::Error>()) {
        Some(inner) if io.kind() == std::io::ErrorKind::Other => io_kind(inner),
        _ => io.kind(),
    }
}

/// The error and its causes, innermost last, as one line (the library's words, for the record).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(err) = cause {
        let said = err.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = err.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_code_and_words_once() {
        let mut codes = std::collections::HashSet::new();
        for kind in NetKind::ALL {
            assert!(codes.insert(kind.as_str()), "{kind:?}");
            assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::json!(kind.as_str()));
            assert_eq!(NetKind::words_of(kind.as_str()), kind.words());
            assert!(!kind.words().is_empty());
        }
        assert_eq!(NetKind::words_of("<why>"), "<why>");
        let fault = NetFault::new(NetKind::Refused, "tcp connect error: Connection refused (os error 111)");
        assert_eq!(fault.to_string(), "nothing answers at that address (the connection was refused)");
    }
}
