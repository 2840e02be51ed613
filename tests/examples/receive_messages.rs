//! hangups' `receive_messages` example: prints chat messages as they
//! arrive, here until `--count` of them did (or `--timeout` seconds passed).
//!
//! ```text
//! cargo run -p hangups-tests --example receive_messages -- \
//!     [--count N] [--timeout SECS] [--url http://127.0.0.1:PORT]
//! ```
//!
//! Defaults: 1 message, 60 s (at most a week). With the in-process emulator, Grace sends
//! one to the group once we listen.

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::StateUpdateKind;
use hangups_tokio::Event;
use std::time::Instant;

/// The longest `--timeout`: a week.
const MAX_TIMEOUT_SECS: u64 = 7 * 24 * 3600;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "prints chat messages as they arrive",
        &[
            Opt::value("--count", "N", "stop after N messages (default 1)"),
            Opt::value(
                "--timeout",
                "SECS",
                "stop after SECS seconds (default 60, at most 604800)",
            ),
        ],
    )?;
    let count: usize = args.parsed("--count", 1)?;
    let timeout = args.secs("--timeout", 60, MAX_TIMEOUT_SECS)?;
    let deadline = Instant::now().checked_add(timeout).ok_or_else(|| {
        common::CliError::invalid("--timeout", &timeout.as_secs().to_string(), "too far ahead")
    })?;
    let mut session = common::connect(&args).await?;
    if let Some(emu) = &session.emulator {
        session.wait_subscribed().await;
        emu.inject_message(common::GROUP, common::GRACE, "Hi from the emulator 👋")?;
    }
    println!("waiting for {count} messages");
    let mut received = 0;
    while received < count {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(event) = tokio::time::timeout(left, session.next_event()).await else {
            println!("timed out after {received} messages");
            break;
        };
        let Event::StateUpdate(update) = event? else {
            continue;
        };
        let StateUpdateKind::EventNotification(n) = &update.state_update else {
            continue;
        };
        let Some(ev) = &n.event else { continue };
        if ev.chat_message.is_none() {
            continue;
        }
        received += 1;
        println!(
            "received message in {} from {}: {}",
            ev.conversation_id
                .as_ref()
                .and_then(|c| c.id.clone())
                .unwrap_or_default(),
            ev.sender_id
                .as_ref()
                .and_then(|s| s.gaia_id.clone())
                .unwrap_or_default(),
            common::text_of(ev)
        );
    }
    session.close().await;
    Ok(())
}
