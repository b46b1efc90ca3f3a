#![no_main]
//! Fuzz target `entry`: see `dossier_fuzz::entry` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::entry(data));
