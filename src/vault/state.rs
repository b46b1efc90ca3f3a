//! The meaning of a log: who its members are and what its records say now.
//!
//! Folding the entries of a checked log, in order, into state. Authorization
//! is checked here: every entry must be signed by someone who was a member of
//! the log when it was written, and every head by someone who ever was.

use std::collections::HashMap;

use crate::domain::record::Record;
use crate::format::entry::{AmendBody, CaseBody, ExportBody, Kind, Member, RetractBody, VaultBody};
use crate::format::{cbor, hex, EntryId};

use super::log::{describe, Log, Problem};

/// The roster: the vault and its members.
pub struct Roster {
    pub vault: [u8; 16],
    pub members: Vec<Member>,
}

/// One version of a record.
pub struct Version {
    pub entry: EntryId,
    pub record: Record,
    pub time: String,
    pub author: [u8; 32],
}

/// A record's withdrawal.
pub struct Retraction {
    pub entry: EntryId,
    pub reason: String,
    pub time: String,
    pub author: [u8; 32],
}

/// A record and its history.
pub struct RecordState {
    /// The id of the entry that first recorded it.
    pub id: EntryId,
    pub versions: Vec<Version>,
    pub retraction: Option<Retraction>,
}

impl RecordState {
    pub fn latest(&self) -> &Version {
        self.versions.last().expect("a record has at least one version")
    }

    pub fn status(&self) -> &'static str {
        if self.retraction.is_some() {
            "retracted"
        } else if self.versions.len() > 1 {
            "amended"
        } else {
            "current"
        }
    }
}

/// A case: its name, members and records.
pub struct Case {
    pub name: String,
    pub title: Option<String>,
    pub created: String,
    pub members: Vec<Member>,
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
}

fn problem(log: &Log, id: EntryId, message: String) -> Problem {
    let file = log.entry(&id).map(|e| format!("objects/{}", e.segment));
    Problem {
        file,
        entry: Some(id),
        message,
    }
}

fn is_member(members: &[Member], key: &[u8; 32]) -> bool {
    members.iter().any(|m| m.signing_key.as_ref() == key)
}

/// Folds a roster log. Problems are added to `problems`.
pub fn roster(log: &Log, problems: &mut Vec<Problem>) -> Option<Roster> {
    let mut state: Option<Roster> = None;
    let mut ever: Vec<[u8; 32]> = Vec::new();
    for e in &log.entries {
        let author = e.header.author.into_array();
        match (e.header.kind, state.as_mut()) {
            (Kind::Vault, None) => match cbor::from_slice::<VaultBody>(&e.body) {
                Ok(b) if b.owner.signing_key.into_array() == author => {
                    ever.push(author);
                    state = Some(Roster {
                        vault: b.vault.into_array(),
                        members: vec![b.owner],
                    });
                }
                Ok(_) => problems.push(problem(
                    log,
                    e.id,
                    "the vault's first entry is not signed by its owner".into(),
                )),
                Err(m) => problems.push(problem(log, e.id, format!("bad body: {m}"))),
            },
            (Kind::MemberAdd, Some(r)) => {
                if !is_member(&r.members, &author) {
                    problems.push(problem(log, e.id, "signed by someone who is not a member".into()));
                    continue;
                }
                match cbor::from_slice::<Member>(&e.body) {
                    Ok(m) => {
                        ever.push(m.signing_key.into_array());
                        r.members.push(m);
                    }
                    Err(m) => problems.push(problem(log, e.id, format!("bad body: {m}"))),
                }
            }
            (kind, _) => problems.push(problem(
                log,
                e.id,
                format!("an entry of kind {kind:?} does not belong in the roster"),
            )),
        }
    }
    check_head_authors(log, &ever, problems);
    state
}

/// Folds a case log; `roster` is used to check that the case was created by a member.
pub fn case(log: &Log, roster: &Roster, problems: &mut Vec<Problem>) -> Option<Case> {
    let mut state: Option<Case> = None;
    let mut ever: Vec<[u8; 32]> = Vec::new();
    for e in &log.entries {
        let author = e.header.author.into_array();
        let time = e.header.time.clone();
        let Some(c) = state.as_mut() else {
            if e.header.kind != Kind::Case {
                problems.push(problem(log, e.id, "entry before the case's first entry".into()));
                continue;
            }
            match cbor::from_slice::<CaseBody>(&e.body) {
                Ok(b) => {
                    if !is_member(&b.members, &author) || !is_member(&roster.members, &author) {
                        problems.push(problem(
                            log,
                            e.id,
                            "case created by someone who is not a member of the vault".into(),
                        ));
                    }
                    if b.name != log.name {
                        problems.push(problem(
                            log,
                            e.id,
                            format!("case named '{}' but its heads say '{}'", b.name, log.name),
                        ));
                    }
                    ever.extend(b.members.iter().map(|m| m.signing_key.into_array()));
                    state = Some(Case {
                        name: b.name,
                        title: b.title,
                        created: time,
                        members: b.members,
                        records: Vec::new(),
                        by_entry: HashMap::new(),
                        exports: Vec::new(),
                    });
                }
                Err(m) => problems.push(problem(log, e.id, format!("bad body: {m}"))),
            }
            continue;
        };
        if !is_member(&c.members, &author) {
            problems.push(problem(
                log,
                e.id,
                "signed by someone who is not a member of the case".into(),
            ));
            continue;
        }
        match e.header.kind {
            Kind::Record => match cbor::from_slice::<Record>(&e.body) {
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
            Kind::Amend => match cbor::from_slice::<AmendBody>(&e.body) {
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
            Kind::Export => match cbor::from_slice::<ExportBody>(&e.body) {
                Ok(b) => c.exports.push(Export {
                    entry: e.id,
                    time,
                    author,
                    body: b,
                }),
                Err(m) => problems.push(problem(log, e.id, format!("bad export entry: {m}"))),
            },
            kind => problems.push(problem(
                log,
                e.id,
                format!("an entry of kind {kind:?} does not belong in a case"),
            )),
        }
    }
    if state.is_none() && problems.is_empty() {
        problems.push(Problem {
            file: None,
            entry: None,
            message: format!("{} has no first entry", describe(log)),
        });
    }
    check_head_authors(log, &ever, problems);
    state
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
