//! An agent's PIN: typed at the desk, kept only as a slow hash, tried a few times before the
//! desk makes the next try wait (docs/agents.md, "PINs").
//!
//! The hash is Argon2id (RFC 9106) with 64 MiB of memory and three passes: a few tenths of a
//! second on a desk's computer, so a copied history cannot be tried against all 111 million
//! PINs of 4 to 8 digits in any useful time, and a 16-byte random salt per hash. It is kept as
//! its PHC string (`$argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>`), which names its own
//! parameters: stronger ones later still verify the PINs set before. The check compares in
//! constant time (`password_hash`'s `Output`).

use std::fmt;
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::codes::{CodedError, ErrorCode};

/// The shortest and longest PIN, in digits.
pub const PIN_MIN: usize = 4;
pub const PIN_MAX: usize = 8;

/// Argon2id's cost: memory in KiB, passes, lanes (RFC 9106's second recommended option, with
/// one lane: the desk's computer is small and the hash runs beside the app).
const MEMORY_KIB: u32 = 64 * 1024;
const PASSES: u32 = 3;
const LANES: u32 = 1;

/// Wrong PINs in a row an agent may type before the desk makes them wait.
pub const FREE_TRIES: u32 = 3;
/// The first wait, doubled by each further wrong PIN, up to the longest.
const FIRST_WAIT: Duration = Duration::from_secs(30);
pub const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);

/// A PIN as typed: 4 to 8 digits. Not `Clone`, not `Serialize`; prints as a mask; wiped when
/// dropped.
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// Reads a PIN typed at the desk (spaces around it are not part of it).
    pub fn parse(text: &str) -> Result<Pin, CodedError> {
        let pin = Zeroizing::new(text.trim().to_string());
        if !(PIN_MIN..=PIN_MAX).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodedError::new(ErrorCode::AgentPinFormat).with("min", PIN_MIN).with("max", PIN_MAX));
        }
        Ok(Pin(pin))
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(••••)")
    }
}

impl fmt::Display for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("••••")
    }
}

/// A PIN as it arrives from the window, before it is read: wiped when dropped, never printed.
#[derive(Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
#[serde(transparent)]
pub struct PinEntry(String);

impl PinEntry {
    pub fn parse(&self) -> Result<Pin, CodedError> {
        Pin::parse(&self.0)
    }
}

impl From<&str> for PinEntry {
    fn from(text: &str) -> Self {
        PinEntry(text.to_string())
    }
}

impl fmt::Debug for PinEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinEntry(••••)")
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("Argon2 takes these costs");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PIN's Argon2id hash as a PHC string, with a fresh random salt. Slow on purpose: call it
/// from a blocking thread.
pub fn hash(pin: &Pin) -> Result<String, String> {
    hasher().hash_password(pin.0.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `pin` is the one `stored` was made from. A stored text that is no Argon2id hash
/// matches nothing. Slow on purpose: call it from a blocking thread.
pub fn verify(pin: &Pin, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    if parsed.algorithm.as_str() != "argon2id" {
        return false;
    }
    hasher().verify_password(pin.0.as_bytes(), &parsed).is_ok()
}

/// How long an agent must wait before the next try, after `failures` wrong PINs in a row: none
/// for the first `FREE_TRIES`, then 30 s, doubled by each further one, at most 15 minutes.
pub fn wait_after(failures: u32) -> Option<Duration> {
    let beyond = failures.checked_sub(FREE_TRIES)?;
    let wait = FIRST_WAIT.saturating_mul(1u32.checked_shl(beyond.min(16)).unwrap_or(u32::MAX));
    Some(wait.min(LONGEST_WAIT))
}

/// The tries left before a wait, after `failures` wrong PINs in a row.
pub fn tries_left(failures: u32) -> u32 {
    FREE_TRIES.saturating_sub(failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_four_to_eight_digits_and_never_prints() {
        for good in ["1234", " 12345678 ", "0000"] {
            assert!(Pin::parse(good).is_ok(), "{good}");
        }
        for bad in ["123", "123456789", "12a4", "", "12 34", "１２３４"] {
            let e = Pin::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::AgentPinFormat, "{bad}");
            assert_eq!(e.english(), "a PIN is 4 to 8 digits");
        }
        let pin = Pin::parse("4821").unwrap();
        assert!(!format!("{pin:?} {pin}").contains("4821"));
        let entry = PinEntry::from("4821");
        assert!(!format!("{entry:?}").contains("4821"));
        let entry: PinEntry = serde_json::from_str("\"4821\"").unwrap();
        assert!(entry.parse().is_ok());
    }

    #[test]
    fn the_hash_is_argon2id_salted_and_checks_only_its_own_pin() {
        let pin = Pin::parse("4821").unwrap();
        let stored = hash(&pin).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"), "{stored}");
        assert!(!stored.contains("4821"));
        assert!(verify(&pin, &stored));
        assert!(!verify(&Pin::parse("4822").unwrap(), &stored));
        // A fresh salt each time: the same PIN never hashes alike.
        assert_ne!(hash(&pin).unwrap(), stored);
        // What is not an Argon2id hash matches nothing.
        assert!(!verify(&pin, "4821"));
        assert!(!verify(&pin, ""));
        assert!(!verify(&pin, &stored.replace("argon2id", "argon2i")));
    }

    #[test]
    fn wrong_pins_cost_a_growing_wait_after_the_free_tries() {
        assert_eq!((0..FREE_TRIES).map(wait_after).collect::<Vec<_>>(), vec![None; FREE_TRIES as usize]);
        assert_eq!(wait_after(3), Some(Duration::from_secs(30)));
        assert_eq!(wait_after(4), Some(Duration::from_secs(60)));
        assert_eq!(wait_after(5), Some(Duration::from_secs(120)));
        assert_eq!(wait_after(9), Some(LONGEST_WAIT));
        assert_eq!(wait_after(u32::MAX), Some(LONGEST_WAIT));
        assert_eq!((tries_left(0), tries_left(2), tries_left(7)), (3, 1, 0));
    }
}
