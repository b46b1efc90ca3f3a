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

use std::ops::Range;

use super::fold::{self, Word};
use super::redact::{Matcher, Target, VALUE_CLOSE, VALUE_OPEN};

/// What kind of protected string was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Name,
    NamePart,
    Phone,
    Email,
    Address,
    /// A user name or handle from a person's `contact.other`.
    Handle,
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
            Kind::Handle => "a contact handle",
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
    /// Which view found it: `text`, `html text`, `json strings` or `percent-decoded`.
    pub view: &'static str,
}

/// Shortest skeleton searched for; shorter ones would match inside ordinary words.
const MIN_SKELETON: usize = 6;
/// Digits of a local phone number.
const LOCAL_DIGITS: usize = 7;
/// Shortest name word searched for inside longer words.
pub const MIN_INNER: usize = 5;

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
        self.protect_pattern(owner, kind, words, digits, false);
    }

    /// Adds a protected word sequence; with `capital`, a single everyday word
    /// ("date") counts only where it is written with a capital.
    pub fn protect_pattern(
        &mut self,
        owner: usize,
        kind: Kind,
        words: Vec<String>,
        digits: Option<String>,
        capital: bool,
    ) {
        if words.is_empty() {
            return;
        }
        let i = self.protected.len();
        self.matcher.add_pattern(words.clone(), Target::Person(i), capital);
        self.protected.push(Protected {
            owner,
            kind,
            words,
            digits,
        });
    }

    /// Adds a name word (of [`MIN_INNER`] letters or more) that is also
    /// searched for inside longer words: "hkavalenka", "Kavalenkas'".
    pub fn protect_inner(&mut self, owner: usize, word: String) {
        if word.len() < MIN_INNER {
            return;
        }
        let i = self.protected.len();
        self.matcher.add_inner(word.clone(), Target::Person(i));
        self.protected.push(Protected {
            owner,
            kind: Kind::NamePart,
            words: vec![word],
            digits: None,
        });
    }

    /// Declares a name that may appear (a public or revealed person's).
    pub fn allow(&mut self, phrase: &str) {
        self.matcher.add(phrase, Target::Keep);
    }

    /// Searches rendered output; `format` picks the extra views (`html`, `json`).
    /// Every byte counts as record data.
    pub fn check(&self, output: &[u8], format: &str) -> Option<Hit> {
        let raw = String::from_utf8_lossy(output);
        let plain: String = raw.chars().filter(|&c| c != VALUE_OPEN && c != VALUE_CLOSE).collect();
        self.check_views(&plain, format, false)
    }

    /// Searches rendered output in which every value taken from the records
    /// stands between [`VALUE_OPEN`] and [`VALUE_CLOSE`]; the rest is the
    /// extract's fixed layout (headings, markup, styles, JSON keys). The layout
    /// is not record data: a hit made only of layout words is no leak, so a
    /// protected "Priya Date" or "Steve Case" does not trip on `class="date"`
    /// or "Redacted extract of case". Every view is searched as it would be
    /// written, with the marks removed.
    pub fn check_marked(&self, marked: &str, format: &str) -> Option<Hit> {
        self.check_views(marked, format, true)
    }

    fn check_views(&self, marked: &str, format: &str, has_layout: bool) -> Option<Hit> {
        let view = |text: &str, name: &'static str| {
            let (text, values) = strip_values(text);
            self.check_view(&text, has_layout.then_some(&values[..]), name)
        };
        if let Some(h) = view(marked, "text") {
            return Some(h);
        }
        let extra = match format {
            "html" => Some((html_text(marked), "html text")),
            "json" => Some((json_strings(marked), "json strings")),
            _ => None,
        };
        if let Some((text, name)) = extra {
            if let Some(h) = view(&text, name) {
                return Some(h);
            }
        }
        if marked.contains('%') {
            let decoded = percent_encoding::percent_decode_str(marked).decode_utf8_lossy();
            return view(&decoded, "percent-decoded");
        }
        None
    }

    /// Searches one view, all of it record data.
    pub fn check_text(&self, text: &str, view: &'static str) -> Option<Hit> {
        self.check_view(text, None, view)
    }

    fn hit(&self, i: usize, view: &'static str) -> Option<Hit> {
        let p = &self.protected[i];
        Some(Hit {
            owner: p.owner,
            kind: p.kind,
            view,
        })
    }

    /// Searches one view; `values` are the byte ranges taken from records
    /// (`None`: all of it).
    fn check_view(&self, text: &str, values: Option<&[Range<usize>]>, view: &'static str) -> Option<Hit> {
        let words = fold::words(text);
        let layout: Vec<bool> = words.iter().map(|w| is_layout(w, values)).collect();
        let found = self.matcher.find_all(&words);
        // Names that may be shown, every occurrence, overlaps included.
        let kept: Vec<(usize, usize)> = found
            .iter()
            .filter(|m| *m.target == Target::Keep)
            .map(|m| (m.start, m.start + m.len))
            .collect();
        let inside_kept = |a: usize, b: usize| kept.iter().any(|&(s, e)| s <= a && b <= e);
        // A protected string from every word start; set aside only if wholly
        // inside a shown name, or made only of layout.
        for m in &found {
            let Target::Person(i) = m.target else { continue };
            let (a, b) = (m.start, m.start + m.len);
            if inside_kept(a, b) || layout[a..b].iter().all(|&l| l) {
                continue;
            }
            return self.hit(*i, view);
        }
        // Name words inside longer words: "hkavalenka", "Kavalenkas'".
        for (n, w) in words.iter().enumerate() {
            if layout[n] || inside_kept(n, n + 1) {
                continue;
            }
            if let Some(Target::Person(i)) = self.matcher.inner_of(w) {
                return self.hit(*i, view);
            }
        }
        // The skeleton: folded letters, no separators; a shown name breaks it.
        for alt in [false, true] {
            let mut skeleton = String::new();
            for (n, w) in words.iter().enumerate() {
                if layout[n] {
                    continue;
                }
                if inside_kept(n, n + 1) {
                    skeleton.push('|');
                } else if alt {
                    skeleton.push_str(w.alt_or_text());
                } else {
                    skeleton.push_str(&w.text);
                }
            }
            for (i, p) in self.protected.iter().enumerate() {
                let multi =
                    p.words.len() >= 2 && matches!(p.kind, Kind::Name | Kind::Email | Kind::Address | Kind::Handle);
                if !multi {
                    continue;
                }
                let s: String = p.words.concat();
                if s.len() >= MIN_SKELETON && skeleton.contains(&s) {
                    return self.hit(i, view);
                }
            }
        }
        let runs = number_runs(text);
        for (i, p) in self.protected.iter().enumerate() {
            let Some(d) = &p.digits else { continue };
            let local = &d[d.len() - LOCAL_DIGITS..];
            if runs.iter().any(|r| r.contains(d.as_str()) || r.contains(local)) {
                return self.hit(i, view);
            }
        }
        None
    }
}

/// Whether a word is wholly outside every value taken from the records.
fn is_layout(w: &Word, values: Option<&[Range<usize>]>) -> bool {
    // The ranges are in order and disjoint (`strip_values`): the only one that
    // can overlap the word is the first that ends after the word starts.
    values.is_some_and(|v| {
        let k = v.partition_point(|r| r.end <= w.start);
        v.get(k).is_none_or(|r| r.start >= w.end)
    })
}

/// Removes the value marks, and returns the byte ranges they enclosed.
pub fn strip_values(marked: &str) -> (String, Vec<Range<usize>>) {
    let mut out = String::with_capacity(marked.len());
    let mut ranges = Vec::new();
    let mut open = None;
    for c in marked.chars() {
        match c {
            VALUE_OPEN => open = Some(out.len()),
            VALUE_CLOSE => {
                if let Some(s) = open.take() {
                    ranges.push(s..out.len());
                }
            }
            _ => out.push(c),
        }
    }
    if let Some(s) = open {
        ranges.push(s..out.len());
    }
    (out, ranges)
}

/// Characters that may stand between the digits of one phone number: white
/// space, brackets, a slash, a plus, any dash, dot-like characters.
fn in_number(c: char) -> bool {
    c.is_whitespace()
        || fold::is_dash(c)
        || fold::is_bidi_control(c)
        || "+./()[]·・․‧∙⋅．。･\u{200B}\u{2060}\u{FEFF}".contains(c)
}

/// The digits of each run of number-like characters.
fn number_runs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if let Some(d) = fold::digit(c) {
            cur.push(d);
        } else if in_number(c) {
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
