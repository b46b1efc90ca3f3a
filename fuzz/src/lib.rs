//! The parsers of untrusted bytes, one function per fuzz target.
//!
//! Each function feeds arbitrary bytes to one of dossier's parsers and checks
//! what must hold of any input: no panic, and where something parses, that
//! writing it back and parsing again gives the same thing (the round trip the
//! stored format relies on). The cargo-fuzz targets in `fuzz_targets/` call
//! these, and so does the stable, bounded proptest in `tests/hostile_input.rs`
//! (which includes this file as a module), so CI and the fuzzer check the same
//! properties. [`seeds`] gives a valid input for each target, for the fuzz
//! corpus and for the proptest's mutations.

use std::path::Path;

use dossier::crypto::identity::{Identity, PassphraseSource};
use dossier::crypto::{keys, seal};
use dossier::domain::date::PartialDate;
use dossier::domain::input;
use dossier::domain::record::Record;
use dossier::export::policy::Policy;
use dossier::format::cbor;
use dossier::format::checkpoint::{Checkpoint, SignedCheckpoint, CHECKPOINT_VERSION};
use dossier::format::entry::{
    AmendBody, CaseBody, Header, Kind, Member, NameBody, RetractBody, Role, RotateBody, StoredEntry, VaultBody,
};
use dossier::format::head::{Head, LogKind, SignedHead, HEAD_FORMAT, HEAD_VERSION};
use dossier::format::segment::{Segment, SEGMENT_FORMAT, SEGMENT_VERSION};
use serde::{de::DeserializeOwned, Serialize};
use serde_bytes::{ByteArray, ByteBuf};

/// A fuzz target: takes any bytes, panics only on a bug.
pub type Target = fn(&[u8]);

/// Every target, by the name of its `fuzz_targets/` file.
pub const TARGETS: &[(&str, Target)] = &[
    ("segment", segment),
    ("head", head),
    ("entry", entry),
    ("journal", journal),
    ("records_json", records_json),
    ("date", date),
    ("key_text", key_text),
    ("age_open", age_open),
    ("identity_file", identity_file),
    ("checkpoint", checkpoint),
    ("policy_toml", policy_toml),
    ("extract_json", extract_json),
    ("image_strip", image_strip),
    ("pack", pack),
    ("pack_file", pack_file),
    ("marks", marks),
    ("git_tree", git_tree),
    ("git_batch", git_batch),
];

/// The key and part the pack targets seal and open with (test values).
const PACK_KEY: [u8; 32] = [9; 32];
const PACK_LOG: [u8; 16] = [7; 16];

/// The identity `age_open` opens with (a test key, never used for anything real).
pub const FUZZ_IDENTITY: &str = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

/// Largest plaintext `age_open` accepts, so the fuzzer cannot ask for gigabytes.
const OPEN_LIMIT: u64 = 1 << 20;

/// Decodes `bytes` as a `T`; if that works, checks that the encoding of the
/// value decodes to a value with the same encoding (a fixed point).
fn round_trip<T: Serialize + DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let value: T = cbor::from_slice(bytes).ok()?;
    let once = cbor::to_vec(&value);
    let again: T = cbor::from_slice(&once).expect("what dossier writes, dossier reads");
    assert_eq!(cbor::to_vec(&again), once, "encoding is not stable");
    Some(value)
}

/// A segment object's plaintext, and every entry in it.
pub fn segment(data: &[u8]) {
    if let Some(s) = round_trip::<Segment>(data) {
        for e in &s.entries {
            entry_parts(e);
        }
    }
}

/// A head file's plaintext: the signed envelope, then the head inside it.
pub fn head(data: &[u8]) {
    if let Some(signed) = round_trip::<SignedHead>(data) {
        let _ = round_trip::<Head>(&signed.head);
    }
    let _ = round_trip::<Head>(data);
}

/// A stored entry, its header, and (by the first byte) one of the body types.
pub fn entry(data: &[u8]) {
    if let Some(e) = round_trip::<StoredEntry>(data) {
        entry_parts(&e);
    }
    let _ = round_trip::<Header>(data);
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    match which % 8 {
        0 => drop(round_trip::<Member>(rest)),
        1 => drop(round_trip::<NameBody>(rest)),
        2 => drop(round_trip::<RotateBody>(rest)),
        3 => drop(round_trip::<VaultBody>(rest)),
        4 => drop(round_trip::<CaseBody>(rest)),
        5 => drop(round_trip::<AmendBody>(rest)),
        6 => drop(round_trip::<RetractBody>(rest)),
        _ => record_cbor(rest),
    }
}

fn entry_parts(e: &StoredEntry) {
    if let Some(h) = round_trip::<Header>(&e.header) {
        if h.kind == Kind::Record {
            record_cbor(&e.body);
        }
    }
}

/// A record as stored: decodes, checks, and compares after a round trip.
fn record_cbor(data: &[u8]) {
    if let Some(r) = round_trip::<Record>(data) {
        let _ = r.check();
        let back: Record = cbor::from_slice(&cbor::to_vec(&r)).unwrap();
        assert_eq!(back, r);
    }
}

/// The crash journal recovery reads.
pub fn journal(data: &[u8]) {
    let _ = dossier::store::parse_journal(data);
}

/// JSON or JSON lines given to `add`: whatever is accepted survives the trip
/// into CBOR (how it is stored) unchanged.
pub fn records_json(data: &[u8]) {
    if let Ok(parsed) = input::parse_records(data, "fuzz") {
        for p in parsed {
            let bytes = cbor::to_vec(&p.record);
            let back: Record = cbor::from_slice(&bytes).expect("an accepted record is stored readable");
            assert_eq!(back, p.record);
            back.check().expect("an accepted record stays valid");
        }
    }
}

/// Partial dates: whatever parses prints back to itself.
pub fn date(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = PartialDate::parse(s) {
        assert_eq!(d.to_string(), s);
        assert_eq!(PartialDate::parse(&d.to_string()), Ok(d));
    }
}

/// Text forms of keys: signing keys, age and SSH recipients, SSH public keys.
pub fn key_text(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(k) = keys::parse_signing_key(s) {
        assert_eq!(keys::parse_signing_key(&keys::signing_key_to_string(&k)), Ok(k));
    }
    // A plugin recipient looks for `age-plugin-NAME` on the PATH; none of the
    // names a fuzzer makes up is installed, so nothing is run.
    let _ = seal::parse_recipient(s);
    let _ = seal::ssh_ed25519_key(s);
}

/// Any bytes as an age file, opened with a fixed identity.
pub fn age_open(data: &[u8]) {
    let identity: age::x25519::Identity = FUZZ_IDENTITY.parse().unwrap();
    match seal::open(&identity, data, OPEN_LIMIT) {
        seal::Opened::Plain(p) => assert!(p.len() as u64 <= OPEN_LIMIT),
        seal::Opened::NotForUs | seal::Opened::Damaged(_) => {}
    }
}

/// Refuses to give a passphrase, so a passphrase file is parsed up to the
/// point where scrypt would run (which is slow by design), and no further.
struct NoPassphrase;
impl PassphraseSource for NoPassphrase {
    fn passphrase(&mut self, _: &str, _: bool) -> dossier::Result<secrecy::SecretString> {
        Err(dossier::Error::Invalid("no passphrase while fuzzing".into()))
    }
}

/// The bytes of an identity file: age-keygen text, an `age -p` file, or an OpenSSH key.
pub fn identity_file(data: &[u8]) {
    let _ = Identity::from_bytes(Path::new("fuzz"), data, &mut NoPassphrase);
}

/// A checkpoint token (`dossier verify --checkpoint TOKEN`): whatever parses
/// writes back to a token that parses to the same bytes.
pub fn checkpoint(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((signed, _)) = SignedCheckpoint::from_token(s) {
        let token = signed.to_token();
        let (again, _) = SignedCheckpoint::from_token(&token).expect("a token dossier writes parses");
        assert_eq!(cbor::to_vec(&again), cbor::to_vec(&signed));
    }
}

/// An export policy file (`dossier export --policy FILE`): TOML, with
/// regular expressions a policy author (or anyone who edits the file) writes.
pub fn policy_toml(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = Policy::parse(s, "fuzz.toml");
    }
}

/// A JSON extract as `verify-extract` reads it: untrusted bytes from anyone.
pub fn extract_json(data: &[u8]) {
    let _ = dossier::verify_extract::verify(data, None);
}

/// An image from a document named by an export policy: JPEG, PNG or WebP
/// bytes stripped of their metadata. Whatever is accepted must be a fixed
/// point: stripping it again changes nothing (nothing strippable is left).
pub fn image_strip(data: &[u8]) {
    if let Some(Ok(out)) = dossier::export::content::strip(data) {
        match dossier::export::content::strip(&out) {
            Some(Ok(again)) => assert_eq!(&again[..], &out[..], "stripping is not idempotent"),
            _ => panic!("a stripped image no longer parses"),
        }
    }
}

/// A pack file's plaintext (`local/pack-*`, after decryption): whatever
/// decodes encodes to bytes that decode to the same objects; sealed as a
/// pack file it opens to the same objects for its own part only.
pub fn pack(data: &[u8]) {
    use dossier::vault::pack;
    let Some(d) = pack::decode(data, &PACK_LOG) else {
        return;
    };
    let flat = |d: &pack::Decoded| -> Vec<(String, [u8; 32], Vec<u8>)> {
        d.objects.iter().map(|(f, h, p)| (f.clone(), *h, p.to_vec())).collect()
    };
    let again = pack::encode(
        &PACK_LOG,
        d.gen,
        d.objects.iter().map(|(f, h, p)| (f.as_str(), *h, &p[..])),
    );
    let back = pack::decode(&again, &PACK_LOG).expect("what the pack writes, it reads");
    assert_eq!(back.gen, d.gen);
    assert_eq!(flat(&back), flat(&d));
    let sealed = pack::seal_bytes(data, &PACK_KEY, &PACK_LOG).unwrap();
    let opened = pack::open_bytes(&sealed, &PACK_KEY, &PACK_LOG).expect("a sealed pack file opens");
    assert_eq!(flat(&opened), flat(&d));
    assert!(
        pack::open_bytes(&sealed, &PACK_KEY, &[8; 16]).is_none(),
        "opened as another part"
    );
}

/// Any bytes as a whole pack file (magic, nonce, sealed plaintext): only a
/// file sealed under the key opens, and no byte of it can change.
pub fn pack_file(data: &[u8]) {
    use dossier::vault::pack;
    if pack::open_bytes(data, &PACK_KEY, &PACK_LOG).is_some() {
        for at in [0, data.len() / 2, data.len() - 1] {
            let mut bad = data.to_vec();
            bad[at] ^= 1;
            assert!(
                pack::open_bytes(&bad, &PACK_KEY, &PACK_LOG).is_none(),
                "a changed byte {at} opens"
            );
        }
        assert!(
            pack::open_bytes(&data[..data.len() - 1], &PACK_KEY, &PACK_LOG).is_none(),
            "cut short, opens"
        );
    }
    // The same bytes behind a valid magic and nonce, and cut anywhere.
    let mut framed = b"dossier-pack-v1\n".to_vec();
    framed.extend_from_slice(data);
    assert!(
        pack::open_bytes(&framed, &PACK_KEY, &PACK_LOG).is_none(),
        "forged a pack file"
    );
}

/// A marks file's plaintext (`local/marks-*`, after decryption): whatever
/// decodes encodes to bytes that decode to the same marks.
pub fn marks(data: &[u8]) {
    use dossier::vault::marks;
    if let Ok(m) = marks::decode_marks(data) {
        let again = marks::encode_marks(&m);
        assert_eq!(marks::decode_marks(&again).expect("what the marks write, they read"), m);
    }
}

/// `git ls-tree -r -z` output from a fetched commit (sync): every path sync
/// would take is `heads/NAME` or `objects/NAME` with NAME an object name,
/// so nothing lands outside those directories.
pub fn git_tree(data: &[u8]) {
    let tree = dossier::store::git::parse_tree(data);
    for path in tree.keys() {
        if let Some((area, name)) = dossier::vault::sync::split(path) {
            assert!(dossier::store::is_object_name(name), "{path:?}");
            assert_eq!(format!("{}/{name}", area.dir()), *path);
            assert!(!name.contains(['/', '\\', '.']));
        }
    }
}

/// A header line of `git cat-file --batch` output (sync reads one per
/// fetched blob, then streams that many bytes): whatever parses names the
/// blob asked for and a size that prints back to the same number.
pub fn git_batch(data: &[u8]) {
    const ID: &str = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad";
    if let Ok(size) = dossier::store::git::parse_blob_header(data, ID) {
        let text = String::from_utf8_lossy(data);
        assert!(text.starts_with(&format!("{ID} blob ")), "{text:?}");
        let again = format!("{ID} blob {size}\n");
        assert_eq!(
            dossier::store::git::parse_blob_header(again.as_bytes(), ID).ok(),
            Some(size)
        );
    }
}

/// A JPEG with Exif, a comment, a table, a scan and its end marker.
pub fn jpeg_seed() -> Vec<u8> {
    let seg = |m: u8, c: &[u8]| {
        let mut s = vec![0xFF, m];
        s.extend_from_slice(&((c.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(c);
        s
    };
    [
        vec![0xFF, 0xD8],
        seg(0xE1, b"Exif\0\0MM\0*\0\0\0\x08Artist\0Hanna"),
        seg(0xFE, b"comment"),
        seg(0xDB, &[0; 65]),
        seg(0xDA, &[1, 1, 0, 0, 63, 0]),
        vec![0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9],
    ]
    .concat()
}

/// A valid input for each target (name, bytes), to start the fuzzer from and
/// for the proptest to mutate.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let author = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let public = author.verifying_key().to_bytes();
    let member = Member {
        name: "alice".into(),
        recipient: "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq".into(),
        signing_key: ByteArray::new(public),
        role: Role::Owner,
    };
    let record: Record = serde_json::from_str(
        r#"{"type":"testimony","witness":"w1","consent":"named","acts":["extreme-cold"],"date":"2010-12","text":"Холодно"}"#,
    )
    .unwrap();
    let body = cbor::to_vec(&record);
    let header = Header {
        v: 1,
        log: ByteArray::new([1; 16]),
        seq: 2,
        parents: vec![ByteArray::new([2; 32])],
        time: "2026-01-01T00:00:00Z".into(),
        author: ByteArray::new(public),
        kind: Kind::Record,
        body: ByteArray::new(*blake3::hash(&body).as_bytes()),
        leaves: None,
    };
    let header_bytes = cbor::to_vec(&header);
    let sig = dossier::crypto::sign::sign(&author, dossier::format::entry::ENTRY_SIGNATURE_LABEL, &header_bytes);
    let stored = StoredEntry {
        header: ByteBuf::from(header_bytes),
        sig: ByteArray::new(sig),
        body: ByteBuf::from(body.clone()),
    };
    let segment_bytes = Segment {
        format: SEGMENT_FORMAT.into(),
        v: SEGMENT_VERSION,
        log: ByteArray::new([1; 16]),
        name: Some("0123456789abcdef0123456789abcdef".into()),
        entries: vec![stored.clone()],
        pad: ByteBuf::new(),
    }
    .encode_padded();
    let head_bytes = cbor::to_vec(&Head {
        v: HEAD_VERSION,
        log: ByteArray::new([1; 16]),
        kind: LogKind::Case,
        name: "statkevich-2010".into(),
        device: ByteArray::new([4; 16]),
        serial: 7,
        time: "2026-01-01T00:00:00Z".into(),
        author: ByteArray::new(public),
        tips: vec![ByteArray::new([2; 32])],
        segments: vec!["0123456789abcdef0123456789abcdef".into()],
    });
    let signed_head = SignedHead {
        format: HEAD_FORMAT.into(),
        head: ByteBuf::from(head_bytes.clone()),
        sig: ByteArray::new([5; 64]),
        pad: ByteBuf::new(),
    }
    .encode_padded();
    // The journal's layout (docs/FORMAT.md); the type itself is private to the store.
    #[derive(Serialize)]
    struct Journal {
        format: &'static str,
        v: u64,
        head: &'static str,
        before: Option<ByteArray<32>>,
        objects: Vec<&'static str>,
    }
    let journal = cbor::to_vec(&Journal {
        format: "dossier-journal",
        v: 1,
        head: "0123456789abcdef0123456789abcdef",
        before: Some(ByteArray::new([6; 32])),
        objects: vec!["fedcba9876543210fedcba9876543210"],
    });
    let identity: age::x25519::Identity = FUZZ_IDENTITY.parse().unwrap();
    let sealed = seal::seal(&[identity.to_public().to_string()], &segment_bytes).unwrap();
    let mut case_body = vec![4];
    case_body.extend(cbor::to_vec(&CaseBody {
        name: "statkevich-2010".into(),
        title: Some("Statkevich".into()),
        members: vec![member.clone()],
    }));
    let mut record_body = vec![7];
    record_body.extend(&body);
    let checkpoint_token = SignedCheckpoint {
        checkpoint: ByteBuf::from(cbor::to_vec(&Checkpoint {
            v: CHECKPOINT_VERSION,
            log: ByteArray::new([1; 16]),
            seq: 12,
            tips: vec![ByteArray::new([2; 16])],
            time: "2026-01-01T00:00:00Z".into(),
        })),
        sig: ByteArray::new([8; 64]),
    }
    .to_token();
    vec![
        ("segment", segment_bytes),
        ("head", signed_head),
        ("head", head_bytes),
        ("entry", cbor::to_vec(&stored)),
        ("entry", case_body),
        ("entry", record_body),
        ("journal", journal),
        (
            "records_json",
            include_bytes!("../../tests/data/sample-case.jsonl").to_vec(),
        ),
        ("date", b"2010-12-19".to_vec()),
        ("key_text", keys::signing_key_to_string(&public).into_bytes()),
        ("key_text", identity.to_public().to_string().into_bytes()),
        (
            "key_text",
            b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAggT3UNZxLBEB7qsJL5XDL0j/uVO+zThcEwGhsHEsDM carol@x".to_vec(),
        ),
        ("age_open", sealed),
        (
            "identity_file",
            format!(
                "# created: 2026-01-01T00:00:00Z\n# public key: {}\n{FUZZ_IDENTITY}\n",
                identity.to_public()
            )
            .into_bytes(),
        ),
        (
            "identity_file",
            after_header(include_bytes!("../../tests/data/cctv/age/armor_scrypt")),
        ),
        ("checkpoint", checkpoint_token.into_bytes()),
        (
            "policy_toml",
            include_bytes!("../../docs/examples/un-submission.toml").to_vec(),
        ),
        (
            "extract_json",
            include_bytes!("../../tests/data/extract-v1.json").to_vec(),
        ),
        ("image_strip", jpeg_seed()),
        (
            "image_strip",
            include_bytes!("../../tests/data/images/anim.webp").to_vec(),
        ),
        (
            "image_strip",
            include_bytes!("../../tests/data/images/prog.jpg").to_vec(),
        ),
        ("pack", pack_seed()),
        (
            "pack_file",
            dossier::vault::pack::seal_bytes(&pack_seed(), &PACK_KEY, &PACK_LOG).unwrap(),
        ),
        (
            "marks",
            dossier::vault::marks::encode_marks(&[
                ("0123456789abcdef0123456789abcdef".into(), [1; 16], String::new(), 3),
                (
                    "fedcba9876543210fedcba9876543210".into(),
                    [2; 16],
                    "statkevich-2010".into(),
                    12,
                ),
            ])
            .to_vec(),
        ),
        (
            "git_tree",
            b"100644 blob 3b18e512dba79e4c8300dd08aeb37f8e728b8dad\theads/0123456789abcdef0123456789abcdef\0\
              100644 blob 0123456789abcdef0123456789abcdef01234567\tobjects/fedcba9876543210fedcba9876543210\0\
              040000 tree 0123456789abcdef0123456789abcdef01234567\tobjects/x\0"
                .to_vec(),
        ),
        (
            "git_batch",
            b"3b18e512dba79e4c8300dd08aeb37f8e728b8dad blob 5\n".to_vec(),
        ),
    ]
}

/// A pack file's plaintext holding a segment and a head.
fn pack_seed() -> Vec<u8> {
    dossier::vault::pack::encode(
        &PACK_LOG,
        3,
        [
            (
                "objects/0123456789abcdef0123456789abcdef",
                [1; 32],
                &b"segment plaintext"[..],
            ),
            (
                "heads/fedcba9876543210fedcba9876543210",
                [2; 32],
                &b"head plaintext"[..],
            ),
        ],
    )
    .to_vec()
}

/// The age file of a CCTV vector: what follows its header's blank line.
fn after_header(vector: &[u8]) -> Vec<u8> {
    let at = vector.windows(2).position(|w| w == b"\n\n").expect("a CCTV vector");
    vector[at + 2..].to_vec()
}
