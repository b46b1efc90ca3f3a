#![no_main]
//! Fuzz target `extract_json`: see `dossier_fuzz::extract_json` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::extract_json(data));
