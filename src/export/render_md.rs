//! The extract as Markdown (CommonMark).
//!
//! Every value from a record is escaped: Markdown punctuation is
//! backslash-escaped so that a text cannot turn into a link, an image (which a
//! viewer would fetch), raw HTML or a heading.

use std::fmt::Write;

use super::content;
use super::model::Extract;
use super::redact::is_mark;

/// Escapes text for Markdown, keeping line breaks as hard breaks.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (n, line) in s.lines().enumerate() {
        if n > 0 {
            out.push_str("  \n");
        }
        let mut at_start = true;
        // Only digits so far on this line: "1." or "1)" would start a list.
        let mut digits_only = true;
        for c in line.chars() {
            // The leak check's value marks are not text: they neither start a
            // line nor end its leading white space.
            if is_mark(c) {
                out.push(c);
                continue;
            }
            if at_start && c.is_whitespace() {
                continue;
            }
            let special = matches!(
                c,
                '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '~' | '&' | '$'
            ) || (at_start && matches!(c, '-' | '+' | '=' | ':'))
                || (!at_start && digits_only && matches!(c, '.' | ')'));
            if special {
                out.push('\\');
            }
            out.push(c);
            at_start = false;
            digits_only &= c.is_ascii_digit();
        }
    }
    out
}

fn field(out: &mut String, name: &str, value: &Option<String>) {
    if let Some(v) = value {
        let _ = writeln!(out, "- **{name}:** {}", escape(v));
    }
}

fn list(out: &mut String, name: &str, values: &[String]) {
    if !values.is_empty() {
        let v: Vec<String> = values.iter().map(|s| escape(s)).collect();
        let _ = writeln!(out, "- **{name}:** {}", v.join(", "));
    }
}

fn words(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.replace('-', " ")).collect()
}

/// Renders the extract.
pub fn render(x: &Extract) -> String {
    let mut out = String::new();
    let title = x.title.as_deref().unwrap_or(&x.case);
    let _ = writeln!(out, "# {}\n", escape(title));
    let _ = writeln!(
        out,
        "Redacted extract of case {}, made {} under policy {}. People who are not \
         publicly known are named by pseudonyms (\"Witness A\"); contact details are removed.\n",
        escape(&x.case),
        escape(&x.generated),
        escape(&x.policy)
    );
    if !x.persons.is_empty() {
        out.push_str("## People\n\n");
        for p in &x.persons {
            let role = p.role.as_deref().unwrap_or("person");
            let _ = write!(out, "- **{}** ({role}", escape(&p.label));
            if let Some(d) = &p.date {
                let _ = write!(out, ", {d}");
            }
            out.push(')');
            if let Some(t) = &p.text {
                let _ = write!(out, ": {}", escape(t));
            }
            if !p.tags.is_empty() {
                let tags: Vec<String> = p.tags.iter().map(|s| escape(s)).collect();
                let _ = write!(out, " — tags: {}", tags.join(", "));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    if !x.events.is_empty() {
        out.push_str("## Timeline\n\n");
        for e in &x.events {
            let date = e.date.as_deref().unwrap_or("undated");
            let _ = writeln!(out, "### {date} — {}\n", e.kind.replace('-', " "));
            field(&mut out, "place", &e.place);
            list(&mut out, "persons", &e.persons);
            list(&mut out, "tags", &e.tags);
            if let Some(t) = &e.text {
                let _ = writeln!(out, "\n{}", escape(t));
            }
            out.push('\n');
        }
    }
    if !x.testimony.is_empty() {
        out.push_str("## Testimony\n\n");
        for t in &x.testimony {
            let date = t.date.as_deref().unwrap_or("undated");
            let _ = writeln!(out, "### {} — {date}\n", escape(&t.witness));
            let _ = writeln!(out, "- **consent:** {}", t.consent);
            list(&mut out, "acts", &words(&t.acts));
            list(&mut out, "perpetrators", &t.perpetrators);
            field(&mut out, "location", &t.location);
            field(&mut out, "interviewer", &t.interviewer);
            field(&mut out, "language", &t.language);
            list(&mut out, "tags", &t.tags);
            if let Some(text) = &t.text {
                let _ = writeln!(out, "\n> {}", escape(text).replace('\n', "\n> "));
            }
            out.push('\n');
        }
    }
    if !x.notes.is_empty() {
        out.push_str("## Notes\n\n");
        for n in &x.notes {
            let date = n.date.as_deref().map(|d| format!("{d}: ")).unwrap_or_default();
            let _ = write!(out, "- {date}{}", escape(&n.text).replace('\n', "\n  "));
            if !n.tags.is_empty() {
                let tags: Vec<String> = n.tags.iter().map(|s| escape(s)).collect();
                let _ = write!(out, " — tags: {}", tags.join(", "));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    if !x.documents.is_empty() {
        out.push_str("## Documents\n\n");
        for d in &x.documents {
            let name = d
                .name
                .as_deref()
                .map(escape)
                .unwrap_or_else(|| "(name withheld)".into());
            let _ = writeln!(
                out,
                "- **{name}** ({}, {} bytes, {})",
                escape(&d.media_type),
                d.size,
                d.hash
            );
            if let Some(n) = &d.note {
                let _ = writeln!(out, "  {}", escape(n));
            }
            if let Some(c) = &d.content {
                let mt = content::uri_media_type(&c.media_type);
                if mt.starts_with("image/") {
                    let _ = writeln!(
                        out,
                        "\n  ![document {}](data:{mt};base64,{})\n\n  {}",
                        d.id,
                        c.base64,
                        escape(&c.checked)
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "  Its content ({} bytes) is not embedded in Markdown: the HTML and JSON extracts carry it.",
                        c.size
                    );
                }
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_in_text_is_inert() {
        assert_eq!(escape("![x](http://t/a.png)"), "\\!\\[x\\](http://t/a.png)");
        assert_eq!(escape("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(escape("# heading\n- item"), "\\# heading  \n\\- item");
        assert_eq!(escape("pre-trial, 1. and 2010."), "pre-trial, 1. and 2010.");
        assert_eq!(escape("12. item"), "12\\. item");
        // The leak check's value marks change nothing.
        assert_eq!(escape("\u{E002}  - 1. x\u{E003}"), "\u{E002}\\- 1. x\u{E003}");
    }
}
