//! The chain of custody: every extract made of a case is a signed entry in its log.
//!
//! The entry says what went out (the records' ids and the hash of the
//! extract's bytes), under which policy (its hash), in which format and to
//! whom (the age recipients); the entry's header says who made it and when.
//! It is written only after the leak check has passed, and, for a file,
//! after the extract's bytes are on disk but before the file takes its name,
//! so the log never misses an extract that was handed out.

use crate::error::Result;
use crate::format::entry::{ExportBody, Kind};
use crate::format::{cbor, EntryId};

use super::Vault;

impl Vault {
    /// Appends an export entry to a case's log.
    pub fn record_export(&mut self, case_name: &str, body: &ExportBody) -> Result<EntryId> {
        let (log, case) = self.case(case_name)?;
        let ids = self.append_to_case(&log, &case, vec![(Kind::Export, cbor::to_vec(body))])?;
        Ok(ids[0])
    }
}
