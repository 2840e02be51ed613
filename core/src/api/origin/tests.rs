use super::*;
use crate::http::Method;

#[test]
fn origins_normalise_case_brackets_and_default_ports() {
    assert_eq!(
        Origin::parse("HTTPS://Docs.Google.COM").unwrap(),
        Origin::https("docs.google.com")
    );
    assert_eq!(
        Origin::parse("https://docs.google.com:443/upload?x=1#f").unwrap(),
        Origin::new(true, "DOCS.google.com", 443)
    );
    assert_eq!(
        Origin::parse("http://127.0.0.1").unwrap(),
        Origin::new(false, "127.0.0.1", 80)
    );
    assert_eq!(
        Origin::parse("http://[::1]:8080").unwrap(),
        Origin::new(false, "[::1]", 8080)
    );
    assert_eq!(Origin::new(false, "[::1]", 8080).host(), "::1");
    for (origin, text) in [
        (Origin::https("docs.google.com"), "https://docs.google.com"),
        (Origin::new(true, "h", 80), "https://h:80"),
        (Origin::new(false, "h", 80), "http://h"),
        (Origin::new(false, "h", 443), "http://h:443"),
        (Origin::new(true, "::1", 8443), "https://[::1]:8443"),
    ] {
        assert_eq!(origin.to_string(), text);
        assert_eq!(Origin::parse(text).unwrap(), origin, "round trip {text}");
    }
    let o = Origin::new(false, "LocalHost", 9);
    assert_eq!(
        (o.tls(), o.scheme(), o.host(), o.port()),
        (false, "http", "localhost", 9)
    );
    let req = Request::new(Method::Post, "Docs.Google.com", 8443, true, "/");
    assert_eq!(Origin::of(&req), Origin::new(true, "docs.google.com", 8443));
}

#[test]
fn unparsable_origins_are_typed_errors() {
    for bad in [
        "",
        "docs.google.com",
        "ftp://docs.google.com",
        "https://evil.net@docs.google.com",
        "https://docs.google.com:0",
        "https://docs.google.com:65536",
    ] {
        let e = Origin::parse(bad).unwrap_err();
        assert_eq!(e.url, bad);
        assert!(e.to_string().contains("invalid origin"), "{e}");
    }
}

#[test]
fn google_default_is_https_on_443_only() {
    let allow = OriginAllowList::default();
    assert_eq!(allow, OriginAllowList::google());
    for host in [
        "chat-pa.clients6.google.com",
        "docs.google.com",
        "Docs.Google.COM",
        "0.client-channel.google.com",
    ] {
        assert!(allow.allows(&Origin::https(host)), "{host}");
    }
    // The right host over the wrong scheme or port.
    for (tls, port) in [
        (false, 80),
        (false, 443),
        (true, 80),
        (true, 8443),
        (false, 8080),
    ] {
        let origin = Origin::new(tls, "docs.google.com", port);
        assert!(!allow.allows(&origin), "{origin}");
    }
    // Hosts that only look like Google's.
    for host in [
        "google.com",
        "GOOGLE.COM",
        ".google.com",
        "docs.google.com.",
        "evil.google.com.attacker.net",
        "evilgoogle.com",
        "google.com.evil.net",
        "docs.google.co",
        "docs..google.com",
        "docs.google.com:443",
        "user@docs.google.com",
        "docs.google.com/x",
        "docs.google.com\0",
        "127.0.0.1",
        "localhost",
        "",
    ] {
        assert!(!allow.allows(&Origin::https(host)), "{host:?}");
    }
}

#[test]
fn exact_origins_allow_exactly_that_origin() {
    let emu = Origin::new(false, "127.0.0.1", 8080);
    let allow = OriginAllowList::only(emu.clone());
    assert!(allow.allows(&emu));
    assert!(allow.allows(&Origin::parse("http://127.0.0.1:8080/x").unwrap()));
    for other in [
        Origin::new(false, "127.0.0.1", 8081), // another port of the same host
        Origin::new(true, "127.0.0.1", 8080),  // the other scheme, same port
        Origin::new(false, "127.0.0.1", 80),
        Origin::new(false, "localhost", 8080), // another name for it
        Origin::new(false, "127.0.0.10", 8080),
        Origin::https("docs.google.com"), // replaced, not added to
        Origin::https("chat-pa.clients6.google.com"),
    ] {
        assert!(!allow.allows(&other), "{other}");
    }
    // Both lists together only when asked for.
    let both = OriginAllowList::google().with_origin(emu.clone());
    assert!(both.allows(&emu) && both.allows(&Origin::https("docs.google.com")));
    assert!(!both.allows(&Origin::new(false, "docs.google.com", 80)));
    // An exact entry is how plain HTTP to a Google host could be allowed:
    // explicitly, and only that one.
    let plain = OriginAllowList::empty().with_origin(Origin::new(false, "Docs.Google.com", 80));
    assert!(plain.allows(&Origin::new(false, "docs.google.com", 80)));
    assert!(!plain.allows(&Origin::new(false, "www.google.com", 80)));
    assert_eq!(
        OriginAllowList::empty()
            .with_origin(emu.clone())
            .with_origin(emu.clone()),
        OriginAllowList::only(emu),
        "no duplicates"
    );
}

#[test]
fn suffixes_need_a_label_and_https_on_443() {
    let allow = OriginAllowList::empty().with_https_suffix("Example.org");
    assert_eq!(
        allow,
        OriginAllowList::empty().with_https_suffix(".example.org")
    );
    assert!(allow.allows(&Origin::https("a.example.org")));
    assert!(allow.allows(&Origin::https("a.b.EXAMPLE.org")));
    for bad in [
        Origin::https("example.org"),
        Origin::https("badexample.org"),
        Origin::https("a.example.org.evil"),
        Origin::new(false, "a.example.org", 443),
        Origin::new(true, "a.example.org", 444),
    ] {
        assert!(!allow.allows(&bad), "{bad}");
    }
    let none = OriginAllowList::empty()
        .with_https_suffix("")
        .with_https_suffix(".")
        .with_origin(Origin::new(false, "", 80));
    assert_eq!(none, OriginAllowList::empty());
    for host in ["docs.google.com", "", "."] {
        assert!(!none.allows(&Origin::https(host)), "{host:?}");
    }
    let req = Request::new(Method::Get, "a.example.org", 443, true, "/");
    assert!(allow.allows_request(&req));
    let req = Request::new(Method::Get, "a.example.org", 443, false, "/");
    assert!(!allow.allows_request(&req));
}
