//! Cryptography: the only module that uses `age` and the signing crate.
//!
//! - [`identity`]: a person's age X25519 identity, the Ed25519 signing key
//!   derived from it, and passphrase protection the way `age -p` does it.
//! - [`seal`]: encrypting objects to members' recipients as standard age
//!   files, and opening them.
//! - [`sign`]: domain-separated Ed25519 signatures, verified strictly;
//! - [`extract`]: encrypting an extract to its receivers, armored or not.

pub mod extract;
pub mod hybrid;
pub mod hygiene;
pub mod identity;
pub mod keys;
pub mod seal;
pub mod sign;
