//! hangups' `build_conversation_list` example: the users and
//! conversations of `client.build_user_conversation_list(events)`.
//!
//! ```text
//! cargo run -p hangups-tests --example build_conversation_list [-- --url http://127.0.0.1:PORT]
//! ```

#[path = "common/mod.rs"]
mod common;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "prints the users and conversations of the conversation list",
        &[],
    )?;
    let session = common::connect(&args).await?;
    let (list, _notifications, emulator) = common::build_conversation_list(session).await?;
    list.with(print_list);
    common::close_list(list, emulator).await;
    Ok(())
}

fn print_list(list: &hangups_core::state::ConversationList) {
    let users = list.users().get_all();
    println!("{} known users", users.len());
    for user in users {
        println!("    {}: {}", user.full_name, user.id.gaia_id);
    }
    let conversations = list.get_all(true);
    println!("{} known conversations", conversations.len());
    for conversation in conversations {
        match conversation.name() {
            Some(name) if !name.is_empty() => println!("    {name}"),
            _ => {
                let names: Vec<String> = conversation
                    .users(list.users())
                    .iter()
                    .map(|u| u.full_name.clone())
                    .collect();
                println!(
                    "    Unnamed conversation ({}): {}",
                    conversation.id(),
                    names.join(", ")
                );
            }
        }
    }
}
