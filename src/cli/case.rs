//! `dossier case`: create, list and show cases.

use dossier::format::hex;
use dossier::Result;

use super::{member::done, output, progress::Bar, Ctx};

/// Create, list and show cases
#[derive(clap::Subcommand)]
pub enum Command {
    /// Create a case
    #[command(after_help = "Example:
  dossier case new statkevich-2010 --title \"Mikalai Statkevich, 2010 crackdown\"")]
    New {
        /// The case id: letters, digits, '-', '_', '.'
        case: String,
        /// A title for people
        #[arg(long)]
        title: Option<String>,
    },
    /// List the cases you can read
    #[command(after_help = "Example:
  dossier case list --json")]
    List,
    /// Show a case: title, members, records
    #[command(after_help = "Example:
  dossier case show statkevich-2010")]
    Show { case: String },
    /// Give a member of the vault access to a case (its whole history)
    #[command(after_help = "Example:
  dossier case grant statkevich-2010 bob")]
    Grant { case: String, member: String },
    /// End a member's access to a case; the case is then rotated
    #[command(after_help = "Example:
  dossier case revoke statkevich-2010 bob

Every file of the case is sealed anew to the members left, so bob's key opens
none of them. What bob copied before stays with bob.")]
    Revoke { case: String, member: String },
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<i32> {
    match cmd {
        Command::New { case, title } => {
            let mut vault = ctx.open(true)?;
            let id = vault.new_case(&case, title.as_deref())?;
            if ctx.json {
                output::json(&serde_json::json!({"case": case, "id": hex(&id)}));
            } else {
                eprintln!("created case {case}");
            }
        }
        Command::List => {
            let vault = ctx.open(false)?;
            let cases = vault.cases()?;
            for c in &cases {
                if ctx.json {
                    output::json(&serde_json::json!({
                        "case": c.name, "title": c.title, "created": c.created,
                        "records": c.records, "members": c.members, "rotation_pending": c.rotation_pending,
                    }));
                } else {
                    let pending = if c.rotation_pending { "  (rotation pending)" } else { "" };
                    output::line(&format!(
                        "{:<24} {:>5} records  {}{pending}",
                        c.name,
                        c.records,
                        c.title.as_deref().unwrap_or("")
                    ));
                }
            }
            if !ctx.json && cases.is_empty() {
                eprintln!("no cases yet; create one with `dossier case new CASE`");
            }
        }
        Command::Show { case } => {
            let vault = ctx.open(false)?;
            let (_, c) = vault.case(&case)?;
            let live = c.records.iter().filter(|r| r.retraction.is_none()).count();
            let members: Vec<String> = c.members.iter().map(|m| m.name.clone()).collect();
            if ctx.json {
                output::json(&serde_json::json!({
                    "case": c.name, "title": c.title, "created": c.created,
                    "records": live, "retracted": c.records.len() - live, "members": members,
                    "rotation_pending": c.rotation_pending(),
                }));
            } else {
                output::line(&format!("case     {}", c.name));
                if let Some(t) = &c.title {
                    output::line(&format!("title    {t}"));
                }
                output::line(&format!("created  {}", c.created));
                output::line(&format!("members  {}", members.join(", ")));
                output::line(&format!("records  {live} ({} retracted)", c.records.len() - live));
                if c.rotation_pending() {
                    output::line("rotation pending: someone whose access ended can still open some files; run `dossier rotate CASE`");
                }
            }
        }
        Command::Grant { case, member } => {
            let mut vault = ctx.open(true)?;
            let report = vault.grant(&case, &member, &mut Bar::new("sealing to the new member"))?;
            done(ctx, &format!("granted {case} to {member}"), &report);
        }
        Command::Revoke { case, member } => {
            let mut vault = ctx.open(true)?;
            let report = vault.revoke(&case, &member, &mut Bar::new("rotating"))?;
            done(ctx, &format!("revoked {member}'s access to {case}"), &report);
        }
    }
    Ok(0)
}
