//! The soak: the emulator binary and the `watch` example as child
//! processes, messages injected through the control API at ~20/s while
//! every fault knob fires at random times, then a drain period; prints
//! injected / delivered / lost / duplicated / reordered and each knob's
//! fire count. Exits non-zero if anything was lost or duplicated.
//!
//! ```text
//! cargo build -p hangups-tests --bin hangups-emulator --example watch --example soak
//! cargo run -p hangups-tests --example soak -- [--seconds N | --minutes N] [--drain SECS] [--seed N]
//! ```
//!
//! Not a timed test: a run takes as long as asked (default 60 s plus the
//! drain). `watch` and `hangups-emulator` are taken from the directory the
//! soak runs from (`target/<profile>/`), or `--watch PATH`, `--emulator PATH`.

use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: soak [--seconds N | --minutes N] [--drain SECS] [--seed N] \
[--rate PER_SEC] [--emulator PATH] [--watch PATH]";
const GRACE: &str = "100000000000000000002";
const CONVERSATIONS: [&str; 2] = ["UgwEmulatorGroupChat4AaABAQ", "UgwEmulatorOneToOne4AaABAQ"];
/// The knobs, in the emulator's names (`GET /_emulator/faults`).
const KNOBS: [&str; 9] = [
    "drop_long_poll_after",
    "split_writes",
    "expire_sessions",
    "stall",
    "close_after_each_chunk",
    "api_http_status",
    "api_response_status",
    "sid_http_status",
    "long_poll_garbage",
];

struct Args {
    run: Duration,
    drain: Duration,
    seed: u64,
    rate: u32,
    emulator: PathBuf,
    watch: PathBuf,
}

fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Option<Args>, String> {
    let here = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(PathBuf::from))
        .unwrap_or_default();
    // Examples live in target/<profile>/examples/, binaries one up.
    let profile_dir = here.parent().map(PathBuf::from).unwrap_or_default();
    let exe = std::env::consts::EXE_SUFFIX;
    let mut a = Args {
        run: Duration::from_secs(60),
        drain: Duration::from_secs(60),
        seed: 0x50a4,
        rate: 20,
        emulator: profile_dir.join(format!("hangups-emulator{exe}")),
        watch: here.join(format!("watch{exe}")),
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|a| format!("argument {a:?} is not UTF-8"))?;
        let mut value = |name: &str| -> Result<String, String> {
            args.next()
                .ok_or(format!("{name} needs a value"))?
                .into_string()
                .map_err(|v| format!("{name}: {v:?} is not UTF-8"))
        };
        let number = |name: &str, v: String| -> Result<u64, String> {
            v.parse::<u64>()
                .map_err(|e| format!("{name} {v:?}: {e}"))
                .map(|n| n.min(1 << 24))
        };
        match arg.as_str() {
            "--seconds" => a.run = Duration::from_secs(number("--seconds", value("--seconds")?)?),
            "--minutes" => {
                a.run = Duration::from_secs(60 * number("--minutes", value("--minutes")?)?);
            }
            "--drain" => a.drain = Duration::from_secs(number("--drain", value("--drain")?)?),
            "--seed" => a.seed = number("--seed", value("--seed")?)?,
            "--rate" => {
                a.rate =
                    u32::try_from(number("--rate", value("--rate")?)?.clamp(1, 1000)).unwrap_or(20);
            }
            "--emulator" => a.emulator = PathBuf::from(value("--emulator")?),
            "--watch" => a.watch = PathBuf::from(value("--watch")?),
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(a))
}

type Error = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    let args = match parse_args(std::env::args_os().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("soak: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut children = Children::default();
    let result = soak(&args, &mut children);
    drop(children);
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("soak: {e}");
            ExitCode::from(2)
        }
    }
}

/// The child processes, killed (by their own handles) when dropped.
#[derive(Default)]
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One line of `watch`.
enum Line {
    Message { event_id: String },
    Event(String),
}

fn soak(args: &Args, children: &mut Children) -> Result<bool, Error> {
    // The emulator, with noops and long-poll ends often enough that every
    // knob gets its chance within seconds.
    let mut emulator = Command::new(&args.emulator)
        .args(["--noop-interval", "2", "--long-poll", "5"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", args.emulator.display()))?;
    let emu_out = emulator.stdout.take().ok_or("no emulator stdout")?;
    children.0.push(emulator);
    let mut first = String::new();
    BufReader::new(emu_out).read_line(&mut first)?;
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .ok_or(format!("unexpected emulator output {first:?}"))?
        .to_string();
    let authority = url.trim_start_matches("http://").to_string();
    eprintln!("soak: emulator at {url}");

    let mut watch = Command::new(&args.watch)
        .args(["--url", &url])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", args.watch.display()))?;
    let watch_out = watch.stdout.take().ok_or("no watch stdout")?;
    children.0.push(watch);
    let (lines_tx, lines) = mpsc::channel::<Line>();
    std::thread::spawn(move || {
        for line in BufReader::new(watch_out).lines() {
            let Ok(line) = line else { return };
            let Ok(v) = serde_json::from_str::<Value>(&line) else {
                eprintln!("soak: not JSON from watch: {line:?}");
                continue;
            };
            let parsed = match (v["event_id"].as_str(), v["event"].as_str()) {
                (Some(id), _) => Line::Message {
                    event_id: id.to_string(),
                },
                (None, Some(ev)) => Line::Event(ev.to_string()),
                _ => continue,
            };
            if lines_tx.send(parsed).is_err() {
                return;
            }
        }
    });

    let mut tally = Tally::default();
    let connected_by = Instant::now() + Duration::from_secs(60);
    while !tally.events.contains_key("Connected") {
        let left = connected_by.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("watch did not connect within 60 s".into());
        }
        if let Ok(line) = lines.recv_timeout(left) {
            tally.take(line);
        }
    }

    let mut rng = Rng(args.seed | 1);
    let mut knobs = Vec::new();
    let mut injected: Vec<(String, usize)> = Vec::new();
    let start = Instant::now();
    let gap = Duration::from_secs(1) / args.rate;
    let mut next_fault = start + Duration::from_millis(rng.range(1000, 3000));
    let mut n = 0u64;
    eprintln!("soak: injecting at {}/s for {:?}", args.rate, args.run);
    while start.elapsed() < args.run {
        let due = start + gap * u32::try_from(n).unwrap_or(u32::MAX);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            while let Ok(line) = lines.recv_timeout(wait.min(Duration::from_millis(5))) {
                tally.take(line);
            }
            continue;
        }
        let conv = (n % 2) as usize;
        let body = json!({
            "conversation_id": CONVERSATIONS[conv],
            "sender_id": GRACE,
            "text": format!("soak {n}"),
        });
        let reply = post(&authority, "/_emulator/messages", &body)?;
        let id = reply["event_id"]
            .as_str()
            .ok_or(format!("inject: {reply}"))?
            .to_string();
        injected.push((id, conv));
        n += 1;
        if Instant::now() >= next_fault {
            if knobs.is_empty() {
                knobs = KNOBS.to_vec();
                rng.shuffle(&mut knobs);
            }
            let knob = knobs.pop().unwrap_or("expire_sessions");
            post(&authority, "/_emulator/faults", &fault(knob, &mut rng))?;
            // A sticky knob stays long enough for a new long-poll to start.
            let (low, high) = match knob {
                "split_writes" | "close_after_each_chunk" => (6000, 12000),
                // Past the next noop (2 s), so a one-shot knob fires.
                _ => (2500, 5000),
            };
            next_fault = Instant::now() + Duration::from_millis(rng.range(low, high));
        }
        while let Ok(line) = lines.try_recv() {
            tally.take(line);
        }
    }
    post(&authority, "/_emulator/faults", &json!({}))?;
    eprintln!(
        "soak: {} injected; draining for up to {:?}",
        injected.len(),
        args.drain
    );
    let drain_until = Instant::now() + args.drain;
    while Instant::now() < drain_until
        && !injected
            .iter()
            .all(|(id, _)| tally.arrivals.contains_key(id.as_str()))
    {
        if let Ok(line) = lines.recv_timeout(Duration::from_millis(100)) {
            tally.take(line);
        }
    }
    // A last short look for late duplicates.
    let settle = Instant::now() + Duration::from_secs(2);
    while let Ok(line) = lines.recv_timeout(settle.saturating_duration_since(Instant::now())) {
        tally.take(line);
    }
    let fired = get(&authority, "/_emulator/faults")?["fired"].clone();
    Ok(report(&injected, &tally, &fired, start.elapsed()))
}

/// The faults to set for `knob` (setting replaces all knobs; the API and
/// SID knobs come with an expired session, so that a catch-up and a new
/// SID request follow at once).
fn fault(knob: &str, rng: &mut Rng) -> Value {
    match knob {
        "drop_long_poll_after" => json!({"drop_long_poll_after": rng.range(0, 400)}),
        "split_writes" => json!({"split_writes": rng.range(1, 64)}),
        "expire_sessions" => json!({"expire_sessions": true}),
        "stall" => json!({"stall_ms": rng.range(500, 4000)}),
        "close_after_each_chunk" => json!({"close_after_each_chunk": true}),
        "api_http_status" => json!({"api_http_status": 500, "expire_sessions": true}),
        "api_response_status" => json!({
            "api_response_status": 3,
            "api_error_description": "soak",
            "expire_sessions": true,
        }),
        "sid_http_status" => json!({"sid_http_status": 503, "expire_sessions": true}),
        _ => json!({"long_poll_garbage": "junk4\nfail"}),
    }
}

/// What `watch` printed.
#[derive(Default)]
struct Tally {
    /// Each message event id with the indexes of its lines.
    arrivals: HashMap<String, Vec<usize>>,
    lines: usize,
    events: BTreeMap<String, u64>,
}

impl Tally {
    fn take(&mut self, line: Line) {
        self.lines += 1;
        match line {
            Line::Message { event_id } => {
                self.arrivals.entry(event_id).or_default().push(self.lines);
            }
            Line::Event(name) => *self.events.entry(name).or_default() += 1,
        }
    }
}

/// Prints the figures; whether nothing was lost or duplicated.
fn report(injected: &[(String, usize)], tally: &Tally, fired: &Value, ran: Duration) -> bool {
    let mut delivered = 0;
    let mut duplicated = 0;
    let mut reordered = 0;
    let mut newest = [0usize; CONVERSATIONS.len()];
    for (id, conv) in injected {
        let Some(at) = tally.arrivals.get(id) else {
            continue;
        };
        delivered += 1;
        duplicated += at.len() - 1;
        // Arrived before a message injected earlier in its conversation.
        if at[0] < newest[*conv] {
            reordered += 1;
        }
        newest[*conv] = newest[*conv].max(at[0]);
    }
    let lost = injected.len() - delivered;
    println!("soak: ran {:.0} s", ran.as_secs_f64());
    println!("injected   {}", injected.len());
    println!("delivered  {delivered}");
    println!("lost       {lost}");
    println!("duplicated {duplicated}");
    println!("reordered  {reordered}");
    let events: Vec<String> = tally
        .events
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    println!("watch events: {}", events.join(", "));
    println!("knobs fired:");
    for knob in KNOBS {
        println!("  {knob:<24} {}", fired[knob].as_u64().unwrap_or(0));
    }
    let idle: Vec<&str> = KNOBS
        .into_iter()
        .filter(|k| fired[*k].as_u64().unwrap_or(0) == 0)
        .collect();
    if !idle.is_empty() {
        println!("warning: never fired: {} (run longer)", idle.join(", "));
    }
    lost == 0 && duplicated == 0
}

/// `POST path` with a JSON body to the control API; the JSON reply.
fn post(authority: &str, path: &str, body: &Value) -> Result<Value, Error> {
    let body = body.to_string();
    http(
        authority,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn get(authority: &str, path: &str) -> Result<Value, Error> {
    http(
        authority,
        &format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"),
    )
}

fn http(authority: &str, request: &str) -> Result<Value, Error> {
    let mut tcp = std::net::TcpStream::connect(authority)?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    tcp.write_all(request.as_bytes())?;
    let mut reply = Vec::new();
    tcp.take(1 << 22).read_to_end(&mut reply)?;
    let reply = String::from_utf8_lossy(&reply);
    let (head, body) = reply.split_once("\r\n\r\n").ok_or("no HTTP reply")?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!("control API: {head:?} {body:?}").into());
    }
    Ok(serde_json::from_str(body)?)
}

/// xorshift64: a fixed schedule per seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low).max(1)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}
