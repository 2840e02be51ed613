//! The push channel chunk parser under arbitrary stream splits.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hangups_core::fuzzing::chunk_parser(data));
