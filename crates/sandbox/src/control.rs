//! The control API under `/__sandbox/` (a prefix no provider uses): seed data, tune settings,
//! arm faults, read the ledger and the per-route request counts, reset.
//!
//! It has no authentication: the sandbox listens on loopback only.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::{FaultSpec, ROUTES};
use crate::json::Obj;
use crate::ledger::LedgerEntry;
use crate::state::{SharedState, World};
use crate::{atrip, demo, heipay, holidayextras, travelport, web, PATHS};

pub(crate) const PREFIX: &str = "/__sandbox";

pub(crate) fn router() -> Router<SharedState> {
    Router::new()
        .route("/health", get(health))
        .route("/demo", get(demo_data))
        .route("/config", get(get_config).put(put_config))
        .route("/ledger", get(ledger))
        .route("/faults", get(list_faults).post(add_fault).delete(clear_faults))
        .route("/routes", get(|| async { web::json_value(StatusCode::OK, &json!(ROUTES)) }))
        .route("/requests", get(requests))
        .route("/reset", post(reset))
        .route("/atrip/orders", post(seed_order))
        .route("/atrip/orders/{order_no}", get(get_order))
        .route("/travelport/pnrs", post(seed_pnr))
        .route("/travelport/pnrs/{locator}", get(get_pnr))
        .route("/travelport/expire-tokens", post(expire_tokens))
        .route("/travelport/expire-workbenches", post(expire_workbenches))
        .route("/holidayextras/tokens", post(tokenise))
        .route("/heipay/hotels", post(add_hotel))
}

fn bad(message: impl Into<String>) -> Response {
    web::json_value(StatusCode::BAD_REQUEST, &json!({ "error": message.into() }))
}

fn ok(value: Value) -> Response {
    web::json_value(StatusCode::OK, &value)
}

fn not_an_object() -> Response {
    bad("the body must be a JSON object")
}

async fn health() -> Response {
    let paths: serde_json::Map<String, Value> =
        PATHS.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    ok(json!({ "status": "ok", "base_paths": paths }))
}

async fn demo_data() -> Response {
    ok(json!({
        "atrip": {
            "client_id": demo::atrip::CLIENT_ID,
            "client_secret": demo::atrip::CLIENT_SECRET,
            "orders": {
                "any_method": demo::atrip::ORDER_ANY_METHOD,
                "vcc_only": demo::atrip::ORDER_VCC_ONLY,
                "mor_visa": demo::atrip::ORDER_MOR_VISA,
                "past_deadline": demo::atrip::ORDER_PAST_DEADLINE,
                "ticketed": demo::atrip::ORDER_TICKETED,
                "not_confirmed": demo::atrip::ORDER_NOT_CONFIRMED,
                "no_methods": demo::atrip::ORDER_NO_METHODS,
                "over_balance": demo::atrip::ORDER_OVER_BALANCE,
                "jpy": demo::atrip::ORDER_JPY,
            },
        },
        "travelport": {
            "username": demo::travelport::USERNAME,
            "password": demo::travelport::PASSWORD,
            "client_id": demo::travelport::CLIENT_ID,
            "client_secret": demo::travelport::CLIENT_SECRET,
            "pcc": demo::travelport::PCC,
            "locators": [
                demo::travelport::LOCATOR_WITH_ANCILLARY,
                demo::travelport::LOCATOR_STORED_CARD,
                demo::travelport::LOCATOR_TICKETED,
            ],
        },
        "holidayextras": {
            "username": demo::holidayextras::USERNAME,
            "password": demo::holidayextras::PASSWORD,
            "channel": demo::holidayextras::CHANNEL,
            "tokens": {
                "approve": demo::holidayextras::TOKEN_APPROVE,
                "decline": demo::holidayextras::TOKEN_DECLINE,
                "insufficient_funds": demo::holidayextras::TOKEN_INSUFFICIENT_FUNDS,
            },
        },
        "heipay": {
            "api_token": demo::heipay::API_TOKEN,
            "hotels": [
                { "id": demo::heipay::HOTEL_ID, "name": demo::heipay::HOTEL_NAME, "card_key": demo::heipay::CARD_KEY },
                {
                    "id": demo::heipay::SECOND_HOTEL_ID,
                    "name": demo::heipay::SECOND_HOTEL_NAME,
                    "card_key": demo::heipay::SECOND_HOTEL_CARD_KEY,
                },
            ],
        },
        "test_cards": crate::cards::TEST_CARDS,
    }))
}

async fn get_config(State(shared): State<SharedState>) -> Response {
    ok(json!(shared.world().settings))
}

/// Partial update: only the fields given change.
async fn put_config(State(shared): State<SharedState>, body: Bytes) -> Response {
    let Some(req) = Obj::parse(&body) else { return not_an_object() };
    let mut world = shared.world();
    let mut settings = world.settings.clone();
    for key in req.keys() {
        let value = match req.int(key) {
            Ok(Some(v)) if v >= 0 => v as u64,
            _ => return bad(format!("{key} must be a non-negative integer")),
        };
        match key {
            "ticketing_delay_ms" => settings.ticketing_delay_ms = value,
            "atrip_payment_ms" => settings.atrip_payment_ms = value,
            "travelport_token_ttl_secs" => settings.travelport_token_ttl_secs = value,
            "travelport_workbench_ttl_secs" => settings.travelport_workbench_ttl_secs = value,
            "holidayextras_reused_id_status" => match value {
                200 | 400 | 402 | 409 => settings.holidayextras_reused_id_status = value as u16,
                _ => return bad(format!("{key} must be one of 200, 400, 402, 409")),
            },
            "holidayextras_fail_status" => match value {
                200 | 400 | 402 | 404 | 409 | 422 => settings.holidayextras_fail_status = value as u16,
                _ => return bad(format!("{key} must be one of 200, 400, 402, 404, 409, 422")),
            },
            other => return bad(format!("unknown setting '{other}'")),
        }
    }
    world.settings = settings;
    ok(json!(world.settings))
}

#[derive(Deserialize)]
struct LedgerFilter {
    provider: Option<String>,
    reference: Option<String>,
    kind: Option<String>,
}

pub(crate) fn ledger_entries(world: &World) -> Vec<LedgerEntry> {
    world.ledger.entries().to_vec()
}

async fn ledger(State(shared): State<SharedState>, Query(filter): Query<LedgerFilter>) -> Response {
    let entries: Vec<LedgerEntry> = ledger_entries(&shared.world())
        .into_iter()
        .filter(|e| filter.provider.as_deref().is_none_or(|p| p == e.provider.as_str()))
        .filter(|e| filter.reference.as_deref().is_none_or(|r| r == e.reference))
        .filter(|e| filter.kind.as_deref().is_none_or(|k| serde_json::to_value(e.kind).is_ok_and(|v| v == k)))
        .collect();
    ok(json!(entries))
}

async fn list_faults(State(shared): State<SharedState>) -> Response {
    ok(json!(shared.faults().armed()))
}

async fn add_fault(State(shared): State<SharedState>, body: Bytes) -> Response {
    let spec: FaultSpec = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return bad(format!("not a fault: {e}")),
    };
    if let Err(e) = spec.validate() {
        return bad(e);
    }
    shared.faults().arm(spec.clone());
    web::json_value(StatusCode::CREATED, &json!(spec))
}

async fn clear_faults(State(shared): State<SharedState>) -> Response {
    shared.faults().clear();
    ok(json!({ "cleared": true }))
}

async fn requests(State(shared): State<SharedState>) -> Response {
    ok(json!(shared.faults().requests()))
}

async fn reset(State(shared): State<SharedState>) -> Response {
    shared.reset();
    ok(json!({ "reset": true }))
}

async fn seed_order(State(shared): State<SharedState>, body: Bytes) -> Response {
    let Some(req) = Obj::parse(&body) else { return not_an_object() };
    let seed = match atrip::seed_from_json(&req) {
        Ok(s) => s,
        Err(e) => return bad(e),
    };
    let mut world = shared.world();
    let delay = std::time::Duration::from_millis(world.settings.ticketing_delay_ms);
    match world.atrip.insert(seed, delay) {
        Ok(no) => {
            let view = atrip::order_json(&mut world, &no).unwrap_or_default();
            web::json_text(StatusCode::CREATED, view)
        }
        Err(e) => bad(e),
    }
}

async fn get_order(State(shared): State<SharedState>, Path(order_no): Path<String>) -> Response {
    match atrip::order_json(&mut shared.world(), &order_no) {
        Some(view) => web::json_text(StatusCode::OK, view),
        None => web::json_value(StatusCode::NOT_FOUND, &json!({ "error": "no such order" })),
    }
}

async fn seed_pnr(State(shared): State<SharedState>, body: Bytes) -> Response {
    let Some(req) = Obj::parse(&body) else { return not_an_object() };
    let seed = match travelport::seed_from_json(&req) {
        Ok(s) => s,
        Err(e) => return bad(e),
    };
    let mut world = shared.world();
    match world.travelport.insert(seed) {
        Ok(locator) => {
            web::json_text(StatusCode::CREATED, travelport::pnr_json(&world, &locator).unwrap_or_default())
        }
        Err(e) => bad(e),
    }
}

async fn get_pnr(State(shared): State<SharedState>, Path(locator): Path<String>) -> Response {
    match travelport::pnr_json(&shared.world(), &locator) {
        Some(view) => web::json_text(StatusCode::OK, view),
        None => web::json_value(StatusCode::NOT_FOUND, &json!({ "error": "no such PNR" })),
    }
}

async fn expire_tokens(State(shared): State<SharedState>) -> Response {
    ok(json!({ "expired": shared.world().travelport.expire_tokens() }))
}

async fn expire_workbenches(State(shared): State<SharedState>) -> Response {
    ok(json!({ "expired": shared.world().travelport.expire_workbenches() }))
}

async fn tokenise(State(shared): State<SharedState>, body: Bytes) -> Response {
    match Obj::parse(&body) {
        Some(req) => holidayextras::tokenise_response(&mut shared.world(), &req),
        None => not_an_object(),
    }
}

async fn add_hotel(State(shared): State<SharedState>, body: Bytes) -> Response {
    let Some(req) = Obj::parse(&body) else { return not_an_object() };
    let fields = (req.req_int("id"), req.str("name"), req.str("card_key"));
    let (Ok(id), Ok(name), Ok(key)) = fields else {
        return bad(
            "a hotel is {\"id\": 3, \"name\": \"...\", \"card_key\": \"<base64 of 32 bytes, optional>\"}",
        );
    };
    let name = name.unwrap_or_else(|| format!("Hotel {id}"));
    let result: Result<heipay::Hotel, String> = shared.world().heipay.add_hotel(id, &name, key);
    match result {
        Ok(h) => web::json_value(
            StatusCode::CREATED,
            &json!({ "id": h.id, "name": h.name, "card_key": h.card_key }),
        ),
        Err(e) => bad(e),
    }
}
