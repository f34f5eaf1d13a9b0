//! The engine's outgoing stream of timeline events. Subscribers (the UI's channel, tests) get
//! every event after it is committed; a slow subscriber misses events rather than slowing the
//! engine, and can always re-read the stored timeline.

use tokio::sync::broadcast;

use crate::payment::TimelineEvent;

const CAPACITY: usize = 1024;

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<TimelineEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus { sender: broadcast::channel(CAPACITY).0 }
    }
}

impl EventBus {
    pub fn subscribe(&self) -> broadcast::Receiver<TimelineEvent> {
        self.sender.subscribe()
    }

    /// Publishes committed events, in order. Nobody listening is fine.
    pub fn publish(&self, events: impl IntoIterator<Item = TimelineEvent>) {
        for event in events {
            let _ = self.sender.send(event);
        }
    }
}

tokio::task_local! {
    /// Set by [`announcing`]: where the id of a payment journaled by this task is sent.
    static STARTED: tokio::sync::mpsc::UnboundedSender<String>;
}

/// Runs `work` (a `pay_*` call) and sends the new payment's id to `started` as soon as it is
/// journaled, so a caller can follow its timeline while the provider is still answering.
pub async fn announcing<F: std::future::Future>(
    started: tokio::sync::mpsc::UnboundedSender<String>,
    work: F,
) -> F::Output {
    STARTED.scope(started, work).await
}

pub(super) fn announce(payment_id: &str) {
    let _ = STARTED.try_with(|tx| tx.send(payment_id.to_string()));
}
