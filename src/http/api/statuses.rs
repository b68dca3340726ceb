//! `/api/v1/statuses/...`
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use entity::Visibility;
use serde::Deserialize;

use super::entities::FilterContext;
use super::params::Params;
use super::{Auth, Body, entities, json, parse_id};
use crate::error::{AppError, AppResult};
use crate::service::{self, statuses::NewStatus};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/statuses", post(create).get(index))
        .route("/api/v1/statuses/{id}", get(show).delete(delete).put(edit))
        .route("/api/v1/statuses/{id}/context", get(context))
        .route("/api/v1/statuses/{id}/favourite", post(favourite))
        .route("/api/v1/statuses/{id}/unfavourite", post(unfavourite))
        .route("/api/v1/statuses/{id}/reblog", post(reblog))
        .route("/api/v1/statuses/{id}/unreblog", post(unreblog))
        .route("/api/v1/statuses/{id}/bookmark", post(bookmark))
        .route("/api/v1/statuses/{id}/unbookmark", post(unbookmark))
        .route("/api/v1/statuses/{id}/mute", post(mute))
        .route("/api/v1/statuses/{id}/unmute", post(unmute))
}

const IDEMPOTENCY_TTL: std::time::Duration = std::time::Duration::from_secs(3600);

#[derive(Deserialize, Default)]
struct StatusForm {
    status: Option<String>,
    in_reply_to_id: Option<serde_json::Value>,
    sensitive: Option<serde_json::Value>,
    spoiler_text: Option<String>,
    visibility: Option<String>,
    language: Option<String>,
    media_ids: Option<Vec<serde_json::Value>>,
    scheduled_at: Option<String>,
}

/// `media_ids` as strings (Mastodon's) or numbers.
fn media_ids(v: &Option<Vec<serde_json::Value>>) -> AppResult<Vec<i64>> {
    let bad = || AppError::Validation("Validation failed: media_ids must be a list of ids".into());
    v.iter()
        .flatten()
        .filter(|x| x.as_str() != Some(""))
        .map(|x| match x {
            serde_json::Value::String(s) => s.trim().parse().map_err(|_| bad()),
            serde_json::Value::Number(n) => n.as_i64().ok_or_else(bad),
            _ => Err(bad()),
        })
        .collect()
}

fn flag(v: &Option<serde_json::Value>) -> bool {
    match v {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => matches!(s.as_str(), "true" | "1" | "on"),
        _ => false,
    }
}

fn id_value(v: &Option<serde_json::Value>) -> AppResult<Option<i64>> {
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => {
            s.parse().map(Some).map_err(|_| AppError::not_found())
        }
        Some(serde_json::Value::Number(n)) => n.as_i64().map(Some).ok_or_else(AppError::not_found),
        Some(_) => Err(AppError::Validation("in_reply_to_id is not an id".into())),
    }
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Body(f): Body<StatusForm>,
) -> AppResult<Response> {
    let me = auth.user("write:statuses")?;
    // A retried post with the same Idempotency-Key returns the first one, for an hour.
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| (me.id, k.chars().take(200).collect::<String>()));
    if let Some(k) = &key {
        let earlier = state.idempotency.lock().ok().and_then(|m| {
            m.get(k)
                .filter(|(_, at)| at.elapsed() < IDEMPOTENCY_TTL)
                .map(|(id, _)| *id)
        });
        if let Some(id) = earlier
            && let Ok(s) = service::statuses::get(&state, Some(me), id).await
        {
            return Ok(json(entities::status(&state, Some(me), s).await?));
        }
    }
    let visibility = match f.visibility.as_deref() {
        None | Some("") => Visibility::Public,
        Some(v) => Visibility::parse(v).ok_or_else(|| {
            AppError::Validation(format!("Validation failed: Visibility {v} is not valid"))
        })?,
    };
    let input = NewStatus {
        text: f.status.unwrap_or_default(),
        visibility,
        in_reply_to_id: id_value(&f.in_reply_to_id)?,
        sensitive: flag(&f.sensitive),
        spoiler_text: f.spoiler_text.unwrap_or_default(),
        language: f.language.filter(|l| !l.is_empty()),
        media_ids: media_ids(&f.media_ids)?,
    };
    if let Some(at) = f.scheduled_at.as_deref().filter(|s| !s.is_empty()) {
        let at = super::scheduled::parse_time(at)?;
        let s = service::scheduled::schedule(&state, me, input, at).await?;
        return Ok(json(super::scheduled::scheduled_json(&state, &s)));
    }
    let status = service::statuses::create(&state, me, input).await?;
    if let (Some(k), Ok(mut m)) = (key, state.idempotency.lock()) {
        if m.len() > 10_000 {
            m.retain(|_, (_, at)| at.elapsed() < IDEMPOTENCY_TTL);
        }
        m.insert(k, (status.id, std::time::Instant::now()));
    }
    Ok(json(entities::status(&state, Some(me), status).await?))
}

/// `GET /api/v1/statuses?id[]=1&id[]=2`: several statuses in the order asked,
/// leaving out those that do not exist or that the viewer may not see.
async fn index(State(state): State<AppState>, auth: Auth, p: Params) -> AppResult<Response> {
    if auth.0.is_some() {
        auth.require("read:statuses")?;
    }
    let ids: Vec<i64> = p
        .strings("id")
        .iter()
        .filter_map(|s| s.parse().ok())
        .take(40)
        .collect();
    let viewer = auth.viewer();
    let found = service::statuses::get_many(&state, viewer, &ids).await?;
    let views = service::timelines::hydrate(&state, found).await?;
    Ok(json(entities::statuses(&state, viewer, &views).await?))
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let viewer = auth.viewer();
    let status = service::statuses::get(&state, viewer, parse_id(&id)?).await?;
    Ok(json(entities::status(&state, viewer, status).await?))
}

async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:statuses")?;
    let old = service::statuses::delete(&state, me, parse_id(&id)?).await?;
    let text = old.text.clone();
    // The deleted status, with its source text so the app can offer to redraft it.
    let views = service::timelines::hydrate(&state, vec![old]).await?;
    let mut out = entities::statuses(&state, Some(me), &views)
        .await?
        .pop()
        .ok_or_else(AppError::not_found)?;
    if let Some(obj) = out.as_object_mut() {
        obj.insert("text".into(), serde_json::json!(text));
    }
    Ok(json(out))
}

async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(f): Body<StatusForm>,
) -> AppResult<Response> {
    let me = auth.user("write:statuses")?;
    let e = service::statuses::StatusEdit {
        text: f.status.unwrap_or_default(),
        spoiler_text: f.spoiler_text.unwrap_or_default(),
        sensitive: flag(&f.sensitive),
        language: f.language.filter(|l| !l.is_empty()),
    };
    let saved = service::statuses::edit(&state, me, parse_id(&id)?, e).await?;
    Ok(json(entities::status(&state, Some(me), saved).await?))
}

async fn context(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let viewer = auth.viewer();
    let ctx = service::statuses::context(&state, viewer, parse_id(&id)?).await?;
    let ancestors = service::timelines::hydrate(&state, ctx.ancestors).await?;
    let descendants = service::timelines::hydrate(&state, ctx.descendants).await?;
    Ok(json(serde_json::json!({
        "ancestors": entities::statuses_in(&state, viewer, &ancestors, FilterContext::Thread).await?,
        "descendants": entities::statuses_in(&state, viewer, &descendants, FilterContext::Thread).await?,
    })))
}

async fn favourite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:favourites")?;
    let s = service::interactions::favourite(&state, me, parse_id(&id)?).await?;
    Ok(json(entities::status(&state, Some(me), s).await?))
}

async fn unfavourite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:favourites")?;
    let s = service::interactions::unfavourite(&state, me, parse_id(&id)?).await?;
    Ok(json(entities::status(&state, Some(me), s).await?))
}

#[derive(Deserialize, Default)]
struct ReblogForm {
    visibility: Option<String>,
}

async fn reblog(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(f): Body<ReblogForm>,
) -> AppResult<Response> {
    let me = auth.user("write:statuses")?;
    let vis = f
        .visibility
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| {
            Visibility::parse(v).ok_or_else(|| {
                AppError::Validation(format!("Validation failed: Visibility {v} is not valid"))
            })
        })
        .transpose()?;
    let r = service::interactions::reblog(&state, me, parse_id(&id)?, vis).await?;
    Ok(json(entities::status(&state, Some(me), r).await?))
}

async fn unreblog(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:statuses")?;
    let s = service::interactions::unreblog(&state, me, parse_id(&id)?).await?;
    Ok(json(entities::status(&state, Some(me), s).await?))
}

async fn bookmark(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:bookmarks")?;
    let s = service::interactions::bookmark(&state, me, parse_id(&id)?).await?;
    Ok(json(entities::status(&state, Some(me), s).await?))
}

async fn unbookmark(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:bookmarks")?;
    let s = service::interactions::unbookmark(&state, me, parse_id(&id)?).await?;
    Ok(json(entities::status(&state, Some(me), s).await?))
}

async fn set_muted(state: &AppState, auth: &Auth, id: &str, muted: bool) -> AppResult<Response> {
    let me = auth.user("write:mutes")?;
    let status = service::statuses::set_thread_muted(state, me, parse_id(id)?, muted).await?;
    Ok(json(entities::status(state, Some(me), status).await?))
}

/// Mutes the status's thread: nothing in it notifies the caller any more.
async fn mute(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    set_muted(&state, &auth, &id, true).await
}

async fn unmute(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    set_muted(&state, &auth, &id, false).await
}
