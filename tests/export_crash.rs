//! Crash safety of `export`: the process dies at each of its write steps.
//!
//! An export to a file writes the extract to a temporary file, appends the
//! custody entry to the case's log (journal, segment, head, commit), and only
//! then gives the file its name. For every step the next command must see a
//! vault that reads and verifies, with every acknowledged record; no file may
//! appear under the output name (an extract under its name is an extract
//! handed out, and one that was never acknowledged must not be there); and
//! the custody entry is in the log exactly when the append passed its commit
//! point. Failpoints (`DOSSIER_FAILPOINT`) exist in debug builds only.

mod common;

use std::path::Path;

use common::{run, Env, CASE};

/// The crash points of one export to a file, in the order they are reached,
/// and whether the custody entry is committed when the process dies there.
const POINTS: &[(&str, bool)] = &[
    // the extract's temporary file is created, nothing in it yet
    ("atomic-write-begin:1", false),
    // the extract's bytes are written and flushed
    ("export-extract-written", false),
    // the custody entry's append: journal, segment, head
    ("append-journaled", false),
    ("append-segment-written", false),
    ("append-head-written", true),
    // the custody entry is committed; the file has not taken its name
    ("export-custody-appended", true),
    // the extract's temporary file synced again, just before its rename
    // (journal, segment and head were the first three synced writes)
    ("atomic-write-synced:4", true),
];

fn history(env: &Env) -> usize {
    env.ok(&["--json", "export", CASE, "--history"], None).lines().count()
}

/// Temporary files of interrupted writes in `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp-"))
        .collect()
}

#[test]
fn a_crash_at_every_export_step_leaves_a_sound_vault_and_no_extract() {
    let env = Env::new();
    env.sample_case();
    let records: Vec<String> = env.log_json().iter().map(|r| r["id"].to_string()).collect();
    let out_dir = tempfile::tempdir().unwrap();
    let mut extracts = history(&env);
    let mut killed = 0;
    for (i, (point, committed)) in POINTS.iter().enumerate() {
        let out = out_dir.path().join(format!("extract-{i}.md"));
        let mut c = env.cmd(&["export", CASE, "--format", "md", "--output", out.to_str().unwrap()]);
        c.env("DOSSIER_FAILPOINT", point);
        let died = run(c, None);
        assert!(
            !died.status.success() && died.status.code().is_none(),
            "{point}: the process did not die ({:?}): {}",
            died.status,
            common::text(&died.stderr)
        );
        killed += 1;

        // No extract under its name: it was never acknowledged.
        assert!(!out.exists(), "{point}: {} is there", out.display());
        // The next command sees a vault that reads and verifies ...
        let (code, report) = env.verify(&[]);
        assert_eq!(code, Some(0), "{point}: {report}");
        // ... with every acknowledged record ...
        let now: Vec<String> = env.log_json().iter().map(|r| r["id"].to_string()).collect();
        assert_eq!(now, records, "{point}: the records changed");
        // ... and the custody entry exactly when its append committed.
        let after = history(&env);
        assert_eq!(after, extracts + usize::from(*committed), "{point}: custody entries");
        extracts = after;

        // The name is free: the same export now goes through and is recorded.
        let again = env.run(
            &["export", CASE, "--format", "md", "--output", out.to_str().unwrap()],
            None,
        );
        assert!(again.status.success(), "{point}: {}", common::text(&again.stderr));
        assert!(std::fs::read_to_string(&out).unwrap().contains("Witness A"));
        // ... and says that the crashed one left a temporary file.
        let note = common::text(&again.stderr);
        assert!(note.contains(".tmp-") && note.contains("delete it"), "{point}: {note}");
        extracts += 1;
        assert_eq!(history(&env), extracts, "{point}: the export after the crash");
        assert_eq!(env.verify(&[]).0, Some(0), "{point}");
    }
    assert_eq!(killed, POINTS.len());
    // A killed process cannot clean up after itself: its temporary file stays
    // in the output directory (docs/THREAT-MODEL.md). It holds the redacted
    // extract (ciphertext with --to), never anything the leak check did not pass.
    let left = temporaries(out_dir.path());
    assert_eq!(left.len(), POINTS.len(), "{left:?}");
    for name in &left {
        let text = std::fs::read_to_string(out_dir.path().join(name)).unwrap();
        assert!(!text.contains("Hanna Kavalenka"), "{name} holds a protected name");
    }
}

#[test]
fn a_crash_after_the_custody_entry_of_an_export_to_standard_output_prints_nothing() {
    let env = Env::new();
    env.sample_case();
    let before = history(&env);
    let mut c = env.cmd(&["export", CASE, "--format", "md"]);
    c.env("DOSSIER_FAILPOINT", "export-custody-appended");
    let died = run(c, None);
    assert!(died.status.code().is_none(), "the process did not die");
    assert!(died.stdout.is_empty(), "an extract was printed");
    assert_eq!(env.verify(&[]).0, Some(0));
    // The log says more went out than did, never less.
    assert_eq!(history(&env), before + 1);
}
