//! Who a log's files may still be sealed to, judged by the log's links.
//!
//! Each write seals its segment to the members its writer knew of; a
//! rotation seals every file the rotating member knew of (its ancestors) to
//! the members named in the `rotate` entry. On a simple chain the last
//! rotation covers everything before it. On a log that forked — two copies
//! written apart and joined — it does not: entries on a branch beside a
//! rotation were never sealed anew, and were sealed to whoever that branch's
//! writer still counted as a member, perhaps someone revoked on the other
//! branch. So the keys that may open some file are gathered from every entry
//! no rotation covers, each with the members its writer could have known.
//! Where that is uncertain (a join of branches) the answer errs towards more
//! keys: a rotation reported pending is merely run again, while a rotation
//! wrongly reported done would leave a revoked key able to read.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use super::log::{Entry, Log};
use super::state::{KeySpan, Roster};

/// How an entry changes who the log's later files are sealed to, by member name.
pub(crate) enum Effect {
    /// Nothing changes.
    Keep,
    /// These members join (a log's first entry, a grant, an addition).
    Adds(Vec<String>),
    /// This member leaves (a revocation, a removal) after this entry.
    Drops(String),
    /// A rotation: this entry and everything before it is sealed to exactly
    /// these members (names and signing keys).
    Rotation(Vec<(String, [u8; 32])>),
}

/// The signing keys some file of `log` may still be sealed to. `effect` says
/// what each entry does; `roster` gives each member's key at a given time.
pub(crate) fn sealed_to(log: &Log, roster: &Roster, effect: impl Fn(&Entry) -> Effect) -> Vec<[u8; 32]> {
    sealed_from(log, roster, effect, None).0
}

/// The member names each tip of a log hands on to the entries written after it.
pub(crate) type Handed = BTreeMap<[u8; 32], BTreeSet<String>>;

/// Where a log resumed from the cache starts: what its cached entries gave.
/// Only for a log whose every new entry descends from every cached tip
/// (`resume` checks it): a rotation among the new entries then covers every
/// cached one, and no new entry changes what a cached one was sealed to.
pub(crate) struct Start {
    /// The keys the cached entries no rotation covers may be sealed to.
    pub keys: Vec<[u8; 32]>,
    /// What each cached tip hands on.
    pub handed: Handed,
}

/// [`sealed_to`], for a whole log (`from` is None) or for the entries
/// written since a cached fold (`from` gives what the cached ones gave);
/// also returns what each tip of the log hands on, for a later resume.
pub(crate) fn sealed_from(
    log: &Log,
    roster: &Roster,
    effect: impl Fn(&Entry) -> Effect,
    from: Option<&Start>,
) -> (Vec<[u8; 32]>, Handed) {
    let effects: Vec<Effect> = log.entries.iter().map(&effect).collect();

    // An entry is covered when a rotation follows it: the rotation sealed it
    // anew. Entries are ordered parents first, so walking backwards sees
    // every child before its parents.
    let mut covered: HashSet<[u8; 32]> = HashSet::new();
    for (e, fx) in log.entries.iter().zip(&effects).rev() {
        if matches!(fx, Effect::Rotation(_)) || covered.contains(&e.id) {
            covered.extend(e.header.parents.iter().map(|p| p.into_array()));
        }
    }

    // The members each entry's writer may have sealed to, and those it hands
    // on to its children.
    type Names = Rc<BTreeSet<String>>;
    let mut after: HashMap<[u8; 32], Names> = HashMap::new();
    if let Some(from) = from {
        for (tip, names) in &from.handed {
            after.insert(*tip, Rc::new(names.clone()));
        }
    }
    let mut keys: BTreeSet<[u8; 32]> = BTreeSet::new();
    // The cached entries' keys stand unless a new rotation covers them all.
    if let Some(from) = from.filter(|_| !effects.iter().any(|fx| matches!(fx, Effect::Rotation(_)))) {
        keys.extend(from.keys.iter().copied());
    }
    let mut spans: HashMap<&str, Vec<&KeySpan>> = HashMap::new();
    for k in &roster.keys {
        spans.entry(k.name.as_str()).or_default().push(k);
    }
    for (e, fx) in log.entries.iter().zip(&effects) {
        let mut seen: Names = Rc::new(BTreeSet::new());
        for p in &e.header.parents {
            if let Some(names) = after.get(&p.into_array()) {
                if seen.is_empty() {
                    seen = names.clone();
                } else if !names.is_subset(&seen) {
                    Rc::make_mut(&mut seen).extend(names.iter().cloned());
                }
            }
        }
        let handed_on: Names = match fx {
            Effect::Keep => seen.clone(),
            Effect::Adds(names) => {
                Rc::make_mut(&mut seen).extend(names.iter().cloned());
                seen.clone()
            }
            Effect::Drops(name) => {
                let mut next = (*seen).clone();
                next.remove(name);
                Rc::new(next)
            }
            Effect::Rotation(members) => Rc::new(members.iter().map(|(n, _)| n.clone()).collect()),
        };
        if !covered.contains(&e.id) {
            match fx {
                Effect::Rotation(members) => keys.extend(members.iter().map(|(_, k)| *k)),
                _ => {
                    for name in seen.iter() {
                        keys.extend(keys_at(spans.get(name.as_str()), &e.header.time));
                    }
                }
            }
        }
        after.insert(e.id, handed_on);
    }
    let handed = log
        .tips()
        .into_iter()
        .map(|t| (t, after.get(&t).map(|n| (**n).clone()).unwrap_or_default()))
        .collect();
    (keys.into_iter().collect(), handed)
}

/// The keys a member (given by their key spans) may have held at `time`:
/// both, in the second of a rekey; every key they ever held if the times say none.
fn keys_at(spans: Option<&Vec<&KeySpan>>, time: &str) -> Vec<[u8; 32]> {
    let spans = spans.map_or(&[][..], |s| s.as_slice());
    if let [only] = spans {
        return vec![only.signing_key];
    }
    let at: Vec<[u8; 32]> = spans
        .iter()
        .filter(|k| k.from.1.as_str() <= time && k.until.as_ref().is_none_or(|u| u.1.as_str() >= time))
        .map(|k| k.signing_key)
        .collect();
    if at.is_empty() {
        spans.iter().map(|k| k.signing_key).collect()
    } else {
        at
    }
}
