//! High-water marks: the newest version of each head this copy has seen.
//!
//! Every head carries a serial its device raises on each write. A head file
//! put back from an older copy of the vault — to undo a revocation, say, so
//! that the next write seals to the revoked member again — is signed and
//! well formed: only memory tells that it is old. Each identity using this
//! copy keeps that memory in `local/marks-<16 hex>`, sealed with age to a key
//! derived from its own signing secret, so the file says nothing to whoever
//! holds the disk and costs no passphrase or hardware-token touch to open.
//!
//! Marks catch a head rolled back or deleted while `local/` is intact. They
//! cannot catch a roll-back of the whole directory, `local/` included: a
//! checkpoint token kept elsewhere does (docs/THREAT-MODEL.md).

use std::collections::BTreeMap;
use std::str::FromStr;

use bech32::{Bech32, Hrp};
use serde::{Deserialize, Serialize};
use serde_bytes::{ByteArray, ByteBuf};
use zeroize::{Zeroize, Zeroizing};

use crate::crypto::{identity::Identity, seal};
use crate::error::{Error, Result};
use crate::format::segment::encode_padded;
use crate::format::{cbor, hex, LogId};
use crate::store::{Area, Store};

use super::log::{HeadScan, Problem};

const MARKS_FORMAT: &str = "dossier-marks";
const MARKS_VERSION: u64 = 1;
/// Largest marks plaintext read: far above any real vault's.
const MAX_MARKS_PLAINTEXT: u64 = 64 * 1024 * 1024;
/// Largest marks file read: that plaintext sealed with age (a header of a
/// few stanzas, and 16 bytes per 64 KiB chunk) with room to spare.
const MAX_MARKS_FILE: u64 = MAX_MARKS_PLAINTEXT + 1024 * 1024;

/// The plaintext of a marks file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarksFile {
    format: String,
    v: u64,
    heads: Vec<Mark>,
    pad: ByteBuf,
}

/// The newest version of one head file seen.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mark {
    /// The head file's name.
    head: String,
    log: ByteArray<16>,
    /// The case's name (`""` for the roster), to name a case that vanished.
    name: String,
    serial: u64,
}

impl Drop for Mark {
    fn drop(&mut self) {
        // A case's name is what the marks hold in the clear once opened.
        self.name.zeroize();
    }
}

/// A head that is older than, or missing since, what this copy saw.
pub struct Finding {
    pub log: LogId,
    pub name: String,
    pub problem: Problem,
}

/// One identity's memory of the heads of this copy of the vault.
pub struct Marks {
    file: String,
    key: age::x25519::Identity,
    seen: BTreeMap<String, Mark>,
    dirty: bool,
}

impl Marks {
    /// Reads this identity's marks; none yet is an empty memory.
    pub fn load(store: &Store, identity: &Identity) -> Result<Marks> {
        let secret = Zeroizing::new(identity.signing_key().to_bytes());
        let file = format!(
            "marks-{}",
            hex(&blake3::derive_key("dossier 2026-11-24 local marks file name v1", &*secret)[..8])
        );
        let key = marks_key(&secret)?;
        let mut marks = Marks {
            file,
            key,
            seen: BTreeMap::new(),
            dirty: false,
        };
        let Some(bytes) = store.read_local_at_most(&marks.file, MAX_MARKS_FILE)? else {
            return Ok(marks);
        };
        let damaged = |why: String| {
            Error::integrity(
                format!("local/{}", marks.file),
                format!(
                    "{why}; it is this copy's memory of the heads it has seen: if you did not expect this, \
                     check the vault against a checkpoint, then delete the file to start a new memory"
                ),
            )
        };
        if bytes.len() as u64 > MAX_MARKS_FILE {
            return Err(damaged(format!("larger than any marks file ({MAX_MARKS_FILE} bytes)")));
        }
        let plain = match seal::open(&marks.key, &bytes, MAX_MARKS_PLAINTEXT) {
            seal::Opened::Plain(p) => p,
            seal::Opened::NotForUs => return Err(damaged("not sealed to this identity's key".into())),
            seal::Opened::Damaged(m) => return Err(damaged(format!("damaged: {m}"))),
        };
        for m in decode(&plain).map_err(damaged)? {
            marks.seen.insert(m.head.clone(), m);
        }
        Ok(marks)
    }

    /// Compares what `scan` found with what was seen before, and remembers
    /// what is newer. A head older than its mark, or gone, is a finding; its
    /// mark is kept, so the finding stays until the newer file is back.
    pub fn check(&mut self, store: &Store, scan: &HeadScan) -> Result<Vec<Finding>> {
        let mut findings = Vec::new();
        let mut present = std::collections::HashSet::new();
        for h in &scan.heads {
            present.insert(h.name.as_str());
            let serial = h.head.serial;
            match self.seen.get_mut(&h.name) {
                Some(m) if serial < m.serial => findings.push(Finding {
                    log: m.log.into_array(),
                    name: m.name.clone(),
                    problem: Problem::file(
                        format!("heads/{}", h.name),
                        format!(
                            "rolled back: this copy saw version {} of this head and the file holds version {serial}; \
                             an older copy of it was put back",
                            m.serial
                        ),
                    ),
                }),
                Some(m) if serial == m.serial => {}
                _ => {
                    self.seen.insert(
                        h.name.clone(),
                        Mark {
                            head: h.name.clone(),
                            log: h.head.log,
                            name: h.head.name.clone(),
                            serial,
                        },
                    );
                    self.dirty = true;
                }
            }
        }
        let absent: Vec<String> = self
            .seen
            .keys()
            .filter(|n| !present.contains(n.as_str()))
            .cloned()
            .collect();
        for name in absent {
            if scan.unreadable.contains(&name) {
                // Sealed to others now: a revocation and its rotation, or a
                // file replaced by someone who holds no key. Either way the
                // mark stays, so that the older head cannot come back later
                // (put back to re-admit a revoked member) unnoticed.
            } else if store.read(Area::Heads, &name)?.is_none() {
                let m = &self.seen[&name];
                findings.push(Finding {
                    log: m.log.into_array(),
                    name: m.name.clone(),
                    problem: Problem::file(
                        format!("heads/{name}"),
                        format!(
                            "missing: this copy saw version {} of this head of {} and the file is gone",
                            m.serial,
                            if m.name.is_empty() {
                                "the roster".to_string()
                            } else {
                                format!("case '{}'", m.name)
                            }
                        ),
                    ),
                });
            }
            // A head file present but damaged is named by the scan itself.
        }
        Ok(findings)
    }

    /// The case name this copy saw for a log, if it saw one.
    pub fn name_of(&self, log: &LogId) -> Option<String> {
        self.seen
            .values()
            .find(|m| m.log.as_ref() == log)
            .map(|m| m.name.clone())
    }

    /// Writes the marks back if they changed. A copy on read-only media, or a
    /// full disk, only loses the newest memory: the command goes on.
    pub fn save(&mut self, store: &Store) {
        if !self.dirty {
            return;
        }
        let plain = encode(self.seen.values().cloned().collect());
        let recipient = self.key.to_public().to_string();
        let Ok(sealed) = seal::seal(std::slice::from_ref(&recipient), &plain) else {
            return;
        };
        if store.write_local(&self.file, &sealed).is_ok() {
            self.dirty = false;
        }
    }
}

/// Decodes the plaintext of a marks file (§11.7) into its marks. Text is
/// read through a scratch buffer wiped afterwards, and each mark's case name
/// is wiped when the mark goes.
#[doc(hidden)]
pub fn decode_marks(plain: &[u8]) -> std::result::Result<Vec<(String, LogId, String, u64)>, String> {
    Ok(decode(plain)?
        .into_iter()
        .map(|m| (m.head.clone(), m.log.into_array(), m.name.clone(), m.serial))
        .collect())
}

fn decode(plain: &[u8]) -> std::result::Result<Vec<Mark>, String> {
    let mut parsed: MarksFile = cbor::from_slice_wiped(plain).map_err(|m| format!("not a marks file: {m}"))?;
    if parsed.format != MARKS_FORMAT || parsed.v != MARKS_VERSION {
        return Err("not a marks file of this version".into());
    }
    Ok(std::mem::take(&mut parsed.heads))
}

/// Encodes marks as the plaintext of a marks file (§11.7), padded.
#[doc(hidden)]
pub fn encode_marks(marks: &[(String, LogId, String, u64)]) -> Zeroizing<Vec<u8>> {
    encode(
        marks
            .iter()
            .map(|(head, log, name, serial)| Mark {
                head: head.clone(),
                log: ByteArray::new(*log),
                name: name.clone(),
                serial: *serial,
            })
            .collect(),
    )
}

fn encode(heads: Vec<Mark>) -> Zeroizing<Vec<u8>> {
    let mut file = MarksFile {
        format: MARKS_FORMAT.into(),
        v: MARKS_VERSION,
        heads,
        pad: ByteBuf::new(),
    };
    Zeroizing::new(encode_padded(&mut file, |f, n| f.pad = ByteBuf::from(vec![0u8; n])))
}

/// The age identity the marks are sealed to, derived from the signing secret.
fn marks_key(signing_secret: &[u8; 32]) -> Result<age::x25519::Identity> {
    let secret = Zeroizing::new(blake3::derive_key(
        "dossier 2026-11-24 local marks X25519 key v1",
        signing_secret,
    ));
    let hrp = Hrp::parse("age-secret-key-").map_err(|e| Error::Vault(format!("marks key: {e}")))?;
    let lower =
        Zeroizing::new(bech32::encode::<Bech32>(hrp, &*secret).map_err(|e| Error::Vault(format!("marks key: {e}")))?);
    let upper = Zeroizing::new(lower.to_uppercase());
    age::x25519::Identity::from_str(&upper).map_err(|e| Error::Vault(format!("marks key: {e}")))
}
