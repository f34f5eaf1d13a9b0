//! A typed subject stores the very text the untyped `json!` of each flow stored (the seal covers
//! it), keeps keys it does not know, and reads older shapes without failing.

use serde_json::{json, Value};

use super::*;
use crate::money::{Currency, Money};
use crate::providers::atrip::wire::{card_charged, Charge, ChargeKind, DeductedFrom, Method};
use crate::providers::heipay::wire::{Order, OrderInput};
use crate::providers::holidayextras::ApiVersion;
use crate::providers::travelport::{Offer, OfferKind};

fn nok(minor: i64) -> Money {
    Money::from_minor(minor, Currency::from_code("NOK").unwrap())
}

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

#[test]
fn atrip_stores_what_the_untyped_subject_stored() {
    let (order_no, pnr_code, method) = ("TESTA20240627114717735", Some("ABC123".to_string()), Method::Vcc);
    let (transaction_fee, vendor_total) = (Some(nok(500)), None::<Money>);
    // The reference: `engine/atrip.rs`'s `json!` before the subject was typed.
    let old = json!({
        "order_no": order_no,
        "pnr_code": pnr_code,
        "method": method,
        "transaction_fee": transaction_fee,
        "airline_amount": vendor_total,
    });
    let mut typed = AtripSubject::new(order_no, pnr_code.clone(), method, transaction_fee, vendor_total);
    assert_eq!(Subject::Atrip(typed.clone()).stored(), old.to_string());

    // Once paid, `record_charges` adds what ATRIP states — with and without a card part.
    let paid = |typed: &AtripSubject| Subject::Atrip(typed.clone()).to_value();
    for charges in [
        vec![
            Charge { what: ChargeKind::TicketFare, amount: eur(127_690), from: Some(DeductedFrom::Card) },
            Charge { what: ChargeKind::ServiceFee, amount: nok(500), from: Some(DeductedFrom::Deposit) },
        ],
        vec![Charge { what: ChargeKind::AirlineCharged, amount: eur(99_000), from: None }],
    ] {
        let mut old = old.clone();
        old["charges"] = json!(charges);
        old["card_charged"] = json!(card_charged(&charges));
        typed.card_charged = Some(card_charged(&charges));
        typed.charges = Some(charges);
        let subject = Subject::Atrip(typed.clone());
        assert_eq!(subject.stored(), old.to_string());
        assert_eq!(Subject::read(Provider::Atrip, &old.to_string()).unwrap(), subject);
    }
    // The keys the export and the seal read by name are the ones written.
    use crate::providers::atrip::subject::keys;
    for key in [keys::TRANSACTION_FEE, keys::AIRLINE_AMOUNT, keys::CHARGES, keys::CARD_CHARGED] {
        assert!(paid(&typed).get(key).is_some(), "{key} is written");
    }
}

#[test]
fn travelport_stores_what_the_untyped_subject_stored() {
    let offers = vec![
        Offer {
            id: "offer_1".into(),
            identifier: "6a9f2c1e-0001".into(),
            kind: OfferKind::Itinerary,
            description: "LHR-JFK".into(),
            price: eur(45_000),
            travelers: vec!["DOE/JANE".into(), "DOE/JOHN".into()],
        },
        Offer {
            id: "an_o1".into(),
            identifier: "6a9f2c1e-0002".into(),
            kind: OfferKind::Ancillary,
            description: "Extra bag".into(),
            price: eur(6_000),
            travelers: vec!["DOE/JANE".into()],
        },
    ];
    let known = vec!["1259876543210"];
    // The reference: `engine/travelport.rs`'s `json!` before the subject was typed.
    let old = json!({
        "locator": "ABC123",
        "workbench_id": "wb-77",
        "offers": offers,
        "fop": "stored fop_1",
        "known_documents": known,
    });
    let typed = Subject::Travelport(TravelportSubject {
        locator: "ABC123".into(),
        workbench_id: "wb-77".into(),
        offers: offers.iter().map(StoredOffer::of).collect(),
        fop: "stored fop_1".into(),
        known_documents: known.iter().map(|d| d.to_string()).collect(),
        other: OtherKeys::new(),
    });
    assert_eq!(typed.stored(), old.to_string());
    assert_eq!(Subject::read(Provider::Travelport, &old.to_string()).unwrap(), typed);
}

#[test]
fn holidayextras_stores_what_the_untyped_subject_stored() {
    for (version, postal_code) in [(ApiVersion::V1, Some("SW1A 1AA")), (ApiVersion::V2, None)] {
        // The reference: the fields of `engine/holidayextras.rs`'s private `Subject`, as `json!`.
        let old = json!({
            "token": "7123456789012345",
            "payment_reference": "HXB-1001",
            "version": version,
            "postal_code": postal_code,
            "country_code": None::<String>,
        });
        let typed = Subject::HolidayExtras(HolidayExtrasSubject {
            token: "7123456789012345".into(),
            payment_reference: "HXB-1001".into(),
            version: Some(version),
            postal_code: postal_code.map(str::to_string),
            country_code: None,
            other: OtherKeys::new(),
        });
        assert_eq!(typed.stored(), old.to_string());
        assert_eq!(Subject::read(Provider::HolidayExtras, &old.to_string()).unwrap(), typed);
    }
}

#[test]
fn heipay_stores_what_the_untyped_subject_stored() {
    let order = Order::validate(OrderInput {
        hotel_id: 1001,
        guest_first_name: "Ana".into(),
        guest_last_name: "Muñoz".into(),
        detail: Some("Room 204, 3 nights".into()),
        amount: Some(Money::from_minor(450_000, Currency::from_code("COP").unwrap())),
        installments: 3,
        tax_percent: Some("0.19".into()),
        service_percent: None,
        email: Some("ana@example.com".into()),
        phone: None,
        address: None,
        fiscal_number: None,
        ip: Some("203.0.113.9".into()),
    })
    .unwrap();
    // The reference: `engine/heipay.rs`'s `order_subject` before the subject was typed.
    let old = json!({
        "hotel_id": order.hotel_id,
        "guest_first_name": order.ref_name,
        "guest_last_name": order.ref_lastname,
        "detail": order.detail,
        "installments": order.installments,
        "tax_percent": order.tax_percent.map(|r| r.to_wire()),
        "service_percent": order.service_percent.map(|r| r.to_wire()),
        "email": order.email,
        "phone": order.phone,
        "address": order.address,
        "fiscal_number": order.fiscal_number,
        "ip": order.ip.map(|ip| ip.to_string()),
    });
    let typed = Subject::HeiPay(HeiPaySubject::of(&order));
    assert_eq!(typed.stored(), old.to_string());
    assert_eq!(Subject::read(Provider::HeiPay, &old.to_string()).unwrap(), typed);
}

/// An older ATRIP subject (no fee or airline price yet, a key no longer written) is read, and
/// rewritten with ATRIP's charges exactly as the untyped code rewrote it: nothing dropped,
/// nothing added but the charges.
#[test]
fn an_old_shaped_subject_keeps_every_key_it_had() {
    let stored =
        r#"{"legacy_note":{"by":"v0.3","kept":[1,2]},"method":"mor","order_no":"TESTA1","pnr_code":null}"#;
    let subject = Subject::read(Provider::Atrip, stored).unwrap();
    assert_eq!(subject.stored(), stored, "read and written back unchanged");
    let Subject::Atrip(mut typed) = subject else { panic!("read as ATRIP's") };
    assert_eq!((typed.method, typed.pnr_code(), typed.transaction_fee()), (Some(Method::Mor), None, None));

    let charges =
        vec![Charge { what: ChargeKind::TicketFare, amount: eur(1_000), from: Some(DeductedFrom::Card) }];
    let mut old: Value = serde_json::from_str(stored).unwrap();
    old["charges"] = json!(charges);
    old["card_charged"] = json!(card_charged(&charges));
    typed.card_charged = Some(card_charged(&charges));
    typed.charges = Some(charges);
    assert_eq!(Subject::Atrip(typed).stored(), old.to_string());

    // Every provider reads an object lacking its keys, and keeps the ones it does not know.
    for provider in Provider::ALL {
        let subject = Subject::read(provider, r#"{"zz_added_later":true}"#).unwrap();
        assert_eq!(subject.provider(), provider);
        assert_eq!(subject.to_value()["zz_added_later"], json!(true), "{provider:?}");
    }
    // HeiPay's rates as numbers, as an older subject may hold them.
    let heipay = Subject::read(Provider::HeiPay, r#"{"hotel_id":7,"tax_percent":0.19}"#).unwrap();
    assert_eq!(heipay.heipay().unwrap().tax_percent.as_deref(), Some("0.19"));
    assert_eq!(heipay.heipay().unwrap().installments, 1, "one payment unless said otherwise");
}

/// The window gets the subject tagged with its provider's id; the store never does.
#[test]
fn the_window_reads_the_provider_tag_the_store_does_not_hold_it() {
    let subject = Subject::HolidayExtras(HolidayExtrasSubject {
        token: "7000".into(),
        payment_reference: "HXB-1".into(),
        version: Some(ApiVersion::V2),
        ..HolidayExtrasSubject::default()
    });
    let served = serde_json::to_value(&subject).unwrap();
    assert_eq!(served["provider"], "holidayextras");
    assert_eq!(served["payment_reference"], "HXB-1");
    assert!(!subject.stored().contains("provider"));
    assert_eq!(serde_json::from_value::<Subject>(served).unwrap(), subject);
}
