//! `dossier show`: one record, with its history.

use dossier::crypto::keys::signing_key_to_string;
use dossier::format::hex;
use dossier::vault::record_json;
use dossier::Result;

use super::output::{self, paint, style};
use super::Ctx;

/// Show a record: its fields, every version with author, time and entry hash, and any retraction
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier show 3f9c2a71b0d4
  dossier show 3f9c2a71 --json     # one object (keys: docs/CLI.md)

Shows who wrote the record (author), when (time) and the hash of its log entry
(entry), then every earlier version and any retraction, then the fields.")]
pub struct Args {
    /// The record's id (at least 8 hex digits of it, or of any of its versions)
    record: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let vault = ctx.open(false)?;
    let (_, case, i) = vault.find_record(&args.record)?;
    let r = &case.records[i];
    let history: Vec<serde_json::Value> = r
        .versions
        .iter()
        .map(|v| {
            serde_json::json!({
                "entry": hex(&v.entry), "time": v.time, "author": vault.author_name(&v.author),
                "signing_key": signing_key_to_string(&v.author), "record": v.record,
            })
        })
        .collect();
    let retraction = r.retraction.as_ref().map(|x| {
        serde_json::json!({"entry": hex(&x.entry), "time": x.time, "author": vault.author_name(&x.author), "reason": x.reason})
    });
    if ctx.json {
        let mut v = record_json(r, vault.author_name(&r.latest().author));
        v["case"] = case.name.clone().into();
        v["history"] = history.into();
        v["retraction"] = retraction.unwrap_or_default();
        output::json(&v);
        return Ok(0);
    }
    let latest = r.latest();
    // `value` is stored text, made safe here; `status` alone is painted.
    let line =
        |label: &str, value: &str| output::styled(&format!("{} {value}", paint(style::LABEL, &output::pad(label, 8))));
    let field = |label: &str, value: &str| line(label, &output::safe_line(value));
    field("record", &hex(&r.id));
    field("case", &case.name);
    field("type", latest.record.type_name());
    let status = match r.status() {
        "amended" => paint(style::AMENDED, "amended (the latest version is shown)"),
        "retracted" => paint(style::RETRACTED, "retracted (kept in the history, never exported)"),
        s => s.to_string(),
    };
    line("status", &status);
    field("author", &vault.author_name(&latest.author));
    field("time", &latest.time);
    field("entry", &hex(&latest.entry));
    if r.versions.len() > 1 || r.retraction.is_some() {
        output::line("");
        output::styled(&paint(style::HEADING, "History"));
        for (n, v) in r.versions.iter().enumerate() {
            output::styled(&format!(
                "  version {}  {}  by {}  entry {}",
                n + 1,
                paint(style::DATE, &v.time),
                output::safe_line(&vault.author_name(&v.author)),
                paint(style::DIM, &hex(&v.entry))
            ));
        }
        if let Some(x) = &r.retraction {
            output::styled(&format!(
                "  {}  {}  by {}  entry {}  reason: {}",
                paint(style::RETRACTED, "retracted"),
                paint(style::DATE, &x.time),
                output::safe_line(&vault.author_name(&x.author)),
                paint(style::DIM, &hex(&x.entry)),
                output::safe_line(&x.reason)
            ));
        }
    }
    output::line("");
    output::styled(&paint(style::HEADING, "Fields"));
    for (name, value) in fields(&latest.record) {
        let label = paint(style::LABEL, &output::pad(&name, 13));
        let mut lines = value.lines();
        output::styled(&format!("  {label} {}", output::safe(lines.next().unwrap_or(""))));
        for more in lines {
            output::line(&format!("  {:13} {more}", ""));
        }
    }
    Ok(0)
}

/// The order fields are shown in; any other comes after, by name.
const ORDER: &[&str] = &[
    "ref",
    "name",
    "kind",
    "witness",
    "consent",
    "role",
    "public",
    "date",
    "aliases",
    "acts",
    "perpetrators",
    "persons",
    "place",
    "location",
    "interviewer",
    "language",
    "contact",
    "media_type",
    "size",
    "tags",
    "text",
];

/// A record's fields for people: `name`, `value` (lists joined, `contact.phone` spelt out).
fn fields(record: &dossier::domain::record::Record) -> Vec<(String, String)> {
    fn text(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(", "),
            serde_json::Value::Null => "—".into(),
            other => other.to_string(),
        }
    }
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(record) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in &map {
        if k == "type" || v.is_null() {
            continue;
        }
        match v {
            serde_json::Value::Object(inner) => {
                for (ik, iv) in inner {
                    if !iv.is_null() {
                        out.push((format!("{k}.{ik}"), text(iv)));
                    }
                }
            }
            _ => out.push((k.clone(), text(v))),
        }
    }
    let rank = |name: &str| {
        let base = name.split('.').next().unwrap_or(name);
        ORDER.iter().position(|o| *o == base).unwrap_or(ORDER.len() - 1)
    };
    out.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.0.cmp(&b.0)));
    out
}
