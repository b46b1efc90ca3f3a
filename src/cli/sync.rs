//! `dossier sync`: share the vault through a git remote (fetch, check, import, merge, push).

use dossier::vault::sync::{self, Outcome, Synced};
use dossier::Result;

use super::{output, Ctx};

/// Share the vault with your team through a git remote: pull, check, merge, push
#[derive(clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:
  dossier sync init --remote /media/usb/vault.git
  dossier sync
  dossier sync status

The remote is any git repository (a USB stick, a self-hosted server, a hosting
service), reached with your own git and SSH set-up. It only ever holds the
vault's encrypted files under their opaque names, in commits with a neutral
author, date and message. What is fetched is checked before it is imported;
what fails its checks (a file tampered with on the remote) is named, and it,
with every file of its case, is left out while the rest comes in; the sync
then ends with exit status 1."
)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Accept that you can no longer open this case (you were revoked from
    /// it): let the remote's copies, sealed without you, replace yours
    #[arg(long, value_name = "CASE")]
    forget: Vec<String>,
}

#[derive(clap::Subcommand)]
enum Command {
    Init(InitArgs),
    Status(StatusArgs),
}

/// Set the git remote this vault syncs with
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier sync init --remote /media/usb/vault.git
  dossier sync init --remote ssh://git@host/ngo/vault.git

Make an empty bare repository first (`git init --bare /media/usb/vault.git`);
the next `dossier sync` fills it.")]
struct InitArgs {
    /// The git remote's URL or path
    #[arg(long, value_name = "URL")]
    remote: String,
}

/// Show, per case, what is here and not on the remote and the reverse
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier sync status
  dossier sync status --json

Compares with the remote as the last sync fetched it; it does not go online.")]
struct StatusArgs {}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    match args.command {
        Some(Command::Init(a)) => {
            sync::init(&ctx.vault_dir()?, &a.remote)?;
            if ctx.json {
                output::json(&serde_json::json!({"remote": a.remote}));
            } else {
                eprintln!("this vault now syncs with {}; run `dossier sync`", a.remote);
            }
            Ok(0)
        }
        Some(Command::Status(_)) => status(ctx),
        None => {
            if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                eprintln!("syncing with the remote...");
            }
            let (outcome, _) = sync::sync(&ctx.vault_dir()?, ctx.identity()?, &args.forget)?;
            Ok(report(ctx, outcome))
        }
    }
}

/// Prints how a sync ended; the exit status.
pub fn report(ctx: &Ctx, outcome: Outcome) -> i32 {
    match outcome {
        Outcome::Refused(problems) => {
            for p in &problems {
                eprintln!("dossier: {}", output::safe_line(&p.to_string()));
            }
            eprintln!(
                "dossier: the remote fails {} check(s); nothing was imported and this vault is unchanged",
                problems.len()
            );
            1
        }
        Outcome::Done(s) => {
            for p in &s.refused {
                eprintln!("dossier: {p}");
            }
            done(ctx, &s);
            if s.refused.is_empty() {
                return 0;
            }
            eprintln!(
                "dossier: the remote fails {} check(s); those files and their cases were left out, the rest was imported",
                s.refused.len()
            );
            1
        }
    }
}

fn done(ctx: &Ctx, s: &Synced) {
    if ctx.json {
        output::json(&serde_json::json!({
            "imported": s.imported, "merged": s.merged, "rotated": s.rotated, "pushed": s.pushed,
            "refused": s.refused.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }));
        return;
    }
    eprintln!("imported {} file(s) from the remote", s.imported);
    if !s.merged.is_empty() {
        eprintln!(
            "joined forks with a merge entry: {}",
            output::safe_line(&s.merged.join(", "))
        );
    }
    if !s.rotated.is_empty() {
        eprintln!(
            "sealed anew, as access changed on a branch: {}",
            output::safe_line(&s.rotated.join(", "))
        );
    }
    eprintln!(
        "{}",
        if s.pushed {
            "pushed to the remote"
        } else {
            "the remote was already up to date"
        }
    );
}

fn status(ctx: &Ctx) -> Result<i32> {
    let identity = ctx.identity()?;
    let st = sync::status(&ctx.vault_dir()?, &identity)?;
    if ctx.json {
        let logs: Vec<serde_json::Value> = st
            .logs
            .iter()
            .map(|l| serde_json::json!({"log": l.log, "ahead": l.ahead, "behind": l.behind}))
            .collect();
        output::json(&serde_json::json!({
            "remote": st.url, "last_sync": st.last, "fetched": st.fetched, "logs": logs,
        }));
        return Ok(0);
    }
    output::line(&format!("remote: {}", st.url));
    output::line(&format!("last sync: {}", st.last.as_deref().unwrap_or("never")));
    for l in &st.logs {
        output::line(&format!("{}: {} ahead, {} behind", l.log, l.ahead, l.behind));
    }
    Ok(0)
}
