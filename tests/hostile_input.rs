//! Hostile input on stable Rust: the fuzz targets' checks, bounded, in CI.
//!
//! The functions under test are the fuzz targets themselves (fuzz/src/lib.rs,
//! included here as a module), so this file and `cargo fuzz` check the same
//! properties: no panic on any input, and a stable round trip for whatever
//! parses. Each target gets random bytes and mutations of a valid input
//! (bit flips, overwrites, insertions, deletions, truncation); a few hundred
//! cases each keeps the whole file fast in a debug build. The real fuzzing,
//! unbounded and coverage-guided, is `scripts/fuzz` (docs/FUZZING.md).
//!
//! The last tests feed the oversized inputs issue 7 names: a 100 MB record
//! line, a million JSON lines, nesting far past any real record.

#[path = "../fuzz/src/lib.rs"]
mod targets;

use proptest::prelude::*;

/// Cases per target and kind of input.
const CASES: u32 = 500;

/// How to damage a valid input.
#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..32).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(i, b) if !bytes.is_empty() => bytes[i % len] ^= b,
            Mutation::Set(i, b) if !bytes.is_empty() => bytes[i % len] = *b,
            Mutation::Insert(i, v) => {
                let at = i % (bytes.len() + 1);
                bytes.splice(at..at, v.iter().copied());
            }
            Mutation::Delete(i, n) if !bytes.is_empty() => {
                let at = i % len;
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Mutation::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
            _ => {}
        }
    }
    bytes
}

fn target(name: &str) -> targets::Target {
    targets::TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no target {name}"))
        .1
}

fn seeds_of(name: &str) -> Vec<Vec<u8>> {
    let seeds: Vec<Vec<u8>> = targets::seeds()
        .into_iter()
        .filter(|(n, _)| *n == name)
        .map(|(_, b)| b)
        .collect();
    assert!(!seeds.is_empty(), "no seed for {name}");
    seeds
}

/// Runs a target on random bytes and on mutated seeds.
fn hammer(name: &str) {
    let run = target(name);
    let seeds = seeds_of(name);
    // The seeds themselves must pass (and, below, be accepted where that is the point).
    for s in &seeds {
        run(s);
    }
    let config = ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config.clone());
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..512), |bytes| {
            run(&bytes);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{name}, random bytes: {e}"));
    let mut runner = proptest::test_runner::TestRunner::new(config);
    runner
        .run(
            &(0..seeds.len(), proptest::collection::vec(mutation(), 1..6)),
            |(which, muts)| {
                run(&apply(seeds[which].clone(), &muts));
                Ok(())
            },
        )
        .unwrap_or_else(|e| panic!("{name}, mutated seed: {e}"));
}

#[test]
fn every_fuzz_target_is_hammered_here() {
    let names: Vec<&str> = targets::TARGETS.iter().map(|(n, _)| *n).collect();
    let tests = include_str!("hostile_input.rs");
    for n in names {
        assert!(
            tests.contains(&format!("hammer(\"{n}\")")),
            "target {n} has no proptest here"
        );
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fuzz/fuzz_targets/{n}.rs"));
        assert!(file.exists(), "target {n} has no fuzz_targets/{n}.rs");
    }
}

#[test]
fn segment() {
    hammer("segment");
}

#[test]
fn head() {
    hammer("head");
}

#[test]
fn entry() {
    hammer("entry");
}

#[test]
fn journal() {
    hammer("journal");
}

#[test]
fn records_json() {
    hammer("records_json");
}

#[test]
fn date() {
    hammer("date");
}

#[test]
fn key_text() {
    hammer("key_text");
}

#[test]
fn age_open() {
    hammer("age_open");
}

#[test]
fn identity_file() {
    hammer("identity_file");
}

#[test]
fn checkpoint() {
    hammer("checkpoint");
}

#[test]
fn policy_toml() {
    hammer("policy_toml");
}

#[test]
fn extract_json() {
    hammer("extract_json");
}

#[test]
fn image_strip() {
    hammer("image_strip");
}

#[test]
fn pack() {
    hammer("pack");
}

#[test]
fn pack_file() {
    hammer("pack_file");
}

#[test]
fn marks() {
    hammer("marks");
}

#[test]
fn git_tree() {
    hammer("git_tree");
}

#[test]
fn git_batch() {
    hammer("git_batch");
}

/// The seeds are valid: a mutation test on seeds that never parse tests nothing.
#[test]
fn seeds_parse() {
    use dossier::format::{cbor, head::SignedHead, segment::Segment};
    let seg = &seeds_of("segment")[0];
    assert!(cbor::from_slice::<Segment>(seg).is_ok());
    assert!(cbor::from_slice::<SignedHead>(&seeds_of("head")[0]).is_ok());
    assert!(dossier::store::parse_journal(&seeds_of("journal")[0]).is_ok());
    assert!(dossier::domain::input::parse_records(&seeds_of("records_json")[0], "seed").is_ok());
    let id: age::x25519::Identity = targets::FUZZ_IDENTITY.parse().unwrap();
    assert!(matches!(
        dossier::crypto::seal::open(&id, &seeds_of("age_open")[0], 1 << 20),
        dossier::crypto::seal::Opened::Plain(_)
    ));
    assert!(dossier::format::checkpoint::SignedCheckpoint::from_token(
        std::str::from_utf8(&seeds_of("checkpoint")[0]).unwrap()
    )
    .is_ok());
    assert!(
        dossier::export::policy::Policy::parse(std::str::from_utf8(&seeds_of("policy_toml")[0]).unwrap(), "seed")
            .is_ok()
    );
    assert!(dossier::verify_extract::verify(&seeds_of("extract_json")[0], None).is_ok());
    assert!(matches!(
        dossier::export::content::strip(&seeds_of("image_strip")[0]),
        Some(Ok(_))
    ));
    assert!(dossier::vault::pack::decode(&seeds_of("pack")[0], &[7; 16]).is_some());
    assert!(dossier::vault::pack::open_bytes(&seeds_of("pack_file")[0], &[9; 32], &[7; 16]).is_some());
    assert_eq!(
        dossier::vault::marks::decode_marks(&seeds_of("marks")[0])
            .unwrap()
            .len(),
        2
    );
    let tree = dossier::store::git::parse_tree(&seeds_of("git_tree")[0]);
    assert_eq!(tree.values().filter(|id| !id.is_empty()).count(), 2);
    assert_eq!(
        tree.keys().filter(|p| dossier::vault::sync::split(p).is_some()).count(),
        2
    );
    let id = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad";
    assert_eq!(
        dossier::store::git::parse_blob_header(&seeds_of("git_batch")[0], id).unwrap(),
        5
    );
    let keygen = &seeds_of("identity_file")[0];
    struct Never;
    impl dossier::crypto::identity::PassphraseSource for Never {
        fn passphrase(&mut self, _: &str, _: bool) -> dossier::Result<secrecy::SecretString> {
            unreachable!()
        }
    }
    assert!(dossier::crypto::identity::Identity::from_bytes(std::path::Path::new("seed"), keygen, &mut Never).is_ok());
}

/// A 100 MB line: refused once the 64 MiB limit is passed, never read whole.
#[test]
fn a_100_mb_record_line_is_refused() {
    let line = std::io::repeat(b'a').take(100_000_000);
    use std::io::Read;
    let err = dossier::domain::input::read_records(line, "big.jsonl")
        .err()
        .expect("refused");
    assert!(err.to_string().contains("larger than 64 MiB"), "{err}");
}

/// A million JSON lines: refused at the record limit, with a clear message.
#[test]
fn a_million_json_lines_are_refused() {
    let many = "{\"type\":\"note\",\"text\":\"a\"}\n".repeat(1_000_000);
    let err = dossier::domain::input::parse_records(many.as_bytes(), "many.jsonl")
        .err()
        .expect("refused");
    assert!(err.to_string().contains("more than 100000 records"), "{err}");
}

/// Nesting far deeper than any record: refused by the parsers' recursion
/// limits, without exhausting the stack.
#[test]
fn deep_nesting_is_refused_without_overflow() {
    let json = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000));
    assert!(dossier::domain::input::parse_records(json.as_bytes(), "deep").is_err());
    let object = format!("{}1{}", "{\"type\":".repeat(100_000), "}".repeat(100_000));
    assert!(dossier::domain::input::parse_records(object.as_bytes(), "deep").is_err());
    // CBOR: a million nested one-element arrays (0x81), and maps (0xa1 0x00).
    let cbor = vec![0x81u8; 1_000_000];
    assert!(dossier::format::cbor::from_slice::<dossier::format::segment::Segment>(&cbor).is_err());
    let maps: Vec<u8> = std::iter::repeat_n([0xa1u8, 0x00], 500_000).flatten().collect();
    assert!(dossier::format::cbor::from_slice::<dossier::domain::record::Record>(&maps).is_err());
    for (_, run) in targets::TARGETS {
        run(&cbor);
        run(&maps);
    }
}

/// Writes the seeds into `$DOSSIER_FUZZ_SEEDS/TARGET/seed-N` for `scripts/fuzz`
/// (which runs this test with that variable set); does nothing otherwise.
#[test]
fn write_fuzz_seeds() {
    let Some(dir) = std::env::var_os("DOSSIER_FUZZ_SEEDS") else {
        return;
    };
    let mut counts = std::collections::HashMap::new();
    for (target, bytes) in targets::seeds() {
        let n: &mut usize = counts.entry(target).or_default();
        *n += 1;
        let d = std::path::Path::new(&dir).join(target);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(format!("seed-{n}")), bytes).unwrap();
    }
}

/// Found by `scripts/fuzz 60 image_strip`: a malformed JPEG (a length-less
/// marker, then a scan header whose data holds what looks like an APP1) that
/// the parser read one way and, once stripped, another. It is now refused
/// instead of being sent as something other than what was checked.
#[test]
fn a_jpeg_that_strips_to_something_else_is_refused() {
    let crash: &[u8] = &[
        255, 216, 255, 0, 0, 255, 218, 0, 27, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 225, 0, 28, 69, 120, 105, 115, 116, 0, 0,
        28, 69, 120, 105, 72, 97, 110, 110, 0, 0, 0, 0, 0, 255, 248, 0, 0, 0, 255, 218, 225, 27, 1, 0, 86, 255, 217,
    ];
    targets::image_strip(crash);
    assert!(matches!(dossier::export::content::strip(crash), Some(Err(_))));
}
