#![no_main]
//! Fuzz target `pack`: see `dossier_fuzz::pack` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::pack(data));
