//! The `dossier` binary: everything is in `cli`, over the `dossier` library.

mod cli;

fn main() {
    // Before anything is decrypted. Best effort: a refusal here (a sandbox
    // without prctl) must not lock a lawyer out of her records.
    let _ = dossier::crypto::hygiene::harden();
    std::process::exit(cli::run());
}
