//! Take payment: look up what is to be paid, then pay it. Each `pay_*` command sends the new
//! payment's id on `on_started` as soon as it is journaled, so the window can follow its
//! timeline (from `watch_events`) while the provider is still answering.

use farepoint_core::card::{Card, CardBrand, CardEntry, IinRange, IIN_RANGES};
use farepoint_core::engine::events::announcing;
use farepoint_core::engine::{
    AtripPayment, EngineError, HeiPayPayment, HolidayExtrasPayment, PaymentRecord, TravelportFop,
    TravelportPayment,
};
use farepoint_core::money::{Currency, Money};
use farepoint_core::providers::atrip::{Method, Order};
use farepoint_core::providers::heipay::OrderInput;
use farepoint_core::providers::travelport::WorkbenchView;
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::State;

use super::{bounded, bounded_list, bounded_opt, CommandError, MAX_ID, MAX_SHORT, MAX_TEXT};
use crate::AppState;

/// An amount as typed at the desk, read by the core's desk rule (`Money::parse_typed`).
pub fn money(field: &str, amount: &str, currency: &str) -> Result<Money, CommandError> {
    let currency =
        Currency::from_code(currency.trim()).map_err(|e| CommandError::field("currency", e.coded()))?;
    Money::parse_typed(amount, currency).map_err(|e| CommandError::field(field, e.coded()))
}

/// Validates the card form; every problem comes back against its field.
pub fn card(entry: CardEntry) -> Result<Card, CommandError> {
    entry.parse().map_err(CommandError::card)
}

/// The card of a method that takes one (ATRIP VCC/MoR); any other method's entry is dropped.
pub fn card_if(needed: bool, entry: Option<CardEntry>) -> Result<Option<Card>, CommandError> {
    match (needed, entry) {
        (true, Some(entry)) => card(entry).map(Some),
        // Missing when needed: the engine answers with its own "needs a card" message.
        _ => Ok(None),
    }
}

/// Runs a `pay_*` call, telling the window the payment's id once it is journaled.
async fn announced<F>(started: Channel<String>, work: F) -> Result<PaymentRecord, CommandError>
where
    F: std::future::Future<Output = Result<PaymentRecord, EngineError>>,
{
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let forward = async move {
        while let Some(id) = rx.recv().await {
            let _ = started.send(id);
        }
    };
    let (result, ()) = tokio::join!(announcing(tx, work), forward);
    Ok(result?)
}

#[tauri::command]
pub async fn atrip_order(state: State<'_, AppState>, order_no: String) -> Result<Order, CommandError> {
    bounded("order_no", &order_no, MAX_ID)?;
    Ok(state.engine.atrip_order(&order_no).await?)
}

/// Pay an ATRIP order this way. A new attempt after a decline sends no order number: the
/// order is the declined payment's.
#[derive(Deserialize)]
pub struct AtripRequest {
    #[serde(default)]
    order_no: String,
    method: Method,
    card: Option<CardEntry>,
    three_ds_ip: Option<String>,
}

impl AtripRequest {
    pub fn into_payment(self) -> Result<AtripPayment, CommandError> {
        let AtripRequest { order_no, method, card: entry, three_ds_ip } = self;
        bounded("order_no", &order_no, MAX_ID)?;
        bounded_opt("three_ds_ip", three_ds_ip.as_deref(), MAX_ID)?;
        let card = card_if(method.needs_card(), entry)?;
        Ok(AtripPayment { order_no, method, card, three_ds_ip: filled(three_ds_ip) })
    }
}

#[tauri::command]
pub async fn pay_atrip(
    state: State<'_, AppState>,
    request: AtripRequest,
    on_started: Channel<String>,
) -> Result<PaymentRecord, CommandError> {
    let payment = request.into_payment()?;
    announced(on_started, state.engine.pay_atrip(payment)).await
}

#[tauri::command]
pub async fn travelport_workbench(
    state: State<'_, AppState>,
    locator: String,
) -> Result<WorkbenchView, CommandError> {
    bounded("locator", &locator, MAX_ID)?;
    Ok(state.engine.travelport_workbench(&locator).await?)
}

/// How the agent pays Travelport offers: a card keyed now, cash, or a stored form of payment.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum FopRequest {
    Card { card: CardEntry },
    Cash,
    Stored { id: String },
}

impl FopRequest {
    pub fn into_fop(self) -> Result<TravelportFop, CommandError> {
        Ok(match self {
            FopRequest::Card { card: entry } => TravelportFop::Card(card(entry)?),
            FopRequest::Cash => TravelportFop::Cash,
            FopRequest::Stored { id } => {
                bounded("fop", &id, MAX_ID)?;
                TravelportFop::Stored(id)
            }
        })
    }
}

impl TravelportRequest {
    pub fn into_payment(self) -> Result<TravelportPayment, CommandError> {
        let TravelportRequest { locator, offer_ids, fop } = self;
        bounded("locator", &locator, MAX_ID)?;
        bounded_list("offer_ids", &offer_ids, MAX_ID)?;
        Ok(TravelportPayment { locator, offer_ids, fop: fop.into_fop()? })
    }
}

#[derive(Deserialize)]
pub struct TravelportRequest {
    locator: String,
    offer_ids: Vec<String>,
    fop: FopRequest,
}

#[tauri::command]
pub async fn pay_travelport(
    state: State<'_, AppState>,
    request: TravelportRequest,
    on_started: Channel<String>,
) -> Result<PaymentRecord, CommandError> {
    let payment = request.into_payment()?;
    announced(on_started, state.engine.pay_travelport(payment)).await
}

#[derive(Deserialize)]
pub struct HolidayExtrasRequest {
    token: String,
    payment_reference: String,
    amount: String,
    currency: String,
    customer: String,
    postal_code: Option<String>,
    country_code: Option<String>,
}

fn filled(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

impl HolidayExtrasRequest {
    pub fn into_payment(self) -> Result<HolidayExtrasPayment, CommandError> {
        bounded("token", &self.token, MAX_ID)?;
        bounded("payment_reference", &self.payment_reference, MAX_ID)?;
        bounded("amount", &self.amount, MAX_ID)?;
        bounded("currency", &self.currency, MAX_ID)?;
        bounded("customer", &self.customer, MAX_SHORT)?;
        bounded_opt("postal_code", self.postal_code.as_deref(), MAX_ID)?;
        bounded_opt("country_code", self.country_code.as_deref(), MAX_ID)?;
        Ok(HolidayExtrasPayment {
            amount: money("amount", &self.amount, &self.currency)?,
            token: self.token,
            payment_reference: self.payment_reference,
            customer: self.customer,
            postal_code: filled(self.postal_code),
            country_code: filled(self.country_code),
        })
    }
}

#[tauri::command]
pub async fn pay_holidayextras(
    state: State<'_, AppState>,
    request: HolidayExtrasRequest,
    on_started: Channel<String>,
) -> Result<PaymentRecord, CommandError> {
    let payment = request.into_payment()?;
    announced(on_started, state.engine.pay_holidayextras(payment)).await
}

#[derive(Serialize)]
pub struct Hotel {
    id: i64,
    name: String,
}

/// The hotels this profile can take cards for, with the names the desk knows them by.
#[tauri::command]
pub async fn heipay_hotels(state: State<'_, AppState>) -> Result<Vec<Hotel>, CommandError> {
    let ids = state.engine.heipay_hotels()?;
    let names = super::receipt::hotel_names(&state).await?;
    let name =
        |id: i64| names.iter().find(|h| h.id == id).map_or_else(|| format!("Hotel {id}"), |h| h.name.clone());
    Ok(ids.into_iter().map(|id| Hotel { id, name: name(id) }).collect())
}

#[derive(Deserialize)]
pub struct HeiPayRequest {
    hotel_id: i64,
    guest_first_name: String,
    guest_last_name: String,
    detail: Option<String>,
    amount: String,
    installments: u32,
    tax_percent: Option<String>,
    service_percent: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    fiscal_number: Option<String>,
    card: CardEntry,
}

impl HeiPayRequest {
    pub fn into_payment(self) -> Result<HeiPayPayment, CommandError> {
        let request = self;
        for (field, value, max) in [
            ("guest_first_name", Some(request.guest_first_name.as_str()), MAX_SHORT),
            ("guest_last_name", Some(request.guest_last_name.as_str()), MAX_SHORT),
            ("detail", request.detail.as_deref(), MAX_TEXT),
            ("amount", Some(request.amount.as_str()), MAX_ID),
            ("tax_percent", request.tax_percent.as_deref(), MAX_ID),
            ("service_percent", request.service_percent.as_deref(), MAX_ID),
            ("email", request.email.as_deref(), MAX_SHORT),
            ("phone", request.phone.as_deref(), MAX_ID),
            ("address", request.address.as_deref(), MAX_TEXT),
            ("fiscal_number", request.fiscal_number.as_deref(), MAX_ID),
        ] {
            bounded_opt(field, value, max)?;
        }
        let amount =
            money("amount", &request.amount, farepoint_core::providers::heipay::wire::CURRENCY_CODE)?;
        let card = card(request.card)?;
        let order = OrderInput {
            hotel_id: request.hotel_id,
            guest_first_name: request.guest_first_name,
            guest_last_name: request.guest_last_name,
            detail: filled(request.detail),
            amount: Some(amount),
            installments: request.installments,
            tax_percent: filled(request.tax_percent),
            service_percent: filled(request.service_percent),
            email: filled(request.email),
            phone: filled(request.phone),
            address: filled(request.address),
            fiscal_number: filled(request.fiscal_number),
            ip: None,
        };
        Ok(HeiPayPayment { order, card })
    }
}

#[tauri::command]
pub async fn pay_heipay(
    state: State<'_, AppState>,
    request: HeiPayRequest,
    on_started: Channel<String>,
) -> Result<PaymentRecord, CommandError> {
    let payment = request.into_payment()?;
    announced(on_started, state.engine.pay_heipay(payment)).await
}

#[derive(Serialize)]
pub struct BrandRule {
    brand: CardBrand,
    name: &'static str,
    lengths: &'static [usize],
    cvv: usize,
}

#[derive(Serialize)]
pub struct CardRules {
    ranges: &'static [IinRange],
    brands: Vec<BrandRule>,
}

/// The card networks' prefixes and lengths, so the card field shows the brand and checks the
/// length as the agent types — from the same table the core checks on submit.
#[tauri::command]
pub fn card_rules() -> CardRules {
    let brands = CardBrand::ALL
        .into_iter()
        .map(|b| BrandRule { brand: b, name: b.display_name(), lengths: b.lengths(), cvv: b.cvv_length() })
        .collect();
    CardRules { ranges: IIN_RANGES, brands }
}

#[cfg(test)]
mod fuzz;
