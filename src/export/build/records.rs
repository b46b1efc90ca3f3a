//! The records that go out, field by field.
//!
//! Person records are not among them (they go out as the list of persons,
//! see [`super::pseudonyms`]). A record is left out, with the reason in the
//! report, when it is retracted, excluded by the policy, `internal`
//! testimony, `anonymized` testimony of a witness the extract names, a note
//! whose text the policy drops, or a document the policy does not name.
//! Every free-text field of what goes out is run through the redactor; a
//! person a field refers to by ref becomes their name if they are named and a
//! marker to be resolved to their pseudonym otherwise.

use crate::domain::record::{vocab_name, Consent, Document, Record};
use crate::format::hex;

use super::super::fold;
use super::super::model::*;
use super::super::policy::Policy;
use super::super::redact::{self, Changes, Redactor};
use super::super::report::{LeftOut, Report, Rewritten};
use super::people::People;
use super::{matches_record, Source};

/// What goes out of the case's records, before pseudonyms are resolved.
#[derive(Default)]
pub(super) struct Selected {
    pub events: Vec<EventOut>,
    pub testimony: Vec<TestimonyOut>,
    pub notes: Vec<NoteOut>,
    pub documents: Vec<DocumentOut>,
    /// The documents that go out, by record id, as recorded.
    pub sources: Vec<([u8; 32], Document)>,
    /// Ids of the records that go out.
    pub included: Vec<[u8; 32]>,
    pub title: Option<String>,
    pub case_name: String,
}

impl Selected {
    /// Every text of what goes out: where the markers of the people it
    /// mentions are.
    pub fn texts(&self) -> Vec<&str> {
        let mut all_text: Vec<&str> = Vec::new();
        for e in &self.events {
            all_text.extend(e.persons.iter().map(String::as_str));
            all_text.extend([&e.place, &e.text].into_iter().flatten().map(String::as_str));
            all_text.extend(e.tags.iter().map(String::as_str));
        }
        for t in &self.testimony {
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
        for n in &self.notes {
            all_text.push(&n.text);
            all_text.extend(n.tags.iter().map(String::as_str));
        }
        for d in &self.documents {
            all_text.extend([&d.name, &d.note].into_iter().flatten().map(String::as_str));
            all_text.extend(d.tags.iter().map(String::as_str));
        }
        all_text
    }
}

/// The text a field shows for a person it refers to by ref.
pub(super) fn person_ref(people: &People, h: &str) -> String {
    match people.get(h) {
        Some(i) if people.list[i].revealed => people.list[i].latest.name.clone(),
        Some(i) => format!("{}{i}{}", redact::MARK_OPEN, redact::MARK_CLOSE),
        None => "[unknown person]".into(),
    }
}

/// Chooses and builds the records that go out, and the case's title and id.
pub(super) fn select(b: &mut Builder, case: &Source, people: &People) -> Selected {
    let policy = b.policy;
    let person_ref = |h: &str| person_ref(people, h);
    let mut out = Selected::default();
    for r in case.records {
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
            leave(b, "retracted".into());
            continue;
        }
        if matches_record(r, &policy.records.exclude) {
            leave(b, "excluded by the policy ([records] exclude)".into());
            continue;
        }
        if policy.records.exclude_types.iter().any(|t| t == ty) {
            leave(b, format!("the policy leaves out every {ty} ([records] exclude_types)"));
            continue;
        }
        b.current = id.clone();
        b.current_type = ty;
        match rec {
            Record::Person(_) => {}
            Record::Testimony(t) => {
                if t.consent == Consent::Internal {
                    leave(b, "consent is internal".into());
                    continue;
                }
                let witness = people.get(&t.witness);
                if t.consent == Consent::Anonymized && witness.is_some_and(|i| people.list[i].revealed) {
                    leave(
                        b,
                        "consent is anonymized, but the witness is named in this extract".into(),
                    );
                    continue;
                }
                out.testimony.push(TestimonyOut {
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
            Record::Event(e) => out.events.push(EventOut {
                id: id.clone(),
                kind: vocab_name(&e.kind),
                date: b.date(&e.date),
                place: b.text("place", &e.place),
                persons: b.keep_list("persons", e.persons.iter().map(|h| person_ref(h)).collect()),
                tags: b.tags(&e.tags),
                text: b.text("text", &e.text),
            }),
            Record::Note(n) => match b.text("text", &Some(n.text.clone())) {
                Some(text) => out.notes.push(NoteOut {
                    id: id.clone(),
                    date: b.date(&n.date),
                    tags: b.tags(&n.tags),
                    text,
                }),
                None => {
                    leave(b, "its text is dropped by the policy".into());
                    continue;
                }
            },
            Record::Document(d) => {
                if !matches_record(r, &policy.documents.include) {
                    leave(b, "documents go out only when the policy names them".into());
                    continue;
                }
                out.documents.push(DocumentOut {
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
                out.sources.push((r.id, d.clone()));
            }
        }
        out.included.push(r.id);
        b.report.included.push((id, ty));
    }

    out.title = case.title.map(|t| b.free(t, "case", "title"));
    out.case_name = b.free(case.name, "case", "id");
    out
}

/// Field-level work on one record at a time, noting what it does in the report.
pub(super) struct Builder<'a> {
    pub policy: &'a Policy,
    pub redactor: &'a Redactor,
    pub report: Report,
    /// The record being built (16 hex digits of its id) and its type.
    pub current: String,
    pub current_type: &'static str,
}

impl Builder<'_> {
    pub fn dropped(&mut self, field: &'static str) -> bool {
        if self.policy.drops(self.current_type, field) {
            self.report
                .dropped
                .push((self.current.clone(), self.current_type, field));
            true
        } else {
            false
        }
    }

    pub fn free(&mut self, s: &str, ty: &'static str, field: &'static str) -> String {
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

    pub fn text(&mut self, field: &'static str, s: &Option<String>) -> Option<String> {
        let s = s.as_ref()?;
        if self.dropped(field) {
            return None;
        }
        let ty = self.current_type;
        Some(self.free(s, ty, field))
    }

    pub fn tags(&mut self, tags: &[String]) -> Vec<String> {
        if tags.is_empty() || self.dropped("tags") {
            return Vec::new();
        }
        let ty = self.current_type;
        tags.iter().map(|t| self.free(t, ty, "tags")).collect()
    }

    pub fn keep_list(&mut self, field: &'static str, v: Vec<String>) -> Vec<String> {
        if v.is_empty() || self.dropped(field) {
            Vec::new()
        } else {
            v
        }
    }

    pub fn date(&mut self, d: &Option<String>) -> Option<String> {
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
