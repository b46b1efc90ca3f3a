//! Ed25519 signatures with a domain label, checked with `verify_strict`.
//!
//! Every signed message is `label || bytes`, and each kind of signed thing has
//! its own label, so a signature made for one purpose cannot be replayed as
//! another. Strict verification refuses small-order keys and non-canonical
//! encodings (the CCTV edge cases).
//!
//! Many signatures at once (a log's entries) are checked in a batch by
//! [`Verifier::verify_batch`], which accepts exactly what `verify_strict`
//! accepts (up to a chance of 2^-127 per batch that a bad signature slips
//! through, taken afresh from the OS random source at every run); see
//! docs/FORMAT.md §7.1 for the argument.

use std::collections::HashMap;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha512};

/// Signs `label || message`.
pub fn sign(key: &SigningKey, label: &[u8], message: &[u8]) -> [u8; 64] {
    let mut m = Vec::with_capacity(label.len() + message.len());
    m.extend_from_slice(label);
    m.extend_from_slice(message);
    key.sign(&m).to_bytes()
}

/// Checks a signature over `label || message` by the key `public`.
pub fn verify(public: &[u8; 32], label: &[u8], message: &[u8], sig: &[u8; 64]) -> bool {
    VerifyingKey::from_bytes(public).is_ok_and(|key| verify_with(&key, label, message, sig))
}

/// One signature to check: by `public`, over `label || message`.
#[derive(Clone, Copy)]
pub struct Signed<'a> {
    pub public: &'a [u8; 32],
    pub label: &'a [u8],
    pub message: &'a [u8],
    pub sig: &'a [u8; 64],
}

/// Fewer signatures than this are checked one by one: the batch's fixed
/// cost (128 subgroup checks, each about a signature check) would not pay.
pub const MIN_BATCH: usize = 128;

/// Most signatures in one batch: a batch that fails is checked again one by
/// one, so a bad signature costs at most this many single checks.
const MAX_BATCH: usize = 2048;

/// Rounds of the subgroup check: each misses a bad nonce point with a chance
/// of at most 1/2.
const ROUNDS: usize = 128;

/// Nonce points summed together per table in the subgroup check (a table of
/// 2^GROUP sums serves all rounds).
const GROUP: usize = 6;

/// A signer's key, decompressed once.
struct Key {
    key: VerifyingKey,
    /// Of large prime order (neither small order nor with a small-order
    /// component): signatures by it may be checked in a batch.
    batchable: bool,
}

/// Checks many signatures, decompressing each signer's key once (a tenth of
/// the cost of a check, and a log has few signers).
#[derive(Default)]
pub struct Verifier {
    keys: HashMap<[u8; 32], Option<Key>>,
}

/// A signature that passed every check of `verify_strict` but its equation,
/// waiting for the batch.
struct Pending {
    /// Where it is in the caller's list.
    at: usize,
    public: [u8; 32],
    a: EdwardsPoint,
    r: EdwardsPoint,
    s: Scalar,
    h: Scalar,
}

impl Verifier {
    fn key(&mut self, public: &[u8; 32]) -> Option<&Key> {
        self.keys
            .entry(*public)
            .or_insert_with(|| {
                VerifyingKey::from_bytes(public).ok().map(|key| {
                    let point = key.to_edwards();
                    Key {
                        batchable: !point.is_small_order() && point.is_torsion_free(),
                        key,
                    }
                })
            })
            .as_ref()
    }

    /// As [`verify`].
    pub fn verify(&mut self, public: &[u8; 32], label: &[u8], message: &[u8], sig: &[u8; 64]) -> bool {
        self.key(public)
            .is_some_and(|k| verify_with(&k.key, label, message, sig))
    }

    /// Checks each signature as [`verify`] does, in batches: the result for
    /// each, in order. A signature is true here only if `verify_strict`
    /// accepts it (but for a chance of at most 2^-127 per batch): every
    /// strict precondition is checked one by one, the nonce points are shown
    /// to lie in the prime-order subgroup, and only then is the group
    /// equation checked for all at once. A batch that fails is checked again
    /// one by one with `verify_strict`, which names the bad signatures.
    /// The work runs on up to `threads` threads (a batch is one whatever
    /// the threads: its fixed cost is paid once).
    pub fn verify_batch(&mut self, items: &[Signed], threads: usize) -> Vec<bool> {
        if items.len() < MIN_BATCH {
            return items
                .iter()
                .map(|i| self.verify(i.public, i.label, i.message, i.sig))
                .collect();
        }
        for item in items {
            self.key(item.public);
        }
        let keys = &self.keys;
        let key = |public: &[u8; 32]| keys.get(public).and_then(Option::as_ref);
        let alone =
            |item: &Signed| key(item.public).is_some_and(|k| verify_with(&k.key, item.label, item.message, item.sig));
        // Each signature: refused (false), decided alone (a key that is not
        // of prime order goes to verify_strict), or pending for the batch.
        let prepared: Vec<Result<Pending, bool>> = par_map(items, threads, |at, item| match key(item.public) {
            None => Err(false),
            Some(k) if !k.batchable => Err(verify_with(&k.key, item.label, item.message, item.sig)),
            // None: a check verify_strict makes refuses it.
            Some(k) => prepare(at, k, item).ok_or(false),
        });
        let mut results = vec![false; items.len()];
        let mut pending: Vec<Pending> = Vec::new();
        for (at, p) in prepared.into_iter().enumerate() {
            match p {
                Ok(p) => pending.push(p),
                Err(ok) => results[at] = ok,
            }
        }
        for batch in pending.chunks(MAX_BATCH) {
            let verdicts = if holds(batch, threads) {
                vec![true; batch.len()]
            } else {
                par_map(batch, threads, |_, p| alone(&items[p.at]))
            };
            for (p, ok) in batch.iter().zip(verdicts) {
                results[p.at] = ok;
            }
        }
        results
    }
}

/// `f(index, item)` for each item, on up to `threads` threads, in order.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    par_map_owned(items.iter().collect(), threads, f)
}

/// As [`par_map`], taking the items by value. The one parallel map of the
/// crate (signatures, entry checks, decryption, hashing).
pub(crate) fn par_map_owned<T: Send, R: Send>(
    mut items: Vec<T>,
    threads: usize,
    f: impl Fn(usize, T) -> R + Sync,
) -> Vec<R> {
    if threads < 2 || items.len() < 2 {
        return items.into_iter().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    let per = items.len().div_ceil(threads);
    let mut chunks = Vec::new();
    while items.len() > per {
        let rest = items.split_off(per);
        chunks.push(std::mem::replace(&mut items, rest));
    }
    chunks.push(items);
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .into_iter()
            .enumerate()
            .map(|(c, chunk)| {
                scope.spawn(move || {
                    chunk
                        .into_iter()
                        .enumerate()
                        .map(|(i, t)| f(c * per + i, t))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(results) => results,
                // A panic in a worker is a bug; carry it to this thread.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// The checks `verify_strict` makes on each signature before its equation:
/// S canonical (below the group order), R the canonical encoding of a point
/// not of small order. Then the challenge `h = SHA-512(R || A || label ||
/// message)`, as `verify_strict` hashes it (A as given, not re-encoded).
fn prepare(at: usize, key: &Key, item: &Signed) -> Option<Pending> {
    let mut r_bytes = [0u8; 32];
    r_bytes.copy_from_slice(&item.sig[..32]);
    let mut s_bytes = [0u8; 32];
    s_bytes.copy_from_slice(&item.sig[32..]);
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))?;
    if !is_canonical_y(&r_bytes) {
        return None;
    }
    let r = CompressedEdwardsY(r_bytes).decompress()?;
    if r.is_small_order() {
        return None;
    }
    let digest: [u8; 64] = Sha512::new()
        .chain_update(r_bytes)
        .chain_update(item.public)
        .chain_update(item.label)
        .chain_update(item.message)
        .finalize()
        .into();
    Some(Pending {
        at,
        public: *item.public,
        a: key.key.to_edwards(),
        r,
        s,
        h: Scalar::from_bytes_mod_order_wide(&digest),
    })
}

/// Whether the y coordinate of an encoded point is below p = 2^255 - 19 (the
/// sign bit aside). The only other non-canonical encodings, x = 0 with the
/// sign bit set, are of small-order points, refused anyway.
pub fn is_canonical_y(bytes: &[u8; 32]) -> bool {
    let top = bytes[31] & 0x7f;
    !(top == 0x7f && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[0] >= 0xed)
}

/// Whether every signature of the batch satisfies `R = [s]B - [h]A` exactly
/// (cofactorless, as `verify_strict`). With random 128-bit z_i and m_i from
/// the OS:
/// 1. each R_i lies in the prime-order subgroup: for each of 128 rounds j,
///    the sum of the R_i whose m_i has bit j set has no small-order part
///    (a nonzero small-order part in any R_i is missed by a round with a
///    chance of at most 1/2, whatever the others are);
/// 2. `sum z_i R_i + sum z_i h_i A_i - (sum z_i s_i) B = 0`.
///
/// Keys here are of prime order (see [`Key::batchable`]), so after 1 every
/// term is in the prime-order subgroup, where 2 fails for a bad signature
/// but with a chance of 2^-128.
fn holds(batch: &[Pending], threads: usize) -> bool {
    let mut random = vec![0u8; batch.len() * 32];
    if getrandom::getrandom(&mut random).is_err() {
        // Checked one by one instead.
        return false;
    }
    let word = |i: usize| {
        let mut b = [0u8; 16];
        b.copy_from_slice(&random[i * 16..i * 16 + 16]);
        u128::from_le_bytes(b)
    };
    let coefficients: Vec<(Scalar, u128)> = (0..batch.len())
        .map(|i| (Scalar::from(word(2 * i)), word(2 * i + 1)))
        .collect();
    // Each thread takes a part: its terms of the equation, and its part of
    // each round's sum; the parts are added up here.
    let per = batch.len().div_ceil(threads.max(1));
    let parts: Vec<Part> = batch.chunks(per).zip(coefficients.chunks(per)).collect();
    let partial = par_map(&parts, threads, |_, (part, coefficients)| {
        (equation(part, coefficients), round_sums(part, coefficients))
    });
    let mut total = EdwardsPoint::default();
    let mut sums = vec![EdwardsPoint::default(); ROUNDS];
    for (e, s) in partial {
        total += e;
        for (sum, x) in sums.iter_mut().zip(s) {
            *sum += x;
        }
    }
    total.is_identity() && par_map(&sums, threads, |_, q| torsion_free(q)).into_iter().all(|ok| ok)
}

/// A part of a batch and its random coefficients (z_i, m_i).
type Part<'a> = (&'a [Pending], &'a [(Scalar, u128)]);

/// `sum z_i R_i + sum_A (sum z_i h_i) A - (sum z_i s_i) B` over a part of a
/// batch: one multiscalar multiplication, the terms of one key gathered.
fn equation(part: &[Pending], coefficients: &[(Scalar, u128)]) -> EdwardsPoint {
    let mut b_coefficient = Scalar::ZERO;
    let mut by_key: HashMap<[u8; 32], (EdwardsPoint, Scalar)> = HashMap::new();
    for (p, (z, _)) in part.iter().zip(coefficients) {
        b_coefficient += z * p.s;
        by_key.entry(p.public).or_insert((p.a, Scalar::ZERO)).1 += z * p.h;
    }
    let scalars = coefficients
        .iter()
        .map(|(z, _)| *z)
        .chain(std::iter::once(-b_coefficient))
        .chain(by_key.values().map(|(_, c)| *c));
    let points = part
        .iter()
        .map(|p| p.r)
        .chain(std::iter::once(ED25519_BASEPOINT_POINT))
        .chain(by_key.values().map(|(a, _)| *a));
    EdwardsPoint::vartime_multiscalar_mul(scalars, points)
}

/// For each of the [`ROUNDS`] rounds j, the sum of the nonce points whose
/// mask has bit j set. The points are taken [`GROUP`] at a time, with a
/// table of all their subset sums, so that a round costs one addition per
/// group.
fn round_sums(part: &[Pending], coefficients: &[(Scalar, u128)]) -> Vec<EdwardsPoint> {
    let mut sums = vec![EdwardsPoint::default(); ROUNDS];
    let mut table = vec![EdwardsPoint::default(); 1 << GROUP];
    for (group, group_coefficients) in part.chunks(GROUP).zip(coefficients.chunks(GROUP)) {
        let size = 1usize << group.len();
        for m in 1..size {
            let low = m.trailing_zeros() as usize;
            table[m] = table[m & (m - 1)] + group[low].r;
        }
        for (j, sum) in sums.iter_mut().enumerate() {
            let index = group_coefficients
                .iter()
                .enumerate()
                .fold(0usize, |acc, (b, (_, mask))| acc | ((((mask >> j) & 1) as usize) << b));
            if index != 0 {
                *sum += table[index];
            }
        }
    }
    sums
}

/// Whether `[l]Q` is the identity (l the prime order), as
/// `EdwardsPoint::is_torsion_free`, in variable time (nothing here is
/// secret): `[l - 1]Q + Q`, l - 1 being the integer of the scalar -1.
fn torsion_free(q: &EdwardsPoint) -> bool {
    (EdwardsPoint::vartime_double_scalar_mul_basepoint(&-Scalar::ONE, q, &Scalar::ZERO) + q).is_identity()
}

fn verify_with(key: &VerifyingKey, label: &[u8], message: &[u8], sig: &[u8; 64]) -> bool {
    let mut m = Vec::with_capacity(label.len() + message.len());
    m.extend_from_slice(label);
    m.extend_from_slice(message);
    key.verify_strict(&m, &Signature::from_bytes(sig)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::EIGHT_TORSION;

    #[test]
    fn labels_separate_domains() {
        let k = SigningKey::from_bytes(&[1; 32]);
        let pk = k.verifying_key().to_bytes();
        let s = sign(&k, b"a\n", b"msg");
        assert!(verify(&pk, b"a\n", b"msg", &s));
        assert!(!verify(&pk, b"b\n", b"msg", &s));
        assert!(!verify(&pk, b"a\n", b"msh", &s));
    }

    const LABEL: &[u8] = b"dossier/test\n";

    /// A signature by `key` over `LABEL || message` whose nonce point has the
    /// small-order part `torsion`: R = [r]B + T, s = r + h a. Cofactored
    /// verification accepts it (8(R - sB - hA) = 8T = 0); `verify_strict`
    /// does not (R - sB - hA = T).
    fn with_torsion(key: &SigningKey, message: &[u8], torsion: EdwardsPoint, nonce: u64) -> [u8; 64] {
        let a = key.to_scalar();
        let r = Scalar::from(nonce) + Scalar::from(0x1234_5678_9abc_def0_u64) * Scalar::from(nonce + 7);
        let big_r = (ED25519_BASEPOINT_POINT * r + torsion).compress();
        let public = key.verifying_key().to_bytes();
        let digest: [u8; 64] = Sha512::new()
            .chain_update(big_r.as_bytes())
            .chain_update(public)
            .chain_update(LABEL)
            .chain_update(message)
            .finalize()
            .into();
        let h = Scalar::from_bytes_mod_order_wide(&digest);
        let s = r + h * a;
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(big_r.as_bytes());
        sig[32..].copy_from_slice(s.as_bytes());
        // Cofactored verification accepts it.
        let point = CompressedEdwardsY(*big_r.as_bytes()).decompress().unwrap_or_default();
        let residue = point - ED25519_BASEPOINT_POINT * s + key.verifying_key().to_edwards() * h;
        assert!(!residue.is_identity());
        assert!(residue.mul_by_cofactor().is_identity());
        sig
    }

    /// `n` good signatures by `key`, on distinct messages.
    fn good(key: &SigningKey, n: usize) -> Vec<(Vec<u8>, [u8; 64])> {
        (0..n)
            .map(|i| {
                let m = format!("entry {i}").into_bytes();
                let s = sign(key, LABEL, &m);
                (m, s)
            })
            .collect()
    }

    fn check(public: &[u8; 32], list: &[(Vec<u8>, [u8; 64])]) -> Vec<bool> {
        let items: Vec<Signed> = list
            .iter()
            .map(|(m, s)| Signed {
                public,
                label: LABEL,
                message: m,
                sig: s,
            })
            .collect();
        Verifier::default().verify_batch(&items, 2)
    }

    #[test]
    fn torsion_points_have_the_orders_used() {
        let times = |p: EdwardsPoint, n: u64| p * Scalar::from(n);
        assert!(!times(EIGHT_TORSION[1], 4).is_identity());
        assert!(times(EIGHT_TORSION[1], 8).is_identity());
        assert!(!EIGHT_TORSION[4].is_identity());
        assert!(times(EIGHT_TORSION[4], 2).is_identity());
    }

    #[test]
    fn the_subgroup_check_agrees_with_the_library() {
        let b = ED25519_BASEPOINT_POINT * Scalar::from(12345u64);
        for t in EIGHT_TORSION {
            for p in [t, b + t] {
                assert_eq!(torsion_free(&p), p.is_torsion_free());
            }
        }
        assert!(torsion_free(&b));
        assert!(!torsion_free(&(b + EIGHT_TORSION[4])));
    }

    #[test]
    fn a_batch_of_good_signatures_passes() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let public = key.verifying_key().to_bytes();
        let list = good(&key, 300);
        assert!(check(&public, &list).iter().all(|&ok| ok));
    }

    /// The signature cofactored (batch) verification accepts but strict
    /// verification refuses, hidden among good ones, is refused and named;
    /// so are two whose small-order parts cancel in a plain sum, and an
    /// order-2 one (which a random coefficient misses half the time).
    #[test]
    fn what_strict_refuses_is_refused_inside_a_batch() {
        let key = SigningKey::from_bytes(&[5; 32]);
        let public = key.verifying_key().to_bytes();
        for round in 0..8u64 {
            let mut list = good(&key, 400);
            let bad = [17usize, 150, 151, 399];
            let torsions = [EIGHT_TORSION[1], EIGHT_TORSION[3], EIGHT_TORSION[5], EIGHT_TORSION[4]];
            for (k, (&at, t)) in bad.iter().zip(torsions).enumerate() {
                let m = format!("bad {round} {k}").into_bytes();
                let s = with_torsion(&key, &m, t, round * 10 + k as u64 + 1);
                assert!(!verify(&public, LABEL, &m, &s), "strict accepts it");
                list[at] = (m, s);
            }
            let results = check(&public, &list);
            for (i, ok) in results.iter().enumerate() {
                assert_eq!(*ok, !bad.contains(&i), "round {round}, signature {i}");
            }
        }
    }

    #[test]
    fn forged_and_malleable_signatures_are_named_inside_a_batch() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let public = key.verifying_key().to_bytes();
        let mut list = good(&key, 200);
        // Another message under a signature.
        list[3].0 = b"altered".to_vec();
        // S + l: the same point equation, refused as non-canonical.
        let l_minus_one = (-Scalar::ONE).to_bytes();
        let mut carry = 1u16;
        let mut sig = list[50].1;
        for i in 0..32 {
            let sum = u16::from(sig[32 + i]) + u16::from(l_minus_one[i]) + carry;
            sig[32 + i] = sum as u8;
            carry = sum >> 8;
        }
        assert_eq!(carry, 0);
        list[50].1 = sig;
        // A small-order nonce point (the identity).
        let mut small = list[60].1;
        small[..32].copy_from_slice(&EdwardsPoint::default().compress().to_bytes());
        list[60].1 = small;
        let results = check(&public, &list);
        for (i, ok) in results.iter().enumerate() {
            assert_eq!(*ok, ![3, 50, 60].contains(&i), "signature {i}");
        }
    }

    #[test]
    fn canonical_y_matches_the_point_encoding() {
        let mut p = [0xffu8; 32];
        p[31] = 0x7f;
        let mut decoded_non_canonical = false;
        for low in 0xe0..=0xffu8 {
            p[0] = low;
            // Where it decodes, it re-encodes as itself exactly when canonical.
            if let Some(point) = CompressedEdwardsY(p).decompress() {
                assert_eq!(point.compress().to_bytes() == p, is_canonical_y(&p), "{low:#x}");
                decoded_non_canonical |= !is_canonical_y(&p);
            }
            assert_eq!(is_canonical_y(&p), low < 0xed, "{low:#x}");
        }
        // The check matters: some non-canonical encodings decode.
        assert!(decoded_non_canonical);
        assert!(is_canonical_y(&ED25519_BASEPOINT_POINT.compress().to_bytes()));
    }
}
