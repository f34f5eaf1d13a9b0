//! ATRIP (Atlas) air orders: read the order, `pay.do`, poll until ticketed, regenerate.
//!
//! Every call is a POST with a JSON body and the two `x-atlas-client-*` headers. There is no
//! idempotency key: ATRIP protects an order by its state (402/404/406), so after any doubt the
//! client reads the order (`queryOrderDetails.do`) instead of paying again.

pub mod setup;
pub mod subject;
pub mod wire;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::Method as HttpMethod;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::http::{Body, Exchange, HttpClient, Reply, Timeouts};
use super::probe::Probe;
use super::{Call, Failed, PayOutcome, ProviderError};
use crate::card::Card;
pub use wire::{Method, Order, OrderStatus, PassengerTickets};

/// Where and as whom to call ATRIP.
pub struct AtripConfig {
    /// e.g. `https://sandbox.atriptech.com/` — the `.do` names are appended.
    pub base_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub timeouts: Timeouts,
}

pub struct AtripClient {
    http: HttpClient,
    base_url: String,
    client_id: String,
    client_secret: SecretString,
}

impl AtripClient {
    pub fn new(config: AtripConfig) -> Result<Self, ProviderError> {
        if config.client_id.trim().is_empty() || config.client_secret.expose_secret().is_empty() {
            return Err(ProviderError::Credentials {
                provider: "ATRIP",
                detail: "enter the client id and secret in Settings".into(),
            });
        }
        let base_url =
            if config.base_url.ends_with('/') { config.base_url } else { format!("{}/", config.base_url) };
        Ok(AtripClient {
            http: HttpClient::new(config.timeouts)?,
            base_url,
            client_id: config.client_id,
            client_secret: config.client_secret,
        })
    }

    fn headers(&self) -> Result<HeaderMap, ProviderError> {
        let bad = |_| ProviderError::Credentials {
            provider: "ATRIP",
            detail: "the client id or secret contains characters that cannot be sent".into(),
        };
        let mut h = HeaderMap::new();
        h.insert("x-atlas-client-id", HeaderValue::from_str(&self.client_id).map_err(bad)?);
        let mut secret = HeaderValue::from_str(self.client_secret.expose_secret()).map_err(bad)?;
        secret.set_sensitive(true);
        h.insert("x-atlas-client-secret", secret);
        h.insert("accept-encoding", HeaderValue::from_static("gzip"));
        Ok(h)
    }

    async fn post(&self, name: &str, body: serde_json::Value) -> Result<(Exchange, Reply), ProviderError> {
        let url = format!("{}{name}", self.base_url);
        Ok(self.http.send(HttpMethod::POST, &url, self.headers()?, Body::Json(body)).await)
    }

    /// Reads an order: amount, deadline, supported methods, status, tickets. Safe to repeat.
    pub async fn query_order(&self, order_no: &str) -> Result<Call<Order>, Failed> {
        let (exchange, reply) = self
            .post("queryOrderDetails.do", json!({ "orderNo": order_no }))
            .await
            .map_err(|e| (Vec::new(), e))?;
        let result = match &reply {
            Reply::Answer { status, body } => wire::parse_order(*status, body),
            Reply::NotSent(detail) => {
                Err(ProviderError::Unreachable { provider: "ATRIP", fault: detail.clone() })
            }
            Reply::Lost(detail) => Err(ProviderError::Lost { provider: "ATRIP", fault: detail.clone() }),
        };
        match result {
            Ok(order) => Ok(Call::one(exchange, order)),
            Err(e) => Err((vec![exchange], e)),
        }
    }

    /// `pay.do`. Money may move: the caller has journaled the attempt before calling this.
    /// Errors are returned only when nothing was sent.
    pub async fn pay(
        &self,
        order_no: &str,
        method: Method,
        card: Option<&Card>,
        three_ds_ip: Option<&str>,
    ) -> Result<Call<PayOutcome>, ProviderError> {
        let body = wire::pay_body(order_no, method, card, three_ds_ip)?;
        let (exchange, reply) = self.post("pay.do", body).await?;
        let outcome = match &reply {
            Reply::Answer { status, body } => wire::pay_outcome(*status, body, order_no),
            Reply::NotSent(detail) => {
                return Err(ProviderError::Unreachable { provider: "ATRIP", fault: detail.clone() })
            }
            Reply::Lost(reason) => PayOutcome::Ambiguous { reason: reason.to_string() },
        };
        let mask = card.map(crate::redact::Mask::for_card).unwrap_or_default();
        Ok(Call::one(exchange, outcome.redacted(&mask)))
    }

    /// "Test connection": the order query for an order number no ATRIP order can have —
    /// read-only and authenticated. ATRIP checks the credentials before it looks for an order
    /// (900/902), so its own "no such order" proves both the address and the credentials
    /// (docs/providers/atrip.md §9).
    pub async fn check_connection(&self) -> Probe {
        let address = format!("{}queryOrderDetails.do", self.base_url);
        let sent = self.post("queryOrderDetails.do", json!({ "orderNo": wire::CHECK_ORDER_NO })).await;
        let (exchange, reply) = match sent {
            Ok(sent) => sent,
            Err(e) => return Probe::CredentialsRefused { detail: e.to_string() },
        };
        match reply {
            Reply::Answer { status, body } => wire::check_answer(&address, &exchange, status, &body),
            Reply::NotSent(fault) | Reply::Lost(fault) => Probe::net(&address, fault),
        }
    }

    /// `regenerateOrder.do`: a new, unpaid order replacing a cancelled one.
    pub async fn regenerate(&self, order_no: &str) -> Result<Call<String>, Failed> {
        let (exchange, reply) = self
            .post("regenerateOrder.do", json!({ "originalOrderNo": order_no }))
            .await
            .map_err(|e| (Vec::new(), e))?;
        let result = match &reply {
            Reply::Answer { status, body } => wire::parse_regenerated(*status, body, order_no),
            Reply::NotSent(d) => Err(ProviderError::Unreachable { provider: "ATRIP", fault: d.clone() }),
            Reply::Lost(d) => Err(ProviderError::Lost { provider: "ATRIP", fault: d.clone() }),
        };
        match result {
            Ok(no) => Ok(Call::one(exchange, no)),
            Err(e) => Err((vec![exchange], e)),
        }
    }
}
