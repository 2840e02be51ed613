//! hangups' `upload_image` example: uploads an image and sends it as a
//! photo message.
//!
//! ```text
//! cargo run -p hangups-tests --example upload_image -- \
//!     [--conversation-id ID] [--image PATH] [--url http://127.0.0.1:PORT]
//! ```
//!
//! Defaults: the emulator's group; a built-in 1×1 PNG. The image must be a
//! regular file of at most 32 MiB; a larger one is refused unread.

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::{ExistingMedia, Photo, SendChatMessageRequest};

/// The largest image read (`--image`): 32 MiB.
const MAX_IMAGE: u64 = 32 * 1024 * 1024;

/// A 1×1 transparent PNG.
const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "uploads an image and sends it as a photo message",
        &[
            Opt::value(
                "--conversation-id",
                "ID",
                "the conversation (default: the group)",
            ),
            Opt::value(
                "--image",
                "PATH",
                "the image, a regular file of at most 32 MiB (default: a 1x1 PNG)",
            ),
        ],
    )?;
    let conversation = args.or("--conversation-id", common::GROUP);
    let (filename, image) = match args.get("--image") {
        Some(path) => {
            let bytes = hangups_tests::cli::read_file_at_most("--image", path, MAX_IMAGE)?;
            let name = std::path::Path::new(path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "image".into());
            (name, bytes)
        }
        None => ("pixel.png".to_string(), PIXEL_PNG.to_vec()),
    };
    let session = common::connect(&args).await?;
    let uploaded = session.client.upload_image(&filename, image).await?;
    println!(
        "uploaded {filename}: photo id {} url {}",
        uploaded.photo_id, uploaded.url
    );
    let sent = session
        .client
        .send_chat_message(SendChatMessageRequest {
            event_request_header: common::event_header(&conversation).map(Box::new),
            existing_media: Some(ExistingMedia {
                photo: Some(Box::new(Photo {
                    photo_id: Some(uploaded.photo_id),
                    ..Default::default()
                })),
            }),
            ..Default::default()
        })
        .await?;
    let event = sent.created_event.unwrap_or_default();
    println!(
        "sent image to {conversation} as event {}",
        event.event_id.unwrap_or_default()
    );
    session.close().await;
    Ok(())
}
