//! One HTTP exchange with a provider, classified the way the payment rules need it.
//!
//! The question that matters after sending a request that may move money is not "did it fail"
//! but "could the provider have acted?". A connection that was never made: no. A timeout, a
//! reset after sending, a 5xx, a body we cannot parse: maybe — those are `Lost` / unparsable, and
//! the engine reconciles instead of re-sending.

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::network::NetFault;
use crate::redact::{excerpt, redact_text_with, redact_with, Mask};

/// How long to wait for a provider. Money calls get the longer total: giving up early only makes
/// more `Unknown` payments to reconcile.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(10), total: Duration::from_secs(60) }
    }
}

/// The record of one exchange for the timeline: redacted request and response, timing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub request: Value,
    pub status: Option<u16>,
    pub response: Value,
    pub elapsed_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The answer's `Content-Type`, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// What came back.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// An HTTP answer and its raw body (parsers read amounts from the literal text).
    Answer { status: u16, body: Vec<u8> },
    /// The request never reached the provider: it cannot have acted on it.
    NotSent(NetFault),
    /// Sent, but no complete answer came back (timeout, reset, closed): it may have acted.
    Lost(NetFault),
}

/// A provider's HTTP client: rustls, gzip, explicit timeouts.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
}

impl HttpClient {
    pub fn new(timeouts: Timeouts) -> Result<Self, super::ProviderError> {
        let client = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.total)
            .gzip(true)
            // A redirect would re-send a payment (or a credential) to an address nobody checked;
            // a 3xx is an answer like any other, and an unclear one for a money call.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Farepoint/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| super::ProviderError::Config(format!("could not set up HTTP: {e}")))?;
        Ok(HttpClient { client })
    }

    /// Sends one request. `shown_body` is what the timeline shows of the request (it is redacted
    /// again here, so a caller cannot forget).
    pub async fn send(&self, method: Method, url: &str, headers: HeaderMap, body: Body) -> (Exchange, Reply) {
        self.send_masking(method, url, headers, body, Mask::default()).await
    }

    /// `send`, with card data the request carries out of sight (HeiPay's, encrypted) masked in
    /// the record as well as what the request shows.
    pub async fn send_masking(
        &self,
        method: Method,
        url: &str,
        headers: HeaderMap,
        body: Body,
        extra: Mask,
    ) -> (Exchange, Reply) {
        let started = Instant::now();
        let mut builder = self.client.request(method.clone(), url).headers(headers);
        let shown = match &body {
            Body::None => Value::Null,
            Body::Json(v) => {
                builder = builder.json(v);
                v.clone()
            }
            Body::RawJson { text, shown } => {
                builder =
                    builder.header(reqwest::header::CONTENT_TYPE, "application/json").body(text.clone());
                shown.clone()
            }
            Body::Form(pairs) => {
                builder = builder.form(pairs);
                Value::Object(pairs.iter().map(|(k, v)| (k.to_string(), Value::String(v.clone()))).collect())
            }
        };
        // The request's own card number and code are masked wherever the exchange shows them.
        let mask = Mask::from_request(&shown).and(extra);
        let mut shown = shown;
        redact_with(&mut shown, &mask);
        let path = reqwest::Url::parse(url).map(|u| u.path().to_string()).unwrap_or_else(|_| url.to_string());
        let mut exchange = Exchange {
            method: method.to_string(),
            path,
            request: shown,
            status: None,
            response: Value::Null,
            elapsed_ms: 0,
            error: None,
            content_type: None,
        };
        let reply = match builder.send().await {
            Err(e) => classify(&e),
            Ok(response) => {
                let status = response.status().as_u16();
                exchange.status = Some(status);
                exchange.content_type = response
                    .headers()
                    .get(reqwest::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                match response.bytes().await {
                    Err(e) => Reply::Lost(NetFault::cut_off(&e)),
                    Ok(bytes) => {
                        exchange.response = shown_response(&bytes, exchange.content_type.as_deref(), &mask);
                        Reply::Answer { status, body: bytes.to_vec() }
                    }
                }
            }
        };
        exchange.elapsed_ms = started.elapsed().as_millis() as u64;
        let reply = match reply {
            Reply::NotSent(fault) => Reply::NotSent(recorded(&mut exchange, fault, &mask)),
            Reply::Lost(fault) => Reply::Lost(recorded(&mut exchange, fault, &mask)),
            answer => answer,
        };
        (exchange, reply)
    }
}

/// A request body.
pub enum Body {
    None,
    Json(Value),
    /// JSON sent exactly as written (amounts as decimal literals, never through a float), with
    /// the value the timeline shows of it.
    RawJson {
        text: String,
        shown: Value,
    },
    Form(Vec<(&'static str, String)>),
}

/// No answer: sent or not. Only a connection refused outright (or a request never built)
/// proves the provider cannot have acted; a connection that timed out is a doubt, like any
/// timeout.
fn classify(e: &reqwest::Error) -> Reply {
    let fault = NetFault::of(e);
    if (e.is_connect() && !e.is_timeout()) || e.is_builder() {
        Reply::NotSent(fault)
    } else {
        Reply::Lost(fault)
    }
}

/// The fault's technical words, redacted, go to the exchange's record (the timeline's details)
/// and the log; the words the agent reads are the fault's kind.
fn recorded(exchange: &mut Exchange, fault: NetFault, mask: &Mask) -> NetFault {
    let detail = redact_text_with(&fault.detail, mask).into_owned();
    tracing::warn!(
        method = %exchange.method,
        path = %exchange.path,
        kind = fault.kind.as_str(),
        elapsed_ms = exchange.elapsed_ms,
        "no answer: {detail}"
    );
    exchange.error = Some(format!("{}: {detail}", fault.kind.words()));
    NetFault { kind: fault.kind, detail }
}

/// What the timeline keeps of an answer: JSON redacted; a document (PDF, HTML…) only described;
/// other text as a redacted excerpt.
fn shown_response(bytes: &[u8], content_type: Option<&str>, mask: &Mask) -> Value {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut v) => {
            redact_with(&mut v, mask);
            v
        }
        Err(_)
            if content_type
                .is_some_and(|c| !c.starts_with("application/json") && !c.starts_with("text/plain")) =>
        {
            Value::String(format!("{} bytes of {}", bytes.len(), content_type.unwrap_or_default()))
        }
        Err(_) => Value::String(excerpt(&String::from_utf8_lossy(&bytes[..bytes.len().min(600)]), 300, mask)),
    }
}
