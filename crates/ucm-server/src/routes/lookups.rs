use actix_web::{get, post, web, HttpResponse};
use ucm_types::{
    CustomerType, ExtraFieldKey, Group, NewCustomerType, NewGroup, NewUser, Problem, User,
};

use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::Json;
use crate::services::{extra, lookups, users};
use crate::startup::AppState;

/// Customer types (Customer, Lead, Supplier and any added).
#[utoipa::path(tag = "lookups", security(("bearer" = [])), responses(
    (status = 200, body = Vec<CustomerType>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/customer-types")]
pub async fn list_types(state: web::Data<AppState>, _user: AuthUser) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(lookups::list_types(&state.db).await?))
}

/// Add a customer type (admin only).
#[utoipa::path(tag = "lookups", security(("bearer" = [])), request_body = NewCustomerType, responses(
    (status = 201, body = CustomerType),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/api/v1/customer-types")]
pub async fn create_type(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<NewCustomerType>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    Ok(HttpResponse::Created().json(lookups::create_type(&state.db, body.0).await?))
}

/// Customer groups.
#[utoipa::path(tag = "lookups", security(("bearer" = [])), responses(
    (status = 200, body = Vec<Group>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/groups")]
pub async fn list_groups(state: web::Data<AppState>, _user: AuthUser) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(lookups::list_groups(&state.db).await?))
}

/// The extra field names in use on customers, with how many customers have each (the
/// details screen offers them; the customers export writes one `extra:<key>` column each).
#[utoipa::path(tag = "lookups", security(("bearer" = [])), responses(
    (status = 200, body = Vec<ExtraFieldKey>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/extra-fields")]
pub async fn list_extra_fields(
    state: web::Data<AppState>,
    _user: AuthUser,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(extra::keys(&state.db).await?))
}

/// Add a customer group.
#[utoipa::path(tag = "lookups", security(("bearer" = [])), request_body = NewGroup, responses(
    (status = 201, body = Group),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/api/v1/groups")]
pub async fn create_group(
    state: web::Data<AppState>,
    _user: AuthUser,
    body: Json<NewGroup>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(lookups::create_group(&state.db, body.0).await?))
}

/// Staff users (for assigning staff to customers).
#[utoipa::path(tag = "users", security(("bearer" = [])), responses(
    (status = 200, body = Vec<User>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/users")]
pub async fn list_users(state: web::Data<AppState>, _user: AuthUser) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(users::list(&state.db).await?))
}

/// Add a staff user (admin only).
#[utoipa::path(tag = "users", security(("bearer" = [])), request_body = NewUser, responses(
    (status = 201, body = User),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/api/v1/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<NewUser>,
) -> AppResult<HttpResponse> {
    user.require_admin()?;
    Ok(HttpResponse::Created().json(users::create(&state.db, body.0).await?))
}
