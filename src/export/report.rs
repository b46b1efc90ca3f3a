//! The redaction report: what an export hides, masks and leaves out, and why.
//!
//! `--dry-run` prints it; a real export summarises it on stderr. It names
//! records by id and people by ref and role, never by name, so that it can be
//! pasted into a ticket or shown on a shared screen.

use serde::Serialize;

use super::redact::Changes;

/// One person record and how the extract shows them.
#[derive(Clone, Debug, Serialize)]
pub struct PersonLine {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Whether the extract shows their real name.
    pub named: bool,
    /// `(their name)`, a pseudonym, or `not in the extract`.
    pub shown_as: String,
    pub why: String,
}

/// A record that does not go out.
#[derive(Clone, Debug, Serialize)]
pub struct LeftOut {
    pub id: String,
    pub r#type: &'static str,
    pub reason: String,
}

/// A field whose text was rewritten.
#[derive(Clone, Debug, Serialize)]
pub struct Rewritten {
    pub id: String,
    pub r#type: &'static str,
    pub field: &'static str,
    #[serde(flatten)]
    pub changes: Changes,
}

impl Serialize for Changes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        for (k, v) in self.parts() {
            m.serialize_entry(k, &v)?;
        }
        m.end()
    }
}

impl Changes {
    fn parts(&self) -> Vec<(&'static str, usize)> {
        [
            ("names", self.names),
            ("phones", self.phones),
            ("emails", self.emails),
            ("masked", self.masked),
            ("places", self.places),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
    }

    /// `2 names, 1 e-mail`.
    pub fn summary(&self) -> String {
        let noun = |k: &str, n: usize| {
            let (one, many) = match k {
                "names" => ("name pseudonymised", "names pseudonymised"),
                "phones" => ("phone number masked", "phone numbers masked"),
                "emails" => ("e-mail address masked", "e-mail addresses masked"),
                "masked" => ("policy mask", "policy masks"),
                _ => ("place generalized", "places generalized"),
            };
            format!("{n} {}", if n == 1 { one } else { many })
        };
        self.parts()
            .into_iter()
            .map(|(k, n)| noun(k, n))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Everything an export did, for `--dry-run`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub persons: Vec<PersonLine>,
    pub included: Vec<(String, &'static str)>,
    pub left_out: Vec<LeftOut>,
    pub rewritten: Vec<Rewritten>,
    /// Record id, type and field left out by `[fields] drop`.
    pub dropped: Vec<(String, &'static str, &'static str)>,
    pub dates_coarsened: usize,
}

impl Report {
    /// The report as lines of text.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.push("people:".to_string());
        for p in &self.persons {
            let who = match &p.handle {
                Some(h) => format!("{h} ({})", p.id),
                None => p.id.clone(),
            };
            let role = p.role.as_deref().unwrap_or("person");
            out.push(format!("  {who:<28} {role:<12} {:<22} {}", p.shown_as, p.why));
        }
        out.push(format!("records going out: {}", self.included.len()));
        if !self.left_out.is_empty() {
            out.push("left out:".to_string());
            for l in &self.left_out {
                out.push(format!("  {}  {:<9}  {}", l.id, l.r#type, l.reason));
            }
        }
        if !self.rewritten.is_empty() {
            out.push("rewritten:".to_string());
            for r in &self.rewritten {
                let id = if r.id == "case" {
                    "case".to_string()
                } else {
                    r.id.clone()
                };
                out.push(format!(
                    "  {id:<16}  {:<9}  {:<11}  {}",
                    r.r#type,
                    r.field,
                    r.changes.summary()
                ));
            }
        }
        if !self.dropped.is_empty() {
            out.push("fields dropped by the policy:".to_string());
            for (id, ty, field) in &self.dropped {
                out.push(format!("  {id}  {ty:<9}  {field}"));
            }
        }
        if self.dates_coarsened > 0 {
            out.push(format!("dates coarsened by the policy: {}", self.dates_coarsened));
        }
        out.push("never exported: contact details (phone, e-mail, address) of anyone".to_string());
        out
    }

    /// One line for stderr after a real export.
    pub fn summary(&self) -> String {
        let named = self.persons.iter().filter(|p| p.named).count();
        let pseudonymised = self
            .persons
            .iter()
            .filter(|p| !p.named && p.shown_as != "not in the extract")
            .count();
        let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        format!(
            "{} out, {} left out; {} named, {pseudonymised} pseudonymised",
            n(self.included.len(), "record", "records"),
            self.left_out.len(),
            n(named, "person", "people"),
        )
    }
}
