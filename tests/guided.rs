//! Guided entry on a real pseudo-terminal: `dossier add CASE TYPE` asks for
//! each field, validates, offers the vocabularies, shows a summary, and adds
//! the record only when the person says yes. What is typed never reaches the
//! disk in plaintext: no editor, no temporary file.

#![cfg(unix)]

mod common;

use std::path::Path;

use common::Env;
use rexpect::session::{spawn_command, PtySession};

const CASE: &str = "statkevich-2010";

fn setup() -> Env {
    let env = Env::new();
    env.ok(&["case", "new", CASE], None);
    env.ok(
        &["add", CASE, "--from", "-"],
        Some(r#"{"type":"person","ref":"w1","name":"Hanna Kavalenka","role":"witness"}"#),
    );
    std::fs::create_dir(env.root.join("tmp")).unwrap();
    env
}

fn spawn(env: &Env, args: &[&str]) -> PtySession {
    let mut c = env.cmd(args);
    // rexpect gives the child the pseudo-terminal; no pipes
    c.stdin(std::process::Stdio::inherit())
        .stdout(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::inherit())
        .env("TMPDIR", env.root.join("tmp"))
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    spawn_command(c, Some(30_000)).expect("spawns on a pty")
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_containing(&p, needle));
        } else if let Ok(b) = std::fs::read(&p) {
            if b.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

fn log(env: &Env) -> Vec<serde_json::Value> {
    env.ok(&["--json", "log", CASE], None)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const DOWN: &str = "\x1b[B";

/// A key press answered at once (no Enter): rexpect buffers until flushed.
fn key(p: &mut PtySession, k: &str) {
    p.send(k).unwrap();
    p.flush().unwrap();
}

#[test]
fn a_testimony_is_asked_field_by_field() {
    let env = setup();
    let mut p = spawn(&env, &["add", CASE, "testimony"]);
    p.exp_string("witness").unwrap();
    p.exp_string("Hanna Kavalenka (w1)").unwrap();
    p.send_line("").unwrap(); // the only person
    p.exp_string("consent").unwrap();
    p.send(DOWN).unwrap(); // internal -> anonymized
    p.send_line("").unwrap();
    p.exp_string("what was done").unwrap();
    p.send(" ").unwrap(); // beating
    p.send(DOWN).unwrap();
    p.send(" ").unwrap(); // extreme-cold
    p.send_line("").unwrap();
    p.exp_string("perpetrators").unwrap();
    p.send_line("").unwrap(); // none
    p.exp_string("date").unwrap();
    p.send_line("2011-13").unwrap();
    p.exp_string("no month 13").unwrap(); // refused, asked again
    p.send_line("2011-01-20").unwrap();
    p.exp_string("location").unwrap();
    p.send_line("Akrestsina detention centre").unwrap();
    p.exp_string("interviewer").unwrap();
    p.send_line("").unwrap();
    p.exp_string("language").unwrap();
    p.send_line("Belarusian").unwrap();
    p.exp_string("a line with only . ends it").unwrap();
    p.send_line("The cell was unheated; PLAINTEXT-MARKER-7731.").unwrap();
    p.send_line("").unwrap();
    p.send_line("Woken every hour, Ганна says.").unwrap();
    p.send_line(".").unwrap();
    p.exp_string("New testimony in statkevich-2010").unwrap();
    p.exp_string("Add this testimony to statkevich-2010?").unwrap();
    key(&mut p, "y");
    p.exp_string("added 1 record to statkevich-2010").unwrap();
    p.exp_eof().unwrap();

    let log = log(&env);
    let t = log.last().unwrap();
    assert_eq!(t["type"], "testimony");
    assert_eq!(t["witness"], "w1");
    assert_eq!(t["consent"], "anonymized");
    assert_eq!(t["acts"], serde_json::json!(["beating", "extreme-cold"]));
    assert_eq!(t["date"], "2011-01-20");
    assert_eq!(t["location"], "Akrestsina detention centre");
    assert_eq!(
        t["text"],
        "The cell was unheated; PLAINTEXT-MARKER-7731.\n\nWoken every hour, Ганна says."
    );
    assert!(t.get("interviewer").is_none());
    // nothing typed is anywhere on disk in plaintext: not in the vault, not in TMPDIR
    assert_eq!(
        files_containing(&env.root, "PLAINTEXT-MARKER-7731"),
        Vec::<String>::new()
    );
    env.ok(&["verify"], None);
}

#[test]
fn saying_no_adds_nothing() {
    let env = setup();
    let before = log(&env).len();
    let mut p = spawn(&env, &["add", CASE]);
    p.exp_string("What do you want to record?").unwrap();
    p.send(DOWN).unwrap();
    p.send(DOWN).unwrap();
    p.send(DOWN).unwrap(); // person, testimony, event, note
    p.send_line("").unwrap();
    p.exp_string("the note").unwrap();
    p.send_line("Visit refused at the gate.").unwrap();
    p.send_line(".").unwrap();
    p.exp_string("date").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Add this note").unwrap();
    key(&mut p, "n");
    p.exp_string("nothing was added").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(log(&env).len(), before);
}

#[test]
fn a_person_gets_role_contact_and_aliases() {
    let env = setup();
    let mut p = spawn(&env, &["add", CASE, "person"]);
    p.exp_string("name").unwrap();
    p.send_line("Siarhei Dubko").unwrap();
    p.exp_string("other names").unwrap();
    p.send_line("Сяргей Дубко, Sergei Dubko").unwrap();
    p.exp_string("handle").unwrap();
    p.send_line("w2").unwrap();
    p.exp_string("role").unwrap();
    p.send(DOWN).unwrap(); // the default is "(not given)", last; down wraps to victim
    p.send(DOWN).unwrap(); // witness
    p.send_line("").unwrap();
    p.exp_string("publicly named").unwrap();
    key(&mut p, "n");
    p.exp_string("phone").unwrap();
    p.send_line("+375 29 555 01 99").unwrap();
    p.exp_string("e-mail").unwrap();
    p.send_line("").unwrap();
    p.exp_string("address").unwrap();
    p.send_line("").unwrap();
    p.exp_string("date").unwrap();
    p.send_line("").unwrap();
    p.exp_string("a line with only . ends it").unwrap();
    p.send_line(".").unwrap();
    p.exp_string("Add this person").unwrap();
    key(&mut p, "y");
    p.exp_string("added 1 record").unwrap();
    p.exp_eof().unwrap();
    let r = log(&env).pop().unwrap();
    assert_eq!(r["name"], "Siarhei Dubko");
    assert_eq!(r["aliases"], serde_json::json!(["Сяргей Дубко", "Sergei Dubko"]));
    assert_eq!(r["role"], "witness");
    assert_eq!(r["contact"], serde_json::json!({"phone": "+375 29 555 01 99"}));
    assert!(r.get("public").is_none());
}
