//! Team sync over git: convergence, forks, tampered remotes, crashes,
//! rotation, and what the remote learns.
//!
//! Every test drives the real binary against a bare git repository on local
//! disk, with the system `git` (CI installs it).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::text;
use proptest::prelude::*;

/// A team: identities, one bare remote, and vault copies ("devices").
struct Net {
    dir: tempfile::TempDir,
}

fn git_available() -> bool {
    let found = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "CI must install git");
        eprintln!("SKIPPED: git is not installed here");
    }
    found
}

impl Net {
    /// alice's vault on device `a1`, with a case, pushed to a new bare remote.
    fn new() -> Net {
        let net = Net {
            dir: tempfile::tempdir().unwrap(),
        };
        let out = Command::new("git")
            .args(["init", "--quiet", "--bare"])
            .arg(net.remote())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        net.keygen("alice");
        net.ok("a1", "alice", &["init", "--name", "alice"], None);
        net.ok("a1", "alice", &["case", "new", "statkevich-2010"], None);
        net.note("a1", "alice", "statkevich-2010", "first visit denied");
        let remote = net.remote();
        net.ok(
            "a1",
            "alice",
            &["sync", "init", "--remote", remote.to_str().unwrap()],
            None,
        );
        net.ok("a1", "alice", &["sync"], None);
        net
    }

    fn remote(&self) -> PathBuf {
        self.dir.path().join("remote.git")
    }

    fn vault(&self, device: &str) -> PathBuf {
        self.dir.path().join(device)
    }

    fn key(&self, who: &str) -> PathBuf {
        self.dir.path().join(format!("{who}.key"))
    }

    fn keygen(&self, who: &str) {
        let out = common::run(
            common::bare(&["keygen", "--no-passphrase", "--output", self.key(who).to_str().unwrap()]),
            None,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    fn cmd(&self, device: &str, who: &str, args: &[&str]) -> Command {
        let mut c = common::bare(args);
        c.env("DOSSIER_VAULT", self.vault(device))
            .env("DOSSIER_IDENTITY", self.key(who));
        c
    }

    fn run(&self, device: &str, who: &str, args: &[&str], stdin: Option<&str>) -> Output {
        common::run(self.cmd(device, who, args), stdin)
    }

    fn ok(&self, device: &str, who: &str, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(device, who, args, stdin);
        assert!(out.status.success(), "{device}: {args:?} failed: {}", text(&out.stderr));
        text(&out.stdout) + &text(&out.stderr)
    }

    fn note(&self, device: &str, who: &str, case: &str, body: &str) {
        let rec = serde_json::json!({"type": "note", "text": body}).to_string();
        self.ok(device, who, &["add", case, "--from", "-"], Some(&rec));
    }

    fn note_at(&self, device: &str, case: &str, body: &str, time: &str) {
        let rec = serde_json::json!({"type": "note", "text": body}).to_string();
        let mut c = self.cmd(device, "alice", &["add", case, "--from", "-"]);
        c.env("DOSSIER_TEST_NOW", time);
        let out = common::run(c, Some(&rec));
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    fn clone_to(&self, device: &str, who: &str) {
        let remote = self.remote();
        self.ok(device, who, &["clone", remote.to_str().unwrap()], None);
    }

    /// The case's records (ids and texts), as `log --json` lists them.
    fn records(&self, device: &str, who: &str, case: &str) -> BTreeSet<String> {
        self.ok(device, who, &["--json", "log", case], None)
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                format!("{} {}", v["id"], v["text"])
            })
            .collect()
    }

    fn verifies(&self, device: &str, who: &str) {
        let out = self.run(device, who, &["verify"], None);
        assert!(
            out.status.success(),
            "{device} does not verify: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }

    fn git(&self, args: &[&str], stdin: Option<&[u8]>) -> String {
        use std::io::Write;
        let mut c = Command::new("git");
        c.arg("--git-dir")
            .arg(self.remote())
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(stdin.unwrap_or_default()).unwrap();
        drop(pipe);
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// The remote's files: path to blob id.
    fn remote_tree(&self, rev: &str) -> BTreeMap<String, String> {
        self.git(&["ls-tree", "-r", rev], None)
            .lines()
            .map(|l| {
                let (meta, path) = l.split_once('\t').unwrap();
                (path.to_string(), meta.split(' ').nth(2).unwrap().to_string())
            })
            .collect()
    }

    /// Replaces the remote's branch with a commit of `tree`, as an attacker
    /// holding the server would.
    fn force_tree(&self, tree: &BTreeMap<String, String>) {
        let mut subtrees = Vec::new();
        for dir in ["heads", "objects"] {
            let listing: String = tree
                .iter()
                .filter_map(|(p, id)| {
                    p.strip_prefix(&format!("{dir}/"))
                        .map(|n| format!("100644 blob {id}\t{n}\n"))
                })
                .collect();
            subtrees.push((dir, self.git(&["mktree"], Some(listing.as_bytes())).trim().to_string()));
        }
        let root: String = subtrees
            .iter()
            .map(|(d, id)| format!("040000 tree {id}\t{d}\n"))
            .collect();
        let root = self.git(&["mktree"], Some(root.as_bytes())).trim().to_string();
        let commit = self.git(&["commit-tree", &root, "-p", "vault", "-m", "vault"], None);
        self.git(&["update-ref", "refs/heads/vault", commit.trim()], None);
    }

    fn blob(&self, id: &str) -> Vec<u8> {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(self.remote())
            .args(["cat-file", "blob", id])
            .output()
            .unwrap();
        out.stdout
    }

    fn put_blob(&self, bytes: &[u8]) -> String {
        self.git(&["hash-object", "-w", "--stdin"], Some(bytes))
            .trim()
            .to_string()
    }

    /// Adds bob to the roster (from alice's device `a1`) and grants him the case.
    fn add_bob(&self) {
        self.add_member("a1", "bob");
        self.ok("a1", "alice", &["case", "grant", "statkevich-2010", "bob"], None);
    }

    /// Adds a new member to the roster from alice's `device`.
    fn add_member(&self, device: &str, who: &str) {
        self.keygen(who);
        let me: serde_json::Value =
            serde_json::from_str(&common::text(&self.run("a1", who, &["--json", "whoami"], None).stdout)).unwrap();
        self.ok(
            device,
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
}

#[test]
fn two_devices_fork_offline_and_converge_with_a_merge_entry() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    net.clone_to("a2", "alice");
    net.note("a1", "alice", "statkevich-2010", "written on the first laptop");
    net.note("a2", "alice", "statkevich-2010", "written on the second laptop");
    net.ok("a1", "alice", &["sync"], None);
    let out = net.ok("a2", "alice", &["sync"], None);
    assert!(out.contains("merge entry: statkevich-2010"), "{out}");
    net.ok("a1", "alice", &["sync"], None);
    let one = net.records("a1", "alice", "statkevich-2010");
    assert_eq!(one, net.records("a2", "alice", "statkevich-2010"));
    assert_eq!(one.len(), 3, "{one:?}");
    net.verifies("a1", "alice");
    net.verifies("a2", "alice");
    // Both heads now end at the one merge: no fork is left to join.
    let out = net.ok("a1", "alice", &["sync"], None);
    assert!(!out.contains("merge"), "{out}");
    assert!(out.contains("already up to date"), "{out}");
    let status = net.ok("a1", "alice", &["sync", "status"], None);
    assert!(status.contains("statkevich-2010: 0 ahead, 0 behind"), "{status}");
    // Files that came from the remote are dated as every vault file is
    // (FORMAT §2): a copy does not tell when they arrived.
    for area in ["heads", "objects"] {
        for f in std::fs::read_dir(net.vault("a2").join(area)).unwrap() {
            use std::os::unix::fs::MetadataExt;
            let f = f.unwrap();
            assert_eq!(f.metadata().unwrap().mtime(), 946_684_800, "{:?}", f.path());
        }
    }
}

#[test]
fn log_shows_both_branches_as_one_timeline_by_recorded_time() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    net.clone_to("a2", "alice");
    net.note_at("a1", "statkevich-2010", "at nine", "2030-01-01T09:00:00Z");
    net.note_at("a1", "statkevich-2010", "at ten", "2030-01-01T10:00:00Z");
    // seq 2 on its branch, like "at nine": (seq, time) order would put it second.
    net.note_at("a2", "statkevich-2010", "at half past ten", "2030-01-01T10:30:00Z");
    net.ok("a1", "alice", &["sync"], None);
    net.ok("a2", "alice", &["sync"], None);
    net.ok("a1", "alice", &["sync"], None);
    for d in ["a1", "a2"] {
        let texts: Vec<String> = net
            .ok(d, "alice", &["--json", "log", "statkevich-2010"], None)
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["text"].to_string())
            .collect();
        assert_eq!(
            texts[1..],
            ["\"at nine\"", "\"at ten\"", "\"at half past ten\""],
            "{d}: {texts:?}"
        );
        let human = net.ok(d, "alice", &["log", "statkevich-2010"], None);
        let (nine, ten, half) = (human.find("at nine"), human.find("at ten"), human.find("at half"));
        assert!(nine < ten && ten < half, "{human}");
    }
}

/// A `git daemon` on loopback serving the test's remote; killed on drop.
struct Daemon(std::process::Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_clone_and_syncs_through_git_daemon_on_loopback() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = net.dir.path();
    let child = Command::new("git")
        .args([
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            "--listen=127.0.0.1",
        ])
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", base.display()))
        .arg(base)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(child) = child else {
        assert!(std::env::var_os("CI").is_none(), "CI must have git daemon");
        return;
    };
    let _daemon = Daemon(child);
    let url = format!("git://127.0.0.1:{port}/remote.git");
    let mut up = false;
    for _ in 0..100 {
        if Command::new("git")
            .args(["ls-remote", &url])
            .output()
            .is_ok_and(|o| o.status.success())
        {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    if !up {
        assert!(std::env::var_os("CI").is_none(), "git daemon did not start");
        eprintln!("SKIPPED: git daemon did not start");
        return;
    }
    net.ok("a2", "alice", &["clone", &url], None);
    net.note("a2", "alice", "statkevich-2010", "sent over the network");
    net.note("a1", "alice", "statkevich-2010", "sent from the stick");
    net.ok("a2", "alice", &["sync"], None);
    net.ok("a1", "alice", &["sync"], None);
    net.ok("a2", "alice", &["sync"], None);
    let a1 = net.records("a1", "alice", "statkevich-2010");
    assert_eq!(a1.len(), 3, "{a1:?}");
    assert_eq!(a1, net.records("a2", "alice", "statkevich-2010"));
    net.verifies("a2", "alice");
}

#[test]
fn status_counts_what_is_ahead_and_behind() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    net.note("a1", "alice", "statkevich-2010", "not pushed yet");
    let st: serde_json::Value = serde_json::from_str(&text(
        &net.run("a1", "alice", &["--json", "sync", "status"], None).stdout,
    ))
    .unwrap();
    let case = st["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["log"] == "statkevich-2010")
        .unwrap();
    assert_eq!(case["ahead"], 1);
    assert_eq!(case["behind"], 0);
    assert!(st["last_sync"].is_string());
}

#[derive(Clone, Debug)]
enum Step {
    Add(usize),
    Sync(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![(0..3usize).prop_map(Step::Add), (0..3usize).prop_map(Step::Sync)]
}

#[test]
fn three_clones_in_any_order_converge_and_verify() {
    if !git_available() {
        return;
    }
    let config = ProptestConfig {
        cases: 4,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    runner
        .run(&proptest::collection::vec(step(), 3..9), |steps| {
            let net = Net::new();
            let devices = ["a1", "a2", "a3"];
            net.clone_to("a2", "alice");
            net.clone_to("a3", "alice");
            for (n, s) in steps.iter().enumerate() {
                match s {
                    Step::Add(d) => net.note(devices[*d], "alice", "statkevich-2010", &format!("note {n}")),
                    Step::Sync(d) => {
                        net.ok(devices[*d], "alice", &["sync"], None);
                    }
                }
            }
            // Two rounds: the first spreads everything, the second the merges.
            for d in devices.iter().chain(devices.iter()) {
                net.ok(d, "alice", &["sync"], None);
            }
            let adds = steps.iter().filter(|s| matches!(s, Step::Add(_))).count();
            let first = net.records("a1", "alice", "statkevich-2010");
            prop_assert_eq!(first.len(), adds + 1);
            for d in devices {
                prop_assert_eq!(&first, &net.records(d, "alice", "statkevich-2010"));
                net.verifies(d, "alice");
            }
            Ok(())
        })
        .unwrap();
}

/// An OpenSSH server on loopback, run from a temporary directory with its
/// own host key and one authorized client key; killed on drop.
struct Sshd {
    child: std::process::Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sshd {
    /// Starts sshd in `dir`; `None` (with the reason printed) where this
    /// machine has no sshd, which CI must have.
    fn start(dir: &Path) -> Option<Sshd> {
        let sshd = PathBuf::from("/usr/sbin/sshd");
        let keygen = Command::new("ssh-keygen").arg("-?").output().is_ok();
        if !sshd.is_file() || !keygen {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install openssh-server and openssh-client (.ci/run)"
            );
            eprintln!("SKIPPED: no /usr/sbin/sshd or ssh-keygen here (apt-get install -y openssh-server)");
            return None;
        }
        std::fs::create_dir_all(dir).unwrap();
        for key in ["host_key", "client_key"] {
            let out = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
                .arg(dir.join(key))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", text(&out.stderr));
        }
        std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).unwrap();
        // sshd run as root wants its privilege separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nPubkeyAuthentication yes\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\n",
            d = dir.display()
        );
        std::fs::write(dir.join("sshd_config"), config).unwrap();
        let host = std::fs::read_to_string(dir.join("host_key.pub")).unwrap();
        std::fs::write(dir.join("known_hosts"), format!("[127.0.0.1]:{port} {host}")).unwrap();
        let child = Command::new(&sshd)
            .args(["-D", "-e", "-f"])
            .arg(dir.join("sshd_config"))
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.join("sshd.log")).unwrap())
            .spawn()
            .unwrap();
        let sshd = Sshd {
            child,
            dir: dir.to_path_buf(),
            port,
        };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(sshd);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!(
            "sshd did not start: {}",
            std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default()
        );
    }

    /// The ssh command git is to run: this server's key only, the client key
    /// only, no ssh configuration or known_hosts of the user's read or written.
    fn ssh_command(&self) -> String {
        let d = self.dir.display();
        format!(
            "ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -i {d}/client_key \
             -o UserKnownHostsFile={d}/known_hosts -o GlobalKnownHostsFile=/dev/null \
             -o StrictHostKeyChecking=yes"
        )
    }
}

#[test]
fn sync_init_sync_and_clone_over_ssh_on_loopback() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    let Some(sshd) = Sshd::start(&net.dir.path().join("sshd")) else {
        return;
    };
    let bare = net.dir.path().join("over-ssh.git");
    let out = Command::new("git")
        .args(["init", "--quiet", "--bare"])
        .arg(&bare)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let user = text(&Command::new("id").arg("-un").output().unwrap().stdout)
        .trim()
        .to_string();
    let url = format!("ssh://{user}@127.0.0.1:{}{}", sshd.port, bare.display());
    let home = net.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let run = |device: &str, args: &[&str], stdin: Option<&str>| {
        let mut c = net.cmd(device, "alice", args);
        c.env("GIT_SSH_COMMAND", sshd.ssh_command()).env("HOME", &home);
        let out = common::run(c, stdin);
        assert!(
            out.status.success(),
            "{device}: {args:?}: {}\nsshd: {}",
            text(&out.stderr),
            std::fs::read_to_string(sshd.dir.join("sshd.log")).unwrap_or_default()
        );
    };
    // A vault of its own (a1 already syncs with the local remote).
    run("s1", &["init", "--name", "alice"], None);
    run("s1", &["case", "new", "statkevich-2010"], None);
    let rec = serde_json::json!({"type": "note", "text": "first over ssh"}).to_string();
    run("s1", &["add", "statkevich-2010", "--from", "-"], Some(&rec));
    run("s1", &["sync", "init", "--remote", &url], None);
    run("s1", &["sync"], None);
    run("s2", &["clone", &url], None);
    let rec = serde_json::json!({"type": "note", "text": "sent over ssh"}).to_string();
    run("s2", &["add", "statkevich-2010", "--from", "-"], Some(&rec));
    run("s2", &["sync"], None);
    run("s1", &["sync"], None);
    let s1 = net.records("s1", "alice", "statkevich-2010");
    assert_eq!(s1.len(), 2, "{s1:?}");
    assert_eq!(s1, net.records("s2", "alice", "statkevich-2010"));
    net.verifies("s2", "alice");
    // The vault's branch really is on the server's repository, and nothing
    // of the user's ssh set-up was written.
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(&bare)
        .args(["rev-parse", "--verify", "refs/heads/vault"])
        .output()
        .unwrap();
    assert!(out.status.success(), "nothing was pushed over ssh");
    assert!(!home.join(".ssh").exists(), "ssh wrote into HOME");
}

#[test]
fn a_roster_forked_by_two_member_additions_is_sealed_anew_at_merge() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    net.clone_to("a2", "alice");
    net.add_member("a1", "carol");
    net.add_member("a2", "dan");
    net.ok("a1", "alice", &["sync"], None);
    let out = net.ok("a2", "alice", &["sync"], None);
    assert!(out.contains("sealed anew") && out.contains("the roster"), "{out}");
    net.ok("a1", "alice", &["sync"], None);
    for d in ["a1", "a2"] {
        net.verifies(d, "alice");
        let members = net.ok(d, "alice", &["member", "list"], None);
        assert!(members.contains("carol") && members.contains("dan"), "{members}");
    }
}

#[test]
fn another_vault_pushed_to_the_same_remote_is_refused() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    net.ok("b1", "alice", &["init", "--name", "alice"], None);
    net.ok("b1", "alice", &["case", "new", "other"], None);
    let remote = net.remote();
    net.ok(
        "b1",
        "alice",
        &["sync", "init", "--remote", remote.to_str().unwrap()],
        None,
    );
    let before = common::snapshot(&net.vault("b1"));
    let out = net.run("b1", "alice", &["sync"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("more than one roster"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(before, common::snapshot(&net.vault("b1")));
}

/// Syncs `device` expecting a refusal; returns stderr. The vault must be unchanged.
fn refused(net: &Net, device: &str) -> String {
    let before = common::snapshot(&net.vault(device));
    let out = net.run(device, "alice", &["sync"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(before, common::snapshot(&net.vault(device)), "the vault changed");
    net.verifies(device, "alice");
    text(&out.stderr)
}

/// Syncs `device`, whose copy of `case` the remote has tampered with:
/// returns stderr. The sync fails, and the case's files here are exactly as
/// they were (nothing of it imported), while the rest may come in.
fn refused_case(net: &Net, device: &str, case: &str) -> String {
    let files = |net: &Net| -> BTreeMap<String, Vec<u8>> {
        opened_paths(&net.vault(device), &net.key("alice"), case)
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(net.vault(device).join(&p)).unwrap();
                (p, bytes)
            })
            .collect()
    };
    let before = files(net);
    let out = net.run(device, "alice", &["sync"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(before, files(net), "the refused case changed");
    net.verifies(device, "alice");
    text(&out.stderr)
}

#[test]
fn an_altered_object_refuses_its_case_and_the_rest_is_imported() {
    if !git_available() || !common::age_available() {
        return;
    }
    let net = Net::new();
    net.clone_to("a2", "alice");
    net.note("a2", "alice", "statkevich-2010", "new from a2");
    net.ok("a2", "alice", &["case", "new", "bialiatski-2021"], None);
    net.note("a2", "alice", "bialiatski-2021", "untouched by the attacker");
    net.ok("a2", "alice", &["sync"], None);
    // One segment of the case that a1 has not seen yet is altered.
    let seen = net.remote_tree("vault");
    let here = common::snapshot(&net.vault("a1"));
    let path = opened_paths(&net.vault("a2"), &net.key("alice"), "statkevich-2010")
        .into_iter()
        .find(|p| p.starts_with("objects/") && !here.contains_key(&net.vault("a1").join(p)))
        .unwrap();
    let mut tree = seen.clone();
    let mut bytes = net.blob(&seen[&path]);
    let at = bytes.len() - 20;
    bytes[at] ^= 1;
    tree.insert(path.clone(), net.put_blob(&bytes));
    net.force_tree(&tree);
    net.note("a1", "alice", "statkevich-2010", "a1's own, still pushed");
    let err = refused_case(&net, "a1", "statkevich-2010");
    assert!(err.contains(&format!("{path} (remote)")), "{err}");
    assert!(err.contains("left out"), "{err}");
    assert_eq!(net.records("a1", "alice", "statkevich-2010").len(), 2);
    // a1's own heads, the refused case's included, reached the remote.
    let pushed: BTreeSet<String> = net.remote_tree("vault").into_values().collect();
    for head in std::fs::read_dir(net.vault("a1").join("heads")).unwrap() {
        let id = net.put_blob(&std::fs::read(head.unwrap().path()).unwrap());
        assert!(pushed.contains(&id), "a1's head was not pushed");
    }
    assert_eq!(net.records("a1", "alice", "bialiatski-2021").len(), 1);
    // Nothing was pushed over the altered file, and the next sync says it again.
    assert_eq!(net.remote_tree("vault")[&path], tree[&path]);
    let err = refused_case(&net, "a1", "statkevich-2010");
    assert!(err.contains(&format!("{path} (remote)")), "{err}");

    // An object the copy already holds, altered: named as damaged.
    let net = Net::new();
    net.clone_to("a2", "alice");
    net.ok("a2", "alice", &["case", "new", "bialiatski-2021"], None);
    net.ok("a2", "alice", &["sync"], None);
    let mut tree = net.remote_tree("vault");
    let path = opened_paths(&net.vault("a1"), &net.key("alice"), "statkevich-2010")
        .into_iter()
        .find(|p| p.starts_with("objects/"))
        .unwrap();
    let mut bytes = net.blob(&tree[&path]);
    let at = bytes.len() - 20;
    bytes[at] ^= 1;
    tree.insert(path.clone(), net.put_blob(&bytes));
    net.force_tree(&tree);
    let err = refused_case(&net, "a1", "statkevich-2010");
    assert!(err.contains(&format!("{path} (remote): damaged")), "{err}");
    let cases = net.ok("a1", "alice", &["case", "list"], None);
    assert!(cases.contains("bialiatski-2021"), "{cases}");
}

#[test]
fn a_removed_entry_and_a_rolled_back_remote_are_reported() {
    if !git_available() || !common::age_available() {
        return;
    }
    let net = Net::new();
    net.clone_to("a2", "alice");
    net.note("a2", "alice", "statkevich-2010", "second");
    net.ok("a2", "alice", &["sync"], None);
    net.ok("a1", "alice", &["sync"], None);
    // An object of the case that a1 has seen is dropped from the remote.
    let full = net.remote_tree("vault");
    let mut cut = full.clone();
    let gone = opened_paths(&net.vault("a1"), &net.key("alice"), "statkevich-2010")
        .into_iter()
        .find(|p| p.starts_with("objects/"))
        .unwrap();
    cut.remove(&gone);
    net.force_tree(&cut);
    // A fresh copy, which never saw it, finds the head naming what is
    // missing: it leaves the case out, and takes the rest.
    let out = net.run("a3", "alice", &["clone", net.remote().to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("missing"), "{}", text(&out.stderr));
    net.verifies("a3", "alice");
    let cases = net.ok("a3", "alice", &["case", "list"], None);
    assert!(!cases.contains("statkevich-2010"), "{cases}");
    // a1 names the removal, and its push puts the file back.
    let err = refused(&net, "a1");
    assert!(err.contains(&gone) && err.contains("removed from the remote"), "{err}");
    assert_eq!(net.remote_tree("vault").get(&gone), full.get(&gone));
    net.ok("a3", "alice", &["sync"], None);
    assert_eq!(net.records("a3", "alice", "statkevich-2010").len(), 2);
    // The whole branch put back to the first commit.
    let first = net.git(&["rev-list", "--max-parents=0", "vault"], None);
    net.git(&["update-ref", "refs/heads/vault", first.trim()], None);
    let err = refused(&net, "a1");
    assert!(err.contains("removed from the remote"), "{err}");
}

#[test]
fn a_head_rolled_back_on_the_remote_is_reported() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    net.clone_to("a2", "alice");
    net.note("a2", "alice", "statkevich-2010", "second");
    net.ok("a2", "alice", &["sync"], None);
    let older = net.remote_tree("vault");
    net.note("a2", "alice", "statkevich-2010", "third");
    net.ok("a2", "alice", &["sync"], None);
    net.ok("a1", "alice", &["sync"], None);
    // Every head that changed since `older` is put back, the rest kept.
    let mut tree = net.remote_tree("vault");
    let mut rolled = Vec::new();
    for (p, id) in older.iter().filter(|(p, _)| p.starts_with("heads/")) {
        if tree.get(p) != Some(id) {
            tree.insert(p.clone(), id.clone());
            rolled.push(p.clone());
        }
    }
    assert!(!rolled.is_empty());
    net.force_tree(&tree);
    let err = refused(&net, "a1");
    assert!(err.contains("rolled back"), "{err}");
    assert!(err.contains(&rolled[0]), "{err}");
}

#[test]
fn a_foreign_file_or_a_forged_head_of_this_device_is_refused() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    net.clone_to("a2", "alice");
    net.note("a1", "alice", "statkevich-2010", "still arrives");
    net.ok("a1", "alice", &["sync"], None);
    let mut tree = net.remote_tree("vault");
    tree.insert("heads/README".into(), net.put_blob(b"hello"));
    net.force_tree(&tree);
    let out = net.run("a2", "alice", &["--json", "sync"], None);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("heads/README (remote)") && err.contains("never writes"),
        "{err}"
    );
    assert_eq!(err.matches("never writes").count(), 1, "one line per file: {err}");
    let json: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(json["refused"].as_array().unwrap().len(), 1, "{json}");
    assert!(json["imported"].as_u64().unwrap() > 0, "{json}");
    assert_eq!(net.records("a2", "alice", "statkevich-2010").len(), 2);
    net.verifies("a2", "alice");
    // The push left the foreign file out of the remote's newest commit
    // (it stays in history); the next sync is clean.
    assert!(!net.remote_tree("vault").contains_key("heads/README"));
    net.ok("a2", "alice", &["sync"], None);

    // A copy of a1's directory (same device id) writes and pushes: a1 finds a
    // head in its own name that it never wrote.
    let net = Net::new();
    common::copy_dir(&net.vault("a1"), &net.vault("a1-copy"));
    net.note("a1-copy", "alice", "statkevich-2010", "written by the copy");
    net.ok("a1-copy", "alice", &["sync"], None);
    let err = refused(&net, "a1");
    assert!(err.contains("this device's name"), "{err}");
}

#[test]
fn a_sync_killed_part_way_leaves_a_valid_vault_and_the_next_one_finishes() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    net.clone_to("a2", "alice");
    net.ok("a1", "alice", &["case", "new", "second-case"], None);
    net.note("a1", "alice", "second-case", "x");
    net.note("a1", "alice", "statkevich-2010", "y");
    net.ok("a1", "alice", &["sync"], None);
    // Aborted after the first head's write: the vault verifies as it stands.
    let out = common::run(
        {
            let mut c = net.cmd("a2", "alice", &["sync"]);
            c.env("DOSSIER_FAILPOINT", "sync-head-imported");
            c
        },
        None,
    );
    assert!(!out.status.success());
    net.verifies("a2", "alice");
    // Killed with SIGKILL at varying moments.
    for delay in [5u64, 20, 60, 150] {
        net.note("a1", "alice", "statkevich-2010", &format!("after {delay}"));
        net.ok("a1", "alice", &["sync"], None);
        let mut child = net.cmd("a2", "alice", &["sync"]).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        net.verifies("a2", "alice");
    }
    net.ok("a2", "alice", &["sync"], None);
    net.ok("a1", "alice", &["sync"], None);
    assert_eq!(
        net.records("a1", "alice", "statkevich-2010"),
        net.records("a2", "alice", "statkevich-2010")
    );
    assert_eq!(net.records("a2", "alice", "second-case").len(), 1);
    net.verifies("a1", "alice");
    net.verifies("a2", "alice");
}

#[test]
fn concurrent_syncs_are_serialized() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    net.clone_to("a2", "alice");
    net.note("a1", "alice", "statkevich-2010", "one");
    net.note("a2", "alice", "statkevich-2010", "two");
    let children: Vec<_> = ["a1", "a2", "a1"]
        .iter()
        .map(|d| net.cmd(d, "alice", &["sync"]).spawn().unwrap())
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    net.ok("a1", "alice", &["sync"], None);
    net.ok("a2", "alice", &["sync"], None);
    net.ok("a1", "alice", &["sync"], None);
    assert_eq!(
        net.records("a1", "alice", "statkevich-2010"),
        net.records("a2", "alice", "statkevich-2010")
    );
    net.verifies("a1", "alice");
    net.verifies("a2", "alice");
}

#[test]
fn a_revocation_propagates_and_a_late_device_is_sealed_anew_at_merge() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    net.add_bob();
    net.ok("a1", "alice", &["sync"], None);
    net.clone_to("a2", "alice");
    net.clone_to("b1", "bob");
    assert_eq!(net.records("b1", "bob", "statkevich-2010").len(), 1);
    // a2, offline, writes a record sealed to alice and bob; a1 revokes bob.
    net.note("a2", "alice", "statkevich-2010", "late-written-secret");
    net.ok("a1", "alice", &["case", "revoke", "statkevich-2010", "bob"], None);
    net.ok("a1", "alice", &["sync"], None);
    let out = net.ok("a2", "alice", &["sync"], None);
    assert!(out.contains("sealed anew"), "{out}");
    net.ok("a1", "alice", &["sync"], None);
    assert_eq!(net.records("a1", "alice", "statkevich-2010").len(), 2);
    net.verifies("a1", "alice");
    net.verifies("a2", "alice");
    // bob pulls: his copy is not replaced by files he cannot open until he
    // says he accepts it (a remote that replaced them would look the same).
    let out = net.run("b1", "bob", &["sync"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("sync --forget statkevich-2010"), "{err}");
    net.ok("b1", "bob", &["sync", "--forget", "statkevich-2010"], None);
    let out = net.run("b1", "bob", &["log", "statkevich-2010"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    net.verifies("b1", "bob");
    if common::age_available() {
        for plain in common::age_opens(&net.vault("b1"), &net.key("bob")) {
            assert!(
                !common::contains(&plain, "statkevich-2010"),
                "bob still opens a head of the case"
            );
            assert!(
                !common::contains(&plain, "late-written-secret"),
                "bob opens the late record"
            );
            assert!(
                !common::contains(&plain, "first visit denied"),
                "bob opens an old record"
            );
        }
        // Nor does any blob of the remote's whole history, or of the late
        // device's git store, hold the late record sealed to him.
        let stores = [net.remote(), net.vault("a2").join("local/sync/repo.git")];
        for store in stores {
            let list = Command::new("git")
                .arg("--git-dir")
                .arg(&store)
                .args([
                    "cat-file",
                    "--batch-all-objects",
                    "--batch-check=%(objectname) %(objecttype)",
                ])
                .output()
                .unwrap();
            for line in text(&list.stdout).lines().filter(|l| l.ends_with(" blob")) {
                let id = line.split(' ').next().unwrap();
                let blob = Command::new("git")
                    .arg("--git-dir")
                    .arg(&store)
                    .args(["cat-file", "blob", id])
                    .output()
                    .unwrap()
                    .stdout;
                let file = net.dir.path().join("blob");
                std::fs::write(&file, blob).unwrap();
                let o = Command::new("age")
                    .arg("-d")
                    .arg("-i")
                    .arg(net.key("bob"))
                    .arg(&file)
                    .output()
                    .unwrap();
                assert!(
                    !common::contains(&o.stdout, "late-written-secret"),
                    "{}: a blob bob opens holds the late record",
                    store.display()
                );
            }
        }
    }
}

/// A remote that holds no key replaces every file of a case with age files
/// to a throwaway key: the case must not vanish from a member's copy, and
/// putting back files from before a revocation later must not re-admit the
/// revoked member.
#[test]
fn a_remote_cannot_erase_a_case_or_bring_back_a_revoked_member() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    net.add_bob();
    net.ok("a1", "alice", &["sync"], None);
    let granted = net.remote_tree("vault");
    net.ok("a1", "alice", &["case", "revoke", "statkevich-2010", "bob"], None);
    net.ok("a1", "alice", &["sync"], None);

    // Junk in place of every file alice can open of the case.
    let junk_key = net.dir.path().join("junk.key");
    let out = Command::new("age-keygen").arg("-o").arg(&junk_key).output();
    if out.is_err() {
        eprintln!("age-keygen is not installed; skipping");
        return;
    }
    let mut tree = net.remote_tree("vault");
    let mine: Vec<String> = opened_paths(&net.vault("a1"), &net.key("alice"), "statkevich-2010");
    assert!(!mine.is_empty());
    for path in &mine {
        let size = std::fs::metadata(net.vault("a1").join(path)).unwrap().len() as usize;
        let junk = Command::new("age")
            .arg("-e")
            .arg("-i")
            .arg(&junk_key)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().unwrap().write_all(&vec![7u8; size / 2])?;
                c.wait_with_output()
            })
            .unwrap()
            .stdout;
        tree.insert(path.clone(), net.put_blob(&junk));
    }
    net.force_tree(&tree);
    let err = refused(&net, "a1");
    assert!(err.contains("case 'statkevich-2010' can no longer be opened"), "{err}");
    assert_eq!(net.records("a1", "alice", "statkevich-2010").len(), 1);

    // Even if alice is talked into forgetting it, the older files from
    // before the revocation cannot come back.
    net.ok("a1", "alice", &["sync", "--forget", "statkevich-2010"], None);
    let mut tree = net.remote_tree("vault");
    for path in &mine {
        if let Some(id) = granted.get(path) {
            tree.insert(path.clone(), id.clone());
        }
    }
    net.force_tree(&tree);
    let out = net.run("a1", "alice", &["sync"], None);
    assert_eq!(out.status.code(), Some(1), "the pre-revocation files came back");
    assert!(text(&out.stderr).contains("rolled back"), "{}", text(&out.stderr));
    let show = net.run("a1", "alice", &["case", "show", "statkevich-2010"], None);
    assert!(!text(&show.stdout).contains("bob"), "{}", text(&show.stdout));
}

/// Paths (`heads/…`, `objects/…`) of the files of `vault` that `key` opens
/// and that mention `case` or belong to it (heads name it; segments are found
/// through the heads).
fn opened_paths(vault: &Path, key: &Path, case: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut segments = Vec::new();
    for area in ["heads", "objects"] {
        for e in std::fs::read_dir(vault.join(area)).unwrap() {
            let p = e.unwrap().path();
            let o = Command::new("age")
                .arg("-d")
                .arg("-i")
                .arg(key)
                .arg(&p)
                .output()
                .unwrap();
            if !o.status.success() {
                continue;
            }
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if area == "heads" && common::contains(&o.stdout, case) {
                out.push(format!("heads/{name}"));
                for s in std::fs::read_dir(vault.join("objects")).unwrap() {
                    let s = s.unwrap().file_name().to_string_lossy().to_string();
                    if common::contains(&o.stdout, &s) {
                        segments.push(format!("objects/{s}"));
                    }
                }
            }
        }
    }
    out.extend(segments);
    out.sort();
    out.dedup();
    out
}

#[test]
fn the_remote_holds_nothing_but_ciphertext_and_opaque_names() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    net.add_bob();
    net.ok("a1", "alice", &["sync"], None);
    net.clone_to("a2", "alice");
    net.note("a2", "alice", "statkevich-2010", "Hanna Kavalenka testified");
    net.note("a1", "alice", "statkevich-2010", "visit denied again");
    net.ok("a2", "alice", &["sync"], None);
    net.ok("a1", "alice", &["sync"], None);

    let user = std::env::var("USER").unwrap_or_default();
    let host = std::fs::read_to_string("/etc/hostname")
        .unwrap_or_default()
        .trim()
        .to_string();
    let mut banned = vec![
        "statkevich",
        "alice",
        "bob",
        "Hanna",
        "Kavalenka",
        "visit",
        "note",
        "case",
        "record",
    ];
    if user.len() >= 3 {
        banned.push(&user);
    }
    if host.len() >= 3 {
        banned.push(&host);
    }
    let fuller = net.git(&["log", "--all", "--format=fuller"], None);
    let refs = net.git(&["for-each-ref"], None);
    let mut names = String::new();
    let mut blobs = Vec::new();
    for commit in net.git(&["rev-list", "--all"], None).lines() {
        let raw = net.git(&["cat-file", "-p", commit], None);
        assert!(
            raw.contains("author dossier <dossier@invalid> 946684800 +0000"),
            "{raw}"
        );
        assert!(
            raw.contains("committer dossier <dossier@invalid> 946684800 +0000"),
            "{raw}"
        );
        assert!(raw.trim_end().ends_with("\n\nvault"), "{raw}");
        assert!(!raw.contains("gpgsig"), "{raw}");
        for (path, id) in net.remote_tree(commit) {
            let (dir, name) = path.split_once('/').unwrap();
            assert!(dir == "heads" || dir == "objects", "{path}");
            assert!(
                name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit()),
                "{path}"
            );
            names.push_str(&path);
            names.push('\n');
            blobs.push(net.blob(&id));
        }
    }
    assert!(refs.lines().all(|l| l.ends_with("refs/heads/vault")), "{refs}");
    for word in &banned {
        for (what, hay) in [("log", &fuller), ("refs", &refs), ("names", &names)] {
            assert!(
                !hay.to_lowercase().contains(&word.to_lowercase()),
                "{what} holds '{word}': {hay}"
            );
        }
        for b in &blobs {
            assert!(b.starts_with(b"age-encryption.org/v1\n"), "a blob is not an age file");
            // Random ciphertext holds any short word now and then (a 3-byte
            // word about once in 16 MB): only long ones tell plaintext apart.
            if word.len() >= 8 {
                assert!(!common::contains(b, word), "a blob holds '{word}'");
            }
        }
    }
    // No hook, config or description of ours reaches the remote's own files.
    let config = std::fs::read_to_string(net.remote().join("config")).unwrap();
    for word in &banned {
        assert!(!config.contains(word), "{config}");
    }
}

#[test]
fn sync_without_a_remote_or_git_says_what_is_missing() {
    let env = common::Env::new();
    let err = env.fails(&["sync"], None);
    assert!(err.contains("sync init --remote"), "{err}");
    if !git_available() {
        return;
    }
    let mut c = env.cmd(&["sync", "init", "--remote", "/nonexistent/remote.git"]);
    c.env("PATH", "/nonexistent");
    let out = common::run(c, None);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("`git` was not found on PATH"), "{err}");
    assert!(!env.vault().join("local/sync").exists());
}

/// A remote URL that would run a command (`ext::`) is never used, even when
/// the user's git configuration (here through the environment) allows it.
#[test]
fn a_remote_url_that_runs_a_command_is_refused() {
    if !git_available() {
        return;
    }
    let net = Net::new();
    let marker = net.dir.path().join("ran");
    let url = format!("ext::sh -c touch% {}", marker.display());
    let out = net
        .cmd("c1", "alice", &["clone", &url])
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "protocol.allow")
        .env("GIT_CONFIG_VALUE_0", "always")
        .env("GIT_ALLOW_PROTOCOL", "ext")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(!marker.exists(), "the remote URL ran a command");
    assert!(!net.vault("c1").exists(), "a failed clone left a directory");
}

/// A document's content is listed by no head, so its case cannot be told
/// from the file alone. A remote that alters the copy a revocation re-sealed
/// must not get the revocation imported without it: the local copy, still
/// sealed to the revoked member, would then sit under a log that says it was
/// sealed anew. The whole sync is refused and this copy is unchanged.
#[test]
fn a_refused_document_refuses_the_rotation_that_resealed_it() {
    if !git_available() || !common::age_available() {
        return;
    }
    let net = Net::new();
    net.add_bob();
    let doc = net.dir.path().join("hearing.bin");
    std::fs::write(&doc, vec![7u8; 300_000]).unwrap();
    net.ok(
        "a1",
        "alice",
        &["attach", "statkevich-2010", doc.to_str().unwrap()],
        None,
    );
    net.ok("a1", "alice", &["sync"], None);
    net.clone_to("a2", "alice");
    let before = net.remote_tree("vault");
    net.ok("a2", "alice", &["case", "revoke", "statkevich-2010", "bob"], None);
    net.ok("a2", "alice", &["sync"], None);
    // The re-sealed document: the largest object the revocation changed.
    let mut tree = net.remote_tree("vault");
    let path = tree
        .iter()
        .filter(|(p, id)| p.starts_with("objects/") && before.get(*p).is_some_and(|b| b != *id))
        .max_by_key(|(_, id)| net.blob(id).len())
        .map(|(p, _)| p.clone())
        .unwrap();
    let mut bytes = net.blob(&tree[&path]);
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    tree.insert(path.clone(), net.put_blob(&bytes));
    net.force_tree(&tree);
    let err = refused(&net, "a1");
    assert!(err.contains(&format!("{path} (remote)")), "{err}");
    let shown = net.ok("a1", "alice", &["--json", "case", "show", "statkevich-2010"], None);
    assert!(shown.contains("bob"), "the revocation came in: {shown}");
}
