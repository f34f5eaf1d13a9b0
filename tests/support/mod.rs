//! Drives the real Farepoint window: tauri-driver → WebKitWebDriver → the built app, under the
//! headless X server and D-Bus session that `cargo xtask test` provides (docs/testing.md §2, §3).
// Each end-to-end test binary uses its own part of these helpers.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod axe;
pub mod desk;

use fantoccini::error::NewSessionError;
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

/// One app window with its own data dir (or another window's), closed (with its driver) when
/// dropped.
pub struct AppSession {
    pub client: Client,
    /// The data dir this session made, removed with it; `None` when it runs on another's.
    pub data_dir: Option<tempfile::TempDir>,
    data_path: PathBuf,
    driver: DriverGuard,
}

/// Two distinct free ports. Both listeners are held until both are chosen: asked one after the
/// other, the OS may hand out the same port twice, and then WebKitWebDriver cannot listen beside
/// tauri-driver and every command of the session fails.
fn free_ports() -> (u16, u16) {
    let bind = || TcpListener::bind("127.0.0.1:0").expect("a free port");
    let (a, b) = (bind(), bind());
    let port = |l: &TcpListener| l.local_addr().expect("a bound port").port();
    (port(&a), port(&b))
}

fn tauri_driver() -> PathBuf {
    std::env::var_os("FAREPOINT_TAURI_DRIVER").map(PathBuf::from).unwrap_or_else(|| "tauri-driver".into())
}

impl AppSession {
    /// Starts the app built by this `cargo test` in a fresh data dir and connects to its window.
    pub async fn start() -> TestResult<AppSession> {
        let data_dir = tempfile::tempdir()?;
        let path = data_dir.path().to_path_buf();
        AppSession::launch(Some(data_dir), path, &[]).await
    }

    /// As `start`, with `env` set for the app (e.g. `GTK_THEME` for the dark scheme).
    pub async fn start_with(env: &[(&str, &str)]) -> TestResult<AppSession> {
        let data_dir = tempfile::tempdir()?;
        let path = data_dir.path().to_path_buf();
        AppSession::launch(Some(data_dir), path, env).await
    }

    /// Starts a second app on `data_path` (another window's history), with `env` set for it
    /// (e.g. no D-Bus session), and connects to its window.
    pub async fn start_in(data_path: &Path, env: &[(&str, &str)]) -> TestResult<AppSession> {
        AppSession::launch(None, data_path.to_path_buf(), env).await
    }

    async fn launch(
        data_dir: Option<tempfile::TempDir>,
        data_path: PathBuf,
        env: &[(&str, &str)],
    ) -> TestResult<AppSession> {
        if std::env::var_os("DISPLAY").is_none() {
            return Err("no X display: run the window tests with `cargo xtask test`, which provides Xvfb, \
                        D-Bus, a keyring and tauri-driver"
                .into());
        }
        // A port chosen free can be taken by another process before WebKitWebDriver listens on
        // it ("Unable to listen for HTTP server"); then the driver pair never answers. That is the
        // test machine, not the app: start the pair again on new ports, a bounded number of times.
        let mut tries = 0;
        let (client, session) = loop {
            tries += 1;
            let (port, native_port) = free_ports();
            let driver = Command::new(tauri_driver())
                .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
                .env("FAREPOINT_DATA_DIR", &data_path)
                .envs(env.iter().copied())
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
            // Bounded: an app that exits at once (say, handing over to another on its history)
            // must fail the test, not hang the suite.
            let mut builder = ClientBuilder::new(HttpConnector::new());
            builder.capabilities(capabilities);
            let url = format!("http://127.0.0.1:{port}");
            match tokio::time::timeout(Duration::from_secs(60), builder.connect(&url)).await {
                Err(_) => return Err("the app's window did not come up within 60 s".into()),
                Ok(Ok(client)) => break (client, session),
                Ok(Err(
                    e @ (NewSessionError::Failed(_) | NewSessionError::FailedC(_) | NewSessionError::Lost(_)),
                )) if tries < 3 => {
                    eprintln!("the WebDriver pair on ports {port}/{native_port} did not answer ({e}); starting it again");
                    drop(session);
                }
                Ok(Err(e)) => return Err(e.into()),
            }
        };
        Ok(AppSession { client, data_dir, data_path, driver: session })
    }

    pub fn data_path(&self) -> &Path {
        &self.data_path
    }

    /// Waits (up to 15 s) until `css` matches an element whose visible text satisfies `check`.
    pub async fn wait_for_text(&self, css: &str, check: impl Fn(&str) -> bool) -> TestResult<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = String::new();
        while Instant::now() < deadline {
            // An element replaced while it is read (a re-render) is read again, never taken as "".
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if let Ok(text) = element.text().await {
                    last = text;
                    if check(&last) {
                        return Ok(last);
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("timed out waiting for {css}; last text was {last:?}").into())
    }

    /// Waits (up to 15 s) until `css` matches a displayed element, and returns it.
    pub async fn wait_visible(&self, css: &str) -> TestResult<fantoccini::elements::Element> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if element.is_displayed().await.unwrap_or(false) {
                    return Ok(element);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("timed out waiting for {css} to be shown").into())
    }

    /// Clears the input matched by `css` and types `text` into it, as a person would.
    pub async fn type_into(&self, css: &str, text: &str) -> TestResult {
        self.retry_stale(css, |input| async move {
            input.clear().await?;
            input.send_keys(text).await
        })
        .await
    }

    pub async fn click(&self, css: &str) -> TestResult {
        self.retry_stale(css, |element| async move { element.click().await }).await
    }

    /// Finds `css` and acts on it; if a re-render replaced the element in between (a stale
    /// reference), finds it again — a few times, never forever.
    async fn retry_stale<F, Fut>(&self, css: &str, act: F) -> TestResult
    where
        F: Fn(fantoccini::elements::Element) -> Fut,
        Fut: std::future::Future<Output = Result<(), fantoccini::error::CmdError>>,
    {
        let mut tries = 0;
        loop {
            let element = self.wait_visible(css).await?;
            match act(element).await {
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference && tries < 5 =>
                {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                other => return Ok(other?),
            }
        }
    }

    /// Presses keys (e.g. `Key::Enter`) on whatever has the focus.
    pub async fn press(&self, key: fantoccini::key::Key) -> TestResult {
        let focused = self.client.active_element().await?;
        focused.send_keys(&char::from(key).to_string()).await?;
        Ok(())
    }

    /// Calls a Tauri command from the page, as the UI does; the command's error is an `Err`.
    pub async fn invoke(&self, command: &str, args: serde_json::Value) -> TestResult<serde_json::Value> {
        let answer = self
            .client
            .execute_async(
                "const [cmd, args, done] = arguments;
                 window.__TAURI_INTERNALS__.invoke(cmd, args).then((v) => done({ ok: v }), (e) => done({ err: e }));",
                vec![json!(command), args],
            )
            .await?;
        match answer.get("ok") {
            Some(value) => Ok(value.clone()),
            None => {
                Err(format!("{command} failed: {}", answer.get("err").cloned().unwrap_or_default()).into())
            }
        }
    }

    /// The in-process simulator's ledger: every charge and refund it took, as JSON entries.
    pub async fn sandbox_ledger(&self) -> TestResult<Vec<serde_json::Value>> {
        let status = self.invoke("app_status", json!({})).await?;
        let base = status["sandbox"].as_str().ok_or("the Sandbox profile is not active")?;
        let ledger: Vec<serde_json::Value> =
            reqwest::get(format!("{}/__sandbox/ledger", base.trim_end_matches('/'))).await?.json().await?;
        Ok(ledger)
    }

    /// Arms a fault on the in-process simulator (`fault` as its control API takes it).
    pub async fn sandbox_fault(&self, fault: serde_json::Value) -> TestResult {
        let status = self.invoke("app_status", json!({})).await?;
        let base = status["sandbox"].as_str().ok_or("the Sandbox profile is not active")?;
        let url = format!("{}/__sandbox/faults", base.trim_end_matches('/'));
        let armed = reqwest::Client::new().post(url).json(&fault).send().await?;
        ensure!(armed.status().is_success(), "the simulator refused the fault: {}", armed.text().await?);
        Ok(())
    }

    /// In the Take view: charges a demo Holiday Extras token £45.00 for booking `reference`, as an
    /// agent types it, and confirms with Enter.
    pub async fn take_holidayextras(&self, reference: &str) -> TestResult {
        self.click("#tab-holidayextras").await?;
        self.type_into("#hx-token", "7000000000000001").await?;
        self.type_into("#hx-reference", reference).await?;
        self.type_into("#hx-customer", "Ana Muñoz").await?;
        self.type_into("#hx-amount", "45.00").await?;
        self.click("#take-continue").await?;
        self.wait_for_text("#confirm-amount", |t| !t.is_empty()).await?;
        self.press(fantoccini::key::Key::Enter).await
    }

    /// Every file under the app's data dir (database, WAL, logs) that contains one of `needles`.
    pub fn files_containing(&self, needles: &[&str]) -> TestResult<Vec<String>> {
        let mut found = Vec::new();
        let mut databases = 0;
        let mut dirs = vec![self.data_path().to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir)? {
                let path = entry?.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let bytes = std::fs::read(&path)?;
                for needle in needles {
                    if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                        found.push(format!("{} contains {needle}", path.display()));
                    }
                }
                if path.file_name() == Some(std::ffi::OsStr::new(farepoint_core::store::DB_FILE)) {
                    // Timeline events are stored compressed: read them back to scan their text.
                    databases += 1;
                    let text = timeline_text(path.clone())?;
                    for needle in needles {
                        if text.contains(needle) {
                            found.push(format!("a timeline event in {} contains {needle}", path.display()));
                        }
                    }
                }
            }
        }
        // A scan that found no database would pass for nothing.
        if databases == 0 {
            return Err(format!(
                "no {} under {}",
                farepoint_core::store::DB_FILE,
                self.data_path().display()
            )
            .into());
        }
        Ok(found)
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

    /// As `screenshot`, once the window has painted what the DOM already shows (WebKit's
    /// snapshot can lag a frame or two behind under Xvfb).
    pub async fn snap(&self, name: &str) -> TestResult<PathBuf> {
        self.client
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 250)));",
                vec![],
            )
            .await?;
        self.screenshot(name).await
    }

    /// As `close`, handing back the data dir this session made, to open another app on it.
    pub async fn close_keeping_data(mut self) -> TestResult<tempfile::TempDir> {
        let dir = self.data_dir.take().ok_or("this session runs on another's data dir")?;
        self.close().await?;
        Ok(dir)
    }

    /// Ends the WebDriver session (closing the app) and stops the driver.
    pub async fn close(self) -> TestResult {
        let closed = tokio::time::timeout(Duration::from_secs(30), self.client.close()).await;
        drop(self.driver);
        match closed {
            Ok(closed) => Ok(closed?),
            Err(_) => Err("the WebDriver session did not close within 30 s".into()),
        }
    }

    /// Waits (up to 10 s) until no app holds the history in `data_path` — its window closed, its
    /// process gone — and stops one that lingers (by the process id its desk lock names), so the
    /// next app on the history starts as on a desk where the last one was closed.
    pub async fn wait_until_history_free(data_path: &Path) -> TestResult {
        use farepoint_core::desk_lock::{DeskLock, LOCK_FILE};
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if DeskLock::acquire(data_path).is_ok() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let pid = std::fs::read_to_string(data_path.join(LOCK_FILE))?.trim().to_string();
                eprintln!(
                    "an app still held {} after its window closed: stopping process {pid}",
                    data_path.display()
                );
                Command::new("kill").args(["-KILL", &pid]).status()?;
                tokio::time::sleep(Duration::from_millis(500)).await;
                ensure!(
                    DeskLock::acquire(data_path).is_ok(),
                    "the history stays locked after stopping {pid}"
                );
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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

/// Every stored timeline event of the database at `db` (message and data, decompressed) as JSON
/// text. Read on a thread of its own: the store's blocking calls must not run on the runtime.
pub fn timeline_text(db: PathBuf) -> TestResult<String> {
    use farepoint_core::store::{self, Store};
    let read = std::thread::spawn(move || -> Result<String, String> {
        let store = Store::open(&db).map_err(|e| e.to_string())?;
        store
            .read_blocking(|c| {
                let mut text = String::new();
                for p in store::list_payments(c, i64::MAX, 0)? {
                    let events = store::events_for(c, &p.id)?;
                    text.push_str(&serde_json::to_string(&events).unwrap_or_default());
                }
                Ok(text)
            })
            .map_err(|e| e.to_string())
    });
    Ok(read.join().map_err(|_| "reading the timelines panicked")??)
}
