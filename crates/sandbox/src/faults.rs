//! Fault injection: per route, for the next N requests — added latency, HTTP 500, a malformed
//! body, a connection closed after the charge is recorded, or a request that is never answered.
//!
//! Every provider route passes through [`apply`], which also counts requests per route so a test
//! can prove a client did not re-send.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::state::SharedState;

/// Every route id a fault can target, as `provider.operation`.
pub const ROUTES: &[&str] = &[
    "atrip.pay",
    "atrip.query",
    "atrip.regenerate",
    "travelport.token",
    "travelport.buildfromlocator",
    "travelport.formofpayment",
    "travelport.payment",
    "travelport.commit",
    "travelport.retrieve",
    "travelport.receipts",
    "holidayextras.pay",
    "holidayextras.refund",
    "holidayextras.script",
    "heipay.pay",
    "heipay.voucher",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Wait `latency_ms`, then answer normally.
    Latency,
    /// Answer HTTP 500 with an HTML error page. Not processed (unless `after_processing`).
    #[serde(rename = "http_500")]
    Http500,
    /// Process the request, then send its status with a truncated, unparsable JSON body.
    MalformedJson,
    /// Process the request (the charge is recorded), then close the connection without a byte
    /// of response.
    CloseAfterCharge,
    /// Never answer; the connection is held until the client gives up (or the sandbox stops).
    Hang,
}

/// One armed fault. `after_processing` makes `latency`, `http_500` and `hang` happen after the
/// request changed state (a charge recorded, then the failure); `malformed_json` and
/// `close_after_charge` always are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultSpec {
    pub route: String,
    pub kind: FaultKind,
    /// How many of the next requests to this route it affects.
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default)]
    pub latency_ms: Option<u64>,
    #[serde(default)]
    pub after_processing: bool,
}

fn one() -> u32 {
    1
}

impl FaultSpec {
    pub fn new(route: &str, kind: FaultKind) -> FaultSpec {
        FaultSpec { route: route.to_string(), kind, count: 1, latency_ms: None, after_processing: false }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        if !ROUTES.contains(&self.route.as_str()) {
            return Err(format!("unknown route '{}' — one of: {}", self.route, ROUTES.join(", ")));
        }
        if self.count == 0 {
            return Err("count must be at least 1".into());
        }
        if self.kind == FaultKind::Latency && self.latency_ms.is_none() {
            return Err("a latency fault needs latency_ms".into());
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    armed: BTreeMap<String, VecDeque<FaultSpec>>,
    requests: BTreeMap<&'static str, u64>,
}

impl FaultBook {
    pub(crate) fn arm(&mut self, spec: FaultSpec) {
        self.armed.entry(spec.route.clone()).or_default().push_back(spec);
    }

    pub(crate) fn clear(&mut self) {
        self.armed.clear();
    }

    /// Faults still armed, in the order they will fire.
    pub(crate) fn armed(&self) -> Vec<FaultSpec> {
        self.armed.values().flatten().cloned().collect()
    }

    pub(crate) fn requests(&self) -> &BTreeMap<&'static str, u64> {
        &self.requests
    }

    /// Counts the request and takes one use of the first fault armed for the route.
    fn on_request(&mut self, route: &'static str) -> Option<FaultSpec> {
        *self.requests.entry(route).or_default() += 1;
        let queue = self.armed.get_mut(route)?;
        let front = queue.front_mut()?;
        let fired = front.clone();
        front.count -= 1;
        if front.count == 0 {
            queue.pop_front();
        }
        Some(fired)
    }
}

/// Lets a request ask its connection task to drop the TCP connection without answering.
#[derive(Clone, Default)]
pub(crate) struct ConnAbort(Arc<Notify>);

impl ConnAbort {
    pub(crate) fn abort(&self) {
        // notify_one stores a permit, so the connection task sees it even if not yet waiting.
        self.0.notify_one();
    }

    pub(crate) async fn aborted(&self) {
        self.0.notified().await;
    }
}

/// State for the per-route middleware: which route this is.
#[derive(Clone)]
pub(crate) struct RouteCtx {
    pub shared: SharedState,
    pub route: &'static str,
}

pub(crate) async fn apply(State(ctx): State<RouteCtx>, req: Request, next: Next) -> Response {
    let fault = ctx.shared.faults().on_request(ctx.route);
    let Some(fault) = fault else { return next.run(req).await };
    tracing::warn!(route = ctx.route, kind = ?fault.kind, "injecting fault");
    let conn = req.extensions().get::<ConnAbort>().cloned();
    let latency = Duration::from_millis(fault.latency_ms.unwrap_or(0));
    match (fault.kind, fault.after_processing) {
        (FaultKind::Latency, false) => {
            pause(&ctx, latency).await;
            next.run(req).await
        }
        (FaultKind::Latency, true) => {
            let response = next.run(req).await;
            pause(&ctx, latency).await;
            response
        }
        (FaultKind::Http500, after) => {
            if after {
                drop(next.run(req).await);
            }
            server_error()
        }
        (FaultKind::MalformedJson, _) => malformed(next.run(req).await).await,
        (FaultKind::CloseAfterCharge, _) => {
            drop(next.run(req).await);
            drop_connection(&ctx, conn).await
        }
        (FaultKind::Hang, after) => {
            if after {
                drop(next.run(req).await);
            }
            ctx.shared.shutting_down().await;
            drop_connection(&ctx, conn).await
        }
    }
}

async fn pause(ctx: &RouteCtx, latency: Duration) {
    tokio::select! {
        _ = tokio::time::sleep(latency) => {}
        _ = ctx.shared.shutting_down() => {}
    }
}

/// Asks the connection task to close the socket, then never produces a response.
async fn drop_connection(ctx: &RouteCtx, conn: Option<ConnAbort>) -> Response {
    match conn {
        Some(conn) => {
            conn.abort();
            std::future::pending::<()>().await;
            unreachable!("the connection task drops this future")
        }
        None => {
            // Only reachable when the router is driven without our accept loop (never in the
            // sandbox); the closest we can do is a response that is not HTTP-valid JSON.
            tracing::error!(route = ctx.route, "no connection handle: cannot drop the connection");
            server_error()
        }
    }
}

fn server_error() -> Response {
    let body = "<html><head><title>500 Internal Server Error</title></head>\
                <body><h1>Internal Server Error</h1></body></html>";
    (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/html")], body).into_response()
}

/// Keeps the status and content type, cuts the JSON body in half so it cannot be parsed.
async fn malformed(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let mut cut = bytes[..bytes.len() / 2].to_vec();
    cut.extend_from_slice(b"\x00\"}{");
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_fires_for_exactly_count_requests_then_the_next_one_queued() {
        let mut book = FaultBook::default();
        book.arm(FaultSpec { count: 2, ..FaultSpec::new("atrip.pay", FaultKind::Http500) });
        book.arm(FaultSpec::new("atrip.pay", FaultKind::MalformedJson));
        let kinds: Vec<_> = (0..4).map(|_| book.on_request("atrip.pay").map(|f| f.kind)).collect();
        assert_eq!(
            kinds,
            [Some(FaultKind::Http500), Some(FaultKind::Http500), Some(FaultKind::MalformedJson), None]
        );
        assert_eq!(book.requests()["atrip.pay"], 4);
        assert!(book.on_request("atrip.query").is_none());
    }

    #[test]
    fn specs_are_checked() {
        assert!(FaultSpec::new("nope", FaultKind::Hang).validate().is_err());
        assert!(FaultSpec::new("heipay.pay", FaultKind::Latency).validate().is_err());
        assert!(FaultSpec { count: 0, ..FaultSpec::new("heipay.pay", FaultKind::Hang) }.validate().is_err());
        assert!(FaultSpec::new("heipay.pay", FaultKind::CloseAfterCharge).validate().is_ok());
    }
}
