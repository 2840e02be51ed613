//! One face for the three adapters, so each scenario is written once.

#![allow(dead_code)]

use hangups_core::api::{ApiRequest, ApiResponse, Cookies};
use hangups_core::backoff::BackoffConfig;
use hangups_core::client::Event;
use hangups_proto::hangouts::*;
use hangups_tests::emulator::EmulatorHandle;
use std::future::Future;
use std::time::Duration;

/// How an adapter's error sorts, for the scenarios that check which one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Error::Closed`.
    Closed,
    /// `Error::Api(ApiError::Http { status, .. })`.
    Http(u16),
    /// `Error::BadUrl(_)`.
    BadUrl,
    /// Any other.
    Other,
}

/// An adapter's error: its kind and its message.
#[derive(Debug)]
pub struct Failure {
    /// Which error.
    pub kind: Kind,
    /// As displayed.
    pub message: String,
}

/// The next event did not come in time.
#[derive(Debug)]
pub struct TimedOut;

/// Timeouts for [`Spec::tune`].
#[derive(Debug, Clone, Copy)]
pub enum Tune {
    /// The adapter's defaults.
    Default,
    /// Short timeouts and backoff, for fault scenarios.
    Faults,
    /// Only the request timeout, set to this.
    RequestTimeout(Duration),
    /// [`Tune::Faults`], then this change of the core configuration.
    With(fn(&mut hangups_core::client::Config)),
}

/// Where and how to connect.
pub struct Spec {
    /// `http://host:port` or `https://host:port`.
    pub url: String,
    /// The session cookies.
    pub cookies: Cookies,
    /// A root certificate to trust besides the webpki roots.
    pub cert_pem: Option<String>,
    /// A proxy URL (`http://…`, `socks5://…`, `socks5h://…`).
    pub proxy: Option<String>,
    /// Timeouts.
    pub tune: Tune,
}

impl Spec {
    /// The emulator, with its self cookies and certificate, default settings.
    pub fn emulator(emu: &EmulatorHandle) -> Spec {
        Spec {
            url: emu.url(),
            cookies: cookies(emu),
            cert_pem: emu.cert_pem(),
            proxy: None,
            tune: Tune::Default,
        }
    }
}

/// What the suite needs of an adapter.
pub trait Harness {
    /// For messages.
    const NAME: &'static str;
    /// The adapter's client handle.
    type Client: Clone;
    /// The adapter's event source.
    type Events;
    /// The adapter's configuration.
    type Config;
    /// The adapter's error.
    type Error;
    /// Runs a scenario to completion on this adapter's runtime.
    fn run<F: Future<Output = ()>>(f: F);
    /// Connects with the emulator's self cookies and default settings.
    fn connect(emu: &EmulatorHandle) -> impl Future<Output = (Self::Client, Self::Events)> {
        Self::connect_to(Spec::emulator(emu))
    }
    /// Connects with short timeouts and backoff, for fault scenarios.
    fn connect_tuned(emu: &EmulatorHandle) -> impl Future<Output = (Self::Client, Self::Events)> {
        Self::connect_to(Spec {
            tune: Tune::Faults,
            ..Spec::emulator(emu)
        })
    }
    /// Connects through a proxy (`http://…`, `socks5://…`, `socks5h://…`).
    fn connect_via(
        emu: &EmulatorHandle,
        proxy: &str,
    ) -> impl Future<Output = (Self::Client, Self::Events)> {
        Self::connect_to(Spec {
            proxy: Some(proxy.to_string()),
            ..Spec::emulator(emu)
        })
    }
    /// Connects as `spec` says.
    fn connect_to(spec: Spec) -> impl Future<Output = (Self::Client, Self::Events)>;
    /// `Config::default().with_url(url)`: the core configuration it sets.
    fn config_with_url(url: &str) -> Result<hangups_core::client::Config, Failure>;
    /// The next event; `Ok(None)` once the events ended (after the
    /// client closed), `Err(TimedOut)` if none came within `timeout`.
    fn next_or_end(
        events: &mut Self::Events,
        timeout: Duration,
    ) -> impl Future<Output = Result<Option<Event>, TimedOut>>;
    /// The next event, or `None` after `timeout` (or once they ended).
    fn next_event(
        events: &mut Self::Events,
        timeout: Duration,
    ) -> impl Future<Output = Option<Event>> {
        async move { Self::next_or_end(events, timeout).await.ok().flatten() }
    }
    /// Any API call, its error sorted.
    fn try_request(
        client: &Self::Client,
        req: ApiRequest,
    ) -> impl Future<Output = Result<ApiResponse, Failure>>;
    /// Any API call, its error as displayed.
    fn request(
        client: &Self::Client,
        req: ApiRequest,
    ) -> impl Future<Output = Result<ApiResponse, String>> {
        async move { Self::try_request(client, req).await.map_err(|f| f.message) }
    }
    /// The typed method for GetSelfInfo (`client.get_self_info(..)`), one
    /// of the 25 the adapters generate with `hangups_core::for_each_api_call!`.
    fn typed_get_self_info(
        client: &Self::Client,
    ) -> impl Future<Output = Result<GetSelfInfoResponse, String>>;
    /// Graceful disconnect.
    fn disconnect(client: &Self::Client) -> impl Future<Output = ()>;
}

fn cookies(emu: &EmulatorHandle) -> Cookies {
    emu.self_cookies().into_iter().collect()
}

fn tune(client: &mut hangups_core::client::Config, how: Tune) {
    match how {
        Tune::Default => {}
        Tune::Faults => {
            client.push_timeout = Duration::from_secs(2);
            client.request_timeout = Duration::from_secs(5);
            client.backoff = BackoffConfig {
                initial: Duration::from_millis(100),
                max: Duration::from_secs(1),
                ..BackoffConfig::default()
            };
        }
        Tune::RequestTimeout(t) => client.request_timeout = t,
        Tune::With(change) => {
            tune(client, Tune::Faults);
            change(client);
        }
    }
}

/// The adapter's configuration for `spec` (without the cookies).
macro_rules! config_for {
    ($krate:ident, $spec:expr) => {{
        let spec: &Spec = $spec;
        let mut config = $krate::Config::default().with_url(&spec.url).expect("url");
        if let Some(proxy) = &spec.proxy {
            config = config.with_proxy(proxy).expect("proxy url");
        }
        config.proxy_from_env = false;
        if let Some(pem) = &spec.cert_pem {
            config = config.with_root_cert_pem(pem);
        }
        tune(&mut config.client, spec.tune);
        config
    }};
}

/// The adapter's error, sorted.
macro_rules! failure {
    ($krate:ident, $e:expr) => {{
        let e: $krate::Error = $e;
        let message = e.to_string();
        let kind = match e {
            $krate::Error::Closed => Kind::Closed,
            $krate::Error::Api($krate::ApiError::Http { status, .. }) => Kind::Http(status),
            $krate::Error::BadUrl(_) => Kind::BadUrl,
            _ => Kind::Other,
        };
        Failure { kind, message }
    }};
}

/// The adapter's `Config::with_url`, its error sorted.
macro_rules! config_with_url {
    ($krate:ident, $url:expr) => {
        $krate::Config::default()
            .with_url($url)
            .map(|c| c.client)
            .map_err(|e| failure!($krate, e))
    };
}

macro_rules! async_harness {
    ($name:ident, $krate:ident, $label:literal, run = |$f:ident| $run:expr, next = |$ev:ident, $t:ident| $next:expr) => {
        /// The suite's face of this adapter.
        pub struct $name;
        impl Harness for $name {
            const NAME: &'static str = $label;
            type Client = $krate::Client;
            type Events = $krate::Events;
            type Config = $krate::Config;
            type Error = $krate::Error;
            fn run<F: Future<Output = ()>>($f: F) {
                $run
            }
            async fn connect_to(spec: Spec) -> (Self::Client, Self::Events) {
                let config = config_for!($krate, &spec);
                $krate::Client::connect(spec.cookies, config)
                    .await
                    .expect("connect")
            }
            fn config_with_url(url: &str) -> Result<hangups_core::client::Config, Failure> {
                config_with_url!($krate, url)
            }
            async fn next_or_end(
                $ev: &mut Self::Events,
                $t: Duration,
            ) -> Result<Option<Event>, TimedOut> {
                $next
            }
            async fn try_request(
                client: &Self::Client,
                req: ApiRequest,
            ) -> Result<ApiResponse, Failure> {
                client.request(req).await.map_err(|e| failure!($krate, e))
            }
            async fn typed_get_self_info(
                client: &Self::Client,
            ) -> Result<GetSelfInfoResponse, String> {
                client
                    .get_self_info(GetSelfInfoRequest::default())
                    .await
                    .map_err(|e| e.to_string())
            }
            async fn disconnect(client: &Self::Client) {
                client.disconnect().await
            }
        }
    };
}

async_harness!(
    TokioHarness,
    hangups_tokio,
    "tokio",
    run = |f| tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f),
    next = |events, t| tokio::time::timeout(t, events.next())
        .await
        .map_err(|_| TimedOut)
);

async_harness!(
    SmolHarness,
    hangups_smol,
    "smol",
    run = |f| smol::block_on(f),
    next = |events, t| {
        futures_lite::future::or(async { Ok(events.next().await) }, async move {
            async_io::Timer::after(t).await;
            Err(TimedOut)
        })
        .await
    }
);

/// The suite's face of the blocking adapter (its calls block the
/// scenario's thread, which is what a blocking caller does).
pub struct BlockingHarness;
impl Harness for BlockingHarness {
    const NAME: &'static str = "blocking";
    type Client = hangups_blocking::Client;
    type Events = hangups_blocking::Events;
    type Config = hangups_blocking::Config;
    type Error = hangups_blocking::Error;
    fn run<F: Future<Output = ()>>(f: F) {
        futures_lite::future::block_on(f)
    }
    async fn connect_to(spec: Spec) -> (Self::Client, Self::Events) {
        let config = config_for!(hangups_blocking, &spec);
        hangups_blocking::Client::connect(spec.cookies, config).expect("connect")
    }
    fn config_with_url(url: &str) -> Result<hangups_core::client::Config, Failure> {
        config_with_url!(hangups_blocking, url)
    }
    async fn next_or_end(
        events: &mut Self::Events,
        timeout: Duration,
    ) -> Result<Option<Event>, TimedOut> {
        // `recv_timeout` is `None` early only once the events ended.
        let start = std::time::Instant::now();
        match events.recv_timeout(timeout) {
            Some(ev) => Ok(Some(ev)),
            None if start.elapsed() < timeout => Ok(None),
            None => Err(TimedOut),
        }
    }
    async fn try_request(client: &Self::Client, req: ApiRequest) -> Result<ApiResponse, Failure> {
        client
            .request(req)
            .map_err(|e| failure!(hangups_blocking, e))
    }
    async fn typed_get_self_info(client: &Self::Client) -> Result<GetSelfInfoResponse, String> {
        client
            .get_self_info(GetSelfInfoRequest::default())
            .map_err(|e| e.to_string())
    }
    async fn disconnect(client: &Self::Client) {
        client.disconnect()
    }
}

fn conv_id(conv: &str) -> Option<ConversationId> {
    Some(ConversationId {
        id: Some(conv.to_string()),
    })
}

fn erh(conv: &str) -> Option<EventRequestHeader> {
    Some(EventRequestHeader {
        conversation_id: conv_id(conv),
        ..Default::default()
    })
}

fn participant(id: &str) -> Option<ParticipantId> {
    Some(ParticipantId {
        gaia_id: Some(id.to_string()),
        chat_id: Some(id.to_string()),
    })
}

/// A plausible request for each of the 25 calls, in a conversation `conv`
/// with another participant `other`; `full_jid` is `email/client id`.
pub fn one_of_each_call(conv: &str, other: &str, full_jid: &str) -> Vec<ApiRequest> {
    let text = |t: &str| {
        Some(MessageContent {
            segment: vec![Segment {
                text: Some(t.to_string()),
                ..Default::default()
            }],
            ..Default::default()
        })
    };
    vec![
        GetSelfInfoRequest::default().into(),
        SyncRecentConversationsRequest {
            max_conversations: Some(100),
            max_events_per_conversation: Some(1),
            ..Default::default()
        }
        .into(),
        SyncAllNewEventsRequest {
            last_sync_timestamp: Some(0),
            max_response_size_bytes: Some(1_048_576),
            ..Default::default()
        }
        .into(),
        GetConversationRequest {
            conversation_spec: Some(ConversationSpec {
                conversation_id: conv_id(conv),
            }),
            include_event: Some(true),
            max_events_per_conversation: Some(10),
            ..Default::default()
        }
        .into(),
        GetEntityByIdRequest {
            batch_lookup_spec: vec![EntityLookupSpec {
                gaia_id: Some(other.to_string()),
                ..Default::default()
            }],
            ..Default::default()
        }
        .into(),
        SearchEntitiesRequest {
            query: Some("a".into()),
            max_count: Some(10),
            ..Default::default()
        }
        .into(),
        GetSuggestedEntitiesRequest {
            max_count: Some(10),
            ..Default::default()
        }
        .into(),
        QueryPresenceRequest {
            participant_id: vec![participant(other).unwrap()],
            ..Default::default()
        }
        .into(),
        SetPresenceRequest::default().into(),
        SetActiveClientRequest {
            is_active: Some(true),
            full_jid: Some(full_jid.to_string()),
            timeout_secs: Some(120),
            ..Default::default()
        }
        .into(),
        SendChatMessageRequest {
            event_request_header: erh(conv).map(Box::new),
            message_content: text("hi").map(Box::new),
            ..Default::default()
        }
        .into(),
        SetTypingRequest {
            conversation_id: conv_id(conv),
            r#type: Some(TypingType::TYPING_TYPE_STARTED),
            ..Default::default()
        }
        .into(),
        SetFocusRequest {
            conversation_id: conv_id(conv),
            r#type: Some(FocusType::FOCUS_TYPE_FOCUSED),
            ..Default::default()
        }
        .into(),
        UpdateWatermarkRequest {
            conversation_id: conv_id(conv),
            last_read_timestamp: Some(1),
            ..Default::default()
        }
        .into(),
        SetConversationNotificationLevelRequest {
            conversation_id: conv_id(conv),
            level: Some(NotificationLevel::NOTIFICATION_LEVEL_QUIET),
            ..Default::default()
        }
        .into(),
        EasterEggRequest {
            conversation_id: conv_id(conv),
            easter_egg: Some(EasterEgg {
                message: Some("ponies".into()),
            }),
            ..Default::default()
        }
        .into(),
        RenameConversationRequest {
            event_request_header: erh(conv).map(Box::new),
            new_name: Some("renamed".into()),
            ..Default::default()
        }
        .into(),
        ModifyOTRStatusRequest {
            event_request_header: erh(conv).map(Box::new),
            otr_status: Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD),
            ..Default::default()
        }
        .into(),
        SetGroupLinkSharingEnabledRequest {
            event_request_header: erh(conv).map(Box::new),
            group_link_sharing_status: Some(GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON),
            ..Default::default()
        }
        .into(),
        GetGroupConversationUrlRequest {
            conversation_id: conv_id(conv),
            ..Default::default()
        }
        .into(),
        SendOffnetworkInvitationRequest {
            invitee_address: Some(Box::new(OffnetworkAddress {
                r#type: Some(OffnetworkAddressType::OFFNETWORK_ADDRESS_TYPE_EMAIL),
                email: Some("x@example.com".into()),
            })),
            ..Default::default()
        }
        .into(),
        CreateConversationRequest {
            r#type: Some(ConversationType::CONVERSATION_TYPE_GROUP),
            name: Some("new group".into()),
            invitee_id: vec![InviteeID {
                gaia_id: Some(other.to_string()),
                ..Default::default()
            }],
            ..Default::default()
        }
        .into(),
        RemoveUserRequest {
            event_request_header: erh(conv).map(Box::new),
            participant_id: participant(other).map(Box::new),
            ..Default::default()
        }
        .into(),
        AddUserRequest {
            event_request_header: erh(conv).map(Box::new),
            invitee_id: vec![InviteeID {
                gaia_id: Some(other.to_string()),
                ..Default::default()
            }],
            ..Default::default()
        }
        .into(),
        DeleteConversationRequest {
            conversation_id: conv_id(conv),
            delete_upper_bound_timestamp: Some(u64::MAX / 2),
            ..Default::default()
        }
        .into(),
    ]
}
