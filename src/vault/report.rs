//! The team's case report: everything about a case on one printable page, unredacted.
//!
//! `dossier report` is for the people who already read the case: real names,
//! contact details, internal testimony, retracted records and earlier
//! versions, the timeline, who had access when, and every extract made (the
//! chain of custody), each record with its id, authors and times. Nothing is
//! redacted and there is no leak check: the page says so in a banner at its
//! top and in the margin of every printed page.
//!
//! It is laid out with [`crate::export::page`], like the redacted HTML extract: one
//! self-contained page, no external resource, every value escaped. It is a
//! pure function of a checked case; the command writes it (0600, never over an
//! existing file).

use std::collections::HashMap;
use std::fmt::Write;

use html_escape::encode_text as esc;

use crate::domain::case::{RecordState, Version};
use crate::domain::record::{vocab_name, Record};
use crate::format::hex;

use super::state::Case;

use crate::export::page::{self, dl, joined};

/// What the report adds to the shared style: the banner, tables, status marks,
/// and a line in the margin of every printed page.
const STYLE: &str = r#"
.banner { border: 3px solid #a00; color: #700; padding: .5em 1em; margin: 1em 0; font-weight: bold; }
.banner p { margin: .2em 0; font-weight: normal; color: #111; }
table { border-collapse: collapse; width: 100%; font-size: .9em; margin: .4em 0 1em; }
th, td { text-align: left; vertical-align: top; padding: .15em .6em .15em 0; border-bottom: 1px solid #ccc; }
td.id { word-break: break-all; }
td.time, td.hash, th { white-space: nowrap; }
td.hash { font-family: "DejaVu Sans Mono", monospace; font-size: .85em; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.id { font-family: "DejaVu Sans Mono", monospace; font-size: .85em; }
.mark { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; }
.status { font-size: .8em; font-weight: bold; letter-spacing: .05em; padding: 0 .3em; border: 1px solid; }
.amended .status { color: #8a5a00; }
.retracted .status { color: #a00; }
section.record { margin: 0 0 1em; }
section.record h3 { margin-bottom: .1em; }
.retracted .body { color: #555; }
.earlier { margin: .3em 0 0 1em; padding-left: .8em; border-left: 2px dotted #aaa; font-size: .9em; color: #333; }
.legend { font-size: .85em; color: #444; }
@page {
  @top-center { content: "INTERNAL — UNREDACTED — do not share"; font: bold 8pt sans-serif; color: #a00; }
  @bottom-center { content: "dossier case report, page " counter(page) " of " counter(pages); font: 8pt sans-serif; color: #444; }
}
@media print {
  table { font-size: 8.5pt; }
}
"#;

/// Who and when, for the report's heading.
pub struct Made<'a> {
    /// When the report was made (RFC 3339, UTC).
    pub time: &'a str,
    /// The member who made it.
    pub by: &'a str,
}

fn short(id: &[u8]) -> String {
    hex(id)[..16].to_string()
}

/// The groups of records, in the order a reader wants them.
const GROUPS: &[(&str, &str)] = &[
    ("person", "People"),
    ("testimony", "Testimony"),
    ("note", "Notes"),
    ("document", "Documents"),
];

/// Renders the report of a case. `author` names a signing key (the member's
/// name, or the key if it is no longer on the roster).
pub fn render(case: &Case, author: &dyn Fn(&[u8; 32]) -> String, made: &Made) -> String {
    // Room for the whole page up front: each time a String grows it leaves
    // the old buffer, unredacted text and all, freed but not zeroized.
    let text: usize = case
        .records
        .iter()
        .flat_map(|r| &r.versions)
        .map(|v| 1024 + 2 * v.record.strings().iter().map(|s| s.len()).sum::<usize>())
        .sum();
    let mut out = String::with_capacity(32 * 1024 + text + 512 * case.exports.len());
    let title = case.title.as_deref().unwrap_or(&case.name);
    page::open(&mut out, &format!("{title} — internal report"), STYLE);
    let _ = writeln!(out, "<h1>{}</h1>", esc(title));
    let _ = writeln!(
        out,
        "<p class=\"meta\">Case <strong>{}</strong>, created {}. Report made {} by {} from the case's signed log.</p>",
        esc(&case.name),
        esc(&case.created),
        esc(made.time),
        esc(made.by)
    );
    out.push_str(
        "<div class=\"banner\">INTERNAL — UNREDACTED. NOT FOR SHARING.\n\
         <p>This report holds everything the vault holds about the case: real names, contact details, \
         internal testimony, retracted records and earlier versions. It is not an extract and was not \
         redacted or leak-checked. Keep it on encrypted storage, never send it outside the team, and \
         shred printed copies. For anyone else, make a redacted extract with <code>dossier export</code>.</p></div>\n",
    );

    let names = person_names(case);
    let count = |s: &str| case.records.iter().filter(|r| r.status() == s).count();
    page::dl(
        &mut out,
        &[
            (
                "records",
                Some(format!(
                    "{} ({} current, {} amended, {} retracted)",
                    case.records.len(),
                    count("current"),
                    count("amended"),
                    count("retracted")
                )),
            ),
            (
                "members now",
                Some(
                    joined(&case.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>())
                        .unwrap_or_else(|| "none".into()),
                ),
            ),
            ("extracts made", Some(case.exports.len().to_string())),
            (
                "rotation",
                case.rotation_pending().then(|| {
                    "pending: someone whose access ended can still open some of the case's files (`dossier rotate`)"
                        .into()
                }),
            ),
        ],
    );
    out.push_str(
        "<p class=\"legend\"><span class=\"mark\">+</span> current &nbsp; <span class=\"mark\">~</span> amended \
         (the latest version first, earlier versions below it) &nbsp; <span class=\"mark\">x</span> retracted (kept \
         in the log, never exported). Ids are the first 16 hex digits of the record's first entry; \
         <code>dossier show ID</code> tells a record's whole story.</p>\n",
    );

    timeline(&mut out, case, &names, author);
    for (type_name, heading) in GROUPS {
        let rows = sorted(case, type_name);
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h2>{heading}</h2>");
        for r in rows {
            record(&mut out, r, &names, author);
        }
    }
    access(&mut out, case);
    custody(&mut out, case, author);
    let _ = writeln!(
        out,
        "<p class=\"meta\">End of the internal report of case {}, made {} by {}. Internal and unredacted.</p>",
        esc(&case.name),
        esc(made.time),
        esc(made.by)
    );
    page::close(&mut out);
    out
}

/// Each person handle to `Name (handle)`, from the latest version of the record that defines it.
fn person_names(case: &Case) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for r in &case.records {
        if let Record::Person(p) = &r.latest().record {
            if let Some(h) = &p.handle {
                // A retracted record does not override a current one of the same handle.
                if r.retraction.is_none() || !out.contains_key(h) {
                    out.insert(h.clone(), format!("{} ({h})", p.name));
                }
            }
        }
    }
    out
}

fn name_of(names: &HashMap<String, String>, handle: &str) -> String {
    names.get(handle).cloned().unwrap_or_else(|| handle.to_string())
}

/// A type's records, in date order (partial ISO dates sort as text), undated last in log order.
fn sorted<'a>(case: &'a Case, type_name: &str) -> Vec<&'a RecordState> {
    let mut rows: Vec<&RecordState> = case
        .records
        .iter()
        .filter(|r| r.latest().record.type_name() == type_name)
        .collect();
    rows.sort_by_key(|r| {
        r.latest()
            .record
            .date()
            .map_or((1, String::new()), |d| (0, d.to_string()))
    });
    rows
}

fn mark(r: &RecordState) -> (&'static str, &'static str) {
    match r.status() {
        "amended" => ("~", "amended"),
        "retracted" => ("x", "retracted"),
        _ => ("+", "current"),
    }
}

/// The line under a record's heading: id, who wrote it when, versions, retraction.
fn provenance(out: &mut String, r: &RecordState, author: &dyn Fn(&[u8; 32]) -> String) {
    let first = &r.versions[0];
    let latest = r.latest();
    let _ = write!(
        out,
        "<p class=\"meta\">id <span class=\"id\">{}</span> · written {} by {}",
        short(&r.id),
        esc(&first.time),
        esc(&author(&first.author))
    );
    if r.versions.len() > 1 {
        let _ = write!(
            out,
            " · {} versions, latest {} by {} (entry <span class=\"id\">{}</span>)",
            r.versions.len(),
            esc(&latest.time),
            esc(&author(&latest.author)),
            short(&latest.entry)
        );
    }
    out.push_str("</p>\n");
    if let Some(x) = &r.retraction {
        let _ = writeln!(
            out,
            "<p><strong>Retracted</strong> {} by {} (entry <span class=\"id\">{}</span>): {}</p>",
            esc(&x.time),
            esc(&author(&x.author)),
            short(&x.entry),
            esc(&x.reason)
        );
    }
}

/// A record's heading: status mark, what it is, its status word.
fn heading(r: &RecordState, names: &HashMap<String, String>) -> String {
    let rec = &r.latest().record;
    let what = match rec {
        Record::Person(p) => {
            let role = p.role.map_or_else(|| "person".into(), |r| vocab_name(&r));
            format!("{} — {role}{}", p.name, if p.public { ", public" } else { "" })
        }
        Record::Testimony(t) => format!("Testimony of {}", name_of(names, &t.witness)),
        Record::Event(e) => vocab_name(&e.kind).replace('-', " "),
        Record::Note(_) => "Note".into(),
        Record::Document(d) => d.name.clone(),
    };
    let date = rec.date().map(|d| format!("<span class=\"date\">{}</span> ", esc(d)));
    let (m, word) = mark(r);
    let status = if word == "current" {
        String::new()
    } else {
        format!(" <span class=\"status\">{}</span>", word.to_uppercase())
    };
    format!(
        "<span class=\"mark\">{m}</span> {}{}{status}",
        date.unwrap_or_default(),
        esc(&what)
    )
}

/// A version's fields and text.
fn fields(out: &mut String, rec: &Record, names: &HashMap<String, String>) {
    let people = |v: &[String]| joined(&v.iter().map(|h| name_of(names, h)).collect::<Vec<_>>());
    let text = match rec {
        Record::Person(p) => {
            let c = p.contact.clone().unwrap_or_default();
            dl(
                out,
                &[
                    ("ref", p.handle.clone()),
                    ("aliases", joined(&p.aliases)),
                    ("role", p.role.map(|r| vocab_name(&r))),
                    ("public", p.public.then(|| "yes: named in extracts".into())),
                    ("phone", c.phone),
                    ("e-mail", c.email),
                    ("address", c.address),
                    ("other contact", c.other),
                    ("date", p.date.clone()),
                    ("tags", joined(&p.tags)),
                ],
            );
            p.text.as_deref()
        }
        Record::Testimony(t) => {
            let acts: Vec<String> = t.acts.iter().map(|a| vocab_name(a).replace('-', " ")).collect();
            dl(
                out,
                &[
                    ("ref", t.handle.clone()),
                    ("witness", Some(name_of(names, &t.witness))),
                    ("consent", Some(vocab_name(&t.consent))),
                    ("acts", joined(&acts)),
                    ("perpetrators", people(&t.perpetrators)),
                    ("location", t.location.clone()),
                    ("interviewer", t.interviewer.clone()),
                    ("language", t.language.clone()),
                    ("tags", joined(&t.tags)),
                ],
            );
            t.text.as_deref()
        }
        Record::Event(e) => {
            dl(
                out,
                &[
                    ("ref", e.handle.clone()),
                    ("place", e.place.clone()),
                    ("persons", people(&e.persons)),
                    ("tags", joined(&e.tags)),
                ],
            );
            e.text.as_deref()
        }
        Record::Note(n) => {
            dl(out, &[("ref", n.handle.clone()), ("tags", joined(&n.tags))]);
            Some(n.text.as_str())
        }
        Record::Document(d) => {
            dl(
                out,
                &[
                    ("media type", Some(d.media_type.clone())),
                    ("size", Some(format!("{} bytes", d.size))),
                    ("content", Some(d.hash.clone())),
                    ("note", d.note.clone()),
                    ("tags", joined(&d.tags)),
                ],
            );
            None
        }
    };
    if let Some(t) = text {
        if matches!(rec, Record::Testimony(_)) {
            let _ = writeln!(out, "<blockquote>{}</blockquote>", esc(t));
        } else {
            let _ = writeln!(out, "<p class=\"text\">{}</p>", esc(t));
        }
    }
}

/// Earlier versions of an amended record, newest first.
fn earlier(out: &mut String, r: &RecordState, names: &HashMap<String, String>, author: &dyn Fn(&[u8; 32]) -> String) {
    let n = r.versions.len();
    for (i, v) in r.versions[..n - 1].iter().enumerate().rev() {
        let Version {
            entry, record, time, ..
        } = v;
        let _ = writeln!(
            out,
            "<div class=\"earlier\"><p class=\"meta\">version {} of {n}, {} by {} (entry <span class=\"id\">{}</span>), replaced:</p>",
            i + 1,
            esc(time),
            esc(&author(&v.author)),
            short(entry)
        );
        if let Some(d) = record.date() {
            let _ = writeln!(out, "<p class=\"meta\">date {}</p>", esc(d));
        }
        fields(out, record, names);
        out.push_str("</div>\n");
    }
}

fn record(out: &mut String, r: &RecordState, names: &HashMap<String, String>, author: &dyn Fn(&[u8; 32]) -> String) {
    let open = format!(
        "<section class=\"record {}\">\n<h3>{}</h3>",
        mark(r).1,
        heading(r, names)
    );
    entry(out, &open, "</section>", r, names, author);
}

/// One record in full: `open`, its provenance, fields and earlier versions, `close`.
fn entry(
    out: &mut String,
    open: &str,
    close: &str,
    r: &RecordState,
    names: &HashMap<String, String>,
    author: &dyn Fn(&[u8; 32]) -> String,
) {
    out.push_str(open);
    out.push('\n');
    provenance(out, r, author);
    out.push_str("<div class=\"body\">\n");
    fields(out, &r.latest().record, names);
    earlier(out, r, names, author);
    out.push_str("</div>\n");
    out.push_str(close);
    out.push('\n');
}

/// The events, in date order, as a timeline.
fn timeline(out: &mut String, case: &Case, names: &HashMap<String, String>, author: &dyn Fn(&[u8; 32]) -> String) {
    let rows = sorted(case, "event");
    if rows.is_empty() {
        return;
    }
    out.push_str("<h2>Timeline of events</h2>\n<ol class=\"timeline\">\n");
    for r in rows {
        let open = format!("<li class=\"{}\"><strong>{}</strong>", mark(r).1, heading(r, names));
        entry(out, &open, "</li>", r, names, author);
    }
    out.push_str("</ol>\n");
}

/// Members now, who had access when, and each rotation.
fn access(out: &mut String, case: &Case) {
    out.push_str("<h2>Members and access</h2>\n");
    if case.members.is_empty() {
        out.push_str("<p>No one on the roster is a member of the case now.</p>\n");
    } else {
        out.push_str(
            "<table><thead><tr><th>member now</th><th>vault role</th><th>age recipient</th></tr></thead><tbody>\n",
        );
        for m in &case.members {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"id\">{}</td></tr>",
                esc(&m.name),
                m.role.name(),
                esc(&m.recipient)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str(
        "<h3>Access history</h3>\n<table><thead><tr><th>member</th><th>from</th><th>until</th></tr></thead><tbody>\n",
    );
    for a in &case.access {
        let until = a.until.as_ref().map_or_else(
            || "now".to_string(),
            |(e, t)| format!("{} (entry {})", esc(t), short(e)),
        );
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{} (entry <span class=\"id\">{}</span>)</td><td>{until}</td></tr>",
            esc(&a.name),
            esc(&a.from.1),
            short(&a.from.0)
        );
    }
    out.push_str("</tbody></table>\n");
    if !case.rotations.is_empty() {
        out.push_str(
            "<h3>Rotations</h3>\n<p class=\"legend\">Every file of the case sealed anew to the members of the time; a key \
             whose access ended before opens nothing written or rotated after.</p>\n\
             <table><thead><tr><th>time</th><th>entry</th><th>sealed to</th></tr></thead><tbody>\n",
        );
        for r in &case.rotations {
            let to: Vec<String> = r.members.iter().map(|m| m.name.clone()).collect();
            let _ = writeln!(
                out,
                "<tr><td class=\"time\">{}</td><td class=\"hash\">{}</td><td>{}</td></tr>",
                esc(&r.time),
                short(&r.entry),
                esc(&to.join(", "))
            );
        }
        out.push_str("</tbody></table>\n");
    }
}

/// Every extract made of the case: the chain of custody.
fn custody(out: &mut String, case: &Case, author: &dyn Fn(&[u8; 32]) -> String) {
    out.push_str("<h2>Chain of custody: extracts made</h2>\n");
    if case.exports.is_empty() {
        out.push_str("<p>No extract has been made of this case.</p>\n");
        return;
    }
    out.push_str(
        "<table><thead><tr><th>time</th><th>by</th><th>format</th><th>policy</th><th>to</th>\
         <th>records</th><th>extract (BLAKE3)</th><th>entry</th></tr></thead><tbody>\n",
    );
    for x in &case.exports {
        let b = &x.body;
        let to = if b.recipients.is_empty() {
            "plaintext".to_string()
        } else {
            format!("{}{}", b.recipients.join(", "), if b.armor { " (armored)" } else { "" })
        };
        let policy = match b.policy.strip_prefix("blake3:") {
            Some(h) => format!("file, blake3 {}", h.chars().take(16).collect::<String>()),
            None => b.policy.clone(),
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"time\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"id\">{}</td><td>{}</td>\
             <td class=\"hash\">{}</td><td class=\"hash\">{}</td></tr>",
            esc(&x.time),
            esc(&author(&x.author)),
            esc(&b.format),
            esc(&policy),
            esc(&to),
            b.records.len(),
            short(b.extract.as_ref()),
            short(&x.entry)
        );
    }
    out.push_str("</tbody></table>\n");
}
