//! The cached case state (docs/FORMAT.md §17.6): `add` folds only what was
//! written since its cache, and never trusts a cache that no longer matches
//! the files. Debug builds say how `add` read the case in the file that
//! `DOSSIER_STATE_REPORT` names ("resumed" or "full"); the outcome must be
//! what a full read gives either way: the same refusals, the same records.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{run, text, Env};

const C: &str = "c1";

/// `add` of one note (or JSON record) to `case`, with the report file set;
/// returns the output and how the case was read.
fn add(env: &Env, case: &str, record: &str) -> (std::process::Output, String) {
    let report = env.root.join("report");
    let _ = std::fs::remove_file(&report);
    let mut c = env.cmd(&["add", case, "--from", "-"]);
    c.env("DOSSIER_STATE_REPORT", &report);
    let out = run(c, Some(record));
    let how = std::fs::read_to_string(&report).unwrap_or_default();
    (out, how.trim().to_string())
}

fn note(text: &str) -> String {
    serde_json::json!({"type": "note", "text": text}).to_string()
}

/// Adds a note that must succeed; returns how the case was read.
fn add_ok(env: &Env, case: &str, record: &str) -> String {
    let (out, how) = add(env, case, record);
    assert!(out.status.success(), "add failed: {}", text(&out.stderr));
    how
}

fn texts(env: &Env, case: &str) -> Vec<String> {
    env.ok(&["--json", "log", case], None)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["text"].as_str().or(v["name"].as_str()).unwrap_or("").to_string()
        })
        .collect()
}

fn objects(vault: &Path) -> BTreeSet<PathBuf> {
    std::fs::read_dir(vault.join("objects"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

/// A case with a person and some notes, its state cached and resumed.
fn warm() -> Env {
    let env = Env::new();
    env.ok(&["case", "new", C], None);
    let person = r#"{"type":"person","ref":"w","name":"Witness W","role":"witness"}"#;
    assert_eq!(add_ok(&env, C, person), "full");
    for i in 0..3 {
        assert_eq!(add_ok(&env, C, &note(&format!("note {i}"))), "resumed", "note {i}");
    }
    env
}

/// Appends resume from the cache, their reference checks included, and give
/// the records, chain and signatures a full read gives.
#[test]
fn adds_resume_from_the_cached_state_and_check_references() {
    let env = warm();
    let testimony = r#"{"type":"testimony","witness":"w","consent":"internal","text":"seen"}"#;
    assert_eq!(add_ok(&env, C, testimony), "resumed");
    // Refusals read from the cache are those of a full read.
    let (out, how) = add(
        &env,
        C,
        r#"{"type":"testimony","witness":"x","consent":"internal","text":"t"}"#,
    );
    assert_eq!(
        (out.status.code(), how.as_str()),
        (Some(1), "resumed"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("no person with ref 'x'"),
        "{}",
        text(&out.stderr)
    );
    let (out, _) = add(
        &env,
        C,
        r#"{"type":"person","ref":"w","name":"Again","role":"witness"}"#,
    );
    assert!(
        text(&out.stderr).contains("ref 'w' is already used"),
        "{}",
        text(&out.stderr)
    );
    // A person retracted since the cache no longer defines its ref.
    let log = env.ok(&["--json", "log", C], None);
    let person: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    env.ok(&["retract", person["id"].as_str().unwrap(), "--reason", "wrong"], None);
    let (out, _) = add(&env, C, testimony);
    assert!(
        text(&out.stderr).contains("no person with ref 'w'"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(add_ok(&env, C, &note("after the retraction")), "resumed");
    assert_eq!(
        texts(&env, C),
        [
            "Witness W",
            "note 0",
            "note 1",
            "note 2",
            "seen",
            "after the retraction"
        ]
    );
    assert_eq!(env.verify(&[]).0, Some(0));
}

/// A segment changed, removed, or replaced by another case's since it was
/// cached: `add` refuses as a full read refuses, and writes nothing.
#[test]
fn a_file_changed_removed_or_from_another_case_is_never_trusted() {
    for how in ["flip", "remove", "other-case"] {
        let env = warm();
        let before = objects(&env.vault);
        add_ok(&env, C, &note("marked"));
        let marked = objects(&env.vault).difference(&before).next().unwrap().clone();
        add_ok(&env, C, &note("one more"));
        env.ok(&["case", "new", "c2"], None);
        let other_before = objects(&env.vault);
        env.note("c2", "elsewhere");
        let other = objects(&env.vault).difference(&other_before).next().unwrap().clone();
        match how {
            "flip" => {
                let mut b = std::fs::read(&marked).unwrap();
                let at = b.len() / 2;
                b[at] ^= 1;
                std::fs::write(&marked, b).unwrap();
            }
            "remove" => std::fs::remove_file(&marked).unwrap(),
            _ => std::fs::copy(&other, &marked).map(|_| ()).unwrap(),
        }
        let files = env.snapshot();
        let (out, report) = add(&env, C, &note("refused"));
        assert_eq!(out.status.code(), Some(1), "{how}: {}", text(&out.stderr));
        assert_eq!(report, "full", "{how}");
        assert_eq!(text(&out.stderr).trim_end().lines().count(), 1, "{how}");
        let full = env.run(&["log", C], None);
        assert_eq!(full.status.code(), Some(1), "{how}: log accepts what add refused");
        let mut after = env.snapshot();
        after.retain(|p, _| !p.starts_with(env.vault.join("local")));
        let mut files = files;
        files.retain(|p, _| !p.starts_with(env.vault.join("local")));
        assert_eq!(after, files, "{how}: a refused add wrote");
    }
}

/// A head put back from before the cache: the marks refuse it, cache or not.
#[test]
fn a_rolled_back_head_is_refused() {
    let env = warm();
    let heads = common::head_files(&env.vault);
    add_ok(&env, C, &note("later"));
    add_ok(&env, C, &note("later still"));
    for (path, bytes) in &heads {
        std::fs::write(path, bytes).unwrap();
    }
    let (out, _) = add(&env, C, &note("on the old head"));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("rolled back"), "{}", text(&out.stderr));
}

/// Rotation seals every file anew (new bytes, same records): the cache no
/// longer matches and the next `add` reads in full, then resumes again.
#[test]
fn a_resealed_rotation_falls_back_to_a_full_read() {
    let env = warm();
    env.ok(&["rotate", C], None);
    assert_eq!(add_ok(&env, C, &note("after rotation")), "full");
    assert_eq!(add_ok(&env, C, &note("and after")), "resumed");
    assert_eq!(
        texts(&env, C),
        ["Witness W", "note 0", "note 1", "note 2", "after rotation", "and after"]
    );
    assert_eq!(env.verify(&[]).0, Some(0));
}

/// Two copies written apart and joined (as `sync` joins them): entries
/// written beside the cached history are a fork, read in full; the next
/// append joins both branches; everything verifies.
#[test]
fn a_fork_beside_the_cached_history_falls_back_to_a_full_read() {
    let env = warm();
    let other = env.root.join("other");
    common::copy_dir(&env.vault, &other);
    std::fs::write(other.join("local/device"), "0123456789abcdef0123456789abcdef\n").unwrap();
    // This copy moves on (the cache now names its newest tip)...
    add_ok(&env, C, &note("here 1"));
    add_ok(&env, C, &note("here 2"));
    // ... and the other copy writes beside it.
    let before = objects(&other);
    let mut c = common::bare(&["add", C, "--from", "-"]);
    c.env("DOSSIER_VAULT", &other).env("DOSSIER_IDENTITY", &env.key);
    let out = run(c, Some(&note("there")));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let heads_here: BTreeSet<PathBuf> = common::head_files(&env.vault).into_keys().collect();
    for (path, bytes) in common::head_files(&other) {
        let here = env.vault.join("heads").join(path.file_name().unwrap());
        if !heads_here.contains(&here) {
            std::fs::write(here, bytes).unwrap();
        }
    }
    for path in objects(&other).difference(&before) {
        std::fs::copy(path, env.vault.join("objects").join(path.file_name().unwrap())).unwrap();
    }
    assert_eq!(add_ok(&env, C, &note("joined")), "full");
    assert_eq!(add_ok(&env, C, &note("after the join")), "resumed");
    let mut got = texts(&env, C);
    got.sort();
    let mut want: Vec<String> = [
        "Witness W",
        "note 0",
        "note 1",
        "note 2",
        "here 1",
        "here 2",
        "there",
        "joined",
        "after the join",
    ]
    .map(String::from)
    .to_vec();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(env.verify(&[]).0, Some(0));
}

/// The cache lives only in this identity's pack: deleting every pack file
/// costs a full read, nothing else; a damaged one is not trusted.
#[test]
fn a_lost_or_damaged_cache_costs_a_full_read() {
    let env = warm();
    let packs: Vec<PathBuf> = std::fs::read_dir(env.vault.join("local"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("pack-"))
        .collect();
    for p in &packs {
        let mut b = std::fs::read(p).unwrap();
        let at = b.len() - 1;
        b[at] ^= 1;
        std::fs::write(p, b).unwrap();
    }
    assert_eq!(add_ok(&env, C, &note("damaged cache")), "full");
    assert_eq!(add_ok(&env, C, &note("rebuilt")), "resumed");
    assert_eq!(env.verify(&[]).0, Some(0));
}

/// kill -9 while the state is written or replaced (and at each pack
/// write): nothing acknowledged is lost, the next `add` works, and the
/// vault verifies.
#[test]
fn a_crash_during_a_state_update_loses_nothing() {
    for point in ["state-replaced", "pack-written", "pack-written:2"] {
        let env = warm();
        let mut died = 0;
        for i in 0..4 {
            let mut c = env.cmd(&["add", C, "--from", "-"]);
            c.env("DOSSIER_FAILPOINT", point);
            let out = run(c, Some(&note(&format!("crash {i}"))));
            if !out.status.success() {
                assert_eq!(out.status.code(), None, "{point}: {}", text(&out.stderr));
                died += 1;
            }
            add_ok(&env, C, &note(&format!("after {i}")));
        }
        assert!(died > 0, "{point}: never reached");
        let got = texts(&env, C);
        for i in 0..4 {
            assert!(got.contains(&format!("after {i}")), "{point}: {got:?}");
        }
        assert_eq!(env.verify(&[]).0, Some(0), "{point}");
    }
}
