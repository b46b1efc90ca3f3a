#![no_main]
//! Fuzz target `head`: see `dossier_fuzz::head` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::head(data));
