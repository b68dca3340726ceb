//! Picture files: `GET /system/<key>` from the configured storage, with
//! long-lived caching (keys are never reused) and ETags.
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::{AppError, AppResult};
use crate::media::storage::{content_type_of, valid_key};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/system/{*key}", get(file))
}

async fn file(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    if !state.media.served_here || !valid_key(&key) {
        return Err(AppError::not_found());
    }
    let f = state
        .media
        .get(&key)
        .await?
        .ok_or_else(AppError::not_found)?;
    let etag = format!(
        "\"{}\"",
        f.etag
            .as_deref()
            .unwrap_or(&key)
            .trim_matches('"')
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-")
    );
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    let etag_value = HeaderValue::from_str(&etag).map_err(AppError::internal)?;
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag_value), (header::CACHE_CONTROL, cache)],
        )
            .into_response());
    }
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type_of(&key)),
            ),
            (header::ETAG, etag_value),
            (header::CACHE_CONTROL, cache),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
        ],
        f.bytes,
    )
        .into_response())
}
