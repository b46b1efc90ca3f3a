//! `dossier attach`: add a document, streamed, of any size.

use std::path::PathBuf;

use dossier::format::hex;
use dossier::Result;

use super::{output, progress::ByteBar, Ctx};

/// Attach a document (scan, photo, audio, any file) to a case; streams, any size
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier attach statkevich-2010 hearing-2011-05.mp3 --note \"hearing audio\"
  dossier attach statkevich-2010 court-ruling.pdf --json     # keys: docs/CLI.md

The content is encrypted to the case's members as it is read, in its own file
in the vault, and a signed record keeps its file name, media type, size and
BLAKE3 hash (`dossier show ID` prints them). Prints the new record's id; get
the file back with `dossier get ID --output FILE`. A progress bar is shown on
a terminal.")]
pub struct Args {
    /// The case
    case: String,
    /// The file to attach
    file: PathBuf,
    /// A note kept with the document (encrypted, like its name)
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let mut vault = ctx.open(true)?;
    let (id, d) = {
        let mut bar = ByteBar::new("attaching");
        vault.attach(&args.case, &args.file, args.note.as_deref(), &mut bar)?
    };
    if ctx.json {
        output::json(&serde_json::json!({
            "id": hex(&id), "case": args.case, "name": d.name, "media_type": d.media_type,
            "size": d.size, "hash": d.hash,
        }));
    } else {
        output::line(&hex(&id));
        eprintln!(
            "attached {} ({}, {} bytes) to {}; {}",
            output::safe_line(&d.name),
            output::safe_line(&d.media_type),
            d.size,
            args.case,
            d.hash
        );
    }
    Ok(0)
}
