//! Text forms of public keys: age recipients and dossier signing keys.
//!
//! A signing key is written as Bech32 (BIP 173) with the human-readable part
//! `dossiersig`, like age writes recipients, so a key read aloud or copied by
//! hand carries a checksum that catches typos.

use bech32::{Bech32, Hrp};

/// The human-readable part of a signing key's text form.
pub const SIGNING_KEY_HRP: &str = "dossiersig";

/// The text form of an Ed25519 public key.
pub fn signing_key_to_string(key: &[u8; 32]) -> String {
    let hrp = Hrp::parse(SIGNING_KEY_HRP).expect("valid hrp");
    bech32::encode::<Bech32>(hrp, key).expect("32 bytes always encode")
}

/// Whether text pasted where a public key belongs is a secret key. Such text
/// is never echoed back in a message.
pub fn looks_secret(s: &str) -> bool {
    let up = s.trim().to_ascii_uppercase();
    up.starts_with("AGE-SECRET-KEY-") || up.starts_with("AGE-PLUGIN-") || up.contains("PRIVATE KEY")
}

/// The refusal for a secret key given where a public key belongs.
pub fn secret_refusal() -> String {
    "that is a secret key, not a public one: never send or paste it; give the public key `dossier whoami` prints".into()
}

/// Parses the text form of an Ed25519 public key.
pub fn parse_signing_key(s: &str) -> Result<[u8; 32], String> {
    if looks_secret(s) {
        return Err(secret_refusal());
    }
    let bad = || format!("'{s}' is not a dossier signing key (it starts with {SIGNING_KEY_HRP}1)");
    let (hrp, data) = bech32::decode(s.trim()).map_err(|_| bad())?;
    if hrp.as_str() != SIGNING_KEY_HRP {
        return Err(bad());
    }
    let key: [u8; 32] = data.try_into().map_err(|_| bad())?;
    ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| bad())?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_key_text_round_trips_and_catches_typos() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32])
            .verifying_key()
            .to_bytes();
        let text = signing_key_to_string(&key);
        assert!(text.starts_with("dossiersig1"));
        assert_eq!(parse_signing_key(&text).unwrap(), key);
        let mut typo = text.clone().into_bytes();
        let last = typo.len() - 1;
        typo[last] = if typo[last] == b'q' { b'p' } else { b'q' };
        assert!(parse_signing_key(std::str::from_utf8(&typo).unwrap()).is_err());
        assert!(parse_signing_key("age1qqqq").is_err());
    }
}
