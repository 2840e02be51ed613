//! Response bodies: lenient base64, binary protobuf, then the status check
//! of PROTOCOL.md §2.1.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hangups_proto::hangouts::{ResponseHeader, ResponseStatus};

use super::error::ApiError;

/// Standard alphabet, padding required, non-zero trailing bits tolerated
/// (as Python's `base64.b64decode` does).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// Decodes base64 text the way hangups does (Python's non-strict
/// `b64decode`): bytes outside the standard alphabet are discarded, a `=`
/// before the second character of a quantum is ignored, decoding stops
/// once padding completes a quantum, and padding is required.
pub(crate) fn decode_base64_lenient(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut kept = Vec::with_capacity(body.len());
    let mut quad_pos = 0usize;
    let mut padding = false;
    for &b in body {
        if b == b'=' {
            if quad_pos >= 2 || padding {
                padding = true;
                kept.push(b);
                quad_pos = (quad_pos + 1) % 4;
                if quad_pos == 0 {
                    break;
                }
            }
        } else if b.is_ascii_alphanumeric() || b == b'+' || b == b'/' {
            kept.push(b);
            quad_pos = (quad_pos + 1) % 4;
        }
    }
    LENIENT.decode(&kept).map_err(ApiError::Base64)
}

/// What every response message has: field 1, the response header.
pub(crate) trait HasResponseHeader {
    /// The response header, if present.
    fn header(&self) -> Option<&ResponseHeader>;
}

/// Fails unless `header.status` is `RESPONSE_STATUS_OK`; a missing header
/// or status counts as status 0.
pub(crate) fn check_status(header: Option<&ResponseHeader>) -> Result<(), ApiError> {
    let status = header.and_then(|h| h.status).unwrap_or(ResponseStatus(0));
    if status == ResponseStatus::RESPONSE_STATUS_OK {
        return Ok(());
    }
    Err(ApiError::Status {
        status: status.0,
        description: header
            .and_then(|h| h.error_description.clone())
            .unwrap_or_default(),
    })
}

/// Base64 text → message `M` → status check.
pub(crate) fn decode_checked<M>(body: &[u8]) -> Result<M, ApiError>
where
    M: hangups_proto::Message + HasResponseHeader,
{
    let bytes = decode_base64_lenient(body)?;
    let message: M = hangups_proto::decode_binary(&bytes).map_err(ApiError::Protobuf)?;
    check_status(message.header())?;
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<u8> {
        decode_base64_lenient(text.as_bytes()).unwrap()
    }

    #[test]
    fn base64_discards_foreign_characters() {
        assert_eq!(ok("aGVs\nbG8=\n"), b"hello");
        assert_eq!(ok(" a G V s b G 8 = "), b"hello");
        assert_eq!(ok("aGVsbG8=\r\n"), b"hello");
        assert_eq!(ok("aGVsbA=="), b"hell");
        assert_eq!(ok("=aGVsbA=="), b"hell");
        assert_eq!(ok(""), b"");
        assert_eq!(ok("\n"), b"");
        // Decoding stops where padding completes a quantum.
        assert_eq!(ok("aGVsbA==aGVsbA=="), b"hell");
        // Non-zero trailing bits are tolerated.
        assert_eq!(ok("aGVsbB=="), b"hell");
    }

    #[test]
    fn base64_requires_padding() {
        for bad in [
            "aGVsbG8",
            "aGVsbA=",
            "aGVsbA",
            "a",
            "aGVsb",
            "a===",
            "aGVsbA=A=",
        ] {
            assert!(
                matches!(
                    decode_base64_lenient(bad.as_bytes()),
                    Err(ApiError::Base64(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn status_check() {
        assert!(check_status(Some(&ResponseHeader {
            status: Some(ResponseStatus::RESPONSE_STATUS_OK),
            ..Default::default()
        }))
        .is_ok());
        match check_status(None) {
            Err(ApiError::Status {
                status: 0,
                description,
            }) => assert!(description.is_empty()),
            other => panic!("{other:?}"),
        }
        match check_status(Some(&ResponseHeader::default())) {
            Err(ApiError::Status { status: 0, .. }) => {}
            other => panic!("{other:?}"),
        }
        match check_status(Some(&ResponseHeader {
            status: Some(ResponseStatus(4)),
            error_description: Some("bad".into()),
            ..Default::default()
        })) {
            Err(ApiError::Status {
                status: 4,
                description,
            }) => assert_eq!(description, "bad"),
            other => panic!("{other:?}"),
        }
    }
}
