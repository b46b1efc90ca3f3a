//! Appending entries to a log: sign, seal, write, commit.
//!
//! The order is what makes a crash harmless: the journal names the head about
//! to change; the new segment is written (temp file, fsync, rename, fsync);
//! the new head replaces the old one in one atomic rename — the commit point —
//! and only then is the journal removed and the write acknowledged. A crash
//! before the rename leaves the old head, and recovery removes the segment; a
//! crash after it leaves the new head, and the segment stays.

use serde_bytes::{ByteArray, ByteBuf};
use zeroize::Zeroizing;

use crate::crypto::{identity::Identity, seal, sign};
use crate::error::{Error, Result};
use crate::format::entry::{self, Header, Kind, StoredEntry, ENTRY_SIGNATURE_LABEL, HEADER_VERSION};
use crate::format::head::{Head, LogKind, SignedHead, HEAD_FORMAT, HEAD_SIGNATURE_LABEL, HEAD_VERSION};
use crate::format::leaves::HEADER_VERSION_LEAVES;
use crate::format::segment::{Segment, SEGMENT_FORMAT, SEGMENT_VERSION};
use crate::format::{cbor, EntryId, LogId};
use crate::store::{failpoint, new_name, Area, Replace, Store};

use super::log::{head_name, Log};

/// The log being appended to.
pub struct Target<'a> {
    pub id: LogId,
    pub kind: LogKind,
    pub name: &'a str,
    /// The log as loaded, or `None` when this write creates it.
    pub existing: Option<&'a Log>,
}

/// Appends entries of the given kinds and bodies, encrypted to `recipients`.
pub fn append(
    store: &Store,
    identity: &Identity,
    device: &[u8; 16],
    target: Target<'_>,
    recipients: &[String],
    bodies: Vec<(Kind, Vec<u8>)>,
) -> Result<Vec<EntryId>> {
    append_at(store, identity, device, target, recipients, bodies, super::now())
}

/// An entry to write: its kind, its body, and the root of the salted leaves
/// it commits to, if it does (docs/FORMAT.md §6.12).
pub type Body = (Kind, Vec<u8>, Option<[u8; 32]>);

/// [`append`], for entries some of which commit to a leaf root: those get a
/// version-2 header that carries it.
pub fn append_committed(
    store: &Store,
    identity: &Identity,
    device: &[u8; 16],
    target: Target<'_>,
    recipients: &[String],
    bodies: Vec<Body>,
) -> Result<Vec<EntryId>> {
    append_after(
        store,
        identity,
        device,
        target,
        recipients,
        &[],
        || Ok(bodies),
        super::now(),
    )
}

/// [`append`], with the time the entries claim given (tests forge with it).
pub(crate) fn append_at(
    store: &Store,
    identity: &Identity,
    device: &[u8; 16],
    target: Target<'_>,
    recipients: &[String],
    bodies: Vec<(Kind, Vec<u8>)>,
    time: String,
) -> Result<Vec<EntryId>> {
    let bodies = bodies.into_iter().map(|(k, b)| (k, b, None)).collect();
    append_after(store, identity, device, target, recipients, &[], || Ok(bodies), time)
}

/// Appends entries whose bodies `make` returns after writing the objects
/// named in `created` (a document's content). The journal lists those
/// objects, and the segment, before any of them exists; on any error the
/// write is given up at once, as recovery would, so nothing is left behind.
/// A body that commits to a leaf root gets a version-2 header carrying it
/// (docs/FORMAT.md §6.12).
#[allow(clippy::too_many_arguments)]
pub(crate) fn append_after(
    store: &Store,
    identity: &Identity,
    device: &[u8; 16],
    target: Target<'_>,
    recipients: &[String],
    created: &[String],
    make: impl FnOnce() -> Result<Vec<Body>>,
    time: String,
) -> Result<Vec<EntryId>> {
    let segment_name = new_name();
    let name = head_name(&target.id, device);
    let mut listed = created.to_vec();
    listed.push(segment_name.clone());
    store.begin(&name, &listed)?;
    failpoint("append-journaled");
    let written = make().and_then(|bodies| {
        write_entries(
            store,
            identity,
            device,
            &target,
            recipients,
            bodies,
            time,
            &segment_name,
            &name,
        )
    });
    match written {
        Ok(ids) => {
            store.commit()?;
            Ok(ids)
        }
        Err(e) => {
            // The error that stopped the write is the one to report.
            let _ = store.abandon();
            Err(e)
        }
    }
}

/// Signs the entries, seals and writes the segment, then the head: the commit point.
#[allow(clippy::too_many_arguments)]
fn write_entries(
    store: &Store,
    identity: &Identity,
    device: &[u8; 16],
    target: &Target<'_>,
    recipients: &[String],
    bodies: Vec<Body>,
    time: String,
    segment_name: &str,
    name: &str,
) -> Result<Vec<EntryId>> {
    let author = identity.signing_public();
    let (mut parents, mut seq) = match target.existing {
        Some(log) => (log.tips(), log.next_seq()),
        None => (Vec::new(), 0),
    };
    let mut ids = Vec::new();
    let mut stored = Vec::new();
    for (kind, body, leaves) in bodies {
        let header = Header {
            v: if leaves.is_some() {
                HEADER_VERSION_LEAVES
            } else {
                HEADER_VERSION
            },
            log: ByteArray::new(target.id),
            seq,
            parents: parents.iter().map(|p| ByteArray::new(*p)).collect(),
            time: time.clone(),
            author: ByteArray::new(author),
            kind,
            body: ByteArray::new(entry::body_hash(&body)),
            leaves: leaves.map(ByteArray::new),
        };
        let header_bytes = cbor::to_vec(&header);
        let id = entry::entry_id(&header_bytes);
        let sig = sign::sign(identity.signing_key(), ENTRY_SIGNATURE_LABEL, &header_bytes);
        stored.push(StoredEntry {
            header: ByteBuf::from(header_bytes),
            sig: ByteArray::new(sig),
            body: ByteBuf::from(body),
        });
        ids.push(id);
        parents = vec![id];
        seq += 1;
    }

    let plaintext = Zeroizing::new(
        Segment {
            format: SEGMENT_FORMAT.into(),
            v: SEGMENT_VERSION,
            log: ByteArray::new(target.id),
            name: Some(segment_name.to_string()),
            entries: stored,
            pad: ByteBuf::new(),
        }
        .encode_padded(),
    );
    let sealed = seal::seal(recipients, &plaintext).map_err(Error::Invalid)?;

    let mut segments: Vec<String> = target.existing.map(|l| l.segments.clone()).unwrap_or_default();
    segments.push(segment_name.to_string());
    let serial = target
        .existing
        .and_then(|l| l.heads.iter().find(|h| h.name == name))
        .map_or(1, |h| h.head.serial + 1);
    let head = Head {
        v: HEAD_VERSION,
        log: ByteArray::new(target.id),
        kind: target.kind,
        name: target.name.to_string(),
        device: ByteArray::new(*device),
        serial,
        time,
        author: ByteArray::new(author),
        tips: vec![ByteArray::new(*ids.last().expect("at least one entry"))],
        segments,
    };
    let head_bytes = cbor::to_vec(&head);
    let head_sig = sign::sign(identity.signing_key(), HEAD_SIGNATURE_LABEL, &head_bytes);
    let signed = Zeroizing::new(
        SignedHead {
            format: HEAD_FORMAT.into(),
            head: ByteBuf::from(head_bytes),
            sig: ByteArray::new(head_sig),
            pad: ByteBuf::new(),
        }
        .encode_padded(),
    );
    let sealed_head = seal::seal(recipients, &signed).map_err(Error::Invalid)?;

    store.write(Area::Objects, segment_name, Replace::Never, &sealed)?;
    failpoint("append-segment-written");
    store.write(Area::Heads, name, Replace::Atomically, &sealed_head)?;
    failpoint("append-head-written");
    Ok(ids)
}
