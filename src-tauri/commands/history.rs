//! The Payments and Summary views' history commands. All the work is in
//! `farepoint_core::history`; these only pick where it runs: a page or the totals on
//! the store's reader, an export or a verify (which read everything) on a blocking thread with
//! a connection of their own, so searches keep answering meanwhile.

use std::path::PathBuf;

use farepoint_core::codes::{CodedError, ErrorCode};
use farepoint_core::history::{
    self, ExportFormat, HistoryError, HistoryQuery, Page, Progress, Summary, SummaryRange, VerifyReport,
};
use farepoint_core::store::StoreError;
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};

use super::{bounded_list, bounded_opt, CommandError, MAX_ID, MAX_SHORT};
use crate::AppState;

/// A query's text and lists within what the window can send; the core checks their meaning.
fn bounded_query(q: &HistoryQuery) -> Result<(), CommandError> {
    bounded_opt("text", q.text.as_deref(), MAX_SHORT)?;
    for (field, list) in [
        ("providers", &q.providers),
        ("statuses", &q.statuses),
        ("refunds", &q.refunds),
        ("agents", &q.agents),
    ] {
        bounded_list(field, list.as_deref().unwrap_or_default(), MAX_ID)?;
    }
    bounded_opt("currency", q.currency.as_deref(), MAX_ID)?;
    bounded_opt("amount_min", q.amount_min.as_deref(), MAX_ID)?;
    bounded_opt("amount_max", q.amount_max.as_deref(), MAX_ID)?;
    bounded_opt("after", q.after.as_deref(), MAX_SHORT)
}

fn history_error(e: HistoryError) -> CommandError {
    match e {
        HistoryError::Invalid(problem) => CommandError::said(problem),
        HistoryError::Field { field, problem } => CommandError::field(field, problem),
        HistoryError::Store(StoreError::NotFound { what, id }) => {
            CommandError::said(CodedError::new(ErrorCode::NotFound).with("what", what).with("id", id))
        }
        HistoryError::Io(e) => CommandError::because(ErrorCode::ExportFailed, e),
        HistoryError::Store(e) => store_error(e),
    }
}

fn store_error(e: StoreError) -> CommandError {
    CommandError::storage(e)
}

/// Runs `f` on the store's reader connection.
pub(super) async fn on_reader<T, F>(state: &State<'_, AppState>, f: F) -> Result<T, CommandError>
where
    F: FnOnce(&history::Connection) -> Result<T, HistoryError> + Send + 'static,
    T: Send + 'static,
{
    state.store.read(move |c| Ok(f(c))).await.map_err(store_error)?.map_err(history_error)
}

/// Runs `f` on a blocking thread with a read-only connection of its own.
async fn on_own_reader<T, F>(state: &State<'_, AppState>, f: F) -> Result<T, CommandError>
where
    F: FnOnce(&history::Connection) -> Result<T, HistoryError> + Send + 'static,
    T: Send + 'static,
{
    let store = state.store.clone();
    tauri::async_runtime::spawn_blocking(move || f(&store.own_reader()?))
        .await
        .map_err(|e| CommandError::because(ErrorCode::Internal, format!("the history task stopped: {e}")))?
        .map_err(history_error)
}

/// One page of payments, newest first; pass `next` back as `after` for the following page.
#[tauri::command]
pub async fn search_payments(state: State<'_, AppState>, query: HistoryQuery) -> Result<Page, CommandError> {
    bounded_query(&query)?;
    on_reader(&state, move |c| history::search(c, &query)).await
}

/// Money taken per local day, provider and currency, totals per currency and counts by status.
/// Takings count Paid, Ticketing, Ticketed and TicketingFailed (charged), less refunds; refunds are
/// listed apart in `refunded`; NeedsReview and Unknown are always in `by_status` to call out.
#[tauri::command]
pub async fn payment_summary(
    state: State<'_, AppState>,
    range: SummaryRange,
) -> Result<Summary, CommandError> {
    on_reader(&state, move |c| history::summary(c, &range)).await
}

#[derive(Debug, Deserialize)]
pub struct ExportRequest {
    pub query: HistoryQuery,
    pub format: ExportFormat,
}

#[derive(Debug, Serialize)]
pub struct ExportDone {
    pub path: String,
    pub rows: u64,
}

/// Writes the matching payments (all pages) to a new file in the Downloads folder (or
/// `<data dir>/exports` when there is none), reporting progress at most 20 times a second.
#[tauri::command]
pub async fn export_payments(
    app: AppHandle,
    state: State<'_, AppState>,
    request: ExportRequest,
    on_progress: Channel<Progress>,
) -> Result<ExportDone, CommandError> {
    let dir: PathBuf = app.path().download_dir().unwrap_or_else(|_| state.data_dir.join("exports"));
    let ExportRequest { query, format } = request;
    bounded_query(&query)?;
    let now = farepoint_core::now_ms();
    let (path, rows) = on_own_reader(&state, move |c| {
        let mut progress = |p: Progress| {
            let _ = on_progress.send(p);
        };
        history::export::export_into_dir(c, &query, format, &dir, now, &mut progress)
    })
    .await?;
    Ok(ExportDone { path: path.display().to_string(), rows })
}

/// Checks every payment's seals (and that its status matches its timeline), and the history
/// against deleted payments and the newest seal this computer kept outside it.
#[tauri::command]
pub async fn verify_history(
    state: State<'_, AppState>,
    on_progress: Channel<Progress>,
) -> Result<VerifyReport, CommandError> {
    let store = state.store.clone();
    on_own_reader(&state, move |c| {
        // On this blocking thread: the keyring may take a moment.
        let anchor = store.anchored_head().unwrap_or_else(|e| {
            tracing::warn!("could not read the history's newest seal from the keyring: {e}");
            None
        });
        history::verify(c, anchor, &mut |p| {
            let _ = on_progress.send(p);
        })
    })
    .await
}
