//! `dossier add`: append records given as JSON.

use std::path::PathBuf;

use dossier::domain::input::read_records;
use dossier::format::hex;
use dossier::{Error, Result};

use super::{output, Ctx};

/// Append records to a case, from JSON (one object, or JSON lines of several)
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier add statkevich-2010 --from testimony.json
  dossier add statkevich-2010 --from case.jsonl       # several records, all or nothing
  echo '{\"type\":\"note\",\"text\":\"Visit refused.\"}' | dossier add statkevich-2010 --from -

Record types: person, testimony, event, note (see docs/FORMAT.md §4).
Any error names the line and writes nothing.")]
pub struct Args {
    /// The case
    case: String,
    /// The JSON file, or - for standard input
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let (records, origin) = read_input(&args.from)?;
    let mut vault = ctx.open(true)?;
    let ids = vault.add(&args.case, &records, &origin)?;
    for id in &ids {
        if ctx.json {
            output::json(&serde_json::json!({"id": hex(id)}));
        } else {
            output::line(&hex(id));
        }
    }
    if !ctx.json {
        eprintln!(
            "added {} record{} to {}",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            args.case
        );
    }
    Ok(0)
}

/// Reads records from a file or standard input (`-`).
pub fn read_input(from: &PathBuf) -> Result<(Vec<dossier::domain::input::Parsed>, String)> {
    if from.as_os_str() == "-" {
        let records = read_records(std::io::stdin().lock(), "standard input")?;
        Ok((records, "standard input".into()))
    } else {
        let origin = from.display().to_string();
        let file = std::fs::File::open(from).map_err(|e| Error::Io {
            path: from.clone(),
            source: e,
        })?;
        Ok((read_records(file, &origin)?, origin))
    }
}
