//! `dossier keygen`: a new identity.

use std::path::PathBuf;

use dossier::crypto::identity::{
    derive_signing_key, plugin_identity_text, write_identity_file, Identity, PassphraseSource,
};
use dossier::crypto::keys::signing_key_to_string;
use dossier::Result;

use super::{output, Passphrases};

/// Create a new identity: an age X25519 identity, passphrase-protected
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier keygen --output ~/alice.key
  dossier keygen --output alice.key --no-passphrase    # the plain age-keygen form
  dossier keygen --output alice.key --plugin yubikey-identity.txt   # a hardware token decrypts
  dossier keygen --pq --output ~/alice.key   # hybrid post-quantum (age1pq1..., read by age 1.3+)

The file is exactly what age-keygen writes, encrypted the way `age -p -a` does
unless --no-passphrase is given; stock `age -d -i FILE` accepts both.
The passphrase is read from the terminal (twice), or from DOSSIER_PASSPHRASE_FILE.")]
pub struct Args {
    /// Where to write the identity (never overwritten)
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,

    /// Write the identity unencrypted, exactly as age-keygen does
    #[arg(long)]
    no_passphrase: bool,

    /// Make an identity for an age plugin (a hardware token) from the plugin's
    /// identity file: the plugin decrypts, and a signing secret is added beside it
    #[arg(long, value_name = "PLUGIN-IDENTITY-FILE", conflicts_with = "pq")]
    plugin: Option<PathBuf>,

    /// Make a hybrid post-quantum identity (ML-KEM-768 + X25519,
    /// AGE-SECRET-KEY-PQ-1...): files sealed to it stay secret against a
    /// future quantum computer. Go age 1.3 and typage read it; older age does not
    #[arg(long)]
    pq: bool,
}

pub fn run(args: Args, json: bool) -> Result<i32> {
    if args.output.exists() {
        return Err(dossier::Error::Invalid(format!(
            "{} already exists; refusing to overwrite an identity",
            args.output.display()
        )));
    }
    let passphrase = if args.no_passphrase {
        None
    } else {
        Some(Passphrases.passphrase("New passphrase for the identity: ", true)?)
    };
    let (recipient, signing) = match &args.plugin {
        None => {
            let identity = if args.pq {
                Identity::generate_hybrid()
            } else {
                Identity::generate()
            };
            identity.write_new(&args.output, &dossier::vault::now(), passphrase)?;
            (identity.recipient(), identity.signing_public())
        }
        Some(file) => {
            let (text, recipient) = plugin_identity_text(file, &dossier::vault::now())?;
            let secret = text
                .lines()
                .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
                .and_then(|l| l.parse::<age::x25519::Identity>().ok())
                .expect("the text was just made with a secret");
            write_identity_file(&args.output, &text, passphrase)?;
            (recipient, derive_signing_key(&secret).verifying_key().to_bytes())
        }
    };
    let signing = signing_key_to_string(&signing);
    if json {
        output::json(&serde_json::json!({"recipient": recipient, "signing_key": signing}));
    } else {
        eprintln!("wrote a new identity to {}", args.output.display());
        output::line(&format!("Public key: {recipient}"));
        output::line(&format!("Signing key: {signing}"));
    }
    Ok(0)
}
