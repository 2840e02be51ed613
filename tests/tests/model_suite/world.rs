//! Scenarios for the parts of the emulator's world beyond plain chat:
//! off-the-record conversations, hangout (call) events, phone (Google
//! Voice) participants, partial deltas, tied sort timestamps, read states
//! only GetConversation fills, typing the server ends, observed events.
//! Each ends with the list equal to the world.

use super::*;

/// `POST /_emulator/<what>` with a JSON body; the JSON reply (status 200
/// asserted).
fn control(emu: &EmulatorHandle, what: &str, body: serde_json::Value) -> serde_json::Value {
    use std::io::{Read, Write};
    let body = body.to_string();
    let mut tcp = std::net::TcpStream::connect(emu.addr()).expect("connect");
    write!(
        tcp,
        "POST /_emulator/{what} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut reply = String::new();
    tcp.read_to_string(&mut reply).expect("read");
    let (head, json) = reply.split_once("\r\n\r\n").expect("a reply");
    assert!(head.starts_with("HTTP/1.1 200"), "{what}: {reply}");
    serde_json::from_str(json).expect("JSON")
}

/// The events of `conv` in the world's history for the self user.
fn world_event_ids(emu: &EmulatorHandle, conv: &str) -> Vec<String> {
    emu.conversation_states(&emu.self_user_id())
        .iter()
        .find(|cs| cs.conversation_id.as_ref().and_then(|c| c.id.as_deref()) == Some(conv))
        .map(|cs| cs.event.iter().filter_map(|e| e.event_id.clone()).collect())
        .unwrap_or_default()
}

/// The pushed event `id` among `taken`.
fn taken_event<'a>(taken: &'a [Update], id: &str) -> &'a state::ConversationEvent {
    taken
        .iter()
        .find_map(|u| match u {
            Update::Notification(Notification::NewEvent(e)) if e.id() == id => Some(e),
            _ => None,
        })
        .expect("the event was taken")
}

/// Takes updates until none comes for half a second. A catch-up in
/// flight may bring events before their pushes, which it holds (with
/// their conversation deltas and participant data) until it ends.
async fn settle<M: Model>(notes: &mut M::Notes) {
    while M::next_update(notes, Duration::from_millis(500))
        .await
        .is_some()
    {}
}

/// History off: a message still arrives as a push (marked not
/// persisted), but no history reply has it, so a list built afterwards
/// never sees it; the OTR changes themselves are kept.
pub(super) async fn off_the_record_events_are_pushed_not_kept<M: Model>() {
    let emu = emulator();
    let (client, list, mut notes) = start::<M>(&emu, false).await;
    let off = emu.set_off_the_record(ONE_TO_ONE, GRACE, true).unwrap();
    until::<M>(&mut notes, "the OTR event", |u| is_new_event(u, &off)).await;
    assert_eq!(
        list.with_conversation(ONE_TO_ONE, |c| c.is_off_the_record()),
        Some(true)
    );
    let secret = emu.inject_message(ONE_TO_ONE, GRACE, "secret").unwrap();
    let taken = until::<M>(&mut notes, "the secret", |u| is_new_event(u, &secret)).await;
    assert_eq!(taken_event(&taken, &secret).raw().persisted, Some(false));
    let history = world_event_ids(&emu, ONE_TO_ONE);
    assert!(history.contains(&off), "{history:?}");
    assert!(!history.contains(&secret), "{history:?}");

    let self_id = emu.self_user_id();
    // Back on the record through the control API.
    let on = control(
        &emu,
        "otr",
        serde_json::json!({"conversation_id": ONE_TO_ONE, "user": self_id, "off_the_record": false}),
    )["event_id"]
        .as_str()
        .unwrap()
        .to_string();
    let kept = emu.inject_message(ONE_TO_ONE, GRACE, "kept").unwrap();
    until::<M>(&mut notes, "the kept message", |u| is_new_event(u, &kept)).await;
    assert_eq!(
        list.with_conversation(ONE_TO_ONE, |c| c.is_off_the_record()),
        Some(false)
    );
    // The first list keeps what was pushed to it.
    assert!(list
        .with_conversation(ONE_TO_ONE, |c| c.get_event(&secret).is_some())
        .unwrap());
    assert_list_is_the_world::<M>(&emu, &list).await;

    // A list built now pages the whole history: all but the secret.
    let (client2, list2, _notes2) = start::<M>(&emu, false).await;
    assert_list_is_the_world::<M>(&emu, &list2).await;
    let ids = list2
        .with_conversation(ONE_TO_ONE, |c| {
            c.events()
                .iter()
                .map(|e| e.id().to_string())
                .collect::<Vec<_>>()
        })
        .unwrap();
    for id in [&off, &on, &kept] {
        assert!(ids.contains(id), "{}: {id} missing from {ids:?}", M::NAME);
    }
    assert!(!ids.contains(&secret), "{}: {ids:?}", M::NAME);
    M::disconnect(&client2).await;
    M::disconnect(&client).await;
}

/// Whether the client's conversation `conv` says a hangout is going on.
fn active_hangout(list: &SharedList, conv: &str) -> Option<bool> {
    list.with_conversation(conv, |c| c.raw().has_active_hangout == Some(true))
}

/// A hangout (call) started through the control API and ended through
/// the handle: two HANGOUT events, and `has_active_hangout` on and off.
pub(super) async fn a_hangout_starts_and_ends<M: Model>() {
    let emu = emulator();
    let (client, list, mut notes) = start::<M>(&emu, false).await;
    let started = control(
        &emu,
        "hangouts",
        serde_json::json!({"conversation_id": GROUP, "sender_id": GRACE, "event": "start"}),
    )["event_id"]
        .as_str()
        .unwrap()
        .to_string();
    let taken = until::<M>(&mut notes, "the start", |u| is_new_event(u, &started)).await;
    let call = taken_event(&taken, &started).as_hangout().expect("a call");
    assert_eq!(
        call.event_type(),
        HangoutEventType::HANGOUT_EVENT_TYPE_START
    );
    assert_eq!(call.participant_ids(), [uid(GRACE)]);
    assert_eq!(active_hangout(&list, GROUP), Some(true));
    assert_eq!(active_hangout(&list, ONE_TO_ONE), Some(false));
    assert_list_is_the_world::<M>(&emu, &list).await;

    assert!(
        emu.hangout(GROUP, ALAN, true).is_err(),
        "one call at a time"
    );
    let ended = emu.hangout(GROUP, ALAN, false).unwrap();
    let taken = until::<M>(&mut notes, "the end", |u| is_new_event(u, &ended)).await;
    let call = taken_event(&taken, &ended).as_hangout().expect("a call");
    assert_eq!(call.event_type(), HangoutEventType::HANGOUT_EVENT_TYPE_END);
    assert_eq!(active_hangout(&list, GROUP), Some(false));
    assert!(emu.hangout(GROUP, ALAN, false).is_err(), "no call to end");
    assert_list_is_the_world::<M>(&emu, &list).await;
    M::disconnect(&client).await;
}

/// A phone (Google Voice) user, added through the control API.
const BOB: &str = "100000000000000000077";
const BOB_PHONE: &str = "+12125551212";

fn medium_type(event: &state::ConversationEvent) -> Option<DeliveryMediumType> {
    event.raw().medium_type.as_ref().and_then(|m| m.medium_type)
}

/// A Google Voice conversation started by a phone user mid-session: the
/// user is known by its number (the participant data's fallback name),
/// the conversation goes by Google Voice (the model sends by it; the
/// emulator refuses Babel there); a list built later looks the entity up
/// and has the real name, which the number does not downgrade.
pub(super) async fn a_phone_participant_is_named_by_number_then_by_entity<M: Model>() {
    let emu = emulator();
    let (client, list, mut notes) = start::<M>(&emu, false).await;
    let bob = control(
        &emu,
        "users",
        serde_json::json!({"id": BOB, "name": "Bob Dialer", "phone": BOB_PHONE}),
    );
    assert_eq!(bob["phone"], BOB_PHONE);
    let self_id = emu.self_user_id();
    let conv = emu
        .create_conversation(None, false, &[BOB, &self_id])
        .unwrap();
    let hello = emu.inject_message(&conv, BOB, "hi from a phone").unwrap();
    let taken = until::<M>(&mut notes, "Bob's message", |u| is_new_event(u, &hello)).await;
    let voice = DeliveryMediumType::DELIVERY_MEDIUM_GOOGLE_VOICE;
    assert_eq!(medium_type(taken_event(&taken, &hello)), Some(voice));
    settle::<M>(&mut notes).await;
    let user = list.user(&uid(BOB));
    assert_eq!(
        (
            user.full_name.as_str(),
            user.first_name.as_str(),
            user.name_type
        ),
        (BOB_PHONE, BOB_PHONE, NameType::Numeric)
    );
    let medium = list
        .with_conversation(&conv, |c| c.delivery_medium())
        .unwrap();
    assert_eq!(medium.medium_type, Some(voice));
    assert_eq!(
        medium.phone_number.and_then(|p| p.e164).as_deref(),
        Some(BOB_PHONE)
    );
    let sent = M::act(&list, &conv, Act::Send(segments("hi Bob"), None))
        .await
        .unwrap()
        .expect("created event");
    until::<M>(&mut notes, "the reply", |u| is_new_event(u, sent.id())).await;
    assert_eq!(medium_type(&sent), Some(voice));
    assert_list_is_the_world::<M>(&emu, &list).await;

    let (client2, list2, _notes2) = start::<M>(&emu, false).await;
    let user = list2.user(&uid(BOB));
    assert_eq!(
        (
            user.full_name.as_str(),
            user.first_name.as_str(),
            user.name_type
        ),
        ("Bob Dialer", "Bob", NameType::Real),
        "{}",
        M::NAME
    );
    assert!(list2.get_user_ok());
    assert_list_is_the_world::<M>(&emu, &list2).await;
    M::disconnect(&client2).await;
    M::disconnect(&client).await;
}

/// Partial conversation deltas (switched on through the control API):
/// pushes leave out the delivery media and every read timestamp but the
/// sender's. The model keeps what they leave out: a Google Voice
/// conversation still sends by Google Voice (the emulator refuses
/// Babel), the self read mark stays, and the list ends equal to the world.
pub(super) async fn partial_deltas_keep_what_they_leave_out<M: Model>() {
    let emu = emulator();
    let (client, list, mut notes) = start::<M>(&emu, false).await;
    emu.add_phone_user(BOB, "", BOB_PHONE).unwrap();
    let self_id = emu.self_user_id();
    let conv = emu
        .create_conversation(None, false, &[BOB, &self_id])
        .unwrap();
    let first = emu.inject_message(&conv, BOB, "one").unwrap();
    until::<M>(&mut notes, "Bob's first", |u| is_new_event(u, &first)).await;
    M::act(&list, &conv, Act::Read(None)).await.unwrap();
    let read = list.with_conversation(&conv, |c| c.latest_read_timestamp());
    assert!(read > Some(0));
    let reply = control(&emu, "deltas", serde_json::json!({"partial": true}));
    assert_eq!(reply["partial"], true);

    let second = emu.inject_message(&conv, BOB, "two").unwrap();
    let grace = emu.inject_message(GROUP, GRACE, "partial").unwrap();
    until::<M>(&mut notes, "Bob's second", |u| is_new_event(u, &second)).await;
    until::<M>(&mut notes, "Grace's", |u| is_new_event(u, &grace)).await;
    settle::<M>(&mut notes).await;
    assert_eq!(
        list.with_conversation(&conv, |c| c.latest_read_timestamp()),
        read
    );
    let voice = DeliveryMediumType::DELIVERY_MEDIUM_GOOGLE_VOICE;
    assert_eq!(
        list.with_conversation(&conv, |c| c.delivery_medium().medium_type),
        Some(Some(voice))
    );
    let sent = M::act(&list, &conv, Act::Send(segments("still by voice"), None))
        .await
        .unwrap()
        .expect("created event");
    until::<M>(&mut notes, "the reply", |u| is_new_event(u, sent.id())).await;
    // Bob has no name but the number: the user is numeric everywhere.
    assert_eq!(list.user(&uid(BOB)).name_type, NameType::Numeric);
    assert_list_is_the_world::<M>(&emu, &list).await;
    emu.set_partial_deltas(false);
    M::disconnect(&client).await;
}

/// More conversations than a SyncRecentConversations page (100) share
/// one sort timestamp: the page boundary falls inside the run, and none
/// of them may be lost (the next page asks for strictly older ones).
pub(super) async fn conversations_with_equal_sort_timestamps_all_arrive<M: Model>() {
    let emu = emulator();
    let self_id = emu.self_user_id();
    let tie = 1_500_000_000_000_000;
    let mut ids = Vec::new();
    let by_control = control(
        &emu,
        "conversations",
        serde_json::json!({"participants": [GRACE, self_id], "type": "group",
            "name": "tie 0", "sort_timestamp": tie}),
    );
    ids.push(by_control["id"].as_str().unwrap().to_string());
    for i in 1..105 {
        let name = format!("tie {i}");
        ids.push(
            emu.create_conversation_at(Some(&name), true, &[GRACE, &self_id], tie)
                .unwrap(),
        );
    }
    let (client, list, _notes) = start::<M>(&emu, false).await;
    for id in &ids {
        assert!(
            list.with_conversation(id, |c| c.last_modified()) == Some(tie),
            "{}: {id} missing or not at the tie",
            M::NAME
        );
    }
    assert_list_is_the_world::<M>(&emu, &list).await;
    M::disconnect(&client).await;
}

/// The self read mark and the watermark of `user` in `conv`, as the
/// client has them (0 for none).
fn read_marks(list: &SharedList, conv: &str, user: &str) -> (u64, u64) {
    list.with_conversation(conv, |c| {
        let mark = c.watermarks().get(&uid(user)).copied().unwrap_or(0);
        (c.latest_read_timestamp(), mark)
    })
    .expect("the conversation is listed")
}

/// The self read mark and the read state of `user` in `conv` in the
/// world.
fn world_read_marks(emu: &EmulatorHandle, conv: &str, user: &str) -> (u64, u64) {
    let states = emu.conversation_states(&emu.self_user_id());
    let c = states
        .iter()
        .map(state::Conversation::from_state)
        .find(|c| c.id() == conv)
        .expect("the conversation is in the world");
    let mark = c.watermarks().get(&uid(user)).copied().unwrap_or(0);
    (c.latest_read_timestamp(), mark)
}

/// Read states that arrive zero (switched on through the control API:
/// the sync the list is built from and every push carry zero
/// timestamps) are ignored; the GetConversation of a history page fills
/// them, and a later zero push does not take them back.
pub(super) async fn zero_read_states_are_filled_by_get_conversation<M: Model>() {
    let emu = emulator();
    let reply = control(
        &emu,
        "read_states",
        serde_json::json!({"conversation_id": ONE_TO_ONE, "zero": true}),
    );
    assert_eq!(reply["zero"], true);
    let (client, list, mut notes) = start::<M>(&emu, false).await;
    let real = world_read_marks(&emu, ONE_TO_ONE, GRACE);
    assert!(real.0 > 0 && real.1 > real.0, "{real:?}");
    settle::<M>(&mut notes).await;
    assert_eq!(read_marks(&list, ONE_TO_ONE, GRACE), (0, 0), "{}", M::NAME);

    // A history page (GetConversation) brings the real read states.
    let oldest = list
        .with_conversation(ONE_TO_ONE, |c| {
            c.events().first().map(|e| e.id().to_string())
        })
        .unwrap()
        .expect("events");
    M::get_events(&list, ONE_TO_ONE, Some(&oldest), 2)
        .await
        .unwrap();
    assert_eq!(read_marks(&list, ONE_TO_ONE, GRACE), real, "{}", M::NAME);

    // Grace writes again: the push says zero, the client keeps them.
    let again = emu.inject_message(ONE_TO_ONE, GRACE, "zero again").unwrap();
    until::<M>(&mut notes, "Grace's message", |u| is_new_event(u, &again)).await;
    settle::<M>(&mut notes).await;
    assert_eq!(read_marks(&list, ONE_TO_ONE, GRACE), real, "{}", M::NAME);
    assert_list_is_the_world::<M>(&emu, &list).await;
    assert_eq!(
        read_marks(&list, ONE_TO_ONE, GRACE),
        world_read_marks(&emu, ONE_TO_ONE, GRACE)
    );
    emu.set_zero_read_states(ONE_TO_ONE, false).unwrap();
    M::disconnect(&client).await;
}

/// Whether `update` is a typing notification of `user` in `conv` of `kind`.
fn is_typing(update: &Update, conv: &str, user: &str, kind: TypingType) -> bool {
    matches!(update, Update::Notification(Notification::Typing(t))
        if t.conversation_id == conv && t.user_id == uid(user) && t.status == kind)
}

/// How long a STARTED typing lasts on the server in this scenario.
const TYPING_TIMEOUT: Duration = Duration::from_millis(400);

/// Typing from another user that the server ends: Grace starts typing
/// (through the control API) and says nothing more, and a STOPPED from
/// her arrives once the timeout is up; Alan starts and pauses (through
/// the handle), so nothing of his expires.
pub(super) async fn typing_expires_on_the_server<M: Model>() {
    let emu = Emulator::start(
        EmulatorConfig::default()
            .with_noop_interval(Duration::from_millis(500))
            .with_long_poll_duration(Duration::from_secs(5))
            .with_typing_timeout(Some(TYPING_TIMEOUT)),
    )
    .expect("emulator starts");
    let (client, list, mut notes) = start::<M>(&emu, false).await;
    let started = TypingType::TYPING_TYPE_STARTED;
    let stopped = TypingType::TYPING_TYPE_STOPPED;
    let paused = TypingType::TYPING_TYPE_PAUSED;

    emu.set_typing(GROUP, ALAN, started).unwrap();
    until::<M>(&mut notes, "Alan typing", |u| {
        is_typing(u, GROUP, ALAN, started)
    })
    .await;
    emu.set_typing(GROUP, ALAN, paused).unwrap();
    until::<M>(&mut notes, "Alan pausing", |u| {
        is_typing(u, GROUP, ALAN, paused)
    })
    .await;

    let at = Instant::now();
    let reply = control(
        &emu,
        "typing",
        serde_json::json!({"conversation_id": GROUP, "sender_id": GRACE, "type": "started"}),
    );
    assert!(reply["timestamp"].as_u64() > Some(0));
    until::<M>(&mut notes, "Grace typing", |u| {
        is_typing(u, GROUP, GRACE, started)
    })
    .await;
    let taken = until::<M>(&mut notes, "Grace's typing to expire", |u| {
        is_typing(u, GROUP, GRACE, stopped)
    })
    .await;
    assert!(at.elapsed() >= TYPING_TIMEOUT, "{}: too early", M::NAME);
    // Nothing else came between: the server ended it, no one else did.
    assert_eq!(taken.len(), 1, "{}: {taken:?}", M::NAME);

    // Alan paused: nothing of his expires (three timeouts later).
    let mut late = Vec::new();
    let until_quiet = Instant::now() + 3 * TYPING_TIMEOUT;
    while Instant::now() < until_quiet {
        late.extend(M::next_update(&mut notes, Duration::from_millis(100)).await);
    }
    assert!(
        !late
            .iter()
            .any(|u| matches!(u, Update::Notification(Notification::Typing(_)))),
        "{}: {late:?}",
        M::NAME
    );
    assert_list_is_the_world::<M>(&emu, &list).await;
    M::disconnect(&client).await;
}

/// Whether `conv` in `list` holds the event `id`.
fn holds(list: &SharedList, conv: &str, id: &str) -> bool {
    list.with_conversation(conv, |c| c.get_event(id).is_some())
        .unwrap_or(false)
}

/// `EVENT_TYPE_OBSERVED_EVENT`s, as hangups' model treats them: one
/// pushed (through the control API) is kept; a list built after a newer
/// message pages it from history and keeps it too; one that is the
/// newest event when a list is built is skipped among the initial events.
pub(super) async fn observed_events_are_kept_when_pushed_or_paged<M: Model>() {
    let emu = emulator();
    let (client, list, mut notes) = start::<M>(&emu, false).await;
    let observed = control(
        &emu,
        "observed",
        serde_json::json!({"conversation_id": GROUP, "sender_id": GRACE}),
    )["event_id"]
        .as_str()
        .unwrap()
        .to_string();
    let taken = until::<M>(&mut notes, "the observed event", |u| {
        is_new_event(u, &observed)
    })
    .await;
    assert_eq!(
        taken_event(&taken, &observed).raw().event_type,
        Some(EventType::EVENT_TYPE_OBSERVED_EVENT)
    );
    assert!(holds(&list, GROUP, &observed), "{}: pushed", M::NAME);
    let after = emu.inject_message(GROUP, ALAN, "after it").unwrap();
    until::<M>(&mut notes, "Alan's message", |u| is_new_event(u, &after)).await;
    assert!(world_event_ids(&emu, GROUP).contains(&observed));
    assert_list_is_the_world::<M>(&emu, &list).await;

    // Built now: the initial event is Alan's; the observed one is paged.
    let (client2, list2, _notes2) = start::<M>(&emu, false).await;
    assert!(!holds(&list2, GROUP, &observed), "{}: not initial", M::NAME);
    assert_list_is_the_world::<M>(&emu, &list2).await;
    assert!(holds(&list2, GROUP, &observed), "{}: paged", M::NAME);
    M::disconnect(&client2).await;

    // The newest event when a list is built: skipped.
    let newest = emu.observed_event(GROUP, ALAN).unwrap();
    until::<M>(&mut notes, "the newest observed", |u| {
        is_new_event(u, &newest)
    })
    .await;
    let (client3, list3, _notes3) = start::<M>(&emu, false).await;
    assert!(!holds(&list3, GROUP, &newest), "{}: initial", M::NAME);
    assert!(holds(&list, GROUP, &newest), "{}: pushed", M::NAME);
    M::disconnect(&client3).await;
    let last = emu.inject_message(GROUP, GRACE, "newest again").unwrap();
    until::<M>(&mut notes, "Grace's message", |u| is_new_event(u, &last)).await;
    assert_list_is_the_world::<M>(&emu, &list).await;
    M::disconnect(&client).await;
}
