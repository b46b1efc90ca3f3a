//! The state of one record of a case: its versions, oldest first, and its
//! withdrawal if it was withdrawn.
//!
//! What a case's log means for its records, as every reader of a case needs it
//! (the vault, the export, the team's report). Built by the vault's fold of a
//! checked log (`vault::state`); nothing here reads a file or holds a key.

use super::record::Record;

/// The BLAKE3 hash of an entry's header bytes: the entry's id (docs/FORMAT.md §6.2).
pub type EntryId = [u8; 32];

/// One version of a record.
pub struct Version {
    pub entry: EntryId,
    pub record: Record,
    pub time: String,
    pub author: [u8; 32],
}

/// A record's withdrawal.
pub struct Retraction {
    pub entry: EntryId,
    pub reason: String,
    pub time: String,
    pub author: [u8; 32],
}

/// A record and its history.
pub struct RecordState {
    /// The id of the entry that first recorded it.
    pub id: EntryId,
    pub versions: Vec<Version>,
    pub retraction: Option<Retraction>,
}

impl RecordState {
    pub fn latest(&self) -> &Version {
        self.versions.last().expect("a record has at least one version")
    }

    pub fn status(&self) -> &'static str {
        if self.retraction.is_some() {
            "retracted"
        } else if self.versions.len() > 1 {
            "amended"
        } else {
            "current"
        }
    }
}
