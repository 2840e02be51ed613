//! The Hangouts emulator as a program.
//!
//! ```text
//! hangups-emulator [--listen 127.0.0.1:PORT] [--tls --cert-out PATH]
//!                  [--noop-interval SECS] [--long-poll SECS] [--empty-world] [--seed N]
//!                  [--lively]
//! ```
//!
//! Prints `listening on http://127.0.0.1:PORT` (`https` with `--tls`) on
//! stdout once it accepts connections, then serves until killed. With
//! `--tls` the freshly generated self-signed certificate is written (PEM)
//! to `--cert-out` before that line. The Google Chat emulator
//! ([`hangups_tests::chat_emulator`]) is served on the same port under
//! `/v1/` and `/_emulator/chat/`.

use hangups_tests::emulator::{Emulator, EmulatorConfig};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: hangups-emulator [--listen ADDR:PORT] [--tls --cert-out PATH] \
[--noop-interval SECS] [--long-poll SECS] [--empty-world] [--seed N] [--lively]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hangups-emulator: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut config = EmulatorConfig::default();
    let mut cert_out: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--listen" => {
                let v = value("--listen")?;
                config.listen = v
                    .parse::<SocketAddr>()
                    .map_err(|e| format!("--listen {v}: {e}"))?;
            }
            "--tls" => config.tls = true,
            "--cert-out" => cert_out = Some(value("--cert-out")?),
            "--noop-interval" => config.noop_interval = seconds(&value("--noop-interval")?)?,
            "--long-poll" => config.long_poll_duration = seconds(&value("--long-poll")?)?,
            "--empty-world" => config.default_world = false,
            "--lively" => config.lively = true,
            "--seed" => {
                let v = value("--seed")?;
                config.seed = v.parse().map_err(|e| format!("--seed {v}: {e}"))?;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if config.tls != cert_out.is_some() {
        return Err(format!("--tls and --cert-out go together\n{USAGE}"));
    }
    let emulator = Emulator::start(config).map_err(|e| format!("cannot start: {e}"))?;
    if let (Some(path), Some(pem)) = (cert_out, emulator.cert_pem()) {
        std::fs::write(&path, pem).map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {}", emulator.url()).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    drop(out);
    loop {
        std::thread::park();
    }
}

/// Whole or fractional seconds.
fn seconds(v: &str) -> Result<Duration, String> {
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64)
        .ok_or(format!("{v:?} is not a positive number of seconds"))
}
