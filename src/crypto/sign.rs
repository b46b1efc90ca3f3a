//! Ed25519 signatures with a domain label, checked with `verify_strict`.
//!
//! Every signed message is `label || bytes`, and each kind of signed thing has
//! its own label, so a signature made for one purpose cannot be replayed as
//! another. Strict verification refuses small-order keys and non-canonical
//! encodings (the CCTV edge cases).

use std::collections::HashMap;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// Signs `label || message`.
pub fn sign(key: &SigningKey, label: &[u8], message: &[u8]) -> [u8; 64] {
    let mut m = Vec::with_capacity(label.len() + message.len());
    m.extend_from_slice(label);
    m.extend_from_slice(message);
    key.sign(&m).to_bytes()
}

/// Checks a signature over `label || message` by the key `public`.
pub fn verify(public: &[u8; 32], label: &[u8], message: &[u8], sig: &[u8; 64]) -> bool {
    VerifyingKey::from_bytes(public).is_ok_and(|key| verify_with(&key, label, message, sig))
}

/// Checks many signatures, decompressing each signer's key once (a tenth of
/// the cost of a check, and a log has few signers).
#[derive(Default)]
pub struct Verifier {
    keys: HashMap<[u8; 32], Option<VerifyingKey>>,
}

impl Verifier {
    /// As [`verify`].
    pub fn verify(&mut self, public: &[u8; 32], label: &[u8], message: &[u8], sig: &[u8; 64]) -> bool {
        let key = self
            .keys
            .entry(*public)
            .or_insert_with(|| VerifyingKey::from_bytes(public).ok());
        key.as_ref().is_some_and(|k| verify_with(k, label, message, sig))
    }
}

fn verify_with(key: &VerifyingKey, label: &[u8], message: &[u8], sig: &[u8; 64]) -> bool {
    let mut m = Vec::with_capacity(label.len() + message.len());
    m.extend_from_slice(label);
    m.extend_from_slice(message);
    key.verify_strict(&m, &Signature::from_bytes(sig)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_separate_domains() {
        let k = SigningKey::from_bytes(&[1; 32]);
        let pk = k.verifying_key().to_bytes();
        let s = sign(&k, b"a\n", b"msg");
        assert!(verify(&pk, b"a\n", b"msg", &s));
        assert!(!verify(&pk, b"b\n", b"msg", &s));
        assert!(!verify(&pk, b"a\n", b"msh", &s));
    }
}
