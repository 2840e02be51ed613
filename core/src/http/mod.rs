//! HTTP/1.1 client codec: requests out ([`Request::encode`]), responses in
//! ([`ResponseParser`]). No IO: bytes in, bytes and events out.

mod request;

pub use request::{form_urlencode, Method, Request};
