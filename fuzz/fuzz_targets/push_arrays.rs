//! Push-array decoding of arbitrary chunk text.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hangups_core::fuzzing::push_arrays(data));
