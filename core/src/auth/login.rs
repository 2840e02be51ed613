//! [`Login`]: the whole flow as one machine, driven exactly like
//! [`Client`](crate::client::Client): it asks for connections and writes
//! through [`Output`], takes [`Input`], has deadlines, and reports
//! [`LoginEvent`]s. Each request goes on a fresh connection, one at a time,
//! through the same exchange layer as the client's.

use super::config::AuthConfig;
use super::cookies::CookieJar;
use super::error::{AuthError, Stage};
use super::secret::{AccessToken, AuthCode, RefreshToken, UberAuth};
use super::steps;
use crate::api::url::split_url;
use crate::api::{Cookies, Origin};
use crate::client::{Input, Output};
use crate::http::{Method, Request, ResponseHead};
use crate::pool::{Delivery, ExchangeId, Failure, Options, Outcome, Pool, Target, Timeouts};
use std::collections::VecDeque;
use std::time::Instant;

/// What the flow starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// A stored refresh token (step 1).
    RefreshToken(RefreshToken),
    /// The `oauth_code` the user pasted after the browser login (step 2).
    AuthCode(AuthCode),
    /// An access token obtained elsewhere (straight to step 3).
    AccessToken(AccessToken),
}

/// The result of a successful sign-in. `Debug` redacts every secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The refresh token to keep: the one the flow started from, or the
    /// new one the code exchange issued (`None` when started from an
    /// access token).
    pub refresh_token: Option<RefreshToken>,
    /// The access token used.
    pub access_token: AccessToken,
    /// The session cookies (with `SAPISID`), for
    /// [`Config::cookies`](crate::client::Config::cookies).
    pub cookies: Cookies,
}

/// What the login machine reports.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoginEvent {
    /// The code exchange issued this refresh token: store it now (before
    /// the rest of the flow, as hangups does).
    NewRefreshToken(RefreshToken),
    /// The flow ended; always the last event.
    Finished(Result<Credentials, AuthError>),
}

#[derive(Debug)]
enum Step {
    Idle,
    Token {
        from_code: bool,
        refresh: Option<RefreshToken>,
    },
    OAuthLogin {
        refresh: Option<RefreshToken>,
        access: AccessToken,
    },
    MergeSession {
        refresh: Option<RefreshToken>,
        access: AccessToken,
        redirects: u32,
        /// The MergeSession host: the Bearer header goes only there.
        host: String,
    },
    Done,
}

impl Step {
    fn stage(&self) -> Stage {
        match self {
            Step::OAuthLogin { .. } => Stage::OAuthLogin,
            Step::MergeSession { .. } => Stage::MergeSession,
            _ => Stage::Token,
        }
    }
}

/// The request in flight: its exchange and the host it went to (for the
/// cookies it sets).
#[derive(Debug)]
struct InFlight {
    id: ExchangeId,
    host: String,
}

/// The sign-in flow of PROTOCOL.md §4 as a sans-IO machine.
///
/// ```
/// use hangups_core::auth::{AuthConfig, Grant, Login, LoginEvent, RefreshToken};
/// use hangups_core::client::{Input, Output};
/// use std::time::Instant;
///
/// let config = AuthConfig::default().with_url("http://127.0.0.1:8080")?;
/// let now = Instant::now(); // the adapter's clock
/// let mut login = Login::new(config, now, 1_700_000_000)?;
/// login.start(now, Grant::RefreshToken(RefreshToken::new("1//stored")))?;
/// let Some(Output::Connect { conn, host, port, tls, .. }) = login.poll_output() else { panic!() };
/// assert_eq!((host.as_str(), port, tls), ("127.0.0.1", 8080, false));
/// login.handle_input(now, Input::Connected(conn));
/// let Some(Output::Transmit { bytes, .. }) = login.poll_output() else { panic!() };
/// assert!(bytes.starts_with(b"POST /o/oauth2/token HTTP/1.1\r\n"));
/// // A revoked token:
/// let reply = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 25\r\n\r\n{\"error\":\"invalid_grant\"}";
/// login.handle_input(now, Input::Data(conn, reply));
/// assert!(matches!(login.poll_output(), Some(Output::Close { .. })));
/// let Some(LoginEvent::Finished(Err(e))) = login.poll_event() else { panic!() };
/// assert!(e.is_sign_in_again());
/// # Ok::<(), hangups_core::auth::AuthError>(())
/// ```
#[derive(Debug)]
pub struct Login {
    config: AuthConfig,
    unix_secs: u64,
    now: Instant,
    step: Step,
    jar: CookieJar,
    pool: Pool,
    in_flight: Option<InFlight>,
    events: VecDeque<LoginEvent>,
}

impl Login {
    /// A machine for `config` (checked: every URL must parse and be on the
    /// allow-list). `unix_secs` is the wall clock, for cookie expiry.
    pub fn new(config: AuthConfig, now: Instant, unix_secs: u64) -> Result<Login, AuthError> {
        config.validate()?;
        Ok(Login {
            config,
            unix_secs,
            now,
            step: Step::Idle,
            jar: CookieJar::new(),
            pool: Pool::new(0, std::time::Duration::ZERO),
            in_flight: None,
            events: VecDeque::new(),
        })
    }

    /// Numbers connections from `first` on, so that an adapter can run the
    /// machine beside a client without the ids colliding.
    pub fn with_first_conn_id(mut self, first: u64) -> Self {
        self.pool = Pool::new(first, std::time::Duration::ZERO);
        self
    }

    /// Starts the flow from `grant`. Only once.
    pub fn start(&mut self, now: Instant, grant: Grant) -> Result<(), AuthError> {
        self.tick(now);
        if !matches!(self.step, Step::Idle) {
            return Err(AuthError::AlreadyStarted);
        }
        match grant {
            Grant::RefreshToken(token) => {
                let req = steps::refresh_request(&self.config, &token);
                self.step = Step::Token {
                    from_code: false,
                    refresh: Some(token),
                };
                self.send_or_fail(req);
            }
            Grant::AuthCode(code) => {
                let req = steps::code_request(&self.config, &code);
                self.step = Step::Token {
                    from_code: true,
                    refresh: None,
                };
                self.send_or_fail(req);
            }
            Grant::AccessToken(access) => self.oauth_login(None, access),
        }
        Ok(())
    }

    /// Whether the flow has ended (the `Finished` event was queued).
    pub fn is_finished(&self) -> bool {
        matches!(self.step, Step::Done)
    }

    /// A fact about a connection; input for other connections is ignored.
    pub fn handle_input(&mut self, now: Instant, input: Input<'_>) {
        self.tick(now);
        let deliveries = self.pool.handle_input(now, input);
        self.dispatch(deliveries);
    }

    fn dispatch(&mut self, deliveries: Vec<Delivery>) {
        for delivery in deliveries {
            let Delivery::Done(id, outcome) = delivery else {
                continue;
            };
            match self.in_flight.take() {
                Some(f) if f.id == id => self.complete(&f.host, outcome),
                other => self.in_flight = other,
            }
        }
    }

    /// Time passed: a request with no progress for its idle timeout, or
    /// no complete response by its overall deadline, fails.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.tick(now);
        let deliveries = self.pool.handle_timeout(now);
        self.dispatch(deliveries);
    }

    /// The next thing for the adapter to do; `None` when drained.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        self.pool.poll_output()
    }

    /// The next event; `None` when drained.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<LoginEvent> {
        self.events.pop_front()
    }

    /// When to call [`Login::handle_timeout`]; `None`: no timer.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pool.poll_timeout()
    }

    // ---- internals ----

    fn tick(&mut self, now: Instant) {
        if now > self.now {
            self.now = now;
        }
    }

    fn send_or_fail(&mut self, req: Result<Request, AuthError>) {
        match req {
            Ok(req) => self.send(req),
            Err(e) => self.finish(Err(e)),
        }
    }

    fn send(&mut self, req: Request) {
        tracing::debug!(stage = %self.step.stage(), host = %req.host, path = %req.path, "sign-in request");
        let (target, bytes) = Target::for_request(&req, &self.config.proxy);
        let options = Options {
            timeouts: Timeouts {
                idle: self.config.request_timeout,
                head: self.config.response_timeout,
                total: self.config.response_timeout,
            },
            max_body: self.config.max_body,
            stream: false,
            keep: false,
        };
        let id = self.pool.start(self.now, target, bytes, options);
        self.in_flight = Some(InFlight { id, host: req.host });
    }

    fn finish(&mut self, result: Result<Credentials, AuthError>) {
        if let Err(e) = &result {
            tracing::info!(error = %e, "sign-in failed");
        } else {
            tracing::info!("signed in");
        }
        self.step = Step::Done;
        self.events.push_back(LoginEvent::Finished(result));
    }

    fn complete(&mut self, from_host: &str, outcome: Outcome) {
        let stage = self.step.stage();
        let (head, body): (ResponseHead, Vec<u8>) = match outcome {
            Outcome::Complete { head, body } => (head, body),
            Outcome::Failed(f @ (Failure::Protocol(_) | Failure::TooLarge(_))) => {
                return self.finish(Err(AuthError::Protocol {
                    stage,
                    detail: f.to_string(),
                }))
            }
            Outcome::Failed(f) => {
                return self.finish(Err(AuthError::Transport {
                    stage,
                    reason: f.to_string(),
                }))
            }
        };
        match std::mem::replace(&mut self.step, Step::Done) {
            Step::Token { from_code, refresh } => {
                match steps::parse_token_response(head.status, &head.reason, &body) {
                    Ok(tokens) => {
                        let refresh = match (from_code, tokens.refresh_token) {
                            (true, Some(new)) => {
                                self.events
                                    .push_back(LoginEvent::NewRefreshToken(new.clone()));
                                Some(new)
                            }
                            (true, None) => {
                                return self.finish(Err(AuthError::Protocol {
                                    stage: Stage::Token,
                                    detail: "no refresh_token in the reply".into(),
                                }))
                            }
                            // A refresh may rotate the token; keep the newest.
                            (false, Some(new)) => {
                                self.events
                                    .push_back(LoginEvent::NewRefreshToken(new.clone()));
                                Some(new)
                            }
                            (false, None) => refresh,
                        };
                        self.oauth_login(refresh, tokens.access_token);
                    }
                    Err(e) => self.finish(Err(e)),
                }
            }
            Step::OAuthLogin { refresh, access } => {
                match steps::parse_oauth_login_response(head.status, &head.reason, &body) {
                    Ok(uberauth) => self.merge_session(refresh, access, &uberauth),
                    Err(e) => self.finish(Err(e)),
                }
            }
            Step::MergeSession {
                refresh,
                access,
                redirects,
                host,
            } => {
                for (name, value) in &head.headers {
                    if name.eq_ignore_ascii_case("set-cookie") {
                        self.jar.store(from_host, value, self.unix_secs);
                    }
                }
                let location = head.header("location").map(str::to_string);
                match (head.status, location) {
                    (300..=399, Some(location)) if redirects < self.config.max_redirects => {
                        self.redirect(refresh, access, redirects + 1, host, from_host, &location)
                    }
                    (400.., _) => self.finish(Err(AuthError::Http {
                        stage: Stage::MergeSession,
                        status: head.status,
                        reason: head.reason,
                    })),
                    _ => self.session_done(refresh, access),
                }
            }
            Step::Idle | Step::Done => {}
        }
    }

    fn oauth_login(&mut self, refresh: Option<RefreshToken>, access: AccessToken) {
        let req = steps::oauth_login_request(&self.config, &access);
        self.step = Step::OAuthLogin { refresh, access };
        self.send_or_fail(req);
    }

    fn merge_session(
        &mut self,
        refresh: Option<RefreshToken>,
        access: AccessToken,
        uberauth: &UberAuth,
    ) {
        let req = steps::merge_session_request(&self.config, &access, uberauth);
        let host = req.as_ref().map(|r| r.host.clone()).unwrap_or_default();
        self.step = Step::MergeSession {
            refresh,
            access,
            redirects: 0,
            host,
        };
        self.send_or_fail(req);
    }

    /// Follows a MergeSession redirect only while it stays on the
    /// MergeSession origin (same scheme, host and port): there it carries
    /// the `Bearer` token and the jar's cookies for that host. A redirect
    /// anywhere else — another host, even an allowed one, another port of
    /// the same host, or the other scheme — is not followed at all: nothing
    /// (no token, no cookie, no request) goes there, and the flow ends with
    /// the cookies gathered so far, as for the final hop to `continue`.
    fn redirect(
        &mut self,
        refresh: Option<RefreshToken>,
        access: AccessToken,
        redirects: u32,
        merge_host: String,
        from_host: &str,
        location: &str,
    ) {
        let Some(origin) = self.current_origin(from_host) else {
            return self.session_done(refresh, access);
        };
        let absolute = if location.starts_with('/') && !location.starts_with("//") {
            format!("{origin}{location}")
        } else {
            location.to_string()
        };
        let Ok(url) = split_url(&absolute) else {
            tracing::debug!("MergeSession redirect not followed: unusable URL");
            return self.session_done(refresh, access);
        };
        if url.origin() != origin || !self.config.allow_list.allows(&origin) {
            tracing::debug!(to = %url.origin(), "MergeSession redirect not followed: it leaves the MergeSession origin");
            return self.session_done(refresh, access);
        }
        let mut req = self
            .config
            .request(Method::Get, &url)
            .with_header("authorization", &format!("Bearer {}", access.expose()));
        if let Some(cookie) = self.jar.header_for(&url.host, url.tls) {
            req = req.with_header("cookie", &cookie);
        }
        self.step = Step::MergeSession {
            refresh,
            access,
            redirects,
            host: merge_host,
        };
        self.send(req);
    }

    /// The origin of the MergeSession URL, when `host` (where the response
    /// came from) is its host.
    fn current_origin(&self, host: &str) -> Option<Origin> {
        let url = split_url(&self.config.merge_session_url).ok()?;
        url.host.eq_ignore_ascii_case(host).then(|| url.origin())
    }

    fn session_done(&mut self, refresh: Option<RefreshToken>, access: AccessToken) {
        let cookies = self.jar.session_cookies(&self.config.cookie_domain);
        if cookies.is_empty() || cookies.get("SAPISID").is_none() {
            return self.finish(Err(AuthError::NoSessionCookies));
        }
        self.finish(Ok(Credentials {
            refresh_token: refresh,
            access_token: access,
            cookies,
        }));
    }
}
