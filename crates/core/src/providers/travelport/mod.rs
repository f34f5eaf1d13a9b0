//! Travelport JSON Air v11 ticketing workbench: OAuth token, post-commit workbench from a locator,
//! add form of payment, add Payment, commit with ticket issuance, retrieve and ticket list.
//!
//! Money moves only at commit (the docs: "at workbench commit, tickets are issued for any offer
//! for which payment has been sent"). Everything before it only builds the workbench, which
//! dies unused after 30 minutes; so a doubt before commit charges nothing, and a doubt at
//! commit is reconciled by reading the reservation — the commit is never sent twice.

pub mod setup;
pub mod subject;
pub mod wire;

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::Mutex;

use super::http::{Body, Exchange, HttpClient, Reply, Timeouts};
use super::probe::Probe;
use super::ProviderError;
pub use super::{Call, Failed};
use crate::card::Card;
use crate::redact::Mask;
pub use wire::{CommitOutcome, Document, FopRef, Offer, OfferKind, StoredFop, Traveler, WorkbenchView};

const PROVIDER: &str = "Travelport";

/// Where and as whom to call Travelport.
pub struct TravelportConfig {
    /// e.g. `https://api.pp.travelport.net/11/air/` — operation paths are appended.
    pub air_base_url: String,
    /// e.g. `https://auth.pp.travelport.net/oauth/token`.
    pub token_url: String,
    pub username: String,
    pub password: SecretString,
    pub client_id: String,
    pub client_secret: SecretString,
    /// `{PCC}_{GDS}` for `TVP-PCC-CORE`, e.g. `79JP_1G`.
    pub pcc: String,
    pub timeouts: Timeouts,
}

struct CachedToken {
    value: SecretString,
    /// Shortly before Travelport's `expires_in`, so a call never leaves with a dying token.
    renew_at: Instant,
}

pub struct TravelportClient {
    http: HttpClient,
    air_base_url: String,
    token_url: String,
    username: String,
    password: SecretString,
    client_id: String,
    client_secret: SecretString,
    pcc: HeaderValue,
    /// One token for every call until shortly before it expires; the lock also keeps concurrent
    /// callers from fetching one each.
    token: Mutex<Option<CachedToken>>,
}

/// The form of payment to add to a workbench.
pub enum NewFop<'a> {
    Card(&'a Card),
    Cash,
}

/// How long before `expires_in` the token is renewed: a tenth of its life, at most five minutes.
fn renewal_margin(expires_in: Duration) -> Duration {
    (expires_in / 10).min(Duration::from_secs(300))
}

/// Travelport's tokens live 24 hours; a longer `expires_in` is not believed.
const LONGEST_TOKEN_LIFE: Duration = Duration::from_secs(86_400);

/// When to renew a token fetched at `fetched_at`. Bounded and checked: whatever `expires_in`
/// says (a payment may already be journaled when the token is fetched), this cannot panic.
fn renew_at(fetched_at: Instant, expires_in_secs: u64) -> Instant {
    let life = Duration::from_secs(expires_in_secs).min(LONGEST_TOKEN_LIFE);
    fetched_at.checked_add(life - renewal_margin(life)).unwrap_or(fetched_at)
}

impl TravelportClient {
    pub fn new(config: TravelportConfig) -> Result<Self, ProviderError> {
        let missing = [
            (config.username.trim().is_empty(), "username"),
            (config.password.expose_secret().is_empty(), "password"),
            (config.client_id.trim().is_empty(), "client id"),
            (config.client_secret.expose_secret().is_empty(), "client secret"),
        ];
        if let Some((_, field)) = missing.iter().find(|(empty, _)| *empty) {
            return Err(ProviderError::Credentials {
                provider: PROVIDER,
                detail: format!("enter the {field} in Settings"),
            });
        }
        let pcc = HeaderValue::from_str(config.pcc.trim())
            .ok()
            .filter(|_| {
                config.pcc.trim().split_once('_').is_some_and(|(p, g)| !p.is_empty() && !g.is_empty())
            })
            .ok_or_else(|| {
                ProviderError::Config("the Travelport PCC must be written PCC_GDS, e.g. 79JP_1G".into())
            })?;
        let base = config.air_base_url;
        Ok(TravelportClient {
            http: HttpClient::new(config.timeouts)?,
            air_base_url: if base.ends_with('/') { base } else { format!("{base}/") },
            token_url: config.token_url,
            username: config.username,
            password: config.password,
            client_id: config.client_id,
            client_secret: config.client_secret,
            pcc,
            token: Mutex::new(None),
        })
    }

    /// The cached token, or a new one (password grant, form body — HTTP Basic client auth is
    /// refused by Travelport, docs/providers/travelport.md §1). `rejected` drops that token first,
    /// unless another call already replaced it.
    async fn token(&self, rejected: Option<&str>) -> Result<SecretString, ProviderError> {
        let mut cache = self.token.lock().await;
        if let (Some(bad), Some(cached)) = (rejected, cache.as_ref()) {
            if cached.value.expose_secret() == bad {
                *cache = None;
            }
        }
        if let Some(cached) = cache.as_ref().filter(|c| Instant::now() < c.renew_at) {
            return Ok(cached.value.clone());
        }
        let fetched_at = Instant::now();
        let (exchange, reply) = self.request_token().await;
        tracing::info!(status = ?exchange.status, elapsed_ms = exchange.elapsed_ms, "travelport token request");
        let (token, expires_in) = match reply {
            Reply::Answer { status, body } => wire::parse_token(status, &body)?,
            Reply::NotSent(detail) => {
                return Err(ProviderError::Unreachable { provider: PROVIDER, fault: detail })
            }
            Reply::Lost(detail) => return Err(ProviderError::Lost { provider: PROVIDER, fault: detail }),
        };
        let value = SecretString::from(token);
        *cache = Some(CachedToken { value: value.clone(), renew_at: renew_at(fetched_at, expires_in) });
        Ok(value)
    }

    /// The password grant, its secrets in a form body.
    async fn request_token(&self) -> (Exchange, Reply) {
        let form = vec![
            ("grant_type", "password".to_string()),
            ("username", self.username.clone()),
            ("password", self.password.expose_secret().to_string()),
            ("client_id", self.client_id.clone()),
            ("client_secret", self.client_secret.expose_secret().to_string()),
        ];
        let mut headers = HeaderMap::new();
        headers.insert("accept", HeaderValue::from_static("application/json"));
        self.http.send(Method::POST, &self.token_url, headers, Body::Form(form)).await
    }

    /// "Test connection": a token (the password grant proves the token address and all four
    /// credentials), then with it a retrieve of a record locator that is not a reservation —
    /// read-only — which proves the Air API address, that it takes the token, and the PCC
    /// (docs/providers/travelport.md §7). Nothing is cached: a payment fetches its own token.
    pub async fn check_connection(&self) -> Probe {
        let (exchange, reply) = self.request_token().await;
        let token = match reply {
            Reply::Answer { status, body } => {
                match wire::check_token(&self.token_url, &exchange, status, &body) {
                    Ok(token) => SecretString::from(token),
                    Err(probe) => return probe,
                }
            }
            Reply::NotSent(fault) | Reply::Lost(fault) => return Probe::net(&self.token_url, fault),
        };
        let address = format!("{}book/reservation/reservations/{}", self.air_base_url, wire::CHECK_LOCATOR);
        let headers = match self.headers(&token, false) {
            Ok(headers) => headers,
            Err(e) => return Probe::ProviderError { detail: e.to_string() },
        };
        let (exchange, reply) = self.http.send(Method::GET, &address, headers, Body::None).await;
        match reply {
            Reply::Answer { status, body } => wire::check_air(&address, &exchange, status, &body),
            Reply::NotSent(fault) | Reply::Lost(fault) => Probe::net(&address, fault),
        }
    }

    /// Common Air Headers v11. No Content-Type here: reqwest sets it only when a body is sent,
    /// which is what `buildfromlocator` needs (it must not have one).
    fn headers(&self, token: &SecretString, with_body: bool) -> Result<HeaderMap, ProviderError> {
        let mut h = HeaderMap::new();
        let mut bearer =
            HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())).map_err(|_| {
                ProviderError::NoAnswer { provider: PROVIDER, detail: "unusable access token".into() }
            })?;
        bearer.set_sensitive(true);
        h.insert(reqwest::header::AUTHORIZATION, bearer);
        h.insert(HeaderName::from_static("tvp-pcc-core"), self.pcc.clone());
        h.insert(reqwest::header::ACCEPT, HeaderValue::from_static("application/json"));
        // Mandatory in production. gzip only: it is the encoding our HTTP client decodes.
        h.insert(reqwest::header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        h.insert(reqwest::header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        h.insert(HeaderName::from_static("accept-version"), HeaderValue::from_static("11"));
        if with_body {
            h.insert(HeaderName::from_static("content-version"), HeaderValue::from_static("11"));
        }
        Ok(h)
    }

    /// One air call. A 401 means the gateway refused the token before doing anything, so the
    /// call is sent once more with a fresh token — safe even for commit.
    async fn air(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        mask: &Mask,
    ) -> Result<Call<Reply>, Failed> {
        let url = format!("{}{path}", self.air_base_url);
        let mut exchanges = Vec::new();
        let mut rejected: Option<String> = None;
        loop {
            let token = self.token(rejected.as_deref()).await.map_err(|e| (exchanges.clone(), e))?;
            let headers = self.headers(&token, body.is_some()).map_err(|e| (exchanges.clone(), e))?;
            let sent = body.map_or(Body::None, |b| Body::Json(b.clone()));
            let (exchange, reply) =
                self.http.send_masking(method.clone(), &url, headers, sent, mask.clone()).await;
            exchanges.push(exchange);
            match reply {
                Reply::Answer { status: 401, .. } if rejected.is_none() => {
                    tracing::info!("travelport refused the token; fetching a new one");
                    rejected = Some(token.expose_secret().to_string());
                }
                reply => return Ok(Call { exchanges, result: reply }),
            }
        }
    }

    /// A read-only or pre-commit call: its answer mapped by `parse`; no answer is an error
    /// (nothing was charged: only commit moves money). `mask` is the payment's card, masked
    /// wherever the exchange or the error shows it.
    async fn call<T>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        mask: &Mask,
        parse: impl FnOnce(u16, &[u8]) -> Result<T, ProviderError>,
    ) -> Result<Call<T>, Failed> {
        let Call { exchanges, result } = self.air(method, path, body, mask).await?;
        let parsed = match result {
            Reply::Answer { status, body } => parse(status, &body),
            Reply::NotSent(detail) => Err(ProviderError::Unreachable { provider: PROVIDER, fault: detail }),
            Reply::Lost(detail) => Err(ProviderError::Lost { provider: PROVIDER, fault: detail }),
        };
        match parsed {
            Ok(result) => Ok(Call { exchanges, result }),
            Err(e) => Err((exchanges, e.redacted(mask))),
        }
    }

    /// Opens a post-commit workbench on a reservation: its id, travelers, offers, stored forms
    /// of payment and documents already issued. `locator` must be validated by the caller.
    pub async fn open_workbench(&self, locator: &str) -> Result<Call<WorkbenchView>, Failed> {
        let path = format!("book/session/reservationworkbench/buildfromlocator?Locator={locator}");
        let call = self
            .call(Method::POST, &path, None, &Mask::default(), |s, b| wire::parse_reservation(s, b, locator))
            .await?;
        check_id(&call.result.workbench_id).map_err(|e| (call.exchanges.clone(), e))?;
        Ok(call)
    }

    /// Adds a card or cash form of payment to the workbench. Nothing is charged yet.
    pub async fn add_fop(
        &self,
        workbench_id: &str,
        id: &str,
        fop: NewFop<'_>,
    ) -> Result<Call<FopRef>, Failed> {
        let (body, mask) = match fop {
            NewFop::Card(card) => (wire::card_fop_body(id, card), Mask::for_card(card)),
            NewFop::Cash => (wire::cash_fop_body(id), Mask::default()),
        };
        let path = format!("payment/reservationworkbench/{workbench_id}/formofpayment");
        // A refusal may quote the card's code, which only the exact mask recognises.
        self.call(Method::POST, &path, Some(&body), &mask, wire::parse_fop_added).await
    }

    /// Adds the Payment: one FOP for the chosen offers, the exact amount. Nothing is charged yet.
    /// `mask` is the card the FOP was added with (its answer may quote it).
    pub async fn add_payment(
        &self,
        workbench_id: &str,
        payment_id: &str,
        amount: crate::money::Money,
        fop: &FopRef,
        offers: &[&Offer],
        mask: &Mask,
    ) -> Result<Call<String>, Failed> {
        let body = wire::payment_body(payment_id, amount, fop, offers);
        let path = format!("paymentoffer/reservationworkbench/{workbench_id}/payments");
        self.call(Method::POST, &path, Some(&body), mask, wire::parse_payment_added).await
    }

    /// Commits the workbench with ticket issuance: money moves here. The caller has journaled
    /// the attempt. An error means nothing reached Travelport (or it refused the token).
    /// `mask` is the card the workbench's FOP was added with (its answer may quote it).
    pub async fn commit(
        &self,
        workbench_id: &str,
        locator: &str,
        mask: &Mask,
    ) -> Result<Call<CommitOutcome>, Failed> {
        let path = format!(
            "book/reservation/reservations/{workbench_id}?Issuance=Ticket&DocumentValue=Retain&payLaterInd=false"
        );
        let Call { exchanges, result } =
            self.air(Method::POST, &path, Some(&wire::commit_body()), mask).await?;
        let outcome = match result {
            Reply::Answer { status, body } => wire::commit_outcome(status, &body, locator),
            Reply::NotSent(detail) => {
                return Err((exchanges, ProviderError::Unreachable { provider: PROVIDER, fault: detail }))
            }
            Reply::Lost(reason) => CommitOutcome::Ambiguous { reason: reason.to_string() },
        };
        Ok(Call { exchanges, result: outcome.redacted(mask) })
    }

    /// Retrieves the reservation (with its receipts). Safe to repeat.
    pub async fn retrieve(&self, locator: &str) -> Result<Call<WorkbenchView>, Failed> {
        let path = format!("book/reservation/reservations/{locator}");
        self.call(Method::GET, &path, None, &Mask::default(), |s, b| wire::parse_reservation(s, b, locator))
            .await
    }

    /// The reservation's tickets and EMDs (Ticket List). Safe to repeat.
    pub async fn ticket_list(&self, locator: &str) -> Result<Call<Vec<Document>>, Failed> {
        let path = format!("receipt/reservations/{locator}/receipts");
        self.call(Method::GET, &path, None, &Mask::default(), wire::parse_ticket_list).await
    }
}

/// A workbench id goes into URL paths: it must be a plain token.
fn check_id(id: &str) -> Result<(), ProviderError> {
    let plain = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain {
        Ok(())
    } else {
        Err(ProviderError::NoAnswer { provider: PROVIDER, detail: format!("unusable workbench id '{id}'") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_renewed_shortly_before_they_expire() {
        assert_eq!(renewal_margin(Duration::from_secs(86_400)), Duration::from_secs(300));
        assert_eq!(renewal_margin(Duration::from_secs(60)), Duration::from_secs(6));
        let now = Instant::now();
        assert_eq!(renew_at(now, 3600), now + Duration::from_secs(3300));
        // An absurd lifetime is capped at Travelport's 24 hours, without overflow.
        assert_eq!(renew_at(now, u64::MAX), now + Duration::from_secs(86_100));
        assert_eq!(renew_at(now, 0), now);
    }
}
