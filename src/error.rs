//! The library's one error type.
//!
//! Every variant carries what is at fault (a case, a record, a file, a line) so
//! that the command line can print one line that says what happened, and a hint
//! that says what to do. No variant ever carries key material or a passphrase.

use std::path::PathBuf;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, with the thing at fault named.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The user asked for something that cannot be done as asked (bad input).
    #[error("{0}")]
    Invalid(String),

    /// A record given as JSON was refused.
    #[error("{location}: {message}")]
    BadRecord { location: String, message: String },

    /// The identity file could not be used.
    #[error("identity {path}: {message}")]
    Identity { path: PathBuf, message: String },

    /// The passphrase did not open the identity.
    #[error("identity {path}: wrong passphrase")]
    WrongPassphrase { path: PathBuf },

    /// No vault at the given place, or not one this identity belongs to.
    #[error("{0}")]
    Vault(String),

    /// Another process holds the vault's lock.
    #[error("the vault at {path} is in use by another dossier process (waited {waited_secs} s)")]
    Locked { path: PathBuf, waited_secs: u64 },

    /// A named case does not exist or is not readable with this identity.
    #[error("no case named '{0}' that this identity can read")]
    CaseNotFound(String),

    /// A record id matched nothing (or more than one thing).
    #[error("{0}")]
    RecordNotFound(String),

    /// Stored data failed an integrity check.
    #[error("{what}: {message}")]
    Integrity { what: String, message: String },

    /// An export policy was refused (the message names the file and the key).
    #[error("policy {0}")]
    Policy(String),

    /// The leak check found a protected string in a rendered extract.
    #[error("{0}")]
    Leak(String),

    /// An operating-system error on a named file.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// A short hint that tells the user what to do about this error, if any.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::BadRecord { .. } => Some("fix the record and run the command again; nothing was written"),
            Error::Identity { .. } => Some("pass --identity FILE (or set DOSSIER_IDENTITY) to an age identity file"),
            Error::WrongPassphrase { .. } => {
                Some("try again; DOSSIER_PASSPHRASE_FILE may name a file holding the passphrase")
            }
            Error::Locked { .. } => Some("wait for the other command to finish, then run this one again"),
            Error::CaseNotFound(_) => Some("`dossier case list` shows the cases you can read"),
            Error::RecordNotFound(_) => Some("`dossier log CASE` lists record ids"),
            Error::Policy(_) => Some("see docs/EXPORT.md for every policy key; nothing was written"),
            Error::Leak(_) => Some(
                "nothing was written; add that spelling as an alias of the person, or drop the field in a policy, and check with --dry-run",
            ),
            Error::Integrity { .. } => {
                Some("run `dossier verify` for a full report; do not write to this vault until it is understood")
            }
            Error::Io { source, .. } if source.raw_os_error() == Some(28) => {
                Some("the disk is full: free space and run the command again; nothing was acknowledged")
            }
            _ => None,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn integrity(what: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Integrity {
            what: what.into(),
            message: message.into(),
        }
    }
}
