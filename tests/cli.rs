//! Integration tests: the real `dossier` binary on real vaults in temp dirs.

mod common;

use std::path::{Path, PathBuf};

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

use common::{run, text, Env, CASE, SAMPLE};

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

#[test]
fn every_record_type_round_trips() {
    let env = Env::new();
    let ids = env.sample_case();
    assert_eq!(ids.len(), SAMPLE.lines().count());
    let log = env.log_json();
    assert_eq!(log.len(), ids.len());
    for (line, rec) in SAMPLE.lines().zip(&log) {
        let given: serde_json::Value = serde_json::from_str(line).unwrap();
        for (k, v) in given.as_object().unwrap() {
            assert_eq!(&rec[k], v, "field {k} of {line}");
        }
        for k in ["id", "type", "time", "author", "status"] {
            assert!(rec.get(k).is_some(), "{k} missing in {rec}");
        }
        assert_eq!(rec["status"], "current");
        assert_eq!(rec["author"], "alice");
    }
    // show finds each by an 8-digit prefix
    let shown: serde_json::Value = serde_json::from_str(&env.ok(&["--json", "show", &ids[11][..8]], None)).unwrap();
    assert_eq!(shown["type"], "testimony");
    assert_eq!(shown["case"], CASE);
    let human = env.ok(&["log", CASE], None);
    assert!(human.contains("Mikalai Statkevich"), "{human}");
}

#[test]
fn amend_and_retract_keep_history() {
    let env = Env::new();
    let ids = env.sample_case();
    let fix = write(
        env.dir.path(),
        "fix.json",
        r#"{"type":"event","kind":"sentence","date":"2011-05-27","place":"Minsk","persons":["statkevich"],"text":"Sentenced to six years (date corrected)."}"#,
    );
    env.ok(&["amend", &ids[7], "--from", fix.to_str().unwrap()], None);
    env.ok(&["retract", &ids[14], "--reason", "witness withdrew consent"], None);
    let log = env.log_json();
    assert_eq!(log[7]["status"], "amended");
    assert_eq!(log[7]["date"], "2011-05-27");
    assert_eq!(log[14]["status"], "retracted");
    let shown: serde_json::Value = serde_json::from_str(&env.ok(&["--json", "show", &ids[7]], None)).unwrap();
    assert_eq!(shown["history"].as_array().unwrap().len(), 2);
    assert_eq!(shown["history"][0]["record"]["date"], "2011-05-26");
    // a retracted record cannot be amended or retracted again
    env.fails(&["retract", &ids[14], "--reason", "again"], None);
    let note = write(env.dir.path(), "n.json", r#"{"type":"note","text":"x"}"#);
    env.fails(&["amend", &ids[14], "--from", note.to_str().unwrap()], None);
    // an amendment of another type is refused
    env.fails(&["amend", &ids[7], "--from", note.to_str().unwrap()], None);
    env.ok(&["verify"], None);
}

#[test]
fn bad_input_writes_nothing() {
    let env = Env::new();
    env.sample_case();
    let before = env.snapshot();
    let cases: &[(&str, &str)] = &[
        (
            r#"{"type":"note","text":"ok"}
{"type":"note","text":"x","colour":"red"}"#,
            "line 2",
        ),
        (r#"{"type":"memo","text":"x"}"#, "memo"),
        (r#"{"type":"note","text":"x","date":"2011-02-30"}"#, "date"),
        (r#"{"type":"note","text":"x","date":"19 Dec 2010"}"#, "date"),
        (r#"{"type":"testimony","witness":"w9","text":"x"}"#, "w9"),
        (
            r#"{"type":"event","kind":"arrest","persons":["statkevich","ghost"]}"#,
            "ghost",
        ),
        (
            r#"{"type":"testimony","witness":"w1","perpetrators":["nobody"]}"#,
            "nobody",
        ),
        (r#"{"type":"person","ref":"w1","name":"Someone Else"}"#, "already used"),
        (
            r#"{"type":"person","name":"A","ref":"x"}
{"type":"person","name":"B","ref":"x"}"#,
            "line 2",
        ),
        (
            r#"{"type":"document","name":"a","media_type":"b","size":1,"hash":"h","object":"o"}"#,
            "attach",
        ),
        (r#"{"type":"person","name":""}"#, "name"),
        (r#"{"type":"testimony","witness":"w1","consent":"maybe"}"#, "maybe"),
        (r#"{"type":"note","text":"unterminated"#, "line 1"),
        ("", "no record"),
    ];
    for (input, needle) in cases {
        let err = env.fails(&["add", CASE, "--from", "-"], Some(input));
        assert!(err.contains(needle), "{input}: {err}");
        assert_eq!(env.snapshot(), before, "{input} changed the vault");
    }
    // invalid UTF-8, from a file
    let p = env.dir.path().join("bad.jsonl");
    std::fs::write(
        &p,
        b"{\"type\":\"note\",\"text\":\"ok\"}\n{\"type\":\"note\",\"text\":\"\xff\xfe\"}\n",
    )
    .unwrap();
    let err = env.fails(&["add", CASE, "--from", p.to_str().unwrap()], None);
    assert!(err.contains("line 2") && err.contains("UTF-8"), "{err}");
    // unknown case, unknown record
    env.fails(
        &["add", "no-such-case", "--from", "-"],
        Some(r#"{"type":"note","text":"x"}"#),
    );
    env.fails(&["show", "deadbeefdeadbeef"], None);
    env.fails(&["case", "new", CASE], None);
    env.fails(&["case", "new", "bad name"], None);
    assert_eq!(env.snapshot(), before);
    // usage errors exit 2
    assert_eq!(env.run(&["add", CASE], None).status.code(), Some(2));
    assert_eq!(env.run(&["frobnicate"], None).status.code(), Some(2));
}

/// Strings planted in the case; none may appear in the vault in any form.
const PLANTED: &[&str] = &[
    "Hanna Kavalenka",
    "Kavalenka",
    "Ганна Каваленка",
    "Сяргей Дубко",
    "Marozava",
    "+375 29 555 01 23",
    "555 01 23",
    "hanna.k@example.org",
    "statkevich-2010",
    "stress-positions",
    "testimony",
    "Akrestsina",
    "guards opened the window",
];

fn forms(s: &str) -> Vec<Vec<u8>> {
    use base64::Engine;
    let utf16: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let utf16be: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    vec![
        s.as_bytes().to_vec(),
        s.to_lowercase().into_bytes(),
        utf16,
        utf16be,
        base64::engine::general_purpose::STANDARD.encode(s).into_bytes(),
    ]
}

fn find_planted(hay: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for s in PLANTED {
        for f in forms(s) {
            if f.len() >= 4 && hay.windows(f.len()).any(|w| w == &f[..]) {
                found.push(s.to_string());
            }
        }
    }
    found
}

#[test]
fn no_plaintext_at_rest() {
    let env = Env::new();
    env.sample_case();
    // positive control: the same search finds the markers in a plaintext dump
    let dump = env.ok(&["--json", "log", CASE], None);
    let control = find_planted(dump.as_bytes());
    assert!(control.len() >= 8, "the grep cannot find plaintext: {control:?}");
    let mut all = Vec::new();
    for entry in walk(&env.vault) {
        let name = entry.to_string_lossy().into_owned();
        all.extend(find_planted(name.as_bytes()));
        if entry.is_file() {
            all.extend(find_planted(&std::fs::read(&entry).unwrap()));
        }
    }
    assert!(all.is_empty(), "plaintext at rest: {all:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

#[test]
fn stock_age_opens_objects() {
    let env = Env::new();
    env.sample_case();
    if !common::age_available() {
        return;
    }
    let mut opened = 0;
    for (path, _) in env.snapshot() {
        let out = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&env.key)
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "age -d {}: {}", path.display(), text(&out.stderr));
        let plain = out.stdout;
        // CBOR map with readable keys: the format name is in clear in the plaintext
        assert!(
            find(&plain, b"dossier-segment") || find(&plain, b"dossier-head"),
            "{} is not a dossier object",
            path.display()
        );
        opened += 1;
    }
    assert!(opened >= 4);
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn stranger_reads_nothing() {
    let env = Env::new();
    env.sample_case();
    let stranger = env.dir.path().join("mallory.key");
    env.ok(
        &["keygen", "--no-passphrase", "--output", stranger.to_str().unwrap()],
        None,
    );
    for args in [
        &["log", CASE][..],
        &["case", "list"],
        &["search", "Kavalenka"],
        &["verify"],
    ] {
        let mut c = env.cmd(args);
        c.env("DOSSIER_IDENTITY", &stranger);
        let out = run(c, None);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(text(&out.stderr).contains("not a member"), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty());
    }
    if common::age_available() {
        for (path, _) in env.snapshot() {
            let out = Command::new("age")
                .arg("-d")
                .arg("-i")
                .arg(&stranger)
                .arg(&path)
                .output()
                .unwrap();
            assert!(!out.status.success(), "stranger opened {}", path.display());
        }
    }
}

#[test]
fn flipping_any_byte_is_detected() {
    let env = Env::new();
    env.sample_case();
    env.ok(&["verify"], None);
    let files = env.snapshot();
    for (path, bytes) in &files {
        let name = format!(
            "{}/{}",
            path.parent().unwrap().file_name().unwrap().to_string_lossy(),
            path.file_name().unwrap().to_string_lossy()
        );
        let positions = [0, 20, 60, bytes.len() / 2, bytes.len() - 20, bytes.len() - 1];
        for &at in &positions {
            let mut bad = bytes.clone();
            bad[at] ^= 0x20;
            std::fs::write(path, &bad).unwrap();
            let out = env.run(&["verify"], None);
            assert_eq!(out.status.code(), Some(1), "flip at {at} of {name} not detected");
            let said = text(&out.stdout) + &text(&out.stderr);
            assert!(said.contains(&name), "flip at {at}: {name} not named: {said}");
        }
        // truncated
        std::fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
        let out = env.run(&["verify"], None);
        assert_eq!(out.status.code(), Some(1));
        let said = text(&out.stdout) + &text(&out.stderr);
        assert!(said.contains(&name), "truncation of {name} not named: {said}");
        // deleted
        std::fs::remove_file(path).unwrap();
        let out = env.run(&["verify"], None);
        assert_eq!(out.status.code(), Some(1), "deletion of {name} not detected");
        if name.starts_with("objects/") {
            let said = text(&out.stdout) + &text(&out.stderr);
            assert!(said.contains(&name), "deletion of {name} not named: {said}");
        }
        std::fs::write(path, bytes).unwrap();
        env.ok(&["verify"], None);
    }
}

#[test]
fn unexpected_files_are_reported() {
    let env = Env::new();
    env.sample_case();
    let stray = env.vault.join("objects/0123456789abcdef0123456789abcdef");
    std::fs::write(&stray, b"junk").unwrap();
    let out = env.run(&["verify"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("0123456789abcdef0123456789abcdef"));
    std::fs::remove_file(&stray).unwrap();
    // a copy of a real object under another name: readable but listed by no head
    let (path, bytes) = env
        .snapshot()
        .into_iter()
        .find(|(p, _)| p.to_string_lossy().contains("objects"))
        .unwrap();
    let copy = path.with_file_name("fedcba9876543210fedcba9876543210");
    std::fs::write(&copy, bytes).unwrap();
    let out = env.run(&["verify"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("no head lists it"), "{}", text(&out.stdout));
}

#[test]
fn crash_at_every_write_step_loses_nothing_acknowledged() {
    let env = Env::new();
    env.sample_case();
    let mut acknowledged = env.log_json().len();
    for point in [
        "atomic-write-begin",
        "atomic-write-synced",
        "append-journaled",
        "append-segment-written",
        "append-head-written",
    ] {
        let mut c = env.cmd(&["add", CASE, "--from", "-"]);
        c.env("DOSSIER_FAILPOINT", point);
        let out = run(c, Some(r#"{"type":"note","text":"written during a crash"}"#));
        assert!(!out.status.success(), "{point}: the process did not die");
        // the next command sees a vault that reads and verifies
        env.ok(&["verify"], None);
        let now = env.log_json().len();
        assert!(now == acknowledged || now == acknowledged + 1, "{point}: {now} records");
        if point == "append-head-written" {
            assert_eq!(now, acknowledged + 1, "a write past its commit point was lost");
        }
        acknowledged = now;
        env.ok(
            &["add", CASE, "--from", "-"],
            Some(r#"{"type":"note","text":"after the crash"}"#),
        );
        acknowledged += 1;
        env.ok(&["verify"], None);
        assert_eq!(env.log_json().len(), acknowledged);
        // no temporary or journal file is left behind once a writer has run
        for p in walk(&env.vault) {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            assert!(!n.starts_with(".tmp-") && n != "journal", "{point}: {n} left behind");
        }
    }
}

#[test]
fn concurrent_writers_lose_nothing() {
    let env = Env::new();
    env.sample_case();
    let before = env.log_json().len();
    let children: Vec<_> = (0..4)
        .map(|i| {
            let c = env.cmd(&["--json", "add", CASE, "--from", "-"]);
            let lines: String = (0..5)
                .map(|j| format!("{{\"type\":\"note\",\"text\":\"writer {i} note {j}\"}}\n"))
                .collect();
            std::thread::spawn(move || run(c, Some(&lines)))
        })
        .collect();
    let mut acked = 0;
    for c in children {
        let out = c.join().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        acked += text(&out.stdout).lines().count();
    }
    assert_eq!(acked, 20);
    assert_eq!(env.log_json().len(), before + 20);
    env.ok(&["verify"], None);
}

#[test]
fn passphrase_identity_works_and_wrong_passphrase_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("p.key");
    let pass = write(dir.path(), "pass", "correct horse battery\n");
    let wrong = write(dir.path(), "wrong", "incorrect\n");
    let base = |args: &[&str], passfile: &Path| {
        let mut c = Command::cargo_bin("dossier").unwrap();
        c.args(args)
            .env("DOSSIER_VAULT", dir.path().join("v"))
            .env("DOSSIER_IDENTITY", &key)
            .env("DOSSIER_PASSPHRASE_FILE", passfile)
            .env("DOSSIER_TEST_SCRYPT_LOG_N", "10");
        run(c, None)
    };
    let out = base(&["keygen", "--output", key.to_str().unwrap()], &pass);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let raw = std::fs::read_to_string(&key).unwrap();
    assert!(raw.starts_with("-----BEGIN AGE ENCRYPTED FILE-----") && !raw.contains("AGE-SECRET-KEY"));
    assert!(base(&["init"], &pass).status.success());
    let out = base(&["--json", "whoami"], &pass);
    let who: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(who["recipient"].as_str().unwrap().starts_with("age1"));
    assert!(who["signing_key"].as_str().unwrap().starts_with("dossiersig1"));
    let out = base(&["case", "list"], &wrong);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("wrong passphrase"), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr).trim_end().lines().count(), 1);
    // keygen never overwrites
    assert_eq!(
        base(&["keygen", "--output", key.to_str().unwrap()], &pass)
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn stock_age_keygen_identity_is_accepted() {
    if !common::age_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.txt");
    assert!(Command::new("age-keygen")
        .arg("-o")
        .arg(&key)
        .output()
        .unwrap()
        .status
        .success());
    let mut c = Command::cargo_bin("dossier").unwrap();
    c.args(["init"])
        .env("DOSSIER_VAULT", dir.path().join("v"))
        .env("DOSSIER_IDENTITY", &key);
    assert!(run(c, None).status.success());
}

#[test]
fn search_finds_text_in_any_case() {
    let env = Env::new();
    env.sample_case();
    let out = env.ok(&["--json", "search", "STRESS positions"], None);
    assert!(out.contains("\"type\":\"testimony\""), "{out}");
    let out = env.ok(&["--json", "search", "akrestsina", "--case", CASE], None);
    assert_eq!(out.lines().count(), 1);
    env.fails(&["search", "x", "--case", "nope"], None);
}

#[test]
fn demo_runs() {
    let mut c = Command::cargo_bin("dossier").unwrap();
    c.arg("demo").env_remove("DOSSIER_VAULT");
    let out = run(c, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("FAILED, as it should") && s.contains(": no\n"), "{s}");
}

#[test]
fn head_size_does_not_count_writes() {
    struct NoPass;
    impl dossier::crypto::identity::PassphraseSource for NoPass {
        fn passphrase(&mut self, _: &str, _: bool) -> dossier::Result<secrecy::SecretString> {
            unreachable!("the test identity has no passphrase")
        }
    }
    let env = Env::new();
    env.ok(&["case", "new", "c"], None);
    let id = dossier::crypto::identity::Identity::load(&env.key, &mut NoPass).unwrap();
    // Plaintext sizes of the heads (age's own random grease stanza varies the
    // ciphertext by a few dozen bytes whatever we do; the plaintext must not vary).
    let sizes = || -> Vec<usize> {
        let mut v: Vec<usize> = std::fs::read_dir(env.vault.join("heads"))
            .unwrap()
            .map(|e| {
                let bytes = std::fs::read(e.unwrap().path()).unwrap();
                match dossier::crypto::seal::open(id.age_identity(), &bytes, 1 << 20) {
                    dossier::crypto::seal::Opened::Plain(p) => p.len(),
                    _ => panic!("head does not open"),
                }
            })
            .collect();
        v.sort();
        v
    };
    let before = sizes();
    for i in 0..12 {
        env.ok(
            &["add", "c", "--from", "-"],
            Some(&format!("{{\"type\":\"note\",\"text\":\"n{i}\"}}")),
        );
    }
    assert_eq!(sizes(), before, "a head's size grew with the number of writes");
    assert!(
        before.iter().all(|&n| n == 1024 || n == 1023),
        "{before:?} not at a bucket"
    );
}

#[test]
fn case_list_and_show_report_the_case() {
    let env = Env::new();
    env.ok(&["case", "list"], None);
    let ids = env.sample_case();
    env.ok(&["retract", &ids[14], "--reason", "duplicate"], None);
    let listed: serde_json::Value = serde_json::from_str(env.ok(&["--json", "case", "list"], None).trim()).unwrap();
    assert_eq!(listed["case"], CASE);
    assert_eq!(listed["records"], 14);
    assert_eq!(listed["members"], serde_json::json!(["alice"]));
    assert!(env
        .ok(&["case", "list"], None)
        .contains("Mikalai Statkevich, 2010 crackdown"));
    let shown: serde_json::Value = serde_json::from_str(&env.ok(&["--json", "case", "show", CASE], None)).unwrap();
    assert_eq!(
        (shown["records"].as_u64(), shown["retracted"].as_u64()),
        (Some(14), Some(1))
    );
    let human = env.ok(&["log", CASE], None);
    assert!(human.contains("(RETRACTED)"), "{human}");
    env.fails(&["case", "show", "no-such-case"], None);
}

#[test]
fn verify_one_case_checks_that_case() {
    let env = Env::new();
    env.sample_case();
    env.ok(&["case", "new", "other"], None);
    env.ok(
        &["add", "other", "--from", "-"],
        Some(r#"{"type":"note","text":"other case"}"#),
    );
    let report: serde_json::Value = serde_json::from_str(&env.ok(&["--json", "verify", CASE], None)).unwrap();
    assert_eq!(report["ok"], true);
    let logs: Vec<&str> = report["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["log"].as_str().unwrap())
        .collect();
    assert_eq!(logs, ["roster", "case statkevich-2010"]);
    // damage only the other case: verify CASE still passes, verify of it and of all fail
    let before = env.snapshot();
    env.ok(
        &["add", "other", "--from", "-"],
        Some(r#"{"type":"note","text":"second"}"#),
    );
    let newest = env
        .snapshot()
        .into_keys()
        .find(|p| !before.contains_key(p) && p.to_string_lossy().contains("objects"))
        .unwrap();
    std::fs::remove_file(&newest).unwrap();
    env.ok(&["verify", CASE], None);
    env.fails(&["log", "other"], None);
    assert_eq!(env.run(&["verify", "other"], None).status.code(), Some(1));
    assert_eq!(env.run(&["verify"], None).status.code(), Some(1));
}

#[test]
fn a_held_lock_gives_one_clear_line_and_writes_nothing() {
    let env = Env::new();
    env.sample_case();
    let before = env.snapshot();
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(env.vault.join("local/lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut c = env.cmd(&["add", CASE, "--from", "-"]);
    c.env("DOSSIER_LOCK_TIMEOUT", "1");
    let out = run(c, Some(r#"{"type":"note","text":"blocked"}"#));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("in use by another dossier process") && err.trim_end().lines().count() == 1,
        "{err}"
    );
    assert_eq!(env.snapshot(), before);
    lock.unlock().unwrap();
    env.ok(&["add", CASE, "--from", "-"], Some(r#"{"type":"note","text":"after"}"#));
}

#[test]
fn leftover_temporary_files_are_ignored_then_removed() {
    let env = Env::new();
    env.sample_case();
    let stray = env.vault.join("objects/.tmp-KILLED");
    std::fs::write(&stray, b"half-written ciphertext").unwrap();
    env.ok(&["verify"], None);
    env.ok(&["log", CASE], None);
    assert!(stray.exists(), "a reader removed a file");
    env.ok(&["add", CASE, "--from", "-"], Some(r#"{"type":"note","text":"x"}"#));
    assert!(!stray.exists(), "the next writer left the temporary file");
    env.ok(&["verify"], None);
}

/// Every file and directory of the vault is dated 2000-01-01 (FORMAT §2), so
/// that a copy (`cp -a`, `tar`, a backup) does not tell when each record was
/// written or read; git's own working files under `local/sync/` excepted.
#[test]
fn vault_files_carry_no_dates() {
    use std::os::unix::fs::MetadataExt;
    let env = Env::new();
    env.sample_case();
    let doc = write(env.dir.path(), "scan.txt", "a scanned page\n");
    env.ok(&["attach", CASE, doc.to_str().unwrap(), "--note", "scan"], None);
    env.note(CASE, "one more");
    env.ok(&["rotate", CASE], None);
    env.log_json();
    env.ok(&["search", "cold"], None);
    let mut seen = 0;
    let mut dated = Vec::new();
    let mut all = walk(&env.vault);
    all.extend(["", "heads", "objects", "local"].map(|d| env.vault.join(d)));
    for p in all {
        let m = std::fs::metadata(&p).unwrap();
        seen += 1;
        if m.mtime() != 946_684_800 {
            dated.push(format!("{} {}", p.display(), m.mtime()));
        }
    }
    assert!(seen > 20, "{seen}");
    assert!(dated.is_empty(), "dated: {dated:#?}");
}

/// A record holding terminal escape sequences (a turned member could write
/// one to rewrite what a colleague's terminal shows, or set its clipboard)
/// is shown with them made visible, never sent raw to the terminal; JSON
/// keeps the text exact.
#[test]
fn escape_sequences_in_records_are_shown_not_obeyed() {
    let env = Env::new();
    env.ok(&["case", "new", CASE], None);
    let hostile = "cold cell \u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{1b}[8mhidden\r\u{9b}0m end";
    let line = serde_json::json!({"type": "note", "text": hostile}).to_string();
    env.ok(&["add", CASE, "--from", "-"], Some(&line));
    let id = env.log_json()[0]["id"].as_str().unwrap().to_string();
    for args in [vec!["log", CASE], vec!["show", &id], vec!["search", "cold"]] {
        let out = env.ok(&args, None);
        assert!(out.contains("cold cell"), "{args:?}: {out}");
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{9b}') && !out.contains('\r'),
            "{args:?}: {out:?}"
        );
        assert!(out.contains('␛'), "{args:?}: {out}");
    }
    // Positive control: the JSON output carries the exact text, with no
    // control character raw.
    assert_eq!(env.log_json()[0]["text"], hostile);
    let raw = env.ok(&["--json", "log", CASE], None);
    assert!(
        raw.contains("\\u009b") && !raw.contains('\u{9b}') && !raw.contains('\u{1b}'),
        "{raw:?}"
    );
}

/// A vault on read-only media (a write-protected stick, a read-only mount of
/// seized evidence) is read, searched and verified; a write is refused in one
/// line. The vault is bind-mounted read-only in a private mount namespace
/// (`unshare -m`, as root, as CI runs; outside CI, where that is forbidden,
/// the test says SKIPPED on stderr).
#[test]
fn a_vault_on_read_only_media_is_read() {
    let env = Env::new();
    env.sample_case();
    let want = env.ok(&["log", CASE], None);
    let record = write(
        &env.root,
        "note.json",
        r#"{"type": "note", "text": "on read-only media"}"#,
    );
    let bin = assert_cmd::cargo::cargo_bin("dossier");
    let under_ro = |args: &str| {
        let v = env.vault.display();
        let script = format!("mount --bind -o ro {v} {v} && exec {} {args}", bin.display());
        let c = env.cmd(&[]);
        let mut u = Command::new("unshare");
        u.args(["-m", "sh", "-c", &script]).current_dir(&env.root);
        for (k, val) in c.get_envs() {
            match val {
                Some(val) => u.env(k, val),
                None => u.env_remove(k),
            };
        }
        run(u, None)
    };
    let probe = under_ro("--version");
    if !probe.status.success() {
        // CI machines here allow mount namespaces: there the test must run.
        assert!(
            std::env::var_os("CI").is_none(),
            "cannot bind-mount read-only under CI: {}",
            text(&probe.stderr)
        );
        eprintln!("SKIPPED: cannot bind-mount read-only here: {}", text(&probe.stderr));
        return;
    }
    for with_lock_file in [true, false] {
        if !with_lock_file {
            std::fs::remove_file(env.vault.join("local/lock")).unwrap();
        }
        let before = common::snapshot(&env.vault);
        let out = under_ro(&format!("log {CASE}"));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), want);
        let dry = format!("export {CASE} --format md --dry-run");
        for args in ["search cold", "verify", "case list", dry.as_str()] {
            let out = under_ro(args);
            assert!(out.status.success(), "{args}: {}", text(&out.stderr));
        }
        let out = under_ro(&format!("add {CASE} --from {}", record.display()));
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert!(err.contains("Read-only file system"), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert_eq!(common::snapshot(&env.vault), before);
    }
}

/// An extract printed to a terminal would carry a record's escape sequences
/// as they are (its bytes are what custody records): it is refused there,
/// before any custody entry, and goes out whole to a file or a pipe.
#[test]
fn an_extract_with_escape_sequences_is_not_printed_to_a_terminal() {
    let env = Env::new();
    env.ok(&["case", "new", CASE], None);
    let line = serde_json::json!({"type": "note", "text": "cell \u{1b}]52;c;aGk=\u{7} cold"}).to_string();
    env.ok(&["add", CASE, "--from", "-"], Some(&line));
    let before = env.snapshot();
    let seen = common::on_terminal(env.cmd(&["export", CASE, "--format", "md"]));
    assert!(seen.contains("control characters a terminal would obey"), "{seen}");
    assert!(!seen.contains('\u{1b}'), "{seen:?}");
    assert_eq!(env.snapshot(), before, "something was written");
    // To a pipe it goes out, escapes and all, as custody records.
    let md = env.ok(&["export", CASE, "--format", "md"], None);
    assert!(md.contains("cell \u{1b}"), "{md:?}");
}
