//! Loading a log from its heads and segments, checking everything on the way.
//!
//! Nothing read here is trusted until checked: each head's signature, each
//! segment's age authentication, each entry's body hash and signature
//! (`verify_strict`), each parent link, and that every entry is reachable from
//! a signed head. What fails is not dropped silently: it becomes a [`Problem`]
//! naming the file or entry, so `verify` can report it and every other
//! command can refuse to act on a damaged log.

use std::collections::{HashMap, HashSet};

use zeroize::Zeroizing;

use crate::crypto::{identity::Identity, seal, sign};
use crate::format::entry::AmendBody;
use crate::format::entry::{self, Header, Kind, StoredEntry, HEADER_VERSION};
use crate::format::head::{Head, LogKind, SignedHead, HEAD_FORMAT, HEAD_SIGNATURE_LABEL, HEAD_VERSION};
use crate::format::leaves::{self, CommittedRecord, HEADER_VERSION_LEAVES};
use crate::format::segment::{Segment, SEGMENT_FORMAT, SEGMENT_VERSION};
use crate::format::{cbor, hex, EntryId, LogId};
use crate::store::{Area, Store};

use super::pack::Pack;

/// Largest plaintext of a head or segment that is read into memory.
pub const MAX_OBJECT_PLAINTEXT: u64 = 512 * 1024 * 1024;

/// Something wrong with what is stored, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file at fault, as `heads/NAME` or `objects/NAME`, if one is.
    pub file: Option<String>,
    /// The entry at fault, if one is.
    pub entry: Option<EntryId>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    pub fn file(file: String, message: impl Into<String>) -> Self {
        Problem {
            file: Some(file),
            entry: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.file, &self.entry) {
            (Some(file), Some(e)) => write!(f, "{file}: entry {}: {}", &hex(e)[..16], self.message),
            (Some(file), None) => write!(f, "{file}: {}", self.message),
            (None, Some(e)) => write!(f, "entry {}: {}", &hex(e)[..16], self.message),
            (None, None) => write!(f, "{}", self.message),
        }
    }
}

/// A head file that decrypted, parsed and carries a valid signature by its author.
#[derive(Clone)]
pub struct HeadFile {
    pub name: String,
    pub head: Head,
}

/// What scanning `heads/` found.
pub struct HeadScan {
    pub heads: Vec<HeadFile>,
    /// Head files well formed as age files that this identity cannot open.
    pub unreadable: Vec<String>,
    pub problems: Vec<Problem>,
}

/// The name of the head file of `log` written by `device`.
pub fn head_name(log: &LogId, device: &[u8; 16]) -> String {
    let mut input = Vec::with_capacity(32);
    input.extend_from_slice(log);
    input.extend_from_slice(device);
    hex(&blake3::derive_key("dossier 2026-11-24 head file name v1", &input)[..16])
}

/// Reads and checks every head this identity can open.
pub fn scan_heads(store: &Store, identity: &Identity) -> crate::Result<HeadScan> {
    scan_heads_with(store, identity, &Pack::off())
}

/// The log id under which the pack keeps head files (no log has it: log ids
/// are random).
pub const HEADS_PART: LogId = *b"dossier heads v1";

/// Reads and checks heads as [`scan_heads`] does, taking from `pack` the
/// heads it checked before in files whose bytes have not changed since.
pub fn scan_heads_with(store: &Store, identity: &Identity, pack: &Pack) -> crate::Result<HeadScan> {
    let mut scan = HeadScan {
        heads: Vec::new(),
        unreadable: Vec::new(),
        problems: Vec::new(),
    };
    // Read in order, decrypted on every core, checked in order.
    let mut slots: Vec<Slot> = Vec::new();
    for name in store.list(Area::Heads)? {
        let file = format!("heads/{name}");
        if !crate::store::is_object_name(&name) {
            slots.push(Slot::Problem(Problem::file(
                file,
                "unexpected file: dossier never writes this name",
            )));
            continue;
        }
        let Some(bytes) = store.read(Area::Heads, &name)? else {
            continue;
        };
        let hash = pack.is_on().then(|| super::pack::hash(&bytes));
        let cached = hash.and_then(|h| pack.get(&HEADS_PART, &file, &h));
        slots.push(Slot::Read {
            name,
            hash,
            opened: cached.map(seal::Opened::Plain),
            bytes,
        });
    }
    for slot in open_slots(identity, "heads", slots) {
        let (name, hash, packed, opened) = match slot {
            Ok(read) => read,
            Err(p) => {
                scan.problems.push(p);
                continue;
            }
        };
        let file = format!("heads/{name}");
        let plain = match opened {
            seal::Opened::Plain(p) => p,
            seal::Opened::NotForUs => {
                scan.unreadable.push(name);
                continue;
            }
            seal::Opened::Damaged(m) => {
                scan.problems.push(Problem::file(file, format!("damaged: {m}")));
                continue;
            }
        };
        match parse_head_checked(&plain, &name, packed) {
            Ok(head) => {
                if let (Some(h), false) = (hash, packed) {
                    pack.remember(&HEADS_PART, &file, h, &plain);
                }
                scan.heads.push(HeadFile { name, head })
            }
            Err(m) => scan.problems.push(Problem::file(file, m)),
        }
    }
    Ok(scan)
}

pub(crate) fn parse_head(plain: &[u8], name: &str) -> Result<Head, String> {
    parse_head_checked(plain, name, false)
}

/// Parses a head; `packed` heads come from the pack, their signature
/// verified when they were packed, and it is not verified again.
fn parse_head_checked(plain: &[u8], name: &str, packed: bool) -> Result<Head, String> {
    let signed: SignedHead = cbor::from_slice(plain).map_err(|m| format!("not a head: {m}"))?;
    if signed.format != HEAD_FORMAT {
        return Err(format!("not a head (format '{}')", signed.format));
    }
    let head: Head = cbor::from_slice(&signed.head).map_err(|m| format!("not a head: {m}"))?;
    if head.v != HEAD_VERSION {
        return Err(format!("head version {} is not supported by this dossier", head.v));
    }
    if !packed && !sign::verify(&head.author, HEAD_SIGNATURE_LABEL, &signed.head, &signed.sig) {
        return Err("the head's signature does not verify: altered or forged".into());
    }
    if head_name(&head.log, &head.device) != name {
        return Err("this head is stored under another head's name: files were moved or swapped".into());
    }
    // Whoever wrote it, a case is named as `case new` allows: a name with
    // line breaks or escape sequences could pose as output of its own.
    if head.kind == LogKind::Case && crate::domain::record::check_handle(&head.name).is_err() {
        return Err("the head names its case with characters no case id may hold".into());
    }
    Ok(head)
}

/// An entry of a log that passed its own checks (body hash, signature).
pub struct Entry {
    pub id: EntryId,
    pub header: Header,
    pub header_bytes: Vec<u8>,
    pub sig: [u8; 64],
    pub body: Zeroizing<Vec<u8>>,
    pub segment: String,
    /// The header's leaf root was found to match the body (checked on every
    /// core with the signatures); false where it was not checked, or failed
    /// (the state fold checks it then, and reports it).
    pub leaves_checked: bool,
}

/// One log, as far as it could be read, and what was wrong with it.
pub struct Log {
    pub id: LogId,
    pub kind: LogKind,
    pub name: String,
    pub heads: Vec<HeadFile>,
    /// Entries ordered parents first (by `seq`, then time, then id).
    pub entries: Vec<Entry>,
    pub index: HashMap<EntryId, usize>,
    /// Segment names, in the order heads list them.
    pub segments: Vec<String>,
    pub problems: Vec<Problem>,
    /// BLAKE3 of each segment file as read (only when the pack is on), by name.
    pub hashes: Vec<(String, [u8; 32])>,
    /// For a log resumed from the cached case state (`resume`): the cached
    /// tips and their `seq`. `entries` then holds only the entries written
    /// since the cache, and the log may be used for nothing but appending.
    pub prior: Option<Vec<(EntryId, u64)>>,
}

impl Log {
    /// Entries that no other entry names as a parent.
    pub fn tips(&self) -> Vec<EntryId> {
        let mut parents = HashSet::new();
        for e in &self.entries {
            parents.extend(e.header.parents.iter().map(|p| p.into_array()));
        }
        let mut tips: Vec<EntryId> = self
            .entries
            .iter()
            .map(|e| e.id)
            .chain(self.prior.iter().flatten().map(|(t, _)| *t))
            .filter(|id| !parents.contains(id))
            .collect();
        tips.sort();
        tips.dedup();
        tips
    }

    /// The `seq` of an entry written on top of every tip.
    pub fn next_seq(&self) -> u64 {
        let prior = self.prior.iter().flatten();
        let tips = self.tips();
        self.entries
            .iter()
            .filter(|e| tips.contains(&e.id))
            .map(|e| e.header.seq)
            .chain(prior.filter(|(t, _)| tips.contains(t)).map(|(_, s)| *s))
            .max()
            .map_or(0, |s| s + 1)
    }

    pub fn entry(&self, id: &EntryId) -> Option<&Entry> {
        self.index.get(id).map(|&i| &self.entries[i])
    }
}

/// Loads the log whose heads are given (all heads of one log id), checking
/// every file in full.
pub fn load(store: &Store, identity: &Identity, heads: Vec<HeadFile>) -> crate::Result<Log> {
    load_with(store, identity, heads, &Pack::off())
}

/// Loads a log as [`load`] does, taking from `pack` what it already checked
/// in files whose bytes have not changed since, and remembering there what
/// it checks anew.
pub fn load_with(store: &Store, identity: &Identity, heads: Vec<HeadFile>, pack: &Pack) -> crate::Result<Log> {
    let first = &heads[0].head;
    let mut log = Log {
        id: first.log.into_array(),
        kind: first.kind,
        name: first.name.clone(),
        heads: Vec::new(),
        entries: Vec::new(),
        index: HashMap::new(),
        segments: Vec::new(),
        problems: Vec::new(),
        hashes: Vec::new(),
        prior: None,
    };
    let mut listed: HashSet<String> = HashSet::new();
    for h in &heads {
        if h.head.kind != log.kind || h.head.name != log.name {
            log.problems.push(Problem::file(
                format!("heads/{}", h.name),
                format!(
                    "disagrees with the log's other heads on its kind or name ('{}')",
                    h.head.name
                ),
            ));
        }
        for s in &h.head.segments {
            if listed.insert(s.clone()) {
                log.segments.push(s.clone());
            }
        }
    }
    log.heads = heads;

    let mut entries: HashMap<EntryId, Entry> = HashMap::new();
    // Entries as read from each segment, with the segment's name; their
    // signatures are checked once all are read, on every core.
    let mut stored: Vec<(StoredEntry, String, Trust)> = Vec::new();
    // Segments whose bytes were hashed for the pack: whether the pack
    // already vouches for their leaf roots.
    let mut marks: Vec<(String, [u8; 32], bool)> = Vec::new();
    // Segments opened and checked here, not taken from the pack: remembered
    // there once every entry in them passed.
    let mut opened: Vec<(String, [u8; 32], Zeroizing<Vec<u8>>)> = Vec::new();
    // Files are read and looked up in the pack in order, a window at a time;
    // those the pack does not vouch for are decrypted on every core (an
    // X25519 agreement per stanza tried: the bulk of reading), then parsed
    // in order, so that problems come out as if read one by one.
    let names = log.segments.clone();
    for window in names.chunks(OPEN_WINDOW) {
        let mut slots: Vec<Slot> = Vec::with_capacity(window.len());
        for name in window {
            let file = format!("objects/{name}");
            if !crate::store::is_object_name(name) {
                slots.push(Slot::Problem(Problem::file(
                    file,
                    "a head lists a name dossier never writes",
                )));
                continue;
            }
            let Some(bytes) = store.read(Area::Objects, name)? else {
                slots.push(Slot::Problem(Problem::file(
                    file,
                    "missing: a head lists it but it is not in the vault",
                )));
                continue;
            };
            let hash = pack.is_on().then(|| super::pack::hash(&bytes));
            if let Some(h) = hash {
                log.hashes.push((name.clone(), h));
            }
            let cached = hash.and_then(|h| pack.get(&log.id, &file, &h));
            slots.push(Slot::Read {
                name: name.clone(),
                hash,
                opened: cached.map(seal::Opened::Plain),
                bytes,
            });
        }
        for slot in open_slots(identity, "objects", slots) {
            let (name, hash, checked, opened_now) = match slot {
                Ok(read) => read,
                Err(p) => {
                    log.problems.push(p);
                    continue;
                }
            };
            let file = format!("objects/{name}");
            let plain = match opened_now {
                seal::Opened::Plain(p) => p,
                seal::Opened::NotForUs => {
                    log.problems.push(Problem::file(
                        file,
                        "cannot be opened with this identity: damaged or replaced",
                    ));
                    continue;
                }
                seal::Opened::Damaged(m) => {
                    log.problems.push(Problem::file(file, format!("damaged: {m}")));
                    continue;
                }
            };
            let segment = match check_segment(&plain, &log.id, &name) {
                Ok(s) => s,
                Err(p) => {
                    log.problems.push(p);
                    continue;
                }
            };
            let leaves = checked && hash.is_some_and(|h| pack.get(&log.id, &leaves_mark(&file), &h).is_some());
            if let Some(h) = hash {
                marks.push((file.clone(), h, leaves));
            }
            let trust = Trust {
                signed: checked,
                leaves,
            };
            stored.extend(segment.entries.into_iter().map(|e| (e, name.clone(), trust)));
            if let (Some(h), false) = (hash, checked) {
                opened.push((file, h, plain));
            }
        }
    }
    let mut failed: HashSet<String> = HashSet::new();
    // Files with a leaf root not found to match: the state fold reports it.
    let mut unmatched: HashSet<String> = HashSet::new();
    for checked in check_entries(stored, &log.id) {
        match checked {
            Ok(e) => {
                if e.header.leaves.is_some() && !e.leaves_checked {
                    unmatched.insert(format!("objects/{}", e.segment));
                }
                entries.entry(e.id).or_insert(e);
            }
            Err(p) => {
                failed.extend(p.file.clone());
                log.problems.push(p);
            }
        }
    }
    for (file, h, plain) in opened {
        if !failed.contains(&file) {
            pack.remember(&log.id, &file, h, &plain);
        }
    }
    for (file, h, known) in marks {
        if !known && !failed.contains(&file) && !unmatched.contains(&file) {
            pack.remember(&log.id, &leaves_mark(&file), h, &[]);
        }
    }

    let mut list: Vec<Entry> = entries.into_values().collect();
    list.sort_by(|a, b| (a.header.seq, &a.header.time, a.id).cmp(&(b.header.seq, &b.header.time, b.id)));
    let seqs: HashMap<EntryId, u64> = list.iter().map(|e| (e.id, e.header.seq)).collect();
    for e in &list {
        let file = Some(format!("objects/{}", e.segment));
        let parents: Vec<EntryId> = e.header.parents.iter().map(|p| p.into_array()).collect();
        let mut max = None::<u64>;
        for p in &parents {
            match seqs.get(p) {
                Some(&s) => max = Some(max.map_or(s, |m: u64| m.max(s))),
                None => log.problems.push(Problem {
                    file: file.clone(),
                    entry: Some(e.id),
                    message: format!("its parent {} is missing: the log was truncated or cut", &hex(p)[..16]),
                }),
            }
        }
        let expected = if parents.is_empty() {
            Some(0)
        } else {
            max.map(|m| m + 1)
        };
        if let Some(x) = expected {
            if x != e.header.seq {
                log.problems.push(Problem {
                    file: file.clone(),
                    entry: Some(e.id),
                    message: format!("sequence number {} where {x} was expected", e.header.seq),
                });
            }
        }
    }
    let genesis: Vec<&Entry> = list.iter().filter(|e| e.header.parents.is_empty()).collect();
    let want = match log.kind {
        LogKind::Roster => Kind::Vault,
        LogKind::Case => Kind::Case,
    };
    if genesis.len() != 1 || genesis[0].header.kind != want {
        log.problems.push(Problem {
            file: None,
            entry: None,
            message: format!(
                "{} has {} first entries where exactly one '{:?}' entry is expected",
                describe(&log),
                genesis.len(),
                want
            ),
        });
    }

    // Every entry must be reachable from a tip some signed head names. Where the
    // walk meets an entry that is not there (a missing parent or tip), everything
    // older looks unreachable; that is a consequence of the cut, already reported,
    // not a second finding, so unreachable entries are reported only when the walk
    // was whole.
    let by_id: HashMap<EntryId, &Entry> = list.iter().map(|e| (e.id, e)).collect();
    let mut reachable = HashSet::new();
    let mut cut = false;
    let mut stack: Vec<EntryId> = Vec::new();
    for h in &log.heads {
        for t in &h.head.tips {
            let t = t.into_array();
            if by_id.contains_key(&t) {
                stack.push(t);
            } else {
                cut = true;
                log.problems.push(Problem {
                    file: Some(format!("heads/{}", h.name)),
                    entry: Some(t),
                    message: "the head names an entry that is missing: records were removed".into(),
                });
            }
        }
    }
    while let Some(id) = stack.pop() {
        if reachable.insert(id) {
            match by_id.get(&id) {
                Some(e) => stack.extend(e.header.parents.iter().map(|p| p.into_array())),
                None => cut = true,
            }
        }
    }
    for e in list.iter().filter(|_| !cut) {
        if !reachable.contains(&e.id) {
            log.problems.push(Problem {
                file: Some(format!("objects/{}", e.segment)),
                entry: Some(e.id),
                message: "not reachable from any signed head: spliced in from elsewhere".into(),
            });
        }
    }

    log.index = list.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    log.entries = list;
    Ok(log)
}

/// Checks what a segment's plaintext says of itself: format, version, log
/// (`id`) and name. Its entries are checked next ([`check_entries`]).
fn check_segment(plain: &[u8], id: &LogId, name: &str) -> Result<Segment, Problem> {
    let file = format!("objects/{name}");
    let segment: Segment =
        cbor::from_slice(plain).map_err(|m| Problem::file(file.clone(), format!("not a segment: {m}")))?;
    if segment.format != SEGMENT_FORMAT || segment.v != SEGMENT_VERSION {
        return Err(Problem::file(file, "not a segment of a version this dossier reads"));
    }
    if &segment.log.into_array() != id {
        return Err(Problem::file(
            file,
            "belongs to another case or vault: objects were swapped",
        ));
    }
    if segment.name.as_ref().is_some_and(|n| n != name) {
        return Err(Problem::file(
            file,
            "holds the segment written under another name: objects were swapped or moved",
        ));
    }
    Ok(segment)
}

/// Decrypts the segment file `objects/NAME` of log `id` and checks it as
/// [`load_with`] does ([`check_segment`]); for the cached case state.
pub(crate) fn open_segment(
    identity: &Identity,
    id: &LogId,
    name: &str,
    bytes: &[u8],
) -> Result<Vec<StoredEntry>, Problem> {
    let file = format!("objects/{name}");
    let plain = match seal::open(identity.age_identity(), bytes, MAX_OBJECT_PLAINTEXT) {
        seal::Opened::Plain(p) => p,
        seal::Opened::NotForUs => {
            return Err(Problem::file(
                file,
                "cannot be opened with this identity: damaged or replaced",
            ))
        }
        seal::Opened::Damaged(m) => return Err(Problem::file(file, format!("damaged: {m}"))),
    };
    Ok(check_segment(&plain, id, name)?.entries)
}

/// Segments read, then decrypted together, at a time: bounds the ciphertext
/// held in memory while keeping every core busy.
const OPEN_WINDOW: usize = 256;

/// A segment named by a head, as read in [`load_with`].
enum Slot {
    /// Not read: what is wrong with its name or its absence.
    Problem(Problem),
    /// Read; `opened` is its plaintext if the pack vouches for its bytes.
    Read {
        name: String,
        hash: Option<[u8; 32]>,
        opened: Option<seal::Opened>,
        bytes: Vec<u8>,
    },
}

/// Each slot's name, hash, whether the pack vouched for it, and its
/// plaintext: the pack's, or decrypted now (those on every core, in order).
#[allow(clippy::type_complexity)]
fn open_slots(
    identity: &Identity,
    area: &str,
    slots: Vec<Slot>,
) -> Vec<Result<(String, Option<[u8; 32]>, bool, seal::Opened), Problem>> {
    let to_open: Vec<&[u8]> = slots
        .iter()
        .filter_map(|s| match s {
            Slot::Read {
                opened: None, bytes, ..
            } => Some(bytes.as_slice()),
            _ => None,
        })
        .collect();
    let mut fresh = open_many(identity, &to_open).into_iter();
    slots
        .into_iter()
        .map(|slot| match slot {
            Slot::Problem(p) => Err(p),
            Slot::Read {
                name,
                hash,
                opened: Some(plain),
                ..
            } => Ok((name, hash, true, plain)),
            Slot::Read { name, hash, .. } => match fresh.next() {
                Some(opened) => Ok((name, hash, false, opened)),
                None => Err(Problem::file(format!("{area}/{name}"), "damaged: not decrypted")),
            },
        })
        .collect()
}

/// How many threads the checks of a log run on.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
}

/// Decrypts each of `files` with `identity`, on as many threads as there are
/// cores when the identity can be used from several at once (not a plugin's),
/// and returns the results in the given order.
pub(crate) fn open_many(identity: &Identity, files: &[&[u8]]) -> Vec<seal::Opened> {
    let threads = threads();
    match identity.age_identity_shared() {
        Some(shared) if threads > 1 && files.len() > 1 => {
            crate::crypto::sign::par_map(files, threads, |_, b| seal::open(shared, b, MAX_OBJECT_PLAINTEXT))
        }
        _ => files
            .iter()
            .map(|b| seal::open(identity.age_identity(), b, MAX_OBJECT_PLAINTEXT))
            .collect(),
    }
}

/// Checks entries (hash, leaf root, signature: the bulk of reading a log) on
/// as many threads as there are cores, and returns the results in the given
/// order. Entries marked `true` come from a segment the pack holds: their
/// signatures were verified when it was packed, and are not again. The
/// signatures of the others are checked in batches (docs/FORMAT.md §7.1),
/// each batch spread over the threads.
pub(crate) fn check_entries(stored: Vec<(StoredEntry, String, Trust)>, log: &LogId) -> Vec<Result<Entry, Problem>> {
    const WORTH_A_THREAD: usize = 64;
    let threads = if stored.len() < 2 * WORTH_A_THREAD {
        1
    } else {
        threads()
    };
    let mut checked: Vec<(Result<Entry, Problem>, bool)> =
        sign::par_map_owned(stored, threads, |_, (e, name, trust)| check_one(e, log, &name, trust));
    let unsigned: Vec<usize> = (0..checked.len())
        .filter(|&i| matches!(checked[i], (Ok(_), false)))
        .collect();
    let items: Vec<sign::Signed> = unsigned
        .iter()
        .filter_map(|&i| match &checked[i].0 {
            Ok(e) => Some(sign::Signed {
                public: &e.header.author,
                label: entry::ENTRY_SIGNATURE_LABEL,
                message: &e.header_bytes,
                sig: &e.sig,
            }),
            Err(_) => None,
        })
        .collect();
    let verified = sign::Verifier::default().verify_batch(&items, threads);
    for (&i, ok) in unsigned.iter().zip(verified) {
        if !ok {
            if let Ok(e) = &checked[i].0 {
                checked[i].0 = Err(Problem {
                    file: Some(format!("objects/{}", e.segment)),
                    entry: Some(e.id),
                    message: "signature does not verify: altered or forged".into(),
                });
            }
        }
    }
    checked.into_iter().map(|(r, _)| r).collect()
}

/// What the pack vouches for in a segment's entries.
#[derive(Clone, Copy)]
pub(crate) struct Trust {
    /// Their signatures verified (the file's bytes are those it packed).
    signed: bool,
    /// Their leaf roots matched (FORMAT.md §17.5).
    leaves: bool,
}

impl Trust {
    /// Nothing vouched for: every check runs.
    pub(crate) const NONE: Trust = Trust {
        signed: false,
        leaves: false,
    };
}

/// The pack's name for the mark that every leaf root in `file` (as
/// `objects/NAME`) matched its body, kept with the file's hash and an empty
/// plaintext (FORMAT.md §17.5).
fn leaves_mark(file: &str) -> String {
    format!("leaves:{file}")
}

/// One entry's checks but its signature (left to the batch), and whether
/// its leaf root matches (taken from the pack where it vouches for it);
/// whether its signature was checked before is passed through.
fn check_one(e: StoredEntry, log: &LogId, segment: &str, trust: Trust) -> (Result<Entry, Problem>, bool) {
    let checked = check_entry(e, log, segment).map(|mut e| {
        e.leaves_checked = if trust.leaves {
            e.header.leaves.is_some()
        } else {
            leaves_match(&e)
        };
        e
    });
    (checked, trust.signed)
}

/// Whether a version-2 record or amendment's body gives the leaf root its
/// header commits to (the same check the state fold makes, done here on
/// every core: it is a tenth of a BLAKE3 hash per word of text).
fn leaves_match(e: &Entry) -> bool {
    let Some(root) = &e.header.leaves else {
        return false;
    };
    let computed = match e.header.kind {
        Kind::Record => cbor::from_slice::<CommittedRecord>(&e.body)
            .ok()
            .map(|b| leaves::record_root(&b.record, None, &b.seed)),
        Kind::Amend => cbor::from_slice::<AmendBody>(&e.body).ok().and_then(|b| {
            b.seed
                .as_ref()
                .map(|seed| leaves::record_root(&b.record, Some(&b.target.into_array()), seed))
        }),
        _ => None,
    };
    computed.is_some_and(|c| c == root.into_array())
}

/// Checks one entry's header and body; its signature is checked by the
/// caller, in a batch.
fn check_entry(stored: StoredEntry, log: &LogId, segment: &str) -> Result<Entry, Problem> {
    let id = entry::entry_id(&stored.header);
    let problem = |m: String| Problem {
        file: Some(format!("objects/{segment}")),
        entry: Some(id),
        message: m,
    };
    let header: Header = cbor::from_slice(&stored.header).map_err(|m| problem(format!("bad header: {m}")))?;
    // Version 1, or version 2 with a leaf root, only on records and amendments.
    let committed = matches!(header.kind, Kind::Record | Kind::Amend);
    match (header.v, &header.leaves) {
        (HEADER_VERSION, None) => {}
        (HEADER_VERSION_LEAVES, Some(_)) if committed => {}
        (HEADER_VERSION_LEAVES, _) => {
            return Err(problem(
                "a version-2 header without its leaf root, or on an entry that has none".into(),
            ))
        }
        (HEADER_VERSION, Some(_)) => return Err(problem("a version-1 header with a leaf root".into())),
        (v, _) => return Err(problem(format!("header version {v} is not supported by this dossier"))),
    }
    if &header.log_id() != log {
        return Err(problem("entry belongs to another case or vault".into()));
    }
    // Times order entries and bound keys' validity: only RFC 3339 UTC, as written.
    if header.time.len() != 20 || humantime::parse_rfc3339(&header.time).is_err() {
        return Err(problem(format!(
            "time '{}' is not an RFC 3339 UTC time",
            header.time.escape_debug()
        )));
    }
    if entry::body_hash(&stored.body) != header.body.into_array() {
        return Err(problem("body does not match its hash: altered".into()));
    }
    Ok(Entry {
        id,
        header,
        header_bytes: stored.header.into_vec(),
        sig: stored.sig.into_array(),
        body: Zeroizing::new(stored.body.into_vec()),
        segment: segment.to_string(),
        leaves_checked: false,
    })
}

/// How a log is named in messages.
pub fn describe(log: &Log) -> String {
    match log.kind {
        LogKind::Roster => "the roster".to_string(),
        LogKind::Case => format!("case '{}'", log.name),
    }
}

impl Log {
    /// Every entry `id` descends from (not `id` itself).
    pub fn ancestors(&self, id: &EntryId) -> HashSet<EntryId> {
        let mut seen = HashSet::new();
        let mut stack: Vec<EntryId> = self
            .entry(id)
            .map(|e| e.header.parents.iter().map(|p| p.into_array()).collect())
            .unwrap_or_default();
        while let Some(p) = stack.pop() {
            if seen.insert(p) {
                if let Some(e) = self.entry(&p) {
                    stack.extend(e.header.parents.iter().map(|p| p.into_array()));
                }
            }
        }
        seen
    }

    /// Every entry that descends from `id` (not `id` itself).
    pub fn descendants(&self, id: &EntryId) -> HashSet<EntryId> {
        let mut seen = HashSet::new();
        let mut frontier: HashSet<EntryId> = HashSet::from([*id]);
        // Entries are ordered parents first, so one pass finds them all.
        for e in &self.entries {
            if e.header.parents.iter().any(|p| frontier.contains(&p.into_array())) {
                frontier.insert(e.id);
                seen.insert(e.id);
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_bytes::{ByteArray, ByteBuf};

    /// Enough entries to be checked on several threads: each result comes
    /// back in its place, and a forged one is named, not lost.
    #[test]
    fn entries_checked_on_many_threads_keep_their_order() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let log: LogId = [1; 16];
        let make = |i: u64| {
            let body = format!("body {i}").into_bytes();
            let header = Header {
                v: HEADER_VERSION,
                log: ByteArray::new(log),
                seq: i,
                parents: Vec::new(),
                time: "2026-11-24T20:20:56Z".into(),
                author: ByteArray::new(key.verifying_key().to_bytes()),
                kind: Kind::Record,
                body: ByteArray::new(entry::body_hash(&body)),
                leaves: None,
            };
            let header = cbor::to_vec(&header);
            let mut sig = sign::sign(&key, entry::ENTRY_SIGNATURE_LABEL, &header);
            if i == 200 {
                sig[0] ^= 1;
            }
            (
                StoredEntry {
                    header: ByteBuf::from(header),
                    sig: ByteArray::new(sig),
                    body: ByteBuf::from(body),
                },
                format!("segment-{i}"),
                Trust {
                    signed: false,
                    leaves: false,
                },
            )
        };
        let results = check_entries((0..300).map(make).collect(), &log);
        assert_eq!(results.len(), 300);
        for (i, r) in results.iter().enumerate() {
            match r {
                Ok(e) => {
                    assert_ne!(i, 200, "a forged signature passed");
                    assert_eq!(
                        (e.header.seq, e.segment.as_str()),
                        (i as u64, format!("segment-{i}").as_str())
                    );
                }
                Err(p) => {
                    assert_eq!(i, 200, "{p}");
                    assert_eq!(p.file.as_deref(), Some("objects/segment-200"));
                }
            }
        }
    }
}
