//! The live stream of committed timeline events to the window, over one Tauri channel.

use std::sync::Mutex;

use farepoint_core::payment::TimelineEvent;
use serde::Serialize;
use tauri::async_runtime::JoinHandle;
use tauri::ipc::Channel;
use tauri::State;
use tokio::sync::broadcast::error::RecvError;

use super::CommandError;
use crate::AppState;

/// The one forwarding task: a reloaded page subscribes again and replaces it.
#[derive(Default)]
pub struct Watcher(Mutex<Option<JoinHandle<()>>>);

#[derive(Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Live {
    Event {
        event: TimelineEvent,
    },
    /// The window fell behind and missed events: it re-reads what it shows from the store.
    Missed {
        count: u64,
    },
}

#[tauri::command]
pub async fn watch_events(
    state: State<'_, AppState>,
    watcher: State<'_, Watcher>,
    on_event: Channel<Live>,
) -> Result<(), CommandError> {
    let mut events = state.engine.subscribe();
    let task = tauri::async_runtime::spawn(async move {
        loop {
            let message = match events.recv().await {
                Ok(event) => Live::Event { event },
                Err(RecvError::Lagged(count)) => Live::Missed { count },
                Err(RecvError::Closed) => break,
            };
            if on_event.send(message).is_err() {
                break;
            }
        }
    });
    let previous = watcher.0.lock().expect("watcher lock").replace(task);
    if let Some(previous) = previous {
        previous.abort();
    }
    Ok(())
}
