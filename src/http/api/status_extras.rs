//! Pins, edit history and source of statuses, and who favourited or boosted
//! them (`/api/v1/statuses/:id/...`).
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::{Auth, PageParams, entities, json, parse_id, with_link};
use crate::error::{AppError, AppResult};
use crate::service;
use crate::service::interactions::{Interaction, interacted_by as interacted_by_svc};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/statuses/{id}/pin", post(pin))
        .route("/api/v1/statuses/{id}/unpin", post(unpin))
        .route("/api/v1/statuses/{id}/history", get(history))
        .route("/api/v1/statuses/{id}/source", get(source))
        .route("/api/v1/statuses/{id}/favourited_by", get(favourited_by))
        .route("/api/v1/statuses/{id}/reblogged_by", get(reblogged_by))
}

async fn interacted_by(
    state: &AppState,
    auth: &Auth,
    id: &str,
    q: &PageParams,
    kind: Interaction,
) -> AppResult<Response> {
    if auth.0.is_some() {
        auth.require("read:statuses")?;
    }
    let id = parse_id(id)?;
    let page = q.page()?;
    let rows = interacted_by_svc(state, auth.viewer(), id, kind, &page).await?;
    let out: Vec<_> = rows
        .iter()
        .map(|(_, a)| entities::account(state, a))
        .collect();
    let (first, last) = (rows.first().map(|(r, _)| *r), rows.last().map(|(r, _)| *r));
    let name = match kind {
        Interaction::Favourited => "favourited_by",
        Interaction::Reblogged => "reblogged_by",
    };
    Ok(with_link(
        json(out),
        state,
        &format!("/api/v1/statuses/{id}/{name}"),
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}

async fn favourited_by(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    interacted_by(&state, &auth, &id, &q, Interaction::Favourited).await
}

async fn reblogged_by(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    interacted_by(&state, &auth, &id, &q, Interaction::Reblogged).await
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
