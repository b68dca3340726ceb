//! Pins, edit history and source of statuses (`/api/v1/statuses/:id/...`).
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::{Auth, entities, json, parse_id};
use crate::error::{AppError, AppResult};
use crate::service;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/statuses/{id}/pin", post(pin))
        .route("/api/v1/statuses/{id}/unpin", post(unpin))
        .route("/api/v1/statuses/{id}/history", get(history))
        .route("/api/v1/statuses/{id}/source", get(source))
}

async fn pin(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:accounts")?;
    let s = service::statuses::pin(&state, me, parse_id(&id)?).await?;
    Ok(json(entities::status(&state, Some(me), s).await?))
}

async fn unpin(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:accounts")?;
    let s = service::statuses::unpin(&state, me, parse_id(&id)?).await?;
    Ok(json(entities::status(&state, Some(me), s).await?))
}

async fn history(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if auth.0.is_some() {
        auth.require("read:statuses")?;
    }
    let viewer = auth.viewer();
    let (status, edits) = service::statuses::history(&state, viewer, parse_id(&id)?).await?;
    let author = service::account_by_id(&state, status.account_id).await?;
    let account = entities::account(&state, &author);
    Ok(json(
        edits
            .iter()
            .map(|e| {
                json!({
                    "content": e.content,
                    "spoiler_text": e.spoiler_text,
                    "sensitive": e.sensitive,
                    "created_at": entities::time(e.created_at),
                    "account": account,
                    "media_attachments": [],
                    "emojis": [],
                })
            })
            .collect::<Vec<_>>(),
    ))
}

async fn source(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:statuses")?;
    let s = service::statuses::source(&state, me, parse_id(&id)?).await?;
    if !s.local {
        return Err(AppError::not_found());
    }
    Ok(json(json!({
        "id": s.id.to_string(),
        "text": s.text,
        "spoiler_text": s.spoiler_text,
    })))
}
