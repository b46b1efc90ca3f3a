#![no_main]
//! Fuzz target `pack_file`: see `dossier_fuzz::pack_file` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::pack_file(data));
