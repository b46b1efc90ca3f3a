//! What every HTML page dossier writes shares: the head, the style, the helpers.
//!
//! The redacted extract ([`super::render_html`]) and the team's unredacted
//! report ([`super::internal`]) are both one self-contained page meant to be
//! printed: no external resource of any kind (inline styles only, no scripts,
//! images, fonts or links), a Content-Security-Policy of `default-src 'none'`
//! so that a browser refuses to fetch anything even if a value somehow carried
//! markup, and A4 print rules. Every value is escaped with `html-escape`.

use std::fmt::Write;

use html_escape::encode_text as esc;

/// The style both pages share: screen layout and print rules.
pub const STYLE: &str = r#"
body { font: 11pt/1.45 Georgia, "Times New Roman", serif; max-width: 46em; margin: 2em auto; padding: 0 1em; color: #111; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #999; margin-top: 2em; }
h3 { font-size: 1em; margin: 1.2em 0 .3em; }
.meta { color: #444; font-size: .9em; }
dl { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: .3em 0; }
dt { font-weight: bold; }
dd { margin: 0; overflow-wrap: anywhere; }
ol.timeline { list-style: none; padding-left: 0; border-left: 3px solid #555; }
ol.timeline > li { position: relative; margin: 0 0 1em 0; padding-left: 1.2em; }
ol.timeline > li::before { content: ""; position: absolute; left: -.5em; top: .35em; width: .7em; height: .7em; border-radius: 50%; background: #555; }
.date { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; }
blockquote { margin: .5em 0 .5em 1em; padding-left: 1em; border-left: 2px solid #bbb; white-space: pre-wrap; }
.text { white-space: pre-wrap; }
@page { size: A4; margin: 18mm 16mm; @bottom-center { content: "page " counter(page) " of " counter(pages); font: 8pt sans-serif; color: #444; } }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2, h3 { break-after: avoid; }
  li, section.testimony, section.record { break-inside: avoid; }
}
"#;

/// Opens the page: doctype, head with the shared style and `extra` style, body.
pub fn open(out: &mut String, title: &str, extra: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n<title>{}</title>\n<style>{STYLE}{extra}</style>\n</head>\n<body>\n",
        esc(title)
    );
}

/// Closes the page.
pub fn close(out: &mut String) {
    out.push_str("</body>\n</html>\n");
}

/// A definition list of the rows that have a value.
pub fn dl(out: &mut String, rows: &[(&str, Option<String>)]) {
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

/// `a, b, c`, or nothing for an empty list.
pub fn joined(v: &[String]) -> Option<String> {
    (!v.is_empty()).then(|| v.join(", "))
}
