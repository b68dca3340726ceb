//! Notification filtering: the policy (`/api/v2/notifications/policy`) and the
//! requests that hold filtered notifications, one per sender
//! (`/api/v1/notifications/requests`).
use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::params::Params;
use super::{Auth, PageParams, entities, json, parse_id, with_link};
use crate::error::AppResult;
use crate::service;
use crate::service::notifications::{self as svc, Policy, PolicyUpdate};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v2/notifications/policy",
            get(show_policy).patch(update_policy),
        )
        .route("/api/v1/notifications/requests", get(list))
        .route("/api/v1/notifications/requests/merged", get(merged))
        .route("/api/v1/notifications/requests/accept", post(accept_many))
        .route("/api/v1/notifications/requests/dismiss", post(dismiss_many))
        .route("/api/v1/notifications/requests/{id}", get(show))
        .route("/api/v1/notifications/requests/{id}/accept", post(accept))
        .route("/api/v1/notifications/requests/{id}/dismiss", post(dismiss))
}

fn policy_json((p, requests, notifications): (Policy, i64, i64)) -> Value {
    json!({
        "for_not_following": p.for_not_following.as_str(),
        "for_not_followers": p.for_not_followers.as_str(),
        "for_new_accounts": p.for_new_accounts.as_str(),
        "for_private_mentions": p.for_private_mentions.as_str(),
        "for_limited_accounts": p.for_limited_accounts.as_str(),
        "summary": {
            "pending_requests_count": requests.min(100),
            "pending_notifications_count": notifications,
        },
    })
}

async fn show_policy(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let me = auth.user("read:notifications")?;
    Ok(json(policy_json(svc::policy(&state, me).await?)))
}

async fn update_policy(
    State(state): State<AppState>,
    auth: Auth,
    p: Params,
) -> AppResult<Response> {
    let me = auth.user("write:notifications")?;
    let u = PolicyUpdate {
        for_not_following: p.str("for_not_following"),
        for_not_followers: p.str("for_not_followers"),
        for_new_accounts: p.str("for_new_accounts"),
        for_private_mentions: p.str("for_private_mentions"),
        for_limited_accounts: p.str("for_limited_accounts"),
    };
    Ok(json(policy_json(svc::update_policy(&state, me, u).await?)))
}

/// NotificationRequest entities, with the senders and latest statuses loaded
/// in a fixed number of queries.
async fn render(
    state: &AppState,
    me: &entity::accounts::Model,
    rows: &[entity::notification_requests::Model],
) -> AppResult<Vec<Value>> {
    let account_ids: Vec<i64> = rows.iter().map(|r| r.from_account_id).collect();
    let accounts: HashMap<i64, entity::accounts::Model> =
        service::accounts::find_many(state, &account_ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
    let status_ids: Vec<i64> = rows.iter().filter_map(|r| r.last_status_id).collect();
    let found = service::statuses::get_many(state, Some(me), &status_ids).await?;
    let views = service::timelines::hydrate(state, found).await?;
    let rendered = entities::statuses(state, Some(me), &views).await?;
    let statuses: HashMap<i64, Value> = views.iter().map(|v| v.status.id).zip(rendered).collect();
    Ok(rows
        .iter()
        .filter_map(|r| {
            let a = accounts.get(&r.from_account_id)?;
            Some(json!({
                "id": r.id.to_string(),
                "created_at": entities::time(r.created_at),
                "updated_at": entities::time(r.updated_at),
                "account": entities::account(state, a),
                "notifications_count": r.notifications_count.to_string(),
                "last_status": r.last_status_id.and_then(|s| statuses.get(&s).cloned()),
            }))
        })
        .collect())
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    let me = auth.user("read:notifications")?;
    let page = q.page()?;
    let rows = svc::requests(&state, me, &page).await?;
    let out = render(&state, me, &rows).await?;
    let (first, last) = (rows.first().map(|r| r.id), rows.last().map(|r| r.id));
    Ok(with_link(
        json(out),
        &state,
        "/api/v1/notifications/requests",
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
    let r = svc::request(&state, me, parse_id(&id)?).await?;
    let mut out = render(&state, me, std::slice::from_ref(&r)).await?;
    Ok(json(out.pop().unwrap_or(Value::Null)))
}

/// Accepting is done at once, so accepted notifications are always merged.
async fn merged(auth: Auth) -> AppResult<Response> {
    auth.user("read:notifications")?;
    Ok(json(json!({ "merged": true })))
}

async fn settle(state: &AppState, auth: &Auth, ids: &[i64], accept: bool) -> AppResult<Response> {
    let me = auth.user("write:notifications")?;
    svc::settle_requests(state, me, ids, accept).await?;
    Ok(json(json!({})))
}

/// A single request must be the caller's (404 otherwise).
async fn settle_one(state: &AppState, auth: &Auth, id: &str, accept: bool) -> AppResult<Response> {
    let me = auth.user("write:notifications")?;
    let r = svc::request(state, me, parse_id(id)?).await?;
    settle(state, auth, &[r.id], accept).await
}

async fn accept(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    settle_one(&state, &auth, &id, true).await
}

async fn dismiss(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    settle_one(&state, &auth, &id, false).await
}

fn ids(p: &Params) -> Vec<i64> {
    p.strings("id")
        .iter()
        .filter_map(|s| s.parse().ok())
        .take(100)
        .collect()
}

async fn accept_many(State(state): State<AppState>, auth: Auth, p: Params) -> AppResult<Response> {
    settle(&state, &auth, &ids(&p), true).await
}

async fn dismiss_many(State(state): State<AppState>, auth: Auth, p: Params) -> AppResult<Response> {
    settle(&state, &auth, &ids(&p), false).await
}
