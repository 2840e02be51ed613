//! How many clients one process holds against the emulator, their heap
//! memory when idle, and the push-to-application latency.
//!
//! ```text
//! cargo bench -p hangups-tests --bench clients                     # 10,000 clients, 500 samples
//! HANGUPS_BENCH_CLIENTS=1000 HANGUPS_BENCH_SAMPLES=200 cargo bench -p hangups-tests --bench clients
//! ```
//!
//! The emulator runs as a separate process (the `hangups-emulator` binary)
//! so that only the clients' allocations are counted. N tokio-adapter
//! clients connect over plain HTTP on 127.0.0.1 (a few of them as users of
//! their own, the rest sharing the default user) and go idle; the heap in
//! use per client is measured with a counting allocator. Then messages are
//! injected one at a time, each into a conversation of one of the dedicated
//! users, and the time from just before the control-API request that
//! injects it to the moment that client's application receives the event
//! is recorded: p50 and p99 over the samples, with all N clients connected.
//! While sampling, the CPU time of the emulator process and of the clients'
//! process (every thread, in ns) are read from `/proc` and shown as shares of the total, so a
//! reader can tell whether the emulator or the clients bound the figure.

use hangups_tokio::{Client, Config, Cookies, Event};
use serde_json::{json, Value};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes currently allocated on the heap.
fn heap_in_use() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64 + s.bytes_reallocated as i64
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One request to the emulator's control API.
fn control(addr: &str, method: &str, path: &str, body: &Value) -> Value {
    let body = body.to_string();
    let mut s = TcpStream::connect(addr).expect("control connect");
    write!(
        s,
        "{method} /_emulator/{path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (_, body) = out.split_once("\r\n\r\n").expect("response");
    serde_json::from_str(body).unwrap_or(Value::Null)
}

fn cookies_of(session: &Value) -> Cookies {
    session["cookies"]
        .as_array()
        .expect("cookies")
        .iter()
        .map(|c| {
            (
                c[0].as_str().unwrap().to_string(),
                c[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn main() {
    let n = env_or("HANGUPS_BENCH_CLIENTS", 10_000);
    let samples = env_or("HANGUPS_BENCH_SAMPLES", 500);
    let dedicated = 100.min(n);

    let mut emulator = Command::new(env!("CARGO_BIN_EXE_hangups-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--noop-interval",
            "20",
            "--long-poll",
            "240",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start hangups-emulator");
    let mut line = String::new();
    BufReader::new(emulator.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_string();
    let addr = url.trim_start_matches("http://").to_string();

    // Users of their own, each in a one-to-one conversation with Grace.
    let grace = "100000000000000000002";
    let mut convs = Vec::new();
    let mut user_cookies = Vec::new();
    for i in 0..dedicated {
        let id = format!("9{:020}", i);
        control(
            &addr,
            "POST",
            "users",
            &json!({"id": id, "name": format!("Bench {i}")}),
        );
        let conv = control(
            &addr,
            "POST",
            "conversations",
            &json!({"participants": [grace, id], "type": "one_to_one"}),
        );
        convs.push(conv["id"].as_str().expect("conversation id").to_string());
        user_cookies.push(cookies_of(&control(
            &addr,
            "POST",
            "session",
            &json!({"user": id}),
        )));
    }
    let shared_cookies = cookies_of(&control(&addr, "POST", "session", &json!({})));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Arrival times of "bench <k>" messages, by k.
    let arrivals: Arc<Mutex<HashMap<usize, Instant>>> = Arc::default();
    let connected = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let before = heap_in_use();
    let start = Instant::now();
    let clients = rt.block_on(async {
        let mut clients = Vec::with_capacity(n);
        for batch in (0..n).collect::<Vec<_>>().chunks(250) {
            let mut handles = Vec::new();
            for &i in batch {
                let cookies = if i < dedicated {
                    user_cookies[i].clone()
                } else {
                    shared_cookies.clone()
                };
                let mut config = Config::default().with_url(&url).unwrap();
                config.proxy_from_env = false;
                let (arrivals, connected) = (arrivals.clone(), connected.clone());
                handles.push(tokio::spawn(async move {
                    let (client, mut events) =
                        Client::connect(cookies, config).await.expect("connect");
                    tokio::spawn(async move {
                        while let Some(ev) = events.next().await {
                            match ev {
                                Event::ClientId(_) => {
                                    connected.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                }
                                Event::StateUpdate(su) => {
                                    if let Some(k) = bench_number(&su) {
                                        arrivals.lock().unwrap().insert(k, Instant::now());
                                    }
                                }
                                _ => {}
                            }
                        }
                    });
                    client
                }));
            }
            for h in handles {
                clients.push(h.await.unwrap());
            }
        }
        while connected.load(std::sync::atomic::Ordering::SeqCst) < n {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Let subscriptions land and buffers settle.
        tokio::time::sleep(Duration::from_secs(2)).await;
        clients
    });
    let setup = start.elapsed();
    let per_client = (heap_in_use() - before) / n as i64;

    let cpu_before = (cpu_ticks(emulator.id()), cpu_ticks(std::process::id()));
    let sampling = Instant::now();
    let mut latencies = Vec::with_capacity(samples);
    for k in 0..samples {
        let conv = &convs[k % dedicated];
        let t0 = Instant::now();
        control(
            &addr,
            "POST",
            "messages",
            &json!({"conversation_id": conv, "sender_id": grace, "text": format!("bench {k}")}),
        );
        let deadline = t0 + Duration::from_secs(5);
        loop {
            if let Some(at) = arrivals.lock().unwrap().get(&k) {
                latencies.push(at.duration_since(t0));
                break;
            }
            assert!(Instant::now() < deadline, "message {k} did not arrive");
            std::thread::sleep(Duration::from_micros(50));
        }
    }
    let sampling = sampling.elapsed();
    let cpu_after = (cpu_ticks(emulator.id()), cpu_ticks(std::process::id()));
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "clients connected and idle:        {n} (setup {:.1} s)",
        setup.as_secs_f64()
    );
    println!(
        "heap per idle client (tokio):      {} bytes ({:.1} KiB)",
        per_client,
        per_client as f64 / 1024.0
    );
    println!(
        "push-to-application latency:       p50 {:?}  p99 {:?}  max {:?}  ({} samples)",
        pct(0.5),
        pct(0.99),
        latencies[latencies.len() - 1],
        latencies.len()
    );
    match (cpu_before, cpu_after) {
        ((Some(e0), Some(c0)), (Some(e1), Some(c1))) => {
            let (emu, cli) = ((e1 - e0) as f64, (c1 - c0) as f64);
            let total = (emu + cli).max(1.0);
            println!(
                "CPU while sampling ({:.1} s):      emulator {:.0} %, clients {:.0} % of the CPU time used",
                sampling.as_secs_f64(),
                100.0 * emu / total,
                100.0 * cli / total
            );
        }
        _ => println!("CPU while sampling:                n/a (no /proc)"),
    }
    drop(clients);
    let _ = emulator.kill();
    let _ = emulator.wait();
}

/// CPU time of process `pid` in nanoseconds: the sum over its threads of
/// the first field of `/proc/<pid>/task/<tid>/schedstat` (Linux, ns
/// precision); `None` elsewhere.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let mut total = 0u64;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let path = task.ok()?.path().join("schedstat");
        let Ok(stat) = std::fs::read_to_string(path) else {
            continue; // the thread ended meanwhile
        };
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// `k` of a "bench k" chat message.
fn bench_number(su: &hangups_tokio::proto::hangouts::StateUpdate) -> Option<usize> {
    use hangups_tokio::proto::hangouts::StateUpdateKind;
    let StateUpdateKind::EventNotification(n) = &su.state_update else {
        return None;
    };
    let seg = n
        .event
        .as_ref()?
        .chat_message
        .as_ref()?
        .message_content
        .as_ref()?
        .segment
        .first()?;
    seg.text.as_deref()?.strip_prefix("bench ")?.parse().ok()
}
