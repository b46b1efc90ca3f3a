//! Writing to stdout: a closed pipe (`dossier log | head`) ends quietly.
//!
//! Output for people may carry colour, written through `anstream`, which drops
//! every escape sequence unless stdout is a terminal, and always when `NO_COLOR`
//! is set (or `TERM=dumb`); `CLICOLOR_FORCE` forces it. JSON never has colour.

use std::io::Write;

use anstyle::{AnsiColor, Style};

/// Prints a line on stdout; exits quietly with status 0 if the reader went away.
pub fn line(s: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{s}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// Prints a line that may hold styles (made with `paint`): coloured on a
/// terminal, plain anywhere else or with `NO_COLOR`.
pub fn styled(s: &str) {
    let mut out = anstream::stdout().lock();
    if let Err(e) = writeln!(out, "{s}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// Writes bytes as they are on stdout (a script, a page); quiet if the reader went away.
pub fn bytes(b: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(b).and_then(|()| out.flush()) {
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

/// `s` padded with spaces to `width` characters (not bytes: names are often Cyrillic).
pub fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// `s` right-aligned in `width` characters.
pub fn pad_left(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{}{s}", " ".repeat(width.saturating_sub(n)))
}

/// The styles output for people uses, by meaning.
pub mod style {
    use super::{AnsiColor, Style};

    pub const HEADING: Style = Style::new().bold();
    pub const DIM: Style = Style::new().dimmed();
    pub const DATE: Style = AnsiColor::Cyan.on_default();
    pub const AMENDED: Style = AnsiColor::Yellow.on_default();
    pub const RETRACTED: Style = AnsiColor::Red.on_default();
    pub const WARN: Style = AnsiColor::Red.on_default().bold();
    pub const LABEL: Style = Style::new().bold();
}

/// `s` in a style (the escape codes are removed later where colour is off).
pub fn paint(style: Style, s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    format!("{}{s}{}", style.render(), style.render_reset())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_counts_characters() {
        assert_eq!(pad("Дарья", 7), "Дарья  ");
        assert_eq!(pad_left("7", 3), "  7");
        assert_eq!(pad("longer", 2), "longer");
    }

    #[test]
    fn paint_wraps_in_escapes() {
        assert_eq!(paint(style::DIM, ""), "");
        let s = paint(style::DATE, "2010");
        assert!(s.starts_with('\u{1b}') && s.contains("2010"));
    }
}
