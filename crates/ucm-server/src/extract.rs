//! Request extractors with the API's own error mapping.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldErrors};
use crate::startup::AppState;

/// A JSON body: 415 for another content type, 413 over the limit, 400 for malformed JSON and
/// 422 naming the field (as a dotted path, e.g. `address.post_code`) for a wrong type or an
/// unknown or missing field.
pub struct Json<T>(pub T);

pub fn is_json_content_type(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let mime = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

/// Reads the whole body, refusing it as soon as it passes `limit` bytes.
pub async fn read_body<S>(
    req: &HttpRequest,
    payload: &mut S,
    limit: usize,
) -> Result<web::Bytes, AppError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>> + Unpin,
{
    let too_large = || {
        AppError::PayloadTooLarge(format!(
            "the request body is larger than the limit of {limit} bytes"
        ))
    };
    if let Some(len) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
    {
        if len > limit {
            return Err(too_large());
        }
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| AppError::BadRequest(format!("could not read the body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // Every body of this API is an object; serde would also take an array for a struct.
    if serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| !v.is_object()) {
        return Err(AppError::field("body", "the body must be a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => match de.end() {
            Ok(()) => Ok(v),
            Err(e) => Err(AppError::BadRequest(format!(
                "request body is not valid JSON: {e}"
            ))),
        },
        Err(err) => {
            let inner = err.inner();
            if inner.is_data() {
                let path = err.path().to_string();
                let message = inner.to_string();
                // serde names a missing field in its message; the path stops at its parent.
                let field = match message.split('`').nth(1) {
                    Some(f) if message.starts_with("missing field") => {
                        if path == "." {
                            f.to_owned()
                        } else {
                            format!("{path}.{f}")
                        }
                    }
                    _ if path == "." => "body".to_owned(),
                    _ => path,
                };
                let mut errors = FieldErrors::new();
                errors.insert(field, vec![strip_position(&message)]);
                Err(AppError::Validation(errors))
            } else {
                Err(AppError::BadRequest(format!(
                    "request body is not valid JSON: {inner}"
                )))
            }
        }
    }
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json_content_type(&req) {
                return Err(AppError::UnsupportedMediaType(
                    "send the body as JSON with Content-Type: application/json".into(),
                ));
            }
            let limit = req
                .app_data::<web::Data<AppState>>()
                .map(|s| s.config.max_body_bytes)
                .unwrap_or(256 * 1024);
            let bytes = read_body(&req, &mut payload, limit).await?;
            parse_json(&bytes).map(Json)
        })
    }
}

/// The version a client read, from `If-Match: "7"` (or `W/"7"`); `*` or no header means any.
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, AppError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| AppError::BadRequest("If-Match is not readable text".into()))?
        .trim();
    if text == "*" {
        return Ok(None);
    }
    let tag = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    tag.parse::<i64>()
        .map(Some)
        .map_err(|_| AppError::PreconditionFailed)
}

pub fn etag(version: i64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}
