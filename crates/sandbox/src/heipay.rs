//! HeiPay (Heippi) hotel virtual terminal: `POST v2/virtual-terminal/credit-card` and the voucher
//! its answer links to (`GET v2/terminal-payments/{id}/vouchers`).
//!
//! Wire facts (docs/providers/heipay.md): the `order` fields and their rules
//! (`detail` ≤ 99, `amount` with two decimals, rates 0.00–1.00, required names, reference,
//! installments and hotel); every `card_item` field encrypted; success
//! `{"msg", "voucher_url"}`, failure `{"code", "message", "detail", "extra_info": {"voucher_url"}}`.
//! Our choices (HeiPay leaves them open; docs/providers/heipay.md §6): `Authorization: Bearer
//! <api token>`; card fields per docs/design.md §5 (AES-256-GCM, the hotel's key,
//! `base64(nonce ‖ ciphertext ‖ tag)`);
//! amounts in COP; `code` 0 = declined by the processor (as documented; a voucher exists),
//! 1 = invalid request, 2 = authentication, 3 = unknown hotel, 4 = a card field that does not
//! decrypt, 5 = decrypted card data that is not valid; `message` is always "Error http: <status>";
//! `ref_number` is not de-duplicated (a blind re-send charges twice, as the ledger will show).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use farepoint_core::card::{CardNumber, Expiry};
use farepoint_core::money::{Currency, Money, Sign};
use farepoint_core::vault::{self, FieldKey};
use serde::Serialize;
use serde_json::json;
use time::format_description::well_known::Rfc3339;

use crate::cards::{self, Outcome};
use crate::json::{to_body, FieldError, Num, Obj};
use crate::ledger::{EntryKind, NewEntry, Provider};
use crate::state::{SharedState, World};
use crate::web::{self, header_str};

const DETAIL_MAX: usize = 99;
const INSTALLMENTS_MAX: i64 = 36;

#[derive(Debug, Clone)]
pub(crate) struct Hotel {
    pub id: i64,
    pub name: String,
    /// The hotel's card key, base64 as issued.
    pub card_key: String,
}

#[derive(Debug, Clone)]
struct TerminalPayment {
    id: u64,
    approved: bool,
    reason: Option<&'static str>,
    hotel_id: i64,
    hotel_name: String,
    ref_number: String,
    ref_name: String,
    ref_lastname: String,
    detail: Option<String>,
    amount: Money,
    installments: i64,
    brand: &'static str,
    masked: String,
    authorization: Option<String>,
    created: String,
}

#[derive(Debug, Default)]
pub(crate) struct HeiPayState {
    pub api_tokens: Vec<String>,
    pub hotels: BTreeMap<i64, Hotel>,
    payments: BTreeMap<u64, TerminalPayment>,
    next_id: u64,
}

impl HeiPayState {
    pub(crate) fn add_hotel(
        &mut self,
        id: i64,
        name: &str,
        card_key: Option<String>,
    ) -> Result<Hotel, String> {
        if id <= 0 {
            return Err("hotel id must be a positive integer".into());
        }
        let card_key = match card_key {
            Some(k) => {
                FieldKey::from_base64(&k).map_err(|e| e.to_string())?;
                k
            }
            None => FieldKey::generate().expose_base64().to_string(),
        };
        let hotel = Hotel { id, name: name.to_string(), card_key };
        self.hotels.insert(id, hotel.clone());
        Ok(hotel)
    }
}

#[derive(Debug)]
struct Rejection {
    status: StatusCode,
    code: i64,
    detail: String,
    voucher: Option<u64>,
}

impl Rejection {
    fn new(status: StatusCode, code: i64, detail: impl Into<String>) -> Self {
        Rejection { status, code, detail: detail.into(), voucher: None }
    }

    fn invalid(detail: impl Into<String>) -> Self {
        Rejection::new(StatusCode::BAD_REQUEST, 1, detail)
    }

    fn field(e: FieldError) -> Self {
        Rejection::invalid(e.describe())
    }

    fn respond(self) -> Response {
        let extra = match self.voucher {
            Some(id) => json!({ "voucher_url": voucher_url(id) }),
            None => json!({}),
        };
        let body = json!({
            "code": self.code,
            "message": format!("Error http: {}", self.status.as_u16()),
            "detail": self.detail,
            "extra_info": extra,
        });
        web::json_value(self.status, &body)
    }
}

fn voucher_url(id: u64) -> String {
    format!("v2/terminal-payments/{id}/vouchers")
}

fn authorized(world: &World, headers: &HeaderMap) -> bool {
    web::bearer(headers).is_some_and(|t| world.heipay.api_tokens.iter().any(|k| k == t))
}

/// A rate 0.00–1.00 with at most two decimals, as hundredths.
fn rate(order: &Obj, key: &str) -> Result<(), Rejection> {
    let Some(text) = order.number_text(key).map_err(Rejection::field)? else { return Ok(()) };
    // USD has exactly two decimals: used here only as an exact fixed-point reader.
    let hundredths = Money::from_json_number(&text, Currency::USD, Sign::NonNegative)
        .map_err(|_| Rejection::invalid(format!("order.{key} must be a decimal with two fraction digits")))?;
    if hundredths.minor > 100 {
        return Err(Rejection::invalid(format!("order.{key} must be between 0.00 and 1.00")));
    }
    Ok(())
}

struct Order {
    hotel: Hotel,
    ref_number: String,
    ref_name: String,
    ref_lastname: String,
    detail: Option<String>,
    amount: Money,
    installments: i64,
}

fn read_order(world: &World, req: &Obj) -> Result<Order, Rejection> {
    let order = req.req_obj("order").map_err(Rejection::field)?;
    req.req_obj("card_item").map_err(Rejection::field)?;
    let ref_name = order.req_str("ref_name").map_err(Rejection::field)?;
    let ref_lastname = order.req_str("ref_lastname").map_err(Rejection::field)?;
    let ref_number = order.req_str("ref_number").map_err(Rejection::field)?;
    let detail = order.str("detail").map_err(Rejection::field)?;
    if detail.as_ref().is_some_and(|d| d.chars().count() > DETAIL_MAX) {
        return Err(Rejection::invalid(format!("order.detail must be at most {DETAIL_MAX} characters")));
    }
    let amount_text = order
        .number_text("amount")
        .map_err(Rejection::field)?
        .ok_or_else(|| Rejection::field(order.missing("amount")))?;
    let amount = Money::from_json_number(
        &amount_text,
        Currency::from_code("COP").expect("COP is ISO 4217"),
        Sign::NonNegative,
    )
    .map_err(|_| {
        Rejection::invalid("order.amount must be a positive decimal with at most two fraction digits")
    })?;
    if amount.minor == 0 {
        return Err(Rejection::invalid("order.amount must be more than 0"));
    }
    let installments = order.req_int("installments").map_err(Rejection::field)?;
    if !(1..=INSTALLMENTS_MAX).contains(&installments) {
        return Err(Rejection::invalid(format!("order.installments must be 1 to {INSTALLMENTS_MAX}")));
    }
    rate(&order, "tax_percent")?;
    rate(&order, "service_percent")?;
    if let Some(email) = order.str("email").map_err(Rejection::field)? {
        let valid =
            email.split_once('@').is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'));
        if !valid {
            return Err(Rejection::invalid("order.email is not an email address"));
        }
    }
    if let Some(phone) = order.str("phone").map_err(Rejection::field)? {
        if !(7..=15).contains(&phone.len()) || !phone.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Rejection::invalid("order.phone must be 7 to 15 digits"));
        }
    }
    if let Some(ip) = order.str("ip").map_err(Rejection::field)? {
        if ip.parse::<std::net::Ipv4Addr>().is_err() {
            return Err(Rejection::invalid("order.ip must be an IPv4 address"));
        }
    }
    order.str("address").map_err(Rejection::field)?;
    order.str("fiscal_number").map_err(Rejection::field)?;
    let hotel_id = order.req_int("hotel_id").map_err(Rejection::field)?;
    let hotel =
        world.heipay.hotels.get(&hotel_id).cloned().ok_or_else(|| {
            Rejection::new(StatusCode::NOT_FOUND, 3, format!("El hotel {hotel_id} no existe"))
        })?;
    Ok(Order { hotel, ref_number, ref_name, ref_lastname, detail, amount, installments })
}

struct CardData {
    brand: &'static str,
    masked: String,
    last4: String,
    outcome: Outcome,
}

/// Decrypts and checks the card: a field that does not decrypt is a rejection, never a panic.
fn read_card(req: &Obj, hotel: &Hotel) -> Result<CardData, Rejection> {
    let items = req.req_obj("card_item").map_err(Rejection::field)?;
    let cipher = vault::hotel_cipher(&hotel.card_key).map_err(|_| {
        Rejection::new(StatusCode::INTERNAL_SERVER_ERROR, 1, "La llave del hotel no es válida")
    })?;
    let open = |field: &str| {
        let sealed = items.req_str(field).map_err(Rejection::field)?;
        cipher.decrypt_field(&sealed).map_err(|e| {
            Rejection::new(
                StatusCode::BAD_REQUEST,
                4,
                format!("No fue posible descifrar card_item.{field}: {e}"),
            )
        })
    };
    let number = open("cc_number")?;
    let code = open("cc_code")?;
    let month = open("cc_expire_month")?;
    let year = open("cc_expire_year")?;
    let holder = open("cc_holder")?;
    let invalid = |detail: &str| Rejection::new(StatusCode::BAD_REQUEST, 5, detail);
    let card = CardNumber::parse(&number).map_err(|_| invalid("El número de tarjeta no es válido"))?;
    let code_ok = code.len() == card.brand().cvv_length() && code.bytes().all(|b| b.is_ascii_digit());
    if !code_ok {
        return Err(invalid("El código de seguridad no es válido"));
    }
    if !(1..=2).contains(&month.len()) || year.len() != 4 {
        return Err(invalid("La fecha de vencimiento debe ser MM y AAAA"));
    }
    Expiry::parse(&month, &year).map_err(|_| invalid("La tarjeta está vencida o la fecha no es válida"))?;
    if holder.trim().is_empty() {
        return Err(invalid("El nombre del titular es obligatorio"));
    }
    Ok(CardData {
        brand: card.brand().display_name(),
        masked: card.masked(),
        last4: card.last4().to_string(),
        outcome: cards::outcome_of(&card),
    })
}

pub(crate) async fn pay(State(shared): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let mut world = shared.world();
    if !authorized(&world, &headers) {
        return Rejection::new(StatusCode::UNAUTHORIZED, 2, "Token de autenticación inválido o ausente")
            .respond();
    }
    let Some(req) = Obj::parse(&body) else {
        return Rejection::invalid("El cuerpo de la solicitud no es JSON válido").respond();
    };
    let order = match read_order(&world, &req) {
        Ok(o) => o,
        Err(r) => return r.respond(),
    };
    let card = match read_card(&req, &order.hotel) {
        Ok(c) => c,
        Err(r) => return r.respond(),
    };
    let state = &mut world.heipay;
    let id = 500 + state.next_id;
    state.next_id += 1;
    let reason = match card.outcome {
        Outcome::Decline => Some("El pago ha sido rechazado"),
        Outcome::InsufficientFunds => Some("El pago ha sido rechazado: fondos insuficientes"),
        _ => None,
    };
    let approved = reason.is_none();
    tracing::info!(id, hotel = order.hotel.id, ref_number = %order.ref_number, card = %card.masked, approved, "heipay credit-card payment");
    state.payments.insert(
        id,
        TerminalPayment {
            id,
            approved,
            reason,
            hotel_id: order.hotel.id,
            hotel_name: order.hotel.name.clone(),
            ref_number: order.ref_number.clone(),
            ref_name: order.ref_name,
            ref_lastname: order.ref_lastname,
            detail: order.detail,
            amount: order.amount,
            installments: order.installments,
            brand: card.brand,
            masked: card.masked,
            authorization: approved.then(|| web::random_from(b"0123456789", 6)),
            created: time::OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_default(),
        },
    );
    if let Some(reason) = reason {
        return Rejection {
            status: StatusCode::BAD_REQUEST,
            code: 0,
            detail: reason.into(),
            voucher: Some(id),
        }
        .respond();
    }
    world.ledger.record(NewEntry {
        provider: Provider::HeiPay,
        kind: EntryKind::Charge,
        amount: order.amount,
        reference: order.ref_number,
        secondary_reference: None,
        provider_id: id.to_string(),
        method: "card",
        card_last4: Some(card.last4),
    });
    web::json_value(
        StatusCode::OK,
        &json!({ "msg": "Pago realizado correctamente", "voucher_url": voucher_url(id) }),
    )
}

#[derive(Serialize)]
struct Voucher<'a> {
    id: u64,
    status: &'static str,
    detail_message: Option<&'static str>,
    hotel_id: i64,
    hotel_name: &'a str,
    ref_number: &'a str,
    ref_name: &'a str,
    ref_lastname: &'a str,
    detail: Option<&'a str>,
    amount: Num,
    currency: &'static str,
    installments: i64,
    card_brand: &'static str,
    card_number: &'a str,
    authorization_code: Option<&'a str>,
    created_at: &'a str,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The voucher as JSON, or as a printable HTML page when the client asks for `text/html`.
pub(crate) async fn voucher(
    State(shared): State<SharedState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let world = shared.world();
    if !authorized(&world, &headers) {
        return Rejection::new(StatusCode::UNAUTHORIZED, 2, "Token de autenticación inválido o ausente")
            .respond();
    }
    let Some(p) = id.parse::<u64>().ok().and_then(|id| world.heipay.payments.get(&id)) else {
        return Rejection::new(StatusCode::NOT_FOUND, 1, format!("El pago {id} no existe")).respond();
    };
    let v = Voucher {
        id: p.id,
        status: if p.approved { "APPROVED" } else { "REJECTED" },
        detail_message: p.reason,
        hotel_id: p.hotel_id,
        hotel_name: &p.hotel_name,
        ref_number: &p.ref_number,
        ref_name: &p.ref_name,
        ref_lastname: &p.ref_lastname,
        detail: p.detail.as_deref(),
        amount: Num::major(p.amount),
        currency: p.amount.currency.code(),
        installments: p.installments,
        card_brand: p.brand,
        card_number: &p.masked,
        authorization_code: p.authorization.as_deref(),
        created_at: &p.created,
    };
    let wants_html = header_str(&headers, header::ACCEPT.as_str()).is_some_and(|a| a.contains("text/html"));
    if !wants_html {
        return web::json_text(StatusCode::OK, to_body(&v));
    }
    let row = |k: &str, v: &str| format!("<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Comprobante {id}</title></head><body>\
         <h1>{hotel}</h1><h2>Comprobante de pago {id} — {status}</h2><table>{rows}</table></body></html>",
        id = p.id,
        hotel = escape(&p.hotel_name),
        status = v.status,
        rows = [
            row("Referencia", &p.ref_number),
            row("Cliente", &format!("{} {}", p.ref_name, p.ref_lastname)),
            row("Detalle", p.detail.as_deref().unwrap_or("")),
            row("Valor", &format!("{} {}", p.amount.to_major_string(), p.amount.currency)),
            row("Cuotas", &p.installments.to_string()),
            row("Tarjeta", &format!("{} {}", p.brand, p.masked)),
            row("Autorización", p.authorization.as_deref().unwrap_or("—")),
            row("Fecha", &p.created),
        ]
        .concat(),
    );
    Html(html).into_response()
}
