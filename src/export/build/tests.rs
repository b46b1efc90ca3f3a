//! Property tests and regressions of `prepare`.

use super::*;
use crate::domain::case::{Retraction, Version};
use crate::domain::record::{Consent, Event, EventKind, Person, Record, Role, Testimony};
use crate::export::{fold, Format};
use proptest::prelude::*;

fn state(n: u8, record: Record) -> RecordState {
    RecordState {
        id: [n; 32],
        versions: vec![Version {
            entry: [n; 32],
            record,
            time: "2026-01-01T00:00:00Z".into(),
            author: [0; 32],
        }],
        retraction: None,
    }
}

fn person(handle: &str, name: &str, aliases: Vec<String>) -> Record {
    Record::Person(Person {
        handle: Some(handle.into()),
        name: name.into(),
        aliases,
        role: Some(Role::Witness),
        public: false,
        contact: None,
        date: None,
        tags: Vec::new(),
        text: None,
    })
}

/// A case of the given records, as an export reads it.
struct TestCase {
    records: Vec<RecordState>,
}

impl TestCase {
    fn src(&self) -> Source<'_> {
        Source {
            name: "c",
            title: None,
            members: &[],
            records: &self.records,
        }
    }
}

fn case(records: Vec<Record>) -> TestCase {
    TestCase {
        records: records
            .into_iter()
            .enumerate()
            .map(|(i, r)| state(i as u8, r))
            .collect(),
    }
}

fn opts() -> Options {
    Options {
        now: "2026-01-01T00:00:00Z".into(),
        policy_id: "default".into(),
        team: Vec::new(),
    }
}

/// A name word: Latin with diacritics or Cyrillic, 5 to 7 letters.
fn name_word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[bcdfghklmnprstvzłżšč][aeiouąęóy][bcdfghklmnprstvzłżš]{1,2}[aeiouy][kvnz]",
        "[бвгдклмнпрстз][аеиоуя][бвгдклмнпрстз]{1,2}[аеоу][кнвз]",
    ]
}

fn name() -> impl Strategy<Value = String> {
    (name_word(), name_word()).prop_map(|(a, b)| format!("{a} {b}"))
}

/// Latin letters written with the Cyrillic letters drawn like them.
fn homoglyphs(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a' => 'а',
            'e' => 'е',
            'o' => 'о',
            'p' => 'р',
            'c' => 'с',
            'y' => 'у',
            'H' => 'Н',
            'K' => 'К',
            'M' => 'М',
            'T' => 'Т',
            'B' => 'В',
            c => c,
        })
        .collect()
}

/// Splits a word in the middle with `sep`.
fn split(w: &str, sep: &str) -> String {
    let chars: Vec<char> = w.chars().collect();
    let (a, b) = chars.split_at(chars.len() / 2);
    format!("{}{sep}{}", a.iter().collect::<String>(), b.iter().collect::<String>())
}

/// How a name may be written in text, including the review's disguises.
fn disguise(name: &str, how: u8) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    match how % 14 {
        0 => name.to_string(),
        1 => name.to_uppercase(),
        2 => format!("{}'s", name),
        3 => format!("({})", words[0]),
        4 => format!("{}, {}", words[1], words[0]),
        5 => format!("{}.", words[1].to_uppercase()),
        6 => homoglyphs(&name.to_uppercase()),
        7 => format!("\u{202E}{}\u{202C}", name.chars().rev().collect::<String>()),
        8 => format!("the {}s' flat", words[1]),
        9 => format!("{} {}", words[0], split(words[1], "-\n")),
        10 => format!("{} {}", split(words[0], "\u{2009}"), split(words[1], "\u{200A}")),
        11 => format!("https://vk.com/{}{}", words[0].chars().next().unwrap_or('x'), words[1]),
        12 => homoglyphs(name),
        _ => name.to_lowercase(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_names_and_aliases_never_survive(
        name in name(),
        alias in name(),
        filler in proptest::collection::vec("[a-z]{2,9}", 1..12),
        slots in proptest::collection::vec((any::<u8>(), any::<bool>(), any::<usize>()), 1..6),
    ) {
        let mut words: Vec<String> = filler;
        for (how, use_alias, at) in slots {
            let n = if use_alias { &alias } else { &name };
            let at = at % (words.len() + 1);
            words.insert(at, disguise(n, how));
        }
        let text = words.join(" ");
        let c = case(vec![
            person("w", &name, vec![alias.clone()]),
            Record::Testimony(Testimony {
                handle: None, witness: "w".into(), consent: Consent::Anonymized, acts: Vec::new(),
                perpetrators: Vec::new(), location: None, interviewer: None, language: None,
                date: None, tags: Vec::new(), text: Some(text.clone()),
            }),
            Record::Event(Event {
                handle: None, kind: EventKind::Arrest, place: Some(text.clone()), persons: vec!["w".into()],
                date: None, tags: Vec::new(), text: Some(text),
            }),
        ]);
        let p = prepare(&c.src(), &Policy::default(), opts()).unwrap();
        for f in Format::ALL {
            let out = p.render(f).map_err(|l| TestCaseError::fail(l.to_string()))?;
            let out = String::from_utf8(out).unwrap();
            let words = fold::words(&out);
            // Inside longer words, only in what came from the records: the
            // layout's "anonymized" holds "nymiz".
            let values: Vec<&str> = p.extract.items().into_iter().flat_map(|(_, v)| v).collect();
            let value_words = fold::words(&values.join("\n"));
            for n in [&name, &alias] {
                for w in fold::word_texts(n) {
                    let mirrored: String = w.chars().rev().collect();
                    // A name's mirror image is looked for in the records' words
                    // only: "deman" backwards is the layout's key "named".
                    prop_assert!(
                        !words.iter().any(|x| x.is(&w))
                            && !value_words.iter().any(|x| x.contains(&w) || x.is(&mirrored)),
                        "'{}' survived in {}", w, out
                    );
                }
            }
        }
    }
}

#[test]
fn a_retracted_duplicate_of_a_public_person_does_not_block_the_export() {
    let mut public = person("p", "Mikalai Statkevich", Vec::new());
    if let Record::Person(p) = &mut public {
        p.public = true;
    }
    let mut c = case(vec![
        person("p", "Mikalai Statkevich", vec!["Hanna Kavalenka".into()]),
        public,
        Record::Event(Event {
            handle: None,
            kind: EventKind::Arrest,
            place: None,
            persons: vec!["p".into()],
            date: None,
            tags: Vec::new(),
            text: Some("Mikalai Statkevich and Hanna Kavalenka were arrested.".into()),
        }),
    ]);
    c.records[0].retraction = Some(Retraction {
        entry: [9; 32],
        reason: "duplicate".into(),
        time: String::new(),
        author: [0; 32],
    });
    let p = prepare(&c.src(), &Policy::default(), opts()).unwrap();
    let out = String::from_utf8(p.render(Format::Markdown).unwrap()).unwrap();
    assert!(out.contains("Mikalai Statkevich and Witness A were arrested."), "{out}");
}

#[test]
fn a_name_planted_in_a_proof_is_caught_by_the_leak_check() {
    use crate::export::proof::{LeafProof, RecordProof};
    let c = case(vec![
        person("w", "Hanna Kavalenka", vec!["Ганна Каваленка".into()]),
        Record::Event(Event {
            handle: None,
            kind: EventKind::Arrest,
            place: None,
            persons: Vec::new(),
            date: None,
            tags: Vec::new(),
            text: Some("Arrested at night.".into()),
        }),
    ]);
    let planted = |leaf: LeafProof| {
        let mut p = prepare(&c.src(), &Policy::default(), opts()).unwrap();
        assert!(p.render(Format::Json).is_ok());
        p.extract.proofs = vec![RecordProof {
            record: hex(&[1; 32])[..16].to_string(),
            r#type: "event".into(),
            proof: "leaves".into(),
            header: "00".into(),
            signature: "00".into(),
            signer: "dossiersig1".into(),
            leaves: vec![leaf],
        }];
        p.render(Format::Json).unwrap_err()
    };
    // In a revealed value and in placeholder text: both are record values.
    // (Digests, salts, headers are base64 dossier writes: layout, like JSON
    // keys, so that a short name cannot trip on random letters in them.)
    let value = |v: &str| LeafProof {
        field: Some("text".into()),
        value: Some(v.into()),
        salt: Some("00".into()),
        ..Default::default()
    };
    assert_eq!(planted(value("Kavalenka")).kind, "part of a name");
    let shown = LeafProof {
        field: Some("text".into()),
        digest: Some("00".into()),
        shown: Some("Ганна Каваленка".into()),
        signed: Some(false),
        ..Default::default()
    };
    assert_eq!(planted(shown).kind, "a name or alias");
}

#[test]
fn a_weakened_policy_is_caught_by_the_leak_check() {
    let c = case(vec![
        person("w", "Hanna Kavalenka", vec!["Ганна Каваленка".into()]),
        Record::Event(Event {
            handle: None,
            kind: EventKind::Arrest,
            place: None,
            persons: Vec::new(),
            date: None,
            tags: Vec::new(),
            text: Some("Ганна Каваленка was arrested.".into()),
        }),
    ]);
    let mut policy = Policy::default();
    assert!(prepare(&c.src(), &policy, opts()).unwrap().render(Format::Html).is_ok());
    policy.fields.verbatim = vec!["event.text".into()];
    let leak = prepare(&c.src(), &policy, opts())
        .unwrap()
        .render(Format::Html)
        .unwrap_err();
    assert_eq!(leak.owner, format!("person record {} (witness)", &hex(&[0; 32])[..16]));
    assert_eq!(leak.item, format!("event {}", &hex(&[1; 32])[..16]));
    assert_eq!(leak.kind, "a name or alias");
}

#[test]
fn letters_run_past_z() {
    assert_eq!(letters(0), "A");
    assert_eq!(letters(25), "Z");
    assert_eq!(letters(26), "AA");
    assert_eq!(letters(27), "AB");
    assert_eq!(letters(26 + 26 * 26), "AAA");
}
