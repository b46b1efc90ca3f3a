//! Verifiable extracts, end to end: `export --format json` on a real vault,
//! then `verify-extract` with nothing but the file and a public key; and every
//! kind of tampering the receiver must catch, each named by its record.

mod common;

use std::path::{Path, PathBuf};

use common::{bare, text, Env, CASE};
use dossier::export::proof::{b64, unb64, unb64_array};
use dossier::format::leaves::{leaf_hash, SALT_LEN};
use serde_json::Value;

/// The sample case exported as JSON; its path and alice's signing key.
fn exported(env: &Env) -> (PathBuf, String) {
    env.sample_case();
    let out = env.root.join("extract.json");
    env.ok(
        &["export", CASE, "--format", "json", "--output", out.to_str().unwrap()],
        None,
    );
    (out, signing_key(env))
}

fn signing_key(env: &Env) -> String {
    let who: Value = serde_json::from_str(&env.ok(&["--json", "whoami"], None)).unwrap();
    who["signing_key"].as_str().unwrap().to_string()
}

/// `verify-extract FILE [--signer KEY]` with no vault and no identity.
fn verify_extract(file: &Path, signer: Option<&str>) -> std::process::Output {
    let mut args = vec!["verify-extract", file.to_str().unwrap()];
    if let Some(k) = signer {
        args.extend(["--signer", k]);
    }
    common::run(bare(&args), None)
}

fn load(file: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap()
}

/// The proof of the record shown with this id.
fn proof<'a>(x: &'a mut Value, id: &str) -> &'a mut Value {
    x["proofs"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["record"] == id)
        .unwrap()
}

/// Writes a changed copy and checks it fails with one line naming `id`.
fn rejected(env: &Env, x: &Value, signer: &str, id: &str, what: &str) -> String {
    let path = env.root.join("tampered.json");
    std::fs::write(&path, serde_json::to_vec_pretty(x).unwrap()).unwrap();
    let out = verify_extract(&path, Some(signer));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{what}: accepted: {}", text(&out.stdout));
    assert_eq!(err.trim_end().lines().count(), 1, "{what}: not one line: {err}");
    assert!(err.contains(id), "{what}: does not name {id}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// The first testimony shown: its id, and its index.
fn first_testimony(x: &Value) -> String {
    x["testimony"][0]["id"].as_str().unwrap().to_string()
}

#[test]
fn the_sample_case_round_trips_and_says_what_was_withheld() {
    let env = Env::new();
    let (file, key) = exported(&env);
    let out = verify_extract(&file, Some(&key));
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains(&format!("signed by {key}")), "{stdout}");
    assert!(stdout.contains("words revealed"), "{stdout}");
    assert!(stdout.contains("pseudonymised: "), "{stdout}");
    assert!(stdout.contains("Witness A ×"), "{stdout}");
    assert!(stdout.trim_end().ends_with("OK"), "{stdout}");
    assert!(!text(&out.stderr).contains("NOT pinned"));

    // Every shown record has a proof by leaves, and no withheld leaf carries a salt or value.
    let x = load(&file);
    let shown: usize = ["persons", "events", "testimony", "notes", "documents"]
        .iter()
        .map(|k| x[k].as_array().map_or(0, Vec::len))
        .sum();
    let proofs = x["proofs"].as_array().unwrap();
    assert_eq!(proofs.len(), shown);
    for p in proofs {
        assert_eq!(p["proof"], "leaves");
        for l in p["leaves"].as_array().unwrap() {
            if l.get("digest").is_some() {
                assert!(l.get("salt").is_none() && l.get("value").is_none(), "{l}");
            }
            if l.get("shown").is_some() {
                assert_eq!(l["signed"], false);
            }
        }
    }

    // --json
    let out = common::run(
        bare(&["--json", "verify-extract", file.to_str().unwrap(), "--signer", &key]),
        None,
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["records"], shown);
    assert_eq!(v["pinned"], true);
    assert!(v["words_revealed"].as_u64().unwrap() > 100);
    assert!(v["pseudonymised"]["Witness A"].as_u64().unwrap() >= 1);
}

#[test]
fn without_a_signer_it_verifies_but_warns_loudly() {
    let env = Env::new();
    let (file, _) = exported(&env);
    let out = verify_extract(&file, None);
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("WARNING") && err.contains("NOT pinned"), "{err}");
    assert!(text(&out.stdout).contains("signer NOT pinned"));
}

#[test]
fn another_signer_pinned_fails_naming_the_record() {
    let env = Env::new();
    let (file, _) = exported(&env);
    let other = env.root.join("bob.key");
    env.ok(
        &["keygen", "--no-passphrase", "--output", other.to_str().unwrap()],
        None,
    );
    let who: Value = serde_json::from_slice(
        &common::run(bare(&["--json", "--identity", other.to_str().unwrap(), "whoami"]), None).stdout,
    )
    .unwrap();
    let bob = who["signing_key"].as_str().unwrap();
    let out = verify_extract(&file, Some(bob));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("not by the signer given"), "{err}");
    let x = load(&file);
    let first = x["persons"][0]["id"].as_str().unwrap();
    assert!(err.contains(first), "{err}");

    // Claiming bob signed it (the proof's signer swapped) breaks the signature.
    let mut x = load(&file);
    let id = first_testimony(&x);
    proof(&mut x, &id)["signer"] = Value::String(bob.into());
    let alice = signing_key(&env);
    let err = rejected(&env, &x, &alice, &id, "signer swapped");
    assert!(err.contains("not the header's author"), "{err}");
}

#[test]
fn the_tampering_matrix_is_rejected_record_by_record() {
    let env = Env::new();
    let (file, key) = exported(&env);
    let x0 = load(&file);
    let t = first_testimony(&x0);
    let e = x0["events"][0]["id"].as_str().unwrap().to_string();

    // Each field shown, changed where the reader sees it.
    for field in ["consent", "date", "text", "location"] {
        let mut x = x0.clone();
        let Some(s) = x["testimony"][0][field].as_str().map(str::to_string) else {
            continue;
        };
        x["testimony"][0][field] = Value::String(format!("{s}x"));
        rejected(&env, &x, &key, &t, field);
    }
    for field in ["kind", "date", "place", "text"] {
        let mut x = x0.clone();
        let Some(s) = x["events"][0][field].as_str().map(str::to_string) else {
            continue;
        };
        x["events"][0][field] = Value::String(s.replacen(|c: char| c.is_alphanumeric(), "Z", 1));
        rejected(&env, &x, &key, &e, field);
    }
    let mut x = x0.clone();
    x["testimony"][0]["acts"][0] = Value::String("threats".into());
    rejected(&env, &x, &key, &t, "an act");

    // A word inside the text, changed in the proof and in the text alike.
    let mut x = x0.clone();
    let leaves = proof(&mut x, &t)["leaves"].as_array_mut().unwrap();
    let k = leaves
        .iter()
        .position(|l| l["field"] == "text" && l["value"].as_str().is_some_and(|v| v.len() > 3))
        .unwrap();
    let word = leaves[k]["value"].as_str().unwrap().to_string();
    leaves[k]["value"] = Value::String(word.to_uppercase());
    let shown = x["testimony"][0]["text"]
        .as_str()
        .unwrap()
        .replacen(&word, &word.to_uppercase(), 1);
    x["testimony"][0]["text"] = Value::String(shown);
    rejected(&env, &x, &key, &t, "a word in the text");

    // Two words swapped, with their salts, in the proof and in the text.
    let mut x = x0.clone();
    let leaves = proof(&mut x, &t)["leaves"].as_array_mut().unwrap();
    let words: Vec<usize> = (0..leaves.len())
        .filter(|&i| leaves[i]["field"] == "text" && leaves[i]["value"].as_str().is_some_and(|v| v.len() > 3))
        .take(2)
        .collect();
    leaves.swap(words[0], words[1]);
    rejected(&env, &x, &key, &t, "words reordered");

    // The signed time of the entry (inside the header).
    let mut x = x0.clone();
    let header = unb64(proof(&mut x, &t)["header"].as_str().unwrap(), 1 << 16).unwrap();
    let year = format!("{}-", &x0["generated"].as_str().unwrap()[..4]);
    let at = header.windows(5).position(|w| w == year.as_bytes()).unwrap();
    let mut forged = header.clone();
    forged[at..at + 5].copy_from_slice(b"1999-");
    proof(&mut x, &t)["header"] = Value::String(b64(&forged));
    rejected(&env, &x, &key, &t, "the signed time");

    // The record's type: filed under notes, or the type of its proof changed.
    let mut x = x0.clone();
    let item = x["events"].as_array_mut().unwrap().remove(0);
    x["notes"].as_array_mut().unwrap().push(item);
    rejected(&env, &x, &key, &e, "moved to notes");
    let mut x = x0.clone();
    proof(&mut x, &e)["type"] = Value::String("note".into());
    rejected(&env, &x, &key, &e, "type of the proof");

    // A withheld leaf's digest dropped, or changed.
    let mut x = x0.clone();
    let leaves = proof(&mut x, &t)["leaves"].as_array_mut().unwrap();
    let d = leaves.iter().position(|l| l.get("digest").is_some()).unwrap();
    let removed = leaves.remove(d);
    rejected(&env, &x, &key, &t, "a dropped digest");
    let mut x = x0.clone();
    let leaves = proof(&mut x, &t)["leaves"].as_array_mut().unwrap();
    let mut digest = unb64_array::<32>(removed["digest"].as_str().unwrap()).unwrap();
    digest[0] ^= 1;
    leaves[d]["digest"] = Value::String(b64(&digest));
    rejected(&env, &x, &key, &t, "a changed digest");

    // A placeholder claimed as signed; a proof dropped.
    let mut x = x0.clone();
    let leaves = proof(&mut x, &t)["leaves"].as_array_mut().unwrap();
    let s = leaves.iter().position(|l| l.get("shown").is_some()).unwrap();
    leaves[s]["signed"] = Value::Bool(true);
    rejected(&env, &x, &key, &t, "a placeholder marked signed");
    let mut x = x0.clone();
    x["proofs"]
        .as_array_mut()
        .unwrap()
        .retain(|p| p["record"] != t.as_str());
    rejected(&env, &x, &key, &t, "a dropped proof");
}

#[test]
fn a_withheld_short_number_cannot_be_found_by_trying_every_value() {
    let env = Env::new();
    env.ok(&["case", "new", CASE], None);
    let records = [
        r#"{"type":"person","ref":"w1","name":"Hanna Kavalenka","role":"witness","contact":{"phone":"4821"}}"#,
        r#"{"type":"testimony","witness":"w1","consent":"anonymized","text":"Hanna Kavalenka was held; her code was 4821."}"#,
    ]
    .join("\n");
    env.ok(&["add", CASE, "--from", "-"], Some(&records));
    let policy = env.root.join("p.toml");
    std::fs::write(&policy, "[mask]\npatterns = ['\\b4821\\b']\n").unwrap();
    let file = env.root.join("x.json");
    env.ok(
        &[
            "export",
            CASE,
            "--policy",
            policy.to_str().unwrap(),
            "--format",
            "json",
            "--output",
            file.to_str().unwrap(),
        ],
        None,
    );
    // Not in the text, nor in any value or placeholder (hex may hold it by chance).
    let mut bare_x = load(&file);
    for p in bare_x["proofs"].as_array_mut().unwrap() {
        for k in ["header", "signature"] {
            p.as_object_mut().unwrap().remove(k);
        }
        for l in p["leaves"].as_array_mut().unwrap() {
            for k in ["digest", "salt"] {
                l.as_object_mut().unwrap().remove(k);
            }
        }
    }
    assert!(!bare_x.to_string().contains("4821"));
    assert!(verify_extract(&file, Some(&signing_key(&env))).status.success());
    let x = load(&file);
    let mut digests = Vec::new();
    let mut salts = vec![[0u8; SALT_LEN]];
    for p in x["proofs"].as_array().unwrap() {
        for l in p["leaves"].as_array().unwrap() {
            if let Some(d) = l["digest"].as_str() {
                digests.push(unb64_array::<32>(d).unwrap());
            }
            if let Some(s) = l["salt"].as_str() {
                salts.push(unb64_array::<SALT_LEN>(s).unwrap());
            }
        }
    }
    assert!(digests.len() >= 2);
    // Every 4-digit value, under every salt the extract shows (and none),
    // in every place the number was: no digest matches.
    for n in 0..10_000 {
        let v = format!("{n:04}");
        for salt in &salts {
            for path in ["contact.phone", "text"] {
                let h = leaf_hash(salt, path, &v);
                assert!(!digests.contains(&h), "{v} found");
            }
        }
    }
}

#[test]
fn records_written_before_leaf_commitments_get_record_level_proofs() {
    // A vault written by the release before leaf commitments (frozen fixture).
    let env = Env::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/v1-vault");
    let dir = env.root.join("old");
    copy_dir(&fixture, &dir);
    let vault = dir.join("vault");
    let key = dir.join("alice.key");
    let cmd = |args: &[&str]| {
        let mut c = bare(args);
        c.env("DOSSIER_VAULT", &vault).env("DOSSIER_IDENTITY", &key);
        common::run(c, None)
    };
    assert!(cmd(&["verify"]).status.success());
    let file = dir.join("x.json");
    let out = cmd(&[
        "export",
        "old-case",
        "--format",
        "json",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let signer = "dossiersig1s4mdhfu3q64gxgvv9whgsa4vncdck83rnuecem45q97x4dd25xns5zfx0x";
    // Unproven content is not OK: it fails unless accepted, and is then PARTIAL.
    let out = verify_extract(&file, Some(signer));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        err.contains("PARTIAL") && err.contains("3 records") && err.contains("NOT verified"),
        "{err}"
    );
    let out = unproven(&file, signer);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(stdout.matches("record-level proof only").count(), 3, "{stdout}");
    assert_eq!(stdout.matches("content NOT verified").count(), 4, "{stdout}");
    assert!(stdout.contains("NOT proven"));
    assert!(
        stdout
            .trim_end()
            .ends_with("PARTIAL: 3 records with content NOT verified"),
        "{stdout}"
    );
    // A record id must be a real one, bound to the header: not empty, not a digit.
    let x = load(&file);
    for bad in ["", "0", "f"] {
        let mut y = x.clone();
        let id = y["notes"][0]["id"].as_str().unwrap().to_string();
        y["notes"][0]["id"] = Value::String(bad.into());
        proof(&mut y, &id)["record"] = Value::String(bad.into());
        let path = dir.join("bad.json");
        std::fs::write(&path, serde_json::to_vec(&y).unwrap()).unwrap();
        let out = unproven(&path, signer);
        assert_eq!(out.status.code(), Some(1), "{bad:?}: {}", text(&out.stdout));
        assert!(text(&out.stderr).contains("16 to 64"), "{}", text(&out.stderr));
    }
    let x = load(&file);
    assert!(x["proofs"].as_array().unwrap().iter().all(|p| p["proof"] == "record"));

    // An amendment written now commits to its leaves, and to the record it amends.
    let t = x["testimony"][0]["id"].as_str().unwrap().to_string();
    let mut c = bare(&["amend", &t, "--from", "-"]);
    c.env("DOSSIER_VAULT", &vault).env("DOSSIER_IDENTITY", &key);
    let amended = r#"{"type":"testimony","witness":"w1","consent":"anonymized","acts":["extreme-cold"],"date":"2010-12-20","text":"Hanna Kavalenka was held in a cold cell for three days."}"#;
    assert!(common::run(c, Some(amended)).status.success());
    let out = cmd(&[
        "export",
        "old-case",
        "--format",
        "json",
        "--output",
        file.to_str().unwrap(),
        "--force",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = unproven(&file, signer);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(stdout.matches("record-level proof only").count(), 2, "{stdout}");
    let mut x = load(&file);
    assert_eq!(proof(&mut x, &t)["proof"], "leaves");
    assert!(x["testimony"][0]["text"].as_str().unwrap().contains("three days"));
    // The amendment's signed target is checked against the id shown.
    let other = x["notes"][0]["id"].clone();
    x["testimony"][0]["id"] = other.clone();
    proof(&mut x, &t)["record"] = other.clone();
    x["notes"].as_array_mut().unwrap().clear();
    x["proofs"].as_array_mut().unwrap().retain(|p| p["type"] != "note");
    let path = dir.join("t.json");
    std::fs::write(&path, serde_json::to_vec(&x).unwrap()).unwrap();
    let out = unproven(&path, signer);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("amends"), "{}", text(&out.stderr));
}

/// `verify-extract FILE --signer KEY --allow-unproven`.
fn unproven(file: &Path, signer: &str) -> std::process::Output {
    common::run(
        bare(&[
            "verify-extract",
            file.to_str().unwrap(),
            "--signer",
            signer,
            "--allow-unproven",
        ]),
        None,
    )
}

/// The index of the first leaf of this proof that matches.
fn leaf_at(x: &mut Value, id: &str, f: impl Fn(&Value) -> bool) -> usize {
    proof(x, id)["leaves"].as_array().unwrap().iter().position(f).unwrap()
}

#[test]
fn unsigned_text_cannot_pass_as_signed() {
    let env = Env::new();
    let (file, key) = exported(&env);
    let x0 = load(&file);
    let t = first_testimony(&x0);

    // H1: an entry with `shown` and no digest inserts words nobody signed.
    let mut x = x0.clone();
    let k = leaf_at(&mut x, &t, |l| l["field"] == "text" && l["value"] == " ");
    proof(&mut x, &t)["leaves"].as_array_mut().unwrap().insert(
        k,
        serde_json::json!({"field": "text", "shown": " NOT", "signed": false}),
    );
    let mut shown = String::new();
    for l in proof(&mut x, &t)["leaves"].as_array().unwrap() {
        if l["field"] == "text" {
            shown.push_str(l.get("value").or(l.get("shown")).and_then(Value::as_str).unwrap_or(""));
        }
    }
    x["testimony"][0]["text"] = Value::String(shown);
    rejected(&env, &x, &key, &t, "inserted text");

    // H1: a placeholder rewritten into words.
    for words in [
        " nobody: the guards treated me well.",
        "Witness and paid informant of the KGB",
    ] {
        let mut x = x0.clone();
        let k = leaf_at(&mut x, &t, |l| l["field"] == "text" && l.get("shown").is_some());
        let old = proof(&mut x, &t)["leaves"][k]["shown"].as_str().unwrap().to_string();
        proof(&mut x, &t)["leaves"][k]["shown"] = Value::String(words.into());
        let s = x["testimony"][0]["text"].as_str().unwrap().replacen(&old, words, 1);
        x["testimony"][0]["text"] = Value::String(s);
        let err = rejected(&env, &x, &key, &t, "placeholder rewritten");
        assert!(err.contains("not signed"), "{err}");
    }

    // H1: a withheld digest of a field not shown, relabelled as the person's role.
    let mut x = x0.clone();
    let (pi, pid) = x["persons"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .find(|(_, p)| p["named"] == false)
        .map(|(i, p)| (i, p["id"].as_str().unwrap().to_string()))
        .unwrap();
    let k = leaf_at(&mut x, &pid, |l| l.get("digest").is_some() && l.get("field").is_none());
    let leaf = &mut proof(&mut x, &pid)["leaves"][k];
    leaf["field"] = Value::String("role".into());
    leaf["shown"] = Value::String("witness and paid informant of the KGB".into());
    leaf["signed"] = Value::Bool(false);
    x["persons"][pi]["role"] = Value::String("witness and paid informant of the KGB".into());
    rejected(&env, &x, &key, &pid, "relabelled digest");

    // A withheld leaf claimed, with an allowed placeholder, for a field whose
    // signed leaves are elsewhere in the record.
    let mut x = x0.clone();
    let leaves = proof(&mut x, &t)["leaves"].as_array().unwrap().clone();
    let k = leaves
        .iter()
        .position(|l| l.get("digest").is_some() && l["field"] != "text")
        .unwrap();
    let j = leaves.iter().position(|l| l["field"] == "text").unwrap();
    assert!(j > k + 1, "{leaves:?}");
    let leaf = &mut proof(&mut x, &t)["leaves"][k];
    leaf["field"] = Value::String("text".into());
    leaf["shown"] = Value::String("[removed] ".into());
    leaf["signed"] = Value::Bool(false);
    let s = x["testimony"][0]["text"].as_str().unwrap().to_string();
    x["testimony"][0]["text"] = Value::String(format!("[removed] {s}"));
    let err = rejected(&env, &x, &key, &t, "a leaf claimed for a field elsewhere");
    assert!(err.contains("not together"), "{err}");

    // L3: booleans are checked against what was signed.
    let mut x = x0.clone();
    x["persons"][pi]["named"] = Value::Bool(true);
    rejected(&env, &x, &key, &pid, "named flipped");
    let mut x = x0.clone();
    x["persons"][pi]["public"] = Value::Bool(true);
    rejected(&env, &x, &key, &pid, "public added");
}

fn copy_dir(from: &Path, to: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(to).unwrap();
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o700)).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
            std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
}

#[test]
fn the_leak_check_still_runs_on_json_extracts_with_proofs() {
    let env = Env::new();
    env.sample_case();
    let policy = env.root.join("p.toml");
    std::fs::write(&policy, "[fields]\nverbatim = [\"testimony.text\"]\n").unwrap();
    let file = env.root.join("x.json");
    let err = env.fails(
        &[
            "export",
            CASE,
            "--policy",
            policy.to_str().unwrap(),
            "--format",
            "json",
            "--output",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert!(err.contains("leak check"), "{err}");
    assert!(!file.exists());
}

#[test]
fn not_an_extract_is_one_clear_line() {
    let env = Env::new();
    for (name, body) in [
        ("empty.json", ""),
        ("array.json", "[]"),
        ("other.json", r#"{"format":"something-else"}"#),
        ("deep.json", &"[".repeat(100_000)),
        (
            "noproof.json",
            r#"{"format":"dossier-extract","notes":[{"id":"00","text":"x"}]}"#,
        ),
    ] {
        let path = env.root.join(name);
        std::fs::write(&path, body).unwrap();
        let out = verify_extract(&path, None);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = text(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
        assert!(err.contains(name), "{err}");
    }
}

#[test]
fn a_frozen_extract_still_verifies_and_its_signer_is_pinned() {
    // Made by the first release with leaf commitments; every later one must verify it.
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/extract-v1.json");
    let signer = "dossiersig1sh3h3scz4lkkc52qpurey8kn5uushx24p4cs3ev7swwpfxk480eqd2p9fz";
    let out = verify_extract(&file, Some(signer));
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout.starts_with(&format!("3 records, signed by {signer}")),
        "{stdout}"
    );
    assert!(stdout.contains("pseudonymised: Witness A ×4; masked: 1"), "{stdout}");
    let bytes = std::fs::read(&file).unwrap();
    for secret in ["Hanna", "Kavalenka", "555 01 23"] {
        assert!(!text(&bytes).contains(secret), "{secret}");
    }
}
