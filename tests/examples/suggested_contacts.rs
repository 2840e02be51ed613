//! hangups' `suggested_contacts` example: GetSuggestedEntities, one line
//! per suggested entity.
//!
//! ```text
//! cargo run -p hangups-tests --example suggested_contacts -- \
//!     [--max-count N] [--url http://127.0.0.1:PORT]
//! ```

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::GetSuggestedEntitiesRequest;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "prints GetSuggestedEntities, one line per entity",
        &[Opt::value("--max-count", "N", "how many (default 100)")],
    )?;
    let max_count: u64 = args.parsed("--max-count", 100)?;
    let session = common::connect(&args).await?;
    let response = session
        .client
        .get_suggested_entities(GetSuggestedEntitiesRequest {
            max_count: Some(max_count),
            ..Default::default()
        })
        .await?;
    println!("{} suggested entities", response.entity.len());
    for entity in &response.entity {
        let props = entity.properties.clone().unwrap_or_default();
        let gaia = entity.id.as_ref().and_then(|i| i.gaia_id.clone());
        println!(
            "  {} {:?} {}",
            gaia.unwrap_or_default(),
            props.display_name.unwrap_or_default(),
            props.email.join(", ")
        );
    }
    session.close().await;
    Ok(())
}
