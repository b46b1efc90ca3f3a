//! Memory and output hygiene: no core dumps, no secret in anything printed.

mod common;

use std::io::Read;

use common::{text, Env};

#[cfg(target_os = "linux")]
#[test]
fn the_process_leaves_no_core_dump() {
    let env = Env::new();
    env.ok(&["case", "new", "c1"], None);
    // `add --from -` waits for its input: look at the live process meanwhile.
    let mut child = env.cmd(&["add", "c1", "--from", "-"]).spawn().unwrap();
    let limits = format!("/proc/{}/limits", child.id());
    let mut seen = String::new();
    for _ in 0..100 {
        seen.clear();
        if let Ok(mut f) = std::fs::File::open(&limits) {
            let _ = f.read_to_string(&mut seen);
        }
        let core = seen.lines().find(|l| l.starts_with("Max core file size")).unwrap_or("");
        if core.split_whitespace().skip(4).take(2).eq(["0", "0"]) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    drop(child.stdin.take());
    let _ = child.wait();
    let core = seen
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or("(none)");
    assert!(
        core.split_whitespace().skip(4).take(2).eq(["0", "0"]),
        "core dumps allowed: {core}"
    );
}

#[test]
fn no_command_prints_the_secret_key() {
    let env = Env::new();
    let key_text = std::fs::read_to_string(env.root.join("alice.key")).unwrap();
    let secret = key_text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap()
        .to_string();
    // The secret's data part, in any letter case, and its first 20 characters
    // alone, must appear nowhere.
    let needles = [secret.to_lowercase(), secret[16..36].to_lowercase()];
    env.ok(&["case", "new", "c1"], None);
    env.note("c1", "a note");
    let runs: Vec<Vec<&str>> = vec![
        vec!["whoami"],
        vec!["--json", "whoami"],
        vec!["case", "list"],
        vec!["log", "c1"],
        vec!["--json", "log", "c1"],
        vec!["verify"],
        vec!["--json", "verify"],
        vec!["exposure", "alice"],
        vec!["log", "nope"],
        vec!["show", "zzzz"],
        vec!["add", "c1", "--from", "/nonexistent"],
        vec!["member", "add", "x", "--recipient", &secret],
        vec!["member", "add", "x", "--recipient", "age1x", "--signing-key", &secret],
        vec!["checkpoint", "c1"],
        vec!["verify", "--checkpoint", &secret],
    ];
    // Positive control: the search does find the secret where it is.
    assert!(needles.iter().all(|n| key_text.to_lowercase().contains(n.as_str())));
    for args in runs {
        let out = env.run(&args, Some("{not json"));
        let said = (text(&out.stdout) + &text(&out.stderr)).to_lowercase();
        for n in &needles {
            assert!(!said.contains(n.as_str()), "{args:?} printed the secret key: {said}");
        }
    }
}
