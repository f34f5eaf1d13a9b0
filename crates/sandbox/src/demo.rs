//! The demo data seeded at start, and the fixed demo credentials the app's Sandbox profile uses.
//!
//! Everything here is public so other crates (the app, core's integration tests) can name the
//! same orders, PNRs, tokens, hotels and credentials without copying strings.

use std::time::Duration;

use farepoint_core::money::{Currency, Money};
use farepoint_core::payment::Provider;
use farepoint_core::providers::holidayextras::ApiVersion;
use farepoint_core::settings::{self, Hotel, ProfileView, SandboxValues};
use serde::Serialize;
use time::OffsetDateTime;

use crate::cards::{self, Outcome};
use crate::state::World;
use crate::RunningSandbox;

/// ATRIP demo account and orders.
pub mod atrip {
    pub const CLIENT_ID: &str = "farepoint-demo";
    pub const CLIENT_SECRET: &str = "farepoint-demo-secret";
    /// USD 245.60, methods 1/3/4/5, one passenger, deadline a day after start.
    pub const ORDER_ANY_METHOD: &str = "FPDMO20250101000000001";
    /// EUR 612.35, VCC only (3), two passengers.
    pub const ORDER_VCC_ONLY: &str = "FPDMO20250101000000002";
    /// USD 189.99, MoR only (5), `payment.cardType` Visa: another brand gets 414.
    pub const ORDER_MOR_VISA: &str = "FPDMO20250101000000003";
    /// USD 99.00, deadline passed an hour before start: 401.
    pub const ORDER_PAST_DEADLINE: &str = "FPDMO20250101000000004";
    /// USD 150.00, already ticketed ("2"): 402.
    pub const ORDER_TICKETED: &str = "FPDMO20250101000000005";
    /// EUR 45.99, Ryanair order not confirmed with orderCommit.do: 415.
    pub const ORDER_NOT_CONFIRMED: &str = "FPDMO20250101000000006";
    /// USD 80.00, no payment method available: 412.
    pub const ORDER_NO_METHODS: &str = "FPDMO20250101000000007";
    /// USD 75,000.00, deposit only: more than the deposit balance, 411.
    pub const ORDER_OVER_BALANCE: &str = "FPDMO20250101000000008";
    /// JPY 45000 (no minor unit), methods 1/3.
    pub const ORDER_JPY: &str = "FPDMO20250101000000009";
    /// Deposit balance per currency at start, in major units.
    pub const DEPOSIT_BALANCES: &[(&str, &str)] =
        &[("USD", "50000.00"), ("EUR", "50000.00"), ("GBP", "50000.00"), ("JPY", "5000000")];
}

/// Travelport demo account and PNRs.
pub mod travelport {
    pub const USERNAME: &str = "farepoint-demo";
    pub const PASSWORD: &str = "farepoint-demo-password";
    pub const CLIENT_ID: &str = "farepoint-demo-client";
    pub const CLIENT_SECRET: &str = "farepoint-demo-client-secret";
    /// For the `TVP-PCC-CORE` header.
    pub const PCC: &str = "79JP_1G";
    /// UA, travelers JANE DOE and JOHN DOE, itinerary offer `offer_1` USD 943.60 (471.80 each),
    /// ancillary offer `an_o1` (checked bag for JANE) USD 63.10, no stored FOP.
    pub const LOCATOR_WITH_ANCILLARY: &str = "FPAIR1";
    /// QF, one traveler, itinerary AUD 1250.00, a Visa (…1111) stored as form of payment.
    pub const LOCATOR_STORED_CARD: &str = "FPAIR2";
    /// UA, one traveler, USD 320.00, already ticketed.
    pub const LOCATOR_TICKETED: &str = "FPAIR3";
}

/// Holiday Extras demo accounts and tokens.
pub mod holidayextras {
    pub const USERNAME: &str = "farepoint-demo";
    pub const PASSWORD: &str = "farepoint-demo-password";
    pub const CHANNEL: &str = "FAREPOINT";
    /// The account of the provider page's own example (`Basic dXNlcm5hbWU6cGFzc3dvcmQ=`,
    /// channel "channel"), so that example works verbatim.
    pub const EXAMPLE_USERNAME: &str = "username";
    pub const EXAMPLE_PASSWORD: &str = "password";
    pub const EXAMPLE_CHANNEL: &str = "channel";
    pub const TOKEN_APPROVE: &str = "7000000000000001";
    pub const TOKEN_DECLINE: &str = "7000000000000002";
    pub const TOKEN_INSUFFICIENT_FUNDS: &str = "7000000000000003";
    /// The token in the provider page's example; approves.
    pub const TOKEN_EXAMPLE: &str = "4111111111111111";
}

/// HeiPay demo account and hotels.
pub mod heipay {
    pub const API_TOKEN: &str = "fp-sandbox-heipay-token";
    pub const HOTEL_ID: i64 = 1;
    pub const HOTEL_NAME: &str = "Hotel Demo Cartagena";
    /// Hotel 1's card key (base64 of 32 bytes). A demo value: never a real key.
    pub const CARD_KEY: &str = "ZmFyZXBvaW50LXNhbmRib3gtZGVtby1ob3RlbC1rZXk=";
    pub const SECOND_HOTEL_ID: i64 = 2;
    pub const SECOND_HOTEL_NAME: &str = "Hotel Demo Medellín";
    /// Hotel 2 has its own key, so encrypting with the wrong hotel's key can be tried.
    pub const SECOND_HOTEL_CARD_KEY: &str = "ZmFyZXBvaW50LXNhbmRib3gtc2Vjb25kLWhvdGVsISE=";
}

/// The Sandbox profile's read-only Settings view: the running simulator's addresses (or, with
/// none running, where they will be) and the demo account's values, as `profile::clients` uses
/// them.
pub fn settings_view(running: Option<&RunningSandbox>) -> ProfileView {
    let url = |f: fn(&RunningSandbox) -> String| {
        running.map(f).unwrap_or_else(|| {
            "(the simulator starts on this computer when the Sandbox profile is active)".into()
        })
    };
    let mut values = SandboxValues::default()
        .with(Provider::Atrip, "base_url", url(RunningSandbox::atrip_base_url))
        .with(Provider::Travelport, "air_base_url", url(RunningSandbox::travelport_air_base_url))
        .with(Provider::Travelport, "auth_url", url(RunningSandbox::travelport_oauth_token_url))
        .with(Provider::Travelport, "pcc", travelport::PCC)
        .with(Provider::HolidayExtras, "base_url", url(RunningSandbox::holidayextras_base_url))
        .with(Provider::HolidayExtras, "channel", holidayextras::CHANNEL)
        // As crate::profile::clients builds it.
        .with(Provider::HolidayExtras, "api_version", ApiVersion::V2.label())
        .with(Provider::HeiPay, "base_url", url(RunningSandbox::heipay_base_url));
    values.hotels = vec![
        Hotel { id: heipay::HOTEL_ID, name: heipay::HOTEL_NAME.into() },
        Hotel { id: heipay::SECOND_HOTEL_ID, name: heipay::SECOND_HOTEL_NAME.into() },
    ];
    settings::sandbox_view(&values)
}

/// Sandbox data worth trying, shown beside the forms while the Sandbox profile is active.
/// `provider` is the form it fills (`card` for any form that takes a card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hint {
    pub provider: &'static str,
    pub label: &'static str,
    pub value: &'static str,
}

/// The demo orders, locators, tokens and test cards the Take view offers to fill in.
pub fn hints() -> Vec<Hint> {
    let hint = |provider, label, value| Hint { provider, label, value };
    vec![
        hint("atrip", "Any method, USD", atrip::ORDER_ANY_METHOD),
        hint("atrip", "VCC only, EUR, 2 passengers", atrip::ORDER_VCC_ONLY),
        hint("atrip", "MoR, Visa only", atrip::ORDER_MOR_VISA),
        hint("atrip", "JPY, no decimals", atrip::ORDER_JPY),
        hint("travelport", "Flights + checked bag", travelport::LOCATOR_WITH_ANCILLARY),
        hint("travelport", "Stored Visa card", travelport::LOCATOR_STORED_CARD),
        hint("holidayextras", "Token that approves", holidayextras::TOKEN_APPROVE),
        hint("holidayextras", "Token that declines", holidayextras::TOKEN_DECLINE),
        hint("card", "Visa, approves", cards::VISA_APPROVE),
        hint("card", "Visa, declined", cards::VISA_DECLINE),
        hint("card", "Visa, airline declines at ticketing", cards::VISA_AIRLINE_DECLINES),
        hint("card", "Amex, approves", cards::AMEX_APPROVE),
    ]
}

fn money(text: &str, currency: Currency) -> Money {
    Money::parse_major(text, currency, farepoint_core::money::Sign::NonNegative)
        .expect("demo amounts are valid")
}

fn seed_atrip(world: &mut World) {
    use crate::atrip::OrderSeed;
    let delay = Duration::from_millis(world.settings.ticketing_delay_ms);
    let state = &mut world.atrip;
    state.credentials.push((atrip::CLIENT_ID.into(), atrip::CLIENT_SECRET.into()));
    for (code, amount) in atrip::DEPOSIT_BALANCES {
        let currency = Currency::from_code(code).expect("demo currency");
        state.balances.insert(code.to_string(), money(amount, currency).minor);
    }
    let day = OffsetDateTime::now_utc() + time::Duration::days(1);
    let usd = Currency::USD;
    let eur = Currency::EUR;
    let order = |no: &str, amount: &str, currency, methods: &[i64]| {
        let mut seed = OrderSeed::new(money(amount, currency), methods);
        seed.order_no = Some(no.to_string());
        seed.tkt_limit = day;
        seed
    };
    let mut seeds = vec![order(atrip::ORDER_ANY_METHOD, "245.60", usd, &[1, 3, 4, 5])];
    let mut vcc = order(atrip::ORDER_VCC_ONLY, "612.35", eur, &[3]);
    vcc.passengers = vec![("LIM/ANNA".into(), 0), ("LIM/BEN".into(), 1)];
    vcc.airline = "TR".into();
    seeds.push(vcc);
    let mut mor = order(atrip::ORDER_MOR_VISA, "189.99", usd, &[5]);
    mor.card_type = Some("Visa".into());
    seeds.push(mor);
    let mut late = order(atrip::ORDER_PAST_DEADLINE, "99.00", usd, &[1, 3]);
    late.tkt_limit = OffsetDateTime::now_utc() - time::Duration::hours(1);
    seeds.push(late);
    let mut ticketed = order(atrip::ORDER_TICKETED, "150.00", usd, &[1]);
    ticketed.order_status = "2".into();
    seeds.push(ticketed);
    let mut fr = order(atrip::ORDER_NOT_CONFIRMED, "45.99", eur, &[1]);
    fr.requires_commit = true;
    fr.airline = "FR".into();
    seeds.push(fr);
    seeds.push(order(atrip::ORDER_NO_METHODS, "80.00", usd, &[]));
    seeds.push(order(atrip::ORDER_OVER_BALANCE, "75000.00", usd, &[1]));
    seeds.push(order(atrip::ORDER_JPY, "45000", Currency::JPY, &[1, 3]));
    for seed in seeds {
        state.insert(seed, delay).expect("demo orders are valid");
    }
}

fn seed_travelport(world: &mut World) {
    use crate::travelport::{PnrSeed, TpAccount};
    let state = &mut world.travelport;
    state.accounts.push(TpAccount {
        username: travelport::USERNAME.into(),
        password: travelport::PASSWORD.into(),
        client_id: travelport::CLIENT_ID.into(),
        client_secret: travelport::CLIENT_SECRET.into(),
    });
    let seeds = [
        PnrSeed {
            locator: Some(travelport::LOCATOR_WITH_ANCILLARY.into()),
            carrier: "UA".into(),
            travelers: vec![("JANE".into(), "DOE".into()), ("JOHN".into(), "DOE".into())],
            fare_per_traveler: money("471.80", Currency::USD),
            ancillary: Some((0, "Checked bag 23kg".into(), money("63.10", Currency::USD))),
            stored_card: None,
            ticketed: false,
        },
        PnrSeed {
            locator: Some(travelport::LOCATOR_STORED_CARD.into()),
            carrier: "QF".into(),
            travelers: vec![("ALEX".into(), "SMITH".into())],
            fare_per_traveler: money("1250.00", Currency::AUD),
            ancillary: None,
            stored_card: Some(cards::VISA_APPROVE),
            ticketed: false,
        },
        PnrSeed {
            locator: Some(travelport::LOCATOR_TICKETED.into()),
            carrier: "UA".into(),
            travelers: vec![("MARIA".into(), "GARCIA".into())],
            fare_per_traveler: money("320.00", Currency::USD),
            ancillary: None,
            stored_card: None,
            ticketed: true,
        },
    ];
    for seed in seeds {
        state.insert(seed).expect("demo PNRs are valid");
    }
}

fn seed_holidayextras(world: &mut World) {
    use crate::holidayextras::{HxAccount, HxToken};
    let state = &mut world.holidayextras;
    state.accounts.push(HxAccount {
        username: holidayextras::USERNAME.into(),
        password: holidayextras::PASSWORD.into(),
        channel: holidayextras::CHANNEL.into(),
    });
    state.accounts.push(HxAccount {
        username: holidayextras::EXAMPLE_USERNAME.into(),
        password: holidayextras::EXAMPLE_PASSWORD.into(),
        channel: holidayextras::EXAMPLE_CHANNEL.into(),
    });
    for (token, outcome, last4) in [
        (holidayextras::TOKEN_APPROVE, Outcome::Approve, "1111"),
        (holidayextras::TOKEN_DECLINE, Outcome::Decline, "0002"),
        (holidayextras::TOKEN_INSUFFICIENT_FUNDS, Outcome::InsufficientFunds, "9995"),
        (holidayextras::TOKEN_EXAMPLE, Outcome::Approve, "1111"),
    ] {
        state.tokens.insert(token.into(), HxToken { outcome, last4: Some(last4.into()) });
    }
}

fn seed_heipay(world: &mut World) {
    let state = &mut world.heipay;
    state.api_tokens.push(heipay::API_TOKEN.into());
    state.add_hotel(heipay::HOTEL_ID, heipay::HOTEL_NAME, Some(heipay::CARD_KEY.into())).expect("demo key");
    state
        .add_hotel(
            heipay::SECOND_HOTEL_ID,
            heipay::SECOND_HOTEL_NAME,
            Some(heipay::SECOND_HOTEL_CARD_KEY.into()),
        )
        .expect("demo key");
}

pub(crate) fn seed(world: &mut World) {
    seed_atrip(world);
    seed_travelport(world);
    seed_holidayextras(world);
    seed_heipay(world);
}

#[cfg(test)]
mod tests {
    use super::*;
    use farepoint_core::vault::FieldKey;

    #[test]
    fn demo_keys_are_aes_256_keys() {
        assert!(FieldKey::from_base64(heipay::CARD_KEY).is_ok());
        assert!(FieldKey::from_base64(heipay::SECOND_HOTEL_CARD_KEY).is_ok());
        assert_ne!(heipay::CARD_KEY, heipay::SECOND_HOTEL_CARD_KEY);
    }

    /// The Settings page's Sandbox column: every field of every provider's schema filled from
    /// the running simulator and the demo account, nothing editable.
    #[test]
    fn the_settings_view_shows_the_running_simulator_and_the_demo_account() {
        let running = crate::Sandbox::start(crate::SandboxConfig::for_tests()).unwrap();
        let view = settings_view(Some(&running));
        assert!(view.read_only);
        assert_eq!(view.providers.len(), Provider::ALL.len());
        for provider in &view.providers {
            assert!(provider.configured && provider.problems.is_empty(), "{provider:?}");
            assert!(provider.fields.iter().all(|f| !f.value.is_empty()), "{provider:?}");
            assert!(provider.secrets.iter().all(|s| s.stored && s.read_only), "{provider:?}");
            for url in provider.fields.iter().filter(|f| f.kind == settings::FieldKind::Url) {
                assert!(url.value.starts_with(&running.base_url()), "{url:?}");
            }
        }
        assert_eq!(value_of(&view, Provider::Travelport, "pcc"), travelport::PCC);
        assert_eq!(value_of(&view, Provider::HolidayExtras, "channel"), holidayextras::CHANNEL);
        assert_eq!(value_of(&view, Provider::HolidayExtras, "api_version"), "v2");
        let hotels = view.provider(Provider::HeiPay).unwrap().hotels.clone().unwrap();
        let hotels: Vec<_> = hotels.iter().map(|h| (h.id, h.name.as_str(), h.card_key_stored)).collect();
        assert_eq!(
            hotels,
            [
                (heipay::HOTEL_ID, heipay::HOTEL_NAME, true),
                (heipay::SECOND_HOTEL_ID, heipay::SECOND_HOTEL_NAME, true)
            ]
        );

        let idle = settings_view(None);
        assert!(value_of(&idle, Provider::Atrip, "base_url").contains("simulator starts"));
        assert_eq!(value_of(&idle, Provider::Travelport, "pcc"), travelport::PCC);
    }

    fn value_of(view: &ProfileView, provider: Provider, key: &str) -> String {
        view.provider(provider).unwrap().fields.iter().find(|f| f.key == key).unwrap().value.clone()
    }

    /// Each hint fills a provider's form (or any card form) with data the simulator seeds.
    #[test]
    fn every_hint_names_a_form_and_seeded_data() {
        let world = World::new(crate::state::Settings::new(Duration::ZERO), true);
        let hints = hints();
        for hint in &hints {
            match hint.provider {
                "card" => assert!(farepoint_core::card::CardNumber::parse(hint.value).is_ok(), "{hint:?}"),
                "atrip" => assert!(world.atrip.orders.contains_key(hint.value), "{hint:?}"),
                "holidayextras" => assert!(world.holidayextras.tokens.contains_key(hint.value), "{hint:?}"),
                other => assert!(other.parse::<Provider>().is_ok(), "{hint:?}"),
            }
        }
        for form in ["atrip", "travelport", "holidayextras", "card"] {
            assert!(hints.iter().any(|h| h.provider == form), "no hint for {form}");
        }
    }

    #[test]
    fn the_demo_world_seeds() {
        let world = World::new(crate::state::Settings::new(Duration::ZERO), true);
        assert_eq!(world.atrip.orders.len(), 9);
        assert_eq!(world.heipay.hotels.len(), 2);
        assert_eq!(world.holidayextras.tokens.len(), 4);
    }
}
