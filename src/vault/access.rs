//! Who may read what: members, grants, rotation and exposure.
//!
//! Membership lives in signed logs: the roster says who is in the vault and
//! which keys they held when; each case's own log says who was granted it
//! (so the roster, which every member reads, does not reveal which cases
//! exist). Ending someone's access writes the entry that ends it, then
//! *rotates*: every file of the log is decrypted and sealed anew, with a fresh
//! file key, to the members left, replacing the old file in one atomic rename,
//! and a signed rotation entry records to whom. Signatures and hashes are over
//! plaintext, so a rotation changes neither; a crash part way leaves files
//! sealed to either the old or the new members, all of which the rotating
//! member can read, and the next `rotate` finishes the job.

use std::collections::BTreeSet;

use serde_bytes::ByteArray;

use crate::crypto::{keys, seal};
use crate::error::{Error, Result};
use crate::format::entry::{Kind, Member, NameBody, Role, RotateBody};
use crate::format::head::LogKind;
use crate::format::{cbor, EntryId, LogId};
use crate::store::{failpoint, Area, Replace};

use super::log::{Log, MAX_OBJECT_PLAINTEXT};
use super::state::{Access, Case, KeySpan};
use super::{check_member_name, write, Vault};

/// Told of each file sealed anew; first called with the total, then once per file.
/// Streams of bytes (a document's content) report with `advance` instead.
pub trait Progress {
    fn start(&mut self, total: u64);
    fn step(&mut self);
    /// `n` more bytes done.
    fn advance(&mut self, n: u64) {
        let _ = n;
    }
}

/// A progress report nobody reads.
pub struct Silent;

impl Progress for Silent {
    fn start(&mut self, _: u64) {}
    fn step(&mut self) {}
}

/// What a rotation did.
#[derive(Default, Debug)]
pub struct Rotated {
    /// The logs rotated: "the roster" or case names.
    pub logs: Vec<String>,
    pub files: u64,
    /// Cases this identity can read but may not rotate (no longer a member).
    pub skipped: Vec<String>,
    /// Cases that fail their checks, left alone: `verify` says why.
    pub damaged: Vec<String>,
}

/// What a member's keys could ever open, and what they can open now.
pub struct Exposure {
    pub member: String,
    pub keys: Vec<KeySpan>,
    /// For each of `keys`, in order: whether it still opens the roster's
    /// files, and the cases some file of which it still opens. For a key
    /// that was replaced or removed this is what a rotation must still shut.
    pub opens_now: Vec<(bool, Vec<String>)>,
    /// Whether a key of theirs still opens the roster's files.
    pub roster_now: bool,
    pub cases: Vec<CaseExposure>,
}

/// One case a member had access to.
pub struct CaseExposure {
    pub case: String,
    pub access: Vec<Access>,
    /// A current member: reads everything, by design.
    pub member_now: bool,
    /// Their key still opens the case's files (a member, or not yet rotated).
    pub readable_now: bool,
    pub records: Vec<ExposedRecord>,
}

/// A record a member's key could open.
pub struct ExposedRecord {
    pub id: EntryId,
    pub type_name: &'static str,
    pub time: String,
    pub status: &'static str,
    /// Names of the people the record names (its own person, witness, perpetrators, persons).
    pub people: Vec<String>,
}

/// The signing key of a member who gives none: an `ssh-ed25519` key signs as itself.
pub fn signing_key_of(recipient: &str, given: Option<&str>) -> Result<[u8; 32]> {
    seal::parse_recipient(recipient).map_err(Error::Invalid)?;
    match given {
        Some(k) => keys::parse_signing_key(k).map_err(Error::Invalid),
        None => seal::ssh_ed25519_key(recipient).ok_or_else(|| {
            Error::Invalid(
                "give the member's signing key with --signing-key (they print it with `dossier whoami`); \
                 only an ssh-ed25519 key signs as itself"
                    .into(),
            )
        }),
    }
}

impl Vault {
    pub fn roster(&self) -> &super::state::Roster {
        &self.roster
    }

    fn require_owner(&self, what: &str) -> Result<()> {
        if self.me.role != Role::Owner {
            return Err(Error::Invalid(format!(
                "only an owner of the vault may {what}; you ({}) are a member",
                self.me.name
            )));
        }
        Ok(())
    }

    fn check_new_key(&self, recipient: &str, signing_key: &[u8; 32]) -> Result<()> {
        seal::parse_recipient(recipient).map_err(Error::Invalid)?;
        if let Some(k) = self.roster.key(signing_key) {
            return Err(Error::Invalid(format!(
                "that signing key is already {}'s; each member needs their own",
                k.name
            )));
        }
        if self
            .roster
            .keys
            .iter()
            .any(|k| k.recipient == seal::normalize_recipient(recipient))
        {
            return Err(Error::Invalid("that recipient is already a member's".into()));
        }
        Ok(())
    }

    /// Appends entries to the roster, sealed to `recipients`, and reads it again.
    pub(super) fn append_to_roster(&mut self, bodies: Vec<(Kind, Vec<u8>)>, recipients: Vec<String>) -> Result<()> {
        self.write_roster(bodies, recipients)?;
        self.reload()
    }

    fn write_roster(&self, bodies: Vec<(Kind, Vec<u8>)>, recipients: Vec<String>) -> Result<()> {
        write::append(
            &self.store,
            &self.identity,
            &self.device,
            write::Target {
                id: self.roster_log.id,
                kind: LogKind::Roster,
                name: "",
                existing: Some(&self.roster_log),
            },
            &recipients,
            bodies,
        )?;
        Ok(())
    }

    pub(super) fn roster_recipients(&self) -> Vec<String> {
        self.roster.members.iter().map(|m| m.recipient.clone()).collect()
    }

    /// Adds a member to the vault.
    pub fn add_member(&mut self, name: &str, recipient: &str, signing_key: [u8; 32], role: Role) -> Result<()> {
        self.require_sound_roster()?;
        self.require_owner("add members")?;
        check_member_name(name)?;
        if self.roster.member(name).is_some() {
            return Err(Error::Invalid(format!("'{name}' is already a member")));
        }
        if self.roster.spans_of(name).next().is_some() {
            return Err(Error::Invalid(format!(
                "'{name}' was a member before; choose another name so the history stays unambiguous"
            )));
        }
        self.check_new_key(recipient, &signing_key)?;
        let m = Member {
            name: name.to_string(),
            recipient: seal::normalize_recipient(recipient),
            signing_key: ByteArray::new(signing_key),
            role,
        };
        let mut to = self.roster_recipients();
        to.push(m.recipient.clone());
        self.append_to_roster(vec![(Kind::MemberAdd, cbor::to_vec(&m))], to)?;
        // The new member reads the whole roster, so its older files are sealed to them too.
        let plan = Plan {
            logs: vec![self.planned_roster()],
            ..Plan::default()
        };
        self.run_plan(plan, &mut Silent, true)?;
        Ok(())
    }

    /// Removes a member: off the roster, revoked from every case this identity
    /// can read, and all of those rotated so their keys open nothing of them.
    pub fn remove_member(&mut self, name: &str, progress: &mut dyn Progress) -> Result<Rotated> {
        self.require_sound_roster()?;
        self.require_owner("remove members")?;
        let m = self
            .roster
            .member(name)
            .cloned()
            .ok_or_else(|| Error::Invalid(format!("no member named '{name}'")))?;
        if m.name == self.me.name {
            return Err(Error::Invalid(
                "you cannot remove yourself; ask another owner to do it".into(),
            ));
        }
        if m.role == Role::Owner && self.roster.owners() == 1 {
            return Err(Error::Invalid(format!("'{name}' is the last owner of the vault")));
        }
        // A damaged case (perhaps planted by the member being removed, to
        // stop this) is left alone and named; the removal goes on.
        let mut cases = Vec::new();
        for c in self.case_names() {
            let Ok((_, case)) = self.case(&c) else { continue };
            if case.names.contains(&m.name) && case.names.contains(&self.me.name) {
                cases.push(c);
            }
        }
        let body = NameBody { name: m.name.clone() };
        let to: Vec<String> = self
            .roster_recipients()
            .into_iter()
            .filter(|r| *r != m.recipient)
            .collect();
        self.append_to_roster(vec![(Kind::MemberRemove, cbor::to_vec(&body))], to)?;
        for c in &cases {
            let (log, case) = self.case(c)?;
            if case.names.len() > 1 {
                self.append_to_case(&log, &case, vec![(Kind::Revoke, cbor::to_vec(&body))])?;
            }
        }
        self.rotate(None, progress)
    }

    /// Replaces a member's keys. Run by an owner, the rotation that follows
    /// shuts the old key out of everything this identity can read; run by the
    /// member with their old key, every file is first sealed to the new key as
    /// well, and the new identity then runs `rotate --all` to shut the old one out.
    pub fn rekey_member(
        &mut self,
        name: &str,
        recipient: &str,
        signing_key: [u8; 32],
        progress: &mut dyn Progress,
    ) -> Result<Rotated> {
        self.require_sound_roster()?;
        let old = self
            .roster
            .member(name)
            .cloned()
            .ok_or_else(|| Error::Invalid(format!("no member named '{name}'")))?;
        if old.name != self.me.name {
            self.require_owner("rekey another member")?;
        }
        self.check_new_key(recipient, &signing_key)?;
        let new = Member {
            name: old.name.clone(),
            recipient: seal::normalize_recipient(recipient),
            signing_key: ByteArray::new(signing_key),
            role: old.role,
        };
        let to = |v: &Vault| -> Vec<String> {
            v.roster
                .members
                .iter()
                .map(|m| {
                    if m.name == new.name {
                        new.recipient.clone()
                    } else {
                        m.recipient.clone()
                    }
                })
                .collect()
        };
        if old.name == self.me.name {
            // First make every file readable by the new key too, so that
            // whichever key survives a crash can read on.
            let mut plan = self.plan(None)?;
            for p in &mut plan.logs {
                p.recipients.push(new.recipient.clone());
            }
            let mut report = self.run_plan(plan, progress, false)?;
            // The old key signs its own replacement, and can read no further:
            // the new identity finishes with `rotate --all`.
            let recipients = to(self);
            self.write_roster(vec![(Kind::MemberRekey, cbor::to_vec(&new))], recipients)?;
            report.logs.clear();
            return Ok(report);
        }
        let recipients = to(self);
        self.append_to_roster(vec![(Kind::MemberRekey, cbor::to_vec(&new))], recipients)?;
        self.rotate(None, progress)
    }

    /// Gives a member of the vault access to a case, and seals the case's
    /// history to them.
    pub fn grant(&mut self, case_name: &str, name: &str, progress: &mut dyn Progress) -> Result<Rotated> {
        let (log, case) = self.case(case_name)?;
        self.require_case_member(&case)?;
        let m = self.roster.member(name).cloned().ok_or_else(|| {
            Error::Invalid(format!(
                "no member named '{name}'; add them first with `dossier member add`"
            ))
        })?;
        if case.names.contains(&m.name) {
            return Err(Error::Invalid(format!(
                "'{name}' already has access to case '{case_name}'"
            )));
        }
        let mut to = case.recipients();
        to.push(m.recipient.clone());
        write::append(
            &self.store,
            &self.identity,
            &self.device,
            write::Target {
                id: log.id,
                kind: LogKind::Case,
                name: &case.name,
                existing: Some(&log),
            },
            &to,
            vec![(Kind::Grant, cbor::to_vec(&m))],
        )?;
        self.refresh()?;
        self.rotate(Some(case_name), progress)
    }

    /// Ends a member's access to a case, and rotates the case.
    pub fn revoke(&mut self, case_name: &str, name: &str, progress: &mut dyn Progress) -> Result<Rotated> {
        let (log, case) = self.case(case_name)?;
        self.require_case_member(&case)?;
        if !case.names.iter().any(|n| n == name) {
            return Err(Error::Invalid(format!("'{name}' has no access to case '{case_name}'")));
        }
        if name == self.me.name {
            return Err(Error::Invalid(
                "you cannot revoke your own access; ask another member of the case".into(),
            ));
        }
        let body = NameBody { name: name.to_string() };
        self.append_to_case(&log, &case, vec![(Kind::Revoke, cbor::to_vec(&body))])?;
        self.rotate(Some(case_name), progress)
    }

    pub(super) fn require_case_member(&self, case: &Case) -> Result<()> {
        if !case.names.contains(&self.me.name) {
            return Err(Error::Invalid(format!(
                "you are no longer a member of case '{}'",
                case.name
            )));
        }
        Ok(())
    }

    /// Seals every file of one case (or, with `None`, of the roster and every
    /// case this identity may rotate) anew to its current members.
    pub fn rotate(&mut self, case: Option<&str>, progress: &mut dyn Progress) -> Result<Rotated> {
        let plan = self.plan(case)?;
        self.run_plan(plan, progress, true)
    }

    fn plan(&self, only: Option<&str>) -> Result<Plan> {
        self.require_sound_roster()?;
        let mut plan = Plan::default();
        if only.is_none() {
            plan.logs.push(self.planned_roster());
        }
        let names = match only {
            Some(c) => vec![c.to_string()],
            None => self.case_names(),
        };
        for name in names {
            let case = match self.case(&name) {
                Ok((_, case)) => case,
                // Asked for by name: say what is wrong. Otherwise rotate the
                // rest, and name it.
                Err(e) if only.is_some() => return Err(e),
                Err(_) => {
                    plan.damaged.push(name);
                    continue;
                }
            };
            if !case.names.contains(&self.me.name) {
                if only.is_some() {
                    self.require_case_member(&case)?;
                }
                plan.skipped.push(name);
                continue;
            }
            plan.logs.push(Planned {
                recipients: case.recipients(),
                members: case.members.clone(),
                case: Some(name),
            });
        }
        Ok(plan)
    }

    fn planned_roster(&self) -> Planned {
        Planned {
            case: None,
            recipients: self.roster_recipients(),
            members: self.roster.members.clone(),
        }
    }

    fn run_plan(&mut self, plan: Plan, progress: &mut dyn Progress, mark: bool) -> Result<Rotated> {
        let mut report = Rotated {
            skipped: plan.skipped,
            damaged: plan.damaged,
            ..Rotated::default()
        };
        let mut logs: Vec<(Log, Vec<String>, Planned)> = Vec::new();
        for p in plan.logs {
            let (log, documents) = match &p.case {
                None => (self.load_roster_log()?, Vec::new()),
                Some(c) => {
                    let (log, case) = self.case(c)?;
                    (log, super::document::objects_of(&case))
                }
            };
            logs.push((log, documents, p));
        }
        let total: u64 = logs
            .iter()
            .map(|(l, d, _)| (l.segments.len() + l.heads.len() + d.len()) as u64)
            .sum();
        progress.start(total);
        for (log, documents, p) in logs {
            let Planned {
                case: name,
                recipients,
                members,
            } = p;
            for s in &log.segments {
                self.reseal(Area::Objects, s, &recipients, &log.id)?;
                report.files += 1;
                progress.step();
            }
            // Document content, streamed: a revoked key opens none of it either.
            for o in &documents {
                self.reseal_content(o, &recipients)?;
                report.files += 1;
                progress.step();
            }
            for h in &log.heads {
                self.reseal(Area::Heads, &h.name, &recipients, &super::log::HEADS_PART)?;
                report.files += 1;
                progress.step();
            }
            // One flush of each directory makes every rename above durable
            // before the rotation is recorded as done.
            self.store.sync(Area::Objects)?;
            self.store.sync(Area::Heads)?;
            if mark {
                let body = cbor::to_vec(&RotateBody { members });
                match &name {
                    None => self.append_to_roster(vec![(Kind::Rotate, body)], recipients)?,
                    Some(c) => {
                        let (log, case) = self.case(c)?;
                        self.append_to_case(&log, &case, vec![(Kind::Rotate, body)])?;
                    }
                }
            }
            report.logs.push(name.unwrap_or_else(|| "the roster".into()));
        }
        if mark {
            self.reload()?;
        }
        Ok(report)
    }

    fn load_roster_log(&self) -> Result<Log> {
        let heads = self
            .scan
            .heads
            .iter()
            .filter(|h| h.head.kind == LogKind::Roster)
            .cloned()
            .collect();
        super::log::load(&self.store, &self.identity, heads)
    }

    /// Decrypts one file and replaces it with a fresh encryption to `recipients`.
    /// `part` is the local pack's part the file belongs to: where the pack
    /// vouches for the file's bytes, its plaintext is taken from there, and
    /// the new bytes are vouched for in turn (same plaintext, sealed here).
    fn reseal(&self, area: Area, name: &str, recipients: &[String], part: &LogId) -> Result<()> {
        let Some(bytes) = self.store.read(area, name)? else {
            return Err(Error::integrity(
                format!("{}/{name}", area.dir()),
                "missing; run `dossier verify`",
            ));
        };
        let file = format!("{}/{name}", area.dir());
        let vouched = self
            .pack
            .is_on()
            .then(|| super::pack::hash(&bytes))
            .and_then(|h| self.pack.get(part, &file, &h));
        let packed = vouched.is_some();
        let opened = match vouched {
            Some(p) => seal::Opened::Plain(p),
            None => seal::open(self.identity.age_identity(), &bytes, MAX_OBJECT_PLAINTEXT),
        };
        let plain = match opened {
            seal::Opened::Plain(p) => p,
            seal::Opened::NotForUs => {
                return Err(Error::integrity(
                    format!("{}/{name}", area.dir()),
                    "cannot be opened with this identity, so it cannot be rotated by it",
                ))
            }
            seal::Opened::Damaged(m) => {
                return Err(Error::integrity(
                    format!("{}/{name}", area.dir()),
                    format!("damaged: {m}"),
                ))
            }
        };
        let sealed = seal::seal(recipients, &plain).map_err(Error::Invalid)?;
        self.store.write(area, name, Replace::AtomicallyUnsynced, &sealed)?;
        // Vouched for only if this identity can open the new bytes itself.
        if packed && recipients.contains(&self.identity.recipient()) {
            self.pack.remember(part, &file, super::pack::hash(&sealed), &plain);
        }
        failpoint("rotate-file-written");
        Ok(())
    }

    /// What a member's keys could ever open, from the roster and every case
    /// this identity can read, and what they still open now.
    pub fn exposure(&self, name: &str) -> Result<Exposure> {
        self.require_sound_roster()?;
        let keys: Vec<KeySpan> = self.roster.spans_of(name).cloned().collect();
        if keys.is_empty() {
            return Err(Error::Invalid(format!(
                "no member named '{name}' has ever been on the roster"
            )));
        }
        let ours: Vec<[u8; 32]> = keys.iter().map(|k| k.signing_key).collect();
        let mut opens_now: Vec<(bool, Vec<String>)> = ours
            .iter()
            .map(|k| (self.roster.sealed.contains(k), Vec::new()))
            .collect();
        let mut cases = Vec::new();
        for c in self.case_names() {
            let (log, case) = self.case(&c)?;
            let access: Vec<Access> = case.access.iter().filter(|a| a.name == name).cloned().collect();
            if access.is_empty() {
                continue;
            }
            for (key, opens) in ours.iter().zip(opens_now.iter_mut()) {
                if case.sealed.contains(key) {
                    opens.1.push(c.clone());
                }
            }
            let member_now = case.members.iter().any(|m| m.name == name);
            let readable_now = member_now || case.sealed.iter().any(|k| ours.contains(k));
            // A grant seals the whole history to the grantee, so what they
            // could read is everything before their last access ended: within
            // the case, the entries before the revocation (by the log's links,
            // not by clock); across logs, what was written before the end of
            // their last key (by claimed time).
            let revoked = access
                .last()
                .and_then(|a| a.until.as_ref())
                .map(|(id, _)| log.ancestors(id));
            let key_end = keys.iter().filter_map(|k| k.until.as_ref().map(|u| u.1.clone())).max();
            let key_end = if keys.iter().any(|k| k.until.is_none()) {
                None
            } else {
                key_end
            };
            let readable = |id: &EntryId, time: &str| {
                member_now
                    || (revoked.as_ref().is_none_or(|before| before.contains(id))
                        && key_end.as_ref().is_none_or(|end| time <= end.as_str()))
            };
            let person_names = case_person_names(&case);
            let mut records = Vec::new();
            for r in &case.records {
                let first = &r.versions[0];
                if !readable(&first.entry, &first.time) {
                    continue;
                }
                let mut people = BTreeSet::new();
                for v in r.versions.iter().filter(|v| readable(&v.entry, &v.time)) {
                    if let crate::domain::record::Record::Person(p) = &v.record {
                        people.insert(p.name.clone());
                    }
                    for (_, h) in v.record.person_refs() {
                        people.insert(person_names.get(h).cloned().unwrap_or_else(|| h.to_string()));
                    }
                }
                records.push(ExposedRecord {
                    id: r.id,
                    type_name: r.latest().record.type_name(),
                    time: first.time.clone(),
                    status: r.status(),
                    people: people.into_iter().collect(),
                });
            }
            cases.push(CaseExposure {
                case: c,
                access,
                member_now,
                readable_now,
                records,
            });
        }
        Ok(Exposure {
            member: name.to_string(),
            roster_now: self.roster.sealed.iter().any(|k| ours.contains(k)),
            keys,
            opens_now,
            cases,
        })
    }
}

/// Handles of person records to the names they hold (every version).
fn case_person_names(case: &Case) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    for r in &case.records {
        for v in &r.versions {
            if let crate::domain::record::Record::Person(p) = &v.record {
                if let Some(h) = &p.handle {
                    out.insert(h.clone(), p.name.clone());
                }
            }
        }
    }
    out
}

/// Which logs to rotate.
#[derive(Default)]
struct Plan {
    logs: Vec<Planned>,
    skipped: Vec<String>,
    damaged: Vec<String>,
}

/// One log to rotate: the roster (`case: None`) or a case, and to whom.
struct Planned {
    case: Option<String>,
    recipients: Vec<String>,
    members: Vec<Member>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::identity::Identity;
    use crate::domain::record::Record;
    use crate::format::entry::CaseBody;

    fn note(text: &str) -> Vec<u8> {
        let r: Record = serde_json::from_value(serde_json::json!({"type": "note", "text": text})).unwrap();
        cbor::to_vec(&r)
    }

    /// Alice's vault with bob granted case c1, and bob's identity (a copy, to forge with).
    fn setup(dir: &std::path::Path) -> (Vault, Identity) {
        let alice = Identity::generate();
        let bob = Identity::generate();
        let mut v = Vault::init(&dir.join("v"), alice, "alice").unwrap();
        v.add_member("bob", &bob.recipient(), bob.signing_public(), Role::Member)
            .unwrap();
        v.new_case("c1", None).unwrap();
        v.grant("c1", "bob", &mut Silent).unwrap();
        (v, bob)
    }

    /// Writes an entry signed by `who` onto `log` (as it was), from a device
    /// of its own, claiming a time long past.
    fn forge(v: &Vault, who: &Identity, log: &Log, to: &[String]) {
        write::append_at(
            &v.store,
            who,
            &[7; 16],
            write::Target {
                id: log.id,
                kind: LogKind::Case,
                name: "c1",
                existing: Some(log),
            },
            to,
            vec![(Kind::Record, note("forged"))],
            "2000-01-01T00:00:00Z".into(),
        )
        .unwrap();
    }

    #[test]
    fn a_revoked_member_signs_nothing_after_the_revocation() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, bob) = setup(dir.path());
        v.revoke("c1", "bob", &mut Silent).unwrap();
        let (after, case) = v.case("c1").unwrap();
        assert!(!case.rotation_pending());

        // Appended after the revocation: bob is no longer a member.
        forge(&v, &bob, &after, &case.recipients());
        v.reload().unwrap();
        let err = v
            .case("c1")
            .err()
            .expect("accepted an entry by a revoked member")
            .to_string();
        assert!(
            err.contains("signed by bob, who was not a member of the case then"),
            "{err}"
        );
    }

    #[test]
    fn a_revoked_member_cannot_write_on_a_branch_beside_the_revocation() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, bob) = setup(dir.path());
        let (before, case) = v.case("c1").unwrap();
        v.revoke("c1", "bob", &mut Silent).unwrap();
        // Bob, holding the log as it was before, forks it: his entry's parents
        // predate the revocation, so a linear reading would accept it.
        forge(&v, &bob, &before, &case.recipients());
        v.reload().unwrap();
        let err = v
            .case("c1")
            .err()
            .expect("accepted a branch beside a revocation")
            .to_string();
        assert!(err.contains("beside their revocation"), "{err}");
    }

    #[test]
    fn a_key_replaced_by_an_owner_signs_nothing_in_the_case_after_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, bob) = setup(dir.path());
        // What bob wrote with his old key while it was his stays valid.
        let (log, case) = v.case("c1").unwrap();
        forge(&v, &bob, &log, &case.recipients());
        v.reload().unwrap();
        assert!(v.case("c1").is_ok());
        // His laptop is seized; an owner gives him a new key, which rotates.
        let bob2 = Identity::generate();
        v.rekey_member("bob", &bob2.recipient(), bob2.signing_public(), &mut Silent)
            .unwrap();
        // The seizer signs with the old key, claiming a time long past, on
        // the case as it is now: by time alone the key was valid then.
        let (log, case) = v.case("c1").unwrap();
        forge(&v, &bob, &log, &case.recipients());
        v.reload().unwrap();
        let err = v
            .case("c1")
            .err()
            .expect("accepted an entry by a replaced key")
            .to_string();
        assert!(
            err.contains("replaced or removed key after the case was sealed anew"),
            "{err}"
        );
    }

    #[test]
    fn an_entry_time_that_is_not_rfc3339_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, _) = setup(dir.path());
        let (log, case) = v.case("c1").unwrap();
        write::append_at(
            &v.store,
            &v.identity,
            &[6; 16],
            write::Target {
                id: log.id,
                kind: LogKind::Case,
                name: "c1",
                existing: Some(&log),
            },
            &case.recipients(),
            vec![(Kind::Record, note("when?"))],
            "0".into(),
        )
        .unwrap();
        v.reload().unwrap();
        let err = v.case("c1").err().expect("accepted a time of \"0\"").to_string();
        assert!(err.contains("RFC 3339"), "{err}");
    }

    #[test]
    fn a_planted_damaged_case_does_not_stop_a_removal() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, bob) = setup(dir.path());
        // Bob writes a case in alice's name that fails its checks, hoping to
        // make every command that walks all cases give up.
        let alice = v.me.clone();
        let body = CaseBody {
            name: "zz".into(),
            title: None,
            members: vec![alice.clone()],
        };
        write::append(
            &v.store,
            &bob,
            &[5; 16],
            write::Target {
                id: crate::store::random(),
                kind: LogKind::Case,
                name: "zz",
                existing: None,
            },
            std::slice::from_ref(&alice.recipient),
            vec![(Kind::Case, cbor::to_vec(&body))],
        )
        .unwrap();
        v.reload().unwrap();
        assert!(v.case("zz").is_err());
        let report = v.remove_member("bob", &mut Silent).unwrap();
        assert_eq!(report.damaged, ["zz"]);
        assert!(report.logs.iter().any(|l| l == "c1"), "{:?}", report.logs);
        assert!(v.roster.member("bob").is_none());
    }

    #[test]
    fn a_removed_key_signs_nothing_in_the_roster_after_its_removal() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, bob) = setup(dir.path());
        let before = v.roster_log.tips();
        v.remove_member("bob", &mut Silent).unwrap();
        assert!(!v.roster.rotation_pending());
        assert!(!before.is_empty());
        // Bob signs a roster entry on the log as it was before his removal.
        let m = Member {
            name: "mallory".into(),
            recipient: Identity::generate().recipient(),
            signing_key: ByteArray::new([3; 32]),
            role: Role::Owner,
        };
        let log = v.load_roster_log().unwrap();
        write::append(
            &v.store,
            &bob,
            &[9; 16],
            write::Target {
                id: log.id,
                kind: LogKind::Roster,
                name: "",
                existing: Some(&log),
            },
            &v.roster_recipients(),
            vec![(Kind::MemberAdd, cbor::to_vec(&m))],
        )
        .unwrap();
        let err = v.reload().and_then(|_| v.require_sound_roster()).err();
        let err = err.expect("accepted a roster entry by a removed member").to_string();
        assert!(err.contains("bob, who was not a member of the vault then"), "{err}");
    }

    #[test]
    fn pending_rotation_is_seen_until_rotated() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, _) = setup(dir.path());
        let (log, case) = v.case("c1").unwrap();
        // A revocation written without the rotation that should follow it.
        let body = NameBody { name: "bob".into() };
        v.append_to_case(&log, &case, vec![(Kind::Revoke, cbor::to_vec(&body))])
            .unwrap();
        let (_, case) = v.case("c1").unwrap();
        assert!(case.rotation_pending());
        v.rotate(Some("c1"), &mut Silent).unwrap();
        let (_, case) = v.case("c1").unwrap();
        assert!(!case.rotation_pending());
        assert_eq!(case.rotations.len(), 2, "grant and rotate each leave a rotation entry");
    }

    /// A copy that had not heard of a revocation writes beside it, sealing to
    /// the revoked member; when the branches meet, the rotation that followed
    /// the revocation does not cover that entry, so the rotation is pending.
    #[test]
    fn an_entry_beside_a_rotation_keeps_the_rotation_pending() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, bob) = setup(dir.path());
        let (stale, case) = v.case("c1").unwrap();
        let stale_recipients = case.recipients();
        assert_eq!(stale_recipients.len(), 2);
        v.revoke("c1", "bob", &mut Silent).unwrap();
        let (_, case) = v.case("c1").unwrap();
        assert!(!case.rotation_pending());

        let ids = write::append(
            &v.store,
            &v.identity,
            &[7; 16],
            write::Target {
                id: stale.id,
                kind: LogKind::Case,
                name: "c1",
                existing: Some(&stale),
            },
            &stale_recipients,
            vec![(Kind::Record, note("written on a copy that missed the revocation"))],
        )
        .unwrap();
        v.reload().unwrap();
        let (log, case) = v.case("c1").unwrap();
        let segment = log.entry(&ids[0]).unwrap().segment.clone();
        let file = v.store.path(crate::store::Area::Objects, &segment);
        let opens = |who: &Identity| {
            let bytes = std::fs::read(&file).unwrap();
            matches!(seal::open(who.age_identity(), &bytes, 1 << 20), seal::Opened::Plain(_))
        };
        assert!(opens(&bob), "the premise: the stale copy sealed to bob");
        assert!(
            case.rotation_pending(),
            "a rotation beside the entry was taken to cover it"
        );

        v.rotate(Some("c1"), &mut Silent).unwrap();
        let (_, case) = v.case("c1").unwrap();
        assert!(!case.rotation_pending());
        assert!(!opens(&bob));
    }
}
