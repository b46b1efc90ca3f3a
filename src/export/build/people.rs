//! The people of a case, and who is named.
//!
//! Every person record is gathered once, with every version of it — retracted
//! ones too, since a withdrawn witness's name may still sit in another
//! record's text. A person is *named* only if their latest record is current
//! and public (and the policy does not hide them) or the policy reveals them.

use std::collections::HashMap;

use crate::domain::case::RecordState;
use crate::domain::record::{vocab_name, Person, Record};
use crate::format::hex;

use super::super::policy::Policy;
use super::{matches_record, Error, Source};

/// One person of the case as the export sees them.
pub(super) struct PersonInfo<'a> {
    pub state: &'a RecordState,
    pub latest: &'a Person,
    pub retracted: bool,
    pub revealed: bool,
    /// Why they are named or not, for the dry run.
    pub why: &'static str,
}

impl PersonInfo<'_> {
    pub fn versions(&self) -> impl Iterator<Item = &Person> {
        self.state.versions.iter().filter_map(|v| match &v.record {
            Record::Person(p) => Some(p),
            _ => None,
        })
    }

    /// Every name and alias any version gave, each once.
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in self.versions() {
            for n in std::iter::once(&p.name).chain(&p.aliases) {
                if !out.contains(&n.as_str()) {
                    out.push(n);
                }
            }
        }
        out
    }

    /// The person by record id and role, for messages: never by ref, which
    /// is chosen by the user and may be a name.
    pub fn describe(&self) -> String {
        let id = &hex(&self.state.id)[..16];
        let role = self
            .latest
            .role
            .map_or_else(|| "person".to_string(), |r| vocab_name(&r));
        format!("person record {id} ({role})")
    }

    /// Whether the policy leaves this person's description out.
    pub fn excluded(&self, policy: &Policy) -> bool {
        matches_record(self.state, &policy.records.exclude)
            || policy.records.exclude_types.iter().any(|t| t == "person")
    }
}

/// The people of a case, in the order they were recorded, and their refs.
pub(super) struct People<'a> {
    pub list: Vec<PersonInfo<'a>>,
    /// Each ref to the person it names (a current record wins over a retracted one).
    pub by_handle: HashMap<&'a str, usize>,
}

impl People<'_> {
    /// The person a ref names, if any.
    pub fn get(&self, handle: &str) -> Option<usize> {
        self.by_handle.get(handle).copied()
    }
}

/// Gathers the people of `case` and decides who is named under `policy`.
/// Every ref and record id the policy lists must exist in the case.
pub(super) fn gather<'a>(case: &Source<'a>, policy: &Policy) -> Result<People<'a>, Error> {
    let mut list: Vec<PersonInfo> = Vec::new();
    for r in case.records {
        if let Record::Person(p) = &r.latest().record {
            list.push(PersonInfo {
                state: r,
                latest: p,
                retracted: r.retraction.is_some(),
                revealed: false,
                why: "",
            });
        }
    }
    let mut by_handle: HashMap<&str, usize> = HashMap::new();
    for (i, p) in list.iter().enumerate() {
        if let Some(h) = &p.latest.handle {
            if !p.retracted || !by_handle.contains_key(h.as_str()) {
                by_handle.insert(h, i);
            }
        }
    }
    for (key, refs) in [
        ("persons.reveal", &policy.persons.reveal),
        ("persons.hide", &policy.persons.hide),
    ] {
        for (n, h) in refs.iter().enumerate() {
            if by_handle.get(h.as_str()).is_none_or(|&i| list[i].retracted) {
                // The ref is not echoed: a ref may be a name.
                return Err(Error::UnknownPerson { key, item: n + 1 });
            }
        }
    }
    for (key, ids) in [
        ("documents.include", &policy.documents.include),
        ("records.exclude", &policy.records.exclude),
    ] {
        for id in ids {
            if !case.records.iter().any(|r| matches_record(r, std::slice::from_ref(id))) {
                return Err(Error::UnknownRecord { key, id: id.clone() });
            }
        }
    }
    for p in list.iter_mut() {
        let h = p.latest.handle.as_deref().unwrap_or("");
        let hidden = policy.persons.hide.iter().any(|x| x == h);
        let revealed = policy.persons.reveal.iter().any(|x| x == h);
        (p.revealed, p.why) = if p.retracted {
            (false, "its record is retracted")
        } else if p.latest.public && hidden {
            (false, "public, but the policy hides them")
        } else if p.latest.public {
            (true, "public")
        } else if revealed {
            (true, "revealed by the policy")
        } else {
            (false, "not public")
        };
    }
    Ok(People { list, by_handle })
}
