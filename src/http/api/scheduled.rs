//! `/api/v1/scheduled_statuses`: statuses waiting to be posted.
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::params::Params;
use super::{Auth, PageParams, entities, json, parse_id, with_link};
use crate::error::{AppError, AppResult};
use crate::service::scheduled::{self as svc, Scheduled};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/scheduled_statuses", get(list))
        .route(
            "/api/v1/scheduled_statuses/{id}",
            get(show).put(update).delete(cancel),
        )
}

/// `scheduled_at` as apps send it (ISO 8601 with a zone).
pub fn parse_time(s: &str) -> AppResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            AppError::validation(format!(
                "Validation failed: Scheduled at {s} is not an ISO 8601 time"
            ))
        })
}

/// The ScheduledStatus entity.
pub fn scheduled_json(state: &AppState, s: &Scheduled) -> Value {
    let p = &s.params;
    json!({
        "id": s.row.id.to_string(),
        "scheduled_at": entities::time(s.row.scheduled_at),
        "params": {
            "text": p.text,
            "poll": null,
            "media_ids": if p.media_ids.is_empty() { Value::Null } else { json!(p.media_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>()) },
            "sensitive": p.sensitive,
            "spoiler_text": p.spoiler_text,
            "visibility": p.visibility,
            "in_reply_to_id": p.in_reply_to_id,
            "language": p.language,
            "application_id": 0,
            "scheduled_at": null,
            "idempotency": null,
            "with_rate_limit": false,
        },
        "media_attachments": s.media.iter().map(|m| entities::media_attachment(state, m)).collect::<Vec<_>>(),
    })
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    let me = auth.user("read:statuses")?;
    let page = q.page()?;
    let rows = svc::list(&state, me, &page).await?;
    let (first, last) = (
        rows.first().map(|s| s.row.id),
        rows.last().map(|s| s.row.id),
    );
    Ok(with_link(
        json(
            rows.iter()
                .map(|s| scheduled_json(&state, s))
                .collect::<Vec<_>>(),
        ),
        &state,
        "/api/v1/scheduled_statuses",
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:statuses")?;
    let s = svc::get(&state, me, parse_id(&id)?).await?;
    Ok(json(scheduled_json(&state, &s)))
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> AppResult<Response> {
    let me = auth.user("write:statuses")?;
    let at = p
        .str("scheduled_at")
        .ok_or_else(|| AppError::validation("scheduled_at is required"))?;
    let s = svc::reschedule(&state, me, parse_id(&id)?, parse_time(&at)?).await?;
    Ok(json(scheduled_json(&state, &s)))
}

async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:statuses")?;
    svc::cancel(&state, me, parse_id(&id)?).await?;
    Ok(json(json!({})))
}
