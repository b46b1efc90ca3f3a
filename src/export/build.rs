//! From a case and a policy to an [`Extract`], a [`Report`] of what was done,
//! and the [`Checker`] that the rendered output must pass.
//!
//! Who is protected is decided once, here, from every version of every person
//! record — retracted ones too, since a withdrawn witness's name may still sit
//! in another record's text. A person is *named* only if their latest record
//! is current and public (and the policy does not hide them) or the policy
//! reveals them; everyone else is protected, and so are everyone's contacts.

use std::collections::{BTreeMap, HashMap, HashSet};

use regex::Regex;

use crate::domain::date::PartialDate;
use crate::domain::record::{vocab_name, Consent, Person, Record, Role};
use crate::format::hex;
use crate::vault::state::{Case, RecordState};

use super::fold;
use super::leak::{Checker, Kind};
use super::model::*;
use super::policy::Policy;
use super::redact::{self, Changes, Matcher, Redactor, Target};
use super::report::{LeftOut, PersonLine, Report, Rewritten};

/// What an export is made from besides the case and the policy.
pub struct Options {
    /// The time written into the extract.
    pub now: String,
    /// `default`, or `blake3:` and the hash of the policy file.
    pub policy_id: String,
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
}

/// A listed person's date, text and tags, redacted.
type Description = (Option<String>, Option<String>, Vec<String>);

/// Shortest single word of a name that is protected on its own.
const MIN_NAME_PART: usize = 3;

/// Text put in place of a word shared by the names of several protected people.
pub const SHARED_NAME: &str = "[name removed]";
const ADDRESS_MASK: &str = "[address removed]";

struct PersonInfo<'a> {
    state: &'a RecordState,
    latest: &'a Person,
    retracted: bool,
    revealed: bool,
    why: &'static str,
}

impl PersonInfo<'_> {
    fn versions(&self) -> impl Iterator<Item = &Person> {
        self.state.versions.iter().filter_map(|v| match &v.record {
            Record::Person(p) => Some(p),
            _ => None,
        })
    }

    fn names(&self) -> Vec<&str> {
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

    fn describe(&self) -> String {
        let id = &hex(&self.state.id)[..16];
        let role = self
            .latest
            .role
            .map_or_else(|| "person".to_string(), |r| vocab_name(&r));
        match &self.latest.handle {
            Some(h) => format!("person '{h}' ({role}, record {id})"),
            None => format!("person record {id} ({role})"),
        }
    }
}

/// The pseudonym stem for a role.
pub fn role_label(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::Victim) => "Victim",
        Some(Role::Witness) => "Witness",
        Some(Role::Lawyer) => "Lawyer",
        Some(Role::Family) => "Family member",
        Some(Role::Perpetrator) => "Perpetrator",
        Some(Role::Official) => "Official",
        Some(Role::Other) | None => "Person",
    }
}

/// Letters for the n-th pseudonym: A … Z, AA, AB, …
pub fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

fn has_prefix(id: &[u8; 32], prefixes: &[String]) -> bool {
    let h = hex(id);
    prefixes.iter().any(|p| h.starts_with(&p.to_ascii_lowercase()))
}

fn matches_record(r: &RecordState, prefixes: &[String]) -> bool {
    has_prefix(&r.id, prefixes) || r.versions.iter().any(|v| has_prefix(&v.entry, prefixes))
}

/// Builds the extract of `case` under `policy`. Errors are one line, naming
/// the policy key at fault.
pub fn prepare(case: &Case, policy: &Policy, opts: Options) -> Result<Prepared, String> {
    // People, and who is named.
    let mut persons: Vec<PersonInfo> = Vec::new();
    for r in &case.records {
        if let Record::Person(p) = &r.latest().record {
            persons.push(PersonInfo {
                state: r,
                latest: p,
                retracted: r.retraction.is_some(),
                revealed: false,
                why: "",
            });
        }
    }
    let mut by_handle: HashMap<&str, usize> = HashMap::new();
    for (i, p) in persons.iter().enumerate() {
        if let Some(h) = &p.latest.handle {
            if !p.retracted || !by_handle.contains_key(h.as_str()) {
                by_handle.insert(h, i);
            }
        }
    }
    for (key, list) in [
        ("persons.reveal", &policy.persons.reveal),
        ("persons.hide", &policy.persons.hide),
    ] {
        for h in list {
            if by_handle.get(h.as_str()).is_none_or(|&i| persons[i].retracted) {
                return Err(format!("{key}: no person with ref '{h}' in case '{}'", case.name));
            }
        }
    }
    for (key, list) in [
        ("documents.include", &policy.documents.include),
        ("records.exclude", &policy.records.exclude),
    ] {
        for id in list {
            if !case.records.iter().any(|r| matches_record(r, std::slice::from_ref(id))) {
                return Err(format!("{key}: no record {id} in case '{}'", case.name));
            }
        }
    }
    for p in persons.iter_mut() {
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

    // What is protected, and how text is rewritten.
    let policy_owner = persons.len();
    let mut owners: Vec<String> = persons.iter().map(PersonInfo::describe).collect();
    owners.push("the policy's [mask] words".to_string());
    let mut checker = Checker::default();
    let mut matcher = Matcher::default();
    let mut shown_words: HashSet<String> = HashSet::new();
    let mut shown_names: HashSet<Vec<String>> = HashSet::new();
    for p in persons.iter().filter(|p| p.revealed) {
        for n in p.names() {
            shown_words.extend(fold::word_texts(n));
            shown_names.insert(fold::word_texts(n));
            checker.allow(n);
            matcher.add(n, Target::Keep);
        }
    }
    let mut part_owners: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in persons.iter().enumerate() {
        if !p.revealed {
            for n in p.names() {
                let words = fold::word_texts(n);
                if p.retracted && shown_names.contains(&words) {
                    // A withdrawn duplicate of a person who is named (the public
                    // prisoner recorded twice): the name is public, not protected.
                    continue;
                }
                checker.protect_words(i, Kind::Name, words.clone(), None);
                matcher.add_words(words.clone(), Target::Person(i));
                if words.len() > 1 {
                    // Run together: "HannaKavalenka", a user name, a hashtag.
                    matcher.add_words(vec![words.concat()], Target::Person(i));
                }
                if (2..=3).contains(&words.len()) {
                    let mut rev = words.clone();
                    rev.reverse();
                    checker.protect_words(i, Kind::Name, rev.clone(), None);
                    matcher.add_words(rev, Target::Person(i));
                    let mut initial = words.clone();
                    initial[0].truncate(1);
                    matcher.add_words(initial, Target::Person(i));
                }
                for w in words {
                    let digits_only = w.bytes().all(|b| b.is_ascii_digit());
                    if w.len() >= MIN_NAME_PART && !digits_only && !shown_words.contains(&w) {
                        let o = part_owners.entry(w).or_default();
                        if !o.contains(&i) {
                            o.push(i);
                        }
                    }
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
            }
            for a in [&c.address, &c.other].into_iter().flatten() {
                if specific(a) {
                    checker.protect(i, Kind::Address, a);
                    matcher.add(a, Target::Text(ADDRESS_MASK.into()));
                }
            }
        }
    }
    for (w, o) in part_owners {
        checker.protect_words(o[0], Kind::NamePart, vec![w.clone()], None);
        let target = if o.len() == 1 {
            Target::Person(o[0])
        } else {
            Target::Text(SHARED_NAME.into())
        };
        matcher.add_words(vec![w], target);
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
        .map(|p| Regex::new(p).map_err(|e| format!("mask.patterns: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let redactor = Redactor { matcher, patterns };

    let mut b = Builder {
        policy,
        redactor: &redactor,
        report: Report::default(),
        current: String::new(),
        current_type: "",
    };
    let person_ref = |h: &str| -> String {
        match by_handle.get(h) {
            Some(&i) if persons[i].revealed => persons[i].latest.name.clone(),
            Some(&i) => format!("{}{i}{}", redact::MARK_OPEN, redact::MARK_CLOSE),
            None => "[unknown person]".into(),
        }
    };

    // The records.
    let mut events = Vec::new();
    let mut testimony = Vec::new();
    let mut notes = Vec::new();
    let mut documents = Vec::new();
    let mut included = Vec::new();
    for r in &case.records {
        let rec = &r.latest().record;
        let id = hex(&r.id)[..16].to_string();
        let ty = rec.type_name();
        let leave = |b: &mut Builder, why: String| {
            b.report.left_out.push(LeftOut {
                id: id.clone(),
                r#type: ty,
                reason: why,
            })
        };
        if matches!(rec, Record::Person(_)) {
            continue;
        }
        if r.retraction.is_some() {
            leave(&mut b, "retracted".into());
            continue;
        }
        if matches_record(r, &policy.records.exclude) {
            leave(&mut b, "excluded by the policy ([records] exclude)".into());
            continue;
        }
        if policy.records.exclude_types.iter().any(|t| t == ty) {
            leave(
                &mut b,
                format!("the policy leaves out every {ty} ([records] exclude_types)"),
            );
            continue;
        }
        b.current = id.clone();
        b.current_type = ty;
        match rec {
            Record::Person(_) => {}
            Record::Testimony(t) => {
                if t.consent == Consent::Internal {
                    leave(&mut b, "consent is internal".into());
                    continue;
                }
                let witness = by_handle.get(t.witness.as_str()).copied();
                if t.consent == Consent::Anonymized && witness.is_some_and(|i| persons[i].revealed) {
                    leave(
                        &mut b,
                        "consent is anonymized, but the witness is named in this extract".into(),
                    );
                    continue;
                }
                testimony.push(TestimonyOut {
                    id: id.clone(),
                    witness: person_ref(&t.witness),
                    consent: vocab_name(&t.consent),
                    date: b.date(&t.date),
                    acts: b.keep_list("acts", t.acts.iter().map(vocab_name).collect()),
                    perpetrators: b.keep_list("perpetrators", t.perpetrators.iter().map(|h| person_ref(h)).collect()),
                    location: b.text("location", &t.location),
                    interviewer: b.text("interviewer", &t.interviewer),
                    language: b.text("language", &t.language),
                    tags: b.tags(&t.tags),
                    text: b.text("text", &t.text),
                });
            }
            Record::Event(e) => events.push(EventOut {
                id: id.clone(),
                kind: vocab_name(&e.kind),
                date: b.date(&e.date),
                place: b.text("place", &e.place),
                persons: b.keep_list("persons", e.persons.iter().map(|h| person_ref(h)).collect()),
                tags: b.tags(&e.tags),
                text: b.text("text", &e.text),
            }),
            Record::Note(n) => match b.text("text", &Some(n.text.clone())) {
                Some(text) => notes.push(NoteOut {
                    id: id.clone(),
                    date: b.date(&n.date),
                    tags: b.tags(&n.tags),
                    text,
                }),
                None => {
                    leave(&mut b, "its text is dropped by the policy".into());
                    continue;
                }
            },
            Record::Document(d) => {
                if !matches_record(r, &policy.documents.include) {
                    leave(&mut b, "documents go out only when the policy names them".into());
                    continue;
                }
                documents.push(DocumentOut {
                    id: id.clone(),
                    name: b.text("name", &Some(d.name.clone())),
                    media_type: d.media_type.clone(),
                    size: d.size,
                    hash: d.hash.clone(),
                    date: b.date(&d.date),
                    tags: b.tags(&d.tags),
                    note: b.text("note", &d.note),
                });
            }
        }
        included.push(r.id);
        b.report.included.push((id, ty));
    }
    let title = case.title.as_ref().map(|t| b.free(t, "case", "title"));
    let case_name = b.free(&case.name, "case", "id");

    // Which people appear, and their entries in the list of persons.
    let mut all_text: Vec<&str> = Vec::new();
    for e in &events {
        all_text.extend(e.persons.iter().map(String::as_str));
        all_text.extend([&e.place, &e.text].into_iter().flatten().map(String::as_str));
        all_text.extend(e.tags.iter().map(String::as_str));
    }
    for t in &testimony {
        all_text.push(&t.witness);
        all_text.extend(t.perpetrators.iter().map(String::as_str));
        all_text.extend(
            [&t.location, &t.interviewer, &t.language, &t.text]
                .into_iter()
                .flatten()
                .map(String::as_str),
        );
        all_text.extend(t.tags.iter().map(String::as_str));
    }
    for n in &notes {
        all_text.push(&n.text);
        all_text.extend(n.tags.iter().map(String::as_str));
    }
    for d in &documents {
        all_text.extend([&d.name, &d.note].into_iter().flatten().map(String::as_str));
        all_text.extend(d.tags.iter().map(String::as_str));
    }
    all_text.extend(title.iter().map(String::as_str));
    all_text.push(&case_name);
    let mut used: HashSet<usize> = all_text.iter().flat_map(|s| redact::markers(s)).collect();
    let mut described: BTreeMap<usize, Description> = BTreeMap::new();
    loop {
        let mut grew = false;
        for (i, p) in persons.iter().enumerate() {
            let listed = (p.revealed && !p.retracted) || used.contains(&i);
            let describe = p.revealed || policy.persons.describe_hidden;
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

    // Pseudonyms, in the order people were recorded.
    let mut labels: HashMap<usize, String> = HashMap::new();
    let mut listed = Vec::new();
    let mut n = 0;
    for (i, p) in persons.iter().enumerate() {
        let in_list = (p.revealed && !p.retracted) || used.contains(&i);
        let shown = if !in_list {
            "not in the extract".to_string()
        } else if p.revealed {
            p.latest.name.clone()
        } else {
            let l = format!("{} {}", role_label(p.latest.role), letters(n));
            n += 1;
            labels.insert(i, l.clone());
            l
        };
        b.report.persons.push(PersonLine {
            id: hex(&p.state.id)[..16].to_string(),
            handle: p.latest.handle.clone(),
            role: p.latest.role.map(|r| vocab_name(&r)),
            named: in_list && p.revealed,
            shown_as: if p.revealed && in_list {
                "(their name)".into()
            } else {
                shown.clone()
            },
            why: p.why.to_string(),
        });
        if in_list {
            included.push(p.state.id);
            b.report.included.push((hex(&p.state.id)[..16].to_string(), "person"));
            let (date, text, tags) = described.remove(&i).unwrap_or_default();
            listed.push(PersonOut {
                label: shown,
                named: p.revealed,
                role: p.latest.role.map(|r| vocab_name(&r)),
                date,
                tags,
                text,
            });
        }
    }
    let resolve =
        |s: &String| redact::resolve_markers(s, |i| labels.get(&i).cloned().unwrap_or_else(|| SHARED_NAME.into()));
    let res_opt = |s: &Option<String>| s.as_ref().map(resolve);
    let res_vec = |v: &Vec<String>| v.iter().map(resolve).collect::<Vec<_>>();
    for p in &mut listed {
        p.text = res_opt(&p.text);
        p.tags = res_vec(&p.tags);
    }
    for e in &mut events {
        e.persons = res_vec(&e.persons);
        e.place = res_opt(&e.place);
        e.text = res_opt(&e.text);
        e.tags = res_vec(&e.tags);
    }
    for t in &mut testimony {
        t.witness = resolve(&t.witness);
        t.perpetrators = res_vec(&t.perpetrators);
        t.location = res_opt(&t.location);
        t.interviewer = res_opt(&t.interviewer);
        t.language = res_opt(&t.language);
        t.text = res_opt(&t.text);
        t.tags = res_vec(&t.tags);
    }
    for x in &mut notes {
        x.text = resolve(&x.text);
        x.tags = res_vec(&x.tags);
    }
    for d in &mut documents {
        d.name = res_opt(&d.name);
        d.note = res_opt(&d.note);
        d.tags = res_vec(&d.tags);
    }
    events.sort_by_key(|e| date_key(e.date.as_deref()));
    testimony.sort_by_key(|t| date_key(t.date.as_deref()));

    let extract = Extract {
        format: EXTRACT_FORMAT,
        version: EXTRACT_VERSION,
        case: resolve(&case_name),
        title: res_opt(&title),
        generated: opts.now,
        policy: opts.policy_id,
        persons: listed,
        events,
        testimony,
        notes,
        documents,
    };
    Ok(Prepared {
        extract,
        report: b.report,
        checker,
        owners,
        included,
    })
}

/// An address or other contact is protected in free text when it is specific
/// enough to find someone: it holds a digit (a house, a flat, a postcode) or
/// three words or more. A bare town name ("Minsk") is not: it is where most
/// events of a case happen, and it identifies no one.
fn specific(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit()) || fold::word_texts(s).len() >= 3
}

/// Sort key: dated records in date order (a partial date before the days in
/// it), undated ones last.
fn date_key(d: Option<&str>) -> (bool, Option<PartialDate>) {
    let p = d.and_then(|d| PartialDate::parse(d).ok());
    (p.is_none(), p)
}

/// Field-level work on one record at a time, noting what it does in the report.
struct Builder<'a> {
    policy: &'a Policy,
    redactor: &'a Redactor,
    report: Report,
    current: String,
    current_type: &'static str,
}

impl Builder<'_> {
    fn dropped(&mut self, field: &'static str) -> bool {
        if self.policy.drops(self.current_type, field) {
            self.report
                .dropped
                .push((self.current.clone(), self.current_type, field));
            true
        } else {
            false
        }
    }

    fn free(&mut self, s: &str, ty: &'static str, field: &'static str) -> String {
        if self.policy.verbatim(ty, field) {
            return s
                .chars()
                .filter(|&c| c != redact::MARK_OPEN && c != redact::MARK_CLOSE)
                .collect();
        }
        let mut c = Changes::default();
        let out = self.redactor.redact(s, &mut c);
        if c.any() {
            self.report.rewritten.push(Rewritten {
                id: if ty == "case" {
                    "case".into()
                } else {
                    self.current.clone()
                },
                r#type: ty,
                field,
                changes: c,
            });
        }
        out
    }

    fn text(&mut self, field: &'static str, s: &Option<String>) -> Option<String> {
        let s = s.as_ref()?;
        if self.dropped(field) {
            return None;
        }
        let ty = self.current_type;
        Some(self.free(s, ty, field))
    }

    fn tags(&mut self, tags: &[String]) -> Vec<String> {
        if tags.is_empty() || self.dropped("tags") {
            return Vec::new();
        }
        let ty = self.current_type;
        tags.iter().map(|t| self.free(t, ty, "tags")).collect()
    }

    fn keep_list(&mut self, field: &'static str, v: Vec<String>) -> Vec<String> {
        if v.is_empty() || self.dropped(field) {
            Vec::new()
        } else {
            v
        }
    }

    fn date(&mut self, d: &Option<String>) -> Option<String> {
        let d = d.as_ref()?;
        if self.dropped("date") {
            return None;
        }
        let out = self.policy.date(d);
        if out != *d {
            self.report.dates_coarsened += 1;
        }
        (!out.is_empty()).then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::{Event, EventKind, Testimony};
    use crate::export::Format;
    use crate::vault::state::Version;
    use proptest::prelude::*;

    fn state(n: u8, record: Record) -> RecordState {
        RecordState {
            id: [n; 32],
            versions: vec![Version {
                entry: [n; 32],
                record,
                time: "2026-01-01T00:00:00Z".into(),
                author: [0; 32],
            }],
            retraction: None,
        }
    }

    fn person(handle: &str, name: &str, aliases: Vec<String>) -> Record {
        Record::Person(Person {
            handle: Some(handle.into()),
            name: name.into(),
            aliases,
            role: Some(Role::Witness),
            public: false,
            contact: None,
            date: None,
            tags: Vec::new(),
            text: None,
        })
    }

    fn case(records: Vec<Record>) -> Case {
        Case {
            name: "c".into(),
            title: None,
            created: String::new(),
            members: Vec::new(),
            names: Vec::new(),
            access: Vec::new(),
            rotations: Vec::new(),
            sealed: Vec::new(),
            records: records
                .into_iter()
                .enumerate()
                .map(|(i, r)| state(i as u8, r))
                .collect(),
            by_entry: HashMap::new(),
            exports: Vec::new(),
        }
    }

    fn opts() -> Options {
        Options {
            now: "2026-01-01T00:00:00Z".into(),
            policy_id: "default".into(),
        }
    }

    /// A name word: Latin with diacritics or Cyrillic, 5 to 7 letters.
    fn name_word() -> impl Strategy<Value = String> {
        prop_oneof![
            "[bcdfghklmnprstvzłżšč][aeiouąęóy][bcdfghklmnprstvzłżš]{1,2}[aeiouy][kvnz]",
            "[бвгдклмнпрстз][аеиоуя][бвгдклмнпрстз]{1,2}[аеоу][кнвз]",
        ]
    }

    fn name() -> impl Strategy<Value = String> {
        (name_word(), name_word()).prop_map(|(a, b)| format!("{a} {b}"))
    }

    /// How a name may be written in text.
    fn disguise(name: &str, how: u8) -> String {
        let words: Vec<&str> = name.split(' ').collect();
        match how % 7 {
            0 => name.to_string(),
            1 => name.to_uppercase(),
            2 => format!("{}'s", name),
            3 => format!("({})", words[0]),
            4 => format!("{}, {}", words[1], words[0]),
            5 => format!("{}.", words[1].to_uppercase()),
            _ => name.to_lowercase(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn random_names_and_aliases_never_survive(
            name in name(),
            alias in name(),
            filler in proptest::collection::vec("[a-z]{2,9}", 1..12),
            slots in proptest::collection::vec((any::<u8>(), any::<bool>(), any::<usize>()), 1..6),
        ) {
            let mut words: Vec<String> = filler;
            for (how, use_alias, at) in slots {
                let n = if use_alias { &alias } else { &name };
                let at = at % (words.len() + 1);
                words.insert(at, disguise(n, how));
            }
            let text = words.join(" ");
            let c = case(vec![
                person("w", &name, vec![alias.clone()]),
                Record::Testimony(Testimony {
                    handle: None, witness: "w".into(), consent: Consent::Anonymized, acts: Vec::new(),
                    perpetrators: Vec::new(), location: None, interviewer: None, language: None,
                    date: None, tags: Vec::new(), text: Some(text.clone()),
                }),
                Record::Event(Event {
                    handle: None, kind: EventKind::Arrest, place: Some(text.clone()), persons: vec!["w".into()],
                    date: None, tags: Vec::new(), text: Some(text),
                }),
            ]);
            let p = prepare(&c, &Policy::default(), opts()).unwrap();
            for f in Format::ALL {
                let out = p.render(f).map_err(|l| TestCaseError::fail(l.to_string()))?;
                let out = String::from_utf8(out).unwrap();
                let hay = format!(" {} ", fold::folded(&out));
                for n in [&name, &alias] {
                    for w in fold::word_texts(n) {
                        prop_assert!(!hay.contains(&format!(" {w} ")), "'{}' survived in {}", w, out);
                    }
                }
            }
        }
    }

    #[test]
    fn a_retracted_duplicate_of_a_public_person_does_not_block_the_export() {
        let mut public = person("p", "Mikalai Statkevich", Vec::new());
        if let Record::Person(p) = &mut public {
            p.public = true;
        }
        let mut c = case(vec![
            person("p", "Mikalai Statkevich", vec!["Hanna Kavalenka".into()]),
            public,
            Record::Event(Event {
                handle: None,
                kind: EventKind::Arrest,
                place: None,
                persons: vec!["p".into()],
                date: None,
                tags: Vec::new(),
                text: Some("Mikalai Statkevich and Hanna Kavalenka were arrested.".into()),
            }),
        ]);
        c.records[0].retraction = Some(crate::vault::state::Retraction {
            entry: [9; 32],
            reason: "duplicate".into(),
            time: String::new(),
            author: [0; 32],
        });
        let p = prepare(&c, &Policy::default(), opts()).unwrap();
        let out = String::from_utf8(p.render(Format::Markdown).unwrap()).unwrap();
        assert!(out.contains("Mikalai Statkevich and Witness A were arrested."), "{out}");
    }

    #[test]
    fn a_weakened_policy_is_caught_by_the_leak_check() {
        let c = case(vec![
            person("w", "Hanna Kavalenka", vec!["Ганна Каваленка".into()]),
            Record::Event(Event {
                handle: None,
                kind: EventKind::Arrest,
                place: None,
                persons: Vec::new(),
                date: None,
                tags: Vec::new(),
                text: Some("Ганна Каваленка was arrested.".into()),
            }),
        ]);
        let mut policy = Policy::default();
        assert!(prepare(&c, &policy, opts()).unwrap().render(Format::Html).is_ok());
        policy.fields.verbatim = vec!["event.text".into()];
        let leak = prepare(&c, &policy, opts()).unwrap().render(Format::Html).unwrap_err();
        assert_eq!(
            leak.owner,
            format!("person 'w' (witness, record {})", &hex(&[0; 32])[..16])
        );
        assert_eq!(leak.item, format!("event {}", &hex(&[1; 32])[..16]));
        assert_eq!(leak.kind, "a name or alias");
    }

    #[test]
    fn letters_run_past_z() {
        assert_eq!(letters(0), "A");
        assert_eq!(letters(25), "Z");
        assert_eq!(letters(26), "AA");
        assert_eq!(letters(27), "AB");
        assert_eq!(letters(26 + 26 * 26), "AAA");
    }
}
