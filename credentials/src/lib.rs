//! # hangups-credentials
//!
//! What signing in needs outside the sans-IO core, shared by the three
//! runtime adapters (which re-export it): the refresh-token
//! [`FileStore`] (hangups' `RefreshTokenCache`), the [`CredentialsPrompt`]
//! that asks the user for the authorization code of the manual login
//! ([`StdinPrompt`] on a terminal), and [`SignInPlan`], the `get_auth`
//! policy: which grant to try next and what to store or forget.
//!
//! The policy, as hangups' `get_auth` with two deliberate differences:
//!
//! 0. a store that cannot be used ([`TokenStore::unusable`]: e.g. the token
//!    path is a directory, a symlink, an unreadable file or one that holds
//!    something else than a token, or no token file can be created there)
//!    ends signing in at once with [`AuthError::Config`] naming the path and
//!    the problem: no code is asked for that could not be kept, and nothing
//!    at the path is sent, overwritten or removed;
//! 1. a stored refresh token is tried first;
//! 2. if the server refuses it (`invalid_grant`: revoked or expired) it is
//!    removed from the store and the prompt is asked for an authorization
//!    code; with no token stored, the prompt is asked at once;
//! 3. a code is exchanged for a refresh token, which is stored at once;
//! 4. the session cookies are stored too (if the store keeps them).
//!
//! A network failure of step 1 is reported as it is (hangups asks for a
//! new login then): the stored token stays, and the next start retries it.
//!
//! ```
//! use hangups_core::auth::{AuthError, Credentials, Grant, MemoryStore, RefreshToken};
//! use hangups_credentials::{NoPrompt, Next, RunOutcome, SignInPlan};
//!
//! let mut store = MemoryStore::default();
//! store.token = Some(RefreshToken::new("revoked"));
//! let mut plan = SignInPlan::new("https://login.example/");
//! let Next::Run(Grant::RefreshToken(_)) = plan.next(&mut store, &mut NoPrompt, None) else { panic!() };
//! // … the adapter runs the login machine, which fails:
//! let outcome = RunOutcome::from(Err(AuthError::InvalidGrant { description: String::new() }));
//! let Next::Finished(Err(e)) = plan.next(&mut store, &mut NoPrompt, Some(outcome)) else { panic!() };
//! assert!(e.is_sign_in_again());
//! assert_eq!(store.token, None, "the revoked token was forgotten");
//! ```

#![forbid(unsafe_code)]

pub mod content;
mod error;
mod file;
mod safe_fs;

pub use error::{ContentProblem, FileKind, TokenFileError};
pub use file::{default_path_from, FileStore};
pub use safe_fs::write_private;

use hangups_core::auth::{AuthCode, AuthError, Credentials, Grant, RefreshToken, TokenStore};
use std::io::{BufRead, Write};

/// Asks the user for credentials when no stored ones work.
pub trait CredentialsPrompt {
    /// The authorization code of the manual login: the user opens
    /// `login_url` in a browser, signs in, and copies the value of the
    /// `oauth_code` cookie. `None` if the user gives up (or there is no
    /// user to ask).
    fn authorization_code(&mut self, login_url: &str) -> Option<String>;
}

impl<F: FnMut(&str) -> Option<String>> CredentialsPrompt for F {
    fn authorization_code(&mut self, login_url: &str) -> Option<String> {
        self(login_url)
    }
}

/// Never asks: for services that must start from stored credentials.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPrompt;

impl CredentialsPrompt for NoPrompt {
    fn authorization_code(&mut self, _login_url: &str) -> Option<String> {
        None
    }
}

/// Prints the manual-login instructions to standard error and reads the
/// code from standard input (hangups' `--manual-login`).
#[derive(Debug, Clone, Copy, Default)]
pub struct StdinPrompt;

/// The instructions [`StdinPrompt`] prints.
pub fn manual_login_instructions(login_url: &str) -> String {
    format!(
        "To sign in with your Google account:\n\
         \n\
         1) Open this URL in a browser (a private window is best):\n\
         \n    {login_url}\n\n\
         2) Sign in; the page may stay blank or loop at the end.\n\
         3) Open the browser's developer tools, Application (or Storage) tab,\n   \
            cookies of accounts.google.com, and copy the value of `oauth_code`.\n\
         4) Paste it here and press Enter.\n"
    )
}

impl CredentialsPrompt for StdinPrompt {
    fn authorization_code(&mut self, login_url: &str) -> Option<String> {
        let mut err = std::io::stderr();
        let _ = write!(
            err,
            "{}\nAuthorization code: ",
            manual_login_instructions(login_url)
        );
        let _ = err.flush();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).ok()?;
        let code = line.trim();
        (!code.is_empty()).then(|| code.to_string())
    }
}

/// How one run of the login machine ended.
#[derive(Debug)]
pub struct RunOutcome {
    /// A refresh token the run issued (`LoginEvent::NewRefreshToken`).
    pub new_refresh_token: Option<RefreshToken>,
    /// The run's result (`LoginEvent::Finished`).
    pub result: Result<Credentials, AuthError>,
}

impl From<Result<Credentials, AuthError>> for RunOutcome {
    fn from(result: Result<Credentials, AuthError>) -> Self {
        RunOutcome {
            new_refresh_token: None,
            result,
        }
    }
}

impl RunOutcome {
    /// What a renewal (a sign-in with the stored refresh token, after the
    /// server refused the session cookies) leaves in `store`: a rotated
    /// refresh token, and the new cookies; a refused grant clears it.
    /// Returns the new cookies.
    pub fn settle_renewal<S: TokenStore + ?Sized>(
        self,
        store: &mut S,
    ) -> Result<hangups_core::api::Cookies, AuthError> {
        if let Some(new) = &self.new_refresh_token {
            store.set_refresh_token(new);
        }
        match self.result {
            Ok(creds) => {
                store.set_cookies(&creds.cookies);
                Ok(creds.cookies)
            }
            Err(e) => {
                if e.is_sign_in_again() {
                    store.clear();
                }
                Err(e)
            }
        }
    }
}

/// What to do next.
#[derive(Debug)]
pub enum Next {
    /// Run the login machine from this grant, then call
    /// [`SignInPlan::next`] with its outcome.
    Run(Grant),
    /// Signing in is over.
    Finished(Result<Credentials, AuthError>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Start,
    Refreshing,
    Exchanging,
    Done,
}

/// The `get_auth` policy as a small machine (see the [crate docs](crate)):
/// the adapter runs each [`Next::Run`] with its IO and feeds the outcome back.
#[derive(Debug)]
pub struct SignInPlan {
    login_url: String,
    phase: Phase,
}

impl SignInPlan {
    /// A plan whose prompt shows `login_url`.
    pub fn new(login_url: impl Into<String>) -> Self {
        SignInPlan {
            login_url: login_url.into(),
            phase: Phase::Start,
        }
    }

    /// The next step: `outcome` is `None` the first time, then the outcome
    /// of the last [`Next::Run`].
    pub fn next(
        &mut self,
        store: &mut dyn TokenStore,
        prompt: &mut dyn CredentialsPrompt,
        outcome: Option<RunOutcome>,
    ) -> Next {
        match (self.phase, outcome) {
            (Phase::Start, _) => {
                if let Some(reason) = store.unusable() {
                    return self.finish(Err(AuthError::Config(reason)));
                }
                match store.refresh_token() {
                    Some(token) => {
                        self.phase = Phase::Refreshing;
                        Next::Run(Grant::RefreshToken(token))
                    }
                    None => self.ask(prompt, AuthError::NoRefreshToken),
                }
            }
            (Phase::Refreshing, Some(outcome)) => {
                let result = self.keep(store, outcome);
                match result {
                    Err(e) if e.is_sign_in_again() => {
                        tracing::info!(error = %e, "the stored refresh token was refused; forgetting it");
                        store.clear();
                        self.ask(prompt, e)
                    }
                    other => self.finish(other),
                }
            }
            (Phase::Exchanging, Some(outcome)) => {
                let result = self.keep(store, outcome);
                self.finish(result)
            }
            (Phase::Refreshing | Phase::Exchanging, None) | (Phase::Done, _) => {
                self.finish(Err(AuthError::AlreadyStarted))
            }
        }
    }

    /// Stores what a run issued; passes its result on.
    fn keep(
        &self,
        store: &mut dyn TokenStore,
        outcome: RunOutcome,
    ) -> Result<Credentials, AuthError> {
        if let Some(token) = &outcome.new_refresh_token {
            store.set_refresh_token(token);
        }
        if let Ok(creds) = &outcome.result {
            store.set_cookies(&creds.cookies);
        }
        outcome.result
    }

    fn ask(&mut self, prompt: &mut dyn CredentialsPrompt, why: AuthError) -> Next {
        match prompt.authorization_code(&self.login_url) {
            Some(code) if !code.trim().is_empty() => {
                self.phase = Phase::Exchanging;
                Next::Run(Grant::AuthCode(AuthCode::new(code.trim())))
            }
            _ => self.finish(Err(why)),
        }
    }

    fn finish(&mut self, result: Result<Credentials, AuthError>) -> Next {
        self.phase = Phase::Done;
        Next::Finished(result)
    }
}

#[cfg(test)]
mod tests;
