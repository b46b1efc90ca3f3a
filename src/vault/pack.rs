//! The local pack: this copy's verified read cache, one per identity.
//!
//! Reading a log costs, per segment, one age header (an X25519 agreement for
//! each padded stanza tried) and, per entry, one Ed25519 `verify_strict`.
//! Both give the same answer every time for the same bytes: a ciphertext
//! decrypts to one plaintext for a given identity, and a signature over given
//! bytes verifies or does not. The pack remembers those answers. For each
//! object it covers it holds the object's name, the BLAKE3 hash of its whole
//! ciphertext and the segment plaintext it decrypted to, recorded only after
//! every entry in it passed its hash and signature checks. A later read that
//! finds a file with the same name and the same ciphertext hash takes the
//! plaintext from the pack and skips the agreement and the signatures; every
//! other check (the segment's log and name, each entry's header, log, time,
//! body hash, parents, reachability, and the whole state fold with its
//! membership rules) runs as before. A file whose hash differs is checked in
//! full, as if there were no pack.
//!
//! The pack lives in `local/pack-<16 hex>-<16 hex>` files, one part per log
//! (and one for head files), each file XChaCha20-Poly1305 under a key
//! derived from the identity's signing secret, so they say nothing to
//! whoever holds the disk and cost no passphrase, token touch or X25519
//! agreement. Each command that checked new objects writes them to a new
//! pack file (new name, renamed into place, not flushed) and merges files of
//! similar sizes into one (new file first, then the old ones are removed):
//! each object is rewritten O(log n) times over the life of the vault and a
//! reader opens O(log n) files per log. A crash or power cut at any point
//! leaves files that are whole, or that fail authentication and are
//! ignored. A pack file that does not authenticate or parse, or is larger
//! than this vault's pack files can be, is never trusted: it is removed as
//! soon as it is found, and read no further than that bound. `verify` never
//! uses the pack.
//! docs/FORMAT.md §17 gives the bytes; docs/THREAT-MODEL.md what it trusts.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde::Serialize;
use serde_bytes::{ByteArray, ByteBuf, Bytes};
use zeroize::Zeroizing;

use crate::crypto::identity::Identity;
use crate::format::segment::encode_padded;
use crate::format::{hex, LogId};
use crate::store::Store;

/// The first bytes of every pack file.
const MAGIC: &[u8] = b"dossier-pack-v1\n";
const PACK_FORMAT: &str = "dossier-pack";
const PACK_VERSION: u64 = 1;
/// The nonce and the tag around a pack file's plaintext.
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Largest pack file read at all.
const MAX_PACK_FILE: u64 = 2 * 1024 * 1024 * 1024;
/// Pack files up to this size are read without looking at the vault's size.
const SMALL_PACK_FILE: u64 = 4 * 1024 * 1024;
/// Slack above twice the vault's size for a pack file's padding.
const PACK_SLACK: u64 = 1024 * 1024;

/// The plaintext of a pack file, as written: it borrows what it holds, so
/// encoding it copies no plaintext but into the encoding itself.
#[derive(Serialize)]
struct PackOut<'a> {
    format: &'static str,
    v: u64,
    /// The log whose objects it holds.
    log: ByteArray<16>,
    /// Higher than every pack file merged into it: where two files hold the
    /// same object name with different hashes, the higher generation wins.
    gen: u64,
    objects: Vec<ObjectOut<'a>>,
    pad: ByteBuf,
}

/// One checked object, as written.
#[derive(Serialize)]
struct ObjectOut<'a> {
    /// `objects/NAME` or `heads/NAME`.
    file: &'a str,
    /// BLAKE3 of the whole file as stored (the age ciphertext).
    hash: ByteArray<32>,
    /// What it decrypted to, every signature in it verified.
    plain: &'a Bytes,
}

/// A pack file's plaintext once decoded: its generation and, per object,
/// the file, the hash of its ciphertext and its checked plaintext.
#[doc(hidden)]
pub struct Decoded {
    pub gen: u64,
    pub objects: Vec<(String, [u8; 32], Zeroizing<Vec<u8>>)>,
}

struct Known {
    hash: [u8; 32],
    plain: Zeroizing<Vec<u8>>,
    gen: u64,
}

struct Held {
    file: String,
    gen: u64,
    count: usize,
}

/// The part of the pack that covers one log.
#[derive(Default)]
struct Part {
    /// The names of this part's pack files start with it.
    prefix: String,
    known: HashMap<String, Known>,
    files: Vec<Held>,
    /// Objects checked by this command that the part did not hold.
    fresh: Vec<(String, [u8; 32], Zeroizing<Vec<u8>>)>,
    /// A part that holds one object, replaced whole (a log's cached state):
    /// a new file replaces every other file of the part instead of merging.
    single: bool,
}

#[derive(Default)]
struct Inner {
    /// The names in `local/`, listed once, when a part is first needed.
    listed: Option<Vec<String>>,
    /// The largest pack file read, once a pack file is large enough to ask.
    bound: Option<u64>,
    parts: HashMap<LogId, Part>,
}

/// The pack of one identity on this copy (or none: [`Pack::off`]). Each
/// log's part is read when that log is first loaded.
pub struct Pack {
    local: PathBuf,
    names: Zeroizing<[u8; 32]>,
    key: Option<Zeroizing<[u8; 32]>>,
    inner: std::sync::Mutex<Inner>,
}

/// The BLAKE3 hash of a file's bytes, as the pack keys it.
pub fn hash(bytes: &[u8]) -> [u8; 32] {
    *blake3::hash(bytes).as_bytes()
}

impl Pack {
    /// No pack: every read checks everything (`verify`, staging copies).
    pub fn off() -> Pack {
        Pack {
            local: PathBuf::new(),
            names: Zeroizing::new([0; 32]),
            key: None,
            inner: std::sync::Mutex::new(Inner::default()),
        }
    }

    /// This identity's pack on this copy. Nothing is read yet.
    ///
    /// None for an identity whose decryption takes a plugin (a hardware
    /// token): the pack's key comes from the signing secret, which sits in
    /// the identity file beside the plugin's stub, so a pack would let
    /// whoever copies that file read without the token.
    pub fn open(store: &Store, identity: &Identity) -> Pack {
        if identity.uses_plugin() {
            return Pack::off();
        }
        let secret = Zeroizing::new(identity.signing_key().to_bytes());
        let key = Zeroizing::new(blake3::derive_key("dossier 2026-11-25 local pack key v1", &*secret));
        Pack {
            local: store.root().join("local"),
            names: Zeroizing::new(blake3::derive_key(
                "dossier 2026-11-25 local pack file names v1",
                &*secret,
            )),
            key: Some(key),
            inner: std::sync::Mutex::new(Inner::default()),
        }
    }

    /// Whether this pack is in use.
    pub fn is_on(&self) -> bool {
        self.key.is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The part of `log`, read from its files the first time. A file that
    /// does not authenticate or decode, or is larger than any pack file of
    /// this vault can be, is removed at once: it is never trusted, and a
    /// planted one is read at most once.
    fn part<'a>(&self, inner: &'a mut Inner, log: &LogId) -> &'a mut Part {
        let local = &self.local;
        let listed = inner.listed.get_or_insert_with(|| match std::fs::read_dir(local) {
            Ok(dir) => dir
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("pack-"))
                .collect(),
            Err(_) => Vec::new(),
        });
        let bound = &mut inner.bound;
        inner.parts.entry(*log).or_insert_with(|| {
            let mut part = Part {
                prefix: format!("pack-{}-", hex(&blake3::keyed_hash(&self.names, log).as_bytes()[..8])),
                ..Part::default()
            };
            let Some(key) = self.key.as_ref() else {
                return part;
            };
            // What this part's files hold in all is bounded, not only each
            // file: a thousand planted files cost no more than one.
            let mut used = 0;
            for name in listed.iter().filter(|n| n.starts_with(&part.prefix)) {
                let path = local.join(name);
                let file = match read_bounded(&path, bound, &mut used) {
                    Fetched::Gone => continue,
                    Fetched::Refused => None,
                    Fetched::Bytes(bytes) => open_bytes(&bytes, key, log),
                };
                let Some(file) = file else {
                    let _ = std::fs::remove_file(&path);
                    continue;
                };
                part.files.push(Held {
                    file: name.clone(),
                    gen: file.gen,
                    count: file.objects.len(),
                });
                for (f, hash, plain) in file.objects {
                    if part.known.get(&f).is_none_or(|k| k.gen < file.gen) {
                        part.known.insert(
                            f,
                            Known {
                                hash,
                                plain,
                                gen: file.gen,
                            },
                        );
                    }
                }
            }
            part
        })
    }

    /// The checked plaintext of `file` of `log` if the pack holds it for
    /// exactly these bytes (`hash` is [`hash`] of them).
    pub fn get(&self, log: &LogId, file: &str, hash: &[u8; 32]) -> Option<Zeroizing<Vec<u8>>> {
        if !self.is_on() {
            return None;
        }
        let mut inner = self.lock();
        self.part(&mut inner, log)
            .known
            .get(file)
            .filter(|k| &k.hash == hash)
            .map(|k| Zeroizing::new(k.plain.to_vec()))
    }

    /// Records that `file` of `log`, whose bytes hash to `hash`, decrypted
    /// to `plain` and that every signature in `plain` verified. Callers
    /// record only what passed those checks.
    pub fn remember(&self, log: &LogId, file: &str, hash: [u8; 32], plain: &[u8]) {
        if !self.is_on() {
            return;
        }
        let mut inner = self.lock();
        let part = self.part(&mut inner, log);
        if part.known.get(file).is_some_and(|k| k.hash == hash) {
            return;
        }
        part.fresh.retain(|(f, _, _)| f != file);
        part.fresh
            .push((file.to_string(), hash, Zeroizing::new(plain.to_vec())));
    }

    /// The cached state of case `log` (FORMAT §17.6), with the hash it is
    /// kept under, whatever that is; None if the pack holds none.
    pub fn state(&self, log: &LogId) -> Option<([u8; 32], Zeroizing<Vec<u8>>)> {
        if !self.is_on() {
            return None;
        }
        let mut inner = self.lock();
        self.part(&mut inner, &state_part(log))
            .known
            .get(STATE_OBJECT)
            .map(|k| (k.hash, Zeroizing::new(k.plain.to_vec())))
    }

    /// Keeps `plain` as the cached state of case `log`, under `hash`: written
    /// at the end of the command, replacing the one before.
    pub fn keep_state(&self, log: &LogId, hash: [u8; 32], plain: &[u8]) {
        if !self.is_on() {
            return;
        }
        let mut inner = self.lock();
        let part = self.part(&mut inner, &state_part(log));
        part.single = true;
        part.fresh.clear();
        part.fresh
            .push((STATE_OBJECT.to_string(), hash, Zeroizing::new(plain.to_vec())));
    }

    /// Writes what this command checked anew, then merges pack files of
    /// similar sizes. Errors only cost speed: they are ignored.
    fn save(&mut self) {
        let Some(key) = self.key.as_ref() else { return };
        let inner = self.inner.get_mut().unwrap_or_else(|p| p.into_inner());
        for (log, part) in inner.parts.iter_mut() {
            save_part(&self.local, key, log, part);
        }
        // Files removed above dated the directory anew.
        crate::store::atomic::undate_dir(&self.local);
    }
}

/// What reading a pack file gave.
enum Fetched {
    /// Its bytes.
    Bytes(Vec<u8>),
    /// Not a regular file, or larger than a pack file of this vault can be:
    /// not read.
    Refused,
    /// Removed meanwhile (by another command merging it away).
    Gone,
}

/// Reads a pack file if it is a regular file and, with the files of its
/// part read before it (`used` bytes, counted here), no larger than the
/// pack files of this vault can be; never reads more than that (a file may
/// grow while it is read). A pack holds the plaintexts of objects the vault
/// holds as age files, each longer than its plaintext, so a part larger
/// than twice the size of `heads/` and `objects/` (old versions of
/// re-sealed objects, padding) plus a MiB was not written by dossier; up to
/// 4 MiB, files are read without that sum being taken.
fn read_bounded(path: &Path, bound: &mut Option<u64>, used: &mut u64) -> Fetched {
    let len = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => m.len(),
        Ok(_) => return Fetched::Refused,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Fetched::Gone,
        Err(_) => return Fetched::Refused,
    };
    let limit = if used.saturating_add(len) <= SMALL_PACK_FILE {
        SMALL_PACK_FILE
    } else {
        *bound.get_or_insert_with(|| match path.parent().and_then(Path::parent) {
            Some(root) => vault_bound(root),
            None => SMALL_PACK_FILE,
        })
    };
    let Some(left) = limit.checked_sub(*used).filter(|&left| len <= left) else {
        return Fetched::Refused;
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Fetched::Gone,
        Err(_) => return Fetched::Refused,
    };
    // Ciphertext: nothing here needs wiping.
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    match file.take(left + 1).read_to_end(&mut bytes) {
        Ok(n) if n as u64 <= left => {
            *used += n as u64;
            Fetched::Bytes(bytes)
        }
        _ => Fetched::Refused,
    }
}

/// The largest pack file this vault can have written: see [`read_bounded`].
fn vault_bound(root: &Path) -> u64 {
    let size = |dir: &str| -> u64 {
        std::fs::read_dir(root.join(dir))
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .fold(0u64, u64::saturating_add)
            })
            .unwrap_or(0)
    };
    size("objects")
        .saturating_add(size("heads"))
        .saturating_mul(2)
        .saturating_add(PACK_SLACK)
        .clamp(SMALL_PACK_FILE, MAX_PACK_FILE)
}

fn save_part(local: &Path, key: &[u8; 32], log: &LogId, part: &mut Part) {
    if part.fresh.is_empty() {
        return;
    }
    let gen = part.files.iter().map(|f| f.gen).max().unwrap_or(0) + 1;
    let fresh = std::mem::take(&mut part.fresh);
    let count = fresh.len();
    for (file, hash, plain) in fresh {
        part.known.insert(file, Known { hash, plain, gen });
    }
    let mut written: Vec<String> = part
        .known
        .iter()
        .filter(|(_, k)| k.gen == gen)
        .map(|(f, _)| f.clone())
        .collect();
    written.sort();
    let Some(name) = write_file(local, &part.prefix, key, log, gen, &part.known, &written) else {
        return;
    };
    part.files.push(Held { file: name, gen, count });
    crate::store::failpoint("pack-written");
    if part.single {
        // One object, replaced whole: the new file supersedes every other.
        for old in part.files.iter().filter(|f| f.gen != gen) {
            crate::store::failpoint("state-replaced");
            let _ = std::fs::remove_file(local.join(&old.file));
        }
        part.files.retain(|f| f.gen == gen);
        return;
    }
    // Merge the two smallest files while they are of similar sizes: sizes
    // then grow geometrically, so there are O(log n) files and each object
    // is rewritten O(log n) times.
    loop {
        part.files.sort_by_key(|f| std::cmp::Reverse(f.count));
        let n = part.files.len();
        if n < 2 || part.files[n - 2].count > 2 * part.files[n - 1].count {
            break;
        }
        let (a, b) = (part.files.remove(n - 1), part.files.remove(n - 2));
        // The objects whose newest version is in either file (an older
        // version, superseded elsewhere, is dropped).
        let mut members: Vec<String> = part
            .known
            .iter()
            .filter(|(_, k)| k.gen == a.gen || k.gen == b.gen)
            .map(|(f, _)| f.clone())
            .collect();
        members.sort();
        let gen = part
            .files
            .iter()
            .map(|f| f.gen)
            .chain([a.gen, b.gen])
            .max()
            .unwrap_or(0)
            + 1;
        let Some(name) = write_file(local, &part.prefix, key, log, gen, &part.known, &members) else {
            return;
        };
        for f in &members {
            if let Some(k) = part.known.get_mut(f) {
                k.gen = gen;
            }
        }
        crate::store::failpoint("pack-merged");
        let _ = std::fs::remove_file(local.join(&a.file));
        crate::store::failpoint("pack-merged-half-removed");
        let _ = std::fs::remove_file(local.join(&b.file));
        part.files.push(Held {
            file: name,
            gen,
            count: members.len(),
        });
    }
}

impl Drop for Pack {
    fn drop(&mut self) {
        self.save();
    }
}

/// The objects of a pack file of generation `gen`, encoded and padded
/// (§17.2), in a buffer wiped on drop; the plaintexts are copied once, into it.
#[doc(hidden)]
pub fn encode<'a>(
    log: &LogId,
    gen: u64,
    objects: impl IntoIterator<Item = (&'a str, [u8; 32], &'a [u8])>,
) -> Zeroizing<Vec<u8>> {
    let mut file = PackOut {
        format: PACK_FORMAT,
        v: PACK_VERSION,
        log: ByteArray::new(*log),
        gen,
        objects: objects
            .into_iter()
            .map(|(file, hash, plain)| ObjectOut {
                file,
                hash: ByteArray::new(hash),
                plain: Bytes::new(plain),
            })
            .collect(),
        pad: ByteBuf::new(),
    };
    Zeroizing::new(encode_padded(&mut file, |f, n| f.pad = ByteBuf::from(vec![0u8; n])))
}

/// Decodes a pack file's plaintext (§17.2) for part `log`: exactly the
/// layout [`encode`] writes (a map of its 6 keys in order, each `Object` a
/// map of its 3), with any width of CBOR argument; anything else is `None`.
/// Read by hand rather than through serde, so that each plaintext is copied
/// once, from the input into a buffer of its size that is wiped on drop
/// (ciborium grows byte strings chunk by chunk, leaving copies behind).
#[doc(hidden)]
pub fn decode(plain: &[u8], log: &LogId) -> Option<Decoded> {
    let mut r = Cbor { b: plain, at: 0 };
    r.map(6)?;
    r.key("format")?;
    if r.text()? != PACK_FORMAT {
        return None;
    }
    r.key("v")?;
    if r.uint()? != PACK_VERSION {
        return None;
    }
    r.key("log")?;
    if r.bytes()? != log {
        return None;
    }
    r.key("gen")?;
    let gen = r.uint()?;
    r.key("objects")?;
    let n = r.len(4)?;
    // Each object takes more than 32 bytes: no count can reserve more than the input.
    let mut objects = Vec::with_capacity(n.min(plain.len() / 32));
    for _ in 0..n {
        r.map(3)?;
        r.key("file")?;
        let file = r.text()?.to_string();
        r.key("hash")?;
        let hash: [u8; 32] = r.bytes()?.try_into().ok()?;
        r.key("plain")?;
        let p = Zeroizing::new(r.bytes()?.to_vec());
        objects.push((file, hash, p));
    }
    r.key("pad")?;
    r.bytes()?;
    (r.at == plain.len()).then_some(Decoded { gen, objects })
}

/// A reader of the few CBOR items a pack file's plaintext is made of.
struct Cbor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cbor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.b.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    /// An item's major type and argument; indefinite lengths (never written) are refused.
    fn head(&mut self) -> Option<(u8, u64)> {
        let first = self.take(1)?[0];
        let arg = match first & 0x1f {
            i @ 0..=23 => u64::from(i),
            24 => u64::from(self.take(1)?[0]),
            25 => u64::from(u16::from_be_bytes(self.take(2)?.try_into().ok()?)),
            26 => u64::from(u32::from_be_bytes(self.take(4)?.try_into().ok()?)),
            27 => u64::from_be_bytes(self.take(8)?.try_into().ok()?),
            _ => return None,
        };
        Some((first >> 5, arg))
    }

    fn arg(&mut self, major: u8) -> Option<u64> {
        let (m, arg) = self.head()?;
        (m == major).then_some(arg)
    }

    fn len(&mut self, major: u8) -> Option<usize> {
        usize::try_from(self.arg(major)?).ok()
    }

    fn uint(&mut self) -> Option<u64> {
        self.arg(0)
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.len(2)?;
        self.take(n)
    }

    fn text(&mut self) -> Option<&'a str> {
        let n = self.len(3)?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn map(&mut self, pairs: usize) -> Option<()> {
        (self.len(5)? == pairs).then_some(())
    }

    fn key(&mut self, key: &str) -> Option<()> {
        (self.text()? == key).then_some(())
    }
}

/// Authenticates and decodes the bytes of a pack file of part `log` (§17.2):
/// the magic, the nonce, then the sealed plaintext. `None` for anything else.
#[doc(hidden)]
pub fn open_bytes(bytes: &[u8], key: &[u8; 32], log: &LogId) -> Option<Decoded> {
    let sealed = bytes.strip_prefix(MAGIC)?;
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (nonce, sealed) = sealed.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    // Decrypted in a buffer of the ciphertext's size, never grown.
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad(log),
                },
            )
            .ok()?,
    );
    decode(&plain, log)
}

/// Seals a pack file's plaintext for part `log` under `key`: the bytes of
/// the file (§17.2).
#[doc(hidden)]
pub fn seal_bytes(plain: &[u8], key: &[u8; 32], log: &LogId) -> Option<Vec<u8>> {
    let nonce = crate::store::random::<NONCE_LEN>();
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: &aad(log),
            },
        )
        .ok()?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + nonce.len() + sealed.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&sealed);
    Some(bytes)
}

/// Writes the objects named in `members` as a new pack file of generation
/// `gen`; returns its name.
fn write_file(
    local: &Path,
    prefix: &str,
    key: &[u8; 32],
    log: &LogId,
    gen: u64,
    known: &HashMap<String, Known>,
    members: &[String],
) -> Option<String> {
    let plain = encode(
        log,
        gen,
        members
            .iter()
            .filter_map(|f| known.get(f).map(|k| (f.as_str(), k.hash, &k.plain[..]))),
    );
    let bytes = seal_bytes(&plain, key, log)?;
    drop(plain);
    let name = format!("{prefix}{}", hex(&crate::store::random::<8>()));
    crate::store::atomic::write_cache(&local.join(&name), &bytes).ok()?;
    Some(name)
}

/// The name of the one object of a state part.
const STATE_OBJECT: &str = "case-state";

/// The part id under which the pack keeps the cached state of `log`: not a
/// log id (those are random) nor [`HEADS_PART`](super::log::HEADS_PART).
fn state_part(log: &LogId) -> LogId {
    let mut out = [0u8; 16];
    out.copy_from_slice(&blake3::derive_key("dossier 2026-11-25 local pack case state part v1", log)[..16]);
    out
}

/// What each pack file's authentication covers beside its bytes: the
/// log it belongs to.
fn aad(log: &LogId) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(log);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: LogId = [3; 16];

    fn pack_files(dir: &std::path::Path) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = std::fs::read_dir(dir.join("local"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("pack-"))
            .collect();
        out.sort();
        out
    }

    /// A pack of `who` in `dir` that remembers `objects/x` as `plain` for
    /// bytes hashing to `hash(b"x")`.
    fn remembered(dir: &std::path::Path, who: &Identity, plain: &[u8]) {
        let store = Store::create(dir).unwrap();
        let pack = Pack::open(&store, who);
        pack.remember(&LOG, "objects/x", hash(b"x"), plain);
        drop(pack);
    }

    fn got(dir: &std::path::Path, who: &Identity, bytes: &[u8]) -> Option<Vec<u8>> {
        let store = Store::open(dir, crate::store::Mode::Shared).unwrap();
        let pack = Pack::open(&store, who);
        pack.get(&LOG, "objects/x", &hash(bytes)).map(|p| p.to_vec())
    }

    /// What was remembered comes back for the same bytes only; the file says
    /// nothing of it in the clear.
    #[test]
    fn a_pack_serves_only_the_bytes_it_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let alice = Identity::generate();
        remembered(&dir, &alice, b"checked plaintext");
        assert_eq!(got(&dir, &alice, b"x").as_deref(), Some(&b"checked plaintext"[..]));
        // The file changed since: stale, not served.
        assert_eq!(got(&dir, &alice, b"x, altered"), None);
        // Another log's part does not hold it either.
        let store = Store::open(&dir, crate::store::Mode::Shared).unwrap();
        assert!(Pack::open(&store, &alice)
            .get(&[4; 16], "objects/x", &hash(b"x"))
            .is_none());
        drop(store);
        let files = pack_files(&dir);
        assert_eq!(files.len(), 1);
        let bytes = std::fs::read(&files[0]).unwrap();
        assert!(!bytes.windows(17).any(|w| w == b"checked plaintext"));
    }

    /// A pack file another identity wrote, even put under this identity's
    /// file name, is not opened.
    #[test]
    fn another_identitys_pack_is_not_trusted() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir_a, dir_m) = (tmp.path().join("a"), tmp.path().join("m"));
        let alice = Identity::generate();
        let mallory = Identity::generate();
        remembered(&dir_a, &alice, b"real");
        remembered(&dir_m, &mallory, b"forged");
        let theirs = std::fs::read(&pack_files(&dir_m)[0]).unwrap();
        let ours = pack_files(&dir_a)[0].clone();
        std::fs::write(&ours, theirs).unwrap();
        assert_eq!(got(&dir_a, &alice, b"x"), None);
        // Nor under its own name: it is not this identity's.
        let moved = dir_a.join("local").join(pack_files(&dir_m)[0].file_name().unwrap());
        std::fs::copy(&pack_files(&dir_m)[0], moved).unwrap();
        assert_eq!(got(&dir_a, &alice, b"x"), None);
    }

    /// A pack file with a byte flipped anywhere, or cut short (a write torn
    /// by a power cut), is not trusted, and goes at the next write.
    #[test]
    fn a_damaged_or_torn_pack_is_not_trusted_and_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let alice = Identity::generate();
        remembered(&dir, &alice, b"checked plaintext");
        let file = pack_files(&dir)[0].clone();
        let good = std::fs::read(&file).unwrap();
        for at in [0, good.len() / 3, good.len() / 2, good.len() - 1] {
            let mut bad = good.clone();
            bad[at] ^= 0x20;
            std::fs::write(&file, &bad).unwrap();
            assert_eq!(got(&dir, &alice, b"x"), None, "flip at {at} trusted");
            assert!(!file.exists(), "flip at {at} left after a read");
        }
        for len in [0, 1, good.len() / 2, good.len() - 1] {
            std::fs::write(&file, &good[..len]).unwrap();
            assert_eq!(got(&dir, &alice, b"x"), None, "cut at {len} trusted");
            assert!(!file.exists(), "cut at {len} left after a read");
        }
        std::fs::write(&file, &good).unwrap();
        // The next write replaces it.
        let store = Store::open(&dir, crate::store::Mode::Shared).unwrap();
        let pack = Pack::open(&store, &alice);
        pack.remember(&LOG, "objects/y", hash(b"y"), b"other");
        drop(pack);
        drop(store);
        assert!(!file.exists());
        assert_eq!(pack_files(&dir).len(), 1);
    }

    /// Files under this identity's pack names that no pack write makes —
    /// larger than the vault could fill, not regular files — are not read
    /// (a sparse 1 GiB file, a link to an endless device) and are removed;
    /// the real pack file beside them still serves.
    #[test]
    fn oversized_or_irregular_pack_files_are_not_read_and_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let alice = Identity::generate();
        remembered(&dir, &alice, b"checked plaintext");
        let real = pack_files(&dir)[0].clone();
        let prefix = real.file_name().unwrap().to_string_lossy()[..22].to_string();
        let huge = dir.join("local").join(format!("{prefix}0000000000000001"));
        std::fs::File::create(&huge).unwrap().set_len(1 << 30).unwrap();
        let link = dir.join("local").join(format!("{prefix}0000000000000002"));
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert_eq!(got(&dir, &alice, b"x").as_deref(), Some(&b"checked plaintext"[..]));
        assert!(!huge.exists() && !link.exists(), "planted files left");
        assert!(real.exists());
        // What the vault holds bounds the files read: an empty vault, 4 MiB.
        let (mut bound, mut used) = (None, 0);
        assert!(matches!(read_bounded(&real, &mut bound, &mut used), Fetched::Bytes(_)));
        assert_eq!(bound, None, "a small file needs no bound");
        assert_eq!(used, std::fs::metadata(&real).unwrap().len());
        std::fs::File::create(&huge)
            .unwrap()
            .set_len(SMALL_PACK_FILE + 1)
            .unwrap();
        assert!(matches!(read_bounded(&huge, &mut bound, &mut used), Fetched::Refused));
        assert_eq!(bound, Some(SMALL_PACK_FILE));
        // Many files each under the bound: no more than the bound in all.
        std::fs::File::create(&huge)
            .unwrap()
            .set_len(SMALL_PACK_FILE / 3)
            .unwrap();
        let read = (0..4)
            .filter(|_| matches!(read_bounded(&huge, &mut bound, &mut used), Fetched::Bytes(_)))
            .count();
        assert_eq!(read, 2);
        assert!(used <= SMALL_PACK_FILE);
        // 3 MiB of objects allow 7 MiB.
        std::fs::write(dir.join("objects").join("a"), vec![0u8; 3 << 20]).unwrap();
        assert_eq!(vault_bound(&dir), 7 << 20);
    }

    /// The plaintext decoder reads exactly what the encoder writes, for its
    /// own part only, and nothing after it.
    #[test]
    fn pack_plaintext_round_trips_and_is_strict() {
        let plain = encode(
            &LOG,
            5,
            [("objects/a", [1; 32], &b"one"[..]), ("heads/b", [2; 32], &[][..])],
        );
        let d = decode(&plain, &LOG).unwrap();
        assert_eq!(d.gen, 5);
        let objects: Vec<(String, [u8; 32], Vec<u8>)> =
            d.objects.iter().map(|(f, h, p)| (f.clone(), *h, p.to_vec())).collect();
        assert_eq!(
            objects,
            vec![
                ("objects/a".to_string(), [1; 32], b"one".to_vec()),
                ("heads/b".to_string(), [2; 32], Vec::new())
            ]
        );
        assert!(decode(&plain, &[4; 16]).is_none(), "another part's file");
        let mut longer = plain.to_vec();
        longer.push(0);
        assert!(decode(&longer, &LOG).is_none(), "trailing bytes");
        assert!(decode(&plain[..plain.len() - 1], &LOG).is_none(), "cut short");
        // Padded to a bucket like every other file (§4.3).
        assert_eq!(plain.len(), 1024);
    }

    /// Many small writes merge into O(log n) files, and none of what was
    /// remembered is lost on the way.
    #[test]
    fn pack_files_merge_geometrically_and_keep_everything() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let alice = Identity::generate();
        drop(Store::create(&dir).unwrap());
        for i in 0..100u32 {
            let store = Store::open(&dir, crate::store::Mode::Shared).unwrap();
            let pack = Pack::open(&store, &alice);
            pack.remember(&LOG, &format!("objects/{i}"), hash(&i.to_le_bytes()), &i.to_be_bytes());
            drop(pack);
            assert!(
                pack_files(&dir).len() <= 8,
                "{} files after {i}",
                pack_files(&dir).len()
            );
        }
        let store = Store::open(&dir, crate::store::Mode::Shared).unwrap();
        let pack = Pack::open(&store, &alice);
        for i in 0..100u32 {
            let p = pack.get(&LOG, &format!("objects/{i}"), &hash(&i.to_le_bytes()));
            assert_eq!(p.as_deref().map(|p| p.to_vec()), Some(i.to_be_bytes().to_vec()), "{i}");
        }
    }

    /// An object re-sealed (rotation: new bytes, same name) is served for its
    /// new bytes only, and its old version is dropped when files merge.
    #[test]
    fn a_resealed_object_supersedes_its_old_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("v");
        let alice = Identity::generate();
        remembered(&dir, &alice, b"v1");
        let store = Store::open(&dir, crate::store::Mode::Shared).unwrap();
        let pack = Pack::open(&store, &alice);
        pack.remember(&LOG, "objects/x", hash(b"x2"), b"v2");
        drop(pack);
        drop(store);
        assert_eq!(got(&dir, &alice, b"x2").as_deref(), Some(&b"v2"[..]));
        assert_eq!(got(&dir, &alice, b"x"), None);
    }
}
