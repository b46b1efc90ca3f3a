//! `dossier man`: the manual page, made from the same definitions as `--help`.
//!
//! One page, dossier(1), holds everything: the overview, then a section per
//! command (`DOSSIER CASE NEW`) with its synopsis, options, examples and the
//! environment it reads, so `man dossier` is the whole reference. `--dir` also
//! writes a page per command (dossier-case-new.1 ...) for those who install them.

use std::io::Write;
use std::path::PathBuf;

use dossier::{Error, Result};

/// Print the manual page (roff) on standard output
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier man > dossier.1 && man ./dossier.1
  dossier man --dir /usr/local/share/man/man1     # also a page per command

Every command's options, examples and environment are in the one page.")]
pub struct Args {
    /// Also write one page per command (dossier-case-new.1 ...) into this directory
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<i32> {
    let page = page().map_err(|e| Error::Invalid(format!("could not make the manual page: {e}")))?;
    if let Some(dir) = &args.dir {
        clap_mangen::generate_to(super::help::command(), dir).map_err(|e| Error::Io {
            path: dir.clone(),
            source: e,
        })?;
        eprintln!("wrote a page per command to {}", dir.display());
    }
    super::output::bytes(&page);
    Ok(0)
}

/// The heading of the text after the options (clap_mangen calls it EXTRA).
const EXTRA: &str = ".SH \"EXAMPLES AND ENVIRONMENT\"";

/// The whole manual page: dossier(1), then a section for every command.
pub fn page() -> std::io::Result<Vec<u8>> {
    let mut cmd = super::help::command().disable_help_subcommand(true);
    cmd.build();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    let mut page = String::from_utf8_lossy(&page).replace(".SH EXTRA", EXTRA).into_bytes();
    let mut subs = Vec::new();
    collect(&cmd, &mut subs);
    for sub in subs {
        let name = sub.get_bin_name().unwrap_or(sub.get_name()).to_uppercase();
        writeln!(page, ".SH \"{name}\"")?;
        // The global options are described once, at the top.
        let own = sub.clone().mut_args(|a| {
            let global = a.is_global_set() || matches!(a.get_id().as_str(), "help" | "version");
            if global {
                a.hide(true)
            } else {
                a
            }
        });
        let man = clap_mangen::Man::new(own);
        let mut part = Vec::new();
        man.render_name_section(&mut part)?;
        man.render_synopsis_section(&mut part)?;
        man.render_options_section(&mut part)?;
        if sub.get_subcommands().next().is_some() {
            man.render_subcommands_section(&mut part)?;
        }
        if sub.get_after_help().is_some() {
            man.render_extra_section(&mut part)?;
        }
        // Each part is a page of its own: its sections become subsections here,
        // and roff's apostrophe preamble is needed once, at the top.
        for line in String::from_utf8_lossy(&part).lines() {
            if line.starts_with(".ie \\n(.g") || line.starts_with(".el .ds Aq") {
                continue;
            }
            match line.strip_prefix(".SH ") {
                Some("EXTRA") => writeln!(page, "{}", EXTRA.replace(".SH", ".SS"))?,
                Some(rest) => writeln!(page, ".SS {rest}")?,
                None => writeln!(page, "{line}")?,
            }
        }
    }
    Ok(page)
}

fn collect<'a>(cmd: &'a clap::Command, out: &mut Vec<&'a clap::Command>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        out.push(sub);
        collect(sub, out);
    }
}
