//! Atomic, durable file writes.
//!
//! Data goes to a temporary file in the destination's own directory (named
//! with [`TMP_PREFIX`], so a leftover from a killed process is never mistaken
//! for data), is flushed with `fsync`, renamed over or next to its final name,
//! and then the directory itself is flushed so the rename survives a power cut.

use std::fs::{File, FileTimes};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use crate::error::{Error, Result};

/// Prefix of temporary files. Readers skip these names; writers remove them.
pub const TMP_PREFIX: &str = ".tmp-";

/// Whether an existing file may be replaced.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Fail if the name is taken.
    Never,
    /// Replace the file atomically.
    Atomically,
    /// Replace the file atomically, leaving the directory's flush to the
    /// caller, who calls [`sync_dir`] once after many such writes (rotation:
    /// until then a power cut may bring back the old file, which is whole).
    AtomicallyUnsynced,
}

/// The modification and access time given to every file and directory of a
/// vault: 2000-01-01 00:00:00 UTC, the date of the sync commits (FORMAT §2).
/// A copy of the vault (`cp -a`, `rsync -a`, `tar`, a backup) then carries
/// no trace of when each record was written or read.
pub const VAULT_TIME: u64 = 946_684_800;

/// Dates an open file at [`VAULT_TIME`]. Best effort: a file system that
/// cannot set times (or a file this user does not own) keeps its own, and
/// the write it belongs to does not fail for it.
pub fn undate(file: &File) {
    let t = UNIX_EPOCH + Duration::from_secs(VAULT_TIME);
    let _ = file.set_times(FileTimes::new().set_accessed(t).set_modified(t));
}

/// Dates a directory at [`VAULT_TIME`] (after a file in it was created,
/// renamed or removed); best effort, as [`undate`].
pub fn undate_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        undate(&d);
    }
}

/// Writes a file through `fill`, atomically and durably, at `path`.
pub fn write_with(path: &Path, replace: Replace, fill: impl FnOnce(&mut File) -> std::io::Result<()>) -> Result<()> {
    write_inner(path, replace, true, fill)
}

/// Replaces a file of this copy's own bookkeeping (`local/`) atomically and
/// durably, out of reach of the test fault hooks: those count the write
/// steps of the vault's data, and must count the same steps however much
/// bookkeeping a command does.
pub fn write_bookkeeping(path: &Path, bytes: &[u8]) -> Result<()> {
    write_inner(path, Replace::Atomically, false, |f| {
        f.write_all(bytes)?;
        undate(f);
        Ok(())
    })?;
    if let Some(dir) = path.parent() {
        undate_dir(dir);
    }
    Ok(())
}

fn write_inner(
    path: &Path,
    replace: Replace,
    faults: bool,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<()> {
    let fault = |step: &str| if faults { crate::store::iofault(step) } else { Ok(()) };
    let (dir, mut tmp) = temporary_beside(path)?;
    if faults {
        crate::store::failpoint("atomic-write-begin");
    }
    fault("write")
        .and_then(|()| fill(tmp.as_file_mut()))
        .map_err(|e| Error::io(path, e))?;
    tmp.as_file_mut().flush().map_err(|e| Error::io(path, e))?;
    fault("fsync")
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(path, e))?;
    if faults {
        crate::store::failpoint("atomic-write-synced");
    }
    match replace {
        Replace::Never => tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Invalid(format!("{} already exists; refusing to overwrite it", path.display()))
            } else {
                Error::io(path, e.error)
            }
        })?,
        Replace::Atomically | Replace::AtomicallyUnsynced => tmp.persist(path).map_err(|e| Error::io(path, e.error))?,
    };
    if replace == Replace::AtomicallyUnsynced {
        return Ok(());
    }
    flush_dir(dir, faults)
}

/// Moves a file already written and flushed to disk (`sync_all`) at `from`,
/// in the same file system, to `path`, then flushes `path`'s directory: the
/// rename is the commit point, as for [`write_with`], without copying the
/// bytes again. `Replace::Never` links the file under its new name (which
/// fails if the name is taken) before removing the old one.
pub fn install(from: &Path, path: &Path, replace: Replace) -> Result<()> {
    crate::store::iofault("write").map_err(|e| Error::io(path, e))?;
    match replace {
        Replace::Never => {
            std::fs::hard_link(from, path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::Invalid(format!("{} already exists; refusing to overwrite it", path.display()))
                } else {
                    Error::io(path, e)
                }
            })?;
            std::fs::remove_file(from).map_err(|e| Error::io(from, e))?;
        }
        Replace::Atomically | Replace::AtomicallyUnsynced => {
            std::fs::rename(from, path).map_err(|e| Error::io(path, e))?
        }
    }
    if replace == Replace::AtomicallyUnsynced {
        return Ok(());
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    flush_dir(dir, true)
}

/// Writes a new file of a cache in `local/` whole under its final name
/// (a temporary file renamed, refusing to overwrite), without flushing it:
/// after a power cut it may be gone, empty or torn, so its reader must
/// authenticate it and take a failure for an absent file.
pub fn write_cache(path: &Path, bytes: &[u8]) -> Result<()> {
    let (dir, mut tmp) = temporary_beside(path)?;
    tmp.as_file_mut().write_all(bytes).map_err(|e| Error::io(path, e))?;
    undate(tmp.as_file());
    tmp.persist_noclobber(path).map_err(|e| Error::io(path, e.error))?;
    undate_dir(dir);
    Ok(())
}

/// A new temporary file (mode 0600) in `path`'s directory, and that directory.
fn temporary_beside(path: &Path) -> Result<(&Path, tempfile::NamedTempFile)> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    Ok((dir, tmp))
}

/// Writes `bytes` to a new file at `path` (mode 0600), refusing to overwrite.
pub fn write_new_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, Replace::Never, |f| f.write_all(bytes))
}

/// A writer to a file that asks the kernel, every [`WRITEBACK_EVERY`] bytes,
/// to start writing back what it has been given, so that the `fsync` at the
/// end of a large file finds little left to do, and the page cache does not
/// fill with gigabytes of it. On Linux this is
/// `posix_fadvise(POSIX_FADV_DONTNEED)` on the range just written, which
/// starts writeback without waiting for it; elsewhere it is a plain writer.
/// Measured (docs/PERFORMANCE.md): it makes `get` of 1 GiB markedly faster,
/// and `attach` (which writes 64 KiB age chunks) slower, so only `get` uses it.
pub struct EarlyWriteback<'a> {
    file: &'a File,
    written: u64,
    started: u64,
}

/// How much is written between two requests for writeback.
pub const WRITEBACK_EVERY: u64 = 8 << 20;

impl<'a> EarlyWriteback<'a> {
    pub fn new(file: &'a File) -> Self {
        EarlyWriteback {
            file,
            written: 0,
            started: 0,
        }
    }
}

impl Write for EarlyWriteback<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = (&mut &*self.file).write(buf)?;
        self.written += n as u64;
        if self.written - self.started >= WRITEBACK_EVERY {
            start_writeback(self.file, self.started, self.written - self.started);
            self.started = self.written;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        (&mut &*self.file).flush()
    }
}

#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    // Advice only: if the kernel declines, the final fsync does the work.
    let _ = rustix::fs::fadvise(
        file,
        offset,
        std::num::NonZeroU64::new(len),
        rustix::fs::Advice::DontNeed,
    );
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_: &File, _: u64, _: u64) {}

/// Flushes a directory's entries to disk.
pub fn sync_dir(dir: &Path) -> Result<()> {
    flush_dir(dir, true)
}

fn flush_dir(dir: &Path, faults: bool) -> Result<()> {
    let fault = if faults {
        crate::store::iofault("dirsync")
    } else {
        Ok(())
    };
    fault
        .and_then(|()| File::open(dir))
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// Removes a file and flushes its directory; a file already gone is fine.
pub fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(path, e)),
    }
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(())
}
