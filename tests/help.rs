//! Help, completions and the man page: made from one definition, and pinned.
//!
//! Every command's `--help` is compared with a golden file in
//! `tests/snapshots/help/` so that help cannot change by accident. After a
//! deliberate change, regenerate them and review the diff:
//!
//! ```text
//! DOSSIER_BLESS=1 cargo test --test help
//! git diff tests/snapshots
//! ```

use std::path::PathBuf;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

/// The binary with a fixed terminal width and none of the user's settings,
/// which help would otherwise show (`[env: DOSSIER_VAULT=/home/...]`).
fn dossier(args: &[&str]) -> std::process::Output {
    let mut c = Command::cargo_bin("dossier").unwrap();
    c.args(args)
        .env("COLUMNS", "100")
        .env("LINES", "50")
        .env("NO_COLOR", "1");
    for v in [
        "DOSSIER_VAULT",
        "DOSSIER_IDENTITY",
        "DOSSIER_PASSPHRASE_FILE",
        "DOSSIER_NEW_PASSPHRASE_FILE",
        "DOSSIER_LOCK_TIMEOUT",
        "CLICOLOR_FORCE",
    ] {
        c.env_remove(v);
    }
    c.output().unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = dossier(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The commands listed under "Commands:" in a help text.
fn listed(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect()
}

/// Every command path: `[]`, `["keygen"]`, `["case"]`, `["case", "new"]`...
fn all_commands() -> Vec<Vec<String>> {
    let mut out = vec![];
    let mut todo = vec![vec![]];
    while let Some(path) = todo.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        for sub in listed(&stdout(&args)) {
            let mut p = path.clone();
            p.push(sub);
            todo.push(p);
        }
        out.push(path);
    }
    out.sort();
    out
}

fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/help")
}

#[test]
fn every_commands_help_matches_its_snapshot() {
    let bless = std::env::var_os("DOSSIER_BLESS").is_some();
    let commands = all_commands();
    assert!(commands.len() > 25, "{commands:?}");
    let mut failures = vec![];
    for path in &commands {
        let name = if path.is_empty() {
            "dossier".to_string()
        } else {
            format!("dossier-{}", path.join("-"))
        };
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = stdout(&args);
        let file = snapshot_dir().join(format!("{name}.txt"));
        if bless {
            std::fs::create_dir_all(snapshot_dir()).unwrap();
            std::fs::write(&file, &help).unwrap();
            continue;
        }
        match std::fs::read_to_string(&file) {
            Ok(want) if want == help => {}
            Ok(_) => failures.push(format!("`{}` changed (see {})", args.join(" "), file.display())),
            Err(_) => failures.push(format!("`{}` has no snapshot {}", args.join(" "), file.display())),
        }
    }
    // A snapshot of a command that no longer exists is stale.
    for e in std::fs::read_dir(snapshot_dir()).unwrap() {
        let stem = e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned();
        let known = commands
            .iter()
            .any(|p| (p.is_empty() && stem == "dossier") || stem == format!("dossier-{}", p.join("-")));
        if !known && !bless {
            failures.push(format!("stale snapshot {stem}.txt"));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nreview, then regenerate with DOSSIER_BLESS=1 cargo test --test help",
        failures.join("\n")
    );
}

#[test]
fn every_command_helps_a_newcomer() {
    for path in all_commands() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = stdout(&args);
        let what = args.join(" ");
        let summary = help.lines().next().unwrap_or("");
        assert!(
            !summary.trim().is_empty() && !summary.starts_with("Usage"),
            "`{what}`: no summary"
        );
        assert!(help.contains("\nExample"), "`{what}`: no example");
        assert!(runs_itself(&help, &path.join(" ")), "`{what}`: no example of itself");
        assert!(
            help.contains("\nEnvironment:"),
            "`{what}`: does not say which variables it reads"
        );
    }
    // `dossier help CMD` is the same as `dossier CMD --help`
    assert_eq!(stdout(&["help", "export"]), stdout(&["export", "--help"]));
}

/// Whether a help text has an example line (`  dossier ...`) that runs `cmd`.
fn runs_itself(help: &str, cmd: &str) -> bool {
    help.lines().filter(|l| l.starts_with("  dossier")).any(|l| {
        let l = l.split(" #").next().unwrap_or(l).trim_end();
        cmd.is_empty() || l.contains(&format!(" {cmd} ")) || l.ends_with(&format!(" {cmd}"))
    })
}

fn command_names() -> Vec<String> {
    all_commands()
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.join(" "))
        .collect()
}

#[test]
fn completions_know_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&["completions", shell]);
        assert!(script.len() > 1000, "{shell}: {script}");
        for cmd in command_names() {
            let last = cmd.rsplit(' ').next().unwrap();
            assert!(script.contains(last), "{shell} completion lacks `{cmd}`");
        }
        for flag in ["--vault", "--identity", "--json", "--from", "--policy", "--reason"] {
            assert!(
                script.contains(flag.trim_start_matches('-')),
                "{shell} completion lacks {flag}"
            );
        }
    }
    // bash accepts what it is given
    let script = stdout(&["completions", "bash"]);
    if let Ok(out) = Command::new("bash").args(["-n", "-c", &script]).output() {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let bad = dossier(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_man_page_documents_every_command() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH dossier 1"), "{}", &page[..200]);
    for cmd in command_names() {
        let heading = format!(".SH \"DOSSIER {}\"", cmd.to_uppercase());
        assert!(page.contains(&heading), "the page has no section {heading}");
    }
    for text in [
        "DOSSIER_PASSPHRASE_FILE",
        "dossier export statkevich\\-2010",
        "EXAMPLES AND ENVIRONMENT",
    ] {
        assert!(page.contains(text), "the page lacks {text}");
    }
    // groff reads it without a warning
    match Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(mut child) => {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(page.as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success() && err.is_empty(), "groff: {err}");
        }
        Err(_) => {
            assert!(std::env::var_os("CI").is_none(), "CI must install groff");
            eprintln!("groff is not installed: the page's roff is not checked")
        }
    }
    // --dir writes a page per command too
    let dir = tempfile::tempdir().unwrap();
    stdout(&["man", "--dir", dir.path().to_str().unwrap()]);
    for name in [
        "dossier.1",
        "dossier-export.1",
        "dossier-case-new.1",
        "dossier-member-add.1",
    ] {
        assert!(dir.path().join(name).exists(), "{name} not written");
    }
}
