//! The local pack (docs/FORMAT.md §17): a read cache that must never make a
//! reader accept what the files would not give. Unit tests in
//! src/vault/pack.rs cover packs of another identity, torn and damaged pack
//! files byte by byte; here the real binary reads real vaults.

mod common;

use std::path::{Path, PathBuf};

use common::{run, text, Env, CASE};

fn packs(vault: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(vault.join("local"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("pack-"))
        .collect();
    out.sort();
    out
}

fn objects(vault: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(vault.join("objects"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    out
}

/// A read fills the pack; reads through it, and without it, give the same.
#[test]
fn reads_through_the_pack_give_what_the_files_give() {
    let env = Env::new();
    env.sample_case();
    env.note(CASE, "one more");
    let cold = env.log_json();
    assert!(!packs(&env.vault).is_empty(), "no pack written");
    let warm = env.log_json();
    assert_eq!(cold, warm);
    for p in packs(&env.vault) {
        std::fs::remove_file(p).unwrap();
    }
    assert_eq!(env.log_json(), cold);
    assert_eq!(env.verify(&[]).0, Some(0));
}

/// Every object, changed after it was packed, is read from the file and
/// refused, as `verify` refuses it: the pack is keyed by the file's bytes.
#[test]
fn an_object_changed_since_it_was_packed_is_refused() {
    let env = Env::new();
    env.sample_case();
    env.note(CASE, "one more");
    env.log_json();
    let files = objects(&env.vault);
    assert!(files.len() >= 2);
    for f in &files {
        let good = std::fs::read(f).unwrap();
        let mut bad = good.clone();
        let at = good.len() / 2;
        bad[at] ^= 1;
        std::fs::write(f, &bad).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let err = env.fails(&["log", CASE], None);
        assert!(err.contains(&name), "{name}: {err}");
        let (code, out) = env.verify(&[]);
        assert_eq!(code, Some(1), "{out}");
        std::fs::write(f, &good).unwrap();
    }
    // Two objects swapped: each name now holds bytes packed under the other.
    let (a, b) = (&files[0], &files[1]);
    let (ba, bb) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    std::fs::write(a, &bb).unwrap();
    std::fs::write(b, &ba).unwrap();
    env.fails(&["log", CASE], None);
    std::fs::write(a, &ba).unwrap();
    std::fs::write(b, &bb).unwrap();
    assert_eq!(env.verify(&[]).0, Some(0));
    env.log_json();
}

/// Damaged or truncated pack files are not trusted: reads go to the files,
/// give the same records, and the next read that packs replaces them.
#[test]
fn damaged_pack_files_are_ignored_then_replaced() {
    let env = Env::new();
    env.sample_case();
    let good = env.log_json();
    let damaged = packs(&env.vault);
    assert!(!damaged.is_empty());
    for (i, p) in damaged.iter().enumerate() {
        let mut bytes = std::fs::read(p).unwrap();
        if i % 2 == 0 {
            let at = bytes.len() / 2;
            bytes[at] ^= 0x40;
        } else {
            bytes.truncate(bytes.len() / 2);
        }
        std::fs::write(p, bytes).unwrap();
    }
    assert_eq!(env.log_json(), good);
    // Removed by the read that found them, not left for a write; the cached
    // case state (FORMAT.md §17.6), which only `add` reads, by the next `add`.
    env.note(CASE, "one more");
    let now = packs(&env.vault);
    assert!(
        damaged.iter().all(|d| !now.contains(d)),
        "damaged pack files left by a read: {now:?}"
    );
    assert_eq!(env.log_json().len(), good.len() + 1);
    let now = packs(&env.vault);
    assert!(
        damaged.iter().all(|d| !now.contains(d)),
        "damaged pack files left: {now:?}"
    );
}

/// What a `dossier` command read, in bytes (`rchar`): run under a shell
/// that prints its own `/proc/PID/io` once the command is reaped, which
/// then counts everything the command read.
fn bytes_read(env: &Env, args: &[&str]) -> u64 {
    bytes_read_exiting(env, args, 0)
}

fn bytes_read_exiting(env: &Env, args: &[&str], code: i32) -> u64 {
    let c = env.cmd(args);
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg("\"$0\" \"$@\" >/dev/null 2>&1; echo \"exit: $?\"; cat /proc/$$/io")
        .arg(c.get_program())
        .args(c.get_args());
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    if let Some(d) = c.get_current_dir() {
        sh.current_dir(d);
    }
    let out = sh.output().unwrap();
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with(&format!("exit: {code}\n")), "{stdout}");
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("rchar: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("rchar in /proc/PID/io")
}

/// P1: a huge file planted under this identity's pack file names (anyone
/// who can write `local/` can do it) is not read whole by a read, which
/// removes it and gives the same log. Measured as the bytes the command
/// read, not as time: 400 MiB planted per part, under 64 MiB read.
#[test]
fn a_huge_planted_pack_file_is_not_read_and_is_removed() {
    let env = Env::new();
    env.sample_case();
    let good = env.log_json();
    let clean = bytes_read(&env, &["--json", "log", CASE]);
    let mut prefixes: Vec<String> = packs(&env.vault)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy()[..22].to_string())
        .collect();
    prefixes.dedup();
    assert!(prefixes.len() >= 2, "{prefixes:?}");
    let mut planted = Vec::new();
    for prefix in &prefixes {
        let p = env.vault.join("local").join(format!("{prefix}ffffffffffffffff"));
        // Sparse: 400 MiB of zeros that take no disk.
        std::fs::File::create(&p).unwrap().set_len(400 << 20).unwrap();
        planted.push(p);
    }
    let read = bytes_read(&env, &["--json", "log", CASE]);
    eprintln!(
        "bytes read: {clean} clean, {read} with {} files of 400 MiB planted",
        planted.len()
    );
    assert!(
        read < 64 << 20,
        "read {read} bytes with {} huge pack files planted ({clean} without)",
        planted.len()
    );
    // The cached case state's part is read only by `add` (FORMAT.md §17.6).
    env.note(CASE, "one more");
    for p in &planted {
        assert!(!p.exists(), "{} left in place", p.display());
    }
    assert_eq!(env.log_json().len(), good.len() + 1);
}

/// A huge file planted as this identity's marks (local/marks-*) is refused
/// as damaged, with one line, without being read whole.
#[test]
fn a_huge_planted_marks_file_is_refused_without_being_read() {
    let env = Env::new();
    env.sample_case();
    let marks: Vec<PathBuf> = std::fs::read_dir(env.vault.join("local"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("marks-"))
        .collect();
    assert_eq!(marks.len(), 1);
    std::fs::remove_file(&marks[0]).unwrap();
    std::fs::File::create(&marks[0]).unwrap().set_len(400 << 20).unwrap();
    let read = bytes_read_exiting(&env, &["--json", "log", CASE], 1);
    assert!(read < 100 << 20, "read {read} bytes of a 400 MiB marks file");
    let out = env.run(&["log", CASE], None);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("larger than any marks file") && err.lines().count() == 1,
        "{err}"
    );
}

/// kill -9 at each step of a pack update (a new file written; a merged file
/// written; one of the merged files removed): nothing is lost, nothing
/// doubled, and the vault verifies.
#[test]
fn a_crash_during_a_pack_update_loses_nothing() {
    for point in ["pack-written", "pack-merged", "pack-merged-half-removed"] {
        let env = Env::new();
        env.sample_case();
        let mut want = env.log_json();
        let mut died = 0;
        for i in 0..8 {
            env.note(CASE, &format!("note {i}"));
            want = env.log_json();
            env.note(CASE, &format!("more {i}"));
            let mut c = env.cmd(&["--json", "log", CASE]);
            c.env("DOSSIER_FAILPOINT", point);
            let out = run(c, None);
            if !out.status.success() {
                assert_eq!(out.status.code(), None, "{point}: {}", text(&out.stderr));
                died += 1;
            }
            let now = env.log_json();
            assert_eq!(now.len(), want.len() + 1, "{point}");
            assert_eq!(now[..want.len()], want[..], "{point}");
            want = now;
        }
        assert!(died > 0, "{point}: never reached");
        assert_eq!(env.verify(&[]).0, Some(0));
        assert_eq!(env.log_json(), want);
    }
}

/// Rotation re-seals every file (new bytes, same plaintext): reads after it
/// give the same records, through the pack or without it, and verify holds.
#[test]
fn reads_after_a_rotation_give_the_same_records() {
    let env = Env::new();
    env.sample_case();
    let before = env.log_json();
    let files_before = env.snapshot();
    env.ok(&["rotate", CASE], None);
    let after = env.snapshot();
    assert!(
        files_before.iter().any(|(p, b)| after.get(p).is_some_and(|a| a != b)),
        "rotation changed no file"
    );
    assert_eq!(env.log_json(), before);
    for p in packs(&env.vault) {
        std::fs::remove_file(p).unwrap();
    }
    assert_eq!(env.log_json(), before);
    assert_eq!(env.verify(&[]).0, Some(0));
}

/// An older copy of the whole vault put back, its pack files included (they
/// vouch for every old file, which is genuine): this copy's marks still see
/// the case's head rolled back, and reads and `verify` refuse it.
#[test]
fn an_older_copy_put_back_with_its_pack_is_still_refused() {
    let env = Env::new();
    env.sample_case();
    env.log_json();
    let older = env.dir.path().join("older");
    common::copy_dir(&env.vault, &older);
    env.note(CASE, "written after the copy");
    env.log_json();
    for area in ["heads", "objects"] {
        std::fs::remove_dir_all(env.vault.join(area)).unwrap();
        common::copy_dir(&older.join(area), &env.vault.join(area));
    }
    for p in packs(&env.vault) {
        std::fs::remove_file(p).unwrap();
    }
    let old_packs = packs(&older);
    assert!(!old_packs.is_empty());
    for p in old_packs {
        std::fs::copy(&p, env.vault.join("local").join(p.file_name().unwrap())).unwrap();
    }
    let err = env.fails(&["log", CASE], None);
    assert!(err.contains("rolled back"), "{err}");
    let (code, out) = env.verify(&[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("rolled back"), "{out}");
}
