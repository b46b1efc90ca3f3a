//! Roll-back and deletion: invisible to signatures, caught by a checkpoint kept elsewhere.

mod common;

use std::path::PathBuf;

use common::{copy_dir, text, Env};

#[test]
fn a_rolled_back_vault_verifies_alone_and_fails_against_a_checkpoint() {
    let env = Env::new();
    env.ok(&["case", "new", "c1"], None);
    env.note("c1", "first");
    let old = env.root.join("old-copy");
    copy_dir(&env.vault(), &old);
    env.note("c1", "second, to be rolled back");
    let token = env.ok(&["checkpoint", "c1"], None).trim().to_string();
    assert!(token.starts_with("dossiercp1"), "{token}");

    // Today's vault holds everything the checkpoint saw.
    assert_eq!(env.verify(&["--checkpoint", &token]).0, Some(0));
    assert_eq!(env.verify(&["c1", "--checkpoint", &token]).0, Some(0));
    env.note("c1", "third, after the checkpoint");
    assert_eq!(env.verify(&["--checkpoint", &token]).0, Some(0));

    // The adversary puts back the older copy: every signature still holds.
    std::fs::remove_dir_all(env.vault()).unwrap();
    copy_dir(&old, &env.vault());
    let (code, out) = env.verify(&[]);
    assert_eq!(code, Some(0), "a roll-back is not visible without a checkpoint: {out}");
    let (code, out) = env.verify(&["--checkpoint", &token]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("rolled back"), "{out}");
    let json = env.run(&["--json", "verify", "--checkpoint", &token], None);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["checkpoint"]["ok"], false);
}

#[test]
fn a_deleted_case_is_caught_by_its_checkpoint() {
    let env = Env::new();
    let before: Vec<PathBuf> = env.files();
    env.ok(&["case", "new", "c1"], None);
    env.note("c1", "evidence");
    let token = env.ok(&["checkpoint", "c1"], None).trim().to_string();
    // Remove every file the case added. (The roster was not written to.)
    for f in env.files() {
        if !before.contains(&f) {
            std::fs::remove_file(f).unwrap();
        }
    }
    assert_eq!(env.verify(&[]).0, Some(0));
    let (code, out) = env.verify(&["--checkpoint", &token]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("not in this vault"), "{out}");
}

#[test]
fn foreign_and_mistyped_checkpoints_are_refused_in_one_line() {
    let a = Env::new();
    a.ok(&["case", "new", "c1"], None);
    let token = a.ok(&["checkpoint", "c1"], None).trim().to_string();
    let b = Env::new();
    let out = b.run(&["verify", "--checkpoint", &token], None);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("not signed by anyone who was ever a member"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1);

    let mut typo = token.into_bytes();
    let i = typo.len() - 3;
    typo[i] = if typo[i] == b'q' { b'p' } else { b'q' };
    let out = a.run(&["verify", "--checkpoint", std::str::from_utf8(&typo).unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("mistyped"), "{}", text(&out.stderr));
}
