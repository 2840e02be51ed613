//! hangups' `send_map_location` example: sends a place (name, address,
//! coordinates) to a conversation.
//!
//! ```text
//! cargo run -p hangups-tests --example send_map_location -- \
//!     [--conversation-id ID] [--name NAME] [--address ADDR] \
//!     [--latitude LAT] [--longitude LONG] [--url http://127.0.0.1:PORT]
//! ```
//!
//! Defaults: the emulator's group; the Computer History Museum. The place
//! goes in `location` (the emulator turns it into a place attachment) and,
//! its name also goes as the message text.

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::{
    EmbedItem, EmbedItemGeoCoordinates, EmbedItemPostalAddress, Location, MessageContent, Place,
    Segment, SendChatMessageRequest,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "sends a place (name, address, coordinates) to a conversation",
        &[
            Opt::value(
                "--conversation-id",
                "ID",
                "the conversation (default: the group)",
            ),
            Opt::value("--name", "NAME", "the place's name"),
            Opt::value("--address", "ADDRESS", "its address"),
            Opt::value("--latitude", "DEG", "its latitude, -90 to 90"),
            Opt::value("--longitude", "DEG", "its longitude, -180 to 180"),
        ],
    )?;
    let conversation = args.or("--conversation-id", common::GROUP);
    let name = args.or("--name", "Computer History Museum");
    let address = args.or(
        "--address",
        "1401 N Shoreline Blvd, Mountain View, CA 94043",
    );
    let latitude = args.number_in("--latitude", 37.414_274, -90.0..=90.0)?;
    let longitude = args.number_in("--longitude", -122.077_409, -180.0..=180.0)?;
    let session = common::connect(&args).await?;
    let sent = session
        .client
        .send_chat_message(SendChatMessageRequest {
            event_request_header: common::event_header(&conversation).map(Box::new),
            message_content: Some(Box::new(MessageContent {
                segment: vec![Segment {
                    text: Some(format!("{name}, {address}")),
                    ..Default::default()
                }],
                ..Default::default()
            })),
            location: Some(Location {
                place: Some(Box::new(Place {
                    name: Some(name.clone()),
                    address: Some(Box::new(EmbedItem {
                        postal_address: Some(EmbedItemPostalAddress {
                            street_address: Some(address),
                        }),
                        ..Default::default()
                    })),
                    geo: Some(Box::new(EmbedItem {
                        geo_coordinates: Some(Box::new(EmbedItemGeoCoordinates {
                            latitude: Some(latitude),
                            longitude: Some(longitude),
                        })),
                        ..Default::default()
                    })),
                    ..Default::default()
                })),
            }),
            ..Default::default()
        })
        .await?;
    let event = sent.created_event.unwrap_or_default();
    println!(
        "sent location {name:?} ({latitude}, {longitude}) to {conversation} as event {}",
        event.event_id.unwrap_or_default()
    );
    session.close().await;
    Ok(())
}
