//! CSV import: in one request (`/imports/customers`), or in the wizard's steps (upload once,
//! look at the detection and the columns, preview with any mapping and options, commit, read
//! the report).

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use ucm_types::{
    ImportPreview, ImportQuery, ImportReport, ImportSettings, ImportUpload, ImportUploadQuery,
    Problem,
};

use crate::auth::AuthUser;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, Query};
use crate::services::extra;
use crate::services::import::{self, ImportOptions};
use crate::startup::AppState;

/// Rows of the file shown by a preview.
const PREVIEW_ROWS: usize = 20;

fn check_csv_content_type(req: &HttpRequest) -> AppResult<()> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if matches!(
        ct.as_str(),
        "text/csv"
            | "text/plain"
            | "application/csv"
            | "application/octet-stream"
            | "application/vnd.ms-excel"
            | "text/tab-separated-values"
            // What `curl --data-binary @file.csv` sends unless told otherwise; the body is
            // read as bytes, never as a form.
            | "application/x-www-form-urlencoded"
    ) {
        Ok(())
    } else {
        Err(AppError::UnsupportedMediaType(
            "send the file as the body with Content-Type: text/csv".into(),
        ))
    }
}

fn declared_len(req: &HttpRequest) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// Import customers and contacts from a CSV file sent as the raw body (`text/csv`), in one
/// request. The whole file lands in one transaction; the report lists what was created,
/// updated, unchanged and skipped (with line numbers and reasons).
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
    user: AuthUser,
    req: HttpRequest,
    q: Query<ImportQuery>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    check_csv_content_type(&req)?;
    let columns = import::parse_column_map(q.columns.as_deref().unwrap_or(""))
        .map_err(|e| AppError::field("columns", e))?;
    let store = &state.imports;
    let (id, _) = store
        .receive("", declared_len(&req), user.id, payload)
        .await?;
    let result = import::import_file(
        &state.db,
        &store.file_of(&id)?,
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
        0,
    )
    .await;
    if let Err(e) = store.remove(&id).await {
        tracing::warn!("could not remove import upload {id}: {e}");
    }
    Ok(HttpResponse::Ok().json(result?.report))
}

/// The fields a column can feed: every customer and contact field, and the fields of each
/// numbered contact group (`Contact 2 ...`) the file has, plus the next group, so a column can
/// be mapped to a further contact by hand. Then the extra fields: those in use, those the
/// file's `extra:` columns name, and one named after each column nothing else takes, so any
/// column can be kept as an extra field.
fn import_fields(
    columns: &[ucm_types::ImportColumn],
    stored_keys: &[String],
) -> Vec<ucm_types::ImportField> {
    let last_group = columns
        .iter()
        .filter_map(|c| import::Field::from_name(c.field.as_deref()?))
        .filter_map(|f| match f {
            import::Field::Grouped(g, _) => Some(g),
            _ => None,
        })
        .max()
        .unwrap_or(import::FIRST_GROUP - 1);
    let groups = import::FIRST_GROUP..=(last_group + 1).min(import::LAST_GROUP);
    let mut extra_keys: Vec<String> = stored_keys.to_vec();
    for c in columns {
        let key = match c.field.as_deref() {
            Some(f) => match import::Target::from_name(f) {
                Ok(import::Target::Extra(k)) => k,
                _ => continue,
            },
            None => match extra::parse_key(&c.header) {
                Ok(k) => k,
                Err(_) => continue,
            },
        };
        if !extra_keys.contains(&key) {
            extra_keys.push(key);
        }
    }
    import::Field::ALL
        .into_iter()
        .chain(groups.flat_map(import::Field::group_fields))
        .map(import::Target::Field)
        .chain(extra_keys.into_iter().map(import::Target::Extra))
        .map(|t| ucm_types::ImportField {
            name: t.name().into_owned(),
            label: t.label(),
        })
        .collect()
}

async fn describe(state: &AppState, id: &str) -> AppResult<ImportUpload> {
    let meta = state.imports.meta(id).await?;
    let detected = import::detect(&state.db, &state.imports.file_of(id)?).await?;
    Ok(ImportUpload {
        id: id.to_owned(),
        file_name: meta.file_name,
        size: meta.size,
        uploaded_at: meta.uploaded_at.to_rfc3339(),
        encoding: detected.opened_encoding.label().into(),
        delimiter: import::delimiter_label(detected.delimiter),
        header_row: detected.header_row,
        data_rows: detected.data_rows,
        fields: import_fields(&detected.columns, &detected.extra_keys),
        columns: detected.columns,
        report: state.imports.report(id).await?,
    })
}

/// Step 1: upload a CSV file (raw body) to import. Answers with what was detected: encoding,
/// delimiter, header row, each column with its automatic field and sample values, and the
/// fields a column can be mapped to. The upload is kept for 7 days.
#[utoipa::path(
    tag = "import",
    security(("bearer" = [])),
    params(ImportUploadQuery),
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses(
        (status = 201, body = ImportUpload, headers(("Location" = String))),
        (status = 400, description = "Unreadable file", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty file, no header row, an unclosed quote", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/imports")]
pub async fn upload(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    q: Query<ImportUploadQuery>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    check_csv_content_type(&req)?;
    let (id, _) = state
        .imports
        .receive(
            q.name.as_deref().unwrap_or(""),
            declared_len(&req),
            user.id,
            payload,
        )
        .await?;
    match describe(&state, &id).await {
        Ok(upload) => Ok(HttpResponse::Created()
            .insert_header(("Location", format!("/api/v1/imports/{id}")))
            .json(upload)),
        Err(e) => {
            // A file that cannot be imported at all is not kept.
            let _ = state.imports.remove(&id).await;
            Err(e)
        }
    }
}

/// An upload: what was detected, the columns, and the report once it has been imported.
#[utoipa::path(
    tag = "import",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Upload id")),
    responses(
        (status = 200, body = ImportUpload),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/imports/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(describe(&state, &id).await?))
}

/// Step 2: a dry run of the whole upload with these settings (column mapping and options):
/// the report it would give and its first 20 rows, each with what would happen to it and
/// why. Nothing is written.
#[utoipa::path(
    tag = "import",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Upload id")),
    request_body = ImportSettings,
    responses(
        (status = 200, body = ImportPreview),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Being imported right now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown field or column in the mapping, no name column, or (all_or_nothing) rows that would be skipped", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/imports/{id}/preview")]
pub async fn preview(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<String>,
    settings: Json<ImportSettings>,
) -> AppResult<HttpResponse> {
    let path = state.imports.file_of(&id)?;
    let opts = import::options_from(&settings.0, true)?;
    // While the upload is being imported a dry run would wait for that import and then
    // describe the database after it, not what the import is about to do.
    if state.imports.is_busy(&id) {
        return Err(AppError::Conflict {
            message: "this upload is being imported right now; its report will be at /api/v1/imports/{id}/report".into(),
            errors: Default::default(),
        });
    }
    let done = import::import_file(&state.db, &path, opts, &|_, _| {}, PREVIEW_ROWS).await?;
    Ok(HttpResponse::Ok().json(ImportPreview {
        report: done.report,
        rows: done.preview,
    }))
}

/// Step 3: import the upload with these settings, in one transaction. An upload is imported
/// once: a second commit is a 409 (its report stays readable).
#[utoipa::path(
    tag = "import",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Upload id")),
    request_body = ImportSettings,
    responses(
        (status = 200, body = ImportReport),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already imported, or being imported", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown field or column in the mapping, no name column, or (all_or_nothing) rows that would be skipped", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/imports/{id}/commit")]
pub async fn commit(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<String>,
    settings: Json<ImportSettings>,
) -> AppResult<HttpResponse> {
    let path = state.imports.file_of(&id)?;
    let opts = import::options_from(&settings.0, false)?;
    let _claim = state.imports.claim(&id)?;
    if state.imports.report(&id).await?.is_some() {
        return Err(AppError::Conflict {
            message: "this upload has already been imported; its report is at /api/v1/imports/{id}/report".into(),
            errors: Default::default(),
        });
    }
    let done = import::import_file(&state.db, &path, opts, &|_, _| {}, 0).await?;
    state.imports.save_report(&id, &done.report).await?;
    Ok(HttpResponse::Ok().json(done.report))
}

/// Step 4: the report of an imported upload.
#[utoipa::path(
    tag = "import",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Upload id")),
    responses(
        (status = 200, body = ImportReport),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such upload, or not imported yet", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/imports/{id}/report")]
pub async fn report(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    match state.imports.report(&id).await? {
        Some(r) => Ok(HttpResponse::Ok().json(r)),
        None => Err(AppError::NotFound(
            "this upload has not been imported yet".into(),
        )),
    }
}

/// Forget an upload (its file and report). What it imported stays.
#[utoipa::path(
    tag = "import",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Upload id")),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Being imported right now", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/imports/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    _user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    state.imports.remove(&id).await?;
    Ok(HttpResponse::NoContent().finish())
}
