//! The forms a name takes in a sentence: every grammatical case and number,
//! masculine and feminine, of Belarusian, Russian, Ukrainian and Polish.
//!
//! "Ганна Лісоўская" is "Ганны Лісоўскай" in the genitive, "Ганне" in the
//! dative, "Ганну Лісоўскую" in the accusative, "з Ганнай" after "with"; the
//! Russian is "Анны", "Лисовской"; the Polish "Anny Lisowskiej". A testimony
//! uses the form its sentence needs, so every one of them must be protected.
//!
//! There is no morphology library for these four languages in Rust (the
//! Snowball stemmers cover Russian only, and stem common nouns, not
//! surnames), so this is a rule table: each family of endings (the
//! adjectival `-скі`/`-ская`/`-ski`/`-ska`, the nouns in `-а`/`-я`, in `-о`,
//! in a consonant, in `-ь`, in `-й`, the possessive `-ов`/`-аў`/`-ін`) gives
//! its stem and every ending of every language that has the family. The
//! forms are generated generously: a form no grammar book lists but that
//! could be typed is harmless, a missing one leaks. The table of forms in
//! `tests/data/name-forms.tsv` (made with pymorphy3 by
//! `scripts/name-forms`) checks the result form by form.
//!
//! [`forms`] takes one word (a name, a surname, a patronymic) in the
//! nominative, as recorded, and gives every form, lower case, the word
//! itself first. Cyrillic words get the Belarusian, Russian and Ukrainian
//! endings; Latin words the Polish ones (the Latin spellings of the
//! Cyrillic forms come from [`super::translit`]).

use super::translit::is_cyrillic;

/// Endings of adjectival surnames (`-скі`, `-ская`, `-ский`, `-ська`, `Чорны`),
/// masculine, feminine and plural, in all three languages.
const ADJECTIVE: &[&str] = &[
    "і", "ы", "ий", "ый", "ій", "ой", "ага", "аго", "ого", "ому", "аму", "ім", "ым", "им", "ом", "ая", "ай", "ую",
    "аю", "ою", "ої", "а", "у", "ія", "ыя", "ие", "ые", "и", "іх", "ых", "их", "імі", "ымі", "ими", "ыми", "ое", "ае",
];

/// The endings that mark an adjectival surname, and the part of each that
/// belongs to the stem.
const ADJECTIVE_STEMS: &[(&str, &str)] = &[
    ("ская", "ск"),
    ("цкая", "цк"),
    ("зкая", "зк"),
    ("скі", "ск"),
    ("цкі", "цк"),
    ("зкі", "зк"),
    ("ский", "ск"),
    ("цкий", "цк"),
    ("ской", "ск"),
    ("цкой", "цк"),
    ("ська", "ськ"),
    ("цька", "цьк"),
    ("зька", "зьк"),
    ("ський", "ськ"),
    ("цький", "цьк"),
    ("зький", "зьк"),
];

/// Endings of nouns in `-а` (Ганна, Каваленка, Мікіта, Іванаўна), all three languages.
const NOUN_A: &[&str] = &[
    "а", "ы", "і", "и", "е", "э", "у", "ай", "аю", "ой", "ою", "о", "ам", "амі", "ами", "ах", "ом", "аў", "ов", "ів",
    "",
];

/// Endings of nouns in `-я` (Марыя, Юлія, Ілля, Наталля).
const NOUN_YA: &[&str] = &[
    "я", "і", "ї", "и", "ы", "е", "ю", "яй", "яю", "ей", "ею", "єю", "ям", "ямі", "ями", "ях", "й", "яў", "ів", "є", "",
];

/// Endings of nouns in `-о` (Ukrainian and Russian `-енко`, `-ко`; Дмитро).
const NOUN_O: &[&str] = &[
    "о", "а", "у", "ові", "ом", "і", "и", "ів", "ам", "ами", "ах", "е", "ам", "ой", "ою",
];

/// Endings of nouns in a hard consonant (Іван, Статкевіч, Кавальчук, Пятроў's
/// stem): masculine forms and plurals.
const NOUN_HARD: &[&str] = &[
    "", "а", "у", "ю", "ам", "ом", "ем", "ым", "им", "ім", "е", "э", "ові", "еві", "ы", "і", "и", "аў", "оў", "ов",
    "ів", "ей", "ах", "амі", "ами", "аві", "ові", "ев", "ям", "ями", "ях", "ём",
];

/// Endings of the possessive surnames (`-оў`/`-аў`/`-ов`/`-ев`/`-ін`/`-ин`,
/// masculine and feminine), after the stem with `в`.
const POSSESSIVE: &[&str] = &[
    "", "а", "у", "ым", "ім", "им", "е", "ай", "ой", "ою", "аю", "ої", "ій", "ы", "і", "и", "ых", "их", "ымі", "ими",
    "ыми", "ові", "ої",
];

/// Endings of nouns in `-ь` or `-й` (Алесь, Жураўель, Мікалай, Андрэй), after the stem without it.
const NOUN_SOFT: &[&str] = &[
    "", "ь", "й", "я", "ю", "ем", "ём", "єм", "ям", "і", "ї", "и", "е", "еві", "єві", "ей", "ів", "їв", "ям", "ямі",
    "ями", "ях", "яў", "ёў", "еў", "ы", "ев", "ею", "єю", "ю",
];

/// The Belarusian, Russian and Ukrainian consonant changes before a dative or
/// locative ending: "Вольга" → "Вользе", "рука" → "руцэ", "Ользі".
const VELAR: &[(&str, &[&str])] = &[
    ("к", &["цы", "цэ", "це", "ці", "ке", "кі"]),
    ("г", &["зе", "зі", "ге", "гі"]),
    ("х", &["се", "сі", "хе", "хі"]),
];

/// Vowels that drop out of the stem when an ending follows: "Жураўель" →
/// "Жураўля", "Кавалёнак" → "Кавалёнка", "Кравец" → "Краўца", "Павел" → "Паўла".
const FLEETING: &[&str] = &[
    "ель", "ень", "ець", "ец", "ак", "ок", "ёк", "ек", "ел", "ёл", "ол", "ей",
];

fn push(out: &mut Vec<String>, s: String) {
    if s.chars().count() >= 2 && !out.contains(&s) {
        out.push(s);
    }
}

fn with(out: &mut Vec<String>, stem: &str, endings: &[&str]) {
    for e in endings {
        push(out, format!("{stem}{e}"));
    }
}

fn is_cyr_vowel(c: char) -> bool {
    "аеёіоуыэюяиєї".contains(c)
}

/// Every form of one Cyrillic word (lower case).
fn cyrillic_forms(w: &str) -> Vec<String> {
    let mut out = vec![w.to_string()];
    let strip = |suffixes: &[&str]| suffixes.iter().find_map(|s| w.strip_suffix(s).map(str::to_string));
    // Adjectival surnames, masculine or feminine: both genders, all numbers.
    let adjectival = ADJECTIVE_STEMS
        .iter()
        .find_map(|(suffix, keep)| w.strip_suffix(suffix).map(|s| format!("{s}{keep}")));
    if let Some(stem) = adjectival {
        with(&mut out, &stem, ADJECTIVE);
    } else if let Some(stem) = strip(&["ая", "ый", "ой", "ий", "ій", "ы", "яя"]).filter(|s| s.chars().count() >= 3)
    {
        // Other adjectives used as surnames: "Чорны", "Белая", "Толстой".
        with(&mut out, &stem, ADJECTIVE);
    }
    let last = w.chars().last().unwrap_or(' ');
    let stem: String = w.chars().take(w.chars().count().saturating_sub(1)).collect();
    match last {
        'а' => {
            with(&mut out, &stem, NOUN_A);
            for (c, endings) in VELAR {
                if let Some(s) = stem.strip_suffix(c) {
                    with(&mut out, s, endings);
                }
            }
            // "-ова"/"-ава"/"-іна": the feminine of a possessive surname.
            if stem.ends_with('в') || stem.ends_with('н') {
                with(&mut out, &stem, POSSESSIVE);
            }
        }
        'я' => with(&mut out, &stem, NOUN_YA),
        'о' => with(&mut out, &stem, NOUN_O),
        'ь' | 'й' => {
            with(&mut out, &stem, NOUN_SOFT);
            fleeting(&mut out, w, &stem, NOUN_SOFT);
        }
        'ў' => {
            // "Пятроў" → "Пятрова": the "ў" is "в" before a vowel.
            let v = format!("{stem}в");
            with(&mut out, &v, POSSESSIVE);
            with(&mut out, &v, NOUN_HARD);
            fleeting(&mut out, w, &stem, NOUN_HARD);
        }
        c if !is_cyr_vowel(c) && is_cyrillic(c) => {
            with(&mut out, w, NOUN_HARD);
            if w.ends_with('в') || w.ends_with('н') {
                with(&mut out, w, POSSESSIVE);
            }
            fleeting(&mut out, w, w, NOUN_HARD);
        }
        _ => {}
    }
    out
}

/// The forms of a stem whose last vowel drops out: "жураўел" → "жураўл",
/// and "в" before the dropped vowel becomes "ў" ("кравец" → "краўц").
fn fleeting(out: &mut Vec<String>, w: &str, stem: &str, endings: &[&str]) {
    if w.chars().count() < 4 || !FLEETING.iter().any(|f| w.ends_with(f)) {
        return;
    }
    let chars: Vec<char> = stem.chars().collect();
    let Some(&cons) = chars.last() else { return };
    if chars.len() < 3 || is_cyr_vowel(cons) || !is_cyr_vowel(chars[chars.len() - 2]) {
        return;
    }
    let mut dropped: String = chars[..chars.len() - 2].iter().collect();
    dropped.push(cons);
    with(out, &dropped, endings);
    if let Some(s) = dropped.strip_suffix(&format!("в{cons}")) {
        with(out, &format!("{s}ў{cons}"), endings);
    }
    if let Some(s) = dropped.strip_suffix(&format!("ў{cons}")) {
        with(out, &format!("{s}в{cons}"), endings);
    }
}

/// Polish endings of adjectival surnames (`-ski`/`-ska`, `-cki`/`-cka`, `-dzki`),
/// folded (`ą` is `a`, `ę` is `e`).
const PL_ADJECTIVE: &[&str] = &[
    "i", "a", "iego", "iemu", "im", "iej", "a", "ie", "ich", "imi", "y", "ego", "emu", "ym", "ej", "ych", "ymi",
];

/// Polish endings of nouns in `-a` (Anna, Kowalczyk's wife's first name, Kuba).
const PL_NOUN_A: &[&str] = &["a", "y", "i", "e", "ie", "o", "om", "ami", "ach", ""];

/// Polish endings of masculine nouns in a consonant (Jan, Mickiewicz, Nowak).
const PL_NOUN_HARD: &[&str] = &[
    "", "a", "owi", "em", "ie", "u", "owie", "ow", "y", "i", "om", "ami", "ach", "owa", "ówna", "owna", "owej", "owa",
    "owa",
];

/// Polish consonant changes before the dative and locative `-e`: "Marta" →
/// "Marcie", "Olga" → "Oldze", "Barbara" → "Barbarze", "Piotr" → "Piotrze".
const PL_SOFTEN: &[(&str, &str)] = &[
    ("t", "cie"),
    ("d", "dzie"),
    ("r", "rze"),
    ("l", "le"),
    ("ł", "le"),
    ("k", "ce"),
    ("g", "dze"),
    ("ch", "sze"),
    ("sł", "śle"),
    ("st", "ście"),
    ("zd", "ździe"),
];

/// Every form of one Latin word (lower case): Polish endings, and those of
/// the Belarusian Latin spellings ("Lisoŭskaja" → "Lisoŭskaj", "Lisoŭskuju").
fn latin_forms(w: &str) -> Vec<String> {
    let mut out = vec![w.to_string()];
    let strip = |suffixes: &[&str]| suffixes.iter().find_map(|s| w.strip_suffix(s).map(str::to_string));
    if let Some(stem) = strip(&[
        "ska", "cka", "dzka", "ski", "cki", "dzki", "skaja", "ckaja", "skij", "ckij", "skyj",
    ]) {
        let base = format!(
            "{stem}{}",
            if w[stem.len()..].starts_with('c') {
                "ck"
            } else if w[stem.len()..].starts_with("dz") {
                "dzk"
            } else {
                "sk"
            }
        );
        with(&mut out, &base, PL_ADJECTIVE);
        // The masculine personal plural: "Kowalscy", "Nowiccy".
        let plural = format!("{}cy", &base[..base.len() - 1]);
        push(&mut out, plural);
        // Belarusian and Russian in Latin: "Lisoŭskaj", "Lisoŭskuju", "Lisovskoj".
        with(
            &mut out,
            &base,
            &[
                "aja", "aj", "uju", "aju", "aha", "aga", "ago", "ogo", "amu", "omu", "ij", "oj", "oju", "ija", "ich",
            ],
        );
    }
    let last = w.chars().last().unwrap_or(' ');
    let stem: String = w.chars().take(w.chars().count().saturating_sub(1)).collect();
    match last {
        'a' | 'ą' => {
            with(&mut out, &stem, PL_NOUN_A);
            with(&mut out, &stem, &["ai", "aj", "aju", "oj", "oju", "u", "am", "ami"]);
            for (from, to) in PL_SOFTEN {
                if let Some(s) = stem.strip_suffix(from) {
                    push(&mut out, format!("{s}{to}"));
                }
            }
        }
        'o' => with(&mut out, &stem, &["o", "a", "u", "owi", "om", "ie", "y", "ow", "i"]),
        'y' | 'i' | 'j' => with(
            &mut out,
            &stem,
            &["a", "ego", "emu", "em", "m", "u", "ju", "ja", "jem", "e"],
        ),
        c if c.is_alphabetic() && !"aeiouyąęó".contains(c) => {
            with(&mut out, w, PL_NOUN_HARD);
            with(
                &mut out,
                w,
                &["am", "om", "e", "y", "u", "aw", "ou", "ym", "im", "ich", "ych"],
            );
            for (from, to) in PL_SOFTEN {
                if let Some(s) = w.strip_suffix(from) {
                    push(&mut out, format!("{s}{to}"));
                }
            }
            // Fleeting vowels: "Marek" → "Marka", "Paweł" → "Pawła", "Zhuravel" → "Zhuravlia".
            let chars: Vec<char> = w.chars().collect();
            if chars.len() >= 4 && "e".contains(chars[chars.len() - 2]) {
                let mut dropped: String = chars[..chars.len() - 2].iter().collect();
                dropped.push(chars[chars.len() - 1]);
                with(&mut out, &dropped, PL_NOUN_HARD);
                with(&mut out, &dropped, &["ia", "ja", "iu", "ju", "em", "om", "am"]);
            }
        }
        _ => {}
    }
    out
}

/// Every form of one word of a name, lower case, the word itself first.
pub fn forms(word: &str) -> Vec<String> {
    let w = word.to_lowercase();
    if w.chars().count() < 2 {
        return vec![w];
    }
    if w.chars().any(is_cyrillic) {
        cyrillic_forms(&w)
    } else {
        latin_forms(&w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(word: &str, form: &str) {
        let f = forms(word);
        assert!(f.contains(&form.to_string()), "{word}: no {form} in {f:?}");
    }

    #[test]
    fn belarusian_forms() {
        for (w, f) in [
            ("Лісоўская", "лісоўскай"),
            ("Лісоўская", "лісоўскую"),
            ("Лісоўская", "лісоўскаю"),
            ("Лісоўскі", "лісоўскага"),
            ("Лісоўскі", "лісоўскім"),
            ("Лісоўскі", "лісоўская"),
            ("Юлія", "юліі"),
            ("Юлія", "юліяй"),
            ("Ганна", "ганны"),
            ("Ганна", "ганне"),
            ("Ганна", "ганнай"),
            ("Вольга", "вользе"),
            ("Жураўель", "жураўля"),
            ("Жураўель", "жураўлём"),
            ("Кавалёнак", "кавалёнка"),
            ("Кравец", "краўца"),
            ("Статкевіч", "статкевіча"),
            ("Статкевіч", "статкевічам"),
            ("Пятроў", "пятрова"),
            ("Пятроў", "пятровым"),
            ("Пятрова", "пятровай"),
            ("Мікалай", "мікалая"),
            ("Мікалаевіч", "мікалаевіча"),
            ("Мікалаеўна", "мікалаеўны"),
            ("Каваленка", "каваленкі"),
            ("Каваленка", "каваленкам"),
            ("Кавальчук", "кавальчука"),
        ] {
            has(w, f);
        }
    }

    #[test]
    fn russian_and_ukrainian_forms() {
        for (w, f) in [
            ("Лисовская", "лисовской"),
            ("Лисовский", "лисовского"),
            ("Мария", "марии"),
            ("Мария", "марией"),
            ("Марія", "марії"),
            ("Марія", "марією"),
            ("Петров", "петровым"),
            ("Петрова", "петровой"),
            ("Коваленко", "коваленка"),
            ("Коваленко", "коваленкові"),
            ("Журавель", "журавля"),
            ("Лисовська", "лисовської"),
            ("Лисовський", "лисовським"),
            ("Ильин", "ильина"),
            ("Ольга", "ользі"),
        ] {
            has(w, f);
        }
    }

    #[test]
    fn polish_forms() {
        for (w, f) in [
            ("Kowalska", "kowalskiej"),
            ("Kowalski", "kowalskiego"),
            ("Kowalski", "kowalscy"),
            ("Nowicki", "nowiccy"),
            ("Anna", "annie"),
            ("Marta", "marcie"),
            ("Olga", "oldze"),
            ("Jan", "janowi"),
            ("Mickiewicz", "mickiewicza"),
            ("Marek", "marka"),
            ("Lisoŭskaja", "lisoŭskaj"),
            ("Lisoŭskaja", "lisoŭskuju"),
        ] {
            has(w, f);
        }
    }
}
