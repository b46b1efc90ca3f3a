//! `dossier verify`: check everything and name what fails.

use dossier::format::hex;
use dossier::vault::Vault;
use dossier::Result;

use super::{output, Ctx};

/// Check every signature, link and stored object; exit 0 only if all holds
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier verify                      # the whole vault (needs an identity that can read every case)
  dossier verify statkevich-2010      # one case and the roster
  dossier verify --json               # a report for monitoring
  dossier verify --checkpoint dossiercp1...   # and catch a roll-back to an older copy

Exit status: 0 all holds; 1 something is damaged, missing, unexpected or forged.")]
pub struct Args {
    /// Only this case (and the roster)
    case: Option<String>,

    /// A token from `dossier checkpoint`: also check the vault is not older than it
    #[arg(long, value_name = "TOKEN")]
    checkpoint: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let vault = Vault::open_unpacked(&ctx.vault_dir()?, ctx.identity()?, false)?;
    let mut report = vault.verify(args.case.as_deref())?;
    let mut checked = None;
    if let Some(token) = &args.checkpoint {
        let (case, problems) = vault.check_checkpoint(token)?;
        if problems.is_empty() {
            checked = case;
        }
        report.problems.extend(problems);
    }
    let entries: usize = report.logs.iter().map(|(_, n)| n).sum();
    if ctx.json {
        let problems: Vec<serde_json::Value> = report
            .problems
            .iter()
            .map(|p| serde_json::json!({"file": p.file, "entry": p.entry.map(|e| hex(&e)), "message": p.message}))
            .collect();
        let logs: Vec<serde_json::Value> = report
            .logs
            .iter()
            .map(|(n, c)| serde_json::json!({"log": n, "entries": c}))
            .collect();
        output::json(&serde_json::json!({
            "ok": report.ok(), "logs": logs, "entries": entries, "files": report.files_checked, "problems": problems,
            "checkpoint": args.checkpoint.as_ref().map(|_| serde_json::json!({"ok": checked.is_some(), "case": checked})),
        }));
    } else {
        for p in &report.problems {
            // One line each, whatever names a problem quotes.
            output::line(&format!("PROBLEM  {}", output::safe_line(&p.to_string())));
        }
        let what: Vec<String> = report.logs.iter().map(|(n, c)| format!("{n} ({c} entries)")).collect();
        eprintln!(
            "checked {}; {} files",
            output::safe_line(&what.join(", ")),
            report.files_checked
        );
        if let Some(case) = &checked {
            eprintln!("checkpoint: case {case} holds everything the checkpoint saw");
        }
        if report.ok() {
            output::line("OK");
        } else {
            output::line(&format!(
                "FAILED: {} problem{}",
                report.problems.len(),
                if report.problems.len() == 1 { "" } else { "s" }
            ));
        }
    }
    Ok(if report.ok() { 0 } else { 1 })
}
