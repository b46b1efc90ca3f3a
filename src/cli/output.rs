//! Writing to stdout: a closed pipe (`dossier log | head`) ends quietly.
//!
//! Output for people may carry colour, written through `anstream`, which drops
//! every escape sequence unless stdout is a terminal, and always when `NO_COLOR`
//! is set (or `TERM=dumb`); `CLICOLOR_FORCE` forces it. JSON never has colour.

use std::borrow::Cow;
use std::io::Write;

use anstyle::{AnsiColor, Style};

/// `s` with every control character but newline and tab made visible: C0
/// controls as their Unicode control pictures (ESC as `␛`, carriage return
/// as `␍`), DEL as `␡`, C1 controls as `<U+009B>`. What a record holds was
/// written by some member, perhaps a turned one: printed raw on a terminal,
/// an escape sequence could rewrite what is shown, hide a line, or set the
/// reader's clipboard (OSC 52). JSON output escapes them itself.
pub fn safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_picture) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_safe(&mut out, c);
    }
    Cow::Owned(out)
}

/// One line of text made safe as by [`safe`], its line breaks shown too (as
/// `␊`): for a name, a title or a message that must not start a line of its
/// own (a planted name could otherwise print a false `OK`).
pub fn safe_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c == '\n' || needs_picture(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push('\u{240a}'),
            c => push_safe(&mut out, c),
        }
    }
    Cow::Owned(out)
}

/// Whether a character is shown as a picture: every control character but
/// newline and tab, and the bidirectional embeddings, overrides and isolates,
/// which can make text read in another order than it is stored (the marks
/// right-to-left text needs, U+200E, U+200F and U+061C, pass).
pub fn needs_picture(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_safe(out: &mut String, c: char) {
    match c as u32 {
        _ if !needs_picture(c) => out.push(c),
        n @ 0..=0x1f => out.push(char::from_u32(0x2400 + n).unwrap_or('\u{fffd}')),
        0x7f => out.push('\u{2421}'),
        n => out.push_str(&format!("<U+{n:04X}>")),
    }
}

/// A line of `styled` output made safe: the escape sequences `paint` writes
/// are kept, every other control character is made visible as by [`safe`].
fn safe_styled(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_picture) {
        return Cow::Borrowed(s);
    }
    let ours: Vec<String> = style::ALL
        .iter()
        .flat_map(|st| [st.render().to_string(), st.render_reset().to_string()])
        .filter(|e| !e.is_empty())
        .collect();
    let mut out = String::with_capacity(s.len() + 8);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if let Some(e) = ours.iter().find(|e| rest.starts_with(e.as_str())) {
            out.push_str(e);
            rest = &rest[e.len()..];
        } else {
            push_safe(&mut out, c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Cow::Owned(out)
}

/// Prints a line on stdout, control characters made visible ([`safe`]);
/// exits quietly with status 0 if the reader went away.
pub fn line(s: &str) {
    let s = safe(s);
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
    let s = safe_styled(s);
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
/// JSON escapes C0 controls itself; DEL and the C1 controls, which it would
/// leave raw (and which some terminals obey), are escaped here as `\u00XX`:
/// the same string to any JSON reader.
pub fn json(v: &serde_json::Value) {
    let text = v.to_string();
    let text: Cow<str> = if text.chars().any(|c| matches!(c as u32, 0x7f..=0x9f)) {
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            match c as u32 {
                n @ 0x7f..=0x9f => out.push_str(&format!("\\u{n:04x}")),
                _ => out.push(c),
            }
        }
        Cow::Owned(out)
    } else {
        Cow::Borrowed(&text)
    };
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// The first `n` characters of `s` on one line, with an ellipsis if cut.
pub fn clip(s: &str, n: usize) -> String {
    let flat: String = safe(s).chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
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

    /// Every style above: their escape sequences are the only ones `styled` lets through.
    pub const ALL: [Style; 7] = [HEADING, DIM, DATE, AMENDED, RETRACTED, WARN, LABEL];
}

/// `s` in a style (the escape codes are removed later where colour is off).
pub fn paint(style: Style, s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    format!("{}{}{}", style.render(), safe(s), style.render_reset())
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

    /// Escape sequences in stored text are shown, never obeyed; the styles
    /// dossier itself paints pass.
    #[test]
    fn control_characters_in_text_are_made_visible() {
        let hostile = "a\u{1b}]52;c;aGk=\u{7}b\r\u{9b}2Jc\u{7f}\td\ne";
        assert_eq!(safe(hostile), "a␛]52;c;aGk=␇b␍<U+009B>2Jc␡\td\ne");
        assert_eq!(safe("Дарья, no controls"), "Дарья, no controls");
        assert_eq!(safe("a\u{202e}b\u{200f}c"), "a<U+202E>b\u{200f}c");
        assert_eq!(safe_line("x'\nOK\tz"), "x'␊OK\tz");
        let painted = paint(style::WARN, hostile);
        assert!(!painted.contains("\u{1b}]"), "{painted:?}");
        let line = format!("{} {hostile} \u{1b}[8m", paint(style::DATE, "2010"));
        let shown = safe_styled(&line);
        assert!(shown.starts_with(&style::DATE.render().to_string()), "{shown:?}");
        assert_eq!(shown.matches('\u{1b}').count(), 2, "{shown:?}");
        assert!(shown.ends_with("␛[8m"), "{shown:?}");
    }
}
