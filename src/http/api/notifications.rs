//! `/api/v1/notifications/...`
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::{get, post};
use entity::NotificationKind;

use super::{Auth, PageParams, entities, json, parse_id, with_link};
use crate::error::AppResult;
use crate::service::notifications as svc;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/clear", post(clear))
        .route("/api/v1/notifications/{id}", get(show))
        .route("/api/v1/notifications/{id}/dismiss", post(dismiss))
}

fn kind(s: &str) -> Option<NotificationKind> {
    Some(match s {
        "mention" => NotificationKind::Mention,
        "reblog" => NotificationKind::Reblog,
        "favourite" => NotificationKind::Favourite,
        "follow" => NotificationKind::Follow,
        "follow_request" => NotificationKind::FollowRequest,
        _ => return None,
    })
}

const ALL: [NotificationKind; 5] = [
    NotificationKind::Mention,
    NotificationKind::Reblog,
    NotificationKind::Favourite,
    NotificationKind::Follow,
    NotificationKind::FollowRequest,
];

/// `types[]`, `exclude_types[]` and the page parameters, from the raw query (arrays).
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let me = auth.user("read:notifications")?;
    let raw = raw.unwrap_or_default();
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let params = PageParams {
        max_id: get("max_id"),
        since_id: get("since_id"),
        min_id: get("min_id"),
        limit: get("limit"),
    };
    let page = params.page()?;
    let include: Vec<NotificationKind> = pairs
        .iter()
        .filter(|(k, _)| k == "types[]" || k == "types")
        .filter_map(|(_, v)| kind(v))
        .collect();
    let exclude: Vec<NotificationKind> = pairs
        .iter()
        .filter(|(k, _)| k == "exclude_types[]" || k == "exclude_types")
        .filter_map(|(_, v)| kind(v))
        .collect();
    let mut kinds: Vec<NotificationKind> = if include.is_empty() {
        ALL.to_vec()
    } else {
        include
    };
    kinds.retain(|k| !exclude.contains(k));
    let ns = svc::list(&state, me, Some(&kinds), &page).await?;
    let out = entities::notifications(&state, me, &ns).await?;
    let (first, last) = (ns.first().map(|n| n.id), ns.last().map(|n| n.id));
    Ok(with_link(
        json(out),
        &state,
        "/api/v1/notifications",
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
    let me = auth.user("read:notifications")?;
    let n = svc::get(&state, me, parse_id(&id)?).await?;
    let mut out = entities::notifications(&state, me, &[n]).await?;
    Ok(json(
        out.pop().ok_or_else(crate::error::AppError::not_found)?,
    ))
}

async fn clear(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let me = auth.user("write:notifications")?;
    svc::clear(&state, me).await?;
    Ok(json(serde_json::json!({})))
}

async fn dismiss(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:notifications")?;
    svc::dismiss(&state, me, parse_id(&id)?).await?;
    Ok(json(serde_json::json!({})))
}
