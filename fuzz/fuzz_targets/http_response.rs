//! The HTTP/1.1 response parser under arbitrary splits.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hangups_core::fuzzing::http_response(data));
