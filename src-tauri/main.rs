// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod cli;

fn main() {
    // `farepoint export …` / `farepoint verify` run here and exit, without opening a window.
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if let Some(code) = cli::run(&args) {
        std::process::exit(code);
    }
    farepoint_app::run();
}
