//! Redacted export: from a case and a policy to an extract that cannot leak a witness.
//!
//! Pure functions from records and a policy to bytes; nothing here sees a key,
//! opens a file or prints. The pipeline, each step in its own file:
//!
//! 1. [`policy`]: the default policy of SPEC §5, tightened or loosened by a
//!    strict TOML file;
//! 2. [`build`]: chooses what goes out (consent, retractions, documents,
//!    excluded records), decides who is named and who is protected, and runs
//!    every free-text field through [`redact`], which matches names on
//!    [`fold`]ed words and masks phone numbers and e-mail addresses; the
//!    result is an [`model::Extract`] and a [`report::Report`];
//! 3. [`render_md`], [`render_html`], [`render_json`]: lay the extract out;
//! 4. [`leak`]: searches the final bytes for every protected string. Only
//!    bytes that pass are handed back; a hit is an error naming whose string
//!    it is and which item of the extract holds it.
//!
//! The team's unredacted case report (`dossier report`) is not an extract:
//! it is the vault's (`vault::report`), laid out with the same [`page`] as the
//! HTML extract.
//!
//! The leak check does not rely on the redactor having worked: it is built
//! from the records, not from what the redactor did, and searches the output
//! in more ways (separator-free skeletons, digit runs, decoded markup) than
//! the redactor rewrites.

pub mod build;
pub mod content;
pub mod fold;
pub mod inflect;
pub mod leak;
pub mod model;
pub mod names;
pub mod page;
pub mod policy;
pub mod proof;
pub mod redact;
pub mod render_html;
pub mod render_json;
pub mod render_md;
pub mod report;
pub mod translit;

#[cfg(test)]
mod regressions;

pub use build::{prepare, Error as PolicyError, Options, Prepared, Source};
pub use policy::Policy;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Markdown, Format::Html, Format::Json];

    /// The name used on the command line and in the custody log.
    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Json => "json",
        }
    }
}

/// The leak check found a protected string in the rendered output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    /// Whose string it is: `person 'w1' (witness, record 3f9c…)`.
    pub owner: String,
    /// What kind of string: `a name or alias`, `a phone number`, …
    pub kind: &'static str,
    /// Where in the extract: `testimony 3f9c…`, `the extract's title`, …
    pub item: String,
    pub format: &'static str,
}

impl std::fmt::Display for Leak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "leak check: the {} extract would contain {} of {}, in {}",
            self.format, self.kind, self.owner, self.item
        )
    }
}

impl Prepared {
    /// Adds the proof of each record to a JSON extract (docs/EXTRACT.md):
    /// `records` are the case's, and `signed` gives the signed entry of a
    /// version by its entry id.
    pub fn attach_proofs<'a>(
        &mut self,
        records: &[crate::domain::case::RecordState],
        signed: impl Fn(&crate::domain::case::EntryId) -> Option<proof::Signed<'a>>,
    ) {
        self.extract.proofs = proof::build(records, signed, &self.extract);
    }

    /// Renders the extract and runs the leak check on the bytes.
    pub fn render(&self, format: Format) -> Result<Vec<u8>, Leak> {
        let marked = self.extract.marked();
        let text = match format {
            Format::Markdown => render_md::render(&marked),
            Format::Html => render_html::render(&marked),
            Format::Json => render_json::render(&marked),
        };
        if let Some(hit) = self.checker.check_marked(&text, format.name()) {
            return Err(self.leak(hit, format));
        }
        let plain = leak::strip_values(&text).0;
        if self.contents.is_empty() {
            return Ok(plain.into_bytes());
        }
        // The content goes in only now: it is not text the leak check can
        // read (module [`content`]).
        Ok(content::fill(&plain, &self.contents).as_bytes().to_vec())
    }

    /// The leak check on rendered bytes (all of them taken as record data).
    pub fn check(&self, bytes: &[u8], format: Format) -> Result<(), Leak> {
        match self.checker.check(bytes, format.name()) {
            Some(hit) => Err(self.leak(hit, format)),
            None => Ok(()),
        }
    }

    fn leak(&self, hit: leak::Hit, format: Format) -> Leak {
        // Name the item that holds it: the first whose own strings fail the check.
        let item = self
            .extract
            .items()
            .into_iter()
            .find(|(_, strings)| {
                self.checker
                    .check_text(&strings.join("\n"), "item")
                    .is_some_and(|h| h.owner == hit.owner)
            })
            .map_or_else(|| "the extract's layout or markup".to_string(), |(name, _)| name);
        Leak {
            owner: self.owners.get(hit.owner).cloned().unwrap_or_default(),
            kind: hit.kind.describe(),
            item,
            format: format.name(),
        }
    }
}
