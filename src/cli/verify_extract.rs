//! `dossier verify-extract`: check a JSON extract offline, with no vault and no identity.

use std::io::Read;
use std::path::PathBuf;

use dossier::crypto::keys::parse_signing_key;
use dossier::verify_extract::{self as verify, Summary, MAX_EXTRACT};
use dossier::{Error, Result};

use super::output;

/// Check that a JSON extract's words are its documenter's own, signed (no vault needed)
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier verify-extract extract.json --signer dossiersig1...   # the documenter's key, got from them
  dossier verify-extract extract.json                             # checks, but warns: signer unpinned

Every word the extract reveals must be what its documenter signed, with the
date and type they signed; what is withheld must be withheld, not rewritten.
Exit status 0 only if every record verifies; otherwise one line names the record.
Records written before leaf commitments have no provable content: the check
fails unless --allow-unproven, and then ends PARTIAL rather than OK.
Without --signer anyone could have made the extract with their own key: get the
documenter's signing key (`dossier whoami`) by a channel you trust.
See docs/EXTRACT.md.")]
pub struct Args {
    /// The JSON extract (`dossier export --format json`), or - for standard input
    file: PathBuf,
    /// The signing key every record must be signed with (dossiersig1...)
    #[arg(long, value_name = "KEY")]
    signer: Option<String>,
    /// Accept records whose content cannot be proven (record-level proofs of
    /// records written before leaf commitments): the verdict is then PARTIAL
    #[arg(long)]
    allow_unproven: bool,
}

pub fn run(json: bool, args: Args) -> Result<i32> {
    let pinned = match &args.signer {
        Some(s) => Some(parse_signing_key(s).map_err(|m| Error::Invalid(format!("--signer: {m}")))?),
        None => None,
    };
    let shown = args.file.display().to_string();
    let io = |e: std::io::Error| Error::Io {
        path: args.file.clone(),
        source: e,
    };
    let mut bytes = Vec::new();
    let limit = MAX_EXTRACT as u64 + 1;
    if args.file.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(io)?;
    } else {
        std::fs::File::open(&args.file)
            .and_then(|f| f.take(limit).read_to_end(&mut bytes))
            .map_err(io)?;
    }
    let sum = verify::verify(&bytes, pinned.as_ref()).map_err(|m| {
        Error::Invalid(format!(
            "{shown}: {m}; the extract does NOT verify: do not rely on it as the documenter's words"
        ))
    })?;
    if !sum.record_level.is_empty() && !args.allow_unproven {
        return Err(Error::Invalid(format!(
            "{shown}: PARTIAL: the content of {} record{} ({}) is NOT verified (record-level proofs only, \
             written before leaf commitments); run with --allow-unproven to accept the rest",
            sum.record_level.len(),
            if sum.record_level.len() == 1 { "" } else { "s" },
            sum.record_level.join(", ")
        )));
    }
    if pinned.is_none() {
        eprintln!(
            "WARNING: the signer is NOT pinned: anyone can make an extract that verifies with their own key. \
             Run again with --signer KEY, the documenter's signing key obtained from them by a channel you trust."
        );
    }
    if json {
        output::json(&serde_json::json!({
            "ok": true,
            "verdict": if sum.record_level.is_empty() { "OK" } else { "PARTIAL" },
            "file": shown,
            "pinned": pinned.is_some(),
            "records": sum.records,
            "signers": sum.signers,
            "first": sum.first,
            "last": sum.last,
            "words_revealed": sum.words_revealed,
            "spans_withheld": sum.spans_withheld(),
            "pseudonymised": sum.pseudonymised,
            "masked": sum.masked,
            "generalised": sum.generalised,
            "removed": sum.removed,
            "hidden_leaves": sum.hidden_leaves,
            "references": sum.references,
            "unsigned_insertions": sum.unsigned_insertions,
            "record_level": sum.record_level,
            "content_proven": sum.content_proven,
            "content_unproven": sum.content_unproven,
        }));
    } else {
        for l in lines(&sum, pinned.is_some()) {
            output::line(&l);
        }
    }
    Ok(0)
}

/// The summary for people.
fn lines(sum: &Summary, pinned: bool) -> Vec<String> {
    let mut out = Vec::new();
    let signers = match sum.signers.as_slice() {
        [] => "nobody".to_string(),
        [one] => one.clone(),
        many => format!("{} keys: {}", many.len(), many.join(", ")),
    };
    let range = match (&sum.first, &sum.last) {
        (Some(a), Some(b)) if a == b => format!(" on {a}"),
        (Some(a), Some(b)) => format!(" between {a} and {b}"),
        _ => String::new(),
    };
    out.push(format!(
        "{} record{}, signed by {signers}{range}{}",
        sum.records,
        if sum.records == 1 { "" } else { "s" },
        if pinned {
            " (the signer given)"
        } else {
            " (signer NOT pinned)"
        }
    ));
    let mut kinds = Vec::new();
    if !sum.pseudonymised.is_empty() {
        let p: Vec<String> = sum.pseudonymised.iter().map(|(l, n)| format!("{l} ×{n}")).collect();
        kinds.push(format!("pseudonymised: {}", p.join(", ")));
    }
    for (n, what) in [
        (sum.masked, "masked"),
        (sum.generalised, "generalised"),
        (sum.removed, "removed"),
    ] {
        if n > 0 {
            kinds.push(format!("{what}: {n}"));
        }
    }
    let kinds = if kinds.is_empty() {
        String::new()
    } else {
        format!(" ({})", kinds.join("; "))
    };
    out.push(format!(
        "{} words revealed, {} spans withheld{kinds}; {} values of fields not shown withheld",
        sum.words_revealed,
        sum.spans_withheld(),
        sum.hidden_leaves
    ));
    if sum.unsigned_insertions > 0 {
        out.push(format!(
            "{} stretches of text shown are not signed (marked \"signed\": false)",
            sum.unsigned_insertions
        ));
    }
    for r in &sum.record_level {
        out.push(format!(
            "record {r}: record-level proof only (written before leaf commitments): the signer wrote a record \
             with this id at this time; content NOT verified: the words shown for it are NOT proven"
        ));
    }
    for r in &sum.content_proven {
        out.push(format!(
            "document {r}: its content is carried unchanged and matches the content hash the signer signed"
        ));
    }
    for r in &sum.content_unproven {
        out.push(format!(
            "document {r}: its content is carried but NOT proven: it is not the signed content (an image \
             stripped of its metadata) or the proof withholds the signed hash"
        ));
    }
    out.push(if sum.record_level.is_empty() {
        "OK".into()
    } else {
        format!(
            "PARTIAL: {} record{} with content NOT verified",
            sum.record_level.len(),
            if sum.record_level.len() == 1 { "" } else { "s" }
        )
    });
    out
}
