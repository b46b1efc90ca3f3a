//! `dossier checkpoint`: a signed token of how far a case has come, to keep elsewhere.

use dossier::Result;

use super::{output, Ctx};

/// Print a short signed token of the case as it is now; keep it somewhere else
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier checkpoint statkevich-2010
  dossier verify statkevich-2010 --checkpoint dossiercp1...

Keep the token apart from the vault: on paper, on a phone, in a message to a
colleague. It holds no case content, only hashes and a signature. Later,
`verify --checkpoint TOKEN` tells whether the vault was rolled back to an
older copy, or the case removed, which no signature in the vault can show.")]
pub struct Args {
    case: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let vault = ctx.open(false)?;
    let token = vault.checkpoint(&args.case)?;
    if ctx.json {
        output::json(&serde_json::json!({"case": args.case, "checkpoint": token}));
    } else {
        output::line(&token);
        eprintln!("keep this token apart from the vault; `dossier verify --checkpoint TOKEN` checks against it");
    }
    Ok(0)
}
