//! One connection task: connect (TCP, then TLS if asked), then copy bytes
//! both ways until either side ends. It reports to the driver through
//! `IoEvent`s and stops when the driver drops its write channel or aborts it.

use rustls::pki_types::ServerName;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use hangups_core::client::ConnId;

/// What a connection task reports.
pub(crate) enum IoEvent {
    Connected(ConnId),
    Data(ConnId, Vec<u8>),
    Closed(ConnId),
}

const READ_SIZE: usize = 64 * 1024;

pub(crate) async fn run(
    conn: ConnId,
    host: String,
    port: u16,
    tls: Option<Arc<rustls::ClientConfig>>,
    writes: mpsc::UnboundedReceiver<Vec<u8>>,
    io: mpsc::UnboundedSender<IoEvent>,
) {
    let tcp = match TcpStream::connect((host.as_str(), port)).await {
        Ok(s) => s,
        Err(e) => {
            tracing::debug!(?conn, %host, port, error = %e, "connect failed");
            let _ = io.send(IoEvent::Closed(conn));
            return;
        }
    };
    let _ = tcp.set_nodelay(true);
    match tls {
        None => pump(conn, tcp, writes, io).await,
        Some(config) => {
            let Ok(name) = ServerName::try_from(host.clone()) else {
                let _ = io.send(IoEvent::Closed(conn));
                return;
            };
            match tokio_rustls::TlsConnector::from(config)
                .connect(name, tcp)
                .await
            {
                Ok(stream) => pump(conn, stream, writes, io).await,
                Err(e) => {
                    tracing::debug!(?conn, %host, error = %e, "TLS handshake failed");
                    let _ = io.send(IoEvent::Closed(conn));
                }
            }
        }
    }
}

async fn pump<S: AsyncRead + AsyncWrite>(
    conn: ConnId,
    stream: S,
    mut writes: mpsc::UnboundedReceiver<Vec<u8>>,
    io: mpsc::UnboundedSender<IoEvent>,
) {
    if io.send(IoEvent::Connected(conn)).is_err() {
        return;
    }
    let (mut reader, mut writer) = tokio::io::split(stream);
    let mut buf = vec![0u8; READ_SIZE];
    loop {
        tokio::select! {
            read = reader.read(&mut buf) => match read {
                Ok(0) | Err(_) => {
                    let _ = io.send(IoEvent::Closed(conn));
                    return;
                }
                Ok(n) => {
                    if io.send(IoEvent::Data(conn, buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
            },
            write = writes.recv() => match write {
                Some(bytes) => {
                    if writer.write_all(&bytes).await.is_err() || writer.flush().await.is_err() {
                        let _ = io.send(IoEvent::Closed(conn));
                        return;
                    }
                }
                // The driver closed this connection.
                None => return,
            },
        }
    }
}
