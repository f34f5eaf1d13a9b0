//! HeiPay (Heippi) hotel virtual terminal: `POST v2/virtual-terminal/credit-card`, and the
//! voucher its answer links to.
//!
//! Every `card_item` field is encrypted here, on the desk, with the hotel's own key
//! (docs/design.md §5), so the card leaves Farepoint only as ciphertext. HeiPay offers no way to
//! ask about a payment and does not de-duplicate `ref_number`: after an unclear answer a person
//! checks the portal; nothing is ever sent twice.
//!
//! HeiPay publishes the payment page but not its encryption, authentication, voucher or error
//! pages. What this client assumes there — the AES-256-GCM field scheme (behind
//! `vault::FieldCipher`, so the real one drops in), the per-hotel 32-byte key, `Authorization:
//! Bearer <api token>`, the voucher route, the error codes, COP — is listed with where to change
//! each in `crates/sandbox/README.md`, "HeiPay", for whoever first has a real HeiPay account.

pub mod setup;
pub mod subject;
pub mod wire;

use std::collections::HashMap;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::http::{Body, HttpClient, Reply, Timeouts};
use super::probe::Probe;
use super::{Call, ProviderError};
use crate::card::Card;
use crate::redact::Mask;
use crate::vault::FieldCipher;
pub use wire::{Order, OrderInput, PayAnswer, Rate};

const PROVIDER: &str = "HeiPay";
const PAY_PATH: &str = "v2/virtual-terminal/credit-card";

/// Where and as whom to call HeiPay.
pub struct HeiPayConfig {
    /// e.g. `https://api.heipay.example/` — `v2/…` is appended.
    pub base_url: String,
    pub api_token: SecretString,
    /// Each hotel's cipher, from its card key in the keyring (`vault::hotel_cipher`): the client
    /// never names the scheme.
    pub card_ciphers: HashMap<i64, Box<dyn FieldCipher>>,
    pub timeouts: Timeouts,
}

pub struct HeiPayClient {
    http: HttpClient,
    base_url: String,
    api_token: SecretString,
    card_ciphers: HashMap<i64, Box<dyn FieldCipher>>,
}

/// What the front desk asks for: charge this guest's card for this hotel (`Engine::pay_heipay`).
pub struct HeiPayPayment {
    /// The order as typed; checked by `Order::validate` before anything is journaled.
    pub order: OrderInput,
    pub card: Card,
}

/// A voucher as HeiPay serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voucher {
    pub content_type: String,
    pub body: Vec<u8>,
}

impl HeiPayClient {
    pub fn new(config: HeiPayConfig) -> Result<Self, ProviderError> {
        if config.api_token.expose_secret().trim().is_empty() {
            return Err(ProviderError::Credentials {
                provider: PROVIDER,
                detail: "enter the HeiPay API token in Settings".into(),
            });
        }
        let base_url =
            if config.base_url.ends_with('/') { config.base_url } else { format!("{}/", config.base_url) };
        reqwest::Url::parse(&base_url).map_err(|e| {
            ProviderError::Config(format!("the HeiPay address '{base_url}' is not a URL: {e}"))
        })?;
        let http = HttpClient::new(config.timeouts)?;
        Ok(HeiPayClient { http, base_url, api_token: config.api_token, card_ciphers: config.card_ciphers })
    }

    /// The hotels this terminal can take cards for (those with a card key), in id order.
    pub fn hotel_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.card_ciphers.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Refuses, before anything is journaled, a hotel whose card key Farepoint does not have.
    pub fn check_hotel(&self, hotel_id: i64) -> Result<(), ProviderError> {
        self.cipher(hotel_id).map(|_| ())
    }

    fn cipher(&self, hotel_id: i64) -> Result<&dyn FieldCipher, ProviderError> {
        self.card_ciphers.get(&hotel_id).map(|c| c.as_ref()).ok_or_else(|| ProviderError::Credentials {
            provider: PROVIDER,
            detail: format!(
                "there is no card key for hotel {hotel_id}, so the card cannot be encrypted — add the HeiPay card key for hotel {hotel_id} in Settings"
            ),
        })
    }

    /// The voucher link made absolute against the base URL (HeiPay sends it relative).
    pub fn absolute_url(&self, link: &str) -> String {
        if link.starts_with("http://") || link.starts_with("https://") {
            link.to_string()
        } else {
            format!("{}{}", self.base_url, link.trim_start_matches('/'))
        }
    }

    fn headers(&self, accept: &'static str) -> Result<HeaderMap, ProviderError> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", self.api_token.expose_secret().trim()))
            .map_err(|_| ProviderError::Credentials {
                provider: PROVIDER,
                detail: "the API token contains characters that cannot be sent — paste it again in Settings"
                    .into(),
            })?;
        auth.set_sensitive(true);
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, auth);
        h.insert(ACCEPT, HeaderValue::from_static(accept));
        Ok(h)
    }

    /// The payment. Money may move: the caller has journaled the attempt before calling this.
    /// Errors are returned only when nothing was sent.
    pub async fn pay(
        &self,
        order: &Order,
        ref_number: &str,
        card: &Card,
    ) -> Result<Call<PayAnswer>, ProviderError> {
        let body = wire::pay_body(order, ref_number, card, self.cipher(order.hotel_id)?)?;
        // The timeline's copy: the float the `Value` holds is replaced by the exact literal sent.
        let mut shown: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        shown["order"]["amount"] = Value::String(order.amount.to_major_string());
        let headers = self.headers("application/json")?;
        let url = format!("{}{PAY_PATH}", self.base_url);
        // The card goes encrypted; should HeiPay ever echo it in plain, the record masks it.
        let mask = Mask::for_card(card);
        let (exchange, reply) = self
            .http
            .send_masking(Method::POST, &url, headers, Body::RawJson { text: body, shown }, mask)
            .await;
        let answer = match reply {
            Reply::Answer { status, body } => wire::pay_answer(status, &body, order.hotel_id),
            Reply::NotSent(detail) => {
                return Err(ProviderError::Unreachable { provider: PROVIDER, fault: detail })
            }
            Reply::Lost(reason) => PayAnswer {
                outcome: super::PayOutcome::Ambiguous { reason: reason.to_string() },
                voucher_url: None,
            },
        };
        let absolute = answer.voucher_url.as_deref().map(|u| self.absolute_url(u));
        let outcome = match answer.outcome {
            super::PayOutcome::Accepted { message, .. } => {
                super::PayOutcome::Accepted { provider_ref: absolute.clone(), message }
            }
            other => other,
        };
        let outcome = outcome.redacted(&Mask::for_card(card));
        Ok(Call::one(exchange, PayAnswer { outcome, voucher_url: absolute }))
    }

    /// "Test connection". HeiPay publishes only its payment call — no call that checks the API
    /// token without moving money — so none is sent, and no token either: the test asks the
    /// address itself, proving it answers. The hotels' card keys were proven valid keys when this
    /// client was built; the token is first proven by a real payment
    /// (docs/providers/heipay.md §8).
    pub async fn check_connection(&self) -> Probe {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let (exchange, reply) = self.http.send(Method::GET, &self.base_url, headers, Body::None).await;
        match reply {
            // A server's own error is no sign the address is right.
            Reply::Answer { status, body } if status >= 500 => {
                Probe::not_the_api(&self.base_url, &exchange, status, &body)
            }
            Reply::Answer { status, .. } => {
                Probe::Reached { detail: format!("{} answered HTTP {status}", self.base_url) }
            }
            Reply::NotSent(fault) | Reply::Lost(fault) => Probe::net(&self.base_url, fault),
        }
    }

    /// Fetches a voucher. The API token goes only to this HeiPay address: a link elsewhere is
    /// refused rather than handed our credentials.
    pub async fn voucher(&self, url: &str) -> Result<Call<Voucher>, ProviderError> {
        if !url.starts_with(&self.base_url) {
            return Err(ProviderError::Config(format!(
                "the voucher link {url} is not on the HeiPay address in Settings ({}) — open it from the HeiPay portal",
                self.base_url
            )));
        }
        let headers = self.headers("application/pdf, text/html;q=0.9, application/json;q=0.8")?;
        let (exchange, reply) = self.http.send(Method::GET, url, headers, Body::None).await;
        let result = match reply {
            Reply::Answer { status: 200..=299, body } => Ok(Voucher {
                content_type: exchange
                    .content_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".into()),
                body,
            }),
            Reply::Answer { status, body } => {
                let detail = serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|v| v["detail"].as_str().map(str::to_string))
                    .unwrap_or_default();
                Err(ProviderError::NoAnswer {
                    provider: PROVIDER,
                    detail: format!("the voucher could not be fetched (HTTP {status}) {detail}")
                        .trim()
                        .to_string(),
                })
            }
            Reply::NotSent(detail) => Err(ProviderError::Unreachable { provider: PROVIDER, fault: detail }),
            Reply::Lost(detail) => Err(ProviderError::Lost { provider: PROVIDER, fault: detail }),
        };
        result.map(|voucher| Call::one(exchange, voucher))
    }
}
