//! Output for people, pinned: `log`, `case list` and `show` as a reader sees
//! them, compared with files in tests/snapshots/human/ (ids, which are random,
//! are replaced by `ID1`, `ID2`... in order of appearance). After a deliberate
//! change: `DOSSIER_BLESS=1 cargo test --test human`, then review `git diff`.
//!
//! Also: colour appears only when asked for, and never with NO_COLOR.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use common::{run, text, Env};

const SAMPLE: &str = include_str!("data/sample-case.jsonl");
const CASE: &str = "statkevich-2010";

/// Replaces each run of 16 or 64 hex digits with a stable placeholder.
fn normalize(s: &str) -> String {
    let re = regex::Regex::new(r"\b([0-9a-f]{64}|[0-9a-f]{16})\b").unwrap();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut full: Vec<String> = Vec::new();
    re.replace_all(s, |c: &regex::Captures| {
        let hex = &c[1];
        // a 16-digit id is the prefix of a full one seen before, or a new one
        let key = full
            .iter()
            .find(|f| f.starts_with(hex))
            .cloned()
            .unwrap_or_else(|| hex.to_string());
        if hex.len() == 64 && !full.contains(&hex.to_string()) {
            full.push(hex.to_string());
        }
        let n = seen.len() + 1;
        let n = *seen.entry(key).or_insert(n);
        // short ids keep their width: the columns after them stay aligned
        if hex.len() == 64 {
            format!("ID{n}")
        } else {
            format!("ID{n:<14}")
        }
    })
    .into_owned()
}

struct Vault {
    env: Env,
    ids: Vec<String>,
}

impl Vault {
    /// The sample case, one record amended and one retracted, at a fixed time.
    fn new() -> Vault {
        let env = Env::new();
        let v = Vault { env, ids: vec![] };
        v.ok(
            &["case", "new", CASE, "--title", "Mikalai Statkevich, 2010 crackdown"],
            None,
        );
        v.ok(&["case", "new", "other-case"], None);
        let ids = v
            .ok(&["add", CASE, "--from", "-"], Some(SAMPLE))
            .lines()
            .map(str::to_string)
            .collect();
        let v = Vault { ids, ..v };
        let fix = r#"{"type":"event","kind":"sentence","date":"2011-05-27","place":"Minsk","persons":["statkevich"],"text":"Sentenced to six years (date corrected)."}"#;
        v.ok(&["amend", &v.ids[7], "--from", "-"], Some(fix));
        v.ok(&["retract", &v.ids[14], "--reason", "witness withdrew consent"], None);
        v
    }

    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let mut c = self.env.cmd(args);
        c.env("DOSSIER_TEST_NOW", "2024-03-14T09:30:00Z")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("NO_COLOR");
        let out = run(c, stdin);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }
}

fn check(name: &str, got: &str) {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/human")
        .join(format!("{name}.txt"));
    if std::env::var_os("DOSSIER_BLESS").is_some() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&file)
        .unwrap_or_else(|_| panic!("no snapshot {}; make it with DOSSIER_BLESS=1", file.display()));
    assert_eq!(
        got, want,
        "{name} changed; if that is meant, DOSSIER_BLESS=1 cargo test --test human"
    );
}

#[test]
fn log_case_list_and_show_read_well() {
    let v = Vault::new();
    check("log", &normalize(&v.ok(&["log", CASE], None)));
    check("case-list", &v.ok(&["case", "list"], None));
    check("show-amended", &normalize(&v.ok(&["show", &v.ids[7]], None)));
    check("show-retracted", &normalize(&v.ok(&["show", &v.ids[14][..8]], None)));
    check("show-person", &normalize(&v.ok(&["show", &v.ids[1]], None)));
}

#[test]
fn colour_only_when_wanted_and_never_with_no_color() {
    let v = Vault::new();
    let run_with = |vars: &[(&str, &str)]| {
        let mut c = v.env.cmd(&["log", CASE]);
        c.env_remove("CLICOLOR_FORCE").env_remove("NO_COLOR");
        for (k, val) in vars {
            c.env(k, val);
        }
        text(&run(c, None).stdout)
    };
    // piped: no colour
    assert!(!run_with(&[]).contains('\u{1b}'));
    // forced (as for `less -R`): colour
    let forced = run_with(&[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains("\u{1b}["), "{forced}");
    // NO_COLOR wins over everything
    assert!(!run_with(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains('\u{1b}'));
    // JSON never has colour
    let mut c = v.env.cmd(&["--json", "log", CASE]);
    c.env("CLICOLOR_FORCE", "1");
    assert!(!text(&run(c, None).stdout).contains('\u{1b}'));
    // and the text is the same with or without colour
    let stripped = regex::Regex::new("\u{1b}\\[[0-9;]*m")
        .unwrap()
        .replace_all(&forced, "")
        .into_owned();
    assert_eq!(stripped, run_with(&[]));
}
