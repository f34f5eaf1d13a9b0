//! The one settle step: a journaled attempt takes the provider's answer to the request that may
//! have moved money, written the same way for every provider (docs/exactly-once.md) — the
//! exchanges on the timeline, then one status change with the attempt row:
//!
//! - **not sent** → `Declined`, "nothing was charged": only when the request provably never left
//!   (for Travelport: the workbench was never committed, and only commit moves money);
//! - **accepted** → `Paid`, with the provider's reference;
//! - **declined** → `Declined`, with the `Refusal`'s sentence;
//! - **ambiguous** → `Unknown`, never "failed", with when to look next — never re-sent blindly.
//!
//! What follows (ATRIP's and Travelport's ticketing, HeiPay's hand-over to a person) stays in the
//! provider's module, which calls this inside its `commit_answer` transaction.

use rusqlite::Transaction;
use serde_json::{json, Value};

use super::journal;
use crate::payment::{Attempt, EventKind, Provider, Status, TimelineEvent};
use crate::providers::http::Exchange;
use crate::providers::{PayOutcome, ProviderError};
use crate::store::StoreError;

/// What one send of a journaled attempt produced.
#[derive(Clone)]
pub(super) struct Sent {
    /// Each exchange with its line on the timeline, in the order sent.
    pub exchanges: Vec<(String, Exchange)>,
    /// The classified answer; `Err` only when the request provably never left.
    pub answer: Result<PayOutcome, ProviderError>,
}

impl Sent {
    /// The exchanges of one request (none when nothing left), each told by the line for its
    /// answer: `[accepted, declined, ambiguous]`.
    pub fn told(
        exchanges: Vec<Exchange>,
        answer: Result<PayOutcome, ProviderError>,
        lines: [&str; 3],
    ) -> Sent {
        let line = match &answer {
            Ok(PayOutcome::Accepted { .. }) => lines[0],
            Ok(PayOutcome::Declined(_)) => lines[1],
            Ok(PayOutcome::Ambiguous { .. }) => lines[2],
            Err(_) => "",
        };
        Sent { exchanges: exchanges.into_iter().map(|e| (line.to_string(), e)).collect(), answer }
    }

    /// The answer says the money moved.
    pub fn accepted(&self) -> bool {
        matches!(self.answer, Ok(PayOutcome::Accepted { .. }))
    }
}

/// How one provider's answer is told, and when an unclear one is looked at next.
pub(super) struct Telling<'a> {
    pub provider: Provider,
    /// Kept beside each exchange and in the status change (HX's paymentId, HeiPay's voucher
    /// link): an object, or `Value::Null` for nothing.
    pub extra: Value,
    /// The attempt's error code when nothing was sent.
    pub not_sent_code: &'static str,
    /// The sentence for a request that never left.
    pub not_sent: &'a dyn Fn(&ProviderError) -> String,
    /// The sentence for a payment taken, from the provider's reference and words.
    pub paid: &'a dyn Fn(Option<&str>, &str) -> String,
    /// The sentence for an unclear answer, from its reason: what Farepoint does next.
    pub unclear: &'a dyn Fn(&str) -> String,
    /// When to look at an unclear attempt (none: the provider cannot be asked).
    pub next_look: Option<i64>,
}

/// The sentence for a request that never left, where nothing more needs saying.
pub(super) fn nothing_charged(e: &ProviderError) -> String {
    format!("Not sent, nothing was charged: {e}")
}

impl Telling<'_> {
    fn data(&self, mut data: Value) -> Value {
        if let (Value::Object(into), Value::Object(extra)) = (&mut data, &self.extra) {
            into.extend(extra.clone());
        }
        data
    }
}

/// Writes `sent` for `attempt` (still `Submitting`, or `Unknown` when a re-send was answered):
/// its exchanges, then the status change. Returns the events, in order.
pub(super) fn settle(
    tx: &Transaction<'_>,
    attempt: &mut Attempt,
    sent: Sent,
    how: &Telling<'_>,
    now: i64,
) -> Result<Vec<TimelineEvent>, StoreError> {
    let mut events = answers(tx, attempt, &sent.exchanges, how, now)?;
    let (to, text, data) = match sent.answer {
        Err(e) => {
            attempt.error_code = Some(how.not_sent_code.into());
            attempt.error_message = Some(e.to_string());
            // The network library's words, which the sentence leaves out, for the details.
            let detail = match &e {
                ProviderError::Unreachable { fault, .. } => Some(fault.detail.clone()),
                _ => None,
            };
            (Status::Declined, (how.not_sent)(&e), json!({ "error": e.to_string(), "detail": detail }))
        }
        Ok(PayOutcome::Accepted { provider_ref, message }) => {
            if provider_ref.is_some() {
                attempt.provider_ref = provider_ref;
            }
            attempt.next_poll_at_ms = None;
            let text = (how.paid)(attempt.provider_ref.as_deref(), &message);
            (Status::Paid, text, json!({ "provider_ref": attempt.provider_ref }))
        }
        Ok(PayOutcome::Declined(refusal)) => {
            attempt.next_poll_at_ms = None;
            attempt.error_code = Some(refusal.code.clone());
            attempt.error_message = Some(refusal.message.clone());
            (Status::Declined, refusal.sentence(how.provider), json!({ "refusal": refusal }))
        }
        Ok(PayOutcome::Ambiguous { reason }) => {
            attempt.error_message = Some(reason.clone());
            attempt.next_poll_at_ms = how.next_look;
            (Status::Unknown, (how.unclear)(&reason), json!({ "reason": reason }))
        }
    };
    events.push(journal::move_to(tx, attempt, to, &text, how.data(data), now)?);
    Ok(events)
}

/// The exchanges of a send on the timeline, each as its own answer event.
pub(super) fn answers(
    tx: &Transaction<'_>,
    attempt: &Attempt,
    exchanges: &[(String, Exchange)],
    how: &Telling<'_>,
    now: i64,
) -> Result<Vec<TimelineEvent>, StoreError> {
    exchanges
        .iter()
        .map(|(line, exchange)| {
            let data = how.data(json!({ "exchange": exchange }));
            journal::record(tx, &attempt.payment_id, EventKind::ProviderAnswer, line, data, now)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Currency, Money};
    use crate::providers::Refusal;
    use crate::store::{self, Store};

    fn exchange(status: Option<u16>) -> Exchange {
        Exchange {
            method: "POST".into(),
            path: "/pay".into(),
            request: json!({ "paymentId": "K1" }),
            status,
            response: json!({ "status": status }),
            elapsed_ms: 12,
            error: None,
            content_type: None,
        }
    }

    /// Journals a payment's first attempt in a real history and settles `sent` for it the way a
    /// provider module does; returns what the history then holds.
    fn settled(sent: Sent) -> (Attempt, crate::payment::Payment, Vec<TimelineEvent>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(&dir.path().join("data")).unwrap();
        let payment = super::super::new_payment(
            Provider::HolidayExtras,
            "sandbox",
            Money::from_minor(4_500, Currency::GBP),
            "Ana".into(),
            crate::subject::Subject::blank(Provider::HolidayExtras),
            "HXB-1".into(),
            None,
        );
        let attempt = super::super::new_attempt(&payment.id, 1, 1_000);
        let id = payment.id.clone();
        store
            .write_blocking(move |conn| {
                let tx = conn.transaction()?;
                store::insert_payment(&tx, &payment)?;
                super::super::journal_attempt(&tx, attempt.clone(), 1_000)?;
                let mut attempt = Attempt { status: Status::Submitting, ..attempt };
                let key = attempt.idempotency_key.clone();
                let how = Telling {
                    provider: Provider::HolidayExtras,
                    extra: json!({ "payment_id": key }),
                    not_sent_code: "not_sent",
                    not_sent: &nothing_charged,
                    paid: &|id, _| format!("Paid — payment {}", id.unwrap_or_default()),
                    unclear: &|reason| format!("No clear answer ({reason})"),
                    next_look: Some(5_000),
                };
                settle(&tx, &mut attempt, sent, &how, 2_000)?;
                tx.commit()?;
                Ok(())
            })
            .unwrap();
        store
            .read_blocking(move |c| {
                let attempt = store::attempts_for(c, &id)?.remove(0);
                Ok((attempt, store::get_payment(c, &id)?, store::events_for(c, &id)?))
            })
            .unwrap()
    }

    fn answered(answer: PayOutcome) -> Sent {
        Sent::told(vec![exchange(Some(200))], Ok(answer), ["took", "refused", "unclear"])
    }

    #[test]
    fn not_sent_is_a_decline_that_says_nothing_was_charged_and_records_no_answer() {
        let error = ProviderError::Unreachable {
            provider: "Holiday Extras",
            fault: crate::providers::network::NetFault::new(
                crate::providers::network::NetKind::Refused,
                "tcp connect error: Connection refused (os error 111)",
            ),
        };
        let (attempt, payment, events) = settled(Sent { exchanges: Vec::new(), answer: Err(error.clone()) });
        assert_eq!((payment.status, attempt.status), (Status::Declined, Status::Declined));
        assert_eq!(attempt.error_code.as_deref(), Some("not_sent"));
        assert_eq!(attempt.error_message, Some(error.to_string()));
        assert!(!events.iter().any(|e| e.kind == EventKind::ProviderAnswer));
        let last = events.last().unwrap();
        assert_eq!(last.message, format!("Not sent, nothing was charged: {error}"));
        assert_eq!(last.data["error"], error.to_string());
    }

    #[test]
    fn accepted_is_paid_with_the_providers_reference_after_its_exchange() {
        let (attempt, payment, events) = settled(answered(PayOutcome::Accepted {
            provider_ref: Some("K1".into()),
            message: String::new(),
        }));
        assert_eq!((payment.status, attempt.status), (Status::Paid, Status::Paid));
        assert_eq!((attempt.provider_ref.as_deref(), attempt.next_poll_at_ms), (Some("K1"), None));
        let n = events.len();
        let (answer, paid) = (&events[n - 2], &events[n - 1]);
        assert_eq!((answer.kind, answer.message.as_str()), (EventKind::ProviderAnswer, "took"));
        assert_eq!(answer.data["exchange"]["request"]["paymentId"], "K1");
        assert_eq!(answer.data["payment_id"], attempt.idempotency_key, "the provider's extra is kept");
        assert_eq!(paid.message, "Paid — payment K1");
        assert_eq!(paid.data["provider_ref"], "K1");
    }

    #[test]
    fn declined_keeps_the_code_and_tells_the_refusals_sentence() {
        let refusal = Refusal {
            code: "FAIL 400".into(),
            message: "Declined".into(),
            advice: "Use another card".into(),
        };
        let (attempt, payment, events) = settled(answered(PayOutcome::Declined(refusal.clone())));
        assert_eq!((payment.status, attempt.status), (Status::Declined, Status::Declined));
        assert_eq!(attempt.error_code.as_deref(), Some("FAIL 400"));
        assert_eq!(attempt.error_message.as_deref(), Some("Declined"));
        let last = events.last().unwrap();
        assert_eq!(last.message, refusal.sentence(Provider::HolidayExtras));
        assert_eq!(last.data["refusal"]["code"], "FAIL 400");
    }

    #[test]
    fn ambiguous_is_unknown_with_the_next_look_never_a_decline() {
        let (attempt, payment, events) =
            settled(answered(PayOutcome::Ambiguous { reason: "timed out".into() }));
        assert_eq!((payment.status, attempt.status), (Status::Unknown, Status::Unknown));
        assert_eq!(attempt.next_poll_at_ms, Some(5_000));
        assert_eq!((attempt.error_code, attempt.error_message.as_deref()), (None, Some("timed out")));
        assert_eq!(events.last().unwrap().message, "No clear answer (timed out)");
        assert_eq!(events.iter().filter(|e| e.kind == EventKind::ProviderAnswer).count(), 1);
    }
}
