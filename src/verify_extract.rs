//! Checking a JSON extract with nothing but the extract (and, best, the
//! documenter's public signing key): `dossier verify-extract`.
//!
//! The input is untrusted bytes: its size is bounded ([`MAX_EXTRACT`]),
//! serde_json bounds nesting (128 levels), each header is at most
//! [`MAX_HEADER`] bytes, and nothing in it is trusted before its signature
//! and its leaves check. For each record the extract shows:
//!
//! 1. its proof's header is decoded and its Ed25519 signature checked under
//!    the key the proof names, which must be the header's author (and the
//!    pinned signer, if one is given);
//! 2. for a proof by leaves, the leaf hashes (recomputed from revealed values
//!    and salts, taken as given for withheld ones) must give the root the
//!    header signs, the `type` leaf must name the section the record is in,
//!    and the record id must be the header's (or, for an amendment, the one
//!    its signed `amends` leaf names);
//! 3. every field the extract shows for the record must read exactly as the
//!    proof rebuilds it: revealed values, and in place of withheld leaves the
//!    unsigned `shown` text — which may only be a placeholder of the forms
//!    the exporter writes (`placeholder_ok`), never free words; the leaves
//!    claimed for one field must be consecutive.
//!
//! A record-level proof (a record written before leaf commitments) proves
//! only that the signer wrote a record with that id at that time; the CLI
//! calls the result PARTIAL, not OK. See docs/EXTRACT.md §3 for what is not
//! proven about a placeholder's field.

use std::collections::{BTreeMap, HashMap, HashSet};

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::crypto::keys::{parse_signing_key, signing_key_to_string};
use crate::crypto::sign;
use crate::export::model::EXTRACT_FORMAT;
use crate::export::proof::{unb64, unb64_array, LeafProof, RecordProof, PROOF_LEAVES, PROOF_RECORD};
use crate::format::entry::{self, Header, Kind, ENTRY_SIGNATURE_LABEL};
use crate::format::leaves::{self, AMENDS, SALT_LEN};
use crate::format::{cbor, hex};

/// Largest extract read, in bytes.
pub const MAX_EXTRACT: usize = 96 << 20;
/// Largest header accepted in a proof, in bytes.
pub const MAX_HEADER: usize = 64 << 10;

/// The sections of an extract that hold records, and the type of each.
const SECTIONS: [(&str, &str); 5] = [
    ("persons", "person"),
    ("events", "event"),
    ("testimony", "testimony"),
    ("notes", "note"),
    ("documents", "document"),
];

#[derive(Deserialize)]
struct ExtractIn {
    format: String,
    #[serde(default)]
    proofs: Vec<RecordProof>,
    #[serde(flatten)]
    rest: HashMap<String, Json>,
}

/// What a verified extract holds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Records shown and verified.
    pub records: usize,
    /// The signers (`dossiersig1…`), in order of first appearance.
    pub signers: Vec<String>,
    /// The earliest and latest signing dates (YYYY-MM-DD) of the versions shown.
    pub first: Option<String>,
    pub last: Option<String>,
    /// Words the signatures prove.
    pub words_revealed: usize,
    /// Withheld spans shown as a pseudonym, by pseudonym.
    pub pseudonymised: BTreeMap<String, usize>,
    /// Withheld spans shown as a mask (`[phone removed]`, ...).
    pub masked: usize,
    /// Withheld spans shown as something else (a coarser date, a generalised place).
    pub generalised: usize,
    /// Withheld spans shown as nothing (a field or words left out).
    pub removed: usize,
    /// References to people (refs) shown as their public name.
    pub references: usize,
    /// Withheld leaves of fields the extract does not show at all.
    pub hidden_leaves: usize,
    /// Stretches of text the extract shows that no leaf signs.
    pub unsigned_insertions: usize,
    /// Records with record-level proofs only (written before leaf commitments).
    pub record_level: Vec<String>,
    /// Documents whose content the extract carries unchanged, proven
    /// against the content hash the signer signed.
    pub content_proven: Vec<String>,
    /// Documents whose content the extract carries but no signature proves:
    /// a stripped image, or a hash the proof withholds.
    pub content_unproven: Vec<String>,
}

impl Summary {
    /// Withheld spans in all.
    pub fn spans_withheld(&self) -> usize {
        self.pseudonymised.values().sum::<usize>() + self.masked + self.generalised + self.removed
    }
}

/// Verifies an extract's bytes; the error names the record at fault.
pub fn verify(bytes: &[u8], pinned: Option<&[u8; 32]>) -> Result<Summary, String> {
    if bytes.len() > MAX_EXTRACT {
        return Err(format!("the extract is over {} MiB", MAX_EXTRACT >> 20));
    }
    let x: ExtractIn = serde_json::from_slice(bytes).map_err(|e| format!("not a JSON extract of dossier: {e}"))?;
    if x.format != EXTRACT_FORMAT {
        return Err(format!(
            "not a JSON extract of dossier (format is '{}')",
            x.format.escape_debug()
        ));
    }
    // The records the extract shows, by id.
    let mut shown: Vec<(String, &'static str, &serde_json::Map<String, Json>)> = Vec::new();
    for (key, ty) in SECTIONS {
        let Some(v) = x.rest.get(key) else { continue };
        let items = v.as_array().ok_or_else(|| format!("'{key}' is not a list"))?;
        for item in items {
            let obj = item
                .as_object()
                .ok_or_else(|| format!("an item of '{key}' is not an object"))?;
            let id = obj
                .get("id")
                .and_then(Json::as_str)
                .ok_or_else(|| format!("an item of '{key}' has no record id: nothing proves it"))?;
            shown.push((id.to_string(), ty, obj));
        }
    }
    let mut proofs: HashMap<&str, &RecordProof> = HashMap::new();
    for p in &x.proofs {
        let r = &p.record;
        if !(16..=64).contains(&r.len()) || !r.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(format!(
                "record {}: its id is not 16 to 64 lower-case hex digits",
                r.escape_debug()
            ));
        }
        if proofs.insert(p.record.as_str(), p).is_some() {
            return Err(format!("record {}: two proofs", p.record.escape_debug()));
        }
    }
    // The labels of the persons shown: a ref may be shown as one of them.
    let labels: HashSet<&str> = shown
        .iter()
        .filter(|(_, ty, _)| *ty == "person")
        .filter_map(|(_, _, o)| o.get("label").and_then(Json::as_str))
        .collect();
    let mut seen = HashSet::new();
    let mut sum = Summary::default();
    for (id, ty, obj) in &shown {
        let name = format!("{ty} {}", id.escape_debug());
        if !seen.insert(id.as_str()) {
            return Err(format!("{name}: shown twice"));
        }
        let proof = proofs
            .get(id.as_str())
            .ok_or_else(|| format!("{name}: no proof in the extract"))?;
        check_record(proof, ty, obj, pinned, &labels, &mut sum).map_err(|m| format!("{name}: {m}"))?;
        if let Some(c) = obj.get("content") {
            check_content(proof, c, &mut sum).map_err(|m| format!("{name}: {m}"))?;
        }
    }
    if let Some(p) = x.proofs.iter().find(|p| !seen.contains(p.record.as_str())) {
        return Err(format!(
            "record {}: a proof for a record the extract does not show",
            p.record.escape_debug()
        ));
    }
    sum.records = shown.len();
    Ok(sum)
}

/// A document's content: its bytes must match the hash the extract gives
/// them; if said to be unchanged, that hash must be the signed one.
fn check_content(p: &RecordProof, c: &Json, sum: &mut Summary) -> Result<(), String> {
    use base64::Engine;
    let c = c.as_object().ok_or("its content is not an object")?;
    let data = c
        .get("base64")
        .and_then(Json::as_str)
        .ok_or("its content has no base64")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| "its content is not base64")?;
    let hash = format!("blake3:{}", blake3::hash(&bytes).to_hex());
    if c.get("hash").and_then(Json::as_str) != Some(hash.as_str()) {
        return Err("its content does not match the hash the extract gives it: altered".into());
    }
    if c.get("size").and_then(Json::as_u64) != Some(bytes.len() as u64) {
        return Err("its content is not the size the extract gives it".into());
    }
    if c.get("unchanged").and_then(Json::as_bool) != Some(true) {
        sum.content_unproven.push(p.record.clone());
        return Ok(());
    }
    let signed = p
        .leaves
        .iter()
        .find(|l| l.field.as_deref() == Some("hash") && l.salt.is_some())
        .and_then(|l| l.value.as_deref());
    match signed {
        Some(v) if v == hash => sum.content_proven.push(p.record.clone()),
        Some(_) => {
            return Err(
                "its content is said to be unchanged, but it does not match the content hash the signer signed".into(),
            )
        }
        None => sum.content_unproven.push(p.record.clone()),
    }
    Ok(())
}

fn check_record(
    p: &RecordProof,
    ty: &str,
    item: &serde_json::Map<String, Json>,
    pinned: Option<&[u8; 32]>,
    labels: &HashSet<&str>,
    sum: &mut Summary,
) -> Result<(), String> {
    if p.r#type != ty {
        return Err(format!(
            "its proof is for a {}, but it is listed as a {ty}",
            p.r#type.escape_debug()
        ));
    }
    let header_bytes = unb64(&p.header, MAX_HEADER).ok_or("its header is not base64url (or is too long)")?;
    let sig = unb64_array::<64>(&p.signature).ok_or("its signature is not 64 bytes of base64url")?;
    let signer = parse_signing_key(&p.signer).map_err(|m| format!("signer: {m}"))?;
    let header: Header = cbor::from_slice(&header_bytes).map_err(|m| format!("bad header: {m}"))?;
    if header.author.into_array() != signer {
        return Err("the signer named is not the header's author".into());
    }
    if !sign::verify(&signer, ENTRY_SIGNATURE_LABEL, &header_bytes, &sig) {
        return Err("the signature does not verify: header altered or forged".into());
    }
    if let Some(k) = pinned {
        if *k != signer {
            return Err(format!(
                "signed by {}, not by the signer given with --signer",
                signing_key_to_string(&signer)
            ));
        }
    }
    if !matches!(header.kind, Kind::Record | Kind::Amend) {
        return Err("its header is not a record's or an amendment's".into());
    }
    if header.time.len() != 20 || humantime::parse_rfc3339(&header.time).is_err() {
        return Err("its header's time is not an RFC 3339 time".into());
    }
    let signer_text = signing_key_to_string(&signer);
    if !sum.signers.contains(&signer_text) {
        sum.signers.push(signer_text);
    }
    let day = header.time[..10].to_string();
    if sum.first.as_ref().is_none_or(|f| day < *f) {
        sum.first = Some(day.clone());
    }
    if sum.last.as_ref().is_none_or(|l| day > *l) {
        sum.last = Some(day);
    }
    let entry_id = hex(&entry::entry_id(&header_bytes));
    match p.proof.as_str() {
        PROOF_RECORD => {
            if !p.leaves.is_empty() || header.leaves.is_some() {
                return Err("a record-level proof of a record that has leaf commitments".into());
            }
            // An amendment's target is in its encrypted body: a record-level
            // proof cannot bind it to the id shown.
            if header.kind != Kind::Record {
                return Err("a record-level proof of an amendment: nothing binds it to the record shown".into());
            }
            if !entry_id.starts_with(&p.record) {
                return Err("its header is another record's".into());
            }
            sum.record_level.push(p.record.clone());
            Ok(())
        }
        PROOF_LEAVES => {
            let root = header
                .leaves
                .ok_or("a proof by leaves, but its header commits to no leaves")?;
            check_leaves(p, &header, &entry_id, &root.into_array(), item, labels, sum)
        }
        other => Err(format!("unknown kind of proof '{}'", other.escape_debug())),
    }
}

/// What a leaf of a proof is.
enum Part<'a> {
    Revealed { field: &'a str, value: &'a str },
    Withheld,
}

fn part(l: &LeafProof) -> Result<(Part<'_>, Option<[u8; 32]>), String> {
    match (&l.value, &l.salt, &l.digest) {
        (Some(value), Some(salt), None) => {
            let field = l.field.as_deref().ok_or("a revealed leaf without its field")?;
            if l.shown.is_some() {
                return Err("a revealed leaf with placeholder text".into());
            }
            let salt = unb64_array::<SALT_LEN>(salt).ok_or("a salt that is not 16 bytes of base64url")?;
            Ok((
                Part::Revealed { field, value },
                Some(leaves::leaf_hash(&salt, field, value)),
            ))
        }
        (None, None, Some(d)) => Ok((
            Part::Withheld,
            Some(unb64_array::<32>(d).ok_or("a digest that is not 32 bytes of base64url")?),
        )),
        // Text shown where no leaf stands: the exporter never writes it, and
        // nothing would bound what it says.
        (None, None, None) if l.shown.is_some() => {
            Err("text shown that no signed leaf stands for (\"shown\" without \"digest\")".into())
        }
        _ => Err("a leaf that is neither revealed (value, salt) nor withheld (digest)".into()),
    }
}

fn check_leaves(
    p: &RecordProof,
    header: &Header,
    entry_id: &str,
    root: &[u8; 32],
    item: &serde_json::Map<String, Json>,
    labels: &HashSet<&str>,
    sum: &mut Summary,
) -> Result<(), String> {
    let mut hashes = Vec::with_capacity(p.leaves.len());
    let mut parts = Vec::with_capacity(p.leaves.len());
    for l in &p.leaves {
        if l.signed == Some(true) || (l.shown.is_some() != (l.signed == Some(false))) {
            return Err("placeholder text must be marked \"signed\": false".into());
        }
        let (part, hash) = part(l)?;
        hashes.extend(hash);
        parts.push(part);
    }
    if leaves::root(&hashes).as_ref() != Some(root) {
        return Err(
            "its leaves do not give the root its header signs: a word, value or digest was changed, \
                    moved, added or removed"
                .into(),
        );
    }
    // The signed leaves must say what record this is.
    let revealed: Vec<(&str, &str)> = parts
        .iter()
        .filter_map(|x| match x {
            Part::Revealed { field, value } => Some((*field, *value)),
            _ => None,
        })
        .collect();
    let mut signed = revealed.iter();
    if header.kind == Kind::Amend {
        match signed.next() {
            Some((AMENDS, target)) if target.starts_with(&p.record) && !p.record.is_empty() => {}
            _ => return Err("its signed leaves do not say it amends this record".into()),
        }
    } else if p.record.is_empty() || !entry_id.starts_with(&p.record) {
        return Err("its header is another record's".into());
    }
    match signed.next() {
        Some(("type", t)) if *t == p.r#type => {}
        _ => return Err(format!("its signed type is not {}", p.r#type.escape_debug())),
    }
    // The leaves of one field are consecutive (docs/FORMAT.md §6.12): a
    // withheld leaf cannot be claimed for a field whose leaves are elsewhere.
    let mut done: HashSet<&str> = HashSet::new();
    let mut last: Option<&str> = None;
    for l in &p.leaves {
        let Some(f) = l.field.as_deref() else { continue };
        if last != Some(f) {
            if !done.insert(f) {
                return Err(format!(
                    "leaves of its {} are not together: a withheld leaf was claimed for another field",
                    f.escape_debug()
                ));
            }
            last = Some(f);
        }
    }
    // The text of each field as the proof rebuilds it, and the fields that
    // hold unsigned placeholder text.
    let mut fields: HashMap<&str, String> = HashMap::new();
    let mut unsigned: HashSet<&str> = HashSet::new();
    for (l, x) in p.leaves.iter().zip(&parts) {
        match x {
            Part::Revealed { field, value } => {
                fields.entry(field).or_default().push_str(value);
                if *field != "type" && *field != AMENDS {
                    sum.words_revealed += leaves::spans(value)
                        .into_iter()
                        .filter(|s| leaves::is_word_span(s))
                        .count();
                }
            }
            Part::Withheld => {
                let Some(field) = l.field.as_deref() else {
                    sum.hidden_leaves += 1;
                    continue;
                };
                unsigned.insert(field);
                let text = fields.entry(field).or_default();
                if let Some(s) = &l.shown {
                    if !placeholder_ok(field, s, labels) {
                        return Err(format!(
                            "the text shown in place of withheld words of its {} ('{}') is not a pseudonym, \
                             a mask, a coarser date nor a person shown: it is not signed",
                            field.escape_debug(),
                            s.escape_debug()
                        ));
                    }
                    text.push_str(s);
                    count_span(field, s, sum);
                }
            }
        }
    }
    let person = p.r#type == "person";
    for (key, v) in item {
        // A document's content is checked against its signed hash by
        // `check_content`: it is not a field of the record.
        if key == "id" || (p.r#type == "document" && key == "content") {
            continue;
        }
        if person && key == "named" {
            // The exporter's claim that the label is the real name: only if signed.
            match v {
                Json::Bool(false) => continue,
                Json::Bool(true) if fields.contains_key("name") && !unsigned.contains("name") => continue,
                Json::Bool(true) => return Err("it is shown as named, but its name is not signed".into()),
                _ => return Err("its named is not true or false".into()),
            }
        }
        let field = if person && key == "label" { "name" } else { key.as_str() };
        let same = |path: &str, shown: String| -> Result<(), String> {
            match fields.get(path) {
                Some(t) if *t == shown => Ok(()),
                Some(_) => Err(format!("its {path} is not what was signed")),
                None => Err(format!("it shows a {path} that its proof does not cover")),
            }
        };
        match v {
            Json::String(s) => same(field, s.clone())?,
            Json::Number(n) => same(field, n.to_string())?,
            Json::Array(a) => {
                for (i, e) in a.iter().enumerate() {
                    let s = e
                        .as_str()
                        .ok_or_else(|| format!("its {field} holds something that is not text"))?;
                    same(&format!("{field}[{i}]"), s.to_string())?;
                }
            }
            Json::Bool(b) => same(field, b.to_string())?,
            Json::Null => return Err(format!("its {field} is null: nothing signs that")),
            Json::Object(_) => return Err(format!("its {field} is not a value")),
        }
    }
    Ok(())
}

fn pseudonym_re() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^[A-Z][a-z]+( [a-z]+)* [A-Z]{1,3}$").unwrap_or_else(|_| unreachable!()))
}

/// The placeholder forms the exporter writes: pseudonyms of the policy's
/// pattern (`Witness A`), masks (`[phone removed]`), separators between
/// them, a coarser date for a date, a person shown (for a ref), nothing.
fn placeholder_ok(field: &str, shown: &str, labels: &HashSet<&str>) -> bool {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        let one = r"(?:(?:Victim|Witness|Lawyer|Family member|Perpetrator|Official|Person) [A-Z]{1,3}|\[(?:[a-z-]+ )*removed\])";
        Regex::new(&format!(r"^[^\p{{L}}\p{{N}}\[\]]*(?:{one}(?:[^\p{{L}}\p{{N}}\[\]]+{one})*[^\p{{L}}\p{{N}}\[\]]*)?$"))
            .unwrap_or_else(|_| unreachable!())
    });
    static DATE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let date = DATE.get_or_init(|| Regex::new(r"^[0-9]{4}(-[0-9]{2})?$").unwrap_or_else(|_| unreachable!()));
    let reference = ["witness", "perpetrators", "persons"]
        .iter()
        .any(|f| field == *f || field.strip_prefix(f).is_some_and(|r| r.starts_with('[')));
    re.is_match(shown) || (field == "date" && date.is_match(shown)) || (reference && labels.contains(shown))
}

fn count_span(field: &str, shown: &str, sum: &mut Summary) {
    let s = shown.trim();
    let reference = ["witness", "perpetrators", "persons"]
        .iter()
        .any(|f| field == *f || field.strip_prefix(f).is_some_and(|r| r.starts_with('[')));
    if reference && !pseudonym_re().is_match(s) {
        // A person's ref shown as their (public) name: nothing about them is withheld.
        sum.references += 1;
    } else if s.is_empty() {
        sum.removed += 1;
    } else if s.starts_with('[') {
        sum.masked += 1;
    } else if pseudonym_re().is_match(s) {
        *sum.pseudonymised.entry(s.to_string()).or_default() += 1;
    } else {
        sum.generalised += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::{Note, Record};
    use crate::export::proof::prove;
    use proptest::prelude::*;
    use serde_bytes::ByteArray;

    /// A signed note whose text shows `masked` words as a pseudonym; the extract's JSON.
    fn extract(words: &[String], seps: &[u8], masked: &[bool], seed: [u8; 32]) -> (Json, String) {
        let mut text = String::new();
        let mut shown = String::new();
        for (i, w) in words.iter().enumerate() {
            text.push_str(w);
            shown.push_str(if masked[i % masked.len()] { "Witness A" } else { w });
            let sep = [" ", ", ", ". ", " — "][usize::from(seps[i % seps.len()]) % 4];
            text.push_str(sep);
            shown.push_str(sep);
        }
        let record = Record::Note(Note {
            handle: None,
            text: text.clone(),
            date: None,
            tags: Vec::new(),
        });
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let author = key.verifying_key().to_bytes();
        let header = Header {
            v: 2,
            log: ByteArray::new([1; 16]),
            seq: 1,
            parents: vec![ByteArray::new([2; 32])],
            time: "2026-01-01T00:00:00Z".into(),
            author: ByteArray::new(author),
            kind: Kind::Record,
            body: ByteArray::new([0; 32]),
            leaves: Some(ByteArray::new(leaves::record_root(&record, None, &seed))),
        };
        let header_bytes = cbor::to_vec(&header);
        let id = hex(&entry::entry_id(&header_bytes))[..16].to_string();
        let item = serde_json::json!({"id": id, "text": shown});
        let proof = RecordProof {
            record: id.clone(),
            r#type: "note".into(),
            proof: PROOF_LEAVES.into(),
            header: crate::export::proof::b64(&header_bytes),
            signature: crate::export::proof::b64(&sign::sign(&key, ENTRY_SIGNATURE_LABEL, &header_bytes)),
            signer: signing_key_to_string(&author),
            leaves: prove(&leaves::leaves(&record, None), &seed, &item),
        };
        let x = serde_json::json!({"format": EXTRACT_FORMAT, "notes": [item], "proofs": [proof]});
        (x, id)
    }

    fn check(x: &Json) -> Result<Summary, String> {
        verify(&serde_json::to_vec(x).unwrap(), None)
    }

    /// Changes the character at `at` (of the chars of `s`) to another one.
    fn change(s: &str, at: usize) -> String {
        s.chars()
            .enumerate()
            .map(|(i, c)| {
                if i == at {
                    if c == 'q' {
                        'r'
                    } else {
                        'q'
                    }
                } else {
                    c
                }
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_redaction_verifies_and_any_changed_character_fails(
            words in proptest::collection::vec("[a-zA-Zа-я0-9]{1,8}", 1..25),
            seps in proptest::collection::vec(any::<u8>(), 1..5),
            masked in proptest::collection::vec(any::<bool>(), 1..8),
            seed in any::<[u8; 32]>(),
            pick in any::<usize>(),
            at in any::<usize>(),
        ) {
            let (x, id) = extract(&words, &seps, &masked, seed);
            let sum = check(&x).map_err(TestCaseError::fail)?;
            prop_assert_eq!(sum.records, 1);
            let revealed: Vec<usize> = x["proofs"][0]["leaves"].as_array().unwrap().iter().enumerate()
                .filter(|(_, l)| l.get("value").is_some() && l["field"] == "text")
                .map(|(i, _)| i)
                .collect();
            if revealed.is_empty() {
                return Ok(());
            }
            // One character of a revealed value, in the proof.
            let k = revealed[pick % revealed.len()];
            let mut y = x.clone();
            let v = y["proofs"][0]["leaves"][k]["value"].as_str().unwrap().to_string();
            let n = v.chars().count();
            y["proofs"][0]["leaves"][k]["value"] = Json::String(change(&v, at % n));
            let err = check(&y).unwrap_err();
            prop_assert!(err.contains(&id), "{}", err);
            // One character of the text shown.
            let mut y = x.clone();
            let shown = y["notes"][0]["text"].as_str().unwrap().to_string();
            y["notes"][0]["text"] = Json::String(change(&shown, at % shown.chars().count()));
            let err = check(&y).unwrap_err();
            prop_assert!(err.contains(&id), "{}", err);
        }
    }
}
