//! Chat API calls, image upload and active-client bookkeeping: requests
//! out, typed responses in, transport retries as PROTOCOL.md §2.4 (up to
//! three attempts, one after another, only for transport failures), and
//! only where a second copy cannot hurt:
//!
//! - a request that provably never reached the server (the connection
//!   could not be opened) is always retried;
//! - after it may have reached the server (closed, cut or timed out
//!   later), only an idempotent request
//!   ([`ApiRequest::is_idempotent`](crate::api::ApiRequest::is_idempotent))
//!   is retried; every retry carries the same `client_generated_id`;
//! - a malformed or oversized response is the server's answer: never
//!   retried ([`ApiError::BadResponse`]).

use super::purpose::{Internal, Purpose};
use super::{Client, Event, RequestId, UsageError};
use crate::api::{self, ApiError, ApiRequest, ApiResponse, FailureKind, ImageUpload};
use crate::pool::Outcome;
use hangups_proto::hangouts::{
    ActiveClientState, GetSelfInfoRequest, GetSelfInfoResponse, SetActiveClientRequest,
};
use std::time::{Duration, Instant};

/// hangups calls SetActiveClient at most once a minute…
const SET_ACTIVE_GAP: Duration = Duration::from_secs(60);
/// …asking to stay active for two.
const ACTIVE_TIMEOUT_SECS: u64 = 120;

impl Client {
    /// Sends a chat API request. The request header is filled in (client
    /// version, client id once known, language), and an event request
    /// header without a `client_generated_id` gets a random one. The result
    /// arrives as [`Event::Response`] with the returned id.
    pub fn request(&mut self, now: Instant, request: ApiRequest) -> Result<RequestId, UsageError> {
        self.tick(now);
        if self.closed {
            return Err(UsageError::Closed);
        }
        let id = self.new_request_id();
        self.send_api(id, 1, Box::new(request), None);
        Ok(id)
    }

    /// Uploads an image (§6); the result arrives as [`Event::ImageUploaded`].
    /// Put its `photo_id` in `SendChatMessageRequest.existing_media`.
    pub fn upload_image(
        &mut self,
        now: Instant,
        filename: &str,
        image: Vec<u8>,
    ) -> Result<RequestId, UsageError> {
        self.tick(now);
        if self.closed {
            return Err(UsageError::Closed);
        }
        let id = self.new_request_id();
        match ImageUpload::start(
            filename,
            image.len(),
            &self.config.upload,
            &self.config.api_key,
            &self.auth,
            &self.config.allow_list,
        ) {
            Ok((upload, req)) => {
                self.open(
                    &req,
                    Purpose::UploadSession {
                        id,
                        upload: Box::new(upload),
                        image,
                    },
                    false,
                );
            }
            Err(e) => self
                .events
                .push_back(Event::ImageUploaded { id, result: Err(e) }),
        }
        Ok(id)
    }

    /// Marks this client active (§7.1): at most once a minute unless the
    /// server says another client took over. Learns the account's email
    /// with GetSelfInfo first. Errors are only logged, as in hangups.
    pub fn set_active(&mut self, now: Instant) {
        self.tick(now);
        if self.closed {
            return;
        }
        let recent = self
            .last_set_active
            .is_some_and(|t| now.duration_since(t) < SET_ACTIVE_GAP);
        if self.active_state == ActiveClientState::ACTIVE_CLIENT_STATE_IS_ACTIVE && recent {
            return;
        }
        self.active_state = ActiveClientState::ACTIVE_CLIENT_STATE_IS_ACTIVE;
        self.last_set_active = Some(now);
        if self.email.is_none() {
            let id = self.new_request_id();
            let req = ApiRequest::from(GetSelfInfoRequest::default());
            self.send_api(id, 1, Box::new(req), Some(Internal::SelfInfoForActive));
        } else {
            self.send_set_active();
        }
    }

    fn send_set_active(&mut self) {
        let (Some(email), Some(client_id)) = (self.email.clone(), self.client_id.clone()) else {
            return;
        };
        let req = ApiRequest::from(SetActiveClientRequest {
            is_active: Some(true),
            full_jid: Some(format!("{email}/{client_id}")),
            timeout_secs: Some(ACTIVE_TIMEOUT_SECS),
            ..Default::default()
        });
        let id = self.new_request_id();
        self.send_api(id, 1, Box::new(req), Some(Internal::SetActive));
    }

    fn new_request_id(&mut self) -> RequestId {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        id
    }

    pub(super) fn send_api(
        &mut self,
        id: RequestId,
        attempt: u32,
        mut request: Box<ApiRequest>,
        internal: Option<Internal>,
    ) {
        request.set_request_header(api::request_header(
            &self.config.client_version,
            self.client_id.as_deref(),
        ));
        // A new random id per event request unless the caller chose one
        // (it lets the application recognise its own message, §7.1).
        let needs_id = match request.as_mut() {
            ApiRequest::CreateConversation(r) => r.client_generated_id.is_none(),
            other => other
                .event_request_header_mut()
                .is_some_and(|h| h.client_generated_id.is_none()),
        };
        if needs_id {
            request.set_client_generated_id(self.rng.client_generated_id());
        }
        match api::build_request(
            &self.config.api,
            &self.config.api_key,
            &request,
            &self.auth,
            &self.config.allow_list,
        ) {
            Ok(http) => {
                self.open(
                    &http,
                    Purpose::Api {
                        id,
                        attempt,
                        request,
                        internal,
                    },
                    false,
                );
            }
            Err(e) => self.deliver_api(id, internal, Err(e)),
        }
    }

    pub(super) fn on_api_response(
        &mut self,
        id: RequestId,
        attempt: u32,
        request: Box<ApiRequest>,
        internal: Option<Internal>,
        outcome: Outcome,
    ) {
        let result = match outcome {
            Outcome::Complete { head, body } if head.status == 200 => {
                request.decode_response(&body)
            }
            // Sent with cookies replaced since: send it again with the new ones.
            Outcome::Complete { head, .. }
                if head.status == 401 && self.stale_cookies() && !self.closed =>
            {
                self.send_api(id, attempt, request, internal);
                return;
            }
            Outcome::Complete { head, .. }
                if head.status == 401
                    && self.config.renew_session
                    && !self.closed
                    && !self.renewed.contains(&id) =>
            {
                tracing::debug!(?id, "API call refused with 401; held for new cookies");
                self.held.push(super::Held {
                    id,
                    request,
                    internal,
                    reason: head.reason,
                });
                self.session_expired();
                return;
            }
            Outcome::Complete { head, .. } => Err(ApiError::Http {
                status: head.status,
                reason: head.reason,
            }),
            Outcome::Failed(f) if f.server_answered() => Err(FailureKind::from(f).into()),
            Outcome::Failed(f) => {
                let safe = !f.maybe_sent() || request.is_idempotent();
                if attempt < api::MAX_ATTEMPTS && !self.closed && safe {
                    tracing::debug!(?id, attempt, failure = %f, "retrying API request");
                    self.send_api(id, attempt + 1, request, internal);
                    return;
                }
                Err(FailureKind::from(f).into())
            }
        };
        self.deliver_api(id, internal, result);
    }

    pub(super) fn deliver_api(
        &mut self,
        id: RequestId,
        internal: Option<Internal>,
        result: Result<ApiResponse, ApiError>,
    ) {
        self.renewed.remove(&id);
        match internal {
            None => self.events.push_back(Event::Response {
                id,
                result: result.map(Box::new),
            }),
            Some(Internal::SelfInfoForActive) => match result {
                Ok(ApiResponse::GetSelfInfo(info)) => {
                    let GetSelfInfoResponse { self_entity, .. } = *info;
                    self.email = self_entity
                        .and_then(|e| e.properties)
                        .and_then(|p| p.email.into_iter().next());
                    if self.email.is_none() {
                        tracing::warn!("set_active: the account has no email");
                    }
                    self.send_set_active();
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "set_active: GetSelfInfo failed"),
            },
            Some(Internal::SetActive) => {
                if let Err(e) = result {
                    tracing::warn!(error = %e, "SetActiveClient failed");
                }
            }
        }
    }

    pub(super) fn on_upload_session(
        &mut self,
        id: RequestId,
        mut upload: Box<ImageUpload>,
        image: Vec<u8>,
        outcome: Outcome,
    ) {
        let next = match outcome {
            Outcome::Complete { head, body } => {
                upload.on_session_response(head.status, &body, image)
            }
            Outcome::Failed(f) => Err(FailureKind::from(f).into()),
        };
        match next {
            Ok(req) => {
                self.open(&req, Purpose::UploadPut { id, upload }, false);
            }
            Err(e) => self
                .events
                .push_back(Event::ImageUploaded { id, result: Err(e) }),
        }
    }

    pub(super) fn on_upload_put(
        &mut self,
        id: RequestId,
        mut upload: ImageUpload,
        outcome: Outcome,
    ) {
        let result = match outcome {
            Outcome::Complete { head, body } => upload.on_upload_response(head.status, &body),
            Outcome::Failed(f) => Err(FailureKind::from(f).into()),
        };
        self.events.push_back(Event::ImageUploaded { id, result });
    }
}
