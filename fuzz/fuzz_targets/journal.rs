#![no_main]
//! Fuzz target `journal`: see `dossier_fuzz::journal` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::journal(data));
