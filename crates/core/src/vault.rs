//! Field encryption for the HeiPay virtual terminal (docs/design.md §5).
//!
//! AES-256-GCM, one 32-byte key per hotel account, every field encrypted on its own with a fresh
//! 96-bit nonce from the OS RNG, sent as `base64(nonce ‖ ciphertext ‖ tag)` (standard alphabet,
//! padded), no associated data. The scheme sits behind `FieldCipher` so the provider's real one
//! can replace it without touching callers.

use std::fmt;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use zeroize::Zeroizing;

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("the card key is not valid base64 — paste the key exactly as the provider issued it")]
    KeyNotBase64,
    #[error(
        "the card key must be 32 bytes (AES-256) but this one is {0} bytes — check you pasted the whole key"
    )]
    KeyLength(usize),
    #[error("an encrypted field is not valid base64")]
    FieldNotBase64,
    #[error("an encrypted field is too short to hold a nonce and a tag")]
    FieldTooShort,
    #[error("an encrypted field failed authentication: wrong key or altered data")]
    Authentication,
    #[error("a decrypted field is not UTF-8 text")]
    NotText,
}

/// A hotel's 32-byte card key. Prints as a mask; wiped on drop.
pub struct FieldKey(Zeroizing<[u8; KEY_LEN]>);

impl FieldKey {
    /// Reads the key as stored in the keyring and issued by the provider: base64 of 32 bytes.
    pub fn from_base64(encoded: &str) -> Result<FieldKey, VaultError> {
        let bytes = Zeroizing::new(STANDARD.decode(encoded.trim()).map_err(|_| VaultError::KeyNotBase64)?);
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<FieldKey, VaultError> {
        let array: [u8; KEY_LEN] = bytes.try_into().map_err(|_| VaultError::KeyLength(bytes.len()))?;
        Ok(FieldKey(Zeroizing::new(array)))
    }

    /// A new random key (for the sandbox's demo hotels and for tests).
    pub fn generate() -> FieldKey {
        let key = Aes256Gcm::generate_key(&mut OsRng);
        FieldKey(Zeroizing::new(key.into()))
    }

    /// The key as base64, for storing in the keyring. Never log the result.
    pub fn expose_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.0.as_slice()))
    }
}

impl fmt::Debug for FieldKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FieldKey(***)")
    }
}

/// Encrypts and decrypts single card fields for transport.
pub trait FieldCipher: Send + Sync {
    fn encrypt_field(&self, plaintext: &str) -> String;
    fn decrypt_field(&self, encoded: &str) -> Result<Zeroizing<String>, VaultError>;
}

/// A hotel's cipher, built from its card key exactly as the keyring holds it (and as Settings checks
/// it before storing). The one place that chooses HeiPay's scheme: HeiPay does not publish its own,
/// so when a real account shows it, the real scheme replaces `AesGcmFields` here and the client,
/// Settings and the Sandbox follow unchanged.
pub fn hotel_cipher(stored_key: &str) -> Result<Box<dyn FieldCipher>, VaultError> {
    Ok(Box::new(AesGcmFields::new(&FieldKey::from_base64(stored_key)?)))
}

/// The AES-256-GCM scheme Farepoint assumes for HeiPay (see `crates/sandbox/README.md`, "HeiPay").
pub struct AesGcmFields {
    cipher: Aes256Gcm,
}

impl AesGcmFields {
    pub fn new(key: &FieldKey) -> Self {
        AesGcmFields { cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key.0.as_slice())) }
    }

    fn seal(&self, nonce: &Nonce<<Aes256Gcm as AeadCore>::NonceSize>, plaintext: &[u8]) -> Vec<u8> {
        // Encryption only fails for inputs beyond GCM's 64 GiB limit; card fields are bytes long.
        let sealed = self.cipher.encrypt(nonce, plaintext).expect("card field within AES-GCM limits");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(nonce);
        out.extend_from_slice(&sealed);
        out
    }
}

impl FieldCipher for AesGcmFields {
    fn encrypt_field(&self, plaintext: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        STANDARD.encode(self.seal(&nonce, plaintext.as_bytes()))
    }

    fn decrypt_field(&self, encoded: &str) -> Result<Zeroizing<String>, VaultError> {
        let bytes = STANDARD.decode(encoded.trim()).map_err(|_| VaultError::FieldNotBase64)?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(VaultError::FieldTooShort);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = Zeroizing::new(
            self.cipher.decrypt(Nonce::from_slice(nonce), sealed).map_err(|_| VaultError::Authentication)?,
        );
        let text = std::str::from_utf8(&plain).map_err(|_| VaultError::NotText)?;
        Ok(Zeroizing::new(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// AES-256 known-answer vectors from the GCM specification submitted to NIST
    /// (McGrew & Viega, test cases 13–15: 96-bit IV, no associated data).
    #[test]
    fn nist_gcm_known_answers() {
        let cases = [
            (
                "0000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000",
                "",
                "",
                "530f8afbc74536b9a963b4f1c4cb738b",
            ),
            (
                "0000000000000000000000000000000000000000000000000000000000000000",
                "000000000000000000000000",
                "00000000000000000000000000000000",
                "cea7403d4d606b6e074ec5d3baf39d18",
                "d0d1c8a799996bf0265b98b5d48ab919",
            ),
            (
                "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
                "cafebabefacedbaddecaf888",
                "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
                "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
                "b094dac5d93471bdec1a502270e3cc6c",
            ),
        ];
        for (key, iv, plain, cipher, tag) in cases {
            let fields = AesGcmFields::new(&FieldKey::from_bytes(&hex(key)).unwrap());
            let sealed = fields.seal(Nonce::from_slice(&hex(iv)), &hex(plain));
            let expected = [hex(iv), hex(cipher), hex(tag)].concat();
            assert_eq!(hex::encode(&sealed), hex::encode(&expected), "vector with key {key}");
            // The wire form decrypts back, through the same path the sandbox uses.
            if let Ok(text) = std::str::from_utf8(&hex(plain)) {
                assert_eq!(fields.decrypt_field(&STANDARD.encode(&expected)).unwrap().as_str(), text);
            }
        }
    }

    #[test]
    fn wire_form_is_base64_of_nonce_ciphertext_tag() {
        let fields = AesGcmFields::new(&FieldKey::generate());
        let encoded = fields.encrypt_field("4111111111111111");
        let raw = STANDARD.decode(&encoded).unwrap();
        assert_eq!(raw.len(), NONCE_LEN + 16 + TAG_LEN);
        assert!(encoded.len().is_multiple_of(4), "standard alphabet, padded");
        assert!(!encoded.contains("4111111111111111"));
    }

    #[test]
    fn round_trips_each_card_field() {
        let key = FieldKey::generate();
        let fields = AesGcmFields::new(&key);
        for value in ["4111111111111111", "737", "03", "2029", "JANE O'NEIL", ""] {
            let encoded = fields.encrypt_field(value);
            assert_eq!(fields.decrypt_field(&encoded).unwrap().as_str(), value);
        }
        // A key that went through the keyring's base64 form works the same.
        let again = AesGcmFields::new(&FieldKey::from_base64(&key.expose_base64()).unwrap());
        assert_eq!(again.decrypt_field(&fields.encrypt_field("737")).unwrap().as_str(), "737");
    }

    #[test]
    fn two_encryptions_of_one_value_differ() {
        let fields = AesGcmFields::new(&FieldKey::generate());
        let a = fields.encrypt_field("4111111111111111");
        let b = fields.encrypt_field("4111111111111111");
        assert_ne!(a, b);
        assert_ne!(STANDARD.decode(&a).unwrap()[..NONCE_LEN], STANDARD.decode(&b).unwrap()[..NONCE_LEN]);
    }

    #[test]
    fn tampering_is_detected() {
        let fields = AesGcmFields::new(&FieldKey::generate());
        let encoded = fields.encrypt_field("737");
        let raw = STANDARD.decode(&encoded).unwrap();
        for i in 0..raw.len() {
            let mut altered = raw.clone();
            altered[i] ^= 0x01;
            assert_eq!(
                fields.decrypt_field(&STANDARD.encode(&altered)).unwrap_err(),
                VaultError::Authentication,
                "flipped byte {i}"
            );
        }
        assert_eq!(fields.decrypt_field("not base64!").unwrap_err(), VaultError::FieldNotBase64);
        assert_eq!(fields.decrypt_field("AAAA").unwrap_err(), VaultError::FieldTooShort);
        let other = AesGcmFields::new(&FieldKey::generate());
        assert_eq!(other.decrypt_field(&encoded).unwrap_err(), VaultError::Authentication);
    }

    #[test]
    fn wrong_length_key_is_an_error() {
        assert_eq!(FieldKey::from_bytes(&[0u8; 16]).unwrap_err(), VaultError::KeyLength(16));
        assert_eq!(
            FieldKey::from_base64(&STANDARD.encode([7u8; 24])).unwrap_err(),
            VaultError::KeyLength(24)
        );
        assert_eq!(FieldKey::from_base64("%%%").unwrap_err(), VaultError::KeyNotBase64);
        assert!(FieldKey::from_base64(&STANDARD.encode([7u8; 32])).is_ok());
    }

    #[test]
    fn key_debug_is_masked() {
        let key = FieldKey::from_bytes(&[0xAB; 32]).unwrap();
        let printed = format!("{key:?}");
        assert_eq!(printed, "FieldKey(***)");
        assert!(!printed.contains(key.expose_base64().as_str()));
    }
}
