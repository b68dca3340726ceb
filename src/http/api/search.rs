//! `/api/v2/search`, `/api/v1/accounts/search`, the tag timeline and registration.
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Auth, Body, PageParams, entities, json, with_link};
use crate::config::RegistrationMode;
use crate::error::{AppError, AppResult};
use crate::service::search::{Kind, search};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/search", get(search_v2))
        .route("/api/v1/accounts/search", get(account_search))
        .route("/api/v1/timelines/tag/{tag}", get(tag_timeline))
        .route("/api/v1/accounts", post(register))
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    resolve: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

fn on(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("true" | "1" | "on"))
}

fn limit(v: &Option<String>) -> u64 {
    v.as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or(20u64)
        .clamp(1, 40)
}

async fn search_v2(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    if auth.0.is_some() {
        auth.require("read:search")?;
    }
    let viewer = auth.viewer();
    let kinds: Vec<Kind> = match q.kind.as_deref() {
        Some("accounts") => vec![Kind::Accounts],
        Some("statuses") => vec![Kind::Statuses],
        Some("hashtags") => vec![Kind::Hashtags],
        _ => vec![Kind::Accounts, Kind::Statuses, Kind::Hashtags],
    };
    let r = search(
        &state,
        viewer,
        q.q.as_deref().unwrap_or(""),
        &kinds,
        on(&q.resolve),
        limit(&q.limit),
        q.offset
            .as_deref()
            .and_then(|o| o.parse().ok())
            .unwrap_or(0u64)
            .min(10_000),
    )
    .await?;
    let views = crate::service::timelines::hydrate(&state, r.statuses).await?;
    Ok(json(serde_json::json!({
        "accounts": r.accounts.iter().map(|a| entities::account(&state, a)).collect::<Vec<_>>(),
        "statuses": entities::statuses(&state, viewer, &views).await?,
        "hashtags": r.hashtags.iter().map(|t| super::discovery::tag(&state, t)).collect::<Vec<_>>(),
    })))
}

async fn account_search(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let me = auth.user("read:accounts")?;
    let r = search(
        &state,
        Some(me),
        q.q.as_deref().unwrap_or(""),
        &[Kind::Accounts],
        on(&q.resolve),
        limit(&q.limit),
        0,
    )
    .await?;
    Ok(json(
        r.accounts
            .iter()
            .map(|a| entities::account(&state, a))
            .collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize, Default)]
struct TagQuery {
    #[serde(flatten)]
    page: PageParams,
    local: Option<String>,
}

async fn tag_timeline(
    State(state): State<AppState>,
    auth: Auth,
    Path(tag): Path<String>,
    Query(q): Query<TagQuery>,
) -> AppResult<Response> {
    if auth.0.is_some() {
        auth.require("read:statuses")?;
    }
    let viewer = auth.viewer();
    let page = q.page.page()?;
    let rows = crate::db::statuses::tag_timeline(
        &state.db.read,
        &tag,
        on(&q.local).then_some(true),
        &page,
    )
    .await?;
    let views = crate::service::timelines::hydrate(&state, rows).await?;
    let out =
        entities::status_page(&state, viewer, &views, entities::FilterContext::Public).await?;
    let (first, last) = (
        views.first().map(|v| v.status.id),
        views.last().map(|v| v.status.id),
    );
    Ok(with_link(
        json(out),
        &state,
        &format!("/api/v1/timelines/tag/{tag}"),
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}

#[derive(Deserialize, Default)]
struct RegisterForm {
    username: Option<String>,
    email: Option<String>,
    password: Option<String>,
    agreement: Option<serde_json::Value>,
    locale: Option<String>,
}

/// `POST /api/v1/accounts`: sign-up from an app, as the registration mode allows.
async fn register(
    State(state): State<AppState>,
    auth: Auth,
    Body(f): Body<RegisterForm>,
) -> AppResult<Response> {
    let app_auth = auth.require("write:accounts")?;
    let approved = match crate::service::instance::settings(&state)
        .await?
        .registrations
    {
        RegistrationMode::Open => true,
        RegistrationMode::Approval => false,
        RegistrationMode::Invite | RegistrationMode::Closed => {
            return Err(AppError::Forbidden(
                "Registrations are not open on this server".into(),
            ));
        }
    };
    let agreed = matches!(&f.agreement, Some(serde_json::Value::Bool(true)))
        || matches!(&f.agreement, Some(serde_json::Value::String(s)) if s == "true" || s == "1");
    if !agreed {
        return Err(AppError::Validation(
            "Validation failed: Agreement must be accepted".into(),
        ));
    }
    let mut new = crate::service::accounts::NewUser::new(
        f.username.as_deref().unwrap_or(""),
        f.email.as_deref().unwrap_or(""),
        f.password.as_deref().unwrap_or(""),
    );
    new.approved = approved;
    new.confirmed = true;
    if let Some(l) = f.locale.filter(|l| !l.is_empty() && l.len() <= 8) {
        new.locale = l;
    }
    let (account, _) = crate::service::accounts::register(&state, new).await?;
    let issued =
        crate::service::oauth::token_for_new_account(&state, &app_auth.app, &account).await?;
    Ok(json(serde_json::json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "scope": issued.token.scopes,
        "created_at": issued.token.created_at.timestamp(),
    })))
}
