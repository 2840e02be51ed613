//! The chat API: one typed request per endpoint.
