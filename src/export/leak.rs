//! The leak check: the last gate between a rendered extract and the disk.
//!
//! It does not trust the redactor. It takes the final bytes, exactly as they
//! would be written, and searches them for every protected string: every
//! name and alias of every person who is not named in the extract (from every
//! version of their record, retracted or not), the single words of those names
//! that no named person shares, their phone numbers, e-mail addresses and
//! specific addresses, and the policy's masked words.
//!
//! The bytes are read in several *views*, so that markup cannot hide a name:
//! the raw text; for HTML, the text with tags removed and entities decoded
//! (`Hanna&#32;Kavalenka`); for JSON, every string value decoded
//! (`"Hanna\u0020Kavalenka"`). In each view:
//!
//! - names, words, e-mail addresses and addresses are searched as folded word
//!   sequences ([`super::fold`]), after the spans of names that may be shown
//!   are set aside (so the public "Mikalai Statkevich" does not trip on a
//!   protected "Statkevich" relative's full name, and vice versa);
//! - names of two or more words are also searched in the *skeleton* — the
//!   folded letters with every separator removed — so `H-a-n-n-a
//!   K.a.v.a.l.e.n.k.a` or a name split by markup is still found;
//! - phone numbers are searched as digit strings within each run of
//!   number-like characters, whole or by their last seven digits (the local
//!   number, written without the country code).

use std::collections::HashSet;

use super::fold;
use super::redact::{Matcher, Target};

/// What kind of protected string was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Name,
    NamePart,
    Phone,
    Email,
    Address,
    /// A word or phrase from the policy's `[mask] words`.
    PolicyWord,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Name => "a name or alias",
            Kind::NamePart => "part of a name",
            Kind::Phone => "a phone number",
            Kind::Email => "an e-mail address",
            Kind::Address => "a contact address",
            Kind::PolicyWord => "a word the policy masks",
        }
    }
}

/// One protected string, folded.
#[derive(Clone, Debug)]
pub struct Protected {
    /// Whose it is (an index into the caller's list of owners).
    pub owner: usize,
    pub kind: Kind,
    pub words: Vec<String>,
    /// For phone numbers: the digits.
    pub digits: Option<String>,
}

/// The set of strings that must not appear, and the names that may.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    pub protected: Vec<Protected>,
    matcher: Matcher,
}

/// A protected string found in the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub owner: usize,
    pub kind: Kind,
    /// Which view found it: `text`, `html text` or `json strings`.
    pub view: &'static str,
}

/// Shortest skeleton searched for; shorter ones would match inside ordinary words.
const MIN_SKELETON: usize = 6;
/// Digits of a local phone number.
const LOCAL_DIGITS: usize = 7;

impl Checker {
    /// Adds a protected phrase. A phrase with no letters or digits is ignored.
    pub fn protect(&mut self, owner: usize, kind: Kind, phrase: &str) {
        let words = fold::word_texts(phrase);
        let digits = (kind == Kind::Phone)
            .then(|| fold::digits(phrase))
            .filter(|d| d.len() >= LOCAL_DIGITS);
        self.protect_words(owner, kind, words, digits);
    }

    /// Adds a protected, already folded word sequence.
    pub fn protect_words(&mut self, owner: usize, kind: Kind, words: Vec<String>, digits: Option<String>) {
        if words.is_empty() {
            return;
        }
        let i = self.protected.len();
        self.matcher.add_words(words.clone(), Target::Person(i));
        self.protected.push(Protected {
            owner,
            kind,
            words,
            digits,
        });
    }

    /// Declares a name that may appear (a public or revealed person's).
    pub fn allow(&mut self, phrase: &str) {
        self.matcher.add(phrase, Target::Keep);
    }

    /// Searches rendered output; `format` picks the extra views (`html`, `json`).
    pub fn check(&self, output: &[u8], format: &str) -> Option<Hit> {
        let raw = String::from_utf8_lossy(output);
        if let Some(h) = self.check_text(&raw, "text") {
            return Some(h);
        }
        match format {
            "html" => self.check_text(&html_text(&raw), "html text"),
            "json" => self.check_text(&json_strings(&raw), "json strings"),
            _ => None,
        }
    }

    /// Searches one view.
    pub fn check_text(&self, text: &str, view: &'static str) -> Option<Hit> {
        let words = fold::words(text);
        let found = self.matcher.find(&words);
        let mut kept = HashSet::new();
        for m in &found {
            match m.target {
                Target::Person(i) => {
                    let p = &self.protected[*i];
                    return Some(Hit {
                        owner: p.owner,
                        kind: p.kind,
                        view,
                    });
                }
                _ => kept.extend(m.start..m.start + m.len),
            }
        }
        // The skeleton: folded letters, no separators; a set-aside name breaks it.
        let mut skeleton = String::new();
        for (i, w) in words.iter().enumerate() {
            if kept.contains(&i) {
                skeleton.push('|');
            } else {
                skeleton.push_str(&w.text);
            }
        }
        for p in &self.protected {
            if p.words.len() < 2 || !matches!(p.kind, Kind::Name | Kind::Email | Kind::Address) {
                continue;
            }
            let s: String = p.words.concat();
            if s.len() >= MIN_SKELETON && skeleton.contains(&s) {
                return Some(Hit {
                    owner: p.owner,
                    kind: p.kind,
                    view,
                });
            }
        }
        let runs = number_runs(text);
        for p in &self.protected {
            let Some(d) = &p.digits else { continue };
            let local = &d[d.len() - LOCAL_DIGITS..];
            if runs.iter().any(|r| r.contains(d.as_str()) || r.contains(local)) {
                return Some(Hit {
                    owner: p.owner,
                    kind: p.kind,
                    view,
                });
            }
        }
        None
    }
}

/// The digits of each run of number-like characters (digits, spaces, `+-.()/`).
fn number_runs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            cur.push(c);
        } else if c.is_whitespace() || "+-./()".contains(c) {
            continue;
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// HTML as text: tags become spaces, entities are decoded.
fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    html_escape::decode_html_entities(&out).into_owned()
}

/// Every string (keys and values) of a JSON document, decoded, one a line.
fn json_strings(json: &str) -> String {
    fn walk(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    out.push_str(k);
                    out.push('\n');
                    walk(x, out);
                }
            }
            _ => {}
        }
    }
    let mut out = String::new();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(json) {
        walk(&v, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker() -> Checker {
        let mut c = Checker::default();
        c.protect(0, Kind::Name, "Hanna Kavalenka");
        c.protect(0, Kind::Name, "Ганна Каваленка");
        c.protect(0, Kind::NamePart, "Hanna");
        c.protect(0, Kind::Phone, "+375 29 555 01 23");
        c.protect(0, Kind::Email, "hanna.k@example.org");
        c.protect(1, Kind::Name, "Maryia Statkevich");
        c.allow("Mikalai Statkevich");
        c
    }

    #[test]
    fn planted_names_are_found_in_any_disguise() {
        let c = checker();
        for planted in [
            "Statement of Hanna Kavalenka.",
            "statement of HANNA KAVALENKA",
            "Hanna's statement",
            "Ганна Каваленка сказала",
            "Hánna Kavalénka",
            "H-a-n-n-a K.a.v.a.l.e.n.k.a",
            "<b>Han</b>na Kavalenka",
            "call 029 5550123",
            "+375295550123",
            "write to HANNA.K@EXAMPLE.ORG",
            "Maryia Statkevich visited",
        ] {
            assert!(c.check(planted.as_bytes(), "html").is_some(), "missed: {planted}");
        }
        let html = "<p>Ha&#110;na&#32;Kavalenka</p>";
        assert_eq!(c.check(html.as_bytes(), "html").unwrap().view, "html text");
        let json = r#"{"text":"Ha\u006ena Kavalenka"}"#;
        assert_eq!(c.check(json.as_bytes(), "json").unwrap().view, "json strings");
    }

    #[test]
    fn shown_names_and_ordinary_text_pass() {
        let c = checker();
        for clean in [
            "Mikalai Statkevich was visited by Family member B.",
            "Witness A was held in Savannah; Hannah said so.",
            "On 2010-12-19 about 375 people were held for 29 days.",
        ] {
            assert_eq!(c.check(clean.as_bytes(), "md"), None, "{clean}");
        }
    }
}
