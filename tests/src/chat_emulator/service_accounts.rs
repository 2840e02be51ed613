//! Service accounts: key files handed out by the control API, the OAuth
//! token endpoint (`POST /token`, the JWT-bearer grant, with `sub` for
//! domain-wide delegation), and self-signed JWTs used directly as bearer
//! tokens (what the GAPIC client sends).
//!
//! Every service account of an emulator signs with the same built-in
//! 2048-bit RSA test key (`service_account_key.pem`, made for these tests
//! and used nowhere else); each has its own `private_key_id` and email.

use super::time::format_micros;
use base64::Engine as _;
use ring::signature::{KeyPair, RsaKeyPair, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use serde_json::{json, Value};

/// The PKCS#8 PEM of the test key.
pub(crate) const KEY_PEM: &str = include_str!("service_account_key.pem");

/// How far `iat` may be ahead of the server clock (s).
const SKEW_S: i64 = 300;

/// One service account.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub email: String,
    pub key_id: String,
    pub client_id: String,
}

/// An OAuth error of the token endpoint (`{"error", "error_description"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GrantError {
    pub error: &'static str,
    pub description: String,
}

fn grant_err(error: &'static str, description: impl Into<String>) -> GrantError {
    GrantError {
        error,
        description: description.into(),
    }
}

/// The DER of the test key (PKCS#8).
fn key_der() -> Vec<u8> {
    let b64: String = KEY_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap_or_default()
}

/// The public half of the test key (DER RSAPublicKey).
pub(crate) fn public_key() -> Vec<u8> {
    RsaKeyPair::from_pkcs8(&key_der())
        .map(|k| k.public_key().as_ref().to_vec())
        .unwrap_or_default()
}

/// The key file of `account`, as Google's console downloads it.
pub(crate) fn key_file(account: &Account, base_url: &str) -> Value {
    json!({
        "type": "service_account",
        "project_id": "emulator-project",
        "private_key_id": account.key_id,
        "private_key": KEY_PEM,
        "client_email": account.email,
        "client_id": account.client_id,
        "auth_uri": format!("{base_url}/o/oauth2/auth"),
        "token_uri": format!("{base_url}/token"),
        "auth_provider_x509_cert_url": format!("{base_url}/oauth2/v1/certs"),
        "universe_domain": "googleapis.com",
    })
}

fn b64url(text: &str) -> Option<Value> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&raw).ok()
}

/// The claims of `jwt` if it is an RS256 JWT signed by the test key with
/// the `kid` of one of `accounts` (or no `kid`) whose email is `iss`.
pub(crate) fn verify<'a>(
    jwt: &str,
    accounts: &'a [Account],
    public_key: &[u8],
) -> Result<(&'a Account, Value), GrantError> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, c, s] = parts.as_slice() else {
        return Err(grant_err("invalid_grant", "Invalid JWT: not three parts."));
    };
    let header = b64url(h).ok_or_else(|| grant_err("invalid_grant", "Invalid JWT header."))?;
    let claims = b64url(c).ok_or_else(|| grant_err("invalid_grant", "Invalid JWT claims."))?;
    if header["alg"] != "RS256" {
        return Err(grant_err(
            "invalid_grant",
            "Invalid JWT: alg must be RS256.",
        ));
    }
    let iss = claims["iss"].as_str().unwrap_or("");
    let account = accounts.iter().find(|a| a.email == iss).ok_or_else(|| {
        grant_err(
            "invalid_grant",
            format!("Invalid grant: account {iss:?} not found."),
        )
    })?;
    if let Some(kid) = header["kid"].as_str() {
        if kid != account.key_id {
            return Err(grant_err(
                "invalid_grant",
                "Invalid JWT Signature (unknown kid).",
            ));
        }
    }
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| grant_err("invalid_grant", "Invalid JWT Signature."))?;
    let signed = format!("{h}.{c}");
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_key)
        .verify(signed.as_bytes(), &sig)
        .map_err(|_| grant_err("invalid_grant", "Invalid JWT Signature."))?;
    Ok((account, claims))
}

/// Checks `iat` and `exp` against `now_us`: `exp` at most an hour after
/// `iat`, `iat` not in the future (beyond a small skew), not expired.
pub(crate) fn check_times(claims: &Value, now_us: u64) -> Result<(), GrantError> {
    let now = (now_us / 1_000_000) as i64;
    let (Some(iat), Some(exp)) = (claims["iat"].as_i64(), claims["exp"].as_i64()) else {
        return Err(grant_err(
            "invalid_grant",
            "Invalid JWT: iat and exp are required.",
        ));
    };
    if exp <= iat || exp - iat > 3600 {
        return Err(grant_err(
            "invalid_grant",
            "Invalid JWT: expiration must be at most an hour after issue.",
        ));
    }
    if iat > now + SKEW_S || exp <= now {
        return Err(grant_err(
            "invalid_grant",
            format!(
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a \
                 reasonable timeframe. Check your iat and exp values in the JWT claim \
                 (server time {}).",
                format_micros(now_us)
            ),
        ));
    }
    Ok(())
}

/// The space-separated `scope` claim, short names.
pub(crate) fn scopes(claims: &Value) -> Vec<String> {
    claims["scope"]
        .as_str()
        .unwrap_or("")
        .split_whitespace()
        .map(super::auth::short_scope)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_key_parses() {
        assert!(RsaKeyPair::from_pkcs8(&key_der()).is_ok());
        assert!(!public_key().is_empty());
        let a = [Account {
            email: "a@x".into(),
            key_id: "k".into(),
            client_id: "1".into(),
        }];
        assert_eq!(
            verify("a.b", &a, &public_key()).unwrap_err().error,
            "invalid_grant"
        );
        let now = 1_800_000_000u64;
        assert!(check_times(&json!({"iat": now, "exp": now + 3600}), now * 1_000_000).is_ok());
        assert!(check_times(&json!({"iat": now, "exp": now + 3601}), now * 1_000_000).is_err());
        assert!(check_times(
            &json!({"iat": now - 4000, "exp": now - 400}),
            now * 1_000_000
        )
        .is_err());
        assert!(check_times(
            &json!({"iat": now + 1000, "exp": now + 2000}),
            now * 1_000_000
        )
        .is_err());
    }
}
