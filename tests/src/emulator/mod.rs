//! The Hangouts emulator: a fake Hangouts server on loopback that speaks
//! the real wire protocol (PROTOCOL.md §1, §2, §6), keeps an in-memory
//! world of users and conversations, and misbehaves on request.
//!
//! It runs on its **own thread** with its own tokio runtime, so any test
//! harness can use it (tokio, smol or plain blocking code):
//!
//! ```
//! use hangups_tests::emulator::{Emulator, EmulatorConfig};
//!
//! let emu = Emulator::start(EmulatorConfig::default())?;
//! assert!(emu.url().starts_with("http://127.0.0.1:"));
//! let cookies = emu.self_cookies(); // SID, HSID, SSID, APISID, SAPISID
//! assert_eq!(cookies.last().unwrap().0, "SAPISID");
//! let group = "UgwEmulatorGroupChat4AaABAQ";
//! let event_id = emu.inject_message(group, "100000000000000000002", "Hi 😀")?;
//! assert_eq!(event_id.len(), 22);
//! emu.shutdown();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Routes
//!
//! | route | what |
//! |---|---|
//! | `POST /client-channel/channel/bind` without `SID` | a new channel session (§1.2) |
//! | `POST /client-channel/channel/bind` with `SID`, `gsessionid` | maps: the service subscription (§1.7) |
//! | `GET /client-channel/channel/bind?…&RID=rpc&…` | the long-poll (§1.4–1.6) |
//! | `POST /chat/v1/<endpoint>?alt=proto&key=…` | the 25 chat API endpoints (§2.2) |
//! | `POST /upload/photos/resumable`, `POST /upload/photos/put/<id>` | image upload (§6) |
//! | `POST /o/oauth2/token` | the OAuth token endpoint: refresh tokens and authorization codes (§4) |
//! | `GET /accounts/OAuthLogin?…&issueuberauth=1` | access token (Bearer) → uberauth token |
//! | `GET /MergeSession?…&uberauth=…` | uberauth → the user's cookies (`Set-Cookie`, `Domain=<its own host>`), a redirect to `continue` |
//! | `GET /o/oauth2/programmatic_auth` | the browser login: signs in the self user, sets the `oauth_code` cookie |
//! | `/_emulator/…` | the JSON control API (see [`control`](self#control-api)) |
//! | `/v1/…`, `POST /token`, `/_emulator/chat/…` | the Google Chat emulator and its control API ([`chat_emulator`](crate::chat_emulator)) |
//!
//! Every route but the sign-in routes and the control API checks the credentials as a real
//! server does: the `SAPISID` cookie must belong to a user (and the `SID`
//! cookie to the same user), and `authorization: SAPISIDHASH <t>_<sha1>`
//! must hash `"<t> <SAPISID> <origin>"` with the request's `origin`
//! header; otherwise `401`.
//!
//! # Users and cookies
//!
//! Each user gets one cookie set when created (`SID`, `HSID`, `SSID`,
//! `APISID`, `SAPISID`, random but fixed by [`EmulatorConfig::seed`]); the
//! `SAPISID` value names the user. [`EmulatorHandle::cookies`] and
//! `POST /_emulator/session` hand it out, and so does the sign-in flow
//! (each user has a refresh token, [`EmulatorHandle::refresh_token`];
//! authorization codes are minted by [`EmulatorHandle::auth_code`] or the
//! login page; [`EmulatorHandle::revoked_refresh_token`] gives one the
//! token endpoint refuses). [`EmulatorHandle::expire_cookies`] replaces a
//! user's cookie set, so that a client still using the old one gets a 401
//! mid-session. The self user is `100000000000000000001` (Ada Lovelace).
//!
//! # Sessions and delivery
//!
//! A channel session belongs to the user of the cookies that opened it.
//! Only sessions subscribed to `babel` receive StateUpdates, and presence
//! notifications need `babel_presence_last_seen` too. Updates for a
//! session with no open long-poll are queued and sent on its next
//! long-poll; at most [`EmulatorConfig::max_queued_updates`] wait, and a
//! session whose queue would grow past that is expired (its client gets
//! "Unknown SID" and must catch up with SyncAllNewEvents), as is a session
//! with no long-poll for [`EmulatorConfig::session_timeout`]. The client
//! id is sent on the first long-poll of a session, and again on each
//! later one until the subscription has arrived.
//!
//! # Control API
//!
//! JSON over HTTP, no credentials needed:
//!
//! - `GET /_emulator/state`: users, conversations (participants, event
//!   counts, per-member state), sessions, faults and how often each fired;
//! - `POST /_emulator/messages` `{conversation_id, sender_id, text}` →
//!   `{event_id}`: a message from that user, pushed like a sent one;
//! - `POST /_emulator/users` `{id, name, email?, phone?}` → the user and
//!   cookies; with `phone` (E.164) a phone (Google Voice) user, whose
//!   conversations go by Google Voice and whose `participant_data` shows
//!   the number until its entity is looked up;
//! - `POST /_emulator/conversations` `{id?, name?, participants: [..],
//!   type: "group" | "one_to_one", sort_timestamp?}` → `{id}` (conversations
//!   may share a sort timestamp; a SyncRecentConversations page never
//!   splits such a run);
//! - `POST /_emulator/archive` `{conversation_id, user?, archived}`;
//! - `POST /_emulator/otr` `{conversation_id, user?, off_the_record}` →
//!   `{event_id}`: history off or on, as ModifyOTRStatus (events of an
//!   off-the-record conversation are pushed but never kept in history);
//! - `POST /_emulator/hangouts` `{conversation_id, sender_id, event:
//!   "start" | "end"}` → `{event_id}`: a hangout (call) starts or ends (a
//!   HANGOUT event; `has_active_hangout` follows);
//! - `POST /_emulator/deltas` `{partial}` → `{partial}`: event pushes carry
//!   conversation deltas with only what the event changed (no delivery
//!   media, zero read timestamps but the sender's), or whole ones;
//! - `POST /_emulator/read_states` `{conversation_id, zero}` →
//!   `{conversation_id, zero}`: the conversation's read states go out
//!   with zero timestamps in pushes and syncs (GetConversation alone
//!   carries the real ones), or real everywhere again;
//! - `POST /_emulator/typing` `{conversation_id, sender_id, type:
//!   "started" | "paused" | "stopped"}` → `{timestamp}`: that user's
//!   SetTyping; a STARTED not followed by another within
//!   [`EmulatorConfig::typing_timeout`] is ended by a STOPPED push;
//! - `POST /_emulator/observed` `{conversation_id, sender_id}` →
//!   `{event_id}`: an `EVENT_TYPE_OBSERVED_EVENT`, kept and pushed (a
//!   client skips it among initial events, keeps it when pushed or paged);
//! - `POST /_emulator/faults` with [`Faults`] as JSON → the knobs now set;
//! - `GET /_emulator/faults` → `{faults, fired}`: the knobs set, and how
//!   often each knob fired so far (`{"stall": 2, ..}`, names as in
//!   [`Faults::KNOBS`]);
//! - `POST /_emulator/session` `{user?}` → `{user, name, email, cookies: [[name, value], ..]}`:
//!   a valid cookie set (the self user's when the body is empty), to start
//!   without the OAuth exchange;
//! - `POST /_emulator/oauth` `{user?}` → `{user, code, refresh_token,
//!   revoked_refresh_token}`: credentials for the sign-in flow;
//! - `POST /_emulator/expire_cookies` `{user?}` → the user's new cookie set.

mod api;
mod auth;
mod channel;
mod chunks;
mod control;
mod faults;
pub(crate) mod http;
mod ids;
mod lively;
mod longpoll;
mod oauth;
pub mod remote;
mod scripting;
mod tls;
mod upload;
mod world;

pub use faults::Faults;

pub(crate) use ids::Ids;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::watch;

/// How to run an emulator. `EmulatorConfig::default()` listens on a free
/// port of 127.0.0.1 over plain HTTP with the default world; set fields
/// with `EmulatorConfig { tls: true, ..Default::default() }` or the
/// `with_*` methods.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Where to listen; port 0 picks a free port (default `127.0.0.1:0`).
    pub listen: SocketAddr,
    /// Serve HTTPS with a freshly generated self-signed certificate for
    /// `127.0.0.1` and `localhost` (see [`EmulatorHandle::cert_pem`]).
    pub tls: bool,
    /// Time between keep-alive noops on a long-poll (default 20 s).
    pub noop_interval: Duration,
    /// How long a long-poll response lasts before it ends normally
    /// (default 240 s).
    pub long_poll_duration: Duration,
    /// A session with no long-poll open for this long expires (default 10 min).
    pub session_timeout: Duration,
    /// StateUpdates kept for a session between long-polls (default 1024).
    pub max_queued_updates: usize,
    /// An idle keep-alive connection is closed after this long (default 60 s).
    pub keep_alive_timeout: Duration,
    /// Seed of every made-up id and cookie (default fixed, so runs repeat).
    pub seed: u64,
    /// Start with the default world (self user, two others, a one-to-one
    /// and a group conversation with history); else only the self user.
    pub default_world: bool,
    /// A SetTyping STARTED that no later SetTyping of the same user in
    /// the same conversation follows within this long is ended by the
    /// server: it pushes a STOPPED typing notification from that user
    /// (default 15 s; `None`: typing never expires).
    pub typing_timeout: Option<Duration>,
    /// The lively world (see the `lively` module): other users reply to
    /// the self user's messages after [`EmulatorConfig::lively_reply_delay`]
    /// (typing first), and someone types and posts every
    /// [`EmulatorConfig::lively_every`] (default off).
    pub lively: bool,
    /// How long after the self user's message a reply comes; the typing
    /// starts after a third of it (default 2 s).
    pub lively_reply_delay: Duration,
    /// The range of the pseudo-random time between two unprompted
    /// messages (default 20–40 s).
    pub lively_every: (Duration, Duration),
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            tls: false,
            noop_interval: Duration::from_secs(20),
            long_poll_duration: Duration::from_secs(240),
            session_timeout: Duration::from_secs(600),
            max_queued_updates: 1024,
            keep_alive_timeout: Duration::from_secs(60),
            seed: 0x4841_4e47_4f55_5453,
            default_world: true,
            typing_timeout: Some(Duration::from_secs(15)),
            lively: false,
            lively_reply_delay: Duration::from_secs(2),
            lively_every: (Duration::from_secs(20), Duration::from_secs(40)),
        }
    }
}

impl EmulatorConfig {
    /// Sets [`EmulatorConfig::tls`].
    pub fn with_tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// Sets [`EmulatorConfig::listen`].
    pub fn with_listen(mut self, listen: SocketAddr) -> Self {
        self.listen = listen;
        self
    }

    /// Sets [`EmulatorConfig::noop_interval`].
    pub fn with_noop_interval(mut self, d: Duration) -> Self {
        self.noop_interval = d;
        self
    }

    /// Sets [`EmulatorConfig::long_poll_duration`].
    pub fn with_long_poll_duration(mut self, d: Duration) -> Self {
        self.long_poll_duration = d;
        self
    }

    /// Sets [`EmulatorConfig::default_world`].
    pub fn with_default_world(mut self, on: bool) -> Self {
        self.default_world = on;
        self
    }

    /// Sets [`EmulatorConfig::typing_timeout`].
    pub fn with_typing_timeout(mut self, d: Option<Duration>) -> Self {
        self.typing_timeout = d;
        self
    }

    /// Sets [`EmulatorConfig::lively`].
    pub fn with_lively(mut self, on: bool) -> Self {
        self.lively = on;
        self
    }

    /// Sets [`EmulatorConfig::lively_reply_delay`] and
    /// [`EmulatorConfig::lively_every`] (`min..=max`).
    pub fn with_lively_timing(
        mut self,
        reply_delay: Duration,
        min: Duration,
        max: Duration,
    ) -> Self {
        self.lively_reply_delay = reply_delay;
        self.lively_every = (min, max.max(min));
        self
    }

    /// Sets [`EmulatorConfig::max_queued_updates`].
    pub fn with_max_queued_updates(mut self, n: usize) -> Self {
        self.max_queued_updates = n;
        self
    }
}

/// Everything the server tasks and the handle share.
pub(crate) struct Shared {
    inner: Mutex<Inner>,
    pub(crate) config: EmulatorConfig,
    /// `http(s)://127.0.0.1:PORT`.
    pub(crate) base_url: String,
}

impl Shared {
    /// The world, sessions and faults (never held across an `.await`).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The mutable state behind one lock.
pub(crate) struct Inner {
    pub(crate) world: world::World,
    pub(crate) sessions: channel::Sessions,
    pub(crate) faults: faults::FaultState,
    pub(crate) oauth: oauth::OAuth,
    /// The Google Chat emulator's state (served under `/v1/`).
    pub(crate) chat: crate::chat_emulator::ChatState,
    /// The lively world, when on.
    pub(crate) lively: Option<lively::Lively>,
}

impl Inner {
    /// Hands the world's pending StateUpdates to the sessions.
    pub(crate) fn deliver(&mut self) {
        let pushes = std::mem::take(&mut self.world.outbox);
        self.sessions.deliver(pushes, &mut self.world);
    }

    pub(crate) fn set_faults(&mut self, faults: Faults) {
        if self.faults.set(faults) {
            self.sessions.expire_all();
        }
        self.sessions.wake_all();
    }

    /// A message from `sender` in `conversation`, pushed as a sent one.
    pub(crate) fn inject_message(
        &mut self,
        conversation: &str,
        sender: &str,
        text: &str,
    ) -> Result<String, String> {
        use hangups_proto::hangouts::{ChatMessage, EventType, MessageContent};
        let ci = self
            .world
            .conv_of_participant(sender, conversation)
            .map_err(|f| f.description)?;
        if text.is_empty() {
            return Err("empty message".into());
        }
        let message = ChatMessage {
            annotation: Vec::new(),
            message_content: Some(MessageContent {
                segment: world::text_segments(text),
                attachment: Vec::new(),
            }),
        };
        let ei = self.world.post_message(
            ci,
            sender,
            None,
            EventType::EVENT_TYPE_REGULAR_CHAT_MESSAGE,
            message,
        );
        let id = self.world.convs[ci].events[ei].id().to_string();
        self.deliver();
        Ok(id)
    }

    pub(crate) fn state(&self) -> serde_json::Value {
        let mut state = self.world.summary();
        state["sessions"] = self.sessions.summary();
        state["faults"] = serde_json::to_value(self.faults.current()).unwrap_or_default();
        state["faults_fired"] = serde_json::to_value(self.faults.fired()).unwrap_or_default();
        state["sign_in"] = self.oauth.summary();
        state
    }
}

/// The state of a fresh emulator of `config`.
pub(crate) fn new_inner(config: &EmulatorConfig) -> Inner {
    let world = if config.default_world {
        world::World::with_defaults(config.seed)
    } else {
        world::World::empty(config.seed)
    };
    let mut world = world;
    world.typing_timeout = config.typing_timeout;
    let sessions = channel::Sessions::new(
        config.seed ^ 0x5e55_1011,
        config.max_queued_updates,
        config.session_timeout,
    );
    let lively = config.lively.then(|| {
        lively::Lively::new(
            config.seed,
            config.lively_reply_delay,
            config.lively_every,
            &world,
            std::time::Instant::now(),
        )
    });
    Inner {
        world,
        sessions,
        faults: faults::FaultState::default(),
        oauth: oauth::OAuth::default(),
        chat: crate::chat_emulator::ChatState::new(config.seed),
        lively,
    }
}

/// Starts emulators.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Binds `config.listen`, starts the server on its own thread, and
    /// returns once it accepts connections.
    pub fn start(config: EmulatorConfig) -> io::Result<EmulatorHandle> {
        let listener = TcpListener::bind(config.listen)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let identity = if config.tls {
            Some(tls::Identity::generate()?)
        } else {
            None
        };
        let scheme = if config.tls { "https" } else { "http" };
        let shared = Arc::new(Shared {
            inner: Mutex::new(new_inner(&config)),
            base_url: format!("{scheme}://{addr}"),
            config,
        });
        let acceptor = identity.as_ref().map(|i| i.acceptor.clone());
        let (stop, thread) = serve_on(&shared, listener, acceptor.clone())?;
        Ok(EmulatorHandle {
            shared,
            addr,
            cert_pem: identity.map(|i| i.cert_pem),
            acceptor,
            stop,
            thread: Some(thread),
        })
    }
}

/// Serves `shared` on `listener` from a new thread with its own runtime.
fn serve_on(
    shared: &Arc<Shared>,
    listener: TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
) -> io::Result<(watch::Sender<bool>, JoinHandle<()>)> {
    let addr = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = Arc::clone(shared);
    let thread = std::thread::Builder::new()
        .name(format!("hangups-emulator-{}", addr.port()))
        .spawn(move || {
            runtime.block_on(http::serve(server, listener, acceptor, stop_rx));
            // Dropping the runtime here ends every connection task.
        })?;
    Ok((stop_tx, thread))
}

/// A running emulator. Dropping it shuts the emulator down.
pub struct EmulatorHandle {
    pub(crate) shared: Arc<Shared>,
    addr: SocketAddr,
    cert_pem: Option<String>,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (`https` with TLS).
    pub fn url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// With TLS: the self-signed certificate (PEM) for `127.0.0.1` and
    /// `localhost`, to trust in clients.
    pub fn cert_pem(&self) -> Option<String> {
        self.cert_pem.clone()
    }

    /// The cookie set of `user` (empty if there is no such user).
    pub fn cookies(&self, user: &str) -> Vec<(String, String)> {
        let inner = self.shared.lock();
        inner
            .world
            .user(user)
            .map(|u| u.cookies.clone())
            .unwrap_or_default()
    }

    /// The cookie set of the self user.
    pub fn self_cookies(&self) -> Vec<(String, String)> {
        self.cookies(&self.self_user_id())
    }

    /// The self user's id.
    pub fn self_user_id(&self) -> String {
        self.shared.lock().world.self_user.clone()
    }

    /// A message from `sender_id` in `conversation_id` (both must exist,
    /// the sender taking part), pushed to every subscribed session of every
    /// participant. Returns the new event's id.
    pub fn inject_message(
        &self,
        conversation_id: &str,
        sender_id: &str,
        text: &str,
    ) -> Result<String, String> {
        self.shared
            .lock()
            .inject_message(conversation_id, sender_id, text)
    }

    /// Adds a user (with a fresh cookie set).
    pub fn add_user(&self, id: &str, name: &str, email: Option<&str>) -> Result<(), String> {
        self.shared.lock().world.add_user(id, name, email)
    }

    /// Creates a conversation of `participants` (the first is its
    /// creator) and pushes it to them; returns its id.
    pub fn create_conversation(
        &self,
        name: Option<&str>,
        group: bool,
        participants: &[&str],
    ) -> Result<String, String> {
        control::create_conversation(
            &mut self.shared.lock(),
            None,
            name.map(str::to_string),
            group,
            participants.iter().map(|p| p.to_string()).collect(),
            None,
        )
    }

    /// Every conversation listed for `viewer` as that user sees it, with
    /// all its visible events (oldest first): what a client's conversation
    /// list must end equal to.
    pub fn conversation_states(
        &self,
        viewer: &str,
    ) -> Vec<hangups_proto::hangouts::ConversationState> {
        self.shared.lock().world.full_states(viewer)
    }

    /// The refresh token of `user` (the same on every call), for the
    /// token endpoint; `None` for an unknown user.
    pub fn refresh_token(&self, user: &str) -> Option<String> {
        self.shared.lock().refresh_token(user)
    }

    /// A new refresh token of `user` that is already revoked: the token
    /// endpoint answers it with `invalid_grant`.
    pub fn revoked_refresh_token(&self, user: &str) -> Option<String> {
        self.shared.lock().revoked_refresh_token(user)
    }

    /// A fresh one-time authorization code for `user`: what the manual
    /// login's browser step yields.
    pub fn auth_code(&self, user: &str) -> Option<String> {
        self.shared.lock().auth_code(user)
    }

    /// Invalidates `user`'s session cookies: requests with them get a 401
    /// from now on, and MergeSession hands out a new set.
    pub fn expire_cookies(&self, user: &str) -> Result<(), String> {
        self.shared.lock().expire_cookies(user)
    }

    /// How many requests each sign-in step got (`token`, `oauth_login`,
    /// `merge_session`).
    pub fn sign_in_count(&self, step: &str) -> u64 {
        let inner = self.shared.lock();
        inner.oauth.counts.get(step).copied().unwrap_or(0)
    }

    /// Every secret the emulator ever handed out: refresh and access
    /// tokens, codes, uberauth tokens, and every cookie value (current and
    /// expired). For tests that check that none leaks.
    pub fn issued_secrets(&self) -> Vec<String> {
        let inner = self.shared.lock();
        let mut all = inner.oauth.issued.clone();
        for user in &inner.world.users {
            all.extend(user.cookies.iter().map(|(_, v)| v.clone()));
        }
        all
    }

    /// Replaces the fault knobs (see [`Faults`]).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock().set_faults(faults);
    }

    /// How often each fault knob fired so far, by the names of
    /// [`Faults::KNOBS`] (knobs that never fired are absent), as
    /// `GET /_emulator/faults` reports it in `fired`.
    pub fn faults_fired(&self) -> std::collections::BTreeMap<String, u64> {
        let inner = self.shared.lock();
        inner
            .faults
            .fired()
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect()
    }

    /// How often the knob `name` (one of [`Faults::KNOBS`]) fired so far.
    pub fn fault_fired(&self, name: &str) -> u64 {
        self.shared
            .lock()
            .faults
            .fired()
            .get(name)
            .copied()
            .unwrap_or(0)
    }

    /// The state as `GET /_emulator/state` reports it.
    pub fn state(&self) -> serde_json::Value {
        self.shared.lock().state()
    }

    /// The server goes away and comes back: it stops (every connection
    /// dropped, the port closed, so connecting is refused) for `down_for`,
    /// then serves again on the same address with the same world,
    /// sessions and credentials, as a real server after an outage.
    pub fn restart(&mut self, down_for: Duration) -> io::Result<()> {
        self.stop_now();
        std::thread::sleep(down_for);
        let listener = TcpListener::bind(self.addr)?;
        listener.set_nonblocking(true)?;
        let (stop, thread) = serve_on(&self.shared, listener, self.acceptor.clone())?;
        self.stop = stop;
        self.thread = Some(thread);
        Ok(())
    }

    /// Stops the server and waits for its thread; open connections are
    /// dropped.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.stop_now();
    }
}
