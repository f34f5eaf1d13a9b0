//! What a stored payment allows a person to do now, served on its record (`PaymentRecord`'s
//! `actions`) so the window draws its buttons and forms from it and keeps no copy of a rule. Each
//! decision is the one the engine checks when the action is asked for; the engine still refuses
//! what is not allowed, in its own words.

use serde::Serialize;

use crate::engine::PaymentRecord;
use crate::money::Money;
use crate::payment::{Provider, RefundStatus, Status};
use crate::providers::atrip::wire::{self as atrip_wire, MethodForm};

/// The actions a payment allows now. The receipt is always there: every stored payment has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actions {
    /// Ask the provider now instead of waiting for the next scheduled look: while the answer is
    /// unclear, or tickets are awaited.
    pub poll: bool,
    /// What a person may record from the provider's portal for a payment under review (empty
    /// unless it is under review): `Provider::review_outcomes`, what `resolve_review` accepts.
    pub review_outcomes: Vec<Status>,
    /// After a definite decline, a new attempt, and the form it needs.
    pub retry: Option<RetryForm>,
    /// A new refund, of at most this much (`PaymentRecord::can_refund`).
    pub refund: Option<Money>,
    /// The open refund has no clear answer: a person records what the portal shows.
    pub resolve_refund: bool,
    /// HeiPay linked a voucher to an attempt.
    pub voucher: bool,
    /// ATRIP's ticketing failed with a code that lets a new order replace it: make one, then pay
    /// it as a new payment (`Engine::regenerate_atrip`).
    pub regenerate: bool,
}

/// What a new attempt asks the agent for, by provider (each `retry_<provider>`'s input).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum RetryForm {
    /// Holiday Extras charges the same card token again, under a new payment id: nothing to fill.
    SameToken,
    /// HeiPay: the hotel's card, keyed anew (it is never kept).
    Card,
    /// ATRIP: one of the methods the order supports (read from ATRIP when the form opens), each
    /// with what it carries.
    AtripMethod { methods: Vec<MethodForm> },
    /// Travelport: a new card, cash, or a form of payment the reservation stores (read from
    /// Travelport when the form opens).
    TravelportFop,
}

impl RetryForm {
    fn of(provider: Provider) -> RetryForm {
        match provider {
            Provider::Atrip => RetryForm::AtripMethod { methods: atrip_wire::form().methods },
            Provider::Travelport => RetryForm::TravelportFop,
            Provider::HolidayExtras => RetryForm::SameToken,
            Provider::HeiPay => RetryForm::Card,
        }
    }
}

impl Actions {
    pub fn of(record: &PaymentRecord) -> Actions {
        let status = record.payment.status;
        let provider = record.payment.provider;
        Actions {
            poll: matches!(status, Status::Unknown | Status::Ticketing),
            review_outcomes: if status == Status::NeedsReview {
                provider.review_outcomes()
            } else {
                Vec::new()
            },
            // Every provider's `retry_*` requires a definite decline.
            retry: (status == Status::Declined).then(|| RetryForm::of(provider)),
            refund: record.can_refund().then(|| record.refundable()),
            // As `Engine::resolve_refund` asks: an open refund that is unclear.
            resolve_refund: record.open_refund().is_some_and(|r| r.status == RefundStatus::Unclear),
            voucher: record.voucher_url().is_some(),
            regenerate: status == Status::TicketingFailed && crate::engine::regenerable(record).is_ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::money::Currency;
    use crate::payment::{Attempt, Payment, Refund};
    use crate::providers::atrip::wire::Method;

    fn record(provider: Provider, status: Status) -> PaymentRecord {
        let amount = Money::from_minor(4500, Currency::GBP);
        PaymentRecord {
            payment: Payment {
                id: "p1".into(),
                reference: "FP-1".into(),
                provider,
                profile: "sandbox".into(),
                status,
                amount,
                customer: "Ada".into(),
                subject: crate::subject::Subject::blank(provider),
                subject_key: "K1".into(),
                card: None,
                created_at_ms: 1,
                updated_at_ms: 1,
                agent: None,
            },
            attempts: vec![attempt(None)],
            tickets: Vec::new(),
            refunds: Vec::new(),
            timeline: Vec::new(),
        }
    }

    fn attempt(provider_ref: Option<&str>) -> Attempt {
        Attempt {
            id: "a1".into(),
            payment_id: "p1".into(),
            seq: 1,
            idempotency_key: "k1".into(),
            status: Status::Paid,
            provider_ref: provider_ref.map(str::to_string),
            error_code: None,
            error_message: None,
            next_poll_at_ms: None,
            watched_ms: 0,
            created_at_ms: 1,
            updated_at_ms: 1,
            agent: None,
        }
    }

    fn refund(minor: i64, status: RefundStatus) -> Refund {
        Refund {
            id: format!("r{minor}"),
            payment_id: "p1".into(),
            seq: 1,
            amount: Money::from_minor(minor, Currency::GBP),
            status,
            provider_ref: None,
            note: None,
            created_at_ms: 1,
            updated_at_ms: 1,
            agent: None,
        }
    }

    #[test]
    fn a_poll_is_offered_only_while_the_provider_is_still_to_answer() {
        for status in Status::ALL {
            for provider in Provider::ALL {
                let offered = Actions::of(&record(provider, status)).poll;
                assert_eq!(
                    offered,
                    matches!(status, Status::Unknown | Status::Ticketing),
                    "{provider:?} {status:?}"
                );
            }
        }
    }

    #[test]
    fn a_review_offers_the_ticketing_outcomes_only_for_airline_providers() {
        use Status::*;
        for provider in Provider::ALL {
            let outcomes = Actions::of(&record(provider, NeedsReview)).review_outcomes;
            let expected = match provider {
                Provider::Atrip | Provider::Travelport => vec![Paid, Ticketed, TicketingFailed, Declined],
                Provider::HolidayExtras | Provider::HeiPay => vec![Paid, Declined],
            };
            assert_eq!(outcomes, expected, "{provider:?}");
            for status in Status::ALL.into_iter().filter(|&s| s != NeedsReview) {
                assert!(Actions::of(&record(provider, status)).review_outcomes.is_empty(), "{status:?}");
            }
        }
    }

    #[test]
    fn a_new_attempt_follows_a_decline_with_its_providers_form() {
        for status in Status::ALL {
            let retry = Actions::of(&record(Provider::HeiPay, status)).retry;
            assert_eq!(retry.is_some(), status == Status::Declined, "{status:?}");
        }
        let form = |p| Actions::of(&record(p, Status::Declined)).retry.unwrap();
        assert_eq!(form(Provider::HolidayExtras), RetryForm::SameToken);
        assert_eq!(form(Provider::HeiPay), RetryForm::Card);
        assert_eq!(form(Provider::Travelport), RetryForm::TravelportFop);
        let RetryForm::AtripMethod { methods } = form(Provider::Atrip) else {
            panic!("ATRIP picks a method")
        };
        let needs = |m: Method| methods.iter().find(|f| f.method == m).map(|f| (f.card, f.three_ds_ip));
        assert_eq!(needs(Method::Deposit), Some((false, false)));
        assert_eq!(needs(Method::Byoa), Some((false, false)));
        assert_eq!(needs(Method::Vcc), Some((true, false)));
        assert_eq!(needs(Method::Mor), Some((true, true)));
        assert_eq!(
            serde_json::to_value(form(Provider::Atrip)).unwrap()["methods"][3],
            json!({ "method": "mor", "card": true, "three_ds_ip": true })
        );
        assert_eq!(
            serde_json::to_value(form(Provider::HolidayExtras)).unwrap(),
            json!({ "form": "same_token" })
        );
    }

    #[test]
    fn a_refund_is_offered_as_the_engine_allows_it_up_to_what_is_left() {
        let mut hx = record(Provider::HolidayExtras, Status::Paid);
        assert_eq!(Actions::of(&hx).refund, Some(Money::from_minor(4500, Currency::GBP)));
        hx.refunds.push(refund(1250, RefundStatus::Refunded));
        assert_eq!(Actions::of(&hx).refund, Some(Money::from_minor(3250, Currency::GBP)));
        hx.refunds.push(refund(1000, RefundStatus::Unclear));
        let unclear = Actions::of(&hx);
        assert_eq!((unclear.refund, unclear.resolve_refund), (None, true), "one refund open at a time");
        hx.refunds[1].status = RefundStatus::Sending;
        let sending = Actions::of(&hx);
        assert_eq!(
            (sending.refund, sending.resolve_refund),
            (None, false),
            "a refund being sent waits for its answer"
        );
        hx.refunds[1].status = RefundStatus::Declined;
        assert_eq!(Actions::of(&hx).refund, Some(Money::from_minor(3250, Currency::GBP)));
        hx.refunds.push(refund(3250, RefundStatus::Refunded));
        hx.payment.status = Status::Refunded;
        assert_eq!(Actions::of(&hx).refund, None, "nothing left");
        for provider in [Provider::Atrip, Provider::Travelport, Provider::HeiPay] {
            assert_eq!(
                Actions::of(&record(provider, Status::Paid)).refund,
                None,
                "{provider:?}: refunded in its portal"
            );
        }
        for status in Status::ALL.into_iter().filter(|&s| s != Status::Paid) {
            assert_eq!(Actions::of(&record(Provider::HolidayExtras, status)).refund, None, "{status:?}");
        }
    }

    /// The served outcomes and the engine's check are one rule: against a real history, each
    /// served outcome is recorded, and each other status is refused without a change.
    #[tokio::test(flavor = "multi_thread")]
    async fn every_served_review_outcome_is_accepted_and_no_other() {
        use crate::engine::{Clients, Engine};
        use crate::store::{self, Store};
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::new(
            Store::open(&dir.path().join("history.sqlite3")).unwrap(),
            "sandbox",
            Clients::default(),
            Default::default(),
        );
        for provider in Provider::ALL {
            let served = Actions::of(&record(provider, Status::NeedsReview)).review_outcomes;
            for outcome in Status::ALL {
                let mut under_review = record(provider, Status::NeedsReview);
                let id = format!("{}-{}", provider.as_str(), outcome.as_str());
                under_review.payment.id = id.clone();
                under_review.payment.reference = id.clone();
                under_review.payment.subject_key = id.clone();
                let mut attempt = under_review.attempts[0].clone();
                (attempt.id, attempt.payment_id, attempt.idempotency_key) =
                    (id.clone(), id.clone(), id.clone());
                attempt.status = Status::NeedsReview;
                let payment = under_review.payment;
                engine
                    .store()
                    .write(move |c| {
                        let tx = c.transaction()?;
                        store::insert_payment(&tx, &payment)?;
                        store::insert_attempt(&tx, &attempt)?;
                        tx.commit()?;
                        Ok(())
                    })
                    .await
                    .unwrap();
                let answer = engine.resolve_review(&id, outcome, "seen in the portal").await;
                let now = engine.record(&id).await.unwrap().status();
                if served.contains(&outcome) {
                    assert_eq!(answer.unwrap().status(), outcome, "{id}: served, so accepted");
                } else {
                    assert!(answer.is_err(), "{id}: not served, so refused");
                    assert_eq!(now, Status::NeedsReview, "{id}: unchanged");
                }
            }
        }
    }

    #[test]
    fn a_voucher_is_offered_once_heipay_linked_one() {
        let mut hp = record(Provider::HeiPay, Status::Paid);
        assert!(!Actions::of(&hp).voucher);
        hp.attempts.push(attempt(Some("https://heipay.example/voucher/1")));
        assert!(Actions::of(&hp).voucher);
        let mut hx = record(Provider::HolidayExtras, Status::Paid);
        hx.attempts[0].provider_ref = Some("HX-1".into());
        assert!(!Actions::of(&hx).voucher, "only HeiPay gives vouchers");
    }
}
