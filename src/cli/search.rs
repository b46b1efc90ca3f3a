//! `dossier search`: find records by their text.

use dossier::format::hex;
use dossier::Result;

use super::{output, Ctx};

/// Find records whose text contains TEXT (ignoring letter case), in every case you can read
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier search \"stress positions\"
  dossier search Akrestsina --case statkevich-2010 --json")]
pub struct Args {
    /// The text to look for
    text: String,
    /// Only this case
    #[arg(long)]
    case: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let vault = ctx.open(false)?;
    let (hits, skipped) = vault.search(&args.text, args.case.as_deref())?;
    for u in &skipped {
        eprintln!(
            "not searched: {}; run `dossier verify {}`",
            output::safe_line(&u.why),
            output::safe_line(&u.name)
        );
    }
    for h in &hits {
        if ctx.json {
            output::json(&serde_json::json!({
                "case": h.case, "id": hex(&h.id), "type": h.type_name, "status": h.status, "snippet": h.snippet,
            }));
        } else {
            output::line(&format!(
                "{}  {}  {:<9}  {}",
                h.case,
                &hex(&h.id)[..16],
                h.type_name,
                h.snippet
            ));
        }
    }
    if !ctx.json {
        eprintln!("{} record{} found", hits.len(), if hits.len() == 1 { "" } else { "s" });
    }
    Ok(0)
}
