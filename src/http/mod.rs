//! Routers and handlers only: parse, authorise, call one service function,
//! render. The Mastodon API (`api/`), the web site (`web/`) and the federation
//! endpoints are mounted here as they land.
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;

pub mod api;
mod federation;
mod files;
pub mod ratelimit;
use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .route("/health", get(health))
        .merge(federation::routes())
        .merge(api::routes())
        .merge(files::routes())
        .merge(crate::web::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ratelimit::limit,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// 200 when the database answers, 503 when it does not.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "OK"),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn not_found() -> AppError {
    AppError::not_found()
}
