//! CBOR encoding and decoding with the limits untrusted bytes need.

use serde::{de::DeserializeOwned, Serialize};

/// Encodes a value as CBOR.
pub fn to_vec<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("encoding to memory cannot fail");
    out
}

/// Decodes exactly one CBOR value from `bytes`; trailing bytes are an error.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let mut reader = bytes;
    // ciborium bounds recursion (256 levels) so hostile nesting cannot exhaust the stack.
    let value = ciborium::from_reader(&mut reader).map_err(|e| format!("bad CBOR: {e}"))?;
    if !reader.is_empty() {
        return Err(format!("{} unexpected bytes after the CBOR value", reader.len()));
    }
    Ok(value)
}
