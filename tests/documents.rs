//! Documents: `attach` and `get` stream content of any size through age, the
//! signed record holds its BLAKE3 hash, and `get`, `verify` and rotation treat
//! the content object like every other file of a case.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{age_available, run, text, Env};

const CASE: &str = "c1";

/// Writes `len` bytes of a deterministic pseudo-random stream to `path`.
fn generate(path: &Path, len: u64, seed: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x = seed | 1;
    let mut left = len;
    let mut buf = vec![0u8; 1 << 16];
    while left > 0 {
        for b in buf.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let bytes = x.to_le_bytes();
            b.copy_from_slice(&bytes[..b.len()]);
        }
        let n = left.min(buf.len() as u64) as usize;
        f.write_all(&buf[..n]).unwrap();
        left -= n as u64;
    }
    f.flush().unwrap();
}

/// BLAKE3 of a file, read in pieces.
fn hash_file(path: &Path) -> String {
    let mut h = blake3::Hasher::new();
    let mut f = std::fs::File::open(path).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    format!("blake3:{}", h.finalize().to_hex())
}

fn setup() -> Env {
    let env = Env::new();
    env.ok(&["case", "new", CASE], None);
    env
}

/// `attach --json`, parsed.
fn attach(env: &Env, file: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["--json", "attach", CASE, file.to_str().unwrap()];
    args.extend_from_slice(extra);
    serde_json::from_str(&env.ok(&args, None)).unwrap()
}

fn object_of(env: &Env, id: &str) -> PathBuf {
    let show: serde_json::Value = serde_json::from_str(&env.ok(&["--json", "show", id], None)).unwrap();
    env.vault.join("objects").join(show["object"].as_str().unwrap())
}

/// Names in a directory that start with a dot (temporary files).
fn dot_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn a_document_of_tens_of_mib_goes_in_and_comes_back_byte_for_byte() {
    let env = setup();
    let file = env.root.join("hearing-2011-05.mp3");
    let size = 24 * 1024 * 1024 + 12345;
    generate(&file, size, 7);
    let a = attach(&env, &file, &["--note", "hearing audio"]);
    let id = a["id"].as_str().unwrap().to_string();
    assert_eq!(a["case"], CASE);
    assert_eq!(a["name"], "hearing-2011-05.mp3");
    assert_eq!(a["media_type"], "audio/mpeg", "named by its extension");
    assert_eq!(a["size"], size);
    assert_eq!(a["hash"].as_str().unwrap(), hash_file(&file));

    // show prints the hash, and the record keeps the note.
    let shown = env.ok(&["show", &id], None);
    assert!(shown.contains(a["hash"].as_str().unwrap()), "{shown}");
    assert!(shown.contains("hearing audio"), "{shown}");
    let log = env.ok(&["--json", "log", CASE], None);
    assert!(log.contains("\"type\":\"document\""), "{log}");

    // The content object hides the exact size: its plaintext is padded.
    let object = object_of(&env, &id);
    let stored = std::fs::metadata(&object).unwrap().len();
    // 24 MiB + 12345 has 5 significant bits kept: padded to 24.5 MiB.
    assert!(stored > 49 * 512 * 1024, "only {stored} bytes for {size}");

    let out = env.root.join("out").join("back.mp3");
    std::fs::create_dir(env.root.join("out")).unwrap();
    let got: serde_json::Value =
        serde_json::from_str(&env.ok(&["--json", "get", &id[..12], "--output", out.to_str().unwrap()], None)).unwrap();
    assert_eq!(got["id"], id.as_str());
    assert_eq!(got["size"], size);
    assert_eq!(got["hash"], a["hash"]);
    assert_eq!(hash_file(&out), hash_file(&file));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the output is private");
    }
    assert!(dot_files(&env.root.join("out")).is_empty());
    let (code, report) = env.verify(&[]);
    assert_eq!(code, Some(0), "{report}");
}

#[test]
fn small_and_empty_documents_and_their_media_types() {
    let env = setup();
    let pdf = env.root.join("ruling.bin");
    std::fs::write(&pdf, b"%PDF-1.4\n1 0 obj\n").unwrap();
    assert_eq!(attach(&env, &pdf, &[])["media_type"], "application/pdf", "sniffed");
    let txt = env.root.join("protocol");
    std::fs::write(&txt, "Протокол допроса\n").unwrap();
    assert_eq!(attach(&env, &txt, &[])["media_type"], "text/plain");
    let empty = env.root.join("empty.dat");
    std::fs::write(&empty, b"").unwrap();
    let a = attach(&env, &empty, &[]);
    assert_eq!(a["size"], 0);
    let out = env.root.join("empty.out");
    env.ok(
        &["get", a["id"].as_str().unwrap(), "--output", out.to_str().unwrap()],
        None,
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"");
    env.ok(&["verify"], None);
}

/// Several GiB through attach and get; needs about twice that on disk (the
/// ciphertext and the output) and a minute or two: `cargo test -- --ignored`.
#[test]
#[ignore]
fn a_multi_gib_document_round_trips() {
    let env = setup();
    let file = env.root.join("big.raw");
    let size: u64 = 3 * 1024 * 1024 * 1024 + 17;
    // A sparse file: cheap to make, read back as zeros.
    std::fs::File::create(&file).unwrap().set_len(size).unwrap();
    let a = attach(&env, &file, &[]);
    assert_eq!(a["size"], size);
    let out = env.root.join("big.out");
    env.ok(
        &["get", a["id"].as_str().unwrap(), "--output", out.to_str().unwrap()],
        None,
    );
    assert_eq!(std::fs::metadata(&out).unwrap().len(), size);
    assert_eq!(hash_file(&out), a["hash"].as_str().unwrap());
    std::fs::remove_file(&out).unwrap();
    env.ok(&["verify"], None);
}

#[test]
fn bad_inputs_fail_in_one_line_and_write_nothing() {
    let env = setup();
    env.note(CASE, "a note, not a document");
    let note_id = env.ok(&["--json", "log", CASE], None);
    let note_id: serde_json::Value = serde_json::from_str(note_id.lines().next().unwrap()).unwrap();
    let note_id = note_id["id"].as_str().unwrap().to_string();
    let file = env.root.join("scan.pdf");
    std::fs::write(&file, b"%PDF-1.4 scan").unwrap();
    let doc = attach(&env, &file, &[])["id"].as_str().unwrap().to_string();
    let existing = env.root.join("exists.pdf");
    std::fs::write(&existing, b"keep me").unwrap();
    let before = env.snapshot();
    let missing = env.root.join("missing.pdf");
    let out = env.root.join("new.pdf");
    let nodir = env.root.join("nodir/x.pdf");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["attach", CASE, missing.to_str().unwrap()], "missing.pdf"),
        (vec!["attach", CASE, env.root.to_str().unwrap()], "is a directory"),
        (vec!["attach", "no-such-case", file.to_str().unwrap()], "no-such-case"),
        (
            vec!["attach", CASE, file.to_str().unwrap(), "--note", " "],
            "note is empty",
        ),
        (
            vec!["get", &note_id, "--output", out.to_str().unwrap()],
            "is a note, not a document",
        ),
        (
            vec!["get", "0000000000", "--output", out.to_str().unwrap()],
            "no record",
        ),
        (
            vec!["get", &doc, "--output", existing.to_str().unwrap()],
            "already exists",
        ),
        (
            vec!["get", &doc, "--output", nodir.to_str().unwrap()],
            "not a directory",
        ),
    ];
    for (args, want) in cases {
        let err = env.fails(&args, None);
        assert!(err.contains(want), "{args:?}: {err}");
        assert_eq!(env.snapshot(), before, "{args:?} changed the vault");
        assert!(!out.exists(), "{args:?} wrote an output");
    }
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");
    assert!(dot_files(&env.root).is_empty(), "{:?}", dot_files(&env.root));
    // A usage error is exit 2.
    let out = env.run(&["get", &doc], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_damaged_chunk_is_named_by_verify_and_refused_by_get() {
    let env = setup();
    let file = env.root.join("photo.jpg");
    generate(&file, 3 * 1024 * 1024, 11);
    let id = attach(&env, &file, &[])["id"].as_str().unwrap().to_string();
    let object = object_of(&env, &id);
    let name = object.file_name().unwrap().to_string_lossy().into_owned();
    let mut bytes = std::fs::read(&object).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&object, &bytes).unwrap();

    let (code, report) = env.verify(&[]);
    assert_ne!(code, Some(0), "{report}");
    assert!(report.contains(&format!("objects/{name}")), "{report}");
    assert!(report.contains(&id[..16]), "{report}");
    assert!(report.contains("document content damaged"), "{report}");
    let (code, report) = env.verify(&[CASE]);
    assert_ne!(code, Some(0), "{report}");

    let out = env.root.join("photo-back.jpg");
    let err = env.fails(&["get", &id, "--output", out.to_str().unwrap()], None);
    assert!(err.contains(&id[..16]) && err.contains(&name), "{err}");
    assert!(err.contains("damaged"), "{err}");
    assert!(!out.exists());
    assert!(dot_files(&env.root).is_empty(), "{:?}", dot_files(&env.root));
}

#[test]
fn content_swapped_for_another_document_fails_its_hash() {
    let env = setup();
    let one = env.root.join("one.txt");
    let two = env.root.join("two.txt");
    std::fs::write(&one, "document one").unwrap();
    std::fs::write(&two, "document two").unwrap();
    let a = attach(&env, &one, &[])["id"].as_str().unwrap().to_string();
    let b = attach(&env, &two, &[])["id"].as_str().unwrap().to_string();
    let (oa, ob) = (object_of(&env, &a), object_of(&env, &b));
    std::fs::copy(&ob, &oa).unwrap();
    let out = env.root.join("x.txt");
    let err = env.fails(&["get", &a, "--output", out.to_str().unwrap()], None);
    assert!(err.contains("does not match the hash"), "{err}");
    assert!(!out.exists());
    let (code, report) = env.verify(&[]);
    assert_ne!(code, Some(0));
    assert!(
        report.contains(&a[..16]) && report.contains("does not match the hash"),
        "{report}"
    );
}

#[test]
fn a_crash_at_each_step_of_attach_leaves_a_vault_that_verifies() {
    let env = setup();
    let file = env.root.join("audio.wav");
    generate(&file, 2 * 1024 * 1024 + 3, 5);
    let docs = |env: &Env| {
        env.ok(&["--json", "log", CASE], None)
            .lines()
            .filter(|l| l.contains("\"document\""))
            .count()
    };
    let mut acknowledged = 0;
    // atomic-write-*:1 is the journal, :2 the content object, :3 the segment, :4 the head.
    for point in [
        "append-journaled",
        "atomic-write-begin:2",
        "atomic-write-synced:2",
        "attach-content-written",
        "atomic-write-synced:3",
        "append-segment-written",
        "atomic-write-synced:4",
        "append-head-written",
    ] {
        let mut c = env.cmd(&["attach", CASE, file.to_str().unwrap()]);
        c.env("DOSSIER_FAILPOINT", point);
        let out = run(c, None);
        assert!(!out.status.success(), "{point}: the process did not die");
        let (code, report) = env.verify(&[]);
        assert_eq!(code, Some(0), "{point}: {report}");
        let now = docs(&env);
        if point == "append-head-written" {
            assert_eq!(now, acknowledged + 1, "{point}: a write past its commit point was lost");
        } else {
            assert_eq!(now, acknowledged, "{point}: a write before its commit point shows");
        }
        acknowledged = now;
        // Nothing is left behind: no journal, no temporary, no orphan object.
        for area in ["objects", "heads", "local"] {
            assert!(dot_files(&env.vault.join(area)).is_empty(), "{point}: {area}");
        }
        assert!(!env.vault.join("local/journal").exists(), "{point}");
        let objects = std::fs::read_dir(env.vault.join("objects")).unwrap().count();
        let big = std::fs::read_dir(env.vault.join("objects"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().metadata().unwrap().len() > 1024 * 1024)
            .count();
        assert_eq!(
            big, acknowledged,
            "{point}: {objects} objects, {big} large: an orphan is left"
        );
    }
    // Everything acknowledged reads back.
    let log = env.ok(&["--json", "log", CASE], None);
    for l in log.lines().filter(|l| l.contains("\"document\"")) {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let out = env.root.join(format!("{}.out", &v["id"].as_str().unwrap()[..8]));
        env.ok(
            &["get", v["id"].as_str().unwrap(), "--output", out.to_str().unwrap()],
            None,
        );
        assert_eq!(hash_file(&out), hash_file(&file));
    }
}

/// A second member, bob, added to the vault and granted the case.
fn add_bob(env: &Env) -> PathBuf {
    let bob = env.root.join("bob.key");
    env.ok(&["keygen", "--no-passphrase", "--output", bob.to_str().unwrap()], None);
    let mut c = env.cmd(&["--json", "whoami"]);
    c.env("DOSSIER_IDENTITY", &bob);
    let me: serde_json::Value = serde_json::from_str(&text(&run(c, None).stdout)).unwrap();
    env.ok(
        &[
            "member",
            "add",
            "bob",
            "--recipient",
            me["recipient"].as_str().unwrap(),
            "--signing-key",
            me["signing_key"].as_str().unwrap(),
        ],
        None,
    );
    env.ok(&["case", "grant", CASE, "bob"], None);
    bob
}

/// Runs stock `age -d -i KEY FILE`; its plaintext if it opened.
fn age_decrypt(key: &Path, file: &Path) -> Option<Vec<u8>> {
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(key)
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    out.status.success().then_some(out.stdout)
}

#[test]
fn stock_age_opens_content_and_a_revoked_member_opens_none() {
    let env = setup();
    let file = env.root.join("testimony.ogg");
    generate(&file, 200_000, 3);
    let a = attach(&env, &file, &[]);
    let id = a["id"].as_str().unwrap().to_string();
    let object = object_of(&env, &id);
    let bob = add_bob(&env);

    if age_available() {
        // Interop: the member's own identity opens the content object with
        // stock age; the first `size` bytes are the file, the rest zeros.
        let plain = age_decrypt(&env.key, &object).expect("alice opens it with age");
        let original = std::fs::read(&file).unwrap();
        assert_eq!(plain.len(), 256 * 1024, "padded to a power of two");
        assert_eq!(&plain[..original.len()], &original[..]);
        assert!(plain[original.len()..].iter().all(|&b| b == 0));
        assert!(
            age_decrypt(&bob, &object).is_some(),
            "granted: the history was sealed to bob"
        );
    }
    let mut c = env.cmd(&["get", &id, "--output", env.root.join("bob.ogg").to_str().unwrap()]);
    c.env("DOSSIER_IDENTITY", &bob);
    assert!(run(c, None).status.success(), "bob reads the document");

    let before = std::fs::read(&object).unwrap();
    env.ok(&["case", "revoke", CASE, "bob"], None);
    assert_ne!(std::fs::read(&object).unwrap(), before, "the content was sealed anew");
    if age_available() {
        assert!(
            age_decrypt(&bob, &object).is_none(),
            "bob's key still opens the content"
        );
        assert!(age_decrypt(&env.key, &object).is_some());
    }
    let out = env.root.join("after.ogg");
    env.ok(&["get", &id, "--output", out.to_str().unwrap()], None);
    assert_eq!(hash_file(&out), hash_file(&file));
    env.ok(&["verify"], None);

    // exposure counts what bob could read, documents included.
    let x: serde_json::Value = serde_json::from_str(&env.ok(&["--json", "exposure", "bob"], None)).unwrap();
    assert_eq!(x["cases"][0]["documents"], 1, "{x}");
    let human = env.ok(&["exposure", "bob"], None);
    assert!(human.contains("1 of them document;"), "{human}");
}

#[test]
fn rotate_seals_content_anew_and_it_still_reads() {
    let env = setup();
    let file = env.root.join("scan.tiff");
    generate(&file, 1_500_000, 9);
    let id = attach(&env, &file, &[])["id"].as_str().unwrap().to_string();
    let object = object_of(&env, &id);
    let before = std::fs::read(&object).unwrap();
    env.ok(&["rotate", CASE], None);
    let after = std::fs::read(&object).unwrap();
    assert_ne!(after, before);
    let out = env.root.join("scan.out");
    env.ok(&["get", &id, "--output", out.to_str().unwrap()], None);
    assert_eq!(hash_file(&out), hash_file(&file));
    env.ok(&["rotate", "--all"], None);
    env.ok(&["verify"], None);
    // A retracted document is still held, and still rotated and verified.
    env.ok(&["retract", &id, "--reason", "wrong case"], None);
    env.ok(&["rotate", CASE], None);
    assert_ne!(std::fs::read(&object).unwrap(), after);
    env.ok(&["verify"], None);
}

#[test]
fn a_revocation_killed_at_every_file_resumes_and_every_document_still_reads() {
    let env = setup();
    let files: Vec<PathBuf> = (0..2)
        .map(|i| {
            let f = env.root.join(format!("doc{i}.bin"));
            generate(&f, 300_000 + i, 20 + i);
            f
        })
        .collect();
    let ids: Vec<String> = files
        .iter()
        .map(|f| attach(&env, f, &[])["id"].as_str().unwrap().to_string())
        .collect();
    let bob = add_bob(&env);
    let total = std::fs::read_dir(env.vault.join("objects")).unwrap().count()
        + std::fs::read_dir(env.vault.join("heads")).unwrap().count();
    let mut finished = false;
    for n in 1..=total {
        let mut c = env.cmd(&["rotate", CASE]);
        c.env("DOSSIER_FAILPOINT", format!("rotate-file-written:{n}"));
        let out = run(c, None);
        if out.status.success() {
            finished = true;
            break;
        }
        assert_ne!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let (code, report) = env.verify(&[]);
        assert_eq!(code, Some(0), "killed at file {n}: {report}");
        for (id, f) in ids.iter().zip(&files) {
            let out = env.root.join(format!("{n}-{}.out", &id[..8]));
            env.ok(&["get", id, "--output", out.to_str().unwrap()], None);
            assert_eq!(hash_file(&out), hash_file(f), "killed at file {n}");
        }
    }
    assert!(finished, "rotate never finished");
    // Revocation killed part way, then finished by `rotate`: bob opens no content.
    let mut c = env.cmd(&["case", "revoke", CASE, "bob"]);
    c.env("DOSSIER_FAILPOINT", "rotate-file-written:2");
    assert!(!run(c, None).status.success());
    env.ok(&["rotate", CASE], None);
    env.ok(&["verify"], None);
    if age_available() {
        for id in &ids {
            assert!(
                age_decrypt(&bob, &object_of(&env, id)).is_none(),
                "bob still opens {id}"
            );
        }
    }
}

#[test]
fn a_full_or_failing_disk_during_attach_writes_nothing() {
    let env = setup();
    let file = env.root.join("video.mp4");
    generate(&file, 1_200_000, 13);
    let before = env.snapshot();
    // write 1 is the journal, 2 the content object, 3 the segment, 4 the head.
    for fault in [
        "write:enospc:2",
        "fsync:eio:2",
        "dirsync:eio:2",
        "write:enospc:3",
        "fsync:eio:4",
    ] {
        let mut c = env.cmd(&["attach", CASE, file.to_str().unwrap()]);
        c.env("DOSSIER_IOFAULT", fault);
        let out = run(c, None);
        assert_eq!(out.status.code(), Some(1), "{fault}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{fault}: {err}");
        assert!(out.stdout.is_empty(), "{fault}: an id was printed");
        let (code, report) = env.verify(&[]);
        assert_eq!(code, Some(0), "{fault}: {report}");
        assert_eq!(env.snapshot(), before, "{fault}: the vault changed");
        assert!(!env.vault.join("local/journal").exists(), "{fault}");
    }
}

/// A `get` killed after the clear content is written, but before it is
/// given its name, leaves nothing in the output's directory: the content
/// was in a file with no name (Linux).
#[test]
fn a_get_killed_before_its_rename_leaves_no_plaintext_behind() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let env = setup();
    let src = env.root.join("scan.bin");
    generate(&src, 3 << 20, 11);
    let id = attach(&env, &src, &[])["id"].as_str().unwrap().to_string();
    let out_dir = env.root.join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("scan.bin");
    let run = env
        .cmd(&["get", &id, "--output", out.to_str().unwrap()])
        .env("DOSSIER_FAILPOINT", "get-content-written")
        .output()
        .unwrap();
    assert!(!run.status.success(), "the failpoint did not stop get");
    let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().collect();
    assert!(left.is_empty(), "a killed get left {left:?}");
    env.ok(&["get", &id, "--output", out.to_str().unwrap()], None);
    assert_eq!(hash_file(&out), hash_file(&src));
}
