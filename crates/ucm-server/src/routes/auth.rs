use actix_web::{get, post, web, HttpResponse};
use ucm_types::{LoginRequest, LoginResponse, Problem, User};

use crate::auth::AuthUser;
use crate::error::{AppError, AppResult};
use crate::extract::Json;
use crate::services::users;
use crate::startup::AppState;

/// Log in with a username and password; returns a bearer token.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 401, description = "Wrong username or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> AppResult<HttpResponse> {
    let user = users::authenticate(&state.db, &body.0.username, &body.0.password).await?;
    let (token, expires_at) = state
        .jwt
        .issue(user.id, &user.username, user.role)
        .map_err(AppError::Internal)?;
    Ok(HttpResponse::Ok().json(LoginResponse {
        token,
        expires_at,
        user,
    }))
}

/// The logged-in user.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, body = User),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The user was deleted", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/auth/me")]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(users::get(&state.db, user.id).await?))
}
