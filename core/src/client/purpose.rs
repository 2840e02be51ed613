//! What each exchange in flight is for: the client's side of the table
//! whose transport side is the [`Pool`](crate::pool::Pool).

use super::types::RequestId;
use crate::api::{ApiRequest, ImageUpload};
use crate::channel::ChunkParser;

/// An exchange in flight, as the client sees it.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) purpose: Purpose,
    /// Which cookies the request carried (`Client::set_cookies` counts up).
    pub(crate) generation: u64,
}

/// Why the client made a request.
#[derive(Debug)]
pub(crate) enum Purpose {
    /// The channel's session (SID) request.
    Sid,
    /// The channel's long-poll; its streamed body goes into this parser.
    LongPoll(Box<ChunkParser>),
    /// The service subscription after a new client id.
    Subscribe,
    /// A chat API call, kept for retries.
    Api {
        id: RequestId,
        attempt: u32,
        request: Box<ApiRequest>,
        internal: Option<Internal>,
    },
    /// Image upload, first step (session).
    UploadSession {
        id: RequestId,
        upload: Box<crate::api::ImageUpload>,
        image: Vec<u8>,
    },
    /// Image upload, second step (the bytes).
    UploadPut {
        id: RequestId,
        upload: Box<ImageUpload>,
    },
}

/// API calls the client makes for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Internal {
    /// GetSelfInfo to learn the email for SetActiveClient.
    SelfInfoForActive,
    /// SetActiveClient.
    SetActive,
}
