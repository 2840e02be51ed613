//! One builder per `spaces.messages` method. Each checks everything it
//! can before a byte is sent (names, sizes, masks, page sizes, filters)
//! and builds the [`http::Request`](crate::http::Request): method, path
//! `/v1/…`, percent-encoded query, JSON body and credentials.

use super::auth::{ChatAuth, ChatEndpoint};
use super::error::{ChatError, InvalidRequest};
use super::filter::ListFilter;
use super::model::{Message, Thread};
use super::names::{ClientMessageId, MessageName, SpaceName, ThreadName};
use crate::http::{Method, Request};

/// The largest message text, in bytes (UTF-8).
pub const MAX_TEXT_BYTES: usize = 32_000;

/// The most JSON one card of `cardsV2` may take: the API's "32 KB",
/// read as 32 × 1024 bytes so that no card Google accepts is refused
/// here (a card between 32,000 and 32,768 bytes is left to the server).
pub const MAX_CARD_BYTES: usize = 32 * 1024;
/// The longest `thread.threadKey`, in characters.
pub const MAX_THREAD_KEY_CHARS: usize = 4_000;

/// System parameters every method takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemParams {
    /// `fields`: a partial response selector, e.g. `name,thread.name`.
    pub fields: Option<String>,
    /// `prettyPrint`.
    pub pretty_print: Option<bool>,
    /// `quotaUser`: who to charge the quota to.
    pub quota_user: Option<String>,
}

impl SystemParams {
    fn apply(&self, q: &mut Vec<(String, String)>) -> Result<(), InvalidRequest> {
        if let Some(f) = &self.fields {
            push(q, "fields", checked("fields", f)?);
        }
        if let Some(p) = self.pretty_print {
            push(q, "prettyPrint", bool_str(p));
        }
        if let Some(u) = &self.quota_user {
            push(q, "quotaUser", checked("quotaUser", u)?);
        }
        Ok(())
    }
}

/// How a new message joins a thread (`messageReplyOption`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyOption {
    /// Start a new thread (the server's default).
    NewThread,
    /// Reply in the thread if it exists, else start one.
    FallbackToNewThread,
    /// Reply in the thread, or fail with NOT_FOUND.
    OrFail,
}

impl ReplyOption {
    /// The value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyOption::NewThread => "MESSAGE_REPLY_OPTION_UNSPECIFIED",
            ReplyOption::FallbackToNewThread => "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
            ReplyOption::OrFail => "REPLY_MESSAGE_OR_FAIL",
        }
    }
}

/// `createMessageNotificationOptions.notificationType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationType {
    /// The default notification behaviour.
    Default,
    /// Notify even users who muted the space.
    ForceNotify,
    /// Do not notify.
    Silent,
}

impl NotificationType {
    /// The value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationType::Default => "NOTIFICATION_TYPE_NONE",
            NotificationType::ForceNotify => "NOTIFICATION_TYPE_FORCE_NOTIFY",
            NotificationType::Silent => "NOTIFICATION_TYPE_SILENT",
        }
    }
}

/// `spaces.messages.create`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateMessage {
    /// The space.
    pub parent: SpaceName,
    /// The message to post.
    pub message: Message,
    /// `requestId`; [`ChatClient`](super::ChatClient) fills a UUIDv4 when
    /// `None`, which makes retrying the create safe.
    pub request_id: Option<String>,
    /// `messageId`: a client-assigned id.
    pub message_id: Option<ClientMessageId>,
    /// `messageReplyOption`. When a thread is set and this is `None`,
    /// [`ReplyOption::FallbackToNewThread`] is sent: without an option the
    /// server ignores the thread.
    pub reply_option: Option<ReplyOption>,
    /// `createMessageNotificationOptions.notificationType`.
    pub notification: Option<NotificationType>,
    /// System parameters.
    pub system: SystemParams,
}

impl CreateMessage {
    /// Posts `message` in `parent`.
    pub fn new(parent: SpaceName, message: Message) -> Self {
        CreateMessage {
            parent,
            message,
            request_id: None,
            message_id: None,
            reply_option: None,
            notification: None,
            system: SystemParams::default(),
        }
    }

    /// Sets `requestId` (a repeat returns the message already created).
    pub fn request_id(mut self, id: &str) -> Self {
        self.request_id = Some(id.to_string());
        self
    }

    /// Sets the client-assigned `messageId`.
    pub fn message_id(mut self, id: ClientMessageId) -> Self {
        self.message_id = Some(id);
        self
    }

    /// Posts in the thread the app calls `key` (`thread.threadKey`).
    pub fn thread_key(mut self, key: &str) -> Self {
        self.message.thread = Some(Thread {
            thread_key: Some(key.to_string()),
            ..Thread::default()
        });
        self
    }

    /// Posts in the thread `name` (`thread.name`), e.g. someone else's.
    pub fn thread(mut self, name: &ThreadName) -> Self {
        self.message.thread = Some(Thread {
            name: Some(name.to_string()),
            ..Thread::default()
        });
        self
    }

    /// Sets `messageReplyOption`.
    pub fn reply_option(mut self, option: ReplyOption) -> Self {
        self.reply_option = Some(option);
        self
    }

    /// Sets the notification type.
    pub fn notification(mut self, n: NotificationType) -> Self {
        self.notification = Some(n);
        self
    }
}

/// `markupSyntax` of `get` and `list`: how `text` is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkupSyntax {
    /// The server's default.
    Unspecified,
    /// Google Chat's own markup.
    Chat,
    /// Markdown.
    Markdown,
}

impl MarkupSyntax {
    /// The value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkupSyntax::Unspecified => "MARKUP_SYNTAX_UNSPECIFIED",
            MarkupSyntax::Chat => "MARKUP_SYNTAX_CHAT",
            MarkupSyntax::Markdown => "MARKUP_SYNTAX_MARKDOWN",
        }
    }
}

/// `spaces.messages.get`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetMessage {
    /// The message.
    pub name: MessageName,
    /// `markupSyntax`.
    pub markup_syntax: Option<MarkupSyntax>,
    /// System parameters.
    pub system: SystemParams,
}

impl GetMessage {
    /// Reads message `name`.
    pub fn new(name: MessageName) -> Self {
        GetMessage {
            name,
            markup_syntax: None,
            system: SystemParams::default(),
        }
    }

    /// Sets `markupSyntax`.
    pub fn markup_syntax(mut self, m: MarkupSyntax) -> Self {
        self.markup_syntax = Some(m);
        self
    }
}

/// The order of `list` (`orderBy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Oldest first (`create_time ASC`, the server's default).
    Ascending,
    /// Newest first (`create_time DESC`).
    Descending,
}

/// `spaces.messages.list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListMessages {
    /// The space.
    pub parent: SpaceName,
    /// `pageSize`, `1..=1000`; the server's default is 25.
    pub page_size: Option<u32>,
    /// `pageToken` from the previous page.
    pub page_token: Option<String>,
    /// `filter`.
    pub filter: Option<ListFilter>,
    /// `orderBy`.
    pub order: Option<Order>,
    /// `showDeleted`.
    pub show_deleted: bool,
    /// `markupSyntax`.
    pub markup_syntax: Option<MarkupSyntax>,
    /// System parameters.
    pub system: SystemParams,
}

impl ListMessages {
    /// The first page of `parent`.
    pub fn new(parent: SpaceName) -> Self {
        ListMessages {
            parent,
            page_size: None,
            page_token: None,
            filter: None,
            order: None,
            show_deleted: false,
            markup_syntax: None,
            system: SystemParams::default(),
        }
    }

    /// Sets `markupSyntax`.
    pub fn markup_syntax(mut self, m: MarkupSyntax) -> Self {
        self.markup_syntax = Some(m);
        self
    }

    /// Sets `pageSize` (checked when built: `1..=1000`).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Sets `pageToken`.
    pub fn page_token(mut self, token: &str) -> Self {
        self.page_token = Some(token.to_string());
        self
    }

    /// Sets `filter`.
    pub fn filter(mut self, filter: ListFilter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Sets `orderBy`.
    pub fn order(mut self, order: Order) -> Self {
        self.order = Some(order);
        self
    }

    /// Sets `showDeleted`.
    pub fn show_deleted(mut self, yes: bool) -> Self {
        self.show_deleted = yes;
        self
    }
}

/// `PATCH` (`patch`) or `PUT` (`update`): the same call to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateVerb {
    /// `spaces.messages.patch`.
    Patch,
    /// `spaces.messages.update`.
    Update,
}

/// The fields an update may change (`updateMask` paths), sent snake_case.
pub const UPDATABLE_PATHS: [&str; 7] = [
    "text",
    "attachment",
    "cards",
    "cards_v2",
    "accessory_widgets",
    "quoted_message_metadata",
    "*",
];

/// `spaces.messages.patch` / `spaces.messages.update`.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateMessage {
    /// `PATCH` or `PUT`.
    pub verb: UpdateVerb,
    /// The message.
    pub name: MessageName,
    /// The new content of the fields in the mask.
    pub message: Message,
    /// `updateMask` paths as given (snake or camelCase; checked when built).
    pub mask: Vec<String>,
    /// `allowMissing`: create the message if missing (client-assigned ids only).
    pub allow_missing: bool,
    /// System parameters.
    pub system: SystemParams,
}

impl UpdateMessage {
    /// Updates `name`'s `mask` fields (a comma-separated list, e.g.
    /// `"text,cardsV2"`) to those of `message`.
    pub fn new(verb: UpdateVerb, name: MessageName, message: Message, mask: &str) -> Self {
        UpdateMessage {
            verb,
            name,
            message,
            mask: mask
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect(),
            allow_missing: false,
            system: SystemParams::default(),
        }
    }

    /// Sets `allowMissing`.
    pub fn allow_missing(mut self, yes: bool) -> Self {
        self.allow_missing = yes;
        self
    }

    /// The mask as sent: each path checked and written snake_case.
    pub fn normalized_mask(&self) -> Result<Vec<&'static str>, InvalidRequest> {
        let mut out = Vec::new();
        for p in &self.mask {
            let snake = to_snake(p);
            let Some(&known) = UPDATABLE_PATHS.iter().find(|k| **k == snake) else {
                return Err(InvalidRequest::UpdateMaskPath(p.clone()));
            };
            if !out.contains(&known) {
                out.push(known);
            }
        }
        Ok(out)
    }
}

fn to_snake(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `spaces.messages.delete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteMessage {
    /// The message.
    pub name: MessageName,
    /// `force`: also delete threaded replies (user auth only).
    pub force: bool,
    /// System parameters.
    pub system: SystemParams,
}

impl DeleteMessage {
    /// Deletes `name`.
    pub fn new(name: MessageName) -> Self {
        DeleteMessage {
            name,
            force: false,
            system: SystemParams::default(),
        }
    }

    /// Sets `force`.
    pub fn force(mut self, yes: bool) -> Self {
        self.force = yes;
        self
    }
}

/// Any one call.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChatRequest {
    /// `create`.
    Create(CreateMessage),
    /// `get`.
    Get(GetMessage),
    /// `list`.
    List(ListMessages),
    /// `patch` or `update`.
    Update(UpdateMessage),
    /// `delete`.
    Delete(DeleteMessage),
}

impl ChatRequest {
    /// The method's name, as the API calls it.
    pub fn method_name(&self) -> &'static str {
        match self {
            ChatRequest::Create(_) => "create",
            ChatRequest::Get(_) => "get",
            ChatRequest::List(_) => "list",
            ChatRequest::Update(u) => match u.verb {
                UpdateVerb::Patch => "patch",
                UpdateVerb::Update => "update",
            },
            ChatRequest::Delete(_) => "delete",
        }
    }

    /// Whether sending it twice does no harm: everything but a create
    /// without a `requestId` (the server deduplicates on the id).
    pub fn is_idempotent(&self) -> bool {
        match self {
            ChatRequest::Create(c) => c.request_id.is_some(),
            _ => true,
        }
    }

    /// Checks the request and builds it for `endpoint` with `auth`.
    pub fn build(&self, endpoint: &ChatEndpoint, auth: &ChatAuth) -> Result<Request, ChatError> {
        if matches!(auth, ChatAuth::Webhook { .. }) && !matches!(self, ChatRequest::Create(_)) {
            return Err(InvalidRequest::WebhookCreateOnly(self.method_name()).into());
        }
        let mut q = Vec::new();
        let (method, path, body) = match self {
            ChatRequest::Create(c) => {
                check_message(&c.message)?;
                if let Some(id) = &c.request_id {
                    push(&mut q, "requestId", checked("requestId", id)?);
                }
                if let Some(id) = &c.message_id {
                    push(&mut q, "messageId", id.as_str());
                }
                let threaded = c.message.thread.is_some();
                let reply = c
                    .reply_option
                    .or(threaded.then_some(ReplyOption::FallbackToNewThread));
                if let Some(r) = reply {
                    push(&mut q, "messageReplyOption", r.as_str());
                }
                if let Some(n) = c.notification {
                    push(
                        &mut q,
                        "createMessageNotificationOptions.notificationType",
                        n.as_str(),
                    );
                }
                c.system.apply(&mut q)?;
                (
                    Method::Post,
                    format!("{}/messages", c.parent),
                    Some(&c.message),
                )
            }
            ChatRequest::Get(g) => {
                if let Some(m) = g.markup_syntax {
                    push(&mut q, "markupSyntax", m.as_str());
                }
                g.system.apply(&mut q)?;
                (Method::Get, g.name.to_string(), None)
            }
            ChatRequest::List(l) => {
                if let Some(n) = l.page_size {
                    if !(1..=1000).contains(&n) {
                        return Err(InvalidRequest::PageSize(n).into());
                    }
                    push(&mut q, "pageSize", &n.to_string());
                }
                if let Some(t) = &l.page_token {
                    push(&mut q, "pageToken", checked("pageToken", t)?);
                }
                if let Some(f) = &l.filter {
                    if let Some(f) = f.to_query()? {
                        push(&mut q, "filter", &f);
                    }
                }
                if let Some(o) = l.order {
                    let o = match o {
                        Order::Ascending => "create_time ASC",
                        Order::Descending => "create_time DESC",
                    };
                    push(&mut q, "orderBy", o);
                }
                if l.show_deleted {
                    push(&mut q, "showDeleted", "true");
                }
                if let Some(m) = l.markup_syntax {
                    push(&mut q, "markupSyntax", m.as_str());
                }
                l.system.apply(&mut q)?;
                (Method::Get, format!("{}/messages", l.parent), None)
            }
            ChatRequest::Update(u) => {
                check_message(&u.message)?;
                let mask = u.normalized_mask()?;
                if u.allow_missing && !u.name.is_client_assigned() {
                    return Err(
                        InvalidRequest::AllowMissingNeedsClientId(u.name.to_string()).into(),
                    );
                }
                if mask.is_empty() && !u.allow_missing {
                    return Err(InvalidRequest::EmptyUpdateMask.into());
                }
                if !mask.is_empty() {
                    push(&mut q, "updateMask", &mask.join(","));
                }
                if u.allow_missing {
                    push(&mut q, "allowMissing", "true");
                }
                u.system.apply(&mut q)?;
                let method = match u.verb {
                    UpdateVerb::Patch => Method::Patch,
                    UpdateVerb::Update => Method::Put,
                };
                (method, u.name.to_string(), Some(&u.message))
            }
            ChatRequest::Delete(d) => {
                if d.force {
                    push(&mut q, "force", "true");
                }
                d.system.apply(&mut q)?;
                (Method::Delete, d.name.to_string(), None)
            }
        };
        let mut request = Request::new(
            method,
            endpoint.host(),
            endpoint.port(),
            endpoint.tls(),
            &format!("{}/v1/{path}", endpoint.base_path()),
        );
        request.query = q;
        if let Some(message) = body {
            let bytes = serde_json::to_vec(message).map_err(|e| ChatError::Decode {
                status: 0,
                reason: e.to_string(),
            })?;
            request = request
                .with_header("Content-Type", "application/json; charset=UTF-8")
                .with_body(bytes);
        }
        auth.apply(&mut request)?;
        Ok(request)
    }
}

/// Size and thread-key limits of a message body.
fn check_message(m: &Message) -> Result<(), InvalidRequest> {
    if let Some(text) = &m.text {
        if text.len() > MAX_TEXT_BYTES {
            return Err(InvalidRequest::TextTooLong {
                bytes: text.len(),
                limit: MAX_TEXT_BYTES,
            });
        }
    }
    if let Some(cards) = m.cards_v2.as_ref().and_then(serde_json::Value::as_array) {
        for (index, card) in cards.iter().enumerate() {
            let bytes = serde_json::to_vec(card).map_or(0, |b| b.len());
            if bytes > MAX_CARD_BYTES {
                return Err(InvalidRequest::CardTooLarge {
                    index,
                    bytes,
                    limit: MAX_CARD_BYTES,
                });
            }
        }
    }
    if let Some(key) = m.thread.as_ref().and_then(|t| t.thread_key.as_ref()) {
        let n = key.chars().count();
        if n > MAX_THREAD_KEY_CHARS {
            return Err(InvalidRequest::ThreadKeyTooLong(n));
        }
    }
    if let Some(name) = m.thread.as_ref().and_then(|t| t.name.as_ref()) {
        ThreadName::parse(name)?;
    }
    Ok(())
}

fn push(q: &mut Vec<(String, String)>, name: &str, value: &str) {
    q.push((name.to_string(), value.to_string()));
}

/// A parameter value: non-empty, no control characters.
fn checked<'a>(name: &'static str, value: &'a str) -> Result<&'a str, InvalidRequest> {
    if value.is_empty() || value.chars().any(char::is_control) {
        return Err(InvalidRequest::Parameter {
            name,
            value: value.to_string(),
        });
    }
    Ok(value)
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}
