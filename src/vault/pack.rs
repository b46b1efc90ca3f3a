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
//! ignored. A pack file that does not authenticate or parse is never
//! trusted: it is skipped and removed on the next write. `verify` never uses
//! the pack.
//! docs/FORMAT.md §17 gives the bytes; docs/THREAT-MODEL.md what it trusts.

use std::collections::HashMap;
use std::path::PathBuf;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use serde_bytes::{ByteArray, ByteBuf};
use zeroize::{Zeroize, Zeroizing};

use crate::crypto::identity::Identity;
use crate::format::segment::encode_padded;
use crate::format::{cbor, hex, LogId};
use crate::store::Store;

/// The first bytes of every pack file.
const MAGIC: &[u8] = b"dossier-pack-v1\n";
const PACK_FORMAT: &str = "dossier-pack";
const PACK_VERSION: u64 = 1;
/// Largest pack plaintext read: a pack file larger than this is skipped.
const MAX_PACK_PLAINTEXT: u64 = 2 * 1024 * 1024 * 1024 - 1;

/// The plaintext of a pack file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    format: String,
    v: u64,
    /// The log whose objects it holds.
    log: ByteArray<16>,
    /// Higher than every pack file merged into it: where two files hold the
    /// same object name with different hashes, the higher generation wins.
    gen: u64,
    objects: Vec<Object>,
    pad: ByteBuf,
}

/// One checked object.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Object {
    /// `objects/NAME` or `heads/NAME`.
    file: String,
    /// BLAKE3 of the whole file as stored (the age ciphertext).
    hash: ByteArray<32>,
    /// What it decrypted to, every signature in it verified.
    plain: ByteBuf,
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
    /// Pack files of this part that did not open or parse.
    damaged: Vec<String>,
    /// Objects checked by this command that the part did not hold.
    fresh: Vec<(String, [u8; 32], Zeroizing<Vec<u8>>)>,
}

#[derive(Default)]
struct Inner {
    /// The names in `local/`, listed once, when a part is first needed.
    listed: Option<Vec<String>>,
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

    /// The part of `log`, read from its files the first time.
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
        inner.parts.entry(*log).or_insert_with(|| {
            let mut part = Part {
                prefix: format!("pack-{}-", hex(&blake3::keyed_hash(&self.names, log).as_bytes()[..8])),
                ..Part::default()
            };
            for name in listed.iter().filter(|n| n.starts_with(&part.prefix)) {
                match read_file(local, name, self.key.as_ref(), log) {
                    Some(file) => {
                        part.files.push(Held {
                            file: name.clone(),
                            gen: file.gen,
                            count: file.objects.len(),
                        });
                        for o in file.objects {
                            if part.known.get(&o.file).is_none_or(|k| k.gen < file.gen) {
                                part.known.insert(
                                    o.file,
                                    Known {
                                        hash: o.hash.into_array(),
                                        plain: Zeroizing::new(o.plain.into_vec()),
                                        gen: file.gen,
                                    },
                                );
                            }
                        }
                    }
                    None => part.damaged.push(name.clone()),
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

fn save_part(local: &std::path::Path, key: &[u8; 32], log: &LogId, part: &mut Part) {
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
    for d in std::mem::take(&mut part.damaged) {
        let _ = std::fs::remove_file(local.join(d));
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

fn read_file(local: &std::path::Path, name: &str, key: Option<&Zeroizing<[u8; 32]>>, log: &LogId) -> Option<PackFile> {
    let key = key?;
    let bytes = std::fs::read(local.join(name)).ok()?;
    if bytes.len() as u64 > MAX_PACK_PLAINTEXT + 64 || bytes.len() < MAGIC.len() + 24 || !bytes.starts_with(MAGIC) {
        return None;
    }
    let (nonce, sealed) = bytes[MAGIC.len()..].split_at(24);
    let cipher = XChaCha20Poly1305::new(Key::from_slice(&key[..]));
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
    let file: PackFile = cbor::from_slice(&plain).ok()?;
    (file.format == PACK_FORMAT && file.v == PACK_VERSION && &file.log.into_array() == log).then_some(file)
}

/// Writes the objects named in `members` as a new pack file of generation
/// `gen`; returns its name.
fn write_file(
    local: &std::path::Path,
    prefix: &str,
    key: &[u8; 32],
    log: &LogId,
    gen: u64,
    known: &HashMap<String, Known>,
    members: &[String],
) -> Option<String> {
    let mut file = PackFile {
        format: PACK_FORMAT.into(),
        v: PACK_VERSION,
        log: ByteArray::new(*log),
        gen,
        objects: members
            .iter()
            .filter_map(|f| {
                known.get(f).map(|k| Object {
                    file: f.clone(),
                    hash: ByteArray::new(k.hash),
                    plain: ByteBuf::from(k.plain.to_vec()),
                })
            })
            .collect(),
        pad: ByteBuf::new(),
    };
    let plain = Zeroizing::new(encode_padded(&mut file, |f, n| f.pad = ByteBuf::from(vec![0u8; n])));
    for o in &mut file.objects {
        o.plain.zeroize();
    }
    let nonce = crate::store::random::<24>();
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plain,
                aad: &aad(log),
            },
        )
        .ok()?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + nonce.len() + sealed.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&sealed);
    let name = format!("{prefix}{}", hex(&crate::store::random::<8>()));
    crate::store::atomic::write_cache(&local.join(&name), &bytes).ok()?;
    Some(name)
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
        }
        for len in [0, 1, good.len() / 2, good.len() - 1] {
            std::fs::write(&file, &good[..len]).unwrap();
            assert_eq!(got(&dir, &alice, b"x"), None, "cut at {len} trusted");
        }
        // The next write replaces it.
        let store = Store::open(&dir, crate::store::Mode::Shared).unwrap();
        let pack = Pack::open(&store, &alice);
        pack.remember(&LOG, "objects/y", hash(b"y"), b"other");
        drop(pack);
        drop(store);
        assert!(!file.exists());
        assert_eq!(pack_files(&dir).len(), 1);
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
