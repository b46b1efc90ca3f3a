//! Guided entry: `dossier add CASE TYPE` on a terminal asks for each field.
//!
//! Prompts and answers go through the terminal on stderr (dialoguer), so stdout
//! still carries only the new record's id. Nothing typed touches the disk:
//! multi-line text is typed in place, line by line, ended by a line holding
//! only `.`; no editor is started and no temporary file is written. The answers
//! become the JSON a `--from` file would hold and go through the same parser and
//! checks, so a guided record is exactly as valid as any other.
//!
//! Vocabularies (roles, consent, acts, event kinds) are offered as choices; the
//! people a testimony or an event refers to are picked from the case's people.

use dialoguer::console::Term;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, MultiSelect, Select};
use dossier::domain::date::PartialDate;
use dossier::{Error, Result};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// The record types a person enters (documents come from `attach`).
pub const TYPES: &[&str] = &["person", "testimony", "event", "note"];
pub const ROLES: &[&str] = &[
    "victim",
    "witness",
    "lawyer",
    "family",
    "perpetrator",
    "official",
    "other",
];
pub const CONSENT: &[&str] = &["internal", "anonymized", "named"];
pub const ACTS: &[&str] = &[
    "beating",
    "extreme-cold",
    "stress-positions",
    "sleep-deprivation",
    "threats",
    "denial-of-counsel",
    "denial-of-family-contact",
    "denial-of-medical-care",
    "forced-confession",
    "pardon-pressure",
    "solitary-confinement",
    "sexual-violence",
    "other",
];
pub const EVENT_KINDS: &[&str] = &[
    "arrest",
    "detention",
    "charge",
    "trial",
    "verdict",
    "sentence",
    "transfer",
    "visit-denied",
    "pardon-pressure",
    "hearing",
    "release",
    "other",
];

/// A person of the case that records can refer to: their `ref` and name.
pub struct Person {
    pub handle: String,
    pub name: String,
}

fn interrupted(e: dialoguer::Error) -> Error {
    Error::Invalid(format!("the questions stopped ({e}); nothing was written"))
}

fn tty(e: std::io::Error) -> Error {
    Error::Io {
        path: "the terminal".into(),
        source: e,
    }
}

struct Asker {
    term: Term,
    theme: ColorfulTheme,
}

impl Asker {
    fn text(&self, prompt: &str, required: bool) -> Result<Option<String>> {
        let answer: String = Input::with_theme(&self.theme)
            .with_prompt(prompt)
            .allow_empty(!required)
            .interact_text_on(&self.term)
            .map_err(interrupted)?;
        let answer = answer.trim().to_string();
        Ok((!answer.is_empty()).then_some(answer))
    }

    fn date(&self) -> Result<Option<String>> {
        let answer: String = Input::with_theme(&self.theme)
            .with_prompt("date (2010, 2010-12 or 2010-12-19; empty if unknown)")
            .allow_empty(true)
            .validate_with(|s: &String| -> std::result::Result<(), String> {
                if s.trim().is_empty() {
                    Ok(())
                } else {
                    PartialDate::parse(s.trim()).map(|_| ())
                }
            })
            .interact_text_on(&self.term)
            .map_err(interrupted)?;
        Ok((!answer.trim().is_empty()).then(|| answer.trim().to_string()))
    }

    fn choose(&self, prompt: &str, items: &[&str], default: usize) -> Result<usize> {
        Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .interact_on(&self.term)
            .map_err(interrupted)
    }

    fn choose_many(&self, prompt: &str, items: &[String]) -> Result<Vec<usize>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        MultiSelect::with_theme(&self.theme)
            .with_prompt(format!("{prompt} (space to mark, enter when done)"))
            .items(items)
            .interact_on(&self.term)
            .map_err(interrupted)
    }

    fn yes(&self, prompt: &str, default: bool) -> Result<bool> {
        Confirm::with_theme(&self.theme)
            .with_prompt(prompt)
            .default(default)
            .interact_on(&self.term)
            .map_err(interrupted)
    }

    /// Free text over several lines, ended by a line holding only `.`; kept in memory only.
    fn long_text(&self, what: &str, required: bool) -> Result<Option<Zeroizing<String>>> {
        loop {
            self.term
                .write_line(&format!(
                    "{what}{}: type it here, over as many lines as needed; a line with only . ends it",
                    if required { "" } else { " (optional)" }
                ))
                .map_err(tty)?;
            let mut text = Zeroizing::new(String::new());
            loop {
                let line = Zeroizing::new(self.term.read_line().map_err(tty)?);
                if line.trim() == "." {
                    break;
                }
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(line.trim_end());
            }
            let trimmed = Zeroizing::new(text.trim().to_string());
            if !trimmed.is_empty() {
                return Ok(Some(trimmed));
            }
            if !required {
                return Ok(None);
            }
            self.term.write_line("The text cannot be empty.").map_err(tty)?;
        }
    }

    fn person(&self, people: &[Person], prompt: &str) -> Result<String> {
        let items: Vec<String> = people.iter().map(|p| format!("{} ({})", p.name, p.handle)).collect();
        let i = Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(&items)
            .default(0)
            .interact_on(&self.term)
            .map_err(interrupted)?;
        Ok(people[i].handle.clone())
    }

    fn persons(&self, people: &[Person], prompt: &str) -> Result<Vec<Value>> {
        let items: Vec<String> = people.iter().map(|p| format!("{} ({})", p.name, p.handle)).collect();
        Ok(self
            .choose_many(prompt, &items)?
            .into_iter()
            .map(|i| Value::from(people[i].handle.clone()))
            .collect())
    }
}

/// Asks for a record's type, when not given.
pub fn ask_type() -> Result<&'static str> {
    let asker = Asker {
        term: Term::stderr(),
        theme: ColorfulTheme::default(),
    };
    Ok(TYPES[asker.choose("What do you want to record?", TYPES, 0)?])
}

/// Asks for each field of a record of `type_name`, shows a summary and asks to
/// confirm. The record as JSON text, or `None` if the person said no.
pub fn ask(type_name: &str, case: &str, people: &[Person]) -> Result<Option<Zeroizing<String>>> {
    let a = Asker {
        term: Term::stderr(),
        theme: ColorfulTheme::default(),
    };
    let mut r = Map::new();
    r.insert("type".into(), type_name.into());
    match type_name {
        "person" => {
            put(&mut r, "name", a.text("name (as the person writes it)", true)?);
            let aliases = a.text("other names and spellings, separated by commas (optional)", false)?;
            put(
                &mut r,
                "ref",
                a.text("a short handle to refer to them later, e.g. w1 (optional)", false)?,
            );
            let mut roles: Vec<&str> = ROLES.to_vec();
            roles.push("(not given)");
            let role = a.choose("role", &roles, roles.len() - 1)?;
            let public = a.yes(
                "publicly named (e.g. a known political prisoner)? Their name is then exported",
                false,
            )?;
            let phone = a.text("phone (optional; never exported)", false)?;
            let email = a.text("e-mail (optional; never exported)", false)?;
            let address = a.text("address (optional; never exported)", false)?;
            let date = a.date()?;
            let text = a.long_text("notes on this person", false)?;
            put(&mut r, "date", date);
            if let Some(aliases) = aliases {
                let list: Vec<Value> = aliases
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(Value::from)
                    .collect();
                r.insert("aliases".into(), list.into());
            }
            if role < ROLES.len() {
                r.insert("role".into(), ROLES[role].into());
            }
            if public {
                r.insert("public".into(), true.into());
            }
            let mut contact = Map::new();
            for (k, v) in [("phone", phone), ("email", email), ("address", address)] {
                if let Some(v) = v {
                    contact.insert(k.into(), v.into());
                }
            }
            if !contact.is_empty() {
                r.insert("contact".into(), contact.into());
            }
            if let Some(t) = text {
                r.insert("text".into(), t.as_str().into());
            }
        }
        "testimony" => {
            if people.is_empty() {
                return Err(Error::Invalid(format!(
                    "case {case} has no person with a ref to be the witness; add one first with `dossier add {case} person`"
                )));
            }
            put(&mut r, "witness", Some(a.person(people, "witness")?));
            let consent = a.choose(
                "consent: internal (never exported), anonymized (exported with a pseudonym), named",
                CONSENT,
                0,
            )?;
            r.insert("consent".into(), CONSENT[consent].into());
            let acts: Vec<String> = ACTS.iter().map(|s| s.to_string()).collect();
            let chosen: Vec<Value> = a
                .choose_many("what was done", &acts)?
                .into_iter()
                .map(|i| Value::from(ACTS[i]))
                .collect();
            if !chosen.is_empty() {
                r.insert("acts".into(), chosen.into());
            }
            let perpetrators = a.persons(people, "perpetrators among the case's people (optional)")?;
            if !perpetrators.is_empty() {
                r.insert("perpetrators".into(), perpetrators.into());
            }
            put(&mut r, "date", a.date()?);
            put(&mut r, "location", a.text("location (optional)", false)?);
            put(&mut r, "interviewer", a.text("interviewer (optional)", false)?);
            put(&mut r, "language", a.text("language of the account (optional)", false)?);
            if let Some(t) = a.long_text("the account", true)? {
                r.insert("text".into(), t.as_str().into());
            }
        }
        "event" => {
            let kind = a.choose("what happened", EVENT_KINDS, 0)?;
            r.insert("kind".into(), EVENT_KINDS[kind].into());
            put(&mut r, "date", a.date()?);
            put(&mut r, "place", a.text("place (optional)", false)?);
            let persons = a.persons(people, "people involved (optional)")?;
            if !persons.is_empty() {
                r.insert("persons".into(), persons.into());
            }
            if let Some(t) = a.long_text("description", false)? {
                r.insert("text".into(), t.as_str().into());
            }
        }
        "note" => {
            if let Some(t) = a.long_text("the note", true)? {
                r.insert("text".into(), t.as_str().into());
            }
            put(&mut r, "date", a.date()?);
        }
        other => return Err(Error::Invalid(format!("cannot ask for a record of type {other}"))),
    }
    summary(&a.term, case, &r)?;
    if !a.yes(&format!("Add this {type_name} to {case}?"), true)? {
        return Ok(None);
    }
    Ok(Some(Zeroizing::new(Value::Object(r).to_string())))
}

fn put(r: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        r.insert(key.into(), v.into());
    }
}

fn summary(term: &Term, case: &str, r: &Map<String, Value>) -> Result<()> {
    let w = |s: String| term.write_line(&s).map_err(tty);
    w(String::new())?;
    let type_name = r.get("type").and_then(Value::as_str).unwrap_or("record");
    w(format!("New {type_name} in {case}:"))?;
    for (k, v) in r.iter().filter(|(k, _)| *k != "type") {
        let shown = match v {
            Value::String(s) => s.clone(),
            Value::Array(a) => a
                .iter()
                .map(|x| x.as_str().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(", "),
            Value::Object(o) => o
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        let mut lines = shown.lines();
        w(format!("  {k:<13} {}", lines.next().unwrap_or("")))?;
        for more in lines {
            w(format!("  {:<13} {more}", ""))?;
        }
    }
    w(String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dossier::domain::record::{Act, Consent, EventKind, Role};

    /// The values serde accepts for a vocabulary, read from its own error message.
    fn accepted<T: serde::de::DeserializeOwned>() -> Vec<String> {
        let err = serde_json::from_str::<T>("\"no-such-value\"")
            .err()
            .unwrap()
            .to_string();
        let list = err.split("expected one of ").nth(1).unwrap();
        list.split(", ")
            .map(|s| {
                s.trim_matches(|c: char| c == '`' || c.is_whitespace() || c == ',')
                    .to_string()
            })
            .map(|s| s.split('`').next().unwrap().to_string())
            .collect()
    }

    #[test]
    fn the_choices_are_exactly_the_vocabularies() {
        assert_eq!(accepted::<Role>(), ROLES);
        assert_eq!(accepted::<Consent>(), CONSENT);
        assert_eq!(accepted::<Act>(), ACTS);
        assert_eq!(accepted::<EventKind>(), EVENT_KINDS);
    }
}
