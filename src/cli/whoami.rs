//! `dossier whoami`: the identity's public keys.

use dossier::crypto::keys::signing_key_to_string;
use dossier::Result;

use super::{output, Ctx};

/// Print your identity's age recipient and signing key
#[derive(clap::Args)]
#[command(after_help = "Example:
  dossier whoami --json     # {\"recipient\": \"age1...\", \"signing_key\": \"dossiersig1...\"}

Send both to the vault's owner to be added as a member.")]
pub struct Args {}

pub fn run(ctx: &Ctx, _: Args) -> Result<i32> {
    let id = ctx.identity()?;
    let signing = signing_key_to_string(&id.signing_public());
    if ctx.json {
        output::json(&serde_json::json!({"recipient": id.recipient(), "signing_key": signing}));
    } else {
        output::line(&format!("recipient:   {}", id.recipient()));
        output::line(&format!("signing key: {signing}"));
    }
    Ok(0)
}
