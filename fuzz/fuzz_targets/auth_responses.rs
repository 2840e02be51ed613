//! The sign-in parsers: token JSON, OAuthLogin, Set-Cookie and cookie files.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hangups_core::fuzzing::auth_responses(data));
