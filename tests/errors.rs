//! Every mistake a user can make gives one line on stderr — what happened and
//! what to do — and the right exit status: 1, or 2 for bad usage. Never a panic.
//!
//! Each test drives the real binary on a real vault in a temporary directory.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bare, run, text, Env};

/// A vault with one case and one note, owned by an unencrypted identity.
fn env() -> Env {
    let env = Env::new();
    env.ok(&["case", "new", "statkevich-2010"], None);
    env.note("statkevich-2010", "Visit refused.");
    env
}

fn passphrase_file(env: &Env, name: &str, passphrase: &str) -> PathBuf {
    let p = env.dir.path().join(name);
    std::fs::write(&p, format!("{passphrase}\n")).unwrap();
    p
}

/// Runs a command that must fail with `code` and one line on stderr holding every one of `want`.
fn fails_with(cmd: Command, stdin: Option<&str>, code: i32, want: &[&str]) -> String {
    let out = run(cmd, stdin);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
    if code == 1 {
        assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
        assert!(err.starts_with("dossier: "), "{err}");
    }
    for w in want {
        assert!(err.contains(w), "{w:?} not in: {err}");
    }
    assert!(out.stdout.is_empty(), "printed data on failure: {}", text(&out.stdout));
    err
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn missing_vault() {
    let env = env();
    let nowhere = env.dir.path().join("no-vault-here");
    let mut c = env.cmd(&["log", "statkevich-2010"]);
    c.env("DOSSIER_VAULT", &nowhere);
    fails_with(c, None, 1, &["no vault at", path(&nowhere), "dossier init", "--vault"]);
    // an empty directory is not a vault either
    let empty = env.dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    fails_with(
        env.cmd(&["--vault", path(&empty), "case", "list"]),
        None,
        1,
        &["no vault at", path(&empty)],
    );
}

#[test]
fn missing_identity() {
    let env = env();
    let mut c = env.cmd(&["log", "statkevich-2010"]);
    c.env_remove("DOSSIER_IDENTITY");
    fails_with(
        c,
        None,
        1,
        &["no identity given", "--identity", "DOSSIER_IDENTITY", "dossier keygen"],
    );
    let gone = env.dir.path().join("lost.key");
    fails_with(
        env.cmd(&["--identity", path(&gone), "log", "statkevich-2010"]),
        None,
        1,
        &[path(&gone), "no such file", "--identity"],
    );
    // a file that is not an identity
    let notes = env.dir.path().join("notes.txt");
    std::fs::write(&notes, "shopping list\n").unwrap();
    fails_with(
        env.cmd(&["--identity", path(&notes), "whoami"]),
        None,
        1,
        &[path(&notes)],
    );
}

#[test]
fn wrong_passphrase() {
    let env = env();
    let locked = env.dir.path().join("bob.key");
    let right = passphrase_file(&env, "right.txt", "correct horse battery staple");
    let mut c = bare(&["keygen", "--output", path(&locked)]);
    c.env("DOSSIER_PASSPHRASE_FILE", &right);
    assert!(run(c, None).status.success());
    let wrong = passphrase_file(&env, "wrong.txt", "incorrect horse");
    let mut c = env.cmd(&["--identity", path(&locked), "whoami"]);
    c.env("DOSSIER_PASSPHRASE_FILE", &wrong);
    fails_with(c, None, 1, &["wrong passphrase", path(&locked), "try again"]);
    // no terminal to ask on, and no passphrase file: say how to give it
    let c = env.cmd(&["--identity", path(&locked), "whoami"]);
    fails_with(c, None, 1, &["no terminal", "DOSSIER_PASSPHRASE_FILE"]);
    // the right one works
    let mut c = env.cmd(&["--identity", path(&locked), "whoami"]);
    c.env("DOSSIER_PASSPHRASE_FILE", &right);
    assert!(run(c, None).status.success());
}

#[test]
fn vault_locked() {
    let env = env();
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(env.vault.join("local/lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut c = env.cmd(&["add", "statkevich-2010", "--from", "-"]);
    c.env("DOSSIER_LOCK_TIMEOUT", "1");
    fails_with(
        c,
        Some(r#"{"type":"note","text":"blocked"}"#),
        1,
        &[
            "in use by another dossier process",
            "waited 1 s",
            "wait for the other command to finish",
        ],
    );
    lock.unlock().unwrap();
    env.ok(
        &["add", "statkevich-2010", "--from", "-"],
        Some(r#"{"type":"note","text":"after"}"#),
    );
}

#[test]
fn case_not_found() {
    let env = env();
    for args in [
        &["log", "statkevic-2010"][..],
        &["case", "show", "statkevic-2010"],
        &["export", "statkevic-2010", "--format", "md"],
    ] {
        fails_with(
            env.cmd(args),
            None,
            1,
            &["no case named 'statkevic-2010'", "dossier case list"],
        );
    }
    fails_with(
        env.cmd(&["add", "statkevic-2010", "--from", "-"]),
        Some(r#"{"type":"note","text":"x"}"#),
        1,
        &["statkevic-2010"],
    );
}

#[test]
fn record_not_found() {
    let env = env();
    for args in [
        &["show", "deadbeefdeadbeef"][..],
        &["retract", "deadbeefdeadbeef", "--reason", "typo"],
    ] {
        fails_with(
            env.cmd(args),
            None,
            1,
            &["no record deadbeefdeadbeef", "dossier log CASE"],
        );
    }
    fails_with(env.cmd(&["show", "dead"]), None, 1, &["'dead' is not a record id", "8"]);
}

#[test]
fn bad_usage_is_exit_2() {
    let env = env();
    for args in [
        &["lgo", "statkevich-2010"][..],
        &["add", "statkevich-2010", "note", "--from", "x.json"],
        &["export", "statkevich-2010", "--format", "pdf"],
        &["completions", "tcsh"],
    ] {
        let out = run(env.cmd(args), None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains("--help") && !err.contains("panicked"), "{err}");
    }
}

#[test]
fn add_without_from_and_without_a_terminal() {
    let env = env();
    // guided entry needs a terminal; a script gets exit 2 and the way to give JSON
    for args in [
        &["add", "statkevich-2010"][..],
        &["add", "statkevich-2010", "testimony"],
    ] {
        fails_with(
            env.cmd(args),
            Some(""),
            2,
            &["no terminal to ask on", "dossier add statkevich-2010 --from FILE"],
        );
        let out = run(env.cmd(args), Some(""));
        assert_eq!(text(&out.stderr).trim_end().lines().count(), 1);
    }
}

/// The disk filling up mid-write: a tiny tmpfs in a private mount namespace
/// (`unshare`, where the system allows it). The write fails with one line that
/// says the disk is full; what was there before is intact and still verifies.
#[test]
fn disk_full() {
    let env = env();
    let probe = Command::new("unshare").args(["-rm", "true"]).output();
    if !matches!(probe, Ok(ref o) if o.status.success()) {
        eprintln!("SKIPPED disk_full: `unshare -rm` is not available here (no user namespaces)");
        return;
    }
    let small = env.dir.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let big = env.dir.path().join("big.json");
    std::fs::write(&big, format!(r#"{{"type":"note","text":"{}"}}"#, "x".repeat(400_000))).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("dossier");
    let script = format!(
        "mount -t tmpfs -o size=300k tmpfs {dir} || exit 99
         export DOSSIER_VAULT={dir}/vault
         {bin} init 2>/dev/null && {bin} case new c1 2>/dev/null || exit 98
         {bin} add c1 --from {big}; echo \"exit=$?\" >&2
         {bin} verify >/dev/null 2>&1; echo \"verify=$?\" >&2",
        dir = path(&small),
        bin = bin.display(),
        big = path(&big),
    );
    let mut c = Command::new("unshare");
    c.args(["-rm", "sh", "-c", &script])
        .env("DOSSIER_IDENTITY", &env.key)
        .env_remove("DOSSIER_PASSPHRASE_FILE");
    let out = run(c, None);
    let err = text(&out.stderr);
    if out.status.code() == Some(99) {
        eprintln!("SKIPPED disk_full: cannot mount a tmpfs here: {err}");
        return;
    }
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].starts_with("dossier: ") && lines[0].contains("the disk is full"),
        "{err}"
    );
    assert!(lines[0].contains("nothing was acknowledged"), "{err}");
    assert_eq!(lines[1], "exit=1");
    assert_eq!(lines[2], "verify=0", "the vault was damaged by a full disk");
}

#[test]
fn disk_full_hint_names_the_fix() {
    let e = dossier::Error::Io {
        path: "objects/x".into(),
        source: std::io::Error::from_raw_os_error(28),
    };
    assert!(e.hint().unwrap().contains("disk is full"));
}
