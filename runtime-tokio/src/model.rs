//! The high-level API (hangups' `build_user_conversation_list`,
//! `ConversationList`, `Conversation`): [`hangups_core::adapter`]'s, for
//! this adapter's [`Client`] and [`Events`].

use crate::{ApiRequest, ApiResponse, Client, Error, Events, UploadedImage};
use std::future::Future;

/// The user's conversations, kept current by [`Notifications`] (hangups'
/// `ConversationList`); see [`hangups_core::adapter::ConversationList`].
pub type ConversationList = hangups_core::adapter::ConversationList<Client>;
/// One conversation, to act in (hangups' `Conversation`); see
/// [`hangups_core::adapter::Conversation`].
pub type Conversation = hangups_core::adapter::Conversation<Client>;
/// The list's updates as a `Stream`; polling it keeps the list current.
/// See [`hangups_core::adapter::Notifications`].
pub type Notifications = hangups_core::adapter::Notifications<Client, Events>;

impl hangups_core::adapter::AsyncClient for Client {
    fn request(
        &self,
        request: ApiRequest,
    ) -> impl Future<Output = Result<ApiResponse, Error>> + Send + 'static {
        let client = self.clone();
        async move { Client::request(&client, request).await }
    }
    fn upload_image(
        &self,
        filename: String,
        image: Vec<u8>,
    ) -> impl Future<Output = Result<UploadedImage, Error>> + Send + 'static {
        let client = self.clone();
        async move { Client::upload_image(&client, &filename, image).await }
    }
    fn now_unix_us(&self) -> u64 {
        crate::unix_micros()
    }
}

impl Client {
    /// hangups' `build_user_conversation_list` (PROTOCOL.md §7.2): the
    /// list (recent conversations to the end, their users, the self user)
    /// and its [`Notifications`], which take over `events`.
    pub async fn build_user_conversation_list(
        &self,
        events: Events,
    ) -> Result<(ConversationList, Notifications), Error> {
        hangups_core::adapter::build_user_conversation_list(self, events).await
    }
}
