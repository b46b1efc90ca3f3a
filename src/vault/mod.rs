//! The vault: identities, logs, cases and records tied together.
//!
//! A vault is a [`Store`] (files, lock, journal) read with one [`Identity`].
//! Opening it scans the heads this identity can decrypt, loads and checks the
//! roster, and finds the member the identity belongs to. Every command then
//! reads or appends to one log at a time through this type; nothing here
//! parses arguments or prints.

pub mod access;
pub mod custody;
pub mod document;
pub mod log;
#[doc(hidden)]
pub mod marks;
pub mod pack;
pub mod report;
mod resume;
mod sealing;
pub mod state;
pub mod sync;
pub mod verify;
mod write;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde_bytes::ByteArray;
use zeroize::Zeroizing;

use crate::crypto::identity::Identity;
use crate::domain::input::Parsed;
use crate::domain::record::check_handle;
use crate::error::{Error, Result};
use crate::format::entry::{AmendBody, CaseBody, Kind, Member, RetractBody, Role, VaultBody};
use crate::format::head::LogKind;
use crate::format::leaves::{self, CommittedRecord};
use crate::format::{cbor, hex, EntryId, LogId};
use crate::store::{random, Mode, Store};

use self::log::{HeadFile, HeadScan, Log, Problem};
use self::marks::{Finding, Marks};
use self::state::{Case, Roster};

/// An open vault.
pub struct Vault {
    /// This identity's read cache on this copy; written back when dropped.
    pack: self::pack::Pack,
    store: Store,
    identity: Identity,
    device: [u8; 16],
    scan: HeadScan,
    roster_log: Log,
    roster: Roster,
    roster_problems: Vec<Problem>,
    me: Member,
    marks: Marks,
    /// Heads of cases older than, or missing since, what this copy saw.
    findings: Vec<Finding>,
}

/// A case as `case list` shows it.
pub struct CaseSummary {
    pub name: String,
    pub title: Option<String>,
    pub created: String,
    pub records: usize,
    pub members: Vec<String>,
    pub rotation_pending: bool,
    /// Why the case could not be read, if it could not: the other fields are then empty.
    pub problem: Option<String>,
}

/// The cases that passed their checks, loaded, and those set aside.
type Sorted = (Vec<(Log, Case)>, Vec<Unreadable>);

/// A case set aside because it failed its checks, and why.
pub struct Unreadable {
    pub name: String,
    pub why: String,
}

/// A search hit.
pub struct Hit {
    pub case: String,
    pub id: EntryId,
    pub type_name: &'static str,
    pub status: &'static str,
    pub snippet: String,
}

/// The current time, as stored in entries: RFC 3339, UTC, whole seconds.
pub fn now() -> String {
    if cfg!(debug_assertions) {
        if let Ok(t) = std::env::var("DOSSIER_TEST_NOW") {
            return t;
        }
    }
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

impl Vault {
    /// Creates a vault at `root` owned by `identity`, whose member name is `owner`.
    pub fn init(root: &Path, identity: Identity, owner: &str) -> Result<Vault> {
        check_member_name(owner)?;
        let store = Store::create(root)?;
        drop(store);
        let store = Store::open(root, Mode::Exclusive)?;
        let me = Member {
            name: owner.to_string(),
            recipient: identity.recipient(),
            signing_key: ByteArray::new(identity.signing_public()),
            role: Role::Owner,
        };
        let vault_id: [u8; 16] = crate::store::random();
        let body = cbor::to_vec(&VaultBody {
            vault: ByteArray::new(vault_id),
            owner: me.clone(),
        });
        let log_id: LogId = crate::store::random();
        let device = store.device()?;
        write::append(
            &store,
            &identity,
            &device,
            write::Target {
                id: log_id,
                kind: LogKind::Roster,
                name: "",
                existing: None,
            },
            std::slice::from_ref(&me.recipient),
            vec![(Kind::Vault, body)],
        )?;
        drop(store);
        Vault::open(root, identity, true)
    }

    /// Opens the vault at `root`; `write` takes the lock for writing. Reads
    /// go through this identity's local pack (see [`pack`]).
    pub fn open(root: &Path, identity: Identity, write: bool) -> Result<Vault> {
        Vault::open_with(root, identity, write, true)
    }

    /// Opens the vault as [`Vault::open`] does, but reads every file in
    /// full, never through the local pack: what [`Vault::verify`] requires.
    pub fn open_unpacked(root: &Path, identity: Identity, write: bool) -> Result<Vault> {
        Vault::open_with(root, identity, write, false)
    }

    fn open_with(root: &Path, identity: Identity, write: bool, packed: bool) -> Result<Vault> {
        let store = Store::open(root, if write { Mode::Exclusive } else { Mode::Shared })?;
        let device = store.device()?;
        let mut marks = Marks::load(&store, &identity)?;
        let pack = if packed {
            self::pack::Pack::open(&store, &identity)
        } else {
            self::pack::Pack::off()
        };
        let read = read_roster(&store, &identity, &mut marks, &pack)?;
        Ok(Vault::assemble(store, identity, device, pack, marks, read))
    }

    /// A vault from its parts, once its roster is read.
    fn assemble(
        store: Store,
        identity: Identity,
        device: [u8; 16],
        pack: self::pack::Pack,
        marks: Marks,
        read: RosterRead,
    ) -> Vault {
        Vault {
            pack,
            store,
            identity,
            device,
            scan: read.scan,
            roster_log: read.log,
            roster: read.roster,
            roster_problems: read.problems,
            me: read.me,
            marks,
            findings: read.findings,
        }
    }

    /// Reads the heads and the roster again, after a write that changed them.
    fn reload(&mut self) -> Result<()> {
        let read = read_roster(&self.store, &self.identity, &mut self.marks, &self.pack)?;
        self.scan = read.scan;
        self.roster_log = read.log;
        self.roster = read.roster;
        self.roster_problems = read.problems;
        self.me = read.me;
        self.findings = read.findings;
        Ok(())
    }

    pub fn me(&self) -> &Member {
        &self.me
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Closes the vault (releasing its lock) and hands back the identity, so
    /// that a command can open it again without asking for the passphrase twice.
    pub fn into_identity(self) -> Identity {
        self.identity
    }

    pub fn root(&self) -> &Path {
        self.store.root()
    }

    fn require_sound_roster(&self) -> Result<()> {
        match self.roster_problems.first() {
            None => Ok(()),
            Some(p) => Err(Error::integrity("the roster", p.to_string())),
        }
    }

    /// The name of the member with this signing key, or the key itself.
    pub fn author_name(&self, key: &[u8; 32]) -> String {
        self.roster
            .key(key)
            .map(|k| k.name.clone())
            .unwrap_or_else(|| crate::crypto::keys::signing_key_to_string(key))
    }

    /// Heads of the case logs this identity can read, by log id.
    fn case_heads(&self) -> BTreeMap<LogId, Vec<HeadFile>> {
        let mut out: BTreeMap<LogId, Vec<HeadFile>> = BTreeMap::new();
        for h in self.scan.heads.iter().filter(|h| h.head.kind == LogKind::Case) {
            out.entry(h.head.log.into_array()).or_default().push(h.clone());
        }
        out
    }

    /// Names of the cases this identity can read, sorted.
    pub fn case_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.case_heads().values().map(|h| h[0].head.name.clone()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// Loads a case by name; fails if anything about it does not check out.
    ///
    /// Two logs may carry the same name when someone planted one. A log
    /// whose first entry is signed by a key this vault's roster never held
    /// is a stranger's (anyone can encrypt to a member's public recipient):
    /// it is set aside, never shown, and `verify` names it. Any other log of
    /// the name counts, sound or not: two of them, or one this copy's marks
    /// remember under the name but whose heads are gone, are refused, since
    /// a turned member could otherwise damage the real case and have his own
    /// taken in its place.
    pub fn case(&self, name: &str) -> Result<(Log, Case)> {
        self.case_folded(name).map(|(log, case, _)| (log, case))
    }

    /// The heads of the cases named `name`, one list per log.
    fn heads_named(&self, name: &str) -> Vec<Vec<HeadFile>> {
        self.case_heads()
            .into_values()
            .filter(|h| h[0].head.name == name)
            .collect()
    }

    /// A case to append to, from this identity's cached state of it and the
    /// segments written since where that gives what a full load gives
    /// (`resume`), else by a full load, whose state is then cached. The
    /// log and case it gives may hold only part of the history: enough to
    /// append, check references and seal; nothing to display.
    pub(crate) fn case_for_write(&self, name: &str) -> Result<(Log, Case)> {
        self.require_sound_roster()?;
        if let Some(resumed) = self.case_resumed(name)? {
            resume::report("resumed");
            return Ok(resumed);
        }
        resume::report("full");
        let (log, case, handed) = self.case_folded(name)?;
        let files = log
            .hashes
            .iter()
            .map(|(n, h)| (n.clone(), ByteArray::new(*h)))
            .collect();
        resume::keep(&self.pack, &self.roster_log, &log, &case, &handed, files);
        Ok((log, case))
    }

    /// The case from its cached state, where that gives what a full read
    /// gives (`resume`); None where only a full read can tell.
    fn case_resumed(&self, name: &str) -> Result<Option<(Log, Case)>> {
        let mut found = self.heads_named(name);
        if found.len() != 1 || !self.pack.is_on() || !self.roster_problems.is_empty() {
            return Ok(None);
        }
        // A head rolled back or missing, here or under the name (a case
        // vanished), is refused by the full read.
        let id = found[0][0].head.log.into_array();
        if !self.marked_problems(&id).is_empty() || self.findings.iter().any(|f| f.name == name) {
            return Ok(None);
        }
        let cx = resume::Ctx {
            store: &self.store,
            identity: &self.identity,
            pack: &self.pack,
            roster_log: &self.roster_log,
            roster: &self.roster,
        };
        resume::resume(&cx, found.remove(0))
    }

    /// [`Vault::case`], with what the case's tips hand on (for the cache).
    fn case_folded(&self, name: &str) -> Result<(Log, Case, self::sealing::Handed)> {
        self.require_sound_roster()?;
        let found = self.heads_named(name);
        let vanished = self
            .findings
            .iter()
            .find(|f| f.name == name && !found.iter().any(|h| h[0].head.log.into_array() == f.log));
        if let Some(f) = vanished {
            return Err(Error::integrity(format!("case '{name}'"), f.problem.to_string()));
        }
        if found.is_empty() {
            return Err(Error::CaseNotFound(name.to_string()));
        }
        let mut ours = Vec::new();
        let mut strangers = Vec::new();
        for heads in found {
            let log = log::load_with(&self.store, &self.identity, heads, &self.pack)?;
            let stranger = log
                .entries
                .iter()
                .find(|e| e.header.parents.is_empty())
                .is_some_and(|first| self.roster.key(&first.header.author.into_array()).is_none());
            if stranger {
                strangers.push(log);
            } else {
                ours.push(log);
            }
        }
        match ours.len() {
            0 => self.check_case(name, strangers.remove(0)),
            1 => self.check_case(name, ours.remove(0)),
            n => Err(Error::Invalid(format!(
                "{n} cases are named '{name}', each made by a member; this vault's copies were mixed, or one \
                 was planted: run `dossier verify`"
            ))),
        }
    }

    /// Folds and checks one log of a case.
    fn check_case(&self, name: &str, log: Log) -> Result<(Log, Case, self::sealing::Handed)> {
        let mut problems = self.marked_problems(&log.id);
        problems.extend(log.problems.iter().cloned());
        let case = state::case_handing_on(&log, &self.roster, &mut problems);
        match (case, problems.first()) {
            (Some((c, handed)), None) => Ok((log, c, handed)),
            (_, Some(p)) => Err(Error::integrity(format!("case '{name}'"), p.to_string())),
            (None, None) => Err(Error::integrity(format!("case '{name}'"), "no first entry")),
        }
    }

    /// What the marks found wrong with a log's heads.
    fn marked_problems(&self, log: &LogId) -> Vec<Problem> {
        self.findings
            .iter()
            .filter(|f| &f.log == log)
            .map(|f| f.problem.clone())
            .collect()
    }

    /// Every case this identity can read, loaded and checked. A case that
    /// fails its checks — perhaps planted by a member to stop every command
    /// that walks all cases — is set aside with the reason; the others go on.
    fn each_case(&self) -> Result<Sorted> {
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for name in self.case_names() {
            match self.case(&name) {
                Ok(c) => good.push(c),
                Err(e @ (Error::Integrity { .. } | Error::Invalid(_))) => bad.push(Unreadable {
                    name,
                    why: e.to_string(),
                }),
                Err(e) => return Err(e),
            }
        }
        Ok((good, bad))
    }

    /// Summaries of every case this identity can read; a damaged one is
    /// listed with its problem.
    pub fn cases(&self) -> Result<Vec<CaseSummary>> {
        let (good, bad) = self.each_case()?;
        let mut out = Vec::new();
        for (_, c) in good {
            // A case this member was revoked from stays readable until it is
            // rotated; it is not theirs to list.
            if !c.names.contains(&self.me.name) {
                continue;
            }
            out.push(CaseSummary {
                rotation_pending: c.rotation_pending(),
                records: c.records.iter().filter(|r| r.retraction.is_none()).count(),
                members: c.members.iter().map(|m| m.name.clone()).collect(),
                name: c.name,
                title: c.title,
                created: c.created,
                problem: None,
            });
        }
        for u in bad {
            out.push(CaseSummary {
                name: u.name,
                title: None,
                created: String::new(),
                records: 0,
                members: Vec::new(),
                rotation_pending: false,
                problem: Some(u.why),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Creates a case readable by this identity's member.
    pub fn new_case(&mut self, name: &str, title: Option<&str>) -> Result<EntryId> {
        self.require_sound_roster()?;
        check_handle(name).map_err(|m| Error::Invalid(format!("case id {}", m.trim_start_matches('\''))))?;
        if self.case_names().iter().any(|n| n == name) {
            return Err(Error::Invalid(format!("a case named '{name}' already exists")));
        }
        if let Some(t) = title {
            if t.trim().is_empty() {
                return Err(Error::Invalid("the title is empty".into()));
            }
        }
        let body = CaseBody {
            name: name.to_string(),
            title: title.map(str::to_string),
            members: vec![self.me.clone()],
        };
        let ids = write::append(
            &self.store,
            &self.identity,
            &self.device,
            write::Target {
                id: crate::store::random(),
                kind: LogKind::Case,
                name,
                existing: None,
            },
            std::slice::from_ref(&self.me.recipient),
            vec![(Kind::Case, cbor::to_vec(&body))],
        )?;
        self.refresh()?;
        Ok(ids[0])
    }

    /// Appends records to a case, all or nothing.
    pub fn add(&mut self, case_name: &str, records: &[Parsed], origin: &str) -> Result<Vec<EntryId>> {
        let (log, case) = self.case_for_write(case_name)?;
        check_references(&case, records, origin, None)?;
        // Each record commits to its leaves (docs/EXTRACT.md): a fresh secret
        // seed goes into the encrypted body, the root into the signed header.
        let bodies = records
            .iter()
            .map(|p| {
                let body = CommittedRecord {
                    record: p.record.clone(),
                    seed: ByteArray::new(random::<32>()),
                };
                let root = leaves::record_root(&body.record, None, &body.seed);
                (Kind::Record, cbor::to_vec(&body), Some(root))
            })
            .collect();
        self.append_committed_to_case(&log, &case, bodies)
    }

    /// Records a new version of a record.
    pub fn amend(&mut self, prefix: &str, parsed: &Parsed, origin: &str) -> Result<EntryId> {
        let (log, case, i) = self.find_record(prefix)?;
        let target = &case.records[i];
        let short = &hex(&target.id)[..16];
        if target.retraction.is_some() {
            return Err(Error::Invalid(format!(
                "record {short} was retracted; it cannot be amended"
            )));
        }
        let old = &target.latest().record;
        if old.type_name() != parsed.record.type_name() {
            return Err(Error::BadRecord {
                location: origin.to_string(),
                message: format!("record {short} is a {}; an amendment must be one too", old.type_name()),
            });
        }
        check_references(&case, std::slice::from_ref(parsed), origin, Some(i))?;
        let seed = Zeroizing::new(random::<32>());
        let body = AmendBody {
            target: ByteArray::new(target.id),
            record: parsed.record.clone(),
            seed: Some(ByteArray::new(*seed)),
        };
        let root = leaves::record_root(&body.record, Some(&target.id), &seed);
        let bytes = cbor::to_vec(&body);
        let ids = self.append_committed_to_case(&log, &case, vec![(Kind::Amend, bytes, Some(root))])?;
        Ok(ids[0])
    }

    /// Withdraws a record.
    pub fn retract(&mut self, prefix: &str, reason: &str) -> Result<EntryId> {
        if reason.trim().is_empty() {
            return Err(Error::Invalid("give a reason with --reason".into()));
        }
        let (log, case, i) = self.find_record(prefix)?;
        let target = &case.records[i];
        if target.retraction.is_some() {
            return Err(Error::Invalid(format!(
                "record {} is already retracted",
                &hex(&target.id)[..16]
            )));
        }
        let body = RetractBody {
            target: ByteArray::new(target.id),
            reason: reason.to_string(),
        };
        let ids = self.append_to_case(&log, &case, vec![(Kind::Retract, cbor::to_vec(&body))])?;
        Ok(ids[0])
    }

    pub(super) fn append_to_case(
        &mut self,
        log: &Log,
        case: &Case,
        bodies: Vec<(Kind, Vec<u8>)>,
    ) -> Result<Vec<EntryId>> {
        let bodies = bodies.into_iter().map(|(k, b)| (k, b, None)).collect();
        self.append_committed_to_case(log, case, bodies)
    }

    fn append_committed_to_case(&mut self, log: &Log, case: &Case, bodies: Vec<write::Body>) -> Result<Vec<EntryId>> {
        self.require_case_member(case)?;
        let ids = write::append_committed(
            &self.store,
            &self.identity,
            &self.device,
            write::Target {
                id: log.id,
                kind: LogKind::Case,
                name: &case.name,
                existing: Some(log),
            },
            &case.recipients(),
            bodies,
        )?;
        self.refresh()?;
        Ok(ids)
    }

    /// Reads the heads again after a write.
    fn refresh(&mut self) -> Result<()> {
        self.reload()
    }

    /// Finds the record whose id (of any of its versions) starts with `prefix`,
    /// in any case this identity can read.
    pub fn find_record(&self, prefix: &str) -> Result<(Log, Case, usize)> {
        let p = prefix.trim().to_ascii_lowercase();
        if p.len() < 8 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::RecordNotFound(format!(
                "'{prefix}' is not a record id: give at least 8 of its hex digits"
            )));
        }
        let (cases, bad) = self.each_case()?;
        let mut hits = Vec::new();
        for (log, case) in cases {
            let mut found: HashSet<usize> = HashSet::new();
            for (id, &i) in &case.by_entry {
                if hex(id).starts_with(&p) {
                    found.insert(i);
                }
            }
            if found.len() > 1 {
                return Err(Error::RecordNotFound(format!(
                    "'{prefix}' matches several records; give more digits"
                )));
            }
            if let Some(i) = found.into_iter().next() {
                hits.push((log, case, i));
            }
        }
        match hits.len() {
            0 => Err(Error::RecordNotFound(match bad.first() {
                None => format!("no record {prefix} in any case this identity can read"),
                Some(u) => format!(
                    "no record {prefix} in any case this identity can read (case '{}' could not be checked)",
                    u.name
                ),
            })),
            1 => Ok(hits.remove(0)),
            _ => Err(Error::RecordNotFound(format!(
                "'{prefix}' matches records in several cases; give more digits"
            ))),
        }
    }

    /// Records whose text contains `needle`, ignoring letter case, and the
    /// cases that could not be searched because they fail their checks.
    pub fn search(&self, needle: &str, only: Option<&str>) -> Result<(Vec<Hit>, Vec<Unreadable>)> {
        let want = needle.to_lowercase();
        if want.trim().is_empty() {
            return Err(Error::Invalid("give some text to search for".into()));
        }
        let (cases, bad) = match only {
            Some(c) => (vec![self.case(c)?], Vec::new()),
            None => self.each_case()?,
        };
        let mut hits = Vec::new();
        for (_, case) in cases {
            for r in &case.records {
                let rec = &r.latest().record;
                let words = rec.vocabulary();
                let mut fields: Vec<&str> = rec.strings();
                fields.extend(words.iter().map(String::as_str));
                if let Some(s) = fields.into_iter().find(|s| s.to_lowercase().contains(&want)) {
                    hits.push(Hit {
                        case: case.name.clone(),
                        id: r.id,
                        type_name: rec.type_name(),
                        status: r.status(),
                        snippet: snippet(s, &want),
                    });
                }
            }
        }
        Ok((hits, bad))
    }
}

/// The roster as an identity reads it.
struct RosterRead {
    scan: HeadScan,
    log: Log,
    roster: Roster,
    problems: Vec<Problem>,
    me: Member,
    findings: Vec<Finding>,
}

fn read_roster(store: &Store, identity: &Identity, marks: &mut Marks, pack: &self::pack::Pack) -> Result<RosterRead> {
    let root = store.root();
    let scan = log::scan_heads_with(store, identity, pack)?;
    let mut findings = marks.check(store, &scan)?;
    let mut rosters: BTreeMap<LogId, Vec<HeadFile>> = BTreeMap::new();
    for h in scan.heads.iter().filter(|h| h.head.kind == LogKind::Roster) {
        rosters.entry(h.head.log.into_array()).or_default().push(h.clone());
    }
    if rosters.is_empty() && !scan.problems.is_empty() {
        return Err(Error::integrity(
            root.display().to_string(),
            format!("no roster readable with this identity; {}", scan.problems[0]),
        ));
    }
    if rosters.is_empty() {
        let names: Vec<String> = scan.unreadable.iter().take(3).map(|n| format!("heads/{n}")).collect();
        let more = if scan.unreadable.len() > 3 { ", ..." } else { "" };
        return Err(Error::Vault(format!(
            "this identity is not a member of the vault at {}, or its roster is damaged (cannot open {}{more})",
            root.display(),
            names.join(", ")
        )));
    }
    if rosters.len() > 1 {
        return Err(Error::integrity(
            root.display().to_string(),
            "holds more than one roster: another vault's files were mixed in",
        ));
    }
    let heads = rosters.into_values().next().expect("one roster");
    let log = log::load_with(store, identity, heads, pack)?;
    let (mut problems, findings): (Vec<Problem>, Vec<Finding>) = {
        let (ours, theirs): (Vec<Finding>, Vec<Finding>) = findings.drain(..).partition(|f| f.log == log.id);
        (ours.into_iter().map(|f| f.problem).collect(), theirs)
    };
    problems.extend(log.problems.iter().cloned());
    let roster = state::roster(&log, &mut problems).ok_or_else(|| {
        let why = problems
            .first()
            .map_or_else(|| "has no valid first entry".to_string(), |p| p.to_string());
        Error::integrity("the roster cannot be read", why)
    })?;
    let key = identity.signing_public();
    let me = match roster.members.iter().find(|m| m.signing_key.as_ref() == &key) {
        Some(m) => m.clone(),
        None if roster.key(&key).is_some() => {
            return Err(Error::Vault(
                "this identity's key was removed or replaced on the vault's roster; it may no longer be used".into(),
            ))
        }
        None => {
            return Err(Error::Vault(
                "this identity can read the roster but is not on it".into(),
            ))
        }
    };
    if problems.is_empty() {
        // Remember only what was read from a sound roster: a copy with a
        // problem does not teach the marks anything.
        marks.save(store);
    }
    Ok(RosterRead {
        scan,
        log,
        roster,
        problems,
        me,
        findings,
    })
}

fn check_member_name(name: &str) -> Result<()> {
    check_handle(name).map_err(|m| Error::Invalid(format!("member name {}", m.trim_start_matches('\''))))
}

/// Refs: defined once per case, and every person a record names is defined.
fn check_references(case: &Case, batch: &[Parsed], origin: &str, replacing: Option<usize>) -> Result<()> {
    let mut handles: HashMap<String, &'static str> = case.handles();
    if let Some(i) = replacing {
        if let Some(h) = case.records[i].latest().record.handle() {
            handles.remove(h);
        }
    }
    let location = |p: &Parsed| format!("{origin}, line {}", p.line);
    for p in batch {
        if let Some(h) = p.record.handle() {
            if handles.insert(h.to_string(), p.record.type_name()).is_some() {
                return Err(Error::BadRecord {
                    location: location(p),
                    message: format!("ref '{h}' is already used in case '{}'", case.name),
                });
            }
        }
    }
    for p in batch {
        for (field, r) in p.record.person_refs() {
            match handles.get(r) {
                Some(&"person") => {}
                Some(other) => {
                    return Err(Error::BadRecord {
                        location: location(p),
                        message: format!("{field}: '{r}' is a {other}, not a person"),
                    })
                }
                None => {
                    return Err(Error::BadRecord {
                        location: location(p),
                        message: format!(
                            "{field}: no person with ref '{r}' in case '{}'; add the person first",
                            case.name
                        ),
                    })
                }
            }
        }
    }
    Ok(())
}

fn snippet(s: &str, needle: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    // Lower-case character by character, remembering which original character
    // each lower-case one came from (one may become several: 'İ' → "i̇").
    let mut lower = String::new();
    let mut origin = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        for l in c.to_lowercase() {
            lower.push(l);
            origin.push(i);
        }
    }
    let at = lower
        .find(needle)
        .map_or(0, |b| origin.get(lower[..b].chars().count()).copied().unwrap_or(0));
    let start = at.saturating_sub(30);
    let end = (at + needle.chars().count() + 30).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(chars[start..end].iter().map(|&c| if c == '\n' { ' ' } else { c }));
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// A record as `log` and `show` present it.
pub fn record_json(r: &state::RecordState, author: String) -> serde_json::Value {
    let latest = r.latest();
    let mut v = serde_json::to_value(&latest.record).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut v {
        map.insert("id".into(), hex(&r.id).into());
        map.insert("time".into(), latest.time.clone().into());
        map.insert("author".into(), author.into());
        map.insert("status".into(), r.status().into());
        if r.versions.len() > 1 {
            map.insert("version".into(), hex(&latest.entry).into());
        }
        if let Some(x) = &r.retraction {
            map.insert("retracted_reason".into(), x.reason.clone().into());
        }
    }
    v
}

impl Vault {
    /// The records of a case, as JSON objects with id, type, time, author and status.
    pub fn log_json(&self, case: &Case) -> Vec<serde_json::Value> {
        // One timeline by recorded time: the branches of a fork joined by
        // `sync` interleave (a stable sort: a single chain keeps its order).
        let mut records: Vec<&state::RecordState> = case.records.iter().collect();
        records.sort_by(|a, b| a.versions[0].time.cmp(&b.versions[0].time));
        records
            .into_iter()
            .map(|r| record_json(r, self.author_name(&r.latest().author)))
            .collect()
    }

    /// Parses a record that is to replace another (for amend).
    pub fn parse_one(records: Vec<Parsed>, origin: &str) -> Result<Parsed> {
        let mut records = records;
        if records.len() != 1 {
            return Err(Error::BadRecord {
                location: origin.to_string(),
                message: format!("an amendment is one record; found {}", records.len()),
            });
        }
        Ok(records.remove(0))
    }
}

#[cfg(test)]
mod tests {
    use super::snippet;

    #[test]
    fn snippet_survives_text_whose_lower_case_is_longer() {
        // 'İ' lower-cases to two characters, so positions in the lower-cased
        // text run ahead of positions in the original.
        let text = format!("{}needle", "İ".repeat(100));
        let s = snippet(&text, "needle");
        assert!(s.contains("needle"), "{s}");
        assert_eq!(snippet("a needle here", "needle"), "a needle here");
    }
}
