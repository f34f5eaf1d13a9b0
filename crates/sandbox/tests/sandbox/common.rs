//! Shared helpers: a sandbox per test, a plain reqwest client, provider-shaped calls.

use std::time::Duration;

use farepoint_core::vault::{AesGcmFields, FieldCipher, FieldKey};
use farepoint_sandbox::demo;
use farepoint_sandbox::{LedgerEntry, RunningSandbox, Sandbox, SandboxConfig};
use serde_json::{json, Value};

pub struct Env {
    pub sb: RunningSandbox,
    pub http: reqwest::Client,
}

/// A response: status, raw body text, and the body as JSON (Null when it is not JSON).
pub struct Reply {
    pub status: u16,
    pub text: String,
    pub json: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    async fn from(r: reqwest::Response) -> Reply {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, text, json, headers }
    }
}

impl Env {
    pub fn new() -> Env {
        Env::with(SandboxConfig::for_tests())
    }

    pub fn with(config: SandboxConfig) -> Env {
        let sb = Sandbox::start(config).expect("sandbox starts");
        let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
        Env { sb, http }
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        Reply::from(req.send().await.expect("request sent")).await
    }

    // ---- control API

    pub async fn control_get(&self, path: &str) -> Reply {
        self.send(self.http.get(format!("{}{path}", self.sb.control_url()))).await
    }

    pub async fn control_post(&self, path: &str, body: Value) -> Reply {
        self.send(self.http.post(format!("{}{path}", self.sb.control_url())).json(&body)).await
    }

    pub async fn control_put(&self, path: &str, body: Value) -> Reply {
        self.send(self.http.put(format!("{}{path}", self.sb.control_url())).json(&body)).await
    }

    /// The ledger read over HTTP, the way an outside test would.
    pub async fn ledger(&self) -> Vec<LedgerEntry> {
        let r = self.control_get("ledger").await;
        assert_eq!(r.status, 200);
        serde_json::from_value(r.json).expect("ledger entries")
    }

    pub async fn fault(&self, spec: Value) {
        let r = self.control_post("faults", spec).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }

    // ---- ATRIP

    pub fn atrip_req(&self, op: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{op}", self.sb.atrip_base_url()))
            .header("x-atlas-client-id", demo::atrip::CLIENT_ID)
            .header("x-atlas-client-secret", demo::atrip::CLIENT_SECRET)
    }

    pub async fn atrip(&self, op: &str, body: Value) -> Value {
        let r = self.send(self.atrip_req(op).json(&body)).await;
        assert_eq!(r.status, 200, "ATRIP answers HTTP 200: {}", r.text);
        r.json
    }

    pub async fn atrip_order(&self, order_no: &str) -> Value {
        self.atrip("queryOrderDetails.do", json!({ "orderNo": order_no })).await
    }

    // ---- Travelport

    pub async fn tp_token(&self) -> String {
        let form = [
            ("grant_type", "password"),
            ("username", demo::travelport::USERNAME),
            ("password", demo::travelport::PASSWORD),
            ("client_id", demo::travelport::CLIENT_ID),
            ("client_secret", demo::travelport::CLIENT_SECRET),
        ];
        let body = encode_form(&form);
        let r = self
            .send(
                self.http
                    .post(self.sb.travelport_oauth_token_url())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json["access_token"].as_str().unwrap().to_string()
    }

    pub fn tp_req(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.sb.travelport_air_base_url()))
            .bearer_auth(token)
            .header("TVP-PCC-CORE", demo::travelport::PCC)
            .header("Accept", "application/json")
    }

    pub async fn tp_post(&self, path: &str, token: &str, body: Option<Value>) -> Reply {
        let req = self.tp_req(reqwest::Method::POST, path, token);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        self.send(req).await
    }

    pub async fn tp_get(&self, path: &str, token: &str) -> Reply {
        self.send(self.tp_req(reqwest::Method::GET, path, token)).await
    }

    // ---- Holiday Extras

    pub fn hx_req(&self, op: &str, version: u8) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{op}", self.sb.holidayextras_base_url()))
            .basic_auth(demo::holidayextras::USERNAME, Some(demo::holidayextras::PASSWORD))
            .header("Accept", format!("application/vnd.holidayextras.v{version}+json"))
    }

    pub async fn hx(&self, op: &str, version: u8, body: Value) -> Reply {
        self.send(self.hx_req(op, version).json(&body)).await
    }

    // ---- HeiPay

    pub async fn heipay(&self, body: &Value) -> Reply {
        self.send(
            self.http
                .post(format!("{}v2/virtual-terminal/credit-card", self.sb.heipay_base_url()))
                .bearer_auth(demo::heipay::API_TOKEN)
                .json(body),
        )
        .await
    }
}

/// A form body; the test values are plain ASCII, so no percent-encoding is needed.
fn encode_form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    encode_form(pairs)
}

/// A VCC/MoR card block for ATRIP.
pub fn atrip_card(number: &str, cvv: Option<&str>) -> Value {
    json!({
        "cardNumber": number,
        "cardCVV": cvv,
        "cardExpireMonth": "07",
        "cardExpireYear": "2031",
        "cardHolderLastName": "DOE",
        "cardHolderFirstName": "JOHN",
        "cardHolderCountry": "US",
        "cardHolderPostCode": "90001",
        "cardHolderAddress": "1 Main Street",
        "threeDS": { "ip": "203.0.113.7" },
    })
}

/// A HeiPay body with the card fields encrypted under `key_b64` (docs/design.md §5).
pub fn heipay_body(key_b64: &str, number: &str, amount: &str, hotel_id: i64) -> Value {
    let cipher = AesGcmFields::new(&FieldKey::from_base64(key_b64).unwrap());
    let cvv = if number.len() == 15 { "1234" } else { "123" };
    let order: Value = serde_json::from_str(&format!(
        r#"{{"ref_name": "Juan", "ref_lastname": "Pérez", "ref_number": "FP-HEI-0001",
            "detail": "Habitación 204, 2 noches", "amount": {amount}, "installments": 1,
            "tax_percent": 0.19, "service_percent": 0.10, "hotel_id": {hotel_id},
            "email": "juan@example.com", "phone": "3012104578", "ip": "181.204.153.195"}}"#
    ))
    .unwrap();
    json!({
        "order": order,
        "card_item": {
            "cc_code": cipher.encrypt_field(cvv),
            "cc_number": cipher.encrypt_field(number),
            "cc_expire_month": cipher.encrypt_field("07"),
            "cc_expire_year": cipher.encrypt_field("2031"),
            "cc_holder": cipher.encrypt_field("JUAN PEREZ"),
        }
    })
}

pub fn charges(ledger: &[LedgerEntry]) -> Vec<&LedgerEntry> {
    ledger.iter().filter(|e| e.kind == farepoint_sandbox::EntryKind::Charge).collect()
}
