//! The simulator's world: every provider's records, the ledger and the tunable settings, behind
//! one lock so a state change and its ledger entry are always made together.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::faults::FaultBook;
use crate::ledger::Ledger;
use crate::{atrip, demo, heipay, holidayextras, travelport};

/// Knobs a test or trainer can turn at run time (`PUT /__sandbox/config`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// ATRIP: time from a successful `pay.do` to the airline's answer ("2" or "-3").
    pub ticketing_delay_ms: u64,
    /// ATRIP: how long `pay.do` spends charging; another `pay.do` meanwhile gets 406.
    pub atrip_payment_ms: u64,
    /// Travelport: lifetime of an OAuth access token (the real one: 24 h).
    pub travelport_token_ttl_secs: u64,
    /// Travelport: lifetime of a workbench (the real one: 30 min).
    pub travelport_workbench_ttl_secs: u64,
    /// Holiday Extras: the HTTP status of the failure answered to a `paymentId` that already
    /// exists. The page documents only the body (`"Failed to make payment"`), so any of 200,
    /// 400, 402 or 409 is a reading it allows; tests try each.
    pub holidayextras_reused_id_status: u16,
    /// Holiday Extras: the HTTP status of every other money failure — a declined card, an
    /// unknown token, a refund it will not make. The pages publish only the bodies (`"Failed to
    /// make payment"`, `"Failed making refund"`) and no status, so 200 by default; tests try
    /// others.
    pub holidayextras_fail_status: u16,
}

impl Settings {
    pub(crate) fn new(ticketing_delay: Duration) -> Settings {
        Settings {
            ticketing_delay_ms: ticketing_delay.as_millis() as u64,
            atrip_payment_ms: 0,
            travelport_token_ttl_secs: 86_400,
            travelport_workbench_ttl_secs: 30 * 60,
            holidayextras_reused_id_status: 200,
            holidayextras_fail_status: 200,
        }
    }
}

pub(crate) struct World {
    pub settings: Settings,
    pub atrip: atrip::AtripState,
    pub travelport: travelport::TravelportState,
    pub holidayextras: holidayextras::HxState,
    pub heipay: heipay::HeiPayState,
    pub ledger: Ledger,
}

impl World {
    pub(crate) fn new(settings: Settings, seed_demo: bool) -> World {
        let mut world = World {
            settings,
            atrip: Default::default(),
            travelport: Default::default(),
            holidayextras: Default::default(),
            heipay: Default::default(),
            ledger: Ledger::default(),
        };
        if seed_demo {
            demo::seed(&mut world);
        }
        world
    }
}

pub(crate) struct Shared {
    world: Mutex<World>,
    faults: Mutex<FaultBook>,
    shutdown: watch::Receiver<bool>,
    initial_settings: Settings,
    seed_demo: bool,
}

pub(crate) type SharedState = Arc<Shared>;

impl Shared {
    pub(crate) fn new(settings: Settings, seed_demo: bool, shutdown: watch::Receiver<bool>) -> SharedState {
        Arc::new(Shared {
            world: Mutex::new(World::new(settings.clone(), seed_demo)),
            faults: Mutex::new(FaultBook::default()),
            shutdown,
            initial_settings: settings,
            seed_demo,
        })
    }

    /// The world, locked. Never hold the guard across an `.await`.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        // A handler that panicked mid-update leaves the world as it was at the panic; the
        // simulator keeps serving rather than failing every later request.
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultBook> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Back to the state at start: demo data re-seeded, ledger and faults cleared.
    pub(crate) fn reset(&self) {
        *self.world() = World::new(self.initial_settings.clone(), self.seed_demo);
        *self.faults() = FaultBook::default();
    }

    /// Resolves when the server is shutting down.
    pub(crate) async fn shutting_down(&self) {
        let mut rx = self.shutdown.clone();
        wait_for_shutdown(&mut rx).await;
    }
}

pub(crate) async fn wait_for_shutdown(rx: &mut watch::Receiver<bool>) {
    while !*rx.borrow_and_update() {
        if rx.changed().await.is_err() {
            return;
        }
    }
}
