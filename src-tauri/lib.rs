//! The Farepoint desktop shell: window, IPC commands and start-up. Every rule lives in
//! farepoint-core; this crate only adapts it to Tauri.

mod boot;
mod commands;

pub use boot::AppState;

/// Builds and runs the app until its last window closes.
pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            let state = boot::start(app.handle())?;
            tauri::Manager::manage(app, state);
            tauri::Manager::manage(app, commands::live::Watcher::default());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::status::app_status,
            commands::history::search_payments,
            commands::history::payment_summary,
            commands::history::export_payments,
            commands::history::verify_history,
            commands::history::payment_receipt,
            commands::live::watch_events,
            commands::take::atrip_order,
            commands::take::travelport_workbench,
            commands::take::heipay_hotels,
            commands::take::card_rules,
            commands::take::pay_atrip,
            commands::take::pay_travelport,
            commands::take::pay_holidayextras,
            commands::take::pay_heipay,
            commands::payments::payment_detail,
            commands::payments::poll_now,
            commands::payments::resolve_review,
            commands::payments::retry_atrip,
            commands::payments::retry_travelport,
            commands::payments::retry_holidayextras,
            commands::payments::retry_heipay,
            commands::payments::refund_holidayextras,
            commands::payments::heipay_voucher,
            commands::status::ui_ready,
            commands::settings::get_settings,
            commands::settings::save_provider_settings,
            commands::settings::store_credential,
            commands::settings::forget_credential,
            commands::settings::set_profile,
            commands::settings::set_preference,
            // Every command is also listed in build.rs and granted in capabilities/main.json.
        ])
        .run(tauri::generate_context!())
        .expect("Farepoint could not start its window");
}
