//! The Google Chat REST client (`spaces.messages`) with blocking calls:
//! hangups-driver's [`ChatClient`](hangups_driver::ChatClient) on a thread
//! of its own, each call waited for on the calling thread.

use hangups_driver::blocking::{block_on, Blocking};
use hangups_driver::hangups_core::chat::{
    ChatConfig, ChatError, CreateMessage, DeleteMessage, GetMessage, ListMessages,
    ListMessagesResponse, Message, UpdateMessage,
};

use crate::Error;

/// A handle to a Google Chat client. Cheap to clone; dropping the last one
/// closes its connections.
#[derive(Debug, Clone)]
pub struct ChatClient(hangups_driver::ChatClient<Blocking>);

/// Every message of a `list`, page after page, as an [`Iterator`]; it
/// ends after the last page or after an error.
#[derive(Debug)]
pub struct MessagePages(hangups_driver::MessagePages<Blocking>);

impl ChatClient {
    /// Starts a client with `config`, trusting `extra_root_certs_pem`
    /// besides the webpki roots (empty for Google).
    pub fn start(config: ChatConfig, extra_root_certs_pem: &[String]) -> Result<Self, Error> {
        Ok(ChatClient(hangups_driver::ChatClient::start_blocking(
            config,
            extra_root_certs_pem,
        )?))
    }

    /// [`start`](Self::start) keeping a user's refresh token in `store`
    /// (saved when the code exchange brings it, forgotten when refused;
    /// see [`oauth`](crate::oauth)).
    pub fn start_with_store(
        config: ChatConfig,
        extra_root_certs_pem: &[String],
        store: impl hangups_driver::hangups_core::auth::TokenStore + Send + 'static,
    ) -> Result<Self, Error> {
        Ok(ChatClient(
            hangups_driver::ChatClient::start_blocking_with_store(
                config,
                extra_root_certs_pem,
                store,
            )?,
        ))
    }

    /// Creates a message; retry-safe (a `requestId` is filled in).
    pub fn create(&self, request: CreateMessage) -> Result<Message, ChatError> {
        block_on(self.0.create(request))
    }

    /// Reads a message.
    pub fn get(&self, request: GetMessage) -> Result<Message, ChatError> {
        block_on(self.0.get(request))
    }

    /// One page of messages.
    pub fn list(&self, request: ListMessages) -> Result<ListMessagesResponse, ChatError> {
        block_on(self.0.list(request))
    }

    /// Updates the fields of the mask with PATCH.
    pub fn patch(&self, request: UpdateMessage) -> Result<Message, ChatError> {
        block_on(self.0.patch(request))
    }

    /// Updates the fields of the mask with PUT.
    pub fn update(&self, request: UpdateMessage) -> Result<Message, ChatError> {
        block_on(self.0.update(request))
    }

    /// Deletes a message.
    pub fn delete(&self, request: DeleteMessage) -> Result<(), ChatError> {
        block_on(self.0.delete(request))
    }

    /// Every message of `request`'s pages, in order.
    pub fn list_all(&self, request: ListMessages) -> MessagePages {
        MessagePages(self.0.list_all(request))
    }
}

impl Iterator for MessagePages {
    type Item = Result<Message, ChatError>;
    fn next(&mut self) -> Option<Self::Item> {
        block_on(self.0.next())
    }
}
