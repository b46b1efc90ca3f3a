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
    // This copy remembers the case's head: its loss is seen without a token.
    let (code, out) = env.verify(&[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("missing") && out.contains("case 'c1'"), "{out}");
    let err = env.fails(&["log", "c1"], None);
    assert!(err.contains("missing"), "{err}");

    // An adversary who also wipes that memory leaves only the token to tell.
    for f in std::fs::read_dir(env.vault().join("local")).unwrap() {
        let f = f.unwrap();
        if f.file_name().to_string_lossy().starts_with("marks-") {
            std::fs::remove_file(f.path()).unwrap();
        }
    }
    assert_eq!(env.verify(&[]).0, Some(0));
    let (code, out) = env.verify(&["--checkpoint", &token]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("not in this vault"), "{out}");
}

#[test]
fn a_head_put_back_alone_is_caught_by_this_copys_marks() {
    let env = Env::new();
    env.ok(&["case", "new", "khalil-detention-2024"], None);
    env.note("khalil-detention-2024", "first");
    let older = common::head_files(&env.vault());
    env.note("khalil-detention-2024", "second, to be rolled back");
    for (p, b) in &older {
        std::fs::write(p, b).unwrap();
    }
    let (code, out) = env.verify(&["khalil-detention-2024"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("rolled back"), "{out}");
    let err = env.fails(&["log", "khalil-detention-2024"], None);
    assert!(err.contains("rolled back"), "{err}");

    // The marks are sealed: nothing of the case is readable in them.
    let marks: Vec<PathBuf> = std::fs::read_dir(env.vault().join("local"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("marks-"))
        .collect();
    assert_eq!(marks.len(), 1);
    let bytes = std::fs::read(&marks[0]).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    assert!(!bytes.windows(21).any(|w| w == b"khalil-detention-2024"));
}

#[test]
fn foreign_and_mistyped_checkpoints_are_refused_in_one_line() {
    let a = Env::new();
    a.ok(&["case", "new", "khalil-detention-2024"], None);
    let token = a.ok(&["checkpoint", "khalil-detention-2024"], None).trim().to_string();
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
