//! The four provider clients and what they share: how an answer maps to the unified model.
//!
//! Each provider is a folder: `mod.rs` drives its HTTP flow, `wire.rs` holds its JSON types and
//! their mapping to these types (the connector/transformers split).

pub mod atrip;
pub mod heipay;
pub mod holidayextras;
pub mod http;
pub mod lenient;
pub mod network;
pub mod probe;
pub mod travelport;

use serde::Serialize;

use network::NetFault;

/// A definite "no" from a provider: nothing was charged, and here is what to do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The provider's own code ("413", "FAIL", "4178" …), for support calls.
    pub code: String,
    /// What the provider said, in plain words.
    pub message: String,
    /// What the agent can do about it.
    pub advice: String,
}

/// The answer to a request that may move money, in unified terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayOutcome {
    /// The provider took the payment. `provider_ref` is its id for it, when it gives one.
    Accepted { provider_ref: Option<String>, message: String },
    /// The provider refused; nothing was charged.
    Declined(Refusal),
    /// We cannot tell from this answer whether money moved (timeout, reset, 5xx, unparsable, or
    /// a provider code that means "look at the order first"). Reconcile; never re-send blindly.
    Ambiguous { reason: String },
}

impl PayOutcome {
    /// The outcome with `mask`'s exact card data masked in the provider's words it carries (a
    /// refusal or reason may quote the card's code, which no general rule can recognise).
    pub fn redacted(self, mask: &crate::redact::Mask) -> PayOutcome {
        let clean = |text: String| crate::redact::redact_text_with(&text, mask).into_owned();
        match self {
            PayOutcome::Accepted { provider_ref, message } => {
                PayOutcome::Accepted { provider_ref, message: clean(message) }
            }
            PayOutcome::Declined(r) => PayOutcome::Declined(r.redacted(mask)),
            PayOutcome::Ambiguous { reason } => PayOutcome::Ambiguous { reason: clean(reason) },
        }
    }
}

impl ProviderError {
    /// `field` refused for `problem`, with its English.
    pub fn invalid(field: &str, problem: crate::codes::CodedError) -> ProviderError {
        ProviderError::Invalid { field: field.into(), message: problem.english(), problem }
    }

    /// The error with `mask`'s exact card data masked in the words it carries (a later step's
    /// answer may quote the card's code, which no general rule can recognise).
    pub fn redacted(self, mask: &crate::redact::Mask) -> ProviderError {
        let clean = |text: String| crate::redact::redact_text_with(&text, mask).into_owned();
        match self {
            ProviderError::Config(text) => ProviderError::Config(clean(text)),
            ProviderError::Credentials { provider, detail } => {
                ProviderError::Credentials { provider, detail: clean(detail) }
            }
            ProviderError::Invalid { field, mut problem, .. } => {
                for value in problem.params.values_mut() {
                    *value = clean(std::mem::take(value));
                }
                ProviderError::invalid(&field, problem)
            }
            ProviderError::Refused(r) => ProviderError::Refused(r.redacted(mask)),
            ProviderError::Unreachable { provider, fault } => ProviderError::Unreachable {
                provider,
                fault: NetFault { detail: clean(fault.detail), ..fault },
            },
            ProviderError::Lost { provider, fault } => {
                ProviderError::Lost { provider, fault: NetFault { detail: clean(fault.detail), ..fault } }
            }
            ProviderError::Unclear { provider, detail } => {
                ProviderError::Unclear { provider, detail: clean(detail) }
            }
            ProviderError::NoAnswer { provider, detail } => {
                ProviderError::NoAnswer { provider, detail: clean(detail) }
            }
        }
    }
}

impl Refusal {
    /// The sentence shown and stored for this refusal from `provider`: what was said, what to
    /// do, and the code for a support call. Travelport's reads "<message> — <advice>
    /// (Travelport <code>)", the others' "<message> (<code>) — <advice>": the shapes the
    /// histories already hold, so old and new events read alike.
    pub fn sentence(&self, provider: crate::payment::Provider) -> String {
        let Refusal { code, message, advice } = self;
        match provider {
            crate::payment::Provider::Travelport => format!("{message} — {advice} (Travelport {code})"),
            _ => format!("{message} ({code}) — {advice}"),
        }
    }

    /// The provider's words masked; its code is left as sent — the engine decides on it (a card
    /// whose code happens to be "411" must not turn ATRIP's 411 into something else).
    pub fn redacted(self, mask: &crate::redact::Mask) -> Refusal {
        let message = crate::redact::redact_text_with(&self.message, mask).into_owned();
        Refusal { code: self.code, message, advice: self.advice }
    }
}

/// A call's result with the exchanges that produced it, for the timeline: one for most calls,
/// more where a client sends again on its own (Travelport after a refused token).
#[derive(Debug, Clone)]
pub struct Call<T> {
    pub exchanges: Vec<http::Exchange>,
    pub result: T,
}

impl<T> Call<T> {
    /// The result of a single exchange.
    pub fn one(exchange: http::Exchange, result: T) -> Call<T> {
        Call { exchanges: vec![exchange], result }
    }
}

/// A failed call: what was exchanged before it failed (perhaps nothing), and why.
pub type Failed = (Vec<http::Exchange>, ProviderError);

/// Why a provider call could not even be attempted or was refused before any money could move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("{0}")]
    Config(String),
    #[error("{provider} credentials are missing: {detail}")]
    Credentials { provider: &'static str, detail: String },
    /// A field of the request the agent must fix; `problem` says what by code, `message` is its
    /// English (`ProviderError::invalid` keeps the two together).
    #[error("{field}: {message}")]
    Invalid { field: String, problem: crate::codes::CodedError, message: String },
    #[error("{}: {} — {}", .0.code, .0.message, .0.advice)]
    Refused(Refusal),
    /// The request never reached the provider (connection refused, DNS): nothing was charged.
    /// Said by the fault's kind; its technical words stay in the exchange's record and the log.
    #[error(
        "could not reach {provider}: {fault} — check the network and the {provider} address in Settings"
    )]
    Unreachable { provider: &'static str, fault: NetFault },
    /// A read-only call got no answer (a timeout, a connection lost); asking again is safe.
    #[error("{provider} did not answer: {fault} — try again")]
    Lost { provider: &'static str, fault: NetFault },
    /// A call that may have moved money got no clear answer: check before trying again.
    #[error("no clear answer from {provider}: {detail}")]
    Unclear { provider: &'static str, detail: String },
    /// A read-only call got no usable answer; retrying it is safe.
    #[error("{provider} gave no usable answer: {detail}")]
    NoAnswer { provider: &'static str, detail: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payment::Provider;

    #[test]
    fn a_refusal_reads_as_each_history_already_tells_it() {
        let refusal = Refusal {
            code: "4003".into(),
            message: "The card was declined".into(),
            advice: "Use another card or form of payment".into(),
        };
        assert_eq!(
            refusal.sentence(Provider::Travelport),
            "The card was declined — Use another card or form of payment (Travelport 4003)"
        );
        for provider in [Provider::Atrip, Provider::HolidayExtras, Provider::HeiPay] {
            assert_eq!(
                refusal.sentence(provider),
                "The card was declined (4003) — Use another card or form of payment",
                "{provider:?}"
            );
        }
    }
}
