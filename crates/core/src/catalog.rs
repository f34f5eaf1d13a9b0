//! What the window offers to choose from, served by the core so it keeps no copy: the providers,
//! the statuses a history is filtered by, in the order a desk reads them, which of them call for
//! someone's attention, and the currencies. The window draws these lists and translates each
//! entry by its id. (What one payment allows is served on its record: `actions`.)

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::agents::Actor;
use crate::payment::{Provider, Status};
use crate::store::{Store, StoreError};

/// The lists the window draws its choices from (`app_status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalog {
    /// Every provider, by id (`atrip` …), in the order the desk's menus list them.
    pub providers: Vec<&'static str>,
    /// The statuses a search can ask for: every status a stored payment can have (a `Draft`
    /// is never stored), the settled ones first.
    pub statuses: Vec<&'static str>,
    /// The currencies a provider charges in, where it limits them: HeiPay pesos, always, and a
    /// set-up Holiday Extras those of its API version; a provider absent here charges in its
    /// order's own currency.
    pub currencies: BTreeMap<&'static str, Vec<&'static str>>,
    /// The statuses a desk should look at first, most urgent first: a payment waiting for a
    /// person (`NeedsReview`), then one whose answer is still unclear (`Unknown`).
    pub attention: Vec<&'static str>,
    /// The order the Summary counts statuses in: those calling for attention, then `statuses`.
    pub summary_statuses: Vec<&'static str>,
    /// The statuses whose headline is the words of the event that moved the payment there — the
    /// provider's refusal, or why a person is needed — rather than a stock sentence.
    pub told_by_event: Vec<&'static str>,
    /// The currencies the history can be filtered by (`with_history`): every currency it holds,
    /// and those of `currencies`.
    pub filter_currencies: Vec<String>,
    /// The agents the history can be filtered by (`with_history`, `with_desk`): everyone who took
    /// a payment in it and everyone at the desk, by name — the desk's name for an agent still
    /// there, else the one their newest payment records.
    pub filter_agents: Vec<Actor>,
    /// What each provider's payment form may hold, from the provider's own checks.
    pub forms: BTreeMap<&'static str, Form>,
    /// The providers this desk takes payments with now — those its profile set up (the
    /// Sandbox's, always all). The Take view offers a form only for these, and for the others
    /// says where to set them up.
    pub set_up: Vec<&'static str>,
}

/// What a provider's payment form may hold — the limits its request checks enforce, so the form
/// stops the agent where the core would refuse, and nowhere else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Form {
    /// The most characters a field takes, by field name (the request's own names).
    pub max_len: BTreeMap<&'static str, usize>,
    /// The longest installment plan, where the provider takes one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installments_max: Option<u32>,
    /// The methods it is paid by and what each needs from the agent, where it has several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<crate::providers::atrip::wire::MethodForm>,
}

/// Each provider's form, as the provider's module states it.
fn form(provider: Provider) -> Form {
    use crate::providers::{atrip, heipay, holidayextras};
    match provider {
        Provider::Atrip => atrip::wire::form(),
        Provider::Travelport => Form::default(),
        Provider::HolidayExtras => holidayextras::wire::form(),
        Provider::HeiPay => heipay::wire::form(),
    }
}

const ATTENTION: [Status; 2] = [Status::NeedsReview, Status::Unknown];

/// The catalog with no provider set up (see `Engine::catalog` for the desk's own).
pub fn catalog() -> Catalog {
    // The machine's order, with a payment still being sent last: it is seldom what a desk looks
    // for, and never for long.
    let statuses: Vec<&'static str> = Status::ALL
        .iter()
        .filter(|s| !matches!(s, Status::Draft | Status::Submitting))
        .chain([&Status::Submitting])
        .map(|s| s.as_str())
        .collect();
    let attention: Vec<&'static str> = ATTENTION.iter().map(|s| s.as_str()).collect();
    Catalog {
        // HeiPay charges pesos whether or not it is set up here, so its form always knows them.
        currencies: BTreeMap::from([(
            Provider::HeiPay.as_str(),
            vec![crate::providers::heipay::wire::CURRENCY_CODE],
        )]),
        providers: Provider::ALL.iter().map(|p| p.as_str()).collect(),
        summary_statuses: attention
            .iter()
            .chain(statuses.iter().filter(|s| !attention.contains(s)))
            .copied()
            .collect(),
        attention,
        statuses,
        told_by_event: [Status::Declined, Status::TicketingFailed, Status::NeedsReview]
            .map(|s| s.as_str())
            .to_vec(),
        filter_currencies: Vec::new(),
        filter_agents: Vec::new(),
        forms: Provider::ALL.iter().map(|&p| (p.as_str(), form(p))).collect(),
        set_up: Vec::new(),
    }
}

impl Catalog {
    /// Fills `filter_currencies`. The desk filters by what it has taken — ATRIP and Travelport
    /// charge in each order's own currency, so only the history knows those — and by the
    /// currencies its providers limit themselves to, so pesos are offered before the first HeiPay
    /// payment. A fixed list would offer currencies the desk never sees and miss the ones it does.
    pub async fn with_history(mut self, store: &Store) -> Result<Catalog, StoreError> {
        // The covering `payments_totals` index answers this without reading the payments.
        let held = store
            .read(|c| {
                let mut q = c.prepare("SELECT DISTINCT currency FROM payments")?;
                let codes = q.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
                Ok(codes)
            })
            .await?;
        let limited = self.currencies.values().flatten().map(|c| c.to_string());
        self.filter_currencies =
            held.into_iter().chain(limited).collect::<BTreeSet<_>>().into_iter().collect();
        // Each agent's id from the partial index `payments_agent` alone, then the name their
        // newest payment records: one look-up per agent, never one per payment.
        let agents = store
            .read(|c| {
                let ids: Vec<String> = c
                    .prepare("SELECT DISTINCT agent_id FROM payments WHERE agent_id IS NOT NULL")?
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                let mut name = c.prepare(
                    "SELECT agent_name FROM payments WHERE agent_id = ?1 ORDER BY created_at_ms DESC LIMIT 1",
                )?;
                let mut agents = Vec::with_capacity(ids.len());
                for id in ids {
                    let name: String = name.query_row([&id], |r| r.get(0))?;
                    agents.push(Actor { id, name });
                }
                Ok(agents)
            })
            .await?;
        self.add_agents(agents);
        Ok(self)
    }

    /// Adds the desk's agents to `filter_agents`, under the names they go by now.
    pub fn with_desk(mut self, desk: &crate::agents::Desk) -> Catalog {
        let at_desk: Vec<Actor> = desk.view().agents.iter().map(|a| a.actor()).collect();
        self.filter_agents.retain(|a| !at_desk.iter().any(|d| d.id == a.id));
        self.add_agents(at_desk);
        self
    }

    fn add_agents(&mut self, agents: Vec<Actor>) {
        for agent in agents {
            if !self.filter_agents.iter().any(|a| a.id == agent.id) {
                self.filter_agents.push(agent);
            }
        }
        self.filter_agents
            .sort_by(|a, b| (a.name.to_lowercase(), &a.id).cmp(&(b.name.to_lowercase(), &b.id)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Currency, Money};
    use crate::payment::Payment;

    #[test]
    fn every_provider_and_every_stored_status_is_offered_once() {
        let c = catalog();
        assert_eq!(c.providers.len(), Provider::ALL.len());
        let mut statuses = c.statuses.clone();
        statuses.sort();
        statuses.dedup();
        assert_eq!(statuses.len(), Status::ALL.len() - 1, "all but Draft, each once");
        assert!(!c.statuses.contains(&Status::Draft.as_str()));
        for s in &c.statuses {
            assert!(s.parse::<Status>().is_ok(), "{s}");
        }
    }

    #[test]
    fn the_summary_counts_every_status_once_those_calling_for_attention_first() {
        let c = catalog();
        assert_eq!(c.attention, ["NeedsReview", "Unknown"]);
        assert_eq!(&c.summary_statuses[..2], &c.attention[..]);
        let mut counted = c.summary_statuses.clone();
        let mut offered = c.statuses.clone();
        counted.sort();
        offered.sort();
        assert_eq!(counted, offered);
        for s in &c.told_by_event {
            assert!(s.parse::<Status>().is_ok(), "{s}");
        }
    }

    /// Each served limit is exactly where the provider's own check starts refusing: the form
    /// stops the agent where the core would, and nowhere sooner.
    #[test]
    fn each_forms_limits_are_where_its_provider_refuses() {
        use crate::providers::heipay::wire::{Order, OrderInput};
        use crate::providers::holidayextras::wire::{ApiVersion, PayRequest};
        let forms = catalog().forms;
        let gbp = Money::from_minor(4500, Currency::GBP);
        let hx = &forms["holidayextras"];
        let hx_ok = |field: &str, text: &str| {
            let (mut token, mut reference, mut postal) = ("7000000000000001", "HXB1", None);
            match field {
                "token" => token = text,
                "payment_reference" => reference = text,
                "postal_code" => postal = Some(text),
                _ => return None,
            }
            Some(PayRequest::new(ApiVersion::V2, token, reference, gbp, postal, None).is_ok())
        };
        let heipay = &forms["heipay"];
        let hp_ok = |field: &str, text: &str| {
            let mut input = OrderInput {
                hotel_id: 1,
                guest_first_name: "Ana".into(),
                guest_last_name: "Muñoz".into(),
                amount: Some(Money::from_minor(100, Currency::from_code("COP").unwrap())),
                installments: 1,
                ..Default::default()
            };
            let text = text.to_string();
            match field {
                "guest_first_name" => input.guest_first_name = text,
                "guest_last_name" => input.guest_last_name = text,
                "detail" => input.detail = Some(text),
                "address" => input.address = Some(text),
                "fiscal_number" => input.fiscal_number = Some(text),
                _ => return None,
            }
            Some(Order::validate(input).is_ok())
        };
        type Accepts<'a> = &'a dyn Fn(&str, &str) -> Option<bool>;
        let cases: [(&Form, Accepts, char); 2] = [(hx, &hx_ok, '7'), (heipay, &hp_ok, '1')];
        for (form, accepts, fill) in cases {
            for (field, &max) in &form.max_len {
                let at = fill.to_string().repeat(max);
                let over = fill.to_string().repeat(max + 1);
                if *field == "country_code" {
                    continue; // exactly two letters: no longer, no shorter
                }
                assert_eq!(accepts(field, &at), Some(true), "{field} at its limit {max}");
                assert_eq!(accepts(field, &over), Some(false), "{field} past its limit {max}");
            }
        }
        assert_eq!(heipay.installments_max, Some(crate::providers::heipay::wire::INSTALLMENTS_MAX));
        assert_eq!(forms["atrip"].methods.len(), 4);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_filter_offers_the_historys_currencies_and_the_providers_limits() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("history.sqlite3")).unwrap();
        let c = catalog();
        assert_eq!(
            c.clone().with_history(&store).await.unwrap().filter_currencies,
            ["COP"],
            "before any payment"
        );
        let payments: Vec<Payment> = ["JPY", "USD", "JPY", "GBP"]
            .iter()
            .enumerate()
            .map(|(i, code)| Payment {
                id: format!("p{i}"),
                reference: format!("FP-{i}"),
                provider: Provider::Atrip,
                profile: "sandbox".into(),
                status: Status::Paid,
                amount: Money::from_minor(1000, Currency::from_code(code).unwrap()),
                customer: "Ada".into(),
                subject: crate::subject::Subject::blank(Provider::Atrip),
                subject_key: format!("K{i}"),
                card: None,
                created_at_ms: 1,
                updated_at_ms: 1,
                agent: None,
            })
            .collect();
        store
            .write(move |conn| {
                let tx = conn.transaction()?;
                for p in &payments {
                    crate::store::insert_payment(&tx, p)?;
                }
                tx.commit()?;
                Ok(())
            })
            .await
            .unwrap();
        let held = ["COP", "GBP", "JPY", "USD"];
        assert_eq!(c.with_history(&store).await.unwrap().filter_currencies, held);
    }
}
