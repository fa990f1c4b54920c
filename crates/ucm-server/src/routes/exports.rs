//! CSV exports, streamed.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use ucm_types::{CustomerQuery, ExportQuery, Problem};

use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::Query;
use crate::services::export::{Export, Kind};
use crate::startup::AppState;

async fn stream(
    state: &AppState,
    kind: Kind,
    q: &CustomerQuery,
    opts: &ExportQuery,
    name: &str,
) -> AppResult<HttpResponse> {
    // Bad filters fail here, before the 200 is sent.
    let export = Export::start(&state.db, kind, q, opts).await?;
    let body = futures_util::stream::unfold(Some(export), |state| async move {
        let mut export = state?;
        match export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(web::Bytes::from(chunk)), Some(export))),
            Ok(None) => None,
            // The status line is gone by now; breaking the chunked body off is the only way
            // to tell the client the file is incomplete rather than hand it a short one.
            Err(e) => {
                tracing::error!("export failed midway: {e}");
                Some((Err(std::io::Error::other(e.to_string())), None))
            }
        }
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .streaming(body))
}

/// Export customers as CSV in UCM's columns (plus `Customer Number` and `Customer Type`),
/// with the customer list's filters. Streams from one consistent snapshot, in id order.
/// Cells a spreadsheet would run as a formula get a leading `'` (see the README's policy).
#[utoipa::path(
    tag = "export",
    security(("bearer" = [])),
    params(CustomerQuery, ExportQuery),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/exports/customers")]
pub async fn customers(
    state: web::Data<AppState>,
    _user: AuthUser,
    q: Query<CustomerQuery>,
    opts: Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    stream(&state, Kind::Customers, &q, &opts, "customers.csv").await
}

/// Export every contact (not only primaries) of the customers the filters select.
#[utoipa::path(
    tag = "export",
    security(("bearer" = [])),
    params(CustomerQuery, ExportQuery),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/exports/contacts")]
pub async fn contacts(
    state: web::Data<AppState>,
    _user: AuthUser,
    q: Query<CustomerQuery>,
    opts: Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    stream(&state, Kind::Contacts, &q, &opts, "contacts.csv").await
}
