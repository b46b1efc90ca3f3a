//! Encrypting an extract to the people it is for.
//!
//! A plain age file to the given recipients — no padding stanzas, since an
//! extract is meant to be opened by its receivers with stock `age -d` — in
//! binary or in age's ASCII armor (`-----BEGIN AGE ENCRYPTED FILE-----`),
//! which survives being pasted into an e-mail.

use std::io::Write;

use age::armor::{ArmoredWriter, Format};
use age::Recipient;

use super::seal::parse_recipient;

/// Checks that every recipient can be encrypted to; the error names the bad one.
pub fn check_recipients(recipients: &[String]) -> Result<(), String> {
    for r in recipients {
        parse_recipient(r)?;
    }
    Ok(())
}

/// Encrypts `plaintext` to `recipients` (age `age1…` or SSH public keys).
pub fn seal_extract(recipients: &[String], plaintext: &[u8], armor: bool) -> Result<Vec<u8>, String> {
    if recipients.is_empty() {
        return Err("no recipient to encrypt to".into());
    }
    let parsed = super::seal::parse_for_one_file(recipients)?;
    let encryptor = age::Encryptor::with_recipients(parsed.iter().map(|r| r.as_ref() as &dyn Recipient))
        .map_err(|e| format!("cannot encrypt: {e}"))?;
    let format = if armor { Format::AsciiArmor } else { Format::Binary };
    let fail = |e: std::io::Error| format!("cannot encrypt: {e}");
    let mut out = Vec::with_capacity(plaintext.len() + 1024);
    let armored = ArmoredWriter::wrap_output(&mut out, format).map_err(fail)?;
    let mut w = encryptor.wrap_output(armored).map_err(fail)?;
    w.write_all(plaintext).map_err(fail)?;
    w.finish().and_then(|a| a.finish()).map_err(fail)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armored_and_binary_extracts_open() {
        let id = age::x25519::Identity::generate();
        let to = vec![id.to_public().to_string()];
        for armor in [false, true] {
            let ct = seal_extract(&to, b"extract", armor).unwrap();
            assert_eq!(ct.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"), armor);
            let reader = age::armor::ArmoredReader::new(&ct[..]);
            let d = age::Decryptor::new(reader).unwrap();
            let mut r = d.decrypt(std::iter::once(&id as &dyn age::Identity)).unwrap();
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut r, &mut plain).unwrap();
            assert_eq!(plain, b"extract");
        }
        assert!(seal_extract(&["age1nope".into()], b"x", false).is_err());
    }
}
