//! Export policies: the default of SPEC §5, tightened or loosened by a TOML file.
//!
//! The file is parsed strictly: an unknown key anywhere is an error, so that a
//! misspelt `[persons] reveall` can never quietly fall back to something the
//! author did not mean. docs/EXPORT.md is the reference;
//! docs/examples/un-submission.toml is a worked example.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::date::PartialDate;

/// A policy as written in TOML. Every table and key is optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    pub persons: Persons,
    #[serde(default)]
    pub fields: Fields,
    #[serde(default)]
    pub dates: Dates,
    #[serde(default)]
    pub places: Places,
    #[serde(default)]
    pub mask: Mask,
    #[serde(default)]
    pub documents: Documents,
    #[serde(default)]
    pub records: Records,
}

/// Who is named.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persons {
    /// Refs of non-public people to name.
    #[serde(default)]
    pub reveal: Vec<String>,
    /// Refs of public people to pseudonymise.
    #[serde(default)]
    pub hide: Vec<String>,
    /// Also export the description (`text`, `date`, `tags`) of pseudonymised people.
    #[serde(default)]
    pub describe_hidden: bool,
}

/// Fields to leave out, or to copy without rewriting.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    /// `type.field` (or `*.field`) to leave out of every record.
    #[serde(default)]
    pub drop: Vec<String>,
    /// `type.field` (or `*.field`) of free text to copy as written, without
    /// replacing names or masking numbers. The leak check still runs, so such
    /// a field can only go out if it names no one protected.
    #[serde(default)]
    pub verbatim: Vec<String>,
}

/// How precise dates are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    #[default]
    Day,
    Month,
    Year,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dates {
    #[serde(default)]
    pub precision: Precision,
}

/// Places replaced by something more general, wherever they appear.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Places {
    #[serde(default)]
    pub generalize: BTreeMap<String, String>,
}

/// More to mask in free text.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mask {
    /// Regular expressions (Rust `regex` syntax); each match becomes `[removed]`.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Words or phrases treated like a protected name: found whatever the
    /// case, diacritics or script, replaced by `[removed]`, and leak-checked.
    #[serde(default)]
    pub words: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Documents {
    /// Ids (8 or more hex digits) of documents to include.
    #[serde(default)]
    pub include: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Records {
    /// Ids (8 or more hex digits) of records to leave out.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Record types to leave out entirely (`note`, `event`, ...).
    #[serde(default)]
    pub exclude_types: Vec<String>,
}

/// The fields a policy may name in `[fields]`, by record type.
pub const FIELDS: &[(&str, &[&str])] = &[
    ("person", &["text", "date", "tags"]),
    (
        "testimony",
        &[
            "acts",
            "perpetrators",
            "location",
            "interviewer",
            "language",
            "date",
            "tags",
            "text",
        ],
    ),
    ("event", &["place", "persons", "date", "tags", "text"]),
    ("note", &["text", "date", "tags"]),
    ("document", &["name", "note", "date", "tags"]),
];

/// Free-text fields, which `verbatim` may name.
const TEXT_FIELDS: &[&str] = &["text", "location", "interviewer", "place", "note", "name"];

const TYPES: &[&str] = &["person", "testimony", "event", "note", "document"];

impl Policy {
    /// Parses a policy file's text; `origin` names it in errors. The error is one line.
    pub fn parse(text: &str, origin: &str) -> Result<Policy, String> {
        let policy: Policy = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!(", line {line}")
                })
                .unwrap_or_default();
            let msg = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
            format!("{origin}{at}: {msg}")
        })?;
        policy.check().map_err(|m| format!("{origin}: {m}"))?;
        Ok(policy)
    }

    fn check(&self) -> Result<(), String> {
        for (key, list) in [
            ("fields.drop", &self.fields.drop),
            ("fields.verbatim", &self.fields.verbatim),
        ] {
            for f in list {
                let (ty, field) = f
                    .split_once('.')
                    .ok_or_else(|| format!("{key}: '{f}' is not TYPE.FIELD (e.g. testimony.location, *.tags)"))?;
                let known = FIELDS
                    .iter()
                    .filter(|(t, _)| ty == "*" || *t == ty)
                    .any(|(_, fs)| fs.contains(&field));
                if !known {
                    return Err(format!("{key}: no field '{f}'; see docs/EXPORT.md for the list"));
                }
                if key == "fields.verbatim" && !TEXT_FIELDS.contains(&field) {
                    return Err(format!("{key}: '{f}' is not a free-text field"));
                }
            }
        }
        for t in &self.records.exclude_types {
            if !TYPES.contains(&t.as_str()) {
                return Err(format!("records.exclude_types: no record type '{t}'"));
            }
        }
        for p in &self.mask.patterns {
            regex::Regex::new(p).map_err(|e| {
                format!(
                    "mask.patterns: '{p}' is not a regular expression ({})",
                    first_line(&e.to_string())
                )
            })?;
        }
        for w in &self.mask.words {
            if crate::export::fold::word_texts(w).is_empty() {
                return Err(format!("mask.words: '{w}' has no letters or digits"));
            }
        }
        for from in self.places.generalize.keys() {
            if crate::export::fold::word_texts(from).is_empty() {
                return Err(format!("places.generalize: '{from}' has no letters or digits"));
            }
        }
        for (key, list) in [
            ("documents.include", &self.documents.include),
            ("records.exclude", &self.records.exclude),
        ] {
            for id in list {
                if id.len() < 8 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(format!("{key}: '{id}' is not a record id (8 or more hex digits)"));
                }
            }
        }
        if let Some(r) = self.persons.reveal.iter().find(|r| self.persons.hide.contains(r)) {
            return Err(format!("persons: '{r}' is both revealed and hidden"));
        }
        Ok(())
    }

    /// Whether `[fields] drop` leaves out this field of this record type.
    pub fn drops(&self, ty: &str, field: &str) -> bool {
        matches_field(&self.fields.drop, ty, field)
    }

    /// Whether `[fields] verbatim` names this field of this record type.
    pub fn verbatim(&self, ty: &str, field: &str) -> bool {
        matches_field(&self.fields.verbatim, ty, field)
    }

    /// A date as the policy lets it out.
    pub fn date(&self, d: &str) -> String {
        match PartialDate::parse(d) {
            Ok(mut p) => {
                match self.dates.precision {
                    Precision::Day => {}
                    Precision::Month => p.day = None,
                    Precision::Year => {
                        p.month = None;
                        p.day = None;
                    }
                }
                p.to_string()
            }
            // Stored dates were checked on entry; anything else is not let out.
            Err(_) => String::new(),
        }
    }
}

fn matches_field(list: &[String], ty: &str, field: &str) -> bool {
    list.iter().any(|f| {
        f.split_once('.')
            .is_some_and(|(t, x)| (t == "*" || t == ty) && x == field)
    })
}

fn first_line(s: &str) -> String {
    s.lines().last().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused_on_one_line() {
        let e = Policy::parse("[persons]\nreveall = [\"w1\"]\n", "p.toml").unwrap_err();
        assert!(e.starts_with("p.toml, line 2: unknown field `reveall`"), "{e}");
        assert!(!e.contains('\n'));
        assert!(Policy::parse("colour = 1", "p.toml").is_err());
        assert!(Policy::parse("[dates]\nprecision = \"week\"", "p.toml").is_err());
        assert!(Policy::parse("[fields]\ndrop = [\"event.colour\"]", "p.toml").is_err());
        assert!(Policy::parse("[fields]\nverbatim = [\"testimony.acts\"]", "p.toml").is_err());
        assert!(Policy::parse("[mask]\npatterns = [\"(\"]", "p.toml").is_err());
        assert!(Policy::parse("[records]\nexclude = [\"xyz\"]", "p.toml").is_err());
        assert!(Policy::parse("[persons]\nreveal=[\"a\"]\nhide=[\"a\"]", "p.toml").is_err());
    }

    #[test]
    fn the_example_policy_parses() {
        let p = Policy::parse(include_str!("../../docs/examples/un-submission.toml"), "example").unwrap();
        assert_eq!(p.dates.precision, Precision::Month);
        assert!(p.drops("testimony", "interviewer"));
        assert!(p.drops("note", "tags"));
    }

    #[test]
    fn dates_are_coarsened() {
        let mut p = Policy::default();
        assert_eq!(p.date("2010-12-19"), "2010-12-19");
        p.dates.precision = Precision::Month;
        assert_eq!(p.date("2010-12-19"), "2010-12");
        assert_eq!(p.date("2010"), "2010");
        p.dates.precision = Precision::Year;
        assert_eq!(p.date("2010-12-19"), "2010");
    }
}
