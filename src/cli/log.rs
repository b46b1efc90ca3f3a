//! `dossier log`: a case's records, as they stand now.

use dossier::domain::record::{vocab_name, Record};
use dossier::format::hex;
use dossier::vault::state::RecordState;
use dossier::Result;

use super::{output, Ctx};

/// List a case's records as they stand now (latest versions, with their status)
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier log statkevich-2010
  dossier log statkevich-2010 --json | jq .   # one object a line: id, type, time, author, status, fields

Status: current, amended (showing the latest version) or retracted.")]
pub struct Args {
    /// The case
    case: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let vault = ctx.open(false)?;
    let (_, case) = vault.case(&args.case)?;
    if ctx.json {
        for v in vault.log_json(&case) {
            output::json(&v);
        }
        return Ok(0);
    }
    match &case.title {
        Some(t) => output::line(&format!("{} — {t}", case.name)),
        None => output::line(&case.name),
    }
    for r in &case.records {
        output::line(&row(r));
    }
    Ok(0)
}

/// One line that says what a record is.
pub fn summary(rec: &Record) -> String {
    let text = |t: &Option<String>| t.as_deref().map(|s| format!(": {s}")).unwrap_or_default();
    match rec {
        Record::Person(p) => {
            let role = p.role.map_or_else(|| "person".into(), |r| vocab_name(&r));
            format!("{} ({role}{})", p.name, if p.public { ", public" } else { "" })
        }
        Record::Testimony(t) => format!(
            "witness {}, consent {}{}",
            t.witness,
            vocab_name(&t.consent),
            text(&t.text)
        ),
        Record::Event(e) => format!("{}{}", vocab_name(&e.kind), text(&e.text)),
        Record::Note(n) => n.text.clone(),
        Record::Document(d) => format!("{} ({}, {} bytes)", d.name, d.media_type, d.size),
    }
}

/// A record's line in the timeline: short id, date, type, summary, status mark.
pub fn row(r: &RecordState) -> String {
    let rec = &r.latest().record;
    let mark = match r.status() {
        "amended" => " (amended)",
        "retracted" => " (RETRACTED)",
        _ => "",
    };
    format!(
        "{}  {:<10}  {:<9}  {}{}",
        &hex(&r.id)[..16],
        rec.date().unwrap_or("—"),
        rec.type_name(),
        output::clip(&summary(rec), 70),
        mark
    )
}
