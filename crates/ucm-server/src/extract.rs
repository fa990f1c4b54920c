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

/// A query string: 400 with the offending parameter named in `errors` (for example
/// `{"page": ["invalid digit found in string"]}`), where actix's own extractor says only what
/// went wrong, not where.
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        // A problem with no parameter of its own (a missing required one names itself in the
        // message) is filed under the query as a whole.
        let field = if path.is_empty() || path == "." {
            "query".to_owned()
        } else {
            path
        };
        let mut errors = FieldErrors::new();
        errors.insert(field, vec![e.into_inner().to_string()]);
        AppError::BadQuery(errors)
    })
}

/// What a write's `If-Match` allows: any version (no header, or `*`), or the versions it
/// lists. RFC 9110 compares If-Match tags strongly, so a weak tag (`W/"7"`) or one that is not
/// a version of ours matches nothing and the write gets 412.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IfMatch(Option<Vec<i64>>);

impl IfMatch {
    pub fn any() -> Self {
        Self(None)
    }

    pub fn version(v: i64) -> Self {
        Self(Some(vec![v]))
    }

    pub fn allows(&self, current: i64) -> bool {
        self.0.as_ref().is_none_or(|tags| tags.contains(&current))
    }
}

pub fn if_match(req: &HttpRequest) -> Result<IfMatch, AppError> {
    let mut tags = Vec::new();
    let mut seen = false;
    for value in req.headers().get_all(header::IF_MATCH) {
        let text = value
            .to_str()
            .map_err(|_| AppError::BadRequest("If-Match is not readable text".into()))?;
        for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            seen = true;
            if tag == "*" {
                return Ok(IfMatch::any());
            }
            let strong = tag
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .and_then(|t| t.parse::<i64>().ok());
            tags.extend(strong);
        }
    }
    Ok(if seen {
        IfMatch(Some(tags))
    } else {
        IfMatch::any()
    })
}

pub fn etag(version: i64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}
