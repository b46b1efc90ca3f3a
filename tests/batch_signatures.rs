//! Entry signatures are checked in batches (docs/FORMAT.md §7.1); a batch
//! must refuse what `verify_strict` refuses. Here one entry among hundreds in
//! one segment gets a signature by the member's own key that cofactored
//! (batch) verification accepts and strict verification refuses: its nonce
//! point carries a small-order part. The segment is re-encrypted, so only
//! the signature is wrong: `verify` must name that entry, and reads refuse
//! the case.

mod common;

use common::{text, Env};
use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use dossier::crypto::identity::{Identity, PassphraseSource};
use dossier::crypto::seal::{self, Opened};
use dossier::crypto::sign;
use dossier::format::entry::ENTRY_SIGNATURE_LABEL;
use dossier::format::segment::Segment;
use dossier::format::{cbor, entry, hex};
use serde_bytes::ByteArray;
use sha2::{Digest, Sha512};

struct NoPass;
impl PassphraseSource for NoPass {
    fn passphrase(&mut self, _: &str, _: bool) -> dossier::Result<secrecy::SecretString> {
        unreachable!("the test identity has no passphrase")
    }
}

/// A signature over `message` by `identity`'s key whose R is [r]B + T.
fn with_torsion(identity: &Identity, message: &[u8], torsion: EdwardsPoint) -> [u8; 64] {
    let key = identity.signing_key();
    let a = key.to_scalar();
    let r = Scalar::from_bytes_mod_order_wide(&Sha512::digest(message).into());
    let big_r = (ED25519_BASEPOINT_POINT * r + torsion).compress();
    let digest: [u8; 64] = Sha512::new()
        .chain_update(big_r.as_bytes())
        .chain_update(key.verifying_key().as_bytes())
        .chain_update(message)
        .finalize()
        .into();
    let h = Scalar::from_bytes_mod_order_wide(&digest);
    let s = r + h * a;
    // Cofactored verification accepts it; strict does not.
    let point = CompressedEdwardsY(*big_r.as_bytes()).decompress().unwrap();
    let residue = point - ED25519_BASEPOINT_POINT * s + key.verifying_key().to_edwards() * h;
    assert!(!residue.is_identity() && residue.mul_by_cofactor().is_identity());
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(big_r.as_bytes());
    sig[32..].copy_from_slice(s.as_bytes());
    sig
}

#[test]
fn a_signature_only_cofactored_verification_accepts_is_named_inside_a_batch() {
    let env = Env::new();
    env.ok(&["case", "new", "c1"], None);
    let records: String = (0..400)
        .map(|i| format!("{{\"type\":\"note\",\"text\":\"note {i}\"}}\n"))
        .collect();
    let before = env.files();
    env.ok(&["add", "c1", "--from", "-"], Some(&records));
    let segment = env
        .files()
        .into_iter()
        .find(|p| !before.contains(p) && p.parent().unwrap().ends_with("objects"))
        .unwrap();
    assert_eq!(env.verify(&[]).0, Some(0));

    let identity = Identity::load(&env.key, &mut NoPass).unwrap();
    let Opened::Plain(plain) = seal::open(identity.age_identity(), &std::fs::read(&segment).unwrap(), 1 << 24) else {
        panic!("the segment does not open");
    };
    let mut seg: Segment = cbor::from_slice(&plain).unwrap();
    assert_eq!(seg.entries.len(), 400);
    // Two entries: an order-8 and an order-2 small-order part.
    let mut named = Vec::new();
    for (at, torsion) in [(137, EIGHT_TORSION[1]), (301, EIGHT_TORSION[4])] {
        let e = &mut seg.entries[at];
        let mut message = ENTRY_SIGNATURE_LABEL.to_vec();
        message.extend_from_slice(&e.header);
        let sig = with_torsion(&identity, &message, torsion);
        assert!(!sign::verify(
            &identity.signing_public(),
            ENTRY_SIGNATURE_LABEL,
            &e.header,
            &sig
        ));
        e.sig = ByteArray::new(sig);
        named.push(hex(&entry::entry_id(&e.header))[..16].to_string());
    }
    let sealed = seal::seal(&[identity.recipient()], &cbor::to_vec(&seg)).unwrap();
    std::fs::write(&segment, sealed).unwrap();

    let (code, out) = env.verify(&[]);
    assert_eq!(code, Some(1), "not detected: {out}");
    let file = format!("objects/{}", segment.file_name().unwrap().to_string_lossy());
    for id in &named {
        assert!(
            out.lines()
                .any(|l| l.contains(&file) && l.contains(id) && l.contains("signature does not verify")),
            "entry {id} not named: {out}"
        );
    }
    assert_eq!(out.matches("signature does not verify").count(), 2, "{out}");
    let read = env.run(&["log", "c1"], None);
    assert_eq!(read.status.code(), Some(1), "a read accepted the signature");
    assert_eq!(text(&read.stderr).trim_end().lines().count(), 1);
}
