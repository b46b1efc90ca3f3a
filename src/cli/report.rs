//! `dossier report`: the team's unredacted case report, one printable HTML page.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use dossier::store::atomic::{write_with, Replace, TMP_PREFIX};
use dossier::vault::report::{self, Made};
use dossier::{Error, Result};
use zeroize::Zeroizing;

use super::{output, Ctx};

/// Write an UNREDACTED case report for the team (HTML, print-ready): it holds everything
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier report statkevich-2010 --output statkevich-internal.html
  dossier report statkevich-2010 --output - > /media/encrypted/case.html

THE REPORT HOLDS EVERYTHING: real names, contact details, internal testimony,
retracted records and earlier versions, who had access when, and every extract
made. Nothing is redacted and there is no leak check. It is for the people who
already read the case, never to hand out: for anyone else, use `dossier export`.
Write it only to encrypted storage, and shred printed copies.

The page is self-contained (no scripts, fonts, images or links; a
Content-Security-Policy forbids fetching anything) and laid out for A4 paper,
with \"INTERNAL, UNREDACTED\" in the margin of every page. The file is written
with mode 0600 and never replaces an existing one. `--output -` writes to
standard output, but never to a terminal. Writing a report adds nothing to the
case's log.")]
pub struct Args {
    /// The case
    case: String,
    /// Where to write the report: a new file, or - for standard output (not a terminal)
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
}

/// A hidden temporary file of an interrupted dossier write next to `out`: it
/// may hold an earlier report or extract.
fn leftovers(out: &Path) -> Vec<String> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(TMP_PREFIX))
        .collect();
    found.sort();
    found
}

/// Says on stderr which temporary files of interrupted writes lie next to `out`.
pub(crate) fn warn_leftovers(out: &Path) {
    let stale = leftovers(out);
    if !stale.is_empty() {
        eprintln!(
            "note: {} left by an interrupted dossier command may hold an earlier report or extract; delete it",
            stale.join(", ")
        );
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    let to_stdout = args.output.as_os_str() == "-";
    if to_stdout {
        if std::io::stdout().is_terminal() {
            return Err(Error::Invalid(
                "refusing to print the unredacted report on the terminal; redirect standard output to a file \
                 (`> case.html`) or use --output FILE"
                    .into(),
            ));
        }
    } else {
        if std::fs::symlink_metadata(&args.output).is_ok_and(|m| m.is_file()) {
            return Err(Error::Invalid(format!(
                "{} already exists; refusing to overwrite it (choose another name, or delete the old report first)",
                args.output.display()
            )));
        }
        // Not a directory, not a symbolic link, its directory there.
        super::export::check_destination(&args.output, true)?;
    }

    let vault = ctx.open(false)?;
    let (_, case) = vault.case(&args.case)?;
    let now = dossier::vault::now();
    let by = vault.me().name.clone();
    let html = Zeroizing::new(report::render(
        &case,
        &|k| vault.author_name(k),
        &Made { time: &now, by: &by },
    ));

    if to_stdout {
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(html.as_bytes()).and_then(|()| out.flush()) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                return Err(Error::Io {
                    path: PathBuf::from("(standard output)"),
                    source: e,
                });
            }
        }
    } else {
        // A temporary file (0600) in the same directory, flushed, then given
        // its name only if the name is still free.
        write_with(&args.output, Replace::Never, |f| {
            f.write_all(html.as_bytes())?;
            f.sync_all()
        })?;
    }

    let place = if to_stdout {
        "standard output".to_string()
    } else {
        args.output.display().to_string()
    };
    if ctx.json && !to_stdout {
        output::json(&serde_json::json!({
            "case": args.case, "output": place, "records": case.records.len(),
            "bytes": html.len(), "unredacted": true,
        }));
    }
    eprintln!(
        "wrote the UNREDACTED report of {} ({} records) to {place}: it holds real names and contacts; \
         keep it inside the team",
        args.case,
        case.records.len()
    );
    if !to_stdout {
        warn_leftovers(&args.output);
    }
    Ok(0)
}
