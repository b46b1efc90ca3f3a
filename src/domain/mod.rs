//! The domain: records, their validation, and the state of a case.
//!
//! Pure data and rules; no files, no keys.

pub mod case;
pub mod date;
pub mod input;
pub mod media;
pub mod record;
