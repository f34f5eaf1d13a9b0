//! The Sandbox profile's clients take one payment through every provider, through the engine,
//! to its final state: what a new user gets with no provider account.

use farepoint_core::card::{Card, CardInput};
use farepoint_core::engine::{
    AtripPayment, Engine, HeiPayPayment, HolidayExtrasPayment, TravelportFop, TravelportPayment,
};
use farepoint_core::money::{Currency, Money, Sign};
use farepoint_core::payment::Status;
use farepoint_core::providers::atrip::Method;
use farepoint_core::providers::heipay::OrderInput;
use farepoint_core::providers::http::Timeouts;
use farepoint_core::store::Store;
use farepoint_sandbox::{demo, profile, EntryKind, Sandbox, SandboxConfig};

fn card(number: &str) -> Card {
    Card::parse(&CardInput {
        number,
        cvv: "123",
        expiry_month: "12",
        expiry_year: "2099",
        holder: "Jane Doe",
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_profile_takes_every_flow() {
    let sandbox = Sandbox::start_on(&tokio::runtime::Handle::current(), SandboxConfig::for_tests()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clients = profile::clients(&sandbox, Timeouts::default()).unwrap();
    let engine = Engine::new(Store::open_in(dir.path()).unwrap(), "sandbox", clients, Default::default());

    let atrip = engine
        .pay_atrip(AtripPayment {
            order_no: demo::atrip::ORDER_ANY_METHOD.into(),
            method: Method::Deposit,
            card: None,
            three_ds_ip: None,
        })
        .await
        .unwrap();
    assert_eq!(atrip.status(), Status::Ticketing);
    assert_eq!(engine.poll_now(&atrip.payment.id).await.unwrap().status(), Status::Ticketed);

    let travelport = engine
        .pay_travelport(TravelportPayment {
            locator: demo::travelport::LOCATOR_WITH_ANCILLARY.into(),
            offer_ids: vec!["offer_1".into(), "an_o1".into()],
            fop: TravelportFop::Card(card("4111111111111111")),
        })
        .await
        .unwrap();
    assert_eq!(travelport.status(), Status::Ticketed, "{:#?}", travelport.timeline);
    assert_eq!(travelport.tickets.len(), 3, "two tickets and an EMD");

    let hx = engine
        .pay_holidayextras(HolidayExtrasPayment {
            token: demo::holidayextras::TOKEN_APPROVE.into(),
            payment_reference: "SANDBOXDEMO".into(),
            amount: Money::from_minor(1234, Currency::GBP),
            customer: "Jane Doe".into(),
            postal_code: None,
            country_code: None,
        })
        .await
        .unwrap();
    assert_eq!(hx.status(), Status::Paid);
    assert_eq!(engine.refund_holidayextras(&hx.payment.id, None).await.unwrap().status(), Status::Refunded);

    let heipay = engine
        .pay_heipay(HeiPayPayment {
            order: OrderInput {
                hotel_id: demo::heipay::HOTEL_ID,
                guest_first_name: "Jane".into(),
                guest_last_name: "Doe".into(),
                amount: Some(
                    Money::parse_major("250000.00", Currency::from_code("COP").unwrap(), Sign::NonNegative)
                        .unwrap(),
                ),
                installments: 1,
                ..OrderInput::default()
            },
            card: card("5555555555554444"),
        })
        .await
        .unwrap();
    assert_eq!(heipay.status(), Status::Paid, "{:#?}", heipay.timeline);

    let ledger = sandbox.ledger();
    assert_eq!(ledger.iter().filter(|e| e.kind == EntryKind::Charge).count(), 4, "one charge per provider");
    assert_eq!(ledger.iter().filter(|e| e.kind == EntryKind::Refund).count(), 1);
}
