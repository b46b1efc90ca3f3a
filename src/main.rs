//! The `dossier` binary: everything is in `cli`, over the `dossier` library.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
