//! `/api/v1/markers`
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::{Auth, Body, entities, json};
use crate::error::{AppError, AppResult};
use crate::service::markers;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/markers", get(show).post(update))
}

async fn render(
    state: &AppState,
    me: &entity::accounts::Model,
    only: &[String],
) -> AppResult<Response> {
    let mut out = Map::new();
    for m in markers::get(state, me).await? {
        if only.is_empty() || only.contains(&m.timeline) {
            out.insert(m.timeline.clone(), json!({ "last_read_id": m.last_read_id.to_string(), "version": m.version, "updated_at": entities::time(m.updated_at) }));
        }
    }
    Ok(json(Value::Object(out)))
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let me = auth.user("read:statuses")?;
    let only: Vec<String> = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == "timeline[]" || k == "timeline")
        .map(|(_, v)| v.into_owned())
        .collect();
    render(&state, me, &only).await
}

/// `{"home": {"last_read_id": "1"}}` as JSON, or `home[last_read_id]=1` as a form.
async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Body(body): Body<std::collections::BTreeMap<String, Value>>,
) -> AppResult<Response> {
    let me = auth.user("write:statuses")?;
    let mut set = Vec::new();
    for (key, v) in &body {
        let (timeline, id) = if let Some(t) = key.strip_suffix("[last_read_id]") {
            (t.to_string(), v.clone())
        } else {
            (
                key.clone(),
                v.get("last_read_id").cloned().unwrap_or(Value::Null),
            )
        };
        let id = match id {
            Value::String(s) => s.parse::<i64>().ok(),
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
        .ok_or_else(|| AppError::Validation(format!("{timeline}: last_read_id must be an id")))?;
        set.push((timeline, id));
    }
    for (timeline, id) in &set {
        markers::set(&state, me, timeline, *id).await?;
    }
    let names: Vec<String> = set.into_iter().map(|(t, _)| t).collect();
    render(&state, me, &names).await
}
