//! keys_never_panic
