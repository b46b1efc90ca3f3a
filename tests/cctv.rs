//! Conformance with the C2SP/CCTV test vectors (vendored in tests/data/cctv/).
//!
//! age: every vector is driven through the code dossier itself uses to open a
//! file, and its outcome compared with the vector's `expect`:
//!
//! - X25519 vectors go through [`seal::open`], the one function that opens
//!   every object of a vault. Armored ones are first read through age's
//!   `ArmoredReader` (vault objects are never armored; identity files are).
//! - scrypt vectors go through [`Identity::from_bytes`], the path that opens a
//!   passphrase-protected identity file (the only place dossier uses scrypt).
//!   Their payload is not an identity, so success shows as "decrypted, but
//!   holds no identity"; the payload hash is then checked through `seal::open`
//!   with an scrypt identity bounded the same way.
//! - hybrid (ML-KEM-768 + X25519, `mlkem768x25519`) vectors go through
//!   [`seal::open`] too, with dossier's own hybrid identity
//!   (`crypto::hybrid`), read from the vector's `AGE-SECRET-KEY-PQ-1…` line
//!   by the identity loader; none is skipped.
//!
//! dossier's outcomes are coarser than CCTV's: `success` is `Plain` with the
//! payload's SHA-256; `no match` is `NotForUs` (or a wrong passphrase); every
//! failure (header, HMAC, payload, armor) is `Damaged`. A payload failure
//! releases no plaintext at all (`open` returns nothing from a file that does
//! not authenticate to its end), so CCTV's check of the partial payload has
//! nothing to check: stricter than the vectors ask.
//!
//! Ed25519: every vector goes through [`sign::verify`] with an empty domain
//! label (so the signed message is exactly the vector's), which calls
//! `verify_strict`. The policy asserted is the one docs/FUZZING.md states.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use dossier::crypto::identity::{Identity, PassphraseSource};
use dossier::crypto::seal::{self, Opened};
use dossier::crypto::sign;
use dossier::Error;
use secrecy::SecretString;
use sha2::{Digest, Sha256};

/// Largest plaintext the age vectors need (stream_258_chunks is ~16 MiB).
const LIMIT: u64 = 64 << 20;

/// How many age vectors the suite holds, and how many must run. If a change
/// makes vectors skip or vanish, these counts fail the test instead of
/// letting it pass on less.
const AGE_VECTORS: usize = 143;
const AGE_RUN: usize = 143;

/// Vectors that fail before any stanza is read: they run with a
/// throwaway X25519 identity, since which identity is offered cannot matter.
const ANY_IDENTITY: &[&str] = &["empty", "armor_empty"];

/// Vectors whose dossier outcome differs from `expect`, each with why that is
/// acceptable. The test fails if one of these starts to match (update the
/// list and docs/FUZZING.md) or if any other vector deviates.
const DEVIATIONS: &[(&str, &str)] = &[
    (
        "stanza_missing_body",
        "age-core 0.12 accepts an unknown stanza with no body line before `---`; \
         the X25519 stanza is well formed and the header MAC covers the bytes as \
         written, so this is lenience in skipping a stanza, not a way in",
    ),
    (
        "stanza_missing_final_line",
        "age-core 0.12 accepts an unknown stanza whose last body line is a full \
         64 columns; same lenience as stanza_missing_body",
    ),
    (
        "armor_whitespace_outside",
        "age 0.12's ArmoredReader treats input with leading white space as binary; \
         dossier never reads armored objects, and its identity path strips the \
         leading white space itself (tested in crypto::identity)",
    ),
    (
        "scrypt_uppercase",
        "a `Scrypt` stanza is not a passphrase file to dossier: refused as \
         `encrypted to a recipient, not with a passphrase` rather than as a wrong \
         passphrase; refused either way",
    ),
];

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cctv")
}

/// One age vector: its header and the age file after it.
struct Vector {
    name: String,
    expect: String,
    payload: Option<[u8; 32]>,
    identities: Vec<String>,
    passphrases: Vec<String>,
    armored: bool,
    file: Vec<u8>,
}

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn read_vector(path: &Path) -> Vector {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let raw = std::fs::read(path).unwrap();
    let split = raw.windows(2).position(|w| w == b"\n\n").expect("header ends");
    let header = std::str::from_utf8(&raw[..split]).expect("text header");
    let mut v = Vector {
        name,
        expect: String::new(),
        payload: None,
        identities: vec![],
        passphrases: vec![],
        armored: false,
        file: raw[split + 2..].to_vec(),
    };
    let mut compressed = false;
    for line in header.lines() {
        let (k, val) = line.split_once(": ").expect("key: value");
        match k {
            "expect" => v.expect = val.to_string(),
            "payload" => v.payload = Some(unhex(val).try_into().unwrap()),
            "identity" => v.identities.push(val.to_string()),
            "passphrase" => v.passphrases.push(val.to_string()),
            "armored" => v.armored = val == "yes",
            "compressed" => {
                assert_eq!(val, "zlib");
                compressed = true;
            }
            "file key" | "comment" => {}
            other => panic!("{}: unknown header key {other}", v.name),
        }
    }
    if compressed {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(&v.file[..])
            .read_to_end(&mut out)
            .unwrap();
        v.file = out;
    }
    v
}

/// What dossier made of a vector, in CCTV's vocabulary where it maps.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// Opened; SHA-256 of the plaintext.
    Success([u8; 32]),
    NoMatch,
    /// Any failure: header, HMAC, payload or armor (with dossier's message).
    Failure(String),
}

fn from_opened(o: Opened) -> Outcome {
    match o {
        Opened::Plain(p) => Outcome::Success(Sha256::digest(&p[..]).into()),
        Opened::NotForUs => Outcome::NoMatch,
        Opened::Damaged(m) => Outcome::Failure(m),
    }
}

/// De-armors like age's `ArmoredReader` (which passes binary files through).
fn dearmor(file: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    age::armor::ArmoredReader::new(file)
        .read_to_end(&mut out)
        .map_err(|e| format!("armor: {e}"))?;
    Ok(out)
}

/// A hybrid vector, opened with the identity loaded the way dossier loads
/// an identity file (`Identity::from_bytes`), then through `seal::open`.
fn run_hybrid(v: &Vector, identity: &str) -> Outcome {
    let text = format!("# a CCTV vector's identity\n{identity}\n");
    let id = Identity::from_bytes(Path::new(&v.name), text.as_bytes(), &mut Fixed(String::new()))
        .expect("the vector's hybrid identity loads");
    assert!(id.is_hybrid());
    let file = if v.armored {
        match dearmor(&v.file) {
            Ok(f) => f,
            Err(e) => return Outcome::Failure(e),
        }
    } else {
        v.file.clone()
    };
    from_opened(seal::open(id.age_identity(), &file, LIMIT))
}

fn run_x25519(v: &Vector, identity: &age::x25519::Identity) -> Outcome {
    let file = if v.armored {
        match dearmor(&v.file) {
            Ok(f) => f,
            Err(e) => return Outcome::Failure(e),
        }
    } else {
        v.file.clone()
    };
    from_opened(seal::open(identity, &file, LIMIT))
}

struct Fixed(String);
impl PassphraseSource for Fixed {
    fn passphrase(&mut self, _: &str, _: bool) -> dossier::Result<SecretString> {
        Ok(SecretString::from(self.0.clone()))
    }
}

fn run_scrypt(v: &Vector, passphrase: &str) -> Outcome {
    match Identity::from_bytes(Path::new(&v.name), &v.file, &mut Fixed(passphrase.into())) {
        Ok(_) => Outcome::Failure("the payload opened as an identity".into()),
        Err(Error::WrongPassphrase { .. }) => Outcome::NoMatch,
        // Decrypted to the end; only then found not to be an identity.
        Err(Error::Identity { message, .. })
            if message.starts_with("holds no age identity")
                || message.starts_with("decrypts to something that is not text") =>
        {
            let mut id = age::scrypt::Identity::new(SecretString::from(passphrase.to_string()));
            id.set_max_work_factor(22);
            let file = dearmor(&v.file).expect("the identity path de-armored it");
            from_opened(seal::open(&id, &file, LIMIT))
        }
        Err(e) => Outcome::Failure(e.to_string()),
    }
}

fn matches_expect(v: &Vector, got: &Outcome) -> bool {
    match (v.expect.as_str(), got) {
        ("success", Outcome::Success(h)) => Some(*h) == v.payload,
        ("no match", Outcome::NoMatch) => true,
        ("header failure" | "HMAC failure" | "payload failure" | "armor failure", Outcome::Failure(_)) => true,
        _ => false,
    }
}

#[test]
fn age_vectors_through_dossiers_open_paths() {
    let dir = data().join("age");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            !matches!(n.as_ref(), "LICENSE" | "README.md" | ".gitattributes")
        })
        .collect();
    names.sort();
    assert_eq!(names.len(), AGE_VECTORS, "the vendored age vectors changed");

    let allowed: BTreeMap<&str, &str> = DEVIATIONS.iter().copied().collect();
    let mut ran = 0;
    let mut skips = Vec::new();
    let mut deviating = BTreeMap::new();
    let mut by_expect: BTreeMap<String, usize> = BTreeMap::new();
    for path in &names {
        let v = read_vector(path);
        let mut x25519: Option<age::x25519::Identity> = v.identities.iter().find_map(|i| i.parse().ok());
        if ANY_IDENTITY.contains(&v.name.as_str()) {
            x25519 = Some(age::x25519::Identity::generate());
        }
        let hybrid = v.identities.iter().find(|i| i.starts_with("AGE-SECRET-KEY-PQ-1"));
        let got = if let (None, Some(text)) = (&x25519, hybrid) {
            run_hybrid(&v, text)
        } else if let Some(id) = &x25519 {
            run_x25519(&v, id)
        } else if !v.passphrases.is_empty() {
            // A user types one passphrase: try each, as they would.
            let outcomes: Vec<Outcome> = v.passphrases.iter().map(|p| run_scrypt(&v, p)).collect();
            outcomes
                .iter()
                .find(|o| matches!(o, Outcome::Success(_)))
                .or_else(|| outcomes.iter().find(|o| matches!(o, Outcome::Failure(_))))
                .unwrap_or(&outcomes[0])
                .clone()
        } else {
            skips.push(v.name.clone());
            continue;
        };
        ran += 1;
        *by_expect.entry(v.expect.clone()).or_default() += 1;
        if !matches_expect(&v, &got) {
            deviating.insert(v.name.clone(), format!("expect {}, got {got:?}", v.expect));
        }
    }
    eprintln!("age vectors: {ran} run {by_expect:?}, {} skipped", skips.len());
    assert!(skips.is_empty(), "vectors with no identity dossier reads: {skips:?}");
    for (n, d) in &deviating {
        eprintln!("  deviates {n}: {d}");
    }
    let unexpected: Vec<_> = deviating
        .iter()
        .filter(|(n, _)| !allowed.contains_key(n.as_str()))
        .collect();
    assert!(unexpected.is_empty(), "vectors deviate from expect: {unexpected:#?}");
    let healed: Vec<_> = allowed.keys().filter(|n| !deviating.contains_key(**n)).collect();
    assert!(healed.is_empty(), "listed deviations now pass; remove them: {healed:?}");
    assert_eq!(ran + skips.len(), AGE_VECTORS);
    assert_eq!(ran, AGE_RUN, "fewer (or more) age vectors ran than the suite expects");
}

/// The vault's objects are binary age files: an armored one is refused as
/// damaged, not silently de-armored.
#[test]
fn armored_objects_are_not_vault_objects() {
    let v = read_vector(&data().join("age/armor_x25519"));
    let id: age::x25519::Identity = v.identities[0].parse().unwrap();
    assert!(matches!(seal::open(&id, &v.file, LIMIT), Opened::Damaged(_)));
    assert!(matches!(run_x25519(&v, &id), Outcome::Success(_)));
}

#[derive(serde::Deserialize)]
struct EdVector {
    number: u64,
    key: String,
    sig: String,
    msg: String,
    flags: Option<Vec<String>>,
}

/// The flags a strictly verified signature may carry and still be accepted:
/// a point with a small-order component is not itself small-order, so no
/// blocklist can refuse it; everything else marks a small-order point, a
/// non-canonical encoding, or a residue only cofactored verification accepts.
const ACCEPTABLE_FLAGS: &[&str] = &["low_order_component_A", "low_order_component_R"];

#[test]
fn ed25519_vectors_follow_the_strict_policy() {
    let text = std::fs::read_to_string(data().join("ed25519/ed25519vectors.json")).unwrap();
    let vectors: Vec<EdVector> = serde_json::from_str(&text).unwrap();
    assert_eq!(vectors.len(), 914, "the vendored Ed25519 vectors changed");
    let mut accepted = 0;
    let mut rejected_by_flag: BTreeMap<String, usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for v in &vectors {
        let key: [u8; 32] = unhex(&v.key).try_into().unwrap();
        let sig: [u8; 64] = unhex(&v.sig).try_into().unwrap();
        let flags: BTreeSet<&str> = v.flags.iter().flatten().map(String::as_str).collect();
        let ok = sign::verify(&key, b"", v.msg.as_bytes(), &sig);
        let policy = flags.iter().all(|f| ACCEPTABLE_FLAGS.contains(f));
        if ok {
            accepted += 1;
        } else {
            for f in &flags {
                *rejected_by_flag.entry(f.to_string()).or_default() += 1;
            }
        }
        if ok != policy {
            wrong.push((v.number, ok, flags));
        }
    }
    eprintln!(
        "ed25519 vectors: {} run, {accepted} accepted, {} rejected; rejected by flag: {rejected_by_flag:?}",
        vectors.len(),
        vectors.len() - accepted
    );
    assert!(
        wrong.is_empty(),
        "against the policy (number, accepted, flags): {wrong:?}"
    );
    assert!(
        accepted > 0,
        "the policy must accept something, or the test shows nothing"
    );
}

/// Ed25519's order l, little-endian: S and S + l verify the same under a lax
/// check, so a malleable verifier would accept both.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

#[test]
fn malleable_s_is_refused() {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let public = key.verifying_key().to_bytes();
    let sig = sign::sign(&key, b"dossier/test\n", b"message");
    assert!(sign::verify(&public, b"dossier/test\n", b"message", &sig));
    // S + l, computed on the little-endian bytes; S < l, so it still fits 256 bits.
    let mut bad = sig;
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(bad[32 + i]) + u16::from(L[i]) + carry;
        bad[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    assert!(!sign::verify(&public, b"dossier/test\n", b"message", &bad));
    // And a signature with the top bits of S set is refused outright.
    let mut high = sig;
    high[63] |= 0xe0;
    assert!(!sign::verify(&public, b"dossier/test\n", b"message", &high));
}

/// A passphrase file demanding scrypt 2^23 (8 GiB) is refused before any work,
/// whatever this machine's calibration would allow (dossier caps it at 2^22).
#[test]
fn scrypt_work_factor_23_is_refused_up_front() {
    let v = read_vector(&data().join("age/scrypt_work_factor_23"));
    let start = std::time::Instant::now();
    let got = run_scrypt(&v, &v.passphrases[0]);
    let Outcome::Failure(message) = got else {
        panic!("work factor 23 accepted: {got:?}");
    };
    assert!(message.contains("work"), "{message}");
    assert!(start.elapsed().as_secs() < 10, "scrypt ran: {message}");
}

/// A small-order key parses (parsing checks only that it is a point) but no
/// signature by it verifies: the CCTV vectors flagged `low_order_A` (which a
/// lax verifier accepts) are all rejected above.
#[test]
fn small_order_keys_parse_but_never_verify() {
    use dossier::crypto::keys::{parse_signing_key, signing_key_to_string};
    let mut identity_point = [0u8; 32];
    identity_point[0] = 1;
    assert!(parse_signing_key(&signing_key_to_string(&identity_point)).is_ok());
    let text = std::fs::read_to_string(data().join("ed25519/ed25519vectors.json")).unwrap();
    let vectors: Vec<EdVector> = serde_json::from_str(&text).unwrap();
    let by_identity: Vec<&EdVector> = vectors
        .iter()
        .filter(|v| v.key == "01".to_string() + &"0".repeat(62))
        .collect();
    assert!(!by_identity.is_empty());
    for v in by_identity {
        let sig: [u8; 64] = unhex(&v.sig).try_into().unwrap();
        assert!(
            !sign::verify(&identity_point, b"", v.msg.as_bytes(), &sig),
            "vector {}",
            v.number
        );
    }
}

/// The same vectors through the batch path (`Verifier::verify_batch`, which
/// `verify` and every read use for entry signatures): each vector, put
/// among good signatures in batches large enough to be batched, gets the
/// result `verify_strict` gives it alone, and good signatures beside a bad
/// one still pass.
#[test]
fn ed25519_vectors_give_the_same_results_inside_batches() {
    let text = std::fs::read_to_string(data().join("ed25519/ed25519vectors.json")).unwrap();
    let vectors: Vec<EdVector> = serde_json::from_str(&text).unwrap();
    let parsed: Vec<([u8; 32], [u8; 64], Vec<u8>)> = vectors
        .iter()
        .map(|v| {
            (
                unhex(&v.key).try_into().unwrap(),
                unhex(&v.sig).try_into().unwrap(),
                v.msg.as_bytes().to_vec(),
            )
        })
        .collect();
    let key = ed25519_dalek::SigningKey::from_bytes(&[11; 32]);
    let public = key.verifying_key().to_bytes();
    let good: Vec<(Vec<u8>, [u8; 64])> = (0..200)
        .map(|i| {
            let m = format!("good {i}").into_bytes();
            let s = sign::sign(&key, b"", &m);
            (m, s)
        })
        .collect();
    // Batches of 10 vectors among the 200 good signatures, and all at once.
    let mut groups: Vec<Vec<usize>> = (0..parsed.len())
        .collect::<Vec<_>>()
        .chunks(10)
        .map(<[usize]>::to_vec)
        .collect();
    groups.push((0..parsed.len()).collect());
    let mut mismatches = Vec::new();
    for group in groups {
        let mut items: Vec<sign::Signed> = good
            .iter()
            .map(|(m, s)| sign::Signed {
                public: &public,
                label: b"",
                message: m,
                sig: s,
            })
            .collect();
        for &i in &group {
            let (k, s, m) = &parsed[i];
            items.insert(
                i % items.len(),
                sign::Signed {
                    public: k,
                    label: b"",
                    message: m,
                    sig: s,
                },
            );
        }
        assert!(items.len() >= sign::MIN_BATCH);
        let results = sign::Verifier::default().verify_batch(&items, 2);
        for (item, ok) in items.iter().zip(&results) {
            if *ok != sign::verify(item.public, item.label, item.message, item.sig) {
                mismatches.push(hex_of(item.sig));
            }
        }
        let good_passed = items
            .iter()
            .zip(&results)
            .filter(|(it, ok)| it.public == &public && **ok)
            .count();
        assert_eq!(good_passed, good.len());
    }
    assert!(mismatches.is_empty(), "batch and strict disagree on: {mismatches:?}");
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
