//! The age hybrid post-quantum recipient type `mlkem768x25519`.
//!
//! ML-KEM-768 and X25519 combined as X-Wing, used as the KEM of HPKE base
//! mode (HKDF-SHA256, ChaCha20-Poly1305, info
//! `age-encryption.org/mlkem768x25519`), exactly as the age specification
//! defines it and Go age 1.3 and typage write it. Recipients are `age1pq1…`
//! (the 1216-byte X-Wing public key), identities `AGE-SECRET-KEY-PQ-1…`
//! (the 32-byte X-Wing seed).
//!
//! The age crate 0.12 ships the same construction for its `mlkem768p256tag`
//! type, on the same crates (`hpke` 0.12, `ml-kem` 0.2, `sha3` 0.10) and
//! with the same seam: a `hpke::Kem` implementation handed to
//! `age_core::primitives::hpke_seal`/`hpke_open`. This module exposes
//! [`Recipient`] and [`Identity`] with the shape of `age::x25519`'s (text
//! forms through `FromStr`, `to_public`, age's `Recipient`/`Identity`
//! traits), so that the day an age release carries the type, these two are
//! replaced by it and the rest of dossier does not change.

use std::collections::HashSet;
use std::str::FromStr;

use age::secrecy::{ExposeSecret, SecretString};
use age_core::format::{FileKey, Stanza, FILE_KEY_BYTES};
use base64::Engine;
use bech32::primitives::checksum::Checksum;
use curve25519_dalek::montgomery::MontgomeryPoint;
use hpke::generic_array::typenum::{self, Unsigned, U32};
use hpke::kem::SharedSecret;
use hpke::{Deserializable, HpkeError, Serializable};
use ml_kem::kem::{Decapsulate, Encapsulate};
use ml_kem::{Ciphertext, EncodedSizeUser, KemCore, MlKem768};
use sha3::digest::{ExtendableOutput, FixedOutput, Update, XofReader};
use sha3::{Sha3_256, Shake256};
use zeroize::{Zeroize, Zeroizing};

/// The stanza type.
pub const STANZA_TAG: &str = "mlkem768x25519";
/// HPKE's `info` for the stanza.
const INFO: &[u8] = b"age-encryption.org/mlkem768x25519";
/// The recipient's Bech32 human-readable part.
pub const RECIPIENT_HRP: &str = "age1pq";
/// The identity's Bech32 human-readable part (written in upper case).
pub const IDENTITY_HRP: &str = "age-secret-key-pq-";
/// X-Wing's combiner label, the six bytes `\./` `/^\`.
const XWING_LABEL: &[u8] = b"\\.//^\\";
/// The encapsulated key: ML-KEM-768 ciphertext (1088) and X25519 share (32).
pub const ENC_LEN: usize = 1120;
/// The public key: ML-KEM-768 encapsulation key (1184) and X25519 point (32).
pub const RECIPIENT_LEN: usize = 1216;

type Nek = <<MlKem768 as KemCore>::EncapsulationKey as EncodedSizeUser>::EncodedSize;
type Nct = <MlKem768 as KemCore>::CiphertextSize;
type DecapKey = <MlKem768 as KemCore>::DecapsulationKey;
type EncapKey = <MlKem768 as KemCore>::EncapsulationKey;

/// Bech32 (BIP 173's checksum) without BIP 173's 90-character limit: a
/// hybrid recipient is 1,900-odd characters, and age writes it with the
/// same checksum, unbounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Bech32Long {}

impl Checksum for Bech32Long {
    type MidstateRepr = u32;
    const CODE_LENGTH: usize = usize::MAX;
    const CHECKSUM_LENGTH: usize = 6;
    const GENERATOR_SH: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    const TARGET_RESIDUE: u32 = 1;
}

fn bech32_encode(hrp: &str, data: &[u8]) -> String {
    let hrp = bech32::Hrp::parse(hrp).expect("valid hrp");
    bech32::encode::<Bech32Long>(hrp, data).expect("encoding to a String cannot fail")
}

/// Decodes Bech32 of `hrp`, in one case only, as age requires.
fn bech32_decode(s: &str, hrp: &str) -> Option<Vec<u8>> {
    let lower = s.to_ascii_lowercase();
    if s != lower && s != s.to_ascii_uppercase() {
        return None;
    }
    let parsed = bech32::primitives::decode::CheckedHrpstring::new::<Bech32Long>(&lower).ok()?;
    if parsed.hrp().as_str() != hrp {
        return None;
    }
    Some(parsed.byte_iter().collect())
}

/// X-Wing's private key, expanded from its 32-byte seed.
#[derive(Clone)]
pub(crate) struct PrivateKey {
    seed: Zeroizing<[u8; 32]>,
    dk_m: DecapKey,
    sk_x: Zeroizing<[u8; 32]>,
    pk: PublicKey,
}

impl PartialEq for PrivateKey {
    fn eq(&self, other: &Self) -> bool {
        *self.seed == *other.seed
    }
}
impl Eq for PrivateKey {}

impl PrivateKey {
    fn from_seed(seed: [u8; 32]) -> Self {
        let seed = Zeroizing::new(seed);
        let mut expanded = Zeroizing::new([0u8; 96]);
        Shake256::default()
            .chain(&seed[..])
            .finalize_xof()
            .read(&mut expanded[..]);
        let mut d = [0u8; 32];
        let mut z = [0u8; 32];
        d.copy_from_slice(&expanded[..32]);
        z.copy_from_slice(&expanded[32..64]);
        let (dk_m, ek_m) = MlKem768::generate_deterministic(&d.into(), &z.into());
        d.zeroize();
        z.zeroize();
        let mut sk_x = Zeroizing::new([0u8; 32]);
        sk_x.copy_from_slice(&expanded[64..]);
        let pk_x = MontgomeryPoint::mul_base_clamped(*sk_x).to_bytes();
        PrivateKey {
            seed,
            dk_m,
            sk_x,
            pk: PublicKey { ek_m, pk_x },
        }
    }
}

impl Serializable for PrivateKey {
    type OutputSize = U32;
    fn write_exact(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.seed[..]);
    }
}

impl Deserializable for PrivateKey {
    fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
        let seed: [u8; 32] = encoded
            .try_into()
            .map_err(|_| HpkeError::IncorrectInputLength(32, encoded.len()))?;
        Ok(PrivateKey::from_seed(seed))
    }
}

/// X-Wing's public key.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PublicKey {
    ek_m: EncapKey,
    pk_x: [u8; 32],
}
impl Eq for PublicKey {}

impl Serializable for PublicKey {
    type OutputSize = typenum::Sum<Nek, U32>;
    fn write_exact(&self, buf: &mut [u8]) {
        let n = Nek::to_usize();
        buf[..n].copy_from_slice(&self.ek_m.as_bytes());
        buf[n..].copy_from_slice(&self.pk_x);
    }
}

impl Deserializable for PublicKey {
    fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
        if encoded.len() != RECIPIENT_LEN {
            return Err(HpkeError::IncorrectInputLength(RECIPIENT_LEN, encoded.len()));
        }
        let (m, x) = encoded.split_at(Nek::to_usize());
        // FIPS 203's check of an encapsulation key: every 12-bit coefficient
        // of t-hat is below q = 3329 (the last 32 bytes are the seed rho).
        let t = &m[..m.len() - 32];
        let reduced = t.chunks_exact(3).all(|c| {
            let a = u16::from(c[0]) | (u16::from(c[1] & 0x0f) << 8);
            let b = u16::from(c[1] >> 4) | (u16::from(c[2]) << 4);
            a < 3329 && b < 3329
        });
        if !reduced {
            return Err(HpkeError::ValidationError);
        }
        let ek_m = EncapKey::from_bytes(m.try_into().map_err(|_| HpkeError::ValidationError)?);
        let pk_x: [u8; 32] = x.try_into().map_err(|_| HpkeError::ValidationError)?;
        Ok(PublicKey { ek_m, pk_x })
    }
}

/// X-Wing's ciphertext, HPKE's `enc`.
#[derive(Clone)]
pub(crate) struct EncappedKey {
    ct_m: Ciphertext<MlKem768>,
    ct_x: [u8; 32],
}

impl Serializable for EncappedKey {
    type OutputSize = typenum::Sum<Nct, U32>;
    fn write_exact(&self, buf: &mut [u8]) {
        let n = Nct::to_usize();
        buf[..n].copy_from_slice(&self.ct_m);
        buf[n..].copy_from_slice(&self.ct_x);
    }
}

impl Deserializable for EncappedKey {
    fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
        if encoded.len() != ENC_LEN {
            return Err(HpkeError::IncorrectInputLength(ENC_LEN, encoded.len()));
        }
        let (m, x) = encoded.split_at(Nct::to_usize());
        let ct_m = Ciphertext::<MlKem768>::try_from(m).map_err(|_| HpkeError::ValidationError)?;
        let ct_x: [u8; 32] = x.try_into().map_err(|_| HpkeError::ValidationError)?;
        Ok(EncappedKey { ct_m, ct_x })
    }
}

/// X-Wing's combiner: SHA3-256(ss_M ‖ ss_X ‖ ct_X ‖ pk_X ‖ label).
fn combine(ss_m: &[u8], ss_x: &[u8; 32], ct_x: &[u8; 32], pk_x: &[u8; 32]) -> SharedSecret<XWing> {
    let mut h = Sha3_256::default();
    h.update(ss_m);
    h.update(ss_x);
    h.update(ct_x);
    h.update(pk_x);
    h.update(XWING_LABEL);
    SharedSecret(h.finalize_fixed())
}

/// The MLKEM768-X25519 KEM of HPKE (KEM id 0x647a), which is X-Wing.
pub(crate) struct XWing;

impl hpke::Kem for XWing {
    type PublicKey = PublicKey;
    type PrivateKey = PrivateKey;
    type EncappedKey = EncappedKey;
    type NSecret = U32;
    const KEM_ID: u16 = 0x647a;

    fn sk_to_pk(sk: &PrivateKey) -> PublicKey {
        sk.pk.clone()
    }

    fn derive_keypair(ikm: &[u8]) -> (PrivateKey, PublicKey) {
        // Only for the trait's key generation, which dossier does not use:
        // a seed is 32 bytes from the OS (see `Identity::generate`).
        let mut seed = [0u8; 32];
        Shake256::default().chain(ikm).finalize_xof().read(&mut seed);
        let sk = PrivateKey::from_seed(seed);
        seed.zeroize();
        let pk = sk.pk.clone();
        (sk, pk)
    }

    fn decap(
        sk: &PrivateKey,
        pk_sender_id: Option<&PublicKey>,
        enc: &EncappedKey,
    ) -> Result<SharedSecret<Self>, HpkeError> {
        if pk_sender_id.is_some() {
            return Err(HpkeError::DecapError);
        }
        let ss_m = sk.dk_m.decapsulate(&enc.ct_m).map_err(|()| HpkeError::DecapError)?;
        let ss_x = Zeroizing::new(MontgomeryPoint(enc.ct_x).mul_clamped(*sk.sk_x).to_bytes());
        // The all-zero X25519 output (a low-order share) is refused, as age requires.
        if *ss_x == [0u8; 32] {
            return Err(HpkeError::DecapError);
        }
        Ok(combine(&ss_m, &ss_x, &enc.ct_x, &sk.pk.pk_x))
    }

    fn encap<R: rand::CryptoRng + rand::RngCore>(
        pk: &PublicKey,
        sender_id_keypair: Option<(&PrivateKey, &PublicKey)>,
        csprng: &mut R,
    ) -> Result<(SharedSecret<Self>, EncappedKey), HpkeError> {
        if sender_id_keypair.is_some() {
            return Err(HpkeError::EncapError);
        }
        let (ct_m, ss_m) = pk.ek_m.encapsulate(csprng).map_err(|()| HpkeError::EncapError)?;
        let mut ek_x = Zeroizing::new([0u8; 32]);
        csprng.fill_bytes(&mut ek_x[..]);
        let ct_x = MontgomeryPoint::mul_base_clamped(*ek_x).to_bytes();
        let ss_x = Zeroizing::new(MontgomeryPoint(pk.pk_x).mul_clamped(*ek_x).to_bytes());
        if *ss_x == [0u8; 32] {
            return Err(HpkeError::EncapError);
        }
        Ok((combine(&ss_m, &ss_x, &ct_x, &pk.pk_x), EncappedKey { ct_m, ct_x }))
    }
}

/// A hybrid recipient, `age1pq1…`.
#[derive(Clone)]
pub struct Recipient(PublicKey);

impl FromStr for Recipient {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !s.starts_with("age1pq1") {
            return Err("not an age1pq1 recipient");
        }
        let bytes = bech32_decode(s, RECIPIENT_HRP).ok_or("not a valid age1pq1 recipient")?;
        PublicKey::from_bytes(&bytes)
            .map(Recipient)
            .map_err(|_| "not a valid age1pq1 recipient")
    }
}

impl std::fmt::Display for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&bech32_encode(RECIPIENT_HRP, &self.0.to_bytes()))
    }
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recipient({self})")
    }
}

impl age::Recipient for Recipient {
    fn wrap_file_key(&self, file_key: &FileKey) -> Result<(Vec<Stanza>, HashSet<String>), age::EncryptError> {
        let (enc, body) = age_core::primitives::hpke_seal::<XWing, _>(
            &self.0,
            INFO,
            file_key.expose_secret(),
            &mut rand::rngs::OsRng,
        );
        let stanza = Stanza {
            tag: STANZA_TAG.into(),
            args: vec![base64::engine::general_purpose::STANDARD_NO_PAD.encode(enc.to_bytes())],
            body,
        };
        // As age labels post-quantum stanzas: only to be combined with others like them.
        Ok((vec![stanza], HashSet::from(["postquantum".to_string()])))
    }
}

/// A hybrid identity, `AGE-SECRET-KEY-PQ-1…`. Not `Debug`: it is a secret.
#[derive(Clone)]
pub struct Identity(PrivateKey);

impl Identity {
    /// A new identity: 32 bytes from the operating system's random source.
    pub fn generate() -> Self {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed).expect("the OS random source works");
        let id = Identity(PrivateKey::from_seed(seed));
        seed.zeroize();
        id
    }

    /// The recipient files are encrypted to.
    pub fn to_public(&self) -> Recipient {
        Recipient(self.0.pk.clone())
    }

    /// The 32-byte seed: the secret the identity's text form encodes.
    pub fn seed(&self) -> &[u8; 32] {
        &self.0.seed
    }

    /// The text form, `AGE-SECRET-KEY-PQ-1…`.
    pub fn to_string(&self) -> SecretString {
        SecretString::from(bech32_encode(IDENTITY_HRP, &self.0.seed[..]).to_ascii_uppercase())
    }
}

impl FromStr for Identity {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !s.starts_with("AGE-SECRET-KEY-PQ-1") {
            return Err("not an AGE-SECRET-KEY-PQ-1 identity");
        }
        let mut bytes = Zeroizing::new(bech32_decode(s, IDENTITY_HRP).ok_or("not a valid hybrid identity")?);
        let seed: [u8; 32] = bytes[..].try_into().map_err(|_| "not a valid hybrid identity")?;
        bytes.zeroize();
        Ok(Identity(PrivateKey::from_seed(seed)))
    }
}

impl age::Identity for Identity {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        if stanza.tag != STANZA_TAG {
            return None;
        }
        let invalid = || Some(Err(age::DecryptError::InvalidHeader));
        let [arg] = stanza.args.as_slice() else {
            return invalid();
        };
        // base64 without padding, canonical (trailing bits zero), as age requires.
        let Ok(enc) = base64::engine::general_purpose::STANDARD_NO_PAD.decode(arg) else {
            return invalid();
        };
        if enc.len() != ENC_LEN || stanza.body.len() != FILE_KEY_BYTES + 16 {
            return invalid();
        }
        let Ok(enc) = EncappedKey::from_bytes(&enc) else {
            return invalid();
        };
        match age_core::primitives::hpke_open::<XWing>(&enc, &self.0, INFO, &stanza.body) {
            Ok(plain) => {
                let plain = Zeroizing::new(plain);
                let key: Result<[u8; FILE_KEY_BYTES], _> = plain[..].try_into();
                match key {
                    Ok(k) => Some(Ok(FileKey::new(Box::new(k)))),
                    Err(_) => invalid(),
                }
            }
            // A share whose X25519 output is all zeros: the header is bad.
            Err(HpkeError::DecapError) => invalid(),
            // Another key's stanza.
            Err(_) => None,
        }
    }
}

/// Whether a recipient's text form is a hybrid one.
pub fn is_hybrid_recipient(s: &str) -> bool {
    s.trim().starts_with("age1pq1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_keys() {
        let id = Identity::generate();
        let r = id.to_public();
        let text = r.to_string();
        assert!(text.starts_with("age1pq1"));
        assert_eq!(text.parse::<Recipient>().unwrap().to_string(), text);
        let secret = id.to_string();
        assert!(secret.expose_secret().starts_with("AGE-SECRET-KEY-PQ-1"));
        let back: Identity = secret.expose_secret().parse().unwrap();
        assert_eq!(back.to_public().to_string(), text);
        // One typo breaks the checksum.
        let mut typo = text.clone().into_bytes();
        let i = typo.len() - 10;
        typo[i] = if typo[i] == b'q' { b'p' } else { b'q' };
        assert!(std::str::from_utf8(&typo).unwrap().parse::<Recipient>().is_err());
        assert!(
            text.to_uppercase()[..].parse::<Recipient>().is_err(),
            "age1pq1 is lower case"
        );
    }

    #[test]
    fn spec_example_identity_gives_its_recipient() {
        let id: Identity = "AGE-SECRET-KEY-PQ-1XX76JRALNLXDMEW0CRK45QMCCH4X06SE84UN3VPM33W6HWDX0H3SK3ZQFR"
            .parse()
            .unwrap();
        let r = id.to_public().to_string();
        assert!(r.starts_with("age1pq1x34nzsvr0rxjsgdn8zgyhfe8j7ceq5r9"), "{}", &r[..60]);
        assert!(r.ends_with("3fzv49zc0k"), "{}", &r[r.len() - 20..]);
    }
}
