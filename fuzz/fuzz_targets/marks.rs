#![no_main]
//! Fuzz target `marks`: see `dossier_fuzz::marks` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::marks(data));
