//! dossier: an age-encrypted, append-only, signed vault for human-rights case records.
//!
//! The library is organised in layers, each owning one thing:
//!
//! - [`domain`]: records, dates, and their validation (no I/O, no keys);
//! - [`format`]: the on-disk types and their CBOR encoding (no I/O, no keys);
//! - [`crypto`]: identities, signing keys, age encryption (the only user of
//!   `age` and `ed25519-dalek`);
//! - [`store`]: the vault directory, atomic durable writes, the lock, the
//!   crash journal (bytes and names only);
//! - [`vault`]: logs, cases and records tied together;
//! - [`export`]: redacted extracts of a case (pure: records and a policy in,
//!   checked bytes out; never sees a key);
//! - [`verify_extract`]: the receiver's check of a JSON extract, with no vault
//!   and no identity (it checks signatures, so it uses [`crypto`]).
//!
//! The `dossier` binary (`src/cli/`) parses arguments and prints; it holds no logic.

pub mod crypto;
pub mod domain;
pub mod error;
pub mod export;
pub mod format;
pub mod store;
pub mod vault;
pub mod verify_extract;

pub use error::{Error, Result};
