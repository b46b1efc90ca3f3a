//! A disk that fills up or fails: never reported as success, one clear line,
//! and a vault that still verifies with every acknowledged record.

mod common;

use common::{text, Env};

fn records(env: &Env) -> usize {
    env.ok(&["--json", "log", "c1"], None).lines().count()
}

#[test]
fn every_failing_write_step_is_refused_and_leaves_a_sound_vault() {
    let env = Env::new();
    env.ok(&["case", "new", "c1"], None);
    env.note("c1", "before the faults");
    let mut tried = 0;
    for (step, kind) in [
        ("write", "enospc"),
        ("write", "eio"),
        ("fsync", "eio"),
        ("dirsync", "eio"),
    ] {
        for n in 1.. {
            let before = records(&env);
            let mut c = env.cmd(&["add", "c1", "--from", "-"]);
            c.env("DOSSIER_IOFAULT", format!("{step}:{kind}:{n}"));
            let out = common::run(c, Some(r#"{"type":"note","text":"written on a failing disk"}"#));
            if out.status.success() {
                // The N-th step was never reached: every step of this kind is covered.
                assert!(n > 1, "{step}: the fault was never injected");
                assert_eq!(records(&env), before + 1);
                break;
            }
            tried += 1;
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{step}:{kind}:{n}: {err}");
            assert_eq!(err.trim_end().lines().count(), 1, "{err}");
            assert!(
                !text(&out.stdout).contains(char::is_alphanumeric),
                "acknowledged: {}",
                text(&out.stdout)
            );
            if kind == "enospc" {
                assert!(err.contains("disk is full"), "{err}");
            }
            // The next command sees a sound vault; the failed write is there
            // only if it had passed its commit point.
            let (code, report) = env.verify(&[]);
            assert_eq!(code, Some(0), "{step}:{kind}:{n}: {report}");
            let now = records(&env);
            assert!(now == before || now == before + 1, "{now} records after {before}");
        }
    }
    assert!(tried >= 8, "only {tried} faults injected");
}

#[test]
fn appends_killed_at_random_moments_lose_nothing_acknowledged() {
    use std::io::Write;
    let env = Env::new();
    env.ok(&["case", "new", "c1"], None);
    // How long one add takes here, to spread the kills across it.
    let start = std::time::Instant::now();
    env.note("c1", "timing");
    let span = start.elapsed().as_micros().max(1000) as u64;
    let mut seed = std::process::id() as u64 ^ span;
    let mut acknowledged = vec!["timing".to_string()];
    let mut killed = 0;
    for i in 0..24 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let body = format!("append {i}");
        let mut child = env.cmd(&["add", "c1", "--from", "-"]).spawn().unwrap();
        {
            let mut pipe = child.stdin.take().unwrap();
            let rec = serde_json::json!({"type": "note", "text": body}).to_string();
            pipe.write_all(rec.as_bytes()).unwrap();
        }
        std::thread::sleep(std::time::Duration::from_micros((seed >> 33) % (3 * span)));
        let _ = child.kill(); // SIGKILL
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            // Exit 0 means the id was printed: the record was acknowledged.
            acknowledged.push(body);
        } else {
            killed += 1;
        }
        let log = env.ok(&["--json", "log", "c1"], None);
        for a in &acknowledged {
            assert!(log.contains(&format!("\"{a}\"")), "acknowledged record '{a}' lost");
        }
    }
    assert_eq!(env.verify(&[]).0, Some(0));
    eprintln!(
        "{killed} of 24 appends killed mid-way; {} acknowledged",
        acknowledged.len()
    );
}
