//! Notes, the customer's merged notes, and reminders.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use ucm_types::{
    NewNote, Note, NotePage, NoteQuery, NoteUpdate, PageQuery, Problem, ReminderQuery,
};

use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::{etag, if_match, Json, Query};
use crate::services::notes;
use crate::startup::AppState;

/// Notes written on one record (`owner_kind` + `owner_id`), or all notes; newest first.
#[utoipa::path(
    tag = "notes",
    security(("bearer" = [])),
    params(NoteQuery),
    responses(
        (status = 200, body = NotePage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The owner does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/notes")]
pub async fn list(
    state: web::Data<AppState>,
    _user: AuthUser,
    q: Query<NoteQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(notes::list(&state.db, &q).await?))
}

/// Write a note on a customer, contact, job, website, invoice or ticket, optionally as a
/// reminder for one staff user or all staff.
#[utoipa::path(
    tag = "notes",
    security(("bearer" = [])),
    request_body = NewNote,
    responses(
        (status = 201, body = Note, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The owner does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty text, unknown reminder user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/notes")]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<NewNote>,
) -> AppResult<HttpResponse> {
    let n = notes::create(&state.db, body.0, user.id).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(n.version))
        .insert_header(("Location", format!("/api/v1/notes/{}", n.id)))
        .json(n))
}

/// One note.
#[utoipa::path(
    tag = "notes",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Note id")),
    responses(
        (status = 200, body = Note, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/notes/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let n = notes::get(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header(etag(n.version)).json(n))
}

/// Change a note, or mark its reminder done.
#[utoipa::path(
    tag = "notes",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Note id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    request_body = NoteUpdate,
    responses(
        (status = 200, body = Note, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/notes/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<NoteUpdate>,
) -> AppResult<HttpResponse> {
    let n = notes::update(&state.db, id.into_inner(), body.0, if_match(&req)?).await?;
    Ok(HttpResponse::Ok().insert_header(etag(n.version)).json(n))
}

/// Delete a note.
#[utoipa::path(
    tag = "notes",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Note id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/notes/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    notes::delete(&state.db, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The customer's notes merged with those of its contacts, jobs, websites, invoices and
/// tickets, newest first; each says what it is written on.
#[utoipa::path(
    tag = "notes",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), PageQuery),
    responses(
        (status = 200, body = NotePage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/customers/{id}/notes")]
pub async fn for_customer(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
    q: Query<PageQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(notes::list_for_customer(&state.db, id.into_inner(), q.page, q.per_page).await?))
}

/// Reminders due to the caller (addressed to them or to all staff), oldest first.
#[utoipa::path(
    tag = "notes",
    security(("bearer" = [])),
    params(ReminderQuery),
    responses(
        (status = 200, body = NotePage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/reminders")]
pub async fn reminders(
    state: web::Data<AppState>,
    user: AuthUser,
    q: Query<ReminderQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(notes::reminders(&state.db, user.id, &q).await?))
}
