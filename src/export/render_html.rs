//! The extract as one self-contained HTML page, ready to print.
//!
//! No external resource of any kind: styles are inline, there are no scripts,
//! images, fonts or links, and a Content-Security-Policy of `default-src
//! 'none'` makes a browser refuse to fetch anything even if a value somehow
//! carried markup. Every value from a record is escaped with `html-escape`.

use std::fmt::Write;

use html_escape::encode_text as esc;

use super::model::Extract;

const STYLE: &str = r#"
body { font: 11pt/1.45 Georgia, "Times New Roman", serif; max-width: 46em; margin: 2em auto; padding: 0 1em; color: #111; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #999; margin-top: 2em; }
h3 { font-size: 1em; margin: 1.2em 0 .3em; }
.meta { color: #444; font-size: .9em; }
dl { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: .3em 0; }
dt { font-weight: bold; }
dd { margin: 0; }
ol.timeline { list-style: none; padding-left: 0; border-left: 3px solid #555; }
ol.timeline > li { position: relative; margin: 0 0 1em 0; padding-left: 1.2em; }
ol.timeline > li::before { content: ""; position: absolute; left: -.5em; top: .35em; width: .7em; height: .7em; border-radius: 50%; background: #555; }
.date { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; }
blockquote { margin: .5em 0 .5em 1em; padding-left: 1em; border-left: 2px solid #bbb; white-space: pre-wrap; }
.text { white-space: pre-wrap; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  li, section.testimony { break-inside: avoid; }
}
"#;

fn dl(out: &mut String, rows: &[(&str, Option<String>)]) {
    let rows: Vec<_> = rows.iter().filter_map(|(k, v)| v.as_ref().map(|v| (k, v))).collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("<dl>");
    for (k, v) in rows {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    }
    out.push_str("</dl>\n");
}

fn joined(v: &[String]) -> Option<String> {
    (!v.is_empty()).then(|| v.join(", "))
}

/// Renders the extract.
pub fn render(x: &Extract) -> String {
    let mut out = String::new();
    let title = x.title.as_deref().unwrap_or(&x.case);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", esc(title));
    let _ = writeln!(
        out,
        "<p class=\"meta\">Redacted extract of case {}, made {} under policy {}. People who are not \
         publicly known are named by pseudonyms (“Witness A”); contact details are removed.</p>",
        esc(&x.case),
        esc(&x.generated),
        esc(&x.policy)
    );
    if !x.persons.is_empty() {
        out.push_str("<h2>People</h2>\n<ul>\n");
        for p in &x.persons {
            let _ = write!(
                out,
                "<li><strong>{}</strong> ({}",
                esc(&p.label),
                esc(p.role.as_deref().unwrap_or("person"))
            );
            if let Some(d) = &p.date {
                let _ = write!(out, ", {}", esc(d));
            }
            out.push(')');
            if let Some(t) = &p.text {
                let _ = write!(out, ": <span class=\"text\">{}</span>", esc(t));
            }
            if let Some(t) = joined(&p.tags) {
                let _ = write!(out, " — tags: {}", esc(&t));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    if !x.events.is_empty() {
        out.push_str("<h2>Timeline</h2>\n<ol class=\"timeline\">\n");
        for e in &x.events {
            let _ = writeln!(
                out,
                "<li><span class=\"date\">{}</span> — <strong>{}</strong>",
                esc(e.date.as_deref().unwrap_or("undated")),
                esc(&e.kind.replace('-', " "))
            );
            dl(
                &mut out,
                &[
                    ("place", e.place.clone()),
                    ("persons", joined(&e.persons)),
                    ("tags", joined(&e.tags)),
                ],
            );
            if let Some(t) = &e.text {
                let _ = writeln!(out, "<p class=\"text\">{}</p>", esc(t));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n");
    }
    if !x.testimony.is_empty() {
        out.push_str("<h2>Testimony</h2>\n");
        for t in &x.testimony {
            let _ = writeln!(
                out,
                "<section class=\"testimony\">\n<h3>{} — <span class=\"date\">{}</span></h3>",
                esc(&t.witness),
                esc(t.date.as_deref().unwrap_or("undated"))
            );
            let acts: Vec<String> = t.acts.iter().map(|a| a.replace('-', " ")).collect();
            dl(
                &mut out,
                &[
                    ("consent", Some(t.consent.clone())),
                    ("acts", joined(&acts)),
                    ("perpetrators", joined(&t.perpetrators)),
                    ("location", t.location.clone()),
                    ("interviewer", t.interviewer.clone()),
                    ("language", t.language.clone()),
                    ("tags", joined(&t.tags)),
                ],
            );
            if let Some(text) = &t.text {
                let _ = writeln!(out, "<blockquote>{}</blockquote>", esc(text));
            }
            out.push_str("</section>\n");
        }
    }
    if !x.notes.is_empty() {
        out.push_str("<h2>Notes</h2>\n<ul>\n");
        for n in &x.notes {
            out.push_str("<li>");
            if let Some(d) = &n.date {
                let _ = write!(out, "<span class=\"date\">{}</span>: ", esc(d));
            }
            let _ = write!(out, "<span class=\"text\">{}</span>", esc(&n.text));
            if let Some(t) = joined(&n.tags) {
                let _ = write!(out, " — tags: {}", esc(&t));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    if !x.documents.is_empty() {
        out.push_str("<h2>Documents</h2>\n<ul>\n");
        for d in &x.documents {
            let _ = write!(
                out,
                "<li><strong>{}</strong> ({}, {} bytes, {})",
                esc(d.name.as_deref().unwrap_or("(name withheld)")),
                esc(&d.media_type),
                d.size,
                esc(&d.hash)
            );
            if let Some(n) = &d.note {
                let _ = write!(out, ": <span class=\"text\">{}</span>", esc(n));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
