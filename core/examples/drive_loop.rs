//! The whole drive loop of a hangups-core [`Client`] over std sockets, on
//! one thread, in the shape every driver has (STYLE.md §3): drain outputs,
//! drain events, wait for input or the deadline, feed it in. Plain HTTP
//! only (TLS is hangups-driver's job), so run it against the emulator:
//!
//! ```text
//! cargo run -p hangups-tests --bin hangups-emulator -- --listen 127.0.0.1:8080 &
//! cargo run -p hangups-core --example drive_loop -- http://127.0.0.1:8080
//! ```
//!
//! It takes the self user's cookies from the emulator's control API,
//! connects the push channel, asks GetSelfInfo, prints every event and
//! stops after `--seconds` (default 5).

use hangups_core::api::{ApiRequest, Cookies};
use hangups_core::client::{Client, Config, ConnId, Event, Input, Output};
use hangups_core::proto::hangouts::GetSelfInfoRequest;
use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let seconds = match (args.next().as_deref(), args.next()) {
        (Some("--seconds"), Some(s)) => s.parse()?,
        _ => 5,
    };
    let cookies = emulator_cookies(&url)?;
    let unix_secs = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let mut client = Client::new(
        Config::new(cookies).with_url(&url)?,
        Instant::now(),
        unix_secs,
    )?;
    client.connect(Instant::now());
    client.request(
        Instant::now(),
        ApiRequest::from(GetSelfInfoRequest::default()),
    )?;

    let mut sockets: HashMap<ConnId, TcpStream> = HashMap::new();
    let mut buf = vec![0u8; 16 * 1024];
    let stop = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < stop && !client.is_closed() {
        // 1. Drain the outputs: connect, write, close.
        while let Some(output) = client.poll_output() {
            match output {
                Output::Connect {
                    conn, host, port, ..
                } => match TcpStream::connect((host.as_str(), port)) {
                    Ok(tcp) => {
                        tcp.set_nonblocking(true)?;
                        sockets.insert(conn, tcp);
                        client.handle_input(Instant::now(), Input::Connected(conn));
                    }
                    Err(_) => client.handle_input(Instant::now(), Input::Closed(conn)),
                },
                Output::Transmit { conn, bytes } => {
                    if let Some(tcp) = sockets.get_mut(&conn) {
                        // A real driver queues what would block; this one
                        // waits (requests are small).
                        tcp.set_nonblocking(false)?;
                        let written = tcp.write_all(&bytes);
                        tcp.set_nonblocking(true)?;
                        if written.is_err() {
                            sockets.remove(&conn);
                            client.handle_input(Instant::now(), Input::Closed(conn));
                        }
                    }
                }
                Output::Close { conn } => {
                    sockets.remove(&conn);
                }
                // TLS (here only after a proxy tunnel) is a driver's job:
                // this example has none, so the connection fails.
                Output::StartTls { conn, .. } => {
                    sockets.remove(&conn);
                    client.handle_input(Instant::now(), Input::Closed(conn));
                }
            }
        }
        // 2. Drain the events.
        while let Some(event) = client.poll_event() {
            match event {
                Event::Response { result, .. } => {
                    println!("response: {:?}", result.map(|r| r.name()))
                }
                Event::StateUpdate(update) => println!("state update: {:?}", update.state_update),
                other => println!("event: {other:?}"),
            }
        }
        // 3. Take whatever input is ready; else wait a little, never past
        //    the client's deadline.
        let mut any = false;
        let ids: Vec<ConnId> = sockets.keys().copied().collect();
        for id in ids {
            let Some(tcp) = sockets.get_mut(&id) else {
                continue;
            };
            match tcp.read(&mut buf) {
                Ok(0) => {
                    sockets.remove(&id);
                    client.handle_input(Instant::now(), Input::Closed(id));
                }
                Ok(n) => client.handle_input(Instant::now(), Input::Data(id, &buf[..n])),
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                Err(_) => {
                    sockets.remove(&id);
                    client.handle_input(Instant::now(), Input::Closed(id));
                }
            }
            any = true;
        }
        if !any {
            let now = Instant::now();
            let wake = client
                .poll_timeout()
                .unwrap_or(stop)
                .min(stop)
                .min(now + Duration::from_millis(5));
            std::thread::sleep(wake.saturating_duration_since(now));
            client.handle_timeout(Instant::now());
        }
    }
    client.disconnect(Instant::now());
    Ok(())
}

/// The self user's cookies, from the emulator's control API
/// (`POST /_emulator/session` answers `{"cookies": [[name, value], …]}`).
fn emulator_cookies(url: &str) -> Result<Cookies, Box<dyn std::error::Error>> {
    let authority = url.split("://").nth(1).unwrap_or(url).trim_end_matches('/');
    let mut tcp = TcpStream::connect(authority)?;
    write!(
        tcp,
        "POST /_emulator/session HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    tcp.read_to_string(&mut response)?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let json: serde_json::Value = serde_json::from_str(body)?;
    let pairs = json["cookies"]
        .as_array()
        .ok_or("no cookies in the answer")?;
    Ok(pairs
        .iter()
        .filter_map(|c| Some((c[0].as_str()?.to_string(), c[1].as_str()?.to_string())))
        .collect())
}
