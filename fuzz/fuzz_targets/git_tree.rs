#![no_main]
//! Fuzz target `git_tree`: see `dossier_fuzz::git_tree` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::git_tree(data));
