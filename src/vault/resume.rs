//! The cached case state: what lets `add` read a case without reading its history.
//!
//! Before it writes, `add` must know the case's tips and sequence number,
//! the handles its records define (for reference checks), who may write and
//! to whom to seal. Folding the whole case for that is O(n) in its records.
//! Instead, each identity keeps in its local pack (docs/FORMAT.md §17.6),
//! per case, the state the fold reached — a [`CaseFold`] part way, cut down
//! to what later entries can touch — together with the exact set of segment
//! files (name and BLAKE3 of the ciphertext) and the roster it was folded
//! from. `add` then hashes the case's files; if every cached file is there
//! with the same hash and the roster has not changed, only the segments
//! written since are opened and checked in full (signatures included), and
//! their entries are folded on top of the cached state by the same
//! [`CaseFold::step`] and [`CaseFold::finish`] as a full fold.
//!
//! The cache is used only where that gives what a full fold gives: every
//! new entry must descend from every cached tip (an append, however many
//! devices wrote it, never a fork beside the cached history), every tip a
//! head names must be a new entry, a cached tip, or one a head named when
//! the state was cached, and nothing new may be a problem. Anything else — a
//! file changed, removed or replaced, a head rolled back or missing (the
//! marks), a rotation (which re-seals every file), a changed roster, a fork,
//! an entry the cut-down state cannot judge — falls back to the full load
//! and fold, which then reports what is wrong or caches the state anew. A
//! fallback costs time, never an answer: the resumed fold may refuse what a
//! full fold accepts (then the full fold runs), never the other way round.
//! `verify` and every reading command ignore the cache.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_bytes::ByteArray;

use crate::crypto::identity::Identity;
use crate::domain::record::Record;
use crate::format::entry::Member;
use crate::format::head::LogKind;
use crate::format::{cbor, EntryId};
use crate::store::{Area, Store};

use super::log::{self, HeadFile, Log};
use super::pack::Pack;
use super::sealing::{Handed, Start};
use super::state::{Access, Case, CaseFold, RecordState, Roster, Rotation, Version};

const STATE_FORMAT: &str = "dossier-case-state";
const STATE_VERSION: u64 = 1;

/// A member's access: name, from (entry, time), until (entry, time).
type CachedAccess = (String, ByteArray<32>, String, Option<(ByteArray<32>, String)>);
/// A version of a record: its entry, the record, time and author.
type CachedVersion = (ByteArray<32>, Record, String, ByteArray<32>);

/// The plaintext of a cached case state (FORMAT §17.6).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cached {
    format: String,
    v: u64,
    /// The case's log id.
    log: ByteArray<16>,
    /// [`roster_print`] of the roster it was folded with.
    roster: ByteArray<32>,
    /// Every segment file folded, sorted by name: name and BLAKE3 of its bytes.
    files: Vec<(String, ByteArray<32>)>,
    /// The log's tips: id, `seq`, and the member names the tip hands on.
    tips: Vec<(ByteArray<32>, u64, Vec<String>)>,
    /// Every tip a head named: entries known to be in the log.
    named: Vec<ByteArray<32>>,
    name: String,
    title: Option<String>,
    created: String,
    names: Vec<String>,
    access: Vec<CachedAccess>,
    rotations: Vec<(ByteArray<32>, String, Vec<Member>)>,
    sealed: Vec<ByteArray<32>>,
    /// The records that define a handle and are not retracted: id, and each
    /// version's entry, record, time and author.
    records: Vec<(ByteArray<32>, Vec<CachedVersion>)>,
}

/// What the case fold depends on beside the case: the roster's entries.
fn roster_print(roster: &Log) -> [u8; 32] {
    let mut ids: Vec<EntryId> = roster.entries.iter().map(|e| e.id).collect();
    ids.sort();
    let mut h = blake3::Hasher::new_derive_key("dossier 2026-11-25 case state roster v1");
    for id in &ids {
        h.update(id);
    }
    *h.finalize().as_bytes()
}

/// The key a state is kept under: its roster and its files.
fn key_hash(roster: &[u8; 32], files: &[(String, ByteArray<32>)]) -> [u8; 32] {
    let mut h = blake3::Hasher::new_derive_key("dossier 2026-11-25 case state key v1");
    h.update(roster);
    for (name, hash) in files {
        h.update(name.as_bytes());
        h.update(hash.as_ref());
    }
    *h.finalize().as_bytes()
}

/// Keeps the state of a case that was just loaded and folded without a
/// problem, from the files whose hashes `files` gives.
pub(super) fn keep(
    pack: &Pack,
    roster: &Log,
    log: &Log,
    case: &Case,
    handed: &Handed,
    mut files: Vec<(String, ByteArray<32>)>,
) {
    if !pack.is_on() || files.len() != log.segments.len() {
        return;
    }
    files.sort();
    let seqs: HashMap<EntryId, u64> = log
        .prior
        .iter()
        .flatten()
        .copied()
        .chain(log.entries.iter().map(|e| (e.id, e.header.seq)))
        .collect();
    let mut tips = Vec::new();
    for t in log.tips() {
        let Some(&seq) = seqs.get(&t) else { return };
        let names = handed.get(&t).map(|n| n.iter().cloned().collect()).unwrap_or_default();
        tips.push((ByteArray::new(t), seq, names));
    }
    let mut named: Vec<ByteArray<32>> = log.heads.iter().flat_map(|h| h.head.tips.iter().copied()).collect();
    named.sort();
    named.dedup();
    let print = roster_print(roster);
    let cached = Cached {
        format: STATE_FORMAT.into(),
        v: STATE_VERSION,
        log: ByteArray::new(log.id),
        roster: ByteArray::new(print),
        tips,
        named,
        name: case.name.clone(),
        title: case.title.clone(),
        created: case.created.clone(),
        names: case.names.clone(),
        access: case
            .access
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    ByteArray::new(a.from.0),
                    a.from.1.clone(),
                    a.until.as_ref().map(|(e, t)| (ByteArray::new(*e), t.clone())),
                )
            })
            .collect(),
        rotations: case
            .rotations
            .iter()
            .map(|r| (ByteArray::new(r.entry), r.time.clone(), r.members.clone()))
            .collect(),
        sealed: case.sealed.iter().map(|k| ByteArray::new(*k)).collect(),
        // Only what a later entry can reach: handles for references, and
        // their records for an amendment or retraction (one of another
        // record is judged "not a current record" here, and so falls back).
        records: case
            .records
            .iter()
            .filter(|r| r.retraction.is_none() && r.latest().record.handle().is_some())
            .map(|r| {
                (
                    ByteArray::new(r.id),
                    r.versions
                        .iter()
                        .map(|v| {
                            (
                                ByteArray::new(v.entry),
                                v.record.clone(),
                                v.time.clone(),
                                ByteArray::new(v.author),
                            )
                        })
                        .collect(),
                )
            })
            .collect(),
        files,
    };
    let plain = zeroize::Zeroizing::new(cbor::to_vec(&cached));
    pack.keep_state(&log.id, key_hash(&print, &cached.files), &plain);
}

/// The case state from the cache as a fold part way, with the start of its
/// key sealing.
fn unpack(c: Cached) -> (Case, Start) {
    let mut by_entry = HashMap::new();
    let records: Vec<RecordState> = c
        .records
        .into_iter()
        .enumerate()
        .map(|(i, (id, versions))| {
            by_entry.insert(id.into_array(), i);
            RecordState {
                id: id.into_array(),
                versions: versions
                    .into_iter()
                    .map(|(entry, record, time, author)| {
                        by_entry.insert(entry.into_array(), i);
                        Version {
                            entry: entry.into_array(),
                            record,
                            time,
                            author: author.into_array(),
                        }
                    })
                    .collect(),
                retraction: None,
            }
        })
        .collect();
    let start = Start {
        keys: c.sealed.iter().map(|k| k.into_array()).collect(),
        handed: c
            .tips
            .iter()
            .map(|(t, _, names)| (t.into_array(), names.iter().cloned().collect()))
            .collect(),
    };
    let case = Case {
        name: c.name,
        title: c.title,
        created: c.created,
        members: Vec::new(),
        names: c.names,
        access: c
            .access
            .into_iter()
            .map(|(name, from, time, until)| Access {
                name,
                from: (from.into_array(), time),
                until: until.map(|(e, t)| (e.into_array(), t)),
            })
            .collect(),
        rotations: c
            .rotations
            .into_iter()
            .map(|(entry, time, members)| Rotation {
                entry: entry.into_array(),
                time,
                members,
            })
            .collect(),
        sealed: Vec::new(),
        records,
        by_entry,
        exports: Vec::new(),
    };
    (case, start)
}

/// Tells tests how a case was read for writing (`resumed` from the cache,
/// or `full`): debug builds append the word as a line to the file that
/// `DOSSIER_STATE_REPORT` names. Nothing otherwise.
pub(super) fn report(how: &str) {
    if cfg!(debug_assertions) {
        if let Some(path) = std::env::var_os("DOSSIER_STATE_REPORT") {
            use std::io::Write;
            if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
                let _ = writeln!(f, "{how}");
            }
        }
    }
}

/// Reads and hashes the segment files `names` (None for a name dossier
/// never writes or a file that is missing), keeping the bytes of those not
/// in `known`; on as many threads as there are cores, as this is most of
/// what an `add` into a large case costs.
#[allow(clippy::type_complexity)]
fn read_hashed(
    store: &Store,
    names: &[String],
    known: &HashMap<&str, &ByteArray<32>>,
) -> Vec<crate::Result<Option<([u8; 32], Option<Vec<u8>>)>>> {
    let one = |name: &String| -> crate::Result<Option<([u8; 32], Option<Vec<u8>>)>> {
        if !crate::store::is_object_name(name) {
            return Ok(None);
        }
        Ok(store.read(Area::Objects, name)?.map(|bytes| {
            let hash = super::pack::hash(&bytes);
            (hash, (!known.contains_key(name.as_str())).then_some(bytes))
        }))
    };
    const WORTH_A_THREAD: usize = 64;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    if threads < 2 || names.len() < 2 * WORTH_A_THREAD {
        return names.iter().map(one).collect();
    }
    crate::crypto::sign::par_map(names, threads, |_, name| one(name))
}

/// What a case read for writing needs: passed to [`resume`].
pub(super) struct Ctx<'a> {
    pub store: &'a Store,
    pub identity: &'a Identity,
    pub pack: &'a Pack,
    pub roster_log: &'a Log,
    pub roster: &'a Roster,
}

/// The case whose heads are `heads`, from its cached state and the segments
/// written since, or None where only a full load and fold can tell (see the
/// module's notes). The log returned holds only the new entries (its
/// `prior` names the cached tips) and the case only the records that define
/// a handle: enough to append, nothing else. Keeps the new state.
pub(super) fn resume(cx: &Ctx<'_>, heads: Vec<HeadFile>) -> crate::Result<Option<(Log, Case)>> {
    let Some(first) = heads.first().map(|h| h.head.clone()) else {
        return Ok(None);
    };
    let id = first.log.into_array();
    let Some((_, plain)) = cx.pack.state(&id) else {
        return Ok(None);
    };
    let Ok(cached) = cbor::from_slice::<Cached>(&plain) else {
        return Ok(None);
    };
    let print = roster_print(cx.roster_log);
    if cached.format != STATE_FORMAT
        || cached.v != STATE_VERSION
        || cached.log.into_array() != id
        || cached.roster.into_array() != print
        || first.kind != LogKind::Case
        // A full fold checks the first entry's name against the heads'.
        || cached.name != first.name
        || heads
            .iter()
            .any(|h| h.head.kind != first.kind || h.head.name != first.name)
    {
        return Ok(None);
    }

    // Every cached file must be listed and hold the same bytes; the rest is new.
    let mut segments: Vec<String> = Vec::new();
    let mut listed: HashSet<&str> = HashSet::new();
    for h in &heads {
        for s in &h.head.segments {
            if listed.insert(s) {
                segments.push(s.clone());
            }
        }
    }
    let known: HashMap<&str, &ByteArray<32>> = cached.files.iter().map(|(n, h)| (n.as_str(), h)).collect();
    let mut seen = 0;
    let mut files = cached.files.clone();
    let mut stored = Vec::new();
    for (name, read) in segments.iter().zip(read_hashed(cx.store, &segments, &known)) {
        let Some((hash, bytes)) = read? else {
            return Ok(None);
        };
        match (known.get(name.as_str()), bytes) {
            (Some(h), _) if h.as_ref() == &hash => seen += 1,
            (None, Some(bytes)) => {
                // New since the cache: opened and checked in full.
                let Ok(entries) = log::open_segment(cx.identity, &id, name, &bytes) else {
                    return Ok(None);
                };
                stored.extend(entries.into_iter().map(|e| (e, name.clone(), log::Trust::NONE)));
                files.push((name.clone(), ByteArray::new(hash)));
            }
            _ => return Ok(None),
        }
    }
    if seen != known.len() {
        return Ok(None);
    }
    let mut entries: HashMap<EntryId, log::Entry> = HashMap::new();
    for checked in log::check_entries(stored, &id) {
        let Ok(e) = checked else { return Ok(None) };
        entries.entry(e.id).or_insert(e);
    }
    let mut list: Vec<log::Entry> = entries.into_values().collect();
    list.sort_by(|a, b| (a.header.seq, &a.header.time, a.id).cmp(&(b.header.seq, &b.header.time, b.id)));

    // Links: each new entry's parents are new entries or cached tips, its
    // `seq` follows from theirs, and it descends from every cached tip.
    let old: HashMap<EntryId, u64> = cached.tips.iter().map(|(t, s, _)| (t.into_array(), *s)).collect();
    let mut reach: HashMap<EntryId, (u64, HashSet<EntryId>)> = HashMap::new();
    for e in &list {
        let mut from: HashSet<EntryId> = HashSet::new();
        let mut max = None::<u64>;
        for p in e.header.parents.iter().map(|p| p.into_array()) {
            let seq = if let Some(&s) = old.get(&p) {
                from.insert(p);
                s
            } else if let Some((s, r)) = reach.get(&p) {
                from.extend(r.iter().copied());
                *s
            } else {
                return Ok(None);
            };
            max = Some(max.map_or(seq, |m: u64| m.max(seq)));
        }
        if max.map(|m| m + 1) != Some(e.header.seq) || from.len() != old.len() {
            return Ok(None);
        }
        reach.insert(e.id, (e.header.seq, from));
    }

    // Reachability: every new entry, and every cached tip, from a head's tips.
    let named: HashSet<EntryId> = cached.named.iter().map(|t| t.into_array()).collect();
    let by_id: HashMap<EntryId, &log::Entry> = list.iter().map(|e| (e.id, e)).collect();
    let mut visited: HashSet<EntryId> = HashSet::new();
    let mut stack: Vec<EntryId> = heads
        .iter()
        .flat_map(|h| h.head.tips.iter().map(|t| t.into_array()))
        .collect();
    for t in &stack {
        if !by_id.contains_key(t) && !old.contains_key(t) && !named.contains(t) {
            return Ok(None);
        }
    }
    while let Some(t) = stack.pop() {
        if visited.insert(t) {
            if let Some(e) = by_id.get(&t) {
                stack.extend(e.header.parents.iter().map(|p| p.into_array()));
            }
        }
    }
    if list.iter().any(|e| !visited.contains(&e.id)) || old.keys().any(|t| !visited.contains(t)) {
        return Ok(None);
    }

    let index = list.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    let log = Log {
        id,
        kind: first.kind,
        name: first.name.clone(),
        heads,
        entries: list,
        index,
        segments,
        problems: Vec::new(),
        hashes: Vec::new(),
        prior: Some(old.into_iter().collect()),
    };
    let (case, start) = unpack(cached);
    let mut fold = CaseFold { state: Some(case) };
    let mut problems = Vec::new();
    for e in &log.entries {
        fold.step(&log, e, cx.roster, &mut problems);
    }
    let Some((case, handed)) = fold.finish(&log, cx.roster, &mut problems, Some(&start)) else {
        return Ok(None);
    };
    if !problems.is_empty() {
        return Ok(None);
    }
    keep(cx.pack, cx.roster_log, &log, &case, &handed, files);
    Ok(Some((log, case)))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::input::parse_records;
    use crate::format::entry::{Kind, NameBody, Role};
    use crate::vault::access::Silent;
    use crate::vault::{write, Vault};

    /// One step of a random history of case c1.
    #[derive(Clone, Debug)]
    enum Op {
        Note,
        Person(u8),
        Testimony(u8),
        Amend(u8),
        Retract(u8),
        /// Alice grants or revokes bob by a bare entry (no rotation).
        Grant,
        Revoke,
        /// Bob writes (valid while he has access, forged otherwise).
        Bob,
        /// Another device of alice writes on the log as it was some steps back.
        Fork(u8),
        Rotate,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => Just(Op::Note),
            2 => (0u8..4).prop_map(Op::Person),
            2 => (0u8..4).prop_map(Op::Testimony),
            2 => any::<u8>().prop_map(Op::Amend),
            1 => any::<u8>().prop_map(Op::Retract),
            1 => Just(Op::Grant),
            1 => Just(Op::Revoke),
            1 => Just(Op::Bob),
            1 => (1u8..4).prop_map(Op::Fork),
            1 => Just(Op::Rotate),
        ]
    }

    fn parsed(json: String) -> Vec<crate::domain::input::Parsed> {
        parse_records(json.as_bytes(), "test").unwrap()
    }

    fn bare(v: &Vault, who: &Identity, device: u8, log: &Log, kind: Kind, body: Vec<u8>) {
        let (_, case) = v.case("c1").unwrap();
        let mut to = case.recipients();
        to.extend(v.roster.member("bob").map(|m| m.recipient.clone()));
        let _ = write::append_at(
            &v.store,
            who,
            &[device; 16],
            write::Target {
                id: log.id,
                kind: LogKind::Case,
                name: "c1",
                existing: Some(log),
            },
            &to,
            vec![(kind, body)],
            crate::vault::now(),
        );
    }

    /// What an append depends on, from a case read either way.
    fn view(log: &Log, case: &Case) -> impl PartialEq + std::fmt::Debug {
        let mut handles: Vec<(String, &str)> = case.handles().into_iter().collect();
        handles.sort();
        (
            (log.tips(), log.next_seq(), log.segments.clone()),
            (
                case.name.clone(),
                case.names.clone(),
                case.recipients(),
                case.sealed.clone(),
            ),
            (
                case.rotation_pending(),
                handles.into_iter().map(|(h, t)| format!("{h}:{t}")).collect::<Vec<_>>(),
            ),
        )
    }

    fn note() -> Vec<u8> {
        cbor::to_vec(&serde_json::from_str::<Record>(r#"{"type":"note","text":"n"}"#).unwrap())
    }

    /// A cached state with two tips (a fork read in full) and a new entry
    /// that descends from only one of them: it could sort before the other,
    /// so the fold is not a continuation, and the case is read in full.
    #[test]
    fn an_entry_beside_a_cached_tip_is_read_in_full() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("v");
        let mut v = Vault::init(&root, Identity::generate(), "alice").unwrap();
        v.new_case("c1", None).unwrap();
        v.add("c1", &parsed(r#"{"type":"note","text":"a"}"#.into()), "t")
            .unwrap();
        let (one, _) = v.case("c1").unwrap();
        v.add("c1", &parsed(r#"{"type":"note","text":"b"}"#.into()), "t")
            .unwrap();
        let (two, _) = v.case("c1").unwrap();
        bare(&v, &v.identity, 3, &one, Kind::Record, note());
        v = Vault::open(&root, v.into_identity(), true).unwrap();
        v.case_for_write("c1").unwrap();
        v = Vault::open(&root, v.into_identity(), true).unwrap();
        assert!(v.case_resumed("c1").unwrap().is_some(), "nothing new: resumed");
        // Written on the log as it was before the fork: beside one cached tip.
        bare(&v, &v.identity, 4, &two, Kind::Record, note());
        v = Vault::open(&root, v.into_identity(), true).unwrap();
        assert!(v.case_resumed("c1").unwrap().is_none(), "resumed beside a cached tip");
        let (log, _) = v.case_for_write("c1").unwrap();
        assert_eq!(log.tips().len(), 2);
        assert!(log.prior.is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        /// Over random histories (appends, amendments, retractions, grants,
        /// revocations, another member's entries, forks, rotations), a case
        /// resumed from its cached state gives what a full fold gives, and
        /// is never had where the full fold finds a problem.
        #[test]
        fn a_resumed_fold_gives_the_full_fold(ops in proptest::collection::vec(op(), 1..14)) {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("v");
            let bob = Identity::generate();
            let mut v = Vault::init(&root, Identity::generate(), "alice").unwrap();
            v.add_member("bob", &bob.recipient(), bob.signing_public(), Role::Member).unwrap();
            v.new_case("c1", None).unwrap();
            let mut past: Vec<Log> = Vec::new();
            let mut resumed = 0;
            for op in ops {
                v = Vault::open(&root, v.into_identity(), true).unwrap();
                let full = v.case_folded("c1");
                let fast = v.case_resumed("c1").unwrap();
                match (&fast, &full) {
                    (Some((fl, fc)), Ok((log, case, _))) => {
                        resumed += 1;
                        prop_assert_eq!(view(fl, fc), view(log, case));
                    }
                    (Some(_), Err(e)) => prop_assert!(false, "resumed a case the full fold refuses: {}", e),
                    (None, _) => {}
                }
                let Ok((log, case, _)) = full else { break };
                // Cache what the full read gives, as `add` does.
                drop(fast);
                if v.case_for_write("c1").is_err() {
                    break;
                }
                let records: Vec<EntryId> = case.records.iter().map(|r| r.id).collect();
                let pick = |i: u8| (!records.is_empty()).then(|| crate::format::hex(&records[i as usize % records.len()]));
                let bob_in = case.names.iter().any(|n| n == "bob");
                match op {
                    Op::Note => { let _ = v.add("c1", &parsed(r#"{"type":"note","text":"n"}"#.into()), "t"); }
                    Op::Person(i) => {
                        let _ = v.add("c1", &parsed(format!(r#"{{"type":"person","ref":"p{i}","name":"P","role":"witness"}}"#)), "t");
                    }
                    Op::Testimony(i) => {
                        let _ = v.add("c1", &parsed(format!(r#"{{"type":"testimony","witness":"p{i}","consent":"internal","text":"t"}}"#)), "t");
                    }
                    Op::Amend(i) => if let Some(id) = pick(i) {
                        let _ = v.amend(&id, &parsed(r#"{"type":"note","text":"amended"}"#.into()).remove(0), "t");
                    },
                    Op::Retract(i) => if let Some(id) = pick(i) { let _ = v.retract(&id, "r"); },
                    Op::Grant => if !bob_in {
                        let m = v.roster.member("bob").unwrap().clone();
                        bare(&v, &v.identity, 1, &log, Kind::Grant, cbor::to_vec(&m));
                    },
                    Op::Revoke => if bob_in {
                        bare(&v, &v.identity, 1, &log, Kind::Revoke, cbor::to_vec(&NameBody { name: "bob".into() }));
                    },
                    Op::Bob => bare(&v, &bob, 2, &log, Kind::Record, note()),
                    Op::Fork(back) => if let Some(old) = past.len().checked_sub(back as usize).map(|i| &past[i]) {
                        bare(&v, &v.identity, 3 + back, old, Kind::Record, note());
                    },
                    Op::Rotate => { let _ = v.rotate(Some("c1"), &mut Silent); }
                }
                past.push(log);
            }
            // Not a test of anything if the cache was never used.
            prop_assume!(resumed > 0);
        }
    }
}
