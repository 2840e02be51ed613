//! [`LiveList`]: a [`ConversationList`] kept current from the client's
//! events, as a sans-IO machine. It is what the adapters' notification
//! streams run: client events in, requests out (catch-up syncs and fetches
//! of unknown conversations), responses in, [`Update`]s out.

use std::collections::{HashMap, VecDeque};

use hangups_proto::hangouts::{StateUpdate, StateUpdateKind as Oneof};

use super::catch_up::CatchUpSync;
use super::list::{ConversationList, Notification};
use super::sync::SYNC_MAX_RESPONSE_SIZE_BYTES;
use super::StateError;
use crate::api::{ApiError, ApiRequest, ApiResponse};
use crate::client::Event;

/// Why a request of the [`LiveList`] failed: what the driver that sent it
/// reports back with [`LiveList::handle_response`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    /// The chat API call failed.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The answer did not fit the request (another endpoint's response, a
    /// conversation missing from it, a sync that cannot be applied).
    #[error(transparent)]
    State(#[from] StateError),
    /// The client closed before the answer came.
    #[error("the client is closed")]
    Closed,
}

/// At most this many pushed updates wait for a catch-up in flight; beyond
/// it they are folded at once (the catch-up deduplicates by event id).
pub const MAX_HELD_UPDATES: usize = 10_000;

/// What a notification stream yields.
#[derive(Debug)]
#[non_exhaustive]
pub enum Update {
    /// The model changed (an event, typing, a watermark, a conversation
    /// added, changed, left or deleted).
    Notification(Notification),
    /// A pushed update of a kind with no notification of its own (focus,
    /// presence, notification level, view change, easter egg, settings…),
    /// whole. Any conversation delta in it has been applied.
    Other(Box<StateUpdate>),
    /// A client event other than a state update: `Connected`,
    /// `Reconnected`, `Disconnected`, `ClientId`, `Subscribed`,
    /// `UnknownPush`, `Closed`.
    Client(Event),
    /// The catch-up sync failed. Nothing is lost: it is retried with the
    /// next client event, from the same position.
    CatchUpFailed(LiveError),
    /// The application fell behind and the adapter's bounded event queue
    /// dropped this many pushed updates
    /// (the driver's `Delivery::Lagged`). A
    /// catch-up from the list's sync position follows at once and brings
    /// their events back (each once); typing and presence news in them is
    /// gone.
    Lagged {
        /// How many pushed updates were dropped.
        missed: u64,
    },
    /// An update named a conversation the list does not know, and fetching
    /// it failed: the updates waiting for it were dropped (as hangups
    /// drops them).
    ConversationFetchFailed {
        /// Which conversation.
        conversation_id: String,
        /// How many updates were dropped.
        dropped: usize,
        /// Why the fetch failed.
        error: LiveError,
    },
}

/// Names a request of [`LiveList::poll_request`] when its result comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RequestToken(u64);

#[derive(Clone, Debug, PartialEq)]
enum Purpose {
    /// A request of the catch-up in flight.
    CatchUp,
    /// The fetch of an unknown conversation.
    Fetch(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CatchUp {
    /// Nothing to do.
    Idle,
    /// Send one as soon as asked.
    Wanted,
    /// One is in flight; pushed updates wait for it.
    InFlight,
    /// The last one failed: want one again with the next client event
    /// (the channel's keep-alive is one, every ~30 s).
    Failed,
}

/// A [`ConversationList`] kept current from the client's events (hangups'
/// `ConversationList` with its `on_state_update` / `on_connect` /
/// `on_reconnect` observers), without IO.
///
/// Drive it: pass every client event to [`handle_event`](Self::handle_event);
/// send each [`poll_request`](Self::poll_request) and pass its result to
/// [`handle_response`](Self::handle_response); take
/// [`poll_update`](Self::poll_update)s for the application.
///
/// - A catch-up sync (§7.6) is asked for at once (hangups syncs right after
///   building the list) and after every `Connected`, `Reconnected` and
///   `Subscribed` (hangups does not sync after subscribing, so what
///   happened between its sync and the subscription is lost).
///   Pushed updates that arrive while it is in flight wait and are folded
///   after it, so events come in timestamp order. A failed catch-up is
///   retried with the next client event from the same position (the
///   channel's keep-alive, [`Event::KeepAlive`], is one: a retry never
///   waits for a message), so the gap is never skipped.
/// - An update about an unknown conversation fetches it
///   (`GetConversation`); the update is applied once it arrives.
///
/// ```
/// use hangups_core::client::Event;
/// use hangups_core::api::{ApiRequest, ApiResponse};
/// use hangups_core::proto::hangouts::*;
/// use hangups_core::state::{ConversationList, LiveList, Update, UserList};
///
/// let list = ConversationList::new(&[], UserList::new(&Entity::default(), &[], &[]), 5);
/// let mut live = LiveList::new(list);
/// live.handle_event(Event::Connected);
/// let (token, request) = live.poll_request().unwrap();
/// assert!(matches!(request, ApiRequest::SyncAllNewEvents(r) if r.last_sync_timestamp == Some(5)));
/// live.handle_response(token, Ok(ApiResponse::from(SyncAllNewEventsResponse::default())));
/// assert!(matches!(live.poll_update(), Some(Update::Client(Event::Connected))));
/// assert!(live.poll_request().is_none() && live.poll_update().is_none());
/// ```
#[derive(Debug)]
pub struct LiveList {
    list: ConversationList,
    catch_up: CatchUp,
    /// A connect came while a catch-up was in flight: another one follows.
    catch_up_again: bool,
    /// The oldest sync position a failed catch-up did not cover.
    resume_from: Option<u64>,
    held: VecDeque<Box<StateUpdate>>,
    fetches: VecDeque<String>,
    in_flight: HashMap<RequestToken, Purpose>,
    next_token: u64,
    updates: VecDeque<Update>,
    /// The catch-up in flight.
    sync: Option<CatchUpSync>,
    /// `max_response_size_bytes` of its SyncAllNewEvents requests.
    max_response_size_bytes: u64,
    /// GetConversation pages of truncated catch-ups so far.
    catch_up_pages: u64,
}

impl LiveList {
    /// Starts keeping `list` current; a catch-up is wanted at once.
    pub fn new(list: ConversationList) -> Self {
        LiveList {
            list,
            catch_up: CatchUp::Wanted,
            catch_up_again: false,
            resume_from: None,
            held: VecDeque::new(),
            fetches: VecDeque::new(),
            in_flight: HashMap::new(),
            next_token: 0,
            updates: VecDeque::new(),
            sync: None,
            max_response_size_bytes: SYNC_MAX_RESPONSE_SIZE_BYTES,
            catch_up_pages: 0,
        }
    }

    /// How many GetConversation pages catch-ups have asked for so far
    /// (each a conversation a truncated SyncAllNewEvents reply left
    /// incomplete).
    pub fn catch_up_pages(&self) -> u64 {
        self.catch_up_pages
    }

    /// The `max_response_size_bytes` of the catch-up's SyncAllNewEvents
    /// requests (default [`SYNC_MAX_RESPONSE_SIZE_BYTES`], as hangups); a
    /// small one makes the server truncate, which the catch-up repairs.
    pub fn set_max_response_size_bytes(&mut self, bytes: u64) {
        self.max_response_size_bytes = bytes;
    }

    /// The list.
    pub fn list(&self) -> &ConversationList {
        &self.list
    }

    /// The list, to change (e.g. by a conversation action or history).
    pub fn list_mut(&mut self) -> &mut ConversationList {
        &mut self.list
    }

    /// The sync position to save for a restart: the list's, or older while
    /// a catch-up has not covered a gap yet.
    pub fn sync_timestamp(&self) -> u64 {
        let now = self.list.sync_timestamp();
        self.resume_from.map_or(now, |from| from.min(now))
    }

    /// Takes one client event.
    pub fn handle_event(&mut self, event: Event) {
        if self.catch_up == CatchUp::Failed {
            self.catch_up = CatchUp::Wanted;
        }
        match event {
            Event::StateUpdate(update) => {
                if self.catch_up == CatchUp::Idle || self.held.len() >= MAX_HELD_UPDATES {
                    self.fold(&update);
                } else {
                    self.held.push_back(update);
                }
            }
            Event::Connected | Event::Reconnected { .. } | Event::Subscribed => {
                self.want_catch_up();
                self.updates.push_back(Update::Client(event));
            }
            // Results of the application's own calls are not ours; a
            // keep-alive only gives a failed catch-up its retry (above).
            Event::Response { .. } | Event::ImageUploaded { .. } | Event::KeepAlive => {}
            other => self.updates.push_back(Update::Client(other)),
        }
    }

    /// Takes a lag of the adapter's event queue: `missed` pushed updates
    /// were dropped before the next event. Reports [`Update::Lagged`] and
    /// catches up from the sync position, which the dropped updates never
    /// moved.
    pub fn handle_lag(&mut self, missed: u64) {
        self.want_catch_up();
        self.updates.push_back(Update::Lagged { missed });
    }

    fn want_catch_up(&mut self) {
        if self.catch_up == CatchUp::InFlight {
            self.catch_up_again = true;
        } else {
            self.catch_up = CatchUp::Wanted;
        }
    }

    /// The next request to send, if any.
    pub fn poll_request(&mut self) -> Option<(RequestToken, ApiRequest)> {
        if self.catch_up == CatchUp::Wanted {
            let from = self.sync_timestamp();
            self.resume_from = Some(from);
            self.catch_up = CatchUp::InFlight;
            self.sync = Some(
                CatchUpSync::new(from).with_max_response_size_bytes(self.max_response_size_bytes),
            );
        }
        if let Some(request) = self.sync.as_mut().and_then(CatchUpSync::next_request) {
            if matches!(request, ApiRequest::GetConversation(_)) {
                self.catch_up_pages += 1;
            }
            return Some(self.start(Purpose::CatchUp, request));
        }
        let id = self.fetches.pop_front()?;
        let request = ConversationList::fetch_request(&id).into();
        Some(self.start(Purpose::Fetch(id), request))
    }

    fn start(&mut self, purpose: Purpose, request: ApiRequest) -> (RequestToken, ApiRequest) {
        let token = RequestToken(self.next_token);
        self.next_token += 1;
        self.in_flight.insert(token, purpose);
        (token, request)
    }

    /// Takes the result of a request from [`poll_request`](Self::poll_request).
    /// An unknown token is ignored.
    pub fn handle_response(&mut self, token: RequestToken, result: Result<ApiResponse, LiveError>) {
        let Some(purpose) = self.in_flight.remove(&token) else {
            return;
        };
        match (purpose, result) {
            (Purpose::CatchUp, result) => self.catch_up_answer(result),
            (Purpose::Fetch(id), Ok(ApiResponse::GetConversation(response))) => {
                match &response.conversation_state {
                    Some(state) => {
                        let notes = self.list.add_conversation_state(state);
                        self.notify(notes);
                    }
                    None => self.fetch_failed(
                        id,
                        StateError::UnexpectedResponse("GetConversation without a conversation")
                            .into(),
                    ),
                }
            }
            (Purpose::Fetch(id), result) => {
                let error = match result {
                    Err(error) => error,
                    Ok(other) => StateError::UnexpectedResponse(other.name()).into(),
                };
                self.fetch_failed(id, error);
            }
        }
    }

    fn catch_up_answer(&mut self, result: Result<ApiResponse, LiveError>) {
        let Some(mut sync) = self.sync.take() else {
            return;
        };
        let step = result.and_then(|response| Ok(sync.on_response(response)?));
        if let Err(error) = step {
            self.updates.push_back(Update::CatchUpFailed(error));
            self.catch_up_done(CatchUp::Failed);
            return;
        }
        if !sync.is_done() {
            self.sync = Some(sync); // more pages
            return;
        }
        let from = sync.from();
        match sync.finish() {
            Ok(response) => {
                let newest = self.list.sync_timestamp();
                self.list.set_sync_timestamp(from);
                let notes = self.list.apply_catch_up(&response);
                let reached = self.list.sync_timestamp();
                self.list.set_sync_timestamp(reached.max(newest));
                self.notify(notes);
                self.resume_from = None;
                self.catch_up_done(CatchUp::Idle);
            }
            Err(error) => {
                self.updates.push_back(Update::CatchUpFailed(error.into()));
                self.catch_up_done(CatchUp::Failed);
            }
        }
    }

    fn catch_up_done(&mut self, next: CatchUp) {
        self.catch_up = if std::mem::take(&mut self.catch_up_again) {
            CatchUp::Wanted
        } else {
            next
        };
        while let Some(update) = self.held.pop_front() {
            self.fold(&update);
        }
    }

    fn fetch_failed(&mut self, conversation_id: String, error: LiveError) {
        let dropped = self.list.conversation_fetch_failed(&conversation_id);
        self.updates.push_back(Update::ConversationFetchFailed {
            conversation_id,
            dropped,
            error,
        });
    }

    /// The next update for the application.
    pub fn poll_update(&mut self) -> Option<Update> {
        self.updates.pop_front()
    }

    fn fold(&mut self, update: &StateUpdate) {
        let notes = self.list.fold(update);
        self.notify(notes);
        let has_own_notification = matches!(
            update.state_update,
            Oneof::EventNotification(_)
                | Oneof::TypingNotification(_)
                | Oneof::WatermarkNotification(_)
                | Oneof::DeleteNotification(_)
                | Oneof::ConversationNotification(_)
                | Oneof::None
        );
        if !has_own_notification {
            self.updates
                .push_back(Update::Other(Box::new(update.clone())));
        }
    }

    fn notify(&mut self, notes: Vec<Notification>) {
        for note in notes {
            match note {
                Notification::NeedsConversation(id) => self.fetches.push_back(id),
                other => self.updates.push_back(Update::Notification(other)),
            }
        }
    }
}
