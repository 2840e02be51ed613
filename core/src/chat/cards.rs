//! A small typed builder for the common Cards v2 widgets
//! (`GoogleAppsCardV1*` in the Chat API's discovery document): a header,
//! sections of text paragraphs, decorated text, link buttons, images and
//! dividers. Anything rarer can still be written as JSON into
//! [`Message::cards_v2`].

use serde_json::{json, Map, Value};

use super::model::Message;

/// Why a card cannot be put in a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    /// The card id is empty (`cardId` is required once a message has
    /// several cards, and this builder always sets it).
    #[error("empty card id")]
    EmptyCardId,
    /// Two cards of one message have the same id.
    #[error("duplicate card id {0:?}")]
    DuplicateCardId(String),
    /// A link or image URL is not an absolute `http`/`https` URL.
    #[error("not an http(s) URL: {0:?}")]
    Url(String),
    /// The message's `cardsV2` is set but is not an array.
    #[error("the message's cardsV2 is not an array")]
    CardsNotArray,
}

/// A card (`GoogleAppsCardV1Card`): an optional header and sections.
///
/// Constructors never fail; the checks (a non-empty card id, `http`/`https`
/// link and image URLs, card ids unique in a message) run when the card is
/// turned into JSON, by [`Card::into_card_v2`] or [`Message::with_card`],
/// and fail with a [`CardError`].
///
/// ```
/// use hangups_core::chat::{Card, Message, Section, Widget};
///
/// let card = Card::new().header("Build 42", "main").section(
///     Section::new()
///         .header("Result")
///         .widget(Widget::text("All <b>green</b>."))
///         .widget(Widget::decorated("Duration", "3 min"))
///         .widget(Widget::button_link("Open log", "https://ci.example.com/42"))
///         .widget(Widget::image("https://ci.example.com/badge.png", "badge"))
///         .widget(Widget::divider()),
/// );
/// let message = Message::text("build finished").with_card("build-42", card)?;
/// let cards = message.cards_v2.as_ref().and_then(|v| v.as_array()).unwrap();
/// assert_eq!(cards[0]["cardId"], "build-42");
/// assert_eq!(cards[0]["card"]["header"]["title"], "Build 42");
/// # Ok::<(), hangups_core::chat::CardError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Card {
    header: Option<(String, String)>,
    sections: Vec<Section>,
}

impl Card {
    /// An empty card.
    pub fn new() -> Self {
        Card::default()
    }

    /// Sets the header's `title` and `subtitle` (an empty subtitle is left
    /// out).
    pub fn header(mut self, title: &str, subtitle: &str) -> Self {
        self.header = Some((title.to_string(), subtitle.to_string()));
        self
    }

    /// Appends a section.
    pub fn section(mut self, section: Section) -> Self {
        self.sections.push(section);
        self
    }

    /// Checks the URLs and returns the card as the `card` JSON object.
    pub fn to_json(&self) -> Result<Value, CardError> {
        let mut card = Map::new();
        if let Some((title, subtitle)) = &self.header {
            let mut header = Map::new();
            header.insert("title".into(), json!(title));
            if !subtitle.is_empty() {
                header.insert("subtitle".into(), json!(subtitle));
            }
            card.insert("header".into(), Value::Object(header));
        }
        if !self.sections.is_empty() {
            let sections = self
                .sections
                .iter()
                .map(Section::to_json)
                .collect::<Result<Vec<_>, _>>()?;
            card.insert("sections".into(), Value::Array(sections));
        }
        Ok(Value::Object(card))
    }

    /// The card as one element of `cardsV2` (`CardWithId`):
    /// `{"cardId": card_id, "card": {…}}`.
    pub fn into_card_v2(self, card_id: &str) -> Result<Value, CardError> {
        if card_id.is_empty() {
            return Err(CardError::EmptyCardId);
        }
        Ok(json!({ "cardId": card_id, "card": self.to_json()? }))
    }
}

/// A section (`GoogleAppsCardV1Section`): an optional header and widgets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    header: Option<String>,
    widgets: Vec<Widget>,
}

impl Section {
    /// An empty section.
    pub fn new() -> Self {
        Section::default()
    }

    /// Sets the section's `header` text.
    pub fn header(mut self, header: &str) -> Self {
        self.header = Some(header.to_string());
        self
    }

    /// Appends a widget.
    pub fn widget(mut self, widget: Widget) -> Self {
        self.widgets.push(widget);
        self
    }

    fn to_json(&self) -> Result<Value, CardError> {
        let mut section = Map::new();
        if let Some(h) = &self.header {
            section.insert("header".into(), json!(h));
        }
        let widgets = self
            .widgets
            .iter()
            .map(Widget::to_json)
            .collect::<Result<Vec<_>, _>>()?;
        section.insert("widgets".into(), Value::Array(widgets));
        Ok(Value::Object(section))
    }
}

/// One widget (`GoogleAppsCardV1Widget`) of the kinds this builder knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Widget(Kind);

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Text(String),
    Decorated { top_label: String, text: String },
    ButtonLink { text: String, url: String },
    Image { url: String, alt: String },
    Divider,
}

impl Widget {
    /// A `textParagraph` (the text may hold Chat's HTML subset).
    pub fn text(text: &str) -> Self {
        Widget(Kind::Text(text.to_string()))
    }

    /// A `decoratedText` with a `topLabel` above its `text`.
    pub fn decorated(top_label: &str, text: &str) -> Self {
        Widget(Kind::Decorated {
            top_label: top_label.to_string(),
            text: text.to_string(),
        })
    }

    /// A `buttonList` of one button that opens `url` (`onClick.openLink`);
    /// `url` must be `http` or `https`.
    pub fn button_link(text: &str, url: &str) -> Self {
        Widget(Kind::ButtonLink {
            text: text.to_string(),
            url: url.to_string(),
        })
    }

    /// An `image` from `url` (`http` or `https`) with its `altText`.
    pub fn image(url: &str, alt: &str) -> Self {
        Widget(Kind::Image {
            url: url.to_string(),
            alt: alt.to_string(),
        })
    }

    /// A `divider` (a horizontal line).
    pub fn divider() -> Self {
        Widget(Kind::Divider)
    }

    fn to_json(&self) -> Result<Value, CardError> {
        Ok(match &self.0 {
            Kind::Text(text) => json!({ "textParagraph": { "text": text } }),
            Kind::Decorated { top_label, text } => {
                json!({ "decoratedText": { "topLabel": top_label, "text": text } })
            }
            Kind::ButtonLink { text, url } => json!({ "buttonList": { "buttons": [{
                "text": text,
                "onClick": { "openLink": { "url": checked_url(url)? } },
            }] } }),
            Kind::Image { url, alt } => {
                json!({ "image": { "imageUrl": checked_url(url)?, "altText": alt } })
            }
            Kind::Divider => json!({ "divider": {} }),
        })
    }
}

/// `url` if it is `http://host…` or `https://host…` (scheme in any case),
/// with no whitespace or control characters.
fn checked_url(url: &str) -> Result<&str, CardError> {
    let bad = || CardError::Url(url.to_string());
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err(bad());
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if host_end == 0 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    Ok(url)
}

impl Message {
    /// Appends `card` with id `card_id` to `cardsV2` (creating it if unset
    /// or `null`). Fails if the id is empty or already used in this
    /// message, if a URL is not `http`/`https`, or if `cardsV2` holds
    /// something other than an array.
    pub fn with_card(mut self, card_id: &str, card: Card) -> Result<Message, CardError> {
        let entry = card.into_card_v2(card_id)?;
        let mut cards = match self.cards_v2.take() {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(cards)) => cards,
            Some(_) => return Err(CardError::CardsNotArray),
        };
        if cards.iter().any(|c| c["cardId"] == card_id) {
            return Err(CardError::DuplicateCardId(card_id.to_string()));
        }
        cards.push(entry);
        self.cards_v2 = Some(Value::Array(cards));
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{ChatAuth, ChatEndpoint, ChatRequest, CreateMessage, SpaceName};

    fn widget(w: Widget) -> Value {
        w.to_json().unwrap()
    }

    #[test]
    fn text_paragraph_json() {
        assert_eq!(
            widget(Widget::text("hi <b>x</b>")),
            json!({"textParagraph": {"text": "hi <b>x</b>"}})
        );
    }

    #[test]
    fn decorated_text_json() {
        assert_eq!(
            widget(Widget::decorated("Owner", "ada")),
            json!({"decoratedText": {"topLabel": "Owner", "text": "ada"}})
        );
    }

    #[test]
    fn button_link_json() {
        assert_eq!(
            widget(Widget::button_link("Open", "https://example.com/a?b=1")),
            json!({"buttonList": {"buttons": [{
                "text": "Open",
                "onClick": {"openLink": {"url": "https://example.com/a?b=1"}}
            }]}})
        );
    }

    #[test]
    fn image_json() {
        assert_eq!(
            widget(Widget::image("http://example.com/i.png", "logo")),
            json!({"image": {"imageUrl": "http://example.com/i.png", "altText": "logo"}})
        );
    }

    #[test]
    fn divider_json() {
        assert_eq!(widget(Widget::divider()), json!({"divider": {}}));
    }

    #[test]
    fn card_with_header_and_sections() {
        let card = Card::new()
            .header("T", "S")
            .section(Section::new().header("H").widget(Widget::divider()))
            .section(Section::new().widget(Widget::text("x")));
        assert_eq!(
            card.into_card_v2("c1").unwrap(),
            json!({"cardId": "c1", "card": {
                "header": {"title": "T", "subtitle": "S"},
                "sections": [
                    {"header": "H", "widgets": [{"divider": {}}]},
                    {"widgets": [{"textParagraph": {"text": "x"}}]}
                ]
            }})
        );
        let bare = Card::new().header("T", "").into_card_v2("c").unwrap();
        assert_eq!(
            bare,
            json!({"cardId": "c", "card": {"header": {"title": "T"}}})
        );
    }

    #[test]
    fn empty_card_id_is_refused() {
        assert_eq!(Card::new().into_card_v2(""), Err(CardError::EmptyCardId));
    }

    #[test]
    fn non_http_urls_are_refused() {
        for url in [
            "javascript:alert(1)",
            "ftp://example.com/x",
            "https://",
            "https:///path",
            "http://exa mple.com",
            "example.com",
            "htté://x",
            "",
        ] {
            let b = Section::new().widget(Widget::button_link("b", url));
            let i = Section::new().widget(Widget::image(url, "a"));
            for s in [b, i] {
                assert_eq!(
                    Card::new().section(s).into_card_v2("c"),
                    Err(CardError::Url(url.to_string())),
                    "{url}"
                );
            }
        }
        for url in [
            "HTTPS://example.com",
            "http://h",
            "https://h#f",
            "http://h?q",
        ] {
            assert_eq!(checked_url(url), Ok(url));
        }
    }

    #[test]
    fn message_with_card_serializes_into_create_body() {
        let msg = Message::text("hi")
            .with_card("c1", Card::new().header("T", ""))
            .unwrap();
        let space = SpaceName::parse("spaces/AAAA").unwrap();
        let req = ChatRequest::Create(CreateMessage::new(space, msg))
            .build(&ChatEndpoint::google(), &ChatAuth::Bearer("t".into()))
            .unwrap();
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(
            body,
            json!({"text": "hi", "cardsV2": [{"cardId": "c1", "card": {"header": {"title": "T"}}}]})
        );
    }

    #[test]
    fn two_cards_append_in_order() {
        let msg = Message::default()
            .with_card("a", Card::new().header("A", ""))
            .unwrap()
            .with_card("b", Card::new().header("B", ""))
            .unwrap();
        let ids: Vec<&str> = msg
            .cards_v2
            .as_ref()
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["cardId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["a", "b"]);
    }

    #[test]
    fn appends_to_existing_json_cards() {
        let msg = Message {
            cards_v2: Some(json!([{"cardId": "raw", "card": {}}])),
            ..Message::default()
        };
        let msg = msg.with_card("new", Card::new()).unwrap();
        assert_eq!(
            msg.cards_v2,
            Some(json!([{"cardId": "raw", "card": {}}, {"cardId": "new", "card": {}}]))
        );
    }

    #[test]
    fn duplicate_id_and_non_array_are_refused() {
        let msg = Message::default().with_card("a", Card::new()).unwrap();
        assert_eq!(
            msg.clone().with_card("a", Card::new()),
            Err(CardError::DuplicateCardId("a".into()))
        );
        let odd = Message {
            cards_v2: Some(json!({"not": "array"})),
            ..Message::default()
        };
        assert_eq!(
            odd.with_card("a", Card::new()),
            Err(CardError::CardsNotArray)
        );
    }
}
