//! Secrets of the sign-in flow: each a string newtype whose `Debug`
//! prints `<redacted>` and which has no `Display`, so a token can only end
//! up in a log by an explicit [`expose`](RefreshToken::expose).

use std::fmt;

macro_rules! secret {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// `Debug` prints `<redacted>`; there is no `Display`.
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The secret itself, to send it or store it.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// Whether the value is empty.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                $name(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                $name(value.to_string())
            }
        }
    };
}

secret!(
    /// A long-lived OAuth refresh token: what a token store keeps so that
    /// later start-ups need no browser.
    RefreshToken
);

secret!(
    /// A short-lived OAuth access token (an hour at Google).
    AccessToken
);

secret!(
    /// The one-time authorization code of the manual login (the value of
    /// the `oauth_code` cookie the browser ends up with).
    AuthCode
);

secret!(
    /// The uberauth token OAuthLogin hands out for MergeSession.
    UberAuth
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let r = RefreshToken::new("1/refresh-secret");
        let a = AccessToken::from("ya29.access-secret");
        let c = AuthCode::from("4/code-secret".to_string());
        let u = UberAuth::new("uber-secret");
        let text = format!("{r:?} {a:?} {c:?} {u:?} {r:#?}");
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("RefreshToken(<redacted>)"));
        assert_eq!(r.expose(), "1/refresh-secret");
        assert!(!r.is_empty() && RefreshToken::new("").is_empty());
    }
}
