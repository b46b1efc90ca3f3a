//! Writes one valid input per fuzz target into `DIR/<target>/seed-N`, so the
//! fuzzer starts from real segments, heads, entries and age files rather than
//! from nothing. `scripts/fuzz` runs it before fuzzing.

use std::collections::HashMap;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: seeds DIR"));
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (target, bytes) in dossier_fuzz::seeds() {
        let n = counts.entry(target).or_default();
        *n += 1;
        let d = dir.join(target);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(format!("seed-{n}")), bytes).unwrap();
    }
}
