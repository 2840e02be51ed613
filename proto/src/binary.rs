//! Binary protobuf with a nesting limit and sound framing. quick-protobuf
//! recurses without bound (input nested 3,000 levels deep overflows the
//! stack) and trusts nested lengths, so a cheap iterative pre-scan over the
//! wire format, guided by the schema table, refuses such input with a typed
//! error before quick-protobuf runs.

use crate::generated::schema_table::MESSAGES;
use crate::{DecodeError, Message, DEFAULT_MAX_DEPTH};
use quick_protobuf::{BytesReader, Writer};

/// Decodes a binary protobuf message, refusing nesting deeper than
/// [`DEFAULT_MAX_DEPTH`] and broken framing.
///
/// ```
/// use hangups_proto::hangouts::{ConversationId, Event};
/// let ev = Event { conversation_id: Some(ConversationId { id: Some("c1".into()) }), ..Default::default() };
/// let bytes = hangups_proto::encode_binary(&ev);
/// assert_eq!(hangups_proto::decode_binary::<Event>(&bytes)?, ev);
/// # Ok::<(), hangups_proto::DecodeError>(())
/// ```
pub fn decode_binary<M: Message>(bytes: &[u8]) -> Result<M, DecodeError> {
    decode_binary_with_limit(bytes, DEFAULT_MAX_DEPTH)
}

/// [`decode_binary`] with an explicit nesting limit (the top message is level 1).
pub fn decode_binary_with_limit<M: Message>(
    bytes: &[u8],
    max_depth: u32,
) -> Result<M, DecodeError> {
    check_structure(M::SCHEMA_INDEX, bytes, max_depth)?;
    let mut reader = BytesReader::from_bytes(bytes);
    Ok(M::from_reader(&mut reader, bytes)?)
}

/// Encodes a message as binary protobuf.
pub fn encode_binary<M: Message>(message: &M) -> Vec<u8> {
    let mut out = Vec::with_capacity(quick_protobuf::MessageWrite::get_size(message));
    let mut writer = Writer::new(&mut out);
    // Writing into a Vec cannot fail.
    let _ = quick_protobuf::MessageWrite::write_message(message, &mut writer);
    out
}

fn varint(buf: &[u8], pos: &mut usize, end: usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..70).step_by(7) {
        if *pos >= end {
            return None;
        }
        let b = buf[*pos];
        *pos += 1;
        value |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        if b < 0x80 {
            return Some(value);
        }
    }
    None
}

/// Walks the wire format once, iteratively, guided by the schema table:
/// fails if message-typed fields nest deeper than `max_depth`, or if the
/// framing is broken (truncated varints or fixed fields, a length that runs
/// past its enclosing message, groups, unknown wire types). quick-protobuf
/// 0.8.1 trusts nested lengths (its `read_len` sets the new end without a
/// bound check and a later subtraction overflows), so it only ever sees
/// input whose framing this walk has proved sound.
fn check_structure(root: usize, buf: &[u8], max_depth: u32) -> Result<(), DecodeError> {
    if max_depth == 0 {
        return Err(DecodeError::TooDeep { limit: max_depth });
    }
    let bad = |offset: usize, reason: &'static str| DecodeError::InvalidProtobuf { offset, reason };
    let mut stack: Vec<(usize, usize)> = vec![(buf.len(), root)];
    let mut pos = 0usize;
    while let Some(&(end, msg)) = stack.last() {
        if pos >= end {
            stack.pop();
            continue;
        }
        let at = pos;
        let key =
            varint(buf, &mut pos, end).ok_or_else(|| bad(at, "truncated or overlong field key"))?;
        let field = u32::try_from(key >> 3).map_err(|_| bad(at, "field number out of range"))?;
        let fixed = |pos: &mut usize, n: usize| -> Result<(), DecodeError> {
            if end - *pos < n {
                return Err(bad(*pos, "truncated fixed-width field"));
            }
            *pos += n;
            Ok(())
        };
        match key & 7 {
            0 => {
                varint(buf, &mut pos, end)
                    .ok_or_else(|| bad(at, "truncated or overlong varint"))?;
            }
            1 => fixed(&mut pos, 8)?,
            5 => fixed(&mut pos, 4)?,
            2 => {
                let len = varint(buf, &mut pos, end).ok_or_else(|| bad(at, "truncated length"))?;
                let child_end = usize::try_from(len)
                    .ok()
                    .and_then(|l| pos.checked_add(l))
                    .filter(|&e| e <= end)
                    .ok_or_else(|| bad(at, "length runs past the enclosing message"))?;
                let fields = MESSAGES.get(msg).map(|m| m.message_fields).unwrap_or(&[]);
                match fields.binary_search_by_key(&field, |f| f.0) {
                    Ok(i) => {
                        if stack.len() >= max_depth as usize {
                            return Err(DecodeError::TooDeep { limit: max_depth });
                        }
                        stack.push((child_end, fields[i].1));
                    }
                    Err(_) => pos = child_end,
                }
            }
            3 | 4 => return Err(bad(at, "groups are not supported")),
            _ => return Err(bad(at, "unknown wire type")),
        }
    }
    Ok(())
}
