// The app manifest lists every custom command: with it, a command the capability does not
// allow is refused at the IPC boundary (without it, every command would be open).
const COMMANDS: &[&str] = &["app_status"];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
