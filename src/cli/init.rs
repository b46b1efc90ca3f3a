//! `dossier init`: a new vault.

use dossier::vault::Vault;
use dossier::Result;

use super::{output, Ctx};

/// Create a new vault owned by your identity
#[derive(clap::Args)]
#[command(after_help = "Example:
  dossier --vault ~/cases --identity alice.key init --name alice")]
pub struct Args {
    /// Your name on the vault's roster
    #[arg(long, default_value = "owner")]
    name: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let dir = ctx.vault_dir()?;
    let vault = Vault::init(&dir, ctx.identity()?, &args.name)?;
    if ctx.json {
        output::json(&serde_json::json!({"vault": dir, "owner": vault.me().name}));
    } else {
        eprintln!("created a vault at {} owned by {}", dir.display(), vault.me().name);
    }
    Ok(0)
}
