//! The history's seal: what makes the timeline tamper-evident to someone who can write its file.
//!
//! A plain hash chain can be recomputed by anyone who edits the file, so each event is sealed
//! with HMAC-SHA-256 under a key the file does not hold: a per-installation key in the OS
//! keyring for Production, a fixed and public demo key for the Sandbox (practice payments only).
//! A seal covers the event, the seal of the event before it in the same payment, its place in
//! the whole history (`gseq`: 1, 2, 3 … across every payment, so a deleted payment leaves a gap)
//! and the payment's own columns as recorded (`facts`: an edited amount breaks every seal of
//! that payment). The newest place and seal are also kept outside the file (`Anchor`, in the
//! keyring), so removing the newest payments — which leaves no gap — is found too.
//!
//! The key reaches SQLite only as a function registered on our own connections
//! (`farepoint_seal`), never as data: a copy of the file, or another program opening it, cannot
//! seal anything.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use hmac::{Hmac, Mac};
use rand::RngCore;
use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::profile::Profile;
use crate::secrets::{CredentialKey, SecretError, SecretStore, SecretString};

/// The SQL function our connections seal with: `farepoint_seal(bytes) → 32-byte seal`.
pub(crate) const SEAL_FN: &str = "farepoint_seal";

/// What a history's `seal` row keeps: the seal of this fixed text, so a key that is not the one
/// that sealed the history is known at once (without revealing the key).
pub(crate) const KEY_CHECK_TEXT: &[u8] = b"farepoint: the key that seals this history";

/// What a place moved to another history is sealed as: this text and the place (`moved_out`).
pub const MOVED_OUT_TEXT: &str = "farepoint moved out ";

/// Keys a provider states after a payment is created and that are then kept in its `subject`
/// (ATRIP's charges, and what the card was charged). The payment's facts are sealed without
/// them; each is covered instead by the event that recorded it, whose data holds the same value.
pub const STATED_LATER: &[&str] =
    &[crate::providers::atrip::subject::keys::CHARGES, crate::providers::atrip::subject::keys::CARD_CHARGED];

/// A 256-bit sealing key. Prints as a mask; zeroed when dropped.
#[derive(Clone)]
pub struct SealKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealKey(••••)")
    }
}

impl SealKey {
    /// The Sandbox's key: public by design (it seals practice payments), the same everywhere so
    /// a Sandbox history verifies on any computer.
    pub fn demo() -> SealKey {
        SealKey(Zeroizing::new(Sha256::digest(b"farepoint sandbox demo seal key - not a secret").into()))
    }

    fn generate() -> SealKey {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        SealKey(key)
    }

    fn from_hex(text: &str) -> Option<SealKey> {
        let bytes = Zeroizing::new(hex::decode(text.trim()).ok()?);
        let key: [u8; 32] = bytes.as_slice().try_into().ok()?;
        Some(SealKey(Zeroizing::new(key)))
    }

    /// HMAC-SHA-256 of `input` under this key.
    pub fn seal(&self, input: &[u8]) -> [u8; 32] {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref()).expect("HMAC takes any key length");
        mac.update(input);
        mac.finalize().into_bytes().into()
    }
}

/// How a history is sealed, chosen by the profile it belongs to.
#[derive(Clone)]
pub struct Sealing {
    key: KeySource,
    anchor: Option<(Arc<dyn SecretStore>, Profile)>,
}

#[derive(Clone)]
enum KeySource {
    Demo,
    /// This installation's key for the profile, in the keyring (made the first time it is needed).
    Installation(Option<Arc<dyn SecretStore>>, Profile),
}

impl Sealing {
    /// The demo key and no outside anchor: tests, samples and tools over Sandbox files.
    pub fn demo() -> Sealing {
        Sealing { key: KeySource::Demo, anchor: None }
    }

    /// A profile's history as the app keeps it: the Sandbox with the demo key, Production with
    /// this installation's key; both anchored in `secrets` when there is a keyring. Production
    /// without a keyring opens, but cannot seal (nor check seals) — it says why.
    pub fn for_profile(profile: Profile, secrets: Option<Arc<dyn SecretStore>>) -> Sealing {
        let key = match profile {
            Profile::Sandbox => KeySource::Demo,
            Profile::Production => KeySource::Installation(secrets.clone(), profile),
        };
        Sealing { key, anchor: secrets.map(|s| (s, profile)) }
    }

    /// The key for the history on `conn`. A Production key is made (and kept in the keyring) only
    /// when `create` and for a history nothing has been sealed in yet: for one already sealed, a
    /// missing key is an error, never a fresh key that would make every earlier seal look forged.
    pub(crate) fn key(&self, conn: &Connection, create: bool) -> Result<SealKey, String> {
        let (secrets, profile) = match &self.key {
            KeySource::Demo => return Ok(SealKey::demo()),
            KeySource::Installation(secrets, profile) => (secrets, *profile),
        };
        let Some(secrets) = secrets else {
            return Err(
                "there is no OS keyring, which keeps the key that seals the Production history".into()
            );
        };
        let entry = CredentialKey::new(profile.as_str(), "history", "seal_key");
        let unreadable =
            |e: SecretError| format!("the key that seals the {profile} history could not be read: {e}");
        // Two Farepoints of this user (two data folders) making the first key at once would each
        // keep their own and one would be overwritten: made under a lock every process shares.
        let _only_one = create.then(creation_lock).flatten();
        if let Some(stored) = secrets.get(&entry).map_err(unreadable)? {
            return SealKey::from_hex(stored.expose_secret())
                .ok_or_else(|| format!("the keyring entry {entry} is not a Farepoint seal key"));
        }
        if !create {
            return Err(format!(
                "this computer's keyring holds no key for the {profile} history (entry {entry})"
            ));
        }
        if already_sealed(conn) {
            return Err(format!(
                "the key that sealed this {profile} history is missing from the OS keyring (entry {entry}) — \
                 restore the keyring from its backup; Farepoint will not start a new seal over an old one"
            ));
        }
        let key = SealKey::generate();
        let text = SecretString::from(hex::encode(key.0.as_ref()));
        secrets
            .set(&entry, &text)
            .map_err(|e| format!("the key that seals the {profile} history could not be kept: {e}"))?;
        tracing::info!(%profile, "a new seal key for this history was made and kept in the OS keyring");
        Ok(key)
    }

    /// Where the newest seal of the history at `db` is kept outside it, if anywhere.
    pub fn anchor(&self, db: &Path) -> Option<Anchor> {
        self.anchor.as_ref().map(|(secrets, profile)| Anchor::new(secrets.clone(), *profile, db))
    }
}

/// An OS lock on a file in the temp folder, held while a key may be made; released when the
/// file is dropped (or its process ends). Without one (a read-only temp folder), go on unlocked.
fn creation_lock() -> Option<std::fs::File> {
    let path = std::env::temp_dir().join("farepoint-seal-key.lock");
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).ok()?;
    file.lock().ok()?;
    Some(file)
}

fn already_sealed(conn: &Connection) -> bool {
    conn.query_row("SELECT 1 FROM seal WHERE id = 1", [], |_| Ok(())).is_ok()
}

/// Registers `farepoint_seal` on `conn`. With no key, the function refuses with the reason, so
/// an append or a check fails saying what to fix rather than sealing with anything else.
pub(crate) fn install(conn: &Connection, key: Result<SealKey, String>) -> rusqlite::Result<()> {
    // DIRECTONLY: a trigger or view someone adds to the file cannot call it.
    let flags =
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_scalar_function(SEAL_FN, 1, flags, move |ctx| {
        let key = key.as_ref().map_err(|reason| rusqlite::Error::UserFunctionError(reason.clone().into()))?;
        let input = match ctx.get_raw(0) {
            rusqlite::types::ValueRef::Blob(bytes) | rusqlite::types::ValueRef::Text(bytes) => bytes,
            _ => return Err(rusqlite::Error::UserFunctionError("only text or bytes are sealed".into())),
        };
        Ok(key.seal(input).to_vec())
    })
}

/// A payment's own columns as sealed: what it is for and how much, never the status (its
/// timeline records that) nor the card summary (each attempt's event names its card).
pub struct Facts<'a> {
    pub provider: &'a str,
    pub reference: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub customer: &'a str,
    pub subject_key: &'a str,
    pub created_at_ms: i64,
    /// The subject as stored (JSON text).
    pub subject: &'a str,
    /// Who took it (id, name as then), when an agent did: sealed after the rest, only when
    /// present, so the payments of a desk without agents keep the digest they always had.
    pub agent: Option<(&'a str, &'a str)>,
}

impl Facts<'_> {
    /// SHA-256 over the facts, each length-prefixed; the subject without what was stated later,
    /// its keys sorted so that the text's own order never matters.
    pub fn digest(&self) -> [u8; 32] {
        let mut subject: serde_json::Value = serde_json::from_str(self.subject)
            .unwrap_or_else(|_| serde_json::Value::String(self.subject.into()));
        if let Some(map) = subject.as_object_mut() {
            for key in STATED_LATER {
                map.remove(*key);
            }
        }
        let mut canonical = String::new();
        canonical_json(&subject, &mut canonical);
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        field(b"farepoint payment facts v1");
        field(self.provider.as_bytes());
        field(self.reference.as_bytes());
        field(&self.amount_minor.to_be_bytes());
        field(self.currency.as_bytes());
        field(self.customer.as_bytes());
        field(self.subject_key.as_bytes());
        field(&self.created_at_ms.to_be_bytes());
        field(canonical.as_bytes());
        if let Some((id, name)) = self.agent {
            field(b"agent");
            field(id.as_bytes());
            field(name.as_bytes());
        }
        h.finalize().into()
    }
}

/// Compact JSON with every object's keys in sorted order.
fn canonical_json(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical_json(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The newest event of a history: its place and its seal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub gseq: i64,
    pub seal: [u8; 32],
}

/// The history's newest seal kept outside its file, in the keyring: one entry per profile and
/// history file (by its path), so that a file cut back to an older state is found. A copy
/// restored on purpose is found the same way — the report says so.
pub struct Anchor {
    secrets: Arc<dyn SecretStore>,
    entry: CredentialKey,
}

impl Anchor {
    pub fn new(secrets: Arc<dyn SecretStore>, profile: Profile, db: &Path) -> Anchor {
        let path = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
        let id = hex::encode(&Sha256::digest(path.to_string_lossy().as_bytes())[..8]);
        Anchor { secrets, entry: CredentialKey::new(profile.as_str(), "history", &format!("head-{id}")) }
    }

    pub fn load(&self) -> Result<Option<Head>, SecretError> {
        let Some(text) = self.secrets.get(&self.entry)? else { return Ok(None) };
        let parsed = text.expose_secret().split_once(':').and_then(|(gseq, seal)| {
            let seal: [u8; 32] = hex::decode(seal).ok()?.try_into().ok()?;
            Some(Head { gseq: gseq.parse().ok()?, seal })
        });
        parsed.map(Some).ok_or_else(|| SecretError::Corrupt {
            key: self.entry.account(),
            detail: "not a Farepoint history head".into(),
        })
    }

    pub fn save(&self, head: &Head) -> Result<(), SecretError> {
        let text = format!("{}:{}", head.gseq, hex::encode(head.seal));
        self.secrets.set(&self.entry, &SecretString::from(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    #[test]
    fn keys_print_as_a_mask_and_seal_differently() {
        let demo = SealKey::demo();
        assert_eq!(format!("{demo:?}"), "SealKey(••••)");
        assert_eq!(demo.seal(b"x"), SealKey::demo().seal(b"x"));
        assert_ne!(demo.seal(b"x"), SealKey::generate().seal(b"x"));
        assert_ne!(demo.seal(b"x"), demo.seal(b"y"));
    }

    #[test]
    fn facts_ignore_key_order_and_what_was_stated_later() {
        let facts = |subject: &str, amount: i64| {
            Facts {
                provider: "atrip",
                reference: "FP-1",
                amount_minor: amount,
                currency: "EUR",
                customer: "Ana",
                subject_key: "ORD1",
                created_at_ms: 1,
                subject,
                agent: None,
            }
            .digest()
        };
        let base = facts(r#"{"a":1,"b":{"c":2,"d":3}}"#, 100);
        assert_eq!(base, facts(r#"{"b":{"d":3,"c":2},"a":1}"#, 100));
        assert_eq!(base, facts(r#"{"a":1,"b":{"c":2,"d":3},"charges":[1],"card_charged":"1.00 EUR"}"#, 100));
        assert_ne!(base, facts(r#"{"a":1,"b":{"c":2,"d":3}}"#, 101));
        assert_ne!(base, facts(r#"{"a":2,"b":{"c":2,"d":3}}"#, 100));
    }

    #[test]
    fn who_took_a_payment_is_sealed_and_one_taken_by_nobody_keeps_its_digest() {
        let facts = |agent| {
            Facts {
                provider: "atrip",
                reference: "FP-1",
                amount_minor: 100,
                currency: "EUR",
                customer: "Ana",
                subject_key: "ORD1",
                created_at_ms: 1,
                subject: "{}",
                agent,
            }
            .digest()
        };
        // The digest of a payment without an agent is the one every earlier version made.
        let mut h = Sha256::new();
        for bytes in [
            &b"farepoint payment facts v1"[..],
            b"atrip",
            b"FP-1",
            &100i64.to_be_bytes(),
            b"EUR",
            b"Ana",
            b"ORD1",
            &1i64.to_be_bytes(),
            b"{}",
        ] {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        }
        assert_eq!(facts(None), <[u8; 32]>::from(h.finalize()));
        let ana = facts(Some(("a1", "Ana")));
        assert_ne!(ana, facts(None));
        assert_ne!(ana, facts(Some(("a1", "Ana María"))), "a renamed record is another record");
        assert_ne!(ana, facts(Some(("a2", "Ana"))));
    }

    #[test]
    fn a_production_key_is_made_once_and_never_replaced_under_a_sealed_history() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE seal (id INTEGER PRIMARY KEY, key_check BLOB)").unwrap();
        let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        let sealing = Sealing::for_profile(Profile::Production, Some(secrets.clone()));
        let first = sealing.key(&conn, true).unwrap();
        assert_eq!(sealing.key(&conn, true).unwrap().seal(b"x"), first.seal(b"x"), "kept, not made again");
        assert_ne!(first.seal(b"x"), SealKey::demo().seal(b"x"));

        conn.execute("INSERT INTO seal VALUES (1, x'00')", []).unwrap();
        secrets.delete(&CredentialKey::new("production", "history", "seal_key")).unwrap();
        let missing = sealing.key(&conn, true).unwrap_err();
        assert!(missing.contains("missing from the OS keyring"), "{missing}");

        let no_keyring = Sealing::for_profile(Profile::Production, None).key(&conn, true).unwrap_err();
        assert!(no_keyring.contains("no OS keyring"), "{no_keyring}");
        assert_eq!(
            Sealing::for_profile(Profile::Sandbox, None).key(&conn, true).unwrap().seal(b"x"),
            SealKey::demo().seal(b"x")
        );
    }

    #[test]
    fn an_anchor_round_trips_per_history_file() {
        let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        let a = Anchor::new(secrets.clone(), Profile::Production, Path::new("/tmp/a/farepoint.sqlite3"));
        let b = Anchor::new(secrets.clone(), Profile::Production, Path::new("/tmp/b/farepoint.sqlite3"));
        assert_eq!(a.load().unwrap(), None);
        let head = Head { gseq: 42, seal: [7; 32] };
        a.save(&head).unwrap();
        assert_eq!(a.load().unwrap(), Some(head));
        assert_eq!(b.load().unwrap(), None, "another file's anchor is its own");
    }
}
