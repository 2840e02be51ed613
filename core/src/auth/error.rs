//! Why signing in failed, sorted so that callers can tell "the user must
//! sign in again" ([`AuthError::is_sign_in_again`]) from "try again later"
//! ([`AuthError::is_transient`]) from everything else.

use std::fmt;

/// Which request of the flow failed (PROTOCOL.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `POST …/o/oauth2/token` (refresh token or authorization code).
    Token,
    /// `GET …/accounts/OAuthLogin` (access token → uberauth).
    OAuthLogin,
    /// `GET …/MergeSession` (uberauth → session cookies), redirects included.
    MergeSession,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Token => "Token",
            Stage::OAuthLogin => "OAuthLogin",
            Stage::MergeSession => "MergeSession",
        })
    }
}

/// Why signing in failed. Messages follow hangups' `GoogleAuthError`
/// where there is one; no message ever contains a token, a code or a
/// cookie value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No refresh token is stored and no authorization code was given.
    #[error("Refresh token not found")]
    NoRefreshToken,
    /// The prompt gave no authorization code (the user cancelled).
    #[error("no authorization code was given; sign in again")]
    NoAuthCode,
    /// The token endpoint refused the grant (`invalid_grant`): the refresh
    /// token was revoked or has expired, or the authorization code is
    /// wrong or already used. The user must sign in again.
    #[error("Token request error: 'invalid_grant' ({description}); sign in again")]
    InvalidGrant {
        /// The server's `error_description` (may be empty).
        description: String,
    },
    /// The token endpoint answered with another OAuth error
    /// (`invalid_client`, `invalid_scope`, …): the configuration is wrong.
    #[error("Token request error: '{error}'")]
    TokenError {
        /// The HTTP status.
        status: u16,
        /// The OAuth `error` code.
        error: String,
        /// The server's `error_description` (may be empty).
        description: String,
    },
    /// A request of the flow got an HTTP status it cannot use.
    #[error("{stage} request failed: HTTP {status} {reason}")]
    Http {
        /// Which request.
        stage: Stage,
        /// The HTTP status.
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// The connection could not be opened, broke, or timed out.
    #[error("{stage} request failed: {reason}")]
    Transport {
        /// Which request.
        stage: Stage,
        /// What went wrong.
        reason: String,
    },
    /// A response could not be understood (bad HTTP, bad JSON, a token
    /// response without `access_token`, an empty uberauth token…).
    #[error("{stage} response is malformed: {detail}")]
    Protocol {
        /// Which request.
        stage: Stage,
        /// What was wrong.
        detail: String,
    },
    /// MergeSession set no usable session cookies (none for the session
    /// domain, or no `SAPISID` among them).
    #[error("Failed to find session cookies")]
    NoSessionCookies,
    /// The configuration cannot work (a URL that does not parse, a host
    /// not on the allow-list).
    #[error("invalid sign-in configuration: {0}")]
    Config(String),
    /// The login machine was driven wrongly (e.g. started twice).
    #[error("the login was already started")]
    AlreadyStarted,
}

impl AuthError {
    /// Whether the stored credentials are dead and the user must sign in
    /// again (with the browser): a revoked or expired refresh token, a
    /// wrong authorization code, or no credentials at all.
    pub fn is_sign_in_again(&self) -> bool {
        matches!(
            self,
            AuthError::InvalidGrant { .. } | AuthError::NoRefreshToken | AuthError::NoAuthCode
        )
    }

    /// Whether trying the same thing later may work: network failures and
    /// server errors (HTTP 5xx, 429).
    pub fn is_transient(&self) -> bool {
        match self {
            AuthError::Transport { .. } => true,
            AuthError::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}
