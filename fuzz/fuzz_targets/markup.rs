//! The message markup parser on arbitrary text.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hangups_core::message::fuzz_markup(data));
