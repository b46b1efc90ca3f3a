//! The chain of custody: every extract made of a case is a signed entry in its log.
//!
//! The entry says what went out (the records' ids and the hash of the
//! extract's bytes), under which policy (its hash), in which format and to
//! whom (the age recipients); the entry's header says who made it and when.
//! It is written only after the leak check has passed, and, for a file,
//! after the extract's bytes are on disk but before the file takes its name,
//! so the log never misses an extract that was handed out. The command checks
//! the destination first (not a directory, not a symbolic link, its directory
//! there, no file unless `--force`), so that the last step rarely fails; if
//! it still does, the command says that the entry it wrote records an extract
//! that was not put in place (the log is append-only: the entry stays).

use crate::crypto::keys::signing_key_to_string;
use crate::error::Result;
use crate::export::{proof, Prepared};
use crate::format::entry::{ExportBody, Kind};
use crate::format::{cbor, EntryId};

use super::log::Log;
use super::state::Case;
use super::Vault;

/// Adds the proof of each record of a JSON extract, from the log the case was
/// read from (docs/EXTRACT.md).
pub fn attach_proofs(prepared: &mut Prepared, case: &Case, log: &Log) {
    prepared.attach_proofs(&case.records, |id| {
        log.entry(id).map(|e| proof::Signed {
            header: &e.header,
            header_bytes: &e.header_bytes,
            signature: &e.sig,
            body: &e.body,
            signer: signing_key_to_string(&e.header.author.into_array()),
        })
    });
}

impl Vault {
    /// Appends an export entry to a case's log.
    pub fn record_export(&mut self, case_name: &str, body: &ExportBody) -> Result<EntryId> {
        let (log, case) = self.case(case_name)?;
        let ids = self.append_to_case(&log, &case, vec![(Kind::Export, cbor::to_vec(body))])?;
        Ok(ids[0])
    }
}
