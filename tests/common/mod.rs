//! What several integration test files share: a vault in a temp dir with
//! alice's identity, and the real binary run on it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use assert_cmd::cargo::CommandCargoExt;

pub struct Env {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl Env {
    /// A vault at `ROOT/vault` owned by alice (`ROOT/alice.key`, no passphrase).
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let env = Env { _dir: dir, root };
        let key = env.root.join("alice.key");
        env.ok(&["keygen", "--no-passphrase", "--output", key.to_str().unwrap()], None);
        env.ok(&["init", "--name", "alice"], None);
        env
    }

    pub fn vault(&self) -> PathBuf {
        self.root.join("vault")
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("dossier").unwrap();
        c.args(args)
            .env("DOSSIER_VAULT", self.vault())
            .env("DOSSIER_IDENTITY", self.root.join("alice.key"))
            .env("DOSSIER_LOCK_TIMEOUT", "20")
            .env_remove("DOSSIER_PASSPHRASE_FILE")
            .env_remove("DOSSIER_FAILPOINT")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        run(self.cmd(args), stdin)
    }

    pub fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    pub fn note(&self, case: &str, body: &str) {
        let rec = serde_json::json!({"type": "note", "text": body}).to_string();
        self.ok(&["add", case, "--from", "-"], Some(&rec));
    }

    /// `verify` with these arguments: its exit code, and stdout with stderr.
    pub fn verify(&self, args: &[&str]) -> (Option<i32>, String) {
        let mut all = vec!["verify"];
        all.extend_from_slice(args);
        let out = self.run(&all, None);
        (out.status.code(), text(&out.stdout) + &text(&out.stderr))
    }

    /// The vault's head and object files.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for area in ["heads", "objects"] {
            for e in std::fs::read_dir(self.vault().join(area)).unwrap() {
                out.push(e.unwrap().path());
            }
        }
        out.sort();
        out
    }
}

/// Runs a command with `stdin` written to it, and waits.
pub fn run(mut cmd: Command, stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = cmd.spawn().unwrap();
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            // A command may exit without reading its input (a refusal); that is its answer.
            let _ = pipe.write_all(s.as_bytes());
        }
    }
    child.wait_with_output().unwrap()
}

pub fn copy_dir(from: &Path, to: &Path) {
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
