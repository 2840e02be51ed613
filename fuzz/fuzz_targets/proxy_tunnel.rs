//! The proxy handshakes (HTTP CONNECT, SOCKS5) on arbitrary replies.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hangups_core::fuzzing::proxy_tunnel(data));
