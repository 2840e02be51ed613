//! HTTPS: a self-signed certificate for `127.0.0.1` and `localhost`,
//! generated fresh for each emulator, and the rustls acceptor (ring
//! provider, TLS 1.2 and 1.3).

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

/// The certificate (PEM, for clients to trust) and the acceptor.
pub(crate) struct Identity {
    pub cert_pem: String,
    pub acceptor: TlsAcceptor,
}

impl Identity {
    pub(crate) fn generate() -> io::Result<Identity> {
        let names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
        let certified = rcgen::generate_simple_self_signed(names).map_err(io::Error::other)?;
        let cert_der = CertificateDer::from(certified.cert.der().to_vec());
        let key_der =
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(vec![cert_der], key_der)
            .map_err(io::Error::other)?;
        Ok(Identity {
            cert_pem: certified.cert.pem(),
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}
