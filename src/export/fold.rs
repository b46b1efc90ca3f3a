//! Folding text to the form names are compared in.
//!
//! A name must be found whatever its letter case, diacritics or script: "Hanna
//! Kavalenka", "HANNA KAVALENKA", "Hanna Kavaленka" with a stray Cyrillic
//! letter, "Łukasz" written "Lukasz". Each character is transliterated to ASCII
//! with `deunicode` (Unicode's own data, not a hand table: "ł" → "l",
//! "Статкевіч" → "Statkevich", "ß" → "ss", fullwidth "Ｈ" → "H", a combining
//! accent → nothing) and lower-cased; the result is cut into *words*, runs of
//! ASCII letters and digits. Every word remembers the byte range of the
//! original text it came from, so a match found in folded words can be
//! replaced in the original.
//!
//! Each word also has a *look-alike* spelling ([`Word::alt`]): every letter of
//! another script that Unicode's confusables data (UTS #39, through
//! `unicode-security`) draws like a Latin letter is read as that letter. A
//! transliteration reads the Cyrillic "Н" in "Нanna" as "n" and the Greek "Η"
//! in "ΗΑΝΝΑ" as "e"; a reader sees "Hanna" in both, and so does the
//! look-alike spelling. Matching accepts either spelling.
//!
//! A change from letters to digits or back also ends a word, so "Hanna2" or
//! "w1Hanna" still holds the word "hanna".
//!
//! Characters that transliterate to a space but are not Unicode white space
//! (zero-width space, word joiner, byte-order mark), bidirectional controls
//! and the narrow spaces (hair, thin, narrow no-break, six-per-em,
//! punctuation) are invisible: they are dropped rather than allowed to split a
//! name in two. A soft hyphen or a combining mark already transliterates to
//! nothing. A word broken at the end of a line by a hyphen ("Kava-⏎lenka")
//! is one word.
//!
//! Each word also records whether it is written with a capital and whether a
//! hard break (`, ; . : ! ? ( ) [ ] /`) stands between it and the word
//! before: the name of a named person may not run across one ("Statkevich
//! Mikalai, Statkevich Ales" does not hold "Mikalai Statkevich").

/// One word of folded text and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Lower-case ASCII letters and digits.
    pub text: String,
    /// The look-alike spelling, when it differs from `text`.
    pub alt: Option<String>,
    /// Byte offset in the original text of the first character that made it.
    pub start: usize,
    /// Byte offset just past the last character that made it.
    pub end: usize,
    /// A hard break (`, ; . : ! ? ( ) [ ] /`) comes between the previous word and this one.
    pub brk: bool,
    /// The first letter is a capital.
    pub cap: bool,
}

impl Word {
    /// Whether either spelling of this word is `w`.
    pub fn is(&self, w: &str) -> bool {
        self.text == w || self.alt.as_deref() == Some(w)
    }

    /// Whether either spelling of this word contains `w`.
    pub fn contains(&self, w: &str) -> bool {
        self.text.contains(w) || self.alt.as_deref().is_some_and(|a| a.contains(w))
    }

    /// The look-alike spelling, or the folded one.
    pub fn alt_or_text(&self) -> &str {
        self.alt.as_deref().unwrap_or(&self.text)
    }
}

/// Bidirectional controls: embeddings, overrides, isolates and marks. They can
/// make "aknelavaK annaH" display as "Hanna Kavalenka"; no extract carries them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Spaces too narrow to read as a word break ("Han\u{2009}na").
fn is_narrow_space(c: char) -> bool {
    matches!(
        c,
        '\u{2006}' | '\u{2008}' | '\u{2009}' | '\u{200A}' | '\u{202F}' | '\u{205F}'
    )
}

/// A dash (Unicode category Pd, and the minus sign), or a soft hyphen.
pub fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{AD}' | '\u{58A}' | '\u{5BE}' | '\u{1400}' | '\u{1806}' | '\u{2010}'
            ..='\u{2015}'
                | '\u{2212}'
                | '\u{2E17}'
                | '\u{2E1A}'
                | '\u{2E3A}'
                | '\u{2E3B}'
                | '\u{2E40}'
                | '\u{301C}'
                | '\u{3030}'
                | '\u{30A0}'
                | '\u{FE31}'
                | '\u{FE32}'
                | '\u{FE58}'
                | '\u{FE63}'
                | '\u{FF0D}'
    )
}

fn is_hard_break(b: u8) -> bool {
    matches!(
        b,
        b',' | b';' | b'.' | b':' | b'!' | b'?' | b'(' | b')' | b'[' | b']' | b'/'
    )
}

/// The Latin letters a character of another script is drawn like, lower-cased
/// (UTS #39 confusables), if it is drawn like letters only.
fn look_alike(c: char) -> Option<String> {
    if c.is_ascii() || !c.is_alphabetic() {
        return None;
    }
    let s: String = unicode_security::skeleton(c.encode_utf8(&mut [0; 4])).collect();
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic())).then(|| s.to_ascii_lowercase())
}

/// A word being built.
struct Building {
    text: String,
    alt: String,
    start: usize,
    end: usize,
    brk: bool,
    cap: bool,
}

impl Building {
    fn done(self) -> Word {
        Word {
            alt: (self.alt != self.text).then_some(self.alt),
            text: self.text,
            start: self.start,
            end: self.end,
            brk: self.brk,
            cap: self.cap,
        }
    }
}

/// The folded words of `s`, in order, with their origins.
pub fn words(s: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut cur: Option<Building> = None;
    let mut brk = false;
    for (at, c) in s.char_indices() {
        let end = at + c.len_utf8();
        let ascii = [c as u8];
        let folded: &str = if c.is_ascii() {
            std::str::from_utf8(&ascii).expect("ASCII")
        } else if is_bidi_control(c) || is_narrow_space(c) {
            // Invisible: neither a letter nor a break.
            continue;
        } else {
            deunicode::deunicode_char(c).unwrap_or(" ")
        };
        if !c.is_ascii() && !c.is_whitespace() && folded.bytes().all(|b| b == b' ') {
            continue;
        }
        let mut pushed = 0;
        for b in folded.bytes() {
            // A change between letters and digits ends a word: "Hanna2" is "hanna" "2".
            let switch = cur
                .as_ref()
                .and_then(|w| w.text.as_bytes().last())
                .is_some_and(|l| b.is_ascii_alphanumeric() && l.is_ascii_digit() != b.is_ascii_digit());
            if switch {
                out.push(cur.take().expect("checked").done());
                pushed = 0;
            }
            if b.is_ascii_alphanumeric() {
                let w = cur.get_or_insert_with(|| Building {
                    text: String::new(),
                    alt: String::new(),
                    start: at,
                    end,
                    brk: std::mem::take(&mut brk),
                    cap: c.is_uppercase(),
                });
                w.text.push(b.to_ascii_lowercase() as char);
                w.alt.push(b.to_ascii_lowercase() as char);
                w.end = end;
                pushed += 1;
            } else {
                if let Some(w) = cur.take() {
                    out.push(w.done());
                }
                pushed = 0;
                brk |= is_hard_break(b);
            }
        }
        // A letter drawn like a Latin one: the look-alike spelling reads it so.
        if pushed > 0 && pushed == folded.len() && folded.bytes().all(|b| b.is_ascii_alphabetic()) {
            if let (Some(l), Some(w)) = (look_alike(c), cur.as_mut()) {
                w.alt.truncate(w.alt.len() - pushed);
                w.alt.push_str(&l);
            }
        }
    }
    if let Some(w) = cur {
        out.push(w.done());
    }
    join_hyphenated(s, out)
}

/// Joins a word broken by a hyphen at the end of a line ("Kava-⏎lenka"; in
/// Markdown quotes the next line starts with `>`).
fn join_hyphenated(s: &str, words: Vec<Word>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    for w in words {
        if let Some(prev) = out.last_mut() {
            let gap = &s[prev.end..w.start];
            let mut chars = gap.chars();
            let broken = chars.next().is_some_and(is_dash)
                && gap.contains('\n')
                && chars.all(|c| c.is_whitespace() || c == '>' || is_dash(c))
                && prev.text.bytes().last().is_some_and(|b| b.is_ascii_alphabetic())
                && w.text.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
            if broken {
                let alt = format!("{}{}", prev.alt_or_text(), w.alt_or_text());
                prev.text.push_str(&w.text);
                prev.alt = (alt != prev.text).then_some(alt);
                prev.end = w.end;
                continue;
            }
        }
        out.push(w);
    }
    out
}

/// The folded words of `s`, without origins.
pub fn word_texts(s: &str) -> Vec<String> {
    words(s).into_iter().map(|w| w.text).collect()
}

/// `s` folded to one string of words separated by single spaces.
pub fn folded(s: &str) -> String {
    word_texts(s).join(" ")
}

/// The decimal digit a character stands for: ASCII, fullwidth, Arabic-Indic, …
pub fn digit(c: char) -> Option<char> {
    if c.is_ascii_digit() {
        return Some(c);
    }
    if c.is_ascii() || !c.is_numeric() {
        return None;
    }
    let d = deunicode::deunicode_char(c)?;
    (d.len() == 1 && d.as_bytes()[0].is_ascii_digit()).then(|| d.as_bytes()[0] as char)
}

/// The digits of `s`, in order (for phone numbers).
pub fn digits(s: &str) -> String {
    s.chars().filter_map(digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_diacritics_and_scripts_fold_alike() {
        assert_eq!(folded("Hanna Kavalenka"), "hanna kavalenka");
        assert_eq!(folded("HANNA  kavalenka"), "hanna kavalenka");
        assert_eq!(folded("Mikalai Statkevič"), "mikalai statkevic");
        assert_eq!(folded("Łódź, Żółć!"), "lodz zolc");
        assert_eq!(folded("Ｈａｎｎａ"), "hanna");
        assert_eq!(folded("Ганна Каваленка"), "ganna kavalenka");
        assert_eq!(folded("Статкевіч"), "statkevich");
        // A combining caron (NFD) and a precomposed one fold alike.
        assert_eq!(folded("Statkevic\u{30C}"), folded("Statkevič"));
    }

    #[test]
    fn invisible_characters_do_not_split_a_name() {
        assert_eq!(folded("Han\u{AD}na"), "hanna");
        assert_eq!(folded("Han\u{200B}na"), "hanna");
        assert_eq!(folded("Han\u{2060}na"), "hanna");
        assert_eq!(folded("Hanna\u{A0}Kavalenka"), "hanna kavalenka");
    }

    #[test]
    fn look_alike_letters_of_other_scripts_read_as_latin() {
        // Cyrillic Н and а, Greek Η Α Ν: a reader sees "Hanna" in each.
        for s in [
            "\u{41D}anna",
            "\u{41D}\u{430}nn\u{430}",
            "\u{397}\u{391}\u{39D}\u{39D}\u{391}",
        ] {
            let w = words(s);
            assert_eq!(w.len(), 1, "{s}");
            assert!(w[0].is("hanna"), "{s}: {w:?}");
        }
        // A word of one script reads as its transliteration too.
        assert!(words("Ганна")[0].is("ganna"));
        assert_eq!(words("Hanna")[0].alt, None);
    }

    #[test]
    fn narrow_spaces_bidi_controls_and_line_end_hyphens_join() {
        assert_eq!(folded("Kava\u{200A}lenka Han\u{2009}na"), "kavalenka hanna");
        assert_eq!(folded("\u{202E}aknelavaK\u{202C}"), "aknelavak");
        assert_eq!(folded("Kava-\nlenka"), "kavalenka");
        assert_eq!(folded("Kava\u{2013}  \n> lenka"), "kavalenka");
        assert_eq!(folded("Kava - lenka"), "kava lenka");
    }

    #[test]
    fn breaks_and_capitals_are_remembered() {
        let w = words("Statkevich Mikalai, statkevich");
        assert_eq!((w[1].brk, w[2].brk), (false, true));
        assert_eq!((w[0].cap, w[2].cap), (true, false));
    }

    #[test]
    fn digits_of_other_scripts_count() {
        assert_eq!(digits("\u{FF10}29\u{2013}555"), "029555");
    }

    #[test]
    fn letters_and_digits_are_separate_words() {
        assert_eq!(folded("Hanna2 x9Kavalenka +375"), "hanna 2 x 9 kavalenka 375");
    }

    #[test]
    fn words_remember_where_they_came_from() {
        let s = "«Ганна's» text";
        let w = words(s);
        assert_eq!(w[0].text, "ganna");
        assert_eq!(&s[w[0].start..w[0].end], "Ганна");
        assert_eq!(w[1].text, "s");
        assert_eq!(&s[w[2].start..w[2].end], "text");
    }
}
