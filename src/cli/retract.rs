//! `dossier retract`: withdraw a record.

use dossier::format::hex;
use dossier::Result;

use super::{output, Ctx};

/// Withdraw a record; it stays in the history, marked retracted, and is never exported
#[derive(clap::Args)]
#[command(after_help = "Example:
  dossier retract 3f9c2a71b0d4 --reason \"witness withdrew consent\"")]
pub struct Args {
    /// The record's id (at least 8 hex digits)
    record: String,
    /// Why, for the record
    #[arg(long)]
    reason: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let mut vault = ctx.open(true)?;
    let id = vault.retract(&args.record, &args.reason)?;
    if ctx.json {
        output::json(&serde_json::json!({"id": hex(&id)}));
    } else {
        output::line(&hex(&id));
        eprintln!("retracted record {}", args.record);
    }
    Ok(0)
}
