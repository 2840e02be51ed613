//! The high-level API of the three adapters behind one trait, so each
//! scenario is written once.

use super::harness::*;
use hangups_core::state::{ConversationEvent, Image, Update, UserId};
use hangups_driver::SharedList;
use hangups_proto::hangouts::*;
use hangups_tests::emulator::EmulatorHandle;
use std::future::Future;
use std::ops::Deref;
use std::time::Duration;

/// One conversation action of the high-level API.
#[derive(Debug, Clone)]
pub enum Act {
    Send(Vec<Segment>, Option<Image>),
    Rename(String),
    Leave,
    Typing(TypingType),
    Read(Option<u64>),
    Level(NotificationLevel),
    Otr(OffTheRecordStatus),
    LinkSharing(bool),
    Add(Vec<UserId>),
    Remove(UserId),
}

/// What the scenarios need of an adapter's high-level API.
pub trait Model: Harness {
    /// The adapter's `ConversationList`.
    type List: Clone + Deref<Target = SharedList>;
    /// The adapter's `Notifications`.
    type Notes;
    /// `client.build_user_conversation_list(events)`.
    fn build(
        client: &Self::Client,
        events: Self::Events,
    ) -> impl Future<Output = (Self::List, Self::Notes)>;
    /// The next update, or `None` after `timeout`.
    fn next_update(
        notes: &mut Self::Notes,
        timeout: Duration,
    ) -> impl Future<Output = Option<Update>>;
    /// `list.get(conv)?.<act>(…)`.
    fn act(
        list: &Self::List,
        conv: &str,
        act: Act,
    ) -> impl Future<Output = Result<Option<ConversationEvent>, String>>;
    /// Two messages sent at once to one conversation (in call order).
    fn send_two_at_once(
        list: &Self::List,
        conv: &str,
        first: &str,
        second: &str,
    ) -> impl Future<Output = (String, String)>;
    /// `list.get(conv)?.get_events(event_id, max)`.
    fn get_events(
        list: &Self::List,
        conv: &str,
        event_id: Option<&str>,
        max: usize,
    ) -> impl Future<Output = Result<Vec<ConversationEvent>, String>>;
    /// `list.get_all(true)` ids, through the adapter's handles.
    fn handle_ids(list: &Self::List) -> Vec<String>;
    /// Connects to the emulator with an event queue of `capacity`.
    fn connect_with_queue(
        emu: &EmulatorHandle,
        capacity: usize,
    ) -> impl Future<Output = (Self::Client, Self::Events)>;
}

fn text(t: &str) -> Vec<Segment> {
    hangups_core::message::segments_from_str(t)
}

macro_rules! model_face {
    ($face:ident, $krate:ident, next = |$n:ident, $t:ident| $next:expr, both = |$a:ident, $b:ident| $both:expr, [$($aw:tt)*]) => {
        impl Model for $face {
            type List = $krate::ConversationList;
            type Notes = $krate::Notifications;
            async fn build(
                client: &Self::Client,
                events: Self::Events,
            ) -> (Self::List, Self::Notes) {
                client
                    .build_user_conversation_list(events)
                    $($aw)*
                    .expect("build_user_conversation_list")
            }
            async fn next_update($n: &mut Self::Notes, $t: Duration) -> Option<Update> {
                $next
            }
            async fn act(
                list: &Self::List,
                conv: &str,
                act: Act,
            ) -> Result<Option<ConversationEvent>, String> {
                let c = list.get(conv).ok_or_else(|| format!("no conversation {conv}"))?;
                let result = match act {
                    Act::Send(segments, image) => c.send_message(segments, image) $($aw)*,
                    Act::Rename(name) => c.rename(&name) $($aw)*,
                    Act::Leave => c.leave() $($aw)* .map(|()| None),
                    Act::Typing(t) => c.set_typing(t) $($aw)*,
                    Act::Read(ts) => c.update_read_timestamp(ts) $($aw)*,
                    Act::Level(l) => c.set_notification_level(l) $($aw)*,
                    Act::Otr(s) => c.modify_otr_status(s) $($aw)*,
                    Act::LinkSharing(on) => c.set_group_link_sharing_enabled(on) $($aw)*,
                    Act::Add(users) => c.add_users(&users) $($aw)*,
                    Act::Remove(user) => c.remove_user(&user) $($aw)*,
                };
                result.map_err(|e| e.to_string())
            }
            async fn send_two_at_once(
                list: &Self::List,
                conv: &str,
                first: &str,
                second: &str,
            ) -> (String, String) {
                let c = list.get(conv).expect("conversation");
                let $a = c.send_message(text(first), None);
                let $b = c.send_message(text(second), None);
                let (a, b) = $both;
                let id = |r: Result<Option<ConversationEvent>, $krate::Error>| {
                    r.expect("send").expect("created event").id().to_string()
                };
                (id(a), id(b))
            }
            async fn get_events(
                list: &Self::List,
                conv: &str,
                event_id: Option<&str>,
                max: usize,
            ) -> Result<Vec<ConversationEvent>, String> {
                let c = list.get(conv).ok_or_else(|| format!("no conversation {conv}"))?;
                c.get_events(event_id, max) $($aw)* .map_err(|e| e.to_string())
            }
            fn handle_ids(list: &Self::List) -> Vec<String> {
                list.get_all(true).iter().map(|c| c.id().to_string()).collect()
            }
            async fn connect_with_queue(
                emu: &EmulatorHandle,
                capacity: usize,
            ) -> (Self::Client, Self::Events) {
                let mut config = $krate::Config::default().with_url(&emu.url()).expect("url");
                config.proxy_from_env = false;
                if let Some(pem) = emu.cert_pem() {
                    config = config.with_root_cert_pem(&pem);
                }
                config.event_queue_capacity = capacity;
                let cookies = emu.self_cookies().into_iter().collect();
                $krate::Client::connect(cookies, config) $($aw)* .expect("connect")
            }
        }
    };
}

model_face!(
    TokioHarness,
    hangups_tokio,
    next = |notes, t| tokio::time::timeout(t, notes.next()).await.ok().flatten(),
    both = |a, b| futures_lite::future::zip(a, b).await,
    [.await]
);

model_face!(
    SmolHarness,
    hangups_smol,
    next = |notes, t| {
        futures_lite::future::or(async { notes.next().await }, async move {
            async_io::Timer::after(t).await;
            None
        })
        .await
    },
    both = |a, b| futures_lite::future::zip(a, b).await,
    [.await]
);

model_face!(
    BlockingHarness,
    hangups_blocking,
    next = |notes, t| notes.recv_timeout(t),
    // A blocking caller sends one after another: the order is the call order.
    both = |a, b| (a, b),
    []
);
