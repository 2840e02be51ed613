//! [`Calls`]: the chat API calls and uploads an adapter's driver has in
//! flight, and where their answers go, so that the three drivers do not
//! each route [`Event::Response`] and [`Event::ImageUploaded`] by hand.

use std::collections::HashMap;
use std::time::Instant;

use hangups_core::api::{ApiError, ApiRequest, ApiResponse, Cookies, UploadError, UploadedImage};
use hangups_core::auth::AuthError;
use hangups_core::client::{Client, Event, RequestId};

/// Where a call's answer goes (the adapter wraps its one-shot sender).
pub type RequestReply = Box<dyn FnOnce(Result<ApiResponse, ApiError>) + Send>;
/// Where an upload's answer goes.
pub type UploadReply = Box<dyn FnOnce(Result<UploadedImage, UploadError>) + Send>;

/// The calls in flight in one [`Client`], and their replies.
#[derive(Default)]
pub struct Calls {
    requests: HashMap<RequestId, RequestReply>,
    uploads: HashMap<RequestId, UploadReply>,
}

impl std::fmt::Debug for Calls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Calls")
            .field("requests", &self.requests.len())
            .field("uploads", &self.uploads.len())
            .finish()
    }
}

impl Calls {
    /// Sends `request` through `core`; its answer goes to `reply` (at once
    /// if the core is closed).
    pub fn request(
        &mut self,
        core: &mut Client,
        now: Instant,
        request: ApiRequest,
        reply: RequestReply,
    ) {
        match core.request(now, request) {
            Ok(id) => {
                self.requests.insert(id, reply);
            }
            Err(e) => reply(Err(e.into())),
        }
    }

    /// Starts an image upload through `core`; its answer goes to `reply`.
    pub fn upload(
        &mut self,
        core: &mut Client,
        now: Instant,
        filename: &str,
        image: Vec<u8>,
        reply: UploadReply,
    ) {
        match core.upload_image(now, filename, image) {
            Ok(id) => {
                self.uploads.insert(id, reply);
            }
            Err(e) => reply(Err(e.into())),
        }
    }

    /// Hands a call's answer to its reply; every other event comes back
    /// for the application.
    pub fn route(&mut self, event: Event) -> Option<Event> {
        match event {
            Event::Response { id, result } => {
                if let Some(reply) = self.requests.remove(&id) {
                    reply(result.map(|r| *r));
                }
                None
            }
            Event::ImageUploaded { id, result } => {
                if let Some(reply) = self.uploads.remove(&id) {
                    reply(result);
                }
                None
            }
            other => Some(other),
        }
    }
}

#[cfg(test)]
impl Calls {
    fn len(&self) -> usize {
        self.requests.len() + self.uploads.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The end of signing in again after [`Event::SessionExpired`]: the new
/// cookies go to `core` (its held calls are sent again), or, if signing in
/// failed, the held calls fail. `unix_secs` is the wall clock for the new
/// SAPISIDHASH.
pub fn apply_renewal(
    core: &mut Client,
    now: Instant,
    unix_secs: u64,
    result: Result<Cookies, AuthError>,
) {
    let renewed = result
        .map_err(crate::Error::from)
        .and_then(|cookies| Ok(core.set_cookies(now, cookies, unix_secs)?));
    if let Err(e) = renewed {
        tracing::warn!(error = %e, "signing in again failed");
        core.session_renewal_failed(now);
    }
}

#[cfg(test)]
mod tests {
    use super::Calls;
    use hangups_core::api::{ApiError, Cookies, TransportError};
    use hangups_core::client::{Client, Config, Event, RequestId};
    use hangups_core::proto::hangouts::GetSelfInfoRequest;
    use std::sync::mpsc;
    use std::time::Instant;

    #[test]
    fn answers_reach_their_replies_and_other_events_come_back() {
        let now = Instant::now();
        let config =
            Config::new(Cookies::from_iter([("SAPISID", "s")])).with_server("127.0.0.1", 1, false);
        let mut core = Client::new(config, now, 0).unwrap();
        let mut calls = Calls::default();
        let (tx, rx) = mpsc::channel();
        calls.request(
            &mut core,
            now,
            GetSelfInfoRequest::default().into(),
            Box::new(move |r| tx.send(r).unwrap()),
        );
        assert_eq!(calls.len(), 1);
        let id = RequestId(0);
        let event = Event::Response {
            id,
            result: Err(ApiError::Transport(TransportError::ClosedBeforeResponse)),
        };
        assert!(calls.route(event).is_none());
        assert!(rx.try_recv().unwrap().is_err());
        assert!(calls.is_empty());
        assert!(matches!(
            calls.route(Event::Connected),
            Some(Event::Connected)
        ));
        // A closed core answers at once.
        core.disconnect(now);
        let (tx, rx) = mpsc::channel();
        calls.request(
            &mut core,
            now,
            GetSelfInfoRequest::default().into(),
            Box::new(move |r| tx.send(r).unwrap()),
        );
        assert!(matches!(rx.try_recv(), Ok(Err(ApiError::Closed))));
        assert!(calls.is_empty());
    }
}
