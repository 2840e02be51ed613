//! Every `spaces.messages` request's exact method, path, query, headers
//! and body, and every check made before sending.

use hangups_core::chat::{
    ChatAuth, ChatEndpoint, ChatError, ChatRequest, ClientMessageId, CreateMessage, DeleteMessage,
    GetMessage, InvalidRequest, ListFilter, ListMessages, MarkupSyntax, Message, MessageName,
    NotificationType, Order, ReplyOption, SpaceName, SystemParams, ThreadName, UpdateMessage,
    UpdateVerb,
};
use hangups_core::http::{Method, Request};
use serde_json::json;

fn space() -> SpaceName {
    SpaceName::parse("spaces/S").unwrap()
}

fn msg(id: &str) -> MessageName {
    MessageName::parse(&format!("spaces/S/messages/{id}")).unwrap()
}

fn bearer() -> ChatAuth {
    ChatAuth::Bearer("tok".into())
}

fn build(r: ChatRequest) -> Result<Request, ChatError> {
    r.build(&ChatEndpoint::google(), &bearer())
}

fn body(r: &Request) -> serde_json::Value {
    serde_json::from_slice(&r.body).unwrap()
}

fn invalid(r: ChatRequest) -> InvalidRequest {
    match build(r) {
        Err(ChatError::Invalid(e)) => e,
        other => panic!("expected an invalid request, got {other:?}"),
    }
}

#[test]
fn create_with_every_parameter() {
    let c = CreateMessage::new(space(), Message::text("hi"))
        .request_id("r-1")
        .message_id(ClientMessageId::parse("client-a1").unwrap())
        .thread_key("deploys")
        .notification(NotificationType::Silent);
    let mut c = c;
    c.system = SystemParams {
        fields: Some("name,thread.name".into()),
        pretty_print: Some(false),
        quota_user: Some("u 1".into()),
    };
    let r = build(ChatRequest::Create(c)).unwrap();
    assert_eq!(r.method, Method::Post);
    assert_eq!(
        r.target(),
        "/v1/spaces/S/messages?requestId=r-1&messageId=client-a1\
         &messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD\
         &createMessageNotificationOptions.notificationType=NOTIFICATION_TYPE_SILENT\
         &fields=name%2Cthread.name&prettyPrint=false&quotaUser=u%201"
    );
    assert_eq!(
        body(&r),
        json!({"text": "hi", "thread": {"threadKey": "deploys"}})
    );
    assert_eq!(r.header("authorization"), Some("Bearer tok"));
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    let wire = String::from_utf8(r.encode()).unwrap();
    assert!(
        wire.starts_with("POST /v1/spaces/S/messages?requestId=r-1&")
            && wire.contains(" HTTP/1.1\r\nHost: chat.googleapis.com\r\n"),
        "{wire}"
    );
}

#[test]
fn create_reply_options() {
    let t = ThreadName::parse("spaces/S/threads/T").unwrap();
    let r = build(ChatRequest::Create(
        CreateMessage::new(space(), Message::text("x"))
            .thread(&t)
            .reply_option(ReplyOption::OrFail),
    ))
    .unwrap();
    assert_eq!(
        r.target(),
        "/v1/spaces/S/messages?messageReplyOption=REPLY_MESSAGE_OR_FAIL"
    );
    assert_eq!(body(&r)["thread"], json!({"name": "spaces/S/threads/T"}));
    // No thread, no option: nothing but the body.
    let r = build(ChatRequest::Create(CreateMessage::new(
        space(),
        Message::text("x"),
    )))
    .unwrap();
    assert_eq!(r.target(), "/v1/spaces/S/messages");
    // A caller's explicit "new thread" wins over the default.
    let r = build(ChatRequest::Create(
        CreateMessage::new(space(), Message::text("x"))
            .thread_key("k")
            .reply_option(ReplyOption::NewThread),
    ))
    .unwrap();
    assert_eq!(
        r.target(),
        "/v1/spaces/S/messages?messageReplyOption=MESSAGE_REPLY_OPTION_UNSPECIFIED"
    );
    // A bad thread name in the body is refused.
    let mut m = Message::text("x");
    m.thread = Some(hangups_core::chat::model::Thread {
        name: Some("threads/T".into()),
        ..Default::default()
    });
    assert!(matches!(
        invalid(ChatRequest::Create(CreateMessage::new(space(), m))),
        InvalidRequest::Name(_)
    ));
    let long = "k".repeat(4001);
    assert_eq!(
        invalid(ChatRequest::Create(
            CreateMessage::new(space(), Message::text("x")).thread_key(&long)
        )),
        InvalidRequest::ThreadKeyTooLong(4001)
    );
    assert!(build(ChatRequest::Create(
        CreateMessage::new(space(), Message::text("x")).thread_key(&long[1..])
    ))
    .is_ok());
}

#[test]
fn get_and_delete() {
    let r = build(ChatRequest::Get(GetMessage::new(msg("M.1")))).unwrap();
    assert_eq!(
        (r.method, r.target().as_str()),
        (Method::Get, "/v1/spaces/S/messages/M.1")
    );
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), None);
    assert_eq!(r.header("authorization"), Some("Bearer tok"));
    let r = build(ChatRequest::Get(
        GetMessage::new(msg("M")).markup_syntax(MarkupSyntax::Chat),
    ))
    .unwrap();
    assert_eq!(
        r.target(),
        "/v1/spaces/S/messages/M?markupSyntax=MARKUP_SYNTAX_CHAT"
    );
    let r = build(ChatRequest::Delete(DeleteMessage::new(msg("M")))).unwrap();
    assert_eq!(
        (r.method, r.target().as_str()),
        (Method::Delete, "/v1/spaces/S/messages/M")
    );
    let r = build(ChatRequest::Delete(
        DeleteMessage::new(msg("M")).force(true),
    ))
    .unwrap();
    assert_eq!(r.target(), "/v1/spaces/S/messages/M?force=true");
    assert!(String::from_utf8(r.encode())
        .unwrap()
        .starts_with("DELETE /v1/spaces/S/messages/M?force=true HTTP/1.1\r\n"));
}

#[test]
fn list_with_every_parameter() {
    let f = ListFilter::new()
        .created_after("2023-04-21T15:30:00Z")
        .created_before("2023-05-01T00:00:00+02:00")
        .thread(ThreadName::parse("spaces/S/threads/T").unwrap());
    let l = ListMessages::new(space())
        .page_size(10)
        .page_token("tok/1+")
        .filter(f)
        .order(Order::Descending)
        .show_deleted(true)
        .markup_syntax(MarkupSyntax::Markdown);
    let r = build(ChatRequest::List(l)).unwrap();
    assert_eq!(r.method, Method::Get);
    assert_eq!(
        r.target(),
        "/v1/spaces/S/messages?pageSize=10&pageToken=tok%2F1%2B\
         &filter=create_time%20%3E%20%222023-04-21T15%3A30%3A00Z%22%20AND%20\
         create_time%20%3C%20%222023-05-01T00%3A00%3A00%2B02%3A00%22%20AND%20\
         thread.name%20%3D%20spaces%2FS%2Fthreads%2FT\
         &orderBy=create_time%20DESC&showDeleted=true&markupSyntax=MARKUP_SYNTAX_MARKDOWN"
    );
    let r = build(ChatRequest::List(
        ListMessages::new(space()).order(Order::Ascending),
    ))
    .unwrap();
    assert_eq!(
        r.target(),
        "/v1/spaces/S/messages?orderBy=create_time%20ASC"
    );
}

#[test]
fn page_sizes_are_checked() {
    for ok in [1, 25, 1000] {
        assert!(build(ChatRequest::List(ListMessages::new(space()).page_size(ok))).is_ok());
    }
    for bad in [0, 1001, u32::MAX] {
        assert_eq!(
            invalid(ChatRequest::List(ListMessages::new(space()).page_size(bad))),
            InvalidRequest::PageSize(bad)
        );
    }
    let two = ListFilter::new()
        .thread(ThreadName::parse("spaces/S/threads/A").unwrap())
        .thread(ThreadName::parse("spaces/S/threads/B").unwrap());
    assert_eq!(
        invalid(ChatRequest::List(ListMessages::new(space()).filter(two))),
        InvalidRequest::FilterThreadTwice
    );
}

#[test]
fn update_masks_are_checked_and_sent_snake_case() {
    let u = UpdateMessage::new(
        UpdateVerb::Patch,
        msg("M"),
        Message::text("new"),
        "text, cardsV2,accessoryWidgets,cards_v2",
    );
    let r = build(ChatRequest::Update(u)).unwrap();
    assert_eq!(r.method, Method::Patch);
    assert_eq!(
        r.target(),
        "/v1/spaces/S/messages/M?updateMask=text%2Ccards_v2%2Caccessory_widgets"
    );
    assert_eq!(body(&r), json!({"text": "new"}));
    let u = UpdateMessage::new(
        UpdateVerb::Update,
        msg("M"),
        Message::default(),
        "quotedMessageMetadata,attachment,cards,*",
    );
    let r = build(ChatRequest::Update(u)).unwrap();
    assert_eq!(r.method, Method::Put);
    assert_eq!(
        r.target(),
        "/v1/spaces/S/messages/M?updateMask=quoted_message_metadata%2Cattachment%2Ccards%2C%2A"
    );
    assert!(String::from_utf8(r.encode())
        .unwrap()
        .contains("Content-Length: 2\r\n"));
    for bad in ["sender", "text,name", "Text", "cards_V2", "thread"] {
        let u = UpdateMessage::new(UpdateVerb::Patch, msg("M"), Message::default(), bad);
        assert!(
            matches!(
                invalid(ChatRequest::Update(u)),
                InvalidRequest::UpdateMaskPath(_)
            ),
            "{bad}"
        );
    }
    let u = UpdateMessage::new(UpdateVerb::Patch, msg("M"), Message::default(), " , ");
    assert_eq!(
        invalid(ChatRequest::Update(u)),
        InvalidRequest::EmptyUpdateMask
    );
}

#[test]
fn allow_missing_needs_a_client_assigned_id() {
    let u = UpdateMessage::new(UpdateVerb::Patch, msg("M"), Message::text("x"), "text")
        .allow_missing(true);
    assert_eq!(
        invalid(ChatRequest::Update(u)),
        InvalidRequest::AllowMissingNeedsClientId("spaces/S/messages/M".into())
    );
    let u = UpdateMessage::new(UpdateVerb::Update, msg("client-x"), Message::text("x"), "")
        .allow_missing(true);
    let r = build(ChatRequest::Update(u)).unwrap();
    assert_eq!(
        r.target(),
        "/v1/spaces/S/messages/client-x?allowMissing=true"
    );
}

#[test]
fn text_size_limit_is_checked_before_sending() {
    let at_limit = "é".repeat(16_000); // 32,000 bytes
    let over = "é".repeat(16_001);
    assert!(build(ChatRequest::Create(CreateMessage::new(
        space(),
        Message::text(&at_limit)
    )))
    .is_ok());
    assert_eq!(
        invalid(ChatRequest::Create(CreateMessage::new(
            space(),
            Message::text(&over)
        ))),
        InvalidRequest::TextTooLong {
            bytes: 32_002,
            limit: 32_000
        }
    );
    let u = UpdateMessage::new(UpdateVerb::Patch, msg("M"), Message::text(&over), "text");
    assert!(matches!(
        invalid(ChatRequest::Update(u)),
        InvalidRequest::TextTooLong { .. }
    ));
}

#[test]
fn webhooks_create_only_with_key_and_token_in_the_query() {
    let url = "https://chat.googleapis.com/v1/spaces/AAA/messages?key=K%2B1&token=T%3D";
    let (endpoint, space, auth) = ChatAuth::from_webhook_url(url).unwrap();
    assert_eq!(space.as_str(), "spaces/AAA");
    assert_eq!(endpoint, ChatEndpoint::google());
    assert_eq!(
        auth,
        ChatAuth::Webhook {
            key: "K+1".into(),
            token: "T=".into()
        }
    );
    assert_eq!(format!("{auth:?}"), "Webhook { <redacted> }");
    let r =
        ChatRequest::Create(CreateMessage::new(space.clone(), Message::text("x")).thread_key("k"))
            .build(&endpoint, &auth)
            .unwrap();
    assert_eq!(
        r.target(),
        "/v1/spaces/AAA/messages?messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD&key=K%2B1&token=T%3D"
    );
    assert_eq!(r.header("authorization"), None);
    for other in [
        ChatRequest::Get(GetMessage::new(msg("M"))),
        ChatRequest::List(ListMessages::new(space)),
        ChatRequest::Delete(DeleteMessage::new(msg("M"))),
        ChatRequest::Update(UpdateMessage::new(
            UpdateVerb::Patch,
            msg("M"),
            Message::default(),
            "text",
        )),
    ] {
        let name = other.method_name();
        assert_eq!(
            other.build(&endpoint, &auth).unwrap_err(),
            ChatError::Invalid(InvalidRequest::WebhookCreateOnly(name))
        );
    }
    for bad in [
        "https://chat.googleapis.com/v1/spaces/AAA/messages?key=K",
        "https://chat.googleapis.com/v1/spaces/AAA?key=K&token=T",
        "https://chat.googleapis.com/spaces/AAA/messages?key=K&token=T",
    ] {
        assert!(ChatAuth::from_webhook_url(bad).is_none(), "{bad}");
    }
}

#[test]
fn emulator_endpoints_and_bad_parameters() {
    let e = ChatEndpoint::parse("http://127.0.0.1:8080/prefix/").unwrap();
    let r = ChatRequest::Get(GetMessage::new(msg("M")))
        .build(&e, &bearer())
        .unwrap();
    assert_eq!((r.host.as_str(), r.port, r.tls), ("127.0.0.1", 8080, false));
    assert_eq!(r.target(), "/prefix/v1/spaces/S/messages/M");
    for bad in ["ftp://x", "http://user@x", "http://x/a?b", "not a url"] {
        assert!(ChatEndpoint::parse(bad).is_err(), "{bad}");
    }
    let e = ChatEndpoint::google();
    let r =
        ChatRequest::Create(CreateMessage::new(space(), Message::text("x")).request_id("a\r\nb"));
    assert!(matches!(
        r.build(&e, &bearer()),
        Err(ChatError::Invalid(InvalidRequest::Parameter {
            name: "requestId",
            ..
        }))
    ));
    let r = ChatRequest::Get(GetMessage::new(msg("M")));
    assert!(r
        .build(&e, &ChatAuth::Bearer("a\r\nX-Evil: 1".into()))
        .is_err());
    assert_eq!(format!("{:?}", bearer()), "Bearer(<redacted>)");
}

#[test]
fn card_size_limit_is_checked_per_card_before_sending() {
    // {"cardId":"c","card":{"header":{"title":"…"}}} is 42 bytes of JSON
    // around the title.
    let card = |title_len: usize| json!({"cardId": "c", "card": {"header": {"title": "x".repeat(title_len)}}});
    let with_cards = |cards: Vec<serde_json::Value>| {
        let mut m = Message::text("see the card");
        m.cards_v2 = Some(serde_json::Value::Array(cards));
        ChatRequest::Create(CreateMessage::new(space(), m))
    };
    let size = |v: &serde_json::Value| serde_json::to_vec(v).unwrap().len();
    let at_limit = card(32 * 1024 - size(&card(0)));
    assert_eq!(size(&at_limit), 32_768);
    assert!(build(with_cards(vec![card(10), at_limit.clone()])).is_ok());
    let over = card(32 * 1024 - size(&card(0)) + 1);
    assert_eq!(
        invalid(with_cards(vec![at_limit, over])),
        InvalidRequest::CardTooLarge {
            index: 1,
            bytes: 32_769,
            limit: 32_768
        }
    );
}
