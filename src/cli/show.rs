//! `dossier show`: one record, with its history.

use dossier::crypto::keys::signing_key_to_string;
use dossier::format::hex;
use dossier::vault::record_json;
use dossier::Result;

use super::{output, Ctx};

/// Show a record: its fields, every version with author, time and entry hash, and any retraction
#[derive(clap::Args)]
#[command(after_help = "Example:
  dossier show 3f9c2a71b0d4")]
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
    output::line(&format!("record   {}", hex(&r.id)));
    output::line(&format!("case     {}", case.name));
    output::line(&format!("type     {}", r.latest().record.type_name()));
    output::line(&format!("status   {}", r.status()));
    for (n, v) in r.versions.iter().enumerate() {
        output::line(&format!(
            "version {}  {}  by {}  entry {}",
            n + 1,
            v.time,
            vault.author_name(&v.author),
            hex(&v.entry)
        ));
    }
    if let Some(x) = &r.retraction {
        output::line(&format!(
            "retracted  {}  by {}  entry {}  reason: {}",
            x.time,
            vault.author_name(&x.author),
            hex(&x.entry),
            x.reason
        ));
    }
    output::line("");
    let body = serde_json::to_string_pretty(&r.latest().record).unwrap_or_default();
    output::line(&body);
    Ok(0)
}
