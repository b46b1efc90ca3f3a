//! The tamper matrix: each way an adversary with the files can change them,
//! named by `verify`, refused by reads. (Byte flips, truncation and deletion
//! of every file are in cli.rs; roll-back and case deletion in rollback.rs.)

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, text, Env};

/// The object files that appeared while `f` ran.
fn new_objects(env: &Env, f: impl FnOnce()) -> Vec<PathBuf> {
    let before = env.files();
    f();
    env.files()
        .into_iter()
        .filter(|p| !before.contains(p) && p.parent().unwrap().ends_with("objects"))
        .collect()
}

fn name(p: &Path) -> String {
    format!("objects/{}", p.file_name().unwrap().to_string_lossy())
}

/// Verify fails, names `file`, says `why`; `log` refuses to read the case.
fn caught(env: &Env, file: &str, why: &str) {
    let (code, out) = env.verify(&[]);
    assert_eq!(code, Some(1), "not detected: {out}");
    assert!(out.contains(file), "{file} not named: {out}");
    assert!(out.contains(why), "expected '{why}': {out}");
    let read = env.run(&["log", "c1"], None);
    assert_eq!(read.status.code(), Some(1), "a read accepted tampered data");
    assert_eq!(text(&read.stderr).trim_end().lines().count(), 1);
}

#[test]
fn swapped_replaced_duplicated_and_spliced_objects_are_named() {
    let env = Env::new();
    env.ok(&["case", "new", "c1"], None);
    env.ok(&["case", "new", "c2"], None);
    let a = new_objects(&env, || env.note("c1", "first"));
    let b = new_objects(&env, || env.note("c1", "second"));
    let other_case = new_objects(&env, || env.note("c2", "elsewhere"));
    assert_eq!((a.len(), b.len(), other_case.len()), (1, 1, 1));
    let (a, b, other_case) = (&a[0], &b[0], &other_case[0]);
    let bytes_a = std::fs::read(a).unwrap();
    let bytes_b = std::fs::read(b).unwrap();
    let restore = || {
        std::fs::write(a, &bytes_a).unwrap();
        std::fs::write(b, &bytes_b).unwrap();
        assert_eq!(env.verify(&[]).0, Some(0));
    };
    assert_eq!(env.verify(&[]).0, Some(0));

    // Two objects of the same case swapped: same entries, wrong places.
    std::fs::write(a, &bytes_b).unwrap();
    std::fs::write(b, &bytes_a).unwrap();
    caught(&env, &name(a), "swapped or moved");
    restore();

    // An object of another case put in place of one of this case.
    std::fs::copy(other_case, a).unwrap();
    caught(&env, &name(a), "another case");
    restore();

    // An object of another vault.
    let stranger = Env::new();
    stranger.ok(&["case", "new", "c1"], None);
    let foreign = new_objects(&stranger, || stranger.note("c1", "foreign"));
    std::fs::copy(&foreign[0], a).unwrap();
    caught(&env, &name(a), "cannot be opened with this identity");
    restore();

    // A duplicate under a new name: listed by no head.
    let dup = a.with_file_name("00112233445566778899aabbccddeeff");
    std::fs::copy(a, &dup).unwrap();
    let (code, out) = env.verify(&[]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("00112233445566778899aabbccddeeff") && out.contains("no head lists it"),
        "{out}"
    );
    std::fs::remove_file(&dup).unwrap();
    restore();

    // A genuine entry from a diverged copy of the vault, spliced in: first as
    // a stray object, then in place of a real one.
    let fork = env.root.join("fork");
    copy_dir(&env.vault(), &fork);
    let before: Vec<PathBuf> = std::fs::read_dir(fork.join("objects"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let mut c = env.cmd(&["--vault", fork.to_str().unwrap(), "add", "c1", "--from", "-"]);
    c.env("DOSSIER_VAULT", &fork);
    let out = common::run(c, Some(r#"{"type":"note","text":"written in a copy"}"#));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let forked: Vec<PathBuf> = std::fs::read_dir(fork.join("objects"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !before.contains(p))
        .collect();
    assert_eq!(forked.len(), 1);
    let spliced = env.vault().join("objects").join(forked[0].file_name().unwrap());
    std::fs::copy(&forked[0], &spliced).unwrap();
    let (code, out) = env.verify(&[]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains(&name(&spliced)) && out.contains("no head lists it"),
        "{out}"
    );
    std::fs::remove_file(&spliced).unwrap();
    std::fs::copy(&forked[0], a).unwrap();
    caught(&env, &name(a), "swapped or moved");
    restore();

    // One head put back from the diverged copy: what was written since is orphaned,
    // and what the copy wrote is missing.
    let later = new_objects(&env, || env.note("c1", "third"));
    let heads_now = env
        .files()
        .into_iter()
        .filter(|p| p.parent().unwrap().ends_with("heads"));
    for h in heads_now {
        let old = fork.join("heads").join(h.file_name().unwrap());
        if old.exists() && std::fs::read(&old).unwrap() != std::fs::read(&h).unwrap() {
            std::fs::copy(&old, &h).unwrap();
        }
    }
    let (code, out) = env.verify(&[]);
    assert_eq!(code, Some(1), "a head rolled back alone went unseen: {out}");
    assert!(out.contains(&name(&later[0])), "{out}");
}

/// One damaged case — perhaps planted by a member to stop every command that
/// walks all cases — is named, and the others stay usable.
#[test]
fn a_damaged_case_is_named_and_does_not_stop_the_others() {
    let env = Env::new();
    env.ok(&["case", "new", "c1"], None);
    env.ok(&["case", "new", "zz"], None);
    env.note("c1", "a cold cell in the basement");
    let planted = new_objects(&env, || env.note("zz", "a cold cell too"));
    let mut bytes = std::fs::read(&planted[0]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&planted[0], bytes).unwrap();

    let out = env.run(&["case", "list"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("c1") && table.contains("DAMAGED"), "{table}");
    assert!(text(&out.stderr).contains("dossier verify zz"), "{}", text(&out.stderr));
    let json = env.ok(&["--json", "case", "list"], None);
    let rows: Vec<serde_json::Value> = json.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert!(rows[0]["problem"].is_null(), "{json}");
    assert!(rows[1]["problem"].as_str().unwrap().contains("damaged"), "{json}");

    let out = env.run(&["--json", "search", "cold cell"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let hits: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["case"], "c1");
    assert!(text(&out.stderr).contains("not searched"), "{}", text(&out.stderr));
    let id = hits[0]["id"].as_str().unwrap().to_string();
    env.ok(&["show", &id], None);
    env.fails(&["log", "zz"], None);
    env.fails(&["search", "cold", "--case", "zz"], None);
}

/// Anyone can encrypt to a member's public recipient: a stranger makes a case
/// with the same name, grants it to alice in a vault of their own, and plants
/// its files in alice's vault. Her case is still the one read and written;
/// the planted log is never shown, and `verify` names it.
#[test]
fn a_planted_case_of_the_same_name_does_not_take_the_real_ones_place() {
    let alice = Env::new();
    alice.ok(&["case", "new", "c1"], None);
    alice.note("c1", "the real record");
    let me: serde_json::Value = serde_json::from_str(&alice.ok(&["--json", "whoami"], None)).unwrap();
    let stranger = Env::new();
    stranger.ok(
        &[
            "member",
            "add",
            "target",
            "--recipient",
            me["recipient"].as_str().unwrap(),
            "--signing-key",
            me["signing_key"].as_str().unwrap(),
        ],
        None,
    );
    let before = common::head_files(&stranger.vault);
    stranger.ok(&["case", "new", "c1"], None);
    stranger.ok(&["case", "grant", "c1", "target"], None);
    stranger.note("c1", "a planted record");
    let planted: Vec<PathBuf> = common::head_files(&stranger.vault)
        .into_keys()
        .filter(|p| !before.contains_key(p))
        .collect();
    assert!(!planted.is_empty());
    for h in &planted {
        std::fs::copy(h, alice.vault.join("heads").join(h.file_name().unwrap())).unwrap();
    }
    for o in std::fs::read_dir(stranger.vault.join("objects")).unwrap() {
        let o = o.unwrap().path();
        let to = alice.vault.join("objects").join(o.file_name().unwrap());
        if !to.exists() {
            std::fs::copy(&o, &to).unwrap();
        }
    }
    let log = alice.ok(&["log", "c1"], None);
    assert!(log.contains("the real record") && !log.contains("planted"), "{log}");
    assert!(alice.ok(&["search", "planted"], None).is_empty());
    alice.note("c1", "written after the plant");
    assert!(alice.ok(&["log", "c1"], None).contains("written after the plant"));
    let (code, out) = alice.verify(&[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("never a member"), "{out}");
}

/// A head planted by someone holding no key of the vault, encrypted to
/// alice, whose case name carries a line break and an escape: it would print
/// a false `OK` line under `verify`'s problems and fake rows in `case list`.
/// No case id may hold such characters, so the head is refused as a whole and
/// named; nothing of its name reaches the output.
#[test]
fn a_planted_head_with_a_hostile_case_name_is_refused() {
    use dossier::format::head::{Head, LogKind, SignedHead, HEAD_FORMAT, HEAD_SIGNATURE_LABEL, HEAD_VERSION};
    use serde_bytes::{ByteArray, ByteBuf};
    let env = Env::new();
    env.ok(&["case", "new", "c1"], None);
    let me: serde_json::Value = serde_json::from_str(&env.ok(&["--json", "whoami"], None)).unwrap();
    let stranger = dossier::crypto::identity::Identity::generate();
    let (log, device) = ([7u8; 16], [9u8; 16]);
    let head = Head {
        v: HEAD_VERSION,
        log: ByteArray::new(log),
        kind: LogKind::Case,
        name: "x'\nOK\u{1b}[2J".into(),
        device: ByteArray::new(device),
        serial: 1,
        time: "2026-11-25T00:00:00Z".into(),
        author: ByteArray::new(stranger.signing_key().verifying_key().to_bytes()),
        tips: vec![],
        segments: vec![],
    };
    let bytes = dossier::format::cbor::to_vec(&head);
    let sig = dossier::crypto::sign::sign(stranger.signing_key(), HEAD_SIGNATURE_LABEL, &bytes);
    let plain = SignedHead {
        format: HEAD_FORMAT.into(),
        head: ByteBuf::from(bytes),
        sig: ByteArray::new(sig),
        pad: ByteBuf::new(),
    }
    .encode_padded();
    let sealed = dossier::crypto::seal::seal(&[me["recipient"].as_str().unwrap().to_string()], &plain).unwrap();
    let name = dossier::vault::log::head_name(&log, &device);
    std::fs::write(env.vault.join("heads").join(&name), sealed).unwrap();

    let (code, out) = env.verify(&[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&name) && out.contains("no case id may hold"), "{out}");
    assert!(
        !out.lines().any(|l| l.trim() == "OK") && !out.contains('\u{1b}'),
        "{out:?}"
    );
    let listed = env.ok(&["case", "list"], None);
    assert!(!listed.contains("OK") && !listed.contains('\u{1b}'), "{listed:?}");
    assert!(listed.contains("c1"), "{listed}");
}
