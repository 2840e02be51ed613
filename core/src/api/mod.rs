//! The chat API: one typed request per endpoint.

mod error;
mod session;

pub use error::{check_http_status, ApiError, BODY_READ_TIMEOUT, CONNECT_TIMEOUT, MAX_ATTEMPTS};
pub use session::{apply_auth, sapisidhash, AuthHeaders, Cookies, HostAllowList, ORIGIN};
