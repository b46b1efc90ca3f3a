//! `dossier report`: everything about a case, for the team, and written with care.
//!
//! The report is unredacted, so these tests check the care as much as the
//! content: 0600, never over an existing file, never through a symbolic link,
//! standard output only when asked, nothing written on a failure or a crash,
//! nothing added to the vault; and that it holds what the team needs (full
//! names, contacts, statuses, access, custody) with every value escaped.

mod common;

use common::{run, text, Env, CASE};

fn report(env: &Env, case: &str, out: &std::path::Path) -> String {
    env.ok(&["report", case, "--output", out.to_str().unwrap()], None);
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn the_report_holds_everything_with_statuses_access_and_custody() {
    let env = Env::new();
    env.sample_case();
    let log = env.log_json();
    let note = |t: &str| {
        log.iter()
            .find(|r| r["type"] == "note" && r["text"].as_str().unwrap_or("").contains(t))
    };
    let lawyer_note = note("Working Group").unwrap()["id"].as_str().unwrap().to_string();
    env.ok(
        &["retract", &lawyer_note, "--reason", "sent to the <wrong> address"],
        None,
    );
    let w2 = log.iter().find(|r| r["ref"] == "w2").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    env.ok(
        &["amend", &w2, "--from", "-"],
        Some(r#"{"type":"person","ref":"w2","name":"Siarhei Dubko","role":"witness","text":"<script>alert(1)</script> & more"}"#),
    );
    let dir = tempfile::tempdir().unwrap();
    env.ok(
        &[
            "export",
            CASE,
            "--format",
            "md",
            "--output",
            dir.path().join("x.md").to_str().unwrap(),
        ],
        None,
    );
    let before = env.snapshot();

    let out = dir.path().join("case.html");
    let html = report(&env, CASE, &out);
    // Reading the case wrote nothing to the vault.
    assert_eq!(env.snapshot(), before, "the report changed the vault");

    for want in [
        "INTERNAL — UNREDACTED",
        "Mikalai Statkevich, 2010 crackdown",
        // full names, aliases and contacts, which no extract has
        "Hanna Kavalenka",
        "Ганна Каваленка",
        "+375 29 555 01 23",
        "hanna.k@example.org",
        "Alena Marozava",
        // internal testimony (consent internal) is in it
        "his lawyer was not admitted for eleven days",
        // statuses, and the old version of an amended record
        "RETRACTED",
        "sent to the &lt;wrong&gt; address",
        "AMENDED",
        "version 1 of 2",
        "+375 33 555 77 10",
        // the sections
        "Timeline of events",
        "Members and access",
        "Access history",
        "Chain of custody",
    ] {
        assert!(html.contains(want), "the report lacks {want:?}");
    }
    // Every value is escaped.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
    assert!(!html.contains("<script") && !html.contains("<wrong>"));
    // Ids, authors and times of records, the custody entry.
    let ids: Vec<String> = env
        .log_json()
        .iter()
        .map(|r| r["id"].as_str().unwrap()[..16].to_string())
        .collect();
    for id in &ids {
        assert!(html.contains(id), "record {id} is not in the report");
    }
    let custody = env.ok(&["--json", "export", CASE, "--history"], None);
    let custody: serde_json::Value = serde_json::from_str(custody.lines().next().unwrap()).unwrap();
    assert!(html.contains(&custody["entry"].as_str().unwrap()[..16]));
    assert!(html.contains(&custody["extract"].as_str().unwrap()[..16]));
    assert!(html.contains("written ") && html.contains(" by alice"));
}

#[test]
fn the_report_file_is_private_new_and_never_replaces_anything() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.sample_case();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("case.html");
    let run_report = |p: &std::path::Path| env.run(&["report", CASE, "--output", p.to_str().unwrap()], None);

    let done = run_report(&out);
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert!(text(&done.stderr).contains("UNREDACTED"), "{}", text(&done.stderr));
    assert!(done.stdout.is_empty(), "the report went to standard output too");
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");

    // An existing file is never replaced.
    std::fs::write(&out, "keep me").unwrap();
    let err = env.fails(&["report", CASE, "--output", out.to_str().unwrap()], None);
    assert!(err.contains("already exists"), "{err}");
    assert!(!err.contains("--force"), "there is no --force: {err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    // Nor written through a symbolic link, dangling or not, or into a directory.
    let target = dir.path().join("elsewhere.html");
    let link = dir.path().join("link.html");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let err = env.fails(&["report", CASE, "--output", link.to_str().unwrap()], None);
    assert!(err.contains("symbolic link"), "{err}");
    assert!(!target.exists());
    let err = env.fails(&["report", CASE, "--output", dir.path().to_str().unwrap()], None);
    assert!(err.contains("directory"), "{err}");
    let err = env.fails(
        &[
            "report",
            CASE,
            "--output",
            dir.path().join("no/such/dir.html").to_str().unwrap(),
        ],
        None,
    );
    assert!(err.contains("no such directory"), "{err}");
    // A case that is not there writes nothing.
    let missing = dir.path().join("missing.html");
    let err = env.fails(&["report", "no-such-case", "--output", missing.to_str().unwrap()], None);
    assert!(err.contains("no case named"), "{err}");
    assert!(!missing.exists());
    // No temporary file is left by any of these.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".tmp-")), "{names:?}");
}

#[test]
fn standard_output_only_when_asked_and_json_says_what_was_written() {
    let env = Env::new();
    env.sample_case();
    // --output is required: no report lands on standard output by default.
    let out = env.run(&["report", CASE], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    // `--output -` to a pipe.
    let out = env.run(&["report", CASE, "--output", "-"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = text(&out.stdout);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Hanna Kavalenka"));
    // --json, to a file: one object naming what was written.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.html");
    let out = env.ok(&["--json", "report", CASE, "--output", path.to_str().unwrap()], None);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["bytes", "case", "output", "records", "unredacted"]);
    let doc = include_str!("../docs/CLI.md");
    let line = "`{case, output, records, bytes, unredacted}`";
    assert!(
        doc.contains(line),
        "docs/CLI.md does not list the report's keys as {line}"
    );
    assert_eq!(v["case"], CASE);
    assert_eq!(v["unredacted"], true);
    assert_eq!(v["bytes"], std::fs::metadata(&path).unwrap().len());
}

#[test]
fn a_crash_while_writing_the_report_leaves_nothing_under_its_name() {
    let env = Env::new();
    env.sample_case();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("case.html");
    for point in ["atomic-write-begin", "atomic-write-synced"] {
        let mut c = env.cmd(&["report", CASE, "--output", out.to_str().unwrap()]);
        c.env("DOSSIER_FAILPOINT", point);
        let died = run(c, None);
        assert!(died.status.code().is_none(), "{point}: the process did not die");
        assert!(!out.exists(), "{point}: a report is under its name");
        assert_eq!(env.verify(&[]).0, Some(0));
    }
    // The next report says that an interrupted write left a temporary file.
    let done = env.run(&["report", CASE, "--output", out.to_str().unwrap()], None);
    assert!(done.status.success());
    let err = text(&done.stderr);
    assert!(err.contains(".tmp-") && err.contains("delete"), "{err}");
}

#[test]
fn never_on_a_terminal_even_when_asked() {
    let env = Env::new();
    env.sample_case();
    let seen = common::on_terminal(env.cmd(&["report", CASE, "--output", "-"]));
    assert!(seen.contains("refusing to print the unredacted report"), "{seen}");
    assert!(
        !seen.contains("Hanna Kavalenka"),
        "the report reached the terminal: {seen}"
    );
}
