//! list_tabs
