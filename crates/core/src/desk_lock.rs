//! One Farepoint per history: an exclusive OS lock on `farepoint.lock` in the data dir.
//!
//! Two apps on one history would both recover, poll and pay: the second would mark the first's
//! payment in flight `Unknown` and could re-send its follow-ups. The lock is the OS's own
//! (`flock` on Unix, `LockFileEx` on Windows), so it holds whatever the desktop offers, and the
//! OS drops it when its process ends — a crashed Farepoint never leaves a stale lock behind.
//! The file's content (the holder's process id) is only for the message; the lock is what counts.
//!
//! Read-only tools (`farepoint export`, `farepoint verify`) do not take it: they never write.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The lock file's name inside the data dir.
pub const LOCK_FILE: &str = "farepoint.lock";

#[derive(Debug, thiserror::Error)]
pub enum DeskLockError {
    #[error(
        "Farepoint is already open on this history ({dir}){holder} — switch to that window. If you \
         closed it a moment ago, wait until it has finished, then start Farepoint again"
    )]
    Held { dir: PathBuf, holder: String },
    #[error("could not lock the history in {dir} ({source}) — check that the folder can be written")]
    Io { dir: PathBuf, source: std::io::Error },
}

/// Held for the life of the app; released when dropped or when the process ends.
#[derive(Debug)]
pub struct DeskLock {
    _file: File,
    path: PathBuf,
}

impl DeskLock {
    /// Takes the lock on `data_dir` (created if needed), or says who holds it.
    pub fn acquire(data_dir: &Path) -> Result<DeskLock, DeskLockError> {
        let io = |source| DeskLockError::Io { dir: data_dir.to_path_buf(), source };
        std::fs::create_dir_all(data_dir).map_err(io)?;
        let path = data_dir.join(LOCK_FILE);
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let holder = match text.trim().parse::<u32>() {
                    Ok(pid) => format!(" in process {pid}"),
                    Err(_) => String::new(),
                };
                return Err(DeskLockError::Held { dir: data_dir.to_path_buf(), holder });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        // Ours now: note who holds it, for the next one's message.
        let noted = file
            .set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| writeln!(file, "{}", std::process::id()));
        if let Err(e) = noted {
            tracing::warn!(path = %path.display(), "could not write the lock holder: {e}");
        }
        Ok(DeskLock { _file: file, path })
    }

    /// As `acquire`, waiting up to `patience` for a holder that is closing: a Farepoint that
    /// restarts itself (a profile switch) starts the new process while the old one still exits.
    pub fn acquire_within(data_dir: &Path, patience: std::time::Duration) -> Result<DeskLock, DeskLockError> {
        let until = std::time::Instant::now() + patience;
        loop {
            match DeskLock::acquire(data_dir) {
                Err(DeskLockError::Held { .. }) if std::time::Instant::now() < until => {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A process spawned by a test holds every open file of this one between its fork and its
    /// exec, locks included: the tests that spawn and the tests that watch a lock go free run one
    /// at a time.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_process_and_may_follow_it() {
        let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let dir = tempfile::tempdir().unwrap();
        let first = DeskLock::acquire(dir.path()).unwrap();
        let err = DeskLock::acquire(dir.path()).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, DeskLockError::Held { .. }), "{text}");
        assert!(text.contains(&format!("in process {}", std::process::id())), "{text}");
        assert!(text.contains("already open on this history"), "{text}");
        drop(first);
        DeskLock::acquire(dir.path()).expect("free again once the first is gone");
    }

    /// A Farepoint killed while holding the lock leaves the file but not the lock: the OS drops
    /// a lock with its process, so the next start is never blocked by a stale one.
    #[cfg(unix)]
    #[test]
    fn a_killed_holder_leaves_no_stale_lock() {
        use std::process::{Command, Stdio};
        let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        std::fs::write(&path, "999999\n").unwrap();
        // Another process takes the same OS lock (flock) and holds it, as a running Farepoint
        // would: the shell opens the file, locks it, and becomes `sleep` still holding it.
        let mut holder = Command::new("sh")
            .arg("-c")
            .arg("exec 9<>\"$0\" && flock --exclusive 9 && exec sleep 30")
            .arg(&path)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match DeskLock::acquire(dir.path()) {
                Err(DeskLockError::Held { .. }) => break,
                Ok(lock) => drop(lock), // the other process has not locked it yet
                Err(e) => panic!("{e}"),
            }
            assert!(std::time::Instant::now() < deadline, "the other process never took the lock");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        holder.kill().unwrap(); // SIGKILL: no clean-up of any kind
        holder.wait().unwrap();
        assert!(path.exists(), "the file is left behind");
        let lock = DeskLock::acquire(dir.path()).expect("a dead holder's lock is gone");
        assert_eq!(std::fs::read_to_string(lock.path()).unwrap().trim(), std::process::id().to_string());
    }
}
