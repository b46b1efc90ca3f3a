//! Sealing objects as standard age files, and opening them.
//!
//! Every object dossier stores is an age v1 file whose stanzas are the
//! standard ones for the members' recipients, so `age -d -i KEY` opens it.
//! The number of stanzas is padded up to a bucket (at least 4, then powers of
//! two) with recipients made up on the spot and thrown away, and the stanzas
//! are shuffled, so a file does not tell how many people can read it or which
//! stanza is whose.

use std::io::{Read, Write};
use std::str::FromStr;

use age::Recipient;
use zeroize::Zeroizing;

/// Parses an age recipient: X25519 (`age1...`), SSH (`ssh-ed25519 ...`,
/// `ssh-rsa ...`) or a plugin's (`age1yubikey1...`: encrypting to it runs
/// the plugin, `age-plugin-yubikey`, which must be on the PATH).
pub fn parse_recipient(s: &str) -> Result<Box<dyn Recipient + Send>, String> {
    let s = s.trim();
    if super::keys::looks_secret(s) {
        return Err(super::keys::secret_refusal());
    }
    if let Ok(r) = age::x25519::Recipient::from_str(s) {
        return Ok(Box::new(r));
    }
    if super::hybrid::is_hybrid_recipient(s) {
        return super::hybrid::Recipient::from_str(s)
            .map(|r| Box::new(r) as Box<dyn Recipient + Send>)
            .map_err(|_| format!("'{}' is not a valid hybrid age recipient (age1pq1...)", short(s)));
    }
    if s.starts_with("ssh-") {
        return age::ssh::Recipient::from_str(s)
            .map(|r| Box::new(r) as Box<dyn Recipient + Send>)
            .map_err(|_| format!("'{}' is not an SSH public key age can encrypt to", short(s)));
    }
    if let Ok(r) = age::plugin::Recipient::from_str(s) {
        let name = r.plugin().to_string();
        return age::plugin::RecipientPluginV1::new(&name, &[r], &[], age::NoCallbacks)
            .map(|p| Box::new(p) as Box<dyn Recipient + Send>)
            .map_err(|e| format!("cannot use the recipient '{}': {}", short(s), one_line(&e.to_string())));
    }
    Err(format!(
        "'{}' is not an age recipient (age1...) or an SSH public key",
        short(s)
    ))
}

/// A recipient as the roster stores it: an SSH key as its type and key only
/// (its comment, often a user and host name, is dropped), anything else trimmed.
pub fn normalize_recipient(s: &str) -> String {
    let s = s.trim();
    if s.starts_with("ssh-") {
        s.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
    } else {
        s.to_string()
    }
}

/// The Ed25519 key inside an `ssh-ed25519` public key line, which signs as itself.
pub fn ssh_ed25519_key(s: &str) -> Option<[u8; 32]> {
    let key = ssh_key::PublicKey::from_openssh(s.trim()).ok()?;
    key.key_data().ed25519().map(|k| k.0)
}

/// age's messages may span lines and wrap names in Unicode isolates; errors here are one plain line.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['\u{2068}', '\u{2069}'], "")
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

/// How many stanzas a file for `n` real recipients carries.
pub fn stanza_bucket(n: usize) -> usize {
    n.max(4).next_power_of_two()
}

/// An age file being written: write the plaintext, then call `finish`.
pub type Sealing<W> = age::stream::StreamWriter<W>;

/// Starts an age file to `recipients` (their text forms) on `out`; the caller
/// writes the plaintext and then calls `finish` on the returned writer.
pub fn encrypt_to<W: Write>(recipients: &[String], out: W) -> Result<Sealing<W>, String> {
    if recipients.is_empty() {
        return Err("no recipient to encrypt to".into());
    }
    let mut all = parse_for_one_file(recipients)?;
    let hybrid = all_hybrid(recipients);
    while all.len() < stanza_bucket(recipients.len()) {
        if hybrid {
            all.push(Box::new(super::hybrid::Identity::generate().to_public()));
        } else {
            all.push(Box::new(age::x25519::Identity::generate().to_public()));
        }
    }
    shuffle(&mut all);
    let encryptor = age::Encryptor::with_recipients(all.iter().map(|r| r.as_ref() as &dyn Recipient))
        .map_err(|e| format!("cannot encrypt: {}", one_line(&e.to_string())))?;
    encryptor
        .wrap_output(out)
        .map_err(|e| format!("cannot encrypt: {}", one_line(&e.to_string())))
}

/// Whether a file to `recipients` is sealed post-quantum: every one of them
/// is a hybrid recipient (`age1pq1…`).
pub fn all_hybrid(recipients: &[String]) -> bool {
    !recipients.is_empty() && recipients.iter().all(|r| super::hybrid::is_hybrid_recipient(r))
}

/// Whether one recipient is a hybrid (post-quantum) one.
pub fn is_hybrid(recipient: &str) -> bool {
    super::hybrid::is_hybrid_recipient(recipient)
}

/// A hybrid recipient in a file that also has classical ones. age labels
/// hybrid stanzas so that they are never mixed with classical ones, since
/// the file is then only as strong as its classical stanzas. dossier mixes
/// them on purpose where a case still has a classical member, so that the
/// hybrid members can read it, and reports the case as classical, naming
/// who holds it back; the label is dropped here and nowhere else.
struct InClassicalFile(Box<dyn Recipient + Send>);

impl Recipient for InClassicalFile {
    fn wrap_file_key(
        &self,
        file_key: &age_core::format::FileKey,
    ) -> Result<(Vec<age_core::format::Stanza>, std::collections::HashSet<String>), age::EncryptError> {
        let (stanzas, _) = self.0.wrap_file_key(file_key)?;
        Ok((stanzas, Default::default()))
    }
}

/// The recipients of one file, parsed: hybrid ones lose their label when
/// classical ones are beside them (see [`InClassicalFile`]).
pub(crate) fn parse_for_one_file(recipients: &[String]) -> Result<Vec<Box<dyn Recipient + Send>>, String> {
    let hybrid = all_hybrid(recipients);
    let mut all: Vec<Box<dyn Recipient + Send>> = Vec::new();
    for r in recipients {
        let parsed = parse_recipient(r)?;
        if !hybrid && is_hybrid(r) {
            all.push(Box::new(InClassicalFile(parsed)));
        } else {
            all.push(parsed);
        }
    }
    Ok(all)
}

/// Encrypts a whole buffer to `recipients`.
pub fn seal(recipients: &[String], plaintext: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(plaintext.len() + 512);
    let mut w = encrypt_to(recipients, &mut out)?;
    w.write_all(plaintext).map_err(|e| one_line(&e.to_string()))?;
    w.finish().map_err(|e| one_line(&e.to_string()))?;
    Ok(out)
}

fn shuffle<T>(v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let mut b = [0u8; 8];
        getrandom::getrandom(&mut b).expect("the OS random source works");
        let j = (u64::from_le_bytes(b) % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

/// What came of trying to open an object.
pub enum Opened {
    /// The plaintext.
    Plain(Zeroizing<Vec<u8>>),
    /// A well-formed age file with no stanza for this identity.
    NotForUs,
    /// Not an age file, or one that fails its authentication.
    Damaged(String),
}

/// Opens an age file held in memory, refusing plaintexts over `limit` bytes.
pub fn open(identity: &dyn age::Identity, ciphertext: &[u8], limit: u64) -> Opened {
    let decryptor = match age::Decryptor::new_buffered(ciphertext) {
        Ok(d) => d,
        Err(e) => return Opened::Damaged(format!("not a readable age file ({e})")),
    };
    let mut reader = match decryptor.decrypt(std::iter::once(identity)) {
        Ok(r) => r,
        Err(age::DecryptError::NoMatchingKeys) => return Opened::NotForUs,
        Err(e) => return Opened::Damaged(format!("age header fails ({e})")),
    };
    // The plaintext is no longer than the ciphertext: reserving that much
    // up front means no reallocation leaves a copy of it behind, and reading
    // through a fixed buffer spares `read_to_end` zeroing what it grows.
    let mut plain = Zeroizing::new(Vec::with_capacity(ciphertext.len().min(limit as usize + 1)));
    let mut buf = Zeroizing::new([0u8; 64 * 1024]);
    loop {
        match reader.read(&mut buf[..]) {
            Ok(0) => return Opened::Plain(plain),
            Ok(n) if (plain.len() + n) as u64 > limit => return Opened::Damaged(format!("larger than {limit} bytes")),
            Ok(n) => plain.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Opened::Damaged(format!("age payload fails authentication ({e})")),
        }
    }
}

/// What came of starting to read an age file as a stream.
pub enum OpenedStream<R: std::io::BufRead> {
    /// The plaintext, authenticated chunk by chunk as it is read: a read
    /// fails at the first chunk that does not authenticate, and at a file cut
    /// short.
    Reader(age::stream::StreamReader<R>),
    /// A well-formed age file with no stanza for this identity.
    NotForUs,
    /// Not an age file, or its header fails.
    Damaged(String),
}

/// Starts reading an age file from `input` without holding it in memory.
pub fn open_stream<R: std::io::BufRead>(identity: &dyn age::Identity, input: R) -> OpenedStream<R> {
    let decryptor = match age::Decryptor::new_buffered(input) {
        Ok(d) => d,
        Err(e) => return OpenedStream::Damaged(format!("not a readable age file ({e})")),
    };
    match decryptor.decrypt(std::iter::once(identity)) {
        Ok(r) => OpenedStream::Reader(r),
        Err(age::DecryptError::NoMatchingKeys) => OpenedStream::NotForUs,
        Err(e) => OpenedStream::Damaged(format!("age header fails ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_pads_stanzas_and_opens() {
        let id = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let ct = seal(&[id.to_public().to_string()], b"secret").unwrap();
        let header = String::from_utf8_lossy(&ct[..ct.len().min(1000)]).to_string();
        assert_eq!(header.matches("-> X25519 ").count(), 4);
        match open(&id, &ct, 100) {
            Opened::Plain(p) => assert_eq!(&p[..], b"secret"),
            _ => panic!("not opened"),
        }
        assert!(matches!(open(&other, &ct, 100), Opened::NotForUs));
        let mut bad = ct.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(matches!(open(&id, &bad, 100), Opened::Damaged(_)));
        assert!(matches!(open(&id, b"hello", 100), Opened::Damaged(_)));
    }

    fn stanza_tags(ct: &[u8]) -> Vec<String> {
        let end = ct.windows(4).position(|w| w == b"\n---").unwrap();
        String::from_utf8_lossy(&ct[..end])
            .lines()
            .filter_map(|l| l.strip_prefix("-> "))
            .map(|l| l.split(' ').next().unwrap().to_string())
            .collect()
    }

    #[test]
    fn all_hybrid_members_give_hybrid_stanzas_only() {
        let a = crate::crypto::hybrid::Identity::generate();
        let b = crate::crypto::hybrid::Identity::generate();
        let to = vec![a.to_public().to_string(), b.to_public().to_string()];
        let ct = seal(&to, b"testimony").unwrap();
        let tags = stanza_tags(&ct);
        let real: Vec<_> = tags.iter().filter(|t| !t.ends_with("-grease")).collect();
        assert_eq!(real.len(), 4, "{tags:?}");
        assert!(real.iter().all(|t| *t == "mlkem768x25519"), "{tags:?}");
        for id in [&a, &b] {
            match open(id, &ct, 100) {
                Opened::Plain(p) => assert_eq!(&p[..], b"testimony"),
                _ => panic!("not opened"),
            }
        }
        assert!(matches!(
            open(&crate::crypto::hybrid::Identity::generate(), &ct, 100),
            Opened::NotForUs
        ));
    }

    #[test]
    fn one_classical_member_keeps_the_file_classical_and_readable_by_all() {
        let pq = crate::crypto::hybrid::Identity::generate();
        let classical = age::x25519::Identity::generate();
        let to = vec![pq.to_public().to_string(), classical.to_public().to_string()];
        assert!(!all_hybrid(&to));
        let ct = seal(&to, b"x").unwrap();
        let tags = stanza_tags(&ct);
        assert_eq!(tags.iter().filter(|t| *t == "mlkem768x25519").count(), 1, "{tags:?}");
        assert_eq!(tags.iter().filter(|t| *t == "X25519").count(), 3, "{tags:?}");
        assert!(matches!(open(&pq, &ct, 10), Opened::Plain(_)));
        assert!(matches!(open(&classical, &ct, 10), Opened::Plain(_)));
        // Extracts follow the same rule.
        let ex = crate::crypto::extract::seal_extract(&to, b"x", false).unwrap();
        assert!(matches!(open(&pq, &ex, 10), Opened::Plain(_)));
    }

    #[test]
    fn plugin_recipients_need_their_plugin() {
        // A well-formed recipient of a plugin that is not installed: refused in one line.
        let hrp = bech32::Hrp::parse("age1dossiertestnoplugin").unwrap();
        let r = bech32::encode::<bech32::Bech32>(hrp, &[1u8; 8]).unwrap();
        let err = parse_recipient(&r).err().expect("no plugin is installed");
        assert!(err.contains("cannot use the recipient"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn ssh_ed25519_keys_sign_as_themselves() {
        let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAggT3UNZxLBEB7qsJL5XDL0j/uVO+zThcEwGhsHEsDM carol@x";
        assert!(ssh_ed25519_key(line).is_some());
        assert!(ssh_ed25519_key("ssh-ed25519 AAAAbroken").is_none());
    }

    #[test]
    fn bad_recipients_are_refused() {
        assert!(parse_recipient("age1nope").is_err());
        assert!(parse_recipient("ssh-ed25519 AAAA").is_err());
        assert_eq!(stanza_bucket(1), 4);
        assert_eq!(stanza_bucket(5), 8);
    }
}
