//! What the integration test files share: a vault in a temp dir with alice's
//! identity, and the real binary run on it with none of the user's settings.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use assert_cmd::cargo::CommandCargoExt;

/// The shared sample case, built to catch leaks, and its id.
pub const SAMPLE: &str = include_str!("../data/sample-case.jsonl");
pub const CASE: &str = "statkevich-2010";

pub struct Env {
    pub dir: tempfile::TempDir,
    /// The temp dir's path.
    pub root: PathBuf,
    /// alice's identity file, unencrypted.
    pub key: PathBuf,
    pub vault: PathBuf,
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The binary with none of the user's own settings, stdio piped.
pub fn bare(args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("dossier").unwrap();
    c.args(args)
        .env("DOSSIER_LOCK_TIMEOUT", "20")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for v in [
        "DOSSIER_VAULT",
        "DOSSIER_IDENTITY",
        "DOSSIER_PASSPHRASE_FILE",
        "DOSSIER_NEW_PASSPHRASE_FILE",
        "DOSSIER_FAILPOINT",
        "DOSSIER_IOFAULT",
    ] {
        c.env_remove(v);
    }
    c
}

impl Env {
    /// A vault at `ROOT/vault` owned by alice (`ROOT/alice.key`, no passphrase).
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let key = root.join("alice.key");
        let vault = root.join("vault");
        let env = Env { dir, root, key, vault };
        env.ok(
            &["keygen", "--no-passphrase", "--output", env.key.to_str().unwrap()],
            None,
        );
        env.ok(&["init", "--name", "alice"], None);
        env
    }

    pub fn vault(&self) -> PathBuf {
        self.vault.clone()
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = bare(args);
        c.env("DOSSIER_VAULT", &self.vault)
            .env("DOSSIER_IDENTITY", &self.key)
            .current_dir(&self.root);
        c
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        run(self.cmd(args), stdin)
    }

    pub fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "{args:?} failed: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// Runs a command that must fail with exit 1 and exactly one line on stderr.
    pub fn fails(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
        assert!(!err.contains("panicked"), "{err}");
        err
    }

    pub fn note(&self, case: &str, body: &str) {
        let rec = serde_json::json!({"type": "note", "text": body}).to_string();
        self.ok(&["add", case, "--from", "-"], Some(&rec));
    }

    /// Creates the sample case and adds its records; returns their ids.
    pub fn sample_case(&self) -> Vec<String> {
        self.ok(
            &["case", "new", CASE, "--title", "Mikalai Statkevich, 2010 crackdown"],
            None,
        );
        self.ok(&["add", CASE, "--from", "-"], Some(SAMPLE))
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The sample case's records, as `log --json` gives them.
    pub fn log_json(&self) -> Vec<serde_json::Value> {
        self.ok(&["--json", "log", CASE], None)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// `verify` with these arguments: its exit code, and stdout with stderr.
    pub fn verify(&self, args: &[&str]) -> (Option<i32>, String) {
        let mut all = vec!["verify"];
        all.extend_from_slice(args);
        let out = self.run(&all, None);
        (out.status.code(), text(&out.stdout) + &text(&out.stderr))
    }

    /// The vault's head and object files, sorted.
    pub fn files(&self) -> Vec<PathBuf> {
        self.snapshot().into_keys().collect()
    }

    /// Every head and object file, with its bytes.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(&self.vault)
    }
}

/// Every head and object file of the vault at `vault`, with its bytes.
pub fn snapshot(vault: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for area in ["heads", "objects"] {
        for e in std::fs::read_dir(vault.join(area)).unwrap() {
            let p = e.unwrap().path();
            out.insert(p.clone(), std::fs::read(&p).unwrap());
        }
    }
    out
}

/// Every head file of the vault at `vault`, with its bytes.
pub fn head_files(vault: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut all = snapshot(vault);
    all.retain(|p, _| p.parent().is_some_and(|d| d.ends_with("heads")));
    all
}

/// Runs a command with `stdin` written to it, and waits.
pub fn run(mut cmd: Command, stdin: Option<&str>) -> Output {
    use std::io::Write;
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
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

/// Whether the stock `age` CLI is here; under CI it must be.
pub fn age_available() -> bool {
    let found = Command::new("age")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install stock age (apt-get install -y age)"
        );
        eprintln!("SKIPPED: stock `age` is not installed here (apt-get install -y age)");
    }
    found
}

/// The plaintext of every file of the vault at `vault` that the stock age
/// CLI opens with `key`.
pub fn age_opens(vault: &Path, key: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for path in snapshot(vault).keys() {
        let o = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(key)
            .arg(path)
            .output()
            .unwrap();
        if o.status.success() {
            out.push(o.stdout);
        }
    }
    out
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Runs `cmd` on a pseudo-terminal (rexpect gives the child the terminal;
/// no pipes) until it exits: what it printed there.
pub fn on_terminal(mut cmd: Command) -> String {
    cmd.stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(cmd, Some(30_000)).expect("spawns on a pty");
    p.exp_eof().unwrap()
}
