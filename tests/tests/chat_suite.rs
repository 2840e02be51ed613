//! The Google Chat REST client (`spaces.messages`) on every adapter
//! (tokio, smol, blocking) against the in-process Chat emulator: every
//! verb, webhooks with threads, paging, masks, a scope refusal, and
//! exactly-once creates under injected 503s, a cut connection and a 429
//! with RetryInfo; service-account sign-in (the token exchange, domain-wide
//! delegation, an unknown key); user OAuth (the loopback flow with a
//! scripted browser, the refresh token kept in a file store, a wrong PKCE
//! verifier). Each scenario is written once over [`Chat`].

use hangups_blocking::FileStore;
use hangups_core::chat::{
    ChatAuth, ChatConfig, ChatError, CreateMessage, DeleteMessage, GetMessage, ListMessages,
    ListMessagesResponse, Message, MessageName, OAuthErrorCode, ReplyOption, SpaceName,
    UpdateMessage, UpdateVerb,
};
use hangups_core::chat::{InstalledApp, UserGrant};
use hangups_driver::oauth::OAuthError;
use hangups_tests::chat_emulator::ChatFaults;
use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use std::time::{Duration, Instant};

/// What a scenario needs of an adapter's Chat client.
trait Chat: Sized {
    fn start(config: ChatConfig) -> Self;
    fn start_with_store(config: ChatConfig, store: FileStore) -> Self;
    /// The adapter's way to the user's credentials (the stored refresh
    /// token, or a browser sign-in through `show`).
    fn user_auth(
        app: &InstalledApp,
        store: &mut FileStore,
        login_hint: Option<&str>,
        show: impl FnOnce(&str) + Send + 'static,
    ) -> Result<ChatAuth, OAuthError>;
    fn create(&self, request: CreateMessage) -> Result<Message, ChatError>;
    fn get(&self, request: GetMessage) -> Result<Message, ChatError>;
    fn list(&self, request: ListMessages) -> Result<ListMessagesResponse, ChatError>;
    fn patch(&self, request: UpdateMessage) -> Result<Message, ChatError>;
    fn update(&self, request: UpdateMessage) -> Result<Message, ChatError>;
    fn delete(&self, request: DeleteMessage) -> Result<(), ChatError>;
    fn list_all(&self, request: ListMessages) -> Vec<Result<Message, ChatError>>;
}

/// The async adapters: the same calls, awaited on the adapter's executor.
macro_rules! async_chat {
    ($ty:ident, $client:ty, $pages:ty, $block_on:expr, $enter:expr) => {
        struct $ty($client);

        impl Chat for $ty {
            fn start(config: ChatConfig) -> Self {
                let _guard = $enter;
                $ty(<$client>::start(config, &[]).expect("chat client starts"))
            }
            fn start_with_store(config: ChatConfig, store: FileStore) -> Self {
                let _guard = $enter;
                $ty(<$client>::start_with_store(config, &[], store).expect("chat client starts"))
            }
            fn user_auth(
                app: &InstalledApp,
                store: &mut FileStore,
                login_hint: Option<&str>,
                show: impl FnOnce(&str) + Send + 'static,
            ) -> Result<ChatAuth, OAuthError> {
                $block_on(hangups_driver::oauth::user_auth(
                    app.clone(),
                    store,
                    login_hint.map(str::to_string),
                    Duration::from_secs(20),
                    show,
                ))
            }
            fn create(&self, request: CreateMessage) -> Result<Message, ChatError> {
                $block_on(self.0.create(request))
            }
            fn get(&self, request: GetMessage) -> Result<Message, ChatError> {
                $block_on(self.0.get(request))
            }
            fn list(&self, request: ListMessages) -> Result<ListMessagesResponse, ChatError> {
                $block_on(self.0.list(request))
            }
            fn patch(&self, request: UpdateMessage) -> Result<Message, ChatError> {
                $block_on(self.0.patch(request))
            }
            fn update(&self, request: UpdateMessage) -> Result<Message, ChatError> {
                $block_on(self.0.update(request))
            }
            fn delete(&self, request: DeleteMessage) -> Result<(), ChatError> {
                $block_on(self.0.delete(request))
            }
            fn list_all(&self, request: ListMessages) -> Vec<Result<Message, ChatError>> {
                let mut pages: $pages = self.0.list_all(request);
                $block_on(async move {
                    let mut all = Vec::new();
                    while let Some(message) = pages.next().await {
                        all.push(message);
                    }
                    all
                })
            }
        }
    };
}

fn tokio_rt() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

async_chat!(
    TokioChat,
    hangups_tokio::ChatClient,
    hangups_tokio::MessagePages,
    |f| tokio_rt().block_on(f),
    tokio_rt().enter()
);
async_chat!(
    SmolChat,
    hangups_smol::ChatClient,
    hangups_smol::MessagePages,
    smol::block_on,
    ()
);

struct BlockingChat(hangups_blocking::ChatClient);

impl Chat for BlockingChat {
    fn start(config: ChatConfig) -> Self {
        BlockingChat(hangups_blocking::ChatClient::start(config, &[]).expect("chat client starts"))
    }
    fn start_with_store(config: ChatConfig, store: FileStore) -> Self {
        BlockingChat(
            hangups_blocking::ChatClient::start_with_store(config, &[], store)
                .expect("chat client starts"),
        )
    }
    fn user_auth(
        app: &InstalledApp,
        store: &mut FileStore,
        login_hint: Option<&str>,
        show: impl FnOnce(&str) + Send + 'static,
    ) -> Result<ChatAuth, OAuthError> {
        hangups_blocking::oauth::user_auth_blocking(
            app,
            store,
            login_hint,
            Duration::from_secs(20),
            show,
        )
    }
    fn create(&self, request: CreateMessage) -> Result<Message, ChatError> {
        self.0.create(request)
    }
    fn get(&self, request: GetMessage) -> Result<Message, ChatError> {
        self.0.get(request)
    }
    fn list(&self, request: ListMessages) -> Result<ListMessagesResponse, ChatError> {
        self.0.list(request)
    }
    fn patch(&self, request: UpdateMessage) -> Result<Message, ChatError> {
        self.0.patch(request)
    }
    fn update(&self, request: UpdateMessage) -> Result<Message, ChatError> {
        self.0.update(request)
    }
    fn delete(&self, request: DeleteMessage) -> Result<(), ChatError> {
        self.0.delete(request)
    }
    fn list_all(&self, request: ListMessages) -> Vec<Result<Message, ChatError>> {
        self.0.list_all(request).collect()
    }
}

const ADA: &str = "users/100000000000000000001";
/// The scopes of an app that may also read (an administrator approved
/// `chat.app.messages.readonly`).
const APP_SCOPES: &[&str] = &["chat.bot", "chat.app.messages.readonly"];

fn emulator() -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default()).expect("emulator starts")
}

/// A client acting as the app with `scopes`, and a new space it is in.
fn app_client<C: Chat>(emu: &EmulatorHandle, scopes: &[&str]) -> (C, SpaceName) {
    let space = emu.chat_create_space("Builds", &[ADA]).expect("space");
    let token = emu.chat_token("app", scopes).expect("token");
    let config = ChatConfig::new(ChatAuth::Bearer(token))
        .with_url(&emu.url())
        .expect("emulator URL")
        .with_rng_seed(7);
    (
        C::start(config),
        SpaceName::parse(&space).expect("space name"),
    )
}

/// The messages of `space` the emulator holds (deleted ones too).
fn stored(emu: &EmulatorHandle, space: &SpaceName) -> Vec<serde_json::Value> {
    let state = emu.chat_state();
    state["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| {
            m["name"]
                .as_str()
                .is_some_and(|n| n.starts_with(&format!("{space}/")))
        })
        .cloned()
        .collect()
}

fn name_of(message: &Message) -> MessageName {
    MessageName::parse(message.name.as_deref().expect("a name")).expect("a message name")
}

fn every_verb<C: Chat>() {
    let emu = emulator();
    let (chat, space) = app_client::<C>(&emu, APP_SCOPES);
    let created = chat
        .create(CreateMessage::new(
            space.clone(),
            Message::text("build 42 passed"),
        ))
        .expect("create");
    assert_eq!(created.text.as_deref(), Some("build 42 passed"));
    let name = name_of(&created);
    let got = chat.get(GetMessage::new(name.clone())).expect("get");
    assert_eq!(got.name, created.name);
    let page = chat.list(ListMessages::new(space.clone())).expect("list");
    assert_eq!(page.messages.len(), 1);
    let patched = chat
        .patch(UpdateMessage::new(
            UpdateVerb::Patch,
            name.clone(),
            Message::text("build 42 passed (patched)"),
            "text",
        ))
        .expect("patch");
    assert_eq!(patched.text.as_deref(), Some("build 42 passed (patched)"));
    let updated = chat
        .update(UpdateMessage::new(
            UpdateVerb::Update,
            name.clone(),
            Message::text("build 42 passed (updated)"),
            "text",
        ))
        .expect("update");
    assert_eq!(updated.text.as_deref(), Some("build 42 passed (updated)"));
    assert_eq!(
        chat.get(GetMessage::new(name.clone()))
            .unwrap()
            .text
            .as_deref(),
        Some("build 42 passed (updated)")
    );
    chat.delete(DeleteMessage::new(name.clone()))
        .expect("delete");
    match chat.get(GetMessage::new(name)) {
        Err(ChatError::Api(e)) => assert_eq!(e.status, "NOT_FOUND", "{e:?}"),
        other => panic!("a deleted message must be NOT_FOUND, got {other:?}"),
    }
}

fn webhook_posts_land_in_their_thread<C: Chat>() {
    let emu = emulator();
    let space = emu.chat_create_space("Alerts", &[ADA]).expect("space");
    let url = emu.chat_webhook(&space).expect("webhook");
    let (config, hook_space) = ChatConfig::for_webhook(&url).expect("a webhook URL");
    assert_eq!(hook_space.to_string(), space);
    let chat = C::start(config);
    let first = chat
        .create(
            CreateMessage::new(hook_space.clone(), Message::text("disk 91 %")).thread_key("disk"),
        )
        .expect("webhook create");
    let second = chat
        .create(
            CreateMessage::new(hook_space.clone(), Message::text("disk 97 %")).thread_key("disk"),
        )
        .expect("webhook create");
    let other = chat
        .create(CreateMessage::new(hook_space.clone(), Message::text("cpu 99 %")).thread_key("cpu"))
        .expect("webhook create");
    let thread = |m: &Message| {
        m.thread
            .as_ref()
            .and_then(|t| t.name.clone())
            .expect("thread name")
    };
    assert_eq!(thread(&first), thread(&second), "same key, same thread");
    assert_ne!(thread(&first), thread(&other));
    // A webhook may only create.
    assert!(matches!(
        chat.get(GetMessage::new(name_of(&first))),
        Err(ChatError::Invalid(_))
    ));
    assert_eq!(stored(&emu, &hook_space).len(), 3);
}

fn creates_are_exactly_once_under_503s_and_a_cut<C: Chat>() {
    let emu = emulator();
    let (chat, space) = app_client::<C>(&emu, APP_SCOPES);
    emu.set_chat_faults(ChatFaults {
        fail_status: Some(503),
        fail_count: 2,
        ..ChatFaults::default()
    });
    chat.create(CreateMessage::new(
        space.clone(),
        Message::text("after two 503s"),
    ))
    .expect("create succeeds after two 503s");
    assert_eq!(emu.chat_fired("fail"), 2, "both 503s were served");
    emu.set_chat_faults(ChatFaults {
        cut_after_apply: 1,
        ..ChatFaults::default()
    });
    let created = chat
        .create(CreateMessage::new(
            space.clone(),
            Message::text("after a cut"),
        ))
        .expect("create succeeds after a cut connection");
    assert_eq!(
        emu.chat_fired("cut"),
        1,
        "the connection was cut after the create"
    );
    let texts: Vec<String> = stored(&emu, &space)
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        texts,
        ["after two 503s", "after a cut"],
        "each message exactly once"
    );
    assert_eq!(
        stored(&emu, &space)[1]["name"].as_str(),
        created.name.as_deref(),
        "the retry got the message the cut request had created"
    );
}

fn a_429_waits_for_its_retry_info<C: Chat>() {
    let emu = emulator();
    let (chat, space) = app_client::<C>(&emu, APP_SCOPES);
    emu.set_chat_faults(ChatFaults {
        fail_status: Some(429),
        fail_count: 1,
        retry_delay_ms: Some(1_500),
        ..ChatFaults::default()
    });
    let start = Instant::now();
    chat.create(CreateMessage::new(
        space.clone(),
        Message::text("rate limited"),
    ))
    .expect("create succeeds after the 429");
    assert_eq!(emu.chat_fired("fail"), 1, "the 429 was served");
    assert!(
        start.elapsed() >= Duration::from_millis(1_500),
        "waited {:?}, RetryInfo said 1.5 s",
        start.elapsed()
    );
    assert_eq!(stored(&emu, &space).len(), 1);
}

fn list_all_walks_every_page<C: Chat>() {
    let emu = emulator();
    let (chat, space) = app_client::<C>(&emu, APP_SCOPES);
    for i in 0..7 {
        chat.create(CreateMessage::new(
            space.clone(),
            Message::text(&format!("m{i}")),
        ))
        .expect("create");
    }
    let all: Vec<String> = chat
        .list_all(ListMessages::new(space.clone()).page_size(3))
        .into_iter()
        .map(|m| m.expect("page").text.unwrap_or_default())
        .collect();
    assert_eq!(all, ["m0", "m1", "m2", "m3", "m4", "m5", "m6"]);
}

fn refusals_are_typed_and_not_retried<C: Chat>() {
    let emu = emulator();
    let (chat, space) = app_client::<C>(&emu, &["chat.bot"]);
    match chat.list(ListMessages::new(space.clone())) {
        Err(ChatError::Api(e)) => assert_eq!(e.status, "PERMISSION_DENIED", "{e:?}"),
        other => panic!("an app with chat.bot only cannot list: {other:?}"),
    }
    let lists = emu.chat_state()["requests"]["list"].as_u64();
    assert_eq!(lists, Some(1), "a refusal is not retried");
    // A bad mask never leaves the client.
    let created = chat
        .create(CreateMessage::new(space.clone(), Message::text("x")))
        .expect("create");
    let bad = UpdateMessage::new(
        UpdateVerb::Patch,
        name_of(&created),
        Message::text("y"),
        "sender",
    );
    assert!(matches!(chat.patch(bad), Err(ChatError::Invalid(_))));
    // camelCase mask paths are accepted.
    let cards = UpdateMessage::new(
        UpdateVerb::Patch,
        name_of(&created),
        Message::text("z"),
        "text,cardsV2",
    );
    assert_eq!(chat.patch(cards).expect("patch").text.as_deref(), Some("z"));
    // A reply that must land in an unknown thread fails, and says why.
    let reply = CreateMessage::new(space, Message::text("r"))
        .thread_key("never-seen")
        .reply_option(ReplyOption::OrFail);
    assert!(
        chat.create(reply).is_ok(),
        "a new key starts a thread (Google's rule)"
    );
}

/// A client signed in as the emulator's service account `name` (its key
/// file through `hangups_driver::service_account_config`), on `emu`.
fn service_account_client<C: Chat>(
    emu: &EmulatorHandle,
    key_file: &serde_json::Value,
    scopes: &[&str],
    subject: Option<&str>,
) -> C {
    let config = hangups_driver::service_account_config(&key_file.to_string(), scopes, subject)
        .expect("a key file")
        .with_url(&emu.url())
        .expect("emulator URL")
        .with_rng_seed(7);
    C::start(config)
}

fn token_requests(emu: &EmulatorHandle) -> u64 {
    emu.chat_state()["requests"]["token"].as_u64().unwrap_or(0)
}

fn a_service_account_signs_in_and_creates_and_lists<C: Chat>() {
    let emu = emulator();
    let key = emu.chat_service_account("builds").expect("service account");
    let space = emu.chat_create_space("Builds", &[ADA]).expect("space");
    let space = SpaceName::parse(&space).expect("space name");
    let chat: C = service_account_client(&emu, &key, APP_SCOPES, None);
    let created = chat
        .create(CreateMessage::new(
            space.clone(),
            Message::text("signed in"),
        ))
        .expect("create as the app");
    let sender = created.sender.as_ref().and_then(|s| s.name.clone());
    assert!(
        sender
            .as_deref()
            .is_some_and(|n| n.starts_with("users/app")),
        "the app is the sender: {sender:?}"
    );
    let page = chat.list(ListMessages::new(space.clone())).expect("list");
    assert_eq!(page.messages.len(), 1);
    assert_eq!(page.messages[0].text.as_deref(), Some("signed in"));
    assert_eq!(token_requests(&emu), 1, "one token for both calls");
}

fn a_delegated_service_account_acts_as_the_user<C: Chat>() {
    let emu = emulator();
    let key = emu
        .chat_service_account("notifier")
        .expect("service account");
    let space = emu.chat_create_space("Team", &[ADA]).expect("space");
    let space = SpaceName::parse(&space).expect("space name");
    let ada_id = ADA.trim_start_matches("users/");
    let chat: C = service_account_client(&emu, &key, &["chat.messages"], Some(ada_id));
    let created = chat
        .create(CreateMessage::new(space.clone(), Message::text("from Ada")))
        .expect("create as Ada");
    assert_eq!(
        created.sender.as_ref().and_then(|s| s.name.as_deref()),
        Some(ADA),
        "the delegated user is the sender"
    );
    assert_eq!(
        stored(&emu, &space)[0]["sender"]["name"].as_str(),
        Some(ADA)
    );
}

fn a_self_signed_jwt_is_the_bearer<C: Chat>() {
    let emu = emulator();
    let key = emu.chat_service_account("gapic").expect("service account");
    let space = emu.chat_create_space("Builds", &[ADA]).expect("space");
    let space = SpaceName::parse(&space).expect("space name");
    let account = hangups_driver::service_account(&key.to_string(), APP_SCOPES, None)
        .expect("a key file")
        .self_signed();
    let config = ChatConfig::new(ChatAuth::ServiceAccount(account))
        .with_url(&emu.url())
        .expect("emulator URL");
    let chat = C::start(config);
    let created = chat
        .create(CreateMessage::new(
            space.clone(),
            Message::text("no exchange"),
        ))
        .expect("create with a self-signed JWT");
    assert_eq!(
        created.sender.as_ref().and_then(|s| s.name.as_deref()),
        Some("users/app")
    );
    assert_eq!(
        chat.list(ListMessages::new(space))
            .expect("list")
            .messages
            .len(),
        1
    );
    assert_eq!(token_requests(&emu), 0, "nothing exchanged");
}

fn an_unknown_key_is_a_typed_refusal<C: Chat>() {
    let emu = emulator();
    let mut key = emu.chat_service_account("known").expect("service account");
    key["client_email"] = "ghost@emulator-project.iam.gserviceaccount.com".into();
    let space = emu.chat_create_space("Builds", &[ADA]).expect("space");
    let space = SpaceName::parse(&space).expect("space name");
    let chat: C = service_account_client(&emu, &key, APP_SCOPES, None);
    match chat.create(CreateMessage::new(space.clone(), Message::text("x"))) {
        Err(ChatError::Token(e)) => {
            assert_eq!(e.code, OAuthErrorCode::InvalidGrant, "{e:?}");
            assert!(e.description.contains("not found"), "{e:?}");
        }
        other => panic!("an unknown account must be invalid_grant: {other:?}"),
    }
    assert_eq!(token_requests(&emu), 1, "a refusal is not retried");
    assert!(stored(&emu, &space).is_empty());
}

/// A fresh directory under the system's temporary directory.
fn scratch() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "hangups-chat-suite-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The test's browser: opens the authorization URL on a thread, follows
/// the emulator's 302 to the loopback listener; the listener's answer's
/// status line comes on the channel.
fn browser() -> (
    impl FnOnce(&str) + Send + 'static,
    std::sync::mpsc::Receiver<String>,
) {
    let (tx, rx) = std::sync::mpsc::channel();
    let show = move |url: &str| {
        let url = url.to_string();
        std::thread::spawn(move || {
            let page = hangups_tests::chat_emulator::browser::consent(&url).expect("consent");
            let _ = tx.send(page);
        });
    };
    (show, rx)
}

fn user_app(emu: &EmulatorHandle) -> InstalledApp {
    let file = emu.chat_oauth_client();
    assert!(file["installed"]["client_id"].is_string(), "{file}");
    InstalledApp::from_client_json(&file.to_string(), &["chat.messages"]).expect("client file")
}

fn user_config(emu: &EmulatorHandle, auth: ChatAuth) -> ChatConfig {
    ChatConfig::new(auth)
        .with_url(&emu.url())
        .expect("emulator URL")
        .with_rng_seed(7)
}

fn a_user_signs_in_through_the_browser_and_the_refresh_token_is_kept<C: Chat>() {
    let emu = emulator();
    let app = user_app(&emu);
    let space = emu.chat_create_space("Team", &[ADA]).expect("space");
    let space = SpaceName::parse(&space).expect("space name");
    let path = scratch().join("chat-token");
    let mut store = FileStore::new(&path);
    let (show, pages) = browser();
    let ada_id = ADA.trim_start_matches("users/");
    let auth = C::user_auth(&app, &mut store, Some(ada_id), show).expect("browser sign-in");
    let page = pages
        .recv_timeout(Duration::from_secs(20))
        .expect("the listener answered");
    assert!(page.contains(" 200 "), "{page}");
    assert!(
        matches!(&auth, ChatAuth::User(u) if matches!(u.grant, UserGrant::Code { .. })),
        "{auth:?}"
    );
    assert_eq!(store.load_refresh_token().expect("readable"), None);
    let chat = C::start_with_store(user_config(&emu, auth), FileStore::new(&path));
    let created = chat
        .create(CreateMessage::new(
            space.clone(),
            Message::text("hi from Ada"),
        ))
        .expect("create as the user");
    assert_eq!(
        created.sender.as_ref().and_then(|s| s.name.as_deref()),
        Some(ADA),
        "the user is the sender"
    );
    assert_eq!(
        chat.list(ListMessages::new(space.clone()))
            .expect("list")
            .messages
            .len(),
        1,
        "chat.messages reads too"
    );
    drop(chat);
    let kept = FileStore::new(&path)
        .load_refresh_token()
        .expect("readable")
        .expect("the refresh token was saved");
    assert!(kept.expose().starts_with("1//"));
    // A later run: from the file, no browser.
    let mut store = FileStore::new(&path);
    let auth = C::user_auth(&app, &mut store, None, |_| {
        panic!("no browser the second time")
    })
    .expect("from the stored token");
    assert!(
        matches!(&auth, ChatAuth::User(u) if u.grant == UserGrant::RefreshToken(kept.clone())),
        "{auth:?}"
    );
    let chat = C::start_with_store(user_config(&emu, auth), FileStore::new(&path));
    let again = chat
        .create(CreateMessage::new(space.clone(), Message::text("again")))
        .expect("create from the refresh token");
    assert_eq!(
        again.sender.as_ref().and_then(|s| s.name.as_deref()),
        Some(ADA)
    );
    assert_eq!(emu.chat_state()["requests"]["authorize"].as_u64(), Some(1));
    assert_eq!(token_requests(&emu), 2, "a code exchange, then one refresh");
    // Revoked: the client says so and the store forgets it.
    assert!(emu.chat_revoke_refresh_token(kept.expose()));
    let chat = C::start_with_store(
        user_config(
            &emu,
            ChatAuth::User(hangups_core::chat::UserOAuth::from_refresh_token(app, kept)),
        ),
        FileStore::new(&path),
    );
    match chat.create(CreateMessage::new(space, Message::text("revoked"))) {
        Err(ChatError::BadRefreshToken(e)) => {
            assert_eq!(e.code, OAuthErrorCode::InvalidGrant, "{e:?}")
        }
        other => panic!("a revoked refresh token: {other:?}"),
    }
    drop(chat);
    assert_eq!(
        FileStore::new(&path)
            .load_refresh_token()
            .expect("readable"),
        None
    );
}

fn a_wrong_code_verifier_is_refused<C: Chat>() {
    let emu = emulator();
    let app = user_app(&emu);
    let space = emu.chat_create_space("Team", &[ADA]).expect("space");
    let space = SpaceName::parse(&space).expect("space name");
    let mut store = FileStore::new(scratch().join("chat-token"));
    let (show, _pages) = browser();
    let mut auth = C::user_auth(&app, &mut store, None, show).expect("browser sign-in");
    let ChatAuth::User(user) = &mut auth else {
        panic!("{auth:?}")
    };
    let UserGrant::Code { verifier, .. } = &mut user.grant else {
        panic!("a code")
    };
    *verifier = "x".repeat(64);
    let chat = C::start(user_config(&emu, auth));
    match chat.create(CreateMessage::new(space.clone(), Message::text("x"))) {
        Err(ChatError::BadRefreshToken(e)) => {
            assert_eq!(e.code, OAuthErrorCode::InvalidGrant, "{e:?}");
            assert!(e.description.contains("verifier"), "{e:?}");
        }
        other => panic!("a wrong verifier must be invalid_grant: {other:?}"),
    }
    assert!(stored(&emu, &space).is_empty());
}

macro_rules! adapter {
    ($module:ident, $ty:ty) => {
        mod $module {
            use super::*;
            #[test]
            fn every_verb() {
                super::every_verb::<$ty>();
            }
            #[test]
            fn webhook_posts_land_in_their_thread() {
                super::webhook_posts_land_in_their_thread::<$ty>();
            }
            #[test]
            fn creates_are_exactly_once_under_503s_and_a_cut() {
                super::creates_are_exactly_once_under_503s_and_a_cut::<$ty>();
            }
            #[test]
            fn a_429_waits_for_its_retry_info() {
                super::a_429_waits_for_its_retry_info::<$ty>();
            }
            #[test]
            fn list_all_walks_every_page() {
                super::list_all_walks_every_page::<$ty>();
            }
            #[test]
            fn refusals_are_typed_and_not_retried() {
                super::refusals_are_typed_and_not_retried::<$ty>();
            }
            #[test]
            fn a_service_account_signs_in_and_creates_and_lists() {
                super::a_service_account_signs_in_and_creates_and_lists::<$ty>();
            }
            #[test]
            fn a_delegated_service_account_acts_as_the_user() {
                super::a_delegated_service_account_acts_as_the_user::<$ty>();
            }
            #[test]
            fn a_self_signed_jwt_is_the_bearer() {
                super::a_self_signed_jwt_is_the_bearer::<$ty>();
            }
            #[test]
            fn a_user_signs_in_through_the_browser_and_the_refresh_token_is_kept() {
                super::a_user_signs_in_through_the_browser_and_the_refresh_token_is_kept::<$ty>();
            }
            #[test]
            fn a_wrong_code_verifier_is_refused() {
                super::a_wrong_code_verifier_is_refused::<$ty>();
            }
            #[test]
            fn an_unknown_key_is_a_typed_refusal() {
                super::an_unknown_key_is_a_typed_refusal::<$ty>();
            }
        }
    };
}

adapter!(tokio_adapter, TokioChat);
adapter!(smol_adapter, SmolChat);
adapter!(blocking_adapter, BlockingChat);
