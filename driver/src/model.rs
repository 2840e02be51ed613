//! The high-level API (hangups' `build_user_conversation_list`,
//! `ConversationList`, `Conversation`), written once for every runtime: it
//! only sends the requests that [`SharedList`] and
//! [`LiveList`](hangups_core::state::LiveList) ask for and awaits their
//! answers. No runtime and no IO of its own: `R` is the client's runtime
//! (hangups-tokio's `ConversationList` is `ConversationList<TokioRuntime>`),
//! and hangups-blocking waits for the same futures on its thread (they wait
//! on channels, never inside `poll`).

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_core::Stream;
use hangups_core::proto::hangouts::{GetConversationResponse, Segment};

use crate::queue::{Delivery, EventSource};
use crate::{Client, Error, Events, SharedList};
use hangups_core::api::ApiResponse;
use hangups_core::state::{
    self, Action, BuildUserConversationList, ConversationEvent, History, Image, LiveError,
    RequestToken, StateError, Update,
};

/// One lock per conversation: its messages go out in order (§7.8).
type SendOrder = Arc<Mutex<HashMap<String, Arc<Turns>>>>;

/// An async lock made of a one-slot channel holding one token: taking the
/// token is taking the turn, and the guard puts it back when dropped.
/// (async-channel is already here; a lock crate would be one more.)
#[derive(Debug)]
struct Turns {
    tx: async_channel::Sender<()>,
    rx: async_channel::Receiver<()>,
}

impl Default for Turns {
    fn default() -> Self {
        let (tx, rx) = async_channel::bounded(1);
        let _ = tx.try_send(());
        Turns { tx, rx }
    }
}

/// Holds a turn of [`Turns`] until dropped.
struct Turn(async_channel::Sender<()>);

impl Drop for Turn {
    fn drop(&mut self) {
        let _ = self.0.try_send(());
    }
}

impl Turns {
    /// Waits for the turn (callers get it in the order they asked).
    async fn take(&self) -> Turn {
        // The channel cannot close: `self` holds both ends.
        let _ = self.rx.recv().await;
        Turn(self.tx.clone())
    }
}

/// The user's conversations, kept current by [`Notifications`] (hangups'
/// `ConversationList`). Cheap to clone. Reads ([`SharedList`]'s methods,
/// through `Deref`) see the current state.
#[derive(Debug)]
pub struct ConversationList<R> {
    client: Client<R>,
    shared: SharedList,
    send_order: SendOrder,
}

/// One conversation of a [`ConversationList`], to act in (hangups'
/// `Conversation`). Cheap to clone; reads go to the list's current state.
#[derive(Debug)]
pub struct Conversation<R> {
    list: ConversationList<R>,
    id: String,
}

type Pending = Pin<
    Box<dyn std::future::Future<Output = (RequestToken, Result<ApiResponse, LiveError>)> + Send>,
>;

/// The list's updates, in order, as a [`Stream`]. Polling it is what keeps
/// the list current: it folds the client's [`Events`], catches up after
/// every (re)connect and fetches unknown conversations on the way
/// ([`LiveList`](hangups_core::state::LiveList)).
pub struct Notifications<R> {
    client: Client<R>,
    shared: SharedList,
    events: Events,
    pending: Option<Pending>,
}

// Nothing is pinned in place: the pending request is boxed and the events
// are `Unpin` wherever they are polled.
impl<R> Unpin for Notifications<R> {}

impl<R> std::fmt::Debug for Notifications<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifications").finish_non_exhaustive()
    }
}

/// hangups' `build_user_conversation_list` (PROTOCOL.md §7.2): builds the
/// list (recent conversations to the end, their users, the self user) with
/// `client`, and turns its `events` into the list's [`Notifications`].
/// Errors of GetEntityById are tolerated; the others are returned.
pub async fn build_user_conversation_list<R>(
    client: &Client<R>,
    events: Events,
) -> Result<(ConversationList<R>, Notifications<R>), Error> {
    let mut build = BuildUserConversationList::new();
    while let Some(request) = build.next_request() {
        match client.request(request).await {
            Ok(response) => build.on_response(response)?,
            Err(error) => build.on_error().map_err(|_| error)?,
        }
    }
    let shared = SharedList::new(build.finish()?);
    let list = ConversationList {
        client: client.clone(),
        shared: shared.clone(),
        send_order: SendOrder::default(),
    };
    let notifications = Notifications {
        client: client.clone(),
        shared,
        events,
        pending: None,
    };
    Ok((list, notifications))
}

impl<R> Clone for ConversationList<R> {
    fn clone(&self) -> Self {
        ConversationList {
            client: self.client.clone(),
            shared: self.shared.clone(),
            send_order: self.send_order.clone(),
        }
    }
}

impl<R> Clone for Conversation<R> {
    fn clone(&self) -> Self {
        Conversation {
            list: self.list.clone(),
            id: self.id.clone(),
        }
    }
}

impl<R> std::ops::Deref for ConversationList<R> {
    type Target = SharedList;
    fn deref(&self) -> &SharedList {
        &self.shared
    }
}

impl<R> ConversationList<R> {
    /// The conversation with this id.
    pub fn get(&self, conversation_id: &str) -> Option<Conversation<R>> {
        self.contains(conversation_id)
            .then(|| self.handle(conversation_id))
    }

    /// Every conversation, in the list's order; archived ones only if asked.
    pub fn get_all(&self, include_archived: bool) -> Vec<Conversation<R>> {
        let ids = self.conversation_ids(include_archived);
        ids.iter().map(|id| self.handle(id)).collect()
    }

    fn handle(&self, id: &str) -> Conversation<R> {
        Conversation {
            list: self.clone(),
            id: id.to_owned(),
        }
    }

    /// The client the list uses.
    pub fn client(&self) -> &Client<R> {
        &self.client
    }
}

macro_rules! action_methods {
    ($( $(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) => $action:expr; )*) => {
        impl<R> Conversation<R> {
            $(
                $(#[$doc])*
                pub async fn $name(&self, $($arg: $ty),*) -> Result<Option<ConversationEvent>, Error> {
                    self.perform($action).await
                }
            )*
        }
    };
}
hangups_core::for_each_conversation_action!(action_methods);

impl<R> Conversation<R> {
    /// The conversation id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Reads the conversation's current state (`None` once it left the list).
    pub fn with<T>(&self, f: impl FnOnce(&state::Conversation) -> T) -> Option<T> {
        self.list.with_conversation(&self.id, f)
    }

    /// A copy of the conversation's current state.
    pub fn snapshot(&self) -> Option<state::Conversation> {
        self.with(Clone::clone)
    }

    /// Sends a message (hangups' `send_message`): these segments (see
    /// [`segments_from_str`](hangups_core::message::segments_from_str)) and an
    /// optional image, uploaded first if need be. Messages to one
    /// conversation go out one after another, in call order. Returns the
    /// created event; it enters the conversation when its notification
    /// arrives, with the same id.
    pub async fn send_message(
        &self,
        segments: Vec<Segment>,
        image: Option<Image>,
    ) -> Result<Option<ConversationEvent>, Error> {
        let order = {
            let mut locks = self
                .list
                .send_order
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            locks.entry(self.id.clone()).or_default().clone()
        };
        let _in_order = order.take().await;
        let (image_id, image_user_id) = match image {
            None => (None, None),
            Some(Image::Existing { photo_id, user_id }) => (Some(photo_id), user_id),
            Some(Image::Upload { filename, data }) => {
                let uploaded = self.list.client.upload_image(&filename, data).await?;
                (Some(uploaded.photo_id), None)
            }
        };
        let action = Action::SendMessage {
            segments,
            image_id,
            image_user_id,
        };
        self.perform(action).await
    }

    /// Leaves the conversation (a group) or deletes it (one-to-one), then
    /// removes it from the list (hangups' `leave_conversation`).
    pub async fn leave(&self) -> Result<(), Error> {
        let now_us = crate::unix_micros();
        self.perform(Action::Leave { now_us }).await.map(drop)
    }

    /// hangups' `get_events`: with no `event_id`, the newest `max_events`
    /// loaded events; else up to `max_events` before that event, fetching
    /// older history from the server when it is the oldest loaded one.
    /// Oldest first.
    pub async fn get_events(
        &self,
        event_id: Option<&str>,
        max_events: usize,
    ) -> Result<Vec<ConversationEvent>, Error> {
        match self.list.history(&self.id, event_id, max_events)? {
            History::Loaded(events) => Ok(events),
            History::Fetch(request) => {
                let response = self.list.client.request((*request).into()).await?;
                let ApiResponse::GetConversation(response) = response else {
                    return Err(StateError::UnexpectedResponse(response.name()).into());
                };
                let response: &GetConversationResponse = &response;
                self.list.apply_history(&self.id, response)
            }
        }
    }

    async fn perform(&self, action: Action) -> Result<Option<ConversationEvent>, Error> {
        let now_us = crate::unix_micros();
        let Some(request) = self.list.action_request(&self.id, &action, now_us)? else {
            return Ok(None);
        };
        let response = self.list.client.request(request).await?;
        Ok(self
            .list
            .apply_action_response(&self.id, &action, &response))
    }
}

impl<R: 'static> Notifications<R> {
    /// The next update; `None` once the client closed.
    pub async fn next(&mut self) -> Option<Update> {
        std::future::poll_fn(|cx| self.poll_update(cx)).await
    }

    fn poll_update(&mut self, cx: &mut Context<'_>) -> Poll<Option<Update>> {
        loop {
            if let Some(pending) = &mut self.pending {
                let (token, result) = std::task::ready!(pending.as_mut().poll(cx));
                self.pending = None;
                self.shared.lock().handle_response(token, result);
            }
            let request = {
                let mut live = self.shared.lock();
                if let Some(update) = live.poll_update() {
                    return Poll::Ready(Some(update));
                }
                live.poll_request()
            };
            if let Some((token, request)) = request {
                let client = self.client.clone();
                self.pending = Some(Box::pin(async move {
                    let answer = client.request(request).await.map_err(live_error);
                    (token, answer)
                }));
                continue;
            }
            match std::task::ready!(self.events.poll_delivery(cx)) {
                Some(Delivery::Event(event)) => self.shared.lock().handle_event(event),
                Some(Delivery::Lagged { missed }) => self.shared.lock().handle_lag(missed),
                None => return Poll::Ready(None),
            }
        }
    }
}

impl<R: 'static> Stream for Notifications<R> {
    type Item = Update;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Update>> {
        self.poll_update(cx)
    }
}

/// What the live list learns of a failed request.
fn live_error(error: Error) -> LiveError {
    match error {
        Error::Api(e) => LiveError::Api(e),
        Error::State(e) => LiveError::State(e),
        _ => LiveError::Closed,
    }
}

impl<R> Client<R> {
    /// hangups' `build_user_conversation_list` (PROTOCOL.md §7.2): the
    /// list (recent conversations to the end, their users, the self user)
    /// and its [`Notifications`], which take over `events`.
    pub async fn build_user_conversation_list(
        &self,
        events: Events,
    ) -> Result<(ConversationList<R>, Notifications<R>), Error> {
        build_user_conversation_list(self, events).await
    }
}

#[cfg(test)]
mod tests {
    use super::Turns;
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    #[test]
    fn a_turn_is_held_until_its_guard_drops_and_then_passes_on() {
        let turns = Turns::default();
        let mut cx = Context::from_waker(Waker::noop());
        let mut first = std::pin::pin!(turns.take());
        let Poll::Ready(first) = first.as_mut().poll(&mut cx) else {
            panic!("the first turn is free");
        };
        let mut second = std::pin::pin!(turns.take());
        assert!(
            second.as_mut().poll(&mut cx).is_pending(),
            "held by the first"
        );
        drop(first);
        let Poll::Ready(second) = second.as_mut().poll(&mut cx) else {
            panic!("the turn passes on when the first guard drops");
        };
        let mut third = std::pin::pin!(turns.take());
        assert!(third.as_mut().poll(&mut cx).is_pending());
        drop(second);
        assert!(third.as_mut().poll(&mut cx).is_ready());
    }
}
