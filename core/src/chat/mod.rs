//! A sans-IO client of the Google Chat REST API's `spaces.messages`
//! (create, get, list, patch, update, delete), for apps (service
//! accounts), users (OAuth) and incoming webhooks.
//!
//! - [`names`]: space, message and thread names, client-assigned ids;
//! - [`model`]: the `Message` resource, unknown fields kept;
//! - [`request`] and [`filter`]: one checked builder per method;
//! - [`auth`]: the endpoint and the credentials;
//! - [`service_account`]: service-account key files, signed JWTs and the
//!   token exchange the client runs;
//! - [`oauth`]: user sign-in for installed apps (loopback redirect, PKCE),
//!   the refresh-token grant the client runs;
//! - [`error`]: the Google error envelope, typed;
//! - [`ChatClient`]: the machine (retries, backoff, pooled connections),
//!   and [`Paginator`] for walking `list` pages.
//!
//! ```
//! use hangups_core::chat::{ChatAuth, ChatClient, ChatConfig, CreateMessage, Message, SpaceName};
//! use hangups_core::client::Output;
//! use std::time::Instant;
//!
//! let config = ChatConfig::new(ChatAuth::Bearer("ya29.token".into()))
//!     .with_url("http://127.0.0.1:8080")?;
//! let now = Instant::now(); // the driver's clock
//! let mut chat = ChatClient::new(config, now)?;
//! let space = SpaceName::parse("spaces/AAAA")?;
//! let id = chat.create(now, CreateMessage::new(space, Message::text("hello")).thread_key("build-42"))?;
//! let Some(Output::Connect { host, port, .. }) = chat.poll_output() else { panic!() };
//! assert_eq!((host.as_str(), port), ("127.0.0.1", 8080));
//! # let _ = id;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod auth;
mod cards;
mod client;
mod config;
pub mod error;
pub mod filter;
pub mod http_date;
pub mod model;
pub mod names;
pub mod oauth;
mod paginator;
pub mod request;
pub mod service_account;

pub use auth::{ChatAuth, ChatEndpoint};
pub use cards::{Card, CardError, Section, Widget};
pub use client::{ChatClient, ChatEvent, ChatRequestId, ChatResponse};
pub use config::ChatConfig;
pub use error::{ChatError, ErrorDetail, FieldViolation, GoogleError, HelpLink, InvalidRequest};
pub use filter::ListFilter;
pub use model::{EnumValue, ListMessagesResponse, Message};
pub use names::{ClientMessageId, MessageName, NameError, SpaceName, ThreadName};
pub use oauth::{
    AppError, AuthorizationRequest, InstalledApp, Pkce, RedirectError, UserGrant, UserOAuth,
};
pub use paginator::Paginator;
pub use request::{
    ChatRequest, CreateMessage, DeleteMessage, GetMessage, ListMessages, MarkupSyntax,
    NotificationType, Order, ReplyOption, SystemParams, UpdateMessage, UpdateVerb,
};
pub use service_account::{
    KeyError, OAuthErrorCode, ServiceAccount, ServiceAccountKey, SignError, Signer, TokenError,
    TokenMode, CHAT_BOT_SCOPE,
};
