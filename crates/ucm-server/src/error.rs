//! The one error type. Services return it; `ResponseError` turns it into problem+json.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use sea_orm::{DbErr, SqlErr};
use ucm_types::Problem;

pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("{0}")]
    BadRequest(String),
    /// A query parameter that cannot be read, keyed by its name like a validation error.
    #[error("the query string is invalid; see `errors`")]
    BadQuery(FieldErrors),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    Conflict {
        message: String,
        errors: FieldErrors,
    },
    #[error("the resource changed since you read it (If-Match did not match the current ETag)")]
    PreconditionFailed,
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Busy(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn not_found(what: &str, id: i64) -> Self {
        AppError::NotFound(format!("{what} {id} does not exist"))
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![message.into()]);
        AppError::Validation(errors)
    }

    pub fn conflict_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![message.clone()]);
        AppError::Conflict { message, errors }
    }

    fn kind(&self) -> &'static str {
        match self {
            AppError::Validation(_) => "validation",
            AppError::BadRequest(_) | AppError::BadQuery(_) => "bad-request",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not-found",
            AppError::Conflict { .. } => "conflict",
            AppError::PreconditionFailed => "precondition-failed",
            AppError::PayloadTooLarge(_) => "payload-too-large",
            AppError::UnsupportedMediaType(_) => "unsupported-media-type",
            AppError::MethodNotAllowed(_) => "method-not-allowed",
            AppError::Busy(_) => "busy",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn to_problem(&self) -> Problem {
        let status = self.status_code();
        let (detail, errors) = match self {
            AppError::Validation(errors) => (
                Some("One or more fields are invalid; see `errors`.".to_owned()),
                errors.clone(),
            ),
            AppError::Conflict { message, errors } => (Some(message.clone()), errors.clone()),
            AppError::BadQuery(errors) => (Some(self.to_string()), errors.clone()),
            // The cause of a 500 is logged, never sent.
            AppError::Internal(_) => (
                Some("An unexpected error occurred.".into()),
                FieldErrors::new(),
            ),
            other => (Some(other.to_string()), FieldErrors::new()),
        };
        Problem {
            kind: self.kind().to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

/// Every constraint the schema has, with the message a client should see when it fires
/// (normally the services check first; this is the backstop for races).
fn constraint_message(constraint_text: &str) -> Option<(&'static str, &'static str)> {
    const KNOWN: &[(&str, &str, &str)] = &[
        (
            "contacts_email_unique_per_customer",
            "email",
            "another contact of this customer already has this email",
        ),
        (
            "contacts.customer_id, contacts.email_key",
            "email",
            "another contact of this customer already has this email",
        ),
        (
            "contacts_one_primary_per_customer",
            "is_primary",
            "the customer already has a primary contact",
        ),
        (
            "contacts.customer_id",
            "is_primary",
            "the customer already has a primary contact",
        ),
        ("users_username_key", "username", "this username is taken"),
        ("users.username", "username", "this username is taken"),
        (
            "customer_groups_name_key",
            "name",
            "a group with this name exists",
        ),
        (
            "customer_groups.name",
            "name",
            "a group with this name exists",
        ),
        (
            "customer_types_name_key",
            "name",
            "a customer type with this name exists",
        ),
        (
            "customer_types.name",
            "name",
            "a customer type with this name exists",
        ),
        (
            "invoices_number_key",
            "number",
            "this invoice number is already used",
        ),
        (
            "invoices.number",
            "number",
            "this invoice number is already used",
        ),
    ];
    KNOWN
        .iter()
        .find(|(needle, _, _)| constraint_text.contains(needle))
        .map(|(_, field, msg)| (*field, *msg))
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(text)) => match constraint_message(&text) {
                Some((field, msg)) => AppError::conflict_field(field, msg),
                None => AppError::Conflict {
                    message: "the change conflicts with an existing record".into(),
                    errors: FieldErrors::new(),
                },
            },
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => AppError::Conflict {
                message: "the change refers to a record that does not exist or is still in use"
                    .into(),
                errors: FieldErrors::new(),
            },
            // SQLite's busy timeout ran out: another writer (a long import) holds the lock.
            _ if err.to_string().contains("database is locked") => AppError::Busy(
                "the database is busy with another write, such as a long import; try again shortly"
                    .into(),
            ),
            _ => AppError::Internal(anyhow::Error::new(err)),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) | AppError::BadQuery(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if matches!(self, AppError::Busy(_)) {
            builder.insert_header((header::RETRY_AFTER, "5"));
        }
        if matches!(self, AppError::Unauthorized(_)) {
            builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        builder.body(serde_json::to_string(&self.to_problem()).unwrap_or_default())
    }
}

/// Field-by-field validation that reports every problem at once.
#[derive(Default)]
pub struct Validator {
    errors: FieldErrors,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors
            .entry(field.into())
            .or_default()
            .push(message.into());
    }
    /// Records an `Err` under `field` and returns the `Ok` value, if any.
    pub fn check<T>(&mut self, field: &str, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(m) => {
                self.add(field, m);
                None
            }
        }
    }
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
    pub fn finish(self) -> AppResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.errors))
        }
    }
}

pub mod handlers {
    //! actix extractor error handlers, so malformed requests get the same problem+json body.
    use actix_web::error::{PathError, QueryPayloadError};
    use actix_web::HttpRequest;

    use super::AppError;

    pub fn path(err: PathError, _req: &HttpRequest) -> actix_web::Error {
        AppError::NotFound(format!("no such resource: {err}")).into()
    }

    /// Only for a `web::Query` left somewhere; the API's own `extract::Query` names the field.
    pub fn query(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
        AppError::BadRequest(format!("invalid query string: {err}")).into()
    }
}
