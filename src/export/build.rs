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
use super::leak::{self, Checker, Kind};
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

/// A listed person's date, text and tags, redacted.
type Description = (Option<String>, Option<String>, Vec<String>);

/// Shortest single word of a name that is protected on its own.
const MIN_NAME_PART: usize = 3;

/// Text put in place of a word shared by the names of several protected people.
pub const SHARED_NAME: &str = "[name removed]";
const ADDRESS_MASK: &str = "[address removed]";
const CONTACT_MASK: &str = "[contact removed]";

/// Words of the extract's own pseudonyms and masks. A name word among them is
/// not protected on its own (the full name still is): otherwise every
/// "Lawyer B" would trip the leak check of a case whose team has a member
/// called "demo-lawyer".
const PSEUDONYM_WORDS: &[&str] = &[
    "witness",
    "lawyer",
    "family",
    "member",
    "victim",
    "perpetrator",
    "official",
    "person",
    "team",
    "name",
    "removed",
    "address",
    "contact",
    "phone",
    "mail",
    "unknown",
];

/// Everyday English words that are also names ("Priya Date", "Steve Case").
/// Such a word of a protected name is replaced on its own, and counts in the
/// leak check, only where it is written with a capital ("Date said", "DATE"),
/// never in prose ("on that date"), and it is not searched for inside other
/// words. The full name is found whatever its case.
const EVERYDAY_WORDS: &[&str] = &[
    "date",
    "case",
    "may",
    "will",
    "rose",
    "hope",
    "faith",
    "grace",
    "joy",
    "mark",
    "bill",
    "pat",
    "sue",
    "art",
    "guy",
    "ray",
    "dawn",
    "eve",
    "june",
    "april",
    "august",
    "young",
    "white",
    "black",
    "brown",
    "green",
    "gray",
    "grey",
    "long",
    "short",
    "little",
    "king",
    "bishop",
    "mason",
    "baker",
    "cook",
    "hunter",
    "fisher",
    "miller",
    "page",
    "law",
    "bush",
    "wood",
    "hill",
    "field",
    "ford",
    "lane",
    "street",
    "stone",
    "price",
    "bell",
    "hall",
    "walker",
    "rich",
    "love",
    "best",
    "power",
    "summer",
    "winter",
    "day",
    "night",
    "star",
    "story",
    "note",
    "event",
    "house",
    "park",
    "chance",
    "cell",
    "court",
    "judge",
    "guard",
    "major",
    "sharp",
    "strong",
    "wise",
    "good",
    "gold",
    "silver",
    "frost",
    "snow",
    "rain",
    "moon",
    "sun",
    "lamb",
    "fox",
    "wolf",
    "bird",
    "swan",
    "crane",
    "bond",
    "banks",
    "cross",
    "more",
    "van",
    "von",
    "del",
    "den",
    "der",
    "ben",
    "bin",
    "new",
    "roman",
    "times",
    "policy",
    "extract",
    "people",
    "notes",
    "documents",
    "timeline",
    "testimony",
    "place",
    "text",
    "tags",
    "consent",
];

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
        // By record id only: a ref is chosen by the user and may be a name.
        format!("person record {id} ({role})")
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
        for (n, h) in list.iter().enumerate() {
            if by_handle.get(h.as_str()).is_none_or(|&i| persons[i].retracted) {
                // The ref is not echoed: a ref may be a name.
                return Err(format!("{key}: item {} names no person of this case", n + 1));
            }
        }
    }
    for (key, list) in [
        ("documents.include", &policy.documents.include),
        ("records.exclude", &policy.records.exclude),
    ] {
        for id in list {
            if !case.records.iter().any(|r| matches_record(r, std::slice::from_ref(id))) {
                return Err(format!("{key}: no record {id} in this case"));
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
    // Consent: a witness is named only if they agreed to be, in a `named`
    // testimony, and no testimony of theirs is `internal` (for the team's eyes
    // only), unless the policy says, by ref, that it knows better.
    for p in persons.iter().filter(|p| p.revealed && !p.latest.public) {
        let h = p.latest.handle.as_deref().unwrap_or("");
        let consents: Vec<Consent> = case
            .records
            .iter()
            .filter(|r| r.retraction.is_none())
            .filter_map(|r| match &r.latest().record {
                Record::Testimony(t) if t.witness == h => Some(t.consent),
                _ => None,
            })
            .collect();
        let named = consents.contains(&Consent::Named);
        let internal = consents.contains(&Consent::Internal);
        if consents.is_empty() || (named && !internal) || policy.persons.reveal_despite_consent.iter().any(|x| x == h) {
            continue;
        }
        return Err(format!(
            "persons.reveal: person record {} is a witness {}; the extract would name them without their consent \
             (list their ref in [persons] reveal_despite_consent too if they have agreed otherwise)",
            &hex(&p.state.id)[..16],
            if named {
                "with internal testimony"
            } else {
                "with no testimony of consent named"
            }
        ));
    }

    // What is protected, and how text is rewritten. Protected people are the
    // persons (by index) and then the team (by `persons.len()` + index).
    let mut shown_words: HashSet<String> = HashSet::new();
    let mut shown_names: HashSet<Vec<String>> = HashSet::new();
    for p in persons.iter().filter(|p| p.revealed) {
        for n in p.names() {
            shown_words.extend(fold::word_texts(n));
            shown_names.insert(fold::word_texts(n));
        }
    }
    let mut team: Vec<Vec<String>> = Vec::new();
    for n in opts.team.iter().chain(&case.names) {
        let words = fold::word_texts(n);
        if words.concat().len() >= MIN_NAME_PART && !shown_names.contains(&words) && !team.contains(&words) {
            team.push(words);
        }
    }
    let team_base = persons.len();
    let policy_owner = team_base + team.len();
    let mut owners: Vec<String> = persons.iter().map(PersonInfo::describe).collect();
    owners.extend((0..team.len()).map(|k| format!("team member {} of the vault's roster", k + 1)));
    owners.push("the policy's [mask] words".to_string());
    let mut checker = Checker::default();
    let mut matcher = Matcher::default();
    for p in persons.iter().filter(|p| p.revealed) {
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
    for (i, p) in persons.iter().enumerate() {
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
        .map(|(n, p)| Regex::new(p).map_err(|_| format!("mask.patterns: item {} is not a regular expression", n + 1)))
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
    let mut sources = Vec::new();
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
                    content: None,
                });
                sources.push((r.id, d.clone()));
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
    let person_excluded = |p: &PersonInfo| {
        matches_record(p.state, &policy.records.exclude) || policy.records.exclude_types.iter().any(|t| t == "person")
    };
    loop {
        let mut grew = false;
        for (i, p) in persons.iter().enumerate() {
            let listed = (p.revealed && !p.retracted) || used.contains(&i);
            let describe = (p.revealed || policy.persons.describe_hidden) && !person_excluded(p);
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
        if in_list && person_excluded(p) {
            b.report.left_out.push(LeftOut {
                id: hex(&p.state.id)[..16].to_string(),
                r#type: "person",
                reason: "description left out by the policy ([records] exclude or exclude_types); listed by \
                         name or pseudonym only"
                    .into(),
            });
        }
        if in_list {
            included.push(p.state.id);
            b.report.included.push((hex(&p.state.id)[..16].to_string(), "person"));
            let (date, text, tags) = described.remove(&i).unwrap_or_default();
            listed.push(PersonOut {
                id: hex(&p.state.id)[..16].to_string(),
                label: shown,
                named: p.revealed,
                role: p.latest.role.map(|r| vocab_name(&r)),
                date,
                tags,
                text,
            });
        }
    }
    // Team members who appear in some text: "Team member A", in roster order.
    let mut t = 0;
    for k in 0..team.len() {
        let i = team_base + k;
        if used.contains(&i) {
            let l = format!("Team member {}", letters(t));
            t += 1;
            b.report.persons.push(PersonLine {
                id: "(the team)".into(),
                handle: None,
                role: Some("team".into()),
                named: false,
                shown_as: l.clone(),
                why: "a member of the vault's team: never named".into(),
            });
            labels.insert(i, l);
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
        proofs: Vec::new(),
    };
    Ok(Prepared {
        extract,
        report: b.report,
        checker,
        owners,
        included,
        sources,
        contents: Vec::new(),
        sent: Vec::new(),
        content_notes: Vec::new(),
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

/// Words of addresses that are not the street: "vul.", "kv.", "flat", …
const STREET_WORDS: &[&str] = &[
    "vul",
    "ul",
    "ulitsa",
    "vulitsa",
    "vulica",
    "ulica",
    "prospekt",
    "praspekt",
    "prosp",
    "pr",
    "pl",
    "str",
    "strasse",
    "street",
    "st",
    "ave",
    "avenue",
    "road",
    "rd",
    "lane",
    "kv",
    "kvartira",
    "flat",
    "apt",
    "apartment",
    "d",
    "dom",
    "house",
    "bldg",
    "building",
    "korp",
    "korpus",
    "k",
    "office",
    "no",
    "nr",
    "block",
];

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

/// Words of `contact.other` that name a service, not a person.
const SERVICE_WORDS: &[&str] = &[
    "signal",
    "telegram",
    "whatsapp",
    "viber",
    "skype",
    "wire",
    "threema",
    "matrix",
    "element",
    "facebook",
    "fb",
    "instagram",
    "insta",
    "twitter",
    "x",
    "vk",
    "vkontakte",
    "tg",
    "wa",
    "phone",
    "tel",
    "mobile",
    "email",
    "e",
    "mail",
    "via",
    "or",
    "and",
    "on",
    "at",
    "username",
    "user",
    "handle",
    "id",
    "nick",
    "account",
    "also",
    "com",
    "me",
    "t",
    "https",
    "http",
    "www",
];

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
                .filter(|&c| !redact::is_mark(c) && !fold::is_bidi_control(c))
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
            team: Vec::new(),
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

    /// Latin letters written with the Cyrillic letters drawn like them.
    fn homoglyphs(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                'a' => 'а',
                'e' => 'е',
                'o' => 'о',
                'p' => 'р',
                'c' => 'с',
                'y' => 'у',
                'H' => 'Н',
                'K' => 'К',
                'M' => 'М',
                'T' => 'Т',
                'B' => 'В',
                c => c,
            })
            .collect()
    }

    /// Splits a word in the middle with `sep`.
    fn split(w: &str, sep: &str) -> String {
        let chars: Vec<char> = w.chars().collect();
        let (a, b) = chars.split_at(chars.len() / 2);
        format!("{}{sep}{}", a.iter().collect::<String>(), b.iter().collect::<String>())
    }

    /// How a name may be written in text, including the review's disguises.
    fn disguise(name: &str, how: u8) -> String {
        let words: Vec<&str> = name.split(' ').collect();
        match how % 14 {
            0 => name.to_string(),
            1 => name.to_uppercase(),
            2 => format!("{}'s", name),
            3 => format!("({})", words[0]),
            4 => format!("{}, {}", words[1], words[0]),
            5 => format!("{}.", words[1].to_uppercase()),
            6 => homoglyphs(&name.to_uppercase()),
            7 => format!("\u{202E}{}\u{202C}", name.chars().rev().collect::<String>()),
            8 => format!("the {}s' flat", words[1]),
            9 => format!("{} {}", words[0], split(words[1], "-\n")),
            10 => format!("{} {}", split(words[0], "\u{2009}"), split(words[1], "\u{200A}")),
            11 => format!("https://vk.com/{}{}", words[0].chars().next().unwrap_or('x'), words[1]),
            12 => homoglyphs(name),
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
                let words = fold::words(&out);
                // Inside longer words, only in what came from the records: the
                // layout's "anonymized" holds "nymiz".
                let values: Vec<&str> = p.extract.items().into_iter().flat_map(|(_, v)| v).collect();
                let value_words = fold::words(&values.join("\n"));
                for n in [&name, &alias] {
                    for w in fold::word_texts(n) {
                        let mirrored: String = w.chars().rev().collect();
                        // A name's mirror image is looked for in the records' words
                        // only: "deman" backwards is the layout's key "named".
                        prop_assert!(
                            !words.iter().any(|x| x.is(&w))
                                && !value_words.iter().any(|x| x.contains(&w) || x.is(&mirrored)),
                            "'{}' survived in {}", w, out
                        );
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
    fn a_name_planted_in_a_proof_is_caught_by_the_leak_check() {
        use crate::export::proof::{LeafProof, RecordProof};
        let c = case(vec![
            person("w", "Hanna Kavalenka", vec!["Ганна Каваленка".into()]),
            Record::Event(Event {
                handle: None,
                kind: EventKind::Arrest,
                place: None,
                persons: Vec::new(),
                date: None,
                tags: Vec::new(),
                text: Some("Arrested at night.".into()),
            }),
        ]);
        let planted = |leaf: LeafProof| {
            let mut p = prepare(&c, &Policy::default(), opts()).unwrap();
            assert!(p.render(Format::Json).is_ok());
            p.extract.proofs = vec![RecordProof {
                record: hex(&[1; 32])[..16].to_string(),
                r#type: "event".into(),
                proof: "leaves".into(),
                header: "00".into(),
                signature: "00".into(),
                signer: "dossiersig1".into(),
                leaves: vec![leaf],
            }];
            p.render(Format::Json).unwrap_err()
        };
        // In a revealed value and in placeholder text: both are record values.
        // (Digests, salts, headers are base64 dossier writes: layout, like JSON
        // keys, so that a short name cannot trip on random letters in them.)
        let value = |v: &str| LeafProof {
            field: Some("text".into()),
            value: Some(v.into()),
            salt: Some("00".into()),
            ..Default::default()
        };
        assert_eq!(planted(value("Kavalenka")).kind, "part of a name");
        let shown = LeafProof {
            field: Some("text".into()),
            digest: Some("00".into()),
            shown: Some("Ганна Каваленка".into()),
            signed: Some(false),
            ..Default::default()
        };
        assert_eq!(planted(shown).kind, "a name or alias");
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
        assert_eq!(leak.owner, format!("person record {} (witness)", &hex(&[0; 32])[..16]));
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
