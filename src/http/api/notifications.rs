//! `/api/v1/notifications/...`
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::{get, post};
use entity::NotificationKind;

use super::{Auth, PageParams, entities, json, parse_id, with_link};
use crate::db::notifications::NotificationQuery;
use crate::error::{AppError, AppResult};
use crate::service::notifications as svc;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/clear", post(clear))
        .route("/api/v1/notifications/unread_count", get(unread_count))
        .route("/api/v2/notifications", get(grouped))
        .route("/api/v2/notifications/unread_count", get(unread_count))
        .route("/api/v2/notifications/{group_key}", get(show_group))
        .route(
            "/api/v2/notifications/{group_key}/accounts",
            get(group_accounts),
        )
        .route(
            "/api/v2/notifications/{group_key}/dismiss",
            post(dismiss_group),
        )
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

/// The parameters every notification list takes, from the raw query (arrays).
struct ListParams {
    page: crate::db::Page,
    kinds: Vec<NotificationKind>,
    account_id: Option<i64>,
    limit: Option<String>,
    include_filtered: bool,
}

fn list_params(raw: Option<String>) -> AppResult<ListParams> {
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
    let account_id = match get("account_id").filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => Some(
            a.parse::<i64>()
                .map_err(|_| AppError::validation("account_id is not an id"))?,
        ),
    };
    Ok(ListParams {
        page,
        kinds,
        account_id,
        limit: get("limit"),
        include_filtered: matches!(
            get("include_filtered").as_deref(),
            Some("true" | "1" | "on")
        ),
    })
}

/// `types[]`, `exclude_types[]`, `account_id` and the page parameters.
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let me = auth.user("read:notifications")?;
    let p = list_params(raw)?;
    let page = p.page;
    let ns = svc::list_from(
        &state,
        me,
        Some(&p.kinds),
        p.account_id,
        p.include_filtered,
        &page,
    )
    .await?;
    let out = entities::notifications(&state, me, &ns).await?;
    let (first, last) = (ns.first().map(|n| n.id), ns.last().map(|n| n.id));
    let mut extra = vec![("limit", page.limit().to_string())];
    if let Some(a) = p.account_id {
        extra.push(("account_id", a.to_string()));
    }
    if p.include_filtered {
        extra.push(("include_filtered", "true".to_string()));
    }
    Ok(with_link(
        json(out),
        &state,
        "/api/v1/notifications",
        &extra,
        first,
        last,
    ))
}

/// `/api/v2/notifications`: favourites and boosts of a status, and new
/// followers, grouped as Mastodon 4.3 groups them.
async fn grouped(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let me = auth.user("read:notifications")?;
    let p = list_params(raw)?;
    let page = p.page;
    let q = NotificationQuery {
        kinds: p.kinds,
        from_account_id: p.account_id,
    };
    let groups = svc::groups(&state, me, &q, &page).await?;
    let out = entities::notification_groups(&state, me, &groups).await?;
    let (first, last) = (
        groups.first().map(|g| g.latest.id),
        groups.last().map(|g| g.oldest_id),
    );
    Ok(with_link(
        json(out),
        &state,
        "/api/v2/notifications",
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}

/// `{"count": N}`: notifications since the notifications marker (at most `limit`,
/// default 100, up to 1000).
async fn unread_count(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let me = auth.user("read:notifications")?;
    let p = list_params(raw)?;
    let cap = p
        .limit
        .as_deref()
        .and_then(|l| l.parse::<u64>().ok())
        .unwrap_or(100)
        .clamp(1, 1000);
    let q = NotificationQuery {
        kinds: p.kinds,
        from_account_id: p.account_id,
    };
    let count = svc::unread_count(&state, me, &q, cap).await?;
    Ok(json(serde_json::json!({ "count": count })))
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:notifications")?;
    let n = svc::get(&state, me, parse_id(&id)?).await?;
    let mut out = entities::notifications(&state, me, &[n]).await?;
    Ok(json(out.pop().ok_or_else(AppError::not_found)?))
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

async fn show_group(
    State(state): State<AppState>,
    auth: Auth,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:notifications")?;
    let g = svc::group(&state, me, &key).await?;
    Ok(json(entities::notification_groups(&state, me, &[g]).await?))
}

async fn group_accounts(
    State(state): State<AppState>,
    auth: Auth,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:notifications")?;
    let accounts = svc::group_accounts(&state, me, &key).await?;
    Ok(json(
        accounts
            .iter()
            .map(|a| entities::account(&state, a))
            .collect::<Vec<_>>(),
    ))
}

async fn dismiss_group(
    State(state): State<AppState>,
    auth: Auth,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:notifications")?;
    svc::dismiss_group(&state, me, &key).await?;
    Ok(json(serde_json::json!({})))
}
