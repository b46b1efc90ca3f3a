//! A person's identity: an age X25519 identity and the signing key derived from it.
//!
//! The identity file is exactly what `age-keygen` writes, or that text
//! encrypted with a passphrase the way `age -p` does it (scrypt recipient,
//! ASCII armor), which stock `age -d -i` also accepts. The Ed25519 signing key
//! is derived from the 32 secret bytes with BLAKE3's key derivation mode and
//! the context string [`SIGNING_KEY_CONTEXT`], so one secret serves both and
//! the derivation is reproducible from docs/FORMAT.md alone.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret, SecretString};
use ed25519_dalek::SigningKey;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};

/// The BLAKE3 `derive_key` context for the signing key. Never change it.
pub const SIGNING_KEY_CONTEXT: &str = "dossier 2026-11-24 Ed25519 signing key from an age X25519 identity v1";

/// The BLAKE3 `derive_key` context for the signing key of a hybrid
/// (ML-KEM-768 + X25519) identity: derived from its 32-byte seed. Never change it.
pub const HYBRID_SIGNING_KEY_CONTEXT: &str =
    "dossier 2026-12-02 Ed25519 signing key from an age mlkem768x25519 identity v1";

/// Largest identity file read.
const MAX_IDENTITY_FILE: u64 = 1 << 20;

/// Largest scrypt work factor (log2 N) accepted when opening an identity file,
/// as in the reference Go age. The age crate's own bound is the calibrated
/// work factor plus 4, which on a fast machine lets a file demand 2^23 or
/// more (8 GiB of memory); CCTV's `scrypt_work_factor_23` must be refused.
const MAX_SCRYPT_LOG_N: u8 = 22;

/// Supplies a passphrase when one is needed. `confirm` asks twice (new passphrases).
pub trait PassphraseSource {
    fn passphrase(&mut self, prompt: &str, confirm: bool) -> Result<SecretString>;
}

/// The BLAKE3 `derive_key` context for the signing key of an SSH key that is
/// not Ed25519 (RSA): derived from the private exponent. Never change it.
pub const SSH_SIGNING_KEY_CONTEXT: &str = "dossier 2026-11-24 Ed25519 signing key from an SSH RSA key v1";

/// The key that opens age files.
enum AgeKey {
    X25519(age::x25519::Identity),
    Hybrid(Box<super::hybrid::Identity>),
    Ssh(age::ssh::Identity),
    Plugin(age::plugin::IdentityPluginV1<Terminal>),
}

/// What an age plugin (a hardware token) may ask of the user: messages and
/// PINs on the terminal. Nothing is asked when there is no terminal.
#[derive(Clone)]
struct Terminal;

impl age::Callbacks for Terminal {
    fn display_message(&self, message: &str) {
        eprintln!("{message}");
    }

    fn confirm(&self, _: &str, _: &str, _: Option<&str>) -> Option<bool> {
        None
    }

    fn request_public_string(&self, _: &str) -> Option<String> {
        None
    }

    fn request_passphrase(&self, description: &str) -> Option<SecretString> {
        rpassword::prompt_password(format!("{description}: "))
            .ok()
            .map(SecretString::from)
    }
}

/// A loaded identity. Not `Debug`, not `Clone`: it holds secrets, zeroized on drop.
pub struct Identity {
    age: AgeKey,
    recipient: String,
    signing: SigningKey,
    path: PathBuf,
}

impl Identity {
    /// Reads an identity file, asking for its passphrase if it is encrypted.
    pub fn load(path: &Path, passphrases: &mut dyn PassphraseSource) -> Result<Self> {
        let err = |message: String| Error::Identity {
            path: path.to_path_buf(),
            message,
        };
        let file = std::fs::File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => err("no such file".into()),
            _ => Error::io(path, e),
        })?;
        let mut raw = Zeroizing::new(Vec::new());
        file.take(MAX_IDENTITY_FILE)
            .read_to_end(&mut raw)
            .map_err(|e| Error::io(path, e))?;
        Identity::from_bytes(path, &raw, passphrases)
    }

    /// Reads an identity from the bytes of an identity file (`path` names it
    /// in messages), asking for its passphrase if it is encrypted. What
    /// [`Identity::load`] does once the file is read; fuzzed and tested alone.
    pub fn from_bytes(path: &Path, raw: &[u8], passphrases: &mut dyn PassphraseSource) -> Result<Self> {
        let err = |message: String| Error::Identity {
            path: path.to_path_buf(),
            message,
        };
        let text = if is_age_file(raw) {
            decrypt_identity_file(path, raw, passphrases)?
        } else {
            Zeroizing::new(String::from_utf8(raw.to_vec()).map_err(|_| err("not an age identity file".into()))?)
        };
        if text.trim_start().starts_with("-----BEGIN OPENSSH PRIVATE KEY-----") {
            return load_ssh(path, &text, passphrases);
        }
        if let Some(plugin) = plugin_lines(&text) {
            return load_plugin(path, &text, plugin);
        }
        if let Some(hybrid) = parse_hybrid(&text) {
            return Ok(Identity::from_hybrid(hybrid, path));
        }
        let age = parse_x25519(&text).ok_or_else(|| {
            err(
                "holds no age identity (AGE-SECRET-KEY-1... or AGE-SECRET-KEY-PQ-1...) or OpenSSH key; create one with `dossier keygen`"
                    .into(),
            )
        })?;
        Ok(Identity::from_x25519(age, path))
    }

    fn from_hybrid(age: super::hybrid::Identity, path: &Path) -> Self {
        let mut seed = blake3::derive_key(HYBRID_SIGNING_KEY_CONTEXT, age.seed());
        let signing = SigningKey::from_bytes(&seed);
        seed.zeroize();
        Identity {
            recipient: age.to_public().to_string(),
            age: AgeKey::Hybrid(Box::new(age)),
            signing,
            path: path.to_path_buf(),
        }
    }

    /// Makes a new hybrid (post-quantum) identity (not yet written anywhere).
    pub fn generate_hybrid() -> Self {
        Identity::from_hybrid(super::hybrid::Identity::generate(), Path::new(""))
    }

    /// Whether files to this identity's recipient are sealed post-quantum.
    pub fn is_hybrid(&self) -> bool {
        matches!(self.age, AgeKey::Hybrid(_))
    }

    fn from_x25519(age: age::x25519::Identity, path: &Path) -> Self {
        let signing = derive_signing_key(&age);
        Identity {
            recipient: age.to_public().to_string(),
            age: AgeKey::X25519(age),
            signing,
            path: path.to_path_buf(),
        }
    }

    /// Makes a new identity (not yet written anywhere).
    pub fn generate() -> Self {
        Identity::from_x25519(age::x25519::Identity::generate(), Path::new(""))
    }

    /// The age recipient others encrypt to (`age1...`, or an SSH public key line).
    pub fn recipient(&self) -> String {
        self.recipient.clone()
    }

    /// The Ed25519 public key.
    pub fn signing_public(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    /// The identity, for decrypting.
    pub fn age_identity(&self) -> &dyn age::Identity {
        match &self.age {
            AgeKey::X25519(i) => i,
            AgeKey::Hybrid(i) => i.as_ref(),
            AgeKey::Ssh(i) => i,
            AgeKey::Plugin(i) => i,
        }
    }

    /// The identity, for decrypting on several threads at once: `None` for a
    /// plugin (a hardware token answers one request at a time, and may ask
    /// the user), which is then used from one thread only.
    pub fn age_identity_shared(&self) -> Option<&(dyn age::Identity + Sync)> {
        match &self.age {
            AgeKey::X25519(i) => Some(i),
            AgeKey::Hybrid(i) => Some(i.as_ref()),
            AgeKey::Ssh(i) => Some(i),
            AgeKey::Plugin(_) => None,
        }
    }

    /// Whether decrypting takes an age plugin (a hardware token): the
    /// signing secret beside it in the file then opens nothing by itself.
    pub fn uses_plugin(&self) -> bool {
        matches!(self.age, AgeKey::Plugin(_))
    }

    /// The signing key.
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    /// Where the identity was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The identity file's text, as `age-keygen` writes it.
    pub fn to_file_text(&self, created: &str) -> Result<Zeroizing<String>> {
        let secret = match &self.age {
            AgeKey::X25519(age) => age.to_string(),
            AgeKey::Hybrid(age) => age.to_string(),
            _ => return Err(Error::Invalid("an SSH identity stays in its own file".into())),
        };
        Ok(Zeroizing::new(format!(
            "# created: {created}\n# public key: {}\n{}\n",
            self.recipient(),
            secret.expose_secret()
        )))
    }

    /// Writes the identity to a new file `path` (never overwriting one), with
    /// mode 0600; encrypted with `passphrase` the way `age -p -a` does it if given.
    pub fn write_new(&self, path: &Path, created: &str, passphrase: Option<SecretString>) -> Result<()> {
        let text = self.to_file_text(created)?;
        write_identity_file(path, &text, passphrase)
    }
}

/// Gives an identity file a new passphrase (or a first one). The file is
/// replaced in one atomic rename once the new one is on disk, so a crash
/// leaves either the old file or the new one, never neither.
pub fn change_passphrase(path: &Path, old: &mut dyn PassphraseSource, new: SecretString) -> Result<()> {
    // A symlinked identity is changed where it really lives, not replaced by
    // a new file beside the link.
    let real = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    let path = real.as_path();
    let err = |message: String| Error::Identity {
        path: path.to_path_buf(),
        message,
    };
    let mut raw = Zeroizing::new(Vec::new());
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_IDENTITY_FILE).read_to_end(&mut raw))
        .map_err(|e| Error::io(path, e))?;
    let text = if is_age_file(&raw) {
        decrypt_identity_file(path, &raw, old)?
    } else {
        Zeroizing::new(String::from_utf8(raw.to_vec()).map_err(|_| err("not an age identity file".into()))?)
    };
    if text.trim_start().starts_with("-----BEGIN OPENSSH PRIVATE KEY-----") {
        return Err(err(
            "is an SSH key; change its passphrase with `ssh-keygen -p -f FILE`".into()
        ));
    }
    if parse_x25519(&text).is_none() && parse_hybrid(&text).is_none() {
        return Err(err(
            "holds no age identity (AGE-SECRET-KEY-1... or AGE-SECRET-KEY-PQ-1...)".into(),
        ));
    }
    let again = SecretString::from(new.expose_secret().to_string());
    let sealed = Zeroizing::new(encrypt_with_passphrase(text.as_bytes(), new)?);
    // Open the new file once before it replaces the old one.
    struct Given(Option<SecretString>);
    impl PassphraseSource for Given {
        fn passphrase(&mut self, _: &str, _: bool) -> Result<SecretString> {
            self.0.take().ok_or_else(|| Error::Invalid("asked twice".into()))
        }
    }
    let back = decrypt_identity_file(path, &sealed, &mut Given(Some(again)))?;
    if *back != *text {
        return Err(err(
            "the re-encrypted identity did not read back; nothing was changed".into()
        ));
    }
    crate::store::atomic::write_with(path, crate::store::atomic::Replace::Atomically, |f| {
        f.write_all(&sealed)
    })?;
    crate::store::failpoint("passwd-written");
    Ok(())
}

/// Writes identity text to a new file `path` (never overwriting one), mode
/// 0600, encrypted with `passphrase` the way `age -p -a` does it if given.
pub fn write_identity_file(path: &Path, text: &str, passphrase: Option<SecretString>) -> Result<()> {
    let bytes: Zeroizing<Vec<u8>> = match passphrase {
        None => Zeroizing::new(text.as_bytes().to_vec()),
        Some(p) => Zeroizing::new(encrypt_with_passphrase(text.as_bytes(), p)?),
    };
    crate::store::atomic::write_new_file(path, &bytes)
}

/// Derives the Ed25519 signing key from an age X25519 identity.
pub fn derive_signing_key(age: &age::x25519::Identity) -> SigningKey {
    let encoded = age.to_string();
    let (_, mut secret) = bech32::decode(encoded.expose_secret()).expect("age writes valid Bech32");
    let mut seed = blake3::derive_key(SIGNING_KEY_CONTEXT, &secret);
    secret.zeroize();
    let key = SigningKey::from_bytes(&seed);
    seed.zeroize();
    key
}

/// A plugin identity (`AGE-PLUGIN-…`) and the recipient its file names, if the text holds one.
fn plugin_lines(text: &str) -> Option<(age::plugin::Identity, Option<String>)> {
    let identity = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("AGE-PLUGIN-"))
        .find_map(|l| l.parse::<age::plugin::Identity>().ok())?;
    // Plugins write the recipient in a comment, e.g. `#    Recipient: age1yubikey1…`.
    let recipient = text
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once("ecipient:").map(|(_, r)| r.trim()))
        .find(|r| r.starts_with("age1"))
        .map(str::to_string);
    Some((identity, recipient))
}

/// Loads an identity kept by an age plugin. The plugin decrypts; the
/// signing key comes from the X25519 secret `dossier keygen --plugin` put
/// beside it, which opens nothing of the vault.
fn load_plugin(
    path: &Path,
    text: &str,
    (identity, recipient): (age::plugin::Identity, Option<String>),
) -> Result<Identity> {
    let err = |message: String| Error::Identity {
        path: path.to_path_buf(),
        message,
    };
    let recipient = recipient.ok_or_else(|| err("names no recipient (a `# Recipient: age1…` line)".into()))?;
    let secret = parse_x25519(text).ok_or_else(|| {
        err("holds a plugin identity but no signing secret; make one with `dossier keygen --plugin FILE`".into())
    })?;
    let name = identity.plugin().to_string();
    let plugin = age::plugin::IdentityPluginV1::new(&name, &[identity], Terminal).map_err(|e| {
        err(format!(
            "cannot use its plugin: {}",
            super::seal::one_line(&e.to_string())
        ))
    })?;
    Ok(Identity {
        age: AgeKey::Plugin(plugin),
        recipient,
        signing: derive_signing_key(&secret),
        path: path.to_path_buf(),
    })
}

/// The text of a dossier identity for a plugin user: the plugin's identity
/// file as it is, and a fresh X25519 secret from which the signing key is derived.
pub fn plugin_identity_text(plugin_file: &Path, created: &str) -> Result<(Zeroizing<String>, String)> {
    let err = |message: String| Error::Identity {
        path: plugin_file.to_path_buf(),
        message,
    };
    let mut text = String::new();
    std::fs::File::open(plugin_file)
        .and_then(|f| f.take(MAX_IDENTITY_FILE).read_to_string(&mut text))
        .map_err(|e| Error::io(plugin_file, e))?;
    let (_, recipient) =
        plugin_lines(&text).ok_or_else(|| err("holds no age plugin identity (AGE-PLUGIN-…)".into()))?;
    let recipient = recipient.ok_or_else(|| err("names no recipient (a `# Recipient: age1…` line)".into()))?;
    if parse_x25519(&text).is_some() {
        return Err(err("already holds an X25519 secret".into()));
    }
    let secret = age::x25519::Identity::generate();
    let out = Zeroizing::new(format!(
        "{}\n# dossier signing secret, created {created}; it decrypts nothing of the vault\n{}\n",
        text.trim_end(),
        secret.to_string().expose_secret()
    ));
    Ok((out, recipient))
}

/// Loads an OpenSSH private key (Ed25519 or RSA), asking for its passphrase if it has one.
fn load_ssh(path: &Path, text: &str, passphrases: &mut dyn PassphraseSource) -> Result<Identity> {
    let err = |message: String| Error::Identity {
        path: path.to_path_buf(),
        message,
    };
    let mut key =
        ssh_key::PrivateKey::from_openssh(text.trim()).map_err(|e| err(format!("not a readable OpenSSH key ({e})")))?;
    if key.is_encrypted() {
        let passphrase = passphrases.passphrase(&format!("Passphrase for {}: ", path.display()), false)?;
        key = key
            .decrypt(passphrase.expose_secret().as_bytes())
            .map_err(|_| Error::WrongPassphrase {
                path: path.to_path_buf(),
            })?;
    }
    let signing = match key.key_data() {
        ssh_key::private::KeypairData::Ed25519(k) => SigningKey::from_bytes(&k.private.to_bytes()),
        ssh_key::private::KeypairData::Rsa(k) => {
            let mut seed = blake3::derive_key(SSH_SIGNING_KEY_CONTEXT, k.private.d.as_bytes());
            let key = SigningKey::from_bytes(&seed);
            seed.zeroize();
            key
        }
        _ => {
            return Err(err(
                "is an SSH key of a type age cannot use; use ssh-ed25519 or ssh-rsa".into(),
            ))
        }
    };
    let public = key.public_key().to_openssh().map_err(|e| err(e.to_string()))?;
    let recipient: Vec<&str> = public.split_whitespace().take(2).collect();
    let plain = key
        .to_openssh(ssh_key::LineEnding::LF)
        .map_err(|e| err(format!("cannot re-encode the key ({e})")))?;
    let age = match age::ssh::Identity::from_buffer(plain.as_bytes(), Some(path.display().to_string())) {
        Ok(i @ age::ssh::Identity::Unencrypted(_)) => i,
        _ => return Err(err("is an SSH key age cannot use".into())),
    };
    Ok(Identity {
        age: AgeKey::Ssh(age),
        recipient: recipient.join(" "),
        signing,
        path: path.to_path_buf(),
    })
}

fn parse_hybrid(text: &str) -> Option<super::hybrid::Identity> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("AGE-SECRET-KEY-PQ-1"))
        .find_map(|l| l.parse::<super::hybrid::Identity>().ok())
}

fn parse_x25519(text: &str) -> Option<age::x25519::Identity> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .find_map(|l| l.parse::<age::x25519::Identity>().ok())
}

fn is_age_file(raw: &[u8]) -> bool {
    let start = raw.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(raw.len());
    raw[start..].starts_with(b"age-encryption.org/") || raw[start..].starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
}

fn decrypt_identity_file(path: &Path, raw: &[u8], passphrases: &mut dyn PassphraseSource) -> Result<Zeroizing<String>> {
    let err = |message: String| Error::Identity {
        path: path.to_path_buf(),
        message,
    };
    // The age spec allows white space around an armored file; age's reader does not skip it.
    let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(raw.trim_ascii_start()))
        .map_err(|e| err(format!("not a readable age file ({e})")))?;
    if !decryptor.is_scrypt() {
        return Err(err("is encrypted to a recipient, not with a passphrase".into()));
    }
    let passphrase = passphrases.passphrase(&format!("Passphrase for {}: ", path.display()), false)?;
    let mut identity = age::scrypt::Identity::new(passphrase);
    identity.set_max_work_factor(MAX_SCRYPT_LOG_N);
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed
            | age::DecryptError::NoMatchingKeys
            | age::DecryptError::KeyDecryptionFailed => Error::WrongPassphrase {
                path: path.to_path_buf(),
            },
            other => err(format!("cannot decrypt ({other})")),
        })?;
    let mut out = Zeroizing::new(Vec::new());
    reader
        .read_to_end(&mut out)
        .map_err(|e| err(format!("cannot decrypt ({e})")))?;
    let text = String::from_utf8(out.to_vec()).map_err(|_| err("decrypts to something that is not text".into()))?;
    Ok(Zeroizing::new(text))
}

/// Encrypts `plaintext` with a passphrase (scrypt), ASCII-armored, as `age -p -a` does.
pub fn encrypt_with_passphrase(plaintext: &[u8], passphrase: SecretString) -> Result<Vec<u8>> {
    let mut recipient = age::scrypt::Recipient::new(passphrase);
    if let Some(log_n) = test_scrypt_work_factor() {
        recipient.set_work_factor(log_n);
    }
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
        .map_err(|e| Error::Invalid(format!("cannot encrypt the identity: {e}")))?;
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
        .map_err(|e| Error::Invalid(e.to_string()))?;
    let mut w = encryptor
        .wrap_output(armor)
        .map_err(|e| Error::Invalid(e.to_string()))?;
    w.write_all(plaintext).map_err(|e| Error::Invalid(e.to_string()))?;
    w.finish()
        .and_then(|a| a.finish())
        .map_err(|e| Error::Invalid(e.to_string()))?;
    Ok(out)
}

/// In debug builds only, tests may lower scrypt's cost with
/// `DOSSIER_TEST_SCRYPT_LOG_N`; release builds always use age's own calibration.
fn test_scrypt_work_factor() -> Option<u8> {
    if cfg!(debug_assertions) {
        std::env::var("DOSSIER_TEST_SCRYPT_LOG_N").ok()?.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(&'static str);
    impl PassphraseSource for Fixed {
        fn passphrase(&mut self, _: &str, _: bool) -> Result<SecretString> {
            Ok(SecretString::from(self.0.to_string()))
        }
    }

    #[test]
    fn signing_key_is_derived_deterministically() {
        let text = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
        let a: age::x25519::Identity = text.parse().unwrap();
        let b: age::x25519::Identity = text.parse().unwrap();
        assert_eq!(derive_signing_key(&a).to_bytes(), derive_signing_key(&b).to_bytes());
        let other = age::x25519::Identity::generate();
        assert_ne!(derive_signing_key(&a).to_bytes(), derive_signing_key(&other).to_bytes());
    }

    #[test]
    fn passphrase_file_round_trip() {
        std::env::set_var("DOSSIER_TEST_SCRYPT_LOG_N", "10");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("id.age");
        let id = Identity::generate();
        id.write_new(
            &path,
            "2026-01-01T00:00:00Z",
            Some(SecretString::from("correct horse".to_string())),
        )
        .unwrap();
        let raw = std::fs::read_to_string(&path).unwrap();
        assert!(raw.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
        assert!(!raw.contains("AGE-SECRET-KEY"));
        let back = Identity::load(&path, &mut Fixed("correct horse")).unwrap();
        assert_eq!(back.signing_public(), id.signing_public());
        assert!(matches!(
            Identity::load(&path, &mut Fixed("wrong")),
            Err(Error::WrongPassphrase { .. })
        ));
        assert!(id.write_new(&path, "x", None).is_err(), "overwrote an identity");
        // White space around the armor is allowed (CCTV armor_whitespace_outside).
        let spaced = format!("\n  \t{raw}\n\n ");
        let back = Identity::from_bytes(&path, spaced.as_bytes(), &mut Fixed("correct horse")).unwrap();
        assert_eq!(back.signing_public(), id.signing_public());
    }
}
