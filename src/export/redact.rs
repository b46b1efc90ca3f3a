//! Rewriting free text: names become pseudonyms, numbers and addresses are masked.
//!
//! Names are matched on folded words ([`super::fold`]), whole words only, the
//! longest match first: "Maryia Statkevich" (a relative, protected) is one
//! match and "Mikalai Statkevich" (the public prisoner, kept) another, though
//! both end in the same word. A protected person becomes a *marker* (a pair of
//! private-use characters around an index) so that pseudonyms can be handed
//! out afterwards, in order of first appearance, only to people who actually
//! appear in the extract.
//!
//! Order matters: the policy's own patterns and e-mail addresses are masked
//! before names are looked for, so that `hanna.k@example.org` is removed as a
//! whole rather than becoming `Witness A.k@example.org`.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use super::fold::{self, Word};

/// Opens a person marker in redacted text.
pub const MARK_OPEN: char = '\u{E000}';
/// Closes a person marker in redacted text.
pub const MARK_CLOSE: char = '\u{E001}';

/// What a matched phrase becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A protected person, by index: replaced by their pseudonym.
    Person(usize),
    /// A name that may be shown (a public person): left as written.
    Keep,
    /// Replaced by fixed text (a generalized place, a masked word).
    Text(String),
}

#[derive(Clone, Debug)]
struct Pattern {
    words: Vec<String>,
    target: Target,
}

/// Finds the longest of a set of word sequences at each position of a text.
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    patterns: Vec<Pattern>,
    by_first: HashMap<String, Vec<usize>>,
}

/// One match: words `start..start + len` of the text, and the pattern's target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match<'a> {
    pub start: usize,
    pub len: usize,
    pub target: &'a Target,
}

impl Matcher {
    /// Adds a phrase (folded to words) and what it becomes. Empty phrases are ignored.
    pub fn add(&mut self, phrase: &str, target: Target) {
        self.add_words(fold::word_texts(phrase), target);
    }

    /// Adds an already folded word sequence.
    pub fn add_words(&mut self, words: Vec<String>, target: Target) {
        if words.is_empty() {
            return;
        }
        let i = self.patterns.len();
        self.by_first.entry(words[0].clone()).or_default().push(i);
        self.patterns.push(Pattern { words, target });
    }

    /// Non-overlapping matches, leftmost first, longest at each position; on a
    /// tie in length a protected target wins over [`Target::Keep`].
    pub fn find<'a>(&'a self, words: &[Word]) -> Vec<Match<'a>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut best: Option<&Pattern> = None;
            for &p in self.by_first.get(&words[i].text).into_iter().flatten() {
                let p = &self.patterns[p];
                let n = p.words.len();
                if i + n > words.len() || !p.words.iter().zip(&words[i..i + n]).all(|(a, b)| *a == b.text) {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some(b) => n > b.words.len() || (n == b.words.len() && b.target == Target::Keep),
                };
                if better {
                    best = Some(p);
                }
            }
            match best {
                Some(p) => {
                    out.push(Match {
                        start: i,
                        len: p.words.len(),
                        target: &p.target,
                    });
                    i += p.words.len();
                }
                None => i += 1,
            }
        }
        out
    }
}

/// What redaction did to one piece of text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Protected names replaced.
    pub names: usize,
    pub phones: usize,
    pub emails: usize,
    /// Matches of the policy's patterns and words.
    pub masked: usize,
    /// Places generalized.
    pub places: usize,
}

impl Changes {
    pub fn any(&self) -> bool {
        *self != Changes::default()
    }

    pub fn add(&mut self, o: &Changes) {
        self.names += o.names;
        self.phones += o.phones;
        self.emails += o.emails;
        self.masked += o.masked;
        self.places += o.places;
    }
}

/// Rewrites free text under a policy.
#[derive(Debug, Default)]
pub struct Redactor {
    pub matcher: Matcher,
    /// The policy's own patterns.
    pub patterns: Vec<Regex>,
}

fn email_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[\w.+%'-]+@[\w-]+(?:\.[\w-]+)+").expect("valid"))
}

fn phone_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // A + or a digit, then at least six more digits, each after at most two
    // separators (space, dot, dash, slash, brackets).
    RE.get_or_init(|| Regex::new(r"\+?\(?\d(?:[\s().\-/]{0,2}\d){6,}").expect("valid"))
}

fn date_like_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}|\d{4}\s?[-/]\s?\d{4})$")
            .expect("valid")
    })
}

/// Text put in place of a masked phone number.
pub const PHONE_MASK: &str = "[phone removed]";
/// Text put in place of a masked e-mail address.
pub const EMAIL_MASK: &str = "[e-mail removed]";
/// Text put in place of a match of a policy pattern or word.
pub const REMOVED: &str = "[removed]";

/// Masks e-mail addresses and phone numbers (not dates or year ranges).
pub fn mask_contacts(text: &str, changes: &mut Changes) -> String {
    let text = email_re().replace_all(text, |_: &regex::Captures| {
        changes.emails += 1;
        EMAIL_MASK
    });
    phone_re()
        .replace_all(&text, |c: &regex::Captures| {
            let m = &c[0];
            if date_like_re().is_match(m.trim()) {
                m.to_string()
            } else {
                changes.phones += 1;
                PHONE_MASK.to_string()
            }
        })
        .into_owned()
}

impl Redactor {
    /// Rewrites one free-text value.
    pub fn redact(&self, text: &str, changes: &mut Changes) -> String {
        let mut s: String = text.chars().filter(|&c| c != MARK_OPEN && c != MARK_CLOSE).collect();
        for re in &self.patterns {
            s = re
                .replace_all(&s, |_: &regex::Captures| {
                    changes.masked += 1;
                    REMOVED
                })
                .into_owned();
        }
        let s = mask_contacts(&s, changes);
        self.replace_names(&s, changes)
    }

    fn replace_names(&self, s: &str, changes: &mut Changes) -> String {
        let words = fold::words(s);
        let mut out = String::with_capacity(s.len());
        let mut at = 0;
        for m in self.matcher.find(&words) {
            let from = words[m.start].start;
            let to = words[m.start + m.len - 1].end;
            out.push_str(&s[at..from]);
            match m.target {
                Target::Keep => out.push_str(&s[from..to]),
                Target::Person(i) => {
                    changes.names += 1;
                    out.push(MARK_OPEN);
                    out.push_str(&i.to_string());
                    out.push(MARK_CLOSE);
                }
                Target::Text(t) => {
                    if t == REMOVED {
                        changes.masked += 1;
                    } else {
                        changes.places += 1;
                    }
                    out.push_str(t);
                }
            }
            at = to;
        }
        out.push_str(&s[at..]);
        out
    }
}

/// Replaces every person marker in `s` with `label(index)`.
pub fn resolve_markers(s: &str, label: impl Fn(usize) -> String) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find(MARK_OPEN) {
        out.push_str(&rest[..open]);
        let after = &rest[open + MARK_OPEN.len_utf8()..];
        match after.find(MARK_CLOSE) {
            Some(close) => {
                let i: usize = after[..close].parse().unwrap_or(usize::MAX);
                out.push_str(&label(i));
                rest = &after[close + MARK_CLOSE.len_utf8()..];
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The person indices whose markers appear in `s`.
pub fn markers(s: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find(MARK_OPEN) {
        let after = &rest[open + MARK_OPEN.len_utf8()..];
        let Some(close) = after.find(MARK_CLOSE) else { break };
        if let Ok(i) = after[..close].parse() {
            out.push(i);
        }
        rest = &after[close + MARK_CLOSE.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor() -> Redactor {
        let mut m = Matcher::default();
        m.add("Hanna Kavalenka", Target::Person(0));
        m.add("Hanna", Target::Person(0));
        m.add("Kavalenka", Target::Person(0));
        m.add("Maryia Statkevich", Target::Person(1));
        m.add("Mikalai Statkevich", Target::Keep);
        Redactor {
            matcher: m,
            patterns: Vec::new(),
        }
    }

    fn run(s: &str) -> String {
        let out = redactor().redact(s, &mut Changes::default());
        resolve_markers(&out, |i| format!("<{i}>"))
    }

    #[test]
    fn names_are_replaced_whole_word_longest_first() {
        assert_eq!(run("Hanna Kavalenka's cell"), "<0>'s cell");
        assert_eq!(run("HANNA said. Kavalénka, too"), "<0> said. <0>, too");
        assert_eq!(run("Hannah and Kavalenkas"), "Hannah and Kavalenkas");
        assert_eq!(
            run("Maryia Statkevich visited Mikalai Statkevich."),
            "<1> visited Mikalai Statkevich."
        );
        assert_eq!(run("Hanna\nKavalenka"), "<0>");
    }

    #[test]
    fn contacts_are_masked_but_dates_are_not() {
        let mut c = Changes::default();
        let s = mask_contacts(
            "Call +375 29 555 01 23 or (017) 555-40-40, mail hanna.k@example.org; on 2010-12-19, 19.12.2010, in 2010-2013.",
            &mut c,
        );
        assert_eq!(
            s,
            "Call [phone removed] or [phone removed], mail [e-mail removed]; on 2010-12-19, 19.12.2010, in 2010-2013."
        );
        assert_eq!((c.phones, c.emails), (2, 1));
    }

    #[test]
    fn markers_in_the_input_are_not_trusted() {
        assert_eq!(run("a \u{E000}7\u{E001} b"), "a 7 b");
    }
}
