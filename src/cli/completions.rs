//! `dossier completions`: shell completion scripts, from the same definitions as `--help`.

use dossier::Result;

/// Print a completion script for your shell
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier completions bash > ~/.local/share/bash-completion/completions/dossier
  dossier completions zsh > ~/.zfunc/_dossier        # with fpath+=(~/.zfunc) in ~/.zshrc
  dossier completions fish > ~/.config/fish/completions/dossier.fish
  dossier completions powershell >> $PROFILE

Open a new shell afterwards; then `dossier ca<TAB>` completes to `dossier case`.")]
pub struct Args {
    /// The shell
    shell: clap_complete::Shell,
}

pub fn run(args: Args) -> Result<i32> {
    let mut cmd = super::help::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "dossier", &mut script);
    super::output::bytes(&script);
    Ok(0)
}
