//! `dossier demo`: a guided tour on a throwaway vault with invented data.

use dossier::crypto::identity::Identity;
use dossier::crypto::seal;
use dossier::domain::input::parse_records;
use dossier::format::hex;
use dossier::store::Area;
use dossier::vault::access::Silent;
use dossier::vault::Vault;
use dossier::{Error, Result};

use super::output::line;

/// A guided tour on a throwaway vault with invented data: add, log, amend, verify, export, tamper
#[derive(clap::Args)]
#[command(after_help = "Examples:
  dossier demo
  dossier demo --keep ~/dossier-demo   # keep its vault and identity to look at afterwards
  cargo run --release -- demo          # from a checkout of the source

Everything happens in a temporary directory that is removed at the end;
your own vault and identity are not touched.")]
pub struct Args {
    /// Keep the demo's vault and identity in this new directory instead of deleting them
    #[arg(long, value_name = "DIR")]
    keep: Option<std::path::PathBuf>,
}

/// An invented case. Every name, place, number and address here is made up.
const DEMO_RECORDS: &str = r#"{"type":"person","ref":"prisoner","name":"Aliaksei Varonin","aliases":["Алексей Воронин"],"role":"victim","public":true,"text":"Opposition journalist, detained after the (invented) 2021 protests."}
{"type":"person","ref":"wit","name":"Darya Sokal","aliases":["Дарья Сокол"],"role":"witness","contact":{"phone":"+000 11 222 33 44"}}
{"type":"person","ref":"counsel","name":"Pavel Lind","role":"lawyer","contact":{"email":"p.lind@example.invalid"}}
{"type":"event","kind":"arrest","date":"2021-03-14","place":"Central Square","persons":["prisoner"],"text":"Detained at the end of a peaceful march."}
{"type":"event","kind":"visit-denied","date":"2021-03","persons":["prisoner","counsel"],"text":"Counsel refused entry to the detention centre for nine days."}
{"type":"testimony","witness":"wit","consent":"anonymized","date":"2021-04-02","acts":["extreme-cold","sleep-deprivation"],"location":"Detention centre No. 1","text":"The cell was unheated; the light was never switched off. Darya Sokal was woken every hour."}
{"type":"note","text":"Draft note: check the hearing date with counsel."}"#;

const AMENDED_EVENT: &str = r#"{"type":"event","kind":"arrest","date":"2021-03-13","place":"Central Square","persons":["prisoner"],"text":"Detained late on 13 March at the end of a peaceful march (date corrected from the arrest record)."}"#;

fn step(title: &str) {
    line("");
    line(&format!("── {title}"));
}

pub fn run(args: Args) -> Result<i32> {
    let temp = tempfile::Builder::new()
        .prefix("dossier-demo-")
        .tempdir()
        .map_err(|e| Error::Io {
            path: std::env::temp_dir(),
            source: e,
        })?;
    let base = match &args.keep {
        Some(dir) => {
            std::fs::create_dir(dir).map_err(|e| Error::Io {
                path: dir.clone(),
                source: e,
            })?;
            dir.clone()
        }
        None => temp.path().to_path_buf(),
    };
    let key = base.join("demo.key");
    let dir = base.join("vault");

    line("dossier demo: a tour on a throwaway vault. Every person and place in it is invented.");

    step("1. A new identity (`dossier keygen --output demo.key --no-passphrase`)");
    let identity = Identity::generate();
    identity.write_new(&key, &dossier::vault::now(), None)?;
    line(&format!("recipient:   {}", identity.recipient()));
    line(&format!(
        "signing key: {}",
        dossier::crypto::keys::signing_key_to_string(&identity.signing_public())
    ));
    line("(a real identity is passphrase-protected: `dossier keygen --output alice.key`)");

    step("2. A vault and a case (`dossier init`, `dossier case new`)");
    drop(Vault::init(&dir, identity, "demo-lawyer")?);
    let load = || Identity::load(&key, &mut super::Passphrases);
    let mut vault = Vault::open(&dir, load()?, true)?;
    vault.new_case("varonin-2021", Some("Aliaksei Varonin, 2021 (invented)"))?;
    line(&format!("vault at {}; case varonin-2021 created", dir.display()));

    step("3. Records, as JSON lines, all or nothing (`dossier add varonin-2021 --from case.jsonl`)");
    let records = parse_records(DEMO_RECORDS.as_bytes(), "case.jsonl")?;
    let ids = vault.add("varonin-2021", &records, "case.jsonl")?;
    line(&format!(
        "{} records added, each signed and chained to the one before",
        ids.len()
    ));

    step("4. A bad record is refused, and nothing is written");
    let bad = r#"{"type":"testimony","witness":"nobody","text":"..."}"#;
    match parse_records(bad.as_bytes(), "bad.json").and_then(|r| vault.add("varonin-2021", &r, "bad.json")) {
        Err(e) => line(&format!("dossier: {e}")),
        Ok(_) => line("(unexpectedly accepted)"),
    }

    step("5. A correction and a retraction (`dossier amend`, `dossier retract`)");
    let amended = parse_records(AMENDED_EVENT.as_bytes(), "fix.json")?.remove(0);
    vault.amend(&hex(&ids[3]), &amended, "fix.json")?;
    vault.retract(&hex(&ids[6]), "draft note, not evidence")?;
    line(&format!(
        "record {} amended; record {} retracted",
        &hex(&ids[3])[..16],
        &hex(&ids[6])[..16]
    ));
    drop(vault);

    step("6. The case as it stands (`dossier log varonin-2021`)");
    let vault = Vault::open_unpacked(&dir, load()?, false)?;
    let (_, case) = vault.case("varonin-2021")?;
    for r in &case.records {
        super::output::styled(&super::log::row(r));
    }

    step("7. Search (`dossier search unheated`)");
    for h in vault.search("unheated", None)?.0 {
        line(&format!(
            "{}  {}  {}  {}",
            h.case,
            &hex(&h.id)[..16],
            h.type_name,
            h.snippet
        ));
    }

    step("8. Nothing readable at rest: the vault's files are age ciphertext with opaque names");
    let mut files = 0;
    let mut found = false;
    for area in [Area::Heads, Area::Objects] {
        for entry in std::fs::read_dir(dir.join(area.dir())).map_err(|e| Error::Io {
            path: dir.clone(),
            source: e,
        })? {
            let path = entry
                .map_err(|e| Error::Io {
                    path: dir.clone(),
                    source: e,
                })?
                .path();
            let bytes = std::fs::read(&path).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            files += 1;
            for needle in ["Darya", "Sokal", "varonin-2021", "unheated"] {
                found |= bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
            }
        }
    }
    line(&format!(
        "{files} files; the witness's name, the case id and the testimony found in them: {}",
        if found { "YES (a bug!)" } else { "no" }
    ));

    step("9. Verify everything (`dossier verify`)");
    let report = vault.verify(None)?;
    let entries: usize = report.logs.iter().map(|(_, n)| n).sum();
    line(&format!(
        "{entries} entries, {} files: {}",
        report.files_checked,
        if report.ok() { "OK" } else { "FAILED" }
    ));

    step("10. A redacted extract (`dossier export varonin-2021 --format md --output extract.md`)");
    let (_, case) = vault.case("varonin-2021")?;
    let prepared = dossier::export::prepare(
        &case.source(),
        &dossier::export::Policy::default(),
        dossier::export::Options {
            now: dossier::vault::now(),
            policy_id: "default".into(),
            team: super::export::roster_names(&vault),
        },
    )
    .map_err(|e| Error::Policy(e.to_string()))?;
    let extract = prepared
        .render(dossier::export::Format::Markdown)
        .map_err(|l| Error::Leak(l.to_string()))?;
    let extract = String::from_utf8_lossy(&extract);
    for l in extract.lines().filter(|l| !l.is_empty()) {
        line(&format!("  | {l}"));
    }
    let leaked = ["Darya", "Sokal", "Pavel", "Lind", "p.lind@", "222 33 44"]
        .iter()
        .any(|n| extract.contains(n));
    line(&format!(
        "the witness's and the lawyer's names and contacts in the extract: {}",
        if leaked { "YES (a bug!)" } else { "no" }
    ));
    drop(vault);

    step("11. A colleague joins, reads the case, and is cut off (`member add`, `case grant`, `case revoke`)");
    let colleague = Identity::generate();
    let mut vault = Vault::open(&dir, load()?, true)?;
    vault.add_member(
        "colleague",
        &colleague.recipient(),
        colleague.signing_public(),
        dossier::format::entry::Role::Member,
    )?;
    vault.grant("varonin-2021", "colleague", &mut Silent)?;
    let opens = |who: &Identity| -> Result<usize> {
        let mut n = 0;
        for area in [Area::Heads, Area::Objects] {
            for e in std::fs::read_dir(dir.join(area.dir())).map_err(|e| Error::Io {
                path: dir.clone(),
                source: e,
            })? {
                let path = e
                    .map_err(|e| Error::Io {
                        path: dir.clone(),
                        source: e,
                    })?
                    .path();
                let bytes = std::fs::read(&path).map_err(|e| Error::Io { path, source: e })?;
                if matches!(seal::open(who.age_identity(), &bytes, 1 << 30), seal::Opened::Plain(_)) {
                    n += 1;
                }
            }
        }
        Ok(n)
    };
    line(&format!(
        "granted: the colleague's key opens {} files",
        opens(&colleague)?
    ));
    let rotated = vault.revoke("varonin-2021", "colleague", &mut Silent)?;
    line(&format!(
        "revoked: {} files of the case sealed anew; the colleague's key now opens {} (the roster's, as a member of the vault)",
        rotated.files,
        opens(&colleague)?
    ));
    let exposure = vault.exposure("colleague")?;
    for c in &exposure.cases {
        line(&format!(
            "`dossier exposure colleague`: {} records of {} could be read while granted; readable now: {}",
            c.records.len(),
            c.case,
            if c.readable_now { "yes" } else { "no" }
        ));
    }
    drop(vault);

    step("12. An adversary alters one byte of one stored file; verify names it");
    let objects = dir.join("objects");
    let victim = std::fs::read_dir(&objects)
        .map_err(|e| Error::Io {
            path: objects.clone(),
            source: e,
        })?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .ok_or_else(|| Error::Invalid("the demo vault has no objects".into()))?;
    let mut bytes = std::fs::read(&victim).map_err(|e| Error::Io {
        path: victim.clone(),
        source: e,
    })?;
    let at = bytes.len() - 40;
    bytes[at] ^= 0x01;
    std::fs::write(&victim, &bytes).map_err(|e| Error::Io {
        path: victim.clone(),
        source: e,
    })?;
    let vault = Vault::open_unpacked(&dir, load()?, false)?;
    let report = vault.verify(None)?;
    for p in &report.problems {
        line(&format!("PROBLEM  {p}"));
    }
    line(if report.ok() {
        "OK (a bug!)"
    } else {
        "FAILED, as it should"
    });

    line("");
    match &args.keep {
        Some(d) => line(&format!("The demo vault is kept in {}.", d.display())),
        None => line("Done. The demo vault has been deleted. Next: README.md, \"Quick start\"."),
    }
    Ok(if report.ok() { 1 } else { 0 })
}
