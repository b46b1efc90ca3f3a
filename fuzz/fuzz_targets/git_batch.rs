#![no_main]
//! Fuzz target `git_batch`: see `dossier_fuzz::git_batch` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::git_batch(data));
