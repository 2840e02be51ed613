//! The high-level API (`build_user_conversation_list`, conversation
//! handles, notifications) of every adapter against the emulator: each
//! action and notification, and catch-up after each fault knob. Every
//! scenario ends by comparing the client's `ConversationList` with the
//! emulator's world, conversation by conversation, event by event.

#[path = "suite/expect.rs"]
mod expect;
#[path = "model_suite/faces.rs"]
mod faces;
#[path = "suite/harness.rs"]
mod harness;
#[path = "model_suite/world.rs"]
mod world;

use faces::*;
use hangups_core::client::Event;
use hangups_core::state::{self, Image, NameType, Notification, Update, UserId};
use hangups_driver::SharedList;
use hangups_proto::hangouts::*;
use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle, Faults};
use harness::*;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);
const ONE_TO_ONE: &str = "UgwEmulatorOneToOne4AaABAQ";
const GROUP: &str = "UgwEmulatorGroupChat4AaABAQ";
const GRACE: &str = "100000000000000000002";
const ALAN: &str = "100000000000000000003";

fn emulator() -> EmulatorHandle {
    Emulator::start(
        EmulatorConfig::default()
            .with_noop_interval(Duration::from_millis(500))
            .with_long_poll_duration(Duration::from_secs(5)),
    )
    .expect("emulator starts")
}

fn uid(id: &str) -> UserId {
    UserId::new(id, id)
}

fn segments(text: &str) -> Vec<Segment> {
    hangups_core::message::segments_from_str(text)
}

/// Waits until `n` sessions are subscribed (pushes reach only those).
fn until_subscribed(emu: &EmulatorHandle, n: usize) {
    let deadline = Instant::now() + WAIT;
    loop {
        let subscribed = emu.state()["sessions"].as_array().map_or(0, |s| {
            s.iter()
                .filter(|s| s["subscribed"] == true && s["expired"] == false)
                .count()
        });
        if subscribed >= n {
            return;
        }
        assert!(Instant::now() < deadline, "{subscribed} of {n} subscribed");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Takes updates until one satisfies `pred`; returns all taken.
async fn until<M: Model>(
    notes: &mut M::Notes,
    what: &str,
    mut pred: impl FnMut(&Update) -> bool,
) -> Vec<Update> {
    let deadline = Instant::now() + WAIT;
    let mut taken = Vec::new();
    loop {
        assert!(Instant::now() < deadline, "{}: no {what}", M::NAME);
        let Some(update) = M::next_update(notes, Duration::from_millis(200)).await else {
            continue;
        };
        let done = pred(&update);
        if let Update::Client(Event::Closed { error }) = &update {
            panic!("{}: closed waiting for {what}: {error:?}", M::NAME);
        }
        taken.push(update);
        if done {
            return taken;
        }
    }
}

fn is_new_event(update: &Update, id: &str) -> bool {
    matches!(update, Update::Notification(Notification::NewEvent(e)) if e.id() == id)
}

fn new_event_ids(updates: &[Update]) -> Vec<String> {
    updates
        .iter()
        .filter_map(|u| match u {
            Update::Notification(Notification::NewEvent(e)) => Some(e.id().to_string()),
            _ => None,
        })
        .collect()
}

/// What must agree between the client's list and the world.
#[derive(Debug, PartialEq)]
struct Summary {
    kind: ConversationType,
    name: Option<String>,
    off_the_record: bool,
    link_sharing: bool,
    active_hangout: bool,
    medium: Option<DeliveryMediumType>,
    quiet: bool,
    archived: bool,
    users: BTreeSet<(String, String)>,
    self_read: u64,
    watermarks: BTreeMap<(String, String), u64>,
    events: Vec<String>,
}

fn summary(c: &state::Conversation) -> Summary {
    let users: BTreeSet<(String, String)> = c
        .user_ids()
        .into_iter()
        .map(|u| (u.chat_id, u.gaia_id))
        .collect();
    Summary {
        kind: c.conversation_type(),
        name: c.name().map(str::to_string),
        off_the_record: c.is_off_the_record(),
        link_sharing: c.is_group_link_sharing_enabled(),
        active_hangout: c.raw().has_active_hangout == Some(true),
        medium: c.delivery_medium().medium_type,
        quiet: c.is_quiet(),
        archived: c.is_archived(),
        self_read: c.latest_read_timestamp(),
        watermarks: c
            .watermarks()
            .iter()
            .map(|(u, ts)| ((u.chat_id.clone(), u.gaia_id.clone()), *ts))
            .filter(|(u, _)| users.contains(u))
            .collect(),
        users,
        events: c.events().iter().map(|e| e.id().to_string()).collect(),
    }
}

/// Pages every conversation's history back to its start (`get_events`
/// with the oldest loaded event fetches older ones).
async fn load_all_history<M: Model>(list: &M::List) {
    for id in list.conversation_ids(true) {
        for _ in 0..100 {
            let before = list.with_conversation(&id, |c| c.events().len()).unwrap();
            let oldest = list
                .with_conversation(&id, |c| c.events().first().map(|e| e.id().to_string()))
                .unwrap();
            M::get_events(list, &id, oldest.as_deref(), 2)
                .await
                .expect("get_events");
            let after = list.with_conversation(&id, |c| c.events().len()).unwrap();
            // At the start the server returns what is loaded already.
            if oldest.is_none() || after == before {
                break;
            }
        }
    }
}

/// The client's list equals the emulator's world for the self user.
async fn assert_list_is_the_world<M: Model>(emu: &EmulatorHandle, list: &M::List) {
    load_all_history::<M>(list).await;
    let world: BTreeMap<String, Summary> = emu
        .conversation_states(&emu.self_user_id())
        .iter()
        .map(|cs| {
            let c = state::Conversation::from_state(cs);
            let mut s = summary(&c);
            // The world keeps observed events, which `from_state` skips as
            // initial events (§7.7); a client keeps those that are pushed or
            // paged, so all of them count. (No scenario builds a list while
            // an observed event is the newest of its conversation: that
            // initial event is skipped, and nothing older can be paged.)
            s.events = cs.event.iter().filter_map(|e| e.event_id.clone()).collect();
            (c.id().to_string(), s)
        })
        .collect();
    // Events pushed as not persisted (off the record) are the client's
    // alone: the world keeps no history of them.
    let mine: BTreeMap<String, Summary> = list.with(|l| {
        l.get_all(true)
            .into_iter()
            .map(|c| {
                let mut s = summary(c);
                s.events.retain(|id| {
                    c.get_event(id)
                        .is_some_and(|e| e.raw().persisted != Some(false))
                });
                (c.id().to_string(), s)
            })
            .collect()
    });
    assert_eq!(mine, world, "{}: the list differs from the world", M::NAME);
    let mut handles = M::handle_ids(list);
    handles.sort();
    assert_eq!(handles, world.keys().cloned().collect::<Vec<_>>());
}

/// Connects, builds the list, and waits until pushes reach it.
async fn start<M: Model>(emu: &EmulatorHandle, tuned: bool) -> (M::Client, M::List, M::Notes) {
    let (client, events) = if tuned {
        M::connect_tuned(emu).await
    } else {
        M::connect(emu).await
    };
    let (list, mut notes) = M::build(&client, events).await;
    until_subscribed(emu, 1);
    let probe = emu.inject_message(ONE_TO_ONE, GRACE, "probe").unwrap();
    until::<M>(&mut notes, "the probe", |u| is_new_event(u, &probe)).await;
    (client, list, notes)
}

async fn every_action_and_notification<M: Model>() {
    let emu = emulator();
    let (client, list, mut notes) = start::<M>(&emu, false).await;
    assert_eq!(list.self_user().full_name, "Ada Lovelace");
    assert_eq!(list.user(&uid(GRACE)).full_name, "Grace Hopper");
    assert!(list.get_user_ok());

    // send_message: the created event comes back as a notification.
    let sent = M::act(&list, ONE_TO_ONE, Act::Send(segments("Hi **Grace**"), None))
        .await
        .unwrap()
        .expect("created event");
    let taken = until::<M>(&mut notes, "the sent message", |u| {
        is_new_event(u, sent.id())
    })
    .await;
    let Some(Update::Notification(Notification::NewEvent(echo))) = taken.last() else {
        unreachable!()
    };
    assert_eq!(echo.as_chat_message().unwrap().text(), "Hi Grace");

    // send_message with an image, uploaded first.
    let image = Image::Upload {
        filename: "dot.png".into(),
        data: b"\x89PNG\r\n\x1a\n not really a png".to_vec(),
    };
    let sent = M::act(&list, GROUP, Act::Send(segments("look"), Some(image)))
        .await
        .unwrap()
        .unwrap();
    let taken = until::<M>(&mut notes, "the image", |u| is_new_event(u, sent.id())).await;
    let Some(Update::Notification(Notification::NewEvent(echo))) = taken.last() else {
        unreachable!()
    };
    assert_eq!(echo.as_chat_message().unwrap().attachments().len(), 1);

    // Two sends at once keep their order.
    let (a, b) = M::send_two_at_once(&list, GROUP, "first", "second").await;
    until::<M>(&mut notes, "the second", |u| is_new_event(u, &b)).await;
    let ts = |id: &str| {
        list.with_conversation(GROUP, |c| c.get_event(id).unwrap().timestamp())
            .unwrap()
    };
    assert!(
        ts(&a) < ts(&b),
        "messages to one conversation go out in order"
    );

    // rename: an event and a changed conversation.
    let renamed = M::act(&list, GROUP, Act::Rename("Renamed".into()))
        .await
        .unwrap()
        .unwrap();
    until::<M>(&mut notes, "the rename", |u| is_new_event(u, renamed.id())).await;
    assert!(renamed.as_rename().is_some());
    assert_eq!(
        list.with_conversation(GROUP, |c| c.name().map(str::to_string)),
        Some(Some("Renamed".into()))
    );

    // set_typing: the typing notification.
    let typing = TypingType::TYPING_TYPE_STARTED;
    assert!(M::act(&list, GROUP, Act::Typing(typing))
        .await
        .unwrap()
        .is_none());
    until::<M>(&mut notes, "typing", |u| {
        matches!(u, Update::Notification(Notification::Typing(t))
            if t.conversation_id == GROUP && t.status == typing)
    })
    .await;

    // A message from Grace, then update_read_timestamp: local at once, and
    // the self watermark notification.
    let injected = emu.inject_message(GROUP, GRACE, "read me").unwrap();
    until::<M>(&mut notes, "Grace's message", |u| {
        is_new_event(u, &injected)
    })
    .await;
    let newest = list
        .with_conversation(GROUP, |c| c.events().last().unwrap().timestamp())
        .unwrap();
    assert!(M::act(&list, GROUP, Act::Read(None))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        list.with_conversation(GROUP, |c| c.latest_read_timestamp()),
        Some(newest)
    );
    until::<M>(&mut notes, "the watermark", |u| {
        matches!(u, Update::Notification(Notification::Watermark(w))
            if w.conversation_id == GROUP && w.read_timestamp == newest)
    })
    .await;
    let unread = list.with_conversation(GROUP, |c| c.unread_events().len());
    assert_eq!(unread, Some(0));

    // set_notification_level: quiet.
    let quiet = NotificationLevel::NOTIFICATION_LEVEL_QUIET;
    M::act(&list, GROUP, Act::Level(quiet)).await.unwrap();
    until::<M>(&mut notes, "quiet", |_| {
        list.with_conversation(GROUP, |c| c.is_quiet()) == Some(true)
    })
    .await;

    // modify_otr_status: off the record.
    let off = OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD;
    let otr = M::act(&list, ONE_TO_ONE, Act::Otr(off))
        .await
        .unwrap()
        .unwrap();
    until::<M>(&mut notes, "the OTR event", |u| is_new_event(u, otr.id())).await;
    assert_eq!(
        list.with_conversation(ONE_TO_ONE, |c| c.is_off_the_record()),
        Some(true)
    );

    // Group link sharing: groups only.
    let link = M::act(&list, GROUP, Act::LinkSharing(true))
        .await
        .unwrap()
        .unwrap();
    until::<M>(&mut notes, "link sharing", |u| is_new_event(u, link.id())).await;
    assert_eq!(
        list.with_conversation(GROUP, |c| c.is_group_link_sharing_enabled()),
        Some(true)
    );
    let err = M::act(&list, ONE_TO_ONE, Act::LinkSharing(true))
        .await
        .unwrap_err();
    assert!(err.contains("not a group"), "{err}");

    // add_users / remove_user.
    emu.add_user("100000000000000000009", "Linus Torvalds", None)
        .unwrap();
    let linus = uid("100000000000000000009");
    let added = M::act(&list, GROUP, Act::Add(vec![linus.clone()]))
        .await
        .unwrap()
        .unwrap();
    until::<M>(&mut notes, "the join", |u| is_new_event(u, added.id())).await;
    assert!(list
        .with_conversation(GROUP, |c| c.user_ids().contains(&linus))
        .unwrap());
    assert_eq!(list.user(&linus).full_name, "Linus Torvalds");
    let removed = M::act(&list, GROUP, Act::Remove(linus.clone()))
        .await
        .unwrap()
        .unwrap();
    until::<M>(&mut notes, "the leave", |u| is_new_event(u, removed.id())).await;
    assert!(!list
        .with_conversation(GROUP, |c| c.user_ids().contains(&linus))
        .unwrap());

    // Someone else starts a conversation: fetched and added, then its
    // message notified.
    let fresh = emu
        .create_conversation(Some("From Alan"), true, &[ALAN, &emu.self_user_id(), GRACE])
        .unwrap();
    let hello = emu.inject_message(&fresh, ALAN, "hello").unwrap();
    let taken = until::<M>(&mut notes, "the new conversation's message", |u| {
        is_new_event(u, &hello)
    })
    .await;
    assert!(list.get_user_ok());
    assert!(
        taken.iter().any(|u| matches!(u,
            Update::Notification(Notification::ConversationAdded(id)) if *id == fresh)),
        "{}: {taken:?}",
        M::NAME
    );

    assert_list_is_the_world::<M>(&emu, &list).await;

    // leave: the group is left and removed from the list.
    M::act(&list, &fresh, Act::Leave).await.unwrap();
    assert!(list.with_conversation(&fresh, |_| ()).is_none());
    let err = M::act(&list, &fresh, Act::Rename("x".into()))
        .await
        .unwrap_err();
    assert!(err.contains("no conversation"), "{err}");
    // The pushed news of our own leaving does not bring it back.
    let marker = emu.inject_message(GROUP, GRACE, "after leaving").unwrap();
    let taken = until::<M>(&mut notes, "the marker", |u| is_new_event(u, &marker)).await;
    assert!(
        !taken.iter().any(|u| matches!(u,
            Update::Notification(Notification::ConversationAdded(id)) if *id == fresh)),
        "{}: {taken:?}",
        M::NAME
    );
    assert_list_is_the_world::<M>(&emu, &list).await;
    M::disconnect(&client).await;
}

/// Every event injected while a fault knob is set reaches the list once,
/// and the list ends equal to the world. The knob must have fired, a knob
/// that breaks the long-poll must be reported (`Disconnected`, then
/// `Reconnected`), and every `NewEvent` is counted as it arrives, also
/// during a grace window after the last wanted one (until a marker
/// injected last arrives), so a late duplicate is seen too.
async fn catches_up_after<M: Model>(fault: Faults) {
    let expect = expect::of(&fault);
    let emu = emulator();
    let (client, list, mut notes) = start::<M>(&emu, true).await;
    emu.set_faults(fault);
    let mut want = BTreeSet::new();
    for i in 0..4 {
        if i == 2 {
            // The rest once the knob fired (a sticky one takes effect on
            // the next long-poll).
            expect.until_fired(&emu, WAIT);
        }
        want.insert(emu.inject_message(GROUP, GRACE, &format!("g{i}")).unwrap());
        want.insert(
            emu.inject_message(ONE_TO_ONE, GRACE, &format!("o{i}"))
                .unwrap(),
        );
        std::thread::sleep(Duration::from_millis(150));
    }
    let mut seen = Vec::new();
    let mut channel = expect::Seen::default();
    let mut marker: Option<String> = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match &marker {
            Some(m) if seen.contains(m) => break,
            Some(_) => {}
            None if want.iter().all(|w| seen.contains(w)) && channel.enough(&expect) => {
                emu.set_faults(Faults::default());
                marker = Some(emu.inject_message(GROUP, GRACE, "marker").unwrap());
                continue;
            }
            None => {}
        }
        assert!(
            Instant::now() < deadline,
            "{}: missing events or the marker {marker:?}: want {want:?}, seen {seen:?}, \
             {channel:?}",
            M::NAME
        );
        if let Some(update) = M::next_update(&mut notes, Duration::from_millis(200)).await {
            if let Update::Client(event) = &update {
                channel.note(event);
            }
            seen.extend(new_event_ids(std::slice::from_ref(&update)));
        }
    }
    expect.check(&emu, &channel, M::NAME);
    let dups = expect::duplicates(&seen);
    assert!(dups.is_empty(), "{}: events came twice: {dups:?}", M::NAME);
    assert_list_is_the_world::<M>(&emu, &list).await;
    M::disconnect(&client).await;
}

/// A catch-up whose SyncAllNewEvents replies the emulator truncates (the
/// client asks for 1-byte replies, so no event fits): every event missed
/// while the session was expired still reaches the list once, through the
/// GetConversation pages of each conversation.
async fn catches_up_through_truncated_replies<M: Model>() {
    let emu = emulator();
    let (client, list, mut notes) = start::<M>(&emu, true).await;
    list.lock().set_max_response_size_bytes(1);
    emu.set_faults(Faults {
        expire_sessions: true,
        ..Default::default()
    });
    let mut want = BTreeSet::new();
    for i in 0..5 {
        want.insert(emu.inject_message(GROUP, GRACE, &format!("g{i}")).unwrap());
        want.insert(
            emu.inject_message(ONE_TO_ONE, GRACE, &format!("o{i}"))
                .unwrap(),
        );
    }
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !want.iter().all(|w| seen.contains(w)) {
        assert!(Instant::now() < deadline, "{}: missing events", M::NAME);
        if let Some(update) = M::next_update(&mut notes, Duration::from_millis(200)).await {
            seen.extend(new_event_ids(std::slice::from_ref(&update)));
        }
    }
    // Whatever else is on its way arrives too, and must not repeat.
    while let Some(update) = M::next_update(&mut notes, Duration::from_millis(500)).await {
        seen.extend(new_event_ids(std::slice::from_ref(&update)));
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "{}: an event came twice", M::NAME);
    let pages = list.lock().catch_up_pages();
    assert!(pages > 0, "{}: no reply was truncated", M::NAME);
    assert_list_is_the_world::<M>(&emu, &list).await;
    M::disconnect(&client).await;
}

/// An application that stops taking notifications: the adapter's bounded
/// event queue (8 here) drops what does not fit and says so; the list
/// catches up and ends with every message exactly once.
async fn a_slow_application_is_told_it_lagged<M: Model>() {
    let emu = emulator();
    let (client, events) = M::connect_with_queue(&emu, 8).await;
    let (list, mut notes) = M::build(&client, events).await;
    until_subscribed(&emu, 1);
    let probe = emu.inject_message(ONE_TO_ONE, GRACE, "probe").unwrap();
    until::<M>(&mut notes, "the probe", |u| is_new_event(u, &probe)).await;
    // Settle: no catch-up left to do (one would bring the messages back
    // without any lag).
    while M::next_update(&mut notes, Duration::from_secs(1))
        .await
        .is_some()
    {}
    // Nobody takes notifications while 40 messages arrive.
    let mut want = BTreeSet::new();
    for i in 0..20 {
        want.insert(emu.inject_message(GROUP, GRACE, &format!("g{i}")).unwrap());
        want.insert(
            emu.inject_message(ONE_TO_ONE, GRACE, &format!("o{i}"))
                .unwrap(),
        );
    }
    std::thread::sleep(Duration::from_secs(2));
    let mut seen = Vec::new();
    let mut lagged = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let wait = if want.iter().all(|w| seen.contains(w)) {
            Duration::from_millis(500)
        } else {
            assert!(Instant::now() < deadline, "{}: missing events", M::NAME);
            Duration::from_millis(200)
        };
        match M::next_update(&mut notes, wait).await {
            Some(update) => {
                if let Update::Lagged { missed } = update {
                    lagged += missed;
                }
                seen.extend(new_event_ids(std::slice::from_ref(&update)));
            }
            None if want.iter().all(|w| seen.contains(w)) => break,
            None => {}
        }
    }
    assert!(lagged > 0, "{}: the lag was not reported", M::NAME);
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "{}: an event came twice", M::NAME);
    assert_list_is_the_world::<M>(&emu, &list).await;
    M::disconnect(&client).await;
}

/// Grace and Alan chat six messages in a group, then Grace adds the self
/// user: the list fetches the conversation (it has no continuation token:
/// the fetch names no events), and `get_events` on its oldest loaded event
/// pages the whole backlog from the newest, as hangups does (7 events:
/// the six messages and the join).
async fn a_group_joined_mid_session_pages_its_backlog<M: Model>() {
    let emu = emulator();
    let (client, list, mut notes) = start::<M>(&emu, false).await;
    // Settle: the connect's catch-up is done (a catch-up after the join
    // would bring the backlog itself, without any paging).
    while M::next_update(&mut notes, Duration::from_secs(1))
        .await
        .is_some()
    {}
    let me = emu.self_user_id();
    let group = emu
        .create_conversation(Some("Grace and Alan"), true, &[GRACE, ALAN])
        .unwrap();
    let mut backlog = Vec::new();
    for i in 0..6 {
        let sender = if i % 2 == 0 { GRACE } else { ALAN };
        backlog.push(
            emu.inject_message(&group, sender, &format!("m{i}"))
                .unwrap(),
        );
    }
    let (grace, _grace_events) = M::connect_to(Spec {
        cookies: emu.cookies(GRACE).into_iter().collect(),
        ..Spec::emulator(&emu)
    })
    .await;
    let added = M::request(
        &grace,
        AddUserRequest {
            event_request_header: Some(Box::new(EventRequestHeader {
                conversation_id: Some(ConversationId {
                    id: Some(group.clone()),
                }),
                ..Default::default()
            })),
            invitee_id: vec![InviteeID {
                gaia_id: Some(me.clone()),
                ..Default::default()
            }],
            ..Default::default()
        }
        .into(),
    )
    .await
    .expect("Grace adds the self user");
    let hangups_core::api::ApiResponse::AddUser(added) = added else {
        panic!("{added:?}")
    };
    let join = added.created_event.unwrap().event_id.unwrap();
    let taken = until::<M>(&mut notes, "the join", |u| is_new_event(u, &join)).await;
    assert!(
        taken.iter().any(|u| matches!(u,
            Update::Notification(Notification::ConversationAdded(id)) if *id == group)),
        "{}: {taken:?}",
        M::NAME
    );
    let loaded = list
        .with_conversation(&group, |c| {
            c.events()
                .iter()
                .map(|e| e.id().to_string())
                .collect::<Vec<_>>()
        })
        .unwrap();
    assert_eq!(
        loaded,
        vec![join.clone()],
        "{}: only the join is loaded: {taken:?}",
        M::NAME
    );

    let page = M::get_events(&list, &group, Some(&join), 50)
        .await
        .expect("get_events");
    let mut want = backlog.clone();
    want.push(join.clone());
    let got: Vec<String> = page.iter().map(|e| e.id().to_string()).collect();
    assert_eq!(got, want, "{}: the backlog and the join", M::NAME);
    let all = list
        .with_conversation(&group, |c| {
            c.events()
                .iter()
                .map(|e| e.id().to_string())
                .collect::<Vec<_>>()
        })
        .unwrap();
    assert_eq!(all, want, "{}: the backlog is loaded", M::NAME);
    // The start of history: the reply had no token, so the next request
    // carries an empty one and nothing older comes back.
    let older = M::get_events(&list, &group, Some(&backlog[0]), 50)
        .await
        .expect("get_events at the start");
    assert!(older.is_empty(), "{}: {older:?}", M::NAME);

    assert_list_is_the_world::<M>(&emu, &list).await;
    M::disconnect(&grace).await;
    M::disconnect(&client).await;
}

trait UserCheck {
    fn get_user_ok(&self) -> bool;
}
impl UserCheck for SharedList {
    /// Every participant of every conversation is a known user.
    fn get_user_ok(&self) -> bool {
        self.with(|l| {
            l.get_all(true)
                .iter()
                .all(|c| c.user_ids().iter().all(|u| l.users().get(u).is_some()))
        })
    }
}

macro_rules! model_tests {
    ($($module:ident: $face:ty;)*) => {$(
        mod $module {
            use super::*;
            type M = $face;

            #[test]
            fn every_action_and_notification() {
                M::run(super::every_action_and_notification::<M>());
            }
            #[test]
            fn catch_up_after_dropped_long_poll() {
                M::run(catches_up_after::<M>(Faults {
                    drop_long_poll_after: Some(40),
                    ..Default::default()
                }));
            }
            #[test]
            fn catch_up_after_one_byte_writes() {
                M::run(catches_up_after::<M>(Faults {
                    split_writes: Some(1),
                    ..Default::default()
                }));
            }
            #[test]
            fn catch_up_after_expired_sid() {
                M::run(catches_up_after::<M>(Faults {
                    expire_sessions: true,
                    ..Default::default()
                }));
            }
            #[test]
            fn catch_up_after_stall_past_keep_alive() {
                M::run(catches_up_after::<M>(Faults {
                    stall: Some(Duration::from_secs(3)),
                    ..Default::default()
                }));
            }
            #[test]
            fn catch_up_after_close_after_each_chunk() {
                M::run(catches_up_after::<M>(Faults {
                    close_after_each_chunk: true,
                    ..Default::default()
                }));
            }
            #[test]
            fn catch_up_through_truncated_replies() {
                M::run(super::catches_up_through_truncated_replies::<M>());
            }
            #[test]
            fn a_group_joined_mid_session_pages_its_backlog() {
                M::run(super::a_group_joined_mid_session_pages_its_backlog::<M>());
            }
            #[test]
            fn a_slow_application_is_told_it_lagged() {
                M::run(super::a_slow_application_is_told_it_lagged::<M>());
            }
            #[test]
            fn off_the_record_events_are_pushed_not_kept() {
                M::run(world::off_the_record_events_are_pushed_not_kept::<M>());
            }
            #[test]
            fn a_hangout_starts_and_ends() {
                M::run(world::a_hangout_starts_and_ends::<M>());
            }
            #[test]
            fn a_phone_participant_is_named_by_number_then_by_entity() {
                M::run(world::a_phone_participant_is_named_by_number_then_by_entity::<M>());
            }
            #[test]
            fn partial_deltas_keep_what_they_leave_out() {
                M::run(world::partial_deltas_keep_what_they_leave_out::<M>());
            }
            #[test]
            fn conversations_with_equal_sort_timestamps_all_arrive() {
                M::run(world::conversations_with_equal_sort_timestamps_all_arrive::<M>());
            }
            #[test]
            fn zero_read_states_are_filled_by_get_conversation() {
                M::run(world::zero_read_states_are_filled_by_get_conversation::<M>());
            }
            #[test]
            fn typing_expires_on_the_server() {
                M::run(world::typing_expires_on_the_server::<M>());
            }
            #[test]
            fn observed_events_are_kept_when_pushed_or_paged() {
                M::run(world::observed_events_are_kept_when_pushed_or_paged::<M>());
            }
            #[test]
            fn catch_up_after_garbage() {
                M::run(catches_up_after::<M>(Faults {
                    long_poll_garbage: Some("junk4\nfail".into()),
                    ..Default::default()
                }));
            }
        }
    )*};
}

model_tests! {
    tokio_adapter: TokioHarness;
    smol_adapter: SmolHarness;
    blocking_adapter: BlockingHarness;
}
