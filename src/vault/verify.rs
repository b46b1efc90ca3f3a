//! `verify`: check every file, signature, link and record, and name what fails.
//!
//! `verify` checks what this identity can open: the roster and every case
//! granted to it. A file it cannot open belongs to a case not granted to it
//! (or is a well-formed age file dropped in); it is neither reported nor
//! counted, so the report does not tell a member how many cases they do not
//! hold: those cases' members verify them. A checkpoint token, kept apart
//! from the vault, catches what no signature can: a roll-back to an older,
//! self-consistent copy.

use std::collections::HashSet;

use serde_bytes::{ByteArray, ByteBuf};

use crate::crypto::{seal, sign};
use crate::domain::record::Record;
use crate::error::{Error, Result};
use crate::format::checkpoint::{
    Checkpoint, SignedCheckpoint, CHECKPOINT_SIGNATURE_LABEL, CHECKPOINT_VERSION, MAX_CHECKPOINT_TIPS,
};
use crate::format::segment::Segment;
use crate::format::{cbor, LogId};
use crate::store::{is_object_name, Area};

use super::log::{self, Problem, MAX_OBJECT_PLAINTEXT};
use super::{state, Vault};

/// What `verify` found.
pub struct Report {
    /// What was checked: the roster and each case, with entry counts.
    pub logs: Vec<(String, usize)>,
    pub files_checked: usize,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Vault {
    /// Checks the whole vault, or one case and the roster.
    pub fn verify(&self, only: Option<&str>) -> Result<Report> {
        let (logs, files_checked, tagged) = self.check_logs(only)?;
        let mut problems: Vec<Problem> = tagged.into_iter().map(|(_, p)| p).collect();
        problems.sort_by(|a, b| (&a.file, &a.message).cmp(&(&b.file, &b.message)));
        problems.dedup();
        Ok(Report {
            logs,
            files_checked,
            problems,
        })
    }

    /// Checks the whole vault like [`Vault::verify`], each problem with the
    /// log it belongs to where one is known: `sync` refuses what the remote
    /// brings log by log.
    pub(super) fn verify_by_log(&self) -> Result<Vec<(Option<LogId>, Problem)>> {
        Ok(self.check_logs(None)?.2)
    }

    #[allow(clippy::type_complexity)]
    fn check_logs(&self, only: Option<&str>) -> Result<(Vec<(String, usize)>, usize, Vec<(Option<LogId>, Problem)>)> {
        let mut logs: Vec<(String, usize)> = Vec::new();
        let mut files_checked = 0;
        let mut problems: Vec<(Option<LogId>, Problem)> = Vec::new();
        let mut referenced: HashSet<String> = HashSet::new();

        // Everything here comes from the files, never from the local pack.
        if self.pack.is_on() {
            return Err(crate::Error::Vault(
                "verify reads every file in full: open the vault with Vault::open_unpacked".into(),
            ));
        }
        let roster = Some(self.roster_log.id);
        problems.extend(self.roster_problems.iter().map(|p| (roster, p.clone())));
        logs.push(("roster".into(), self.roster_log.entries.len()));
        note_files(&self.roster_log, &mut referenced);

        let readable = self.case_heads();
        // Cases whose every head this copy saw is gone.
        let vanished: Vec<(Option<LogId>, Problem)> = self
            .findings
            .iter()
            .filter(|f| !readable.contains_key(&f.log) && only.is_none_or(|n| n == f.name))
            .map(|f| (Some(f.log), f.problem.clone()))
            .collect();
        let names = match only {
            Some(n) => {
                if !self.case_names().iter().any(|c| c == n) {
                    if vanished.is_empty() {
                        return Err(crate::Error::CaseNotFound(n.to_string()));
                    }
                    problems.extend(vanished);
                    return Ok((logs, files_checked, problems));
                }
                vec![n.to_string()]
            }
            None => self.case_names(),
        };
        problems.extend(vanished);
        let groups = readable;
        for heads in groups.into_values() {
            if !names.contains(&heads[0].head.name) {
                continue;
            }
            let l = log::load(&self.store, &self.identity, heads)?;
            let mut found = self.marked_problems(&l.id);
            found.extend(l.problems.iter().cloned());
            if let Some(case) = state::case(&l, &self.roster, &mut found) {
                for r in &case.records {
                    for v in &r.versions {
                        if let Record::Document(d) = &v.record {
                            referenced.insert(format!("objects/{}", d.object));
                            found.extend(self.check_document(&r.id, d));
                        }
                    }
                }
            }
            note_files(&l, &mut referenced);
            logs.push((format!("case {}", l.name), l.entries.len()));
            problems.extend(found.into_iter().map(|p| (Some(l.id), p)));
        }

        if only.is_none() {
            // Files this identity cannot open belong to cases not granted to
            // it; their members check them. They are neither problems nor
            // counted, so the report does not tell how many there are.
            problems.extend(self.scan.problems.iter().map(|p| (None, p.clone())));
            files_checked += self.scan.heads.len();
            for name in self.store.list(Area::Objects)? {
                let file = format!("objects/{name}");
                if referenced.contains(&file) {
                    files_checked += 1;
                    continue;
                }
                if !is_object_name(&name) {
                    problems.push((
                        None,
                        Problem::file(file, "unexpected file: dossier never writes this name"),
                    ));
                    continue;
                }
                let Some(bytes) = self.store.read(Area::Objects, &name)? else {
                    continue;
                };
                let (log, message) = match seal::open(self.identity.age_identity(), &bytes, MAX_OBJECT_PLAINTEXT) {
                    seal::Opened::Plain(plain) => {
                        let log = cbor::from_slice::<Segment>(&plain).ok().map(|s| s.log.into_array());
                        let mut named = Vec::new();
                        self.name_damaged_heads(&plain, &mut named);
                        problems.extend(named.into_iter().map(|p| (log, p)));
                        (
                            log,
                            "unexpected object: no head lists it (copied in, or left by an older copy of the vault)"
                                .to_string(),
                        )
                    }
                    seal::Opened::NotForUs => continue,
                    seal::Opened::Damaged(m) => (None, format!("damaged: {m}")),
                };
                files_checked += 1;
                problems.push((log, Problem::file(file, message)));
            }
        } else {
            files_checked += referenced.len();
        }
        Ok((logs, files_checked, problems))
    }
}

fn note_files(l: &log::Log, referenced: &mut HashSet<String>) {
    for s in &l.segments {
        referenced.insert(format!("objects/{s}"));
    }
}

impl Vault {
    /// An object this identity reads but no readable head lists may be
    /// orphaned because its head was damaged: a damaged age header is
    /// indistinguishable from one sealed to someone else. The segment names
    /// its log, and a head's file name follows from the log and the device
    /// that wrote it, so a head at such a name that cannot be opened is named
    /// as damaged. Only logs this identity reads are looked at, so nothing is
    /// said about other cases.
    fn name_damaged_heads(&self, plain: &[u8], problems: &mut Vec<Problem>) {
        let Ok(segment) = cbor::from_slice::<Segment>(plain) else {
            return;
        };
        let mut devices: Vec<[u8; 16]> = self.scan.heads.iter().map(|h| h.head.device.into_array()).collect();
        devices.push(self.device);
        devices.sort();
        devices.dedup();
        for d in devices {
            let name = log::head_name(&segment.log.into_array(), &d);
            if self.scan.unreadable.contains(&name) {
                problems.push(Problem::file(
                    format!("heads/{name}"),
                    "cannot be opened with this identity, yet it is the head of a log this identity reads: damaged or replaced",
                ));
            }
        }
    }

    /// A signed checkpoint of a case's log as it is now, as a token.
    pub fn checkpoint(&self, case_name: &str) -> Result<String> {
        let (log, _) = self.case(case_name)?;
        let seq = log.entries.iter().map(|e| e.header.seq).max().unwrap_or(0);
        // A log forked many ways has many tips; the token keeps the newest
        // few (any one missing later shows a roll-back), so it stays short.
        let mut tips = log.tips();
        tips.sort_by_key(|t| std::cmp::Reverse(log.entry(t).map_or(0, |e| e.header.seq)));
        tips.truncate(MAX_CHECKPOINT_TIPS);
        let c = Checkpoint {
            v: CHECKPOINT_VERSION,
            log: ByteArray::new(log.id),
            seq,
            tips: tips
                .iter()
                .map(|t| {
                    let mut prefix = [0u8; 16];
                    prefix.copy_from_slice(&t[..16]);
                    ByteArray::new(prefix)
                })
                .collect(),
            time: super::now(),
        };
        let bytes = cbor::to_vec(&c);
        let sig = sign::sign(self.identity.signing_key(), CHECKPOINT_SIGNATURE_LABEL, &bytes);
        Ok(SignedCheckpoint {
            checkpoint: ByteBuf::from(bytes),
            sig: ByteArray::new(sig),
        }
        .to_token())
    }

    /// Checks the vault against a checkpoint token: the case it names must be
    /// here and hold every entry the checkpoint saw. Returns the case's name
    /// (if found) and the problems.
    pub fn check_checkpoint(&self, token: &str) -> Result<(Option<String>, Vec<Problem>)> {
        let (signed, c) = SignedCheckpoint::from_token(token).map_err(Error::Invalid)?;
        let signer = self.roster.keys.iter().find(|k| {
            sign::verify(
                &k.signing_key,
                CHECKPOINT_SIGNATURE_LABEL,
                &signed.checkpoint,
                &signed.sig,
            )
        });
        let Some(signer) = signer else {
            return Err(Error::Invalid(
                "this checkpoint is not signed by anyone who was ever a member of this vault".into(),
            ));
        };
        let made = format!("the checkpoint {} made at {}", signer.name, c.time);
        let found = self
            .case_heads()
            .into_values()
            .find(|h| h[0].head.log.into_array() == c.log.into_array());
        let Some(heads) = found else {
            return Ok((
                None,
                vec![Problem {
                    file: None,
                    entry: None,
                    message: format!(
                        "the case of {made} is not in this vault, or not readable with this identity: \
                         deleted, or the vault was rolled back to before it existed"
                    ),
                }],
            ));
        };
        let log = log::load(&self.store, &self.identity, heads)?;
        let mut problems = Vec::new();
        let seq = log.entries.iter().map(|e| e.header.seq).max().unwrap_or(0);
        let missing = c
            .tips
            .iter()
            .filter(|t| !log.entries.iter().any(|e| e.id[..16] == t.as_ref()[..]))
            .count();
        if missing > 0 || seq < c.seq {
            problems.push(Problem {
                file: None,
                entry: None,
                message: format!(
                    "case '{}' is older than {made}: entries it saw are missing (the vault, or this case, \
                     was rolled back to an earlier copy)",
                    log.name
                ),
            });
        }
        Ok((Some(log.name), problems))
    }
}
