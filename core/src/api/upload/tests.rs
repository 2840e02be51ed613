use super::*;
use crate::api::{Cookies, API_KEY};

fn auth() -> AuthHeaders {
    let cookies: Cookies = [("SAPISID", "abc"), ("SID", "s")].into_iter().collect();
    AuthHeaders::new(&cookies, 1234567890).unwrap()
}

fn start_with(allow: &OriginAllowList, size: usize) -> (ImageUpload, Request) {
    ImageUpload::start(
        "cat.png",
        size,
        &ApiEndpoint::google_upload(),
        API_KEY,
        &auth(),
        allow,
    )
    .unwrap()
}

fn session_json(url: &str) -> Vec<u8> {
    serde_json::json!({
        "sessionStatus": {
            "state": "OPEN",
            "externalFieldTransfers": [{"name": "file", "putInfo": {"url": url}}]
        }
    })
    .to_string()
    .into_bytes()
}

fn done_json(info: Value) -> Vec<u8> {
    serde_json::json!({
        "sessionStatus": {
            "state": "FINALIZED",
            "additionalInfo": {RUPIO: {"completionInfo": {"customerSpecificInfo": info}}}
        }
    })
    .to_string()
    .into_bytes()
}

const PUT_URL: &str =
    "https://docs.google.com/upload/photos/resumable?authuser=0&upload_id=AEnB2U%2Bq";

#[test]
fn session_request_shape() {
    let (_, req) = start_with(&OriginAllowList::default(), 1234);
    assert_eq!(req.method, Method::Post);
    assert_eq!(
        (req.host.as_str(), req.port, req.tls),
        ("docs.google.com", 443, true)
    );
    assert_eq!(req.path, "/upload/photos/resumable");
    assert_eq!(
        req.query,
        [("alt", "json"), ("key", API_KEY)].map(|(n, v)| (n.to_string(), v.to_string()))
    );
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded;charset=UTF-8")
    );
    assert_eq!(
        req.header("X-Goog-Encode-Response-If-Executable"),
        Some("base64")
    );
    assert_eq!(req.header("cookie"), Some("SAPISID=abc; SID=s"));
    assert_eq!(req.header("authorization"), Some(auth().authorization()));
    assert_eq!(
        String::from_utf8(req.body).unwrap(),
        r#"{"protocolVersion": "0.8", "createSessionRequest": {"fields": [{"external": {"name": "file", "filename": "cat.png", "put": {}, "size": 1234}}]}}"#
    );
}

#[test]
fn session_body_escapes_like_json_dumps() {
    let body = session_body("a\"b\\c\n\u{7f}é😀.png", 0).unwrap();
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains(r#""filename": "a\"b\\c\n\u007f\u00e9\ud83d\ude00.png""#),
        "{text}"
    );
    let parsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        parsed["createSessionRequest"]["fields"][0]["external"]["filename"],
        "a\"b\\c\n\u{7f}é😀.png"
    );
}

#[test]
fn start_refuses_a_disallowed_upload_host() {
    let endpoint = ApiEndpoint::new("upload.example.com", 443, true);
    let result = ImageUpload::start(
        "x",
        1,
        &endpoint,
        API_KEY,
        &auth(),
        &OriginAllowList::default(),
    );
    assert!(
        matches!(result, Err(UploadError::HostNotAllowed { host }) if host == "https://upload.example.com")
    );
    // Google's upload host over plain HTTP, or on another port: refused too.
    for (tls, port) in [(false, 80), (true, 8443)] {
        let endpoint = ApiEndpoint::new("docs.google.com", port, tls);
        let result = ImageUpload::start(
            "x",
            1,
            &endpoint,
            API_KEY,
            &auth(),
            &OriginAllowList::default(),
        );
        assert!(
            matches!(&result, Err(UploadError::HostNotAllowed { host }) if *host == endpoint.origin().to_string()),
            "{port}: {result:?}"
        );
    }
}

#[test]
fn full_upload() {
    let image = b"\x89PNG\r\n\x1a\n data".to_vec();
    let (mut upload, _) = start_with(&OriginAllowList::default(), image.len());
    let req = upload
        .on_session_response(200, &session_json(PUT_URL), image.clone())
        .unwrap();
    assert_eq!(
        (req.host.as_str(), req.port, req.tls),
        ("docs.google.com", 443, true)
    );
    assert_eq!(req.path, "/upload/photos/resumable");
    assert_eq!(
        req.query,
        [
            ("authuser", "0"),
            ("upload_id", "AEnB2U+q"),
            ("alt", "json"),
            ("key", API_KEY)
        ]
        .map(|(n, v)| (n.to_string(), v.to_string()))
    );
    assert_eq!(req.header("content-type"), Some("application/octet-stream"));
    assert_eq!(req.header("cookie"), Some("SAPISID=abc; SID=s"));
    assert_eq!(req.header("x-goog-authuser"), Some("0"));
    assert_eq!(req.body, image);

    let done = done_json(serde_json::json!({"photoid": "5999", "url": "https://lh3/x"}));
    let uploaded = upload.on_upload_response(200, &done).unwrap();
    assert_eq!(
        uploaded,
        UploadedImage {
            photo_id: "5999".into(),
            url: "https://lh3/x".into()
        }
    );
    // The upload is over.
    assert!(matches!(
        upload.on_upload_response(200, &done),
        Err(UploadError::OutOfOrder)
    ));
    assert!(matches!(
        upload.on_session_response(200, &session_json(PUT_URL), image),
        Err(UploadError::OutOfOrder)
    ));
}

#[test]
fn steps_out_of_order() {
    let (mut upload, _) = start_with(&OriginAllowList::default(), 1);
    assert!(matches!(
        upload.on_upload_response(200, b"{}"),
        Err(UploadError::OutOfOrder)
    ));
}

#[test]
fn disallowed_upload_origin_builds_nothing() {
    for (url, origin) in [
        (
            "https://evil.example.com/upload?x=1",
            "https://evil.example.com",
        ),
        ("https://google.com/upload", "https://google.com"),
        (
            "https://docs.google.com.evil.net/upload",
            "https://docs.google.com.evil.net",
        ),
        ("http://127.0.0.1:8080/upload", "http://127.0.0.1:8080"),
        // The allowed host over plain HTTP, or on another port.
        (
            "http://docs.google.com/upload/photos/resumable",
            "http://docs.google.com",
        ),
        (
            "http://docs.google.com:443/upload",
            "http://docs.google.com:443",
        ),
        (
            "https://docs.google.com:8443/upload",
            "https://docs.google.com:8443",
        ),
    ] {
        let (mut upload, _) = start_with(&OriginAllowList::default(), 1);
        match upload.on_session_response(200, &session_json(url), vec![0]) {
            Err(UploadError::HostNotAllowed { host }) => assert_eq!(host, origin, "{url}"),
            other => panic!("{url}: {other:?}"),
        }
        assert!(matches!(
            upload.on_upload_response(200, b"{}"),
            Err(UploadError::OutOfOrder)
        ));
    }
}

#[test]
fn with_the_emulator_only_its_exact_origin_is_accepted() {
    let emulator = ApiEndpoint::new("127.0.0.1", 8080, false);
    let allow = OriginAllowList::only(emulator.origin());
    let start = || {
        ImageUpload::start("cat.png", 1, &emulator, API_KEY, &auth(), &allow)
            .unwrap()
            .0
    };
    let mut upload = start();
    let req = upload
        .on_session_response(200, &session_json("http://127.0.0.1:8080/up?id=1"), vec![0])
        .unwrap();
    assert_eq!(
        (req.host.as_str(), req.port, req.tls),
        ("127.0.0.1", 8080, false)
    );
    assert_eq!(req.path, "/up");
    assert!(req.header("authorization").is_some());
    for url in [
        "http://127.0.0.1:8081/up?id=1",  // a listener on another port
        "https://127.0.0.1:8080/up?id=1", // the other scheme
        "http://localhost:8080/up?id=1",  // another name
        "https://docs.google.com/upload/photos/resumable?upload_id=1", // Google: replaced
    ] {
        let mut upload = start();
        let result = upload.on_session_response(200, &session_json(url), vec![0]);
        assert!(
            matches!(result, Err(UploadError::HostNotAllowed { .. })),
            "{url}: {result:?}"
        );
    }
}

#[test]
fn invalid_upload_urls() {
    for url in [
        "https://evil.net@docs.google.com/x",
        "docs.google.com/x",
        "ftp://docs.google.com/",
    ] {
        let (mut upload, _) = start_with(&OriginAllowList::default(), 1);
        let result = upload.on_session_response(200, &session_json(url), vec![0]);
        assert!(
            matches!(result, Err(UploadError::InvalidUploadUrl { .. })),
            "{url}: {result:?}"
        );
    }
}

#[test]
fn session_response_errors() {
    let cases: Vec<(u16, Vec<u8>, &str)> = vec![
        (500, session_json(PUT_URL), "image upload failed: unexpected HTTP status 500"),
        (200, b"{not json".to_vec(), "image upload failed: invalid JSON"),
        (200, b"".to_vec(), "image upload failed: invalid JSON"),
        (200, br#"{"sessionStatus": {}}"#.to_vec(), "image upload failed: can not acquire an upload url"),
        (200, br#"{"sessionStatus": {"externalFieldTransfers": []}}"#.to_vec(), "image upload failed: can not acquire an upload url"),
        (200, br#"{"sessionStatus": {"externalFieldTransfers": [{"putInfo": {"url": 7}}]}}"#.to_vec(), "image upload failed: can not acquire an upload url"),
        (200, br#"{"sessionStatus": null}"#.to_vec(), "image upload failed: can not acquire an upload url"),
        (200, b"{}".to_vec(), "image upload failed: unknown reason"),
        (200, b"[1, 2]".to_vec(), "image upload failed: unknown reason"),
        (
            200,
            serde_json::json!({"errorMessage": {"additionalInfo": {RUPIO: {"completionInfo": {"customerSpecificInfo": {"status": "REJECTED", "message": "too big"}}}}}}).to_string().into_bytes(),
            "image upload failed: REJECTED : too big",
        ),
        (
            200,
            serde_json::json!({"errorMessage": {"additionalInfo": {RUPIO: {"completionInfo": {"customerSpecificInfo": {"status": 413, "message": "too big"}}}}}}).to_string().into_bytes(),
            "image upload failed: 413 : too big",
        ),
        (
            200,
            serde_json::json!({"errorMessage": {"additionalInfo": {RUPIO: {"completionInfo": {"customerSpecificInfo": {"status": "X"}}}}}}).to_string().into_bytes(),
            "image upload failed: unknown reason",
        ),
    ];
    for (status, body, message) in cases {
        let (mut upload, _) = start_with(&OriginAllowList::default(), 1);
        let err = upload
            .on_session_response(status, &body, vec![0])
            .unwrap_err();
        assert!(err.to_string().starts_with(message), "{err} vs {message}");
    }
}

#[test]
fn size_mismatch() {
    let (mut upload, _) = start_with(&OriginAllowList::default(), 3);
    let result = upload.on_session_response(200, &session_json(PUT_URL), vec![0; 4]);
    assert!(matches!(
        result,
        Err(UploadError::SizeMismatch {
            announced: 3,
            actual: 4
        })
    ));
}

#[test]
fn upload_response_errors() {
    let cases: Vec<(u16, Vec<u8>, &str)> = vec![
        (
            503,
            done_json(serde_json::json!({"photoid": "1", "url": "u"})),
            "image upload failed: unexpected HTTP status 503",
        ),
        (200, b"\xff".to_vec(), "image upload failed: invalid JSON"),
        (
            200,
            br#"{"sessionStatus": {"state": "FINALIZED"}}"#.to_vec(),
            "image upload failed: can not fetch upload info",
        ),
        (
            200,
            done_json(serde_json::json!({"url": "u"})),
            "image upload failed: can not fetch upload info",
        ),
        (
            200,
            done_json(serde_json::json!({"photoid": "1"})),
            "image upload failed: can not fetch upload info",
        ),
        (
            200,
            done_json(serde_json::json!({"photoid": ["1"], "url": "u"})),
            "image upload failed: can not fetch upload info",
        ),
        (
            200,
            done_json(serde_json::json!("nope")),
            "image upload failed: can not fetch upload info",
        ),
        (200, b"{}".to_vec(), "image upload failed: unknown reason"),
    ];
    for (status, body, message) in cases {
        let (mut upload, _) = start_with(&OriginAllowList::default(), 1);
        upload
            .on_session_response(200, &session_json(PUT_URL), vec![0])
            .unwrap();
        let err = upload.on_upload_response(status, &body).unwrap_err();
        assert!(err.to_string().starts_with(message), "{err} vs {message}");
    }
    // A numeric photo id is taken as its text.
    let (mut upload, _) = start_with(&OriginAllowList::default(), 1);
    upload
        .on_session_response(200, &session_json(PUT_URL), vec![0])
        .unwrap();
    let done = done_json(serde_json::json!({"photoid": 5999, "url": "u"}));
    assert_eq!(
        upload.on_upload_response(200, &done).unwrap().photo_id,
        "5999"
    );
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let mut body = "[".repeat(100_000);
    body.push_str(&"]".repeat(100_000));
    let (mut upload, _) = start_with(&OriginAllowList::default(), 1);
    assert!(matches!(
        upload.on_session_response(200, body.as_bytes(), vec![0]),
        Err(UploadError::Json(_))
    ));
}
