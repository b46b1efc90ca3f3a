//! `dossier keygen`: a new identity.

use std::path::PathBuf;

use dossier::crypto::identity::{Identity, PassphraseSource};
use dossier::crypto::keys::signing_key_to_string;
use dossier::Result;

use super::{output, Passphrases};

/// Create a new identity: an age X25519 identity, passphrase-protected
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier keygen --output ~/alice.key
  dossier keygen --output alice.key --no-passphrase    # the plain age-keygen form

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
}

pub fn run(args: Args, json: bool) -> Result<i32> {
    if args.output.exists() {
        return Err(dossier::Error::Invalid(format!(
            "{} already exists; refusing to overwrite an identity",
            args.output.display()
        )));
    }
    let identity = Identity::generate();
    let passphrase = if args.no_passphrase {
        None
    } else {
        Some(Passphrases.passphrase("New passphrase for the identity: ", true)?)
    };
    identity.write_new(&args.output, &dossier::vault::now(), passphrase)?;
    let signing = signing_key_to_string(&identity.signing_public());
    if json {
        output::json(&serde_json::json!({"recipient": identity.recipient(), "signing_key": signing}));
    } else {
        eprintln!("wrote a new identity to {}", args.output.display());
        output::line(&format!("Public key: {}", identity.recipient()));
        output::line(&format!("Signing key: {signing}"));
    }
    Ok(0)
}
