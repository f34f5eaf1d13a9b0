// The app manifest lists every custom command: with it, a command the capability does not
// allow is refused at the IPC boundary (without it, every command would be open).
const COMMANDS: &[&str] = &[
    // status.rs
    "startup_fault",
    "app_status",
    "ui_ready",
    // live.rs
    "watch_events",
    // take.rs
    "atrip_order",
    "travelport_workbench",
    "heipay_hotels",
    "card_rules",
    // amount.rs
    "read_amount",
    "pay_atrip",
    "pay_travelport",
    "pay_holidayextras",
    "pay_heipay",
    // payments.rs
    "payment_detail",
    "poll_now",
    "resolve_review",
    "regenerate_atrip",
    "retry_atrip",
    "retry_travelport",
    "retry_holidayextras",
    "retry_heipay",
    "refund_holidayextras",
    "resolve_refund",
    "heipay_voucher",
    // history.rs
    "search_payments",
    "payment_summary",
    "export_payments",
    "verify_history",
    // settings.rs
    "get_settings",
    "save_provider_settings",
    "store_credential",
    "forget_credential",
    "set_profile",
    "set_preference",
    // agents.rs
    "desk_agents",
    "add_agent",
    "update_agent",
    "set_agent_pin",
    "remove_agent",
    "choose_agent",
    // connection.rs
    "test_connection",
    // receipt.rs
    "payment_receipt",
    "save_receipt_pdf",
    "open_receipts_folder",
    "email_receipt",
    // business.rs
    "business_settings",
    "save_business",
    "set_business_logo",
    "remove_business_logo",
    "save_smtp",
    "store_smtp_password",
    "forget_smtp_password",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
