//! The Farepoint desktop shell: window, IPC commands and start-up. Every rule lives in
//! farepoint-core; this crate only adapts it to Tauri.

mod boot;
mod commands;

pub use boot::AppState;

use tauri::Manager;

/// Launching Farepoint again brings the running window forward instead of starting a second app
/// on the same history. On Linux the running app is found over D-Bus, under a name per history
/// (per `FAREPOINT_DATA_DIR`), so desks kept in other folders may run side by side; elsewhere,
/// per installation. Without a session bus the plugin steps aside and the desk lock in `boot`
/// (an OS file lock) still refuses the second app.
fn single_instance() -> tauri::plugin::TauriPlugin<tauri::Wry> {
    let builder = tauri_plugin_single_instance::Builder::new().callback(|app, _args, _cwd| {
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
    });
    match std::env::var_os("FAREPOINT_DATA_DIR") {
        Some(dir) => {
            // FNV-1a over the folder's bytes: the same name in every build, letters and digits only.
            let hash = dir.as_encoded_bytes().iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
            });
            builder.dbus_id(format!("com.farepoint.desk.h{hash:016x}")).build()
        }
        None => builder.build(),
    }
}

/// Builds and runs the app until its last window closes.
pub fn run() {
    tauri::Builder::default()
        .plugin(single_instance())
        .setup(|app| {
            match boot::start(app.handle()) {
                Ok(state) => {
                    app.manage(state);
                }
                Err(fault) => {
                    // The window explains it; nothing was recovered, polled or sent.
                    eprintln!("Farepoint cannot start: {fault}");
                    tracing::error!("start-up refused: {fault}");
                    app.manage(fault);
                }
            }
            app.manage(commands::live::Watcher::default());
            app.manage(commands::settings::Changed::default());
            Ok(())
        })
        .on_window_event(|window, event| {
            // The desk lock and the poller belong to the window a person sees: once it is gone,
            // nothing may keep running unseen (holding the history, or answering a relaunch with
            // no window to bring forward). Start-up recovery picks up whatever was in flight.
            if window.label() == "main" && matches!(event, tauri::WindowEvent::Destroyed) {
                window.app_handle().exit(0);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::status::startup_fault,
            commands::status::app_status,
            commands::history::search_payments,
            commands::history::payment_summary,
            commands::history::export_payments,
            commands::history::verify_history,
            commands::live::watch_events,
            commands::take::atrip_order,
            commands::take::travelport_workbench,
            commands::take::heipay_hotels,
            commands::take::card_rules,
            commands::amount::read_amount,
            commands::take::pay_atrip,
            commands::take::pay_travelport,
            commands::take::pay_holidayextras,
            commands::take::pay_heipay,
            commands::payments::payment_detail,
            commands::payments::poll_now,
            commands::payments::resolve_review,
            commands::payments::regenerate_atrip,
            commands::payments::retry_atrip,
            commands::payments::retry_travelport,
            commands::payments::retry_holidayextras,
            commands::payments::retry_heipay,
            commands::payments::refund_holidayextras,
            commands::payments::resolve_refund,
            commands::payments::heipay_voucher,
            commands::status::ui_ready,
            commands::settings::get_settings,
            commands::settings::save_provider_settings,
            commands::settings::store_credential,
            commands::settings::forget_credential,
            commands::settings::set_profile,
            commands::settings::set_preference,
            commands::agents::desk_agents,
            commands::agents::add_agent,
            commands::agents::update_agent,
            commands::agents::set_agent_pin,
            commands::agents::remove_agent,
            commands::agents::choose_agent,
            commands::connection::test_connection,
            commands::receipt::payment_receipt,
            commands::receipt::save_receipt_pdf,
            commands::receipt::open_receipts_folder,
            commands::receipt::email_receipt,
            commands::business::business_settings,
            commands::business::save_business,
            commands::business::set_business_logo,
            commands::business::remove_business_logo,
            commands::business::save_smtp,
            commands::business::store_smtp_password,
            commands::business::forget_smtp_password,
            // Every command is also listed in build.rs, granted in capabilities/main.json and
            // allowed in isolation/hook.js: tests/ipc_allow_list.rs checks all three.
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            // No window to explain it in (no display, no WebView): say it where it can be read.
            eprintln!("Farepoint could not open its window: {e}. On Linux, check that a desktop session (DISPLAY or WAYLAND_DISPLAY) and WebKitGTK are available.");
            tracing::error!("the window could not be opened: {e}");
            std::process::exit(1);
        });
}
