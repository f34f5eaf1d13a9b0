//! ATRIP through the engine: read the order, journal, `pay.do`, then follow the order until it
//! is ticketed or cancelled. After any doubt the order is read, never paid again.

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::settle::{self, Sent, Telling};
use super::{journal, new_payment, Engine, EngineError, PaymentRecord, Watch};
use crate::card::Card;
use crate::codes::{CodedError, ErrorCode};
use crate::now_ms;
use crate::payment::{Attempt, EventKind, Payment, Provider, Status, Ticket, TicketKind, TimelineEvent};
use crate::providers::atrip::wire::{card_needed, NextStep};
use crate::providers::atrip::{Method, Order, OrderStatus};
use crate::providers::{Call, PayOutcome, ProviderError};
use crate::store;
use crate::subject::{AtripSubject, Subject};

/// What the agent asks for: pay this order this way.
pub struct AtripPayment {
    pub order_no: String,
    pub method: Method,
    /// Required for VCC and MoR.
    pub card: Option<Card>,
    /// The card holder's device IP for MoR 3-D Secure data.
    pub three_ds_ip: Option<String>,
}

impl Engine {
    fn atrip(&self) -> Result<&crate::providers::atrip::AtripClient, EngineError> {
        self.inner.clients.atrip.as_ref().ok_or(EngineError::NotConfigured { provider: "ATRIP" })
    }

    /// Reads an order so the agent sees its amount, deadline and methods before paying.
    pub async fn atrip_order(&self, order_no: &str) -> Result<Order, EngineError> {
        let order_no = normalize_order_no(order_no)?;
        Ok(self.atrip()?.query_order(&order_no).await.map_err(|(_, e)| e)?.result)
    }

    /// Pays an ATRIP order. Returns once ATRIP's answer is committed; ticketing continues in
    /// the poller.
    pub async fn pay_atrip(&self, request: AtripPayment) -> Result<PaymentRecord, EngineError> {
        // Nothing is asked of the provider for an act nobody could be recorded doing.
        self.acting()?;
        let AtripPayment { order_no, method, card, three_ds_ip } = request;
        let client = self.atrip()?;
        let order_no = normalize_order_no(&order_no)?;
        if method.needs_card() && card.is_none() {
            return Err(card_needed(method).into());
        }
        self.ensure_not_busy(Provider::Atrip, &order_no).await?;

        // Read the order first: its amount, deadline and methods decide what may be sent.
        let read = client.query_order(&order_no).await.map_err(|(_, e)| e)?;
        let order = read.result;
        order.check_payable(method, OffsetDateTime::now_utc())?;

        let customer = order.passengers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
        // The amounts as ATRIP states them, each in its own currency: its technical fee beside the
        // total, and the airline's price (the reference a VCC is made out for).
        let subject = Subject::Atrip(AtripSubject::new(
            &order_no,
            order.pnr_code.clone(),
            method,
            order.transaction_fee,
            order.vendor_total,
        ));
        let payment = new_payment(
            Provider::Atrip,
            &self.inner.profile,
            order.total,
            customer,
            subject,
            order_no.clone(),
            card.as_ref().filter(|_| method.needs_card()).map(Card::summary),
        );
        let payment_id = payment.id.clone();
        let intro = format!("ATRIP order {order_no}: {} to pay by {}", order.total, method.label());
        let attempt = self.journal_new(payment, (intro, exchange_data(read.exchanges))).await?;
        self.send_atrip(attempt, &order_no, method, card, three_ds_ip).await?;
        self.record(&payment_id).await
    }

    /// A new attempt for a payment whose last attempt was declined: same order, same amount,
    /// perhaps another method or card. The order is read again first.
    pub async fn retry_atrip(
        &self,
        payment_id: &str,
        request: AtripPayment,
    ) -> Result<PaymentRecord, EngineError> {
        // Nothing is asked of the provider for an act nobody could be recorded doing.
        self.acting()?;
        let AtripPayment { method, card, three_ds_ip, .. } = request;
        let record = self.record(payment_id).await?;
        record.require(Status::Declined)?;
        let order_no = record.payment.subject_key.clone();
        if method.needs_card() && card.is_none() {
            return Err(card_needed(method).into());
        }
        let read = self.atrip()?.query_order(&order_no).await.map_err(|(_, e)| e)?;
        read.result.check_payable(method, OffsetDateTime::now_utc())?;
        let note = format!("New attempt: pay by {}", method.label());
        let summary = card.as_ref().filter(|_| method.needs_card()).map(Card::summary);
        let attempt = self.journal_retry(&record, summary, (note, exchange_data(read.exchanges))).await?;
        self.send_atrip(attempt, &order_no, method, card, three_ds_ip).await?;
        self.record(payment_id).await
    }

    /// A refusal whose published meaning leaves the money unclear ("some error happened with the
    /// payment gateway") stands only if the order then shows unpaid with no trace of a payment;
    /// otherwise the attempt is `Unknown` and the order is followed, never paid again.
    async fn confirm_refusal(&self, order_no: &str, refusal: crate::providers::Refusal) -> PayOutcome {
        match self.atrip().map(|c| c.query_order(order_no)) {
            Ok(query) => match query.await {
                Ok(read) if read.result.proves_unpaid() => PayOutcome::Declined(refusal),
                Ok(_) => PayOutcome::Ambiguous {
                    reason: format!(
                        "ATRIP answered {} ({}), yet the order shows a payment",
                        refusal.code, refusal.message
                    ),
                },
                Err((_, e)) => PayOutcome::Ambiguous {
                    reason: format!(
                        "ATRIP answered {} ({}), and the order could not be checked ({e})",
                        refusal.code, refusal.message
                    ),
                },
            },
            Err(e) => PayOutcome::Ambiguous { reason: e.to_string() },
        }
    }

    /// Sends a journaled attempt's `pay.do` and commits what ATRIP answered.
    async fn send_atrip(
        &self,
        attempt: Attempt,
        order_no: &str,
        method: Method,
        card: Option<Card>,
        three_ds_ip: Option<String>,
    ) -> Result<(), EngineError> {
        let sent = self.atrip()?.pay(order_no, method, card.as_ref(), three_ds_ip.as_deref()).await;
        drop(card); // the card is not needed past the request: wipe it now
        let sent = match sent {
            Ok(Call { exchanges, result: PayOutcome::Declined(refusal) })
                if crate::providers::atrip::wire::refusal_needs_the_order(&refusal.code) =>
            {
                let result = self.confirm_refusal(order_no, refusal).await;
                Ok(Call { exchanges, result })
            }
            other => other,
        };

        // Without a reference of ATRIP's own, the order number is the payment's.
        let answer = sent.map(|call| match call.result {
            PayOutcome::Accepted { provider_ref, message } => Call {
                exchanges: call.exchanges,
                result: PayOutcome::Accepted {
                    provider_ref: provider_ref.or(Some(order_no.to_string())),
                    message,
                },
            },
            _ => call,
        });
        let sent = match answer {
            Ok(call) => Sent::told(
                call.exchanges,
                Ok(call.result),
                ["ATRIP accepted the payment", "ATRIP refused the payment", "ATRIP gave no clear answer"],
            ),
            Err(e) => Sent { exchanges: Vec::new(), answer: Err(e) },
        };

        let now = now_ms();
        let first_look = now + self.policy(Provider::Atrip).first_after.as_millis() as i64;
        let pid = attempt.payment_id.clone();
        self.commit_answer(&pid, "ATRIP", (false, sent.accepted()), move |tx| {
            let mut attempt = attempt.clone();
            let how = Telling {
                provider: Provider::Atrip,
                extra: Value::Null,
                not_sent_code: "not_sent",
                not_sent: &settle::nothing_charged,
                paid: &|_, _| "Paid".to_string(),
                unclear: &|reason| {
                    format!("No clear answer ({reason}) — checking the order with ATRIP, not paying again")
                },
                next_look: Some(first_look),
            };
            let mut events = settle::settle(tx, &mut attempt, sent.clone(), &how, now)?;
            if attempt.status == Status::Paid {
                attempt.next_poll_at_ms = Some(first_look);
                events.push(journal::move_to(
                    tx,
                    &mut attempt,
                    Status::Ticketing,
                    "Waiting for the airline to issue the tickets",
                    json!({}),
                    now,
                )?);
            }
            Ok(((), events))
        })
        .await?;
        self.wake_poller();
        Ok(())
    }

    /// One follow-up of an ATRIP attempt: reconcile an `Unknown`, or watch `Ticketing`.
    pub(super) async fn poll_atrip(&self, payment: Payment, attempt: Attempt) -> Result<(), EngineError> {
        let policy = self.policy(Provider::Atrip);
        let Watch { age, watched_ms } = self.watch(&attempt);
        let order_no = payment.subject_key.clone();
        let read = self.atrip()?.query_order(&order_no).await;
        let now = now_ms();
        let next = now + policy.next_delay(age).as_millis() as i64;
        let past_deadline = age >= policy.deadline;

        self.commit(move |tx| {
            let mut attempt = store::get_attempt(tx, &attempt.id)?;
            attempt.watched_ms = watched_ms;
            let mut events: Vec<TimelineEvent> = Vec::new();
            if attempt.next_poll_at_ms.is_none() {
                return Ok(((), events)); // settled meanwhile (poll now, or another poller)
            }
            let order = match read {
                Ok(call) => call.result,
                Err((_, e)) => {
                    tracing::info!(%order_no, "ATRIP order check failed: {e}");
                    if past_deadline {
                        attempt.next_poll_at_ms = None;
                        let text = format!("ATRIP could not be asked about the order for too long ({e}) — check it in the ATRIP portal and record what it shows");
                        events.push(journal::move_to(tx, &mut attempt, Status::NeedsReview, &text, json!({}), now)?);
                    } else {
                        attempt.next_poll_at_ms = Some(next);
                        store::update_attempt(tx, &attempt)?;
                    }
                    return Ok(((), events));
                }
            };
            events.extend(record_charges(tx, &attempt.payment_id, &order, now)?);
            let paid = |order: &Order| order.shows_payment();
            let status = attempt.status;
            let reconcile = status == Status::Unknown;
            match (&order.status, status) {
                (OrderStatus::Ticketing | OrderStatus::Ticketed, Status::Unknown) => {
                    events.push(journal::move_to(tx, &mut attempt, Status::Paid, "ATRIP shows the order paid", json!({ "order_status": order.status }), now)?);
                    events.push(journal::move_to(tx, &mut attempt, Status::Ticketing, "Waiting for the airline to issue the tickets", json!({}), now)?);
                }
                (OrderStatus::Cancelled, Status::Unknown) if paid(&order) => {
                    events.push(journal::move_to(tx, &mut attempt, Status::Paid, "ATRIP shows the order paid", json!({}), now)?);
                }
                (OrderStatus::Cancelled, Status::Unknown) => {
                    attempt.next_poll_at_ms = None;
                    events.push(journal::move_to(tx, &mut attempt, Status::Declined, "ATRIP shows the order cancelled and unpaid: nothing was charged", json!({}), now)?);
                    return Ok(((), events));
                }
                (OrderStatus::Unpaid, Status::Unknown) if age >= policy.unpaid_grace && order.proves_unpaid() => {
                    attempt.next_poll_at_ms = None;
                    events.push(journal::move_to(tx, &mut attempt, Status::Declined, "ATRIP shows the order still unpaid, with no payment on it: the payment did not go through — you may pay again", json!({}), now)?);
                    return Ok(((), events));
                }
                (OrderStatus::Unpaid, Status::Unknown) if age >= policy.unpaid_grace => {
                    // Unpaid, yet with a payment method, a payment or an attempt on it: ATRIP's
                    // own answer is contradictory, so a person looks.
                    attempt.next_poll_at_ms = None;
                    events.push(journal::move_to(tx, &mut attempt, Status::NeedsReview, "ATRIP shows the order unpaid but with a payment on it — check the order in the ATRIP portal and record what it shows; do not pay again until then", json!({ "payment_method": order.paid_with, "payment_attempted": order.payment_attempted }), now)?);
                    return Ok(((), events));
                }
                _ => {}
            }
            match (&order.status, attempt.status) {
                (OrderStatus::Ticketed, Status::Ticketing) if order.tickets_issued => {
                    for (passenger, number) in order.tickets() {
                        let ticket = Ticket { number: number.clone(), passenger: passenger.clone(), kind: TicketKind::Ticket, issued_at_ms: now };
                        if store::insert_ticket(tx, &attempt.payment_id, &ticket)? {
                            let text = format!("Ticket {} issued for {passenger}", crate::payment::ticket_number_display(&number));
                            events.push(journal::record(tx, &attempt.payment_id, EventKind::Ticket, &text, json!({ "number": number, "passenger": passenger }), now)?);
                        }
                    }
                    attempt.next_poll_at_ms = None;
                    events.push(journal::move_to(tx, &mut attempt, Status::Ticketed, "Ticketed", json!({ "pnr_code": order.pnr_code }), now)?);
                }
                (OrderStatus::Cancelled, Status::Ticketing | Status::Paid) => {
                    let refusal = order.ticketing_error.clone().unwrap_or_else(|| crate::providers::atrip::wire::refusal("-3", ""));
                    attempt.next_poll_at_ms = None;
                    attempt.error_code = Some(refusal.code.clone());
                    attempt.error_message = Some(refusal.message.clone());
                    let text = refusal.sentence(Provider::Atrip);
                    let next = crate::providers::atrip::wire::next_step(&refusal.code);
                    let data = json!({ "refusal": refusal, "next_step": next, "regenerate": next == NextStep::Regenerate });
                    events.push(journal::move_to(tx, &mut attempt, Status::TicketingFailed, &text, data, now)?);
                }
                (OrderStatus::Unpaid, Status::Ticketing) => {
                    attempt.next_poll_at_ms = None;
                    events.push(journal::move_to(tx, &mut attempt, Status::NeedsReview, "ATRIP accepted the payment but now shows the order unpaid — check it in the ATRIP portal", json!({}), now)?);
                }
                (_, Status::Unknown | Status::Ticketing) if past_deadline => {
                    attempt.next_poll_at_ms = None;
                    events.push(journal::move_to(tx, &mut attempt, Status::NeedsReview, "No final answer from ATRIP in time — check the order in the ATRIP portal and record what it shows", json!({}), now)?);
                }
                _ => {
                    attempt.next_poll_at_ms = Some(next);
                    store::update_attempt(tx, &attempt)?;
                    if reconcile && events.is_empty() {
                        tracing::debug!(%order_no, "ATRIP order not settled yet");
                    }
                }
            }
            Ok(((), events))
        })
        .await
    }

    /// Asks ATRIP for a new order replacing one whose ticketing failed; returns its number.
    pub async fn regenerate_atrip(&self, payment_id: &str) -> Result<String, EngineError> {
        let record = self.record(payment_id).await?;
        record.require(Status::TicketingFailed)?;
        if let Err(problem) = regenerable(&record) {
            return Err(ProviderError::invalid("payment", problem).into());
        }
        let call = self.atrip()?.regenerate(&record.payment.subject_key).await.map_err(|(_, e)| e)?;
        let new_no = call.result.clone();
        let id = payment_id.to_string();
        let now = now_ms();
        self.commit(move |tx| {
            let text = format!("ATRIP made a new order {new_no} to pay instead");
            let e = journal::record(
                tx,
                &id,
                EventKind::Note,
                &text,
                json!({ "new_order_no": new_no, "exchange": call.exchanges.first() }),
                now,
            )?;
            Ok(((), vec![e]))
        })
        .await?;
        Ok(call.result)
    }
}

/// Whether ATRIP's code for this payment's ticketing failure lets a new order be made and paid:
/// never after "duplicate booking", "no-fly", "paid, PNR pending" or an unknown code — that could
/// pay for the trip twice. `regenerate_atrip` asks this, and the record's actions offer it.
pub(crate) fn regenerable(record: &PaymentRecord) -> Result<(), CodedError> {
    let code = record.attempts.last().and_then(|a| a.error_code.clone()).unwrap_or_default();
    let (meaning, advice, next) = crate::providers::atrip::wire::meaning(&code);
    if record.payment.provider == Provider::Atrip && next == NextStep::Regenerate {
        return Ok(());
    }
    Err(CodedError::new(ErrorCode::AtripNoRegenerate)
        .with("provider_code", &code)
        .with("meaning", meaning)
        .with("advice", advice))
}

/// An ATRIP read's one exchange, as the event that tells of it keeps it.
fn exchange_data(exchanges: Vec<crate::providers::http::Exchange>) -> Value {
    json!({ "exchange": exchanges.into_iter().next() })
}

fn normalize_order_no(order_no: &str) -> Result<String, EngineError> {
    let no = order_no.trim().to_ascii_uppercase();
    if no.is_empty() || !no.bytes().all(|b| b.is_ascii_alphanumeric()) {
        let problem = CodedError::new(ErrorCode::OrderNoFormat).with("example", "TESTA20240627114717735");
        return Err(ProviderError::invalid("order_no", problem).into());
    }
    Ok(no)
}

/// Keeps, once, what ATRIP states it took for a paid order (its `payment` object, the airline's
/// `vendorCost`): in the payment's subject for the detail, receipt and export, and told in the
/// timeline part by part, each in its own currency.
fn record_charges(
    tx: &rusqlite::Transaction<'_>,
    payment_id: &str,
    order: &Order,
    now: i64,
) -> Result<Option<TimelineEvent>, store::StoreError> {
    if order.charges.is_empty() {
        return Ok(None);
    }
    let Subject::Atrip(mut subject) = store::get_payment(tx, payment_id)?.subject else {
        return Ok(None);
    };
    if subject.charges.as_ref() == Some(&order.charges) {
        return Ok(None);
    }
    let card_charged = crate::providers::atrip::wire::card_charged(&order.charges);
    subject.charges = Some(order.charges.clone());
    subject.card_charged = Some(card_charged);
    store::set_payment_subject(tx, payment_id, &Subject::Atrip(subject), now)?;
    let (charges, card_charged) = (json!(order.charges), json!(card_charged));
    let parts: Vec<String> = order.charges.iter().map(|c| format!("{}: {}", c.label(), c.amount)).collect();
    let text = format!("ATRIP states what was taken: {}", parts.join("; "));
    // The event holds what the subject now holds: its seal covers them (`seal::STATED_LATER`).
    let data = json!({ "charges": charges, "card_charged": card_charged });
    journal::record(tx, payment_id, EventKind::Note, &text, data, now).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Currency, Money};
    use crate::providers::atrip::wire::{Charge, ChargeKind, DeductedFrom};
    use crate::store::Store;

    /// A subject sealed in an older shape (no fee or airline price, a key no longer written) is
    /// rewritten with ATRIP's charges keeping every key it had: the real history still verifies.
    #[test]
    fn charges_recorded_on_an_old_shaped_subject_keep_its_keys_and_its_seals() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(&dir.path().join("data")).unwrap();
        let old = r#"{"legacy_note":"kept","method":"mor","order_no":"TESTA1","pnr_code":"ABC123"}"#;
        let payment = super::super::new_payment(
            Provider::Atrip,
            "sandbox",
            Money::from_minor(10_000, Currency::EUR),
            "Ana".into(),
            Subject::read(Provider::Atrip, old).unwrap(),
            "TESTA1".into(),
            None,
        );
        let charges = vec![Charge {
            what: ChargeKind::TicketFare,
            amount: Money::from_minor(10_000, Currency::EUR),
            from: Some(DeductedFrom::Card),
        }];
        let order = Order {
            order_no: "TESTA1".into(),
            pnr_code: Some("ABC123".into()),
            status: OrderStatus::Ticketing,
            tickets_issued: false,
            total: Money::from_minor(10_000, Currency::EUR),
            transaction_fee: None,
            vendor_total: None,
            deadline: None,
            supported_methods: vec![Method::Mor],
            paid_with: Some(Method::Mor),
            payment_recorded: true,
            charges: charges.clone(),
            payment_attempted: false,
            passengers: Vec::new(),
            ticketing_error: None,
        };
        let id = payment.id.clone();
        let stored = store
            .write_blocking(move |conn| {
                let tx = conn.transaction()?;
                store::insert_payment(&tx, &payment)?;
                journal::record(
                    &tx,
                    &payment.id,
                    EventKind::Created,
                    "ATRIP order TESTA1",
                    json!({}),
                    1_000,
                )?;
                assert!(record_charges(&tx, &payment.id, &order, 2_000)?.is_some(), "recorded once");
                assert!(record_charges(&tx, &payment.id, &order, 3_000)?.is_none(), "and only once");
                let text: String =
                    tx.query_row("SELECT subject FROM payments WHERE id = ?1", [&payment.id], |r| r.get(0))?;
                tx.commit()?;
                Ok(text)
            })
            .unwrap();

        // What the untyped code wrote: the stored object with the two keys set, nothing else.
        let mut expected: Value = serde_json::from_str(old).unwrap();
        expected["charges"] = json!(charges);
        expected["card_charged"] = json!(crate::providers::atrip::wire::card_charged(&charges));
        assert_eq!(stored, expected.to_string());
        let report =
            store.read_blocking(|c| Ok(crate::history::verify(c, None, &mut |_| {}))).unwrap().unwrap();
        assert_eq!((report.checked, report.broken), (1, vec![]), "payment {id} verifies");

        // The check this guards: the same rewrite without the key it did not know is an edit.
        let mut dropped = expected.clone();
        dropped.as_object_mut().unwrap().remove("legacy_note");
        store
            .write_blocking(move |conn| {
                conn.execute("UPDATE payments SET subject = ?2 WHERE id = ?1", [&id, &dropped.to_string()])?;
                Ok(())
            })
            .unwrap();
        let report =
            store.read_blocking(|c| Ok(crate::history::verify(c, None, &mut |_| {}))).unwrap().unwrap();
        let kinds: Vec<_> = report.broken.iter().map(|b| b.kind).collect();
        assert_eq!(kinds, vec![crate::history::BreakKind::PaymentEdited]);
    }
}
