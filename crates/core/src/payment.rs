//! Payments, attempts, the unified status machine and the sealed, chained timeline
//! (docs/design.md §7).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::agents::Actor;
use crate::card::CardSummary;
use crate::money::Money;

/// The four provider APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Atrip,
    Travelport,
    HolidayExtras,
    HeiPay,
}

impl Provider {
    pub const ALL: [Provider; 4] =
        [Provider::Atrip, Provider::Travelport, Provider::HolidayExtras, Provider::HeiPay];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Atrip => "atrip",
            Provider::Travelport => "travelport",
            Provider::HolidayExtras => "holidayextras",
            Provider::HeiPay => "heipay",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Provider::Atrip => "ATRIP",
            Provider::Travelport => "Travelport",
            Provider::HolidayExtras => "Holiday Extras",
            Provider::HeiPay => "HeiPay",
        }
    }

    /// ATRIP and Travelport issue tickets (and EMDs) after the payment; the others only charge.
    pub fn issues_tickets(self) -> bool {
        matches!(self, Provider::Atrip | Provider::Travelport)
    }

    /// What a person may record for a payment of this provider under review, from its portal:
    /// any move out of `NeedsReview`, the ticketing ones only where the provider issues tickets.
    /// `Engine::resolve_review` accepts exactly these, and the window offers exactly these.
    pub fn review_outcomes(self) -> Vec<Status> {
        Status::ALL
            .into_iter()
            .filter(|&s| Status::NeedsReview.can_become(s))
            .filter(|s| self.issues_tickets() || !matches!(s, Status::Ticketed | Status::TicketingFailed))
            .collect()
    }
}

impl FromStr for Provider {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| {
            format!("unknown provider '{s}' — expected atrip, travelport, holidayextras or heipay")
        })
    }
}

/// The unified payment status every provider status maps into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    Draft,
    Submitting,
    Paid,
    Ticketing,
    Ticketed,
    TicketingFailed,
    Declined,
    Unknown,
    NeedsReview,
    Refunded,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a payment cannot go from {from} to {to}")]
pub struct IllegalTransition {
    pub from: Status,
    pub to: Status,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Draft,
        Status::Submitting,
        Status::Paid,
        Status::Ticketing,
        Status::Ticketed,
        Status::TicketingFailed,
        Status::Declined,
        Status::Unknown,
        Status::NeedsReview,
        Status::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Submitting => "Submitting",
            Status::Paid => "Paid",
            Status::Ticketing => "Ticketing",
            Status::Ticketed => "Ticketed",
            Status::TicketingFailed => "TicketingFailed",
            Status::Declined => "Declined",
            Status::Unknown => "Unknown",
            Status::NeedsReview => "NeedsReview",
            Status::Refunded => "Refunded",
        }
    }

    /// The legal moves of docs/design.md §7. Anything not listed is refused.
    pub fn can_become(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Draft, Submitting)
                | (Submitting, Paid | Declined | Unknown)
                | (Unknown, Paid | Declined | NeedsReview)
                // The agent records what the provider portal says.
                | (NeedsReview, Paid | Declined | Ticketed | TicketingFailed)
                | (Paid, Ticketing | TicketingFailed | Refunded)
                | (Ticketing, Ticketed | TicketingFailed)
                // Ticketing that outlives its polling deadline goes to a person.
                | (Ticketing, NeedsReview)
                // A definite decline may be followed by a new attempt.
                | (Declined, Submitting)
        )
    }

    pub fn transition(self, to: Status) -> Result<Status, IllegalTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// No further move will happen without a person (or a refund) acting.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Ticketed | Status::TicketingFailed | Status::Declined | Status::Refunded)
    }

    /// Money may have moved: the payment must never be charged again blindly.
    pub fn may_have_charged(self) -> bool {
        !matches!(self, Status::Draft | Status::Declined)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| format!("unknown status '{s}'"))
    }
}

/// The business intent: what is paid, to whom, how much. One or more attempts carry it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    pub id: String,
    /// Our reference, shown to the agent and sent where the provider takes one.
    pub reference: String,
    pub provider: Provider,
    pub profile: String,
    pub status: Status,
    pub amount: Money,
    pub customer: String,
    /// What the payment pays for, in the provider's terms (order number, locator + offers, …):
    /// stored without its tag, served to the window with it (`subject`).
    pub subject: crate::subject::Subject,
    /// The one key of what is paid (order number, locator, reference): at most one payment per
    /// key may be in flight.
    pub subject_key: String,
    pub card: Option<CardSummary>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// Who took it: the agent at the desk when it was journaled, as named then. None on a desk
    /// without agents, and on payments from before agents were recorded.
    #[serde(default)]
    pub agent: Option<Actor>,
}

/// Where a refund stands. It is journaled `Sending` before it leaves; only `Refunded` counts as
/// money given back; `Unclear` may or may not have been made and waits for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefundStatus {
    Sending,
    Refunded,
    Declined,
    Unclear,
}

impl RefundStatus {
    pub const ALL: [RefundStatus; 4] =
        [RefundStatus::Sending, RefundStatus::Refunded, RefundStatus::Declined, RefundStatus::Unclear];

    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Sending => "Sending",
            RefundStatus::Refunded => "Refunded",
            RefundStatus::Declined => "Declined",
            RefundStatus::Unclear => "Unclear",
        }
    }

    /// The legal moves: a sent refund gets its answer (or none); an unclear one is settled by
    /// what the provider (or its portal, read by a person) shows. Nothing leaves `Refunded` or
    /// `Declined`.
    pub fn can_become(self, to: RefundStatus) -> bool {
        use RefundStatus::*;
        matches!((self, to), (Sending, Refunded | Declined | Unclear) | (Unclear, Refunded | Declined))
    }

    /// Money may be on its way back: no other refund of the payment may start.
    pub fn is_open(self) -> bool {
        matches!(self, RefundStatus::Sending | RefundStatus::Unclear)
    }
}

impl fmt::Display for RefundStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RefundStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RefundStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown refund status '{s}'"))
    }
}

/// Money sent back to the customer against a payment, one request at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub payment_id: String,
    /// 1 for a payment's first refund, 2 for the next, …
    pub seq: i64,
    /// In the payment's currency.
    pub amount: Money,
    pub status: RefundStatus,
    /// The provider's id for the refund, when it gave one.
    pub provider_ref: Option<String>,
    /// Why it ended as it did (a refusal, what a person found in the portal).
    pub note: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// Who asked for it, as named then.
    #[serde(default)]
    pub agent: Option<Actor>,
}

/// One submission of a payment to its provider, with its own idempotency key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub id: String,
    pub payment_id: String,
    /// 1 for the first attempt of a payment, 2 for the next after a decline, …
    pub seq: i64,
    /// Sent to providers that take one (Holiday Extras `paymentId`, Travelport payment id).
    pub idempotency_key: String,
    pub status: Status,
    pub provider_ref: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// When the engine should next ask the provider about this attempt (ticketing, Unknown).
    pub next_poll_at_ms: Option<i64>,
    /// How long Farepoint has watched this attempt by the monotonic clock, over all its runs:
    /// grace periods and deadlines need this as well as wall-clock age (the wall clock jumps).
    #[serde(default)]
    pub watched_ms: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// Who sent it, as named then: a new attempt after a decline may be another agent's.
    #[serde(default)]
    pub agent: Option<Actor>,
}

/// A ticket or EMD issued for a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub number: String,
    pub passenger: String,
    pub kind: TicketKind,
    pub issued_at_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TicketKind {
    Ticket,
    Emd,
}

impl TicketKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketKind::Ticket => "ticket",
            TicketKind::Emd => "emd",
        }
    }
}

/// Appends a ticket number as printed: "1762345678901" → "176-2345678901" (airline code, then
/// the serial). Anything else is kept as it is.
pub fn push_ticket_number(out: &mut String, number: &str) {
    match number.split_at_checked(3) {
        Some((airline, serial)) if number.len() == 13 && number.bytes().all(|b| b.is_ascii_digit()) => {
            out.push_str(airline);
            out.push('-');
            out.push_str(serial);
        }
        _ => out.push_str(number),
    }
}

/// A ticket number as printed, see [`push_ticket_number`].
pub fn ticket_number_display(number: &str) -> String {
    let mut out = String::with_capacity(number.len() + 1);
    push_ticket_number(&mut out, number);
    out
}

/// What kind of thing happened, for the timeline's wording and icons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    Journaled,
    Sent,
    ProviderAnswer,
    Transition,
    Ticket,
    Reconciled,
    Note,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Journaled => "journaled",
            EventKind::Sent => "sent",
            EventKind::ProviderAnswer => "provider_answer",
            EventKind::Transition => "transition",
            EventKind::Ticket => "ticket",
            EventKind::Reconciled => "reconciled",
            EventKind::Note => "note",
        }
    }
}

impl FromStr for EventKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use EventKind::*;
        [Created, Journaled, Sent, ProviderAnswer, Transition, Ticket, Reconciled, Note]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown event kind '{s}'"))
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The content of an event before it is sealed into the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub at_ms: i64,
    pub kind: EventKind,
    pub status_before: Option<Status>,
    pub status_after: Option<Status>,
    pub message: String,
    /// Redacted request/response or other detail. Never card data.
    pub data: serde_json::Value,
}

impl NewEvent {
    /// A note: no status change.
    pub fn note(at_ms: i64, message: String, data: serde_json::Value) -> NewEvent {
        NewEvent { at_ms, kind: EventKind::Note, status_before: None, status_after: None, message, data }
    }
}

/// One append-only timeline entry, chained to the previous entry of the same payment and sealed
/// (`crate::seal`): `hash` is the event's HMAC-SHA-256 seal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub payment_id: String,
    /// 1, 2, 3 … within the payment.
    pub seq: i64,
    /// 1, 2, 3 … across the whole history, in the order events were sealed (0 before sealing).
    pub gseq: i64,
    pub at_ms: i64,
    pub kind: EventKind,
    pub status_before: Option<Status>,
    pub status_after: Option<Status>,
    pub message: String,
    pub data: serde_json::Value,
    #[serde(with = "hex::serde")]
    pub prev_hash: [u8; 32],
    #[serde(with = "hex::serde")]
    pub hash: [u8; 32],
}

/// The hash the first event of a payment points back to.
pub const GENESIS_HASH: [u8; 32] = [0; 32];

impl TimelineEvent {
    /// `event` as the next entry after the one with `prev`'s sequence number and seal (or as the
    /// first one when `prev` is None), not yet sealed: the store gives it its place in the
    /// history and its seal.
    pub fn next(payment_id: &str, prev: Option<(i64, [u8; 32])>, event: NewEvent) -> TimelineEvent {
        let (seq, prev_hash) = prev.map_or((1, GENESIS_HASH), |(seq, hash)| (seq + 1, hash));
        TimelineEvent {
            payment_id: payment_id.to_string(),
            seq,
            gseq: 0,
            at_ms: event.at_ms,
            kind: event.kind,
            status_before: event.status_before,
            status_after: event.status_after,
            message: event.message,
            data: event.data,
            prev_hash,
            hash: [0; 32],
        }
    }

    /// What the event says, without its place and seal (to be sealed again elsewhere).
    pub fn content(&self) -> NewEvent {
        NewEvent {
            at_ms: self.at_ms,
            kind: self.kind,
            status_before: self.status_before,
            status_after: self.status_after,
            message: self.message.clone(),
            data: self.data.clone(),
        }
    }

    /// What the seal covers: every field, each length-prefixed so no two contents read alike,
    /// the seal before it, its place in the history and the payment's facts (`seal::Facts`).
    pub fn seal_input(&self, facts: &[u8; 32]) -> Vec<u8> {
        let data = self.data.to_string();
        let mut out = Vec::with_capacity(160 + self.message.len() + data.len());
        let mut field = |bytes: &[u8]| {
            out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
            out.extend_from_slice(bytes);
        };
        field(b"farepoint event v2");
        field(self.payment_id.as_bytes());
        field(&self.seq.to_be_bytes());
        field(&self.gseq.to_be_bytes());
        field(&self.at_ms.to_be_bytes());
        field(self.kind.as_str().as_bytes());
        field(self.status_before.map_or("", Status::as_str).as_bytes());
        field(self.status_after.map_or("", Status::as_str).as_bytes());
        field(self.message.as_bytes());
        // The data as its compact JSON text (the store keeps it compressed; reading it back
        // gives the same text).
        field(data.as_bytes());
        field(&self.prev_hash);
        field(facts);
        out
    }

    /// The plain SHA-256 chain of histories before they were sealed (v6 and older), checked
    /// once when such a history is sealed.
    pub fn unsealed_hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        field(self.payment_id.as_bytes());
        field(&self.seq.to_be_bytes());
        field(&self.at_ms.to_be_bytes());
        field(self.kind.as_str().as_bytes());
        field(self.status_before.map_or("", Status::as_str).as_bytes());
        field(self.status_after.map_or("", Status::as_str).as_bytes());
        field(self.message.as_bytes());
        field(self.data.to_string().as_bytes());
        field(&self.prev_hash);
        h.finalize().into()
    }
}

/// How one payment's stored timeline fails to hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("event {seq} of payment {payment_id} was altered: its content no longer matches its seal")]
    Altered { payment_id: String, seq: i64 },
    #[error("event {seq} of payment {payment_id} does not follow the event before it (one was removed, inserted or reordered)")]
    Broken { payment_id: String, seq: i64 },
    #[error("payment {payment_id}'s amount, currency, reference, customer or what it pays was changed after it was recorded")]
    FactsEdited { payment_id: String },
    #[error("payment {payment_id}'s {key} differs from what its timeline recorded")]
    StatedEdited { payment_id: String, key: String },
    #[error(
        "payment {payment_id}'s timeline did not hold together when this history was first sealed: {problem}"
    )]
    BrokenBeforeSealing { payment_id: String, problem: String },
}

/// Checks the links of one payment's timeline, given in order: sequence numbers and the seal
/// each event points back to (the seals themselves are the store's to check: they need the key).
pub fn check_links(events: &[TimelineEvent]) -> Result<(), ChainError> {
    let mut expected_prev = GENESIS_HASH;
    for (i, event) in events.iter().enumerate() {
        if event.seq != i as i64 + 1 || event.prev_hash != expected_prev {
            return Err(ChainError::Broken { payment_id: event.payment_id.clone(), seq: event.seq });
        }
        expected_prev = event.hash;
    }
    Ok(())
}

/// Checks a timeline sealed before v7 against its plain SHA-256 chain.
pub fn check_unsealed_chain(events: &[TimelineEvent]) -> Result<(), ChainError> {
    check_links(events)?;
    match events.iter().find(|e| e.unsealed_hash() != e.hash) {
        Some(e) => Err(ChainError::Altered { payment_id: e.payment_id.clone(), seq: e.seq }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use Status::*;

    #[test]
    fn the_designed_paths_are_legal() {
        let paths: &[&[Status]] = &[
            &[Draft, Submitting, Paid, Ticketing, Ticketed],
            &[Draft, Submitting, Paid, TicketingFailed],
            &[Draft, Submitting, Paid, Ticketing, TicketingFailed],
            &[Draft, Submitting, Declined, Submitting, Paid],
            &[Draft, Submitting, Unknown, Paid, Refunded],
            &[Draft, Submitting, Unknown, Declined],
            &[Draft, Submitting, Unknown, NeedsReview, Paid],
            &[Draft, Submitting, Paid, Ticketing, NeedsReview, Ticketed],
        ];
        for path in paths {
            let mut status = path[0];
            for next in &path[1..] {
                status = status.transition(*next).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            }
        }
    }

    #[test]
    fn illegal_transitions_are_errors() {
        // The ones that would lose money or hide an ambiguity.
        for (from, to) in [
            (Unknown, Submitting), // never re-send an ambiguous attempt blindly
            (Paid, Declined),
            (Paid, Submitting), // never charge twice
            (Ticketed, Submitting),
            (Refunded, Paid),
            (Draft, Paid),
            (Submitting, Ticketed),
            (Declined, Paid),
            (Unknown, Unknown),
        ] {
            let err = from.transition(to).unwrap_err();
            assert_eq!(err, IllegalTransition { from, to });
            assert_eq!(err.to_string(), format!("a payment cannot go from {from} to {to}"));
        }
        // Exhaustively: the number of legal pairs is exactly the designed set.
        let legal = Status::ALL
            .iter()
            .flat_map(|a| Status::ALL.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.can_become(*b))
            .count();
        assert_eq!(legal, 18);
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), s);
        }
        for p in Provider::ALL {
            assert_eq!(p.as_str().parse::<Provider>().unwrap(), p);
        }
        assert!("Success".parse::<Status>().is_err());
        assert!(Paid.may_have_charged() && Unknown.may_have_charged() && !Declined.may_have_charged());
    }

    fn event(i: i64, message: &str) -> NewEvent {
        NewEvent {
            at_ms: 1_700_000_000_000 + i,
            kind: EventKind::Transition,
            status_before: Some(Draft),
            status_after: Some(Submitting),
            message: message.into(),
            data: json!({"attempt": i, "masked": "411111••••••1111"}),
        }
    }

    /// A v6 chain: each event hashed with the plain SHA-256 of unsealed histories.
    fn chain(n: i64) -> Vec<TimelineEvent> {
        let mut events: Vec<TimelineEvent> = Vec::new();
        for i in 0..n {
            let mut next = TimelineEvent::next(
                "p1",
                events.last().map(|e| (e.seq, e.hash)),
                event(i, &format!("step {i}")),
            );
            next.hash = next.unsealed_hash();
            events.push(next);
        }
        events
    }

    #[test]
    fn an_unsealed_chain_verifies() {
        let events = chain(5);
        assert_eq!(events[0].prev_hash, GENESIS_HASH);
        assert_eq!(events[3].prev_hash, events[2].hash);
        assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
        check_unsealed_chain(&events).unwrap();
        check_unsealed_chain(&[]).unwrap();
    }

    #[test]
    fn any_edit_breaks_an_unsealed_chain() {
        type Edit = Box<dyn Fn(&mut TimelineEvent)>;
        let edits: Vec<Edit> = vec![
            Box::new(|e| e.message.push('!')),
            Box::new(|e| e.at_ms += 1),
            Box::new(|e| e.status_after = Some(Paid)),
            Box::new(|e| e.data = json!({"attempt": 99})),
            Box::new(|e| e.kind = EventKind::Note),
            Box::new(|e| e.payment_id = "p2".into()),
        ];
        for edit in edits {
            let mut events = chain(4);
            edit(&mut events[2]);
            assert!(
                matches!(check_unsealed_chain(&events), Err(ChainError::Altered { seq: 3, .. })),
                "edit of event 3 not detected"
            );
        }
        // Re-hashing the edited event does not help: the next link no longer matches.
        let mut events = chain(4);
        events[1].message = "rewritten".into();
        events[1].hash = events[1].unsealed_hash();
        assert!(matches!(check_unsealed_chain(&events), Err(ChainError::Broken { seq: 3, .. })));
        // Removing or reordering events is caught.
        let mut events = chain(4);
        events.remove(1);
        assert!(matches!(check_unsealed_chain(&events), Err(ChainError::Broken { seq: 3, .. })));
        let mut events = chain(4);
        events.swap(1, 2);
        assert!(check_unsealed_chain(&events).is_err());
    }

    #[test]
    fn the_seal_covers_every_field_its_place_and_the_facts() {
        let event = chain(2).pop().unwrap();
        let facts = [1u8; 32];
        let base = event.seal_input(&facts);
        type Edit = Box<dyn Fn(&mut TimelineEvent)>;
        let edits: Vec<Edit> = vec![
            Box::new(|e| e.message.push('!')),
            Box::new(|e| e.gseq += 1),
            Box::new(|e| e.seq += 1),
            Box::new(|e| e.prev_hash[0] ^= 1),
            Box::new(|e| e.data = json!({"attempt": 99})),
        ];
        for edit in edits {
            let mut edited = event.clone();
            edit(&mut edited);
            assert_ne!(edited.seal_input(&facts), base);
        }
        assert_ne!(event.seal_input(&[2u8; 32]), base, "other facts, another seal");
    }

    #[test]
    fn events_serialize_with_hex_seals() {
        let events = chain(2);
        let json = serde_json::to_value(&events[1]).unwrap();
        assert_eq!(json["prev_hash"].as_str().unwrap(), hex::encode(events[0].hash));
        let back: TimelineEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, events[1]);
    }
}
