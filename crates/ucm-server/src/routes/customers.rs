use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use ucm_types::{
    Customer, CustomerDeleteQuery, CustomerPage, CustomerQuery, CustomerUpdate, LinkedCounts,
    NewCustomer, Problem,
};

use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::{etag, if_match, Json, Query};
use crate::services::customers;
use crate::startup::AppState;

/// List customers: search, filter, sort and page.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(CustomerQuery),
    responses(
        (status = 200, body = CustomerPage),
        (status = 400, description = "Unreadable query string", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Out-of-range paging", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/customers")]
pub async fn list(
    state: web::Data<AppState>,
    _user: AuthUser,
    q: Query<CustomerQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(customers::list(&state.db, &q).await?))
}

/// Create a customer, optionally with its primary contact.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    request_body = NewCustomer,
    responses(
        (status = 201, body = Customer, headers(("ETag" = String, description = "Version for If-Match"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/customers")]
pub async fn create(
    state: web::Data<AppState>,
    _user: AuthUser,
    body: Json<NewCustomer>,
) -> AppResult<HttpResponse> {
    let c = customers::create(&state.db, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(c.version))
        .insert_header(("Location", format!("/api/v1/customers/{}", c.id)))
        .json(c))
}

/// One customer with its address, groups, staff and primary contact.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id")),
    responses(
        (status = 200, body = Customer, headers(("ETag" = String, description = "Version for If-Match"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/customers/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let c = customers::get(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header(etag(c.version)).json(c))
}

/// Change some fields of a customer. Send `If-Match` with the ETag you read to avoid
/// overwriting someone else's change.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Customer id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    request_body = CustomerUpdate,
    responses(
        (status = 200, body = Customer, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/customers/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<CustomerUpdate>,
) -> AppResult<HttpResponse> {
    let c = customers::update(&state.db, id.into_inner(), body.0, if_match(&req)?).await?;
    Ok(HttpResponse::Ok().insert_header(etag(c.version)).json(c))
}

/// Delete a customer. Its contacts, notes, address, group memberships and staff links always
/// go; `linked=delete` also deletes its jobs, websites, invoices, tickets and files, while
/// `linked=unlink` (the default) keeps them with no customer. One transaction.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Customer id"),
        CustomerDeleteQuery,
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/customers/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    q: Query<CustomerDeleteQuery>,
) -> AppResult<HttpResponse> {
    customers::delete(
        &state.db,
        &state.files,
        id.into_inner(),
        q.linked.unwrap_or_default(),
        if_match(&req)?,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How many contacts, notes and linked records a customer has: what a delete takes along or
/// leaves unlinked.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id")),
    responses(
        (status = 200, body = LinkedCounts),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/customers/{id}/linked")]
pub async fn linked(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(customers::linked_counts(&state.db, id.into_inner()).await?))
}
