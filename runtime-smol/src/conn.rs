//! One connection task: connect (TCP, then TLS if asked), then copy bytes
//! both ways until either side ends. It reports to the driver through
//! `IoEvent`s; the driver closes it by dropping its [`smol::Task`] (which
//! cancels it and drops the socket).

use futures_rustls::TlsConnector;
use rustls::pki_types::ServerName;
use smol::channel::{Receiver, Sender};
use smol::future::FutureExt;
use smol::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use smol::net::TcpStream;
use std::sync::Arc;

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
    writes: Receiver<Vec<u8>>,
    io: Sender<IoEvent>,
) {
    let tcp = match TcpStream::connect((host.as_str(), port)).await {
        Ok(s) => s,
        Err(e) => {
            tracing::debug!(?conn, %host, port, error = %e, "connect failed");
            let _ = io.try_send(IoEvent::Closed(conn));
            return;
        }
    };
    let _ = tcp.set_nodelay(true);
    match tls {
        None => pump(conn, tcp, writes, io).await,
        Some(config) => {
            let Ok(name) = ServerName::try_from(host.clone()) else {
                let _ = io.try_send(IoEvent::Closed(conn));
                return;
            };
            match TlsConnector::from(config).connect(name, tcp).await {
                Ok(stream) => pump(conn, stream, writes, io).await,
                Err(e) => {
                    tracing::debug!(?conn, %host, error = %e, "TLS handshake failed");
                    let _ = io.try_send(IoEvent::Closed(conn));
                }
            }
        }
    }
}

/// What the connection does next.
enum Step {
    Read(std::io::Result<usize>),
    Write(Option<Vec<u8>>),
}

async fn pump<S: AsyncRead + AsyncWrite + Unpin>(
    conn: ConnId,
    mut stream: S,
    writes: Receiver<Vec<u8>>,
    io: Sender<IoEvent>,
) {
    if io.try_send(IoEvent::Connected(conn)).is_err() {
        return;
    }
    let mut buf = vec![0u8; READ_SIZE];
    loop {
        // Both futures are cancel-safe: the loser loses nothing.
        let read = async { Step::Read(stream.read(&mut buf).await) };
        let write = async { Step::Write(writes.recv().await.ok()) };
        match read.race(write).await {
            Step::Read(Ok(0) | Err(_)) => {
                let _ = io.try_send(IoEvent::Closed(conn));
                return;
            }
            Step::Read(Ok(n)) => {
                if io.try_send(IoEvent::Data(conn, buf[..n].to_vec())).is_err() {
                    return;
                }
            }
            Step::Write(Some(bytes)) => {
                if stream.write_all(&bytes).await.is_err() || stream.flush().await.is_err() {
                    let _ = io.try_send(IoEvent::Closed(conn));
                    return;
                }
            }
            // The driver closed this connection.
            Step::Write(None) => return,
        }
    }
}
