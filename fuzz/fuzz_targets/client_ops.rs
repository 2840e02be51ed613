//! Arbitrary connection events, time and commands against the Client.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hangups_core::fuzzing::client_ops(std::time::Instant::now(), data));
