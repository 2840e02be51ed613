//! The default world: the self user, two others, a one-to-one and a group
//! conversation with a few messages each, multi-byte text included.

use super::*;

/// Grace, the self user's one-to-one partner.
pub(crate) const GRACE: &str = "100000000000000000002";
/// Alan, in the group.
pub(crate) const ALAN: &str = "100000000000000000003";
/// The one-to-one conversation (self and Grace).
pub(crate) const ONE_TO_ONE: &str = "UgwEmulatorOneToOne4AaABAQ";
/// The group conversation (self, Grace, Alan).
pub(crate) const GROUP: &str = "UgwEmulatorGroupChat4AaABAQ";

/// Adds the default users, conversations and history to a world that
/// holds only the self user.
pub(super) fn populate(w: &mut World) {
    let me = w.self_user.clone();
    w.add_user(GRACE, "Grace Hopper", Some("grace@example.com"))
        .expect("fresh world");
    w.add_user(ALAN, "Alan Turing", Some("alan@example.com"))
        .expect("fresh world");
    // History starts an hour ago, one minute apart.
    let start = crate::emulator::ids::wall_micros().saturating_sub(3_600_000_000);
    w.clock.set_history(Some(start));
    let one = w
        .new_conversation(
            Some(ONE_TO_ONE.into()),
            ConversationType::CONVERSATION_TYPE_ONE_TO_ONE,
            None,
            vec![me.clone(), GRACE.into()],
            None,
        )
        .expect("fresh world");
    let group = w
        .new_conversation(
            Some(GROUP.into()),
            ConversationType::CONVERSATION_TYPE_GROUP,
            Some("Emulator group".into()),
            vec![me.clone(), GRACE.into(), ALAN.into()],
            None,
        )
        .expect("fresh world");
    let history: [(usize, &str, &str); 6] = [
        (one, GRACE, "Hi Ada! Café at noon? ☕"),
        (one, &me, "Sure, see you there 😀"),
        (one, GRACE, "日本語のメッセージも大丈夫"),
        (group, ALAN, "Welcome to the group, everyone"),
        (group, &me, "Line one\nline two"),
        (group, GRACE, "Multi-byte check: é, 日本語, 😀"),
    ];
    for (i, (ci, sender, text)) in history.into_iter().enumerate() {
        w.clock
            .set_history(Some(start + (i as u64 + 1) * 60_000_000));
        let chat_message = ChatMessage {
            annotation: Vec::new(),
            message_content: Some(MessageContent {
                segment: text_segments(text),
                attachment: Vec::new(),
            }),
        };
        w.post_message(
            ci,
            sender,
            None,
            EventType::EVENT_TYPE_REGULAR_CHAT_MESSAGE,
            chat_message,
        );
    }
    w.clock.set_history(None);
    // Everyone has read everything but the self user, who has one unread
    // message in the group (Grace's, after their own).
    for conv in &mut w.convs {
        let last = conv.events.last().map_or(0, StoredEvent::timestamp);
        for (id, m) in conv.members.iter_mut() {
            if *id != me {
                m.read_us = last;
            }
        }
    }
    // Nobody is connected yet: the history is not pushed anywhere.
    w.outbox.clear();
}
