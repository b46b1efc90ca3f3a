#![no_main]
//! Fuzz target `age_open`: see `dossier_fuzz::age_open` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::age_open(data));
