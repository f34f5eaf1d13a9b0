//! HeiPay over real HTTP: the credit-card virtual terminal and its vouchers.

use farepoint_core::vault::FieldKey;
use farepoint_sandbox::cards;
use farepoint_sandbox::demo::heipay as d;
use serde_json::json;

use crate::common::{heipay_body, Env};

#[tokio::test]
async fn approved_payment_links_a_voucher_and_is_in_the_ledger() {
    let env = Env::new();
    let r = env.heipay(&heipay_body(d::CARD_KEY, cards::VISA_APPROVE, "1234.50", d::HOTEL_ID)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["msg"], "Pago realizado correctamente");
    let url = r.json["voucher_url"].as_str().unwrap();
    assert!(url.starts_with("v2/terminal-payments/") && url.ends_with("/vouchers"), "{url}");

    let v =
        env.send(env.http.get(format!("{}{url}", env.sb.heipay_base_url())).bearer_auth(d::API_TOKEN)).await;
    assert_eq!(v.status, 200);
    assert_eq!(v.json["status"], "APPROVED");
    assert_eq!(v.json["ref_number"], "FP-HEI-0001");
    assert!(v.text.contains(r#""amount":1234.50"#), "{}", v.text);
    assert_eq!(v.json["card_number"], "411111••••••1111");
    assert!(!v.text.contains(cards::VISA_APPROVE));
    let html = env
        .send(
            env.http
                .get(format!("{}{url}", env.sb.heipay_base_url()))
                .bearer_auth(d::API_TOKEN)
                .header("Accept", "text/html"),
        )
        .await;
    assert!(html.text.starts_with("<!doctype html>") && html.text.contains(d::HOTEL_NAME));

    let ledger = env.ledger().await;
    assert_eq!(ledger.len(), 1);
    let e = &ledger[0];
    assert_eq!((e.amount_minor, e.currency.as_str(), e.reference.as_str()), (123450, "COP", "FP-HEI-0001"));
    assert_eq!(url, format!("v2/terminal-payments/{}/vouchers", e.provider_id));
}

#[tokio::test]
async fn declines_have_the_documented_failure_shape_and_a_voucher() {
    let env = Env::new();
    for (card, detail) in [
        (cards::VISA_DECLINE, "El pago ha sido rechazado"),
        (cards::VISA_INSUFFICIENT_FUNDS, "El pago ha sido rechazado: fondos insuficientes"),
    ] {
        let r = env.heipay(&heipay_body(d::CARD_KEY, card, "1000", d::HOTEL_ID)).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.json["code"], 0);
        assert_eq!(r.json["message"], "Error http: 400");
        assert_eq!(r.json["detail"], detail);
        let url = r.json["extra_info"]["voucher_url"].as_str().unwrap();
        let v = env
            .send(env.http.get(format!("{}{url}", env.sb.heipay_base_url())).bearer_auth(d::API_TOKEN))
            .await;
        assert_eq!(v.json["status"], "REJECTED");
    }
    assert!(env.ledger().await.is_empty());
}

#[tokio::test]
async fn order_fields_are_validated() {
    let env = Env::new();
    let base = heipay_body(d::CARD_KEY, cards::VISA_APPROVE, "1000", d::HOTEL_ID);
    let set = |k: &str, v: serde_json::Value| {
        let mut b = base.clone();
        if v.is_null() {
            b["order"].as_object_mut().unwrap().remove(k);
        } else {
            b["order"][k] = v;
        }
        b
    };
    let cases = [
        (set("detail", json!("x".repeat(100))), 400, 1),
        (set("amount", json!(10.005)), 400, 1),
        (set("amount", json!("1000")), 400, 1),
        (set("amount", json!(0)), 400, 1),
        (set("amount", serde_json::Value::Null), 400, 1),
        (set("tax_percent", json!(1.5)), 400, 1),
        (set("service_percent", json!(0.125)), 400, 1),
        (set("tax_percent", json!(-0.1)), 400, 1),
        (set("installments", json!(0)), 400, 1),
        (set("installments", json!(1.5)), 400, 1),
        (set("ref_name", serde_json::Value::Null), 400, 1),
        (set("ref_lastname", json!("")), 400, 1),
        (set("ref_number", serde_json::Value::Null), 400, 1),
        (set("email", json!("not-an-email")), 400, 1),
        (set("ip", json!("::1")), 400, 1),
        (set("hotel_id", json!(99)), 404, 3),
        (json!({ "order": base["order"] }), 400, 1),
    ];
    for (body, status, code) in cases {
        let r = env.heipay(&body).await;
        assert_eq!(
            (r.status, r.json["code"].as_i64()),
            (status, Some(code)),
            "{}: {}",
            body["order"],
            r.text
        );
        assert_eq!(r.json["message"], format!("Error http: {status}"));
        assert_eq!(r.json["extra_info"], json!({}));
    }
    // The limits themselves are fine.
    let ok = set("detail", json!("é".repeat(99)));
    let mut ok = ok;
    ok["order"]["tax_percent"] = json!(1.00);
    ok["order"]["service_percent"] = json!(0);
    assert_eq!(env.heipay(&ok).await.status, 200);
    assert_eq!(env.ledger().await.len(), 1);
}

#[tokio::test]
async fn card_fields_that_do_not_decrypt_are_rejected_not_a_crash() {
    let env = Env::new();
    // Hotel 2's key for hotel 1, a key nobody has, the page's own sample values, plain text.
    let wrong_hotel = heipay_body(d::SECOND_HOTEL_CARD_KEY, cards::VISA_APPROVE, "1000", d::HOTEL_ID);
    let random_key =
        heipay_body(&FieldKey::generate().expose_base64(), cards::VISA_APPROVE, "1000", d::HOTEL_ID);
    let mut page_sample = heipay_body(d::CARD_KEY, cards::VISA_APPROVE, "1000", d::HOTEL_ID);
    page_sample["card_item"] = json!({
        "cc_code": "SOGBH+0cTEUzCNK00bQ41ofYw==",
        "cc_number": "dBLXqs5dK3MCABhEtVhhA==",
        "cc_expire_month": "rNmtqARSyKdccv4CNfqLATTg==",
        "cc_expire_year": "nORC2oEmmNHmDYe8bbZXD9g60sqQK8ih2w==",
        "cc_holder": "AUXYaEB5+UAldL7Srmuw=="
    });
    let mut plain = heipay_body(d::CARD_KEY, cards::VISA_APPROVE, "1000", d::HOTEL_ID);
    plain["card_item"]["cc_number"] = json!(cards::VISA_APPROVE);
    for body in [wrong_hotel, random_key, page_sample, plain] {
        let r = env.heipay(&body).await;
        assert_eq!((r.status, r.json["code"].as_i64()), (400, Some(4)), "{}", r.text);
        assert!(r.json["detail"].as_str().unwrap().contains("card_item."));
    }
    let mut missing = heipay_body(d::CARD_KEY, cards::VISA_APPROVE, "1000", d::HOTEL_ID);
    missing["card_item"].as_object_mut().unwrap().remove("cc_code");
    assert_eq!(env.heipay(&missing).await.json["code"], 1);
    // The right key for hotel 2 works there.
    let r = env
        .heipay(&heipay_body(d::SECOND_HOTEL_CARD_KEY, cards::AMEX_APPROVE, "50", d::SECOND_HOTEL_ID))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(env.ledger().await.len(), 1);
}

#[tokio::test]
async fn decrypted_card_data_is_checked() {
    use farepoint_core::vault::{AesGcmFields, FieldCipher};
    let env = Env::new();
    let cipher = AesGcmFields::new(&FieldKey::from_base64(d::CARD_KEY).unwrap());
    let with = |field: &str, value: &str| {
        let mut b = heipay_body(d::CARD_KEY, cards::VISA_APPROVE, "1000", d::HOTEL_ID);
        b["card_item"][field] = json!(cipher.encrypt_field(value));
        b
    };
    for (field, value) in [
        ("cc_number", "4111111111111112"),
        ("cc_code", "12"),
        ("cc_expire_month", "13"),
        ("cc_expire_year", "31"),
        ("cc_expire_year", "2020"),
        ("cc_holder", " "),
    ] {
        let r = env.heipay(&with(field, value)).await;
        assert_eq!((r.status, r.json["code"].as_i64()), (400, Some(5)), "{field}={value}: {}", r.text);
    }
    assert!(env.ledger().await.is_empty());
}

#[tokio::test]
async fn bearer_token_is_required() {
    let env = Env::new();
    let body = heipay_body(d::CARD_KEY, cards::VISA_APPROVE, "1000", d::HOTEL_ID);
    let url = format!("{}v2/virtual-terminal/credit-card", env.sb.heipay_base_url());
    for req in [env.http.post(&url).json(&body), env.http.post(&url).bearer_auth("wrong").json(&body)] {
        let r = env.send(req).await;
        assert_eq!((r.status, r.json["code"].as_i64()), (401, Some(2)));
        assert_eq!(r.json["message"], "Error http: 401");
    }
    let v = env
        .send(env.http.get(format!("{}v2/terminal-payments/500/vouchers", env.sb.heipay_base_url())))
        .await;
    assert_eq!(v.status, 401);
    let missing = env
        .send(
            env.http
                .get(format!("{}v2/terminal-payments/999/vouchers", env.sb.heipay_base_url()))
                .bearer_auth(d::API_TOKEN),
        )
        .await;
    assert_eq!(missing.status, 404);
    assert!(env.ledger().await.is_empty());
    // A hotel added through the control API gets a generated key that works.
    let h = env.control_post("heipay/hotels", json!({ "id": 7, "name": "Hotel Siete" })).await;
    assert_eq!(h.status, 201);
    let key = h.json["card_key"].as_str().unwrap();
    assert_eq!(env.heipay(&heipay_body(key, cards::VISA_APPROVE, "10", 7)).await.status, 200);
}
