//! `verify`: check every file, signature, link and record, and name what fails.
//!
//! A full check needs an identity that can open every file in the vault: a
//! file this identity cannot open might be damaged, or might belong to a case
//! not granted to it, and there is no telling which without the key. So the
//! full check reports such files, and `verify CASE` checks one case (and the
//! roster) for a member who holds only some cases.

use std::collections::HashSet;

use crate::crypto::seal;
use crate::domain::record::Record;
use crate::error::Result;
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
        let mut report = Report {
            logs: Vec::new(),
            files_checked: 0,
            problems: Vec::new(),
        };
        let mut referenced: HashSet<String> = HashSet::new();

        report.problems.extend(self.roster_problems.iter().cloned());
        report.logs.push(("roster".into(), self.roster_log.entries.len()));
        note_files(&self.roster_log, &mut referenced);

        let names = match only {
            Some(n) => {
                if !self.case_names().iter().any(|c| c == n) {
                    return Err(crate::Error::CaseNotFound(n.to_string()));
                }
                vec![n.to_string()]
            }
            None => self.case_names(),
        };
        let groups = self.case_heads();
        for heads in groups.into_values() {
            if !names.contains(&heads[0].head.name) {
                continue;
            }
            let l = log::load(&self.store, &self.identity, heads)?;
            let mut problems = l.problems.clone();
            if let Some(case) = state::case(&l, &self.roster, &mut problems) {
                for r in &case.records {
                    for v in &r.versions {
                        if let Record::Document(d) = &v.record {
                            referenced.insert(format!("objects/{}", d.object));
                        }
                    }
                }
            }
            note_files(&l, &mut referenced);
            report.logs.push((format!("case {}", l.name), l.entries.len()));
            report.problems.extend(problems);
        }

        if only.is_none() {
            // Files this identity cannot open belong to cases not granted to
            // it; their members check them. They are neither problems nor
            // counted, so the report does not tell how many there are.
            report.problems.extend(self.scan.problems.iter().cloned());
            report.files_checked += self.scan.heads.len();
            for name in self.store.list(Area::Objects)? {
                let file = format!("objects/{name}");
                if referenced.contains(&file) {
                    report.files_checked += 1;
                    continue;
                }
                if !is_object_name(&name) {
                    report
                        .problems
                        .push(Problem::file(file, "unexpected file: dossier never writes this name"));
                    continue;
                }
                let Some(bytes) = self.store.read(Area::Objects, &name)? else {
                    continue;
                };
                let message = match seal::open(self.identity.age_identity(), &bytes, MAX_OBJECT_PLAINTEXT) {
                    seal::Opened::Plain(_) => {
                        "unexpected object: no head lists it (copied in, or left by an older copy of the vault)"
                            .to_string()
                    }
                    seal::Opened::NotForUs => continue,
                    seal::Opened::Damaged(m) => format!("damaged: {m}"),
                };
                report.files_checked += 1;
                report.problems.push(Problem::file(file, message));
            }
        } else {
            report.files_checked += referenced.len();
        }
        report
            .problems
            .sort_by(|a, b| (&a.file, &a.message).cmp(&(&b.file, &b.message)));
        report.problems.dedup();
        Ok(report)
    }
}

fn note_files(l: &log::Log, referenced: &mut HashSet<String>) {
    for s in &l.segments {
        referenced.insert(format!("objects/{s}"));
    }
}
