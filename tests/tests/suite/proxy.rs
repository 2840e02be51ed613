//! A small HTTP proxy for the suite: `CONNECT host:port` tunnels and
//! absolute-form plain requests, on 127.0.0.1, one thread per connection.
//! It records each request line it served.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// A running proxy.
pub struct TestProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The request lines it served, in order.
    pub seen: Arc<Mutex<Vec<String>>>,
}

impl TestProxy {
    /// Starts a proxy on a free port.
    pub fn start() -> TestProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let log = log.clone();
                thread::spawn(move || {
                    let _ = serve(client, &log);
                });
            }
        });
        TestProxy { url, seen }
    }

    /// The request lines served so far.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(mut client: TcpStream, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        let n = client.read(&mut tmp)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let line = head.lines().next().unwrap_or_default().to_string();
    log.lock().unwrap().push(line.clone());
    let mut parts = line.split(' ');
    let (method, target) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let mut upstream;
    if method == "CONNECT" {
        upstream = TcpStream::connect(target)?;
        client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
        upstream.write_all(&buf[head_end..])?;
    } else {
        let rest = target.strip_prefix("http://").unwrap_or(target);
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        upstream = TcpStream::connect(authority)?;
        let after_first_line = &head[line.len()..];
        // One request per client connection: this little proxy does not
        // parse further requests, so it asks the server to close after it.
        write!(
            upstream,
            "{method} {} HTTP/1.1\r\nConnection: close{after_first_line}",
            if path.is_empty() { "/" } else { path }
        )?;
        upstream.write_all(&buf[head_end..])?;
    }
    let (mut c2, mut u2) = (client.try_clone()?, upstream.try_clone()?);
    let up = thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut u2);
        let _ = u2.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut upstream, &mut client);
    let _ = client.shutdown(Shutdown::Both);
    let _ = up.join();
    Ok(())
}
