//! Tracing set-up: daily-rolling log files in the OS log dir, plus stderr.
//!
//! Nothing secret can be logged by accident: card and credential types print masks.

use std::path::Path;

pub use tracing_appender::non_blocking::WorkerGuard as LogGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

/// Log files kept before the oldest is deleted (one per day).
const KEEP_FILES: usize = 14;

#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error("could not create the log folder {path}: {source}")]
    Dir { path: String, source: std::io::Error },
    #[error("could not open a log file in {path}: {source}")]
    File { path: String, source: tracing_appender::rolling::InitError },
    #[error("logging was already set up in this process")]
    AlreadySet,
}

/// Installs the global subscriber. Keep the guard alive for the life of the process: dropping
/// it flushes and stops the file writer. `RUST_LOG` overrides the default `info` level.
pub fn init(log_dir: &Path, file_prefix: &str) -> Result<LogGuard, LoggingError> {
    std::fs::create_dir_all(log_dir)
        .map_err(|source| LoggingError::Dir { path: log_dir.display().to_string(), source })?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(file_prefix)
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(log_dir)
        .map_err(|source| LoggingError::File { path: log_dir.display().to_string(), source })?;
    let (file_writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(file_writer).with_ansi(false))
        .with(fmt::layer().with_writer(std::io::stderr))
        .try_init()
        .map_err(|_| LoggingError::AlreadySet)?;
    Ok(guard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_to_a_rolling_file_in_the_log_dir() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let guard = init(&logs, "farepoint").unwrap();
        let card = crate::card::CardNumber::parse("4111111111111111").unwrap();
        tracing::info!(card = ?card, "logging self-test");
        drop(guard);
        let files: Vec<_> = std::fs::read_dir(&logs).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let name = files[0].file_name().unwrap().to_string_lossy().to_string();
        assert!(name.starts_with("farepoint.") && name.ends_with(".log"), "{name}");
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("logging self-test"), "{text}");
        assert!(text.contains("411111••••••1111") && !text.contains("4111111111111111"), "{text}");
        assert!(matches!(init(&logs, "farepoint"), Err(LoggingError::AlreadySet)));
    }
}
