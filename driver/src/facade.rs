//! [`facade!`](crate::facade): the public face of an async runtime's crate
//! (hangups-tokio, hangups-smol), generated from its [`Runtime`](crate::Runtime)
//! type so that the facades share it instead of repeating it.

/// Declares, in the calling crate, the client API over `$runtime`: the
/// `Client`, `ConversationList`, `Conversation` and `Notifications` types,
/// the sign-in functions (`get_auth`, `get_auth_with`, `get_auth_stdin`,
/// `get_auth_stdin_with`) and the re-exports an application needs.
#[macro_export]
macro_rules! facade {
    ($runtime:ty) => {
        pub use $crate::hangups_core::api::{
            ApiError, ApiRequest, ApiResponse, Cookies, UploadError, UploadedImage,
        };
        pub use $crate::hangups_core::auth::{Credentials, MemoryStore, RefreshToken, TokenStore};
        pub use $crate::hangups_core::client::{ChannelError, Event, FatalError};
        pub use $crate::hangups_core::state::{
            ConversationEvent, Image, Notification, Update, User, UserId,
        };
        pub use $crate::hangups_core::{chat, message, proto, state};
        pub use $crate::hangups_credentials::{
            CredentialsPrompt, FileStore, NoPrompt, StdinPrompt,
        };
        pub use $crate::{
            oauth, service_account, service_account_config, Config, Delivery, Error, Events,
            RsaSigner, DEFAULT_EVENT_QUEUE_CAPACITY,
        };

        /// A handle to a connected client (see [`hangups_driver::Client`]).
        /// Cheap to clone; dropping every handle disconnects.
        pub type Client = $crate::Client<$runtime>;
        /// The user's conversations, kept current by [`Notifications`]
        /// (hangups' `ConversationList`); see [`hangups_driver::ConversationList`].
        pub type ConversationList = $crate::ConversationList<$runtime>;
        /// One conversation, to act in (hangups' `Conversation`); see
        /// [`hangups_driver::Conversation`].
        pub type Conversation = $crate::Conversation<$runtime>;
        /// The list's updates as a `Stream`; polling it keeps the list
        /// current. See [`hangups_driver::Notifications`].
        pub type Notifications = $crate::Notifications<$runtime>;

        /// A handle to a Google Chat REST client (`spaces.messages`); see
        /// [`hangups_driver::ChatClient`].
        pub type ChatClient = $crate::ChatClient<$runtime>;
        /// Every message of a `list`, page after page, as a `Stream`.
        pub type MessagePages = $crate::MessagePages<$runtime>;

        /// Signs in to Google (hangups' `get_auth`): with the refresh token
        /// in `store`, or else (or if it was revoked: it is then removed)
        /// with an authorization code from `prompt`. Returns the session
        /// cookies for [`Client::connect`].
        pub async fn get_auth<P: CredentialsPrompt, S: TokenStore>(
            prompt: &mut P,
            store: &mut S,
        ) -> Result<Cookies, Error> {
            Ok(get_auth_with(prompt, store, &Config::default())
                .await?
                .cookies)
        }

        /// [`get_auth`] against the servers of `config` (e.g. an emulator),
        /// with everything the flow yields.
        pub async fn get_auth_with<P: CredentialsPrompt, S: TokenStore>(
            prompt: &mut P,
            store: &mut S,
            config: &Config,
        ) -> Result<Credentials, Error> {
            let runtime = <$runtime as ::std::default::Default>::default();
            $crate::get_auth_with(&runtime, prompt, store, config).await
        }

        /// [`get_auth`] with the refresh token cached in the file at `path`
        /// and the manual login on the terminal (hangups' `get_auth_stdin`).
        pub async fn get_auth_stdin(path: impl AsRef<::std::path::Path>) -> Result<Cookies, Error> {
            get_auth_stdin_with(path, &Config::default()).await
        }

        /// [`get_auth_stdin`] against the servers of `config`.
        pub async fn get_auth_stdin_with(
            path: impl AsRef<::std::path::Path>,
            config: &Config,
        ) -> Result<Cookies, Error> {
            let mut store = FileStore::new(path.as_ref());
            Ok(get_auth_with(&mut StdinPrompt, &mut store, config)
                .await?
                .cookies)
        }
    };
}
