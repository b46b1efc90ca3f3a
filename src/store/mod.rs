//! The store: the vault directory, its files, its lock and its journal.
//!
//! Layout (docs/FORMAT.md §2):
//!
//! ```text
//! VAULT/heads/<32 hex>    one per log and device: age file of a signed head
//! VAULT/objects/<32 hex>  segments (and documents): age files
//! VAULT/local/lock        the lock (empty)
//! VAULT/local/device      this copy's random device id (hex)
//! VAULT/local/journal     present only while a write is in flight
//! VAULT/local/marks-<16 hex>  per identity: the heads this copy has seen (encrypted)
//! ```
//!
//! The store knows names and bytes, never plaintext or keys. Its one piece of
//! logic is crash recovery: before a write creates objects it records, in the
//! journal, the head it will replace and the hash of that head's current
//! bytes. If the process dies, the next writer compares: head unchanged means
//! the write never committed, and its objects are removed; head changed means
//! it did, and they stay. No decryption is needed, so any member can recover
//! any case's interrupted write.

pub mod atomic;
pub mod git;
pub mod lock;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_bytes::ByteArray;

use crate::error::{Error, Result};
use crate::format::{cbor, hex, unhex};
pub use atomic::Replace;
pub use lock::{Lock, Mode};

/// The vault directory and what lives in it.
pub struct Store {
    root: PathBuf,
    lock: Option<Lock>,
}

/// Which directory of the vault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Heads,
    Objects,
}

impl Area {
    pub fn dir(self) -> &'static str {
        match self {
            Area::Heads => "heads",
            Area::Objects => "objects",
        }
    }
}

/// The journal of a write in flight.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Journal {
    format: String,
    v: u64,
    /// The head file the write will replace or create.
    head: String,
    /// BLAKE3 of that head file's bytes before the write; absent if there was none.
    before: Option<ByteArray<32>>,
    /// Objects the write creates.
    objects: Vec<String>,
}

const JOURNAL_FORMAT: &str = "dossier-journal";

/// Decodes journal bytes the way recovery does, and names the head they are
/// about. Recovery reads a file an adversary may have written; this entry
/// point lets the fuzz targets and hostile-input tests reach that decoder.
pub fn parse_journal(bytes: &[u8]) -> std::result::Result<String, String> {
    let journal: Journal = cbor::from_slice(bytes)?;
    Ok(journal.head)
}

/// Aborts the process at a named point, in debug builds only, when the
/// environment variable `DOSSIER_FAILPOINT` names it (`NAME`, or `NAME:N` to
/// abort the N-th time the point is reached). Used by crash tests.
pub fn failpoint(name: &str) {
    static HITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if cfg!(debug_assertions) {
        if let Ok(want) = std::env::var("DOSSIER_FAILPOINT") {
            let (point, nth) = match want.split_once(':') {
                Some((p, n)) => (p, n.parse().unwrap_or(1)),
                None => (want.as_str(), 1),
            };
            if point == name && HITS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == nth {
                std::process::abort();
            }
        }
    }
}

/// Fails an I/O step, in debug builds only, when `DOSSIER_IOFAULT` names it:
/// `STEP:KIND` or `STEP:KIND:N` (the N-th time the step is reached), where
/// STEP is `write`, `fsync` or `dirsync` and KIND is `enospc` or `eio`. Used
/// by tests to check that a disk that fills up or fails is never reported as
/// success and leaves a vault that verifies.
pub fn iofault(step: &str) -> std::io::Result<()> {
    static HITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if cfg!(debug_assertions) {
        if let Ok(want) = std::env::var("DOSSIER_IOFAULT") {
            let mut parts = want.split(':');
            let (point, kind) = (parts.next().unwrap_or(""), parts.next().unwrap_or("eio"));
            let nth: u64 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(1);
            if point == step && HITS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == nth {
                let code = if kind == "enospc" { 28 } else { 5 };
                return Err(std::io::Error::from_raw_os_error(code));
            }
        }
    }
    Ok(())
}

/// Whether a directory entry name is one of ours: 32 lower-case hex digits.
pub fn is_object_name(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A new random object name.
pub fn new_name() -> String {
    hex(&random::<16>())
}

/// Random bytes from the operating system.
pub fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).expect("the OS random source works");
    b
}

impl Store {
    /// Creates the directories of a new vault at `root`, which must be absent or empty.
    pub fn create(root: &Path) -> Result<Store> {
        if root.exists() {
            let mut entries = std::fs::read_dir(root).map_err(|e| Error::io(root, e))?;
            if entries.next().is_some() {
                return Err(Error::Vault(format!(
                    "{} is not empty; choose an empty or new directory for the vault",
                    root.display()
                )));
            }
        } else {
            std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
        }
        set_private(root)?;
        for sub in ["heads", "objects", "local"] {
            let p = root.join(sub);
            std::fs::create_dir(&p).map_err(|e| Error::io(&p, e))?;
            set_private(&p)?;
        }
        atomic::write_with(&root.join("local/device"), Replace::Never, |f| {
            use std::io::Write;
            f.write_all(hex(&random::<16>()).as_bytes())?;
            atomic::undate(f);
            Ok(())
        })?;
        for sub in ["heads", "objects", "local", ""] {
            atomic::undate_dir(&root.join(sub));
        }
        atomic::sync_dir(root)?;
        if let Some(parent) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
            atomic::sync_dir(parent)?;
        }
        Ok(Store {
            root: root.to_path_buf(),
            lock: None,
        })
    }

    /// Opens an existing vault directory, taking its lock in `mode` and, if a
    /// write was interrupted, recovering from it first.
    pub fn open(root: &Path, mode: Mode) -> Result<Store> {
        for sub in ["heads", "objects", "local"] {
            if !root.join(sub).is_dir() {
                return Err(Error::Vault(format!(
                    "no vault at {}; create one with `dossier init` or pass --vault DIR",
                    root.display()
                )));
            }
        }
        let mut store = Store {
            root: root.to_path_buf(),
            lock: None,
        };
        if store.journal_path().exists() || mode == Mode::Exclusive {
            store.lock = Some(Lock::acquire(&store.lock_path(), root, Mode::Exclusive)?);
            store.recover()?;
            store.remove_temporaries()?;
            if mode == Mode::Shared {
                store.lock = None;
            }
        }
        if store.lock.is_none() {
            store.lock = Some(Lock::acquire(&store.lock_path(), root, Mode::Shared)?);
        }
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn lock_path(&self) -> PathBuf {
        self.root.join("local/lock")
    }

    fn journal_path(&self) -> PathBuf {
        self.root.join("local/journal")
    }

    /// Path of a named file in an area.
    pub fn path(&self, area: Area, name: &str) -> PathBuf {
        self.root.join(area.dir()).join(name)
    }

    /// Flushes an area's directory: makes renames done with
    /// [`Replace::AtomicallyUnsynced`] durable.
    pub fn sync(&self, area: Area) -> Result<()> {
        let dir = self.root.join(area.dir());
        atomic::undate_dir(&dir);
        atomic::sync_dir(&dir)
    }

    /// This copy's device id.
    pub fn device(&self) -> Result<[u8; 16]> {
        let p = self.root.join("local/device");
        let s = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
        unhex::<16>(s.trim()).ok_or_else(|| Error::integrity(p.display().to_string(), "not a device id"))
    }

    /// Reads a file of this copy's bookkeeping in `local/`; `None` if absent.
    pub fn read_local(&self, name: &str) -> Result<Option<Vec<u8>>> {
        read_if_present(&self.root.join("local").join(name))
    }

    /// Reads a file of this copy's bookkeeping in `local/`, no more than
    /// `max + 1` bytes of it: a result longer than `max` says the file is
    /// larger than its owner allows (a file planted there is not read whole).
    pub fn read_local_at_most(&self, name: &str, max: u64) -> Result<Option<Vec<u8>>> {
        use std::io::Read;
        let p = self.root.join("local").join(name);
        let file = match std::fs::File::open(&p) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&p, e)),
        };
        let mut bytes = Vec::new();
        file.take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(&p, e))?;
        Ok(Some(bytes))
    }

    /// Replaces a file of this copy's bookkeeping in `local/`, atomically and
    /// durably. Allowed under the shared lock: readers keep their own
    /// bookkeeping, and what they write only ever follows what they read.
    pub fn write_local(&self, name: &str, bytes: &[u8]) -> Result<()> {
        atomic::write_bookkeeping(&self.root.join("local").join(name), bytes)
    }

    /// Names in an area, sorted; temporary files are skipped. Names that are not
    /// ours are returned too, so `verify` can report them.
    pub fn list(&self, area: Area) -> Result<Vec<String>> {
        let dir = self.root.join(area.dir());
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with(atomic::TMP_PREFIX) {
                out.push(name);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Reads a whole file; `None` if it does not exist.
    pub fn read(&self, area: Area, name: &str) -> Result<Option<Vec<u8>>> {
        read_if_present(&self.path(area, name))
    }

    fn require_exclusive(&self) {
        assert!(
            matches!(
                self.lock,
                Some(Lock {
                    mode: Mode::Exclusive,
                    ..
                })
            ),
            "writing without the exclusive lock"
        );
    }

    /// Writes a whole file atomically and durably.
    pub fn write(&self, area: Area, name: &str, replace: Replace, bytes: &[u8]) -> Result<()> {
        self.write_with(area, name, replace, |f| std::io::Write::write_all(f, bytes))
    }

    /// Writes a file atomically and durably through `fill`, which streams its
    /// bytes: a file of any size is written without holding it in memory.
    pub fn write_with(
        &self,
        area: Area,
        name: &str,
        replace: Replace,
        fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
    ) -> Result<()> {
        self.require_exclusive();
        atomic::write_with(&self.path(area, name), replace, |f| {
            fill(f)?;
            atomic::undate(f);
            Ok(())
        })?;
        atomic::undate_dir(&self.root.join(area.dir()));
        Ok(())
    }

    /// Moves a flushed file from elsewhere in the vault's directory (sync's
    /// staging area) into `area` under `name`, durably, without copying it.
    pub fn install(&self, area: Area, name: &str, replace: Replace, from: &Path) -> Result<()> {
        self.require_exclusive();
        // Dated like every vault file (FORMAT §2) before it takes its name.
        if let Ok(f) = std::fs::File::open(from) {
            atomic::undate(&f);
        }
        atomic::install(from, &self.path(area, name), replace)?;
        atomic::undate_dir(&self.root.join(area.dir()));
        Ok(())
    }

    /// Removes a file durably.
    pub fn remove(&self, area: Area, name: &str) -> Result<()> {
        self.require_exclusive();
        atomic::remove(&self.path(area, name))?;
        atomic::undate_dir(&self.root.join(area.dir()));
        Ok(())
    }

    /// Records that a write will create `objects` and then replace head `head`.
    pub fn begin(&self, head: &str, objects: &[String]) -> Result<()> {
        self.require_exclusive();
        let before = self
            .read(Area::Heads, head)?
            .map(|b| ByteArray::new(*blake3::hash(&b).as_bytes()));
        let journal = Journal {
            format: JOURNAL_FORMAT.into(),
            v: 1,
            head: head.into(),
            before,
            objects: objects.to_vec(),
        };
        atomic::write_with(&self.journal_path(), Replace::Never, |f| {
            std::io::Write::write_all(f, &cbor::to_vec(&journal))
        })
    }

    /// Marks the write in flight as committed.
    pub fn commit(&self) -> Result<()> {
        self.require_exclusive();
        atomic::remove(&self.journal_path())?;
        atomic::undate_dir(&self.root.join("local"));
        Ok(())
    }

    /// Gives up the write in flight after an error, now rather than at the
    /// next open: exactly what recovery does (objects of a write whose head
    /// did not change are removed; the journal goes).
    pub fn abandon(&self) -> Result<()> {
        self.require_exclusive();
        self.recover()
    }

    /// Undoes a write that did not reach its commit point.
    fn recover(&self) -> Result<()> {
        let path = self.journal_path();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(path, e)),
        };
        let journal: Journal = cbor::from_slice(&bytes)
            .map_err(|m| Error::integrity(path.display().to_string(), format!("unreadable journal: {m}")))?;
        if journal.format != JOURNAL_FORMAT || journal.v != 1 {
            return Err(Error::integrity(
                path.display().to_string(),
                "not a journal this dossier writes",
            ));
        }
        if !is_object_name(&journal.head) || !journal.objects.iter().all(|o| is_object_name(o)) {
            return Err(Error::integrity(
                path.display().to_string(),
                "journal names a file that is not ours",
            ));
        }
        let now = self
            .read(Area::Heads, &journal.head)?
            .map(|b| *blake3::hash(&b).as_bytes());
        let committed = now != journal.before.map(|b| b.into_array());
        if !committed {
            for o in &journal.objects {
                atomic::remove(&self.path(Area::Objects, o))?;
            }
        }
        atomic::remove(&path)
    }

    /// Removes temporary files left by killed processes (they hold only ciphertext).
    fn remove_temporaries(&self) -> Result<()> {
        for area in ["heads", "objects", "local"] {
            let dir = self.root.join(area);
            for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
                let entry = entry.map_err(|e| Error::io(&dir, e))?;
                if entry.file_name().to_string_lossy().starts_with(atomic::TMP_PREFIX) {
                    atomic::remove(&entry.path())?;
                }
            }
        }
        Ok(())
    }
}

fn read_if_present(p: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(p) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(p, e)),
    }
}

#[cfg(unix)]
fn set_private(p: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o700)).map_err(|e| Error::io(p, e))
}

#[cfg(not(unix))]
fn set_private(_: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interrupted_write_is_undone_and_committed_write_kept() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("v");
        drop(Store::create(&root).unwrap());
        let head = new_name();
        let obj = new_name();
        {
            let s = Store::open(&root, Mode::Exclusive).unwrap();
            s.begin(&head, std::slice::from_ref(&obj)).unwrap();
            s.write(Area::Objects, &obj, Replace::Never, b"x").unwrap();
            // the process dies here: no head, no commit
        }
        let s = Store::open(&root, Mode::Shared).unwrap();
        assert!(s.read(Area::Objects, &obj).unwrap().is_none(), "orphan kept");
        drop(s);
        {
            let s = Store::open(&root, Mode::Exclusive).unwrap();
            s.begin(&head, std::slice::from_ref(&obj)).unwrap();
            s.write(Area::Objects, &obj, Replace::Never, b"x").unwrap();
            s.write(Area::Heads, &head, Replace::Atomically, b"h").unwrap();
            // dies after the head's rename, before commit
        }
        let s = Store::open(&root, Mode::Exclusive).unwrap();
        assert!(s.read(Area::Objects, &obj).unwrap().is_some(), "committed object lost");
        assert!(!root.join("local/journal").exists());
    }
}
