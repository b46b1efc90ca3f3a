//! Checkpoints: a short signed statement of how far a case's log reached.
//!
//! A vault copy can be rolled back to an older state that is perfectly
//! consistent: every signature verifies, nothing is missing from its own
//! point of view. Only something kept elsewhere can tell. A checkpoint is a
//! member's signature over the case's log id, its highest `seq`, and the first
//! 16 bytes of each tip's id, written as a Bech32m string (checksummed, so a
//! copy by hand is checked) to keep on paper or another device.

use bech32::{Bech32m, Hrp};
use serde::{Deserialize, Serialize};
use serde_bytes::{ByteArray, ByteBuf};

/// The label signed before the checkpoint bytes.
pub const CHECKPOINT_SIGNATURE_LABEL: &[u8] = b"dossier/v1/checkpoint\n";
/// The human-readable part of a checkpoint token.
pub const CHECKPOINT_HRP: &str = "dossiercp";
/// Version of the checkpoint layout.
pub const CHECKPOINT_VERSION: u64 = 1;
/// At most this many tips go into a token, so that it always encodes (Bech32m
/// codes are at most 1023 characters) and stays short enough to copy.
pub const MAX_CHECKPOINT_TIPS: usize = 8;

/// What a checkpoint states.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub v: u64,
    pub log: ByteArray<16>,
    /// The highest `seq` in the log.
    pub seq: u64,
    /// The first 16 bytes of the id of each tip of the log.
    pub tips: Vec<ByteArray<16>>,
    /// When it was made, RFC 3339 UTC.
    pub time: String,
}

/// A checkpoint and its signature.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCheckpoint {
    /// CBOR of a [`Checkpoint`].
    pub checkpoint: ByteBuf,
    pub sig: ByteArray<64>,
}

impl SignedCheckpoint {
    /// The token: Bech32m of the CBOR of this.
    pub fn to_token(&self) -> String {
        let hrp = Hrp::parse(CHECKPOINT_HRP).expect("valid hrp");
        bech32::encode::<Bech32m>(hrp, &super::cbor::to_vec(self)).expect("a checkpoint is short")
    }

    /// Parses a token; the signature is not checked here.
    pub fn from_token(token: &str) -> Result<(SignedCheckpoint, Checkpoint), String> {
        let bad = |why: &str| format!("not a dossier checkpoint ({why})");
        let (hrp, data) = bech32::decode(token.trim()).map_err(|_| bad("mistyped or cut short"))?;
        if hrp.as_str() != CHECKPOINT_HRP {
            return Err(bad("it does not start with dossiercp1"));
        }
        let signed: SignedCheckpoint = super::cbor::from_slice(&data).map_err(|_| bad("unreadable"))?;
        let c: Checkpoint = super::cbor::from_slice(&signed.checkpoint).map_err(|_| bad("unreadable"))?;
        if c.v != CHECKPOINT_VERSION {
            return Err(format!("checkpoint version {} is not supported by this dossier", c.v));
        }
        Ok((signed, c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_catch_typos() {
        let c = Checkpoint {
            v: 1,
            log: ByteArray::new([1; 16]),
            seq: 41,
            tips: vec![ByteArray::new([2; 16])],
            time: "2026-11-24T21:00:00Z".into(),
        };
        let signed = SignedCheckpoint {
            checkpoint: ByteBuf::from(super::super::cbor::to_vec(&c)),
            sig: ByteArray::new([3; 64]),
        };
        let token = signed.to_token();
        assert!(token.starts_with("dossiercp1"), "{token}");
        assert!(token.len() < 300, "{} characters", token.len());
        let (_, back) = SignedCheckpoint::from_token(&token).unwrap();
        assert_eq!(back.seq, 41);
        let mut typo = token.clone().into_bytes();
        let i = typo.len() / 2;
        typo[i] = if typo[i] == b'q' { b'p' } else { b'q' };
        assert!(SignedCheckpoint::from_token(std::str::from_utf8(&typo).unwrap()).is_err());
        assert!(SignedCheckpoint::from_token("dossiersig1qqqq").is_err());
        // The largest token the vault makes still encodes.
        let c = Checkpoint {
            tips: vec![ByteArray::new([0xff; 16]); MAX_CHECKPOINT_TIPS],
            seq: u64::MAX,
            time: "2026-11-24T21:00:00Z".into(),
            ..c
        };
        let big = SignedCheckpoint {
            checkpoint: ByteBuf::from(super::super::cbor::to_vec(&c)),
            sig: ByteArray::new([3; 64]),
        };
        assert!(big.to_token().len() < 1023);
    }
}
