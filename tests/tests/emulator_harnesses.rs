//! The emulator runs on its own thread and runtime, so a tokio test (or
//! any other harness) can start, use and drop it from async code.

mod support;

use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "current_thread")]
async fn usable_from_a_tokio_test() {
    let emu = start();
    let mut tcp = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    tcp.write_all(b"GET /_emulator/state HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(WAIT, tcp.read_to_end(&mut out))
        .await
        .expect("in time")
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    emu.inject_message(GROUP, GRACE, "from async").unwrap();
    assert_eq!(emu.state()["conversations"][1]["event_count"], 4);
    drop(emu);
}

#[test]
fn config_by_struct_update() {
    let emu = start_with(hangups_tests::emulator::EmulatorConfig {
        default_world: false,
        seed: 7,
        ..Default::default()
    });
    assert_eq!(emu.state()["conversations"].as_array().unwrap().len(), 0);
    assert_eq!(emu.self_cookies().len(), 5);
}

#[test]
fn several_emulators_at_once_and_shutdown_frees_the_port() {
    let a = start();
    let b = start();
    assert_ne!(a.addr(), b.addr());
    let addr = a.addr();
    a.shutdown();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "nothing listens any more"
    );
    assert_eq!(b.state()["users"].as_array().unwrap().len(), 3);
}
