//! `dossier export`: a redacted extract of a case.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use dossier::crypto::extract::{check_recipients, seal_extract};
use dossier::export::{self, Format, Policy};
use dossier::format::entry::{ExportBody, SentContent};
use dossier::format::hex;
use dossier::store::atomic::{write_with, Replace};
use dossier::{Error, Result};
use serde_bytes::ByteArray;
use zeroize::Zeroizing;

use super::{output, Ctx};

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    /// Markdown
    Md,
    /// one self-contained HTML page, ready to print
    Html,
    /// JSON (format "dossier-extract", version 1)
    Json,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Md => Format::Markdown,
            FormatArg::Html => Format::Html,
            FormatArg::Json => Format::Json,
        }
    }
}

/// Make a redacted extract of a case: public people named, everyone else pseudonymised
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier export statkevich-2010 --format md --output extract.md
  dossier export statkevich-2010 --format html --output extract.html
  dossier export statkevich-2010 --policy un.toml --format md --to age1... --output un.age
  dossier export statkevich-2010 --format md --to age1... --armor --output un.asc
  dossier export statkevich-2010 --dry-run        # what would be hidden, masked, left out, and why
  dossier export statkevich-2010 --history        # every extract so far: who, when, to whom

The default policy (SPEC §5, docs/EXPORT.md): people marked public keep their
name; everyone else becomes a pseudonym by role (\"Witness A\") everywhere,
including inside free text, whatever the spelling; phone numbers and e-mail
addresses are masked; contact details never go out; internal testimony,
retracted records and documents not named by the policy are left out.

Before anything is written, a leak check searches the rendered extract for
every protected name, alias, phone number and e-mail address; if one is found
the export fails and nothing is written. Each export is recorded as a signed
entry in the case's log (who, when, policy, format, recipients, records).")]
pub struct Args {
    /// The case
    case: String,
    /// The extract's format (with --dry-run, every format is checked if none is given)
    #[arg(long, value_enum, required_unless_present_any = ["dry_run", "history"])]
    format: Option<FormatArg>,
    /// Where to write the extract [default: standard output]; never replaced unless --force
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// A policy file (TOML) that tightens or loosens the default policy
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Encrypt the extract to this age recipient (age1... or an SSH public key); repeatable
    #[arg(long = "to", value_name = "RECIPIENT")]
    to: Vec<String>,
    /// Write the encrypted extract as ASCII-armored age (to paste into a message)
    #[arg(long, requires = "to")]
    armor: bool,
    /// Print what would be hidden, masked and left out, and why; write nothing
    #[arg(long)]
    dry_run: bool,
    /// Replace the output file if it exists
    #[arg(long)]
    force: bool,
    /// List the extracts made of this case so far (the chain of custody), and export nothing
    #[arg(long, conflicts_with_all = ["format", "output", "policy", "to", "dry_run"])]
    history: bool,
}

fn history(ctx: &Ctx, case: &str) -> Result<i32> {
    let vault = ctx.open(false)?;
    let (_, c) = vault.case(case)?;
    for x in &c.exports {
        let b = &x.body;
        if ctx.json {
            output::json(&serde_json::json!({
                "entry": hex(&x.entry), "time": x.time, "author": vault.author_name(&x.author),
                "format": b.format, "policy": b.policy, "recipients": b.recipients, "armor": b.armor,
                "records": b.records.iter().map(|r| hex(r.as_ref())).collect::<Vec<_>>(),
                "extract": hex(b.extract.as_ref()),
                "documents": b.documents.iter().map(|d| serde_json::json!({
                    "record": hex(d.record.as_ref()), "sent": hex(d.sent.as_ref()),
                })).collect::<Vec<_>>(),
            }));
            continue;
        }
        let to = match b.recipients.len() {
            0 => "plaintext".to_string(),
            1 => format!("to {}", b.recipients[0]),
            n => format!("to {n} recipients"),
        };
        output::line(&format!(
            "{}  {}  by {}  {}, {} records, policy {}, {to}, extract blake3 {}",
            &hex(&x.entry)[..16],
            x.time,
            vault.author_name(&x.author),
            b.format,
            b.records.len(),
            b.policy,
            &hex(b.extract.as_ref())[..16],
        ));
    }
    if c.exports.is_empty() && !ctx.json {
        eprintln!("no extract has been made of {case}");
    }
    Ok(0)
}

/// Refuses a destination the extract could not take before anything is
/// written, so that no custody entry records an extract that was never put
/// in place: an existing file without --force, a directory, a symbolic link
/// (even a dangling one, which `exists` does not see), a missing directory.
pub(crate) fn check_destination(out: &Path, force: bool) -> Result<()> {
    match std::fs::symlink_metadata(out) {
        Ok(m) if m.is_dir() => {
            return Err(Error::Invalid(format!(
                "{} is a directory; give a file name for the extract",
                out.display()
            )))
        }
        Ok(m) if m.file_type().is_symlink() => {
            return Err(Error::Invalid(format!(
                "{} is a symbolic link; refusing to write through or replace it (give another name)",
                out.display()
            )))
        }
        Ok(_) if !force => {
            return Err(Error::Invalid(format!(
                "{} already exists; refusing to overwrite it (use --force, or another name)",
                out.display()
            )))
        }
        _ => {}
    }
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !std::fs::metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Err(Error::Invalid(format!("{}: no such directory", dir.display())));
    }
    Ok(())
}

/// Every name the vault's roster ever had: team members are never in an extract.
pub(crate) fn roster_names(vault: &dossier::vault::Vault) -> Vec<String> {
    let mut names: Vec<String> = vault.roster().keys.iter().map(|k| k.name.clone()).collect();
    names.sort();
    names.dedup();
    names
}

/// The policy and its identity for the custody log.
fn load_policy(path: Option<&Path>) -> Result<(Policy, String)> {
    let Some(path) = path else {
        return Ok((Policy::default(), "default".into()));
    };
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let origin = path.display().to_string();
    let text = std::str::from_utf8(&bytes).map_err(|_| Error::Policy(format!("{origin}: is not UTF-8 text")))?;
    let policy = Policy::parse(text, &origin).map_err(Error::Policy)?;
    Ok((policy, format!("blake3:{}", blake3::hash(&bytes).to_hex())))
}

pub fn run(ctx: &Ctx, args: Args) -> Result<i32> {
    if args.history {
        return history(ctx, &args.case);
    }
    let (policy, policy_id) = load_policy(args.policy.as_deref())?;
    check_recipients(&args.to).map_err(|m| Error::Invalid(format!("--to: {m}")))?;
    if !args.dry_run {
        if let Some(out) = &args.output {
            check_destination(out, args.force)?;
        } else if !args.to.is_empty() && !args.armor && std::io::stdout().is_terminal() {
            return Err(Error::Invalid(
                "refusing to print a binary age file to the terminal; use --output FILE or --armor".into(),
            ));
        }
    }

    let mut vault = ctx.open(!args.dry_run)?;
    let (log, case) = vault.case(&args.case)?;
    let origin = args
        .policy
        .as_ref()
        .map_or_else(|| "default".to_string(), |p| p.display().to_string());
    let mut prepared = export::prepare(
        &case.source(),
        &policy,
        export::Options {
            now: dossier::vault::now(),
            policy_id: policy_id.clone(),
            team: roster_names(&vault),
        },
    )
    .map_err(|e| Error::Policy(format!("{origin}: {e}")))?;

    // Document content: the cap first, from the recorded sizes; then each
    // content read (checked against its hash) and, if an image, stripped.
    prepared.check_content_cap().map_err(Error::Invalid)?;
    for (id, d) in prepared.sources.clone() {
        let raw = vault.read_document(&id, &d)?;
        prepared.include_content(&id, raw).map_err(Error::Invalid)?;
    }

    let format = args.format.map(Format::from);
    if args.dry_run || format == Some(Format::Json) {
        // A JSON extract carries the proof of each record's words
        // (docs/EXTRACT.md); a dry run checks the bytes a real export would write.
        dossier::vault::custody::attach_proofs(&mut prepared, &case, &log);
    }
    if args.dry_run {
        return dry_run(ctx, &args, &prepared, &origin);
    }

    // clap requires --format without --dry-run; say so rather than trust it.
    let Some(format) = format else {
        return Err(Error::Invalid("give --format md, html or json".into()));
    };
    let plain = Zeroizing::new(
        prepared
            .render(format)
            // The case id is not repeated: it is chosen by the user and may be a name.
            .map_err(|leak| Error::Leak(leak.to_string()))?,
    );
    let payload = Zeroizing::new(if args.to.is_empty() {
        plain.to_vec()
    } else {
        seal_extract(&args.to, &plain, args.armor).map_err(Error::Invalid)?
    });
    let body = ExportBody {
        format: format.name().to_string(),
        policy: policy_id,
        recipients: args.to.clone(),
        armor: args.armor,
        records: prepared.included.iter().map(|id| ByteArray::new(*id)).collect(),
        extract: ByteArray::new(*blake3::hash(&plain).as_bytes()),
        documents: prepared
            .sent_in(format)
            .into_iter()
            .map(|(record, sent)| SentContent {
                record: ByteArray::new(record),
                sent: ByteArray::new(sent),
            })
            .collect(),
    };

    let entry = match &args.output {
        Some(path) => {
            // The bytes go to a temporary file (0600) in the same directory; the
            // custody entry is appended once they are written, and only then does
            // the file take its name. A failure anywhere leaves no file.
            let mut entry = None;
            let mut failure = None;
            let replace = if args.force {
                Replace::Atomically
            } else {
                Replace::Never
            };
            let written = write_with(path, replace, |f| {
                f.write_all(&payload)?;
                f.sync_all()?;
                dossier::store::failpoint("export-extract-written");
                match vault.record_export(&args.case, &body) {
                    Ok(id) => {
                        entry = Some(id);
                        dossier::store::failpoint("export-custody-appended");
                        Ok(())
                    }
                    Err(e) => {
                        failure = Some(e);
                        Err(std::io::Error::other("the custody entry could not be written"))
                    }
                }
            });
            if let Some(e) = failure {
                return Err(e);
            }
            match (written, entry) {
                (Ok(()), Some(id)) => id,
                (Err(e), Some(id)) => {
                    // The custody entry is in the log but the file never took its
                    // name: say so, so that the log can be read truthfully.
                    return Err(Error::Invalid(format!(
                        "{e}; the extract was not written, but custody entry {} records it (an export that \
                         did not happen: the log keeps every entry)",
                        &hex(&id)[..16]
                    )));
                }
                (Err(e), None) => return Err(e),
                (Ok(()), None) => unreachable!("the entry is written before the file takes its name"),
            }
        }
        None => {
            // Records are written by members, perhaps a turned one: on a
            // terminal, escape sequences in them would be obeyed. The extract
            // is not altered for show (custody records its exact bytes).
            if std::io::stdout().is_terminal() && String::from_utf8_lossy(&payload).chars().any(output::needs_picture) {
                return Err(Error::Invalid(
                    "the extract holds control characters a terminal would obey; write it to a file with \
                     --output FILE"
                        .into(),
                ));
            }
            let id = vault.record_export(&args.case, &body)?;
            dossier::store::failpoint("export-custody-appended");
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(&payload).and_then(|()| out.flush()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(Error::Io {
                        path: PathBuf::from("(standard output)"),
                        source: e,
                    });
                }
            }
            id
        }
    };

    let place = args
        .output
        .as_ref()
        .map_or_else(|| "standard output".to_string(), |p| p.display().to_string());
    let sealed = match args.to.len() {
        0 => String::new(),
        1 => ", encrypted to 1 recipient".to_string(),
        n => format!(", encrypted to {n} recipients"),
    };
    if ctx.json && args.output.is_some() {
        output::json(&serde_json::json!({
            "case": args.case, "output": place, "format": format.name(),
            "recipients": args.to, "armor": args.armor, "policy": body.policy,
            "records": prepared.included.iter().map(|id| hex(id)).collect::<Vec<_>>(),
            "entry": hex(&entry), "extract": hex(body.extract.as_ref()),
            "documents": body.documents.iter().map(|d| serde_json::json!({
                "record": hex(d.record.as_ref()), "sent": hex(d.sent.as_ref()),
            })).collect::<Vec<_>>(),
        }));
    }
    eprintln!(
        "exported {} as {}{sealed} to {place}: {}; custody entry {}",
        args.case,
        format.name(),
        prepared.report.summary(),
        &hex(&entry)[..16]
    );
    if let Some(out) = &args.output {
        super::report::warn_leftovers(out);
    }
    Ok(0)
}

fn dry_run(ctx: &Ctx, args: &Args, prepared: &export::Prepared, origin: &str) -> Result<i32> {
    let formats: Vec<Format> = match args.format {
        Some(f) => vec![f.into()],
        None => Format::ALL.to_vec(),
    };
    let mut checks = Vec::new();
    let mut leak = None;
    for f in formats {
        match prepared.render(f) {
            Ok(bytes) => checks.push((f.name(), format!("passed ({} bytes)", bytes.len()))),
            Err(l) => {
                checks.push((f.name(), format!("FAILED: {l}")));
                leak.get_or_insert(l);
            }
        }
    }
    if ctx.json {
        let mut v = serde_json::to_value(&prepared.report).unwrap_or_default();
        // Scripts match the report to the case they asked for (docs/CLI.md); the
        // text report and the leak messages do not repeat the case id.
        v["case"] = args.case.clone().into();
        v["policy"] = origin.into();
        v["content"] = prepared.content_notes.clone().into();
        v["leak_check"] = checks
            .iter()
            .map(|(f, r)| ((*f).to_string(), serde_json::Value::from(r.clone())))
            .collect::<serde_json::Map<_, _>>()
            .into();
        output::json(&v);
    } else {
        output::line(&format!(
            "dry run: export under the {} policy; nothing is written",
            if origin == "default" {
                "default".to_string()
            } else {
                format!("'{origin}'")
            }
        ));
        for l in prepared.report.lines() {
            output::line(&l);
        }
        for n in &prepared.content_notes {
            output::line(n);
        }
        for (f, r) in &checks {
            output::line(&format!("leak check ({f}): {r}"));
        }
    }
    match leak {
        Some(l) => Err(Error::Leak(l.to_string())),
        None => Ok(0),
    }
}
