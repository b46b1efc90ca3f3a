#![no_main]
//! Fuzz target `image_strip`: see `dossier_fuzz::image_strip` (fuzz/src/lib.rs).

libfuzzer_sys::fuzz_target!(|data: &[u8]| dossier_fuzz::image_strip(data));
