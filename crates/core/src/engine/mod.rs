//! The payment engine: drives a payment from draft to its final state without ever charging
//! twice or losing track (docs/design.md §7–§8).
//!
//! Rules it keeps:
//! - **Journal before send.** The attempt is committed as `Submitting` before the request leaves.
//! - **Ambiguous is not failed.** No answer, a 5xx, an unreadable body → `Unknown`, reconciled by
//!   asking the provider; never re-sent.
//! - **One in flight per thing paid.** A second payment for an order that still has one
//!   submitting, unknown, under review or ticketing is refused.
//! - **Persisted polling.** Ticketing and reconciliation are driven by `next_poll_at_ms` in SQLite,
//!   so a restart picks them up; nothing runs while nothing is due.

mod atrip;
pub(crate) use atrip::regenerable;
pub mod events;
mod heipay;
mod holidayextras;
mod journal;
mod refund;
mod settle;
mod travelport;
mod unsaved;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::{Notify, Semaphore};

use crate::agents::Actor;
use crate::codes::{CodedError, ErrorCode};
use crate::now_ms;
use crate::payment::{Attempt, Payment, Provider, Refund, Status, Ticket, TimelineEvent};
use crate::providers::atrip::AtripClient;
use crate::providers::heipay::HeiPayClient;
pub use crate::providers::heipay::HeiPayPayment;
use crate::providers::holidayextras::HolidayExtrasClient;
use crate::providers::travelport::TravelportClient;
use crate::providers::ProviderError;
use crate::store::{self, Store, StoreError};
pub use atrip::AtripPayment;
use events::EventBus;
pub use holidayextras::HolidayExtrasPayment;
pub use travelport::{TravelportFop, TravelportPayment};
pub use unsaved::Unsaved;

/// What a payment still in flight pays, as the refusal to take another for it names it: data
/// the window can say in its own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paying {
    /// An ATRIP order number, a Travelport record locator or a Holiday Extras booking reference.
    Key(String),
    /// A HeiPay charge: the hotel's id, the guest as "SURNAME, GIVEN NAME", the amount.
    Guest { hotel: i64, guest: String, amount: crate::money::Money },
}

impl Paying {
    /// What `payment` pays; its subject key where its subject says nothing more.
    fn of(payment: &Payment) -> Paying {
        match payment.subject.heipay() {
            Some(s) => Paying::Guest {
                hotel: s.hotel_id,
                guest: format!("{}, {}", s.guest_last_name.to_uppercase(), s.guest_first_name.to_uppercase()),
                amount: payment.amount,
            },
            None => Paying::Key(payment.subject_key.clone()),
        }
    }
}

impl std::fmt::Display for Paying {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Paying::Key(key) => f.write_str(key),
            Paying::Guest { hotel, guest, amount } => write!(f, "hotel {hotel} · {guest} · {amount}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error("{provider} is not set up in this profile — add its address and credentials in Settings")]
    NotConfigured { provider: &'static str },
    #[error(
        "payment {reference} for {subject} is still {status} — finish or resolve it before taking another"
    )]
    Busy { reference: String, subject: Paying, status: Status },
    #[error("payment {reference} is {status}; this action needs it to be {needed}")]
    WrongState { reference: String, status: Status, needed: &'static str },
    #[error("{}", .0.coded().english())]
    Unsaved(Unsaved),
    /// The desk has agents and none is at it: nothing is done unnamed (`agents::Desk::acting`).
    #[error("{}", .0.english())]
    Agent(CodedError),
}

/// How a provider's pending attempts are followed up.
#[derive(Debug, Clone, Copy)]
pub struct PollPolicy {
    /// First look after the payment (ticketing) or after an ambiguous answer (reconciliation).
    pub first_after: Duration,
    /// Longest wait between two looks; waits grow with the attempt's age up to this.
    pub max_interval: Duration,
    /// After this long without a final answer, a person decides (`NeedsReview`).
    pub deadline: Duration,
    /// An ambiguous attempt whose order still shows unpaid this long after it was sent did not
    /// go through.
    pub unpaid_grace: Duration,
    /// At most this many polls of this provider at once.
    pub concurrency: usize,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            first_after: Duration::from_secs(2),
            max_interval: Duration::from_secs(60),
            deadline: Duration::from_secs(6 * 3600),
            unpaid_grace: Duration::from_secs(120),
            concurrency: 4,
        }
    }
}

impl PollPolicy {
    /// The next look: a quarter of the attempt's age, within `first_after ..= max_interval`.
    fn next_delay(&self, age: Duration) -> Duration {
        (age / 4).clamp(self.first_after, self.max_interval)
    }
}

/// The provider clients of the active profile. A provider without a client is not set up.
#[derive(Default)]
pub struct Clients {
    pub atrip: Option<AtripClient>,
    pub travelport: Option<TravelportClient>,
    pub holidayextras: Option<HolidayExtrasClient>,
    pub heipay: Option<HeiPayClient>,
}

/// A payment with its attempts, tickets, refunds and timeline, as the UI and tests read it.
/// Served with what the core concludes from them: `refunded`, `refundable` and `open_refund`
/// (see `refund.rs`), and the `actions` it allows now (`actions.rs`).
#[derive(Debug, Clone)]
pub struct PaymentRecord {
    pub payment: Payment,
    pub attempts: Vec<Attempt>,
    pub tickets: Vec<Ticket>,
    /// Refunds asked for, oldest first (see `refund.rs` for `refunded` and `refundable`).
    pub refunds: Vec<Refund>,
    pub timeline: Vec<TimelineEvent>,
}

impl Serialize for PaymentRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("PaymentRecord", 11)?;
        out.serialize_field("payment", &self.payment)?;
        out.serialize_field("attempts", &self.attempts)?;
        out.serialize_field("tickets", &self.tickets)?;
        out.serialize_field("refunds", &self.refunds)?;
        out.serialize_field("timeline", &self.timeline)?;
        out.serialize_field("refunded", &self.refunded())?;
        out.serialize_field("refundable", &self.refundable())?;
        out.serialize_field("open_refund", &self.open_refund())?;
        out.serialize_field("paid_for", &crate::history::receipt::paid_for(&self.payment))?;
        out.serialize_field("actions", &crate::actions::Actions::of(self))?;
        out.serialize_field("money", &crate::money_state::MoneyState::of(self))?;
        out.end()
    }
}

impl PaymentRecord {
    /// The voucher HeiPay linked, the newest attempt's: a HeiPay attempt keeps its link as the
    /// provider's reference, whatever the answer (a refusal may link one too).
    pub fn voucher_url(&self) -> Option<&str> {
        if self.payment.provider != Provider::HeiPay {
            return None;
        }
        self.attempts.iter().rev().find_map(|a| a.provider_ref.as_deref())
    }

    pub fn status(&self) -> Status {
        self.payment.status
    }

    /// Refuses an action that needs the payment in `needed`.
    pub fn require(&self, needed: Status) -> Result<(), EngineError> {
        if self.payment.status == needed {
            Ok(())
        } else {
            Err(EngineError::WrongState {
                reference: self.payment.reference.clone(),
                status: self.payment.status,
                needed: needed.as_str(),
            })
        }
    }
}

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    profile: String,
    clients: Clients,
    events: EventBus,
    /// Shared with the poller task, which must not keep the engine alive while it waits.
    wake: Arc<Notify>,
    policies: HashMap<Provider, PollPolicy>,
    limits: HashMap<Provider, Arc<Semaphore>>,
    /// Payments with a provider call under way (a poll, "poll now", a refund): one at a time,
    /// so two answers about the same payment never race to settle it.
    in_flight: std::sync::Mutex<std::collections::HashSet<String>>,
    /// The monotonic instant of each attempt's last look in this run (see [`Engine::watch`]).
    looks: std::sync::Mutex<HashMap<String, std::time::Instant>>,
    /// Answers received but not yet saved (see `unsaved.rs`).
    unsaved: std::sync::Mutex<Vec<Unsaved>>,
    /// The desk whose agent each act records; none in tools and tests, which record nobody.
    desk: std::sync::OnceLock<crate::agents::Desk>,
    /// Poll rounds in a row whose answers the history could not take: the poller waits longer
    /// after each, rather than asking the provider again and again while the disk is full.
    store_trouble: std::sync::atomic::AtomicU32,
}

/// How long an attempt has been waited on, for its grace period and deadline.
pub(super) struct Watch {
    /// The wall-clock age, but never more than the time actually watched.
    pub age: Duration,
    /// The attempt's new `watched_ms`, to store with the look's outcome.
    pub watched_ms: i64,
}

impl Drop for Inner {
    /// Wakes the poller so it sees the engine is gone and ends.
    fn drop(&mut self) {
        self.wake.notify_one();
    }
}

impl Engine {
    /// What the window offers to choose from, with the currencies Holiday Extras takes in the API
    /// version set up here.
    pub fn catalog(&self) -> crate::catalog::Catalog {
        let mut catalog = crate::catalog::catalog();
        let codes = |list: &[crate::money::Currency]| list.iter().map(|c| c.code()).collect();
        if let Some(hx) = &self.inner.clients.holidayextras {
            catalog.currencies.insert(Provider::HolidayExtras.as_str(), codes(hx.version().currencies()));
        }
        // HeiPay's pesos are in the catalog whether or not it is set up (`catalog::catalog`).
        catalog.set_up = self.set_up().into_iter().map(Provider::as_str).collect();
        catalog
    }

    /// The providers this engine has a client for: those it takes payments with.
    pub fn set_up(&self) -> Vec<Provider> {
        let c = &self.inner.clients;
        let has = |p: &Provider| match p {
            Provider::Atrip => c.atrip.is_some(),
            Provider::Travelport => c.travelport.is_some(),
            Provider::HolidayExtras => c.holidayextras.is_some(),
            Provider::HeiPay => c.heipay.is_some(),
        };
        Provider::ALL.into_iter().filter(has).collect()
    }

    pub fn new(
        store: Store,
        profile: &str,
        clients: Clients,
        policies: HashMap<Provider, PollPolicy>,
    ) -> Engine {
        let policy = |p: Provider| policies.get(&p).copied().unwrap_or_default();
        let limits = Provider::ALL
            .into_iter()
            .map(|p| (p, Arc::new(Semaphore::new(policy(p).concurrency.max(1)))))
            .collect();
        let policies = Provider::ALL.into_iter().map(|p| (p, policy(p))).collect();
        Engine {
            inner: Arc::new(Inner {
                store,
                profile: profile.to_string(),
                clients,
                events: EventBus::default(),
                wake: Arc::new(Notify::new()),
                policies,
                limits,
                in_flight: Default::default(),
                looks: Default::default(),
                unsaved: Default::default(),
                store_trouble: Default::default(),
                desk: Default::default(),
            }),
        }
    }

    /// Records from now on who does each act at `desk` (the app's; set once, at start).
    pub fn at_desk(&self, desk: crate::agents::Desk) {
        if self.inner.desk.set(desk).is_err() {
            tracing::warn!("the engine already has its desk; a second one is ignored");
        }
    }

    /// Who the act about to be journaled is recorded as (docs/agents.md): nobody without a
    /// desk or on a desk without agents; refused while the desk has agents and none is at it.
    /// Asked first by every act, before any provider call, and again as it is journaled.
    pub(super) fn acting(&self) -> Result<Option<Actor>, EngineError> {
        match self.inner.desk.get() {
            None => Ok(None),
            Some(desk) => desk.acting().map_err(EngineError::Agent),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Every timeline event from now on, as it is committed.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<TimelineEvent> {
        self.inner.events.subscribe()
    }

    fn policy(&self, provider: Provider) -> PollPolicy {
        self.inner.policies[&provider]
    }

    /// Runs `f` on the writer in one transaction, then publishes the events it returns.
    async fn commit<T, F>(&self, f: F) -> Result<T, EngineError>
    where
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<(T, Vec<TimelineEvent>), StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (value, events) = self
            .inner
            .store
            .write(move |conn| {
                let tx = conn.transaction()?;
                let out = f(&tx)?;
                tx.commit()?;
                Ok(out)
            })
            .await?;
        self.inner.events.publish(events);
        Ok(value)
    }

    /// The payment as stored, with attempts, tickets and timeline.
    pub async fn record(&self, payment_id: &str) -> Result<PaymentRecord, EngineError> {
        let id = payment_id.to_string();
        Ok(self
            .inner
            .store
            .read(move |c| {
                Ok(PaymentRecord {
                    payment: store::get_payment(c, &id)?,
                    attempts: store::attempts_for(c, &id)?,
                    tickets: store::tickets_for(c, &id)?,
                    refunds: store::refunds_for(c, &id)?,
                    timeline: store::events_for(c, &id)?,
                })
            })
            .await?)
    }

    /// Refuses a new payment while another for the same thing may still move money. Callers ask
    /// early, for a quick answer before any provider call; `journal_new` asks again inside its
    /// transaction, where the single writer makes the answer final.
    async fn ensure_not_busy(&self, provider: Provider, subject_key: &str) -> Result<(), EngineError> {
        let key = subject_key.to_string();
        self.inner.store.read(move |c| not_busy(c, provider, &key)).await?
    }

    /// Journals a new payment and its first attempt as `Submitting`, durably, before anything is
    /// sent. Returns the attempt to send.
    async fn journal_new(
        &self,
        mut payment: Payment,
        first_event: (String, Value),
    ) -> Result<Attempt, EngineError> {
        let by = self.acting()?;
        let now = now_ms();
        let attempt = Attempt { agent: by.clone(), ..new_attempt(&payment.id, 1, now) };
        let to_insert = attempt.clone();
        let first_event = (first_event.0, Actor::stamp(by.as_ref(), first_event.1));
        payment.agent = by;
        self.commit(move |tx| {
            // Two desks (or a double click) paying the same thing: only the first journals.
            if let Err(busy) = not_busy(tx, payment.provider, &payment.subject_key)? {
                return Ok((Err(busy), Vec::new()));
            }
            store::insert_payment(tx, &payment)?;
            let created = journal::record(
                tx,
                &payment.id,
                crate::payment::EventKind::Created,
                &first_event.0,
                first_event.1,
                now,
            )?;
            let journaled = journal_attempt(tx, to_insert, now)?;
            Ok((Ok(()), vec![created, journaled]))
        })
        .await??;
        events::announce(&attempt.payment_id);
        Ok(Attempt { status: Status::Submitting, ..attempt })
    }

    /// Journals the next attempt of a declined payment as `Submitting` (Declined → Submitting),
    /// recording the card it will use. `record` is the declined payment as the caller just read
    /// it; a racing second retry is refused inside the transaction (the attempt's
    /// `(payment, seq)` is unique and the move from `Declined` is checked on the stored status),
    /// and so is a retry while another payment for the same thing may still move money — as
    /// for a new payment.
    async fn journal_retry(
        &self,
        record: &PaymentRecord,
        card: Option<crate::card::CardSummary>,
        note: (String, Value),
    ) -> Result<Attempt, EngineError> {
        let by = self.acting()?;
        let now = now_ms();
        let attempt = Attempt {
            agent: by.clone(),
            ..new_attempt(&record.payment.id, record.attempts.len() as i64 + 1, now)
        };
        let to_insert = attempt.clone();
        let note = (note.0, Actor::stamp(by.as_ref(), note.1));
        let id = record.payment.id.clone();
        let (provider, key) = (record.payment.provider, record.payment.subject_key.clone());
        self.commit(move |tx| {
            if let Err(busy) = not_busy(tx, provider, &key)? {
                return Ok((Err(busy), Vec::new()));
            }
            if let Some(card) = &card {
                store::set_payment_card(tx, &id, card, now)?;
            }
            let noted = journal::record(tx, &id, crate::payment::EventKind::Note, &note.0, note.1, now)?;
            let journaled = journal_attempt(tx, to_insert, now)?;
            Ok((Ok(()), vec![noted, journaled]))
        })
        .await??;
        Ok(Attempt { status: Status::Submitting, ..attempt })
    }

    /// Start-up: every attempt a crash left `Submitting` may or may not have reached the provider.
    /// It becomes `Unknown` and is reconciled at once, before new work for the same thing. A
    /// refund left `Sending` becomes `Unclear`, for a person. Returns how many attempts and
    /// refunds were left in flight.
    pub async fn recover(&self) -> Result<usize, EngineError> {
        let refunds = self.recover_refunds().await?;
        let left = self.inner.store.read(|c| store::attempts_in_status(c, Status::Submitting)).await?;
        let count = left.len();
        for attempt in left {
            let now = now_ms();
            self.commit(move |tx| {
                let mut attempt = attempt;
                attempt.next_poll_at_ms = Some(now);
                let e = journal::move_to(
                    tx,
                    &mut attempt,
                    Status::Unknown,
                    "Farepoint stopped while this payment was being sent — checking with the provider",
                    json!({ "reason": "interrupted" }),
                    now,
                )?;
                Ok(((), vec![e]))
            })
            .await?;
        }
        if count > 0 {
            self.inner.wake.notify_one();
        }
        Ok(count + refunds)
    }

    /// Follows up every attempt that is due now. Returns how many were looked at.
    pub async fn poll_due(&self) -> Result<usize, EngineError> {
        let due = self.inner.store.read(|c| store::attempts_due(c, now_ms(), 64)).await?;
        let mut tasks = Vec::new();
        for attempt in due {
            let engine = self.clone();
            tasks.push(tokio::spawn(async move {
                let payment = {
                    let id = attempt.payment_id.clone();
                    engine.inner.store.read(move |c| store::get_payment(c, &id)).await?
                };
                let permit = engine.inner.limits[&payment.provider].clone().acquire_owned().await;
                let result = engine.poll_one(payment, attempt).await;
                drop(permit);
                result
            }));
        }
        let count = tasks.len();
        let mut cannot_write = false;
        for task in tasks {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(EngineError::Store(e))) if e.is_write_failure() => {
                    cannot_write = true;
                    tracing::warn!("poll answer not saved: {e}");
                }
                Ok(Err(e)) => tracing::warn!("poll failed: {e}"),
                Err(e) => tracing::error!("poll task panicked: {e}"),
            }
        }
        use std::sync::atomic::Ordering::Relaxed;
        if cannot_write {
            self.inner.store_trouble.fetch_add(1, Relaxed);
        } else if count > 0 {
            self.inner.store_trouble.store(0, Relaxed);
        }
        Ok(count)
    }

    /// Asks the provider about one attempt now, whatever its schedule ("poll now").
    pub async fn poll_now(&self, payment_id: &str) -> Result<PaymentRecord, EngineError> {
        let record = self.record(payment_id).await?;
        let attempt = record
            .attempts
            .last()
            .cloned()
            .ok_or_else(|| StoreError::NotFound { what: "attempt", id: payment_id.to_string() })?;
        if attempt.next_poll_at_ms.is_none() {
            return Ok(record);
        }
        self.poll_one(record.payment, attempt).await?;
        self.record(payment_id).await
    }

    async fn poll_one(&self, payment: Payment, attempt: Attempt) -> Result<(), EngineError> {
        let Some(_one_at_a_time) = self.take_in_flight(&payment.id) else {
            // Another call about this payment is under way: look again a little later rather
            // than at once (the poller would otherwise spin until that call ends).
            let later = now_ms() + self.policy(payment.provider).first_after.as_millis() as i64;
            let id = attempt.id;
            self.inner.store.write(move |c| store::postpone_poll(c, &id, later)).await?;
            return Ok(());
        };
        match payment.provider {
            Provider::Atrip => self.poll_atrip(payment, attempt).await,
            Provider::Travelport => self.poll_travelport(payment, attempt).await,
            Provider::HolidayExtras => self.poll_holidayextras(payment, attempt).await,
            Provider::HeiPay => self.poll_heipay(payment, attempt).await,
        }
    }

    /// Runs follow-ups until the engine is dropped: sleeps until the next scheduled poll, or
    /// until woken by new work. With nothing scheduled it only waits.
    pub fn spawn_poller(&self) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            loop {
                let Some(inner) = weak.upgrade() else { return };
                let engine = Engine { inner };
                if let Err(e) = engine.poll_due().await {
                    tracing::warn!("polling: {e}");
                }
                let mut next = engine.inner.store.read(|c| store::next_poll_at(c)).await.ok().flatten();
                // While the history cannot take answers, wait 2, 4 … 60 s between rounds.
                let trouble = engine.inner.store_trouble.load(std::sync::atomic::Ordering::Relaxed);
                if trouble > 0 {
                    let backoff = (1000i64 << trouble.min(6)).min(60_000);
                    next = next.map(|at| at.max(now_ms() + backoff));
                }
                let wake = engine.inner.wake.clone();
                drop(engine);
                let notified = wake.notified();
                match next {
                    Some(at) => {
                        let wait = Duration::from_millis((at - now_ms()).clamp(10, 60_000) as u64);
                        tokio::select! {
                            _ = notified => {}
                            _ = tokio::time::sleep(wait) => {}
                        }
                    }
                    None => notified.await,
                }
            }
        })
    }

    /// The agent's answer for a payment that needs review, recorded with their note.
    pub async fn resolve_review(
        &self,
        payment_id: &str,
        outcome: Status,
        note: &str,
    ) -> Result<PaymentRecord, EngineError> {
        let by = self.acting()?;
        let record = self.record(payment_id).await?;
        record.require(Status::NeedsReview)?;
        let provider = record.payment.provider;
        // The one list the window offers (`Provider::review_outcomes`), so the two cannot differ.
        if !provider.review_outcomes().contains(&outcome) {
            let problem = if Status::NeedsReview.can_become(outcome) {
                CodedError::new(ErrorCode::OutcomeNoTickets).with("provider", provider.display_name())
            } else {
                CodedError::new(ErrorCode::OutcomeChoose)
            };
            return Err(ProviderError::invalid("outcome", problem).into());
        }
        let mut attempt = record.attempts.last().cloned().expect("a payment under review has an attempt");
        let note = note.trim().to_string();
        if note.is_empty() {
            return Err(ProviderError::invalid("note", CodedError::new(ErrorCode::NoteRequired)).into());
        }
        let now = now_ms();
        self.commit(move |tx| {
            attempt.next_poll_at_ms = None;
            let e = journal::move_to(
                tx,
                &mut attempt,
                outcome,
                &format!("Resolved by the agent: {note}"),
                Actor::stamp(by.as_ref(), json!({ "resolution": outcome.as_str(), "note": note })),
                now,
            )?;
            Ok(((), vec![e]))
        })
        .await?;
        self.record(payment_id).await
    }

    /// Counts one more look at `attempt`. The wall clock can jump (corrected by hand or by NTP, a
    /// laptop resumed), so an attempt's age alone could end a grace period or a deadline early
    /// and turn "no news yet" into a decision. Time counts only as the monotonic clock saw it
    /// pass between two looks in this run, summed over runs in `watched_ms`; the time a stopped
    /// app was away does not count. The age used is the smaller of the two.
    pub(super) fn watch(&self, attempt: &Attempt) -> Watch {
        let now = std::time::Instant::now();
        let since_last = {
            let mut looks = self.inner.looks.lock().unwrap_or_else(|e| e.into_inner());
            if looks.len() > 10_000 {
                looks.clear(); // only credit is lost: grace and deadlines end later, never sooner
            }
            looks.insert(attempt.id.clone(), now).map(|last| now - last).unwrap_or_default()
        };
        let watched_ms =
            attempt.watched_ms.saturating_add(since_last.as_millis().min(i64::MAX as u128) as i64);
        let wall = Duration::from_millis((now_ms() - attempt.created_at_ms).max(0) as u64);
        Watch { age: wall.min(Duration::from_millis(watched_ms.max(0) as u64)), watched_ms }
    }

    /// Marks a payment as having a provider call under way; `None` if one already is.
    pub(super) fn take_in_flight(&self, payment_id: &str) -> Option<InFlight<'_>> {
        let mut set = self.inner.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        set.insert(payment_id.to_string())
            .then(|| InFlight { engine: self, payment_id: payment_id.to_string() })
    }

    fn wake_poller(&self) {
        self.inner.wake.notify_one();
    }
}

/// A provider call about one payment under way; the mark is removed when the call ends.
pub(super) struct InFlight<'a> {
    engine: &'a Engine,
    payment_id: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.engine.inner.in_flight.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.payment_id);
    }
}

/// A new attempt with a fresh idempotency key: 16 × [0-9A-Z], the strictest provider format.
fn new_attempt(payment_id: &str, seq: i64, now: i64) -> Attempt {
    Attempt {
        id: uuid::Uuid::now_v7().to_string(),
        payment_id: payment_id.to_string(),
        seq,
        idempotency_key: idempotency_key(),
        status: Status::Draft,
        provider_ref: None,
        error_code: None,
        error_message: None,
        next_poll_at_ms: None,
        watched_ms: 0,
        created_at_ms: now,
        updated_at_ms: now,
        agent: None,
    }
}

/// Inserts a new attempt as `Draft` and moves it to `Submitting`: the journal entry that must be
/// durable before the request is sent.
fn journal_attempt(
    tx: &rusqlite::Transaction<'_>,
    mut attempt: Attempt,
    now: i64,
) -> Result<TimelineEvent, StoreError> {
    attempt.status = Status::Draft;
    store::insert_attempt(tx, &attempt)?;
    let data = Actor::stamp(attempt.agent.as_ref(), json!({ "attempt": attempt.seq }));
    journal::move_to(tx, &mut attempt, Status::Submitting, "Journaled — about to send", data, now)
}

/// `Err(Busy)` while a payment for this provider and subject key may still move money or waits
/// on a person (the oldest such payment is named).
fn not_busy(
    conn: &rusqlite::Connection,
    provider: Provider,
    subject_key: &str,
) -> Result<Result<(), EngineError>, StoreError> {
    Ok(match store::open_payments_for(conn, provider, subject_key)?.into_iter().next() {
        Some(open) => Err(EngineError::Busy {
            subject: Paying::of(&open),
            reference: open.reference,
            status: open.status,
        }),
        None => Ok(()),
    })
}

const KEY_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// 16 characters from [0-9A-Z], from the OS RNG.
pub fn idempotency_key() -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    (0..16).map(|_| KEY_ALPHABET[rng.gen_range(0..KEY_ALPHABET.len())] as char).collect()
}

/// Our payment reference, shown to the agent: "FP-" and 10 characters from [0-9A-Z].
fn payment_reference() -> String {
    format!("FP-{}", &idempotency_key()[..10])
}

fn new_payment(
    provider: Provider,
    profile: &str,
    amount: crate::money::Money,
    customer: String,
    subject: crate::subject::Subject,
    subject_key: String,
    card: Option<crate::card::CardSummary>,
) -> Payment {
    let now = now_ms();
    Payment {
        id: uuid::Uuid::now_v7().to_string(),
        reference: payment_reference(),
        provider,
        profile: profile.to_string(),
        status: Status::Draft,
        amount,
        customer,
        subject,
        subject_key,
        card,
        created_at_ms: now,
        updated_at_ms: now,
        // Set as it is journaled (`journal_new`), by who is at the desk then.
        agent: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_sixteen_of_0_9_a_z_and_differ() {
        let a = idempotency_key();
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|b| KEY_ALPHABET.contains(&b)));
        assert_ne!(a, idempotency_key());
        assert!(payment_reference().starts_with("FP-"));
    }

    #[test]
    fn poll_delay_grows_with_age_within_bounds() {
        let p = PollPolicy::default();
        assert_eq!(p.next_delay(Duration::ZERO), p.first_after);
        assert_eq!(p.next_delay(Duration::from_secs(40)), Duration::from_secs(10));
        assert_eq!(p.next_delay(Duration::from_secs(3600)), p.max_interval);
    }
}
