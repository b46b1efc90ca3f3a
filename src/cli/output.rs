//! Writing to stdout: a closed pipe (`dossier log | head`) ends quietly.

use std::io::Write;

/// Prints a line on stdout; exits quietly with status 0 if the reader went away.
pub fn line(s: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{s}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// Prints a JSON value as one line.
pub fn json(v: &serde_json::Value) {
    line(&v.to_string());
}

/// The first `n` characters of `s` on one line, with an ellipsis if cut.
pub fn clip(s: &str, n: usize) -> String {
    let flat: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if flat.chars().count() > n {
        format!("{}…", flat.chars().take(n.saturating_sub(1)).collect::<String>())
    } else {
        flat
    }
}
