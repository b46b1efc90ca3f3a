#![no_main]
//! Fuzz target `date`: see `dossier_fuzz::date` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::date(data));
