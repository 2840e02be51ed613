//! One connection task: connect (TCP, then TLS if asked), then copy bytes
//! both ways until either side ends. It reports to the driver through
//! `IoEvent`s and stops when the driver drops its write channel or aborts it.

use rustls::pki_types::ServerName;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use hangups_core::client::ConnId;
use hangups_core::proxy::{connect_request, Proxy, TunnelHandshake};

/// What a connection task reports.
pub(crate) enum IoEvent {
    Connected(ConnId),
    Data(ConnId, Vec<u8>),
    Closed(ConnId),
}

/// Bytes read per call: small, since every idle client holds one buffer per
/// connection (the long-poll), and the stream decoder takes any split.
const READ_SIZE: usize = 8 * 1024;

/// Where and how to connect.
pub(crate) struct Target {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) tls: Option<Arc<rustls::ClientConfig>>,
    pub(crate) via: Option<Proxy>,
}

pub(crate) async fn run(
    conn: ConnId,
    target: Target,
    writes: mpsc::UnboundedReceiver<Vec<u8>>,
    io: mpsc::UnboundedSender<IoEvent>,
) {
    let Target {
        host,
        port,
        tls,
        via,
    } = target;
    let (to_host, to_port) = via
        .as_ref()
        .map_or((host.as_str(), port), |p| (p.host.as_str(), p.port));
    let mut tcp = match TcpStream::connect((to_host, to_port)).await {
        Ok(s) => s,
        Err(e) => {
            tracing::debug!(?conn, host = %to_host, port = to_port, error = %e, "connect failed");
            let _ = io.send(IoEvent::Closed(conn));
            return;
        }
    };
    let _ = tcp.set_nodelay(true);
    if via.is_some() && tls.is_some() {
        if let Err(e) = tunnel(&mut tcp, &host, port).await {
            tracing::debug!(?conn, %host, error = %e, "proxy tunnel failed");
            let _ = io.send(IoEvent::Closed(conn));
            return;
        }
    }
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

/// Opens a `CONNECT` tunnel through the proxy `tcp` is connected to.
async fn tunnel(tcp: &mut TcpStream, host: &str, port: u16) -> std::io::Result<()> {
    tcp.write_all(&connect_request(host, port)).await?;
    let mut handshake = TunnelHandshake::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tcp.read(&mut buf).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        match handshake.feed(&buf[..n]) {
            Ok(None) => {}
            // The server cannot speak before our TLS hello.
            Ok(Some(used)) if used == n => return Ok(()),
            Ok(Some(_)) => return Err(std::io::Error::other("data after the proxy's answer")),
            Err(e) => return Err(std::io::Error::other(e)),
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
