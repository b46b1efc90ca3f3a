#![no_main]
//! Fuzz target `checkpoint`: see `dossier_fuzz::checkpoint` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::checkpoint(data));
