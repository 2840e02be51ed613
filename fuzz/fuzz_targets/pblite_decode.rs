//! pblite decoding of arbitrary input as a BatchUpdate (tagged and not).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hangups_proto::fuzzing::pblite_decode(data));
