//! HTTPS with the emulator's freshly generated self-signed certificate,
//! trusted by a rustls client (ring provider).

mod support;

use hangups_core::channel::PushData;
use hangups_proto::hangouts::GetSelfInfoRequest;
use hangups_tests::emulator::EmulatorConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use support::*;

fn client_config(pem: &str) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(pem.as_bytes()).expect("a PEM certificate"))
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

#[test]
fn channel_and_api_over_tls() {
    let emu = start_with(EmulatorConfig::default().with_tls(true));
    assert!(emu.url().starts_with("https://127.0.0.1:"), "{}", emu.url());
    let pem = emu.cert_pem().expect("a certificate");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let mut me = Raw::me(&emu);
    me.tls = Some(client_config(&pem));
    let mut c = me.connected();
    emu.inject_message(GROUP, GRACE, "over TLS 😀").unwrap();
    assert_eq!(event_text(&c.next_update()), "over TLS 😀");
    let info = me.ok(GetSelfInfoRequest::default());
    assert!(info.self_entity.is_some());
    // The long-poll's noop arrives over TLS as well.
    let (sid, gsid) = me.sid();
    let mut poll = me.long_poll(&sid, &gsid);
    assert_eq!(poll.next_push().data, PushData::Noop);
}

#[test]
fn the_certificate_names_localhost_too_and_plain_http_is_refused() {
    let emu = start_with(EmulatorConfig::default().with_tls(true));
    let config = client_config(&emu.cert_pem().unwrap());
    let name = ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(Arc::clone(&config), name).unwrap();
    let tcp = TcpStream::connect(emu.addr()).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(b"GET /_emulator/state HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let resp = read_response(&mut tls);
    assert_eq!(resp.head.status, 200);
    assert!(resp.json()["users"].is_array());
    // A name the certificate does not carry fails the handshake.
    let name = ServerName::try_from("example.com").unwrap();
    let conn = rustls::ClientConnection::new(config, name).unwrap();
    let tcp = TcpStream::connect(emu.addr()).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    assert!(
        tls.write_all(b"GET / HTTP/1.1\r\n\r\n")
            .and_then(|_| tls.flush())
            .is_err()
            || tls.read(&mut [0u8; 16]).is_err()
    );
    // Plain HTTP to the TLS port gets no HTTP answer.
    let mut tcp = TcpStream::connect(emu.addr()).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    tcp.write_all(b"GET /_emulator/state HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = Vec::new();
    let _ = tcp.read_to_end(&mut buf);
    assert!(!buf.starts_with(b"HTTP/1.1 200"));
}
