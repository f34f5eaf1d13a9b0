//! The keyring, read once per pass over the providers.

use super::{Code, Coded};
use crate::secrets::{CredentialKey, SecretStore, SecretString};

/// Reads secrets for one pass over the providers. After the keyring fails once, the rest are not
/// asked for: the same failure would repeat (and a locked keyring would prompt again and again).
pub(super) struct Reader<'a> {
    store: Option<&'a dyn SecretStore>,
    failure: Option<Coded>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(store: Option<&'a dyn SecretStore>) -> Self {
        let failure = store.is_none().then(|| Coded::new(Code::KeyringNotWorking));
        Reader { store, failure }
    }

    pub(super) fn get(&mut self, key: &CredentialKey) -> Result<Option<SecretString>, Coded> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        let store = self.store.expect("a store when nothing failed");
        store.get(key).map_err(|e| {
            let failure = Coded::new(Code::KeyringReadFailed).with("reason", e);
            self.failure = Some(failure.clone());
            failure
        })
    }
}
