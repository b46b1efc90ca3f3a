//! Team access: members, grants, revocation, rotation, rekeying, exposure.
//!
//! Every test drives the real binary on a real vault, and checks what a key
//! can open with the stock `age` CLI where one is installed (CI installs it).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use common::text;

/// A vault in a temp dir, and the identity files of the people in the test.
struct Team {
    dir: tempfile::TempDir,
    vault: PathBuf,
}

impl Team {
    /// A vault owned by alice.
    fn new() -> Team {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault");
        let t = Team { dir, vault };
        t.keygen("alice");
        t.ok("alice", &["init", "--name", "alice"], None);
        t
    }

    fn key(&self, who: &str) -> PathBuf {
        self.dir.path().join(format!("{who}.key"))
    }

    fn keygen(&self, who: &str) {
        let out = self
            .cmd(
                who,
                &["keygen", "--no-passphrase", "--output", self.key(who).to_str().unwrap()],
            )
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    /// An SSH Ed25519 identity made with ssh-keygen, if it is installed.
    fn ssh_keygen(&self, who: &str, passphrase: &str) -> Option<String> {
        self.ssh_keygen_type(who, "ed25519", passphrase)
    }

    fn ssh_keygen_type(&self, who: &str, kind: &str, passphrase: &str) -> Option<String> {
        let status = Command::new("ssh-keygen")
            .args(["-q", "-t", kind, "-N", passphrase, "-C", "test", "-f"])
            .arg(self.key(who))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let Ok(status) = status else {
            assert!(std::env::var_os("CI").is_none(), "CI must install ssh-keygen");
            return None;
        };
        assert!(status.success());
        Some(std::fs::read_to_string(self.key(who).with_extension("key.pub")).unwrap())
    }

    fn cmd(&self, who: &str, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("dossier").unwrap();
        c.args(args)
            .env("DOSSIER_VAULT", &self.vault)
            .env("DOSSIER_IDENTITY", self.key(who))
            .env("DOSSIER_LOCK_TIMEOUT", "20")
            .env_remove("DOSSIER_PASSPHRASE_FILE")
            .env_remove("DOSSIER_FAILPOINT")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    fn run(&self, who: &str, args: &[&str], stdin: Option<&str>) -> Output {
        common::run(self.cmd(who, args), stdin)
    }

    fn ok(&self, who: &str, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(who, args, stdin);
        assert!(out.status.success(), "{who} {args:?} failed: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// A command that must fail with exit 1, one line on stderr, and the vault untouched.
    fn fails(&self, who: &str, args: &[&str]) -> String {
        let before = self.snapshot();
        let out = self.run(who, args, None);
        assert_eq!(out.status.code(), Some(1), "{who} {args:?}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
        assert_eq!(before, self.snapshot(), "{args:?} changed the vault");
        err
    }

    /// Adds a member from their own `whoami --json`.
    fn add_member(&self, who: &str) {
        let me: serde_json::Value = serde_json::from_str(&self.ok(who, &["--json", "whoami"], None)).unwrap();
        self.ok(
            "alice",
            &[
                "member",
                "add",
                who,
                "--recipient",
                me["recipient"].as_str().unwrap(),
                "--signing-key",
                me["signing_key"].as_str().unwrap(),
            ],
            None,
        );
    }

    fn note(&self, who: &str, case: &str, body: &str) {
        let rec = serde_json::json!({"type": "note", "text": body}).to_string();
        self.ok(who, &["add", case, "--from", "-"], Some(&rec));
    }

    fn cases(&self, who: &str) -> Vec<String> {
        self.ok(who, &["--json", "case", "list"], None)
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["case"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        common::snapshot(&self.vault)
    }
}

#[test]
fn need_to_know_append_revoke_remove() {
    let t = Team::new();
    t.keygen("bob");
    t.keygen("carol");
    t.add_member("bob");
    t.add_member("carol");
    for c in ["bob-case", "carol-case", "alice-only"] {
        t.ok("alice", &["case", "new", c], None);
        t.note("alice", c, &format!("planted-{c}"));
    }
    t.ok("alice", &["case", "grant", "bob-case", "bob"], None);
    t.ok("alice", &["case", "grant", "carol-case", "carol"], None);

    // Each sees their own case and nothing of the others, not even a count.
    assert_eq!(t.cases("bob"), ["bob-case"]);
    assert_eq!(t.cases("carol"), ["carol-case"]);
    assert_eq!(t.cases("alice").len(), 3);
    let err = t.fails("bob", &["log", "carol-case"]);
    assert!(err.contains("no case named 'carol-case'"), "{err}");
    let verify = t.ok("bob", &["verify"], None);
    assert!(!verify.contains("carol") && !verify.contains("alice-only"), "{verify}");

    // Bob appends, under his own name; the whole history was sealed to him.
    t.note("bob", "bob-case", "bob was here");
    let log = t.ok("alice", &["--json", "log", "bob-case"], None);
    assert!(
        log.contains("\"author\":\"bob\"") && log.contains("planted-bob-case"),
        "{log}"
    );
    t.ok("alice", &["verify"], None);

    let bob_key = t.key("bob");
    if common::age_available() {
        let opened = common::age_opens(&t.vault, &bob_key);
        assert!(
            opened.iter().any(|p| common::contains(p, "planted-bob-case")),
            "bob cannot read his case"
        );
        assert!(!opened.iter().any(|p| common::contains(p, "planted-carol-case")));
    }

    // Revoke: the case's every file is sealed anew without bob.
    let out = t.ok("alice", &["case", "revoke", "bob-case", "bob"], None);
    let _ = out;
    assert!(t.cases("bob").is_empty());
    t.fails("bob", &["log", "bob-case"]);
    t.ok("alice", &["verify"], None);
    if common::age_available() {
        for p in common::age_opens(&t.vault, &bob_key) {
            assert!(
                !common::contains(&p, "bob-case") && !common::contains(&p, "bob was here"),
                "bob still opens his old case"
            );
        }
        assert!(
            !common::age_opens(&t.vault, &bob_key).is_empty(),
            "bob is still a member of the vault"
        );
    }
    // His signature on what he wrote while a member still stands.
    let log = t.ok("alice", &["--json", "log", "bob-case"], None);
    assert!(log.contains("\"author\":\"bob\""), "{log}");

    // Remove: not one file of the vault opens with bob's key.
    t.ok("alice", &["case", "grant", "alice-only", "bob"], None);
    t.ok("alice", &["member", "remove", "bob"], None);
    if common::age_available() {
        assert!(
            common::age_opens(&t.vault, &bob_key).is_empty(),
            "a removed member's key still opens files"
        );
    }
    let err = t.fails("bob", &["case", "list"]);
    assert!(err.contains("not a member of the vault"), "{err}");
    let report = t.ok("alice", &["verify"], None);
    assert!(report.contains("OK"), "{report}");
    let members = t.ok("alice", &["member", "list"], None);
    assert!(!members.contains("bob") && members.contains("carol"), "{members}");
}

#[test]
fn exposure_lists_what_a_key_could_open() {
    let t = Team::new();
    t.keygen("bob");
    t.add_member("bob");
    t.ok("alice", &["case", "new", "c1"], None);
    let people = r#"{"type":"person","ref":"w1","name":"Anna Witness","role":"witness"}
{"type":"testimony","witness":"w1","date":"2011-01-02","consent":"internal","text":"they kept me awake"}"#;
    t.ok("alice", &["add", "c1", "--from", "-"], Some(people));
    t.ok("alice", &["case", "grant", "c1", "bob"], None);
    t.ok("alice", &["case", "new", "c2"], None);

    let now: serde_json::Value = serde_json::from_str(&t.ok("alice", &["--json", "exposure", "bob"], None)).unwrap();
    let cases = now["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1, "{now}");
    assert_eq!(cases[0]["case"], "c1");
    assert_eq!(cases[0]["member_now"], true);
    assert_eq!(cases[0]["records"].as_array().unwrap().len(), 2);
    assert!(now.to_string().contains("Anna Witness"), "{now}");

    t.ok("alice", &["case", "revoke", "c1", "bob"], None);
    t.note("alice", "c1", "written after bob left");
    let after: serde_json::Value = serde_json::from_str(&t.ok("alice", &["--json", "exposure", "bob"], None)).unwrap();
    let c1 = &after["cases"][0];
    assert_eq!(c1["member_now"], false);
    assert_eq!(c1["readable_now"], false, "rotated, yet said to be readable");
    assert_eq!(c1["records"].as_array().unwrap().len(), 2, "{after}");
    assert!(!after.to_string().contains("written after"), "{after}");
    let human = t.ok("alice", &["exposure", "bob"], None);
    assert!(human.contains("Anna Witness") && human.contains("rotated"), "{human}");
    t.fails("alice", &["exposure", "nobody"]);
}

#[test]
fn rekey_by_an_owner_and_by_oneself() {
    let t = Team::new();
    t.keygen("bob");
    t.add_member("bob");
    t.ok("alice", &["case", "new", "c1"], None);
    t.note("alice", "c1", "planted-before-rekey");
    t.ok("alice", &["case", "grant", "c1", "bob"], None);

    // Bob's laptop is seized: alice gives him a new key.
    t.keygen("bob2");
    let me: serde_json::Value = serde_json::from_str(&t.ok("bob2", &["--json", "whoami"], None)).unwrap();
    let (r, k) = (me["recipient"].as_str().unwrap(), me["signing_key"].as_str().unwrap());
    t.ok(
        "alice",
        &["member", "rekey", "bob", "--recipient", r, "--signing-key", k],
        None,
    );
    if common::age_available() {
        assert!(
            common::age_opens(&t.vault, &t.key("bob")).is_empty(),
            "the seized key still opens files"
        );
    }
    assert!(t.ok("bob2", &["log", "c1"], None).contains("planted-before-rekey"));
    t.note("bob2", "c1", "bob with his new key");
    t.fails("bob", &["log", "c1"]);
    t.ok("alice", &["verify"], None);

    // Alice replaces her own key: first everything is sealed to both, then
    // her new identity shuts the old one out.
    t.keygen("alice2");
    let me: serde_json::Value = serde_json::from_str(&t.ok("alice2", &["--json", "whoami"], None)).unwrap();
    let (r, k) = (me["recipient"].as_str().unwrap(), me["signing_key"].as_str().unwrap());
    t.ok(
        "alice",
        &["member", "rekey", "alice", "--recipient", r, "--signing-key", k],
        None,
    );
    t.fails("alice", &["case", "list"]);
    // Until the new identity rotates, exposure says the old key still opens files.
    let x: serde_json::Value = serde_json::from_str(&t.ok("alice2", &["--json", "exposure", "alice"], None)).unwrap();
    let old_key = &x["keys"][0];
    assert!(old_key["until"].is_string(), "{x}");
    assert_eq!(old_key["roster_now"], true, "{x}");
    assert_eq!(old_key["cases_now"], serde_json::json!(["c1"]), "{x}");
    let human = t.ok("alice2", &["exposure", "alice"], None);
    assert!(human.contains("ENDED, YET STILL OPENS the roster, case c1"), "{human}");
    t.ok("alice2", &["rotate", "--all"], None);
    let x: serde_json::Value = serde_json::from_str(&t.ok("alice2", &["--json", "exposure", "alice"], None)).unwrap();
    assert_eq!(x["keys"][0]["roster_now"], false, "{x}");
    assert_eq!(x["keys"][0]["cases_now"], serde_json::json!([]), "{x}");
    assert!(!t.ok("alice2", &["exposure", "alice"], None).contains("STILL OPENS"));
    if common::age_available() {
        assert!(
            common::age_opens(&t.vault, &t.key("alice")).is_empty(),
            "the replaced key still opens files"
        );
    }
    let log = t.ok("alice2", &["--json", "log", "c1"], None);
    assert!(
        log.contains("\"author\":\"alice\"") && log.contains("bob with his new key"),
        "{log}"
    );
    assert!(t.ok("alice2", &["verify"], None).contains("OK"));
}

#[test]
fn ssh_members_read_write_and_sign() {
    let t = Team::new();
    let Some(public) = t.ssh_keygen("carol", "") else {
        eprintln!("ssh-keygen is not installed; skipping");
        return;
    };
    // An ssh-ed25519 key signs as itself: no separate signing key to send.
    t.ok("alice", &["member", "add", "carol", "--recipient", public.trim()], None);
    // The roster keeps the key, not its comment (often a user and host name).
    let listed = t.ok("alice", &["--json", "member", "list"], None);
    let key: Vec<&str> = public.split_whitespace().take(2).collect();
    assert!(listed.contains(&format!("\"{}\"", key.join(" "))), "{listed}");
    assert!(!listed.contains(" test\""), "{listed}");
    t.ok("alice", &["case", "new", "c1"], None);
    t.ok("alice", &["case", "grant", "c1", "carol"], None);
    t.note("carol", "c1", "planted-by-carol");
    let log = t.ok("alice", &["--json", "log", "c1"], None);
    assert!(log.contains("\"author\":\"carol\""), "{log}");
    if common::age_available() {
        let opened = common::age_opens(&t.vault, &t.key("carol"));
        assert!(
            opened.iter().any(|p| common::contains(p, "planted-by-carol")),
            "stock age cannot open with the SSH key"
        );
    }
    // A passphrase-protected SSH key works too.
    let Some(public) = t.ssh_keygen("dan", "dan secret") else {
        return;
    };
    t.ok("alice", &["member", "add", "dan", "--recipient", public.trim()], None);
    t.ok("alice", &["case", "grant", "c1", "dan"], None);
    let pass = t.dir.path().join("dan.pass");
    std::fs::write(&pass, "dan secret\n").unwrap();
    let mut c = t.cmd("dan", &["log", "c1"]);
    c.env("DOSSIER_PASSPHRASE_FILE", &pass);
    let out = common::run(c, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("planted-by-carol"));

    // An RSA key reads too; its signing key is derived, so the member sends it.
    let Some(public) = t.ssh_keygen_type("erin", "rsa", "") else {
        return;
    };
    let me: serde_json::Value = serde_json::from_str(&t.ok("erin", &["--json", "whoami"], None)).unwrap();
    assert!(me["recipient"].as_str().unwrap().starts_with("ssh-rsa "));
    assert!(public.starts_with(me["recipient"].as_str().unwrap()));
    let err = t.fails("alice", &["member", "add", "erin", "--recipient", public.trim()]);
    assert!(err.contains("--signing-key"), "{err}");
    let key = me["signing_key"].as_str().unwrap();
    t.ok(
        "alice",
        &[
            "member",
            "add",
            "erin",
            "--recipient",
            public.trim(),
            "--signing-key",
            key,
        ],
        None,
    );
    t.ok("alice", &["case", "grant", "c1", "erin"], None);
    t.note("erin", "c1", "planted-by-erin");
    assert!(t.ok("carol", &["log", "c1"], None).contains("planted-by-erin"));
    if common::age_available() {
        let opened = common::age_opens(&t.vault, &t.key("erin"));
        assert!(opened.iter().any(|p| common::contains(p, "planted-by-erin")));
    }
    t.ok("alice", &["verify"], None);
}

#[test]
fn bad_membership_input_is_one_line_and_changes_nothing() {
    let t = Team::new();
    t.keygen("bob");
    t.add_member("bob");
    t.ok("alice", &["case", "new", "c1"], None);
    t.ok("alice", &["case", "grant", "c1", "bob"], None);
    let me: serde_json::Value = serde_json::from_str(&t.ok("bob", &["--json", "whoami"], None)).unwrap();
    let bob_key = me["signing_key"].as_str().unwrap();
    let bob_recipient = me["recipient"].as_str().unwrap();

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["case", "grant", "c1", "nobody"], "no member named 'nobody'"),
        (vec!["case", "grant", "nope", "bob"], "no case named 'nope'"),
        (vec!["case", "grant", "c1", "bob"], "already has access"),
        (vec!["case", "revoke", "c1", "nobody"], "has no access"),
        (vec!["case", "revoke", "c1", "alice"], "cannot revoke your own"),
        (vec!["member", "remove", "nobody"], "no member named 'nobody'"),
        (vec!["member", "remove", "alice"], "cannot remove yourself"),
        (
            vec![
                "member",
                "add",
                "x",
                "--recipient",
                "age1notakey",
                "--signing-key",
                bob_key,
            ],
            "not an age recipient",
        ),
        (
            vec!["member", "add", "x", "--recipient", "ssh-ed25519 AAAAbroken"],
            "not an SSH public key",
        ),
        (
            vec!["member", "add", "bob", "--recipient", "age1qqq"],
            "not an age recipient",
        ),
        (
            vec!["member", "rekey", "nobody", "--recipient", "age1qqq"],
            "not an age recipient",
        ),
        (
            vec![
                "member",
                "add",
                "Bad Name",
                "--recipient",
                bob_recipient,
                "--signing-key",
                bob_key,
            ],
            "member name",
        ),
        (
            vec![
                "member",
                "add",
                "bob",
                "--recipient",
                bob_recipient,
                "--signing-key",
                bob_key,
            ],
            "already a member",
        ),
        (vec!["rotate", "nope"], "no case named 'nope'"),
    ];
    for (args, want) in cases {
        let err = t.fails("alice", &args);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // A key already on the roster is refused; so is a second member of the same name.
    let alice: serde_json::Value = serde_json::from_str(&t.ok("alice", &["--json", "whoami"], None)).unwrap();
    let err = t.fails(
        "alice",
        &[
            "member",
            "add",
            "x",
            "--recipient",
            alice["recipient"].as_str().unwrap(),
            "--signing-key",
            bob_key,
        ],
    );
    assert!(err.contains("already"), "{err}");
    // Only owners change the roster.
    let err = t.fails("bob", &["member", "remove", "alice"]);
    assert!(err.contains("only an owner"), "{err}");
    t.ok("alice", &["verify"], None);
}

#[test]
fn the_last_owner_cannot_be_removed() {
    let t = Team::new();
    t.keygen("bob");
    let me: serde_json::Value = serde_json::from_str(&t.ok("bob", &["--json", "whoami"], None)).unwrap();
    let (r, k) = (me["recipient"].as_str().unwrap(), me["signing_key"].as_str().unwrap());
    t.ok(
        "alice",
        &["member", "add", "bob", "--owner", "--recipient", r, "--signing-key", k],
        None,
    );
    // Two owners: bob may remove alice; then bob, the last owner, cannot be removed by anyone.
    t.ok("bob", &["member", "remove", "alice"], None);
    let err = t.fails("bob", &["member", "remove", "bob"]);
    assert!(err.contains("yourself"), "{err}");
    t.keygen("carol");
    let me: serde_json::Value = serde_json::from_str(&t.ok("carol", &["--json", "whoami"], None)).unwrap();
    let (r, k) = (me["recipient"].as_str().unwrap(), me["signing_key"].as_str().unwrap());
    t.ok(
        "bob",
        &[
            "member",
            "add",
            "carol",
            "--owner",
            "--recipient",
            r,
            "--signing-key",
            k,
        ],
        None,
    );
    t.ok("carol", &["member", "remove", "bob"], None);
    let err = t.fails("carol", &["member", "remove", "carol"]);
    assert!(err.contains("yourself"), "{err}");
}

#[test]
fn rotation_killed_at_every_file_resumes_and_loses_nothing() {
    let t = Team::new();
    t.keygen("bob");
    t.add_member("bob");
    t.ok("alice", &["case", "new", "c1"], None);
    for i in 0..4 {
        t.note("alice", "c1", &format!("record {i}"));
    }
    t.ok("alice", &["case", "grant", "c1", "bob"], None);
    t.note("bob", "c1", "bob's record");
    let files = t.snapshot().len();
    for n in 1..=files {
        let mut c = t.cmd("alice", &["rotate", "--all"]);
        c.env("DOSSIER_FAILPOINT", format!("rotate-file-written:{n}"));
        let out = common::run(c, None);
        if out.status.success() {
            break;
        }
        assert_ne!(
            out.status.code(),
            Some(1),
            "failed without the failpoint: {}",
            text(&out.stderr)
        );
        // After the crash, the vault reads and verifies for both members.
        assert!(t.ok("alice", &["verify"], None).contains("OK"));
        assert_eq!(t.ok("bob", &["--json", "log", "c1"], None).lines().count(), 5);
    }
    // Revoke, crashed part way, then finished by `rotate`.
    let mut c = t.cmd("alice", &["case", "revoke", "c1", "bob"]);
    c.env("DOSSIER_FAILPOINT", "rotate-file-written:3");
    assert!(!common::run(c, None).status.success());
    let listed = t.ok("alice", &["--json", "case", "list"], None);
    assert!(listed.contains("\"rotation_pending\":true"), "{listed}");
    t.ok("alice", &["rotate", "c1"], None);
    let listed = t.ok("alice", &["--json", "case", "list"], None);
    assert!(listed.contains("\"rotation_pending\":false"), "{listed}");
    assert_eq!(t.ok("alice", &["--json", "log", "c1"], None).lines().count(), 5);
    assert!(t.ok("alice", &["verify"], None).contains("OK"));
    if common::age_available() {
        for p in common::age_opens(&t.vault, &t.key("bob")) {
            assert!(!common::contains(&p, "record 0"), "bob's key still opens the case");
        }
    }
}

#[test]
fn passwd_changes_the_passphrase_atomically() {
    let t = Team::new();
    let old = t.dir.path().join("old.pass");
    let new = t.dir.path().join("new.pass");
    std::fs::write(&old, "old words\n").unwrap();
    std::fs::write(&new, "new words\n").unwrap();
    let run = |pass: Option<&Path>, newpass: Option<&Path>, args: &[&str], failpoint: Option<&str>| {
        let mut c = t.cmd("alice", args);
        c.env("DOSSIER_TEST_SCRYPT_LOG_N", "10");
        if let Some(p) = pass {
            c.env("DOSSIER_PASSPHRASE_FILE", p);
        }
        if let Some(p) = newpass {
            c.env("DOSSIER_NEW_PASSPHRASE_FILE", p);
        }
        if let Some(f) = failpoint {
            c.env("DOSSIER_FAILPOINT", f);
        }
        common::run(c, None)
    };
    // A plain identity gets a first passphrase.
    assert!(run(None, Some(&old), &["passwd"], None).status.success());
    assert!(std::fs::read_to_string(t.key("alice"))
        .unwrap()
        .starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    assert!(run(Some(&old), None, &["case", "list"], None).status.success());
    // The wrong current passphrase changes nothing.
    let before = std::fs::read(t.key("alice")).unwrap();
    let out = run(Some(&new), Some(&new), &["passwd"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("wrong passphrase"));
    assert_eq!(before, std::fs::read(t.key("alice")).unwrap());
    // Killed right after the new file lands: the new passphrase works.
    let out = run(Some(&old), Some(&new), &["passwd"], Some("passwd-written"));
    assert!(!out.status.success());
    assert!(run(Some(&new), None, &["case", "list"], None).status.success());
    assert!(!run(Some(&old), None, &["case", "list"], None).status.success());
    // Through a symlink, the real file is changed and the link stays a link.
    #[cfg(unix)]
    {
        let link = t.dir.path().join("link.key");
        std::os::unix::fs::symlink(t.key("alice"), &link).unwrap();
        let mut c = t.cmd("alice", &["passwd"]);
        c.env("DOSSIER_IDENTITY", &link)
            .env("DOSSIER_TEST_SCRYPT_LOG_N", "10")
            .env("DOSSIER_PASSPHRASE_FILE", &new)
            .env("DOSSIER_NEW_PASSPHRASE_FILE", &old);
        let out = common::run(c, None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert!(run(Some(&old), None, &["case", "list"], None).status.success());
    }
    let leftovers: Vec<_> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn rotation_killed_at_random_moments_reads_verifies_and_finishes() {
    let t = Team::new();
    t.keygen("bob");
    t.add_member("bob");
    t.ok("alice", &["case", "new", "c1"], None);
    for i in 0..6 {
        t.note("alice", "c1", &format!("record {i}"));
    }
    t.ok("alice", &["case", "grant", "c1", "bob"], None);
    // How long one rotation takes here, to spread the kills across it.
    let start = std::time::Instant::now();
    t.ok("alice", &["rotate", "--all"], None);
    let span = start.elapsed().as_micros().max(1000) as u64;
    let mut seed = std::process::id() as u64 ^ span;
    for _ in 0..8 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let delay = (seed >> 33) % span;
        let mut child = t.cmd("alice", &["rotate", "--all"]).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_micros(delay));
        let _ = child.kill(); // SIGKILL: no destructor, no cleanup
        let _ = child.wait();
        assert!(t.ok("alice", &["verify"], None).contains("OK"));
        assert_eq!(t.ok("bob", &["--json", "log", "c1"], None).lines().count(), 6);
    }
    t.ok("alice", &["rotate", "--all"], None);
    let listed = t.ok("alice", &["--json", "case", "list"], None);
    assert!(listed.contains("\"rotation_pending\":false"), "{listed}");
}

#[test]
fn plugin_identities_sign_with_a_secret_beside_them() {
    use bech32::{Bech32, Hrp};
    let t = Team::new();
    // A stand-in plugin on the PATH that speaks no protocol: enough to resolve
    // the plugin, and to see a failing plugin refused in one line.
    let bin = t.dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let plugin = bin.join("age-plugin-dossierfake");
    std::fs::write(&plugin, "#!/bin/sh\nexit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let recipient = bech32::encode::<Bech32>(Hrp::parse("age1dossierfake").unwrap(), &[7; 16]).unwrap();
    let identity = bech32::encode::<Bech32>(Hrp::parse("age-plugin-dossierfake-").unwrap(), &[9; 16])
        .unwrap()
        .to_uppercase();
    let token = t.dir.path().join("token.txt");
    std::fs::write(&token, format!("#    Recipient: {recipient}\n{identity}\n")).unwrap();

    let mut c = t.cmd(
        "dan",
        &[
            "--json",
            "keygen",
            "--no-passphrase",
            "--plugin",
            token.to_str().unwrap(),
            "--output",
        ],
    );
    c.arg(t.key("dan")).env("PATH", &path);
    let out = common::run(c, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let made: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(made["recipient"], recipient.as_str());
    let file = std::fs::read_to_string(t.key("dan")).unwrap();
    assert!(file.contains(&identity) && file.contains("AGE-SECRET-KEY-1"), "{file}");

    // The identity loads (the plugin decrypts, the secret beside it signs).
    let mut c = t.cmd("dan", &["--json", "whoami"]);
    c.env("PATH", &path);
    let out = common::run(c, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let me: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(me, made);

    // Without the plugin installed: one clear line.
    let mut c = t.cmd("dan", &["whoami"]);
    c.env("PATH", "/nonexistent");
    let out = common::run(c, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot use its plugin"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stderr).trim_end().lines().count(), 1);

    // Adding the member runs the plugin to seal to it; this one fails, and nothing is written.
    let before = t.snapshot();
    let mut c = t.cmd(
        "alice",
        &[
            "member",
            "add",
            "dan",
            "--recipient",
            &recipient,
            "--signing-key",
            me["signing_key"].as_str().unwrap(),
        ],
    );
    c.env("PATH", &path);
    let out = common::run(c, None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("encrypt"), "{err}");
    assert_eq!(before, t.snapshot());
}

/// The attack the marks in `local/` are for: put back a case's head from
/// before a revocation, so that the next write seals to the revoked member
/// again. Signed and well formed, the old head is caught only by memory.
#[test]
fn a_head_put_back_to_undo_a_revocation_is_refused() {
    let t = Team::new();
    t.keygen("bob");
    t.add_member("bob");
    t.ok("alice", &["case", "new", "c1"], None);
    t.ok("alice", &["case", "grant", "c1", "bob"], None);
    t.note("alice", "c1", "before the revocation");
    let older = common::head_files(&t.vault);
    t.ok("alice", &["case", "revoke", "c1", "bob"], None);
    let newer = common::head_files(&t.vault);
    let mut replayed = Vec::new();
    for (p, old) in &older {
        if newer.get(p) != Some(old) {
            std::fs::write(p, old).unwrap();
            replayed.push(p.file_name().unwrap().to_str().unwrap().to_string());
        }
    }
    assert!(!replayed.is_empty());
    let before = t.snapshot();

    let rec = serde_json::json!({"type": "note", "text": "after the replay"}).to_string();
    let out = t.run("alice", &["add", "c1", "--from", "-"], Some(&rec));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("rolled back") && err.contains("case 'c1'"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(t.snapshot(), before, "a refused write changed the vault");
    let out = t.run("alice", &["verify"], None);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout) + &text(&out.stderr);
    assert!(report.contains("rolled back"), "{report}");
    assert!(replayed.iter().any(|n| report.contains(n.as_str())), "{report}");

    // With the newer head back, all is well again.
    for (p, b) in &newer {
        std::fs::write(p, b).unwrap();
    }
    t.ok("alice", &["verify"], None);
    t.note("alice", "c1", "after the newer head came back");
}

/// A member whose identity is kept by a real age plugin (the stand-in token
/// of examples/age-plugin-dossiertest.rs, speaking the age plugin protocol,
/// built by `cargo test`): the plugin decrypts everything dossier reads for
/// them, the secret beside it signs, every read asks the plugin again (no
/// local pack holds what it opened: docs/FORMAT.md §17), and stock age opens
/// the same files through the same plugin.
#[test]
fn a_plugin_member_reads_and_writes_through_the_plugin_and_keeps_no_pack() {
    let t = Team::new();
    let examples = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples");
    let plugin = examples.join("age-plugin-dossiertest");
    assert!(
        plugin.exists(),
        "{} is missing: a whole `cargo test` builds the examples; before `cargo test --test team`, run \
         `cargo build --examples`",
        plugin.display()
    );
    let path = format!("{}:{}", examples.display(), std::env::var("PATH").unwrap_or_default());
    let token = t.dir.path().join("token.txt");
    let made = Command::new(&plugin).arg("--generate").output().unwrap();
    assert!(made.status.success());
    std::fs::write(&token, &made.stdout).unwrap();
    let unwraps = t.dir.path().join("unwraps.log");
    let count = || std::fs::read_to_string(&unwraps).map_or(0, |s| s.lines().count());
    // Everyone who encrypts to dan needs the plugin too.
    let as_ = |who: &str, args: &[&str], stdin: Option<&str>| {
        let mut c = t.cmd(who, args);
        c.env("PATH", &path).env("DOSSIERTEST_LOG", &unwraps);
        let out = common::run(c, stdin);
        assert!(out.status.success(), "{who} {args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    let dan = |args: &[&str], stdin: Option<&str>| as_("dan", args, stdin);
    let alice = |args: &[&str]| as_("alice", args, None);
    let key = t.key("dan");
    dan(
        &[
            "keygen",
            "--no-passphrase",
            "--plugin",
            token.to_str().unwrap(),
            "--output",
            key.to_str().unwrap(),
        ],
        None,
    );
    let me: serde_json::Value = serde_json::from_str(&dan(&["--json", "whoami"], None)).unwrap();
    assert!(
        me["recipient"].as_str().unwrap().starts_with("age1dossiertest1"),
        "{me}"
    );
    alice(&[
        "member",
        "add",
        "dan",
        "--recipient",
        me["recipient"].as_str().unwrap(),
        "--signing-key",
        me["signing_key"].as_str().unwrap(),
    ]);
    alice(&["case", "new", "c1"]);
    t.note("alice", "c1", "written by alice");
    alice(&["case", "grant", "c1", "dan"]);
    alice(&["log", "c1"]);
    let asked = count();
    let packs = || -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(t.vault.join("local"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("pack-"))
            .collect();
        v.sort();
        v
    };
    let alices = packs();
    assert!(!alices.is_empty(), "alice's reads keep a pack");

    assert!(dan(&["log", "c1"], None).contains("written by alice"));
    assert!(count() > asked, "the plugin was never asked");
    dan(
        &["add", "c1", "--from", "-"],
        Some(r#"{"type":"note","text":"written by dan"}"#),
    );
    assert!(dan(&["log", "c1"], None).contains("written by dan"));
    // A read after reads: with a pack, nothing would be unwrapped again.
    let asked = count();
    assert!(dan(&["search", "written"], None).contains("written by"));
    assert!(count() > asked, "a read was served without the plugin");
    assert_eq!(packs(), alices, "a pack was kept for the plugin identity");

    let log = alice(&["--json", "log", "c1"]);
    assert!(
        log.contains("\"author\":\"dan\"") && log.contains("written by dan"),
        "{log}"
    );
    assert!(t.run("alice", &["verify"], None).status.success());

    // Stock age, given the same plugin on its PATH, opens what dan can.
    if common::age_available() {
        let opened = t
            .snapshot()
            .keys()
            .filter(|p| {
                let mut c = Command::new("age");
                c.arg("-d").arg("-i").arg(&key).arg(p).env("PATH", &path);
                c.output().unwrap().status.success()
            })
            .count();
        assert!(opened >= 2, "stock age opened {opened} files for dan");
    }
}

/// A turned member cannot have his own case taken for a colleague's: bob,
/// a member not on alice's `c1`, makes a `c1` of his own granted to alice,
/// then damages hers (an older head put back) or deletes her heads. Every
/// command on `c1` refuses, nothing is written, and nothing alice adds can
/// land in bob's case.
#[test]
fn a_members_case_of_the_same_name_never_replaces_a_damaged_one() {
    for damage in ["rolled back", "deleted"] {
        let t = Team::new();
        t.keygen("bob");
        t.add_member("bob");
        t.ok("alice", &["case", "new", "c1"], None);
        t.note("alice", "c1", "the real record");
        let hers_before = common::head_files(&t.vault);
        t.note("alice", "c1", "a second real record");
        let hers = common::head_files(&t.vault);
        t.ok("bob", &["case", "new", "c1"], None);
        t.ok("bob", &["case", "grant", "c1", "alice"], None);
        t.note("bob", "c1", "fabricated");
        for (p, bytes) in &hers {
            if damage == "rolled back" {
                std::fs::write(p, &hers_before[p]).unwrap();
            } else if hers_before.get(p) != Some(bytes) {
                std::fs::remove_file(p).unwrap();
            }
        }
        let err = t.fails("alice", &["log", "c1"]);
        assert!(err.contains("c1"), "{damage}: {err}");
        let before = t.snapshot();
        let rec = serde_json::json!({"type": "note", "text": "new secret testimony"}).to_string();
        let out = t.run("alice", &["add", "c1", "--from", "-"], Some(&rec));
        assert_eq!(out.status.code(), Some(1), "{damage}: {}", text(&out.stdout));
        assert_eq!(t.snapshot(), before, "{damage}: a refused add wrote");
        let seen = t.run("bob", &["--json", "log", "c1"], None);
        assert!(!text(&seen.stdout).contains("new secret testimony"), "{damage}");
        assert!(
            !t.ok("alice", &["search", "fabricated"], None).contains("fabricated"),
            "{damage}"
        );
    }
}
