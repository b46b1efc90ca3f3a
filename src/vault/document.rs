//! Documents: content of any size, streamed through age into an object of its own.
//!
//! `attach` reads the file once, in 1 MiB pieces: each piece is hashed
//! (BLAKE3) and written into an age stream sealed to the case's members, so
//! memory stays the same whatever the size. The content object is named in
//! the write's journal before it is created, and the signed `document`
//! record (name, media type, size, hash, object) is appended only once the
//! object is whole on disk: a crash before the head's rename leaves an object
//! that recovery removes; after it, both stay.
//!
//! `get` decrypts into a temporary file beside the output, checking every age
//! chunk as it comes and the BLAKE3 hash at the end; only a match is renamed
//! to the output's name. `verify` does the same into nothing, and rotation
//! re-seals content objects as streams, like every other file of a case.
//!
//! Both directions use two threads joined by a [`Worker`]: at most three
//! 1 MiB pieces are in flight, so memory stays at a few MiB. `attach` reads
//! and hashes on one and encrypts and writes on the other; `get` decrypts and
//! checks on one and hashes and writes on the other.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

use serde_bytes::ByteArray;
use zeroize::Zeroizing;

use crate::crypto::seal;
use crate::domain::media;
use crate::domain::record::{Document, Record};
use crate::error::{Error, Result};
use crate::format::document::content_len;
use crate::format::entry::Kind;
use crate::format::head::LogKind;
use crate::format::leaves::{self, CommittedRecord};
use crate::format::{cbor, hex, unhex, EntryId};
use crate::store::{atomic, failpoint, is_object_name, new_name, Area, Replace};

use super::access::Progress;
use super::log::Problem;
use super::state::Case;
use super::{write, Vault};

/// Bytes moved per read and per write while streaming.
const CHUNK: usize = 1 << 20;

/// A document found by the id of its record.
pub struct Found {
    pub case: String,
    pub id: EntryId,
    pub document: Document,
    pub retracted: bool,
}

/// Why a document's content could not be read back whole.
enum Fault {
    /// Writing what was read failed (the output's disk, not the vault).
    Sink(std::io::Error),
    /// The content object is missing, damaged or does not match its record.
    Content(String),
    /// The content object is sealed to others.
    NotForUs,
}

/// The content objects a case's records name, each once.
pub(super) fn objects_of(case: &Case) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in &case.records {
        for v in &r.versions {
            if let Record::Document(d) = &v.record {
                if is_object_name(&d.object) && !out.contains(&d.object) {
                    out.push(d.object.clone());
                }
            }
        }
    }
    out
}

impl Vault {
    /// Appends a document to a case: its content streamed into a new object,
    /// then a signed `document` record describing it.
    pub fn attach(
        &mut self,
        case_name: &str,
        file: &Path,
        note: Option<&str>,
        progress: &mut dyn Progress,
    ) -> Result<(EntryId, Document)> {
        if note.is_some_and(|n| n.trim().is_empty()) {
            return Err(Error::Invalid(
                "the note is empty; give some text or leave out --note".into(),
            ));
        }
        let (mut input, len) = open_input(file)?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| Error::Invalid(format!("{} names no file", file.display())))?;
        let (log, case) = self.case(case_name)?;
        self.require_case_member(&case)?;
        let recipients = case.recipients();
        let head = read_head(&mut input, file)?;
        let media_type = media::media_type(&head, &name).to_string();
        let object = new_name();
        progress.start(len);
        let mut attached: Option<Document> = None;
        let ids = write::append_after(
            &self.store,
            &self.identity,
            &self.device,
            write::Target {
                id: log.id,
                kind: LogKind::Case,
                name: &case.name,
                existing: Some(&log),
            },
            &recipients,
            std::slice::from_ref(&object),
            || {
                let (size, hash) = self.write_content(&object, &recipients, &head, input, file, progress)?;
                failpoint("attach-content-written");
                let document = Document {
                    name,
                    media_type,
                    size,
                    hash: format!("blake3:{}", hex(&hash)),
                    object: object.clone(),
                    note: note.map(str::to_string),
                    date: None,
                    tags: Vec::new(),
                };
                let record = Record::Document(document.clone());
                record.check().map_err(Error::Invalid)?;
                attached = Some(document);
                // Like every record, it commits to its leaves (docs/EXTRACT.md).
                let body = CommittedRecord {
                    record,
                    seed: ByteArray::new(crate::store::random::<32>()),
                };
                let root = leaves::record_root(&body.record, None, &body.seed);
                Ok(vec![(Kind::Record, cbor::to_vec(&body), Some(root))])
            },
            super::now(),
        )?;
        self.refresh()?;
        match (ids.first(), attached) {
            (Some(id), Some(d)) => Ok((*id, d)),
            _ => Err(Error::Invalid("attach wrote no record".into())),
        }
    }

    /// Streams `head` and the rest of `input` into a new content object.
    /// Returns the content's size and BLAKE3 hash.
    fn write_content(
        &self,
        object: &str,
        recipients: &[String],
        head: &[u8],
        mut input: File,
        path: &Path,
        progress: &mut dyn Progress,
    ) -> Result<(u64, [u8; 32])> {
        let mut input_error: Option<std::io::Error> = None;
        let mut done = (0u64, [0u8; 32]);
        let outcome = self.store.write_with(Area::Objects, object, Replace::Never, |f| {
            // age writes whole 64 KiB chunks: no buffer is needed in between.
            let out = seal::encrypt_to(recipients, &mut *f).map_err(std::io::Error::other)?;
            // This thread reads and hashes; a second one encrypts and writes.
            std::thread::scope(|scope| {
                let mut encrypting = Worker::start(scope, Encrypt { out, size: 0 });
                let mut hasher = blake3::Hasher::new();
                let mut first = encrypting.buffer();
                first[..head.len()].copy_from_slice(head);
                hasher.update(head);
                let mut size = head.len() as u64;
                progress.advance(size);
                let mut going = encrypting.give(first, head.len());
                while going {
                    let mut buf = encrypting.buffer();
                    let n = match read_full(&mut input, &mut buf[..]) {
                        Ok(0) => break,
                        Ok(n) => n,
                        Err(e) => {
                            let message = e.to_string();
                            input_error = Some(e);
                            return Err(std::io::Error::other(message));
                        }
                    };
                    hasher.update(&buf[..n]);
                    size += n as u64;
                    progress.advance(n as u64);
                    going = encrypting.give(buf, n);
                }
                // The writer's own error, if it stopped early.
                let written = encrypting.finish()?;
                if written != size {
                    return Err(std::io::Error::other("the content was not written whole"));
                }
                done = (size, *hasher.finalize().as_bytes());
                Ok(())
            })
        });
        if let Some(e) = input_error {
            return Err(Error::io(path, e));
        }
        outcome?;
        Ok(done)
    }

    /// The document whose record id (at least 8 hex digits) starts with `prefix`.
    pub fn find_document(&self, prefix: &str) -> Result<Found> {
        let (_, case, i) = self.find_record(prefix)?;
        let r = &case.records[i];
        match &r.latest().record {
            Record::Document(d) => Ok(Found {
                case: case.name.clone(),
                id: r.id,
                document: d.clone(),
                retracted: r.retraction.is_some(),
            }),
            other => Err(Error::Invalid(format!(
                "record {} is a {}, not a document; `dossier get` writes out attached documents",
                &hex(&r.id)[..16],
                other.type_name()
            ))),
        }
    }

    /// Writes a document's content to `output`, a new file (mode 0600), only
    /// if it matches the hash its record holds; otherwise writes nothing.
    pub fn get(&self, prefix: &str, output: &Path, progress: &mut dyn Progress) -> Result<Found> {
        let found = self.find_document(prefix)?;
        let taken = |p: &Path| {
            Error::Invalid(format!(
                "{} already exists; refusing to overwrite it (choose another --output)",
                p.display()
            ))
        };
        if output.symlink_metadata().is_ok() {
            return Err(taken(output));
        }
        let dir = output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(Error::Invalid(format!(
                "{} is not a directory; the output's directory must exist",
                dir.display()
            )));
        }
        // Created with mode 0600, in the output's own directory so that it
        // cannot cross file systems; nameless until complete where the system
        // allows it, else deleted on drop if anything fails.
        let tmp = Pending::create(dir)?;
        progress.start(found.document.size);
        {
            // Pieces are whole 1 MiB buffers: no buffer is needed in between.
            let mut sink = atomic::EarlyWriteback::new(tmp.as_file());
            self.read_content(&found.document, &mut sink, progress)
                .map_err(|f| fault_error(&found, f, output))?;
            sink.flush().map_err(|e| Error::io(output, e))?;
        }
        tmp.as_file().sync_all().map_err(|e| Error::io(output, e))?;
        failpoint("get-content-written");
        tmp.persist_noclobber(output).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                taken(output)
            } else {
                Error::io(output, e)
            }
        })?;
        atomic::sync_dir(dir)?;
        Ok(found)
    }

    /// A document's content in memory, only if it matches the hash its
    /// record holds: for an extract, which bounds the sizes it reads.
    pub fn read_document(&self, id: &EntryId, d: &Document) -> Result<Zeroizing<Vec<u8>>> {
        let capacity = usize::try_from(d.size).unwrap_or(0);
        let mut buf = Zeroizing::new(Vec::with_capacity(capacity));
        let what = format!("document {} (objects/{})", &hex(id)[..16], d.object);
        self.read_content(d, &mut *buf, &mut super::access::Silent)
            .map_err(|f| match f {
                Fault::Sink(e) => Error::Invalid(format!("{what}: {e}")),
                Fault::Content(m) => Error::integrity(what, format!("{m}; nothing was written")),
                Fault::NotForUs => Error::Invalid(format!(
                    "{what}: its content cannot be opened with this identity; nothing was written"
                )),
            })?;
        Ok(buf)
    }

    /// Decrypts a document's content into `sink`, checking the padding, the
    /// size and, at the end, the hash.
    fn read_content(
        &self,
        d: &Document,
        sink: &mut (dyn Write + Send),
        progress: &mut dyn Progress,
    ) -> std::result::Result<(), Fault> {
        if !is_object_name(&d.object) {
            return Err(Fault::Content("its record names no valid object".into()));
        }
        let Some(want) = d.hash.strip_prefix("blake3:").and_then(unhex::<32>) else {
            return Err(Fault::Content(
                "its record's hash is not `blake3:` and 64 hex digits".into(),
            ));
        };
        let path = self.store.path(Area::Objects, &d.object);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Fault::Content("the content object is missing".into()))
            }
            Err(e) => return Err(Fault::Content(format!("the content object cannot be read ({e})"))),
        };
        let mut reader = match seal::open_stream(self.identity.age_identity(), BufReader::with_capacity(CHUNK, file)) {
            seal::OpenedStream::Reader(r) => r,
            seal::OpenedStream::NotForUs => return Err(Fault::NotForUs),
            seal::OpenedStream::Damaged(m) => return Err(Fault::Content(format!("damaged: {m}"))),
        };
        let total = content_len(d.size);
        let hash = std::thread::scope(|scope| {
            // This thread decrypts and checks; a second one hashes and writes.
            let mut hashing = Worker::start(
                scope,
                HashAndWrite {
                    hasher: blake3::Hasher::new(),
                    sink,
                },
            );
            let mut pos = 0u64;
            loop {
                let mut buf = hashing.buffer();
                let n = match read_full(&mut reader, &mut buf[..]) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(Fault::Content(format!(
                            "damaged after byte {pos} of the content: {}",
                            seal::one_line(&e.to_string())
                        )))
                    }
                };
                let keep = d.size.saturating_sub(pos).min(n as u64) as usize;
                if buf[keep..n].iter().any(|&b| b != 0) {
                    return Err(Fault::Content(
                        "longer than its record says (bytes after the content are not padding)".into(),
                    ));
                }
                if !hashing.give(buf, keep) {
                    break;
                }
                pos += n as u64;
                if pos > total {
                    return Err(Fault::Content("longer than its record says".into()));
                }
                progress.advance(keep as u64);
            }
            // The writer's own error first: it stopped early if it failed.
            let hash = hashing.finish().map_err(Fault::Sink)?;
            if pos != total {
                return Err(Fault::Content(format!(
                    "shorter than its record says ({pos} bytes, not {total})"
                )));
            }
            Ok(hash)
        })?;
        if hash != want {
            return Err(Fault::Content("does not match the hash its record holds".into()));
        }
        Ok(())
    }

    /// Checks one document's content against its record, for `verify`.
    pub(super) fn check_document(&self, id: &EntryId, d: &Document) -> Option<Problem> {
        let message = match self.read_content(d, &mut std::io::sink(), &mut super::access::Silent) {
            Ok(()) => return None,
            Err(Fault::Content(m)) => format!("document content {m}"),
            Err(Fault::NotForUs) => "document content cannot be opened with this identity".to_string(),
            Err(Fault::Sink(e)) => format!("document content could not be checked ({e})"),
        };
        let file = if is_object_name(&d.object) {
            format!("objects/{}", d.object)
        } else {
            format!("document {}", &hex(id)[..16])
        };
        Some(Problem {
            file: Some(file),
            entry: Some(*id),
            message,
        })
    }

    /// Seals a content object anew to `recipients`, as a stream, replacing it
    /// atomically (the directory is flushed by the caller, as for rotation).
    pub(super) fn reseal_content(&self, object: &str, recipients: &[String]) -> Result<()> {
        let what = format!("objects/{object}");
        let path = self.store.path(Area::Objects, object);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::integrity(what, "missing; run `dossier verify`"))
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        let mut reader = match seal::open_stream(self.identity.age_identity(), BufReader::with_capacity(CHUNK, file)) {
            seal::OpenedStream::Reader(r) => r,
            seal::OpenedStream::NotForUs => {
                return Err(Error::integrity(
                    what,
                    "cannot be opened with this identity, so it cannot be rotated by it",
                ))
            }
            seal::OpenedStream::Damaged(m) => return Err(Error::integrity(what, format!("damaged: {m}"))),
        };
        let mut read_error: Option<String> = None;
        let outcome = self
            .store
            .write_with(Area::Objects, object, Replace::AtomicallyUnsynced, |f| {
                let mut out = seal::encrypt_to(recipients, &mut *f).map_err(std::io::Error::other)?;
                let mut buf = Zeroizing::new(vec![0u8; CHUNK]);
                loop {
                    let n = match read_full(&mut reader, &mut buf[..]) {
                        Ok(0) => break,
                        Ok(n) => n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            let message = seal::one_line(&e.to_string());
                            read_error = Some(message.clone());
                            return Err(std::io::Error::other(message));
                        }
                    };
                    out.write_all(&buf[..n])?;
                }
                out.finish()?.flush()
            });
        if let Some(m) = read_error {
            return Err(Error::integrity(what, format!("damaged: {m}")));
        }
        outcome?;
        failpoint("rotate-file-written");
        Ok(())
    }
}

/// Reads until `buf` is full or the input ends; returns how much was read.
/// (age's reader gives one 64 KiB chunk a call; whole buffers mean fewer,
/// larger writes and hand-offs.)
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// How many piece buffers a stream uses at most (each [`CHUNK`] bytes).
const PIECES: usize = 3;

/// What a [`Worker`] thread does with each piece, in order, and at the end.
trait Stage: Send {
    type Out: Send;
    fn take(&mut self, piece: &[u8]) -> std::io::Result<()>;
    fn end(self) -> std::io::Result<Self::Out>;
}

/// The pieces written to a sink, and their BLAKE3 hash.
struct HashAndWrite<'a> {
    hasher: blake3::Hasher,
    sink: &'a mut (dyn Write + Send),
}

impl Stage for HashAndWrite<'_> {
    type Out = [u8; 32];

    fn take(&mut self, piece: &[u8]) -> std::io::Result<()> {
        self.sink.write_all(piece)?;
        self.hasher.update(piece);
        Ok(())
    }

    fn end(self) -> std::io::Result<[u8; 32]> {
        Ok(*self.hasher.finalize().as_bytes())
    }
}

/// The pieces encrypted into a content object, then its padding (§16.2 of
/// docs/FORMAT.md); ends with the content's size.
struct Encrypt<W: Write + Send> {
    out: seal::Sealing<W>,
    size: u64,
}

impl<W: Write + Send> Stage for Encrypt<W> {
    type Out = u64;

    fn take(&mut self, piece: &[u8]) -> std::io::Result<()> {
        self.out.write_all(piece)?;
        self.size += piece.len() as u64;
        Ok(())
    }

    fn end(mut self) -> std::io::Result<u64> {
        let mut left = content_len(self.size) - self.size;
        let zeros = vec![0u8; left.min(CHUNK as u64) as usize];
        while left > 0 {
            let k = left.min(CHUNK as u64) as usize;
            self.out.write_all(&zeros[..k])?;
            left -= k as u64;
        }
        self.out.finish()?.flush()?;
        Ok(self.size)
    }
}

/// A second thread that runs a [`Stage`] on pieces handed to it, so that its
/// work (hashing, or encrypting and writing) overlaps the caller's (reading,
/// or decrypting). Pieces travel in buffers that come back to be reused, at
/// most [`PIECES`] of them, so memory stays bounded; they are zeroized when
/// dropped.
struct Worker<'scope, T> {
    to_work: Option<std::sync::mpsc::SyncSender<(Zeroizing<Vec<u8>>, usize)>>,
    spare: std::sync::mpsc::Receiver<Zeroizing<Vec<u8>>>,
    made: usize,
    thread: std::thread::ScopedJoinHandle<'scope, std::io::Result<T>>,
}

impl<'scope, T: Send + 'scope> Worker<'scope, T> {
    fn start<'env, S: Stage<Out = T> + 'scope>(scope: &'scope std::thread::Scope<'scope, 'env>, mut stage: S) -> Self {
        let (to_work, pieces) = std::sync::mpsc::sync_channel::<(Zeroizing<Vec<u8>>, usize)>(PIECES);
        let (give_back, spare) = std::sync::mpsc::channel();
        let thread = scope.spawn(move || {
            for (piece, n) in pieces {
                stage.take(&piece[..n])?;
                // The caller may have stopped; then the buffer is just dropped.
                let _ = give_back.send(piece);
            }
            stage.end()
        });
        Worker {
            to_work: Some(to_work),
            spare,
            made: 0,
            thread,
        }
    }

    /// A buffer of [`CHUNK`] bytes to read the next piece into.
    fn buffer(&mut self) -> Zeroizing<Vec<u8>> {
        if let Ok(b) = self.spare.try_recv() {
            return b;
        }
        if self.made < PIECES {
            self.made += 1;
            return Zeroizing::new(vec![0u8; CHUNK]);
        }
        self.spare.recv().unwrap_or_else(|_| Zeroizing::new(vec![0u8; CHUNK]))
    }

    /// Hands over the first `n` bytes of `piece`, next in order; false if the
    /// worker has stopped on an error, which [`Worker::finish`] returns.
    fn give(&self, piece: Zeroizing<Vec<u8>>, n: usize) -> bool {
        self.to_work.as_ref().is_some_and(|tx| tx.send((piece, n)).is_ok())
    }

    /// Waits for the worker to end; its result.
    fn finish(mut self) -> std::io::Result<T> {
        self.to_work = None;
        self.thread
            .join()
            .map_err(|_| std::io::Error::other("a worker thread failed"))?
    }
}

/// Opens a document to attach: it must be a regular file. Returns it and its length.
fn open_input(path: &Path) -> Result<(File, u64)> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::Invalid(format!(
            "{} is a directory; attach one file at a time",
            path.display()
        )));
    }
    if !meta.is_file() {
        return Err(Error::Invalid(format!("{} is not a regular file", path.display())));
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    Ok((file, meta.len()))
}

/// Reads up to [`media::SNIFF_LEN`] bytes from the start of `input`.
fn read_head(input: &mut File, path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    let mut head = Zeroizing::new(Vec::with_capacity(media::SNIFF_LEN));
    Read::by_ref(input)
        .take(media::SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    Ok(head)
}

/// The one-line error `get` reports for a fault.
fn fault_error(found: &Found, fault: Fault, output: &Path) -> Error {
    let what = format!("document {} (objects/{})", &hex(&found.id)[..16], found.document.object);
    match fault {
        Fault::Sink(e) => Error::io(output, e),
        Fault::Content(m) => Error::integrity(what, format!("{m}; nothing was written")),
        Fault::NotForUs => Error::Invalid(format!(
            "{what}: its content cannot be opened with this identity (sealed to the case's members before you were granted it?); run `dossier rotate {}`",
            found.case
        )),
    }
}

/// Where `get` writes a document's clear content until it is checked.
///
/// On Linux it is an unnamed file (`O_TMPFILE`) in the output's directory,
/// given its name only once complete and checked: a `get` killed part way
/// leaves no partial plaintext behind. Where the system or the file system
/// offers no such file, it is a hidden named temporary file, deleted if the
/// process ends normally, left behind (mode 0600) if it is killed.
enum Pending {
    #[cfg(target_os = "linux")]
    Unnamed(File),
    Named(tempfile::NamedTempFile),
}

impl Pending {
    fn create(dir: &Path) -> Result<Pending> {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            if Path::new("/proc/self/fd").is_dir() {
                let flags = OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC;
                if let Ok(fd) = rustix::fs::open(dir, flags, Mode::from_raw_mode(0o600)) {
                    return Ok(Pending::Unnamed(File::from(fd)));
                }
            }
        }
        tempfile::Builder::new()
            .prefix(".dossier-get-")
            .tempfile_in(dir)
            .map(Pending::Named)
            .map_err(|e| Error::io(dir, e))
    }

    fn as_file(&self) -> &File {
        match self {
            #[cfg(target_os = "linux")]
            Pending::Unnamed(f) => f,
            Pending::Named(t) => t.as_file(),
        }
    }

    /// Gives the file its name, never replacing an existing one.
    fn persist_noclobber(self, output: &Path) -> std::io::Result<()> {
        match self {
            #[cfg(target_os = "linux")]
            Pending::Unnamed(f) => {
                use std::os::fd::AsRawFd;
                let link = format!("/proc/self/fd/{}", f.as_raw_fd());
                rustix::fs::linkat(
                    rustix::fs::CWD,
                    link.as_str(),
                    rustix::fs::CWD,
                    output,
                    rustix::fs::AtFlags::SYMLINK_FOLLOW,
                )
                .map_err(std::io::Error::from)
            }
            Pending::Named(t) => t.persist_noclobber(output).map(drop).map_err(|e| e.error),
        }
    }
}
