//! One regression test for each leak and defect of the export's security
//! review, on the review's own reproductions. Each reproduction leaked in md,
//! html and json with exit status 0; now each extract either goes out without
//! the protected string or is refused by the leak check (a refused export is
//! safe; a leaked one is not).

use super::{prepare, Format, Options, Policy, Source};
use crate::domain::case::{RecordState, Version};
use crate::domain::input::parse_records;

/// The review's base records: a public prisoner and a witness with contacts.
const BASE: &str = r#"{"type":"person","ref":"pub","name":"Mikalai Statkevich","aliases":["Мікалай Статкевіч"],"role":"victim","public":true}
{"type":"person","ref":"w1","name":"Hanna Kavalenka","aliases":["Ганна Каваленка"],"role":"witness","contact":{"phone":"+375 29 555 01 23","email":"hanna.k@example.org"}}
"#;

/// The records of a case of the given JSON lines.
fn case_of(jsonl: &str) -> Vec<RecordState> {
    let records = parse_records(jsonl.as_bytes(), "test").unwrap();
    records
        .into_iter()
        .enumerate()
        .map(|(i, p)| RecordState {
            id: [i as u8 + 1; 32],
            versions: vec![Version {
                entry: [i as u8 + 1; 32],
                record: p.record,
                time: "2026-01-01T00:00:00Z".into(),
                author: [0; 32],
            }],
            retraction: None,
        })
        .collect()
}

/// A case as an export reads it.
fn src(records: &[RecordState]) -> Source<'_> {
    Source {
        name: "c",
        title: None,
        members: &[],
        records,
    }
}

fn opts(team: &[&str]) -> Options {
    Options {
        now: "2026-01-01T00:00:00Z".into(),
        policy_id: "default".into(),
        team: team.iter().map(|s| s.to_string()).collect(),
    }
}

/// Each format's extract, or `None` where the leak check refused it.
fn export(jsonl: &str, policy: &Policy, team: &[&str]) -> Vec<(Format, Option<String>)> {
    let p = prepare(&src(&case_of(jsonl)), policy, opts(team)).unwrap();
    Format::ALL
        .into_iter()
        .map(|f| (f, p.render(f).ok().map(|b| String::from_utf8(b).unwrap())))
        .collect()
}

/// A note holding `text`, after the base records and `more`.
fn with_note(more: &str, text: &str) -> String {
    let note = serde_json::json!({"type": "note", "text": text});
    format!("{BASE}{more}{note}\n")
}

/// Every format either refused or free of each of `secrets` (ignoring case);
/// returns the extracts that went out.
fn safe(jsonl: &str, team: &[&str], secrets: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (f, text) in export(jsonl, &Policy::default(), team) {
        let Some(text) = text else { continue };
        let lower = text.to_lowercase();
        for s in secrets {
            assert!(!lower.contains(&s.to_lowercase()), "{f:?}: '{s}' survived in:\n{text}");
        }
        out.push(text);
    }
    out
}

/// Every format goes out (the leak check passes) and is free of `secrets`.
fn clean(jsonl: &str, team: &[&str], secrets: &[&str]) -> Vec<String> {
    let out = safe(jsonl, team, secrets);
    assert_eq!(out.len(), 3, "an extract was refused");
    out
}

/// Finding 1: surname-first lists. The public name must not match across a
/// comma and swallow the relative's surname.
#[test]
fn surname_first_lists_do_not_unmask_a_relative() {
    let more = r#"{"type":"person","ref":"ab","name":"Ales Bialiatski","role":"victim","public":true}
{"type":"person","ref":"rel","name":"Ales Statkevich","aliases":["Алесь Статкевіч"],"role":"family"}
"#;
    let jsonl = with_note(
        more,
        "Detained: Statkevich Mikalai, Statkevich Ales, Bialiatski Ales. Задержаны: Статкевіч Мікалай, Статкевіч Алесь.",
    );
    for out in clean(&jsonl, &[], &["Statkevich Ales", "Статкевіч Алесь"]) {
        assert!(
            out.contains("Statkevich Mikalai, Family member A, Bialiatski Ales."),
            "{out}"
        );
    }
    // The leak check alone: the relative's reversed name right after a public one.
    let p = prepare(&src(&case_of(&jsonl)), &Policy::default(), opts(&[])).unwrap();
    assert!(p
        .check("Statkevich Mikalai, Statkevich Ales".as_bytes(), Format::Markdown)
        .is_err());
    assert!(p.check("Mikalai Statkevich Ales".as_bytes(), Format::Markdown).is_err());
    assert!(p
        .check("Mikalai Statkevich and Ales Bialiatski".as_bytes(), Format::Markdown)
        .is_ok());
}

/// Finding 2: the witness's own phone with other separators and grouping.
#[test]
fn a_protected_phone_with_any_dash_or_grouping_is_masked() {
    let jsonl = with_note("", "Call 8–029–555–0123, +375–295–550–123 or 555–01–23.");
    for out in clean(&jsonl, &[], &["0123", "550–123", "555–01"]) {
        assert_eq!(out.matches("phone removed").count(), 3, "{out}");
    }
    let p = prepare(&src(&case_of(BASE)), &Policy::default(), opts(&[])).unwrap();
    for planted in [
        "8–029–555–0123",
        "+375–295–550–123",
        "555—01—23",
        "555·01·23",
        "０２９ ５５５ ０１ ２３",
    ] {
        assert!(p.check(planted.as_bytes(), Format::Html).is_err(), "{planted}");
    }
}

/// Finding 3: letters of other scripts drawn like Latin ones.
#[test]
fn homoglyphs_are_read_as_the_letters_they_look_like() {
    let jsonl = with_note(
        "",
        "\u{41D}anna said; \u{41D}\u{430}nn\u{430} agreed; \u{397}\u{391}\u{39D}\u{39D}\u{391} too.",
    );
    for out in clean(
        &jsonl,
        &[],
        &["\u{41D}anna", "\u{41D}\u{430}nn\u{430}", "\u{397}\u{391}\u{39D}"],
    ) {
        assert!(
            out.contains("Witness A said; Witness A agreed; Witness A too."),
            "{out}"
        );
    }
}

/// Finding 4: a right-to-left override displays a mirrored name as the name.
#[test]
fn bidi_controls_are_stripped_and_mirrored_names_found() {
    let jsonl = with_note("", "Witness: \u{202E}aknelavaK annaH\u{202C} said so.");
    for out in clean(&jsonl, &[], &["aknelavak", "\u{202E}", "\u{202C}"]) {
        assert!(out.contains("Witness: Witness A said so."), "{out}");
    }
    let p = prepare(&src(&case_of(BASE)), &Policy::default(), opts(&[])).unwrap();
    assert!(p.check("x aknelavaK annaH y".as_bytes(), Format::Markdown).is_err());
}

/// Finding 5: a name inside a longer token, encoded, pluralised or split.
#[test]
fn names_inside_urls_plurals_and_split_words_are_found() {
    for planted in [
        "https://vk.com/hkavalenka",
        "t.me/hannak",
        "x.com/HannaKav",
        "https://example.org/%D0%93%D0%B0%D0%BD%D0%BD%D0%B0%20%D0%9A%D0%B0",
        "The Kavalenkas' flat",
        "Hannas",
        "Kava-\nlenka",
        "Kava\u{200A}lenka",
        "Han\u{2009}na",
    ] {
        let jsonl = with_note("", &format!("See {planted} here."));
        safe(
            &jsonl,
            &[],
            &[
                "kavalenka",
                "hanna",
                "%D0%93%D0%B0%D0%BD",
                "Kava-",
                "Han\u{2009}na",
                "Ганна",
            ],
        );
        // The leak check catches each one on its own, too.
        let p = prepare(&src(&case_of(BASE)), &Policy::default(), opts(&[])).unwrap();
        assert!(p.check(planted.as_bytes(), Format::Markdown).is_err(), "{planted}");
    }
}

/// Finding 6: German transliteration of umlauts.
#[test]
fn umlauts_spelled_out_are_found() {
    let more = r#"{"type":"person","ref":"jm","name":"Jürgen Müller","role":"witness"}
"#;
    clean(
        &with_note(more, "Juergen Mueller and Mr MUELLER said so; Müller too."),
        &[],
        &["mueller", "juergen", "müller"],
    );
    let more = r#"{"type":"person","ref":"jm","name":"Juergen Mueller","role":"witness"}
"#;
    clean(&with_note(more, "Jürgen Müller said so."), &[], &["müller", "jürgen"]);
}

/// Finding 7: contact details matched only as whole phrases.
#[test]
fn handles_and_street_numbers_of_contacts_are_found() {
    let more = r#"{"type":"person","ref":"w3","name":"Sviatlana Zbrouka","role":"witness","contact":{"address":"vul. Lenina 12, kv. 34, Minsk","other":"Signal: @zbrouka, Telegram sunflower_minsk"}}
"#;
    let jsonl = with_note(more, "She lives in Minsk at Lenina 12, flat 34; Telegram sunflower_minsk or Signal zbrouka, or t.me/sunflower_minsk.");
    for out in clean(&jsonl, &[], &["Lenina 12", "sunflower", "zbrouka"]) {
        assert!(out.contains("in Minsk"), "a bare town is not protected: {out}");
    }
}

/// Finding 8: third parties' phones and e-mails in free text (SPEC §5).
#[test]
fn third_party_contacts_in_other_notations_are_masked() {
    let jsonl = with_note(
        "",
        "Ring 029·555·77·11 or +375 (29) 555 - 77 - 11 or 9123-4567; write sveta.k＠gmail.com, \
         sveta.k [at] gmail [dot] com or sveta.k@gmail。com. Held 2010-2013, on 2010-12-19.",
    );
    for out in clean(&jsonl, &[], &["77", "9123", "4567", "sveta", "gmail"]) {
        assert!(out.contains("Held 2010-2013, on 2010-12-19."), "{out}");
        assert_eq!(out.matches("phone removed").count(), 3, "{out}");
        assert_eq!(out.matches("e-mail removed").count(), 3, "{out}");
    }
}

/// Finding 9: team members' names are never in an extract.
#[test]
fn team_members_names_are_protected() {
    let jsonl = format!(
        "{BASE}{}\n",
        r#"{"type":"testimony","witness":"w1","consent":"anonymized","interviewer":"Volha Petrova","text":"Volha took notes; PETROVA, Volha signed."}"#
    );
    for out in clean(&jsonl, &["volha.petrova", "alice"], &["volha", "petrova"]) {
        assert!(out.contains("Team member A"), "{out}");
    }
    // Roster names are often handles: "admin" is protected as a word, not inside "Administration".
    for out in clean(
        &with_note("", "Administration refused; admin was told."),
        &["admin"],
        &[" admin "],
    ) {
        assert!(out.contains("Administration refused; Team member A was told."), "{out}");
    }
    // The leak check alone, on the member name as written in the roster.
    let p = prepare(&src(&case_of(BASE)), &Policy::default(), opts(&["volha.petrova"])).unwrap();
    assert!(p.check(b"interviewed by volha_petrova", Format::Json).is_err());
}

/// Finding 10: revealing a witness who never consented to be named.
#[test]
fn revealing_a_witness_without_named_consent_is_refused() {
    let jsonl = format!(
        "{BASE}{}\n{}\n",
        r#"{"type":"person","ref":"w2","name":"Siarhei Dubko","role":"witness"}"#,
        r#"{"type":"testimony","witness":"w2","consent":"internal","text":"Only for the team."}"#
    );
    let case = case_of(&jsonl);
    let policy = Policy::parse("[persons]\nreveal = [\"w2\"]\n", "p").unwrap();
    let err = prepare(&src(&case), &policy, opts(&[])).err().unwrap().to_string();
    assert!(
        err.contains("reveal_despite_consent") && !err.contains("w2") && !err.contains("Dubko"),
        "{err}"
    );
    let policy = Policy::parse("[persons]\nreveal = [\"w2\"]\nreveal_despite_consent = [\"w2\"]\n", "p").unwrap();
    assert!(prepare(&src(&case), &policy, opts(&[])).is_ok());
    // A person who gave no testimony (a lawyer) can be revealed as before.
    let policy = Policy::parse("[persons]\nreveal = [\"w1\"]\n", "p").unwrap();
    assert!(prepare(&src(&case_of(BASE)), &policy, opts(&[])).is_ok());
}

/// Finding 11: `[records] exclude` and `exclude_types` applied to people.
#[test]
fn excluding_person_records_leaves_out_their_description() {
    let jsonl = format!(
        "{}{}\n",
        BASE.replace(r#""public":true}"#, r#""public":true,"text":"Sentenced in 2011."}"#),
        r#"{"type":"event","kind":"arrest","persons":["pub"],"text":"Arrested."}"#
    );
    let id = crate::format::hex(&[1; 32]);
    for toml in [
        format!("[records]\nexclude = [\"{}\"]\n", &id[..16]),
        "[records]\nexclude_types = [\"person\"]\n".into(),
    ] {
        let policy = Policy::parse(&toml, "p").unwrap();
        let p = prepare(&src(&case_of(&jsonl)), &policy, opts(&[])).unwrap();
        let md = String::from_utf8(p.render(Format::Markdown).unwrap()).unwrap();
        assert!(!md.contains("Sentenced in 2011"), "{toml}: {md}");
        assert!(md.contains("Mikalai Statkevich"), "{md}");
        assert!(p.report.left_out.iter().any(|l| l.r#type == "person"), "{toml}");
    }
}

/// Finding 13: name words that are also the extract's own words or prose.
#[test]
fn names_that_are_everyday_or_layout_words_do_not_block_the_export() {
    let more = r#"{"type":"person","ref":"l","name":"Priya Date","role":"lawyer"}
{"type":"person","ref":"s","name":"Steve Case","role":"witness"}
"#;
    let jsonl = with_note(
        more,
        "On that date the case was heard. Date said Steve Case and Priya Date met; CASE agreed.",
    );
    for out in clean(&jsonl, &[], &["Priya", "Steve", "Date said", "CASE agreed"]) {
        assert!(out.contains("On that date the case was heard."), "{out}");
        assert!(
            out.contains("Lawyer A said Witness B and Lawyer A met; Witness B agreed."),
            "{out}"
        );
    }
}

/// Finding 14: leak messages name people by record id, never by ref.
#[test]
fn leak_messages_name_records_not_refs() {
    let policy = Policy::parse("[fields]\nverbatim = [\"note.text\"]\n", "p").unwrap();
    let p = prepare(
        &src(&case_of(&with_note("", "Hanna Kavalenka said."))),
        &policy,
        opts(&[]),
    )
    .unwrap();
    let leak = p.render(Format::Markdown).unwrap_err().to_string();
    assert!(leak.contains("person record ") && !leak.contains("'w1'"), "{leak}");
}
