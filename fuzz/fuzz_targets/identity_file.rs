#![no_main]
//! Fuzz target `identity_file`: see `dossier_fuzz::identity_file` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::identity_file(data));
