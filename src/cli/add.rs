//! `dossier add`: append records given as JSON.

use std::path::PathBuf;

use std::io::IsTerminal;

use dossier::domain::input::{parse_records, read_records};
use dossier::domain::record::Record;
use dossier::format::hex;
use dossier::vault::Vault;
use dossier::{Error, Result};

use super::{guided, output, Ctx};

/// Add records to a case: asked field by field on a terminal, or from JSON
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier add statkevich-2010 testimony               # on a terminal: asked field by field
  dossier add statkevich-2010 --from testimony.json
  dossier add statkevich-2010 --from case.jsonl       # several records, all or nothing
  echo '{\"type\":\"note\",\"text\":\"Visit refused.\"}' | dossier add statkevich-2010 --from -

Record types: person, testimony, event, note (see docs/FORMAT.md §4).
Any error names the line and writes nothing.

Without --from, on a terminal, dossier asks for each field of the record, offers
the choices for roles, consent, acts and event kinds, shows a summary and asks
before adding it. Long text is typed in place (a line with only . ends it):
nothing is written to disk until the record is added, encrypted.")]
pub struct Args {
    /// The case
    case: String,
    /// The type of record to be asked for, field by field, on a terminal
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(guided::TYPES), conflicts_with = "from")]
    r#type: Option<String>,
    /// The JSON file, or - for standard input
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let Some(from) = &args.from else {
        return guided_entry(ctx, &args);
    };
    let (records, origin) = read_input(from)?;
    let mut vault = ctx.open(true)?;
    let ids = vault.add(&args.case, &records, &origin)?;
    report(ctx, &args.case, &ids);
    Ok(0)
}

/// `add CASE [TYPE]` without --from: ask on the terminal, or say how to give the record.
fn guided_entry(ctx: &Ctx, args: &Args) -> Result<i32> {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        eprintln!(
            "dossier: no --from FILE and no terminal to ask on; give the record as JSON: `dossier add {} --from FILE` (- for standard input)",
            args.case
        );
        return Ok(2);
    }
    // Unlock once; read the case's people, then release the vault while the
    // person types, and open it for writing only to add the record.
    let vault = ctx.open(false)?;
    let (_, case) = vault.case(&args.case)?;
    let people: Vec<guided::Person> = case
        .records
        .iter()
        .filter(|r| r.retraction.is_none())
        .filter_map(|r| match &r.latest().record {
            Record::Person(p) => p.handle.as_ref().map(|h| guided::Person {
                handle: h.clone(),
                name: p.name.clone(),
            }),
            _ => None,
        })
        .collect();
    drop(case);
    let identity = vault.into_identity();
    let type_name = match &args.r#type {
        Some(t) => t.as_str(),
        None => guided::ask_type()?,
    };
    let Some(json) = guided::ask(type_name, &args.case, &people)? else {
        eprintln!("nothing was added");
        return Ok(1);
    };
    let records = parse_records(json.as_bytes(), "your answers")?;
    let mut vault = Vault::open(&ctx.vault_dir()?, identity, true)?;
    let ids = vault.add(&args.case, &records, "guided entry")?;
    report(ctx, &args.case, &ids);
    Ok(0)
}

fn report(ctx: &Ctx, case: &str, ids: &[[u8; 32]]) {
    for id in ids {
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
            case
        );
    }
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
