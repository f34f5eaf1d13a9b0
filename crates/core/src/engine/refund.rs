//! Refunds, whatever the provider: each is a row of its own, journaled `Sending` before the
//! request leaves and settled by the answer — `Refunded`, `Declined` (nothing went back) or
//! `Unclear` (it may or may not have been made). A provider that cannot be asked about a refund
//! leaves an unclear one to a person, who records what its portal shows. One refund of a payment
//! is open at a time, and the refunds never add up to more than was charged (the schema enforces
//! both as well). A part refund leaves the payment `Paid` with the rest still refundable; the
//! refund that brings the total to the amount charged moves it to `Refunded`.

use serde_json::{json, Value};

use super::{journal, Engine, EngineError, PaymentRecord};
use crate::agents::Actor;
use crate::codes::{CodedError, ErrorCode};
use crate::money::Money;
use crate::now_ms;
use crate::payment::{EventKind, NewEvent, Provider, Refund, RefundStatus, Status, TimelineEvent};
use crate::providers::ProviderError;
use crate::store::{self, StoreError};

/// How a sent refund ended, as the provider's module read its answer.
pub(super) struct RefundEnd {
    pub status: RefundStatus,
    pub provider_ref: Option<String>,
    /// Why, in words kept with the refund (a refusal, an unclear answer).
    pub note: Option<String>,
    /// The timeline's sentence for it.
    pub text: String,
    pub data: Value,
}

impl PaymentRecord {
    /// Money given back so far: the refunds that were made.
    pub fn refunded(&self) -> Money {
        let minor =
            self.refunds.iter().filter(|r| r.status == RefundStatus::Refunded).map(|r| r.amount.minor).sum();
        Money::from_minor(minor, self.payment.amount.currency)
    }

    /// What a new refund may still give back: the amount charged less every refund that was
    /// made or may have been.
    pub fn refundable(&self) -> Money {
        let taken: i64 =
            self.refunds.iter().filter(|r| r.status != RefundStatus::Declined).map(|r| r.amount.minor).sum();
        Money::from_minor((self.payment.amount.minor - taken).max(0), self.payment.amount.currency)
    }

    /// The refund being sent or waiting for a person, if any.
    pub fn open_refund(&self) -> Option<&Refund> {
        self.refunds.iter().find(|r| r.status.is_open())
    }

    /// Whether a new refund may be asked for now: a paid payment of a provider Farepoint can
    /// refund through, with something left and no other refund open.
    pub fn can_refund(&self) -> bool {
        self.payment.provider == Provider::HolidayExtras
            && self.payment.status == Status::Paid
            && self.open_refund().is_none()
            && self.refundable().minor > 0
    }
}

impl Engine {
    /// Journals a refund of `amount` (by default all that is refundable) as `Sending`, with the
    /// timeline event `sending(amount)` returns, before anything is sent. Refused plainly while
    /// another refund is open, when the payment is not `Paid`, or above what is refundable — the
    /// checks run inside the transaction, where the single writer makes them final.
    pub(super) async fn journal_refund(
        &self,
        record: &PaymentRecord,
        amount: Option<Money>,
        sending: impl FnOnce(Money) -> (String, Value) + Send + 'static,
    ) -> Result<Refund, EngineError> {
        let by = self.acting()?;
        let payment_id = record.payment.id.clone();
        let charged = record.payment.amount;
        let reference = record.payment.reference.clone();
        let now = now_ms();
        self.commit(move |tx| {
            let payment = store::get_payment(tx, &payment_id)?;
            let current = PaymentRecord {
                refunds: store::refunds_for(tx, &payment_id)?,
                payment,
                attempts: Vec::new(),
                tickets: Vec::new(),
                timeline: Vec::new(),
            };
            if current.payment.status != Status::Paid {
                return Ok((
                    Err(EngineError::WrongState {
                        reference,
                        status: current.payment.status,
                        needed: Status::Paid.as_str(),
                    }),
                    Vec::new(),
                ));
            }
            if let Some(open) = current.open_refund() {
                let why = match open.status {
                    RefundStatus::Sending => ErrorCode::RefundSending,
                    _ => ErrorCode::RefundUnclear,
                };
                return Ok((
                    Err(invalid("payment", CodedError::new(why).with("amount", open.amount))),
                    Vec::new(),
                ));
            }
            let refundable = current.refundable();
            let amount = match check_amount(amount.unwrap_or(refundable), refundable, charged) {
                Ok(amount) => amount,
                Err(e) => return Ok((Err(e), Vec::new())),
            };
            let refund = Refund {
                id: uuid::Uuid::now_v7().to_string(),
                payment_id: payment_id.clone(),
                seq: current.refunds.len() as i64 + 1,
                amount,
                status: RefundStatus::Sending,
                provider_ref: None,
                note: None,
                created_at_ms: now,
                updated_at_ms: now,
                agent: by,
            };
            store::insert_refund(tx, &refund)?;
            let (text, data) = sending(amount);
            let mut data = Actor::stamp(refund.agent.as_ref(), data);
            data["refund"] = json!(refund.seq);
            let event = journal::record(tx, &payment_id, EventKind::Sent, &text, data, now)?;
            Ok((Ok(refund), vec![event]))
        })
        .await?
    }

    /// Commits how a sent refund ended, with the events the provider's module wrote first
    /// (its answer); returns the refund as stored.
    pub(super) async fn settle_refund(
        &self,
        refund: Refund,
        provider: &'static str,
        end: RefundEnd,
        answer: impl Fn(&rusqlite::Transaction<'_>) -> Result<Vec<TimelineEvent>, StoreError>
            + Send
            + Sync
            + 'static,
    ) -> Result<Refund, EngineError> {
        let now = now_ms();
        let made = end.status == RefundStatus::Refunded;
        self.commit_answer(&refund.payment_id.clone(), provider, (true, made), move |tx| {
            let mut events = answer(tx)?;
            let mut refund = store::get_refund(tx, &refund.id)?;
            refund.provider_ref = end.provider_ref.clone().or(refund.provider_ref);
            refund.note = end.note.clone();
            events.extend(move_refund(tx, &mut refund, end.status, &end.text, end.data.clone(), now)?);
            Ok((refund, events))
        })
        .await
    }

    /// Start-up: a refund a crash left `Sending` may or may not have been made. It becomes
    /// `Unclear` — never re-sent, as a refund carries no key of ours that a provider would
    /// recognise — and waits for a person. Returns how many there were.
    pub(super) async fn recover_refunds(&self) -> Result<usize, EngineError> {
        let left = self.inner.store.read(|c| store::refunds_in_status(c, RefundStatus::Sending)).await?;
        let count = left.len();
        for refund in left {
            let now = now_ms();
            self.commit(move |tx| {
                let mut refund = refund;
                let text = format!(
                    "Farepoint stopped while the refund of {} was being sent — it may or may not have been made. Check it in the provider's portal and record what it shows; Farepoint will not send it again",
                    refund.amount
                );
                refund.note = Some("interrupted while being sent".into());
                let events = move_refund(tx, &mut refund, RefundStatus::Unclear, &text, json!({ "reason": "interrupted" }), now)?;
                Ok(((), events))
            })
            .await?;
        }
        Ok(count)
    }

    /// The agent's answer for an unclear refund, from the provider's portal: it was made
    /// (`refunded`) or it was not, with a note saying what they saw.
    pub async fn resolve_refund(
        &self,
        payment_id: &str,
        refunded: bool,
        note: &str,
    ) -> Result<PaymentRecord, EngineError> {
        let by = self.acting()?;
        let record = self.record(payment_id).await?;
        let Some(open) = record.open_refund().filter(|r| r.status == RefundStatus::Unclear).cloned() else {
            return Err(invalid("payment", CodedError::new(ErrorCode::RefundNoneUnclear)));
        };
        let note = note.trim().to_string();
        if note.is_empty() {
            return Err(invalid("note", CodedError::new(ErrorCode::NoteRequired)));
        }
        let now = now_ms();
        self.commit(move |tx| {
            let mut refund = store::get_refund(tx, &open.id)?;
            if refund.status != RefundStatus::Unclear {
                return Ok((
                    Err(invalid("payment", CodedError::new(ErrorCode::RefundResolvedMeanwhile))),
                    Vec::new(),
                ));
            }
            let (to, said) = if refunded {
                (
                    RefundStatus::Refunded,
                    format!("Refund of {} resolved by the agent as made: {note}", refund.amount),
                )
            } else {
                (
                    RefundStatus::Declined,
                    format!("Refund of {} resolved by the agent as not made: {note}", refund.amount),
                )
            };
            refund.note = Some(note.clone());
            let data = Actor::stamp(by.as_ref(), json!({ "resolution": to.as_str(), "note": note }));
            Ok((Ok(()), move_refund(tx, &mut refund, to, &said, data, now)?))
        })
        .await??;
        self.record(payment_id).await
    }
}

/// Moves `refund` to `to` and says so on the payment's timeline; the refund that brings the
/// refunds made to the amount charged also moves the payment `Paid` → `Refunded`.
fn move_refund(
    tx: &rusqlite::Transaction<'_>,
    refund: &mut Refund,
    to: RefundStatus,
    text: &str,
    mut data: Value,
    now: i64,
) -> Result<Vec<TimelineEvent>, StoreError> {
    refund.status = to;
    refund.updated_at_ms = now;
    store::update_refund(tx, refund)?;
    data["refund"] = json!(refund.seq);
    data["refund_status"] = json!(to.as_str());
    data["amount"] = json!(refund.amount);
    let payment = store::get_payment(tx, &refund.payment_id)?;
    let made: i64 = store::refunds_for(tx, &refund.payment_id)?
        .iter()
        .filter(|r| r.status == RefundStatus::Refunded)
        .map(|r| r.amount.minor)
        .sum();
    let event =
        if to == RefundStatus::Refunded && made >= payment.amount.minor && payment.status == Status::Paid {
            let event = NewEvent {
                at_ms: now,
                kind: EventKind::Transition,
                status_before: None,
                status_after: None,
                message: text.into(),
                data,
            };
            store::transition_payment(tx, &refund.payment_id, Status::Refunded, event)?
        } else {
            journal::record(tx, &refund.payment_id, EventKind::Note, text, data, now)?
        };
    Ok(vec![event])
}

fn invalid(field: &str, problem: CodedError) -> EngineError {
    ProviderError::invalid(field, problem).into()
}

/// More than 0, at most what is refundable, in the payment's currency.
fn check_amount(amount: Money, refundable: Money, charged: Money) -> Result<Money, EngineError> {
    if amount.currency != charged.currency {
        return Err(invalid(
            "amount",
            CodedError::new(ErrorCode::RefundCurrency).with("currency", charged.currency),
        ));
    }
    if refundable.minor == 0 {
        return Err(invalid("amount", CodedError::new(ErrorCode::RefundedAll).with("charged", charged)));
    }
    if amount.minor <= 0 || amount.minor > refundable.minor {
        let problem = if refundable == charged {
            CodedError::new(ErrorCode::RefundRange)
        } else {
            CodedError::new(ErrorCode::RefundRangeLeft).with("charged", charged)
        };
        return Err(invalid("amount", problem.with("refundable", refundable)));
    }
    Ok(amount)
}
