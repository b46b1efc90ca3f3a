#![no_main]
//! Fuzz target `policy_toml`: see `dossier_fuzz::policy_toml` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::policy_toml(data));
