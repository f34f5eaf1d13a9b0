//! Drives the real Farepoint window: tauri-driver → WebKitWebDriver → the built app, under the
//! headless X server and D-Bus session that `cargo xtask test` provides (TESTING.md).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Fails the scenario with a message, like `assert!` but without unwinding past the cleanup.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+).into());
        }
    };
}

/// One app window with its own data dir, closed (with its driver) when dropped.
pub struct AppSession {
    pub client: Client,
    pub data_dir: tempfile::TempDir,
    driver: DriverGuard,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn tauri_driver() -> PathBuf {
    std::env::var_os("FAREPOINT_TAURI_DRIVER").map(PathBuf::from).unwrap_or_else(|| "tauri-driver".into())
}

impl AppSession {
    /// Starts the app built by this `cargo test` in a fresh data dir and connects to its window.
    pub async fn start() -> TestResult<AppSession> {
        if std::env::var_os("DISPLAY").is_none() {
            return Err("no X display: run the window tests with `cargo xtask test`, which provides Xvfb, \
                        D-Bus, a keyring and tauri-driver"
                .into());
        }
        let data_dir = tempfile::tempdir()?;
        let (port, native_port) = (free_port(), free_port());
        let driver = Command::new(tauri_driver())
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("FAREPOINT_DATA_DIR", data_dir.path())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("could not start tauri-driver ({e}) — run the tests with `cargo xtask test`")
            })?;
        let session = DriverGuard(Some(driver));
        // tauri-driver forwards to WebKitWebDriver: both must listen before a session can start.
        wait_for_port(port, Duration::from_secs(30))?;
        wait_for_port(native_port, Duration::from_secs(30))?;

        let capabilities = json!({
            "browserName": "wry",
            "tauri:options": { "application": env!("CARGO_BIN_EXE_farepoint") },
        });
        let serde_json::Value::Object(capabilities) = capabilities else { unreachable!() };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await?;
        Ok(AppSession { client, data_dir, driver: session })
    }

    pub fn data_path(&self) -> &Path {
        self.data_dir.path()
    }

    /// Waits (up to 15 s) until `css` matches an element whose visible text satisfies `check`.
    pub async fn wait_for_text(&self, css: &str, check: impl Fn(&str) -> bool) -> TestResult<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                last = element.text().await.unwrap_or_default();
                if check(&last) {
                    return Ok(last);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("timed out waiting for {css}; last text was {last:?}").into())
    }

    /// Saves a PNG of the window under `target/screenshots/` for people to look at.
    pub async fn screenshot(&self, name: &str) -> TestResult<PathBuf> {
        let png = self.client.screenshot().await?;
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target dir").join("screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Ends the WebDriver session (closing the app) and stops the driver.
    pub async fn close(self) -> TestResult {
        let closed = self.client.close().await;
        drop(self.driver);
        Ok(closed?)
    }
}

fn wait_for_port(port: u16, limit: Duration) -> TestResult {
    let deadline = Instant::now() + limit;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("the WebDriver did not listen on port {port} within {limit:?}").into())
}

/// Stops tauri-driver with SIGTERM (SIGKILL would orphan WebKitWebDriver and the app).
struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
