//! The extract: what goes out, already redacted, before it is rendered.
//!
//! Every string here has been through the redactor (or is a pseudonym, a
//! public name, or a closed-vocabulary value). The renderers only lay it out.

use serde::Serialize;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::content::{SLOT_CLOSE, SLOT_OPEN};
use super::fold::is_bidi_control;
use super::proof::{LeafProof, RecordProof};
use super::redact::{is_mark, VALUE_CLOSE, VALUE_OPEN};

/// Format name written into JSON extracts.
pub const EXTRACT_FORMAT: &str = "dossier-extract";
/// Version of the JSON extract layout.
pub const EXTRACT_VERSION: u64 = 1;

/// A redacted extract of one case.
#[derive(Clone, Debug, Serialize, Zeroize, ZeroizeOnDrop)]
pub struct Extract {
    #[zeroize(skip)]
    pub format: &'static str,
    pub version: u64,
    /// The case id, redacted like free text.
    pub case: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// When the extract was made (RFC 3339, UTC).
    pub generated: String,
    /// `default`, or `blake3:` and the hash of the policy file.
    pub policy: String,
    pub persons: Vec<PersonOut>,
    pub events: Vec<EventOut>,
    pub testimony: Vec<TestimonyOut>,
    pub notes: Vec<NoteOut>,
    pub documents: Vec<DocumentOut>,
    /// JSON only: what proves each record's words (docs/EXTRACT.md); set
    /// after [`super::build::prepare`] by [`super::Prepared::attach_proofs`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proofs: Vec<RecordProof>,
}

/// A person as the extract shows them: a name if public (or revealed), else a pseudonym.
#[derive(Clone, Debug, Serialize, Zeroize)]
pub struct PersonOut {
    /// The person record's id (hex, first 16 digits).
    pub id: String,
    /// The public name, or the pseudonym (`Witness A`).
    pub label: String,
    /// Whether `label` is the person's real name.
    pub named: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Clone, Debug, Serialize, Zeroize)]
pub struct EventOut {
    /// The record's id (hex, first 16 digits).
    pub id: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Clone, Debug, Serialize, Zeroize)]
pub struct TestimonyOut {
    pub id: String,
    pub witness: String,
    pub consent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub acts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub perpetrators: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interviewer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Clone, Debug, Serialize, Zeroize)]
pub struct NoteOut {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub text: String,
}

/// A document's description, and its content when the policy names it.
#[derive(Clone, Debug, Serialize, Zeroize)]
pub struct DocumentOut {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub media_type: String,
    pub size: u64,
    pub hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The content that goes out (docs/EXPORT.md, "Document content").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<ContentOut>,
}

/// A document's content as it goes out.
#[derive(Clone, Debug, Serialize, Zeroize)]
pub struct ContentOut {
    pub media_type: String,
    /// Bytes sent.
    pub size: u64,
    /// `blake3:` and the hex BLAKE3 hash of the bytes sent.
    pub hash: String,
    /// Whether the bytes sent are the document's content unchanged, so that
    /// they match the record's signed `hash`.
    pub unchanged: bool,
    /// What was stripped from an image (`EXIF`, `XMP`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    /// What the content is checked for, in words.
    pub checked: String,
    /// The bytes, base64 (RFC 4648 §4, with padding). In the extract being
    /// built, a placeholder ([`super::content::placeholder`]).
    pub base64: String,
}

/// A value from the records as it goes out: without bidirectional controls
/// (which can make "aknelavaK annaH" display as "Hanna Kavalenka") or the
/// export's own private marks, between the value marks of the leak check.
fn value(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 6);
    out.push(VALUE_OPEN);
    out.extend(
        s.chars()
            .filter(|&c| !is_mark(c) && !is_bidi_control(c) && c != SLOT_OPEN && c != SLOT_CLOSE),
    );
    out.push(VALUE_CLOSE);
    out
}

fn value_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(value)
}

fn values(v: &[String]) -> Vec<String> {
    v.iter().map(|s| value(s)).collect()
}

impl Extract {
    /// The extract to render: every value taken from the records cleaned and
    /// marked (see [`super::leak::Checker::check_marked`]). Closed-vocabulary
    /// values (kinds, acts, consent, roles), ids and the extract's own
    /// metadata are layout.
    pub fn marked(&self) -> Extract {
        Extract {
            format: self.format,
            version: self.version,
            case: value(&self.case),
            title: value_opt(&self.title),
            generated: self.generated.clone(),
            policy: self.policy.clone(),
            persons: self
                .persons
                .iter()
                .map(|p| PersonOut {
                    id: p.id.clone(),
                    label: value(&p.label),
                    named: p.named,
                    role: p.role.clone(),
                    date: value_opt(&p.date),
                    tags: values(&p.tags),
                    text: value_opt(&p.text),
                })
                .collect(),
            events: self
                .events
                .iter()
                .map(|e| EventOut {
                    id: e.id.clone(),
                    kind: e.kind.clone(),
                    date: value_opt(&e.date),
                    place: value_opt(&e.place),
                    persons: values(&e.persons),
                    tags: values(&e.tags),
                    text: value_opt(&e.text),
                })
                .collect(),
            testimony: self
                .testimony
                .iter()
                .map(|t| TestimonyOut {
                    id: t.id.clone(),
                    witness: value(&t.witness),
                    consent: t.consent.clone(),
                    date: value_opt(&t.date),
                    acts: t.acts.clone(),
                    perpetrators: values(&t.perpetrators),
                    location: value_opt(&t.location),
                    interviewer: value_opt(&t.interviewer),
                    language: value_opt(&t.language),
                    tags: values(&t.tags),
                    text: value_opt(&t.text),
                })
                .collect(),
            notes: self
                .notes
                .iter()
                .map(|n| NoteOut {
                    id: n.id.clone(),
                    date: value_opt(&n.date),
                    tags: values(&n.tags),
                    text: value(&n.text),
                })
                .collect(),
            documents: self
                .documents
                .iter()
                .map(|d| DocumentOut {
                    id: d.id.clone(),
                    name: value_opt(&d.name),
                    media_type: value(&d.media_type),
                    size: d.size,
                    hash: value(&d.hash),
                    date: value_opt(&d.date),
                    tags: values(&d.tags),
                    note: value_opt(&d.note),
                    content: d.content.as_ref().map(|c| ContentOut {
                        hash: value(&c.hash),
                        media_type: value(&c.media_type),
                        ..c.clone()
                    }),
                })
                .collect(),
            proofs: self
                .proofs
                .iter()
                .map(|p| RecordProof {
                    leaves: p
                        .leaves
                        .iter()
                        .map(|l| LeafProof {
                            value: value_opt(&l.value),
                            shown: value_opt(&l.shown),
                            ..l.clone()
                        })
                        .collect(),
                    ..p.clone()
                })
                .collect(),
        }
    }

    /// Each item of the extract with the strings it puts out, for naming the
    /// item a leak is in.
    pub fn items(&self) -> Vec<(String, Vec<&str>)> {
        fn push<'a>(v: &mut Vec<&'a str>, o: &'a Option<String>) {
            if let Some(s) = o {
                v.push(s);
            }
        }
        let mut out = Vec::new();
        let mut head = vec![self.case.as_str()];
        push(&mut head, &self.title);
        out.push(("the extract's title".to_string(), head));
        for p in &self.persons {
            let mut v = vec![p.label.as_str()];
            push(&mut v, &p.text);
            v.extend(p.tags.iter().map(String::as_str));
            out.push((format!("the person listed as '{}'", p.label), v));
        }
        for e in &self.events {
            let mut v: Vec<&str> = e.persons.iter().map(String::as_str).collect();
            push(&mut v, &e.place);
            push(&mut v, &e.text);
            v.extend(e.tags.iter().map(String::as_str));
            out.push((format!("event {}", e.id), v));
        }
        for t in &self.testimony {
            let mut v = vec![t.witness.as_str()];
            v.extend(t.perpetrators.iter().map(String::as_str));
            for f in [&t.location, &t.interviewer, &t.language, &t.text] {
                push(&mut v, f);
            }
            v.extend(t.tags.iter().map(String::as_str));
            out.push((format!("testimony {}", t.id), v));
        }
        for n in &self.notes {
            let mut v = vec![n.text.as_str()];
            v.extend(n.tags.iter().map(String::as_str));
            out.push((format!("note {}", n.id), v));
        }
        for d in &self.documents {
            let mut v = Vec::new();
            push(&mut v, &d.name);
            push(&mut v, &d.note);
            v.extend(d.tags.iter().map(String::as_str));
            out.push((format!("document {}", d.id), v));
        }
        out
    }
}
