//! The extract as one self-contained HTML page, ready to print.
//!
//! The head, style and print rules are [`super::page`]'s, shared with the
//! team's report: no external resource of any kind, a Content-Security-Policy
//! of `default-src 'none'`, every value from a record escaped.

use std::fmt::Write;

use html_escape::encode_text as esc;

use super::content;
use super::model::Extract;
use super::page::{self, dl, joined};

/// Renders the extract.
pub fn render(x: &Extract) -> String {
    let mut out = String::new();
    let title = x.title.as_deref().unwrap_or(&x.case);
    page::open(&mut out, title, "");
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
            if let Some(c) = &d.content {
                let mt = content::uri_media_type(&c.media_type);
                if mt.starts_with("image/") {
                    let _ = write!(
                        out,
                        "<figure><img alt=\"document {id}\" src=\"data:{mt};base64,{data}\">\
                         <figcaption class=\"meta\">{what}</figcaption></figure>",
                        id = esc(&d.id),
                        data = c.base64,
                        what = esc(&c.checked),
                    );
                } else {
                    let _ = write!(
                        out,
                        "<br><a download=\"document-{id}\" href=\"data:{mt};base64,{data}\">the document's content \
                         ({size} bytes)</a> <span class=\"meta\">{what}</span>",
                        id = esc(&d.id),
                        data = c.base64,
                        size = c.size,
                        what = esc(&c.checked),
                    );
                }
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    page::close(&mut out);
    out
}
