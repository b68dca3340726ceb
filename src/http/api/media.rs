//! Uploading pictures: `POST /api/v1/media`, `/api/v2/media`, `GET`/`PUT /api/v1/media/:id`.
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Auth, Body, WithFiles, entities, parse_id};
use crate::error::{AppError, AppResult};
use crate::service::media::{self, NewMedia, Wait};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/media", post(create_v1))
        .route("/api/v2/media", post(create_v2))
        .route("/api/v1/media/{id}", get(show).put(update).delete(destroy))
}

/// How long `POST /api/v2/media` waits before answering 202 (still processing).
const V2_WAIT: Duration = Duration::from_millis(1500);

#[derive(Deserialize, Default)]
struct MediaForm {
    description: Option<String>,
    focus: Option<String>,
}

async fn create(
    state: AppState,
    auth: Auth,
    WithFiles(f, mut files): WithFiles<MediaForm>,
    wait: Wait,
) -> AppResult<Response> {
    let me = auth.user("write:media")?;
    let file = files
        .remove("file")
        .ok_or_else(|| AppError::Validation("Validation failed: File can't be blank".into()))?;
    let input = NewMedia {
        file,
        description: f.description,
        focus: f.focus.filter(|s| !s.trim().is_empty()),
    };
    let m = media::upload(&state, me, input, wait).await?;
    let status = if m.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, axum::Json(entities::media_attachment(&state, &m))).into_response())
}

async fn create_v1(
    State(state): State<AppState>,
    auth: Auth,
    body: WithFiles<MediaForm>,
) -> AppResult<Response> {
    create(state, auth, body, Wait::UntilDone).await
}

async fn create_v2(
    State(state): State<AppState>,
    auth: Auth,
    body: WithFiles<MediaForm>,
) -> AppResult<Response> {
    create(state, auth, body, Wait::UpTo(V2_WAIT)).await
}

/// 200 when processed, 206 while processing (as Mastodon answers), 422 when it failed.
async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:media")?;
    let m = media::get(&state, me, parse_id(&id)?).await?;
    match m.state.as_str() {
        "ready" => Ok(axum::Json(entities::media_attachment(&state, &m)).into_response()),
        "processing" => Ok((
            StatusCode::PARTIAL_CONTENT,
            axum::Json(entities::media_attachment(&state, &m)),
        )
            .into_response()),
        _ => Err(AppError::Validation(format!(
            "Validation failed: {}",
            m.error
                .as_deref()
                .unwrap_or("the file could not be processed")
        ))),
    }
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(f): Body<MediaForm>,
) -> AppResult<Response> {
    let me = auth.user("write:media")?;
    let m = media::update(
        &state,
        me,
        parse_id(&id)?,
        f.description,
        f.focus.filter(|s| !s.trim().is_empty()),
    )
    .await?;
    Ok(axum::Json(entities::media_attachment(&state, &m)).into_response())
}

async fn destroy(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:media")?;
    media::delete(&state, me, parse_id(&id)?).await?;
    Ok(axum::Json(serde_json::json!({})).into_response())
}
