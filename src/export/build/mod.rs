//! From a case and a policy to an [`Extract`], a [`Report`] of what was done,
//! and the [`Checker`] that the rendered output must pass.
//!
//! [`prepare`] runs these steps in order, one file each:
//!
//! 1. [`people`]: the case's people, and who is named;
//! 2. [`consent`]: a witness named only with their consent;
//! 3. [`protect`]: every protected string, into the redactor's matcher and
//!    the leak check side by side;
//! 4. [`records`]: the records that go out, each free-text field redacted;
//! 5. [`appear`]: which people the extract mentions;
//! 6. [`pseudonyms`]: who is shown as whom, and every marker resolved.
//!
//! The word lists they decide by are in [`words`].
//!
//! Who is protected is decided once, from every version of every person
//! record — retracted ones too, since a withdrawn witness's name may still sit
//! in another record's text. A person is *named* only if their latest record
//! is current and public (and the policy does not hide them) or the policy
//! reveals them; everyone else is protected, and so are everyone's contacts.

mod appear;
mod consent;
mod people;
mod protect;
mod pseudonyms;
mod records;
mod words;

use crate::domain::case::RecordState;
use crate::format::hex;

use super::leak::Checker;
use super::model::*;
use super::policy::Policy;
use super::report::Report;

pub use pseudonyms::{letters, role_label};

/// What an export reads of a case.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    /// The case id, as the user chose it.
    pub name: &'a str,
    pub title: Option<&'a str>,
    /// The names of the case's members by its own log (a member removed from
    /// the roster is still here): never in an extract.
    pub members: &'a [String],
    /// Every record of the case, retracted ones too.
    pub records: &'a [RecordState],
}

/// Why a policy cannot be applied to a case. Each names the policy key at
/// fault and never a ref or a pattern, which may hold a name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{key}: item {item} names no person of this case")]
    UnknownPerson { key: &'static str, item: usize },
    #[error("{key}: no record {id} in this case")]
    UnknownRecord { key: &'static str, id: String },
    #[error(
        "persons.reveal: person record {record} is a witness {why}; the extract would name them without their \
         consent (list their ref in [persons] reveal_despite_consent too if they have agreed otherwise)"
    )]
    NoConsent { record: String, why: &'static str },
    #[error("mask.patterns: item {item} is not a regular expression")]
    BadPattern { item: usize },
}

/// What an export is made from besides the case and the policy.
pub struct Options {
    /// The time written into the extract.
    pub now: String,
    /// `default`, or `blake3:` and the hash of the policy file.
    pub policy_id: String,
    /// The name of every member the vault's roster ever had. Team members are
    /// never in an extract: their names are protected like a witness's (the
    /// case's own members are added from its log).
    pub team: Vec<String>,
}

/// An extract ready to render, with its report and its leak check.
pub struct Prepared {
    pub extract: Extract,
    pub report: Report,
    pub checker: Checker,
    /// Who owns each protected string, for error messages (no names in them).
    pub owners: Vec<String>,
    /// Ids of the records that go out.
    pub included: Vec<[u8; 32]>,
    /// The documents that go out, by record id, as recorded (to read their content).
    pub sources: Vec<([u8; 32], crate::domain::record::Document)>,
    /// The content of each document that goes out, in the order of
    /// [`ContentOut`] placeholders; see [`Prepared::include_content`].
    pub contents: Vec<zeroize::Zeroizing<Vec<u8>>>,
    /// Per document sent: its record id and the BLAKE3 of the bytes sent.
    pub sent: Vec<super::content::SentDocument>,
    /// What the dry run says of each document's content.
    pub content_notes: Vec<String>,
}

/// Shortest single word of a name that is protected on its own.
const MIN_NAME_PART: usize = 3;

/// Text put in place of a word shared by the names of several protected people.
pub const SHARED_NAME: &str = "[name removed]";
const ADDRESS_MASK: &str = "[address removed]";
const CONTACT_MASK: &str = "[contact removed]";

fn has_prefix(id: &[u8; 32], prefixes: &[String]) -> bool {
    let h = hex(id);
    prefixes.iter().any(|p| h.starts_with(&p.to_ascii_lowercase()))
}

/// Whether a record, by the id of any of its versions, is one the policy lists.
fn matches_record(r: &RecordState, prefixes: &[String]) -> bool {
    has_prefix(&r.id, prefixes) || r.versions.iter().any(|v| has_prefix(&v.entry, prefixes))
}

/// Builds the extract of `case` under `policy`.
pub fn prepare(case: &Source, policy: &Policy, opts: Options) -> Result<Prepared, Error> {
    let people = people::gather(case, policy)?;
    consent::check(&people, case, policy)?;
    let protection = protect::build(&people, case, &opts.team, policy)?;
    let mut b = records::Builder {
        policy,
        redactor: &protection.redactor,
        report: Report::default(),
        current: String::new(),
        current_type: "",
    };
    let mut selected = records::select(&mut b, case, &people);
    let (used, described) = appear::who(&mut b, &people, &selected);
    let persons = pseudonyms::assign(
        &mut b,
        &people,
        &protection.team,
        protection.team_base,
        &used,
        described,
        &mut selected,
    );
    let records::Selected {
        events,
        testimony,
        notes,
        documents,
        sources,
        included,
        title,
        case_name,
    } = selected;
    let extract = Extract {
        format: EXTRACT_FORMAT,
        version: EXTRACT_VERSION,
        case: case_name,
        title,
        generated: opts.now,
        policy: opts.policy_id,
        persons,
        events,
        testimony,
        notes,
        documents,
        proofs: Vec::new(),
    };
    Ok(Prepared {
        extract,
        report: b.report,
        checker: protection.checker,
        owners: protection.owners,
        included,
        sources,
        contents: Vec::new(),
        sent: Vec::new(),
        content_notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
