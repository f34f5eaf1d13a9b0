//! Who did it, through the engine against the sandbox into real SQLite files (docs/agents.md):
//! each payment, attempt, refund and resolution records the agent at the desk and their name at
//! the time — on its row and in the sealed event — and the history, on its own, verifies,
//! finds, totals and exports by agent. The desk's agents live in the main file, the payments in
//! the Sandbox's history beside it, as in the app.

mod common;

use common::*;
use farepoint_core::agents::{Actor, AgentError, Desk, DeskView, Pin};
use farepoint_core::codes::ErrorCode;
use farepoint_core::engine::{EngineError, PaymentRecord};
use farepoint_core::history::{self, ExportFormat, HistoryQuery, SummaryRange};
use farepoint_core::money::{Currency, Money, Sign};
use farepoint_core::payment::{EventKind, Status};
use farepoint_core::providers::heipay::{HeiPayPayment, OrderInput};
use farepoint_core::providers::holidayextras::HolidayExtrasPayment;
use farepoint_core::providers::ProviderError;
use farepoint_core::store::{self, Store};
use farepoint_sandbox::demo::holidayextras::TOKEN_APPROVE;
use farepoint_sandbox::{FaultKind, FaultSpec};

fn hx(token: &str, reference: &str, minor: i64) -> HolidayExtrasPayment {
    HolidayExtrasPayment {
        token: token.into(),
        payment_reference: reference.into(),
        amount: Money::from_minor(minor, Currency::GBP),
        customer: "Jane Doe".into(),
        postal_code: None,
        country_code: None,
    }
}

fn heipay(guest: &str, amount: &str, number: &str) -> HeiPayPayment {
    HeiPayPayment {
        order: OrderInput {
            hotel_id: 1,
            guest_first_name: guest.into(),
            guest_last_name: "Doe".into(),
            amount: Some(
                Money::parse_major(amount, Currency::from_code("COP").unwrap(), Sign::NonNegative).unwrap(),
            ),
            installments: 1,
            ..Default::default()
        },
        card: card(number),
    }
}

fn id_of(view: &DeskView, name: &str) -> String {
    view.agents.iter().find(|a| a.name == name).unwrap().id.clone()
}

fn actor(id: &str, name: &str) -> Option<Actor> {
    Some(Actor { id: id.into(), name: name.into() })
}

/// The agent each event of `kinds` records in its data, in timeline order.
fn stamped(record: &PaymentRecord, kind: EventKind) -> Vec<Option<Actor>> {
    record
        .timeline
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| serde_json::from_value(e.data["agent"].clone()).ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_act_records_who_did_it_and_the_history_verifies_finds_totals_and_exports_by_agent() {
    let w = world().await;
    let main = tempfile::tempdir().unwrap();
    let main_path = main.path().join(store::DB_FILE);
    let desk = tokio::task::spawn_blocking(move || Desk::open(Store::open(&main_path).unwrap()).unwrap())
        .await
        .unwrap();
    w.engine.at_desk(desk.clone());

    // A desk without agents takes payments as before, recording nobody.
    let nobody = w.engine.pay_holidayextras(hx(TOKEN_APPROVE, "HXA-0", 1000)).await.unwrap();
    assert_eq!(
        (nobody.status(), &nobody.payment.agent, &nobody.attempts[0].agent),
        (Status::Paid, &None, &None)
    );
    assert!(nobody.timeline.iter().all(|e| e.data.get("agent").is_none()));

    // Once it has agents, nothing is done until someone says who they are — nothing is sent.
    desk.add("Ana", false, None).await.unwrap();
    let view = desk.add("Bruno", true, Some(Pin::parse("2468").unwrap())).await.unwrap();
    let (ana, bruno) = (id_of(&view, "Ana"), id_of(&view, "Bruno"));
    let before = w.sandbox.request_count("holidayextras.pay");
    let refused = w.engine.pay_holidayextras(hx(TOKEN_APPROVE, "HXA-1", 1000)).await.unwrap_err();
    let EngineError::Agent(problem) = &refused else { panic!("{refused}") };
    assert_eq!(problem.code, ErrorCode::AgentChoose);
    assert_eq!(refused.coded().unwrap().code, ErrorCode::AgentChoose);
    assert_eq!(w.sandbox.request_count("holidayextras.pay"), before, "nothing reached the provider");
    let refused_review = w.engine.resolve_review(&nobody.payment.id, Status::Paid, "seen").await.unwrap_err();
    assert!(matches!(refused_review, EngineError::Agent(_)), "{refused_review}");

    // Ana takes a HeiPay payment that is declined; Bruno (with his PIN) tries another card.
    desk.choose(&ana, None).await.unwrap();
    let declined = w.engine.pay_heipay(heipay("Lucía", "350000.00", "4000000000000002")).await.unwrap();
    assert_eq!(declined.status(), Status::Declined);
    let wrong = desk.choose(&bruno, Some(Pin::parse("1357").unwrap())).await.unwrap_err();
    assert!(
        matches!(&wrong, AgentError::Field { field: "pin", problem } if problem.code == ErrorCode::AgentPinWrong)
    );
    assert_eq!(desk.acting().unwrap(), actor(&ana, "Ana"), "a wrong PIN leaves the desk as it was");
    desk.choose(&bruno, Some(Pin::parse("2468").unwrap())).await.unwrap();
    let paid = w.engine.retry_heipay(&declined.payment.id, card("4111111111111111")).await.unwrap();
    assert_eq!(paid.status(), Status::Paid);
    assert_eq!(paid.payment.agent, actor(&ana, "Ana"), "who took it stays who took it");
    let by_attempt: Vec<_> = paid.attempts.iter().map(|a| a.agent.clone()).collect();
    assert_eq!(by_attempt, [actor(&ana, "Ana"), actor(&bruno, "Bruno")]);
    assert_eq!(stamped(&paid, EventKind::Created), [actor(&ana, "Ana")]);
    let journaled: Vec<_> = paid
        .timeline
        .iter()
        .filter(|e| e.status_after == Some(Status::Submitting))
        .map(|e| serde_json::from_value::<Actor>(e.data["agent"].clone()).ok())
        .collect();
    assert_eq!(journaled, [actor(&ana, "Ana"), actor(&bruno, "Bruno")]);

    // Bruno takes a Holiday Extras payment; Ana, renamed since, refunds part of it, then a refund
    // with no clear answer, which Bruno settles from the portal.
    let hx_paid = w.engine.pay_holidayextras(hx(TOKEN_APPROVE, "HXA-2", 4500)).await.unwrap();
    assert_eq!(hx_paid.payment.agent, actor(&bruno, "Bruno"));
    desk.update(&ana, "Ana María", false).await.unwrap();
    desk.choose(&ana, None).await.unwrap();
    let refunded = w
        .engine
        .refund_holidayextras(&hx_paid.payment.id, Some(Money::from_minor(500, Currency::GBP)))
        .await
        .unwrap();
    assert_eq!(refunded.refunds[0].agent, actor(&ana, "Ana María"));
    assert_eq!(stamped(&refunded, EventKind::Sent).last().cloned().flatten(), actor(&ana, "Ana María"));
    w.sandbox.inject_fault(FaultSpec::new("holidayextras.refund", FaultKind::Http500)).unwrap();
    let unclear = w.engine.refund_holidayextras(&hx_paid.payment.id, None).await.unwrap_err();
    assert!(matches!(unclear, EngineError::Provider(ProviderError::Unclear { .. })), "{unclear}");
    let unclear = w.engine.record(&hx_paid.payment.id).await.unwrap();
    assert_eq!(unclear.open_refund().map(|r| r.agent.clone()), Some(actor(&ana, "Ana María")));
    desk.choose(&bruno, Some(Pin::parse("2468").unwrap())).await.unwrap();
    let settled = w.engine.resolve_refund(&hx_paid.payment.id, false, "not in the portal").await.unwrap();
    let resolution = settled.timeline.iter().rev().find(|e| e.data.get("resolution").is_some()).unwrap();
    assert_eq!(resolution.data["agent"]["name"], "Bruno");

    // A payment HeiPay leaves unclear goes to a person: Bruno records what the portal shows.
    w.sandbox.inject_fault(FaultSpec::new("heipay.pay", FaultKind::CloseAfterCharge)).unwrap();
    let review = w.engine.pay_heipay(heipay("Marta", "120000.00", "4111111111111111")).await.unwrap();
    assert_eq!(review.status(), Status::NeedsReview);
    let resolved =
        w.engine.resolve_review(&review.payment.id, Status::Paid, "paid in the portal").await.unwrap();
    let last = resolved.timeline.last().unwrap();
    assert_eq!(
        (last.status_after, last.data["agent"]["id"].as_str()),
        (Some(Status::Paid), Some(bruno.as_str()))
    );

    // The rows keep the name of the time: Ana's first payment still says "Ana".
    let again = w.engine.record(&declined.payment.id).await.unwrap();
    assert_eq!(again.payment.agent, actor(&ana, "Ana"));

    // The history on its own: every seal holds (the agent is one of the sealed facts) …
    let report = w.engine.store().read(|c| Ok(history::verify(c, None, &mut |_| {}))).await.unwrap().unwrap();
    assert_eq!((report.checked, report.broken.len()), (4, 0), "{:?}", report.broken);
    // … found by the agent's name (as it was recorded) and by the agent …
    let found = |query: HistoryQuery| {
        let store = w.engine.store().clone();
        async move {
            let page = store.read(move |c| Ok(history::search(c, &query))).await.unwrap().unwrap();
            let mut refs: Vec<String> = page.rows.iter().map(|r| r.reference.clone()).collect();
            refs.sort();
            refs
        }
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let text = |t: &str| HistoryQuery { text: Some(t.into()), ..Default::default() };
    assert_eq!(
        found(text("Bruno")).await,
        sorted(vec![hx_paid.payment.reference.clone(), review.payment.reference.clone()])
    );
    assert_eq!(found(text("ana")).await, vec![declined.payment.reference.clone()]);
    let by = |id: &str| HistoryQuery { agents: Some(vec![id.into()]), ..Default::default() };
    assert_eq!(found(by(&ana)).await, vec![declined.payment.reference.clone()]);
    assert_eq!(found(by(&bruno)).await.len(), 2);
    let page =
        w.engine.store().read(|c| Ok(history::search(c, &HistoryQuery::default()))).await.unwrap().unwrap();
    let row = page.rows.iter().find(|r| r.id == declined.payment.id).unwrap();
    assert_eq!(row.agent, actor(&ana, "Ana"));

    // … totalled per agent, under the newest name the range records, with what no agent took …
    let range = SummaryRange { from_ms: 0, to_ms: i64::MAX / 2, utc_offset_minutes: 0 };
    let summary = w.engine.store().read(move |c| Ok(history::summary(c, &range))).await.unwrap().unwrap();
    let lines: Vec<(Option<String>, &str, u64, i64)> = summary
        .by_agent
        .iter()
        .map(|t| (t.agent.as_ref().map(|a| a.name.clone()), t.currency.code(), t.count, t.total_minor))
        .collect();
    assert_eq!(
        lines,
        [
            (Some("Ana".into()), "COP", 1, 35_000_000),
            (Some("Bruno".into()), "COP", 1, 12_000_000),
            (Some("Bruno".into()), "GBP", 1, 4_000),
            (None, "GBP", 1, 1_000),
        ]
    );

    // … and exported with who took each payment.
    let (csv, json) = w
        .engine
        .store()
        .read(|c| {
            let mut csv = Vec::new();
            let mut json = Vec::new();
            history::export(c, &HistoryQuery::default(), ExportFormat::Csv, &mut csv, &mut |_| {}).unwrap();
            history::export(c, &HistoryQuery::default(), ExportFormat::Json, &mut json, &mut |_| {}).unwrap();
            Ok((String::from_utf8(csv).unwrap(), serde_json::from_slice::<serde_json::Value>(&json).unwrap()))
        })
        .await
        .unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(&header[header.len() - 2..], ["agent_id", "agent_name"]);
    let line = csv.lines().find(|l| l.starts_with(&declined.payment.reference)).unwrap();
    assert!(line.ends_with(&format!(",{ana},Ana")), "{line}");
    let untaken = csv.lines().find(|l| l.starts_with(&nobody.payment.reference)).unwrap();
    assert!(untaken.ends_with(",,"), "{untaken}");
    let exported =
        json.as_array().unwrap().iter().find(|r| r["reference"] == hx_paid.payment.reference).unwrap();
    assert_eq!(
        (exported["agent"]["id"].as_str(), exported["agent"]["name"].as_str()),
        (Some(bruno.as_str()), Some("Bruno"))
    );

    // The filter offers everyone: the history's agents and the desk's, by their names now.
    let catalog = w.engine.catalog().with_history(w.engine.store()).await.unwrap().with_desk(&desk);
    let offered: Vec<(&str, &str)> =
        catalog.filter_agents.iter().map(|a| (a.id.as_str(), a.name.as_str())).collect();
    assert_eq!(offered, [(ana.as_str(), "Ana María"), (bruno.as_str(), "Bruno")]);

    // A name edited by hand in the file is caught: the agent is sealed with the payment.
    let id = declined.payment.id.clone();
    w.engine
        .store()
        .write(
            move |c| Ok(c.execute("UPDATE payments SET agent_name = 'Someone Else' WHERE id = ?1", [&id])?),
        )
        .await
        .unwrap();
    let report = w.engine.store().read(|c| Ok(history::verify(c, None, &mut |_| {}))).await.unwrap().unwrap();
    assert_eq!(report.broken.len(), 1, "{:?}", report.broken);
    assert_eq!(report.broken[0].payment_id, declined.payment.id);
}
