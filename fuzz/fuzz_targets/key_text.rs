#![no_main]
//! Fuzz target `key_text`: see `dossier_fuzz::key_text` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::key_text(data));
