//! HTTP/1.1 client codec: requests out ([`Request::encode`]), responses in
//! ([`ResponseParser`]). No IO: bytes in, bytes and events out.

mod chunked;
mod error;
mod framing;
mod percent;
mod request;
mod response;

pub use error::HttpError;
pub use request::{form_urlencode, Method, Request};
pub use response::{Limits, ResponseEvent, ResponseHead, ResponseParser};
