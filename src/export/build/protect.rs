//! What is protected, and how text is rewritten.
//!
//! From the people, the case's members and the vault's roster, builds the two
//! halves of the export's one list of protected strings: the [`Matcher`] the
//! redactor rewrites free text with, and the [`Checker`] the rendered bytes
//! must pass. Every form of every protected name, alias and contact goes into
//! both, side by side, so that no form is rewritten that is not also checked.
//!
//! Protected people are numbered: the persons of the case by index, then the
//! team (the roster and the case's members) from `people.list.len()` on.

use std::collections::{BTreeMap, HashSet};

use regex::Regex;

use super::super::fold;
use super::super::leak::{self, Checker, Kind};
use super::super::policy::Policy;
use super::super::redact::{self, Matcher, Redactor, Target};
use super::people::{People, PersonInfo};
use super::words::{EVERYDAY_WORDS, PSEUDONYM_WORDS, SERVICE_WORDS, STREET_WORDS};
use super::{Error, Source, ADDRESS_MASK, CONTACT_MASK, MIN_NAME_PART, SHARED_NAME};

/// What the export protects, and who owns each protected string.
pub(super) struct Protection {
    pub checker: Checker,
    pub redactor: Redactor,
    /// Who owns each protected string, for error messages (no names in them).
    pub owners: Vec<String>,
    /// The team's names (folded words), in roster order; team member `k` is
    /// protected person `team_base + k`.
    pub team: Vec<Vec<String>>,
    pub team_base: usize,
}

/// Builds the protection of `case`: `roster` is every name the vault's
/// roster ever had.
pub(super) fn build(people: &People, case: &Source, roster: &[String], policy: &Policy) -> Result<Protection, Error> {
    let mut shown_words: HashSet<String> = HashSet::new();
    let mut shown_names: HashSet<Vec<String>> = HashSet::new();
    for p in people.list.iter().filter(|p| p.revealed) {
        for n in p.names() {
            shown_words.extend(fold::word_texts(n));
            shown_names.insert(fold::word_texts(n));
        }
    }
    let mut team: Vec<Vec<String>> = Vec::new();
    for n in roster.iter().chain(case.members) {
        let words = fold::word_texts(n);
        if words.concat().len() >= MIN_NAME_PART && !shown_names.contains(&words) && !team.contains(&words) {
            team.push(words);
        }
    }
    let team_base = people.list.len();
    let policy_owner = team_base + team.len();
    let mut owners: Vec<String> = people.list.iter().map(PersonInfo::describe).collect();
    owners.extend((0..team.len()).map(|k| format!("team member {} of the vault's roster", k + 1)));
    owners.push("the policy's [mask] words".to_string());
    let mut checker = Checker::default();
    let mut matcher = Matcher::default();
    for p in people.list.iter().filter(|p| p.revealed) {
        for n in p.names() {
            checker.allow(n);
            matcher.add(n, Target::Keep);
        }
    }
    let mut part_owners: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut protect_name = |i: usize, words: Vec<String>, checker: &mut Checker, matcher: &mut Matcher| {
        protect_name_forms(i, &words, checker, matcher);
        for w in words {
            let digits_only = w.bytes().all(|b| b.is_ascii_digit());
            let label_word = PSEUDONYM_WORDS.contains(&w.as_str());
            if w.len() >= MIN_NAME_PART && !digits_only && !label_word && !shown_words.contains(&w) {
                let o = part_owners.entry(w).or_default();
                if !o.contains(&i) {
                    o.push(i);
                }
            }
        }
    };
    for (i, p) in people.list.iter().enumerate() {
        if !p.revealed {
            for n in p.names() {
                protect_mirrored(i, n, &mut checker, &mut matcher);
                for words in name_variants(n) {
                    if p.retracted && shown_names.contains(&words) {
                        // A withdrawn duplicate of a person who is named (the public
                        // prisoner recorded twice): the name is public, not protected.
                        continue;
                    }
                    protect_name(i, words, &mut checker, &mut matcher);
                }
            }
        }
        for v in p.versions() {
            let Some(c) = &v.contact else { continue };
            if let Some(phone) = &c.phone {
                checker.protect(i, Kind::Phone, phone);
                matcher.add(phone, Target::Text(redact::PHONE_MASK.into()));
            }
            if let Some(email) = &c.email {
                checker.protect(i, Kind::Email, email);
                matcher.add(email, Target::Text(redact::EMAIL_MASK.into()));
                // "hanna.k [at] example [dot] org"
                let spelled = spelled_email(email);
                checker.protect_words(i, Kind::Email, spelled.clone(), None);
                matcher.add_words(spelled, Target::Text(redact::EMAIL_MASK.into()));
            }
            if let Some(a) = &c.address {
                if specific(a) {
                    checker.protect(i, Kind::Address, a);
                    matcher.add(a, Target::Text(ADDRESS_MASK.into()));
                }
                // "Lenina 12" out of "vul. Lenina 12, kv. 34, Minsk".
                for street in street_numbers(a) {
                    let mut rev = street.clone();
                    rev.reverse();
                    for w in [street, rev] {
                        checker.protect_words(i, Kind::Address, w.clone(), None);
                        matcher.add_words(w, Target::Text(ADDRESS_MASK.into()));
                    }
                }
            }
            if let Some(o) = &c.other {
                if specific(o) {
                    checker.protect(i, Kind::Address, o);
                    matcher.add(o, Target::Text(CONTACT_MASK.into()));
                }
                // "@zbrouka" and "sunflower_minsk" out of "Signal: @zbrouka, Telegram sunflower_minsk".
                for h in handles(o) {
                    if h.len() > 1 {
                        checker.protect_words(i, Kind::Handle, vec![h.concat()], None);
                        matcher.add_words(vec![h.concat()], Target::Text(CONTACT_MASK.into()));
                    }
                    checker.protect_words(i, Kind::Handle, h.clone(), None);
                    matcher.add_words(h, Target::Text(CONTACT_MASK.into()));
                }
            }
        }
    }
    for (k, words) in team.iter().enumerate() {
        protect_mirrored(team_base + k, &words.join(" "), &mut checker, &mut matcher);
        protect_name(team_base + k, words.clone(), &mut checker, &mut matcher);
    }
    for (w, o) in part_owners {
        let target = if o.len() == 1 {
            Target::Person(o[0])
        } else {
            Target::Text(SHARED_NAME.into())
        };
        // An everyday word ("Date", "Case") counts alone only with a capital:
        // "on that date" is prose. It is never looked for inside other words.
        let everyday = EVERYDAY_WORDS.contains(&w.as_str());
        // "the Kavalenkas", "Hannas"
        let mut forms = vec![w.clone(), format!("{w}s"), format!("{w}es")];
        if w.len() >= leak::MIN_INNER {
            // Mirrored, as a right-to-left override would show it.
            forms.push(w.chars().rev().collect());
        }
        forms.dedup();
        for f in forms {
            if shown_words.contains(&f) {
                continue;
            }
            checker.protect_pattern(o[0], Kind::NamePart, vec![f.clone()], None, everyday);
            matcher.add_pattern(vec![f], target.clone(), everyday);
        }
        // Not for the team's roster names: those are handles ("admin"), and
        // "Administration" is no member's name.
        let team_word = o.iter().any(|&x| x >= team_base);
        if !everyday && !team_word && w.len() >= leak::MIN_INNER {
            checker.protect_inner(o[0], w.clone());
            matcher.add_inner(w, target);
        }
    }
    for w in &policy.mask.words {
        checker.protect(policy_owner, Kind::PolicyWord, w);
        matcher.add(w, Target::Text(redact::REMOVED.into()));
    }
    for (from, to) in &policy.places.generalize {
        matcher.add(from, Target::Text(to.clone()));
    }
    let patterns = policy
        .mask
        .patterns
        .iter()
        .enumerate()
        // The error names the item, not the pattern: a pattern may hold a name.
        .map(|(n, p)| Regex::new(p).map_err(|_| Error::BadPattern { item: n + 1 }))
        .collect::<Result<Vec<_>, _>>()?;
    let redactor = Redactor { matcher, patterns };

    Ok(Protection {
        checker,
        redactor,
        owners,
        team,
        team_base,
    })
}

/// The forms of one protected name (folded words) that are matched whole:
/// as written, mirrored letter by letter (as a right-to-left override shows
/// it), in reverse order ("Kavalenka, Hanna"), with an initial ("H.
/// Kavalenka") and run together ("#HannaKavalenka").
fn protect_name_forms(i: usize, words: &[String], checker: &mut Checker, matcher: &mut Matcher) {
    let mut forms: Vec<Vec<String>> = vec![words.to_vec()];
    let mirrored: Vec<String> = words.iter().rev().map(|w| w.chars().rev().collect()).collect();
    if words.len() > 1 || words.concat().len() >= leak::MIN_INNER {
        forms.push(mirrored);
    }
    if (2..=3).contains(&words.len()) {
        let mut rev = words.to_vec();
        rev.reverse();
        forms.push(rev);
    }
    let mut seen = HashSet::new();
    for f in forms {
        if seen.insert(f.clone()) {
            checker.protect_words(i, Kind::Name, f.clone(), None);
            matcher.add_words(f, Target::Person(i));
        }
    }
    if words.len() > 1 {
        matcher.add_words(vec![words.concat()], Target::Person(i));
    }
    if (2..=3).contains(&words.len()) {
        let mut initial = words.to_vec();
        initial[0].truncate(1);
        matcher.add_words(initial, Target::Person(i));
    }
}

/// A name written backwards, character by character: a right-to-left
/// override displays "\u{202E}aknelavaK annaH" as "Hanna Kavalenka". (Folding
/// first and reversing after would miss letters that transliterate to two:
/// "ж" is "zh".)
fn protect_mirrored(i: usize, name: &str, checker: &mut Checker, matcher: &mut Matcher) {
    let mirrored = fold::word_texts(&name.chars().rev().collect::<String>());
    if mirrored.len() > 1 || mirrored.concat().len() >= leak::MIN_INNER {
        checker.protect_words(i, Kind::Name, mirrored.clone(), None);
        matcher.add_words(mirrored, Target::Person(i));
    }
}

/// The spellings of a name that are protected: as folded, with German and
/// Scandinavian letters spelled out ("Müller" is also "Mueller", "Ø" "Oe"),
/// and with such spellings folded back ("Mueller" is also "Müller").
fn name_variants(n: &str) -> Vec<Vec<String>> {
    let mut spelled = String::with_capacity(n.len() + 4);
    for c in n.chars() {
        match c {
            'ä' | 'æ' => spelled.push_str("ae"),
            'ö' | 'ø' | 'œ' => spelled.push_str("oe"),
            'ü' => spelled.push_str("ue"),
            'Ä' | 'Æ' => spelled.push_str("Ae"),
            'Ö' | 'Ø' | 'Œ' => spelled.push_str("Oe"),
            'Ü' => spelled.push_str("Ue"),
            'å' => spelled.push_str("aa"),
            'Å' => spelled.push_str("Aa"),
            'ß' => spelled.push_str("ss"),
            _ => spelled.push(c),
        }
    }
    let folded = fold::word_texts(n);
    let back: Vec<String> = folded
        .iter()
        .map(|w| w.replace("ae", "a").replace("oe", "o").replace("ue", "u"))
        .collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for v in [folded, fold::word_texts(&spelled), back] {
        if !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// An e-mail address spelled out: "hanna.k [at] example [dot] org".
fn spelled_email(email: &str) -> Vec<String> {
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    let mut out = fold::word_texts(local);
    for (n, part) in domain.split('.').enumerate() {
        out.push(if n == 0 { "at" } else { "dot" }.to_string());
        out.extend(fold::word_texts(part));
    }
    out
}

/// The street and number of each part of an address that has both: "Lenina
/// 12" out of "vul. Lenina 12, kv. 34, Minsk" (the flat alone, "kv. 34",
/// names nothing).
fn street_numbers(address: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for part in address.split([',', ';', '\n']) {
        let words: Vec<String> = fold::word_texts(part)
            .into_iter()
            .filter(|w| !STREET_WORDS.contains(&w.as_str()))
            .collect();
        let number = words.iter().any(|w| w.bytes().all(|b| b.is_ascii_digit()));
        let street = words
            .iter()
            .any(|w| w.len() >= MIN_NAME_PART && w.bytes().all(|b| b.is_ascii_alphabetic()));
        if number && street && !out.contains(&words) {
            out.push(words);
        }
    }
    out
}

/// The handles in a `contact.other`: "Signal: @zbrouka, Telegram
/// sunflower_minsk" holds "zbrouka" and "sunflower minsk".
fn handles(other: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for token in other.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';')) {
        let words: Vec<String> = fold::word_texts(token)
            .into_iter()
            .filter(|w| !SERVICE_WORDS.contains(&w.as_str()))
            .collect();
        let letters = words.concat();
        let digits_only = letters.bytes().all(|b| b.is_ascii_digit());
        if letters.len() >= MIN_NAME_PART && !digits_only && !out.contains(&words) {
            out.push(words);
        }
    }
    out
}

/// An address or other contact is protected in free text when it is specific
/// enough to find someone: it holds a digit (a house, a flat, a postcode) or
/// three words or more. A bare town name ("Minsk") is not: it is where most
/// events of a case happen, and it identifies no one.
fn specific(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit()) || fold::word_texts(s).len() >= 3
}
