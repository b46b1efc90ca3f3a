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
//! A change from letters to digits or back also ends a word, so "Hanna2" or
//! "w1Hanna" still holds the word "hanna".
//!
//! Characters that transliterate to a space but are not Unicode white space
//! (zero-width space, word joiner, byte-order mark) are invisible: they are
//! dropped rather than allowed to split a name in two. A soft hyphen or a
//! combining mark already transliterates to nothing.

/// One word of folded text and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Lower-case ASCII letters and digits.
    pub text: String,
    /// Byte offset in the original text of the first character that made it.
    pub start: usize,
    /// Byte offset just past the last character that made it.
    pub end: usize,
}

/// The folded words of `s`, in order, with their origins.
pub fn words(s: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut cur: Option<Word> = None;
    for (at, c) in s.char_indices() {
        let end = at + c.len_utf8();
        let folded: &str = if c.is_ascii() {
            // deunicode maps ASCII to itself; skip the lookup.
            ""
        } else {
            deunicode::deunicode_char(c).unwrap_or(" ")
        };
        let mut push = |b: u8, cur: &mut Option<Word>| {
            // A change between letters and digits ends a word: "Hanna2" is "hanna" "2".
            let switch = cur
                .as_ref()
                .and_then(|w| w.text.as_bytes().last())
                .is_some_and(|l| b.is_ascii_alphanumeric() && l.is_ascii_digit() != b.is_ascii_digit());
            if switch {
                out.push(cur.take().expect("checked"));
            }
            if b.is_ascii_alphanumeric() {
                let w = cur.get_or_insert_with(|| Word {
                    text: String::new(),
                    start: at,
                    end,
                });
                w.text.push(b.to_ascii_lowercase() as char);
                w.end = end;
            } else if let Some(w) = cur.take() {
                out.push(w);
            }
        };
        if c.is_ascii() {
            push(c as u8, &mut cur);
            continue;
        }
        if !c.is_whitespace() && folded.bytes().all(|b| b == b' ') {
            // Invisible: neither a letter nor a break.
            continue;
        }
        for b in folded.bytes() {
            push(b, &mut cur);
        }
    }
    if let Some(w) = cur {
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

/// The digits of `s`, in order (for phone numbers).
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
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
