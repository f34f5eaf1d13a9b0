//! HeiPay through the engine: validate, journal, send once, keep the voucher.
//!
//! HeiPay has no way to ask about a payment and does not de-duplicate `ref_number`, so an
//! unclear answer can only be settled by a person looking at the HeiPay portal: the attempt goes
//! `Unknown` → `NeedsReview` with the reference to look for, and is never re-sent.

use serde_json::json;

use super::settle::{self, Sent, Telling};
use super::{journal, new_payment, Engine, EngineError, PaymentRecord};
use crate::card::Card;
use crate::codes::{CodedError, ErrorCode};
use crate::now_ms;
use crate::payment::{Attempt, Payment, Provider, Status};
use crate::providers::heipay::{HeiPayClient, HeiPayPayment, Order};
use crate::providers::ProviderError;
use crate::store;
use crate::subject::{HeiPaySubject, Subject};

/// What the clerk reads when only the HeiPay portal can tell.
fn review_message(reference: &str, reason: &str) -> String {
    format!(
        "HeiPay gave no clear answer ({reason}). HeiPay cannot be asked about a payment and sending it again could charge the guest twice: look for reference {reference} in the HeiPay portal, then record what it shows (Resolve review)"
    )
}

/// The one key of what is paid: the same guest, hotel and amount. While such a payment is still
/// unsettled, keying it again (the usual reaction to a timeout) is refused.
fn subject_key(order: &Order) -> String {
    format!(
        "hotel {} · {}, {} · {}",
        order.hotel_id,
        order.ref_lastname.to_uppercase(),
        order.ref_name.to_uppercase(),
        order.amount
    )
}

impl Engine {
    fn heipay(&self) -> Result<&HeiPayClient, EngineError> {
        self.inner.clients.heipay.as_ref().ok_or(EngineError::NotConfigured { provider: "HeiPay" })
    }

    /// The hotels the terminal can take cards for in this profile (those with a card key).
    pub fn heipay_hotels(&self) -> Result<Vec<i64>, EngineError> {
        Ok(self.heipay()?.hotel_ids())
    }

    /// Charges a card through the hotel virtual terminal. Every field is checked before anything
    /// is journaled; the card is encrypted with the hotel's key; the request is sent once.
    pub async fn pay_heipay(&self, request: HeiPayPayment) -> Result<PaymentRecord, EngineError> {
        // Nothing is asked of the provider for an act nobody could be recorded doing.
        self.acting()?;
        let HeiPayPayment { order, card } = request;
        let client = self.heipay()?;
        let order = Order::validate(order)?;
        client.check_hotel(order.hotel_id)?;
        let key = subject_key(&order);
        // A paid one does not block: a hotel may charge a guest the same twice.
        self.ensure_not_busy(Provider::HeiPay, &key).await?;

        let subject = Subject::HeiPay(HeiPaySubject::of(&order));
        let customer = format!("{} {}", order.ref_name, order.ref_lastname);
        let payment = new_payment(
            Provider::HeiPay,
            &self.inner.profile,
            order.amount,
            customer.clone(),
            subject,
            key,
            Some(card.summary()),
        );
        let payment_id = payment.id.clone();
        let reference = payment.reference.clone();
        let plural = if order.installments == 1 { "" } else { "s" };
        let intro = format!(
            "HeiPay hotel {}: {} from {customer} in {} installment{plural}",
            order.hotel_id, order.amount, order.installments
        );
        let attempt = self.journal_new(payment, (intro, json!({ "reference": reference }))).await?;
        self.send_heipay(attempt, &order, &reference, card).await?;
        self.record(&payment_id).await
    }

    /// A new attempt after a definite decline: the same guest, hotel and amount with the card
    /// the clerk keys now. The order is rebuilt from what was stored and checked again.
    pub async fn retry_heipay(&self, payment_id: &str, card: Card) -> Result<PaymentRecord, EngineError> {
        // Nothing is asked of the provider for an act nobody could be recorded doing.
        self.acting()?;
        let client = self.heipay()?;
        let record = self.record(payment_id).await?;
        record.require(Status::Declined)?;
        let order = stored_order(&record.payment)?;
        client.check_hotel(order.hotel_id)?;
        let note = (format!("New attempt with {}", card.number), json!({}));
        let attempt = self.journal_retry(&record, Some(card.summary()), note).await?;
        self.send_heipay(attempt, &order, &record.payment.reference, card).await?;
        self.record(payment_id).await
    }

    /// Sends a journaled attempt once and commits what HeiPay answered.
    async fn send_heipay(
        &self,
        attempt: Attempt,
        order: &Order,
        reference: &str,
        card: Card,
    ) -> Result<(), EngineError> {
        let client = self.heipay()?;
        let reference = reference.to_string();
        // `ref_number` is our journaled reference: the clerk finds the payment by it in the portal.
        let sent = client.pay(order, &reference, &card).await;
        drop(card); // not needed past the request: wipe it now

        // The voucher link is kept whatever the answer: a refusal may link one too.
        let voucher_url = sent.as_ref().ok().and_then(|c| c.result.voucher_url.clone());
        let sent = match sent {
            Ok(call) => Sent::told(
                call.exchanges,
                Ok(call.result.outcome),
                ["HeiPay accepted the payment", "HeiPay refused the payment", "HeiPay gave no clear answer"],
            ),
            Err(e) => Sent { exchanges: Vec::new(), answer: Err(e) },
        };

        let now = now_ms();
        let pid = attempt.payment_id.clone();
        self.commit_answer(&pid, "HeiPay", (false, sent.accepted()), move |tx| {
            let mut attempt = attempt.clone();
            let how = Telling {
                provider: Provider::HeiPay,
                extra: match &sent.answer {
                    Ok(_) => json!({ "voucher_url": voucher_url }),
                    Err(_) => serde_json::Value::Null,
                },
                not_sent_code: "not_sent",
                not_sent: &settle::nothing_charged,
                paid: &|voucher, message| match voucher {
                    Some(_) => {
                        format!("Paid — HeiPay: {message}. The voucher can be opened from the payment")
                    }
                    None => format!("Paid — HeiPay: {message}. HeiPay sent no voucher link"),
                },
                unclear: &|reason| format!("No clear answer from HeiPay ({reason}) — not sending it again"),
                // HeiPay cannot be asked: a person looks (below).
                next_look: None,
            };
            if sent.answer.is_ok() {
                attempt.provider_ref = voucher_url.clone();
            }
            let mut events = settle::settle(tx, &mut attempt, sent.clone(), &how, now)?;
            if attempt.status == Status::Unknown {
                let reason = attempt.error_message.clone().unwrap_or_default();
                let text = review_message(&reference, &reason);
                let data = json!({ "reference": reference });
                events.push(journal::move_to(tx, &mut attempt, Status::NeedsReview, &text, data, now)?);
            }
            Ok(((), events))
        })
        .await?;
        Ok(())
    }

    /// HeiPay has nothing to poll. An attempt left `Unknown` (a crash while sending) goes to a
    /// person; anything else just stops being scheduled.
    pub(super) async fn poll_heipay(&self, payment: Payment, attempt: Attempt) -> Result<(), EngineError> {
        let now = now_ms();
        self.commit(move |tx| {
            let mut attempt = store::get_attempt(tx, &attempt.id)?;
            if attempt.next_poll_at_ms.is_none() {
                return Ok(((), Vec::new())); // settled meanwhile
            }
            attempt.next_poll_at_ms = None;
            if attempt.status != Status::Unknown {
                store::update_attempt(tx, &attempt)?;
                return Ok(((), Vec::new()));
            }
            let reason =
                attempt.error_message.clone().unwrap_or_else(|| "Farepoint stopped while sending".into());
            let text = review_message(&payment.reference, &reason);
            let data = json!({ "reference": payment.reference });
            let e = journal::move_to(tx, &mut attempt, Status::NeedsReview, &text, data, now)?;
            Ok(((), vec![e]))
        })
        .await
    }

    /// The voucher HeiPay linked for this payment: its content type and bytes.
    pub async fn heipay_voucher(&self, payment_id: &str) -> Result<(String, Vec<u8>), EngineError> {
        let record = self.record(payment_id).await?;
        let no_voucher = |why| {
            ProviderError::invalid(
                "voucher",
                CodedError::new(why).with("reference", &record.payment.reference),
            )
        };
        if record.payment.provider != Provider::HeiPay {
            return Err(no_voucher(ErrorCode::VoucherNotHeipay).into());
        }
        let url =
            record.voucher_url().map(str::to_string).ok_or_else(|| no_voucher(ErrorCode::VoucherNoLink))?;
        let call = self.heipay()?.voucher(&url).await?;
        Ok((call.result.content_type, call.result.body))
    }
}

/// The order of a stored payment, validated again.
fn stored_order(payment: &Payment) -> Result<Order, EngineError> {
    let blank = HeiPaySubject::default();
    let s = payment.subject.heipay().unwrap_or(&blank);
    Ok(Order::validate(s.input(payment.amount))?)
}
