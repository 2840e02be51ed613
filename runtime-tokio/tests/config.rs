//! `Config::with_url` (schemes, ports, IPv6 literals, bad URLs) and the
//! handles' auto traits.

use hangups_tokio::{Client, Config, Error, Events};

fn server(url: &str) -> (String, u16, bool) {
    let ep = Config::default().with_url(url).expect("url").client.api;
    (ep.host, ep.port, ep.tls)
}

#[test]
fn urls_set_every_server() {
    assert_eq!(
        server("http://127.0.0.1:8080"),
        ("127.0.0.1".into(), 8080, false)
    );
    assert_eq!(
        server("https://emulator.test/x"),
        ("emulator.test".into(), 443, true)
    );
    assert_eq!(server("http://[::1]:81"), ("::1".into(), 81, false));
    assert_eq!(server("https://[::1]"), ("::1".into(), 443, true));
    let config = Config::default()
        .with_url("http://h:1")
        .expect("url")
        .client;
    assert_eq!((config.channel.host.as_str(), config.upload.port), ("h", 1));
}

#[test]
fn bad_urls_are_typed_errors() {
    for url in ["ftp://h", "h:1", "http://", "http://h:port", "http://:80"] {
        let result = Config::default().with_url(url);
        assert!(matches!(result, Err(Error::BadUrl(_))), "{url}: {result:?}");
    }
}

#[test]
fn handles_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Client>();
    send_sync::<Config>();
    send_sync::<Error>();
    send::<Events>();
}
