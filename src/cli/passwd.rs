//! `dossier passwd`: change an identity's passphrase.

use dossier::crypto::identity::change_passphrase;
use dossier::Result;
use secrecy::SecretString;

use super::{ask_passphrase, passphrase_from_file, Ctx, Passphrases};

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
    match passphrase_from_file("DOSSIER_NEW_PASSPHRASE_FILE") {
        Some(p) => p,
        None => ask_passphrase("New passphrase: ", true, "DOSSIER_NEW_PASSPHRASE_FILE"),
    }
}
