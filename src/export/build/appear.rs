//! Which people appear in the extract.
//!
//! A person is listed when they are named, or when some text that goes out
//! mentions them (a marker the redactor left). A listed person's own
//! description (date, text, tags) goes out when they are named or the policy
//! describes hidden people; that text may mention others in turn, so this
//! runs until no one new appears.

use std::collections::{BTreeMap, HashSet};

use crate::format::hex;

use super::super::redact;
use super::people::People;
use super::records::{Builder, Selected};

/// A listed person's date, text and tags, redacted.
pub(super) type Description = (Option<String>, Option<String>, Vec<String>);

/// The protected people (by number) some text of the extract mentions, and
/// the description of each person listed.
pub(super) fn who(
    b: &mut Builder,
    people: &People,
    selected: &Selected,
) -> (HashSet<usize>, BTreeMap<usize, Description>) {
    let policy = b.policy;
    let mut used: HashSet<usize> = selected.texts().iter().flat_map(|s| redact::markers(s)).collect();
    let mut described: BTreeMap<usize, Description> = BTreeMap::new();
    loop {
        let mut grew = false;
        for (i, p) in people.list.iter().enumerate() {
            let listed = (p.revealed && !p.retracted) || used.contains(&i);
            let describe = (p.revealed || policy.persons.describe_hidden) && !p.excluded(policy);
            if !listed || !describe || described.contains_key(&i) {
                continue;
            }
            b.current = hex(&p.state.id)[..16].to_string();
            b.current_type = "person";
            let d = (
                b.date(&p.latest.date),
                b.text("text", &p.latest.text),
                b.tags(&p.latest.tags),
            );
            for s in [&d.1].into_iter().flatten().chain(d.2.iter()) {
                for m in redact::markers(s) {
                    grew |= used.insert(m);
                }
            }
            described.insert(i, d);
        }
        if !grew {
            break;
        }
    }
    (used, described)
}
