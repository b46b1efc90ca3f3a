//! `dossier case`: create, list and show cases.

use dossier::format::hex;
use dossier::Result;

use super::{output, Ctx};

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
                        "records": c.records, "members": c.members,
                    }));
                } else {
                    output::line(&format!(
                        "{:<24} {:>5} records  {}",
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
                }));
            } else {
                output::line(&format!("case     {}", c.name));
                if let Some(t) = &c.title {
                    output::line(&format!("title    {t}"));
                }
                output::line(&format!("created  {}", c.created));
                output::line(&format!("members  {}", members.join(", ")));
                output::line(&format!("records  {live} ({} retracted)", c.records.len() - live));
            }
        }
    }
    Ok(0)
}
