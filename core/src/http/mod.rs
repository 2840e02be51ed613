//! HTTP/1.1 client codec: requests out ([`Request::encode`]), responses in
//! ([`ResponseParser`]). No IO: bytes in, bytes and events out.

mod error;
mod percent;
mod request;

pub use error::HttpError;
pub use request::{form_urlencode, Method, Request};
