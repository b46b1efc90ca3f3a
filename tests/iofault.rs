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
