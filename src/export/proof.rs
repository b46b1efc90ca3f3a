//! Proofs in a JSON extract: which words the documenter signed, and where
//! something was withheld.
//!
//! For each record that goes out, the version shown is taken from the log
//! with its signed header, its signature and — for records written with leaf
//! commitments (docs/EXTRACT.md) — its seed. Each leaf of the record is
//! *revealed* (value and salt) when the extract shows exactly that value in
//! that place, and *withheld* (its digest only) otherwise; where the extract
//! shows something else instead (a pseudonym, a mask, a coarser date), that
//! text goes with the withheld leaves as `shown`, marked as not signed. Free
//! text is matched word by word against what the redactor made of it, with a
//! diff ([`diff`]): whatever the redactor did, a word is revealed only where
//! the extract already shows it.
//!
//! Records written before leaf commitments existed get a record-level proof:
//! the signed header alone (that this signer wrote a record with this id at
//! this time), which says nothing about the content shown.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use zeroize::Zeroize;

use super::fold::is_bidi_control;
use super::model::Extract;
use super::redact::is_mark;
use crate::domain::case::{EntryId, RecordState};
use crate::format::entry::{AmendBody, Header, Kind};
use crate::format::leaves::{self, CommittedRecord, Leaf, AMENDS, SPLIT_FIELDS};
use crate::format::{cbor, hex};

/// `proof` of a record with leaf commitments.
pub const PROOF_LEAVES: &str = "leaves";
/// `proof` of a record written before leaf commitments: the signed header only.
pub const PROOF_RECORD: &str = "record";

/// The proof of one record of the extract.
#[derive(Clone, Debug, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct RecordProof {
    /// The record's id as the extract shows it (16 hex digits).
    pub record: String,
    /// The record's type, as the extract files it.
    #[serde(rename = "type")]
    pub r#type: String,
    /// [`PROOF_LEAVES`] or [`PROOF_RECORD`].
    pub proof: String,
    /// Hex of the exact header bytes of the version shown (docs/FORMAT.md §6.2).
    pub header: String,
    /// Hex of the Ed25519 signature over the entry label and the header.
    pub signature: String,
    /// The signer's public key (`dossiersig1…`).
    pub signer: String,
    /// Every leaf, in order (empty for a record-level proof).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaves: Vec<LeafProof>,
}

/// One leaf of a proof: revealed (`value`, `salt`) or withheld (`digest`,
/// with `shown` placeholder text on the first of a run). Never `shown`
/// without `digest`: `verify-extract` refuses it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct LeafProof {
    /// The field the leaf is in; absent for a withheld leaf of a field the
    /// extract does not show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Hex of the leaf's 16-byte salt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// Hex of the leaf hash of a withheld leaf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// What the extract shows in place of the withheld leaves that follow
    /// (a pseudonym, a mask): not signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown: Option<String>,
    /// Always `false` where present: `shown` is the exporter's, not the signer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<bool>,
}

/// Bytes in a proof: base64url without padding (RFC 4648 §5). Not hex: the
/// leak check searches every byte for phone numbers, and hex has runs of
/// digits long enough to hold one by chance in a large extract.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes [`b64`] text of at most `max` bytes.
pub fn unb64(s: &str, max: usize) -> Option<Vec<u8>> {
    use base64::Engine;
    if s.len() > max.div_ceil(3) * 4 {
        return None;
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).ok()
}

/// Decodes [`b64`] text of exactly `N` bytes.
pub fn unb64_array<const N: usize>(s: &str) -> Option<[u8; N]> {
    unb64(s, N)?.try_into().ok()
}

/// A value as the extract renders it (see `model::value`).
pub fn clean(s: &str) -> String {
    s.chars().filter(|&c| !is_mark(c) && !is_bidi_control(c)).collect()
}

/// One signed version of a record, as the case's log holds it.
pub struct Signed<'a> {
    pub header: &'a Header,
    /// The exact header bytes the signature covers.
    pub header_bytes: &'a [u8],
    pub signature: &'a [u8; 64],
    /// The entry's body (plaintext CBOR).
    pub body: &'a [u8],
    /// The author's signing key as text (`dossiersig1…`).
    pub signer: String,
}

/// The proofs of every record the extract shows, in the extract's order:
/// `records` are the case's records, and `signed` gives the signed entry of
/// a version by its entry id.
pub fn build<'a>(
    records: &[RecordState],
    signed: impl Fn(&EntryId) -> Option<Signed<'a>>,
    x: &Extract,
) -> Vec<RecordProof> {
    let mut items: Vec<(&'static str, Json)> = Vec::new();
    let mut push = |ty: &'static str, v: Result<Json, serde_json::Error>| {
        if let Ok(v) = v {
            items.push((ty, v));
        }
    };
    for p in &x.persons {
        push("person", serde_json::to_value(p));
    }
    for e in &x.events {
        push("event", serde_json::to_value(e));
    }
    for t in &x.testimony {
        push("testimony", serde_json::to_value(t));
    }
    for n in &x.notes {
        push("note", serde_json::to_value(n));
    }
    for d in &x.documents {
        push("document", serde_json::to_value(d));
    }
    let mut out = Vec::new();
    for (ty, mut item) in items {
        let Some(id) = item.get("id").and_then(Json::as_str).map(str::to_string) else {
            continue;
        };
        let Some(state) = records.iter().find(|r| hex(&r.id).starts_with(&id)) else {
            continue;
        };
        let Some(entry) = signed(&state.latest().entry) else {
            continue;
        };
        let mut proof = RecordProof {
            record: id,
            r#type: ty.to_string(),
            proof: PROOF_RECORD.into(),
            header: b64(entry.header_bytes),
            signature: b64(entry.signature),
            signer: entry.signer,
            leaves: Vec::new(),
        };
        if entry.header.leaves.is_some() {
            if let Some(leaves) = committed_leaves(entry.header.kind, entry.body) {
                proof.proof = PROOF_LEAVES.into();
                proof.leaves = prove(&leaves.0, &leaves.1, &item);
            }
        }
        item.zeroize_strings();
        out.push(proof);
    }
    out
}

/// The leaves and the seed of a version-2 `record` or `amend` body.
fn committed_leaves(kind: Kind, body: &[u8]) -> Option<(Vec<Leaf>, zeroize::Zeroizing<[u8; 32]>)> {
    match kind {
        Kind::Record => {
            let b = cbor::from_slice::<CommittedRecord>(body).ok()?;
            Some((
                leaves::leaves(&b.record, None),
                zeroize::Zeroizing::new(b.seed.into_array()),
            ))
        }
        Kind::Amend => {
            let b = cbor::from_slice::<AmendBody>(body).ok()?;
            let seed = b.seed.as_ref()?.into_array();
            Some((
                leaves::leaves(&b.record, Some(&b.target.into_array())),
                zeroize::Zeroizing::new(seed),
            ))
        }
        _ => None,
    }
}

/// What the extract item shows at a leaf's path (`text`, `tags[1]`), cleaned
/// as rendered. A person's `name` is shown as their `label`.
fn shown_at(item: &Json, path: &str, ty_is_person: bool) -> Option<String> {
    let (key, index) = match path.split_once('[') {
        Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (path, None),
    };
    let key = if ty_is_person && key == "name" { "label" } else { key };
    let mut v = item.get(key)?;
    if let Some(i) = index {
        v = v.get(i)?;
    }
    match v {
        Json::String(s) => Some(clean(s)),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn revealed(l: &Leaf, i: usize, seed: &[u8; 32]) -> LeafProof {
    LeafProof {
        field: Some(l.path.clone()),
        value: Some(l.value.clone()),
        salt: Some(b64(&leaves::salt(seed, i))),
        ..Default::default()
    }
}

fn withheld(l: &Leaf, i: usize, seed: &[u8; 32], field: bool) -> LeafProof {
    LeafProof {
        field: field.then(|| l.path.clone()),
        digest: Some(b64(&leaves::leaf_hash(&leaves::salt(seed, i), &l.path, &l.value))),
        ..Default::default()
    }
}

fn placeholder(p: &mut LeafProof, shown: String) {
    p.shown = Some(shown);
    p.signed = Some(false);
}

/// Reveals or withholds each leaf against what the item shows.
pub(crate) fn prove(all: &[Leaf], seed: &[u8; 32], item: &Json) -> Vec<LeafProof> {
    let person = item.get("label").is_some();
    let mut out = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let path = &all[i].path;
        let end = i + all[i..].iter().take_while(|l| &l.path == path).count();
        let shown = shown_at(item, path, person);
        if path == "type" || path == AMENDS {
            out.extend((i..end).map(|k| revealed(&all[k], k, seed)));
        } else if SPLIT_FIELDS.contains(&path.as_str()) {
            match shown {
                None => out.extend((i..end).map(|k| withheld(&all[k], k, seed, false))),
                Some(s) => prove_text(&all[i..end], i, seed, &s, &mut out),
            }
        } else {
            for (k, l) in all.iter().enumerate().take(end).skip(i) {
                match &shown {
                    Some(s) if *s == l.value && end - i == 1 => out.push(revealed(l, k, seed)),
                    Some(s) if k == i => {
                        let mut p = withheld(l, k, seed, true);
                        placeholder(&mut p, s.clone());
                        out.push(p);
                    }
                    Some(_) => out.push(withheld(l, k, seed, true)),
                    None => out.push(withheld(l, k, seed, false)),
                }
            }
        }
        i = end;
    }
    out
}

/// Free text: the signed spans against the spans of the text shown.
fn prove_text(spans: &[Leaf], base: usize, seed: &[u8; 32], shown: &str, out: &mut Vec<LeafProof>) {
    let a: Vec<&str> = spans.iter().map(|l| l.value.as_str()).collect();
    let shown_spans = placeholder_spans(shown);
    let b: Vec<&str> = shown_spans.iter().map(String::as_str).collect();
    let field = spans[0].path.clone();
    let (mut i, mut j) = (0, 0);
    let mut inserted = String::new();
    let mut run_start: Option<usize> = None;
    let flush = |out: &mut Vec<LeafProof>, inserted: &mut String, run_start: &mut Option<usize>| match run_start.take()
    {
        Some(r) => placeholder(&mut out[r], std::mem::take(inserted)),
        None if !inserted.is_empty() => {
            let mut p = LeafProof {
                field: Some(field.clone()),
                ..Default::default()
            };
            placeholder(&mut p, std::mem::take(inserted));
            out.push(p);
        }
        None => {}
    };
    for op in no_pure_insertions(merge_separators(diff(&a, &b), &a)) {
        match op {
            Op::Same => {
                flush(out, &mut inserted, &mut run_start);
                out.push(revealed(&spans[i], base + i, seed));
                i += 1;
                j += 1;
            }
            Op::Removed => {
                if run_start.is_none() {
                    run_start = Some(out.len());
                }
                out.push(withheld(&spans[i], base + i, seed, true));
                i += 1;
            }
            Op::Added => {
                inserted.push_str(b[j]);
                j += 1;
            }
        }
    }
    flush(out, &mut inserted, &mut run_start);
}

/// The spans of the shown text, with each pseudonym (`Witness A`, `Family
/// member AB`) and each mask (`[phone removed]`) kept whole: no word of the
/// recorded text can then be matched with a piece of one (a recorded "A"
/// with the letter of `Witness A`), so every placeholder the proof shows is
/// a whole pseudonym or mask, the only forms `verify-extract` accepts.
fn placeholder_spans(shown: &str) -> Vec<String> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"\b(?:Victim|Witness|Lawyer|Family member|Perpetrator|Official|Person) [A-Z]{1,3}\b|\[(?:[a-z-]+ )*removed\]",
        )
        .unwrap_or_else(|_| unreachable!())
    });
    let mut out = Vec::new();
    let mut at = 0;
    for m in re.find_iter(shown) {
        out.extend(leaves::spans(&shown[at..m.start()]).into_iter().map(str::to_string));
        out.push(m.as_str().to_string());
        at = m.end();
    }
    out.extend(leaves::spans(&shown[at..]).into_iter().map(str::to_string));
    out
}

/// Joins changes split only by separators ("Ivanov" → "Witness A" must not
/// keep the space inside the pseudonym as a revealed word): a run of
/// unchanged spans with no word in it, between two changes, becomes changed.
fn merge_separators(ops: Vec<Op>, a: &[&str]) -> Vec<Op> {
    // The span of `a` at each op (for `Added`, the next one).
    let mut at = Vec::with_capacity(ops.len());
    let mut i = 0;
    for op in &ops {
        at.push(i);
        if *op != Op::Added {
            i += 1;
        }
    }
    let mut out = Vec::with_capacity(ops.len());
    let mut k = 0;
    while k < ops.len() {
        if ops[k] != Op::Same {
            out.push(ops[k]);
            k += 1;
            continue;
        }
        let end = k + ops[k..].iter().take_while(|o| **o == Op::Same).count();
        let separators = (k..end).all(|t| !leaves::is_word_span(a[at[t]]));
        if separators && k > 0 && end < ops.len() {
            out.extend(std::iter::repeat_n(Op::Removed, end - k));
            out.extend(std::iter::repeat_n(Op::Added, end - k));
        } else {
            out.extend(std::iter::repeat_n(Op::Same, end - k));
        }
        k = end;
    }
    out
}

/// Makes every change withhold at least one signed span: text added where
/// nothing was removed would be shown with no leaf to stand for it, which
/// `verify-extract` refuses. The unchanged span after such an insertion (or,
/// at the end, before it) is withheld and shown again as part of the change.
fn no_pure_insertions(mut ops: Vec<Op>) -> Vec<Op> {
    let mut k = 0;
    while k < ops.len() {
        if ops[k] == Op::Same {
            k += 1;
            continue;
        }
        let end = k + ops[k..].iter().take_while(|o| **o != Op::Same).count();
        if !ops[k..end].contains(&Op::Removed) {
            // Same = (Removed, Added): both consume one span of each side.
            let at = if end < ops.len() {
                end
            } else if k > 0 {
                k - 1
            } else {
                // Nothing signed at all to stand for it (no spans): cannot occur,
                // prove_text is only called with spans.
                return ops;
            };
            ops.splice(at..=at, [Op::Removed, Op::Added]);
            // Rescan from the start of this change (it may have merged).
            k = k.saturating_sub(1);
            continue;
        }
        k = end;
    }
    ops
}

/// One step of an edit script from `a` to `b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// The next item of both.
    Same,
    /// The next item of `a` is not in `b`.
    Removed,
    /// The next item of `b` is not in `a`.
    Added,
}

/// Largest edit distance searched for; beyond it, the middle of the texts is
/// taken as wholly replaced (nothing in it is revealed).
const MAX_EDITS: usize = 2000;

/// A shortest edit script (Myers 1986), after the common prefix and suffix.
pub fn diff(a: &[&str], b: &[&str]) -> Vec<Op> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    let mut ops = vec![Op::Same; pre];
    let mid = if am.len() + bm.len() <= MAX_MYERS {
        myers(am, bm)
    } else {
        None
    };
    ops.extend(mid.unwrap_or_else(|| resync(am, bm)));
    ops.extend(std::iter::repeat_n(Op::Same, suf));
    ops
}

/// Longest texts (in spans, both together) given to [`myers`]; longer ones
/// go to [`resync`], linear in their length.
const MAX_MYERS: usize = 4000;
/// Spans that must agree for [`resync`] to take the texts as back in step.
const ANCHOR: usize = 3;
/// How far (in spans, each side) [`resync`] looks past a change.
const WINDOW: usize = 64;

/// An edit script for long texts that differ by local changes (a name
/// replaced here and there): equal spans are kept; after a difference, the
/// nearest point where [`ANCHOR`] spans agree again, within [`WINDOW`] spans
/// on each side, ends the change. Whatever it finds is a valid script; where
/// it finds no such point, the rest is taken as changed (withheld).
fn resync(a: &[&str], b: &[&str]) -> Vec<Op> {
    let mut ops = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    'walk: while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            ops.push(Op::Same);
            i += 1;
            j += 1;
            continue;
        }
        for s in 1..=2 * WINDOW {
            for di in s.saturating_sub(WINDOW)..=s.min(WINDOW) {
                let (x, y) = (i + di, j + s - di);
                if x > a.len() || y > b.len() {
                    continue;
                }
                let k = ANCHOR.min(a.len() - x).min(b.len() - y);
                let at_end = x + k == a.len() && y + k == b.len();
                if (k == ANCHOR || at_end) && a[x..x + k] == b[y..y + k] {
                    ops.extend(std::iter::repeat_n(Op::Removed, di));
                    ops.extend(std::iter::repeat_n(Op::Added, s - di));
                    i = x;
                    j = y;
                    continue 'walk;
                }
            }
        }
        break;
    }
    ops.extend(std::iter::repeat_n(Op::Removed, a.len() - i));
    ops.extend(std::iter::repeat_n(Op::Added, b.len() - j));
    ops
}

fn myers(a: &[&str], b: &[&str]) -> Option<Vec<Op>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    if max == 0 {
        return Some(Vec::new());
    }
    // v[k + off] = furthest x on diagonal k; one snapshot per d for the way back.
    let off = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    let at = |v: &[isize], k: isize| v[(k + off) as usize];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    for d in 0..=(max.min(MAX_EDITS) as isize) {
        trace.push(v[(off - d - 1) as usize..=(off + d + 1) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && at(&v, k - 1) < at(&v, k + 1)) {
                at(&v, k + 1)
            } else {
                at(&v, k - 1) + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[(k + off) as usize] = x;
            if x >= n && y >= m {
                return Some(back(&trace, n, m));
            }
            k += 2;
        }
    }
    None
}

fn back(trace: &[Vec<isize>], n: isize, m: isize) -> Vec<Op> {
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for (d, snap) in trace.iter().enumerate().rev() {
        let d = d as isize;
        let at = |k: isize| snap[(k + d + 1) as usize];
        if d == 0 {
            while x > 0 && y > 0 {
                ops.push(Op::Same);
                x -= 1;
                y -= 1;
            }
            break;
        }
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = at(prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            ops.push(Op::Same);
            x -= 1;
            y -= 1;
        }
        ops.push(if x == prev_x { Op::Added } else { Op::Removed });
        x = prev_x;
        y = prev_y;
    }
    ops.reverse();
    ops
}

trait ZeroizeStrings {
    fn zeroize_strings(&mut self);
}

impl ZeroizeStrings for Json {
    fn zeroize_strings(&mut self) {
        match self {
            Json::String(s) => s.zeroize(),
            Json::Array(a) => a.iter_mut().for_each(Json::zeroize_strings),
            Json::Object(o) => o.values_mut().for_each(Json::zeroize_strings),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn apply(a: &[&str], b: &[&str], ops: &[Op]) -> (Vec<String>, Vec<String>) {
        let (mut i, mut j) = (0, 0);
        let (mut ra, mut rb) = (Vec::new(), Vec::new());
        for op in ops {
            match op {
                Op::Same => {
                    assert_eq!(a[i], b[j]);
                    ra.push(a[i].to_string());
                    rb.push(b[j].to_string());
                    i += 1;
                    j += 1;
                }
                Op::Removed => {
                    ra.push(a[i].to_string());
                    i += 1;
                }
                Op::Added => {
                    rb.push(b[j].to_string());
                    j += 1;
                }
            }
        }
        (ra, rb)
    }

    #[test]
    fn long_texts_keep_every_word_but_the_replaced_ones() {
        let mut a = String::new();
        let mut b = String::new();
        for i in 0..3000 {
            a.push_str(&format!("word{} Ivanov ", i % 7));
            b.push_str(&format!("word{} Witness A ", i % 7));
        }
        let (sa, sb) = (leaves::spans(&a), leaves::spans(&b));
        let ops = merge_separators(diff(&sa, &sb), &sa);
        assert_eq!(ops.iter().filter(|o| **o == Op::Removed).count(), 3000);
    }

    #[test]
    fn a_replaced_name_is_one_change() {
        let a = leaves::spans("Beaten by Ivanov, then by Petrov.");
        let b = leaves::spans("Beaten by Witness A, then by Petrov.");
        let ops = diff(&a, &b);
        assert_eq!(ops.iter().filter(|o| **o == Op::Removed).count(), 1);
        assert_eq!(ops.iter().filter(|o| **o == Op::Same).count(), a.len() - 1);
    }

    #[test]
    fn text_added_where_nothing_was_removed_still_withholds_a_span() {
        for (a, b) in [
            ("was held", "was NOT held"),
            ("held", "held here"),
            ("held", "here held"),
        ] {
            let (sa, sb) = (leaves::spans(a), leaves::spans(b));
            let ops = no_pure_insertions(merge_separators(diff(&sa, &sb), &sa));
            let (ra, rb) = apply(&sa, &sb, &ops);
            assert_eq!((ra.concat(), rb.concat()), (a.to_string(), b.to_string()));
            assert!(every_change_removes(&ops), "{a:?} → {b:?}: {ops:?}");
        }
    }

    /// Whether each maximal run of changes withholds a span.
    fn every_change_removes(ops: &[Op]) -> bool {
        ops.split(|o| *o == Op::Same)
            .all(|h| h.is_empty() || h.contains(&Op::Removed))
    }

    proptest! {
        #[test]
        fn the_edit_script_rebuilds_both(a in proptest::collection::vec("[abc ]", 0..40),
                                         b in proptest::collection::vec("[abc ]", 0..40)) {
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let b: Vec<&str> = b.iter().map(String::as_str).collect();
            for ops in [diff(&a, &b), resync(&a, &b), no_pure_insertions(diff(&a, &b))] {
                let (ra, rb) = apply(&a, &b, &ops);
                prop_assert_eq!(ra, a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
                prop_assert_eq!(rb, b.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            }
            if !a.is_empty() {
                prop_assert!(every_change_removes(&no_pure_insertions(diff(&a, &b))));
            }
        }
    }
}
