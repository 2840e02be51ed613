//! What goes in and out of [`Client`](super::Client): ids, inputs, outputs,
//! events, configuration and errors.

use crate::api::{
    ApiEndpoint, ApiError, ApiResponse, Cookies, Origin, OriginAllowList, ResponseError,
    TransportError, UploadError, UploadedImage,
};
use crate::backoff::BackoffConfig;
use crate::channel::ChunkError;
use hangups_proto::hangouts::StateUpdate;
use std::time::{Duration, Instant};

/// A connection the adapter opened for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// Identifies one API request and its response event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// Facts from the adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input<'a> {
    /// The connection asked for by [`Output::Connect`] is established (TLS
    /// handshake done if `tls`). Once per connection (none after
    /// [`Output::StartTls`]).
    Connected(ConnId),
    /// Bytes read from the connection.
    Data(ConnId, &'a [u8]),
    /// The connection is gone: the peer closed it, it failed, or it could
    /// not be opened. Input for a connection the client no longer knows is
    /// ignored.
    Closed(ConnId),
}

/// What the client asks the adapter to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Open a TCP connection to `host:port`, then report
    /// [`Input::Connected`] or [`Input::Closed`]. Through a proxy,
    /// `host:port` is the proxy's address: the client itself speaks the
    /// tunnel handshake (HTTP `CONNECT` or SOCKS5) over the connection with
    /// [`Output::Transmit`] and [`Input::Data`], then asks for TLS inside
    /// it with [`Output::StartTls`]; plain requests to an HTTP proxy are
    /// written in absolute form, without a tunnel. The client does no DNS:
    /// a tunnel always names the target as the request does (a
    /// `socks5://` proxy gets the name too, like `socks5h://`).
    Connect {
        /// The id to report back.
        conn: ConnId,
        /// Host name or IP literal to dial: the server, or the proxy.
        host: String,
        /// TCP port to dial.
        port: u16,
        /// Start TLS at once, verifying `host`, and report
        /// [`Input::Connected`] only once its handshake is done. (Always
        /// `false` when dialing a proxy.)
        tls: bool,
    },
    /// Start TLS on this connection now, verifying `server_name`: the
    /// connection is a tunnel through a proxy and is already counted as
    /// connected, so report no second [`Input::Connected`]. Every
    /// [`Output::Transmit`] after this one is plaintext for the TLS
    /// session (which buffers it until its handshake is done), and every
    /// [`Input::Data`] is what it decrypted. A failed handshake is
    /// reported as [`Input::Closed`]. Comes at most once per connection,
    /// never after [`Output::Connect`] with `tls`.
    StartTls {
        /// The connection.
        conn: ConnId,
        /// The name the server's certificate must match.
        server_name: String,
    },
    /// Write these bytes to the connection.
    Transmit {
        /// The connection.
        conn: ConnId,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// Close the connection; report nothing more for it.
    Close {
        /// The connection.
        conn: ConnId,
    },
}

/// Why the push channel failed (carried by [`Event::Disconnected`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// No bytes for the keep-alive timeout (60 s).
    #[error("no data on the push channel for {0:?}")]
    PushTimeout(Duration),
    /// The server no longer knows the session; a new SID is requested.
    #[error("the server does not know the session (Unknown SID)")]
    UnknownSid,
    /// The long-poll body was cut mid-way (the server does this before the
    /// SID expires); a new SID is requested.
    #[error("the long-poll body was cut off")]
    BodyCut,
    /// An HTTP status other than 200.
    #[error("HTTP {status} {reason}")]
    Http {
        /// The status code.
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// The connection could not be opened, closed early or timed out.
    /// (A long-poll body cut off is [`ChannelError::BodyCut`], a silent
    /// long-poll [`ChannelError::PushTimeout`].)
    #[error("connection lost: {0}")]
    Transport(#[source] TransportError),
    /// The response was malformed HTTP or too large.
    #[error("bad response: {0}")]
    BadResponse(#[source] ResponseError),
    /// The long-poll's chunk framing was malformed; the long-poll is
    /// reopened with the same SID.
    #[error("push channel framing error: {0}")]
    Chunk(#[source] ChunkError),
    /// The session response carries no usable SID and gsessionid.
    #[error("bad session response: {0}")]
    BadSession(#[source] SessionError),
    /// The session delivered data but never a client id, so it could
    /// never be subscribed (the id was lost on the way); a new SID is
    /// requested.
    #[error("the session has no client id to subscribe with")]
    NoClientId,
    /// The service subscription request failed.
    #[error("the service subscription failed: {0}")]
    Subscription(#[source] SubscriptionError),
}

/// What is wrong with a session response (PROTOCOL.md §1.2): its first
/// chunk must be `[[0,["c",SID,…]],[1,[{"gsid":G}]]]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The chunk framing is malformed.
    #[error("{0}")]
    Chunk(#[source] ChunkError),
    /// The body ends before a complete chunk.
    #[error("no complete chunk")]
    NoChunk,
    /// The first chunk is not JSON.
    #[error("the first chunk is not JSON (line {line}, column {column})")]
    Json {
        /// Where the JSON parser stopped: line (1-based).
        line: usize,
        /// And column (1-based).
        column: usize,
    },
    /// No SID string at `[0][1][1]`.
    #[error("no SID")]
    NoSid,
    /// No gsessionid string at `[1][1][0].gsid`.
    #[error("no gsid")]
    NoGsid,
}

/// Why the service subscription request (PROTOCOL.md §1.7) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubscriptionError {
    /// An HTTP status other than 200.
    #[error("HTTP {status} {reason}")]
    Http {
        /// The status code.
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// No complete response.
    #[error("{0}")]
    Transport(#[source] TransportError),
    /// The response was malformed HTTP or too large.
    #[error("{0}")]
    BadResponse(#[source] ResponseError),
}

impl From<SessionError> for ChannelError {
    fn from(e: SessionError) -> Self {
        ChannelError::BadSession(e)
    }
}

/// Why the client stopped for good (carried by [`Event::Closed`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FatalError {
    /// The configured retry limit was reached.
    #[error("gave up after {attempts} failed attempts; last error: {last}")]
    RetriesExhausted {
        /// Consecutive failures.
        attempts: u32,
        /// The last failure.
        last: ChannelError,
    },
}

/// Misuse of the client by the application.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// The client was closed (by `disconnect` or a fatal error).
    #[error("the client is closed")]
    Closed,
}

/// A configuration the client cannot work with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The session cookies or their authorization header are unusable.
    #[error(transparent)]
    Auth(#[from] ApiError),
    /// Not an `http://` or `https://` URL with a host (and a valid port).
    #[error("invalid server URL {0:?}")]
    BadUrl(String),
    /// A configured server's origin is not on the allow-list, so it could
    /// never receive the credentials it needs.
    #[error("the {role} server {host} is not on the allow-list")]
    HostNotAllowed {
        /// Which server (`channel`, `api`).
        role: &'static str,
        /// Its origin, `scheme://host[:port]`.
        host: String,
    },
}

/// Something that happened, for the application.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// The push channel delivered its first chunk ever.
    Connected,
    /// The push channel works again after [`Event::Disconnected`]. Events
    /// may have been missed: fetch them with `SyncAllNewEvents` from
    /// `last_sync` (the newest server timestamp seen before, microseconds).
    Reconnected {
        /// Newest server timestamp (µs) seen before the outage, if any.
        last_sync: Option<u64>,
    },
    /// The push channel failed while connected. The client retries by
    /// itself at `retry_at`.
    Disconnected {
        /// What failed.
        error: ChannelError,
        /// When the next attempt starts.
        retry_at: Instant,
    },
    /// The server's keep-alive (a noop, every ~20–30 s) arrived: the
    /// channel is alive. Work that waits for a chance to retry (a failed
    /// catch-up in [`LiveList`](crate::state::LiveList)) retries on it, so
    /// it never waits for the next message.
    KeepAlive,
    /// The server assigned a client id (the subscription follows by itself).
    ClientId(String),
    /// The service subscription after a client id succeeded: from now on
    /// the server pushes this session's state updates. A catch-up sync
    /// sent after this misses nothing that happened before it.
    Subscribed,
    /// A pushed state update.
    StateUpdate(Box<StateUpdate>),
    /// A push item that is neither a noop, a client id nor a BatchUpdate.
    UnknownPush {
        /// The array id of the push array.
        array_id: u64,
        /// Its raw JSON text.
        raw: String,
    },
    /// The server refused the session cookies (HTTP 401). With
    /// [`Config::renew_session`] the refused API calls are held: sign in
    /// again, then call [`Client::set_cookies`](super::Client::set_cookies)
    /// (they are sent again, once) or
    /// [`Client::session_renewal_failed`](super::Client::session_renewal_failed)
    /// (they fail). Reported once until one of those is called.
    SessionExpired,
    /// The result of [`Client::request`](super::Client::request).
    Response {
        /// The request.
        id: RequestId,
        /// The response, or why there is none.
        result: Result<Box<ApiResponse>, ApiError>,
    },
    /// The result of [`Client::upload_image`](super::Client::upload_image).
    ImageUploaded {
        /// The request.
        id: RequestId,
        /// The uploaded image, or why not.
        result: Result<UploadedImage, UploadError>,
    },
    /// The client stopped: after `disconnect` (`error: None`) or for good
    /// after a fatal error.
    Closed {
        /// Why, if not asked to.
        error: Option<FatalError>,
    },
}

/// How the client talks to the service.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The session cookies (must contain `SAPISID`).
    pub cookies: Cookies,
    /// The push channel server (`0.client-channel.google.com:443`).
    pub channel: ApiEndpoint,
    /// The chat API server (`chat-pa.clients6.google.com:443`).
    pub api: ApiEndpoint,
    /// The image upload server (`docs.google.com:443`).
    pub upload: ApiEndpoint,
    /// The API key sent with every API call.
    pub api_key: String,
    /// The origins (scheme, host and port) that may receive the cookies and
    /// the SAPISIDHASH authorization: by default `https://*.google.com` on
    /// port 443 only; [`Config::with_server`] / [`Config::with_url`] replace
    /// it with the one configured origin.
    pub allow_list: OriginAllowList,
    /// Seed of the RNG used for `client_generated_id`s and jitter.
    pub rng_seed: u64,
    /// `client_version.major_version` in request headers.
    pub client_version: String,
    /// A long-poll with no complete chunk for this long is dead (60 s;
    /// hangups: no byte for 60 s). The server sends a noop every ~30 s, so
    /// a server dribbling bytes that never finish a chunk is caught too.
    pub push_timeout: Duration,
    /// Connect timeout, and the idle timeout (no byte) of every request
    /// but the long-poll; also how soon the long-poll's response head must
    /// be complete (30 s).
    pub request_timeout: Duration,
    /// Overall deadline of every request but the long-poll, from the start
    /// (connecting included) to the last byte of the response, however
    /// steadily bytes arrive (120 s). Image uploads too: raise it for
    /// large images on slow links.
    pub response_timeout: Duration,
    /// Longest life of one long-poll (10 min; the real server ends them
    /// after ~4 min). A long-poll that runs longer is ended and counts as
    /// a channel failure: the channel reconnects and catches up.
    pub long_poll_lifetime: Duration,
    /// Reconnect backoff; retries forever by default.
    pub backoff: BackoffConfig,
    /// Largest chunk the push channel accepts, in UTF-16 units (16 MiB).
    pub max_chunk: usize,
    /// Largest API response body accepted, in bytes (64 MiB).
    pub max_response_body: usize,
    /// HTTP proxies (none by default; adapters fill it from the
    /// environment's `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY`).
    pub proxy: crate::proxy::ProxyConfig,
    /// Keep connections open after a keep-alive response and send the next
    /// request to the same server on them (default: yes), saving a TCP and
    /// TLS handshake per call. A kept connection the server closed in the
    /// meantime is replaced by a fresh one transparently.
    pub reuse_connections: bool,
    /// How long an unused kept connection stays open (20 s).
    pub idle_connection_timeout: Duration,
    /// On a `401` (the session cookies were refused), hold the API call
    /// and report [`Event::SessionExpired`] instead of failing it, so that
    /// the adapter can sign in again and hand over new cookies with
    /// [`Client::set_cookies`](super::Client::set_cookies) (default: no;
    /// adapters that know how to sign in turn it on).
    pub renew_session: bool,
}

impl Default for Config {
    /// Google's servers and no cookies yet (set [`Config::cookies`]).
    fn default() -> Self {
        Config::new(Cookies::new())
    }
}

impl Config {
    /// Google's servers, the default backoff, and `cookies`.
    pub fn new(cookies: Cookies) -> Self {
        Config {
            cookies,
            channel: ApiEndpoint::new("0.client-channel.google.com", 443, true),
            api: ApiEndpoint::google(),
            upload: ApiEndpoint::new("docs.google.com", 443, true),
            api_key: crate::api::API_KEY.to_string(),
            allow_list: OriginAllowList::default(),
            rng_seed: 0,
            client_version: format!("hangups-rs-{}", env!("CARGO_PKG_VERSION")),
            push_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            response_timeout: Duration::from_secs(120),
            long_poll_lifetime: Duration::from_secs(600),
            backoff: BackoffConfig::default(),
            max_chunk: 16 * 1024 * 1024,
            max_response_body: 64 * 1024 * 1024,
            proxy: crate::proxy::ProxyConfig::default(),
            reuse_connections: true,
            idle_connection_timeout: Duration::from_secs(20),
            renew_session: false,
        }
    }

    /// Every server at `host:port` (plain or TLS), e.g. an emulator on
    /// 127.0.0.1. The allow-list becomes that one origin (scheme, host and
    /// port) and nothing else: Google's hosts are no longer allowed, nor
    /// another port or the other scheme of `host`. This is how plain HTTP
    /// is allowed, explicitly, to one origin.
    ///
    /// ```
    /// use hangups_core::api::Origin;
    /// use hangups_core::client::Config;
    ///
    /// let config = Config::default().with_server("127.0.0.1", 8080, false);
    /// assert!(config.allow_list.allows(&Origin::new(false, "127.0.0.1", 8080)));
    /// assert!(!config.allow_list.allows(&Origin::new(false, "127.0.0.1", 8081)));
    /// assert!(!config.allow_list.allows(&Origin::https("docs.google.com")));
    /// ```
    pub fn with_server(mut self, host: &str, port: u16, tls: bool) -> Self {
        let ep = ApiEndpoint::new(host, port, tls);
        self.channel = ep.clone();
        self.api = ep.clone();
        self.upload = ep;
        self.allow_list = OriginAllowList::only(Origin::new(tls, host, port));
        self
    }

    /// Every server at `url` (`http://host:port` or `https://host:port`,
    /// IPv6 hosts in brackets), e.g. an emulator on 127.0.0.1; the
    /// allow-list becomes that origin alone, as with [`Config::with_server`].
    /// The origin is parsed as strictly as the upload URL's (no user info,
    /// whitespace, backslashes or non-ASCII); the path is ignored.
    pub fn with_url(self, url: &str) -> Result<Self, ConfigError> {
        // The one URL parser of the core (api/url.rs): only the origin
        // is used, the path is ignored.
        use crate::api::url::{parse_authority, split_scheme};
        let bad = || ConfigError::BadUrl(url.to_string());
        let (scheme, authority, _path) = split_scheme(url).map_err(|_| bad())?;
        let tls = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return Err(bad()),
        };
        let a = parse_authority(authority, false).map_err(|_| bad())?;
        let port = a.port.unwrap_or(if tls { 443 } else { 80 });
        Ok(self.with_server(&a.host, port, tls))
    }

    /// Sets the RNG seed (adapters seed it from the OS).
    pub fn with_rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = seed;
        self
    }
}
