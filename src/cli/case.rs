//! `dossier case`: create, list and show cases.

use dossier::format::hex;
use dossier::Result;

use dossier::vault::CaseSummary;

use super::output::{self, paint, style};
use super::{member::done, progress::Bar, Ctx};

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
    /// List the cases you can read, as a table
    #[command(after_help = "Examples:
  dossier case list
  dossier case list --json     # one object a line (keys: docs/CLI.md)

RECORDS counts the records not retracted.")]
    List,
    /// Show a case: title, members, records
    #[command(after_help = "Example:
  dossier case show statkevich-2010")]
    Show {
        /// The case
        case: String,
    },
    /// Give a member of the vault access to a case (its whole history)
    #[command(after_help = "Example:
  dossier case grant statkevich-2010 bob")]
    Grant {
        /// The case
        case: String,
        /// The member (see `dossier member list`)
        member: String,
    },
    /// End a member's access to a case; the case is then rotated
    #[command(after_help = "Example:
  dossier case revoke statkevich-2010 bob

Every file of the case is sealed anew to the members left, so bob's key opens
none of them. What bob copied before stays with bob.")]
    Revoke {
        /// The case
        case: String,
        /// The member whose access ends
        member: String,
    },
}

/// The cases as an aligned table: case, records, members, created, title.
fn table(cases: &[CaseSummary]) {
    let rows: Vec<[String; 5]> = cases
        .iter()
        .map(|c| {
            // Names and titles were written by members: one line each,
            // their control characters shown, whatever they hold.
            [
                output::safe_line(&c.name).into_owned(),
                c.records.to_string(),
                output::safe_line(&c.members.join(", ")).into_owned(),
                c.created.chars().take(10).collect(),
                match &c.problem {
                    Some(_) => "DAMAGED: see below".to_string(),
                    None => output::safe_line(c.title.as_deref().unwrap_or_default()).into_owned(),
                },
            ]
        })
        .collect();
    let head = ["CASE", "RECORDS", "MEMBERS", "CREATED", "TITLE"];
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([head[i].len()])
            .max()
            .unwrap_or(0)
    };
    let w = [width(0), width(1), width(2), width(3)];
    let line = |r: [&str; 5]| {
        format!(
            "{}  {}  {}  {}  {}",
            output::pad(r[0], w[0]),
            output::pad_left(r[1], w[1]),
            output::pad(r[2], w[2]),
            output::pad(r[3], w[3]),
            r[4]
        )
    };
    output::styled(&paint(style::HEADING, line(head).trim_end()));
    for (c, r) in cases.iter().zip(&rows) {
        let text = line([&r[0], &r[1], &r[2], &r[3], &r[4]]);
        if c.rotation_pending {
            output::styled(&format!(
                "{}  {}",
                text.trim_end(),
                paint(style::WARN, "(rotation pending: run `dossier rotate CASE`)")
            ));
        } else {
            output::styled(text.trim_end());
        }
    }
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
            if ctx.json {
                for c in &cases {
                    output::json(&serde_json::json!({
                        "case": c.name, "title": c.title, "created": c.created,
                        "records": c.records, "members": c.members, "rotation_pending": c.rotation_pending,
                        "problem": c.problem,
                    }));
                }
            } else if cases.is_empty() {
                eprintln!("no cases yet; create one with `dossier case new CASE`");
            } else {
                table(&cases);
                for (name, problem) in cases.iter().filter_map(|c| Some((&c.name, c.problem.as_ref()?))) {
                    eprintln!(
                        "{}; run `dossier verify {}`",
                        output::safe_line(problem),
                        output::safe_line(name)
                    );
                }
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
