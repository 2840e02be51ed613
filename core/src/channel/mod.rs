//! The BrowserChannel push channel.
