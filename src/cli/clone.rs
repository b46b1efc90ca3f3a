//! `dossier clone`: a new copy of a team's vault from its git remote.

use dossier::vault::sync;
use dossier::Result;

use super::Ctx;

/// Make a new copy of a vault from its git remote, on this machine
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier clone ssh://git@host/ngo/vault.git --vault ~/cases
  dossier clone /media/usb/vault.git --vault ~/cases

The new copy gets its own device id, checks everything it fetched, and syncs
with the remote from then on (`dossier sync`). Your identity must be a member.")]
pub struct Args {
    /// The git remote's URL or path
    url: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let (outcome, _) = sync::clone(&ctx.vault_dir()?, &args.url, ctx.identity()?)?;
    Ok(super::sync::report(ctx, outcome))
}
