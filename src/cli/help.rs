//! Help that teaches: the one clap definition every other view is made from.
//!
//! `command()` is the parser, the `--help` text, the shell completions and the
//! man page: all four come from it, so they cannot drift apart. On top of what
//! each command declares (a one-line summary, examples in `after_help`), it adds
//! to every command the environment variables that command reads, and to each
//! group (`case`, `member`) the first example of each of its commands.

use clap::CommandFactory;

/// The top-level help's examples: the first hour, in order.
pub const START: &str = "Examples:
  dossier demo                            # a tour on a throwaway vault
  dossier keygen --output ~/alice.key     # your identity, with a passphrase
  dossier --identity ~/alice.key init --name alice
  dossier case new statkevich-2010 --title \"Mikalai Statkevich\"
  dossier add statkevich-2010 --from testimony.json
  dossier log statkevich-2010

`dossier help COMMAND` shows a command's options and examples; `dossier man`
prints the whole manual. Set DOSSIER_VAULT and DOSSIER_IDENTITY once in your
shell's profile to leave out --vault and --identity.";

/// Every environment variable dossier reads, with what it means.
const VARS: &[(&str, &str)] = &[
    ("DOSSIER_VAULT", "the vault directory (like --vault)"),
    ("DOSSIER_IDENTITY", "the identity file (like --identity)"),
    (
        "DOSSIER_PASSPHRASE_FILE",
        "a file holding the identity's passphrase, for automation",
    ),
    (
        "DOSSIER_NEW_PASSPHRASE_FILE",
        "a file holding the new passphrase, for `passwd`",
    ),
    (
        "DOSSIER_LOCK_TIMEOUT",
        "seconds to wait for another dossier process (default 10)",
    ),
    ("NO_COLOR", "if set, no colours even on a terminal"),
];

/// What a command that opens the vault reads.
const VAULT: &[&str] = &[
    "DOSSIER_VAULT",
    "DOSSIER_IDENTITY",
    "DOSSIER_PASSPHRASE_FILE",
    "DOSSIER_LOCK_TIMEOUT",
];

/// What a command that opens the vault and prints for people in colour reads.
const VAULT_COLOUR: &[&str] = &[
    "DOSSIER_VAULT",
    "DOSSIER_IDENTITY",
    "DOSSIER_PASSPHRASE_FILE",
    "DOSSIER_LOCK_TIMEOUT",
    "NO_COLOR",
];

/// The environment variables a command reads, by its path (`case list`).
/// A command not named here opens the vault.
fn vars_read(path: &str) -> &'static [&'static str] {
    match path {
        "" => &[
            "DOSSIER_VAULT",
            "DOSSIER_IDENTITY",
            "DOSSIER_PASSPHRASE_FILE",
            "DOSSIER_NEW_PASSPHRASE_FILE",
            "DOSSIER_LOCK_TIMEOUT",
            "NO_COLOR",
        ],
        "keygen" => &["DOSSIER_PASSPHRASE_FILE"],
        "whoami" => &["DOSSIER_IDENTITY", "DOSSIER_PASSPHRASE_FILE"],
        "passwd" => &[
            "DOSSIER_IDENTITY",
            "DOSSIER_PASSPHRASE_FILE",
            "DOSSIER_NEW_PASSPHRASE_FILE",
        ],
        "init" => &["DOSSIER_VAULT", "DOSSIER_IDENTITY", "DOSSIER_PASSPHRASE_FILE"],
        "demo" | "completions" | "man" | "verify-extract" => &[],
        "sync init" => &["DOSSIER_VAULT", "DOSSIER_LOCK_TIMEOUT"],
        "log" | "show" | "case" | "case list" => VAULT_COLOUR,
        _ => VAULT,
    }
}

/// The "Environment:" paragraph for a command.
fn environment(path: &str) -> String {
    let read = vars_read(path);
    if read.is_empty() {
        return "Environment: none (DOSSIER_VAULT and DOSSIER_IDENTITY are not used).".into();
    }
    let mut s = String::from("Environment:");
    for (name, what) in VARS.iter().filter(|(n, _)| read.contains(n)) {
        s.push_str(&format!("\n  {name:<28} {what}"));
    }
    s
}

/// The first example in a command's help, if any (the first line that starts `  dossier `).
fn first_example(cmd: &clap::Command) -> Option<String> {
    let after = cmd.get_after_help()?.to_string();
    after
        .lines()
        .find(|l| l.trim_start().starts_with("dossier "))
        .map(|l| l.trim_end().to_string())
}

fn decorate(mut cmd: clap::Command, path: &str) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .filter(|n| n != "help")
        .collect();
    for name in &names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(name, |s| decorate(s, &sub_path));
    }
    let mut after = cmd.get_after_help().map(|h| h.to_string()).unwrap_or_default();
    if !path.is_empty() && !names.is_empty() && after.is_empty() {
        // A group: one example from each of its commands.
        let examples: Vec<String> = cmd.get_subcommands().filter_map(first_example).collect();
        after = format!(
            "Examples:\n{}\n\n`dossier {path} COMMAND --help` tells more about each.",
            examples.join("\n")
        );
    }
    if !after.is_empty() {
        after.push_str("\n\n");
    }
    after.push_str(&environment(path));
    cmd.after_help(after)
}

/// The whole command line, with help made complete.
pub fn command() -> clap::Command {
    decorate(super::Cli::command(), "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk<'a>(cmd: &'a clap::Command, path: String, out: &mut Vec<(String, &'a clap::Command)>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let p = format!("{path} {}", sub.get_name()).trim().to_string();
            walk(sub, p.clone(), out);
            out.push((p, sub));
        }
    }

    #[test]
    fn the_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn every_command_has_a_summary_an_example_and_its_environment() {
        let mut cmd = command();
        cmd.build();
        let mut all = Vec::new();
        walk(&cmd, String::new(), &mut all);
        assert!(all.len() > 20, "{} commands", all.len());
        for (path, sub) in all {
            let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
            assert!(!about.trim().is_empty(), "`{path}` has no summary");
            assert!(!about.contains('\n'), "`{path}`'s summary is not one line");
            let after = sub.get_after_help().map(|a| a.to_string()).unwrap_or_default();
            assert!(after.contains("Example"), "`{path}` has no example");
            let runs_it = after.lines().filter(|l| l.starts_with("  dossier ")).any(|l| {
                let l = l.split(" #").next().unwrap_or(l).trim_end();
                l.contains(&format!(" {path} ")) || l.ends_with(&format!(" {path}"))
            });
            assert!(runs_it, "`{path}`'s examples do not run it: {after}");
            assert!(after.contains("Environment:"), "`{path}` does not say what it reads");
        }
    }

    #[test]
    fn every_variable_named_is_described() {
        for path in ["", "keygen", "log", "passwd", "case new", "checkpoint"] {
            for v in vars_read(path) {
                assert!(VARS.iter().any(|(n, _)| n == v), "{v} has no description");
            }
        }
    }
}
