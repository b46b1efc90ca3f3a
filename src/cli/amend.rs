//! `dossier amend`: a new version of a record.

use std::path::PathBuf;

use dossier::format::hex;
use dossier::vault::Vault;
use dossier::Result;

use super::{output, Ctx};

/// Correct a record: the new version is appended; the old one stays in the history
#[derive(clap::Args)]
#[command(after_help = "Example:
  dossier amend 3f9c2a71b0d4 --from corrected.json

The file holds the whole corrected record, of the same type.")]
pub struct Args {
    /// The record's id (at least 8 hex digits)
    record: String,
    /// The corrected record as JSON, or - for standard input
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let (records, origin) = super::add::read_input(&args.from)?;
    let parsed = Vault::parse_one(records, &origin)?;
    let mut vault = ctx.open(true)?;
    let id = vault.amend(&args.record, &parsed, &origin)?;
    if ctx.json {
        output::json(&serde_json::json!({"id": hex(&id)}));
    } else {
        output::line(&hex(&id));
        eprintln!("amended record {}", args.record);
    }
    Ok(0)
}
