//! Signing in (PROTOCOL.md §4): from a Google account to the session
//! cookies the [`Client`](crate::client::Client) needs, as sans-IO steps.
//!
//! 1. refresh token → access token (`POST …/o/oauth2/token`,
//!    [`steps::refresh_request`]), or, for the **manual login**, the
//!    authorization code the user copied from the browser → refresh and
//!    access tokens ([`steps::code_request`]);
//! 2. access token → uberauth token (`GET …/accounts/OAuthLogin`);
//! 3. uberauth → session cookies (`GET …/MergeSession`, the `Set-Cookie`s
//!    of its response and of redirects on allowed hosts, kept in a
//!    [`CookieJar`]; the result is every cookie of `Domain=.google.com`).
//!
//! [`Login`] runs the whole flow as a machine driven like the client
//! (connections out, bytes in, one deadline); [`steps`] has each request
//! and response on its own. Every URL is in [`AuthConfig`], so the
//! emulator can serve the flow; tokens, codes and cookies only ever go to
//! origins on its allow-list. Tokens are [`RefreshToken`] / [`AccessToken`]
//! newtypes whose `Debug` is redacted, and nothing here logs a secret.
//!
//! [`TokenStore`] is where a refresh token lives between runs: the
//! adapters provide a file store (hangups' `RefreshTokenCache`); bridges
//! implement it over their database.
//!
//! ## Where this differs from hangups
//!
//! - Only the manual code login is interactive; hangups' form scraping
//!   with email and password is not offered (Google blocks it).
//! - hangups falls back to a new login on *any* failure of the refresh
//!   step; here only a refused grant ([`AuthError::is_sign_in_again`])
//!   does, while network failures are reported as such and the stored
//!   token is kept, so a network outage never costs the user a login.
//! - A token reply that rotates the refresh token is honoured
//!   ([`LoginEvent::NewRefreshToken`]).
//! - Secrets are scoped by origin (scheme, host and port, see
//!   [`OriginAllowList`](crate::api::OriginAllowList)), never over plain HTTP
//!   unless that origin was configured. The Bearer header only goes to the
//!   OAuthLogin and MergeSession URLs, and a MergeSession redirect is only
//!   followed (with the Bearer header and cookies) while it stays on the
//!   MergeSession origin; a redirect anywhere else is not followed at all
//!   and the flow ends with the cookies gathered so far (hangups followed
//!   every redirect with its whole cookie jar).

mod config;
mod cookies;
mod error;
mod login;
mod secret;
pub mod steps;
mod store;

pub use config::{AuthConfig, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SCOPES};
pub use cookies::{parse_cookie_date, CookieJar, SetCookie};
pub use error::{AuthError, Stage};
pub use login::{Credentials, Grant, Login, LoginEvent};
pub use secret::{AccessToken, AuthCode, RefreshToken, UberAuth};
pub use steps::Tokens;
pub use store::{decode_cookies, encode_cookies, MemoryStore, TokenStore};
