//! `dossier passwd`: change an identity's passphrase.

use std::path::PathBuf;

use dossier::crypto::identity::change_passphrase;
use dossier::{Error, Result};
use secrecy::SecretString;

use super::{Ctx, Passphrases};

/// Change (or set) the passphrase of your identity file
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier --identity alice.key passwd

Asks for the current passphrase (if the file has one) and the new one, twice.
The file is replaced in one atomic step once the new one is safely on disk.
For automation, DOSSIER_NEW_PASSPHRASE_FILE may name a file holding the new one.")]
pub struct Args {}

pub fn run(ctx: &Ctx, _: Args) -> Result<i32> {
    let path = ctx.identity_path()?;
    let new = new_passphrase()?;
    change_passphrase(&path, &mut Passphrases, new)?;
    eprintln!("changed the passphrase of {}", path.display());
    Ok(0)
}

fn new_passphrase() -> Result<SecretString> {
    if let Some(file) = std::env::var_os("DOSSIER_NEW_PASSPHRASE_FILE") {
        let path = PathBuf::from(file);
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(&path).map_err(|e| Error::Io { path, source: e })?);
        let line = text.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            return Err(Error::Invalid(
                "DOSSIER_NEW_PASSPHRASE_FILE holds an empty passphrase".into(),
            ));
        }
        return Ok(SecretString::from(line.to_string()));
    }
    let ask = |p: &str| {
        rpassword::prompt_password(p).map_err(|_| {
            Error::Invalid("no terminal to ask for the new passphrase; set DOSSIER_NEW_PASSPHRASE_FILE".into())
        })
    };
    let first = zeroize::Zeroizing::new(ask("New passphrase: ")?);
    if first.is_empty() {
        return Err(Error::Invalid("the passphrase is empty".into()));
    }
    let second = zeroize::Zeroizing::new(ask("Again, to confirm: ")?);
    if *first != *second {
        return Err(Error::Invalid("the two passphrases differ; nothing was written".into()));
    }
    Ok(SecretString::from(first.to_string()))
}
