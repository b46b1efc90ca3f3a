//! The `dossier` command line: parse, call the library, print.
//!
//! Each command lives in its own file. Errors from the library become one line
//! on stderr — what happened, and what to do — and exit status 1; usage errors
//! are clap's, exit status 2. Data goes to stdout (JSON with `--json`),
//! messages to stderr.

mod add;
mod amend;
mod attach;
mod case;
mod checkpoint;
mod clone;
mod completions;
mod demo;
mod export;
mod exposure;
mod get;
mod guided;
mod help;
mod init;
mod keygen;
mod log;
mod man;
mod member;
mod output;
mod passwd;
mod progress;
mod report;
mod retract;
mod rotate;
mod search;
mod show;
mod sync;
mod verify;
mod verify_extract;
mod whoami;

use std::path::PathBuf;

use clap::{FromArgMatches, Parser, Subcommand};
use dossier::crypto::identity::{Identity, PassphraseSource};
use dossier::vault::Vault;
use dossier::{Error, Result};
use secrecy::SecretString;

#[derive(Parser)]
#[command(
    name = "dossier",
    version,
    about = "An encrypted, signed, append-only vault for human-rights case records",
    long_about = "dossier keeps case records (testimony, people, events, notes) in an \
                  age-encrypted, append-only, signed vault. Every stored file is a \
                  standard age file; every record is signed by its author.",
    after_help = help::START,
    propagate_version = true
)]
pub struct Cli {
    /// The vault directory [default: a per-user data directory]
    #[arg(long, global = true, env = "DOSSIER_VAULT", value_name = "DIR")]
    vault: Option<PathBuf>,

    /// Your age identity file (as age-keygen or `dossier keygen` writes it)
    #[arg(long, global = true, env = "DOSSIER_IDENTITY", value_name = "FILE")]
    identity: Option<PathBuf>,

    /// Print machine-readable JSON on stdout
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Keygen(keygen::Args),
    Init(init::Args),
    Whoami(whoami::Args),
    #[command(subcommand)]
    Case(case::Command),
    #[command(subcommand)]
    Member(member::Command),
    Add(add::Args),
    Attach(attach::Args),
    Get(get::Args),
    Amend(amend::Args),
    Retract(retract::Args),
    Log(log::Args),
    Show(show::Args),
    Search(search::Args),
    Verify(verify::Args),
    VerifyExtract(verify_extract::Args),
    Checkpoint(checkpoint::Args),
    Export(export::Args),
    Report(report::Args),
    Rotate(rotate::Args),
    Exposure(exposure::Args),
    Passwd(passwd::Args),
    Sync(sync::Args),
    Clone(clone::Args),
    Demo(demo::Args),
    Completions(completions::Args),
    Man(man::Args),
}

/// Runs the command line and returns the exit status.
pub fn run() -> i32 {
    let cli = Cli::from_arg_matches(&help::command().get_matches()).unwrap_or_else(|e| e.exit());
    let json = cli.json;
    let result = match cli.command {
        Command::Keygen(a) => keygen::run(a, json),
        Command::Init(a) => init::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Whoami(a) => whoami::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Case(c) => case::run(&cli_ctx(cli.vault, cli.identity, json), c),
        Command::Add(a) => add::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Attach(a) => attach::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Get(a) => get::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Amend(a) => amend::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Retract(a) => retract::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Log(a) => log::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Show(a) => show::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Search(a) => search::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Verify(a) => verify::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::VerifyExtract(a) => verify_extract::run(json, a),
        Command::Export(a) => export::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Report(a) => report::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Member(c) => member::run(&cli_ctx(cli.vault, cli.identity, json), c),
        Command::Checkpoint(a) => checkpoint::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Rotate(a) => rotate::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Exposure(a) => exposure::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Passwd(a) => passwd::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Sync(a) => sync::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Clone(a) => clone::run(&cli_ctx(cli.vault, cli.identity, json), a),
        Command::Demo(a) => demo::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            1
        }
    }
}

/// Prints an error as one line on stderr.
pub fn report(e: &Error) {
    // Whatever a dependency's message holds, the user gets one line.
    // Control characters (from a file name, or a stored name) are shown, not obeyed.
    let message = e.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
    let message = output::safe_line(&message);
    match e.hint() {
        Some(hint) => eprintln!("dossier: {message}; {hint}"),
        None => eprintln!("dossier: {message}"),
    }
}

/// What every vault command needs: where the vault and the identity are.
pub struct Ctx {
    vault: Option<PathBuf>,
    identity: Option<PathBuf>,
    json: bool,
}

fn cli_ctx(vault: Option<PathBuf>, identity: Option<PathBuf>, json: bool) -> Ctx {
    Ctx { vault, identity, json }
}

impl Ctx {
    fn vault_dir(&self) -> Result<PathBuf> {
        match &self.vault {
            Some(v) => Ok(v.clone()),
            None => dirs::data_dir()
                .map(|d| d.join("dossier"))
                .ok_or_else(|| Error::Vault("no default data directory here; pass --vault DIR".into())),
        }
    }

    fn identity_path(&self) -> Result<PathBuf> {
        self.identity.clone().ok_or_else(|| {
            Error::Invalid(
                "no identity given: pass --identity FILE or set DOSSIER_IDENTITY \
                 (no identity yet? `dossier keygen --output FILE` makes one)"
                    .into(),
            )
        })
    }

    fn identity(&self) -> Result<Identity> {
        Identity::load(&self.identity_path()?, &mut Passphrases)
    }

    fn open(&self, write: bool) -> Result<Vault> {
        Vault::open(&self.vault_dir()?, self.identity()?, write)
    }
}

/// Passphrases from `DOSSIER_PASSPHRASE_FILE`, or from the terminal, never echoed.
pub struct Passphrases;

impl PassphraseSource for Passphrases {
    fn passphrase(&mut self, prompt: &str, confirm: bool) -> Result<SecretString> {
        match passphrase_from_file("DOSSIER_PASSPHRASE_FILE") {
            Some(p) => p,
            None => ask_passphrase(prompt, confirm, "DOSSIER_PASSPHRASE_FILE"),
        }
    }
}

/// The passphrase held by the file the environment variable `var` names, if it is set.
pub fn passphrase_from_file(var: &str) -> Option<Result<SecretString>> {
    let path = PathBuf::from(std::env::var_os(var)?);
    let read = std::fs::read_to_string(&path).map_err(|e| Error::Io { path, source: e });
    Some(read.and_then(|text| {
        let text = zeroize::Zeroizing::new(text);
        let line = text.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            return Err(Error::Invalid(format!("{var} holds an empty passphrase")));
        }
        Ok(SecretString::from(line.to_string()))
    }))
}

/// Asks on the terminal, without echo; twice if `confirm`. `var` is named in
/// the error when there is no terminal.
pub fn ask_passphrase(prompt: &str, confirm: bool, var: &str) -> Result<SecretString> {
    let ask = |p: &str| {
        rpassword::prompt_password(p).map_err(|_| {
            Error::Invalid(format!(
                "no terminal to ask for the passphrase; set {var} to a file that holds it"
            ))
        })
    };
    let first = zeroize::Zeroizing::new(ask(prompt)?);
    if first.is_empty() {
        return Err(Error::Invalid("the passphrase is empty".into()));
    }
    if confirm {
        let second = zeroize::Zeroizing::new(ask("Again, to confirm: ")?);
        if *first != *second {
            return Err(Error::Invalid("the two passphrases differ; nothing was written".into()));
        }
    }
    Ok(SecretString::from(first.to_string()))
}
