//! `dossier rotate`: seal every file anew to the current members.

use dossier::Result;

use super::{member::done, progress::Bar, Ctx};

/// Seal every file of a case (or the whole vault) anew to its current members
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier rotate statkevich-2010
  dossier rotate --all

`case revoke`, `member remove` and `member rekey` rotate by themselves; run this
to finish a rotation a crash interrupted, or when `case list` says one is pending.
Signatures do not change, so `dossier verify` passes before and after.")]
pub struct Args {
    /// The case to rotate
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    case: Option<String>,
    /// Rotate the roster and every case you are a member of
    #[arg(long)]
    all: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let mut vault = ctx.open(true)?;
    let report = vault.rotate(args.case.as_deref(), &mut Bar::new("rotating"))?;
    done(ctx, "rotated", &report);
    Ok(0)
}
