//! Realistic payments in bulk, shaped as the engine writes them, for the history benchmark and
//! tests: the four providers, their outcomes (with retries after a decline), names with
//! accents, ticket numbers, and the same attempts and timeline — provider exchanges included —
//! redacted and sealed as the store does every event.
//!
//! The rows go through the store's own insert functions and the schema's triggers, in large
//! transactions instead of the engine's one fsync per step; each payment's timeline is redacted
//! and sealed in one pass (`store::append_events`), as reading the previous event back for
//! every append would make a million payments take many minutes. `Generated::events` are the
//! events as stored but before sealing (no place in the history, no seal): already redacted
//! here, so they say exactly what the store keeps.

use std::borrow::Cow;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, Transaction};
use serde_json::{json, Value};

use farepoint_core::card::{CardBrand, CardSummary};
use farepoint_core::money::{Currency, Money};
use farepoint_core::payment::{
    Attempt, EventKind, NewEvent, Payment, Provider, Refund, RefundStatus, Status, Ticket, TicketKind,
    TimelineEvent,
};
use farepoint_core::providers::atrip::Method;
use farepoint_core::providers::holidayextras::ApiVersion;
use farepoint_core::providers::travelport::{Offer, OfferKind};
use farepoint_core::subject::{
    AtripSubject, HeiPaySubject, HolidayExtrasSubject, StoredOffer, Subject, TravelportSubject,
};
use farepoint_core::{redact, store};

/// Bump when the generated data or the way it is stored changes, so a saved benchmark database
/// is rebuilt.
pub const GENERATOR_VERSION: u32 = 4;

/// One payment with everything the engine would have stored for it.
#[derive(Debug, Clone)]
pub struct Generated {
    pub payment: Payment,
    pub attempts: Vec<Attempt>,
    pub tickets: Vec<Ticket>,
    pub refunds: Vec<Refund>,
    pub events: Vec<TimelineEvent>,
}

/// How a generated payment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Paid (and ticketed where the provider tickets).
    Success,
    Declined,
    /// Declined, then a second attempt succeeded.
    RetriedThenPaid,
    TicketingFailed,
    NeedsReview,
    /// Ticketing still in progress.
    Ticketing,
    /// Holiday Extras only: paid, then refunded.
    Refunded,
}

const FIRST_NAMES: &[&str] = &[
    "Lucía",
    "José",
    "María",
    "Zoë",
    "François",
    "Jürgen",
    "Ana",
    "Sofía",
    "Martín",
    "Inés",
    "Raúl",
    "Chloé",
    "Björn",
    "Søren",
    "Ångela",
    "Nuño",
    "Íñigo",
    "Andrés",
    "Élodie",
    "Joaquín",
    "Ramón",
    "Begoña",
    "Jane",
    "John",
    "Mei",
    "Anna",
    "Ben",
    "Priya",
    "Oliver",
    "Emma",
    "Noah",
    "Aisha",
    "Kenji",
    "Olga",
    "Paulo",
    "Thảo",
    "Mateo",
    "Valentina",
    "Camila",
    "Tomás",
    "Léa",
    "Noé",
    "Hélène",
    "Łukasz",
    "Dvořák",
    "Ömer",
    "Çağla",
    "Mónica",
    "Víctor",
    "Gonçalo",
];
const SURNAMES: &[&str] = &[
    "Muñoz",
    "García",
    "Núñez",
    "Peña",
    "Ibáñez",
    "Gómez",
    "Müller",
    "Søndergaard",
    "Lefèvre",
    "Martínez",
    "López",
    "Fernández",
    "Rodríguez",
    "Sánchez",
    "Pérez",
    "Hernández",
    "Jiménez",
    "Álvarez",
    "Castaño",
    "Doe",
    "Lim",
    "Tan",
    "Smith",
    "Jones",
    "Brown",
    "Wilson",
    "Nguyễn",
    "Kowalski",
    "Schröder",
    "Weiß",
    "Gonçalves",
    "Conceição",
    "Böhm",
    "Öztürk",
    "Yılmaz",
    "Dubois",
    "Moreau",
    "Rossi",
    "Bianchi",
    "O'Brien",
    "Ó Ceallaigh",
    "MacDonald",
    "Johansson",
    "Håkansson",
    "Virtanen",
    "Nowak",
    "Novák",
    "Kovačević",
    "Papadopoulos",
    "Sato",
    "Suzuki",
    "Kim",
    "Park",
    "Chen",
    "Wang",
    "Singh",
    "Patel",
    "Khan",
    "Silva",
    "Santos",
    "Oliveira",
    "Costa",
    "Ferreira",
    "Cruz",
    "Reyes",
    "Ortiz",
    "Ramírez",
    "Vásquez",
    "Castillo",
    "Morales",
    "Delgado",
    "Aguilar",
    "Domínguez",
    "Guzmán",
    "Muñiz",
    "Quiñones",
    "Zúñiga",
    "Echeverría",
];
const AIRLINES: &[(&str, &str, &str)] = &[
    ("176", "EK", "Emirates"),
    ("618", "SQ", "Singapore Airlines"),
    ("203", "5J", "Cebu Pacific"),
    ("016", "UA", "United Airlines"),
    ("075", "IB", "Iberia"),
    ("125", "BA", "British Airways"),
    ("057", "AF", "Air France"),
    ("220", "LH", "Lufthansa"),
];
const AIRPORTS: &[&str] =
    &["SIN", "MNL", "MAD", "LHR", "CDG", "FRA", "DXB", "JFK", "BOG", "MEX", "LIS", "BCN"];
const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const KEY_CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn decimal(money: Money) -> Value {
    // The providers' JSON numbers, written from the exact decimal text.
    serde_json::from_str(&money.to_major_string()).unwrap_or(Value::Null)
}

/// A payment's timeline as it is appended.
struct Chain {
    payment_id: String,
    events: Vec<TimelineEvent>,
    status: Status,
    at: i64,
}

impl Chain {
    fn push(&mut self, kind: EventKind, to: Option<Status>, mut message: String, mut data: Value) {
        // As the store will (a ticket number or a card token can be Luhn-valid), so what a test
        // compares with the stored timeline is what was stored.
        if let Cow::Owned(masked) = redact::redact_text(&message) {
            message = masked;
        }
        redact::redact(&mut data);
        let (before, after) = match to {
            Some(to) => (Some(self.status), Some(to)),
            None => (None, None),
        };
        let event =
            NewEvent { at_ms: self.at, kind, status_before: before, status_after: after, message, data };
        // Sealed by the store as it is inserted (`insert`).
        let next = TimelineEvent::next(&self.payment_id, self.events.last().map(|e| (e.seq, e.hash)), event);
        self.events.push(next);
        if let Some(to) = to {
            self.status = to;
        }
    }

    fn record(&mut self, kind: EventKind, message: impl Into<String>, data: Value) {
        self.push(kind, None, message.into(), data);
    }

    fn move_to(&mut self, to: Status, message: impl Into<String>, data: Value) {
        self.push(EventKind::Transition, Some(to), message.into(), data);
    }
}

/// Makes payments from a seed: the same seed gives the same payments.
pub struct Generator {
    rng: StdRng,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator { rng: StdRng::seed_from_u64(seed) }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.gen_range(0..items.len())]
    }

    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| alphabet[self.rng.gen_range(0..alphabet.len())] as char).collect()
    }

    fn digits(&mut self, n: usize) -> String {
        self.chars(b"0123456789", n)
    }

    fn uuid(&mut self, at_ms: i64) -> String {
        let random: [u8; 10] = self.rng.gen();
        uuid::Builder::from_unix_timestamp_millis(at_ms as u64, &random).into_uuid().to_string()
    }

    fn random_uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.rng.gen()).into_uuid().to_string()
    }

    fn person(&mut self) -> (String, String) {
        (self.pick(FIRST_NAMES).to_string(), self.pick(SURNAMES).to_string())
    }

    fn card(&mut self, holder: &str) -> CardSummary {
        let brand = *self.pick(&[CardBrand::Visa, CardBrand::Visa, CardBrand::Mastercard, CardBrand::Amex]);
        CardSummary {
            brand,
            last4: self.digits(4),
            holder: holder.to_uppercase(),
            expiry_month: self.rng.gen_range(1..=12),
            expiry_year: self.rng.gen_range(2027..=2031),
        }
    }

    fn attempt(&mut self, payment_id: &str, seq: i64, at: i64) -> Attempt {
        Attempt {
            id: self.uuid(at),
            payment_id: payment_id.to_string(),
            seq,
            idempotency_key: self.chars(KEY_CHARS, 16),
            status: Status::Draft,
            provider_ref: None,
            error_code: None,
            error_message: None,
            next_poll_at_ms: None,
            watched_ms: 0,
            created_at_ms: at,
            updated_at_ms: at,
            agent: None,
        }
    }

    /// The outcome mix of a desk's history, per provider.
    fn outcome(&mut self, provider: Provider) -> Outcome {
        let roll = self.rng.gen_range(0..1000);
        use Outcome::*;
        let table: &[(i32, Outcome)] = match provider {
            Provider::Atrip => &[
                (840, Success),
                (900, Declined),
                (940, RetriedThenPaid),
                (975, TicketingFailed),
                (990, NeedsReview),
                (1000, Ticketing),
            ],
            Provider::Travelport => &[
                (860, Success),
                (930, Declined),
                (960, RetriedThenPaid),
                (985, TicketingFailed),
                (995, NeedsReview),
                (1000, Ticketing),
            ],
            Provider::HolidayExtras => &[
                (850, Success),
                (920, Refunded),
                (970, Declined),
                (990, RetriedThenPaid),
                (1000, NeedsReview),
            ],
            Provider::HeiPay => {
                &[(880, Success), (950, Declined), (980, RetriedThenPaid), (1000, NeedsReview)]
            }
        };
        table.iter().find(|(limit, _)| roll < *limit).map(|(_, o)| *o).unwrap_or(Success)
    }

    /// A payment of a random provider (mix of a mixed desk) and outcome, created at `at_ms`.
    pub fn any(&mut self, at_ms: i64) -> Generated {
        let provider = match self.rng.gen_range(0..100) {
            0..35 => Provider::Atrip,
            35..65 => Provider::Travelport,
            65..80 => Provider::HolidayExtras,
            _ => Provider::HeiPay,
        };
        let outcome = self.outcome(provider);
        self.payment(provider, outcome, at_ms, None)
    }

    /// One payment; `customer` replaces the generated (first, last) name when given.
    pub fn payment(
        &mut self,
        provider: Provider,
        outcome: Outcome,
        at_ms: i64,
        customer: Option<(&str, &str)>,
    ) -> Generated {
        let id = self.uuid(at_ms);
        let mut people = vec![self.person()];
        if matches!(provider, Provider::Atrip | Provider::Travelport) {
            for _ in 0..self.rng.gen_range(0..3) {
                people.push(self.person());
            }
        }
        if let Some((first, last)) = customer {
            people[0] = (first.to_string(), last.to_string());
        }
        let mut g = Generated {
            payment: Payment {
                id: id.clone(),
                reference: format!("FP-{}", self.chars(KEY_CHARS, 10)),
                provider,
                profile: "production".into(),
                status: Status::Draft,
                amount: Money::from_minor(0, Currency::USD),
                customer: String::new(),
                subject: Subject::blank(provider),
                subject_key: String::new(),
                card: None,
                created_at_ms: at_ms,
                updated_at_ms: at_ms,
                agent: None,
            },
            attempts: Vec::new(),
            tickets: Vec::new(),
            refunds: Vec::new(),
            events: Vec::new(),
        };
        let mut chain = Chain { payment_id: id, events: Vec::new(), status: Status::Draft, at: at_ms };
        match provider {
            Provider::Atrip => self.atrip(&mut g, &mut chain, &people, outcome),
            Provider::Travelport => self.travelport(&mut g, &mut chain, &people, outcome),
            Provider::HolidayExtras => self.holidayextras(&mut g, &mut chain, &people[0], outcome),
            Provider::HeiPay => self.heipay(&mut g, &mut chain, &people[0], outcome),
        }
        g.payment.status = chain.status;
        g.payment.updated_at_ms = chain.at;
        g.events = chain.events;
        g
    }

    /// Journals an attempt (Draft → Submitting) as `journal_new` / `journal_retry` do.
    fn journal(&mut self, g: &mut Generated, chain: &mut Chain) -> usize {
        let seq = g.attempts.len() as i64 + 1;
        let attempt = self.attempt(&g.payment.id, seq, chain.at);
        g.attempts.push(attempt);
        chain.move_to(Status::Submitting, "Journaled — about to send", json!({ "attempt": seq }));
        g.attempts.len() - 1
    }

    fn settle(g: &mut Generated, chain: &Chain, i: usize, provider_ref: Option<String>) {
        let a = &mut g.attempts[i];
        a.status = chain.status;
        a.updated_at_ms = chain.at;
        if provider_ref.is_some() {
            a.provider_ref = provider_ref;
        }
        if chain.status == Status::Ticketing {
            a.next_poll_at_ms = Some(chain.at + 30_000);
        }
    }

    fn decline(g: &mut Generated, chain: &mut Chain, i: usize, code: &str, message: &str, advice: &str) {
        let refusal = json!({ "code": code, "message": message, "advice": advice });
        chain.move_to(
            Status::Declined,
            format!("{message} ({code}) — {advice}"),
            json!({ "refusal": refusal }),
        );
        g.attempts[i].error_code = Some(code.into());
        g.attempts[i].error_message = Some(message.into());
        Self::settle(g, chain, i, None);
    }

    fn issue_tickets(&mut self, g: &mut Generated, chain: &mut Chain, names: &[String], airline: &str) {
        chain.at += self.rng.gen_range(20_000..600_000);
        for passenger in names {
            let number = format!("{airline}{}", self.digits(10));
            let shown = farepoint_core::history::ticket_number_display(&number);
            chain.record(
                EventKind::Ticket,
                format!("Ticket {shown} issued for {passenger}"),
                json!({ "number": number, "passenger": passenger }),
            );
            g.tickets.push(Ticket {
                number,
                passenger: passenger.clone(),
                kind: TicketKind::Ticket,
                issued_at_ms: chain.at,
            });
        }
    }

    fn exchange(&mut self, path: String, request: Value, status: u16, response: Value) -> Value {
        json!({
            "content_type": "application/json",
            "elapsed_ms": self.rng.gen_range(80..1800),
            "method": "POST",
            "path": path,
            "request": request,
            "response": response,
            "status": status,
        })
    }

    fn atrip(&mut self, g: &mut Generated, chain: &mut Chain, people: &[(String, String)], outcome: Outcome) {
        let currency =
            *self.pick(&[Currency::USD, Currency::USD, Currency::EUR, Currency::GBP, Currency::AUD]);
        let amount = Money::from_minor(self.rng.gen_range(5_000..250_000), currency);
        let (code, carrier, airline_name) = *self.pick(AIRLINES);
        let order_no = format!("A{}{}", chain.at / 1000, self.digits(3));
        let pnr = self.chars(LETTERS, 6);
        let method = *self.pick(&[("deposit", 1), ("deposit", 1), ("vcc", 3), ("byoa", 4), ("mor", 5)]);
        let names: Vec<String> =
            people.iter().map(|(f, l)| format!("{}/{}", l.to_uppercase(), f.to_uppercase())).collect();
        let (from, to) = (*self.pick(AIRPORTS), *self.pick(AIRPORTS));
        let fare = decimal(amount);
        let methods = [1, 3, 4, 5];
        let options: Vec<Value> = methods
            .iter()
            .map(|m| json!({ "cardType": null, "paymentFee": null, "paymentMethod": m, "serviceFee": null,
                "ticketFare": { "amount": fare, "currency": currency.code(), "deductFrom": if *m == 3 || *m == 5 { "CARD" } else { "DEPOSIT" } } }))
            .collect();
        let order = json!({
            "airlineBookings": [{ "airlineCode": carrier, "airlineName": airline_name, "airlinePnr": null, "tailDigitsOfPaymentCard": null }],
            "airlineMessage": null, "currency": currency.code(), "errorCode": null, "errorMessage": null, "msg": "success",
            "orderNo": order_no, "orderStatus": "0", "originalOrderNo": null,
            "paxTicketInfos": names.iter().map(|n| json!({ "airlinePNRs": [], "name": n, "passengerType": 0, "ticketNos": [] })).collect::<Vec<_>>(),
            "payment": null, "paymentAttempted": null, "paymentMethod": null, "paymentOptions": options,
            "pnrCode": pnr,
            "routing": { "fromSegments": [{ "arrAirport": to, "carrier": carrier, "depAirport": from, "depTime": "202612060920", "flightNumber": format!("{carrier}{}", self.rng.gen_range(100..1000)) }] },
            "status": 0, "supportPaymentMethods": methods, "ticketStatus": "0", "tktLimitTime": "2026-11-22 10:20:35",
            "totalPrice": fare, "totalTransactionFee": 0,
        });
        let read =
            self.exchange("/atrip/queryOrderDetails.do".into(), json!({ "orderNo": order_no }), 200, order);
        g.payment.amount = amount;
        g.payment.customer = names.join(", ");
        // As the engine keeps it: the order above states a zero fee and no airline price.
        let paid_by = Method::from_code(method.1).expect("the generator picks published methods");
        g.payment.subject = Subject::Atrip(AtripSubject::new(
            &order_no,
            Some(pnr.clone()),
            paid_by,
            Some(Money::from_minor(0, currency)),
            None,
        ));
        g.payment.subject_key = order_no.clone();
        let with_card = method.0 == "vcc" || method.0 == "mor";
        if with_card {
            g.payment.card = Some(self.card(&format!("{} {}", people[0].0, people[0].1)));
        }
        let label = method.0.to_uppercase();
        chain.record(
            EventKind::Created,
            format!("ATRIP order {order_no}: {amount} to pay by {label}"),
            json!({ "exchange": read }),
        );

        let pay = |this: &mut Self, chain: &mut Chain, g: &mut Generated, accepted: bool| -> usize {
            let i = this.journal(g, chain);
            chain.at += this.rng.gen_range(300..4000);
            let mut request = json!({ "orderNo": order_no, "paymentMethod": method.1 });
            if let Some(c) = g.payment.card.as_ref().filter(|_| with_card) {
                request["creditCard"] = json!({ "cardCVV": "•••", "cardExpireMonth": format!("{:02}", c.expiry_month),
                    "cardExpireYear": format!("{:02}", c.expiry_year % 100), "cardHolderFirstName": people[0].0.to_uppercase(),
                    "cardHolderLastName": people[0].1.to_uppercase(), "cardNumber": format!("••••{}", c.last4), "reusable": false });
            }
            let response = if accepted {
                json!({ "airlines": [carrier], "msg": "success", "orderNo": order_no, "paymentMethod": method.1, "pnrCode": pnr, "status": 0 })
            } else {
                json!({ "msg": "Insufficient deposit balance", "orderNo": order_no, "status": 403 })
            };
            let answer = this.exchange("/atrip/pay.do".into(), request, 200, response);
            let said = if accepted { "ATRIP accepted the payment" } else { "ATRIP refused the payment" };
            chain.record(EventKind::ProviderAnswer, said, json!({ "exchange": answer }));
            i
        };
        let first_ok = !matches!(outcome, Outcome::Declined | Outcome::RetriedThenPaid);
        let mut i = pay(self, chain, g, first_ok);
        if !first_ok {
            Self::decline(
                g,
                chain,
                i,
                "403",
                "Insufficient deposit balance",
                "top up the ATRIP deposit or pay by card, then try again",
            );
            if outcome == Outcome::Declined {
                return;
            }
            chain.at += self.rng.gen_range(60_000..900_000);
            chain.record(
                EventKind::Note,
                format!("New attempt: pay by {label}"),
                json!({ "exchange": read }),
            );
            i = pay(self, chain, g, true);
        }
        chain.move_to(Status::Paid, "Paid", json!({}));
        chain.move_to(Status::Ticketing, "Waiting for the airline to issue the tickets", json!({}));
        match outcome {
            Outcome::Ticketing => {}
            Outcome::TicketingFailed => {
                chain.at += self.rng.gen_range(60_000..3_600_000);
                let refusal = json!({ "code": "601", "message": "The airline declined to issue the tickets", "advice": "ask ATRIP for a new order (Regenerate) and pay that one" });
                chain.move_to(Status::TicketingFailed, "The airline declined to issue the tickets (601) — ask ATRIP for a new order (Regenerate) and pay that one", json!({ "refusal": refusal, "regenerate": true }));
            }
            Outcome::NeedsReview => {
                chain.at += 6 * 3_600_000;
                chain.move_to(Status::NeedsReview, "No final answer from ATRIP in time — check the order in the ATRIP portal and record what it shows", json!({}));
            }
            _ => {
                self.issue_tickets(g, chain, &names, code);
                chain.move_to(Status::Ticketed, "Ticketed", json!({ "pnr_code": pnr }));
            }
        }
        Self::settle(g, chain, i, Some(order_no));
    }

    fn travelport(
        &mut self,
        g: &mut Generated,
        chain: &mut Chain,
        people: &[(String, String)],
        outcome: Outcome,
    ) {
        let currency = *self.pick(&[Currency::USD, Currency::EUR, Currency::GBP]);
        let amount = Money::from_minor(self.rng.gen_range(8_000..400_000), currency);
        let (code, _, _) = *self.pick(AIRLINES);
        let locator = self.chars(LETTERS, 6);
        let workbench = self.random_uuid();
        let offer_id = self.random_uuid();
        let names: Vec<String> =
            people.iter().map(|(f, l)| format!("{}/{}", l.to_uppercase(), f.to_uppercase())).collect();
        let travelers: Vec<Value> = people
            .iter()
            .enumerate()
            .map(|(n, (f, l))| json!({ "@type": "Traveler", "Identifier": { "authority": "Travelport", "value": self.random_uuid() },
                "PersonName": { "@type": "PersonNameDetail", "Given": f.to_uppercase(), "Surname": l.to_uppercase() },
                "id": format!("travelerRefId_{}", n + 1), "passengerTypeCode": "ADT" }))
            .collect();
        let price = json!({ "@type": "PriceDetail", "CurrencyCode": { "decimalPlace": currency.exponent(), "value": currency.code() }, "TotalPrice": decimal(amount) });
        let offer = json!({ "@type": "Offer", "Identifier": { "authority": "Travelport", "value": offer_id }, "Price": price,
            "Product": [{ "@type": "ProductAir", "id": "product_1" }], "id": "offer_1" });
        let hold = json!({ "@type": "ReceiptConfirmation", "Confirmation": { "@type": "ConfirmationHold", "Locator": { "source": "1G", "value": locator } } });
        let reservation = json!({ "ReservationResponse": { "Reservation": { "@type": "Reservation", "FormOfPayment": [],
            "Identifier": { "authority": "Travelport", "value": workbench }, "Offer": [offer], "Receipt": [hold], "Traveler": travelers } } });
        let opened = self.exchange(
            "/travelport/11/air/book/session/reservationworkbench/buildfromlocator".into(),
            Value::Null,
            201,
            reservation.clone(),
        );
        let fop = *self.pick(&["card", "card", "card", "cash", "stored fop_1"]);
        g.payment.amount = amount;
        g.payment.customer = names.join(", ");
        let offer = Offer {
            id: "offer_1".into(),
            identifier: offer_id.clone(),
            kind: OfferKind::Itinerary,
            description: "Flights".into(),
            price: amount,
            travelers: names.clone(),
        };
        g.payment.subject = Subject::Travelport(TravelportSubject {
            locator: locator.clone(),
            workbench_id: workbench.clone(),
            offers: vec![StoredOffer::of(&offer)],
            fop: fop.to_string(),
            known_documents: Vec::new(),
            other: Default::default(),
        });
        g.payment.subject_key = locator.clone();
        if fop == "card" {
            g.payment.card = Some(self.card(&format!("{} {}", people[0].0, people[0].1)));
        }
        chain.record(
            EventKind::Created,
            format!("Travelport {locator}: {amount} for offer_1 by {fop}"),
            json!({ "exchanges": [opened] }),
        );
        let base = format!("/travelport/11/air/paymentoffer/reservationworkbench/{workbench}");
        let send = |this: &mut Self, chain: &mut Chain, g: &mut Generated, accepted: bool| -> usize {
            let i = this.journal(g, chain);
            let key = g.attempts[i].idempotency_key.clone();
            chain.at += this.rng.gen_range(500..5000);
            if let Some(c) = &g.payment.card {
                let card = json!({ "@type": "PaymentCardDetail", "CardCode": "VI", "CardHolderName": c.holder,
                    "CardNumber": { "@type": "CardNumber", "PlainText": format!("••••{}", c.last4) }, "CardType": "Credit",
                    "SeriesCode": { "@type": "SeriesCode", "PlainText": "•••" }, "expireDate": format!("{:02}{:02}", c.expiry_month, c.expiry_year % 100) });
                let request = json!({ "@type": "FormOfPaymentPaymentCard", "FormOfPaymentRef": "formOfPayment_1", "PaymentCard": card, "id": "formOfPayment_1" });
                let response = json!({ "FormOfPaymentResponse": { "FormOfPayment": request, "reservationStatus": "Active" } });
                let ex = this.exchange(format!("{base}/formofpayment"), request, 201, response);
                chain.record(
                    EventKind::ProviderAnswer,
                    "Travelport form of payment: HTTP 201",
                    json!({ "exchange": ex }),
                );
            }
            let request = json!({ "Payment": { "Amount": { "code": currency.code(), "currencySource": "Charged", "minorUnit": currency.exponent(), "value": amount.to_major_string() },
                "Identifier": { "authority": "Travelport", "value": key }, "OfferIdentifier": [{ "Identifier": { "authority": "Travelport", "value": offer_id }, "id": "offer_1", "offerRef": "offer_1" }], "id": key } });
            let response = json!({ "PaymentResponse": { "Payment": { "@type": "PaymentIdentifier", "Identifier": { "authority": "Travelport", "value": this.random_uuid() }, "id": key } } });
            let ex = this.exchange(format!("{base}/payments"), request, 201, response);
            chain.record(
                EventKind::ProviderAnswer,
                "Travelport payment: HTTP 201",
                json!({ "exchange": ex }),
            );
            let path = format!("/travelport/11/air/book/reservation/reservations/{workbench}");
            let commit = json!({ "@type": "ReservationQueryCommitReservation" });
            if accepted {
                let ex = this.exchange(path, commit, 201, reservation.clone());
                chain.record(
                    EventKind::ProviderAnswer,
                    "Travelport commit: HTTP 201",
                    json!({ "exchange": ex }),
                );
            } else {
                let error = json!({ "Result": { "Error": [{ "Message": "Form of payment declined", "StatusCode": 400 }] } });
                let ex = this.exchange(path, commit, 400, error);
                chain.record(
                    EventKind::ProviderAnswer,
                    "Travelport commit: HTTP 400",
                    json!({ "exchange": ex }),
                );
            }
            i
        };
        let first_ok = !matches!(outcome, Outcome::Declined | Outcome::RetriedThenPaid);
        let mut i = send(self, chain, g, first_ok);
        if !first_ok {
            Self::decline(
                g,
                chain,
                i,
                "400",
                "Form of payment declined",
                "use another card or form of payment (Travelport 400)",
            );
            if outcome == Outcome::Declined {
                return;
            }
            chain.at += self.rng.gen_range(60_000..900_000);
            chain.record(EventKind::Note, format!("New attempt by {fop}"), json!({ "exchanges": [] }));
            i = send(self, chain, g, true);
        }
        chain.move_to(Status::Paid, "Travelport committed the payment", json!({}));
        match outcome {
            Outcome::Ticketing => chain.move_to(
                Status::Ticketing,
                "Committed, but the receipt lists no new ticket yet — watching the reservation",
                json!({}),
            ),
            Outcome::TicketingFailed => {
                chain.move_to(
                    Status::Ticketing,
                    "Committed, but the receipt lists no new ticket yet — watching the reservation",
                    json!({}),
                );
                chain.at += self.rng.gen_range(60_000..3_600_000);
                chain.move_to(
                    Status::TicketingFailed,
                    "Travelport did not issue the tickets — issue them in the GDS or void the payment",
                    json!({}),
                );
            }
            Outcome::NeedsReview => {
                chain.move_to(
                    Status::Ticketing,
                    "Committed, but the receipt lists no new ticket yet — watching the reservation",
                    json!({}),
                );
                chain.at += 6 * 3_600_000;
                chain.move_to(
                    Status::NeedsReview,
                    "No ticket from Travelport in time — check the reservation and record what it shows",
                    json!({}),
                );
            }
            _ => {
                chain.move_to(Status::Ticketing, "Travelport is issuing the tickets", json!({}));
                self.issue_tickets(g, chain, &names, code);
                let numbers: Vec<&str> = g.tickets.iter().map(|t| t.number.as_str()).collect();
                chain.move_to(Status::Ticketed, "Ticketed", json!({ "documents": numbers }));
            }
        }
        Self::settle(g, chain, i, Some(workbench));
    }

    fn holidayextras(
        &mut self,
        g: &mut Generated,
        chain: &mut Chain,
        person: &(String, String),
        outcome: Outcome,
    ) {
        let currency = if self.rng.gen_range(0..10) == 0 { Currency::EUR } else { Currency::GBP };
        let amount = Money::from_minor(self.rng.gen_range(1_500..30_000), currency);
        let token = format!("7{}", self.digits(15));
        let reference = format!("HX{}", self.chars(KEY_CHARS, 8));
        g.payment.amount = amount;
        g.payment.customer = format!("{} {}", person.0, person.1);
        g.payment.subject = Subject::HolidayExtras(HolidayExtrasSubject {
            token: token.clone(),
            payment_reference: reference.clone(),
            version: Some(ApiVersion::V2),
            postal_code: None,
            country_code: None,
            other: Default::default(),
        });
        g.payment.subject_key = reference.clone();
        let tail = &token[token.len() - 4..];
        chain.record(
            EventKind::Created,
            format!("Holiday Extras: {amount} to charge to token …{tail} for {reference} (v2)"),
            json!({ "version": "v2" }),
        );
        let send = |this: &mut Self,
                    chain: &mut Chain,
                    g: &mut Generated,
                    accepted: bool|
         -> (usize, String) {
            let i = this.journal(g, chain);
            let key = g.attempts[i].idempotency_key.clone();
            chain.at += this.rng.gen_range(200..3000);
            let request = json!({ "amount": amount.minor, "channel": "FAREPOINT", "currency": currency.code(), "paymentId": key, "paymentReference": reference, "token": token });
            let (status, response, said) = if accepted {
                (
                    200,
                    json!({ "amount": decimal(amount), "id": key, "status": "SUCCESS" }),
                    "Holiday Extras took the payment",
                )
            } else {
                (
                    402,
                    json!({ "code": "CARD_DECLINED", "message": "The card was declined" }),
                    "Holiday Extras refused the payment",
                )
            };
            let mut ex = this.exchange("/holidayextras/pay".into(), request, status, response);
            ex["content_type"] = json!("application/vnd.holidayextras.v2+json");
            chain.record(EventKind::ProviderAnswer, said, json!({ "exchange": ex, "payment_id": key }));
            (i, key)
        };
        let first_ok = !matches!(outcome, Outcome::Declined | Outcome::RetriedThenPaid);
        let (mut i, mut key) = send(self, chain, g, first_ok);
        if !first_ok {
            Self::decline(
                g,
                chain,
                i,
                "CARD_DECLINED",
                "The card was declined",
                "ask the customer for another card token",
            );
            if outcome == Outcome::Declined {
                return;
            }
            chain.at += self.rng.gen_range(60_000..900_000);
            chain.record(EventKind::Note, format!("New attempt for {amount}"), json!({}));
            (i, key) = send(self, chain, g, true);
        }
        if outcome == Outcome::NeedsReview {
            chain.move_to(
                Status::Unknown,
                "No clear answer from Holiday Extras (timed out) — re-sending with the same paymentId",
                json!({}),
            );
            chain.at += 6 * 3_600_000;
            chain.move_to(Status::NeedsReview, format!("Holiday Extras still gives no clear answer for paymentId {key} — check it in the Holiday Extras portal and record what it shows"), json!({ "payment_id": key }));
            Self::settle(g, chain, i, None);
            return;
        }
        chain.move_to(
            Status::Paid,
            format!("Paid — Holiday Extras payment {key}"),
            json!({ "provider_ref": key }),
        );
        if outcome == Outcome::Refunded {
            chain.at += self.rng.gen_range(3_600_000..30 * 86_400_000);
            let refund_id = self.chars(KEY_CHARS, 16);
            let sent = format!("Refund of {amount} requested — sending it to Holiday Extras");
            chain.record(EventKind::Sent, sent, json!({ "payments": [key], "amount": amount, "refund": 1 }));
            let request = json!({ "amount": amount.minor, "currency": currency.code(), "payments": [key] });
            let ex = self.exchange(
                "/holidayextras/refund".into(),
                request,
                200,
                json!({ "id": refund_id, "status": "SUCCESS" }),
            );
            chain.record(
                EventKind::ProviderAnswer,
                "Holiday Extras made the refund",
                json!({ "exchange": ex }),
            );
            let text = format!("Refunded {amount} of {amount} (Holiday Extras refund {refund_id})");
            let data =
                json!({ "amount": amount, "refund_id": refund_id, "refund": 1, "refund_status": "Refunded" });
            chain.move_to(Status::Refunded, text, data);
            g.refunds.push(Refund {
                id: self.uuid(chain.at),
                payment_id: g.payment.id.clone(),
                seq: 1,
                amount,
                status: RefundStatus::Refunded,
                provider_ref: Some(refund_id),
                note: None,
                created_at_ms: chain.at,
                updated_at_ms: chain.at,
                agent: None,
            });
        }
        Self::settle(g, chain, i, Some(key));
    }

    fn heipay(&mut self, g: &mut Generated, chain: &mut Chain, person: &(String, String), outcome: Outcome) {
        let cop = Currency::from_code("COP").unwrap_or(Currency::USD);
        let amount = Money::from_minor(self.rng.gen_range(150_000..3_000_000) * 100, cop);
        let hotel = *self.pick(&[1001_i64, 1002, 2040, 3107]);
        let (first, last) = person;
        let detail = format!("Room {}, {} nights", self.rng.gen_range(100..900), self.rng.gen_range(1..8));
        let email = format!("guest{}@example.com", self.digits(5));
        let installments = *self.pick(&[1_u32, 1, 1, 3, 6]);
        g.payment.amount = amount;
        g.payment.customer = format!("{first} {last}");
        g.payment.subject = Subject::HeiPay(HeiPaySubject {
            hotel_id: hotel,
            guest_first_name: first.to_string(),
            guest_last_name: last.to_string(),
            detail: Some(detail.clone()),
            installments,
            tax_percent: Some("0.19".into()),
            service_percent: Some("0.1".into()),
            email: Some(email.clone()),
            phone: Some(format!("3{}", self.digits(9))),
            address: Some("Calle 10 # 5-51".into()),
            fiscal_number: None,
            ip: None,
            other: Default::default(),
        });
        g.payment.subject_key =
            format!("hotel {hotel} · {}, {} · {amount}", last.to_uppercase(), first.to_uppercase());
        g.payment.card = Some(self.card(&format!("{first} {last}")));
        let plural = if installments == 1 { "" } else { "s" };
        let reference = g.payment.reference.clone();
        chain.record(
            EventKind::Created,
            format!(
                "HeiPay hotel {hotel}: {amount} from {first} {last} in {installments} installment{plural}"
            ),
            json!({ "reference": reference }),
        );
        let send = |this: &mut Self,
                    chain: &mut Chain,
                    g: &mut Generated,
                    accepted: Option<bool>|
         -> (usize, Option<String>) {
            let i = this.journal(g, chain);
            chain.at += this.rng.gen_range(500..6000);
            let voucher = format!(
                "https://api.heippi.com/v2/terminal-payments/{}/vouchers",
                this.rng.gen_range(100_000..99_999_999)
            );
            let request = json!({ "card_item": { "cc_code": "•••", "cc_expire_month": "•••", "cc_expire_year": "•••", "cc_holder": "•••", "cc_number": "•••" },
                "order": { "amount": amount.to_major_string(), "detail": detail, "email": email, "hotel_id": hotel, "installments": installments,
                    "ref_lastname": last, "ref_name": first, "ref_number": reference, "service_percent": 0.1, "tax_percent": 0.19 } });
            let (status, response, said, url) = match accepted {
                Some(true) => (
                    200,
                    json!({ "msg": "Pago realizado correctamente", "voucher_url": voucher }),
                    "HeiPay accepted the payment",
                    Some(voucher),
                ),
                Some(false) => (
                    400,
                    json!({ "code": 0, "message": "Transacción rechazada", "detail": "Fondos insuficientes", "extra_info": { "voucher_url": voucher } }),
                    "HeiPay refused the payment",
                    Some(voucher),
                ),
                None => (504, Value::Null, "HeiPay gave no clear answer", None),
            };
            let ex = this.exchange("/v2/virtual-terminal/credit-card".into(), request, status, response);
            chain.record(EventKind::ProviderAnswer, said, json!({ "exchange": ex, "voucher_url": url }));
            (i, url)
        };
        let answer = match outcome {
            Outcome::Declined | Outcome::RetriedThenPaid => Some(false),
            Outcome::NeedsReview => None,
            _ => Some(true),
        };
        let (mut i, mut url) = send(self, chain, g, answer);
        match answer {
            None => {
                chain.move_to(
                    Status::Unknown,
                    "No clear answer from HeiPay (timed out) — not sending it again",
                    json!({ "reason": "timed out" }),
                );
                chain.move_to(Status::NeedsReview, format!("HeiPay gave no clear answer (timed out). HeiPay cannot be asked about a payment and sending it again could charge the guest twice: look for reference {reference} in the HeiPay portal, then record what it shows (Resolve review)"), json!({ "reference": reference }));
                Self::settle(g, chain, i, None);
                return;
            }
            Some(false) => {
                g.attempts[i].provider_ref = url.clone();
                Self::decline(
                    g,
                    chain,
                    i,
                    "0",
                    "Transacción rechazada",
                    "the bank declined the card: ask the guest for another card",
                );
                if outcome == Outcome::Declined {
                    return;
                }
                chain.at += self.rng.gen_range(60_000..900_000);
                let holder = format!("{first} {last}");
                g.payment.card = Some(self.card(&holder));
                let last4 = g.payment.card.as_ref().map(|c| c.last4.clone()).unwrap_or_default();
                chain.record(EventKind::Note, format!("New attempt with ••••{last4}"), json!({}));
                (i, url) = send(self, chain, g, Some(true));
            }
            Some(true) => {}
        }
        chain.move_to(
            Status::Paid,
            "Paid — HeiPay: Pago realizado correctamente. The voucher can be opened from the payment",
            json!({ "voucher_url": url }),
        );
        Self::settle(g, chain, i, url);
    }
}

/// Stores one generated payment with its attempts, tickets and timeline, as the engine would.
pub fn insert(tx: &Transaction<'_>, g: &Generated) -> store::Result<()> {
    insert_rows(tx, g)?;
    let events = g.events.iter().map(TimelineEvent::content).collect();
    store::append_events(tx, &g.payment.id, events)?;
    Ok(())
}

/// Stores a generated payment's own rows (payment, attempts, tickets, refunds), not its timeline.
pub(crate) fn insert_rows(tx: &Transaction<'_>, g: &Generated) -> store::Result<()> {
    store::insert_payment(tx, &g.payment)?;
    for a in &g.attempts {
        store::insert_attempt(tx, a)?;
    }
    for t in &g.tickets {
        store::insert_ticket(tx, &g.payment.id, t)?;
    }
    for r in &g.refunds {
        store::insert_refund(tx, r)?;
    }
    Ok(())
}

/// Stores `payments` in one transaction through `store`'s writer (for tests and seeding).
pub fn store_all(store: &store::Store, payments: &[Generated]) -> store::Result<()> {
    let payments = payments.to_vec();
    store.write_blocking(move |c| {
        let tx = c.transaction()?;
        for g in &payments {
            insert(&tx, g)?;
        }
        tx.commit()?;
        Ok(())
    })
}

/// Writes `count` payments spread evenly over the `span_days` before `end_ms`, oldest first,
/// in transactions of 20,000. They are made on a second thread while this one inserts.
/// `progress` hears the count written after each transaction.
pub fn generate(
    conn: &mut Connection,
    count: u64,
    end_ms: i64,
    span_days: u32,
    seed: u64,
    progress: &mut dyn FnMut(u64),
) -> store::Result<()> {
    let span = i64::from(span_days) * 86_400_000;
    let step = (span / count.max(1) as i64).max(1);
    let start = end_ms - span;
    let (tx_made, made) = std::sync::mpsc::sync_channel::<Generated>(4096);
    let maker = std::thread::spawn(move || {
        let mut generator = Generator::new(seed);
        for n in 0..count {
            // Evenly spread with jitter, so times are distinct and rise like a real desk's.
            let at = start + n as i64 * step + generator.rng.gen_range(0..step);
            if tx_made.send(generator.any(at)).is_err() {
                return; // the writer stopped on an error
            }
        }
    });
    let mut written = 0;
    while written < count {
        let tx = conn.transaction()?;
        let batch = (count - written).min(20_000);
        for g in made.iter().take(batch as usize) {
            insert(&tx, &g)?;
        }
        tx.commit()?;
        written += batch;
        progress(written);
    }
    drop(made);
    let _ = maker.join();
    Ok(())
}
