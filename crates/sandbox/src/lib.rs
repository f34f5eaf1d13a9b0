//! farepoint-sandbox: a stateful, wire-faithful simulator of the four provider APIs — ATRIP,
//! Travelport, Holiday Extras and HeiPay — on one loopback server (docs/design.md §10).
//!
//! Each provider sits under its own base path, so a client configured with that base URL cannot
//! tell it from the real host; a control API under `/__sandbox/` seeds data, arms faults and
//! exposes the ledger of every charge and refund. See the crate's README for the routes, the demo
//! data and the test cards.
//!
//! ```no_run
//! use farepoint_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::for_tests()).unwrap();
//! let atrip = sandbox.atrip_base_url(); // "http://127.0.0.1:<port>/atrip/"
//! # drop(atrip);
//! sandbox.shutdown();
//! ```

mod atrip;
pub mod cards;
mod control;
pub mod demo;
pub mod faults;
mod heipay;
mod holidayextras;
mod json;
pub mod ledger;
pub mod profile;
mod server;
mod state;
mod travelport;
mod web;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use tokio::runtime::Handle;
use tokio::sync::watch;

pub use faults::{FaultKind, FaultSpec};
pub use ledger::{EntryKind, LedgerEntry, Provider};
pub use state::Settings;

use crate::faults::RouteCtx;
use crate::state::{Shared, SharedState};

/// Base paths of each provider on the sandbox, mirroring the real hosts' paths under a prefix.
pub mod paths {
    /// ATRIP: `pay.do`, `queryOrderDetails.do`, `regenerateOrder.do` (real: `https://sandbox.atriptech.com/`).
    pub const ATRIP: &str = "/atrip/";
    /// Travelport JSON Air v11 (real: `https://api.pp.travelport.net/11/air/`).
    pub const TRAVELPORT_AIR: &str = "/travelport/11/air/";
    /// Travelport OAuth token endpoint (real: `https://auth.pp.travelport.net/oauth/token`).
    pub const TRAVELPORT_OAUTH_TOKEN: &str = "/travelport/oauth/token";
    /// Holiday Extras payment gateway: `pay`, `refund` (real: `https://payment-gateway.holidayextras.co.uk/`).
    pub const HOLIDAYEXTRAS: &str = "/holidayextras/";
    /// HeiPay: `v2/virtual-terminal/credit-card`, `v2/terminal-payments/{id}/vouchers`.
    pub const HEIPAY: &str = "/heipay/";
    /// The sandbox's own control API.
    pub const CONTROL: &str = "/__sandbox/";
}

pub(crate) const PATHS: [(&str, &str); 6] = [
    ("atrip", paths::ATRIP),
    ("travelport_air", paths::TRAVELPORT_AIR),
    ("travelport_oauth_token", paths::TRAVELPORT_OAUTH_TOKEN),
    ("holidayextras", paths::HOLIDAYEXTRAS),
    ("heipay", paths::HEIPAY),
    ("control", paths::CONTROL),
];

/// How to start the sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// ATRIP: time from a successful `pay.do` to the airline's ticketing answer.
    pub ticketing_delay: Duration,
    /// Seed the demo orders, PNRs, tokens, hotels and credentials of [`demo`].
    pub seed_demo_data: bool,
}

impl Default for SandboxConfig {
    /// For the interactive app: a random port, a few seconds of ticketing, demo data.
    fn default() -> Self {
        SandboxConfig { port: 0, ticketing_delay: Duration::from_secs(4), seed_demo_data: true }
    }
}

impl SandboxConfig {
    /// For tests: a random port, immediate ticketing, demo data.
    pub fn for_tests() -> Self {
        SandboxConfig { ticketing_delay: Duration::ZERO, ..SandboxConfig::default() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(
        "the sandbox could not listen on 127.0.0.1:{port} ({source}) — choose another port or 0 for any"
    )]
    Bind { port: u16, source: std::io::Error },
    #[error("the sandbox could not start its runtime: {0}")]
    Runtime(std::io::Error),
}

/// Starts sandboxes.
pub struct Sandbox;

impl Sandbox {
    /// Starts the sandbox on its own thread and Tokio runtime; works from sync or async code.
    pub fn start(config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("farepoint-sandbox")
            .enable_all()
            .build()
            .map_err(SandboxError::Runtime)?;
        let mut running = Self::start_on(runtime.handle(), config)?;
        let task = match std::mem::replace(&mut running.runner, Runner::Detached) {
            Runner::Task(task) => task,
            _ => unreachable!("start_on runs a task"),
        };
        let thread = std::thread::Builder::new()
            .name("farepoint-sandbox".into())
            .spawn(move || {
                let _ = runtime.block_on(task);
                // Dropping the runtime here ends any ticketing timers and stray tasks.
            })
            .map_err(SandboxError::Runtime)?;
        running.runner = Runner::Thread(thread);
        Ok(running)
    }

    /// Starts the sandbox as a task on an existing Tokio runtime (needs its IO and time drivers).
    pub fn start_on(handle: &Handle, config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
        let bind = |e| SandboxError::Bind { port: config.port, source: e };
        let std_listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).map_err(bind)?;
        std_listener.set_nonblocking(true).map_err(bind)?;
        let addr = std_listener.local_addr().map_err(bind)?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let shared =
            Shared::new(Settings::new(config.ticketing_delay), config.seed_demo_data, shutdown_rx.clone());
        let app = router(shared.clone());
        let listener = {
            let _guard = handle.enter();
            tokio::net::TcpListener::from_std(std_listener).map_err(bind)?
        };
        let task = handle.spawn(server::serve(listener, app, shutdown_rx));
        tracing::info!(%addr, "farepoint sandbox listening");
        Ok(RunningSandbox { addr, shared, shutdown: shutdown_tx, runner: Runner::Task(task) })
    }
}

enum Runner {
    Task(tokio::task::JoinHandle<()>),
    Thread(std::thread::JoinHandle<()>),
    Detached,
}

/// A running sandbox. Dropping it stops the server (without waiting).
pub struct RunningSandbox {
    addr: SocketAddr,
    shared: SharedState,
    shutdown: watch::Sender<bool>,
    runner: Runner,
}

impl RunningSandbox {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn atrip_base_url(&self) -> String {
        format!("{}{}", self.base_url(), paths::ATRIP)
    }

    pub fn travelport_air_base_url(&self) -> String {
        format!("{}{}", self.base_url(), paths::TRAVELPORT_AIR)
    }

    pub fn travelport_oauth_token_url(&self) -> String {
        format!("{}{}", self.base_url(), paths::TRAVELPORT_OAUTH_TOKEN)
    }

    pub fn holidayextras_base_url(&self) -> String {
        format!("{}{}", self.base_url(), paths::HOLIDAYEXTRAS)
    }

    pub fn heipay_base_url(&self) -> String {
        format!("{}{}", self.base_url(), paths::HEIPAY)
    }

    pub fn control_url(&self) -> String {
        format!("{}{}", self.base_url(), paths::CONTROL)
    }

    /// Every charge and refund so far, in order.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        control::ledger_entries(&self.shared.world())
    }

    /// Requests received so far on a route (e.g. "atrip.pay"), faulted or not.
    pub fn request_count(&self, route: &str) -> u64 {
        self.shared.faults().requests().get(route).copied().unwrap_or(0)
    }

    pub fn inject_fault(&self, fault: FaultSpec) -> Result<(), String> {
        fault.validate()?;
        self.shared.faults().arm(fault);
        Ok(())
    }

    pub fn settings(&self) -> Settings {
        self.shared.world().settings.clone()
    }

    pub fn set_settings(&self, settings: Settings) {
        self.shared.world().settings = settings;
    }

    pub fn set_ticketing_delay(&self, delay: Duration) {
        self.shared.world().settings.ticketing_delay_ms = delay.as_millis() as u64;
    }

    /// Back to the state at start: demo data re-seeded, ledger and faults cleared.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stops the server. When the sandbox owns its thread, waits for it (at most a few seconds:
    /// requests in flight get a grace period, then their connections are cut).
    pub fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Runner::Thread(thread) = std::mem::replace(&mut self.runner, Runner::Detached) {
            let _ = thread.join();
        }
    }

    /// Stops the server and waits for it, from async code.
    pub async fn shutdown_async(mut self) {
        let _ = self.shutdown.send(true);
        match std::mem::replace(&mut self.runner, Runner::Detached) {
            Runner::Task(task) => {
                let _ = task.await;
            }
            Runner::Thread(thread) => {
                let _ = tokio::task::spawn_blocking(move || thread.join()).await;
            }
            Runner::Detached => {}
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// A provider route with its fault-injection and request-counting layer.
fn with_faults(
    shared: &SharedState,
    route: &'static str,
    handler: MethodRouter<SharedState>,
) -> MethodRouter<SharedState> {
    handler.route_layer(middleware::from_fn_with_state(
        RouteCtx { shared: shared.clone(), route },
        faults::apply,
    ))
}

fn router(shared: SharedState) -> Router {
    let r = |route, handler| with_faults(&shared, route, handler);
    let air = |path: &str| format!("{}{path}", paths::TRAVELPORT_AIR);
    Router::new()
        .route("/atrip/pay.do", r("atrip.pay", post(atrip::pay)))
        .route("/atrip/queryOrderDetails.do", r("atrip.query", post(atrip::query)))
        .route("/atrip/regenerateOrder.do", r("atrip.regenerate", post(atrip::regenerate)))
        .route(paths::TRAVELPORT_OAUTH_TOKEN, r("travelport.token", post(travelport::token)))
        .route(
            &air("book/session/reservationworkbench/buildfromlocator"),
            r("travelport.buildfromlocator", post(travelport::build_from_locator)),
        )
        .route(
            &air("payment/reservationworkbench/{workbench}/formofpayment"),
            r("travelport.formofpayment", post(travelport::add_fop)),
        )
        .route(
            &air("paymentoffer/reservationworkbench/{workbench}/payments"),
            r("travelport.payment", post(travelport::add_payment)),
        )
        .route(
            &air("book/reservation/reservations/{id}"),
            r("travelport.commit", post(travelport::commit))
                .merge(r("travelport.retrieve", get(travelport::retrieve))),
        )
        .route(
            &air("receipt/reservations/{locator}/receipts"),
            r("travelport.receipts", get(travelport::receipts)),
        )
        .route("/holidayextras/pay", r("holidayextras.pay", post(holidayextras::pay)))
        .route("/holidayextras/refund", r("holidayextras.refund", post(holidayextras::refund)))
        .route("/holidayextras/{script}", r("holidayextras.script", get(holidayextras::payment_script)))
        .route("/heipay/v2/virtual-terminal/credit-card", r("heipay.pay", post(heipay::pay)))
        .route("/heipay/v2/terminal-payments/{id}/vouchers", r("heipay.voucher", get(heipay::voucher)))
        .nest(control::PREFIX, control::router())
        .layer(middleware::from_fn(log_request))
        .with_state(shared)
}

/// One line per request: method, path, status, time. Never bodies or headers (card data,
/// credentials), never the query string.
async fn log_request(req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let started = Instant::now();
    let response = next.run(req).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "sandbox request"
    );
    response
}
