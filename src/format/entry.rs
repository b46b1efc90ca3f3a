//! Log entries: a signed header and the body it commits to.
//!
//! An entry is stored as three byte strings: `header` (CBOR of [`Header`]),
//! `sig` (Ed25519 over a domain label and the header bytes) and `body` (CBOR
//! of the kind's body). The header holds the BLAKE3 hash of the body, so the
//! signature covers both; the entry's id is the BLAKE3 hash of the header
//! bytes, and `parents` link each entry to the ones before it.

use serde::{Deserialize, Serialize};
use serde_bytes::{ByteArray, ByteBuf};

use super::{EntryId, LogId};
use crate::domain::record::Record;

/// Version of the header layout.
pub const HEADER_VERSION: u64 = 1;

/// The label signed before the header bytes.
pub const ENTRY_SIGNATURE_LABEL: &[u8] = b"dossier/v1/entry\n";

/// The signed part of an entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub v: u64,
    pub log: ByteArray<16>,
    pub seq: u64,
    pub parents: Vec<ByteArray<32>>,
    pub time: String,
    pub author: ByteArray<32>,
    pub kind: Kind,
    pub body: ByteArray<32>,
    /// Version 2 only, for `record` and `amend`: the root of the record's leaf
    /// commitments ([`super::leaves`]), so that a signature on the header
    /// proves words of the record without the rest of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaves: Option<ByteArray<32>>,
}

/// What an entry does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// First entry of the roster: the vault and its owner.
    Vault,
    /// A member joins the roster.
    MemberAdd,
    /// A member leaves the roster; their keys are no longer valid from here on.
    MemberRemove,
    /// A member's keys are replaced; the old ones are no longer valid from here on.
    MemberRekey,
    /// First entry of a case: its name, title and first members.
    Case,
    /// A record of the case.
    Record,
    /// A new version of an earlier record.
    Amend,
    /// An earlier record withdrawn.
    Retract,
    /// A member of the vault is given access to a case.
    Grant,
    /// A member's access to a case ends.
    Revoke,
    /// Every file of the log was sealed anew to the members named here.
    Rotate,
    /// A redacted extract of the case was made (chain of custody).
    Export,
    /// Joins the branches of a log forked by offline writers (`sync`): its
    /// parents are every tip; its body is a [`MergeBody`].
    Merge,
}

/// An entry as stored in a segment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredEntry {
    pub header: ByteBuf,
    pub sig: ByteArray<64>,
    pub body: ByteBuf,
}

/// A member of the vault, as the roster and case grants record them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub name: String,
    /// The member's age recipient, as age writes it (`age1...`).
    pub recipient: String,
    /// The member's Ed25519 public key.
    pub signing_key: ByteArray<32>,
    /// What the member may do to the roster; absent means [`Role::Member`].
    #[serde(default, skip_serializing_if = "Role::is_member")]
    pub role: Role,
}

/// A member's role in the vault. Owners add, remove and rekey members; every
/// member may rekey themselves, create cases, and grant or revoke access to
/// the cases they belong to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Owner,
    #[default]
    Member,
}

impl Role {
    pub fn is_member(&self) -> bool {
        *self == Role::Member
    }

    pub fn name(&self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Member => "member",
        }
    }
}

/// Body of [`Kind::MemberRemove`], [`Kind::Grant`] and [`Kind::Revoke`]: the member concerned.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameBody {
    pub name: String,
}

/// Body of [`Kind::Merge`]: nothing; the entry's parents are what it records.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {}

/// Body of [`Kind::Rotate`]: the members every file of the log was sealed to.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateBody {
    pub members: Vec<Member>,
}

/// Body of [`Kind::Vault`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultBody {
    pub vault: ByteArray<16>,
    pub owner: Member,
}

/// Body of [`Kind::Case`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseBody {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub members: Vec<Member>,
}

/// Body of [`Kind::Amend`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmendBody {
    pub target: ByteArray<32>,
    pub record: Record,
    /// The seed of the leaf salts, when the header is version 2 ([`super::leaves`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<ByteArray<32>>,
}

/// Body of [`Kind::Retract`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetractBody {
    pub target: ByteArray<32>,
    pub reason: String,
}

/// Body of [`Kind::Export`]: what went out, under which policy, to whom.
/// Who and when are the entry's author and time.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportBody {
    /// `md`, `html` or `json`.
    pub format: String,
    /// `default`, or `blake3:` and the hex BLAKE3 hash of the policy file.
    pub policy: String,
    /// The age recipients the extract was encrypted to; empty for plaintext.
    pub recipients: Vec<String>,
    /// Whether the encrypted extract is ASCII-armored.
    pub armor: bool,
    /// Ids of the records that went out.
    pub records: Vec<ByteArray<32>>,
    /// BLAKE3 of the extract's plaintext bytes.
    pub extract: ByteArray<32>,
    /// Documents whose content went out, each with the BLAKE3 of the bytes
    /// sent (an image's stripped bytes, not its signed content); absent when
    /// none did, so entries without content are as before (docs/FORMAT.md §18).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<SentContent>,
}

/// A document whose content went out in an extract.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentContent {
    /// The document record's id.
    pub record: ByteArray<32>,
    /// BLAKE3 of the bytes sent.
    pub sent: ByteArray<32>,
}

/// The id of an entry: BLAKE3 of its header bytes.
pub fn entry_id(header_bytes: &[u8]) -> EntryId {
    *blake3::hash(header_bytes).as_bytes()
}

/// The hash a header holds for its body.
pub fn body_hash(body_bytes: &[u8]) -> [u8; 32] {
    *blake3::hash(body_bytes).as_bytes()
}

impl Header {
    pub fn log_id(&self) -> LogId {
        self.log.into_array()
    }
}
