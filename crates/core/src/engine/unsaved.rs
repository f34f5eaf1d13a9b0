//! A provider's answer that the history could not take (a full disk, a file made read-only or
//! moved, an I/O error) is not lost. The attempt is already journaled, so the history still says
//! the payment may have been charged, and a new payment for the same thing stays refused. The
//! answer itself is kept in memory and saved again and again in the background until the disk
//! takes it; the agent is told plainly not to take the payment again; and if Farepoint stops
//! first, start-up recovery finds the journaled attempt and checks it with the provider.

use std::sync::Arc;
use std::time::Duration;

use super::{Engine, EngineError};
use crate::payment::TimelineEvent;
use crate::store::{self, StoreError};

/// What the agent is told about an answer that is waiting to be saved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unsaved {
    pub payment_id: String,
    /// Our reference, as the agent knows the payment.
    pub reference: String,
    pub provider: &'static str,
    /// The answer is about a refund (not the payment's charge).
    pub refund: bool,
    /// The provider said it took the money (or made the refund).
    pub went_through: bool,
    /// Why the history refused it.
    pub reason: String,
}

/// How soon to save again: 1 s, doubling up to 30 s.
fn next_wait(tries: u32) -> Duration {
    Duration::from_secs(1u64 << tries.min(5)).min(Duration::from_secs(30))
}

impl StoreError {
    /// The history could not be written — the disk, the file or the OS said no — rather than
    /// the write being wrong. Such a write may well succeed later.
    pub fn is_write_failure(&self) -> bool {
        use rusqlite::ErrorCode::*;
        matches!(self, StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, DiskFull | SystemIoFailure | ReadOnly | CannotOpen | DatabaseBusy
                | DatabaseLocked | FileLockingProtocolFailed))
    }
}

impl Engine {
    /// Commits a provider's answer about `payment_id` (its charge, or a refund of it: `refund`;
    /// `went_through` when the answer says the money moved) as `commit` does. If the history cannot
    /// take it, the answer is saved again in the background until it can, and the caller gets
    /// [`EngineError::Unsaved`]. `save` must give the same result each time it runs: it is run
    /// again from the start after a failed transaction.
    pub(super) async fn commit_answer<T, F>(
        &self,
        payment_id: &str,
        provider: &'static str,
        (refund, went_through): (bool, bool),
        save: F,
    ) -> Result<T, EngineError>
    where
        F: Fn(&rusqlite::Transaction<'_>) -> Result<(T, Vec<TimelineEvent>), StoreError>
            + Send
            + Sync
            + 'static,
        T: Send + 'static,
    {
        let save = Arc::new(save);
        let first = {
            let save = save.clone();
            self.commit(move |tx| save(tx)).await
        };
        let reason = match first {
            Err(EngineError::Store(e)) if e.is_write_failure() => e.to_string(),
            other => return other,
        };
        let id = payment_id.to_string();
        let reference = self
            .inner
            .store
            .read(move |c| store::get_payment(c, &id))
            .await
            .map(|p| p.reference)
            .unwrap_or_else(|_| payment_id.to_string());
        let unsaved =
            Unsaved { payment_id: payment_id.to_string(), reference, provider, refund, went_through, reason };
        tracing::error!(
            payment = %unsaved.reference, provider, went_through, reason = %unsaved.reason,
            "the provider's answer could not be saved; saving it again in the background"
        );
        self.unsaved_list().push(unsaved.clone());
        self.keep_saving(unsaved.payment_id.clone(), move |tx| save(tx).map(|(_, events)| ((), events)));
        Err(EngineError::Unsaved(unsaved))
    }

    /// Answers received but not yet in the history, oldest first.
    pub fn unsaved(&self) -> Vec<Unsaved> {
        self.unsaved_list().clone()
    }

    fn unsaved_list(&self) -> std::sync::MutexGuard<'_, Vec<Unsaved>> {
        self.inner.unsaved.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Saves `save` again, with growing waits, until it is saved, the save turns out wrong for
    /// another reason (logged: start-up recovery then checks the payment), or the engine is gone.
    fn keep_saving<F>(&self, payment_id: String, save: F)
    where
        F: Fn(&rusqlite::Transaction<'_>) -> Result<((), Vec<TimelineEvent>), StoreError>
            + Send
            + Sync
            + 'static,
    {
        let weak = Arc::downgrade(&self.inner);
        let save = Arc::new(save);
        tokio::spawn(async move {
            let mut tries = 0;
            loop {
                tokio::time::sleep(next_wait(tries)).await;
                tries += 1;
                let Some(inner) = weak.upgrade() else { return };
                let engine = Engine { inner };
                let attempt = save.clone();
                let outcome = engine.commit(move |tx| attempt(tx)).await;
                match outcome {
                    Err(EngineError::Store(e)) if e.is_write_failure() => {
                        tracing::debug!(payment_id = %payment_id, tries, "still cannot save the answer: {e}");
                        continue;
                    }
                    Ok(()) => tracing::info!(payment_id = %payment_id, tries, "the answer is saved"),
                    Err(e) => {
                        tracing::error!(payment_id = %payment_id, "the answer cannot be saved ({e}); the payment is checked at the next start")
                    }
                }
                engine.unsaved_list().retain(|u| u.payment_id != payment_id);
                engine.wake_poller();
                return;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_to_thirty_seconds() {
        let waits: Vec<u64> = (0..8).map(|n| next_wait(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30, 30]);
    }
}
