//! `dossier get`: write a document's content back out, checked against its hash.

use std::path::PathBuf;

use dossier::format::hex;
use dossier::Result;

use super::{output, progress::ByteBar, Ctx};

/// Write an attached document's content to a new file, checked against its recorded hash
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier get 3f9c2a71b0d4 --output hearing.mp3
  dossier get 3f9c2a71 --output ruling.pdf --json     # keys: docs/CLI.md

The content is decrypted into a temporary file beside FILE and checked, age
chunk by age chunk and then against the BLAKE3 hash in the signed record;
only then is it renamed to FILE (mode 0600). On any mismatch or damage
nothing is written. FILE must not exist.")]
pub struct Args {
    /// The document's record id (at least 8 hex digits)
    record: String,
    /// Where to write the content: a new file
    #[arg(long, short = 'o', value_name = "FILE")]
    output: PathBuf,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let vault = ctx.open(false)?;
    let found = {
        let mut bar = ByteBar::new("decrypting");
        vault.get(&args.record, &args.output, &mut bar)?
    };
    let d = &found.document;
    if ctx.json {
        output::json(&serde_json::json!({
            "id": hex(&found.id), "case": found.case, "output": args.output.display().to_string(),
            "name": d.name, "media_type": d.media_type, "size": d.size, "hash": d.hash,
            "status": if found.retracted { "retracted" } else { "current" },
        }));
    } else {
        eprintln!(
            "wrote {} ({} bytes, {} checked) to {}{}",
            output::safe_line(&d.name),
            d.size,
            d.hash,
            args.output.display(),
            if found.retracted {
                "; note: this document's record was retracted"
            } else {
                ""
            }
        );
    }
    Ok(0)
}
