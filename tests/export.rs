//! Redacted export, end to end: the real `dossier` binary on real vaults.
//!
//! The protected strings are derived from the records themselves (every name,
//! alias, phone number and e-mail address of every person who is not public),
//! never from a hand-kept list that could fall behind the fixture.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{text, Env, CASE, SAMPLE};
use dossier::export::fold;

const FORMATS: [&str; 3] = ["md", "html", "json"];

/// What these tests do with alice's vault, beside what every test file shares.
trait Extracts {
    fn case(&self, name: &str, records: &str) -> Vec<String>;
    fn path(&self, name: &str) -> PathBuf;
    fn export(&self, case: &str, format: &str, extra: &[&str]) -> String;
    fn history(&self, case: &str) -> Vec<serde_json::Value>;
}

impl Extracts for Env {
    fn case(&self, name: &str, records: &str) -> Vec<String> {
        self.ok(
            &["case", "new", name, "--title", "Mikalai Statkevich, 2010 crackdown"],
            None,
        );
        self.ok(&["add", name, "--from", "-"], Some(records))
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Exports to a new file and returns its text.
    fn export(&self, case: &str, format: &str, extra: &[&str]) -> String {
        let out = self.path(&format!("{case}-{}.{format}", unique()));
        let mut args = vec!["export", case, "--format", format, "--output", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.ok(&args, None);
        std::fs::read_to_string(&out).unwrap()
    }

    fn history(&self, case: &str) -> Vec<serde_json::Value> {
        self.ok(&["--json", "export", case, "--history"], None)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn records(jsonl: &str) -> Vec<serde_json::Value> {
    jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Every string that must not appear in a default extract of `jsonl`: the
/// names, aliases, phones and e-mails of every person who is not public.
fn protected(jsonl: &str) -> Vec<String> {
    let mut out = Vec::new();
    for r in records(jsonl) {
        if r["type"] != "person" || r["public"] == true {
            continue;
        }
        out.push(r["name"].as_str().unwrap().to_string());
        for a in r["aliases"].as_array().into_iter().flatten() {
            out.push(a.as_str().unwrap().to_string());
        }
        for k in ["phone", "email"] {
            if let Some(v) = r["contact"][k].as_str() {
                out.push(v.to_string());
            }
        }
    }
    assert!(!out.is_empty());
    out
}

/// Fails if `output` holds `s` in any way a reader could recover it: as
/// written, ignoring case, folded (diacritics, scripts), or as digits.
fn assert_absent(output: &str, s: &str, what: &str) {
    let lower = output.to_lowercase();
    assert!(!lower.contains(&s.to_lowercase()), "{what}: '{s}' found as written");
    let hay = format!(" {} ", fold::folded(output));
    let needle = format!(" {} ", fold::folded(s));
    assert!(!hay.contains(&needle), "{what}: '{s}' found folded");
    let digits = fold::digits(s);
    if digits.len() >= 7 {
        let out_digits: String = output
            .chars()
            .filter(|c| c.is_ascii_digit() || !" +-.()/".contains(*c))
            .collect::<String>()
            .split(|c: char| !c.is_ascii_digit())
            .collect::<Vec<_>>()
            .join("|");
        assert!(
            !out_digits.contains(&digits[digits.len() - 7..]),
            "{what}: phone '{s}' found as digits"
        );
    }
}

#[test]
fn sample_case_leaks_nothing_in_any_format() {
    let env = Env::new();
    env.case(CASE, SAMPLE);
    let secret = protected(SAMPLE);
    for format in FORMATS {
        let out = env.export(CASE, format, &[]);
        for s in &secret {
            assert_absent(&out, s, format);
        }
        // The internal testimony is left out altogether.
        assert!(!out.contains("eleven days"), "{format}: internal testimony exported");
        assert!(!out.contains("safe phone"), "{format}: internal testimony exported");
        // The facts, and the public prisoner, are there.
        for fact in [
            "Mikalai Statkevich",
            "Sentenced to six years in a strict-regime colony.",
            "Arrested after polls closed",
            "The cell was not heated",
            "2010-12-19",
            "Witness A",
            "beating",
        ] {
            assert!(out.contains(fact), "{format}: '{fact}' missing");
        }
    }
}

#[test]
fn pseudonyms_are_consistent_and_consent_is_honoured() {
    let env = Env::new();
    env.case(CASE, SAMPLE);
    let json: serde_json::Value = serde_json::from_str(&env.export(CASE, "json", &[])).unwrap();
    let testimony = json["testimony"].as_array().unwrap();
    // anonymized and named are in, internal is out; both of w1's are under one pseudonym.
    let consents: Vec<&str> = testimony.iter().map(|t| t["consent"].as_str().unwrap()).collect();
    assert_eq!(consents, ["anonymized", "named"]);
    assert_eq!(testimony[0]["witness"], testimony[1]["witness"]);
    let w1 = testimony[0]["witness"].as_str().unwrap();
    assert!(w1.starts_with("Witness "), "{w1}");
    // The name inside the text became the same pseudonym, in both testimonies.
    for t in testimony {
        assert!(t["text"].as_str().unwrap().starts_with(w1), "{}", t["text"]);
    }
    // The lawyer, named in a testimony's interviewer field and in a note, is one pseudonym.
    let lawyer = testimony[0]["interviewer"].as_str().unwrap();
    assert!(lawyer.starts_with("Lawyer "), "{lawyer}");
    assert!(json["notes"][0]["text"].as_str().unwrap().contains(lawyer));
    // Each person is listed once, pseudonyms unique, and only the public one is named.
    let persons = json["persons"].as_array().unwrap();
    let labels: std::collections::BTreeSet<&str> = persons.iter().map(|p| p["label"].as_str().unwrap()).collect();
    assert_eq!(labels.len(), persons.len());
    let named: Vec<&str> = persons
        .iter()
        .filter(|p| p["named"] == true)
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(named, ["Mikalai Statkevich"]);
    // The relative who shares the prisoner's surname is pseudonymised in the event text.
    let visit = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "visit-denied")
        .unwrap();
    assert_eq!(visit["persons"][0], "Mikalai Statkevich");
    assert!(visit["persons"][1].as_str().unwrap().starts_with("Family member "));
    assert!(visit["text"].as_str().unwrap().contains("[phone removed]"));

    // A policy that reveals w1: the named testimony shows the name, the
    // anonymized one is left out rather than unmasked.
    let policy = write(env.root.as_path(), "reveal.toml", "[persons]\nreveal = [\"w1\"]\n");
    let json: serde_json::Value =
        serde_json::from_str(&env.export(CASE, "json", &["--policy", policy.to_str().unwrap()])).unwrap();
    let testimony = json["testimony"].as_array().unwrap();
    assert_eq!(testimony.len(), 1);
    assert_eq!(testimony[0]["consent"], "named");
    assert_eq!(testimony[0]["witness"], "Hanna Kavalenka");
    let dry = env.ok(
        &["export", CASE, "--dry-run", "--policy", policy.to_str().unwrap()],
        None,
    );
    assert!(dry.contains("consent is anonymized, but the witness is named"), "{dry}");
}

/// A case of our own: other scripts and spellings, names at the start of a
/// sentence, possessives, punctuation, a relative sharing the public
/// prisoner's surname, and a name in a script deunicode spells out.
const OWN: &str = r#"{"type":"person","ref":"prisoner","name":"Mikalai Statkevich","aliases":["Мікалай Статкевіч"],"role":"victim","public":true}
{"type":"person","ref":"brother","name":"Andrei Statkevich","aliases":["Андрэй Статкевіч"],"role":"family","contact":{"phone":"+375 44 555 12 34"}}
{"type":"person","ref":"w","name":"Łukasz Żółkiewski","aliases":["Лукаш Жулкевский","Lukas Zolkevski"],"role":"witness","contact":{"email":"lz@example.org","address":"ul. Mira 12, kv. 3, Hrodna"}}
{"type":"person","ref":"h","name":"Hanna Kavalenka","role":"witness"}
{"type":"person","ref":"cn","name":"王伟","role":"witness"}
{"type":"person","ref":"guard","name":"Viktar Bahdanau","role":"perpetrator"}
{"type":"testimony","witness":"w","consent":"anonymized","date":"2011-03-01","perpetrators":["guard"],"text":"ŁUKASZ ŻÓŁKIEWSKI was held with Andrei. Lukasz's cell mate, (Żółkiewski), saw it; łukasz żółkiewski.\nŻółkiewski, Łukasz signed nothing. Жулкевский: «тут холодно». Hanna's sister and HANNA KAVALENKA's lawyer — Hanna! — agree. Bahdanau, Viktar beat him. V. Bahdanau denied it. Tagged #HannaKavalenka and hanna2011."}
{"type":"testimony","witness":"h","consent":"named","text":"Hanna Kavalénka heard 王伟说 that guards came at night. Write to lz@example.org or ring 8 044 555-12-34; he lives at ul. Mira 12, kv. 3, Hrodna."}
{"type":"event","kind":"visit-denied","date":"2012-01","persons":["prisoner","brother"],"text":"Andrei Statkevich, brother of Mikalai Statkevich, and Андрэй Статкевіч's wife were turned away; Statkevich (Mikalai) was told nothing."}"#;

#[test]
fn own_case_other_scripts_spellings_and_positions_leak_nothing() {
    let env = Env::new();
    env.case("own", OWN);
    // Single name parts no public person shares are protected too.
    let mut secret = protected(OWN);
    secret.extend(
        [
            "Łukasz",
            "Żółkiewski",
            "Hanna",
            "Andrei",
            "Bahdanau",
            "Viktar",
            "王伟",
            "Mira 12",
        ]
        .map(String::from),
    );
    for format in FORMATS {
        let out = env.export("own", format, &[]);
        for s in &secret {
            assert_absent(&out, s, format);
        }
        assert!(out.contains("Mikalai Statkevich"), "{format}: the public name is gone");
        assert!(out.contains("тут холодно"), "{format}: the facts are gone");
        assert!(out.contains("guards came at night"), "{format}");
    }
    let md = env.export("own", "md", &[]);
    // Pseudonyms follow the order people were recorded in: the brother first.
    for phrase in [
        "Family member A, brother of Mikalai Statkevich",
        "Witness B's cell mate, (Witness B)",
        "Witness B signed nothing",
        "Witness C's sister and Witness C's lawyer",
        "Perpetrator E beat him. Perpetrator E denied it.",
        "Tagged \\#Witness C and Witness C2011.",
        "Witness C heard Witness D",
        "ring \\[phone removed\\]",
        "lives at \\[address removed\\]",
    ] {
        assert!(md.contains(phrase), "'{phrase}' not in:\n{md}");
    }
}

#[test]
fn leak_check_fails_an_export_a_weakened_policy_would_leak() {
    let env = Env::new();
    env.case(CASE, SAMPLE);
    // `verbatim` copies testimony text as written: it would carry the witness's name out.
    let weak = write(
        env.root.as_path(),
        "weak.toml",
        "[fields]\nverbatim = [\"testimony.text\"]\n",
    );
    let before = env.snapshot();
    for format in FORMATS {
        let out = env.path(&format!("weak.{format}"));
        let err = env.fails(
            &[
                "export",
                CASE,
                "--format",
                format,
                "--policy",
                weak.to_str().unwrap(),
                "--output",
                out.to_str().unwrap(),
            ],
            None,
        );
        assert!(err.contains("leak check"), "{err}");
        assert!(err.contains("person record "), "{err}");
        // Neither the ref nor the case id is echoed: either may be a name.
        assert!(!err.contains("w1") && !err.contains(CASE), "{err}");
        assert!(err.contains("in testimony "), "{err}");
        assert!(
            !err.contains("Kavalenka"),
            "the error itself must not print the name: {err}"
        );
        assert!(!out.exists(), "{format}: a file was written");
    }
    assert_eq!(env.snapshot(), before, "a failed export wrote to the vault");
    assert!(env.history(CASE).is_empty());
    // The same policy on a testimony-free extract passes: the check is not blind.
    let ok_policy = write(
        env.root.as_path(),
        "weak-ok.toml",
        "[fields]\nverbatim = [\"testimony.text\"]\n[records]\nexclude_types = [\"testimony\"]\n",
    );
    env.export(CASE, "md", &["--policy", ok_policy.to_str().unwrap()]);
}

#[test]
fn stock_age_opens_encrypted_extracts() {
    if !common::age_available() {
        return;
    }
    let env = Env::new();
    env.case(CASE, SAMPLE);
    let key = env.path("receiver.key");
    let out = Command::new("age-keygen").arg("-o").arg(&key).output().unwrap();
    assert!(out.status.success());
    let out = Command::new("age-keygen").arg("-y").arg(&key).output().unwrap();
    let recipient = text(&out.stdout).trim().to_string();
    for (armor, name) in [(false, "un.age"), (true, "un.asc")] {
        let path = env.path(name);
        let mut args = vec![
            "export",
            CASE,
            "--format",
            "md",
            "--to",
            &recipient,
            "--output",
            path.to_str().unwrap(),
        ];
        if armor {
            args.push("--armor");
        }
        env.ok(&args, None);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"), armor);
        assert!(!text(&bytes).contains("Statkevich"), "ciphertext holds plaintext");
        let out = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&key)
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "age -d: {}", text(&out.stderr));
        let plain = text(&out.stdout);
        assert!(plain.contains("Mikalai Statkevich") && plain.contains("Witness A"));
    }
    let h = env.history(CASE);
    assert_eq!(h.len(), 2);
    assert_eq!(h[1]["recipients"][0], recipient.as_str());
    assert_eq!(h[1]["armor"], true);
}

#[test]
fn unknown_policy_key_is_one_line_and_writes_nothing() {
    let env = Env::new();
    env.case(CASE, SAMPLE);
    let bad = write(
        env.root.as_path(),
        "bad.toml",
        "[persons]\nreveal = []\n\n[dates]\nprecison = \"year\"\n",
    );
    let out = env.path("x.md");
    let before = env.snapshot();
    let err = env.fails(
        &[
            "export",
            CASE,
            "--format",
            "md",
            "--policy",
            bad.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(err.contains("bad.toml, line 5: unknown field `precison`"), "{err}");
    assert!(!out.exists());
    assert_eq!(env.snapshot(), before);
    let err = env.fails(&["export", CASE, "--dry-run", "--policy", bad.to_str().unwrap()], None);
    assert!(err.contains("precison"), "{err}");
    // A ref the case does not have is refused too.
    let bad = write(env.root.as_path(), "bad2.toml", "[persons]\nreveal = [\"nobody\"]\n");
    let err = env.fails(
        &["export", CASE, "--format", "md", "--policy", bad.to_str().unwrap()],
        None,
    );
    assert!(err.contains("persons.reveal: item 1 names no person"), "{err}");
    // The ref is not echoed: a ref may be a name.
    assert!(!err.contains("nobody"), "{err}");
}

#[test]
fn dry_run_reports_and_writes_nothing() {
    let env = Env::new();
    env.case(CASE, SAMPLE);
    let before = env.snapshot();
    let out = env.path("never.md");
    let report = env.ok(
        &[
            "export",
            CASE,
            "--dry-run",
            "--format",
            "md",
            "--output",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.exists());
    assert_eq!(env.snapshot(), before, "a dry run wrote to the vault");
    for line in [
        "witness      Witness A",
        "consent is internal",
        "e-mail address masked",
        "leak check (md): passed",
    ] {
        assert!(report.contains(line), "'{line}' missing from:\n{report}");
    }
    for s in protected(SAMPLE) {
        assert!(!report.contains(&s), "the report prints '{s}'");
    }
    // People by record id, never by ref or case id (both chosen by the user; either may be a name).
    assert!(!report.contains("w1") && !report.contains(CASE), "{report}");
    let all = env.ok(&["export", CASE, "--dry-run"], None);
    for f in FORMATS {
        assert!(all.contains(&format!("leak check ({f}): passed")), "{all}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["--json", "export", CASE, "--dry-run"], None)).unwrap();
    assert_eq!(json["left_out"][0]["reason"], "consent is internal");
}

#[test]
fn output_is_0600_never_clobbered_and_recorded_in_the_log() {
    let env = Env::new();
    let ids = env.case(CASE, SAMPLE);
    let out = env.path("extract.md");
    env.ok(
        &["export", CASE, "--format", "md", "--output", out.to_str().unwrap()],
        None,
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let first = std::fs::read(&out).unwrap();
    let err = env.fails(
        &["export", CASE, "--format", "html", "--output", out.to_str().unwrap()],
        None,
    );
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), first);
    env.ok(
        &[
            "export",
            CASE,
            "--format",
            "html",
            "--output",
            out.to_str().unwrap(),
            "--force",
        ],
        None,
    );
    assert!(text(&std::fs::read(&out).unwrap()).starts_with("<!DOCTYPE html>"));
    env.ok(&["verify"], None);

    let h = env.history(CASE);
    assert_eq!(h.len(), 2);
    assert_eq!(h[0]["format"], "md");
    assert_eq!(h[0]["author"], "alice");
    assert_eq!(h[0]["policy"], "default");
    let sent: Vec<&str> = h[0]["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // The internal testimony is not among them; the first event and the listed people are.
    let internal = &ids[12];
    assert!(!sent.contains(&internal.as_str()));
    assert!(sent.contains(&ids[5].as_str()), "the first event went out");
    assert!(sent.contains(&ids[0].as_str()), "the public prisoner is listed");
    assert_eq!(sent.len(), 9 + 5, "9 records and 5 people");
    assert_eq!(
        h[0]["extract"].as_str().unwrap(),
        blake3::hash(&first).to_hex().as_str(),
        "the log holds the hash of the extract written"
    );
}

#[test]
fn retracted_left_out_amended_latest_and_html_self_contained() {
    let env = Env::new();
    let ids = env.case(CASE, SAMPLE);
    // Amend the arrest event, retract the sentence event.
    let fix = write(
        env.root.as_path(),
        "fix.json",
        r#"{"type":"event","kind":"arrest","date":"2010-12-19","place":"Minsk","persons":["statkevich"],"text":"Seized by riot police near the square (corrected)."}"#,
    );
    env.ok(&["amend", &ids[5], "--from", fix.to_str().unwrap()], None);
    env.ok(&["retract", &ids[7], "--reason", "wrong date"], None);
    // A public person gets markup in free text: it must come out inert.
    let evil = r#"{"type":"note","text":"<img src=\"http://tracker.example/x.png\"> ![t](http://tracker.example/y.png) <script>alert(1)</script>"}"#;
    env.ok(&["add", CASE, "--from", "-"], Some(evil));
    let html = env.export(CASE, "html", &[]);
    assert!(html.contains("Seized by riot police"));
    assert!(!html.contains("Arrested after polls closed"));
    assert!(!html.contains("strict-regime colony"));
    assert!(
        !html.contains("<img") && !html.contains("<script"),
        "markup passed through"
    );
    for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap()) {
        let tag = tag
            .replace("http-equiv", "")
            .replace("default-src", "")
            .replace("style-src", "")
            .replace("img-src", "");
        assert!(
            !tag.contains("src") && !tag.contains("href") && !tag.contains("http"),
            "an external resource: <{tag}>"
        );
    }
    assert!(html.contains("default-src 'none'"));
    assert!(html.contains("@media print"));
    assert!(html.contains("class=\"timeline\""));
    let md = env.export(CASE, "md", &[]);
    // Every '<', '!' and '[' from the note is backslash-escaped: no image, no HTML.
    let note = md.lines().find(|l| l.contains("tracker")).unwrap();
    for (i, c) in note.char_indices() {
        if matches!(c, '<' | '!' | '[') {
            assert_eq!(&note[i - 1..i], "\\", "unescaped {c} in: {note}");
        }
    }
}

#[test]
fn policy_coarsens_drops_generalizes_and_masks() {
    let env = Env::new();
    env.case(CASE, SAMPLE);
    let policy = env.root.as_path().join("un.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/un-submission.toml"),
        &policy,
    )
    .unwrap();
    let extra = write(
        env.root.as_path(),
        "more.toml",
        "[dates]\nprecision = \"year\"\n[mask]\nwords = [\"KGB\"]\npatterns = ['strict-\\w+']\n[fields]\ndrop = [\"event.place\"]\n",
    );
    let md = env.export(CASE, "md", &["--policy", policy.to_str().unwrap()]);
    assert!(md.contains("2010-12") && !md.contains("2010-12-19"), "{md}");
    assert!(!md.contains("interviewer"), "{md}");
    assert!(
        md.contains("a pre\\-trial detention facility in Minsk")
            || md.contains("a pre-trial detention facility in Minsk"),
        "{md}"
    );
    assert!(!md.contains("## Notes"), "{md}");
    let md = env.export(CASE, "md", &["--policy", extra.to_str().unwrap()]);
    assert!(!md.contains("KGB") && md.contains("removed\\]"), "{md}");
    assert!(!md.contains("strict-regime"), "{md}");
    assert!(!md.contains("Independence Square"), "{md}");
    assert!(!md.contains("2010-12"), "{md}");
}

#[test]
fn demo_shows_a_clean_extract() {
    let out = common::run(common::bare(&["demo"]), None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("names and contacts in the extract: no\n"), "{s}");
    assert!(s.contains("| > The cell was unheated"), "{s}");
}

/// Review finding 12: a destination the extract cannot take is refused before
/// anything is written; no custody entry records an extract that does not exist.
#[test]
fn a_destination_that_cannot_take_the_extract_writes_nothing() {
    let env = Env::new();
    env.case(CASE, SAMPLE);
    let before = env.snapshot();
    let dir = env.path("a-directory");
    std::fs::create_dir(&dir).unwrap();
    let mut attempts: Vec<(PathBuf, bool, &str)> = vec![
        (dir.clone(), true, "is a directory"),
        (dir.clone(), false, "is a directory"),
        (env.path("no-such-dir/x.md"), false, "no such directory"),
    ];
    #[cfg(unix)]
    {
        let dangling = env.path("dangling.md");
        std::os::unix::fs::symlink(env.path("nowhere/at/all"), &dangling).unwrap();
        attempts.push((dangling.clone(), false, "symbolic link"));
        attempts.push((dangling, true, "symbolic link"));
    }
    for (out, force, why) in attempts {
        let mut args = vec!["export", CASE, "--format", "md", "--output", out.to_str().unwrap()];
        if force {
            args.push("--force");
        }
        let err = env.fails(&args, None);
        assert!(err.contains(why), "{args:?}: {err}");
    }
    assert_eq!(env.snapshot(), before, "a refused export wrote to the vault");
    assert!(
        env.history(CASE).is_empty(),
        "a custody entry for an extract that does not exist"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

/// Review finding 9: the vault's team members are never in an extract, even
/// where a record names them (an interviewer), written with dots or not.
#[test]
fn team_members_names_never_go_out() {
    let env = Env::new();
    let records = format!(
        "{SAMPLE}\n{}\n",
        r#"{"type":"testimony","witness":"w1","consent":"anonymized","interviewer":"Alice Novak","text":"Interview arranged by alice; the notes are with ALICE."}"#
    );
    env.case(CASE, &records);
    for format in FORMATS {
        let out = env.export(CASE, format, &[]);
        assert_absent(&out, "alice", format);
        assert!(out.contains("Team member A"), "{format}: {out}");
    }
}
