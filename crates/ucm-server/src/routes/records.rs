//! Jobs, websites, tickets and invoices: the records linked to a customer.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use ucm_types::{
    Invoice, InvoicePage, InvoiceUpdate, Job, JobPage, JobUpdate, NewInvoice, NewJob, NewTicket,
    NewWebsite, Problem, RecordQuery, Ticket, TicketPage, TicketUpdate, Website, WebsitePage,
    WebsiteUpdate,
};

use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::{etag, if_match, Json, Query};
use crate::services::{invoices, records};
use crate::startup::AppState;

/// List jobs; filter by customer, status (`new`, `in_progress`, `on_hold`, `completed`, `cancelled`) and start date.
#[utoipa::path(
    tag = "jobs",
    security(("bearer" = [])),
    params(RecordQuery),
    responses(
        (status = 200, body = JobPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/jobs")]
pub async fn list_jobs(
    state: web::Data<AppState>,
    _user: AuthUser,
    q: Query<RecordQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(records::list_jobs(&state.db, &q).await?))
}

/// Create a job for a customer.
#[utoipa::path(
    tag = "jobs",
    security(("bearer" = [])),
    request_body = NewJob,
    responses(
        (status = 201, body = Job, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/jobs")]
pub async fn create_job(
    state: web::Data<AppState>,
    _user: AuthUser,
    body: Json<NewJob>,
) -> AppResult<HttpResponse> {
    let r = records::create_job(&state.db, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(r.version))
        .insert_header(("Location", format!("/api/v1/jobs/{}", r.id)))
        .json(r))
}

/// One job.
#[utoipa::path(
    tag = "jobs",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Job id")),
    responses(
        (status = 200, body = Job, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/jobs/{id}")]
pub async fn get_job(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let r = records::get_job(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header(etag(r.version)).json(r))
}

/// Change some fields of a job; absent fields are left alone.
#[utoipa::path(
    tag = "jobs",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Job id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    request_body = JobUpdate,
    responses(
        (status = 200, body = Job, headers(("ETag" = String))),
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
#[patch("/api/v1/jobs/{id}")]
pub async fn update_job(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<JobUpdate>,
) -> AppResult<HttpResponse> {
    let r = records::update_job(&state.db, id.into_inner(), body.0, if_match(&req)?).await?;
    Ok(HttpResponse::Ok().insert_header(etag(r.version)).json(r))
}

/// Delete a job and its notes; its files stay with the customer, detached from the job.
#[utoipa::path(
    tag = "jobs",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Job id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/jobs/{id}")]
pub async fn delete_job(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    records::delete_job(&state.db, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// List websites; filter by customer, status (`new`, `live`, `offline`) and creation date.
#[utoipa::path(
    tag = "websites",
    security(("bearer" = [])),
    params(RecordQuery),
    responses(
        (status = 200, body = WebsitePage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/websites")]
pub async fn list_websites(
    state: web::Data<AppState>,
    _user: AuthUser,
    q: Query<RecordQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(records::list_websites(&state.db, &q).await?))
}

/// Create a website for a customer.
#[utoipa::path(
    tag = "websites",
    security(("bearer" = [])),
    request_body = NewWebsite,
    responses(
        (status = 201, body = Website, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/websites")]
pub async fn create_website(
    state: web::Data<AppState>,
    _user: AuthUser,
    body: Json<NewWebsite>,
) -> AppResult<HttpResponse> {
    let r = records::create_website(&state.db, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(r.version))
        .insert_header(("Location", format!("/api/v1/websites/{}", r.id)))
        .json(r))
}

/// One website.
#[utoipa::path(
    tag = "websites",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Website id")),
    responses(
        (status = 200, body = Website, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/websites/{id}")]
pub async fn get_website(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let r = records::get_website(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header(etag(r.version)).json(r))
}

/// Change some fields of a website; absent fields are left alone.
#[utoipa::path(
    tag = "websites",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Website id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    request_body = WebsiteUpdate,
    responses(
        (status = 200, body = Website, headers(("ETag" = String))),
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
#[patch("/api/v1/websites/{id}")]
pub async fn update_website(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<WebsiteUpdate>,
) -> AppResult<HttpResponse> {
    let r = records::update_website(&state.db, id.into_inner(), body.0, if_match(&req)?).await?;
    Ok(HttpResponse::Ok().insert_header(etag(r.version)).json(r))
}

/// Delete a website and its notes.
#[utoipa::path(
    tag = "websites",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Website id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/websites/{id}")]
pub async fn delete_website(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    records::delete_website(&state.db, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// List tickets; filter by customer, status (`new`, `open`, `pending`, `resolved`, `closed`) and creation date.
#[utoipa::path(
    tag = "tickets",
    security(("bearer" = [])),
    params(RecordQuery),
    responses(
        (status = 200, body = TicketPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/tickets")]
pub async fn list_tickets(
    state: web::Data<AppState>,
    _user: AuthUser,
    q: Query<RecordQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(records::list_tickets(&state.db, &q).await?))
}

/// Create a ticket for a customer, optionally raised by one of its contacts.
#[utoipa::path(
    tag = "tickets",
    security(("bearer" = [])),
    request_body = NewTicket,
    responses(
        (status = 201, body = Ticket, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/tickets")]
pub async fn create_ticket(
    state: web::Data<AppState>,
    _user: AuthUser,
    body: Json<NewTicket>,
) -> AppResult<HttpResponse> {
    let r = records::create_ticket(&state.db, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(r.version))
        .insert_header(("Location", format!("/api/v1/tickets/{}", r.id)))
        .json(r))
}

/// One ticket.
#[utoipa::path(
    tag = "tickets",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id")),
    responses(
        (status = 200, body = Ticket, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/tickets/{id}")]
pub async fn get_ticket(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let r = records::get_ticket(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header(etag(r.version)).json(r))
}

/// Change some fields of a ticket; absent fields are left alone.
#[utoipa::path(
    tag = "tickets",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Ticket id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    request_body = TicketUpdate,
    responses(
        (status = 200, body = Ticket, headers(("ETag" = String))),
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
#[patch("/api/v1/tickets/{id}")]
pub async fn update_ticket(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<TicketUpdate>,
) -> AppResult<HttpResponse> {
    let r = records::update_ticket(&state.db, id.into_inner(), body.0, if_match(&req)?).await?;
    Ok(HttpResponse::Ok().insert_header(etag(r.version)).json(r))
}

/// Delete a ticket and its notes.
#[utoipa::path(
    tag = "tickets",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Ticket id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/tickets/{id}")]
pub async fn delete_ticket(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    records::delete_ticket(&state.db, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// List invoices; filter by customer, status (`draft`, `sent`, `paid`, `cancelled`, or `overdue` for sent invoices past their due date) and issue date.
#[utoipa::path(
    tag = "invoices",
    security(("bearer" = [])),
    params(RecordQuery),
    responses(
        (status = 200, body = InvoicePage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/invoices")]
pub async fn list_invoices(
    state: web::Data<AppState>,
    _user: AuthUser,
    q: Query<RecordQuery>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(invoices::list(&state.db, &q).await?))
}

/// Create an invoice. The number defaults to the customer's invoice prefix (or `INV-`) and the next sequence; amounts are integer minor units.
#[utoipa::path(
    tag = "invoices",
    security(("bearer" = [])),
    request_body = NewInvoice,
    responses(
        (status = 201, body = Invoice, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/invoices")]
pub async fn create_invoice(
    state: web::Data<AppState>,
    _user: AuthUser,
    body: Json<NewInvoice>,
) -> AppResult<HttpResponse> {
    let r = invoices::create(&state.db, body.0, &state.config.currency).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(r.version))
        .insert_header(("Location", format!("/api/v1/invoices/{}", r.id)))
        .json(r))
}

/// One invoice.
#[utoipa::path(
    tag = "invoices",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Invoice id")),
    responses(
        (status = 200, body = Invoice, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/invoices/{id}")]
pub async fn get_invoice(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let r = invoices::get(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().insert_header(etag(r.version)).json(r))
}

/// Change some fields of a invoice; absent fields are left alone.
#[utoipa::path(
    tag = "invoices",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Invoice id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    request_body = InvoiceUpdate,
    responses(
        (status = 200, body = Invoice, headers(("ETag" = String))),
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
#[patch("/api/v1/invoices/{id}")]
pub async fn update_invoice(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<InvoiceUpdate>,
) -> AppResult<HttpResponse> {
    let r = invoices::update(&state.db, id.into_inner(), body.0, if_match(&req)?).await?;
    Ok(HttpResponse::Ok().insert_header(etag(r.version)).json(r))
}

/// Delete an invoice with its items and notes.
#[utoipa::path(
    tag = "invoices",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Invoice id"),
        ("If-Match" = Option<String>, Header, description = "ETag from a previous read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/invoices/{id}")]
pub async fn delete_invoice(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    invoices::delete(&state.db, id.into_inner(), if_match(&req)?).await?;
    Ok(HttpResponse::NoContent().finish())
}
