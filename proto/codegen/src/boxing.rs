//! Post-processing of pb-rs output: large or rarely present members are
//! boxed, so a message carries a pointer for them, not their whole size.
//!
//! pb-rs stores every optional message field inline (`Option<PhoneNumber>`
//! is 128 bytes whether set or not) and boxes only the fields that break a
//! recursion. A chat `Event`
//! was thus 672 bytes, mostly empty, and a `StateUpdate` 1,208.
//!
//! # The rule
//!
//! A member is boxed (`Option<Box<M>>`, or `Kind::Variant(Box<M>)` for a
//! oneof member) when it is
//!
//! - an optional message field or a oneof member (repeated fields are a
//!   `Vec`, already 24 bytes; required message fields do not occur), and
//! - its type's inline size, as `layout` estimates it after boxing the
//!   type's own members, is more than [`THRESHOLD`] bytes (three words: a message no larger
//!   than one `String` or `Vec` stays inline), and
//! - it is not listed in [`HOT`]: members present in nearly every message
//!   of their type (an event's sender and chat message, an attachment's
//!   embed item, ...), where a box would only add an allocation to the
//!   common decode.
//!
//! Members pb-rs already boxed (recursion) stay boxed. The rule is applied
//! bottom-up, so a type's size is its size after its own members are boxed.
//! Nothing else changes: field names, the wire format and both codecs are
//! as before; a constructor writes `Some(Box::new(m))` instead of `Some(m)`.

use crate::schema::{Label, Schema, Type};
use std::collections::{BTreeMap, BTreeSet};

/// Members whose type is estimated larger than this many bytes are boxed.
pub const THRESHOLD: usize = 24;

/// `Message.field` (proto names; `*.field`: that field of every message)
/// never boxed: present in nearly every message of their type, so inline
/// storage costs nothing and a box would cost one allocation per decode.
pub const HOT: &[&str] = &[
    "*.request_header",
    "*.response_header",
    "Event.sender_id",
    "Event.chat_message",
    "ChatMessage.message_content",
    "EventNotification.event",
    "Attachment.embed_item",
    "Segment.formatting",
    "Segment.link_data",
    "StateUpdate.state_update_header",
    "ConversationState.conversation",
    "Conversation.self_conversation_state",
    "ConversationParticipantData.id",
    "Entity.id",
    "Entity.properties",
];

/// `(message fq name, field proto name)` of every member to box, besides
/// those pb-rs boxed itself.
pub fn plan(s: &Schema, src: &str) -> Result<BTreeSet<(String, String)>, String> {
    let pre = preboxed(s, src)?;
    let mut l = Layout {
        s,
        pre: &pre,
        boxed: BTreeSet::new(),
        memo: BTreeMap::new(),
    };
    for m in &s.messages {
        l.message(&m.fq, &mut Vec::new())?;
    }
    Ok(l.boxed)
}

/// The members pb-rs boxed (`Option<Box<..>>` fields, `Variant(Box<..>)`
/// oneof members), read from the named source.
fn preboxed(s: &Schema, src: &str) -> Result<BTreeSet<(String, String)>, String> {
    let mut out = BTreeSet::new();
    for m in &s.messages {
        let body = block(src, &format!("pub struct {} {{", m.rust_path))?;
        for f in m.fields.iter().filter(|f| f.oneof.is_none()) {
            if body.contains(&format!("pub {}: Option<Box<", f.rust_name)) {
                out.insert((m.fq.clone(), f.name.clone()));
            }
        }
        for o in &m.oneofs {
            let body = block(src, &format!("pub enum {} {{", o.rust_type))?;
            for f in m
                .fields
                .iter()
                .filter(|f| f.oneof.as_ref() == Some(&o.name))
            {
                if body.contains(&format!("{}(Box<", f.rust_name)) {
                    out.insert((m.fq.clone(), f.name.clone()));
                }
            }
        }
    }
    Ok(out)
}

/// The text between `start` and the next line that is just `}`.
fn block<'a>(src: &'a str, start: &str) -> Result<&'a str, String> {
    let at = src
        .find(start)
        .ok_or_else(|| format!("`{start}` not in pb-rs output"))?;
    let end = src[at..].find("\n}").ok_or("unclosed block")? + at;
    Ok(&src[at..end])
}

/// `(size, align)` in bytes.
type SizeAlign = (usize, usize);

/// The layout model: rustc's layout of the generated types, closely
/// enough to rank them (x86-64, 64-bit pointers). A struct is the sum of
/// its fields rounded up to its alignment (rustc reorders fields, and every
/// field's size is a multiple of its alignment); `String`/`Vec` are 24
/// bytes, a `Box` 8; `Option<T>` is `T` when `T` has a niche (a `String`,
/// `Vec`, `Box`, `bool` or any non-empty message) and `T` plus one
/// alignment unit otherwise; a oneof is its largest member (rustc puts the
/// tag in that member's niche).
struct Layout<'a> {
    s: &'a Schema,
    pre: &'a BTreeSet<(String, String)>,
    boxed: BTreeSet<(String, String)>,
    memo: BTreeMap<String, SizeAlign>,
}

/// Size, alignment and whether it has a niche, of a scalar or enum.
fn scalar(kind: &str) -> (usize, usize, bool) {
    match kind {
        "Int64" | "Uint64" | "Sint64" | "Fixed64" | "Sfixed64" | "Double" => (8, 8, false),
        "Bool" => (1, 1, true),
        "Str" | "Bytes" => (24, 8, true),
        _ => (4, 4, false),
    }
}

/// Whether `message.field` is listed in [`HOT`].
pub fn is_hot(message: &str, field: &str) -> bool {
    HOT.iter().any(|h| {
        h.split_once('.')
            .is_some_and(|(m, f)| f == field && (m == "*" || m == message))
    })
}

fn round(n: usize, a: usize) -> usize {
    n.div_ceil(a) * a
}

impl Layout<'_> {
    /// The estimated layout of message `fq`, deciding its members' boxes.
    fn message(&mut self, fq: &str, stack: &mut Vec<String>) -> Result<SizeAlign, String> {
        if let Some(&v) = self.memo.get(fq) {
            return Ok(v);
        }
        if stack.iter().any(|x| x == fq) {
            return Err(format!("{fq}: unboxed recursion"));
        }
        stack.push(fq.to_string());
        let m = self
            .s
            .message(fq)
            .ok_or_else(|| format!("{fq}: unknown message"))?
            .clone();
        let (mut size, mut align) = (0, 1);
        let mut oneofs: BTreeMap<&str, SizeAlign> = BTreeMap::new();
        for f in &m.fields {
            let key = (m.fq.clone(), f.name.clone());
            let (s, a, niche) = match (&f.ty, f.label) {
                (_, Label::Repeated) => (24, 8, true),
                (Type::Scalar(k), _) => scalar(k),
                (Type::Enum(_), _) => (4, 4, false),
                (Type::Message(t), _) => {
                    if self.pre.contains(&key) {
                        (8, 8, true)
                    } else {
                        let (s, a) = self.message(t, stack)?;
                        let hot = is_hot(&m.fq, &f.name);
                        if s > THRESHOLD && !hot && f.label == Label::Optional {
                            self.boxed.insert(key);
                            (8, 8, true)
                        } else {
                            (s, a, s > 0)
                        }
                    }
                }
            };
            if let Some(o) = &f.oneof {
                let e = oneofs.entry(o).or_insert((0, 1));
                *e = (e.0.max(s), e.1.max(a));
                continue;
            }
            let (s, a) = match f.label {
                Label::Optional if !niche => (round(s, a) + a, a),
                _ => (s, a),
            };
            size += s;
            align = align.max(a);
        }
        for (s, a) in oneofs.into_values() {
            size += round(s.max(1), a);
            align = align.max(a);
        }
        let v = (round(size, align), align);
        stack.pop();
        self.memo.insert(fq.to_string(), v);
        Ok(v)
    }
}

/// Boxes the members of `plan` in the named pb-rs source: the field or
/// variant type, the `MessageRead` assignment and the `MessageWrite` call.
pub fn rewrite(src: &str, s: &Schema, plan: &BTreeSet<(String, String)>) -> Result<String, String> {
    let mut out = src.to_string();
    for (fq, name) in plan {
        let m = s
            .message(fq)
            .ok_or_else(|| format!("{fq}: unknown message"))?;
        let f = m
            .fields
            .iter()
            .find(|f| &f.name == name)
            .ok_or_else(|| format!("{fq}.{name}: unknown field"))?;
        let Type::Message(t) = &f.ty else {
            return Err(format!("{fq}.{name}: not a message field"));
        };
        let ty = &s
            .message(t)
            .ok_or_else(|| format!("{t}: unknown message"))?
            .rust_path;
        let r = &f.rust_name;
        let read = format!("r.read_message::<{ty}>(bytes)?");
        let edits: Vec<(String, String, String)> = match &f.oneof {
            None => vec![
                (
                    format!("pub struct {} {{", m.rust_path),
                    format!("pub {r}: Option<{ty}>,"),
                    format!("pub {r}: Option<Box<{ty}>>,"),
                ),
                (
                    format!("MessageRead<'a> for {} {{", m.rust_path),
                    format!("msg.{r} = Some({read}),"),
                    format!("msg.{r} = Some(Box::new({read})),"),
                ),
                (
                    format!("impl MessageWrite for {} {{", m.rust_path),
                    format!(
                        "self.{r} {{ w.write_with_tag({}, |w| w.write_message(s))",
                        tag(f.number)
                    ),
                    format!(
                        "self.{r} {{ w.write_with_tag({}, |w| w.write_message(&**s))",
                        tag(f.number)
                    ),
                ),
            ],
            Some(o) => {
                let ot = &m
                    .oneofs
                    .iter()
                    .find(|x| &x.name == o)
                    .ok_or_else(|| format!("{fq}.{o}: unknown oneof"))?
                    .rust_type;
                vec![
                    (
                        format!("pub enum {ot} {{"),
                        format!(" {r}({ty}),"),
                        format!(" {r}(Box<{ty}>),"),
                    ),
                    (
                        format!("MessageRead<'a> for {} {{", m.rust_path),
                        format!("{ot}::{r}({read}),"),
                        format!("{ot}::{r}(Box::new({read})),"),
                    ),
                    (
                        format!("impl MessageWrite for {} {{", m.rust_path),
                        format!("{ot}::{r}(ref m) => {{ w.write_with_tag({}, |w| w.write_message(m))", tag(f.number)),
                        format!("{ot}::{r}(ref m) => {{ w.write_with_tag({}, |w| w.write_message(&**m))", tag(f.number)),
                    ),
                ]
            }
        };
        for (within, from, to) in edits {
            replace_in_block(&mut out, &within, &from, &to)
                .map_err(|e| format!("boxing {fq}.{name}: {e}"))?;
        }
    }
    Ok(out)
}

/// The wire tag of a length-delimited field.
fn tag(number: u32) -> u32 {
    (number << 3) | 2
}

/// Replaces the one occurrence of `from` in the block that starts at the
/// one occurrence of `within`.
fn replace_in_block(src: &mut String, within: &str, from: &str, to: &str) -> Result<(), String> {
    let starts: Vec<usize> = src.match_indices(within).map(|(i, _)| i).collect();
    let [start] = starts[..] else {
        return Err(format!("`{within}` occurs {} times", starts.len()));
    };
    let end = src[start..].find("\n}").ok_or("unclosed block")? + start;
    let hits: Vec<usize> = src[start..end]
        .match_indices(from)
        .map(|(i, _)| i)
        .collect();
    let [at] = hits[..] else {
        return Err(format!(
            "`{from}` occurs {} times in `{within}`",
            hits.len()
        ));
    };
    src.replace_range(start + at..start + at + from.len(), to);
    Ok(())
}
