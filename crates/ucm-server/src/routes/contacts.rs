use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use ucm_types::{Contact, ContactUpdate, NewContact, Problem};

use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::{etag, if_match, Json};
use crate::services::contacts;
use crate::startup::AppState;

/// A customer's contacts, primary first.
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id")),
    responses(
        (status = 200, body = Vec<Contact>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/customers/{id}/contacts")]
pub async fn list_for_customer(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(contacts::list_for_customer(&state.db, id.into_inner()).await?))
}

/// Add a contact to a customer. The first contact becomes primary.
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id")),
    request_body = NewContact,
    responses(
        (status = 201, body = Contact, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email already used by a contact of this customer", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/customers/{id}/contacts")]
pub async fn create(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
    body: Json<NewContact>,
) -> AppResult<HttpResponse> {
    let c = contacts::create(&state.db, id.into_inner(), body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(c.version))
        .insert_header(("Location", format!("/api/v1/contacts/{}", c.id)))
        .json(c))
}

/// One contact.
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Contact id")),
    responses(
        (status = 200, body = Contact, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/contacts/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let c = contacts::get(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header(etag(c.version)).json(c))
}

/// Change a contact; `customer_id` moves it to another customer, `is_primary: true` makes it primary.
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Contact id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    request_body = ContactUpdate,
    responses(
        (status = 200, body = Contact, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/contacts/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<ContactUpdate>,
) -> AppResult<HttpResponse> {
    let c = contacts::update(&state.db, id.into_inner(), body.0, if_match(&req)?).await?;
    Ok(HttpResponse::Ok().insert_header(etag(c.version)).json(c))
}

/// Delete a contact; when it was primary, the oldest remaining contact becomes primary.
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Contact id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/contacts/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    contacts::delete(&state.db, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Make this contact its customer's primary contact.
#[utoipa::path(
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Contact id")),
    responses(
        (status = 200, body = Contact, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/contacts/{id}/make-primary")]
pub async fn make_primary(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let c = contacts::make_primary(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header(etag(c.version)).json(c))
}
