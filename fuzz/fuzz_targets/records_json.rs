#![no_main]
//! Fuzz target `records_json`: see `dossier_fuzz::records_json` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::records_json(data));
