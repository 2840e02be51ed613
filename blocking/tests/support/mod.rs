//! A tiny fake Hangouts server on 127.0.0.1 for the adapter's tests (the
//! project's emulator will replace it), over plain TCP or TLS (a test CA,
//! [`CA_PEM`], valid 2000–2999, signs a certificate for 127.0.0.1; made
//! once with Python's `cryptography`). One thread per connection, each
//! read bounded by a timeout:
//!
//! - the session POST gets the SID chunk of PROTOCOL.md §1.2;
//! - the long-poll GET gets a chunked 200 with a noop chunk, then a
//!   client-id chunk, and stays open until the client closes it;
//! - the subscription POST (it carries a SID) gets a 200;
//! - `POST /chat/v1/contacts/getselfinfo` gets a base64 `GetSelfInfoResponse`
//!   (status OK, self entity [`GAIA_ID`]); anything else a 404 once its
//!   whole body is read.
//!
//! [`start_silent`] starts a server that never answers, to see the client
//! close connections that time out.
//!
//! The same file is in every adapter's tests.

use base64::Engine;
use hangups_core::proto::hangouts::{
    Entity, GetSelfInfoResponse, ParticipantId, ResponseHeader, ResponseStatus,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// The client id the long-poll hands out.
pub const CLIENT_ID: &str = "lcsw_hangouts_TEST";
/// The gaia id of `GetSelfInfoResponse.self_entity`.
pub const GAIA_ID: &str = "1234";
/// How long any one wait may take, in the server and in the tests.
pub const WAIT: Duration = Duration::from_secs(10);

/// The root certificate that signed the server's.
pub const CA_PEM: &str = include_str!("ca.pem");

const BIND: &str = "/client-channel/channel/bind";

/// Starts a plain server; returns its URL (`http://127.0.0.1:PORT`).
pub fn start() -> String {
    let port = listen(serve);
    format!("http://127.0.0.1:{port}")
}

/// Starts a TLS server; returns its URL (`https://127.0.0.1:PORT`).
pub fn start_tls() -> String {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs = CertificateDer::pem_slice_iter(include_bytes!("server.pem"))
        .collect::<Result<Vec<_>, _>>()
        .expect("certificate");
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("server.key")).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    let config = Arc::new(config);
    let port = listen(move |tcp| {
        let tls = rustls::ServerConnection::new(config.clone()).expect("TLS");
        serve(rustls::StreamOwned::new(tls, tcp))
    });
    format!("https://127.0.0.1:{port}")
}

/// Starts a server that reads and never answers; returns its port and a
/// channel that gets a message each time a client closes a connection.
pub fn start_silent() -> (u16, mpsc::Receiver<()>) {
    let (closed, rx) = mpsc::channel();
    let port = listen(move |mut tcp| {
        let mut buf = [0u8; 4096];
        loop {
            match tcp.read(&mut buf) {
                Ok(0) => {
                    let _ = closed.send(());
                    return;
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    (port, rx)
}

/// Accepts connections on 127.0.0.1 and serves each on its own thread.
fn listen(serve: impl Fn(TcpStream) + Clone + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("local addr").port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            tcp.set_read_timeout(Some(WAIT)).expect("read timeout");
            let serve = serve.clone();
            std::thread::spawn(move || serve(tcp));
        }
    });
    port
}

/// Answers one request, then waits until the client closes the connection.
fn serve(mut s: impl Read + Write) {
    let Some(head) = read_request(&mut s) else {
        return;
    };
    let mut words = head.split(' ');
    let method = words.next().unwrap_or_default();
    let target = words.next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let has_sid = query.split('&').any(|kv| kv.starts_with("SID="));
    let reply = match (method, path) {
        ("POST", BIND) if !has_sid => response(200, sid_body("SID1", "GSID1").as_bytes()),
        ("POST", BIND) => response(200, frame("[1,3,0]").as_bytes()),
        ("GET", BIND) => {
            let _ = s.write_all(&stream_head());
            let _ = s.write_all(&http_chunk(noop_chunk(1).as_bytes()));
            let _ = s.flush();
            http_chunk(client_id_chunk(2, CLIENT_ID).as_bytes())
        }
        ("POST", "/chat/v1/contacts/getselfinfo") => response(200, &self_info()),
        _ => response(404, b""),
    };
    let _ = s.write_all(&reply);
    let _ = s.flush();
    // Open until the client closes it (or the wait runs out).
    let _ = s.read_to_end(&mut Vec::new());
}

/// Reads one request (head and Content-Length body); returns its head.
fn read_request(s: &mut impl Read) -> Option<String> {
    let mut buf = Vec::new();
    let mut piece = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match s.read(&mut piece) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&piece[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let len: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < end + len {
        match s.read(&mut piece) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&piece[..n]),
        }
    }
    Some(head)
}

fn self_info() -> Vec<u8> {
    let resp = GetSelfInfoResponse {
        response_header: Some(ResponseHeader {
            status: Some(ResponseStatus::RESPONSE_STATUS_OK),
            ..Default::default()
        }),
        self_entity: Some(Entity {
            id: Some(ParticipantId {
                gaia_id: Some(GAIA_ID.into()),
                chat_id: Some(GAIA_ID.into()),
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    base64::engine::general_purpose::STANDARD
        .encode(hangups_core::proto::encode_binary(&resp))
        .into_bytes()
}

fn response(status: u16, body: &[u8]) -> Vec<u8> {
    let reason = if status == 200 { "OK" } else { "Not Found" };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// `<len in UTF-16 units>\n<payload>`.
fn frame(payload: &str) -> String {
    format!("{}\n{}", payload.encode_utf16().count(), payload)
}

fn stream_head() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\nContent-Type: application/javascript; charset=UTF-8\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()
}

fn http_chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

fn sid_body(sid: &str, gsid: &str) -> String {
    frame(&format!(
        "[[0,[\"c\",\"{sid}\",\"\",8]\n]\n,[1,[{{\"gsid\":\"{gsid}\"}}]]\n]\n"
    ))
}

fn noop_chunk(id: u32) -> String {
    frame(&format!("[[{id},[\"noop\"]\n]\n]\n"))
}

fn client_id_chunk(id: u32, client_id: &str) -> String {
    let wrapper = format!(
        r#"{{"1":{{"1":{{"1":{{"1":1,"2":1}}}},"4":"1521086182842","5":"S1"}},"3":{{"1":{{"1":1}},"2":"{client_id}"}}}}"#
    );
    // The wrapper as a JSON string: it holds quotes but no backslash.
    let p = format!("\"{}\"", wrapper.replace('"', "\\\""));
    frame(&format!("[[{id},[{{\"p\":{p}}}]\n]\n]\n"))
}
