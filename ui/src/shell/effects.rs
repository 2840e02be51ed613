//! Running the model's [`Effect`](crate::model::Effect)s against the conversation list: each
//! becomes a task whose [`Outcome`] the loop hands back as
//! [`Input::Done`](crate::model::Input::Done).

use std::path::{Path, PathBuf};

use hangups_core::proto::hangouts::{
    ConversationType, CreateConversationRequest, InviteeID, NotificationLevel, OffTheRecordStatus,
    SearchEntitiesRequest, Segment, TypingType,
};
use hangups_core::state::UserId;
use hangups_tokio::{ConversationList, Image};

use crate::model::{FoundUser, Outcome};

/// The largest image `/image` uploads (32 MiB).
pub const MAX_IMAGE_BYTES: u64 = 32 * 1024 * 1024;

/// How many matches [`search_users`] asks for.
const SEARCH_MAX: u64 = 20;

fn failed(what: &str, e: impl std::fmt::Display) -> Outcome {
    Outcome::Failed(format!("{what}: {e}"))
}

fn conversation(list: &ConversationList, id: &str) -> Result<hangups_tokio::Conversation, Outcome> {
    list.get(id)
        .ok_or_else(|| Outcome::Failed(format!("no conversation {id}")))
}

/// Reads an image to attach: a regular file of at most
/// [`MAX_IMAGE_BYTES`].
pub async fn read_image(path: &Path) -> Result<Image, String> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| format!("Failed to find image {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!(
            "Failed to find image {}: not a file",
            path.display()
        ));
    }
    if meta.len() > MAX_IMAGE_BYTES {
        return Err(format!(
            "Image {} is too large ({} bytes, at most {MAX_IMAGE_BYTES})",
            path.display(),
            meta.len()
        ));
    }
    let data = tokio::fs::read(path)
        .await
        .map_err(|e| format!("Failed to find image {}: {e}", path.display()))?;
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "image".into());
    Ok(Image::Upload { filename, data })
}

/// Sends a message (with an image read from `image` first).
pub async fn send_message(
    list: ConversationList,
    conversation_id: String,
    segments: Vec<Segment>,
    image: Option<PathBuf>,
) -> Outcome {
    let conv = match conversation(&list, &conversation_id) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let image = match image {
        None => None,
        Some(path) => match read_image(&path).await {
            Ok(image) => Some(image),
            Err(e) => return Outcome::Failed(e),
        },
    };
    match conv.send_message(segments, image).await {
        Ok(_) => Outcome::Ok,
        Err(e) => failed("Failed to send message", e),
    }
}

/// Renames a conversation.
pub async fn rename(list: ConversationList, id: String, name: String) -> Outcome {
    match conversation(&list, &id) {
        Ok(c) => c
            .rename(&name)
            .await
            .map_or_else(|e| failed("Failed to rename", e), |_| Outcome::Ok),
        Err(o) => o,
    }
}

/// Loads older events.
pub async fn load_history(
    list: ConversationList,
    id: String,
    before: Option<String>,
    max: usize,
) -> Outcome {
    match conversation(&list, &id) {
        Ok(c) => match c.get_events(before.as_deref(), max).await {
            Ok(events) => Outcome::Loaded(events.len()),
            Err(e) => failed("Failed to load history", e),
        },
        Err(o) => o,
    }
}

/// Marks a conversation read.
pub async fn mark_read(list: ConversationList, id: String) -> Outcome {
    match conversation(&list, &id) {
        Ok(c) => c
            .update_read_timestamp(None)
            .await
            .map_or_else(|e| failed("Failed to mark read", e), |_| Outcome::Ok),
        Err(o) => o,
    }
}

/// Sends the self user's typing status.
pub async fn set_typing(list: ConversationList, id: String, typing: TypingType) -> Outcome {
    match conversation(&list, &id) {
        Ok(c) => c
            .set_typing(typing)
            .await
            .map_or_else(|e| failed("Failed to send typing", e), |_| Outcome::Ok),
        Err(o) => o,
    }
}

/// Searches users by name or email.
pub async fn search_users(list: ConversationList, query: String) -> Outcome {
    let request = SearchEntitiesRequest {
        query: Some(query),
        max_count: Some(SEARCH_MAX),
        ..Default::default()
    };
    match list.client().search_entities(request).await {
        Ok(response) => Outcome::Users(
            response
                .entity
                .iter()
                .filter_map(|e| {
                    let id = UserId::from_participant_id(e.id.as_ref()?);
                    let props = e.properties.clone().unwrap_or_default();
                    let email = props.email.first().cloned().or(props.canonical_email);
                    let name = props
                        .display_name
                        .or(props.first_name)
                        .or_else(|| email.clone())
                        .unwrap_or_else(|| id.gaia_id.clone());
                    Some(FoundUser { id, name, email })
                })
                .collect(),
        ),
        Err(e) => failed("Search failed", e),
    }
}

/// Creates a conversation.
pub async fn create_conversation(
    list: ConversationList,
    user_ids: Vec<UserId>,
    name: Option<String>,
    group: bool,
) -> Outcome {
    let group = group || user_ids.len() != 1 || name.is_some();
    let request = CreateConversationRequest {
        r#type: Some(if group {
            ConversationType::CONVERSATION_TYPE_GROUP
        } else {
            ConversationType::CONVERSATION_TYPE_ONE_TO_ONE
        }),
        name,
        invitee_id: user_ids
            .iter()
            .map(|u| InviteeID {
                gaia_id: Some(u.gaia_id.clone()),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    match list.client().create_conversation(request).await {
        Ok(response) => match response
            .conversation
            .and_then(|c| c.conversation_id)
            .and_then(|c| c.id)
        {
            Some(id) => Outcome::Created(id),
            None => Outcome::Failed("Failed to create the conversation: no id".into()),
        },
        Err(e) => failed("Failed to create the conversation", e),
    }
}

/// Adds people to a group.
pub async fn add_users(list: ConversationList, id: String, users: Vec<UserId>) -> Outcome {
    match conversation(&list, &id) {
        Ok(c) => c
            .add_users(&users)
            .await
            .map_or_else(|e| failed("Failed to add", e), |_| Outcome::Ok),
        Err(o) => o,
    }
}

/// Removes someone from a group.
pub async fn remove_user(list: ConversationList, id: String, user: UserId) -> Outcome {
    match conversation(&list, &id) {
        Ok(c) => c
            .remove_user(&user)
            .await
            .map_or_else(|e| failed("Failed to remove", e), |_| Outcome::Ok),
        Err(o) => o,
    }
}

/// Leaves a conversation.
pub async fn leave(list: ConversationList, id: String) -> Outcome {
    match conversation(&list, &id) {
        Ok(c) => c
            .leave()
            .await
            .map_or_else(|e| failed("Failed to leave", e), |()| Outcome::Ok),
        Err(o) => o,
    }
}

/// Quiet or ring.
pub async fn set_quiet(list: ConversationList, id: String, quiet: bool) -> Outcome {
    let level = if quiet {
        NotificationLevel::NOTIFICATION_LEVEL_QUIET
    } else {
        NotificationLevel::NOTIFICATION_LEVEL_RING
    };
    match conversation(&list, &id) {
        Ok(c) => c.set_notification_level(level).await.map_or_else(
            |e| failed("Failed to set the notification level", e),
            |_| Outcome::Ok,
        ),
        Err(o) => o,
    }
}

/// History off or on.
pub async fn set_off_the_record(list: ConversationList, id: String, otr: bool) -> Outcome {
    let status = if otr {
        OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD
    } else {
        OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD
    };
    match conversation(&list, &id) {
        Ok(c) => c
            .modify_otr_status(status)
            .await
            .map_or_else(|e| failed("Failed to change history", e), |_| Outcome::Ok),
        Err(o) => o,
    }
}

/// Writes the archived conversation ids, one a line, to `path`.
pub async fn save_archived(path: Option<PathBuf>, ids: Vec<String>) -> Outcome {
    let Some(path) = path else {
        return Outcome::Failed("no cache directory to save archived conversations".into());
    };
    if let Some(dir) = path.parent() {
        if let Err(e) = tokio::fs::create_dir_all(dir).await {
            return failed("Failed to save archived conversations", e);
        }
    }
    let mut text = ids.join("\n");
    text.push('\n');
    match tokio::fs::write(&path, text).await {
        Ok(()) => Outcome::Ok,
        Err(e) => failed("Failed to save archived conversations", e),
    }
}

/// Reads the archived conversation ids [`save_archived`] wrote (none if
/// there is no file).
pub fn load_archived(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| {
            t.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The editor to run: `$VISUAL`, else `$EDITOR`, else `vi`.
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
}

/// Edits `text` in `editor` (a command line, split on whitespace) on a
/// temporary file, blocking; returns the edited text (one trailing newline
/// removed).
pub fn edit_blocking(editor: &str, text: &str) -> Result<String, String> {
    let path = std::env::temp_dir().join(format!(
        "hangups-compose-{}-{}.txt",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    std::fs::write(&path, text).map_err(|e| format!("Failed to edit: {e}"))?;
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(words)
        .arg(&path)
        .status();
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path)
            .map(|t| t.strip_suffix('\n').unwrap_or(&t).to_string())
            .map_err(|e| format!("Failed to edit: {e}")),
        Ok(s) => Err(format!("{program} exited with {s}")),
        Err(e) => Err(format!("Failed to run {program}: {e}")),
    };
    let _ = std::fs::remove_file(&path);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn images_are_checked() {
        let dir = std::env::temp_dir().join(format!("hangups-ui-img-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = read_image(&dir.join("nope.png")).await.unwrap_err();
        assert!(missing.starts_with("Failed to find image"), "{missing}");
        assert!(read_image(&dir).await.is_err());
        let ok = dir.join("a.png");
        std::fs::write(&ok, b"\x89PNG").unwrap();
        let Image::Upload { filename, data } = read_image(&ok).await.unwrap() else {
            panic!("not an upload");
        };
        assert_eq!((filename.as_str(), data.len()), ("a.png", 4));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn archived_round_trip() {
        let path = std::env::temp_dir()
            .join(format!("hangups-ui-arch-{}", std::process::id()))
            .join("archived.txt");
        let ids = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            save_archived(Some(path.clone()), ids.clone()).await,
            Outcome::Ok
        );
        assert_eq!(load_archived(&path), ids);
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn editing_runs_the_editor_on_a_file() {
        // `true` leaves the file as it is.
        assert_eq!(edit_blocking("true", "draft\n"), Ok("draft".into()));
        assert!(edit_blocking("false", "x").is_err());
        assert!(edit_blocking("/nonexistent/editor", "x").is_err());
    }
}
