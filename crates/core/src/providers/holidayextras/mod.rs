//! Holiday Extras payment gateway: charge a card token (`/pay`) and refund it (`/refund`).
//!
//! Every call is a POST with a JSON body, HTTP Basic credentials and the API version in `Accept`.
//! There is no status endpoint. Our `paymentId` (the attempt's idempotency key, journaled before
//! sending) is what makes the gateway safe: HX refuses a second payment with the same id, so
//! re-sending the same request can never charge twice. A refund carries no id of ours, so a
//! refund is never re-sent.

pub mod setup;
pub mod subject;
pub mod wire;

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};

use super::http::{Body, Exchange, HttpClient, Reply, Timeouts};
use super::probe::Probe;
use super::{Call, ProviderError};
use crate::money::Money;
pub use wire::{ApiVersion, FailKind, PayAnswer, PayRequest, RefundAnswer};

const PROVIDER: &str = "Holiday Extras";

/// The payment script Holiday Extras' integration page publishes on the gateway's own host: its
/// production name, then its staging one.
pub const PAYMENT_SCRIPTS: [&str; 2] = ["payment.2.0.0.min.js", "payment.staging.2.0.0.min.js"];

/// Where and as whom to call Holiday Extras.
pub struct HolidayExtrasConfig {
    /// e.g. `https://payment-gateway.holidayextras.co.uk/` — `pay` and `refund` are appended.
    pub base_url: String,
    pub username: String,
    pub password: SecretString,
    /// Issued with the credentials; sent in every body.
    pub channel: String,
    pub version: ApiVersion,
    pub timeouts: Timeouts,
}

pub struct HolidayExtrasClient {
    http: HttpClient,
    base_url: String,
    authorization: HeaderValue,
    channel: String,
    version: ApiVersion,
}

/// What the agent asks for: charge this Holiday Extras card token.
pub struct HolidayExtrasPayment {
    /// The token the Holiday Extras payment form gave for the card (digits).
    pub token: String,
    /// The booking reference HX groups payments by (not unique).
    pub payment_reference: String,
    pub amount: Money,
    /// The customer's name, for our records (HX does not take it).
    pub customer: String,
    /// v2 only.
    pub postal_code: Option<String>,
    /// v2 only, ISO 3166-1 alpha-2.
    pub country_code: Option<String>,
}

impl HolidayExtrasClient {
    pub fn new(config: HolidayExtrasConfig) -> Result<Self, ProviderError> {
        let credentials =
            |detail: &str| ProviderError::Credentials { provider: PROVIDER, detail: detail.into() };
        if config.username.trim().is_empty() || config.password.expose_secret().is_empty() {
            return Err(credentials("enter the username and password in Settings"));
        }
        if config.username.contains(':') {
            return Err(credentials("the username cannot contain ':' (HTTP Basic separates it with one)"));
        }
        let channel = config.channel.trim().to_string();
        if channel.is_empty() {
            return Err(ProviderError::Config(
                "Holiday Extras needs the channel issued with the credentials — enter it in Settings".into(),
            ));
        }
        let pair = format!("{}:{}", config.username.trim(), config.password.expose_secret());
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair.as_bytes());
        let mut authorization = HeaderValue::from_str(&format!("Basic {encoded}"))
            .map_err(|_| credentials("the credentials contain characters that cannot be sent"))?;
        authorization.set_sensitive(true);
        let base_url =
            if config.base_url.ends_with('/') { config.base_url } else { format!("{}/", config.base_url) };
        Ok(HolidayExtrasClient {
            http: HttpClient::new(config.timeouts)?,
            base_url,
            authorization,
            channel,
            version: config.version,
        })
    }

    pub fn version(&self) -> ApiVersion {
        self.version
    }

    /// Checks a payment for this profile's API version before anything is journaled or sent.
    pub fn check_pay(
        &self,
        token: &str,
        payment_reference: &str,
        amount: Money,
        postal_code: Option<&str>,
        country_code: Option<&str>,
    ) -> Result<PayRequest, ProviderError> {
        PayRequest::new(self.version, token, payment_reference, amount, postal_code, country_code)
    }

    async fn post(&self, name: &str, body: serde_json::Value) -> (Exchange, Reply) {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(ACCEPT, HeaderValue::from_static(self.version.accept()));
        // Content-Type: application/json is set with the JSON body.
        self.http.send(Method::POST, &format!("{}{name}", self.base_url), headers, Body::Json(body)).await
    }

    /// `/pay` with `payment_id`. Money may move: the caller has journaled `payment_id` first.
    /// Re-sending the same request with the same `payment_id` is safe (HX refuses a duplicate
    /// id), and is how an ambiguous answer is resolved. Errors only when nothing was sent.
    pub async fn pay(&self, payment_id: &str, req: &PayRequest) -> Result<Call<PayAnswer>, ProviderError> {
        let body = wire::pay_body(self.version, &self.channel, payment_id, req);
        let (exchange, reply) = self.post("pay", body).await;
        let result = match &reply {
            Reply::Answer { status, body } => wire::pay_answer(*status, body, payment_id, req.amount),
            Reply::NotSent(detail) => {
                return Err(ProviderError::Unreachable { provider: PROVIDER, fault: detail.clone() })
            }
            Reply::Lost(reason) => PayAnswer::Ambiguous { reason: reason.to_string() },
        };
        Ok(Call::one(exchange, result))
    }

    /// "Test connection". Holiday Extras publishes no call that checks credentials without
    /// moving money — only `/pay` and `/refund` — so none is sent, and no credential either: the
    /// test asks the gateway's host for the payment script its integration page publishes there
    /// (production's name, then staging's). Served, it proves the address is Holiday Extras'
    /// gateway; the credentials are first proven by a real payment (docs/providers/holidayextras.md §7).
    pub async fn check_connection(&self) -> Probe {
        let mut found = None;
        for script in PAYMENT_SCRIPTS {
            let address = format!("{}{script}", self.base_url);
            let (exchange, reply) = self.http.send(Method::GET, &address, HeaderMap::new(), Body::None).await;
            let (status, body) = match reply {
                Reply::Answer { status, body } => (status, body),
                Reply::NotSent(fault) | Reply::Lost(fault) => return Probe::net(&address, fault),
            };
            let script_type = exchange.content_type.as_deref().is_some_and(|c| c.contains("javascript"));
            if (200..300).contains(&status) && script_type {
                let detail = format!("{address} answered HTTP {status} with the payment script");
                return Probe::Reached { detail };
            }
            let probe = Probe::not_the_api(&address, &exchange, status, &body);
            if status >= 500 {
                return probe;
            }
            found.get_or_insert(probe);
        }
        found.expect("two scripts were asked for")
    }

    /// `/refund` of `amount` over the HX payment ids. Not idempotent: never re-send it after an
    /// ambiguous answer. Errors only when nothing was sent.
    pub async fn refund(
        &self,
        payment_ids: &[String],
        amount: Money,
    ) -> Result<Call<RefundAnswer>, ProviderError> {
        let body = wire::refund_body(self.version, &self.channel, payment_ids, amount);
        let (exchange, reply) = self.post("refund", body).await;
        let result = match &reply {
            Reply::Answer { status, body } => wire::refund_answer(*status, body, amount),
            Reply::NotSent(detail) => {
                return Err(ProviderError::Unreachable { provider: PROVIDER, fault: detail.clone() })
            }
            Reply::Lost(reason) => RefundAnswer::Ambiguous { reason: reason.to_string() },
        };
        Ok(Call::one(exchange, result))
    }
}
