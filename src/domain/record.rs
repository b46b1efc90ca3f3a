//! The typed records of a case (SPEC §4), parsed strictly.
//!
//! The same types are read from the user's JSON and stored as CBOR inside
//! encrypted objects, with the same readable field names, so that a record
//! decoded with any CBOR tool reads like the JSON that was given. Unknown
//! fields and unknown types are refused; vocabularies (roles, consent, acts,
//! event kinds) are closed lists so that a typo is caught at entry, not found
//! years later in an extract.

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::date::PartialDate;

/// One record of a case. The `type` field selects the variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Record {
    Person(Person),
    Testimony(Testimony),
    Event(Event),
    Note(Note),
    Document(Document),
}

/// A person who appears in the case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub public: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// How to reach a person. Never exported.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
}

/// A person's part in the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Victim,
    Witness,
    Lawyer,
    Family,
    Perpetrator,
    Official,
    Other,
}

/// A witness's account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Testimony {
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    pub witness: String,
    #[serde(default)]
    pub consent: Consent,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acts: Vec<Act>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perpetrators: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interviewer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// What the witness agreed to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(rename_all = "kebab-case")]
pub enum Consent {
    #[default]
    Internal,
    Anonymized,
    Named,
}

/// Kinds of abuse a testimony reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(rename_all = "kebab-case")]
pub enum Act {
    Beating,
    ExtremeCold,
    StressPositions,
    SleepDeprivation,
    Threats,
    DenialOfCounsel,
    DenialOfFamilyContact,
    DenialOfMedicalCare,
    ForcedConfession,
    PardonPressure,
    SolitaryConfinement,
    SexualViolence,
    Other,
}

/// Something that happened, on the case's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    pub kind: EventKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Kinds of event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    Arrest,
    Detention,
    Charge,
    Trial,
    Verdict,
    Sentence,
    Transfer,
    VisitDenied,
    PardonPressure,
    Hearing,
    Release,
    Other,
}

/// A free-text note.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// An attached document; made by `attach`, never given as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub name: String,
    pub media_type: String,
    pub size: u64,
    /// `blake3:` and the hex BLAKE3 hash of the content.
    pub hash: String,
    /// The opaque name of the object that holds the content.
    pub object: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// The name a vocabulary value is stored under, e.g. `stress-positions`.
pub fn vocab_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A vocabulary value spelled for people: `stress positions`.
fn spoken<T: Serialize>(value: &T) -> String {
    vocab_name(value).replace('-', " ")
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Longest handle (`ref`) accepted.
pub const MAX_HANDLE_LEN: usize = 64;

impl Record {
    /// The value of the record's `type` field.
    pub fn type_name(&self) -> &'static str {
        match self {
            Record::Person(_) => "person",
            Record::Testimony(_) => "testimony",
            Record::Event(_) => "event",
            Record::Note(_) => "note",
            Record::Document(_) => "document",
        }
    }

    /// The handle this record defines, if any.
    pub fn handle(&self) -> Option<&str> {
        match self {
            Record::Person(p) => p.handle.as_deref(),
            Record::Testimony(t) => t.handle.as_deref(),
            Record::Event(e) => e.handle.as_deref(),
            Record::Note(n) => n.handle.as_deref(),
            Record::Document(_) => None,
        }
    }

    /// The date the record gives, if any.
    pub fn date(&self) -> Option<&str> {
        match self {
            Record::Person(p) => p.date.as_deref(),
            Record::Testimony(t) => t.date.as_deref(),
            Record::Event(e) => e.date.as_deref(),
            Record::Note(n) => n.date.as_deref(),
            Record::Document(d) => d.date.as_deref(),
        }
    }

    fn tags(&self) -> &[String] {
        match self {
            Record::Person(p) => &p.tags,
            Record::Testimony(t) => &t.tags,
            Record::Event(e) => &e.tags,
            Record::Note(n) => &n.tags,
            Record::Document(d) => &d.tags,
        }
    }

    /// Handles of persons this record refers to, with the field that names each.
    pub fn person_refs(&self) -> Vec<(&'static str, &str)> {
        match self {
            Record::Testimony(t) => std::iter::once(("witness", t.witness.as_str()))
                .chain(t.perpetrators.iter().map(|p| ("perpetrators", p.as_str())))
                .collect(),
            Record::Event(e) => e.persons.iter().map(|p| ("persons", p.as_str())).collect(),
            _ => Vec::new(),
        }
    }

    /// Every string the record holds, for search. Field order is stable.
    pub fn strings(&self) -> Vec<&str> {
        fn opt<'a>(o: &'a Option<String>, out: &mut Vec<&'a str>) {
            if let Some(s) = o {
                out.push(s.as_str());
            }
        }
        let mut out: Vec<&str> = Vec::new();
        match self {
            Record::Person(p) => {
                out.push(&p.name);
                out.extend(p.aliases.iter().map(String::as_str));
                if let Some(c) = &p.contact {
                    for f in [&c.phone, &c.email, &c.address, &c.other] {
                        opt(f, &mut out);
                    }
                }
                opt(&p.text, &mut out);
            }
            Record::Testimony(t) => {
                for f in [&t.location, &t.interviewer, &t.language, &t.text] {
                    opt(f, &mut out);
                }
            }
            Record::Event(e) => {
                opt(&e.place, &mut out);
                opt(&e.text, &mut out);
            }
            Record::Note(n) => out.push(&n.text),
            Record::Document(d) => {
                out.push(&d.name);
                out.push(&d.media_type);
                opt(&d.note, &mut out);
            }
        }
        out.extend(self.tags().iter().map(String::as_str));
        out
    }

    /// The vocabulary values the record uses (role, consent, acts, event kind),
    /// spelled for people: `stress positions`, not `stress-positions`.
    pub fn vocabulary(&self) -> Vec<String> {
        match self {
            Record::Person(p) => p.role.iter().map(spoken).collect(),
            Record::Testimony(t) => std::iter::once(spoken(&t.consent))
                .chain(t.acts.iter().map(spoken))
                .collect(),
            Record::Event(e) => vec![spoken(&e.kind)],
            _ => Vec::new(),
        }
    }

    /// Checks what can be checked of one record alone: required fields are not
    /// empty, dates are real dates, handles and tags are well formed.
    pub fn check(&self) -> Result<(), String> {
        if let Some(h) = self.handle() {
            check_handle(h).map_err(|m| format!("ref: {m}"))?;
        }
        if let Some(d) = self.date() {
            PartialDate::parse(d).map_err(|m| format!("date: {m}"))?;
        }
        for tag in self.tags() {
            if tag.trim().is_empty() {
                return Err("tags: a tag is empty".into());
            }
        }
        for (field, r) in self.person_refs() {
            check_handle(r).map_err(|m| format!("{field}: {m}"))?;
        }
        match self {
            Record::Person(p) => {
                if p.name.trim().is_empty() {
                    return Err("name: must not be empty".into());
                }
                if p.aliases.iter().any(|a| a.trim().is_empty()) {
                    return Err("aliases: an alias is empty".into());
                }
            }
            Record::Note(n) if n.text.trim().is_empty() => return Err("text: must not be empty".into()),
            Record::Document(d) if d.name.is_empty() => return Err("name: must not be empty".into()),
            _ => {}
        }
        Ok(())
    }
}

/// A handle is 1 to 64 ASCII letters, digits, `-`, `_` or `.`, starting with a letter or digit.
pub fn check_handle(h: &str) -> Result<(), String> {
    let ok = !h.is_empty()
        && h.len() <= MAX_HANDLE_LEN
        && h.as_bytes()[0].is_ascii_alphanumeric()
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{h}' is not a valid ref: use 1 to {MAX_HANDLE_LEN} letters, digits, '-', '_' or '.'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Record, String> {
        let r: Record = serde_json::from_str(s).map_err(|e| e.to_string())?;
        r.check()?;
        Ok(r)
    }

    #[test]
    fn every_fixture_line_parses() {
        let text = include_str!("../../tests/data/sample-case.jsonl");
        for line in text.lines() {
            parse(line).unwrap();
        }
    }

    #[test]
    fn unknown_fields_and_types_are_refused() {
        assert!(parse(r#"{"type":"note","text":"x","colour":"red"}"#)
            .unwrap_err()
            .contains("colour"));
        assert!(parse(r#"{"type":"memo","text":"x"}"#).unwrap_err().contains("memo"));
        assert!(parse(r#"{"type":"person","name":"A","contact":{"fax":"1"}}"#).is_err());
        assert!(parse(r#"{"type":"testimony","witness":"w","acts":["tickling"]}"#).is_err());
        assert!(parse(r#"{"type":"note","text":"x","date":"2011-02-30"}"#)
            .unwrap_err()
            .contains("date"));
        assert!(parse(r#"{"type":"note","text":"  "}"#).is_err());
        assert!(parse(r#"{"type":"person","name":"A","ref":"has space"}"#).is_err());
    }

    #[test]
    fn cbor_round_trip_keeps_readable_keys() {
        let r =
            parse(r#"{"type":"testimony","witness":"w1","consent":"named","acts":["extreme-cold"],"text":"Холодно"}"#)
                .unwrap();
        let mut bytes = Vec::new();
        ciborium::into_writer(&r, &mut bytes).unwrap();
        let back: Record = ciborium::from_reader(&bytes[..]).unwrap();
        assert_eq!(back, r);
        let text = String::from_utf8_lossy(&bytes);
        for key in ["type", "testimony", "witness", "consent", "extreme-cold"] {
            assert!(text.contains(key), "{key} not readable in CBOR");
        }
    }
}
