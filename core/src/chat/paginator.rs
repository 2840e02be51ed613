//! [`Paginator`]: walks `list` pages, sans-IO. It says which request to
//! send next; the caller sends it (through [`ChatClient::list`](super::ChatClient::list))
//! and hands the page back.

use super::model::ListMessagesResponse;
use super::request::ListMessages;

/// Turns list pages into the next list request until the server sends no
/// `nextPageToken`. Every other parameter stays the same across pages, as
/// the API requires. A token repeated by the server ends the walk instead
/// of looping forever.
///
/// ```
/// use hangups_core::chat::{ListMessages, ListMessagesResponse, Paginator, SpaceName};
/// let mut pages = Paginator::new(ListMessages::new(SpaceName::parse("spaces/S")?).page_size(2));
/// let first = pages.next_request().unwrap();
/// assert_eq!(first.page_token, None);
/// pages.on_page(&serde_json::from_str::<ListMessagesResponse>(r#"{"nextPageToken":"t1"}"#)?);
/// assert_eq!(pages.next_request().unwrap().page_token.as_deref(), Some("t1"));
/// pages.on_page(&serde_json::from_str::<ListMessagesResponse>("{}")?);
/// assert!(pages.next_request().is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paginator {
    request: ListMessages,
    seen: Vec<String>,
    done: bool,
    pages: u64,
}

impl Paginator {
    /// Starts at `first` (its page token, if any, is where the walk starts).
    pub fn new(first: ListMessages) -> Self {
        Paginator {
            request: first,
            seen: Vec::new(),
            done: false,
            pages: 0,
        }
    }

    /// The request for the next page; `None` when the walk is over.
    pub fn next_request(&self) -> Option<ListMessages> {
        (!self.done).then(|| self.request.clone())
    }

    /// A page arrived: the next request follows its token.
    pub fn on_page(&mut self, page: &ListMessagesResponse) {
        self.pages += 1;
        match page.next_page_token.as_deref() {
            Some(t) if !t.is_empty() && !self.seen.iter().any(|s| s == t) => {
                self.seen.push(t.to_string());
                self.request.page_token = Some(t.to_string());
            }
            _ => self.done = true,
        }
    }

    /// Whether the last page has been seen.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Pages seen so far.
    pub fn pages(&self) -> u64 {
        self.pages
    }
}
