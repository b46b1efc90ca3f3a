//! Reading records from the user's JSON: one object, or JSON lines of several.
//!
//! Input is read whole into a zeroizing buffer (it is plaintext testimony) up
//! to a fixed limit, then parsed strictly. Every refusal names the line and the
//! record number, so a lawyer can find the typo in a file of hundreds of lines.

use std::io::Read;

use zeroize::Zeroizing;

use super::record::Record;
use crate::error::{Error, Result};

/// Largest input accepted by `add` and `amend`, in bytes.
pub const MAX_INPUT: u64 = 64 * 1024 * 1024;
/// Most records accepted in one `add`.
pub const MAX_RECORDS: usize = 100_000;

/// A parsed record and the line it started on.
pub struct Parsed {
    pub line: usize,
    pub record: Record,
}

/// Reads `source` (named `origin` in messages) to the end and parses every record in it.
pub fn read_records(mut source: impl Read, origin: &str) -> Result<Vec<Parsed>> {
    let mut buf = Zeroizing::new(Vec::new());
    source
        .by_ref()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(origin, e))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(Error::BadRecord {
            location: origin.to_string(),
            message: format!(
                "input is larger than {} MiB; split it into several files",
                MAX_INPUT >> 20
            ),
        });
    }
    parse_records(&buf, origin)
}

/// Parses a buffer of JSON values separated by white space (JSON lines included).
pub fn parse_records(buf: &[u8], origin: &str) -> Result<Vec<Parsed>> {
    if let Err(e) = std::str::from_utf8(buf) {
        let line = line_of(buf, e.valid_up_to());
        return Err(Error::BadRecord {
            location: format!("{origin}, line {line}"),
            message: "the input is not valid UTF-8 text".into(),
        });
    }
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(buf).into_iter::<Record>();
    // Lines are counted as the stream advances: counting from the start for
    // every record made 100,000 JSON lines take minutes (quadratic).
    let (mut counted_to, mut line) = (0, 1);
    loop {
        let start = skip_space(buf, stream.byte_offset());
        if start >= buf.len() {
            break;
        }
        line += buf[counted_to..start].iter().filter(|&&b| b == b'\n').count();
        counted_to = start;
        let location = format!("{origin}, line {line} (record {})", out.len() + 1);
        match stream.next() {
            None => break,
            Some(Err(e)) => {
                return Err(Error::BadRecord {
                    location,
                    message: describe(&e),
                });
            }
            Some(Ok(record)) => {
                if matches!(record, Record::Document(_)) {
                    return Err(Error::BadRecord {
                        location,
                        message: "documents are added with `dossier attach CASE FILE`, not as JSON".into(),
                    });
                }
                record
                    .check()
                    .map_err(|message| Error::BadRecord { location, message })?;
                out.push(Parsed { line, record });
                if out.len() > MAX_RECORDS {
                    return Err(Error::BadRecord {
                        location: origin.to_string(),
                        message: format!("more than {MAX_RECORDS} records in one input; split it"),
                    });
                }
            }
        }
    }
    if out.is_empty() {
        return Err(Error::BadRecord {
            location: origin.to_string(),
            message: "no record found".into(),
        });
    }
    Ok(out)
}

fn skip_space(buf: &[u8], mut i: usize) -> usize {
    while i < buf.len() && buf[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

fn line_of(buf: &[u8], offset: usize) -> usize {
    buf[..offset.min(buf.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// serde_json's message, without the position (we give our own), and with the
/// record type vocabulary spelled out where the type was wrong.
fn describe(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    if msg.contains("missing field `type`") {
        return "every record needs a \"type\": person, testimony, event or note".into();
    }
    if msg.contains("unknown variant") && msg.contains("`person`, `testimony`") {
        return format!("{msg} (record types are person, testimony, event, note)");
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_and_pretty_json_both_parse() {
        let lines = b"{\"type\":\"note\",\"text\":\"a\"}\n\n{\"type\":\"note\",\"text\":\"b\"}\n";
        let got = parse_records(lines, "in").unwrap();
        assert_eq!(got.iter().map(|p| p.line).collect::<Vec<_>>(), [1, 3]);
        let pretty = b"{\n  \"type\": \"note\",\n  \"text\": \"a\"\n}\n";
        assert_eq!(parse_records(pretty, "in").unwrap().len(), 1);
    }

    #[test]
    fn errors_name_line_and_record() {
        let bad = b"{\"type\":\"note\",\"text\":\"a\"}\n{\"type\":\"note\",\"txt\":\"b\"}\n";
        let e = parse_records(bad, "f.jsonl").err().unwrap().to_string();
        assert!(e.starts_with("f.jsonl, line 2 (record 2): unknown field `txt`"), "{e}");
        let e = parse_records(b"{\"type\":\"note\",\"text\":\"a\xff\"}", "f")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("UTF-8"), "{e}");
        let deep = "[".repeat(10_000);
        assert!(parse_records(deep.as_bytes(), "f").is_err());
        assert!(parse_records(b"   \n", "f").is_err());
    }
}
