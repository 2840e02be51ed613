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
    pub name: String,
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
    /// Path inside the generated module (`mod_PlusPhoto::Thumbnail`).
    pub rust_path: String,
    /// Fields sorted by number.
    pub fields: Vec<Field>,
}

/// One enum.
#[derive(Debug, Clone)]
pub struct Enum {
    pub fq: String,
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
            enums.push(enum_of(e, "", ""));
        }
        for m in &desc.messages {
            collect(m, "", "", &mut raw_msgs, &mut enums);
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
                let mut rust_name = f.name.clone();
                if oneof.is_none() && is_rust_keyword(&rust_name) {
                    rust_name.push_str("_pb");
                }
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
            messages.push(Msg {
                fq: fq.clone(),
                rust_path: rust_path.clone(),
                fields,
            });
        }
        Ok(Schema { messages, enums })
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

fn rust_join(module: &str, name: &str) -> String {
    if module.is_empty() {
        name.to_string()
    } else {
        format!("{module}::{name}")
    }
}

fn enum_of(e: &Enumerator, scope: &str, module: &str) -> Enum {
    Enum {
        fq: join(scope, &e.name),
        rust_path: rust_join(module, &e.name),
        values: e.fields.clone(),
    }
}

fn collect(
    m: &Message,
    scope: &str,
    module: &str,
    out: &mut Vec<(String, String, Message)>,
    enums: &mut Vec<Enum>,
) {
    let fq = join(scope, &m.name);
    out.push((fq.clone(), rust_join(module, &m.name), m.clone()));
    let inner_module = rust_join(module, &format!("mod_{}", m.name));
    for e in &m.enums {
        enums.push(enum_of(e, &fq, &inner_module));
    }
    for n in &m.messages {
        collect(n, &fq, &inner_module, out, enums);
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

/// pb-rs appends `_pb` to field names that are Rust keywords (`type` -> `type_pb`).
fn is_rust_keyword(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
        "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl", "in",
        "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
        "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
        "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
    ];
    KEYWORDS.contains(&name)
}
