use actix_web::{post, web, HttpRequest, HttpResponse};
use ucm_types::{ImportQuery, ImportReport, Problem};

use crate::auth::AuthUser;
use crate::error::{AppError, AppResult};
use crate::extract::read_body;
use crate::services::import::{self, ImportOptions};
use crate::startup::AppState;

/// Import customers and contacts from a CSV file sent as the raw body (`text/csv`).
/// The whole file lands in one transaction; the report lists what was created, updated,
/// unchanged and skipped (with line numbers and reasons).
#[utoipa::path(
    tag = "import",
    security(("bearer" = [])),
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses(
        (status = 200, body = ImportReport),
        (status = 400, description = "Unreadable file", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No header row or no name column", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/imports/customers")]
pub async fn import_customers(
    state: web::Data<AppState>,
    _user: AuthUser,
    req: HttpRequest,
    q: web::Query<ImportQuery>,
    mut payload: web::Payload,
) -> AppResult<HttpResponse> {
    let ct = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !matches!(
        ct.as_str(),
        "text/csv" | "text/plain" | "application/csv" | "application/octet-stream"
    ) {
        return Err(AppError::UnsupportedMediaType(
            "send the file as the body with Content-Type: text/csv".into(),
        ));
    }
    let bytes = read_body(&req, &mut payload, state.config.max_import_bytes).await?;
    if bytes.is_empty() {
        return Err(AppError::field("file", "the file is empty"));
    }
    let columns = import::parse_column_map(q.columns.as_deref().unwrap_or(""))
        .map_err(|e| AppError::field("columns", e))?;
    let report = import::import_customers(
        &state.db,
        &bytes,
        ImportOptions {
            dry_run: q.dry_run.unwrap_or(false),
            match_id: q.match_id.unwrap_or(true),
            match_email: q.match_email.unwrap_or(true),
            match_name: q.match_name.unwrap_or(true),
            clear_blanks: q.clear_blanks.unwrap_or(false),
            all_or_nothing: q.all_or_nothing.unwrap_or(false),
            columns,
        },
        &|_, _| {},
    )
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
