//! Scalar kinds: how each proto scalar type is read from and written to a
//! pblite JSON value. Reading follows hangups (PROTOCOL.md §5) except where
//! the crate docs say otherwise. Every proto scalar type has a kind, even
//! those hangouts.proto does not use today, so a schema change needs no
//! runtime change.

#![allow(dead_code)]

use super::json::{Scanner, Token};
use crate::DecodeError;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use std::fmt::Write;

/// One proto scalar type's pblite conversions.
pub trait Kind {
    /// The Rust type pb-rs uses for it.
    type T;
    /// The proto type name, for log messages.
    const NAME: &'static str;
    /// The value, or the token back if it does not fit (for the report).
    #[doc(hidden)]
    fn read(t: Token<'_>) -> Result<Self::T, Token<'_>>;
    /// Reads the value at the cursor: [`read`](Self::read) of the next
    /// token, or a shortcut that gives the same result for common text.
    #[doc(hidden)]
    #[inline]
    fn read_next<'a>(s: &mut Scanner<'a>) -> Result<Result<Self::T, Token<'a>>, DecodeError> {
        Ok(Self::read(s.token()?))
    }
    #[doc(hidden)]
    fn write(v: &Self::T, out: &mut String);
}

/// Integers JavaScript doubles hold exactly; larger ones are sent as strings.
const MAX_SAFE: i128 = (1 << 53) - 1;

/// An integer from a JSON number (or bool); strings only if `from_str`.
fn int(t: &Token<'_>, from_str: bool) -> Option<i128> {
    match t {
        Token::Int(i) => Some(i128::from(*i)),
        Token::UInt(u) => Some(i128::from(*u)),
        Token::Bool(b) => Some(i128::from(*b)),
        Token::Str(s) if from_str => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || digits.len() > 38 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            s.parse().ok()
        }
        _ => None,
    }
}

fn write_int(v: i128, out: &mut String) {
    if (-MAX_SAFE..=MAX_SAFE).contains(&v) {
        let _ = write!(out, "{v}");
    } else {
        let _ = write!(out, "\"{v}\"");
    }
}

macro_rules! int_kind {
    ($(#[$doc:meta])* $name:ident, $t:ty, $proto:literal, $from_str:literal) => {
        $(#[$doc])*
        pub struct $name;
        impl Kind for $name {
            type T = $t;
            const NAME: &'static str = $proto;
            fn read(t: Token<'_>) -> Result<$t, Token<'_>> {
                int(&t, $from_str).and_then(|i| <$t>::try_from(i).ok()).ok_or(t)
            }
            #[inline]
            #[allow(irrefutable_let_patterns)] // u64 from u64
            fn read_next<'a>(s: &mut Scanner<'a>) -> Result<Result<$t, Token<'a>>, DecodeError> {
                // A small non-negative integer, read without a token.
                if let Some((v, end)) = s.peek_small_uint() {
                    if let Ok(v) = <$t>::try_from(v) {
                        s.pos = end;
                        return Ok(Ok(v));
                    }
                }
                Ok(Self::read(s.token()?))
            }
            fn write(v: &$t, out: &mut String) {
                write_int(i128::from(*v), out);
            }
        }
    };
}

int_kind!(
    /// `int32` (also `sint32`, `sfixed32`).
    Int32, i32, "int32", false);
int_kind!(
    /// `int64` (also `sint64`, `sfixed64`); JSON strings accepted.
    Int64, i64, "int64", true);
int_kind!(
    /// `uint32` (also `fixed32`).
    Uint32, u32, "uint32", false);
int_kind!(
    /// `uint64` (also `fixed64`); JSON strings accepted.
    Uint64, u64, "uint64", true);

/// `sint32`: the same JSON as `int32`.
pub type Sint32 = Int32;
/// `sfixed32`: the same JSON as `int32`.
pub type Sfixed32 = Int32;
/// `sint64`: the same JSON as `int64`.
pub type Sint64 = Int64;
/// `sfixed64`: the same JSON as `int64`.
pub type Sfixed64 = Int64;
/// `fixed32`: the same JSON as `uint32`.
pub type Fixed32 = Uint32;
/// `fixed64`: the same JSON as `uint64`.
pub type Fixed64 = Uint64;

/// `bool`: `0`/`1` on the wire; any integer or `true`/`false` accepted.
pub struct Bool;
impl Kind for Bool {
    type T = bool;
    const NAME: &'static str = "bool";
    #[inline]
    fn read_next<'a>(s: &mut Scanner<'a>) -> Result<Result<bool, Token<'a>>, DecodeError> {
        if let Some((v, end)) = s.peek_small_uint() {
            s.pos = end;
            return Ok(Ok(v != 0));
        }
        Ok(Self::read(s.token()?))
    }
    fn read(t: Token<'_>) -> Result<bool, Token<'_>> {
        match t {
            Token::Bool(b) => Ok(b),
            Token::Int(i) => Ok(i != 0),
            Token::UInt(_) | Token::BigInt(_) => Ok(true),
            t => Err(t),
        }
    }
    fn write(v: &bool, out: &mut String) {
        out.push(if *v { '1' } else { '0' });
    }
}

fn float(t: &Token<'_>) -> Option<f64> {
    match t {
        Token::Float(f) | Token::BigInt(f) => Some(*f),
        // Integers round to the nearest double, as Python's float(int) does.
        #[allow(clippy::cast_precision_loss)]
        Token::Int(i) => Some(*i as f64),
        #[allow(clippy::cast_precision_loss)]
        Token::UInt(u) => Some(*u as f64),
        Token::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn write_float(v: f64, out: &mut String) {
    if v.is_finite() {
        // Debug prints the shortest text that reads back to the same value.
        let _ = write!(out, "{v:?}");
    } else if v.is_nan() {
        // JSON has no NaN.
        out.push_str("null");
    } else {
        // Valid JSON number syntax that reads back as infinity.
        out.push_str(if v > 0.0 { "1e999" } else { "-1e999" });
    }
}

/// `double`: integers accepted. Infinities are written `1e999` / `-1e999`
/// (valid JSON that reads back as infinity), NaN as `null`.
pub struct Double;
impl Kind for Double {
    type T = f64;
    const NAME: &'static str = "double";
    fn read(t: Token<'_>) -> Result<f64, Token<'_>> {
        float(&t).ok_or(t)
    }
    fn write(v: &f64, out: &mut String) {
        write_float(*v, out);
    }
}

/// `float`: as `double`, narrowed.
pub struct Float;
impl Kind for Float {
    type T = f32;
    const NAME: &'static str = "float";
    fn read(t: Token<'_>) -> Result<f32, Token<'_>> {
        #[allow(clippy::cast_possible_truncation)]
        float(&t).map(|f| f as f32).ok_or(t)
    }
    fn write(v: &f32, out: &mut String) {
        write_float(f64::from(*v), out);
    }
}

/// Writes `s` as a JSON string (non-ASCII raw, controls escaped).
pub(crate) fn write_str(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// `string`.
pub struct Str;
impl Kind for Str {
    type T = String;
    const NAME: &'static str = "string";
    fn read(t: Token<'_>) -> Result<String, Token<'_>> {
        match t {
            // An escaped string is already owned: no second copy.
            Token::Str(s) => Ok(s.into_owned()),
            t => Err(t),
        }
    }
    #[inline]
    fn read_next<'a>(s: &mut Scanner<'a>) -> Result<Result<String, Token<'a>>, DecodeError> {
        // A string without escapes, copied once.
        if let Some(text) = s.plain_string() {
            return Ok(Ok(text.to_owned()));
        }
        Ok(Self::read(s.token()?))
    }
    fn write(v: &String, out: &mut String) {
        write_str(v, out);
    }
}

/// Standard base64, padding required, non-zero trailing bits tolerated
/// (as Python's `base64.b64decode`).
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// `bytes`: standard base64; characters outside `A-Za-z0-9+/=` are removed
/// first, non-ASCII text or bad padding drops the value.
pub struct Bytes;
impl Kind for Bytes {
    type T = Vec<u8>;
    const NAME: &'static str = "bytes";
    fn read(t: Token<'_>) -> Result<Vec<u8>, Token<'_>> {
        base64_field(&t).ok_or(t)
    }
    fn write(v: &Vec<u8>, out: &mut String) {
        out.push('"');
        B64.encode_string(v, out);
        out.push('"');
    }
}

/// A bytes field's value, if the token is acceptable base64.
fn base64_field(t: &Token<'_>) -> Option<Vec<u8>> {
    {
        let Token::Str(s) = t else { return None };
        if !s.is_ascii() {
            return None;
        }
        let is_b64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
        let mut clean: Vec<u8> = s.bytes().filter(is_b64).collect();
        // Like Python's decoder, stop after the first padded quantum.
        if let Some(first_pad) = clean.iter().position(|&b| b == b'=') {
            let end = (first_pad / 4 + 1) * 4;
            clean.truncate(end);
        }
        B64.decode(clean).ok()
    }
}

/// An enum: a JSON integer in the `int32` range. Numbers the schema does
/// not define are kept (hangups drops them).
pub struct Enum<E>(core::marker::PhantomData<E>);
impl<E: From<i32> + Copy + Into<i32>> Kind for Enum<E> {
    type T = E;
    const NAME: &'static str = "enum";
    fn read(t: Token<'_>) -> Result<E, Token<'_>> {
        Int32::read(t).map(E::from)
    }
    #[inline]
    fn read_next<'a>(s: &mut Scanner<'a>) -> Result<Result<E, Token<'a>>, DecodeError> {
        Ok(Int32::read_next(s)?.map(E::from))
    }
    fn write(v: &E, out: &mut String) {
        write_int(i128::from((*v).into()), out);
    }
}
