//! The business's own mail server, through which receipts are emailed (lettre over tokio, with
//! rustls on aws-lc-rs and the platform's certificate verifier, as `providers/http.rs` has it).
//!
//! Desk-wide like the business itself (`business`): host, port, security, user name and the
//! sender's address are rows of the `settings` table under scope `app` (`smtp.<field>`); the
//! password is a secret, so it lives only in the OS keyring, as `app/smtp/password`
//! (docs/design.md §6). Mail without encryption is allowed only to a server on this computer.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::business::{self, FieldSpec, APP_SCOPE};
use crate::codes::{CodedError, ErrorCode};
use crate::secrets::{CredentialKey, ExposeSecret, SecretError, SecretStore, SecretString};
use crate::settings::{Code, Coded, SettingsError};
use crate::store::{self, StoreError};

/// How long a send may take, connecting included, before the server counts as unreachable.
const TIMEOUT: Duration = Duration::from_secs(20);

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain first, then upgraded with STARTTLS, which the server must offer (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption: only to a server on this computer.
    None,
}

impl Security {
    pub const ALL: [Security; 3] = [Security::StartTls, Security::Tls, Security::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Security::StartTls => "starttls",
            Security::Tls => "tls",
            Security::None => "none",
        }
    }

    /// The port a server of this kind usually listens on.
    pub fn default_port(self) -> u16 {
        match self {
            Security::StartTls => 587,
            Security::Tls => 465,
            Security::None => 25,
        }
    }
}

/// A choice Settings offers, served so the window keeps no copy of the list or the ports.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityChoice {
    pub security: Security,
    pub default_port: u16,
}

pub fn security_choices() -> Vec<SecurityChoice> {
    Security::ALL
        .iter()
        .map(|&security| SecurityChoice { security, default_port: security.default_port() })
        .collect()
}

/// What the agent typed in Settings → Business, "Email receipts".
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SmtpInput {
    pub host: String,
    /// Empty for the security's usual port.
    pub port: String,
    pub security: String,
    pub username: String,
    pub from: String,
}

/// The mail server as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// Empty: the server takes mail without signing in.
    pub username: String,
    /// The sender's address receipts come from.
    pub from: String,
}

impl Default for Smtp {
    fn default() -> Self {
        Smtp {
            host: String::new(),
            port: 587,
            security: Security::StartTls,
            username: String::new(),
            from: String::new(),
        }
    }
}

impl Smtp {
    /// Whether receipts can be sent: a server and a sender's address.
    pub fn is_set_up(&self) -> bool {
        !self.host.is_empty() && !self.from.is_empty()
    }

    /// "smtp.example.com:587", as errors name it.
    pub fn server(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    pub fn needs_password(&self) -> bool {
        !self.username.is_empty()
    }
}

const HOST: FieldSpec = FieldSpec { key: "host", label: "Mail server", max: 253 };
const PORT: FieldSpec = FieldSpec { key: "port", label: "Port", max: 5 };
const SECURITY: FieldSpec = FieldSpec { key: "security", label: "Security", max: 8 };
const USERNAME: FieldSpec = FieldSpec { key: "username", label: "User name", max: 254 };
const FROM: FieldSpec = FieldSpec { key: "from", label: "Send from", max: 254 };
const PASSWORD: FieldSpec = FieldSpec { key: "password", label: "Password", max: 2000 };

fn key(field: &FieldSpec) -> String {
    format!("smtp.{}", field.key)
}

/// Where the password is kept in the keyring: `app/smtp/password`.
pub fn password_key() -> CredentialKey {
    CredentialKey::new(APP_SCOPE, "smtp", PASSWORD.key)
}

/// localhost, 127.0.0.0/8 or ::1: the only servers mail may reach unencrypted.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl SmtpInput {
    fn check(&self) -> Result<Smtp, SettingsError> {
        let host = business::line(&HOST, &self.host)?;
        let name_chars = |c: char| c.is_ascii_alphanumeric() || ".-:[]".contains(c);
        if !host.chars().all(name_chars) || host.starts_with(['.', '-']) {
            return Err(business::invalid(&HOST, Coded::new(Code::SmtpHost).with("value", &host)));
        }
        let security =
            Security::ALL.into_iter().find(|s| s.as_str() == self.security.trim()).ok_or_else(|| {
                let choices = Security::ALL.map(Security::as_str).join(", ");
                business::invalid(
                    &SECURITY,
                    Coded::new(Code::NotAChoice).with("value", self.security.trim()).with("choices", choices),
                )
            })?;
        let port =
            match business::line(&PORT, &self.port)?.as_str() {
                "" => security.default_port(),
                text => text.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                    business::invalid(&PORT, Coded::new(Code::SmtpPort).with("value", text))
                })?,
            };
        if security == Security::None && !host.is_empty() && !is_loopback(&host) {
            return Err(business::invalid(&SECURITY, Coded::new(Code::SmtpPlain).with("value", &host)));
        }
        let from = business::email(&FROM, &self.from)?;
        if !host.is_empty() && from.is_empty() {
            return Err(business::invalid(&FROM, Coded::new(Code::Required)));
        }
        Ok(Smtp { host, port, security, username: business::line(&USERNAME, &self.username)?, from })
    }
}

/// The mail server as stored, or the defaults (no server) when none was entered.
pub fn load(conn: &Connection) -> Result<Smtp, SettingsError> {
    let get = |field: &FieldSpec| -> Result<Option<String>, StoreError> {
        store::get_setting(conn, APP_SCOPE, &key(field))
    };
    let defaults = Smtp::default();
    let security = get(&SECURITY)?
        .and_then(|s| Security::ALL.into_iter().find(|x| x.as_str() == s))
        .unwrap_or(defaults.security);
    Ok(Smtp {
        host: get(&HOST)?.unwrap_or_default(),
        port: get(&PORT)?.and_then(|p| p.parse().ok()).unwrap_or(security.default_port()),
        security,
        username: get(&USERNAME)?.unwrap_or_default(),
        from: get(&FROM)?.unwrap_or_default(),
    })
}

/// Saves the mail server, checked first and written in one transaction. An empty server name
/// means receipts are not emailed.
pub fn save(conn: &mut Connection, input: &SmtpInput, now_ms: i64) -> Result<Smtp, SettingsError> {
    let checked = input.check()?;
    let tx = conn.transaction().map_err(StoreError::from)?;
    for (field, value) in [
        (&HOST, checked.host.clone()),
        (&PORT, checked.port.to_string()),
        (&SECURITY, checked.security.as_str().to_string()),
        (&USERNAME, checked.username.clone()),
        (&FROM, checked.from.clone()),
    ] {
        store::set_setting(&tx, APP_SCOPE, &key(field), &value, now_ms)?;
    }
    tx.commit().map_err(StoreError::from)?;
    load(conn)
}

/// Stores the server's password in the keyring; it is never shown or logged.
pub fn store_password(
    smtp: &Smtp,
    secrets: &dyn SecretStore,
    value: SecretString,
) -> Result<(), SettingsError> {
    if !smtp.needs_password() {
        return Err(business::invalid(&PASSWORD, Coded::new(Code::SmtpNoUsername)));
    }
    if value.expose_secret().is_empty() {
        return Err(business::invalid(&PASSWORD, Coded::new(Code::SecretEmpty)));
    }
    secrets.set(&password_key(), &value)?;
    Ok(())
}

pub fn forget_password(secrets: &dyn SecretStore) -> Result<(), SettingsError> {
    secrets.delete(&password_key())?;
    Ok(())
}

/// Why a message was not sent. The server's own words, where it gave some, are kept.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("no mail server is set up")]
    NotSetUp,
    #[error("the mail server's password is not stored")]
    PasswordMissing,
    #[error(transparent)]
    Keyring(#[from] SecretError),
    #[error("could not connect to {server}: {reason}")]
    Unreachable { server: String, reason: String },
    #[error("the secure connection to {server} failed: {reason}")]
    Tls { server: String, reason: String },
    #[error("{server} refused the message: {reply}")]
    Refused { server: String, reply: String },
    #[error("sending through {server} failed: {reason}")]
    Failed { server: String, reason: String },
}

impl SendError {
    /// The refusal by code, for the window.
    pub fn coded(&self) -> CodedError {
        let (code, server) = match self {
            SendError::NotSetUp => return CodedError::new(ErrorCode::SmtpNotSetUp),
            SendError::PasswordMissing => return CodedError::new(ErrorCode::SmtpPasswordMissing),
            SendError::Keyring(e) => return CodedError::new(ErrorCode::SmtpKeyring).with("reason", e),
            SendError::Unreachable { server, .. } => (ErrorCode::SmtpUnreachable, server),
            SendError::Tls { server, .. } => (ErrorCode::SmtpTls, server),
            SendError::Refused { server, .. } => (ErrorCode::SmtpRefused, server),
            SendError::Failed { server, .. } => (ErrorCode::SmtpFailed, server),
        };
        let coded = CodedError::new(code).with("server", server);
        match self {
            SendError::Refused { reply, .. } => coded.with("reply", reply),
            SendError::Unreachable { reason, .. }
            | SendError::Tls { reason, .. }
            | SendError::Failed { reason, .. } => coded.with("reason", reason),
            _ => coded,
        }
    }
}

/// The password `smtp` signs in with: none when it signs in with no user name.
pub fn password_for(smtp: &Smtp, secrets: &dyn SecretStore) -> Result<Option<SecretString>, SendError> {
    if !smtp.needs_password() {
        return Ok(None);
    }
    secrets.get(&password_key())?.map(Some).ok_or(SendError::PasswordMissing)
}

/// Sends one message through the business's server, once: a message that may have been taken is
/// never sent again by itself (the agent sees what happened and decides).
pub async fn send(smtp: &Smtp, password: Option<SecretString>, message: Message) -> Result<(), SendError> {
    if !smtp.is_set_up() {
        return Err(SendError::NotSetUp);
    }
    let server = smtp.server();
    let tls_failed =
        |e: lettre::transport::smtp::Error| SendError::Tls { server: server.clone(), reason: e.to_string() };
    let tls = match smtp.security {
        Security::StartTls => Tls::Required(TlsParameters::new(smtp.host.clone()).map_err(tls_failed)?),
        Security::Tls => Tls::Wrapper(TlsParameters::new(smtp.host.clone()).map_err(tls_failed)?),
        Security::None if is_loopback(&smtp.host) => Tls::None,
        Security::None => {
            return Err(SendError::Tls {
                server,
                reason: "mail without encryption leaves only to this computer".into(),
            })
        }
    };
    // An IPv6 address is written in brackets ("[::1]"); it is connected to without them.
    let mut builder =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.trim_matches(['[', ']']))
            .port(smtp.port)
            .tls(tls)
            .timeout(Some(TIMEOUT));
    if smtp.needs_password() {
        let password = password.ok_or(SendError::PasswordMissing)?;
        builder = builder
            .credentials(Credentials::new(smtp.username.clone(), password.expose_secret().to_string()));
    }
    let transport = builder.build();
    match transport.send(message).await {
        Ok(_) => Ok(()),
        Err(e) => Err(classify(server, &e)),
    }
}

/// A lettre error as what the agent is told: the server's refusal in its own words, or why it
/// could not be reached.
fn classify(server: String, e: &lettre::transport::smtp::Error) -> SendError {
    use std::error::Error as _;
    if e.is_permanent() || e.is_transient() {
        let words = e.source().map(|s| s.to_string()).unwrap_or_default();
        let code = e.status().map(|c| c.to_string()).unwrap_or_default();
        let reply = format!("{code} {words}").trim().to_string();
        return SendError::Refused { server, reply };
    }
    if e.is_tls() {
        return SendError::Tls { server, reason: e.to_string() };
    }
    let text = e.to_string();
    if e.is_timeout() || text.starts_with("Connection error") || text.starts_with("network error") {
        return SendError::Unreachable { server, reason: text };
    }
    SendError::Failed { server, reason: text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::business::test_conn as conn;
    use crate::secrets::MemoryStore;

    fn input(host: &str, security: &str) -> SmtpInput {
        SmtpInput {
            host: host.into(),
            port: String::new(),
            security: security.into(),
            username: "recibos".into(),
            from: "recibos@nandu.example".into(),
        }
    }

    #[test]
    fn the_server_is_kept_with_its_usual_port_and_its_password_in_the_keyring() {
        let (_dir, mut conn) = conn();
        assert!(!load(&conn).unwrap().is_set_up());
        let smtp = save(&mut conn, &input(" smtp.nandu.example ", "tls"), 1).unwrap();
        assert_eq!(
            (smtp.host.as_str(), smtp.port, smtp.security),
            ("smtp.nandu.example", 465, Security::Tls)
        );
        assert!(smtp.is_set_up() && smtp.needs_password());
        let secrets = MemoryStore::new();
        assert!(matches!(password_for(&smtp, &secrets), Err(SendError::PasswordMissing)));
        store_password(&smtp, &secrets, SecretString::from("s3cret")).unwrap();
        assert_eq!(password_for(&smtp, &secrets).unwrap().unwrap().expose_secret(), "s3cret");
        assert_eq!(password_key().account(), "app/smtp/password");
        forget_password(&secrets).unwrap();
        assert!(matches!(password_for(&smtp, &secrets), Err(SendError::PasswordMissing)));
        // Nothing secret is in the settings table.
        let values: Vec<String> = conn
            .prepare("SELECT value FROM settings")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!values.iter().any(|v| v.contains("s3cret")), "{values:?}");
    }

    #[test]
    fn plain_mail_goes_only_to_this_computer_and_wrong_values_are_refused_by_code() {
        let (_dir, mut conn) = conn();
        let refused = |conn: &mut Connection, input: SmtpInput| match save(conn, &input, 1).unwrap_err() {
            SettingsError::Invalid { field, problem, .. } => (field, problem.code),
            other => panic!("{other}"),
        };
        assert_eq!(
            refused(&mut conn, input("smtp.nandu.example", "none")),
            ("security".into(), Code::SmtpPlain)
        );
        assert_eq!(refused(&mut conn, input("smtp nandu", "tls")), ("host".into(), Code::SmtpHost));
        assert_eq!(
            refused(&mut conn, input("smtp.nandu.example", "ssl")),
            ("security".into(), Code::NotAChoice)
        );
        let mut no_port = input("smtp.nandu.example", "tls");
        no_port.port = "70000".into();
        assert_eq!(refused(&mut conn, no_port), ("port".into(), Code::SmtpPort));
        let mut no_from = input("smtp.nandu.example", "tls");
        no_from.from = String::new();
        assert_eq!(refused(&mut conn, no_from), ("from".into(), Code::Required));
        for loopback in ["127.0.0.1", "localhost", "[::1]"] {
            let smtp = save(&mut conn, &input(loopback, "none"), 1).unwrap();
            assert_eq!((smtp.security, smtp.port), (Security::None, 25));
        }
        let none = Smtp { username: String::new(), ..load(&conn).unwrap() };
        assert!(matches!(store_password(&none, &MemoryStore::new(), SecretString::from("x")),
            Err(SettingsError::Invalid { problem, .. }) if problem.code == Code::SmtpNoUsername));
    }

    /// Against the real OS keyring, as the app keeps it (`cargo xtask test` provides one).
    #[test]
    fn real_os_keyring_keeps_the_mail_servers_password() {
        let keyring = crate::secrets::KeyringStore::with_service("farepoint-tests").unwrap();
        if let Err(e) = crate::secrets::self_check(&keyring) {
            panic!("no usable OS keyring — run the tests with `cargo xtask test`: {e}");
        }
        let smtp = Smtp { username: "recibos".into(), ..Smtp::default() };
        store_password(&smtp, &keyring, SecretString::from("pässwörd 1")).unwrap();
        let other = crate::secrets::KeyringStore::with_service("farepoint-tests").unwrap();
        assert_eq!(password_for(&smtp, &other).unwrap().unwrap().expose_secret(), "pässwörd 1");
        forget_password(&keyring).unwrap();
        assert!(matches!(password_for(&smtp, &other), Err(SendError::PasswordMissing)));
    }

    #[tokio::test]
    async fn a_server_that_does_not_answer_is_said_to_be_unreachable() {
        // A port nothing listens on: bound, then let go.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let smtp = Smtp {
            host: "127.0.0.1".into(),
            port,
            security: Security::None,
            username: String::new(),
            from: "a@b.example".into(),
        };
        let message = Message::builder()
            .from("a@b.example".parse().unwrap())
            .to("c@d.example".parse().unwrap())
            .subject("x")
            .body(String::from("x"))
            .unwrap();
        let err = send(&smtp, None, message).await.unwrap_err();
        assert!(matches!(err, SendError::Unreachable { .. }), "{err:?}");
        let coded = err.coded();
        assert_eq!(
            (coded.code, coded.params["server"].as_str()),
            (ErrorCode::SmtpUnreachable, smtp.server().as_str())
        );
        assert!(matches!(
            send(
                &Smtp::default(),
                None,
                Message::builder()
                    .from("a@b.example".parse().unwrap())
                    .to("c@d.example".parse().unwrap())
                    .body(String::new())
                    .unwrap()
            )
            .await,
            Err(SendError::NotSetUp)
        ));
    }
}
