//! A test stand-in for a hardware token: an age plugin, `age-plugin-dossiertest`,
//! built by `cargo test` with the examples, that speaks the real age plugin
//! protocol (through the `age-plugin` crate) so that the tests can drive a
//! plugin identity end to end: keygen, membership, decryption, signing, and
//! no local pack (docs/FORMAT.md §17).
//!
//! Its "token" is an X25519 key held in the identity string itself: the
//! stanzas it writes are age's X25519 stanzas under the tag `dossiertest`.
//! Nothing about it is secure; it only exists to be a plugin.
//!
//! ```text
//! age-plugin-dossiertest --generate     # prints "# recipient: age1dossiertest1..." and AGE-PLUGIN-DOSSIERTEST-1...
//! ```
//! Every decryption is counted in the file named by `DOSSIERTEST_LOG`, if set.

use std::collections::{HashMap, HashSet};
use std::io;

use age::secrecy::ExposeSecret;
use age::{Identity as _, Recipient as _};
use age_core::format::{FileKey, Stanza};
use age_plugin::identity::{self, IdentityPluginV1};
use age_plugin::recipient::{self, RecipientPluginV1};
use age_plugin::{print_new_identity, run_state_machine, Callbacks, PluginHandler};
use bech32::{Bech32, Hrp};

const NAME: &str = "dossiertest";
const TAG: &str = "dossiertest";
const X25519_TAG: &str = "X25519";

fn bytes_of(text: &str) -> Vec<u8> {
    bech32::decode(text).expect("age writes valid Bech32").1
}

fn x25519_recipient(bytes: &[u8]) -> Option<age::x25519::Recipient> {
    bech32::encode::<Bech32>(Hrp::parse("age").ok()?, bytes)
        .ok()?
        .parse()
        .ok()
}

fn x25519_identity(bytes: &[u8]) -> Option<age::x25519::Identity> {
    bech32::encode::<Bech32>(Hrp::parse("age-secret-key-").ok()?, bytes)
        .ok()?
        .to_uppercase()
        .parse()
        .ok()
}

#[derive(Default)]
struct Recipients(Vec<age::x25519::Recipient>);

impl RecipientPluginV1 for Recipients {
    fn add_recipient(&mut self, index: usize, _: &str, bytes: &[u8]) -> Result<(), recipient::Error> {
        let r = x25519_recipient(bytes).ok_or(recipient::Error::Recipient {
            index,
            message: "not a dossiertest recipient".into(),
        })?;
        self.0.push(r);
        Ok(())
    }

    fn add_identity(&mut self, index: usize, _: &str, bytes: &[u8]) -> Result<(), recipient::Error> {
        let i = x25519_identity(bytes).ok_or(recipient::Error::Identity {
            index,
            message: "not a dossiertest identity".into(),
        })?;
        self.0.push(i.to_public());
        Ok(())
    }

    fn labels(&mut self) -> HashSet<String> {
        HashSet::new()
    }

    fn wrap_file_keys(
        &mut self,
        file_keys: Vec<FileKey>,
        _: impl Callbacks<recipient::Error>,
    ) -> io::Result<Result<Vec<Vec<Stanza>>, Vec<recipient::Error>>> {
        let mut out = Vec::new();
        for key in &file_keys {
            let mut stanzas = Vec::new();
            for r in &self.0 {
                let (wrapped, _) = r.wrap_file_key(key).map_err(io::Error::other)?;
                stanzas.extend(wrapped.into_iter().map(|mut s| {
                    s.tag = TAG.into();
                    s
                }));
            }
            out.push(stanzas);
        }
        Ok(Ok(out))
    }
}

#[derive(Default)]
struct Identities(Vec<age::x25519::Identity>);

impl IdentityPluginV1 for Identities {
    fn add_identity(&mut self, index: usize, _: &str, bytes: &[u8]) -> Result<(), identity::Error> {
        let i = x25519_identity(bytes).ok_or(identity::Error::Identity {
            index,
            message: "not a dossiertest identity".into(),
        })?;
        self.0.push(i);
        Ok(())
    }

    fn unwrap_file_keys(
        &mut self,
        files: Vec<Vec<Stanza>>,
        _: impl Callbacks<identity::Error>,
    ) -> io::Result<HashMap<usize, Result<FileKey, Vec<identity::Error>>>> {
        if let Some(log) = std::env::var_os("DOSSIERTEST_LOG") {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
            writeln!(f, "unwrap {}", files.len())?;
        }
        let mut out = HashMap::new();
        for (n, stanzas) in files.into_iter().enumerate() {
            let found = stanzas.into_iter().filter(|s| s.tag == TAG).find_map(|mut s| {
                s.tag = X25519_TAG.into();
                self.0.iter().find_map(|i| i.unwrap_stanza(&s)?.ok())
            });
            if let Some(key) = found {
                out.insert(n, Ok(key));
            }
        }
        Ok(out)
    }
}

struct Handler;

impl PluginHandler for Handler {
    type RecipientV1 = Recipients;
    type IdentityV1 = Identities;

    fn recipient_v1(self) -> io::Result<Recipients> {
        Ok(Recipients::default())
    }

    fn identity_v1(self) -> io::Result<Identities> {
        Ok(Identities::default())
    }
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some(a) if a.starts_with("--age-plugin=") => run_state_machine(&a["--age-plugin=".len()..], Handler),
        Some("--generate") => {
            let secret = age::x25519::Identity::generate();
            let identity = bytes_of(secret.to_string().expose_secret());
            let recipient = bytes_of(&secret.to_public().to_string());
            print_new_identity(NAME, &identity, &recipient);
            Ok(())
        }
        _ => Err(io::Error::other("usage: age-plugin-dossiertest --generate")),
    }
}
