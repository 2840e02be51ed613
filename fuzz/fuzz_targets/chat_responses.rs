//! The Google Chat parsers: error envelopes, messages, list pages, names.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hangups_core::fuzzing::chat_responses(data));
