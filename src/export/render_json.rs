//! The extract as JSON: one object, `format` `dossier-extract`, `version` 1.
//!
//! The layout is that of [`super::model::Extract`], documented in
//! docs/EXPORT.md. Non-ASCII text is written as UTF-8, not `\u` escapes.

use super::model::Extract;

/// Renders the extract, pretty-printed, with a final newline.
pub fn render(x: &Extract) -> String {
    let mut s = serde_json::to_string_pretty(x).expect("an extract always serializes");
    s.push('\n');
    s
}
