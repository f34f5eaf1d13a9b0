//! Holiday Extras through the engine: check, journal the `paymentId`, `/pay`, and refund.
//!
//! The attempt's idempotency key is the `paymentId`; it is committed before the request leaves.
//! HX has no status endpoint. Its page says a `paymentId` that already exists makes a payment
//! fail, so an ambiguous answer is reconciled by re-sending the very same request — the one
//! re-send that cannot charge twice: SUCCESS means this request was the payment. A FAIL to that
//! re-send proves nothing: HX documents a single failure body (`"Failed to make payment"`) for a
//! declined card and a reused id alike, and no status code for either. So it goes to a person
//! (`NeedsReview`), never to `Declined` — a decline would invite a second charge.

use serde_json::json;

use super::refund::RefundEnd;
use super::settle::{self, Sent, Telling};
use super::{journal, new_payment, Engine, EngineError, PaymentRecord, Watch};
use crate::codes::{CodedError, ErrorCode};
use crate::money::Money;
use crate::now_ms;
use crate::payment::{Attempt, EventKind, Payment, Provider, RefundStatus, Status, TimelineEvent};
/// Defined beside the client so it is reachable before `engine` re-exports it.
pub use crate::providers::holidayextras::HolidayExtrasPayment;
use crate::providers::holidayextras::{HolidayExtrasClient, PayAnswer, PayRequest, RefundAnswer};
use crate::providers::{Call, PayOutcome, ProviderError};
use crate::store::{self, StoreError};
use crate::subject::{HolidayExtrasSubject, Subject};

/// Whether this answer is to the first send or to a reconciling re-send.
#[derive(Clone, Copy)]
enum Round {
    First { first_look: i64 },
    Again { next: i64, past_deadline: bool },
}

impl Engine {
    fn holidayextras(&self) -> Result<&HolidayExtrasClient, EngineError> {
        self.inner
            .clients
            .holidayextras
            .as_ref()
            .ok_or(EngineError::NotConfigured { provider: "Holiday Extras" })
    }

    /// Charges a Holiday Extras token. Returns once HX's answer (or its absence) is committed.
    pub async fn pay_holidayextras(
        &self,
        request: HolidayExtrasPayment,
    ) -> Result<PaymentRecord, EngineError> {
        // Nothing is asked of the provider for an act nobody could be recorded doing.
        self.acting()?;
        let client = self.holidayextras()?;
        let HolidayExtrasPayment { token, payment_reference, amount, customer, postal_code, country_code } =
            request;
        let req = client.check_pay(
            &token,
            &payment_reference,
            amount,
            postal_code.as_deref(),
            country_code.as_deref(),
        )?;
        let customer = check_customer(&customer)?;
        // A paid one does not block: HX groups several payments under one reference.
        self.ensure_not_busy(Provider::HolidayExtras, &req.payment_reference).await?;

        let version = client.version();
        let subject = Subject::HolidayExtras(HolidayExtrasSubject {
            token: req.token.clone(),
            payment_reference: req.payment_reference.clone(),
            version: Some(version),
            postal_code: req.postal_code.clone(),
            country_code: req.country_code.clone(),
            other: Default::default(),
        });
        let payment = new_payment(
            Provider::HolidayExtras,
            &self.inner.profile,
            req.amount,
            customer,
            subject,
            req.payment_reference.clone(),
            None,
        );
        let payment_id = payment.id.clone();
        let intro = format!(
            "Holiday Extras: {} to charge to token …{} for {} ({})",
            req.amount,
            &req.token[req.token.len().saturating_sub(4)..],
            req.payment_reference,
            version.label()
        );
        let attempt = self.journal_new(payment, (intro, json!({ "version": version }))).await?;
        self.send_holidayextras(attempt, &req).await?;
        self.record(&payment_id).await
    }

    /// A new attempt after a definite decline: the same token, reference and amount, with a new
    /// `paymentId` (the declined one exists at HX and cannot be used again).
    pub async fn retry_holidayextras(&self, payment_id: &str) -> Result<PaymentRecord, EngineError> {
        // Nothing is asked of the provider for an act nobody could be recorded doing.
        self.acting()?;
        let client = self.holidayextras()?;
        let record = self.record(payment_id).await?;
        record.require(Status::Declined)?;
        // The stored request's own field is not on the retry's form: the refusal is the payment's.
        let req = same_request(client, &record.payment).map_err(|e| match e {
            ProviderError::Invalid { problem, .. } => invalid("payment", problem),
            other => other.into(),
        })?;
        let note = (format!("New attempt for {}", record.payment.amount), json!({}));
        let attempt = self.journal_retry(&record, None, note).await?;
        self.send_holidayextras(attempt, &req).await?;
        self.record(payment_id).await
    }

    /// Sends a journaled attempt and commits HX's answer (or its absence).
    async fn send_holidayextras(&self, attempt: Attempt, req: &PayRequest) -> Result<(), EngineError> {
        // The key journaled with the attempt is the paymentId: HX can never take it twice.
        let sent = self.holidayextras()?.pay(&attempt.idempotency_key, req).await;
        let now = now_ms();
        let first_look = now + self.policy(Provider::HolidayExtras).first_after.as_millis() as i64;
        let paid = matches!(&sent, Ok(Call { result: PayAnswer::Paid { .. }, .. }));
        let pid = attempt.payment_id.clone();
        let unknown = self
            .commit_answer(&pid, "Holiday Extras", (false, paid), move |tx| {
                let mut attempt = attempt.clone();
                let events = settle_pay(tx, &mut attempt, sent.clone(), Round::First { first_look }, now)?;
                Ok((attempt.status == Status::Unknown, events))
            })
            .await?;
        if unknown {
            self.wake_poller();
        }
        Ok(())
    }

    /// Reconciles an `Unknown` HX attempt by re-sending the same request with the same
    /// `paymentId` — safe, because HX refuses a payment id it already has.
    pub(super) async fn poll_holidayextras(
        &self,
        payment: Payment,
        attempt: Attempt,
    ) -> Result<(), EngineError> {
        if attempt.status != Status::Unknown {
            return self.unschedule(attempt).await; // a paid HX payment has nothing to follow
        }
        let client = self.holidayextras()?;
        let policy = self.policy(Provider::HolidayExtras);
        let Watch { age, watched_ms } = self.watch(&attempt);
        let past_deadline = age >= policy.deadline;

        let (sent, why) = match same_request(client, &payment) {
            Ok(req) => (Some(client.pay(&attempt.idempotency_key, &req).await), String::new()),
            Err(e) => {
                let why = match e {
                    ProviderError::Invalid { field, message, .. } if field == "payment" => message,
                    other => other.to_string(),
                };
                tracing::warn!(payment = %payment.reference, "HX re-send impossible: {why}");
                (None, why)
            }
        };
        let now = now_ms();
        let next = now + policy.next_delay(age).as_millis() as i64;
        let key = attempt.idempotency_key.clone();
        // A re-send that HX answered cannot be asked again with the same result (a second
        // re-send of a taken paymentId fails): its answer is kept until it is saved.
        let paid = matches!(&sent, Some(Ok(Call { result: PayAnswer::Paid { .. }, .. })));
        self.commit_answer(&payment.id, "Holiday Extras", (false, paid), move |tx| {
            let mut attempt = store::get_attempt(tx, &attempt.id)?;
            if attempt.next_poll_at_ms.is_none() || attempt.status != Status::Unknown {
                return Ok(((), Vec::new())); // settled meanwhile
            }
            attempt.watched_ms = watched_ms;
            let Some(sent) = sent.clone() else {
                attempt.next_poll_at_ms = None;
                let text = format!("Farepoint cannot re-send this payment with this profile's Holiday Extras settings ({why}) — check paymentId {key} in the Holiday Extras portal and record what it shows");
                return Ok(((), vec![journal::move_to(tx, &mut attempt, Status::NeedsReview, &text, json!({ "payment_id": key }), now)?]));
            };
            let events = settle_pay(tx, &mut attempt, sent, Round::Again { next, past_deadline }, now)?;
            Ok(((), events))
        })
        .await
    }

    async fn unschedule(&self, attempt: Attempt) -> Result<(), EngineError> {
        self.commit(move |tx| {
            let mut attempt = store::get_attempt(tx, &attempt.id)?;
            attempt.next_poll_at_ms = None;
            store::update_attempt(tx, &attempt)?;
            Ok(((), Vec::new()))
        })
        .await
    }

    /// Refunds a paid HX payment: all that is left to refund unless `amount` says less. The
    /// refund is journaled before it is sent (see `refund.rs`). HX's refund takes no id of ours,
    /// so it is never re-sent: an unclear answer leaves the refund `Unclear` for a person.
    pub async fn refund_holidayextras(
        &self,
        payment_id: &str,
        amount: Option<Money>,
    ) -> Result<PaymentRecord, EngineError> {
        // Nothing is asked of the provider for an act nobody could be recorded doing.
        self.acting()?;
        let client = self.holidayextras()?;
        // Taken before the payment is read, so a check of the payment cannot run beside it.
        let Some(_one_at_a_time) = self.take_in_flight(payment_id) else {
            return Err(invalid("payment", CodedError::new(ErrorCode::RefundRunning)));
        };
        let record = self.record(payment_id).await?;
        let payment = &record.payment;
        if payment.provider != Provider::HolidayExtras {
            return Err(invalid("payment", CodedError::new(ErrorCode::RefundHxOnly)));
        }
        record.require(Status::Paid)?;
        let attempt = record.attempts.last().cloned().expect("a paid payment has an attempt");
        let hx_ids = vec![attempt.provider_ref.clone().unwrap_or_else(|| attempt.idempotency_key.clone())];

        let ids = hx_ids.clone();
        let refund = self
            .journal_refund(&record, amount, move |amount| {
                let text = format!("Refund of {amount} requested — sending it to Holiday Extras");
                (text, json!({ "payments": ids, "amount": amount }))
            })
            .await?;
        let amount = refund.amount;
        let of_total = payment.amount;

        let sent = client.refund(&hx_ids, amount).await;

        let (end, outcome, call) = refund_end(sent, amount, of_total);
        let pid = payment_id.to_string();
        self.settle_refund(refund, "Holiday Extras", end, move |tx| {
            let Some((message, exchange)) = &call else { return Ok(Vec::new()) };
            let data = json!({ "exchange": exchange });
            Ok(vec![journal::record(tx, &pid, EventKind::ProviderAnswer, message, data, now_ms())?])
        })
        .await?;
        outcome?;
        self.record(payment_id).await
    }
}

/// How HX's answer to a `/refund` ends the refund: the refund's new state, what the agent's call
/// returns, and the answer to put on the timeline (none when nothing was sent).
fn refund_end(
    sent: Result<Call<RefundAnswer>, ProviderError>,
    amount: Money,
    of_total: Money,
) -> (RefundEnd, Result<(), EngineError>, Option<(&'static str, crate::providers::http::Exchange)>) {
    let call = match sent {
        Ok(call) => call,
        Err(e) => {
            let end = RefundEnd {
                status: RefundStatus::Declined,
                provider_ref: None,
                note: Some(format!("not sent: {e}")),
                text: format!("Refund of {amount} not sent ({e}) — nothing was refunded"),
                data: json!({}),
            };
            return (end, Err(e.into()), None);
        }
    };
    let said = match &call.result {
        RefundAnswer::Refunded { .. } => "Holiday Extras made the refund",
        RefundAnswer::Refused { .. } => "Holiday Extras refused the refund",
        RefundAnswer::Ambiguous { .. } => "Holiday Extras gave no clear answer to the refund",
    };
    let (end, outcome) = match call.result {
        RefundAnswer::Refunded { id, note } => {
            let which = id.as_deref().map(|i| format!(" (Holiday Extras refund {i})")).unwrap_or_default();
            let end = RefundEnd {
                status: RefundStatus::Refunded,
                text: format!("Refunded {amount} of {of_total}{which}"),
                data: json!({ "refund_id": id }),
                provider_ref: id,
                note,
            };
            (end, Ok(()))
        }
        RefundAnswer::Refused { refusal, .. } => {
            let end = RefundEnd {
                status: RefundStatus::Declined,
                provider_ref: None,
                note: Some(format!("{} ({})", refusal.message, refusal.code)),
                text: format!(
                    "Refund of {amount} refused — nothing refunded: {}",
                    refusal.sentence(Provider::HolidayExtras)
                ),
                data: json!({ "refusal": refusal }),
            };
            (end, Err(ProviderError::Refused(refusal).into()))
        }
        RefundAnswer::Ambiguous { reason } => {
            let end = RefundEnd {
                status: RefundStatus::Unclear,
                provider_ref: None,
                note: Some(reason.clone()),
                text: format!("No clear answer to the refund of {amount} ({reason}) — it may or may not have been made. Check the payment in the Holiday Extras portal and record what it shows; Farepoint will not send it again"),
                data: json!({ "reason": reason }),
            };
            let detail = format!(
                "{reason} — the refund may or may not have been made; check the payment in the Holiday Extras portal and record what it shows before refunding again"
            );
            (end, Err(ProviderError::Unclear { provider: "Holiday Extras", detail }.into()))
        }
    };
    (end, outcome, call.exchanges.into_iter().next().map(|exchange| (said, exchange)))
}

/// Commits HX's answer to a `/pay` (first send or re-send) for `attempt`. A first send settles
/// as any provider's; an answered re-send settles only when it says paid.
fn settle_pay(
    tx: &rusqlite::Transaction<'_>,
    attempt: &mut Attempt,
    sent: Result<Call<PayAnswer>, ProviderError>,
    round: Round,
    now: i64,
) -> Result<Vec<TimelineEvent>, StoreError> {
    let key = attempt.idempotency_key.clone();
    let how = Telling {
        provider: Provider::HolidayExtras,
        extra: json!({ "payment_id": key }),
        not_sent_code: "not_sent",
        not_sent: &settle::nothing_charged,
        paid: &|id, _| format!("Paid — Holiday Extras payment {}", id.unwrap_or_default()),
        unclear: &|reason| {
            format!("No clear answer ({reason}) — re-sending with the same paymentId {key}, which Holiday Extras cannot charge twice")
        },
        // A first send's unclear answer is re-sent from its first look on.
        next_look: match round {
            Round::First { first_look } => Some(first_look),
            Round::Again { next, .. } => Some(next),
        },
    };
    let (exchanges, answer, note) = match sent {
        Ok(Call { exchanges, result }) => {
            let (answer, note) = match result {
                PayAnswer::Paid { id, note } => {
                    (PayOutcome::Accepted { provider_ref: Some(id), message: String::new() }, note)
                }
                PayAnswer::Refused { refusal, .. } => (PayOutcome::Declined(refusal), None),
                PayAnswer::Ambiguous { reason } => (PayOutcome::Ambiguous { reason }, None),
            };
            (exchanges, Ok(answer), note)
        }
        Err(e) => (Vec::new(), Err(e), None),
    };
    let said = [
        "Holiday Extras took the payment",
        "Holiday Extras refused the payment",
        "Holiday Extras gave no clear answer",
    ];
    let lines = said.map(|said| match round {
        Round::First { .. } => said.to_string(),
        Round::Again { .. } => format!("Re-sent with the same paymentId {key}: {said}"),
    });
    let sent = Sent::told(exchanges, answer, lines.each_ref().map(String::as_str));

    let mut events = Vec::new();
    match (&sent.answer, round) {
        (Err(e), Round::Again { next, past_deadline }) => {
            tracing::info!(payment_id = %key, "HX re-send not sent: {e}");
            events.extend(still_unknown(tx, attempt, &e.to_string(), next, past_deadline, now)?);
        }
        (Ok(PayOutcome::Declined(refusal)), Round::Again { .. }) => {
            // The same FAIL answers "this paymentId already exists" (the first request reached
            // HX and may have been charged) and "declined": only the portal can tell.
            events.extend(settle::answers(tx, attempt, &sent.exchanges, &how, now)?);
            let text = format!("Holiday Extras refused the re-sent payment ({}: {}). That does not tell whether the first request was charged: Holiday Extras answers a paymentId it already has with the same failure. Check paymentId {key} in the Holiday Extras portal and record what it shows — do not take this payment again until then", refusal.code, refusal.message);
            let data = json!({ "payment_id": key, "refusal": refusal });
            events.extend(to_review(tx, attempt, &text, data, now)?);
        }
        (Ok(PayOutcome::Ambiguous { reason }), Round::Again { next, past_deadline }) => {
            events.extend(settle::answers(tx, attempt, &sent.exchanges, &how, now)?);
            events.extend(still_unknown(tx, attempt, reason, next, past_deadline, now)?);
        }
        // A first send's answer, or a re-send that says paid.
        _ => {
            events.extend(settle::settle(tx, attempt, sent, &how, now)?);
            if let (Status::Paid, Some(note)) = (attempt.status, note) {
                let e = journal::record(tx, &attempt.payment_id, EventKind::Note, &note, json!({}), now)?;
                events.push(e);
            }
        }
    }
    Ok(events)
}

/// `Unknown` → `NeedsReview` (via `Unknown` when the attempt is still `Submitting`).
fn to_review(
    tx: &rusqlite::Transaction<'_>,
    attempt: &mut Attempt,
    text: &str,
    data: serde_json::Value,
    now: i64,
) -> Result<Vec<TimelineEvent>, StoreError> {
    let mut events = Vec::new();
    attempt.next_poll_at_ms = None;
    if attempt.status == Status::Submitting {
        let first = "No definite answer from Holiday Extras";
        events.push(journal::move_to(tx, attempt, Status::Unknown, first, json!({}), now)?);
    }
    events.push(journal::move_to(tx, attempt, Status::NeedsReview, text, data, now)?);
    Ok(events)
}

/// Still no answer to a re-send: try again later, or hand over to a person past the deadline.
fn still_unknown(
    tx: &rusqlite::Transaction<'_>,
    attempt: &mut Attempt,
    reason: &str,
    next: i64,
    past_deadline: bool,
    now: i64,
) -> Result<Vec<TimelineEvent>, StoreError> {
    if past_deadline {
        let key = attempt.idempotency_key.clone();
        let text = format!("No final answer from Holiday Extras in time ({reason}) — check paymentId {key} in the Holiday Extras portal and record what it shows");
        return to_review(tx, attempt, &text, json!({ "payment_id": key }), now);
    }
    attempt.error_message = Some(reason.to_string());
    attempt.next_poll_at_ms = Some(next);
    store::update_attempt(tx, attempt)?;
    Ok(Vec::new())
}

/// The request of the first send, rebuilt from the payment, checked for this profile.
fn same_request(client: &HolidayExtrasClient, payment: &Payment) -> Result<PayRequest, ProviderError> {
    let refuse = |code| ProviderError::invalid("payment", CodedError::new(code));
    let s = payment.subject.holidayextras().ok_or_else(|| refuse(ErrorCode::StoredNotHx))?;
    let version = s.version.ok_or_else(|| refuse(ErrorCode::StoredNoVersion))?;
    // Another version is another request (body, Accept): only the one first sent is re-sent.
    if version != client.version() {
        let problem = CodedError::new(ErrorCode::HxVersionChanged)
            .with("sent", version.label())
            .with("now", client.version().label());
        return Err(ProviderError::invalid("payment", problem));
    }
    client.check_pay(
        &s.token,
        &s.payment_reference,
        payment.amount,
        s.postal_code.as_deref(),
        s.country_code.as_deref(),
    )
}

fn invalid(field: &str, problem: CodedError) -> EngineError {
    ProviderError::invalid(field, problem).into()
}

fn check_customer(name: &str) -> Result<String, EngineError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    const CUSTOMER_MAX: usize = 100;
    if name.is_empty() || name.chars().count() > CUSTOMER_MAX {
        return Err(invalid("customer", CodedError::new(ErrorCode::CustomerName).with("max", CUSTOMER_MAX)));
    }
    Ok(name)
}
