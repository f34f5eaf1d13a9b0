//! heipay through the engine (in progress).

use super::{Engine, EngineError};
use crate::payment::{Attempt, Payment};

impl Engine {
    /// Follow-up of an attempt that is due (reconciliation of `Unknown`, and so on).
    pub(super) async fn poll_heipay(&self, payment: Payment, attempt: Attempt) -> Result<(), EngineError> {
        tracing::warn!(payment = %payment.reference, attempt = %attempt.id, "no heipay follow-up yet");
        Ok(())
    }
}
