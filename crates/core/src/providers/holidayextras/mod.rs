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
use super::{Call, ProviderError};
use crate::money::Money;
pub use wire::{ApiVersion, FailKind, PayAnswer, PayRequest, RefundAnswer};

const PROVIDER: &str = "Holiday Extras";

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
                return Err(ProviderError::Unreachable { provider: PROVIDER, detail: detail.clone() })
            }
            Reply::Lost(reason) => PayAnswer::Ambiguous { reason: reason.clone() },
        };
        Ok(Call::one(exchange, result))
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
                return Err(ProviderError::Unreachable { provider: PROVIDER, detail: detail.clone() })
            }
            Reply::Lost(reason) => RefundAnswer::Ambiguous { reason: reason.clone() },
        };
        Ok(Call::one(exchange, result))
    }
}
