//! Binary protobuf decoding of arbitrary input as a BatchUpdate.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hangups_proto::fuzzing::binary_batch_update(data));
