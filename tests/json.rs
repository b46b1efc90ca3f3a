//! `--json` keys are a contract with scripts: each command prints exactly the
//! keys docs/CLI.md lists for it. Adding a key means adding it here and there;
//! renaming or removing one breaks scripts and this test.

mod common;

use std::collections::BTreeSet;

use common::Env;

const SAMPLE: &str = include_str!("data/sample-case.jsonl");
const CASE: &str = "statkevich-2010";

fn objects(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect()
}

fn keys(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_object().expect("an object").keys().cloned().collect()
}

fn set(k: &[&str]) -> BTreeSet<String> {
    k.iter().map(|s| s.to_string()).collect()
}

/// Every key named must appear, in backquotes, in docs/CLI.md.
fn documented(k: &BTreeSet<String>) {
    let doc = include_str!("../docs/CLI.md");
    for key in k {
        assert!(
            doc.contains(&format!("`{key}`"))
                || doc.contains(&format!("{key},"))
                || doc.contains(&format!("{{{key}"))
                || doc.contains(&format!(", {key}}}")),
            "docs/CLI.md does not document the key {key}"
        );
    }
}

fn exactly(v: &serde_json::Value, want: &[&str]) {
    assert_eq!(keys(v), set(want), "{v}");
    documented(&set(want));
}

#[test]
fn every_commands_json_keys_are_the_documented_ones() {
    let env = Env::new();
    let key = env.root.join("alice.key");
    exactly(
        &objects(&env.ok(&["--json", "whoami"], None))[0],
        &["recipient", "signing_key"],
    );
    let new = objects(&env.ok(&["--json", "case", "new", CASE, "--title", "Statkevich"], None));
    exactly(&new[0], &["case", "id"]);
    let ids: Vec<String> = objects(&env.ok(&["--json", "add", CASE, "--from", "-"], Some(SAMPLE)))
        .iter()
        .map(|v| {
            exactly(v, &["id"]);
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    let fix = r#"{"type":"event","kind":"sentence","date":"2011-05-27","place":"Minsk","persons":["statkevich"],"text":"Sentenced (date corrected)."}"#;
    exactly(
        &objects(&env.ok(&["--json", "amend", &ids[7], "--from", "-"], Some(fix)))[0],
        &["id"],
    );
    exactly(
        &objects(&env.ok(&["--json", "retract", &ids[14], "--reason", "duplicate"], None))[0],
        &["id"],
    );

    // log: the common keys, plus the record's own fields
    let log = objects(&env.ok(&["--json", "log", CASE], None));
    let common = ["id", "type", "time", "author", "status"];
    for (line, rec) in SAMPLE.lines().zip(&log) {
        let given: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut want: BTreeSet<String> = keys(&given);
        want.extend(set(&common));
        match rec["status"].as_str().unwrap() {
            "amended" => want.extend(set(&["version"])),
            "retracted" => want.extend(set(&["retracted_reason"])),
            _ => {}
        }
        assert_eq!(keys(rec), want, "{rec}");
        documented(&want);
    }

    // show: a log line's keys, and case, history, retraction
    let shown = &objects(&env.ok(&["--json", "show", &ids[7]], None))[0];
    let mut want = keys(&log[7]);
    want.extend(set(&["case", "history", "retraction"]));
    assert_eq!(keys(shown), want);
    exactly(
        &shown["history"][0],
        &["entry", "time", "author", "signing_key", "record"],
    );
    let retracted = &objects(&env.ok(&["--json", "show", &ids[14]], None))[0];
    exactly(&retracted["retraction"], &["entry", "time", "author", "reason"]);
    assert!(shown["retraction"].is_null());

    exactly(
        &objects(&env.ok(&["--json", "search", "Minsk"], None))[0],
        &["case", "id", "type", "status", "snippet"],
    );
    exactly(
        &objects(&env.ok(&["--json", "case", "list"], None))[0],
        &[
            "case",
            "title",
            "created",
            "records",
            "members",
            "rotation_pending",
            "problem",
        ],
    );
    exactly(
        &objects(&env.ok(&["--json", "case", "show", CASE], None))[0],
        &[
            "case",
            "title",
            "created",
            "records",
            "retracted",
            "members",
            "rotation_pending",
        ],
    );
    exactly(
        &objects(&env.ok(&["--json", "member", "list"], None))[0],
        &["name", "role", "recipient", "signing_key"],
    );

    // a second member: member add, case grant, exposure, case revoke
    let bob = env.root.join("bob.key");
    let bob_keys = &objects(&env.ok(
        &["--json", "keygen", "--no-passphrase", "--output", bob.to_str().unwrap()],
        None,
    ))[0];
    exactly(bob_keys, &["recipient", "signing_key"]);
    let (r, s) = (
        bob_keys["recipient"].as_str().unwrap(),
        bob_keys["signing_key"].as_str().unwrap(),
    );
    exactly(
        &objects(&env.ok(
            &["--json", "member", "add", "bob", "--recipient", r, "--signing-key", s],
            None,
        ))[0],
        &["added", "role"],
    );
    let report = ["done", "rotated", "files", "not_rotated", "damaged"];
    exactly(
        &objects(&env.ok(&["--json", "case", "grant", CASE, "bob"], None))[0],
        &report,
    );
    let x = &objects(&env.ok(&["--json", "exposure", "bob"], None))[0];
    exactly(x, &["member", "keys", "roster_readable_now", "cases"]);
    exactly(
        &x["keys"][0],
        &["signing_key", "recipient", "from", "until", "roster_now", "cases_now"],
    );
    exactly(
        &x["cases"][0],
        &["case", "member_now", "readable_now", "access", "records", "documents"],
    );
    exactly(&x["cases"][0]["access"][0], &["from", "until"]);
    exactly(
        &x["cases"][0]["records"][0],
        &["id", "type", "time", "status", "people"],
    );
    exactly(
        &objects(&env.ok(&["--json", "case", "revoke", CASE, "bob"], None))[0],
        &report,
    );
    exactly(&objects(&env.ok(&["--json", "rotate", CASE], None))[0], &report);
    exactly(
        &objects(&env.ok(&["--json", "member", "remove", "bob"], None))[0],
        &report,
    );

    // checking
    let v = &objects(&env.ok(&["--json", "verify"], None))[0];
    exactly(v, &["ok", "logs", "entries", "files", "problems", "checkpoint"]);
    exactly(&v["logs"][0], &["log", "entries"]);
    let cp = &objects(&env.ok(&["--json", "checkpoint", CASE], None))[0];
    exactly(cp, &["case", "checkpoint"]);
    let token = cp["checkpoint"].as_str().unwrap();
    let v = &objects(&env.ok(&["--json", "verify", CASE, "--checkpoint", token], None))[0];
    exactly(&v["checkpoint"], &["ok", "case"]);

    // export
    let out = env.root.join("extract.md");
    exactly(
        &objects(&env.ok(
            &[
                "--json",
                "export",
                CASE,
                "--format",
                "md",
                "--output",
                out.to_str().unwrap(),
            ],
            None,
        ))[0],
        &[
            "case",
            "output",
            "format",
            "recipients",
            "armor",
            "policy",
            "records",
            "entry",
            "extract",
            "documents",
        ],
    );
    let dry = &objects(&env.ok(&["--json", "export", CASE, "--dry-run"], None))[0];
    exactly(
        dry,
        &[
            "case",
            "policy",
            "persons",
            "included",
            "left_out",
            "rewritten",
            "dropped",
            "dates_coarsened",
            "content",
            "leak_check",
        ],
    );
    let person = dry["persons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p.get("handle").is_some() && p.get("role").is_some())
        .unwrap();
    exactly(person, &["id", "handle", "role", "named", "shown_as", "why"]);
    exactly(&dry["left_out"][0], &["id", "type", "reason"]);
    exactly(
        &objects(&env.ok(&["--json", "export", CASE, "--history"], None))[0],
        &[
            "entry",
            "time",
            "author",
            "format",
            "policy",
            "recipients",
            "armor",
            "records",
            "extract",
            "documents",
        ],
    );

    // documents: attach and get
    let doc = env.root.join("ruling.pdf");
    std::fs::write(&doc, b"%PDF-1.4 ruling").unwrap();
    let attached = &objects(&env.ok(&["--json", "attach", CASE, doc.to_str().unwrap()], None))[0];
    exactly(attached, &["id", "case", "name", "media_type", "size", "hash"]);
    let back = env.root.join("ruling-back.pdf");
    exactly(
        &objects(&env.ok(
            &[
                "--json",
                "get",
                attached["id"].as_str().unwrap(),
                "--output",
                back.to_str().unwrap(),
            ],
            None,
        ))[0],
        &["id", "case", "output", "name", "media_type", "size", "hash", "status"],
    );

    // init, on a new vault
    let mut c = env.cmd(&["--json", "init", "--name", "carol"]);
    c.env("DOSSIER_VAULT", env.root.join("vault2"))
        .env("DOSSIER_IDENTITY", &key);
    let out = common::run(c, None);
    assert!(out.status.success());
    exactly(&objects(&common::text(&out.stdout))[0], &["vault", "owner"]);
}
