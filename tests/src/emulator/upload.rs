//! Image upload (PROTOCOL.md §6): `POST /upload/photos/resumable` opens an
//! upload session whose URL points back at this emulator
//! (`/upload/photos/put/<id>`); posting the bytes there completes it and
//! returns the photo id to send with SendChatMessage.

use super::auth;
use super::http::{Request, Response};
use super::world::Upload;
use super::Shared;
use serde_json::{json, Value};

const RUPIO: &str = "uploader_service.GoogleRupioAdditionalInfo";
const PUT_PREFIX: &str = "/upload/photos/put/";
/// Largest image accepted.
const MAX_IMAGE: usize = 32 * 1024 * 1024;

pub(crate) fn handle(shared: &Shared, req: &Request) -> Response {
    if req.method != "POST" && req.method != "PUT" {
        return Response::text(405, "Method Not Allowed", "method not allowed");
    }
    if req.param("key") != Some(hangups_core::api::API_KEY) {
        return rejected(400, "API key not valid");
    }
    let mut inner = shared.lock();
    let user = match auth::authenticate(&mut inner.world, req) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    if req.path == "/upload/photos/resumable" {
        let (filename, size) = match session_request(&req.body) {
            Ok(fs) => fs,
            Err(why) => return rejected(400, why),
        };
        if size > MAX_IMAGE {
            return rejected(413, "image too large");
        }
        let id = (inner.world.ids.next_u64() >> 2).to_string();
        inner.world.uploads.insert(
            id.clone(),
            Upload {
                owner: user,
                filename: filename.clone(),
                size,
                bytes: None,
            },
        );
        let url = format!("{}{PUT_PREFIX}{id}", shared.base_url);
        return Response::json(
            200,
            &json!({"sessionStatus": {
                "state": "OPEN",
                "externalFieldTransfers": [{
                    "name": "file",
                    "status": "IN_PROGRESS",
                    "bytesTransferred": 0,
                    "bytesTotal": size,
                    "putInfo": {"url": url},
                    "content_type": "application/octet-stream",
                }],
                "upload_id": id,
            }}),
        );
    }
    let Some(id) = req.path.strip_prefix(PUT_PREFIX) else {
        return Response::text(404, "Not Found", "Not Found");
    };
    let Some(upload) = inner.world.uploads.get_mut(id) else {
        return rejected(404, "unknown upload");
    };
    if upload.owner != user || upload.bytes.is_some() {
        return rejected(400, "upload session is not open for this user");
    }
    if req.body.len() != upload.size {
        return rejected(400, "size differs from the announced size");
    }
    upload.bytes = Some(req.body.clone());
    let url = format!("https://lh3.googleusercontent.com/emulator/{id}");
    Response::json(
        200,
        &json!({"sessionStatus": {
            "state": "FINALIZED",
            "externalFieldTransfers": [{
                "name": "file",
                "status": "COMPLETED",
                "bytesTransferred": req.body.len(),
                "bytesTotal": req.body.len(),
            }],
            "additionalInfo": {RUPIO: {"completionInfo": {
                "status": "SUCCESS",
                "customerSpecificInfo": {
                    "photoid": id,
                    "url": url,
                    "filename": upload.filename,
                    "username": upload.owner,
                },
            }}},
            "upload_id": id,
        }}),
    )
}

/// The file name and size of the session request.
fn session_request(body: &[u8]) -> Result<(String, usize), &'static str> {
    let v: Value = serde_json::from_slice(body).map_err(|_| "the body is not JSON")?;
    let external = &v["createSessionRequest"]["fields"][0]["external"];
    let filename = external["filename"].as_str().ok_or("no filename")?;
    let size = external["size"].as_u64().ok_or("no size")?;
    Ok((
        filename.to_string(),
        usize::try_from(size).map_err(|_| "size too large")?,
    ))
}

/// A response without `sessionStatus`, in the shape hangups reads errors from.
fn rejected(status: u16, message: &str) -> Response {
    Response::json(
        status,
        &json!({"errorMessage": {"additionalInfo": {RUPIO: {"completionInfo": {
            "customerSpecificInfo": {"status": status, "message": message}
        }}}}}),
    )
}
