//! On-disk types and their encoding: what is inside every encrypted object.
//!
//! Pure data: no files, no keys. Everything is CBOR (RFC 8949) through serde,
//! maps with readable text keys, each top-level object naming its own format
//! and version, so that `age -d` piped into any CBOR decoder shows what it is.
//! Hashes and signatures cover the exact stored bytes of a header; nothing is
//! re-serialized to verify. docs/FORMAT.md specifies every byte.

pub mod cbor;
pub mod checkpoint;
pub mod document;
pub mod entry;
pub mod head;
pub mod leaves;
pub mod segment;

/// 16 random bytes naming a log (a case, or the vault's roster).
pub type LogId = [u8; 16];

pub use crate::domain::case::EntryId;

/// Hex, lower case.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Parses lower- or upper-case hex of exactly `N` bytes.
pub fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}
