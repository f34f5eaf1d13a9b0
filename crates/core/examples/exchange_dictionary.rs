//! Trains the zstd dictionary the store uses to compress each timeline event body
//! (`src/store/exchanges.v1.zdict`).
//!
//! Run it with
//!
//! ```text
//! cargo run --release -p farepoint-core --example exchange_dictionary
//! ```
//!
//! It starts the in-process sandbox, drives a few hundred payments of all four providers through
//! the real engine into a throw-away database — approvals, declines, refusals, retries, refunds,
//! ticketing, reconciliation after injected faults, reviews — then reads every stored event back
//! and turns each into one sample in exactly the byte form the store compresses
//! (`store::body_json`). The dictionary is trained on these
//! real exchanges, not on the history benchmark's generated sample data, so that the benchmark
//! does not measure compression against its own training data.
//!
//! It prints how much the dictionary gains on payments it was not trained on, then writes the
//! dictionary trained on every sample. It aborts if a sample holds any sandbox test card number
//! (or a demo credential): the dictionary is made of sample bytes and is committed.
//!
//! A dictionary that has shipped must never be changed: frames in users' databases can only be
//! read with the exact dictionary they were written with. A better dictionary gets a new ID and
//! a new file (`exchanges.v2.zdict`), and the store keeps reading v1 frames with this one. So
//! this program does not replace an existing v1 file unless run with `-- --overwrite`, which is
//! only right before v1 has shipped (training is not reproducible byte for byte).

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use farepoint_core::card::{Card, CardInput};
use farepoint_core::engine::{
    AtripPayment, Clients, Engine, EngineError, PaymentRecord, PollPolicy, TravelportFop, TravelportPayment,
};
use farepoint_core::money::{Currency, Money};
use farepoint_core::payment::{Payment, Provider, Status, TimelineEvent};
use farepoint_core::providers::atrip::Method;
use farepoint_core::providers::heipay::{HeiPayPayment, OrderInput};
use farepoint_core::providers::holidayextras::{ApiVersion, HolidayExtrasPayment};
use farepoint_core::providers::http::Timeouts;
use farepoint_core::providers::ProviderError;
use farepoint_core::store::{self, Store};
use farepoint_sandbox::cards::{self, TEST_CARDS};
use farepoint_sandbox::{demo, profile, FaultKind, FaultSpec, RunningSandbox, Sandbox, SandboxConfig};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// Where the dictionary goes, relative to the crate.
const DICT_FILE: &str = "src/store/exchanges.v1.zdict";
const DICT_SIZE: usize = 16 * 1024;
const DICT_ID: u32 = 1;
/// A zstd dictionary starts with this magic number (0xEC30A437, little-endian).
const DICT_MAGIC: [u8; 4] = [0x37, 0xA4, 0x30, 0xEC];
const LEVEL: i32 = 19;

const ATRIP_ORDERS: usize = 100;
const TRAVELPORT_PNRS: usize = 60;
const HX_V2_PAYMENTS: usize = 60;
const HX_V1_PAYMENTS: usize = 25;
const HEIPAY_PAYMENTS: usize = 80;

const GIVEN: &[&str] = &[
    "Ana",
    "João",
    "Zoë",
    "María",
    "José",
    "François",
    "Björn",
    "Søren",
    "Lucía",
    "Chloé",
    "Inês",
    "Noémie",
    "Mei",
    "Kenji",
    "Olivia",
    "Liam",
    "Priya",
    "Ahmed",
    "Grace",
    "Tomás",
    "Agnieszka",
    "Hélène",
    "Dário",
    "Leilani",
];
const SURNAMES: &[&str] = &[
    "Muñoz",
    "Conceição",
    "García",
    "Müller",
    "Dubois",
    "Åström",
    "Nørgaard",
    "Smith",
    "Tanaka",
    "Rossi",
    "Kowalska",
    "Nguyen",
    "Patel",
    "Silva",
    "Fernández",
    "Lefèvre",
    "Khan",
    "Brown",
    "Ibáñez",
    "Gonçalves",
    "Öztürk",
    "Lim",
    "Tan",
    "Doe",
];

const APPROVE_CARDS: &[&str] = &[
    cards::VISA_APPROVE,
    cards::VISA_ATLAS_APPROVE,
    cards::MASTERCARD_APPROVE,
    cards::AMEX_APPROVE,
    cards::DISCOVER_APPROVE,
    cards::JCB_APPROVE,
    cards::DINERS_APPROVE,
];

/// Latin letters with diacritics to their base letter, for places that take A–Z only (GDS
/// names, email addresses).
fn ascii_fold(text: &str) -> String {
    text.chars()
        .map(|c| {
            let lower = c.to_lowercase().next().unwrap_or(c);
            let base = match lower {
                'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
                'ç' => 'c',
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'í' | 'ì' | 'î' | 'ï' => 'i',
                'ñ' => 'n',
                'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
                'ú' | 'ù' | 'û' | 'ü' => 'u',
                'ý' | 'ÿ' => 'y',
                other => other,
            };
            if c.is_uppercase() {
                base.to_ascii_uppercase()
            } else {
                base
            }
        })
        .collect()
}

/// A card as keyed at the desk; the holder as embossed (A–Z, as the card form takes it).
fn card(number: &str, holder: &str, rng: &mut StdRng) -> Card {
    let holder = &ascii_fold(holder);
    let cvv = if number.starts_with("34") || number.starts_with("37") { "1234" } else { "123" };
    let month = rng.gen_range(1..=12).to_string();
    let year = rng.gen_range(2028..=2034).to_string();
    Card::parse(&CardInput { number, cvv, expiry_month: &month, expiry_year: &year, holder })
        .unwrap_or_else(|e| panic!("test card for {holder:?}: {e:?}"))
}

/// Major units with `decimals` places, from minor units.
fn major(minor: i64, decimals: u32) -> String {
    if decimals == 0 {
        return minor.to_string();
    }
    let unit = 10i64.pow(decimals);
    format!("{}.{:0width$}", minor / unit, minor % unit, width = decimals as usize)
}

/// Why a call ended without a payment record, in a few words (codes, not order numbers).
fn why(e: &EngineError) -> String {
    match e {
        EngineError::Provider(ProviderError::Refused(r)) => format!("refused {}", r.code),
        EngineError::Provider(ProviderError::Invalid { field, .. }) => format!("invalid {field}"),
        EngineError::Provider(ProviderError::Unclear { .. }) => "no clear answer".into(),
        EngineError::Provider(other) => format!("provider error: {other}"),
        EngineError::Busy { status, .. } => format!("busy ({status:?})"),
        EngineError::WrongState { status, .. } => format!("wrong state ({status:?})"),
        other => format!("{other}"),
    }
}

fn fast_policy() -> PollPolicy {
    PollPolicy {
        first_after: Duration::from_millis(5),
        max_interval: Duration::from_millis(50),
        deadline: Duration::from_secs(30),
        unpaid_grace: Duration::from_secs(1),
        concurrency: 8,
    }
}

fn engine_over(data_dir: &Path, clients: Clients) -> Engine {
    let store = Store::open_in(data_dir).expect("open the store");
    let policies: HashMap<Provider, PollPolicy> =
        Provider::ALL.into_iter().map(|p| (p, fast_policy())).collect();
    Engine::new(store, "sandbox", clients, policies)
}

/// Polls until no attempt of this engine is waiting for a follow-up.
async fn poll_until_idle(engine: &Engine) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let next = engine.store().read(|c| store::next_poll_at(c)).await.expect("read the schedule");
        if next.is_none() {
            return;
        }
        assert!(Instant::now() < deadline, "payments were still being followed up after 60 s");
        if engine.poll_due().await.expect("poll") == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// An ATRIP payment made, with what the follow-ups need.
struct AtripPaid {
    id: String,
    order_no: String,
    method: Method,
    holder: String,
}

struct Run {
    sandbox: RunningSandbox,
    /// All four providers, Holiday Extras over API v2.
    engine: Engine,
    /// Holiday Extras over API v1 (string pence, GBP): a second profile, so its own database.
    hx_v1: Engine,
    http: reqwest::Client,
    rng: StdRng,
    /// Calls that ended without a new or changed payment, by provider and reason.
    refused: BTreeMap<String, usize>,
}

impl Run {
    fn person(&mut self) -> (String, String) {
        let given = GIVEN.choose(&mut self.rng).unwrap().to_string();
        let surname = SURNAMES.choose(&mut self.rng).unwrap().to_string();
        (given, surname)
    }

    fn approve_card(&mut self) -> &'static str {
        APPROVE_CARDS.choose(&mut self.rng).unwrap()
    }

    /// Keeps the record, or counts why there is none.
    fn note(&mut self, provider: &str, result: Result<PaymentRecord, EngineError>) -> Option<PaymentRecord> {
        match result {
            Ok(record) => Some(record),
            Err(e) => {
                *self.refused.entry(format!("{provider}: {}", why(&e))).or_default() += 1;
                None
            }
        }
    }

    async fn control(&self, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.sandbox.control_url());
        let reply = self.http.post(url).json(&body).send().await.expect("control API");
        let status = reply.status();
        let text = reply.text().await.unwrap_or_default();
        assert!(status.is_success(), "control {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("control {path}: {e}: {text}"))
    }

    fn fault(&self, route: &str, kind: FaultKind, after_processing: bool) {
        self.sandbox
            .inject_fault(FaultSpec { after_processing, ..FaultSpec::new(route, kind) })
            .expect("arm a fault");
    }

    async fn record(&self, engine: &Engine, id: &str) -> PaymentRecord {
        engine.record(id).await.expect("read the payment")
    }

    // ---------------------------------------------------------------- ATRIP

    async fn seed_atrip_order(&mut self, method: Method) -> (String, String) {
        let (currency, decimals) =
            [("USD", 2), ("USD", 2), ("USD", 2), ("EUR", 2), ("EUR", 2), ("GBP", 2), ("JPY", 0)]
                .choose(&mut self.rng)
                .copied()
                .unwrap();
        let minor = if decimals == 0 {
            self.rng.gen_range(4_000..180_000)
        } else {
            self.rng.gen_range(3_500..140_000)
        };
        let count = *[1, 1, 1, 2, 2, 3].choose(&mut self.rng).unwrap();
        let mut passengers = Vec::new();
        let mut holder = String::new();
        for n in 0..count {
            let (given, surname) = self.person();
            if n == 0 {
                holder = format!("{given} {surname}");
            }
            let kind = if n == 2 { 1 } else { 0 };
            passengers.push(json!({ "name": format!("{}/{}", surname.to_uppercase(), given.to_uppercase()), "passengerType": kind }));
        }
        let code = match method {
            Method::Deposit => 1,
            Method::Vcc => 3,
            Method::Byoa => 4,
            Method::Mor => 5,
        };
        let methods: Vec<i64> = match self.rng.gen_range(0..4) {
            0 => vec![code],
            1 if code != 4 => vec![1, code],
            _ => vec![1, 3, 4, 5],
        };
        let airline = *["5J", "TR", "SQ", "PR", "VN", "AK", "JQ", "QZ"].choose(&mut self.rng).unwrap();
        let mut body = json!({
            "totalPrice": major(minor, decimals),
            "currency": currency,
            "supportPaymentMethods": methods,
            "deadlineInSecs": self.rng.gen_range(1_800..172_800),
            "passengers": passengers,
            "airline": airline,
        });
        if method == Method::Mor && self.rng.gen_bool(0.3) {
            body["cardType"] = json!("Visa");
        }
        let reply = self.control("atrip/orders", body).await;
        let order_no = reply["orderNo"].as_str().unwrap_or_else(|| panic!("seeding failed: {reply}"));
        (order_no.to_string(), holder)
    }

    fn atrip_request(
        &mut self,
        order_no: &str,
        method: Method,
        number: Option<&str>,
        holder: &str,
    ) -> AtripPayment {
        let card = number.map(|n| card(n, holder, &mut self.rng));
        let ip = format!("203.0.113.{}", self.rng.gen_range(1..255));
        AtripPayment {
            order_no: order_no.into(),
            method,
            card,
            three_ds_ip: (method == Method::Mor).then_some(ip),
        }
    }

    async fn atrip_pay(
        &mut self,
        order_no: &str,
        method: Method,
        number: Option<&str>,
        holder: &str,
    ) -> Option<AtripPaid> {
        let request = self.atrip_request(order_no, method, number, holder);
        let result = self.engine.pay_atrip(request).await;
        let record = self.note("ATRIP", result)?;
        Some(AtripPaid { id: record.payment.id, order_no: order_no.into(), method, holder: holder.into() })
    }

    async fn atrip(&mut self) -> usize {
        let mut paid = Vec::new();
        // The demo orders: the payable ones paid once, the others refused (before or by pay.do).
        let demo_cases = [
            (demo::atrip::ORDER_VCC_ONLY, Method::Deposit, None, "Anna Lim"),
            (demo::atrip::ORDER_ANY_METHOD, Method::Byoa, None, "Jane Doe"),
            (demo::atrip::ORDER_VCC_ONLY, Method::Vcc, Some(cards::MASTERCARD_APPROVE), "Anna Lim"),
            (demo::atrip::ORDER_MOR_VISA, Method::Mor, Some(cards::AMEX_APPROVE), "Mei Tan"),
            (demo::atrip::ORDER_JPY, Method::Deposit, None, "Kenji Tanaka"),
            (demo::atrip::ORDER_PAST_DEADLINE, Method::Deposit, None, "Jane Doe"),
            (demo::atrip::ORDER_TICKETED, Method::Deposit, None, "Jane Doe"),
            (demo::atrip::ORDER_NOT_CONFIRMED, Method::Deposit, None, "Jane Doe"),
            (demo::atrip::ORDER_NO_METHODS, Method::Deposit, None, "Jane Doe"),
            (demo::atrip::ORDER_OVER_BALANCE, Method::Deposit, None, "Jane Doe"),
        ];
        for (order_no, method, number, holder) in demo_cases {
            paid.extend(self.atrip_pay(order_no, method, number, holder).await);
        }
        // Seeded orders, every method in turn; now and then a card that goes wrong, or a fault.
        let faults = [
            (FaultKind::Http500, false),
            (FaultKind::CloseAfterCharge, false),
            (FaultKind::MalformedJson, false),
            (FaultKind::Http500, true),
        ];
        for i in 0..ATRIP_ORDERS {
            let method = [Method::Deposit, Method::Vcc, Method::Byoa, Method::Mor][i % 4];
            let (order_no, holder) = self.seed_atrip_order(method).await;
            let number = match method {
                Method::Vcc if self.rng.gen_bool(0.3) => Some(
                    *[
                        cards::VISA_DECLINE,
                        cards::MASTERCARD_DECLINE,
                        cards::VISA_INSUFFICIENT_FUNDS,
                        cards::VISA_AIRLINE_DECLINES,
                        cards::VISA_AIRLINE_RISK_CONTROL,
                        cards::VISA_REQUIRES_3DS,
                    ]
                    .choose(&mut self.rng)
                    .unwrap(),
                ),
                Method::Mor if self.rng.gen_bool(0.3) => Some(
                    *[
                        cards::VISA_DECLINE,
                        cards::VISA_INSUFFICIENT_FUNDS,
                        cards::UNIONPAY_APPROVE,
                        cards::AMEX_APPROVE,
                    ]
                    .choose(&mut self.rng)
                    .unwrap(),
                ),
                Method::Vcc | Method::Mor => Some(self.approve_card()),
                Method::Deposit | Method::Byoa => None,
            };
            if method == Method::Deposit && i % 16 == 0 {
                let (kind, after) = faults[(i / 16) % faults.len()];
                self.fault("atrip.pay", kind, after);
            }
            paid.extend(self.atrip_pay(&order_no, method, number, &holder).await);
        }
        poll_until_idle(&self.engine).await;

        // Follow-ups: most declines are retried with another card (or the deposit); a failed
        // ticketing gets a new order, paid by deposit.
        let mut more = Vec::new();
        for p in &paid {
            let record = self.record(&self.engine, &p.id).await;
            match record.status() {
                Status::Declined if self.rng.gen_bool(0.7) => {
                    let number = p.method.needs_card().then(|| self.approve_card());
                    let number =
                        if p.method == Method::Mor { number.map(|_| cards::VISA_APPROVE) } else { number };
                    let request = self.atrip_request(&p.order_no, p.method, number, &p.holder);
                    let result = self.engine.retry_atrip(&p.id, request).await;
                    self.note("ATRIP retry", result);
                }
                Status::TicketingFailed => {
                    let result = self.engine.regenerate_atrip(&p.id).await;
                    match result {
                        Ok(new_order) => more.push((new_order, p.holder.clone())),
                        Err(e) => {
                            *self.refused.entry(format!("ATRIP regenerate: {}", why(&e))).or_default() += 1
                        }
                    }
                }
                _ => {}
            }
        }
        for (order_no, holder) in more {
            self.atrip_pay(&order_no, Method::Deposit, None, &holder).await;
        }
        poll_until_idle(&self.engine).await;
        paid.len()
    }

    // ----------------------------------------------------------- Travelport

    async fn seed_pnr(&mut self, with_ancillary: bool) -> String {
        let (currency, decimals) = [("USD", 2), ("USD", 2), ("EUR", 2), ("GBP", 2), ("AUD", 2)]
            .choose(&mut self.rng)
            .copied()
            .unwrap();
        let count = *[1, 1, 2, 2, 3].choose(&mut self.rng).unwrap();
        let travelers: Vec<Value> = (0..count)
            .map(|_| {
                let (given, surname) = self.person();
                json!({ "given": ascii_fold(&given).to_uppercase(), "surname": ascii_fold(&surname).to_uppercase() })
            })
            .collect();
        let fare = major(self.rng.gen_range(8_900..190_000), decimals);
        let carrier = *["UA", "AA", "BA", "QF", "LH", "AF"].choose(&mut self.rng).unwrap();
        let mut body = json!({
            "currency": currency,
            "carrier": carrier,
            "travelers": travelers,
            "farePerTraveler": fare,
        });
        if with_ancillary {
            let description = [
                "Checked bag 23kg",
                "Seat 12A",
                "Extra legroom seat 14C",
                "Priority boarding",
                "Sports equipment",
                "Lounge access",
            ]
            .choose(&mut self.rng)
            .unwrap();
            body["ancillary"] = json!({
                "traveler": self.rng.gen_range(1..=count),
                "description": description,
                "price": major(self.rng.gen_range(1_500..18_000), decimals),
            });
        }
        let reply = self.control("travelport/pnrs", body).await;
        reply["ReservationResponse"]["Reservation"]["Receipt"][0]["Confirmation"]["Locator"]["value"]
            .as_str()
            .unwrap_or_else(|| panic!("seeding failed: {reply}"))
            .to_string()
    }

    fn card_fop(&mut self, number: &str) -> TravelportFop {
        let (given, surname) = self.person();
        let holder = ascii_fold(&format!("{given} {surname}"));
        TravelportFop::Card(card(number, &holder, &mut self.rng))
    }

    async fn travelport_pay(
        &mut self,
        locator: &str,
        offers: &[&str],
        fop: TravelportFop,
    ) -> Option<PaymentRecord> {
        let request = TravelportPayment {
            locator: locator.into(),
            offer_ids: offers.iter().map(|o| o.to_string()).collect(),
            fop,
        };
        let result = self.engine.pay_travelport(request).await;
        self.note("Travelport", result)
    }

    async fn travelport(&mut self) -> usize {
        let mut paid: Vec<(String, String)> = Vec::new();
        let mut push = |record: Option<PaymentRecord>, locator: &str| {
            if let Some(r) = record {
                paid.push((r.payment.id, locator.to_string()));
            }
        };
        // The demo reservations: itinerary and ancillary (EMD) by card, the stored card, and the
        // one already ticketed.
        let fop = self.card_fop(cards::VISA_APPROVE);
        let r =
            self.travelport_pay(demo::travelport::LOCATOR_WITH_ANCILLARY, &["offer_1", "an_o1"], fop).await;
        push(r, demo::travelport::LOCATOR_WITH_ANCILLARY);
        let stored = TravelportFop::Stored("formOfPayment_stored_1".into());
        let r = self.travelport_pay(demo::travelport::LOCATOR_STORED_CARD, &["offer_1"], stored).await;
        push(r, demo::travelport::LOCATOR_STORED_CARD);
        let r =
            self.travelport_pay(demo::travelport::LOCATOR_TICKETED, &["offer_1"], TravelportFop::Cash).await;
        push(r, demo::travelport::LOCATOR_TICKETED);

        let faults = [
            (FaultKind::CloseAfterCharge, false),
            (FaultKind::MalformedJson, false),
            (FaultKind::Http500, false),
            (FaultKind::Http500, true),
        ];
        for i in 0..TRAVELPORT_PNRS {
            let with_ancillary = self.rng.gen_bool(0.4);
            let locator = self.seed_pnr(with_ancillary).await;
            let offers: &[&str] =
                if with_ancillary && self.rng.gen_bool(0.8) { &["offer_1", "an_o1"] } else { &["offer_1"] };
            // Now and then the commit's answer is lost (or it fails) on the way back.
            let faulted = i % 6 == 5;
            let fop = match i % 3 {
                1 => TravelportFop::Cash,
                _ if !faulted && self.rng.gen_bool(0.2) => {
                    let number =
                        *[cards::VISA_DECLINE, cards::VISA_INSUFFICIENT_FUNDS, cards::VISA_AIRLINE_DECLINES]
                            .choose(&mut self.rng)
                            .unwrap();
                    self.card_fop(number)
                }
                _ => {
                    let number = *[
                        cards::VISA_APPROVE,
                        cards::MASTERCARD_APPROVE,
                        cards::AMEX_APPROVE,
                        cards::DISCOVER_APPROVE,
                        cards::DINERS_APPROVE,
                    ]
                    .choose(&mut self.rng)
                    .unwrap();
                    self.card_fop(number)
                }
            };
            if faulted {
                let (kind, after) = faults[(i / 6) % faults.len()];
                self.fault("travelport.commit", kind, after);
            }
            let r = self.travelport_pay(&locator, offers, fop).await;
            if let Some(r) = r {
                paid.push((r.payment.id, locator));
            }
        }
        // A three-decimal currency.
        let kwd = self
            .control(
                "travelport/pnrs",
                json!({ "currency": "KWD", "carrier": "BA", "farePerTraveler": "120.125",
                        "travelers": [{"given": "AHMED", "surname": "KHAN"}],
                        "ancillary": {"traveler": 1, "description": "Seat 3A", "price": "4.005"} }),
            )
            .await;
        let kwd = kwd["ReservationResponse"]["Reservation"]["Receipt"][0]["Confirmation"]["Locator"]["value"]
            .as_str()
            .expect("KWD PNR")
            .to_string();
        let fop = self.card_fop(cards::MASTERCARD_APPROVE);
        if let Some(r) = self.travelport_pay(&kwd, &["offer_1", "an_o1"], fop).await {
            paid.push((r.payment.id, kwd));
        }
        poll_until_idle(&self.engine).await;

        // Follow-ups: a declined card gets another attempt (card or cash), a commit that did not
        // go through a new payment, and a few ticketed reservations are paid again by mistake.
        let mut again = 0;
        for (id, locator) in paid.clone() {
            let record = self.record(&self.engine, &id).await;
            match record.status() {
                Status::Declined if record.attempts.len() == 1 => {
                    let code = record.attempts[0].error_code.clone().unwrap_or_default();
                    if code.starts_with("402") {
                        let fop = if self.rng.gen_bool(0.6) {
                            let number = self.approve_card();
                            self.card_fop(number)
                        } else {
                            TravelportFop::Cash
                        };
                        let result = self.engine.retry_travelport(&id, fop).await;
                        self.note("Travelport retry", result);
                    } else if code != "4012" {
                        let fop = self.card_fop(cards::VISA_APPROVE);
                        self.travelport_pay(&locator, &["offer_1"], fop).await;
                    }
                }
                Status::Ticketed if again < 3 && locator.len() == 6 && !locator.starts_with("FP") => {
                    again += 1;
                    self.travelport_pay(&locator, &["offer_1"], TravelportFop::Cash).await;
                }
                _ => {}
            }
        }
        poll_until_idle(&self.engine).await;
        paid.len()
    }

    // ------------------------------------------------------- Holiday Extras

    async fn hx_token(&mut self) -> String {
        use demo::holidayextras::{TOKEN_APPROVE, TOKEN_DECLINE, TOKEN_INSUFFICIENT_FUNDS};
        match self.rng.gen_range(0..100) {
            0..=59 => TOKEN_APPROVE.into(),
            60..=71 => {
                // A card tokenised by the HX payment form: a new token each time.
                let number = self.approve_card();
                let reply = self.control("holidayextras/tokens", json!({ "card_number": number })).await;
                reply["token"].as_str().expect("token").to_string()
            }
            72..=83 => TOKEN_DECLINE.into(),
            84..=95 => TOKEN_INSUFFICIENT_FUNDS.into(),
            _ => "9000000000000009".into(), // never tokenised: HX does not know it
        }
    }

    fn hx_reference(&mut self) -> String {
        match self.rng.gen_range(0..3) {
            0 => format!("HXB{:06}", self.rng.gen_range(0..1_000_000)),
            1 => format!("HX-{}", self.rng.gen_range(10_000..99_999)),
            _ => format!("FP{:05}HX", self.rng.gen_range(0..100_000)),
        }
    }

    async fn hx_request(&mut self, v1: bool) -> HolidayExtrasPayment {
        let token = self.hx_token().await;
        let (given, surname) = self.person();
        let currency = if v1 || self.rng.gen_bool(0.7) { Currency::GBP } else { Currency::EUR };
        let amount = Money::from_minor(self.rng.gen_range(500..42_000), currency);
        let (postal_code, country_code) = if !v1 && self.rng.gen_bool(0.5) {
            let (p, c) = *[
                ("SW1A 1AA", "GB"),
                ("M1 1AE", "gb"),
                ("EH1 1YZ", "GB"),
                ("10115", "de"),
                ("75008", "FR"),
                ("28013", "es"),
                ("D02 X285", "IE"),
                ("1017 CT", "nl"),
            ]
            .choose(&mut self.rng)
            .unwrap();
            (Some(p.to_string()), Some(c.to_string()))
        } else {
            (None, None)
        };
        HolidayExtrasPayment {
            token,
            payment_reference: self.hx_reference(),
            amount,
            customer: format!("{given} {surname}"),
            postal_code,
            country_code,
        }
    }

    async fn holidayextras(&mut self) -> usize {
        let mut paid: Vec<(bool, String)> = Vec::new();
        let faults = [
            (FaultKind::Http500, false),
            (FaultKind::CloseAfterCharge, false),
            (FaultKind::MalformedJson, false),
            (FaultKind::Http500, true),
        ];
        for i in 0..HX_V2_PAYMENTS + HX_V1_PAYMENTS {
            let v1 = i >= HX_V2_PAYMENTS;
            let mut request = self.hx_request(v1).await;
            if i % 15 == 7 {
                // The same booking paid in two parts.
                let first = HolidayExtrasPayment {
                    token: request.token.clone(),
                    payment_reference: request.payment_reference.clone(),
                    amount: request.amount,
                    customer: request.customer.clone(),
                    postal_code: request.postal_code.clone(),
                    country_code: request.country_code.clone(),
                };
                let engine = if v1 { &self.hx_v1 } else { &self.engine };
                let result = engine.pay_holidayextras(first).await;
                if let Some(r) = self.note("Holiday Extras", result) {
                    paid.push((v1, r.payment.id));
                }
                request.amount = Money::from_minor(request.amount.minor / 3 + 100, request.amount.currency);
            }
            if !v1 && i % 12 == 3 {
                let (kind, after) = faults[(i / 12) % faults.len()];
                self.fault("holidayextras.pay", kind, after);
            }
            let engine = if v1 { &self.hx_v1 } else { &self.engine };
            let result = engine.pay_holidayextras(request).await;
            if let Some(r) = self.note("Holiday Extras", result) {
                paid.push((v1, r.payment.id));
            }
        }
        poll_until_idle(&self.engine).await;
        poll_until_idle(&self.hx_v1).await;

        // Follow-ups: refunds (full and partial, one after an unclear first try), retries after
        // declines, and the reviews resolved from the HX portal.
        let mut refund_faulted = false;
        for (v1, id) in paid.clone() {
            let engine = if v1 { self.hx_v1.clone() } else { self.engine.clone() };
            let mut record = self.record(&engine, &id).await;
            if record.status() == Status::NeedsReview {
                // The desk looks the paymentId up in the HX portal (here: the sandbox's ledger).
                let key = record.attempts.last().map(|a| a.idempotency_key.clone()).unwrap_or_default();
                let charged = self.sandbox.ledger().iter().any(|e| e.reference == key);
                let (outcome, note) = if charged {
                    (Status::Paid, "HX portal shows the payment charged")
                } else {
                    (Status::Declined, "Not in the HX portal — nothing charged")
                };
                let result = engine.resolve_review(&id, outcome, note).await;
                match self.note("Holiday Extras review", result) {
                    Some(r) => record = r,
                    None => continue,
                }
            }
            match record.status() {
                Status::Paid if self.rng.gen_bool(0.45) => {
                    if !refund_faulted && !v1 {
                        refund_faulted = true;
                        self.fault("holidayextras.refund", FaultKind::Http500, false);
                        let result = engine.refund_holidayextras(&id, None).await;
                        self.note("Holiday Extras refund", result);
                    }
                    let amount = if self.rng.gen_bool(0.4) {
                        let total = record.payment.amount;
                        let part = (total.minor * self.rng.gen_range(10..90) / 100).max(1);
                        Some(Money::from_minor(part, total.currency))
                    } else {
                        None
                    };
                    let result = engine.refund_holidayextras(&id, amount).await;
                    self.note("Holiday Extras refund", result);
                }
                Status::Declined if self.rng.gen_bool(0.3) => {
                    let result = engine.retry_holidayextras(&id).await;
                    self.note("Holiday Extras retry", result);
                }
                _ => {}
            }
        }
        poll_until_idle(&self.engine).await;
        poll_until_idle(&self.hx_v1).await;
        paid.len()
    }

    // --------------------------------------------------------------- HeiPay

    fn heipay_request(&mut self, number: &str) -> HeiPayPayment {
        let (given, surname) = self.person();
        let hotel_id =
            if self.rng.gen_bool(0.55) { demo::heipay::HOTEL_ID } else { demo::heipay::SECOND_HOTEL_ID };
        let cop = Currency::from_code("COP").unwrap();
        let cents = if self.rng.gen_bool(0.8) { 0 } else { 50 };
        let amount = Money::from_minor(self.rng.gen_range(85_000..4_800_000) * 100 + cents, cop);
        let installments = *[1, 1, 1, 1, 2, 3, 6, 12, 24, 36].choose(&mut self.rng).unwrap();
        let detail = [
            Some(format!("Room {}, {} nights", self.rng.gen_range(101..1210), self.rng.gen_range(1..8))),
            Some(format!(
                "Habitación {}, {} noches, desayuno incluido",
                self.rng.gen_range(101..610),
                self.rng.gen_range(1..6)
            )),
            Some("Late check-out and minibar".into()),
            Some(format!("Reserva {}: 2 adultos, 1 niño", self.rng.gen_range(10_000..99_999))),
            Some("Depósito grupo congreso médico".into()),
            None,
        ]
        .choose(&mut self.rng)
        .cloned()
        .unwrap();
        let address = [
            "Calle 10 # 5-51",
            "Carrera 7 # 71-21, Bogotá",
            "Cra. 43A # 1 Sur-50, Medellín",
            "Av. San Martín # 6-99, Bocagrande, Cartagena",
            "Calle del Arsenal # 8B-137, Getsemaní",
        ]
        .choose(&mut self.rng)
        .unwrap();
        let some = |rng: &mut StdRng, p: f64, value: String| rng.gen_bool(p).then_some(value);
        let email = format!(
            "{}.{}@example.com",
            ascii_fold(&given).to_lowercase(),
            ascii_fold(&surname).to_lowercase()
        );
        let phone = format!(
            "3{:02} {:03} {:04}",
            self.rng.gen_range(0..50),
            self.rng.gen_range(0..1000),
            self.rng.gen_range(0..10_000)
        );
        let fiscal =
            format!("{}-{}", self.rng.gen_range(800_000_000..999_999_999), self.rng.gen_range(0..10));
        let ip = format!(
            "181.{}.{}.{}",
            self.rng.gen_range(0..256),
            self.rng.gen_range(0..256),
            self.rng.gen_range(1..255)
        );
        let holder = format!("{given} {surname}");
        let order = OrderInput {
            hotel_id,
            guest_first_name: given,
            guest_last_name: surname,
            detail,
            amount: Some(amount),
            installments,
            tax_percent: some(&mut self.rng, 0.6, "0.19".into()),
            service_percent: some(&mut self.rng, 0.4, "0.1".into()),
            email: some(&mut self.rng, 0.8, email),
            phone: some(&mut self.rng, 0.7, phone),
            address: some(&mut self.rng, 0.5, address.to_string()),
            fiscal_number: some(&mut self.rng, 0.4, fiscal),
            ip: some(&mut self.rng, 0.6, ip),
        };
        HeiPayPayment { order, card: card(number, &holder, &mut self.rng) }
    }

    async fn heipay(&mut self) -> usize {
        let mut paid = Vec::new();
        let faults = [
            (FaultKind::CloseAfterCharge, false),
            (FaultKind::Http500, false),
            (FaultKind::MalformedJson, false),
            (FaultKind::Http500, true),
        ];
        for i in 0..HEIPAY_PAYMENTS {
            let number = if self.rng.gen_bool(0.25) {
                *[cards::VISA_DECLINE, cards::MASTERCARD_DECLINE, cards::VISA_INSUFFICIENT_FUNDS]
                    .choose(&mut self.rng)
                    .unwrap()
            } else {
                self.approve_card()
            };
            let request = self.heipay_request(number);
            if i % 20 == 10 {
                let (kind, after) = faults[(i / 20) % faults.len()];
                self.fault("heipay.pay", kind, after);
            }
            let result = self.engine.pay_heipay(request).await;
            if let Some(r) = self.note("HeiPay", result) {
                paid.push(r.payment.id);
            }
        }
        poll_until_idle(&self.engine).await;
        // A late charge after a fault lands within a moment; then the desk checks the portal.
        tokio::time::sleep(Duration::from_millis(200)).await;
        for id in paid.clone() {
            let record = self.record(&self.engine, &id).await;
            match record.status() {
                Status::NeedsReview => {
                    let charged =
                        self.sandbox.ledger().iter().any(|e| e.reference == record.payment.reference);
                    let (outcome, note) = if charged {
                        (Status::Paid, "El portal de HeiPay la muestra aprobada")
                    } else {
                        (Status::Declined, "not in the HeiPay portal")
                    };
                    let result = self.engine.resolve_review(&id, outcome, note).await;
                    self.note("HeiPay review", result);
                }
                Status::Declined if self.rng.gen_bool(0.6) => {
                    // Another card of the same guest.
                    let holder = record.payment.card.as_ref().map_or("Jane Doe".into(), |c| c.holder.clone());
                    let number = self.approve_card();
                    let c = card(number, &holder, &mut self.rng);
                    let result = self.engine.retry_heipay(&id, c).await;
                    self.note("HeiPay retry", result);
                }
                _ => {}
            }
        }
        poll_until_idle(&self.engine).await;
        paid.len()
    }
}

/// Every payment of the engine's database with its number of attempts and its whole timeline.
async fn read_timelines(engine: &Engine) -> Vec<(Payment, usize, Vec<TimelineEvent>)> {
    engine
        .store()
        .read(|c| {
            let payments = store::list_payments(c, i64::MAX, 0)?;
            payments
                .into_iter()
                .map(|p| {
                    let attempts = store::attempts_for(c, &p.id)?.len();
                    let events = store::events_for(c, &p.id)?;
                    Ok((p, attempts, events))
                })
                .collect()
        })
        .await
        .expect("read the timelines")
}

/// Sets the dictionary's ID. zstd writes the ID of the dictionary a frame needs into the frame
/// header, in as few bytes as it fits: 1 for IDs below 256, 4 for the random 32-bit ID the
/// trainer picks. Our frames never leave our database, so the IDs are ours to number (the zstd
/// format only asks for care with IDs in frames exchanged publicly): v1 is 1, and every event
/// body saves three bytes.
fn set_dict_id(dict: &mut [u8], id: u32) {
    assert!(dict.len() > 8 && dict[..4] == DICT_MAGIC, "the trainer did not return a zstd dictionary");
    dict[4..8].copy_from_slice(&id.to_le_bytes());
}

fn train(samples: &[&[u8]]) -> Vec<u8> {
    let mut dict = zstd::dict::from_samples(samples, DICT_SIZE).expect("train the dictionary");
    set_dict_id(&mut dict, DICT_ID);
    dict
}

/// Mean compressed size per sample, in bytes.
fn mean_compressed(compressor: &mut zstd::bulk::Compressor<'_>, samples: &[&[u8]]) -> f64 {
    let total: usize = samples.iter().map(|s| compressor.compress(s).expect("compress").len()).sum();
    total as f64 / samples.len() as f64
}

struct Sample {
    kind: String,
    held_out: bool,
    bytes: Vec<u8>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let started = Instant::now();
    let sandbox = Sandbox::start_on(&tokio::runtime::Handle::current(), SandboxConfig::for_tests())
        .expect("start the sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let timeouts = Timeouts { connect: Duration::from_secs(2), total: Duration::from_secs(10) };
    // Every provider as the Sandbox profile sets them up (Holiday Extras on API v2), and v1 apart.
    let clients = profile::clients(&sandbox, timeouts).expect("the Sandbox profile's clients");
    let engine = engine_over(&dir.path().join("sandbox"), clients);
    let hx_v1 = profile::holidayextras(&sandbox, ApiVersion::V1, timeouts).expect("Holiday Extras v1");
    let v1_clients = Clients { holidayextras: Some(hx_v1), ..Clients::default() };
    let hx_v1 = engine_over(&dir.path().join("hx-v1"), v1_clients);
    println!(
        "exchange dictionary: driving payments through the engine against the sandbox on {}",
        sandbox.addr()
    );

    let mut run = Run {
        sandbox,
        engine,
        hx_v1,
        http: reqwest::Client::new(),
        rng: StdRng::seed_from_u64(0x000F_A2E9_0147),
        refused: BTreeMap::new(),
    };
    let atrip = run.atrip().await;
    let travelport = run.travelport().await;
    let holidayextras = run.holidayextras().await;
    let heipay = run.heipay().await;
    poll_until_idle(&run.engine).await;
    poll_until_idle(&run.hx_v1).await;
    println!(
        "first payments: ATRIP {atrip}, Travelport {travelport}, Holiday Extras {holidayextras}, HeiPay {heipay} \
         (then retries, new orders and refunds) in {:.1?}",
        started.elapsed()
    );

    // Every event of every payment, as the store will compress it.
    let mut timelines = read_timelines(&run.engine).await;
    timelines.extend(read_timelines(&run.hx_v1).await);
    let mut by_status: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut retried: BTreeMap<String, usize> = BTreeMap::new();
    let mut samples = Vec::new();
    for (n, (payment, attempts, events)) in timelines.iter().enumerate() {
        let provider = payment.provider.display_name().to_string();
        if *attempts > 1 {
            *retried.entry(provider.clone()).or_default() += 1;
        }
        *by_status.entry((provider, payment.status.as_str().to_string())).or_default() += 1;
        for event in events {
            let bytes = store::body_json(event);
            let kind = event.kind.as_str().to_string();
            // Held out by payment, not by event: events of one payment share ids and references.
            samples.push(Sample { kind, held_out: n % 5 == 4, bytes });
        }
    }

    // Nothing of a card number may reach the dictionary: it is made of these bytes. Nor may a
    // credential (the demo ones stand for the real ones a profile would hold).
    let secrets = [
        demo::atrip::CLIENT_SECRET,
        demo::travelport::PASSWORD,
        demo::travelport::CLIENT_SECRET,
        demo::holidayextras::PASSWORD,
        demo::heipay::API_TOKEN,
        demo::heipay::CARD_KEY,
        demo::heipay::SECOND_HOTEL_CARD_KEY,
    ];
    for s in &samples {
        for secret in secrets {
            let found = s.bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "ABORT: a sandbox credential is in a stored {} event", s.kind);
        }
        for card in TEST_CARDS {
            let found = s.bytes.windows(card.number.len()).any(|w| w == card.number.as_bytes());
            assert!(
                !found,
                "ABORT: test card number {} ({}) is in a stored {} event: {}",
                card.number,
                card.note,
                s.kind,
                String::from_utf8_lossy(&s.bytes)
            );
        }
    }

    println!();
    println!("payments: {}", timelines.len());
    for ((provider, status), n) in &by_status {
        println!("  {provider:<16} {status:<18} {n:>4}");
    }
    for (provider, n) in &retried {
        println!("  {provider:<16} {:<18} {n:>4}", "(with 2+ attempts)");
    }
    if !run.refused.is_empty() {
        println!("calls that changed no payment (refused before sending, or not allowed):");
        for (what, n) in &run.refused {
            println!("  {what:<58} {n:>4}");
        }
    }

    let raw_total: usize = samples.iter().map(|s| s.bytes.len()).sum();
    println!();
    println!(
        "samples: {} — raw {} bytes in all, mean {:.0} bytes",
        samples.len(),
        raw_total,
        raw_total as f64 / samples.len() as f64
    );

    // The check: trained on 80% of the payments, measured on the other 20%.
    let train_set: Vec<&[u8]> = samples.iter().filter(|s| !s.held_out).map(|s| s.bytes.as_slice()).collect();
    let held_out: Vec<&Sample> = samples.iter().filter(|s| s.held_out).collect();
    let check_dict = train(&train_set);
    let mut with_dict = zstd::bulk::Compressor::with_dictionary(LEVEL, &check_dict).unwrap();
    let mut without = zstd::bulk::Compressor::new(LEVEL).unwrap();
    let mut kinds: BTreeMap<&str, Vec<&[u8]>> = BTreeMap::new();
    let mut kinds_all: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for s in &samples {
        let e = kinds_all.entry(s.kind.as_str()).or_default();
        e.0 += 1;
        e.1 += s.bytes.len();
    }
    for s in &held_out {
        kinds.entry(s.kind.as_str()).or_default().push(s.bytes.as_slice());
    }
    println!();
    println!(
        "held-out check: dictionary trained on {} samples, measured on {} samples of the other 20% of payments, level {LEVEL}",
        train_set.len(),
        held_out.len()
    );
    println!(
        "  {:<16} {:>7} {:>10} {:>9} {:>11} {:>11} {:>8}",
        "event kind", "samples", "mean raw", "held out", "no dict", "dict", "gain"
    );
    for (kind, (count, bytes)) in &kinds_all {
        let held = kinds.get(kind).map(Vec::as_slice).unwrap_or_default();
        let mean_raw = *bytes as f64 / *count as f64;
        if held.is_empty() {
            println!("  {kind:<16} {count:>7} {mean_raw:>10.0} {:>9} {:>11} {:>11} {:>8}", 0, "-", "-", "-");
            continue;
        }
        let plain = mean_compressed(&mut without, held);
        let dict = mean_compressed(&mut with_dict, held);
        println!(
            "  {kind:<16} {count:>7} {mean_raw:>10.0} {:>9} {plain:>11.1} {dict:>11.1} {:>7.1}x",
            held.len(),
            plain / dict
        );
    }
    let all_held: Vec<&[u8]> = held_out.iter().map(|s| s.bytes.as_slice()).collect();
    let held_raw = all_held.iter().map(|s| s.len()).sum::<usize>() as f64 / all_held.len() as f64;
    let plain = mean_compressed(&mut without, &all_held);
    let dict = mean_compressed(&mut with_dict, &all_held);
    println!(
        "  {:<16} {:>7} {:>10.0} {:>9} {plain:>11.1} {dict:>11.1} {:>7.1}x",
        "all",
        samples.len(),
        raw_total as f64 / samples.len() as f64,
        all_held.len(),
        plain / dict
    );
    println!(
        "  mean per held-out sample: raw {held_raw:.0} B, zstd -{LEVEL} without dictionary {plain:.1} B ({:.1}% of raw), \
         with dictionary {dict:.1} B ({:.1}% of raw)",
        100.0 * plain / held_raw,
        100.0 * dict / held_raw
    );

    // The dictionary to ship: trained on every sample.
    let all: Vec<&[u8]> = samples.iter().map(|s| s.bytes.as_slice()).collect();
    let final_dict = train(&all);
    for card in TEST_CARDS {
        assert!(
            !final_dict.windows(card.number.len()).any(|w| w == card.number.as_bytes()),
            "ABORT: test card number {} is in the dictionary",
            card.number
        );
    }
    // It reads back, and frames written with it name dictionary 1.
    let probe = &all[all.len() / 2];
    let frame = zstd::bulk::Compressor::with_dictionary(LEVEL, &final_dict).unwrap().compress(probe).unwrap();
    assert_eq!(zstd::zstd_safe::get_dict_id_from_frame(&frame).map(|id| id.get()), Some(DICT_ID));
    assert_eq!(zstd::zstd_safe::get_dict_id_from_dict(&final_dict).map(|id| id.get()), Some(DICT_ID));
    let back = zstd::bulk::Decompressor::with_dictionary(&final_dict)
        .unwrap()
        .decompress(&frame, probe.len())
        .unwrap();
    assert_eq!(&back, probe, "a frame did not read back with the dictionary");

    // Training is not reproducible (ids, keys and times differ each run), so an existing v1 is
    // replaced only when asked: once it has shipped, never.
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join(DICT_FILE);
    if path.exists() && !std::env::args().any(|a| a == "--overwrite") {
        println!();
        println!(
            "dictionary NOT written: {} exists. A shipped dictionary must never change — train a v2 \
             instead. Before v1 has shipped, run again with `-- --overwrite` to replace it.",
            path.display()
        );
        std::process::exit(1);
    }
    std::fs::write(&path, &final_dict).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    println!();
    println!(
        "dictionary: trained on all {} samples, id {DICT_ID}, {} bytes, written to {}",
        all.len(),
        final_dict.len(),
        path.display()
    );
    println!("done in {:.1?}", started.elapsed());
}
