//! [`RsaSigner`]: the RS256 signatures of service-account sign-in, made
//! with `ring` (RSA signing draws OS randomness for blinding, so it lives
//! here, outside the sans-IO core), and [`service_account_config`], a
//! [`ChatConfig`] from a key file's text.

use std::sync::Arc;

use hangups_core::chat::{
    ChatAuth, ChatConfig, ServiceAccount, ServiceAccountKey, SignError, Signer,
};
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};

use crate::Error;

/// Signs with an RSA private key (RSASSA-PKCS1-v1_5, SHA-256), with the
/// OS's randomness. `Debug` never prints the key.
pub struct RsaSigner {
    key: RsaKeyPair,
    rng: SystemRandom,
}

impl std::fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaSigner").finish_non_exhaustive()
    }
}

impl RsaSigner {
    /// A signer for a PKCS#8 DER RSA private key (2048 to 8192 bits).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, SignError> {
        let key = RsaKeyPair::from_pkcs8(der)
            .map_err(|e| SignError(format!("RSA private key refused: {e}")))?;
        Ok(RsaSigner {
            key,
            rng: SystemRandom::new(),
        })
    }

    /// A signer for the private key of a service account's key file.
    pub fn from_key(key: &ServiceAccountKey) -> Result<Self, SignError> {
        Self::from_pkcs8_der(key.private_key_der())
    }
}

impl Signer for RsaSigner {
    fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
            .map_err(|_| SignError("RSA signing failed".into()))?;
        Ok(signature)
    }
}

/// The [`ServiceAccount`] of a key file's text (`key_json`), with
/// `scopes` (full URLs or short names such as `chat.bot`; none means
/// `chat.bot`), acting as `subject` if given (domain-wide delegation),
/// signing with an [`RsaSigner`].
pub fn service_account(
    key_json: &str,
    scopes: &[&str],
    subject: Option<&str>,
) -> Result<ServiceAccount, Error> {
    let key =
        ServiceAccountKey::from_json(key_json).map_err(hangups_core::chat::ChatError::from)?;
    let signer = RsaSigner::from_key(&key).map_err(hangups_core::chat::ChatError::from)?;
    let account = ServiceAccount::new(key, scopes, Arc::new(signer));
    Ok(match subject {
        Some(user) => account.with_subject(user),
        None => account,
    })
}

/// A [`ChatConfig`] for Google's server signing in as the service account
/// of `key_json` (see [`service_account`]); point it elsewhere with
/// [`ChatConfig::with_url`]. The key's `token_uri` is reached for the
/// token POST alone, without bearer.
///
/// ```no_run
/// let key = std::fs::read_to_string("key.json")?;
/// let config = hangups_driver::service_account_config(&key, &["chat.bot"], None)?;
/// # let _ = config;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn service_account_config(
    key_json: &str,
    scopes: &[&str],
    subject: Option<&str>,
) -> Result<ChatConfig, Error> {
    Ok(ChatConfig::new(ChatAuth::ServiceAccount(service_account(
        key_json, scopes, subject,
    )?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hangups_core::chat::{ChatError, KeyError};

    #[test]
    fn a_bad_key_is_a_typed_error() {
        let not_rsa = r#"{"type":"service_account","private_key_id":"k","client_email":"a@p.iam.gserviceaccount.com","token_uri":"https://oauth2.googleapis.com/token","private_key":"-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n"}"#;
        assert!(matches!(
            service_account_config(not_rsa, &[], None),
            Err(Error::Chat(ChatError::Sign(_)))
        ));
        assert!(matches!(
            service_account_config(r#"{"type":"authorized_user"}"#, &[], None),
            Err(Error::Chat(ChatError::Key(KeyError::NotServiceAccount(_))))
        ));
        assert!(RsaSigner::from_pkcs8_der(b"junk").is_err());
    }
}
