//! Segments: the encrypted objects that hold a log's entries.
//!
//! Each append writes one segment holding the entries it adds; many entries
//! share one segment so that reading a log costs one age header unwrap per
//! segment, not per entry. The plaintext is padded so that the object's size
//! falls in a bucket and does not tell a short note from a long testimony.

use serde::{Deserialize, Serialize};
use serde_bytes::{ByteArray, ByteBuf};

use super::entry::StoredEntry;

/// The `format` value of a segment.
pub const SEGMENT_FORMAT: &str = "dossier-segment";
/// Version of the segment layout.
pub const SEGMENT_VERSION: u64 = 1;

/// The plaintext of a segment object.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub format: String,
    pub v: u64,
    pub log: ByteArray<16>,
    /// The object name the segment was written under, so that moving or
    /// swapping objects is seen (age authenticates it with the rest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub entries: Vec<StoredEntry>,
    pub pad: ByteBuf,
}

/// The size a plaintext of `len` bytes is padded up to: powers of two from
/// 1 KiB to 1 MiB, then whole MiB.
pub fn padded_len(len: usize) -> usize {
    const MIB: usize = 1 << 20;
    if len <= 1024 {
        1024
    } else if len <= MIB {
        len.next_power_of_two()
    } else {
        len.div_ceil(MIB) * MIB
    }
}

impl Segment {
    /// Encodes the segment with `pad` chosen so the encoding is a bucket size.
    pub fn encode_padded(mut self) -> Vec<u8> {
        encode_padded(&mut self, |s, n| s.pad = ByteBuf::from(vec![0u8; n]))
    }
}

/// Encodes `value`, first setting its padding (through `set_pad`) so the
/// encoding is a bucket size of [`padded_len`], or one byte short of it where
/// CBOR's length prefix makes the exact size unreachable. The padding field
/// must be a byte string that is empty when `set_pad` has not been called.
pub fn encode_padded<T: Serialize>(value: &mut T, set_pad: impl Fn(&mut T, usize)) -> Vec<u8> {
    set_pad(value, 0);
    // Measured without an encoding in memory, then encoded once into a buffer
    // of its final size: the value is often plaintext (a segment, the pack),
    // and neither a measuring copy nor a reallocation leaves it behind.
    let bare = super::cbor::encoded_len(value);
    let extra = padded_len(bare) - bare;
    // An empty byte string is one byte; one of length L is L plus its prefix.
    let prefix = |l: usize| match l {
        0..=23 => 1,
        24..=0xff => 2,
        0x100..=0xffff => 3,
        _ => 5,
    };
    let mut fill = extra;
    while fill > 0 && prefix(fill) + fill - 1 > extra {
        fill -= 1;
    }
    set_pad(value, fill);
    super::cbor::to_vec_with_capacity(value, bare - 1 + prefix(fill) + fill)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_reaches_a_bucket() {
        for n in [0usize, 1, 10, 100, 500, 1000, 1020, 3000, 70_000, 2_000_000] {
            let seg = Segment {
                format: SEGMENT_FORMAT.into(),
                v: SEGMENT_VERSION,
                log: ByteArray::new([7; 16]),
                name: Some("0123456789abcdef0123456789abcdef".into()),
                entries: vec![StoredEntry {
                    header: ByteBuf::from(vec![1; n]),
                    sig: ByteArray::new([0; 64]),
                    body: ByteBuf::new(),
                }],
                pad: ByteBuf::new(),
            };
            let bytes = seg.encode_padded();
            let len = bytes.len();
            // Encoded into a buffer of its final size: never reallocated.
            assert_eq!(bytes.capacity(), len, "{n}: reallocated");
            let bucket = padded_len(len);
            assert!(len == bucket || len + 1 == bucket, "{n}: {len} not at bucket {bucket}");
            let back: Segment = super::super::cbor::from_slice(&bytes).unwrap();
            assert_eq!(back.entries[0].header.len(), n);
        }
    }
}
