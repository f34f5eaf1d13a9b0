//! Travelport through the engine: open a workbench on the locator, journal, add the form of
//! payment and the Payment, commit with ticket issuance, store the tickets and EMDs of the
//! receipt. A doubt at commit is settled by reading the reservation's documents, never by
//! committing again.

use std::collections::HashSet;

use serde_json::json;

use super::settle::{self, Sent, Telling};
use super::{journal, new_payment, Engine, EngineError, PaymentRecord, Watch};
use crate::card::Card;
use crate::codes::{CodedError, ErrorCode};
use crate::money::{Money, MoneyError};
use crate::now_ms;
use crate::payment::{Attempt, EventKind, Payment, Provider, Status, Ticket, TicketKind, TimelineEvent};
use crate::providers::http::Exchange;
use crate::providers::travelport::{
    CommitOutcome, Document, FopRef, NewFop, Offer, TravelportClient, WorkbenchView,
};
use crate::providers::{PayOutcome, ProviderError};
use crate::redact::Mask;
use crate::store;
use crate::subject::{StoredOffer, Subject, TravelportSubject};

/// What the agent asks for: pay these offers of this reservation with this form of payment.
pub struct TravelportPayment {
    /// The PNR record locator, e.g. `FPAIR1`.
    pub locator: String,
    /// Offer ids from [`Engine::travelport_workbench`] (`offer_1`, `an_o1` …).
    pub offer_ids: Vec<String>,
    pub fop: TravelportFop,
}

/// How the offers are paid.
pub enum TravelportFop {
    /// A card keyed at the desk, added to the workbench.
    Card(Card),
    /// Cash, added to the workbench.
    Cash,
    /// A form of payment already in the reservation, by its id (`formOfPayment_stored_1`).
    Stored(String),
}

/// The local id of the form of payment we add: one per workbench, and each attempt opens its own.
const FOP_ID: &str = "formOfPayment_1";

fn invalid(field: &str, problem: CodedError) -> EngineError {
    ProviderError::invalid(field, problem).into()
}

fn normalize_locator(locator: &str) -> Result<String, EngineError> {
    let locator = locator.trim().to_ascii_uppercase();
    if locator.len() != 6 || !locator.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid("locator", CodedError::new(ErrorCode::LocatorFormat).with("example", "FPAIR1")));
    }
    Ok(locator)
}

fn normalize_offer_ids(ids: &[String]) -> Result<Vec<String>, EngineError> {
    let ids: Vec<String> = ids.iter().map(|id| id.trim().to_string()).filter(|id| !id.is_empty()).collect();
    if ids.is_empty() {
        return Err(invalid("offer_ids", CodedError::new(ErrorCode::OffersNone)));
    }
    let mut seen = HashSet::new();
    if let Some(dup) = ids.iter().find(|id| !seen.insert(id.as_str())) {
        return Err(invalid("offer_ids", CodedError::new(ErrorCode::OfferTwice).with("offer", dup)));
    }
    Ok(ids)
}

fn offer_list(view: &WorkbenchView) -> String {
    view.offers
        .iter()
        .map(|o| format!("{} ({} {})", o.id, o.description, o.price))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The chosen offers and their exact total, or what to fix.
fn choose_offers<'a>(
    view: &'a WorkbenchView,
    ids: &[String],
) -> Result<(Vec<&'a Offer>, Money), EngineError> {
    let mut chosen = Vec::new();
    for id in ids {
        let offer = view.offers.iter().find(|o| &o.id == id).ok_or_else(|| {
            let problem = CodedError::new(ErrorCode::OfferUnknown)
                .with("locator", &view.locator)
                .with("offer", id)
                .with("offers", offer_list(view));
            invalid("offer_ids", problem)
        })?;
        chosen.push(offer);
    }
    let mut total = Money::from_minor(0, chosen[0].price.currency);
    for offer in &chosen {
        total = total.checked_add(offer.price).map_err(|e| invalid("offer_ids", apart(e)))?;
    }
    Ok((chosen, total))
}

fn stored_fop(view: &WorkbenchView, id: &str) -> Result<FopRef, EngineError> {
    let id = id.trim();
    match view.stored_fops.iter().find(|f| f.id == id) {
        Some(f) => Ok(FopRef { id: f.id.clone(), identifier: f.identifier.clone() }),
        None if view.stored_fops.is_empty() => {
            Err(invalid("fop", CodedError::new(ErrorCode::FopNoneStored).with("locator", &view.locator)))
        }
        None => {
            let stored: Vec<String> =
                view.stored_fops.iter().map(|f| format!("{} ({})", f.id, f.description)).collect();
            let problem = CodedError::new(ErrorCode::FopUnknown)
                .with("locator", &view.locator)
                .with("fop", id)
                .with("fops", stored.join(", "));
            Err(invalid("fop", problem))
        }
    }
}

/// Why the ticked offers cannot be paid together, by what adding their prices refused.
fn apart(e: MoneyError) -> CodedError {
    match e {
        MoneyError::CurrencyMismatch { left, right } => {
            CodedError::new(ErrorCode::OffersCurrencies).with("left", left).with("right", right)
        }
        MoneyError::Overflow { input } => CodedError::new(ErrorCode::OffersTooLarge).with("input", input),
        other => other.coded(),
    }
}

/// The documents that were not in the reservation before this payment.
fn new_documents(documents: Vec<Document>, known: &HashSet<String>) -> Vec<Document> {
    documents.into_iter().filter(|d| !known.contains(&d.number)).collect()
}

/// A step before commit that did not go through: a refusal is a decline, anything else left
/// the workbench uncommitted — either way nothing was charged.
fn not_committed(exchanges: Vec<(String, Exchange)>, e: ProviderError) -> Sent {
    let answer = match e {
        ProviderError::Refused(refusal) => Ok(PayOutcome::Declined(refusal)),
        other => Err(other),
    };
    Sent { exchanges, answer }
}

fn known_documents(payment: &Payment) -> HashSet<String> {
    payment.subject.travelport().map(|s| s.known_documents.iter().cloned().collect()).unwrap_or_default()
}

/// Stores each new ticket/EMD with its timeline event.
fn store_documents(
    tx: &rusqlite::Transaction<'_>,
    payment_id: &str,
    documents: &[Document],
    now: i64,
    events: &mut Vec<TimelineEvent>,
) -> Result<(), store::StoreError> {
    for d in documents {
        let ticket = Ticket {
            number: d.number.clone(),
            passenger: d.passenger.clone(),
            kind: d.kind,
            issued_at_ms: now,
        };
        if store::insert_ticket(tx, payment_id, &ticket)? {
            let what = if d.kind == TicketKind::Emd { "EMD" } else { "Ticket" };
            let text = format!(
                "{what} {} issued for {}",
                crate::payment::ticket_number_display(&d.number),
                d.passenger
            );
            let data = json!({ "number": d.number, "passenger": d.passenger, "kind": d.kind });
            events.push(journal::record(tx, payment_id, EventKind::Ticket, &text, data, now)?);
        }
    }
    Ok(())
}

/// Paid → Ticketing → (Ticketed with the documents, or keep watching for them).
fn record_paid(
    tx: &rusqlite::Transaction<'_>,
    attempt: &mut Attempt,
    documents: &[Document],
    paid_message: &str,
    next_poll: i64,
    now: i64,
    events: &mut Vec<TimelineEvent>,
) -> Result<(), store::StoreError> {
    events.push(journal::move_to(tx, attempt, Status::Paid, paid_message, json!({}), now)?);
    ticketing(tx, attempt, documents, next_poll, now, events)
}

/// A paid attempt → Ticketing → (Ticketed with the documents, or keep watching for them).
fn ticketing(
    tx: &rusqlite::Transaction<'_>,
    attempt: &mut Attempt,
    documents: &[Document],
    next_poll: i64,
    now: i64,
    events: &mut Vec<TimelineEvent>,
) -> Result<(), store::StoreError> {
    if documents.is_empty() {
        attempt.next_poll_at_ms = Some(next_poll);
        let text = "Committed, but the receipt lists no new ticket yet — watching the reservation";
        events.push(journal::move_to(tx, attempt, Status::Ticketing, text, json!({}), now)?);
        return Ok(());
    }
    let text = "Travelport is issuing the tickets";
    events.push(journal::move_to(tx, attempt, Status::Ticketing, text, json!({}), now)?);
    store_documents(tx, &attempt.payment_id.clone(), documents, now, events)?;
    attempt.next_poll_at_ms = None;
    let numbers: Vec<&str> = documents.iter().map(|d| d.number.as_str()).collect();
    events.push(journal::move_to(
        tx,
        attempt,
        Status::Ticketed,
        "Ticketed",
        json!({ "documents": numbers }),
        now,
    )?);
    Ok(())
}

impl Engine {
    fn travelport(&self) -> Result<&TravelportClient, EngineError> {
        self.inner.clients.travelport.as_ref().ok_or(EngineError::NotConfigured { provider: "Travelport" })
    }

    /// Opens the reservation's post-commit workbench so the agent sees its offers (with exact
    /// prices), travelers and stored forms of payment, and ticks what to pay.
    pub async fn travelport_workbench(&self, locator: &str) -> Result<WorkbenchView, EngineError> {
        let locator = normalize_locator(locator)?;
        Ok(self.travelport()?.open_workbench(&locator).await.map_err(|(_, e)| e)?.result)
    }

    /// Pays offers of a reservation and issues their tickets/EMDs. Returns once Travelport's
    /// answer to the commit is committed here.
    pub async fn pay_travelport(&self, request: TravelportPayment) -> Result<PaymentRecord, EngineError> {
        // Nothing is asked of the provider for an act nobody could be recorded doing.
        self.acting()?;
        let TravelportPayment { locator, offer_ids, fop } = request;
        let client = self.travelport()?;
        let locator = normalize_locator(&locator)?;
        let offer_ids = normalize_offer_ids(&offer_ids)?;
        if matches!(&fop, TravelportFop::Stored(id) if id.trim().is_empty()) {
            return Err(invalid("fop", CodedError::new(ErrorCode::FopChoose)));
        }
        self.ensure_not_busy(Provider::Travelport, &locator).await?;

        // A fresh workbench per attempt: it holds the offers' identifiers and the stored FOPs.
        let opened = client.open_workbench(&locator).await.map_err(|(_, e)| e)?;
        let view = opened.result;
        let (offers, amount) = choose_offers(&view, &offer_ids)?;
        let stored = match &fop {
            TravelportFop::Stored(id) => Some(stored_fop(&view, id)?),
            _ => None,
        };

        let (card, fop_label) = match &fop {
            TravelportFop::Card(card) => (Some(card.summary()), "card".to_string()),
            TravelportFop::Cash => (None, "cash".to_string()),
            TravelportFop::Stored(id) => (None, format!("stored {}", id.trim())),
        };
        let subject = Subject::Travelport(TravelportSubject {
            locator: locator.clone(),
            workbench_id: view.workbench_id.clone(),
            offers: offers.iter().map(|o| StoredOffer::of(o)).collect(),
            fop: fop_label.clone(),
            known_documents: view.documents.iter().map(|d| d.number.clone()).collect(),
            other: Default::default(),
        });
        let customer = view.travelers.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ");
        let payment = new_payment(
            Provider::Travelport,
            &self.inner.profile,
            amount,
            customer,
            subject,
            locator.clone(),
            card,
        );
        let payment_id = payment.id.clone();
        let chosen = offers.iter().map(|o| o.id.as_str()).collect::<Vec<_>>().join(" + ");
        let intro = format!("Travelport {locator}: {amount} for {chosen} by {fop_label}");
        let attempt = self.journal_new(payment, (intro, json!({ "exchanges": opened.exchanges }))).await?;
        self.send_travelport(attempt, &view, fop, stored, amount, &offers).await?;
        self.record(&payment_id).await
    }

    /// A new attempt after a definite decline: the same reservation and offers, on a fresh
    /// workbench, with the form of payment the agent chose this time.
    pub async fn retry_travelport(
        &self,
        payment_id: &str,
        fop: TravelportFop,
    ) -> Result<PaymentRecord, EngineError> {
        // Nothing is asked of the provider for an act nobody could be recorded doing.
        self.acting()?;
        let client = self.travelport()?;
        let record = self.record(payment_id).await?;
        record.require(Status::Declined)?;
        let locator = record.payment.subject_key.clone();
        let offer_ids: Vec<String> = record
            .payment
            .subject
            .travelport()
            .map(|s| s.offers.iter().map(|o| o.id.clone()).collect())
            .unwrap_or_default();
        let opened = client.open_workbench(&locator).await.map_err(|(_, e)| e)?;
        let view = opened.result;
        let (offers, amount) = choose_offers(&view, &offer_ids)?;
        if amount != record.payment.amount {
            let problem = CodedError::new(ErrorCode::OffersRepriced)
                .with("amount", amount)
                .with("was", record.payment.amount);
            return Err(invalid("offers", problem));
        }
        let stored = match &fop {
            TravelportFop::Stored(id) => Some(stored_fop(&view, id)?),
            _ => None,
        };
        let card = match &fop {
            TravelportFop::Card(card) => Some(card.summary()),
            _ => None,
        };
        let note = (
            format!("New attempt on workbench {}", view.workbench_id),
            json!({ "exchanges": opened.exchanges }),
        );
        let attempt = self.journal_retry(&record, card, note).await?;
        self.send_travelport(attempt, &view, fop, stored, amount, &offers).await?;
        self.record(payment_id).await
    }

    /// Add FOP → add Payment → commit for a journaled attempt, then commits what happened.
    async fn send_travelport(
        &self,
        attempt: Attempt,
        view: &WorkbenchView,
        fop: TravelportFop,
        stored: Option<FopRef>,
        amount: Money,
        offers: &[&Offer],
    ) -> Result<(), EngineError> {
        let client = self.travelport()?;
        let (sent, documents) =
            self.run_travelport(client, view, &attempt.idempotency_key, fop, stored, amount, offers).await;

        let now = now_ms();
        let next_poll = now + self.policy(Provider::Travelport).first_after.as_millis() as i64;
        let known: HashSet<String> = view.documents.iter().map(|d| d.number.clone()).collect();
        let documents = new_documents(documents, &known);
        let workbench_id = view.workbench_id.clone();
        let pid = attempt.payment_id.clone();
        self.commit_answer(&pid, "Travelport", (false, sent.accepted()), move |tx| {
            let mut attempt = attempt.clone();
            let how = Telling {
                provider: Provider::Travelport,
                extra: serde_json::Value::Null,
                not_sent_code: "not_committed",
                not_sent: &|e| format!("{e} — the reservation was not committed, so nothing was charged; you may pay again"),
                paid: &|_, _| "Travelport committed the payment".to_string(),
                unclear: &|reason| format!("No clear answer to the commit ({reason}) — checking the reservation's tickets, not committing again"),
                next_look: Some(next_poll),
            };
            // A commit sent, answered or not, is on this workbench: the reference to look it up by.
            if matches!(sent.answer, Ok(PayOutcome::Accepted { .. } | PayOutcome::Ambiguous { .. })) {
                attempt.provider_ref = Some(workbench_id.clone());
            }
            let mut events = settle::settle(tx, &mut attempt, sent.clone(), &how, now)?;
            if attempt.status == Status::Paid {
                ticketing(tx, &mut attempt, &documents, next_poll, now, &mut events)?;
            }
            Ok(((), events))
        })
        .await?;
        self.wake_poller();
        Ok(())
    }

    /// Add FOP → add Payment → commit, stopping at the first refusal. Returns every exchange,
    /// labelled, with the answer — not sent while the workbench was never committed, as only
    /// commit moves money — and the documents of the commit's receipt.
    #[allow(clippy::too_many_arguments)]
    async fn run_travelport(
        &self,
        client: &TravelportClient,
        view: &WorkbenchView,
        payment_key: &str,
        fop: TravelportFop,
        stored: Option<FopRef>,
        amount: Money,
        offers: &[&Offer],
    ) -> (Sent, Vec<Document>) {
        let mut log: Vec<(String, Exchange)> = Vec::new();
        let mut keep = |step: &str, exchanges: Vec<Exchange>| {
            for exchange in exchanges {
                let answer = exchange.status.map_or_else(|| "no answer".to_string(), |s| format!("HTTP {s}"));
                log.push((format!("Travelport {step}: {answer}"), exchange));
            }
        };
        let wb = view.workbench_id.as_str();
        // The card, kept as a mask for the steps after the FOP: their answers may quote it.
        let mask = match &fop {
            TravelportFop::Card(card) => Mask::for_card(card),
            _ => Mask::default(),
        };
        let fop_ref = match (fop, stored) {
            (_, Some(stored)) => stored,
            (fop, None) => {
                let added = match &fop {
                    TravelportFop::Card(card) => client.add_fop(wb, FOP_ID, NewFop::Card(card)).await,
                    _ => client.add_fop(wb, FOP_ID, NewFop::Cash).await,
                };
                drop(fop); // the card is not needed past this request: wipe it now
                match added {
                    Ok(call) => {
                        keep("form of payment", call.exchanges);
                        call.result
                    }
                    Err((exchanges, e)) => {
                        keep("form of payment", exchanges);
                        return (not_committed(log, e), Vec::new());
                    }
                }
            }
        };
        // `Payment.id` is the attempt's key: the ledger and Travelport support can match it.
        match client.add_payment(wb, payment_key, amount, &fop_ref, offers, &mask).await {
            Ok(call) => keep("payment", call.exchanges),
            Err((exchanges, e)) => {
                keep("payment", exchanges);
                return (not_committed(log, e), Vec::new());
            }
        }
        match client.commit(wb, &view.locator, &mask).await {
            Ok(call) => {
                keep("commit", call.exchanges);
                let (answer, documents) = match call.result {
                    CommitOutcome::Committed { documents } => {
                        (PayOutcome::Accepted { provider_ref: None, message: String::new() }, documents)
                    }
                    CommitOutcome::Declined(refusal) => (PayOutcome::Declined(refusal), Vec::new()),
                    CommitOutcome::Ambiguous { reason } => (PayOutcome::Ambiguous { reason }, Vec::new()),
                };
                (Sent { exchanges: log, answer: Ok(answer) }, documents)
            }
            Err((exchanges, e)) => {
                keep("commit", exchanges);
                (not_committed(log, e), Vec::new())
            }
        }
    }

    /// The reservation's documents: the Ticket List, or the retrieved reservation when the list
    /// cannot be had. Both are read-only.
    async fn travelport_documents(
        &self,
        locator: &str,
    ) -> Result<(Vec<Exchange>, Vec<Document>), ProviderError> {
        let client = self.travelport().map_err(|e| ProviderError::Config(e.to_string()))?;
        match client.ticket_list(locator).await {
            Ok(call) => Ok((call.exchanges, call.result)),
            Err((mut exchanges, list_error)) => {
                tracing::info!(%locator, "travelport ticket list failed ({list_error}); retrieving the reservation");
                let call = client.retrieve(locator).await.map_err(|(_, e)| e)?;
                exchanges.extend(call.exchanges);
                Ok((exchanges, call.result.documents))
            }
        }
    }

    /// One follow-up of a Travelport attempt: reconcile an `Unknown` commit, or watch a
    /// committed payment whose receipt had no tickets yet.
    pub(super) async fn poll_travelport(
        &self,
        payment: Payment,
        attempt: Attempt,
    ) -> Result<(), EngineError> {
        let policy = self.policy(Provider::Travelport);
        let Watch { age, watched_ms } = self.watch(&attempt);
        let locator = payment.subject_key.clone();
        let known = known_documents(&payment);
        let read = self.travelport_documents(&locator).await;
        let now = now_ms();
        let next = now + policy.next_delay(age).as_millis() as i64;
        let past_deadline = age >= policy.deadline;
        let past_grace = age >= policy.unpaid_grace;

        self.commit(move |tx| {
            let mut attempt = store::get_attempt(tx, &attempt.id)?;
            attempt.watched_ms = watched_ms;
            let mut events: Vec<TimelineEvent> = Vec::new();
            if attempt.next_poll_at_ms.is_none() {
                return Ok(((), events)); // settled meanwhile (poll now, or another poller)
            }
            let (exchanges, documents) = match read {
                Ok((exchanges, documents)) => (exchanges, new_documents(documents, &known)),
                Err(e) => {
                    tracing::info!(%locator, "Travelport reservation check failed: {e}");
                    if past_deadline {
                        attempt.next_poll_at_ms = None;
                        let text = format!("Travelport could not be asked about reservation {locator} for too long ({e}) — check its tickets in Smartpoint and record what it shows");
                        events.push(journal::move_to(tx, &mut attempt, Status::NeedsReview, &text, json!({}), now)?);
                    } else {
                        attempt.next_poll_at_ms = Some(next);
                        store::update_attempt(tx, &attempt)?;
                    }
                    return Ok(((), events));
                }
            };
            let seen = json!({ "exchanges": exchanges });
            let e = &mut events;
            match attempt.status {
                Status::Unknown if !documents.is_empty() => {
                    e.push(journal::record(tx, &attempt.payment_id, EventKind::Reconciled, "Travelport lists new tickets for the reservation: the commit went through", seen, now)?);
                    record_paid(tx, &mut attempt, &documents, "Travelport shows the payment committed", next, now, e)?;
                }
                Status::Ticketing if !documents.is_empty() => {
                    store_documents(tx, &attempt.payment_id.clone(), &documents, now, e)?;
                    attempt.next_poll_at_ms = None;
                    let numbers: Vec<&str> = documents.iter().map(|d| d.number.as_str()).collect();
                    e.push(journal::move_to(tx, &mut attempt, Status::Ticketed, "Ticketed", json!({ "documents": numbers }), now)?);
                }
                Status::Unknown if past_grace => {
                    // No tickets is no news, not proof: Travelport publishes no payment state in
                    // the reservation, and the card may have been charged with ticketing failed
                    // or late. Only a person looking in Smartpoint can say "not charged".
                    attempt.next_poll_at_ms = None;
                    let text = format!("Travelport lists no new tickets for reservation {locator} yet, which does not prove the card was not charged — check the reservation and its payments in Smartpoint and record what it shows; do not pay again until then");
                    e.push(journal::move_to(tx, &mut attempt, Status::NeedsReview, &text, seen, now)?);
                }
                Status::Unknown | Status::Ticketing if past_deadline => {
                    attempt.next_poll_at_ms = None;
                    let text = format!("No tickets from Travelport in time — check reservation {locator} in Smartpoint and record what it shows");
                    e.push(journal::move_to(tx, &mut attempt, Status::NeedsReview, &text, seen, now)?);
                }
                _ => {
                    attempt.next_poll_at_ms = Some(next);
                    store::update_attempt(tx, &attempt)?;
                }
            }
            Ok(((), events))
        })
        .await
    }
}
