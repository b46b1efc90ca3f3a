//! Roll-back and deletion: invisible to signatures, caught by a checkpoint kept elsewhere.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use assert_cmd::cargo::CommandCargoExt;

struct Env {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let env = Env { _dir: dir, root };
        let key = env.root.join("alice.key");
        env.ok(&["keygen", "--no-passphrase", "--output", key.to_str().unwrap()], None);
        env.ok(&["init", "--name", "alice"], None);
        env
    }

    fn vault(&self) -> PathBuf {
        self.root.join("vault")
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        use std::io::Write;
        let mut child = Command::cargo_bin("dossier")
            .unwrap()
            .args(args)
            .env("DOSSIER_VAULT", self.vault())
            .env("DOSSIER_IDENTITY", self.root.join("alice.key"))
            .env_remove("DOSSIER_PASSPHRASE_FILE")
            .env_remove("DOSSIER_FAILPOINT")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        {
            let mut pipe = child.stdin.take().unwrap();
            if let Some(s) = stdin {
                pipe.write_all(s.as_bytes()).unwrap();
            }
        }
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    fn note(&self, case: &str, body: &str) {
        let rec = serde_json::json!({"type": "note", "text": body}).to_string();
        self.ok(&["add", case, "--from", "-"], Some(&rec));
    }

    /// `verify` with these arguments: its exit code and stdout.
    fn verify(&self, args: &[&str]) -> (Option<i32>, String) {
        let mut all = vec!["verify"];
        all.extend_from_slice(args);
        let out = self.run(&all, None);
        (out.status.code(), text(&out.stdout))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

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
    let before: Vec<PathBuf> = files(&env.vault());
    env.ok(&["case", "new", "c1"], None);
    env.note("c1", "evidence");
    let token = env.ok(&["checkpoint", "c1"], None).trim().to_string();
    // Remove every file the case added. (The roster was not written to.)
    for f in files(&env.vault()) {
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

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for area in ["heads", "objects"] {
        for e in std::fs::read_dir(dir.join(area)).unwrap() {
            out.push(e.unwrap().path());
        }
    }
    out
}
