//! The fuzz targets' logic on stable: the hooks of `hangups_core::fuzzing`
//! run over the committed corpus (fuzz/corpus/<target>/) and a few
//! hand-made cases.

use hangups_core::api::Cookies;
use hangups_core::client::{Client, Config, ConnId, Input, Output};
use hangups_core::fuzzing::*;
use std::path::PathBuf;
use std::time::Instant;

/// The scripted responses really drive the client into its deeper
/// states (session, long-poll, connected), so fuzzing reaches them.
#[test]
fn client_ops_script_reaches_the_connected_state() {
    // connect, accept, SID response, accept, 200 head, noop chunk.
    let ops = [0u8, 1, 6, 0, 1, 6, 1, 6, 2, 4, 250, 4, 250, 8, 8];
    client_ops(Instant::now(), &ops);
    let start = Instant::now();
    let mut client = Client::new(
        Config::new(Cookies::from_iter([("SAPISID", "fuzz")])).with_server("127.0.0.1", 1, false),
        start,
        0,
    )
    .unwrap();
    client.connect(start);
    let Some(Output::Connect { conn, .. }) = client.poll_output() else {
        panic!()
    };
    client.handle_input(start, Input::Connected(conn));
    let Some(Output::Transmit { .. }) = client.poll_output() else {
        panic!("the session request")
    };
    client.handle_input(start, Input::Data(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 46\r\n\r\n43\n[[0,[\"c\",\"S\",\"\",8]\n]\n,[1,[{\"gsid\":\"G\"}]]\n]\n"));
    // The long-poll goes out on the same, kept-alive connection.
    let Some(Output::Transmit { conn: c2, bytes }) = client.poll_output() else {
        panic!("the long-poll reuses the connection")
    };
    assert_eq!(c2, conn);
    assert!(bytes.starts_with(b"GET "));
    assert_eq!(c2, ConnId(0));
    client.handle_input(
        start,
        Input::Data(c2, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
    );
    client.handle_input(
        start,
        Input::Data(c2, b"14\r\n17\n[[6,[\"noop\"]\n]\n]\n\r\n"),
    );
    assert!(client.is_connected());
}

#[test]
fn hooks_survive_simple_inputs() {
    for data in [
        &b""[..],
        b"\x00",
        b"\x053\na\xf0\x9f\x98\x80",
        b"\x0110\n0123456789junk",
        b"[[1,[\"noop\"]]]",
    ] {
        chunk_parser(data);
        push_arrays(data);
        http_response(data);
        client_ops(Instant::now(), data);
    }
}

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {target}");
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// Each input, its prefixes, and single-byte changes.
fn variants(data: &[u8]) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = (0..=data.len()).map(|n| data[..n].to_vec()).collect();
    for i in 0..data.len() {
        for b in [b'0', b'\n', b'[', 0xf0, b'"'] {
            let mut x = data.to_vec();
            x[i] = b;
            v.push(x);
        }
    }
    v
}

#[test]
fn corpus_chunk_parser() {
    for d in corpus("chunk_parser") {
        for v in variants(&d) {
            chunk_parser(&v);
        }
    }
}

#[test]
fn corpus_push_arrays() {
    for d in corpus("push_arrays") {
        for v in variants(&d) {
            push_arrays(&v);
        }
    }
}

#[test]
fn corpus_http_response() {
    for d in corpus("http_response") {
        for v in variants(&d) {
            http_response(&v);
        }
    }
}

#[test]
fn corpus_client_ops() {
    let start = Instant::now();
    for d in corpus("client_ops") {
        for v in variants(&d) {
            client_ops(start, &v);
        }
    }
}

#[test]
fn corpus_chat_responses() {
    for d in corpus("chat_responses") {
        for v in variants(&d) {
            chat_responses(&v);
        }
    }
}

#[test]
fn corpus_proxy_tunnel() {
    let corpus = corpus("proxy_tunnel");
    assert!(corpus.len() >= 5, "the proxy corpus is committed");
    for d in corpus {
        for v in variants(&d) {
            proxy_tunnel(&v);
        }
    }
}

#[test]
fn corpus_auth_responses() {
    for d in corpus("auth_responses") {
        for v in variants(&d) {
            auth_responses(&v);
        }
    }
}
