//! Leaf commitments: a record cut into salted leaves under one Merkle root.
//!
//! A record written with commitments (header version 2) stores a 32-byte
//! secret `seed` in its encrypted body, and its header carries the root of a
//! Merkle tree over the record's *leaves*: every field value, each element of
//! a list, and free text cut into word and separator spans. Each leaf is
//! hashed with its own 128-bit salt derived from the seed and its position, so
//! an extract can reveal some leaves (value and salt) and give only the digest
//! of the others: the signature on the header proves the revealed words, and
//! a digest tells nothing about a withheld value, however short. The
//! construction and its argument are in docs/EXTRACT.md; the bytes in
//! docs/FORMAT.md §6.12.

use ciborium::Value;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteArray;
use zeroize::Zeroize;

use super::cbor;
use crate::domain::record::Record;

/// Header version of an entry whose header carries a leaf root.
pub const HEADER_VERSION_LEAVES: u64 = 2;

/// BLAKE3 `derive_key` context of the per-leaf salts.
pub const SALT_CONTEXT: &str = "dossier/v2/leaf-salt";

/// Bytes of a salt.
pub const SALT_LEN: usize = 16;

/// Fields whose text is cut into spans, so that a name or a number inside can
/// be withheld alone.
pub const SPLIT_FIELDS: &[&str] = &["text", "place", "location", "interviewer", "note"];

/// The path of the leaf that names the record an amendment amends.
pub const AMENDS: &str = "amends";

/// Body of a `record` entry with a version-2 header: the record and its seed.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommittedRecord {
    pub record: Record,
    pub seed: ByteArray<32>,
}

impl Drop for CommittedRecord {
    fn drop(&mut self) {
        self.seed.as_mut().zeroize();
    }
}

/// One leaf: where it is in the record, and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// `type`, `date`, `acts[1]`, `contact.phone`, `text`, ...
    pub path: String,
    pub value: String,
}

impl Drop for Leaf {
    fn drop(&mut self) {
        self.value.zeroize();
    }
}

/// The salt of leaf `index`.
pub fn salt(seed: &[u8; 32], index: usize) -> [u8; SALT_LEN] {
    let mut material = [0u8; 40];
    material[..32].copy_from_slice(seed);
    material[32..].copy_from_slice(&(index as u64).to_be_bytes());
    // As blake3::derive_key(SALT_CONTEXT, material) (which leaves its state
    // to the stack as this does), without hashing the context anew per leaf.
    static SALTS: std::sync::LazyLock<blake3::Hasher> =
        std::sync::LazyLock::new(|| blake3::Hasher::new_derive_key(SALT_CONTEXT));
    let mut hasher = SALTS.clone();
    hasher.update(&material);
    let full: [u8; 32] = *hasher.finalize().as_bytes();
    material.zeroize();
    let mut out = [0u8; SALT_LEN];
    out.copy_from_slice(&full[..SALT_LEN]);
    out
}

/// The hash of one leaf: `BLAKE3(0x00 || salt || be32(len(path)) || path || value)`.
pub fn leaf_hash(salt: &[u8; SALT_LEN], path: &str, value: &str) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(&[0]);
    h.update(salt);
    h.update(&(path.len() as u32).to_be_bytes());
    h.update(path.as_bytes());
    h.update(value.as_bytes());
    *h.finalize().as_bytes()
}

/// The hash of an inner node: `BLAKE3(0x01 || left || right)`.
pub fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(&[1]);
    h.update(left);
    h.update(right);
    *h.finalize().as_bytes()
}

/// The Merkle root over leaf hashes, shaped as in RFC 6962 §2.1: the left
/// subtree holds the largest power of two strictly below the count. `None`
/// for no leaves.
pub fn root(hashes: &[[u8; 32]]) -> Option<[u8; 32]> {
    match hashes.len() {
        0 => None,
        1 => Some(hashes[0]),
        n => {
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            Some(node_hash(&root(&hashes[..k])?, &root(&hashes[k..])?))
        }
    }
}

/// Whether a character belongs to a word (letters, digits and combining marks).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
}

/// Cuts text into maximal runs of word characters and of everything else.
/// Concatenating the spans gives the text back.
pub fn spans(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut kind = None;
    for (i, c) in text.char_indices() {
        let w = is_word(c);
        if kind.is_some_and(|k| k != w) {
            out.push(&text[start..i]);
            start = i;
        }
        kind = Some(w);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Whether a span is a word (holds a letter or digit).
pub fn is_word_span(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// The leaves of a record, in order: its fields as stored (§6.6), each list
/// element its own leaf, the text of [`SPLIT_FIELDS`] cut into [`spans`]. An
/// amendment's leaves start with `amends`, the hex id of the record amended.
pub fn leaves(record: &Record, amends: Option<&[u8; 32]>) -> Vec<Leaf> {
    let mut out = Vec::new();
    if let Some(t) = amends {
        out.push(Leaf {
            path: AMENDS.into(),
            value: super::hex(t),
        });
    }
    let bytes = zeroize::Zeroizing::new(cbor::to_vec(record));
    let Ok(Value::Map(fields)) = cbor::from_slice::<Value>(&bytes) else {
        return out;
    };
    for (k, v) in fields {
        let Value::Text(key) = k else { continue };
        push_value(&mut out, &key, v);
    }
    out
}

fn push_value(out: &mut Vec<Leaf>, path: &str, v: Value) {
    let leaf = |value: String| Leaf {
        path: path.to_string(),
        value,
    };
    match v {
        Value::Text(mut s) => {
            if SPLIT_FIELDS.contains(&path) && !s.is_empty() {
                out.extend(spans(&s).into_iter().map(|p| leaf(p.to_string())));
            } else {
                out.push(leaf(s.clone()));
            }
            s.zeroize();
        }
        Value::Bool(b) => out.push(leaf(b.to_string())),
        Value::Integer(i) => out.push(leaf(i128::from(i).to_string())),
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                push_value(out, &format!("{path}[{i}]"), item);
            }
        }
        Value::Map(pairs) => {
            for (k, item) in pairs {
                if let Value::Text(sub) = k {
                    push_value(out, &format!("{path}.{sub}"), item);
                }
            }
        }
        _ => {}
    }
}

/// The root a header commits to for a record, its amendment target and seed.
pub fn record_root(record: &Record, amends: Option<&[u8; 32]>, seed: &[u8; 32]) -> [u8; 32] {
    let hashes: Vec<[u8; 32]> = leaves(record, amends)
        .iter()
        .enumerate()
        .map(|(i, l)| leaf_hash(&salt(seed, i), &l.path, &l.value))
        .collect();
    // A record always has its `type` leaf.
    root(&hashes).unwrap_or([0; 32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_the_text() {
        let t = "Beaten by Ivanov, +375 29 123-45-67. Холодно!";
        let s = spans(t);
        assert_eq!(s.concat(), t);
        assert!(s.contains(&"Ivanov"));
        assert!(s.contains(&"Холодно"));
        assert!(spans("").is_empty());
    }

    #[test]
    fn leaves_follow_the_stored_order() {
        let r: Record = serde_json::from_str(
            r#"{"type":"testimony","witness":"w1","consent":"anonymized","acts":["beating","threats"],"text":"Cold cell."}"#,
        )
        .unwrap();
        let l = leaves(&r, None);
        let paths: Vec<&str> = l.iter().map(|l| l.path.as_str()).collect();
        assert_eq!(
            paths,
            ["type", "witness", "consent", "acts[0]", "acts[1]", "text", "text", "text", "text"]
        );
        assert_eq!(l[0].value, "testimony");
    }

    #[test]
    fn salts_are_blake3_derive_key() {
        let seed = [7u8; 32];
        let mut material = [0u8; 40];
        material[..32].copy_from_slice(&seed);
        material[32..].copy_from_slice(&5u64.to_be_bytes());
        assert_eq!(salt(&seed, 5), blake3::derive_key(SALT_CONTEXT, &material)[..SALT_LEN]);
    }

    #[test]
    fn tree_shape_and_domain_separation() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let c = [3u8; 32];
        assert_eq!(root(&[a]), Some(a));
        assert_eq!(root(&[a, b, c]), Some(node_hash(&node_hash(&a, &b), &c)));
        assert_ne!(leaf_hash(&[0; 16], "p", "v"), leaf_hash(&[1; 16], "p", "v"));
        assert_ne!(leaf_hash(&[0; 16], "pv", ""), leaf_hash(&[0; 16], "p", "v"));
        assert_ne!(salt(&[0; 32], 0), salt(&[0; 32], 1));
    }
}
