//! The vault's lock: many readers or one writer, across processes.
//!
//! An advisory `flock` on `local/lock`. A process that cannot take it waits,
//! polling, up to a bounded time (`DOSSIER_LOCK_TIMEOUT` seconds, default 10),
//! then fails with a clear message instead of hanging. The lock is released
//! when the guard is dropped or the process dies, so a crash never leaves a
//! vault locked.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Shared (read) or exclusive (write).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Shared,
    Exclusive,
}

/// A held lock; released on drop. No file for a reader of a vault on a
/// read-only file system that has no lock file: nobody can write it there.
pub struct Lock {
    _file: Option<File>,
    pub mode: Mode,
}

fn timeout() -> Duration {
    let secs = std::env::var("DOSSIER_LOCK_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    Duration::from_secs(secs)
}

impl Lock {
    /// Takes the lock at `path` in `mode`, waiting a bounded time.
    pub fn acquire(path: &Path, vault: &Path, mode: Mode) -> Result<Lock> {
        let created = !path.exists();
        let opened = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path);
        let file = match opened {
            Ok(f) => f,
            // A vault on read-only media (a write-protected stick, a disc, a
            // read-only mount of seized evidence) can still be read: a shared
            // lock holds on a file opened for reading, and where there is no
            // lock file no process can be writing through this mount.
            Err(e) if mode == Mode::Shared && e.kind() == std::io::ErrorKind::ReadOnlyFilesystem => {
                match File::open(path) {
                    Ok(f) => f,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Ok(Lock { _file: None, mode });
                    }
                    Err(e) => return Err(Error::io(path, e)),
                }
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        if created {
            crate::store::atomic::undate(&file);
            if let Some(dir) = path.parent() {
                crate::store::atomic::undate_dir(dir);
            }
        }
        let start = Instant::now();
        let limit = timeout();
        loop {
            let attempt = match mode {
                Mode::Shared => file.try_lock_shared(),
                Mode::Exclusive => file.try_lock(),
            };
            match attempt {
                Ok(()) => {
                    return Ok(Lock {
                        _file: Some(file),
                        mode,
                    })
                }
                Err(TryLockError::WouldBlock) if start.elapsed() < limit => {
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::Locked {
                        path: vault.to_path_buf(),
                        waited_secs: limit.as_secs(),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(Error::io(path, e)),
            }
        }
    }
}
