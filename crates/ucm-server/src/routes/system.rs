use actix_web::{get, web, HttpResponse};
use ucm_types::Health;

use crate::db::query_one;
use crate::error::AppResult;
use crate::startup::AppState;

/// Liveness and database reachability; no login needed.
#[utoipa::path(tag = "system", responses((status = 200, body = Health)))]
#[get("/api/v1/health")]
pub async fn health(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    query_one(&state.db.conn, "SELECT 1 AS ok", vec![]).await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: if state.db.is_sqlite() {
            "sqlite"
        } else {
            "postgres"
        }
        .into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}
