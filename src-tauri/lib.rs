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
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::status::app_status,
            // Every command is also listed in build.rs and granted in capabilities/main.json.
        ])
        .run(tauri::generate_context!())
        .expect("Farepoint could not start its window");
}
