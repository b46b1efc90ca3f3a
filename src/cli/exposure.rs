//! `dossier exposure`: what a member's key could open, and still can.

use dossier::crypto::keys::signing_key_to_string;
use dossier::format::hex;
use dossier::Result;

use super::{output, Ctx};

/// List every case and record a member's keys could ever decrypt, and what they still can
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier exposure bob
  dossier exposure bob --json

After a seizure or an arrest, warn the people named here. Only cases you can
read are listed: ask the members of other cases to run this too.")]
pub struct Args {
    /// The member (current or former)
    member: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let vault = ctx.open(false)?;
    let x = vault.exposure(&args.member)?;
    if ctx.json {
        let keys: Vec<serde_json::Value> = x
            .keys
            .iter()
            .zip(&x.opens_now)
            .map(|(k, (roster, cases))| {
                serde_json::json!({
                    "signing_key": signing_key_to_string(&k.signing_key), "recipient": k.recipient,
                    "from": k.from.1, "until": k.until.as_ref().map(|u| u.1.clone()),
                    "roster_now": roster, "cases_now": cases,
                })
            })
            .collect();
        let cases: Vec<serde_json::Value> = x
            .cases
            .iter()
            .map(|c| {
                let records: Vec<serde_json::Value> = c
                    .records
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "id": hex(&r.id), "type": r.type_name, "time": r.time,
                            "status": r.status, "people": r.people,
                        })
                    })
                    .collect();
                let access: Vec<serde_json::Value> = c
                    .access
                    .iter()
                    .map(|a| serde_json::json!({"from": a.from.1, "until": a.until.as_ref().map(|u| u.1.clone())}))
                    .collect();
                let documents = c.records.iter().filter(|r| r.type_name == "document").count();
                serde_json::json!({
                    "case": c.case, "member_now": c.member_now, "readable_now": c.readable_now,
                    "access": access, "records": records, "documents": documents,
                })
            })
            .collect();
        output::json(&serde_json::json!({
            "member": x.member, "keys": keys, "roster_readable_now": x.roster_now, "cases": cases,
        }));
        return Ok(0);
    }
    output::line(&format!("member {}", x.member));
    for (k, (roster, cases)) in x.keys.iter().zip(&x.opens_now) {
        let until = k.until.as_ref().map_or("now".to_string(), |u| u.1.clone());
        output::line(&format!(
            "  key {} valid {} .. {until}",
            signing_key_to_string(&k.signing_key),
            k.from.1
        ));
        if k.until.is_some() && (*roster || !cases.is_empty()) {
            let mut what: Vec<String> = cases.iter().map(|c| format!("case {c}")).collect();
            if *roster {
                what.insert(0, "the roster".into());
            }
            output::line(&format!(
                "    ENDED, YET STILL OPENS {}: run `dossier rotate --all`",
                what.join(", ")
            ));
        }
    }
    output::line(&format!(
        "  the roster (member names and keys): {}",
        if x.roster_now {
            "still readable"
        } else {
            "no longer readable"
        }
    ));
    if x.cases.is_empty() {
        output::line("  no case you can read was ever granted to them");
    }
    for c in &x.cases {
        let now = if c.member_now {
            "a member now: reads everything"
        } else if c.readable_now {
            "NOT ROTATED: their key still opens these files; run `dossier rotate` now"
        } else {
            "rotated: their key opens nothing of it now"
        };
        let documents = c.records.iter().filter(|r| r.type_name == "document").count();
        output::line(&format!(
            "case {} ({} records could be read, {documents} of them document{}; {now})",
            c.case,
            c.records.len(),
            if documents == 1 { "" } else { "s" }
        ));
        for r in &c.records {
            let people = if r.people.is_empty() {
                String::new()
            } else {
                format!("  names: {}", r.people.join(", "))
            };
            output::line(&format!(
                "  {}  {:<9} {}  {}{people}",
                &hex(&r.id)[..16],
                r.type_name,
                r.time,
                r.status
            ));
        }
    }
    Ok(0)
}
