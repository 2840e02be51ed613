//! Decodes one pblite message from stdin and prints it.
//!
//! ```text
//! cargo run -q -p hangups-proto --example decode < proto/examples/chat_message.pblite
//! ```
//!
//! A payload with a type tag (`["cbu", ...]`) is decoded as a `BatchUpdate`;
//! `--type NAME` picks another message type for untagged input
//! (`Event`, `Conversation`, `Segment`, `StateUpdate`, `Entity`).

use hangups_proto::hangouts::*;
use hangups_proto::pblite::{self, DecodeOptions};
use hangups_proto::Message;
use std::io::Read;
use std::process::ExitCode;

fn show<M: Message>(text: &str, options: DecodeOptions) -> Result<(), hangups_proto::DecodeError> {
    let decoded = pblite::decode_with::<M>(text, options)?;
    println!("{}: {:#?}", M::NAME, decoded.message);
    eprintln!("{} malformed field(s) skipped", decoded.skipped);
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let ty = args
        .iter()
        .position(|a| a == "--type")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("reading stdin: {e}");
        return ExitCode::FAILURE;
    }
    let tagged = pblite::peek_tag(&text).is_some();
    let options = if tagged {
        DecodeOptions::tagged()
    } else {
        DecodeOptions::default()
    };
    let result = match ty.as_deref().unwrap_or("BatchUpdate") {
        "BatchUpdate" => show::<BatchUpdate>(&text, options),
        "StateUpdate" => show::<StateUpdate>(&text, options),
        "Event" => show::<Event>(&text, options),
        "Conversation" => show::<Conversation>(&text, options),
        "Segment" => show::<Segment>(&text, options),
        "Entity" => show::<Entity>(&text, options),
        other => {
            eprintln!("unknown --type {other}");
            return ExitCode::FAILURE;
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
