//! `dossier log`: a case's records, as they stand now.

use dossier::domain::record::{vocab_name, Record};
use dossier::format::hex;
use dossier::vault::state::{Case, RecordState};
use dossier::Result;

use super::output::{self, paint, style};
use super::Ctx;

/// List a case's records as they stand now (latest versions, with their status)
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier log statkevich-2010
  dossier log statkevich-2010 --json     # one object a line (keys: docs/CLI.md)

Records are grouped by type (people, events, testimony, notes, documents), each
group in date order, and marked by status: + current, ~ amended (the latest
version is shown), x retracted. `dossier show ID` tells a record's whole story.")]
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
    timeline(&case);
    Ok(0)
}

/// The groups of the timeline, in the order a reader wants them.
const GROUPS: &[(&str, &str)] = &[
    ("person", "People"),
    ("event", "Events"),
    ("testimony", "Testimony"),
    ("note", "Notes"),
    ("document", "Documents"),
];

/// The case as people read it: a heading, then each type's records in date order.
fn timeline(case: &Case) {
    let title = case.title.as_deref().map(|t| format!(" — {t}")).unwrap_or_default();
    let heading = format!("{}{title}", case.name);
    output::styled(&paint(style::HEADING, &output::safe_line(&heading)));
    let count = |s: &str| case.records.iter().filter(|r| r.status() == s).count();
    output::line(&format!(
        "{} record{}: {} current, {} amended, {} retracted",
        case.records.len(),
        if case.records.len() == 1 { "" } else { "s" },
        count("current"),
        count("amended"),
        count("retracted")
    ));
    for (type_name, heading) in GROUPS {
        let mut rows: Vec<&RecordState> = case
            .records
            .iter()
            .filter(|r| r.latest().record.type_name() == *type_name)
            .collect();
        if rows.is_empty() {
            continue;
        }
        // Partial ISO dates sort as text ("2010" < "2010-12" < "2010-12-19");
        // undated records come last, in the order they were recorded (the
        // branches of a fork joined by `sync` interleave by recorded time).
        rows.sort_by_key(|r| {
            r.latest()
                .record
                .date()
                .map_or_else(|| (1, r.versions[0].time.clone()), |d| (0, d.to_string()))
        });
        output::line("");
        output::styled(&paint(style::HEADING, heading));
        for r in rows {
            output::styled(&row(r));
        }
    }
    if !case.records.is_empty() {
        output::line("");
        output::styled(&paint(
            style::DIM,
            "+ current   ~ amended (latest version shown)   x retracted (kept in the history, never exported)",
        ));
    }
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

/// A record's line in the timeline: status mark, date, short id, summary, status word.
pub fn row(r: &RecordState) -> String {
    let rec = &r.latest().record;
    let (mark, word, colour) = match r.status() {
        "amended" => ("~", " (amended)", style::AMENDED),
        "retracted" => ("x", " (RETRACTED)", style::RETRACTED),
        _ => ("+", "", anstyle::Style::new()),
    };
    let text = output::clip(&summary(rec), 70);
    let text = if r.retraction.is_some() {
        paint(style::DIM, &text)
    } else {
        text
    };
    format!(
        "  {} {}  {}  {}{}",
        paint(colour, mark),
        paint(style::DATE, &output::pad(rec.date().unwrap_or("—"), 10)),
        paint(style::DIM, &hex(&r.id)[..16]),
        text,
        paint(colour, word)
    )
}
