//! Heads: for one log and one device, where the log ends and which segments hold it.
//!
//! A head is rewritten on every append by the device that appends; the commit
//! point of a write is the atomic rename of its head. It is signed by the
//! member who wrote it, and it names the log (a case's name, or the roster) so
//! that listing cases does not need to read every segment.

use serde::{Deserialize, Serialize};
use serde_bytes::{ByteArray, ByteBuf};

/// The `format` value of a head.
pub const HEAD_FORMAT: &str = "dossier-head";
/// Version of the head layout.
pub const HEAD_VERSION: u64 = 1;
/// The label signed before the head bytes.
pub const HEAD_SIGNATURE_LABEL: &[u8] = b"dossier/v1/head\n";

/// What kind of log a head belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogKind {
    Roster,
    Case,
}

/// The signed content of a head.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    pub v: u64,
    pub log: ByteArray<16>,
    pub kind: LogKind,
    /// The case's name; empty for the roster.
    pub name: String,
    pub device: ByteArray<16>,
    /// Counts the writes of this device to this log.
    pub serial: u64,
    pub time: String,
    pub author: ByteArray<32>,
    /// Entries with no child, as this device last saw the log.
    pub tips: Vec<ByteArray<32>>,
    /// Names of the segment objects that hold the log, oldest first.
    pub segments: Vec<String>,
}

/// A head as stored: its bytes and their signature.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedHead {
    pub format: String,
    pub head: ByteBuf,
    pub sig: ByteArray<64>,
    /// Zero bytes that bring the encoding to a bucket size, so a head's size
    /// does not tell how many times its case was written to.
    pub pad: ByteBuf,
}

impl SignedHead {
    /// Encodes the signed head, padded to a bucket size.
    pub fn encode_padded(mut self) -> Vec<u8> {
        super::segment::encode_padded(&mut self, |h, n| h.pad = ByteBuf::from(vec![0u8; n]))
    }
}
