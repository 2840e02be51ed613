//! Service-account sign-in: the key file ([`ServiceAccountKey`]), the
//! signature the driver makes ([`Signer`]: RSA signing needs OS randomness,
//! so it lives outside the core, like the clock), and the credentials a
//! [`ChatClient`](super::ChatClient) turns into access tokens
//! ([`ServiceAccount`], in [`ChatAuth::ServiceAccount`](super::ChatAuth)).
//!
//! With the token exchange (the default), the client signs a JWT
//! (`{"alg":"RS256","typ":"JWT","kid"}`, claims `iss`, `scope`, `aud` =
//! `token_uri`, `iat`, `exp` = `iat` + 3600, `sub` when acting as a user),
//! POSTs it to the key's `token_uri`
//! (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=…`)
//! and sends the access token it gets as `Authorization: Bearer …`. In
//! [self-signed mode](ServiceAccount::self_signed) the signed JWT itself
//! (claims `iss` = `sub` = the email, `scope`, `iat`, `exp`, no `aud`) is
//! the bearer token and nothing is exchanged.

use base64::Engine as _;
use serde_json::{json, Value};
use std::sync::Arc;

/// The scope of a Chat app: `https://www.googleapis.com/auth/chat.bot`.
pub const CHAT_BOT_SCOPE: &str = "https://www.googleapis.com/auth/chat.bot";

pub(crate) const SCOPE_PREFIX: &str = "https://www.googleapis.com/auth/";

/// Lifetime of a signed JWT (the most Google accepts).
pub(crate) const JWT_LIFETIME_SECS: u64 = 3600;

/// Why a key file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Not a JSON object.
    #[error("not a key file (JSON object): {0}")]
    Json(String),
    /// `type` is not `service_account` (a user's OAuth client file, …).
    #[error("key file type is {0:?}, not \"service_account\"")]
    NotServiceAccount(String),
    /// A required field is absent, empty or not a string.
    #[error("key file has no {0:?}")]
    MissingField(&'static str),
    /// `private_key` is not a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    #[error("private_key is not a PKCS#8 PEM: {0}")]
    BadPem(&'static str),
    /// `token_uri` is not an `http(s)` URL.
    #[error("token_uri {0:?} is not an http(s) URL")]
    BadTokenUri(String),
}

/// A service account's key file, as Google's console downloads it. `Debug`
/// never prints the private key.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceAccountKey {
    /// `client_email`: the account (`name@project.iam.gserviceaccount.com`).
    pub client_email: String,
    /// `private_key_id`: the JWT header's `kid`.
    pub private_key_id: String,
    /// `token_uri`: where assertions are exchanged for access tokens.
    pub token_uri: String,
    /// `project_id`, if present.
    pub project_id: Option<String>,
    private_key_der: Vec<u8>,
}

impl std::fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("private_key_id", &self.private_key_id)
            .field("token_uri", &self.token_uri)
            .field("project_id", &self.project_id)
            .field("private_key", &"<redacted>")
            .finish()
    }
}

impl ServiceAccountKey {
    /// Reads a key file's text (`type` = `service_account`, `client_email`,
    /// `private_key_id`, `private_key` as PKCS#8 PEM, `token_uri`).
    pub fn from_json(text: &str) -> Result<Self, KeyError> {
        let v: Value = serde_json::from_str(text).map_err(|e| KeyError::Json(e.to_string()))?;
        if !v.is_object() {
            return Err(KeyError::Json("not an object".into()));
        }
        let field = |name: &'static str| match v.get(name).and_then(Value::as_str) {
            Some(s) if !s.trim().is_empty() => Ok(s.to_string()),
            _ => Err(KeyError::MissingField(name)),
        };
        let kind = field("type")?;
        if kind != "service_account" {
            return Err(KeyError::NotServiceAccount(kind));
        }
        let token_uri = field("token_uri")?;
        if crate::api::url::split_url(&token_uri).is_err() {
            return Err(KeyError::BadTokenUri(token_uri));
        }
        Ok(ServiceAccountKey {
            client_email: field("client_email")?,
            private_key_id: field("private_key_id")?,
            private_key_der: pkcs8_der(&field("private_key")?)?,
            token_uri,
            project_id: field("project_id").ok(),
        })
    }

    /// The private key, PKCS#8 DER (for a [`Signer`]).
    pub fn private_key_der(&self) -> &[u8] {
        &self.private_key_der
    }
}

/// The DER inside a `-----BEGIN PRIVATE KEY-----` PEM.
fn pkcs8_der(pem: &str) -> Result<Vec<u8>, KeyError> {
    const BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
    const END: &str = "-----END PRIVATE KEY-----";
    if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
        return Err(KeyError::BadPem("a PKCS#1 key (BEGIN RSA PRIVATE KEY)"));
    }
    let start = pem
        .find(BEGIN)
        .ok_or(KeyError::BadPem("no BEGIN PRIVATE KEY line"))?
        + BEGIN.len();
    let len = pem[start..]
        .find(END)
        .ok_or(KeyError::BadPem("no END PRIVATE KEY line"))?;
    let b64: String = pem[start..start + len]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| KeyError::BadPem("bad base64"))?;
    // A PKCS#8 PrivateKeyInfo is a DER SEQUENCE.
    if der.len() < 16 || der[0] != 0x30 {
        return Err(KeyError::BadPem("not a DER SEQUENCE"));
    }
    Ok(der)
}

/// Why a signature could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("signing failed: {0}")]
pub struct SignError(pub String);

/// Makes RS256 signatures (RSASSA-PKCS1-v1_5 with SHA-256) with a service
/// account's private key. The driver implements it (its `RsaSigner`);
/// tests may return fixed bytes.
pub trait Signer: Send + Sync {
    /// The signature of `message`.
    fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// How the access token is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenMode {
    /// A signed assertion is exchanged at the key's `token_uri` (default).
    #[default]
    Exchange,
    /// The signed JWT is the bearer token (no exchange; no delegation).
    SelfSigned,
}

/// Service-account credentials: the key, the scopes, the user acted as
/// (domain-wide delegation) and the signer. `Debug` never prints the key.
#[derive(Clone)]
#[non_exhaustive]
pub struct ServiceAccount {
    /// The key file.
    pub key: ServiceAccountKey,
    /// Full scope URLs.
    pub scopes: Vec<String>,
    /// The user to act as (`sub`), for domain-wide delegation.
    pub subject: Option<String>,
    /// Signs the assertions.
    pub signer: Arc<dyn Signer>,
    /// Exchange (default) or self-signed.
    pub mode: TokenMode,
}

impl std::fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("client_email", &self.key.client_email)
            .field("scopes", &self.scopes)
            .field("subject", &self.subject)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl PartialEq for ServiceAccount {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
            && self.scopes == other.scopes
            && self.subject == other.subject
            && self.mode == other.mode
            && Arc::ptr_eq(&self.signer, &other.signer)
    }
}

impl Eq for ServiceAccount {}

impl ServiceAccount {
    /// `key` with `scopes` (full URLs, or short names such as `chat.bot`
    /// that get `https://www.googleapis.com/auth/` in front; none means
    /// [`CHAT_BOT_SCOPE`]), signing with `signer`.
    pub fn new<S: AsRef<str>>(
        key: ServiceAccountKey,
        scopes: &[S],
        signer: Arc<dyn Signer>,
    ) -> Self {
        let mut scopes: Vec<String> = scopes
            .iter()
            .map(|s| s.as_ref().trim())
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.starts_with("https://") {
                    s.to_string()
                } else {
                    format!("{SCOPE_PREFIX}{s}")
                }
            })
            .collect();
        if scopes.is_empty() {
            scopes.push(CHAT_BOT_SCOPE.into());
        }
        ServiceAccount {
            key,
            scopes,
            subject: None,
            signer,
            mode: TokenMode::Exchange,
        }
    }

    /// Acts as `user` (an email; domain-wide delegation): the exchange's
    /// JWT carries `sub`.
    pub fn with_subject(mut self, user: impl Into<String>) -> Self {
        self.subject = Some(user.into());
        self
    }

    /// Uses the signed JWT itself as the bearer token, with no exchange.
    pub fn self_signed(mut self) -> Self {
        self.mode = TokenMode::SelfSigned;
        self
    }

    /// The signed JWT for `unix_now` (seconds): the exchange's assertion,
    /// or the self-signed bearer token.
    pub fn signed_jwt(&self, unix_now: u64) -> Result<String, SignError> {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.key.private_key_id});
        let mut claims = json!({
            "iss": self.key.client_email,
            "scope": self.scopes.join(" "),
            "iat": unix_now,
            "exp": unix_now + JWT_LIFETIME_SECS,
        });
        match self.mode {
            TokenMode::Exchange => {
                claims["aud"] = json!(self.key.token_uri);
                if let Some(sub) = &self.subject {
                    claims["sub"] = json!(sub);
                }
            }
            TokenMode::SelfSigned => claims["sub"] = json!(self.key.client_email),
        }
        let b64 = |v: &Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
        };
        let signed = format!("{}.{}", b64(&header), b64(&claims));
        let signature = self.signer.sign_rs256(signed.as_bytes())?;
        Ok(format!(
            "{signed}.{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

/// An OAuth error code of the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// `invalid_grant`: bad signature, clock skew, unknown account.
    InvalidGrant,
    /// `invalid_client`.
    InvalidClient,
    /// `unauthorized_client` (e.g. delegation not allowed).
    UnauthorizedClient,
    /// `invalid_scope`.
    InvalidScope,
    /// `invalid_request`.
    InvalidRequest,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// Any other code, verbatim.
    Other(String),
}

impl OAuthErrorCode {
    fn parse(code: &str) -> Self {
        match code {
            "invalid_grant" => OAuthErrorCode::InvalidGrant,
            "invalid_client" => OAuthErrorCode::InvalidClient,
            "unauthorized_client" => OAuthErrorCode::UnauthorizedClient,
            "invalid_scope" => OAuthErrorCode::InvalidScope,
            "invalid_request" => OAuthErrorCode::InvalidRequest,
            "unsupported_grant_type" => OAuthErrorCode::UnsupportedGrantType,
            other => OAuthErrorCode::Other(other.to_string()),
        }
    }

    /// The code as the server wrote it.
    pub fn as_str(&self) -> &str {
        match self {
            OAuthErrorCode::InvalidGrant => "invalid_grant",
            OAuthErrorCode::InvalidClient => "invalid_client",
            OAuthErrorCode::UnauthorizedClient => "unauthorized_client",
            OAuthErrorCode::InvalidScope => "invalid_scope",
            OAuthErrorCode::InvalidRequest => "invalid_request",
            OAuthErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorCode::Other(s) => s,
        }
    }
}

/// The token endpoint refused the assertion (`{"error",
/// "error_description"}`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("token endpoint refused (HTTP {http_status}): {}: {description}", code.as_str())]
#[non_exhaustive]
pub struct TokenError {
    /// The HTTP status (400 usually).
    pub http_status: u16,
    /// `error`.
    pub code: OAuthErrorCode,
    /// `error_description` (empty when absent).
    pub description: String,
}

/// A successful token response: the token and its lifetime in seconds.
pub(crate) fn parse_token_success(body: &[u8]) -> Result<(String, u64), String> {
    #[derive(serde::Deserialize)]
    struct Ok {
        access_token: String,
        expires_in: Option<u64>,
    }
    let ok: Ok = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if ok.access_token.is_empty() || ok.access_token.chars().any(|c| c.is_control() || c == ' ') {
        return Err("access_token is empty or has spaces or control characters".into());
    }
    Ok((ok.access_token, ok.expires_in.unwrap_or(3600)))
}

/// The OAuth error of a non-2xx token response, if its body is one.
pub(crate) fn parse_token_error(status: u16, body: &[u8]) -> Option<TokenError> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let code = v.get("error")?.as_str()?;
    Some(TokenError {
        http_status: status,
        code: OAuthErrorCode::parse(code),
        description: v
            .get("error_description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n";

    fn file(v: Value) -> String {
        v.to_string()
    }

    fn good() -> Value {
        json!({
            "type": "service_account",
            "project_id": "p",
            "private_key_id": "kid1",
            "private_key": PEM,
            "client_email": "app@p.iam.gserviceaccount.com",
            "token_uri": "https://oauth2.googleapis.com/token",
        })
    }

    #[test]
    fn a_key_file_reads() {
        let k = ServiceAccountKey::from_json(&file(good())).unwrap();
        assert_eq!(k.client_email, "app@p.iam.gserviceaccount.com");
        assert_eq!(k.private_key_id, "kid1");
        assert_eq!(k.project_id.as_deref(), Some("p"));
        assert_eq!(k.private_key_der()[0], 0x30);
        let shown = format!("{k:?}");
        assert!(!shown.contains("MIIB"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn bad_key_files_are_typed_errors() {
        assert!(matches!(
            ServiceAccountKey::from_json("nope"),
            Err(KeyError::Json(_))
        ));
        assert!(matches!(
            ServiceAccountKey::from_json("[1]"),
            Err(KeyError::Json(_))
        ));
        let mut v = good();
        v["type"] = json!("authorized_user");
        assert_eq!(
            ServiceAccountKey::from_json(&file(v)),
            Err(KeyError::NotServiceAccount("authorized_user".into()))
        );
        for name in ["client_email", "private_key_id", "private_key", "token_uri"] {
            let mut v = good();
            v.as_object_mut().unwrap().remove(name);
            assert_eq!(
                ServiceAccountKey::from_json(&file(v)),
                Err(KeyError::MissingField(name))
            );
        }
        for pem in [
            "garbage",
            "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\nMIIB",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----",
        ] {
            let mut v = good();
            v["private_key"] = json!(pem);
            assert!(
                matches!(
                    ServiceAccountKey::from_json(&file(v)),
                    Err(KeyError::BadPem(_))
                ),
                "{pem}"
            );
        }
        let mut v = good();
        v["token_uri"] = json!("ftp://x/token");
        assert!(matches!(
            ServiceAccountKey::from_json(&file(v)),
            Err(KeyError::BadTokenUri(_))
        ));
    }

    #[test]
    fn scopes_get_their_prefix() {
        struct S;
        impl Signer for S {
            fn sign_rs256(&self, _: &[u8]) -> Result<Vec<u8>, SignError> {
                Ok(vec![1])
            }
        }
        let key = ServiceAccountKey::from_json(&file(good())).unwrap();
        let sa = ServiceAccount::new(key.clone(), &["chat.bot", CHAT_BOT_SCOPE], Arc::new(S));
        assert_eq!(sa.scopes, [CHAT_BOT_SCOPE, CHAT_BOT_SCOPE]);
        let none: [&str; 0] = [];
        assert_eq!(
            ServiceAccount::new(key, &none, Arc::new(S)).scopes,
            [CHAT_BOT_SCOPE]
        );
    }

    #[test]
    fn token_responses_parse() {
        assert_eq!(
            parse_token_success(
                br#"{"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"}"#
            ),
            Ok(("ya29.x".into(), 3599))
        );
        assert!(parse_token_success(br#"{"access_token":"a b"}"#).is_err());
        assert!(parse_token_success(b"{}").is_err());
        let e = parse_token_error(
            400,
            br#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#,
        )
        .unwrap();
        assert_eq!(e.code, OAuthErrorCode::InvalidGrant);
        assert_eq!(e.description, "Invalid JWT Signature.");
        assert!(parse_token_error(500, b"oops").is_none());
    }
}
