//! File upload, listing and download.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use ucm_types::{FileMeta, FilePage, FileQuery, FileUpdate, FileUploadQuery, Problem};

use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::{etag, if_match, Json, Query};
use crate::services::files::{self, Upload};
use crate::startup::AppState;

/// Upload a file to a customer (and optionally one of its jobs). The request body is the raw
/// file; its `Content-Type` is kept as the file's type. Size limit: `UCM_MAX_UPLOAD_BYTES`.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(FileUploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes"),
    responses(
        (status = 201, body = FileMeta, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over the upload limit (named in the message)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty file, unusable name, unknown customer or job", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/files")]
pub async fn upload(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    q: Query<FileUploadQuery>,
    body: web::Payload,
) -> AppResult<HttpResponse> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let declared_len = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let meta = files::upload(
        &state.db,
        &state.files,
        Upload {
            customer_id: q.customer_id,
            job_id: q.job_id,
            name: &q.name,
            content_type,
            declared_len,
            user_id: user.id,
        },
        body,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(meta.version))
        .insert_header(("Location", format!("/api/v1/files/{}", meta.id)))
        .json(meta))
}

/// List files, newest first; filter by customer or job.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(FileQuery),
    responses(
        (status = 200, body = FilePage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/files")]
pub async fn list(
    state: web::Data<AppState>,
    _user: AuthUser,
    q: Query<FileQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(files::list(&state.db, &q).await?))
}

/// A file's metadata.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "File id")),
    responses(
        (status = 200, body = FileMeta, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/files/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let meta = files::get(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(meta.version))
        .json(meta))
}

/// Download a file as an attachment with its original name. Types a browser would render or
/// run (HTML, SVG, XML, scripts) are sent as `application/octet-stream`; nothing is served
/// inline.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "File id")),
    responses(
        (status = 200, description = "The file's bytes", content_type = "application/octet-stream", body = Vec<u8>,
         headers(("Content-Disposition" = String), ("X-Checksum-Sha256" = String, description = "hex SHA-256 of the content"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/files/{id}/content")]
pub async fn content(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (meta, bytes) = files::content(&state.db, &state.files, id.into_inner()).await?;
    let content_type = if files::is_active_content(&meta.content_type) {
        "application/octet-stream".to_owned()
    } else {
        meta.content_type.clone()
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            files::content_disposition(&meta.name),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("X-Checksum-Sha256", meta.sha256.clone()))
        .body(bytes))
}

/// Rename a file or attach it to another of its customer's jobs (`job_id: null` detaches it).
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "File id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    request_body = FileUpdate,
    responses(
        (status = 200, body = FileMeta, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/files/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<FileUpdate>,
) -> AppResult<HttpResponse> {
    let meta = files::update(&state.db, id.into_inner(), body.0, if_match(&req)?).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(meta.version))
        .json(meta))
}

/// Delete a file and its stored bytes.
#[utoipa::path(
    tag = "files",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "File id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/files/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    files::delete(&state.db, &state.files, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
