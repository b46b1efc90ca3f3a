//! The meaning of a log: who its members are and what its records say now.
//!
//! Folding the entries of a checked log, in order, into state. Authorization
//! is checked here: every entry must be signed by someone who was a member of
//! the log when it was written, and every head by someone who ever was.

use std::collections::HashMap;

use crate::domain::record::Record;
use crate::format::entry::{
    AmendBody, CaseBody, ExportBody, Kind, Member, MergeBody, NameBody, RetractBody, Role, RotateBody, VaultBody,
};
use crate::format::leaves::{self, CommittedRecord};
use crate::format::{cbor, hex, EntryId};

use super::log::{describe, Entry, Log, Problem};
use super::sealing::{self, Effect};

/// One key a member held, and when it stopped being valid.
#[derive(Clone, Debug)]
pub struct KeySpan {
    pub name: String,
    pub recipient: String,
    pub signing_key: [u8; 32],
    /// The roster entry that made the key valid, and its time.
    pub from: (EntryId, String),
    /// The roster entry that ended it (removal or rekey), and its time.
    pub until: Option<(EntryId, String)>,
}

impl KeySpan {
    /// Whether an entry signed with this key at `time` falls before the key
    /// ended. Times are whole seconds, so the second of the ending counts as
    /// before it: entries written just before a removal in the same second stay valid.
    pub fn valid_at(&self, time: &str) -> bool {
        self.until.as_ref().is_none_or(|(_, t)| time <= t.as_str())
    }
}

/// The roster: the vault, its members now, and every key any member ever held.
pub struct Roster {
    pub vault: [u8; 16],
    pub members: Vec<Member>,
    pub keys: Vec<KeySpan>,
    /// Signing keys some file of the roster may still be sealed to: the
    /// members known to the writer of every entry no rotation covers
    /// (judged by the log's links: see `sealing`).
    pub sealed: Vec<[u8; 32]>,
}

impl Roster {
    /// The current member of this name.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The key span of a signing key, current or ended.
    pub fn key(&self, key: &[u8; 32]) -> Option<&KeySpan> {
        self.keys.iter().find(|k| &k.signing_key == key)
    }

    /// Every key span a member name ever had.
    pub fn spans_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a KeySpan> + 'a {
        self.keys.iter().filter(move |k| k.name == name)
    }

    pub fn owners(&self) -> usize {
        self.members.iter().filter(|m| m.role == Role::Owner).count()
    }

    /// Whether a key ended (a member removed or rekeyed) since the roster's
    /// files were last sealed anew: until a rotation, that key still opens them.
    pub fn rotation_pending(&self) -> bool {
        self.sealed.iter().any(|k| !is_member(&self.members, k))
    }
}

pub use crate::domain::case::{RecordState, Retraction, Version};

/// A member's access to a case, from the grant (or the case's first entry) to its revocation.
#[derive(Clone, Debug)]
pub struct Access {
    pub name: String,
    pub from: (EntryId, String),
    pub until: Option<(EntryId, String)>,
}

/// A rotation of a case: every file sealed anew.
#[derive(Clone, Debug)]
pub struct Rotation {
    pub entry: EntryId,
    pub time: String,
    pub members: Vec<Member>,
}

/// A case: its name, members and records.
pub struct Case {
    pub name: String,
    pub title: Option<String>,
    pub created: String,
    /// Who may read the case now: its members who are on the roster, with their current keys.
    pub members: Vec<Member>,
    /// The case's members by its own log (a member removed from the roster may still be here).
    pub names: Vec<String>,
    pub access: Vec<Access>,
    pub rotations: Vec<Rotation>,
    /// Signing keys some file of the case may still be sealed to (see `sealing`).
    pub sealed: Vec<[u8; 32]>,
    pub records: Vec<RecordState>,
    /// Every entry id of a record (first version, amendments, retraction) to its index.
    pub by_entry: HashMap<EntryId, usize>,
    /// Extracts made of the case, in log order (chain of custody).
    pub exports: Vec<Export>,
}

/// An extract made of a case.
pub struct Export {
    pub entry: EntryId,
    pub time: String,
    pub author: [u8; 32],
    pub body: ExportBody,
}

impl Case {
    /// What an export reads of the case.
    pub fn source(&self) -> crate::export::Source<'_> {
        crate::export::Source {
            name: &self.name,
            title: self.title.as_deref(),
            members: &self.names,
            records: &self.records,
        }
    }

    /// Handles defined by records that are not retracted, with the type that defines each.
    pub fn handles(&self) -> HashMap<String, &'static str> {
        let mut out = HashMap::new();
        for r in self.records.iter().filter(|r| r.retraction.is_none()) {
            let rec = &r.latest().record;
            if let Some(h) = rec.handle() {
                out.insert(h.to_string(), rec.type_name());
            }
        }
        out
    }

    pub fn recipients(&self) -> Vec<String> {
        self.members.iter().map(|m| m.recipient.clone()).collect()
    }

    /// Whether someone whose access ended (revoked, removed, rekeyed) may
    /// still open some of the case's files: true until the case is rotated.
    pub fn rotation_pending(&self) -> bool {
        self.sealed.iter().any(|k| !is_member(&self.members, k))
    }
}

/// The record of a `record` entry: a bare record (header version 1), or a
/// record with its seed whose leaves must give the header's root.
fn record_body(e: &super::log::Entry) -> Result<Record, String> {
    match &e.header.leaves {
        None => cbor::from_slice::<Record>(&e.body),
        Some(root) => {
            let b = cbor::from_slice::<CommittedRecord>(&e.body)?;
            if !e.leaves_checked && leaves::record_root(&b.record, None, &b.seed) != root.into_array() {
                return Err(LEAVES_MISMATCH.into());
            }
            Ok(b.record.clone())
        }
    }
}

/// The body of an `amend` entry; with a version-2 header, its seed and leaves
/// must give the header's root.
fn amend_body(e: &super::log::Entry) -> Result<AmendBody, String> {
    let b = cbor::from_slice::<AmendBody>(&e.body)?;
    match (&e.header.leaves, &b.seed) {
        (None, None) => Ok(b),
        (Some(root), Some(seed)) => {
            if !e.leaves_checked
                && leaves::record_root(&b.record, Some(&b.target.into_array()), seed) != root.into_array()
            {
                return Err(LEAVES_MISMATCH.into());
            }
            Ok(b)
        }
        _ => Err("a seed without a leaf root, or a leaf root without a seed".into()),
    }
}

const LEAVES_MISMATCH: &str = "its leaves do not give the root its header signs: altered";

fn problem(log: &Log, id: EntryId, message: String) -> Problem {
    let file = log.entry(&id).map(|e| format!("objects/{}", e.segment));
    Problem {
        file,
        entry: Some(id),
        message,
    }
}

pub(crate) fn is_member(members: &[Member], key: &[u8; 32]) -> bool {
    members.iter().any(|m| m.signing_key.as_ref() == key)
}

/// Folds a roster log. Problems are added to `problems`.
pub fn roster(log: &Log, problems: &mut Vec<Problem>) -> Option<Roster> {
    let mut state: Option<Roster> = None;
    for e in &log.entries {
        let author = e.header.author.into_array();
        let time = &e.header.time;
        let Some(r) = state.as_mut() else {
            if e.header.kind != Kind::Vault {
                problems.push(problem(log, e.id, "entry before the roster's first entry".into()));
                continue;
            }
            match cbor::from_slice::<VaultBody>(&e.body) {
                Ok(b) if b.owner.signing_key.into_array() == author => {
                    let mut owner = b.owner;
                    owner.role = Role::Owner;
                    state = Some(Roster {
                        vault: b.vault.into_array(),
                        keys: vec![span(&owner, e.id, time)],
                        sealed: Vec::new(),
                        members: vec![owner],
                    });
                }
                Ok(_) => problems.push(problem(
                    log,
                    e.id,
                    "the vault's first entry is not signed by its owner".into(),
                )),
                Err(m) => problems.push(problem(log, e.id, format!("bad body: {m}"))),
            }
            continue;
        };
        let Some(signer) = r.members.iter().find(|m| m.signing_key.as_ref() == &author).cloned() else {
            problems.push(problem(log, e.id, signed_by_outsider(r, &author, "the vault")));
            continue;
        };
        let refuse = |problems: &mut Vec<Problem>, why: String| problems.push(problem(log, e.id, why));
        match e.header.kind {
            Kind::MemberAdd => match cbor::from_slice::<Member>(&e.body) {
                Ok(_) if signer.role != Role::Owner => {
                    refuse(problems, format!("adds a member but {} is not an owner", signer.name))
                }
                Ok(m) if r.spans_of(&m.name).next().is_some() => refuse(
                    problems,
                    format!("adds '{}', a name already used on the roster", m.name),
                ),
                Ok(m) if r.key(&m.signing_key.into_array()).is_some() => {
                    refuse(problems, format!("gives '{}' a signing key already used", m.name))
                }
                Ok(m) => {
                    r.keys.push(span(&m, e.id, time));
                    r.members.push(m);
                }
                Err(m) => refuse(problems, format!("bad body: {m}")),
            },
            Kind::MemberRemove => match cbor::from_slice::<NameBody>(&e.body) {
                Ok(_) if signer.role != Role::Owner => refuse(
                    problems,
                    format!("removes a member but {} is not an owner", signer.name),
                ),
                Ok(b) => match r.member(&b.name).cloned() {
                    None => refuse(problems, format!("removes '{}', who is not a member", b.name)),
                    Some(m) if m.role == Role::Owner && r.owners() == 1 => {
                        refuse(problems, format!("removes '{}', the last owner", b.name))
                    }
                    Some(m) => {
                        end_span(r, &m.signing_key.into_array(), e.id, time);
                        r.members.retain(|x| x.name != b.name);
                    }
                },
                Err(m) => refuse(problems, format!("bad body: {m}")),
            },
            Kind::MemberRekey => match cbor::from_slice::<Member>(&e.body) {
                Ok(b) => match r.member(&b.name).cloned() {
                    None => refuse(problems, format!("rekeys '{}', who is not a member", b.name)),
                    Some(_) if signer.role != Role::Owner && signer.name != b.name => refuse(
                        problems,
                        format!(
                            "{} rekeys '{}' but is neither that member nor an owner",
                            signer.name, b.name
                        ),
                    ),
                    Some(_) if r.key(&b.signing_key.into_array()).is_some() => {
                        refuse(problems, format!("gives '{}' a signing key already used", b.name))
                    }
                    Some(old) => {
                        end_span(r, &old.signing_key.into_array(), e.id, time);
                        let new = Member { role: old.role, ..b };
                        r.keys.push(span(&new, e.id, time));
                        for m in r.members.iter_mut().filter(|m| m.name == new.name) {
                            *m = new.clone();
                        }
                    }
                },
                Err(m) => refuse(problems, format!("bad body: {m}")),
            },
            Kind::Rotate => {
                if let Err(m) = cbor::from_slice::<RotateBody>(&e.body) {
                    refuse(problems, format!("bad body: {m}"));
                }
            }
            Kind::Merge => merge(e, log, problems),
            kind => refuse(
                problems,
                format!("an entry of kind {kind:?} does not belong in the roster"),
            ),
        }
    }
    let mut r = state?;
    r.sealed = sealing::sealed_to(log, &r, roster_effect);
    // A key that was removed or replaced signs nothing after that: every
    // entry it signed must come before the entry that ended it.
    for k in &r.keys {
        let Some((end, _)) = &k.until else { continue };
        let before = log.ancestors(end);
        for e in log
            .entries
            .iter()
            .filter(|e| e.header.author.as_ref() == &k.signing_key)
        {
            // The key may sign its own replacement, and nothing after it.
            if !before.contains(&e.id) && e.id != *end {
                problems.push(problem(
                    log,
                    e.id,
                    format!("signed with {}'s key after that key was removed or replaced", k.name),
                ));
            }
        }
    }
    let ever: Vec<[u8; 32]> = r.keys.iter().map(|k| k.signing_key).collect();
    check_head_authors(log, &ever, problems);
    Some(r)
}

/// What a roster entry does to who the roster's files are sealed to.
fn roster_effect(e: &Entry) -> Effect {
    match e.header.kind {
        Kind::Vault => {
            cbor::from_slice::<VaultBody>(&e.body).map_or(Effect::Keep, |b| Effect::Adds(vec![b.owner.name]))
        }
        Kind::MemberAdd => cbor::from_slice::<Member>(&e.body).map_or(Effect::Keep, |m| Effect::Adds(vec![m.name])),
        Kind::MemberRemove => cbor::from_slice::<NameBody>(&e.body).map_or(Effect::Keep, |b| Effect::Drops(b.name)),
        Kind::Rotate => rotation_effect(e),
        // A rekey keeps the member; their key at each entry's time says which key.
        _ => Effect::Keep,
    }
}

/// What a case entry does to who the case's files are sealed to.
fn case_effect(e: &Entry) -> Effect {
    match e.header.kind {
        Kind::Case => cbor::from_slice::<CaseBody>(&e.body).map_or(Effect::Keep, |b| {
            Effect::Adds(b.members.into_iter().map(|m| m.name).collect())
        }),
        Kind::Grant => cbor::from_slice::<Member>(&e.body).map_or(Effect::Keep, |m| Effect::Adds(vec![m.name])),
        Kind::Revoke => cbor::from_slice::<NameBody>(&e.body).map_or(Effect::Keep, |b| Effect::Drops(b.name)),
        Kind::Rotate => rotation_effect(e),
        _ => Effect::Keep,
    }
}

fn rotation_effect(e: &Entry) -> Effect {
    cbor::from_slice::<RotateBody>(&e.body).map_or(Effect::Keep, |b| {
        Effect::Rotation(
            b.members
                .into_iter()
                .map(|m| (m.name, m.signing_key.into_array()))
                .collect(),
        )
    })
}

/// A merge entry changes nothing; it must join at least two branches and
/// carry the empty body.
fn merge(e: &super::log::Entry, log: &Log, problems: &mut Vec<Problem>) {
    if e.header.parents.len() < 2 {
        problems.push(problem(log, e.id, "a merge entry with fewer than two parents".into()));
    }
    if let Err(m) = cbor::from_slice::<MergeBody>(&e.body) {
        problems.push(problem(log, e.id, format!("bad merge entry: {m}")));
    }
}

fn span(m: &Member, entry: EntryId, time: &str) -> KeySpan {
    KeySpan {
        name: m.name.clone(),
        recipient: m.recipient.clone(),
        signing_key: m.signing_key.into_array(),
        from: (entry, time.to_string()),
        until: None,
    }
}

fn end_span(r: &mut Roster, key: &[u8; 32], entry: EntryId, time: &str) {
    for k in r.keys.iter_mut().filter(|k| &k.signing_key == key && k.until.is_none()) {
        k.until = Some((entry, time.to_string()));
    }
}

fn signed_by_outsider(r: &Roster, key: &[u8; 32], of: &str) -> String {
    match r.key(key) {
        Some(k) => format!("signed by {}, who was not a member of {of} then", k.name),
        None => format!("signed by someone who was never a member of {of}"),
    }
}

/// Folds a case log; `roster` says whose keys were valid when.
pub fn case(log: &Log, roster: &Roster, problems: &mut Vec<Problem>) -> Option<Case> {
    case_handing_on(log, roster, problems).map(|(c, _)| c)
}

/// [`case`], also returning what each tip hands on (for the cached state).
pub(crate) fn case_handing_on(
    log: &Log,
    roster: &Roster,
    problems: &mut Vec<Problem>,
) -> Option<(Case, sealing::Handed)> {
    let mut fold = CaseFold::default();
    for e in &log.entries {
        fold.step(log, e, roster, problems);
    }
    fold.finish(log, roster, problems, None)
}

/// A case folded up to some entry: [`case`] steps it through every entry of
/// a log and finishes it. The cached case state (`resume`) is such a fold,
/// kept between commands and stepped through the entries written since:
/// one fold, whether it starts from nothing or from the cache.
#[derive(Default)]
pub(crate) struct CaseFold {
    pub(crate) state: Option<Case>,
}

impl CaseFold {
    /// Folds one more entry, the next in the log's order (§10 step 6).
    pub(crate) fn step(&mut self, log: &Log, e: &Entry, roster: &Roster, problems: &mut Vec<Problem>) {
        let state = &mut self.state;
        let author = e.header.author.into_array();
        let time = e.header.time.clone();
        // Whose key signed this, and was it valid at the time it claims?
        let signer = match roster.key(&author) {
            Some(k) if k.valid_at(&time) => k.name.clone(),
            Some(k) => {
                problems.push(problem(
                    log,
                    e.id,
                    format!("signed with {}'s key after that key was removed or replaced", k.name),
                ));
                return;
            }
            None => {
                problems.push(problem(
                    log,
                    e.id,
                    "signed by someone who was never a member of the vault".into(),
                ));
                return;
            }
        };
        let Some(c) = state.as_mut() else {
            if e.header.kind != Kind::Case {
                problems.push(problem(log, e.id, "entry before the case's first entry".into()));
                return;
            }
            match cbor::from_slice::<CaseBody>(&e.body) {
                Ok(b) => {
                    if !is_member(&b.members, &author) {
                        problems.push(problem(
                            log,
                            e.id,
                            "case created by someone who is not among its members".into(),
                        ));
                    }
                    if b.name != log.name {
                        problems.push(problem(
                            log,
                            e.id,
                            format!("case named '{}' but its heads say '{}'", b.name, log.name),
                        ));
                    }
                    *state = Some(Case {
                        name: b.name,
                        title: b.title,
                        created: time.clone(),
                        members: Vec::new(),
                        names: b.members.iter().map(|m| m.name.clone()).collect(),
                        access: b
                            .members
                            .iter()
                            .map(|m| Access {
                                name: m.name.clone(),
                                from: (e.id, time.clone()),
                                until: None,
                            })
                            .collect(),
                        rotations: Vec::new(),
                        sealed: Vec::new(),
                        records: Vec::new(),
                        by_entry: HashMap::new(),
                        exports: Vec::new(),
                    });
                }
                Err(m) => problems.push(problem(log, e.id, format!("bad body: {m}"))),
            }
            return;
        };
        if !c.names.contains(&signer) {
            problems.push(problem(
                log,
                e.id,
                format!("signed by {signer}, who was not a member of the case then"),
            ));
            return;
        }
        match e.header.kind {
            Kind::Record => match record_body(e) {
                Ok(record) => {
                    c.by_entry.insert(e.id, c.records.len());
                    c.records.push(RecordState {
                        id: e.id,
                        versions: vec![Version {
                            entry: e.id,
                            record,
                            time,
                            author,
                        }],
                        retraction: None,
                    });
                }
                Err(m) => problems.push(problem(log, e.id, format!("bad record: {m}"))),
            },
            Kind::Amend => match amend_body(e) {
                Ok(b) => match c.by_entry.get(&b.target.into_array()).copied() {
                    Some(i) if c.records[i].retraction.is_none() => {
                        c.by_entry.insert(e.id, i);
                        c.records[i].versions.push(Version {
                            entry: e.id,
                            record: b.record,
                            time,
                            author,
                        });
                    }
                    _ => problems.push(problem(
                        log,
                        e.id,
                        format!(
                            "amends {}, which is not a current record of the case",
                            &hex(b.target.as_ref())[..16]
                        ),
                    )),
                },
                Err(m) => problems.push(problem(log, e.id, format!("bad amendment: {m}"))),
            },
            Kind::Retract => match cbor::from_slice::<RetractBody>(&e.body) {
                Ok(b) => match c.by_entry.get(&b.target.into_array()).copied() {
                    Some(i) if c.records[i].retraction.is_none() => {
                        c.by_entry.insert(e.id, i);
                        c.records[i].retraction = Some(Retraction {
                            entry: e.id,
                            reason: b.reason,
                            time,
                            author,
                        });
                    }
                    _ => problems.push(problem(
                        log,
                        e.id,
                        format!(
                            "retracts {}, which is not a current record of the case",
                            &hex(b.target.as_ref())[..16]
                        ),
                    )),
                },
                Err(m) => problems.push(problem(log, e.id, format!("bad retraction: {m}"))),
            },
            Kind::Grant => match cbor::from_slice::<Member>(&e.body) {
                Ok(m) if c.names.contains(&m.name) => {
                    problems.push(problem(log, e.id, format!("grants '{}' twice", m.name)))
                }
                Ok(m) if roster.key(&m.signing_key.into_array()).is_none_or(|k| k.name != m.name) => {
                    problems.push(problem(
                        log,
                        e.id,
                        format!("grants '{}', whose key is not on the roster", m.name),
                    ))
                }
                Ok(m) => {
                    c.names.push(m.name.clone());
                    c.access.push(Access {
                        name: m.name,
                        from: (e.id, time),
                        until: None,
                    });
                }
                Err(m) => problems.push(problem(log, e.id, format!("bad grant: {m}"))),
            },
            Kind::Revoke => match cbor::from_slice::<NameBody>(&e.body) {
                Ok(b) if !c.names.contains(&b.name) => {
                    problems.push(problem(log, e.id, format!("revokes '{}', who is not a member", b.name)))
                }
                Ok(b) if c.names.len() == 1 => problems.push(problem(
                    log,
                    e.id,
                    format!("revokes '{}', the case's last member", b.name),
                )),
                Ok(b) => {
                    c.names.retain(|n| n != &b.name);
                    for a in c.access.iter_mut().filter(|a| a.name == b.name && a.until.is_none()) {
                        a.until = Some((e.id, time.clone()));
                    }
                }
                Err(m) => problems.push(problem(log, e.id, format!("bad revocation: {m}"))),
            },
            Kind::Rotate => match cbor::from_slice::<RotateBody>(&e.body) {
                Ok(b) => {
                    c.rotations.push(Rotation {
                        entry: e.id,
                        time,
                        members: b.members,
                    });
                }
                Err(m) => problems.push(problem(log, e.id, format!("bad rotation: {m}"))),
            },
            Kind::Export => match cbor::from_slice::<ExportBody>(&e.body) {
                Ok(b) => c.exports.push(Export {
                    entry: e.id,
                    time,
                    author,
                    body: b,
                }),
                Err(m) => problems.push(problem(log, e.id, format!("bad export entry: {m}"))),
            },
            Kind::Merge => merge(e, log, problems),
            kind => problems.push(problem(
                log,
                e.id,
                format!("an entry of kind {kind:?} does not belong in a case"),
            )),
        }
    }

    /// The checks that look at the whole log once every entry is folded,
    /// and the members and keys that follow from it. `from`, for a fold
    /// resumed from the cache on a log that holds only the entries written
    /// since, is what the cached entries hand on to those (`sealing`).
    /// Returns the case and what each of its tips hands on.
    pub(crate) fn finish(
        self,
        log: &Log,
        roster: &Roster,
        problems: &mut Vec<Problem>,
        from: Option<&sealing::Start>,
    ) -> Option<(Case, sealing::Handed)> {
        let state = self.state;
        let Some(mut c) = state else {
            if problems.is_empty() {
                problems.push(Problem {
                    file: None,
                    entry: None,
                    message: format!("{} has no first entry", describe(log)),
                });
            }
            return None;
        };
        // A revoked member signs nothing after the revocation, not even on a
        // branch of the log that leaves it out: each of their entries must come
        // before the revocation or after a new grant that follows it.
        for a in &c.access {
            let Some((end, _)) = &a.until else { continue };
            let before = log.ancestors(end);
            let after = log.descendants(end);
            let keys: Vec<[u8; 32]> = roster.spans_of(&a.name).map(|k| k.signing_key).collect();
            for e in log
                .entries
                .iter()
                .filter(|e| keys.contains(&e.header.author.into_array()))
            {
                if !before.contains(&e.id) && !after.contains(&e.id) {
                    problems.push(problem(
                        log,
                        e.id,
                        format!(
                            "signed by {} beside their revocation, on a branch that leaves it out",
                            a.name
                        ),
                    ));
                }
            }
        }
        // A key the roster ended (a rekey or a removal) signs nothing in a case
        // after a rotation that left it out: every entry it signed must come
        // before that rotation in the log. Without this, a seized key replaced by
        // an owner could still add backdated entries to the member's cases.
        for r in &c.rotations {
            let kept: Vec<[u8; 32]> = r.members.iter().map(|m| m.signing_key.into_array()).collect();
            let mut before = None;
            for e in &log.entries {
                let key = e.header.author.into_array();
                let ended = roster.key(&key).is_some_and(|k| k.until.is_some());
                if !ended || kept.contains(&key) || e.id == r.entry {
                    continue;
                }
                let before = before.get_or_insert_with(|| log.ancestors(&r.entry));
                if !before.contains(&e.id) {
                    let name = roster.key(&key).map_or("someone", |k| k.name.as_str());
                    problems.push(problem(
                        log,
                        e.id,
                        format!(
                            "signed with {name}'s replaced or removed key after the case was sealed anew without it"
                        ),
                    ));
                }
            }
        }
        c.members = c.names.iter().filter_map(|n| roster.member(n).cloned()).collect();
        let (sealed, handed) = sealing::sealed_from(log, roster, case_effect, from);
        c.sealed = sealed;
        let ever: Vec<[u8; 32]> = c
            .access
            .iter()
            .flat_map(|a| roster.spans_of(&a.name).map(|k| k.signing_key))
            .collect();
        check_head_authors(log, &ever, problems);
        Some((c, handed))
    }
}

fn check_head_authors(log: &Log, ever: &[[u8; 32]], problems: &mut Vec<Problem>) {
    for h in &log.heads {
        if !ever.contains(&h.head.author.into_array()) {
            problems.push(Problem::file(
                format!("heads/{}", h.name),
                format!("signed by someone who was never a member of {}", describe(log)),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::entry::Header;
    use crate::format::leaves::HEADER_VERSION_LEAVES;
    use serde_bytes::ByteArray;
    use zeroize::Zeroizing;

    fn entry(kind: Kind, body: Vec<u8>, root: Option<[u8; 32]>) -> super::super::log::Entry {
        super::super::log::Entry {
            id: [9; 32],
            header: Header {
                v: HEADER_VERSION_LEAVES,
                log: ByteArray::new([1; 16]),
                seq: 1,
                parents: Vec::new(),
                time: "2026-01-01T00:00:00Z".into(),
                author: ByteArray::new([2; 32]),
                kind,
                body: ByteArray::new([0; 32]),
                leaves: root.map(ByteArray::new),
            },
            header_bytes: Vec::new(),
            sig: [0; 64],
            body: Zeroizing::new(body),
            segment: String::new(),
            leaves_checked: false,
        }
    }

    #[test]
    fn a_body_that_does_not_give_the_signed_root_is_altered() {
        let record: Record = serde_json::from_str(r#"{"type":"note","text":"Visit refused."}"#).unwrap();
        let seed = [5u8; 32];
        let body = CommittedRecord {
            record: record.clone(),
            seed: ByteArray::new(seed),
        };
        let root = leaves::record_root(&record, None, &seed);
        let bytes = cbor::to_vec(&body);
        assert_eq!(
            record_body(&entry(Kind::Record, bytes.clone(), Some(root))).unwrap(),
            record
        );
        let mut other = root;
        other[0] ^= 1;
        assert!(record_body(&entry(Kind::Record, bytes, Some(other)))
            .unwrap_err()
            .contains("altered"));
        // Another seed, same record: another root.
        let reseeded = cbor::to_vec(&CommittedRecord {
            record: record.clone(),
            seed: ByteArray::new([6; 32]),
        });
        assert!(record_body(&entry(Kind::Record, reseeded, Some(root))).is_err());
        // An amendment's root covers its target.
        let amend = AmendBody {
            target: ByteArray::new([7; 32]),
            record: record.clone(),
            seed: Some(ByteArray::new(seed)),
        };
        let good = leaves::record_root(&record, Some(&[7; 32]), &seed);
        assert!(amend_body(&entry(Kind::Amend, cbor::to_vec(&amend), Some(good))).is_ok());
        let retargeted = AmendBody {
            target: ByteArray::new([8; 32]),
            ..amend
        };
        assert!(amend_body(&entry(Kind::Amend, cbor::to_vec(&retargeted), Some(good))).is_err());
    }
}
