//! The high-level API of the adapters (hangups' `build_user_conversation_list`,
//! `ConversationList`, `Conversation`), written once for every runtime:
//! generic over the adapter's client ([`AsyncClient`]), it only sends the
//! requests that [`SharedList`] and [`LiveList`](crate::state::LiveList)
//! ask for and awaits their answers. No runtime, no IO of its own: the
//! adapters name these types for their client (hangups-tokio's
//! `ConversationList` is `ConversationList<hangups_tokio::Client>`), and
//! hangups-blocking drives the same futures to completion on its thread.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_core::Stream;
use hangups_proto::hangouts::{GetConversationResponse, Segment};

use super::{Delivery, Error, EventSource, SharedList};
use crate::api::{ApiRequest, ApiResponse, UploadedImage};
use crate::state::{
    self, Action, BuildUserConversationList, ConversationEvent, History, Image, RequestToken,
    Update,
};

/// What the high-level API needs of an adapter's client handle.
pub trait AsyncClient: Clone + Send + Sync + 'static {
    /// Sends a chat API request and waits for its response.
    fn request(
        &self,
        request: ApiRequest,
    ) -> impl Future<Output = Result<ApiResponse, Error>> + Send + 'static;
    /// Uploads an image (PROTOCOL.md §6).
    fn upload_image(
        &self,
        filename: String,
        image: Vec<u8>,
    ) -> impl Future<Output = Result<UploadedImage, Error>> + Send + 'static;
    /// Now, in microseconds since the Unix epoch (the core reads no clock).
    fn now_unix_us(&self) -> u64;
}

/// One lock per conversation: its messages go out in order (§7.8).
type SendOrder = Arc<Mutex<HashMap<String, Arc<async_lock::Mutex<()>>>>>;

/// The user's conversations, kept current by [`Notifications`] (hangups'
/// `ConversationList`). Cheap to clone. Reads ([`SharedList`]'s methods,
/// through `Deref`) see the current state.
#[derive(Debug, Clone)]
pub struct ConversationList<C> {
    client: C,
    shared: SharedList,
    send_order: SendOrder,
}

/// One conversation of a [`ConversationList`], to act in (hangups'
/// `Conversation`). Cheap to clone; reads go to the list's current state.
#[derive(Debug, Clone)]
pub struct Conversation<C> {
    list: ConversationList<C>,
    id: String,
}

type Pending = Pin<Box<dyn Future<Output = (RequestToken, Result<ApiResponse, Error>)> + Send>>;

/// The list's updates, in order, as a [`Stream`]. Polling it is what keeps
/// the list current: it folds the client's events (`E`), catches up after
/// every (re)connect and fetches unknown conversations on the way
/// ([`LiveList`](crate::state::LiveList)).
pub struct Notifications<C, E> {
    client: C,
    shared: SharedList,
    events: E,
    pending: Option<Pending>,
}

// Nothing is pinned in place: the pending request is boxed and the events
// are `Unpin` wherever they are polled.
impl<C, E> Unpin for Notifications<C, E> {}

impl<C, E> std::fmt::Debug for Notifications<C, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifications").finish_non_exhaustive()
    }
}

/// hangups' `build_user_conversation_list` (PROTOCOL.md §7.2): builds the
/// list (recent conversations to the end, their users, the self user) with
/// `client`, and turns its `events` into the list's [`Notifications`].
/// Errors of GetEntityById are tolerated; the others are returned.
pub async fn build_user_conversation_list<C: AsyncClient, E>(
    client: &C,
    events: E,
) -> Result<(ConversationList<C>, Notifications<C, E>), Error> {
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

impl<C> std::ops::Deref for ConversationList<C> {
    type Target = SharedList;
    fn deref(&self) -> &SharedList {
        &self.shared
    }
}

impl<C: AsyncClient> ConversationList<C> {
    /// The conversation with this id.
    pub fn get(&self, conversation_id: &str) -> Option<Conversation<C>> {
        self.contains(conversation_id)
            .then(|| self.handle(conversation_id))
    }

    /// Every conversation, in the list's order; archived ones only if asked.
    pub fn get_all(&self, include_archived: bool) -> Vec<Conversation<C>> {
        let ids = self.conversation_ids(include_archived);
        ids.iter().map(|id| self.handle(id)).collect()
    }

    fn handle(&self, id: &str) -> Conversation<C> {
        Conversation {
            list: self.clone(),
            id: id.to_owned(),
        }
    }

    /// The client the list uses.
    pub fn client(&self) -> &C {
        &self.client
    }
}

macro_rules! action_methods {
    ($( $(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) => $action:expr; )*) => {
        impl<C: AsyncClient> Conversation<C> {
            $(
                $(#[$doc])*
                pub async fn $name(&self, $($arg: $ty),*) -> Result<Option<ConversationEvent>, Error> {
                    self.perform($action).await
                }
            )*
        }
    };
}
crate::for_each_conversation_action!(action_methods);

impl<C: AsyncClient> Conversation<C> {
    /// The conversation id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Reads the conversation's current state (`None` once it left the list).
    pub fn with<R>(&self, f: impl FnOnce(&state::Conversation) -> R) -> Option<R> {
        self.list.with_conversation(&self.id, f)
    }

    /// A copy of the conversation's current state.
    pub fn snapshot(&self) -> Option<state::Conversation> {
        self.with(Clone::clone)
    }

    /// Sends a message (hangups' `send_message`): these segments (see
    /// [`segments_from_str`](crate::message::segments_from_str)) and an
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
        let _in_order = order.lock().await;
        let (image_id, image_user_id) = match image {
            None => (None, None),
            Some(Image::Existing { photo_id, user_id }) => (Some(photo_id), user_id),
            Some(Image::Upload { filename, data }) => {
                let uploaded = self.list.client.upload_image(filename, data).await?;
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
        let now_us = self.list.client.now_unix_us();
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
                    return Err(Error::UnexpectedResponse);
                };
                let response: &GetConversationResponse = &response;
                self.list.apply_history(&self.id, response)
            }
        }
    }

    async fn perform(&self, action: Action) -> Result<Option<ConversationEvent>, Error> {
        let now_us = self.list.client.now_unix_us();
        let Some(request) = self.list.action_request(&self.id, &action, now_us)? else {
            return Ok(None);
        };
        let response = self.list.client.request(request).await?;
        Ok(self
            .list
            .apply_action_response(&self.id, &action, &response))
    }
}

impl<C, E> Notifications<C, E> {
    /// The client events this folds (the blocking adapter sets a deadline
    /// on them).
    pub fn events_mut(&mut self) -> &mut E {
        &mut self.events
    }
}

impl<C: AsyncClient, E: EventSource> Notifications<C, E> {
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
                let answer = self.client.request(request);
                self.pending = Some(Box::pin(async move { (token, answer.await) }));
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

impl<C: AsyncClient, E: EventSource> Stream for Notifications<C, E> {
    type Item = Update;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Update>> {
        self.poll_update(cx)
    }
}
