//! Tracing set-up: daily-rolling log files in the OS log dir, plus stderr.
//!
//! Nothing secret can be logged by accident: card and credential types print masks, and every
//! line is redacted on its way out (`redact::redact_text`), so a card number inside a provider's
//! sentence that an error carries is masked too.

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
    crate::store::private_dir(log_dir)
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
        .with(fmt::layer().with_writer(Redacting(file_writer)).with_ansi(false))
        .with(fmt::layer().with_writer(Redacting(std::io::stderr)))
        .try_init()
        .map_err(|_| LoggingError::AlreadySet)?;
    Ok(guard)
}

/// A writer maker whose writers redact each formatted line before it is written.
struct Redacting<M>(M);

impl<'a, M: fmt::MakeWriter<'a>> fmt::MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

/// The fmt layer writes each event as one buffer, so a card number never straddles two writes.
struct RedactingWriter<W>(W);

impl<W: std::io::Write> std::io::Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(crate::redact::redact_text(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
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
        tracing::warn!("the provider said: card 5555 5555 5555 4444 declined");
        drop(guard);
        let files: Vec<_> = std::fs::read_dir(&logs).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let name = files[0].file_name().unwrap().to_string_lossy().to_string();
        assert!(name.starts_with("farepoint.") && name.ends_with(".log"), "{name}");
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("logging self-test"), "{text}");
        assert!(text.contains("411111••••••1111") && !text.contains("4111111111111111"), "{text}");
        assert!(text.contains("card ••••4444 declined") && !text.contains("5555 5555"), "{text}");
        assert!(matches!(init(&logs, "farepoint"), Err(LoggingError::AlreadySet)));
    }
}
