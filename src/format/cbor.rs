//! CBOR encoding and decoding with the limits untrusted bytes need.

use serde::{de::DeserializeOwned, Serialize};

/// Encodes a value as CBOR.
pub fn to_vec<T: Serialize>(value: &T) -> Vec<u8> {
    to_vec_with_capacity(value, 0)
}

/// The length of a value's CBOR encoding, found without writing it anywhere
/// (so measuring a secret leaves no copy of it behind).
pub fn encoded_len<T: Serialize>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    ciborium::into_writer(value, &mut count).expect("counting cannot fail");
    count.0
}

/// Encodes a value as CBOR into a buffer of `capacity` bytes reserved up
/// front: when `capacity` is the encoding's length, the buffer is never
/// reallocated, so no copy of a secret is left behind in freed memory.
pub fn to_vec_with_capacity<T: Serialize>(value: &T, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    ciborium::into_writer(value, &mut out).expect("encoding to memory cannot fail");
    out
}

/// Decodes exactly one CBOR value from `bytes`; trailing bytes are an error.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let mut scratch = [0u8; 4096];
    from_slice_with(bytes, &mut scratch)
}

/// [`from_slice`] for plaintext: ciborium reads every text and byte string
/// of up to 4 KiB through a scratch buffer, which is wiped afterwards here.
pub fn from_slice_wiped<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let mut scratch = zeroize::Zeroizing::new([0u8; 4096]);
    from_slice_with(bytes, &mut scratch[..])
}

fn from_slice_with<T: DeserializeOwned>(bytes: &[u8], scratch: &mut [u8]) -> Result<T, String> {
    let mut reader = bytes;
    // ciborium bounds recursion (256 levels) so hostile nesting cannot exhaust the stack.
    let value = ciborium::de::from_reader_with_buffer(&mut reader, scratch).map_err(|e| format!("bad CBOR: {e}"))?;
    if !reader.is_empty() {
        return Err(format!("{} unexpected bytes after the CBOR value", reader.len()));
    }
    Ok(value)
}
