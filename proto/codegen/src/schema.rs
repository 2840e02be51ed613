//! The schema as the generators need it: every message and enum of
//! hangouts.proto with resolved field types and Rust paths, read through
//! pb-rs's public parser (its own type resolution is private).

use pb_rs::types::{Enumerator, FieldType, FileDescriptor, Frequency, Message};
use std::collections::BTreeMap;
use std::path::Path;

/// How often a field occurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Optional,
    Required,
    Repeated,
}

/// A field's resolved type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// A scalar, named by its pblite kind (`Int32`, `Str`, ...).
    Scalar(&'static str),
    /// An enum, by its fully-qualified proto name.
    Enum(String),
    /// A message, by its fully-qualified proto name.
    Message(String),
}

/// One field of a message.
#[derive(Debug, Clone)]
pub struct Field {
    /// The proto name (`type`, `event_notification`).
    pub name: String,
    /// The Rust name: the struct field (`r#type` for a keyword), or for a
    /// oneof member its variant (`EventNotification`).
    pub rust_name: String,
    pub number: u32,
    pub label: Label,
    pub ty: Type,
    /// The oneof this field belongs to, if any.
    pub oneof: Option<String>,
}

/// One message.
#[derive(Debug, Clone)]
pub struct Msg {
    /// Fully-qualified proto name (`PlusPhoto.Thumbnail`).
    pub fq: String,
    /// Name in the generated module: nested types are flattened
    /// (`PlusPhoto.Thumbnail` is `PlusPhotoThumbnail`).
    pub rust_path: String,
    /// Fields sorted by number.
    pub fields: Vec<Field>,
    /// The message's oneofs, in declaration order.
    pub oneofs: Vec<Oneof>,
}

/// One oneof of a message.
#[derive(Debug, Clone)]
pub struct Oneof {
    /// The proto name, which is also the Rust field's name (`state_update`).
    pub name: String,
    /// The Rust enum: `<Message>Kind` when it is the message's only oneof,
    /// `<Message><Oneof in CamelCase>` otherwise (`StateUpdateKind`).
    pub rust_type: String,
}

/// One enum.
#[derive(Debug, Clone)]
pub struct Enum {
    /// Fully-qualified proto name (`PlusPhoto.MediaType`).
    pub fq: String,
    /// Flattened Rust name (`PlusPhotoMediaType`).
    pub rust_path: String,
    pub values: Vec<(String, i32)>,
}

/// The whole schema.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub messages: Vec<Msg>,
    pub enums: Vec<Enum>,
}

impl Schema {
    /// Reads and resolves `proto`.
    pub fn load(proto: &Path) -> Result<Schema, String> {
        let dir = proto.parent().unwrap_or(Path::new(".")).to_path_buf();
        let desc = FileDescriptor::read_proto(proto, &[dir]).map_err(|e| format!("{e:?}"))?;
        let mut raw_msgs = Vec::new();
        let mut enums = Vec::new();
        for e in &desc.enums {
            enums.push(enum_of(e, ""));
        }
        for m in &desc.messages {
            collect(m, "", &mut raw_msgs, &mut enums);
        }
        let msg_names: BTreeMap<String, ()> =
            raw_msgs.iter().map(|(fq, _, _)| (fq.clone(), ())).collect();
        let enum_names: BTreeMap<String, ()> = enums.iter().map(|e| (e.fq.clone(), ())).collect();
        let mut messages = Vec::new();
        for (fq, rust_path, m) in &raw_msgs {
            let mut fields = Vec::new();
            let oneof_fields = m
                .oneofs
                .iter()
                .flat_map(|o| o.fields.iter().map(move |f| (Some(o.name.clone()), f)));
            for (oneof, f) in m.fields.iter().map(|f| (None, f)).chain(oneof_fields) {
                let ty = match &f.typ {
                    FieldType::MessageOrEnum(n) => resolve(fq, n, &msg_names, &enum_names)
                        .ok_or_else(|| format!("{fq}.{}: unknown type {n}", f.name))?,
                    t => Type::Scalar(
                        scalar_kind(t).ok_or_else(|| format!("{fq}.{}: {t:?}", f.name))?,
                    ),
                };
                let label = match f.frequency {
                    Frequency::Optional => Label::Optional,
                    Frequency::Required => Label::Required,
                    Frequency::Repeated => Label::Repeated,
                };
                let rust_name = match &oneof {
                    Some(_) => camel_case(&f.name),
                    None => rust_field_name(&f.name),
                };
                let number = u32::try_from(f.number).map_err(|_| format!("bad number in {fq}"))?;
                fields.push(Field {
                    name: f.name.clone(),
                    rust_name,
                    number,
                    label,
                    ty,
                    oneof,
                });
            }
            fields.sort_by_key(|f| f.number);
            let oneofs = m
                .oneofs
                .iter()
                .map(|o| Oneof {
                    name: o.name.clone(),
                    rust_type: if m.oneofs.len() == 1 {
                        format!("{rust_path}Kind")
                    } else {
                        format!("{rust_path}{}", camel_case(&o.name))
                    },
                })
                .collect();
            messages.push(Msg {
                fq: fq.clone(),
                rust_path: rust_path.clone(),
                fields,
                oneofs,
            });
        }
        let schema = Schema { messages, enums };
        schema.check_names()?;
        Ok(schema)
    }

    /// Every Rust type name must be unique once nested types are flattened.
    fn check_names(&self) -> Result<(), String> {
        let mut seen = BTreeMap::new();
        let all = self
            .messages
            .iter()
            .map(|m| (&m.rust_path, &m.fq))
            .chain(self.enums.iter().map(|e| (&e.rust_path, &e.fq)))
            .chain(
                self.messages
                    .iter()
                    .flat_map(|m| m.oneofs.iter().map(move |o| (&o.rust_type, &m.fq))),
            );
        for (name, fq) in all {
            if let Some(other) = seen.insert(name.clone(), fq.clone()) {
                return Err(format!("{fq} and {other} would both be named {name}"));
            }
        }
        Ok(())
    }

    /// The message called `fq`.
    pub fn message(&self, fq: &str) -> Option<&Msg> {
        self.messages.iter().find(|m| m.fq == fq)
    }

    /// The enum called `fq`.
    pub fn enum_(&self, fq: &str) -> Option<&Enum> {
        self.enums.iter().find(|e| e.fq == fq)
    }
}

fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_string()
    } else {
        format!("{scope}.{name}")
    }
}

/// `PlusPhoto.Thumbnail` -> `PlusPhotoThumbnail`.
pub fn flat_name(fq: &str) -> String {
    fq.replace('.', "")
}

/// `event_notification` -> `EventNotification`.
pub fn camel_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// The Rust name of a (non-oneof) field: a keyword becomes a raw identifier
/// (`type` -> `r#type`); the four keywords that cannot be raw get a `_`.
pub fn rust_field_name(name: &str) -> String {
    if !is_rust_keyword(name) {
        name.to_string()
    } else if matches!(name, "self" | "Self" | "super" | "crate") {
        format!("{name}_")
    } else {
        format!("r#{name}")
    }
}

fn enum_of(e: &Enumerator, scope: &str) -> Enum {
    Enum {
        fq: join(scope, &e.name),
        rust_path: flat_name(&join(scope, &e.name)),
        values: e.fields.clone(),
    }
}

fn collect(
    m: &Message,
    scope: &str,
    out: &mut Vec<(String, String, Message)>,
    enums: &mut Vec<Enum>,
) {
    let fq = join(scope, &m.name);
    out.push((fq.clone(), flat_name(&fq), m.clone()));
    for e in &m.enums {
        enums.push(enum_of(e, &fq));
    }
    for n in &m.messages {
        collect(n, &fq, out, enums);
    }
}

/// Proto scoping: the innermost enclosing scope wins.
fn resolve(
    scope: &str,
    name: &str,
    msgs: &BTreeMap<String, ()>,
    enums: &BTreeMap<String, ()>,
) -> Option<Type> {
    let name = name.trim_start_matches('.');
    let mut scope = scope.to_string();
    loop {
        let cand = join(&scope, name);
        if msgs.contains_key(&cand) {
            return Some(Type::Message(cand));
        }
        if enums.contains_key(&cand) {
            return Some(Type::Enum(cand));
        }
        if scope.is_empty() {
            return None;
        }
        scope = scope
            .rsplit_once('.')
            .map(|(a, _)| a.to_string())
            .unwrap_or_default();
    }
}

fn scalar_kind(t: &FieldType) -> Option<&'static str> {
    Some(match t {
        FieldType::Int32 => "Int32",
        FieldType::Int64 => "Int64",
        FieldType::Uint32 => "Uint32",
        FieldType::Uint64 => "Uint64",
        FieldType::Sint32 => "Sint32",
        FieldType::Sint64 => "Sint64",
        FieldType::Bool => "Bool",
        FieldType::Fixed64 => "Fixed64",
        FieldType::Sfixed64 => "Sfixed64",
        FieldType::Fixed32 => "Fixed32",
        FieldType::Sfixed32 => "Sfixed32",
        FieldType::Double => "Double",
        FieldType::Float => "Float",
        FieldType::StringCow | FieldType::String_ => "Str",
        FieldType::BytesCow | FieldType::Bytes_ => "Bytes",
        _ => return None,
    })
}

/// Rust keywords (strict and reserved), which a field name must not be
/// verbatim. (pb-rs's own list, whose names it suffixes with `_pb`, differs:
/// [`crate::names`] reads its renames from its output.)
pub fn is_rust_keyword(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
        "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl", "in",
        "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
        "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
        "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
    ];
    KEYWORDS.contains(&name)
}
