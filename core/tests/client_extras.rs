//! Image upload (PROTOCOL.md §6) and active-client bookkeeping (§7.1)
//! through the client, deterministically.

mod support;

use base64::Engine;
use hangups_core::api::{ResponseError, TransportError, UploadError};
use hangups_core::client::Event;
use hangups_proto::hangouts::*;
use std::time::Duration;
use support::*;

const RUPIO: &str = "uploader_service.GoogleRupioAdditionalInfo";

#[test]
fn image_upload_takes_two_steps_and_yields_the_photo_id() {
    let mut sim = Sim::new(config());
    let id = sim
        .client
        .upload_image(sim.now, "cat.png", b"\x89PNG-bytes".to_vec())
        .unwrap();
    sim.drain();
    let (c1, req) = sim.next_request();
    assert_eq!(req.method, "POST");
    assert!(
        req.target
            .starts_with("/upload/photos/resumable?alt=json&key="),
        "{}",
        req.target
    );
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        body["createSessionRequest"]["fields"][0]["external"]["filename"],
        "cat.png"
    );
    assert_eq!(
        body["createSessionRequest"]["fields"][0]["external"]["size"],
        10
    );
    assert!(req.header("authorization").is_some());
    let session = serde_json::json!({"sessionStatus": {"externalFieldTransfers": [
        {"putInfo": {"url": "http://127.0.0.1:8080/upload/put/abc?upload_id=1"}}]}});
    sim.send(c1, &response(200, "OK", session.to_string().as_bytes()));
    let (c2, req) = sim.next_request();
    assert_eq!(req.path(), "/upload/put/abc");
    assert!(
        req.query().starts_with("upload_id=1&alt=json&key="),
        "{}",
        req.query()
    );
    assert_eq!(req.header("content-type"), Some("application/octet-stream"));
    assert_eq!(req.body, b"\x89PNG-bytes");
    let done = serde_json::json!({"sessionStatus": {"additionalInfo": {RUPIO: {"completionInfo":
        {"customerSpecificInfo": {"photoid": "5999", "url": "https://lh3/x"}}}}}});
    sim.send(c2, &response(200, "OK", done.to_string().as_bytes()));
    let events = sim.take_events();
    match &events[..] {
        [Event::ImageUploaded {
            id: got,
            result: Ok(img),
        }] => {
            assert_eq!(*got, id);
            assert_eq!(
                (img.photo_id.as_str(), img.url.as_str()),
                ("5999", "https://lh3/x")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_upload_url_off_the_allow_list_gets_no_request() {
    let mut sim = Sim::new(config());
    sim.client
        .upload_image(sim.now, "x.png", vec![1, 2, 3])
        .unwrap();
    sim.drain();
    let (c1, _) = sim.next_request();
    let session = serde_json::json!({"sessionStatus": {"externalFieldTransfers": [
        {"putInfo": {"url": "https://uploads.example.net/put"}}]}});
    sim.send(c1, &response(200, "OK", session.to_string().as_bytes()));
    assert!(
        sim.pending.is_empty(),
        "nothing opened towards the other host"
    );
    let events = sim.take_events();
    assert!(
        matches!(
            &events[..],
            [Event::ImageUploaded {
                result: Err(UploadError::HostNotAllowed { .. }),
                ..
            }]
        ),
        "{events:?}"
    );
}

#[test]
fn an_oversized_upload_response_is_a_bad_response_and_a_closed_client_says_closed() {
    let mut config = config();
    config.max_response_body = 64;
    let mut sim = Sim::new(config);
    sim.client.upload_image(sim.now, "x.png", vec![1]).unwrap();
    sim.drain();
    let (c1, _) = sim.next_request();
    sim.send(c1, &response(200, "OK", &[b' '; 100]));
    let events = sim.take_events();
    assert!(
        matches!(
            &events[..],
            [Event::ImageUploaded {
                result: Err(UploadError::BadResponse(ResponseError::TooLarge {
                    limit: 64
                })),
                ..
            }]
        ),
        "{events:?}"
    );
    // One in flight when the client is closed fails as closed.
    sim.client.upload_image(sim.now, "y.png", vec![1]).unwrap();
    sim.drain();
    sim.client.disconnect(sim.now);
    sim.drain();
    let events = sim.take_events();
    assert!(
        matches!(
            &events[0],
            Event::ImageUploaded {
                result: Err(UploadError::Closed),
                ..
            }
        ),
        "{events:?}"
    );
}

#[test]
fn an_upload_whose_connection_fails_reports_a_transport_error() {
    let mut sim = Sim::new(config());
    sim.client.upload_image(sim.now, "x.png", vec![1]).unwrap();
    sim.drain();
    sim.refuse();
    let events = sim.take_events();
    assert!(
        matches!(
            &events[..],
            [Event::ImageUploaded {
                result: Err(UploadError::Transport(TransportError::ConnectFailed)),
                ..
            }]
        ),
        "{events:?}"
    );
}

fn b64(bytes: &[u8]) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .into_bytes()
}

fn with_client_id(sim: &mut Sim) {
    sim.client.connect(sim.now);
    sim.drain();
    let (c, _) = sim.next_request();
    sim.send(c, &response(200, "OK", sid_body("S", "G").as_bytes()));
    let (p, _) = sim.next_request();
    sim.send(p, &stream_head());
    sim.send(
        p,
        &http_chunk(client_id_chunk(1, "lcsw_hangouts_ME").as_bytes()),
    );
    let (sub, _) = sim.next_request();
    sim.send(sub, &response(200, "OK", b""));
    sim.take_events();
}

#[test]
fn set_active_learns_the_email_then_sets_the_client_active_at_most_once_a_minute() {
    let mut sim = Sim::new(config());
    with_client_id(&mut sim);
    sim.client.set_active(sim.now);
    sim.drain();
    let (c, req) = sim.next_request();
    assert!(req.target.starts_with("/chat/v1/contacts/getselfinfo?"));
    let info = GetSelfInfoResponse {
        response_header: Some(ResponseHeader {
            status: Some(ResponseStatus::RESPONSE_STATUS_OK),
            ..Default::default()
        }),
        self_entity: Some(Box::new(Entity {
            properties: Some(EntityProperties {
                email: vec!["me@example.com".into()],
                ..Default::default()
            }),
            ..Default::default()
        })),
        ..Default::default()
    };
    sim.send(
        c,
        &response(200, "OK", &b64(&hangups_proto::encode_binary(&info))),
    );
    let (c2, req) = sim.next_request();
    assert!(req.target.starts_with("/chat/v1/clients/setactiveclient?"));
    let sent: SetActiveClientRequest = hangups_proto::decode_binary(&req.body).unwrap();
    assert_eq!(sent.is_active, Some(true));
    assert_eq!(
        sent.full_jid.as_deref(),
        Some("me@example.com/lcsw_hangouts_ME")
    );
    assert_eq!(sent.timeout_secs, Some(120));
    sim.send(c2, &response(200, "OK", b""));
    assert!(
        sim.take_events().is_empty(),
        "internal calls raise no Response events"
    );

    // Within a minute, while this client is the active one: nothing.
    sim.advance(Duration::from_secs(30));
    sim.client.set_active(sim.now);
    sim.drain();
    assert!(sim.pending.is_empty());
    // After a minute: again (the email is known now, so straight to it).
    sim.advance(Duration::from_secs(31));
    sim.client.set_active(sim.now);
    sim.drain();
    let (_, req) = sim.next_request();
    assert!(req.target.starts_with("/chat/v1/clients/setactiveclient?"));
}

#[test]
fn set_active_acts_at_once_when_another_client_became_active() {
    let mut sim = Sim::new(config());
    with_client_id(&mut sim);
    sim.client.set_active(sim.now);
    sim.drain();
    let (c, _) = sim.next_request();
    sim.send(c, &response(500, "X", b""));
    sim.take_events();
    // A StateUpdate says another client is active (header field 1 = 2).
    let poll = sim
        .conns
        .iter()
        .find(|(_, c)| !c.closed_by_client && c.received.starts_with(b"GET"))
        .map(|(id, _)| *id)
        .unwrap();
    sim.send(
        poll,
        &http_chunk(cbu_chunk(2, r#"["cbu",[[[2,null,"t",null,5]]]]"#).as_bytes()),
    );
    sim.take_events();
    sim.advance(Duration::from_secs(1));
    sim.client.set_active(sim.now);
    sim.drain();
    assert_eq!(
        sim.pending.len(),
        1,
        "acts although the last attempt was a second ago"
    );
}
