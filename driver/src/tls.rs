//! The rustls client configuration, built once per set of trusted roots
//! and shared by every connection of every client in the process
//! (building one costs ~23 KB of heap and a parse of the webpki roots).
//! Clients that never open a TLS connection never build it.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use std::sync::{Arc, Mutex, PoisonError};

use crate::Error;

/// Configurations built so far, by their extra PEM roots.
static CACHE: Mutex<Vec<(Vec<String>, Arc<rustls::ClientConfig>)>> = Mutex::new(Vec::new());

/// The shared configuration trusting the webpki roots plus `extra_pem`.
pub(crate) fn client_config(extra_pem: &[String]) -> Result<Arc<rustls::ClientConfig>, Error> {
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, config)) = cache.iter().find(|(roots, _)| roots == extra_pem) {
        return Ok(config.clone());
    }
    let config = build(extra_pem)?;
    cache.push((extra_pem.to_vec(), config.clone()));
    Ok(config)
}

/// Checks that every PEM holds at least one valid certificate, without
/// building a configuration.
pub(crate) fn check_pem(extra_pem: &[String]) -> Result<(), Error> {
    for pem in extra_pem {
        let mut any = false;
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            cert.map_err(|e| Error::Tls(e.to_string()))?;
            any = true;
        }
        if !any {
            return Err(Error::Tls("no certificate in PEM".into()));
        }
    }
    Ok(())
}

fn build(extra_pem: &[String]) -> Result<Arc<rustls::ClientConfig>, Error> {
    check_pem(extra_pem)?;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for pem in extra_pem {
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|e| Error::Tls(e.to_string()))?;
            roots.add(cert).map_err(|e| Error::Tls(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_configuration_per_set_of_roots() {
        let a = client_config(&[]).unwrap();
        let b = client_config(&[]).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(matches!(
            client_config(&["not a certificate".into()]),
            Err(Error::Tls(_))
        ));
        assert!(check_pem(&["junk".into()]).is_err());
    }
}
