//! hangups' `get_self_info` example: GetSelfInfo, printed.
//!
//! ```text
//! cargo run -p hangups-tests --example get_self_info [-- --url http://127.0.0.1:PORT]
//! ```

#[path = "common/mod.rs"]
mod common;

use hangups_tokio::proto::hangouts::GetSelfInfoRequest;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts("prints GetSelfInfo", &[])?;
    let session = common::connect(&args).await?;
    let info = session
        .client
        .get_self_info(GetSelfInfoRequest::default())
        .await?;
    let entity = info.self_entity.clone().unwrap_or_default();
    let props = entity.properties.clone().unwrap_or_default();
    println!("{info:#?}");
    println!(
        "self: {} ({}) {}",
        props.display_name.unwrap_or_default(),
        entity.id.and_then(|i| i.gaia_id).unwrap_or_default(),
        props.email.join(", ")
    );
    session.close().await;
    Ok(())
}
