#![no_main]
//! Fuzz target `segment`: see `dossier_fuzz::segment` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::segment(data));
