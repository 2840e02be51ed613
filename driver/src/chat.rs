//! [`ChatClient`]: the handle to a Google Chat REST client
//! ([`hangups_core::chat::ChatClient`], a sans-IO machine) run by the same
//! drive loop as the Hangouts client, on any [`Runtime`](crate::Runtime)
//! or on a thread ([`Blocking`](crate::blocking::Blocking)). Each call sends
//! a command to the loop and waits for its answer on a channel; `list_all`
//! walks every page.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::marker::PhantomData;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use hangups_core::chat::{
    ChatClient as Core, ChatError, ChatEvent, ChatRequestId, ChatResponse, CreateMessage,
    DeleteMessage, GetMessage, ListMessages, ListMessagesResponse, Message, Paginator,
    UpdateMessage,
};

use crate::drive::Host;

/// The core machine for `config`, with the wall clock, and its RNG seeded
/// from the OS when the configuration leaves the seed at 0 (the default):
/// the seed draws the `requestId`s of creates, so two processes with the
/// same seed would send the same ids and get each other's messages back.
pub(crate) fn new_core(mut config: hangups_core::chat::ChatConfig) -> Result<Core, ChatError> {
    if config.rng_seed == 0 {
        config.rng_seed = crate::os_seed();
    }
    Core::with_wall_clock(config, Instant::now(), crate::unix_secs())
}

/// Where a call's answer goes.
type Reply = Box<dyn FnOnce(Result<ChatResponse, ChatError>) + Send>;
/// Starts a call on the machine.
type Start = Box<dyn FnOnce(&mut Core, Instant) -> Result<ChatRequestId, ChatError> + Send>;

/// What a [`ChatClient`] handle asks of its drive loop.
pub enum ChatCommand {
    /// Start a call; its answer goes to the reply.
    Call(Start, Reply),
    /// The last handle was dropped: close.
    HandlesGone,
}

impl std::fmt::Debug for ChatCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChatCommand::Call(..) => "Call",
            ChatCommand::HandlesGone => "HandlesGone",
        })
    }
}

/// Where a user's refresh token is kept.
pub(crate) type ChatStore = Box<dyn hangups_core::auth::TokenStore + Send>;

/// The Chat client's side of a drive loop: answers to their callers, and
/// a user's refresh token to its store.
#[derive(Default)]
pub(crate) struct ChatHost {
    replies: HashMap<ChatRequestId, Reply>,
    gone: bool,
    store: Option<ChatStore>,
}

impl ChatHost {
    pub(crate) fn with_store(store: Option<ChatStore>) -> Self {
        ChatHost {
            store,
            ..ChatHost::default()
        }
    }
}

impl Host<Core> for ChatHost {
    type Command = ChatCommand;

    fn command(&mut self, core: &mut Core, now: Instant, command: ChatCommand) {
        match command {
            ChatCommand::Call(start, reply) => match start(core, now) {
                Ok(id) => {
                    self.replies.insert(id, reply);
                }
                Err(error) => reply(Err(error)),
            },
            ChatCommand::HandlesGone => {
                core.close(now);
                self.gone = true;
            }
        }
    }

    fn event(&mut self, _: &mut Core, event: ChatEvent) -> ControlFlow<()> {
        match event {
            ChatEvent::NewRefreshToken(token) => {
                if let Some(store) = &mut self.store {
                    store.set_refresh_token(&token);
                }
            }
            ChatEvent::Response { id, result } => {
                if matches!(result, Err(ChatError::BadRefreshToken(_))) {
                    if let Some(store) = &mut self.store {
                        tracing::warn!("the stored refresh token was refused: forgetting it");
                        store.clear();
                    }
                }
                if let Some(reply) = self.replies.remove(&id) {
                    reply(result);
                }
            }
            ChatEvent::Retrying {
                attempt,
                delay,
                error,
                ..
            } => tracing::info!(attempt, ?delay, %error, "Chat call failed; retrying"),
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn is_finished(&self) -> bool {
        self.gone
    }
}

/// Sends a command to the loop; `false` once it has stopped.
pub(crate) type ChatSink = Arc<dyn Fn(ChatCommand) -> bool + Send + Sync>;

struct Inner {
    send: ChatSink,
}

impl Drop for Inner {
    fn drop(&mut self) {
        (self.send)(ChatCommand::HandlesGone);
    }
}

/// A handle to a Google Chat client (`spaces.messages`). Cheap to clone;
/// dropping the last handle closes its connections. `R` names the runtime
/// it runs on; start one with [`ChatClient::start`] (async runtimes) or
/// [`ChatClient::start_blocking`](crate::ChatClient::start_blocking).
pub struct ChatClient<R> {
    inner: Arc<Inner>,
    runtime: PhantomData<fn() -> R>,
}

impl<R> Clone for ChatClient<R> {
    fn clone(&self) -> Self {
        ChatClient {
            inner: self.inner.clone(),
            runtime: PhantomData,
        }
    }
}

impl<R> std::fmt::Debug for ChatClient<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatClient").finish_non_exhaustive()
    }
}

impl<R> ChatClient<R> {
    pub(crate) fn from_sink(send: ChatSink) -> Self {
        ChatClient {
            inner: Arc::new(Inner { send }),
            runtime: PhantomData,
        }
    }

    /// Runs `start` on the machine and waits for the answer.
    async fn call(&self, start: Start) -> Result<ChatResponse, ChatError> {
        let (tx, rx) = async_channel::bounded(1);
        let reply: Reply = Box::new(move |result| {
            let _ = tx.try_send(result);
        });
        if !(self.inner.send)(ChatCommand::Call(start, reply)) {
            return Err(ChatError::Closed);
        }
        rx.recv().await.unwrap_or(Err(ChatError::Closed))
    }

    async fn message(&self, start: Start) -> Result<Message, ChatError> {
        match self.call(start).await? {
            ChatResponse::Message(message) => Ok(*message),
            _ => Err(unexpected()),
        }
    }

    /// Creates a message (`spaces.messages.create`). Retry-safe: the core
    /// fills `requestId` when the request has none.
    pub async fn create(&self, request: CreateMessage) -> Result<Message, ChatError> {
        self.message(Box::new(move |core, now| core.create(now, request)))
            .await
    }

    /// Reads a message (`spaces.messages.get`).
    pub async fn get(&self, request: GetMessage) -> Result<Message, ChatError> {
        self.message(Box::new(move |core, now| core.get(now, request)))
            .await
    }

    /// One page of messages (`spaces.messages.list`); see
    /// [`list_all`](Self::list_all) for every page.
    pub async fn list(&self, request: ListMessages) -> Result<ListMessagesResponse, ChatError> {
        match self
            .call(Box::new(move |core, now| core.list(now, request)))
            .await?
        {
            ChatResponse::List(page) => Ok(page),
            _ => Err(unexpected()),
        }
    }

    /// Updates the fields of the mask (`spaces.messages.patch`).
    pub async fn patch(&self, request: UpdateMessage) -> Result<Message, ChatError> {
        self.message(Box::new(move |core, now| core.patch(now, request)))
            .await
    }

    /// Updates the fields of the mask (`spaces.messages.update`, PUT).
    pub async fn update(&self, request: UpdateMessage) -> Result<Message, ChatError> {
        self.message(Box::new(move |core, now| core.update(now, request)))
            .await
    }

    /// Deletes a message (`spaces.messages.delete`).
    pub async fn delete(&self, request: DeleteMessage) -> Result<(), ChatError> {
        self.call(Box::new(move |core, now| core.delete(now, request)))
            .await
            .map(drop)
    }

    /// Every message of `request`'s pages, in order, as a stream
    /// ([`MessagePages::next`], or `futures_core::Stream`).
    pub fn list_all(&self, request: ListMessages) -> MessagePages<R> {
        MessagePages {
            client: self.clone(),
            pages: Paginator::new(request),
            buffer: VecDeque::new(),
            pending: None,
            failed: false,
        }
    }
}

fn unexpected() -> ChatError {
    ChatError::Decode {
        status: 200,
        reason: "the answer is of another kind than the call".into(),
    }
}

type PageFuture = Pin<Box<dyn Future<Output = Result<ListMessagesResponse, ChatError>> + Send>>;

/// Every message of a `list`, page after page ([`ChatClient::list_all`]).
/// After an error it ends.
pub struct MessagePages<R> {
    client: ChatClient<R>,
    pages: Paginator,
    buffer: VecDeque<Message>,
    pending: Option<PageFuture>,
    failed: bool,
}

impl<R> Unpin for MessagePages<R> {}

impl<R> std::fmt::Debug for MessagePages<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessagePages")
            .field("pages", &self.pages.pages())
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl<R: 'static> MessagePages<R> {
    /// The next message; `None` after the last page (or after an error).
    pub async fn next(&mut self) -> Option<Result<Message, ChatError>> {
        std::future::poll_fn(|cx| self.poll_message(cx)).await
    }

    /// How many pages have come so far.
    pub fn pages(&self) -> u64 {
        self.pages.pages()
    }

    fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Message, ChatError>>> {
        loop {
            if let Some(message) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(message)));
            }
            if self.failed {
                return Poll::Ready(None);
            }
            if let Some(pending) = &mut self.pending {
                let page = std::task::ready!(pending.as_mut().poll(cx));
                self.pending = None;
                match page {
                    Ok(page) => {
                        self.pages.on_page(&page);
                        self.buffer.extend(page.messages);
                    }
                    Err(error) => {
                        self.failed = true;
                        return Poll::Ready(Some(Err(error)));
                    }
                }
                continue;
            }
            let Some(request) = self.pages.next_request() else {
                return Poll::Ready(None);
            };
            let client = self.client.clone();
            self.pending = Some(Box::pin(async move { client.list(request).await }));
        }
    }
}

impl<R: 'static> futures_core::Stream for MessagePages<R> {
    type Item = Result<Message, ChatError>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_message(cx)
    }
}
