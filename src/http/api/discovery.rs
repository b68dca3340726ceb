//! Hashtags (`/api/v1/tags`, `/api/v1/followed_tags`), trends, suggestions,
//! familiar followers and Web Push subscriptions.
use axum::Router;
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::params::Params;
use super::{Auth, PageParams, entities, json, parse_id, with_link};
use crate::error::{AppError, AppResult};
use crate::service::discovery::{self as svc, TagView};
use crate::service::push::{self, PushInput};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tags/{name}", get(show_tag))
        .route("/api/v1/tags/{name}/follow", post(follow_tag))
        .route("/api/v1/tags/{name}/unfollow", post(unfollow_tag))
        .route("/api/v1/followed_tags", get(followed_tags))
        .route("/api/v1/trends", get(trending_tags))
        .route("/api/v1/trends/tags", get(trending_tags))
        .route("/api/v1/trends/statuses", get(trending_statuses))
        .route("/api/v1/trends/links", get(trending_links))
        .route("/api/v2/suggestions", get(suggestions_v2))
        .route("/api/v1/suggestions", get(suggestions_v1))
        .route("/api/v1/suggestions/{id}", delete(dismiss_suggestion))
        .route(
            "/api/v1/accounts/familiar_followers",
            get(familiar_followers),
        )
        .route(
            "/api/v1/push/subscription",
            get(push_show)
                .post(push_create)
                .put(push_update)
                .delete(push_delete),
        )
}

pub fn tag(state: &AppState, t: &TagView) -> Value {
    let base = state.base_url();
    let mut v = json!({
        "id": t.tag.id.to_string(),
        "name": t.tag.name,
        "url": super::entities::tag_url(&format!("{base}/tags"), &t.tag.name),
        "history": t.history.iter().map(|(day, uses, accounts)| json!({
            "day": day.timestamp().to_string(),
            "uses": uses.to_string(),
            "accounts": accounts.to_string(),
        })).collect::<Vec<_>>(),
    });
    if let (Some(f), Some(o)) = (t.following, v.as_object_mut()) {
        o.insert("following".into(), json!(f));
        o.insert("featuring".into(), json!(t.featuring.unwrap_or(false)));
    }
    v
}

async fn show_tag(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> AppResult<Response> {
    if auth.0.is_some() {
        auth.require("read:statuses")?;
    }
    let t = svc::tag(&state, auth.viewer(), &name).await?;
    Ok(json(tag(&state, &t)))
}

async fn follow_tag(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:follows")?;
    let t = svc::follow_tag(&state, me, &name).await?;
    Ok(json(tag(&state, &t)))
}

async fn unfollow_tag(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:follows")?;
    let t = svc::unfollow_tag(&state, me, &name).await?;
    Ok(json(tag(&state, &t)))
}

async fn followed_tags(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    let me = auth.user("read:follows")?;
    let page = q.page()?;
    let rows = svc::followed_tags(&state, me, &page).await?;
    let out: Vec<Value> = rows.iter().map(|(_, t)| tag(&state, t)).collect();
    let (first, last) = (rows.first().map(|(i, _)| *i), rows.last().map(|(i, _)| *i));
    Ok(with_link(
        json(out),
        &state,
        "/api/v1/followed_tags",
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}

#[derive(Deserialize, Default)]
struct OffsetQuery {
    limit: Option<String>,
    offset: Option<String>,
}

impl OffsetQuery {
    fn limit(&self, default: u64, max: u64) -> u64 {
        self.limit
            .as_deref()
            .and_then(|l| l.parse().ok())
            .unwrap_or(default)
            .clamp(1, max)
    }

    fn offset(&self) -> u64 {
        self.offset
            .as_deref()
            .and_then(|o| o.parse().ok())
            .unwrap_or(0u64)
            .min(10_000)
    }
}

async fn trending_tags(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<OffsetQuery>,
) -> AppResult<Response> {
    let tags = svc::trending_tags(&state, auth.viewer(), q.limit(10, 20), q.offset()).await?;
    Ok(json(
        tags.iter().map(|t| tag(&state, t)).collect::<Vec<_>>(),
    ))
}

async fn trending_statuses(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<OffsetQuery>,
) -> AppResult<Response> {
    let viewer = auth.viewer();
    let rows = svc::trending_statuses(&state, q.limit(20, 40), q.offset()).await?;
    let mut visible = Vec::with_capacity(rows.len());
    for s in rows {
        // Public statuses; the viewer's blocks still apply.
        if crate::service::visibility::can_view(&state.db.read, &s, viewer).await? {
            visible.push(s);
        }
    }
    let views = crate::service::timelines::hydrate(&state, visible).await?;
    let out =
        entities::status_page(&state, viewer, &views, entities::FilterContext::Public).await?;
    Ok(json(out))
}

/// Kith makes no link preview cards yet, so no link trends.
async fn trending_links() -> AppResult<Response> {
    Ok(json(json!([])))
}

#[derive(Deserialize, Default)]
struct LimitQuery {
    limit: Option<String>,
}

fn suggestion_limit(q: &LimitQuery) -> u64 {
    q.limit
        .as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or(40u64)
        .clamp(1, 80)
}

async fn suggestions_v2(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<LimitQuery>,
) -> AppResult<Response> {
    let me = auth.user("read")?;
    let found = svc::suggestions(&state, me, suggestion_limit(&q)).await?;
    Ok(json(
        found
            .iter()
            .map(|a| {
                json!({
                    "source": "global",
                    "sources": ["friends_of_friends"],
                    "account": entities::account(&state, a),
                })
            })
            .collect::<Vec<_>>(),
    ))
}

async fn suggestions_v1(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<LimitQuery>,
) -> AppResult<Response> {
    let me = auth.user("read")?;
    let found = svc::suggestions(&state, me, suggestion_limit(&q)).await?;
    Ok(json(
        found
            .iter()
            .map(|a| entities::account(&state, a))
            .collect::<Vec<_>>(),
    ))
}

async fn dismiss_suggestion(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read")?;
    svc::dismiss_suggestion(&state, me, parse_id(&id)?).await?;
    Ok(json(json!({})))
}

/// `id[]=1&id[]=2`
async fn familiar_followers(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let me = auth.user("read:follows")?;
    let mut ids: Vec<i64> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k == "id[]" || k == "id" {
            ids.push(
                v.parse()
                    .map_err(|_| AppError::validation(format!("{v} is not a valid id")))?,
            );
        }
    }
    ids.truncate(40);
    let rows = svc::familiar_followers(&state, me, &ids).await?;
    Ok(json(
        rows.iter()
            .map(|(id, accounts)| {
                json!({
                    "id": id.to_string(),
                    "accounts": accounts.iter().map(|a| entities::account(&state, a)).collect::<Vec<_>>(),
                })
            })
            .collect::<Vec<_>>(),
    ))
}

fn push_input(p: &Params) -> AppResult<PushInput> {
    let sub = p.get("subscription");
    let keys = sub.and_then(|s| s.get("keys"));
    let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let data = p.get("data");
    let mut alerts = Vec::new();
    if let Some(Value::Object(a)) = data.and_then(|d| d.get("alerts")) {
        for (k, v) in a {
            alerts.push((k.clone(), super::params::flag(v, k)?));
        }
    }
    Ok(PushInput {
        endpoint: s(sub.and_then(|s| s.get("endpoint"))),
        p256dh: s(keys.and_then(|k| k.get("p256dh"))),
        auth: s(keys.and_then(|k| k.get("auth"))),
        standard: sub
            .and_then(|s| s.get("standard"))
            .map(|v| super::params::flag(v, "standard"))
            .transpose()?,
        alerts,
        policy: s(data.and_then(|d| d.get("policy"))).or_else(|| s(p.get("policy"))),
    })
}

fn subscription(state: &AppState, sub: &entity::push_subscriptions::Model) -> AppResult<Value> {
    Ok(json!({
        "id": sub.id.to_string(),
        "endpoint": sub.endpoint,
        "standard": sub.standard,
        "alerts": sub.alerts,
        "policy": sub.policy,
        "server_key": push::server_key(state)?,
    }))
}

async fn push_create(State(state): State<AppState>, auth: Auth, p: Params) -> AppResult<Response> {
    let token = auth.require("push")?;
    let sub = push::subscribe(&state, token, push_input(&p)?).await?;
    Ok(json(subscription(&state, &sub)?))
}

async fn push_show(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let token = auth.require("push")?;
    let sub = push::get(&state, token).await?;
    Ok(json(subscription(&state, &sub)?))
}

async fn push_update(State(state): State<AppState>, auth: Auth, p: Params) -> AppResult<Response> {
    let token = auth.require("push")?;
    let sub = push::update(&state, token, push_input(&p)?).await?;
    Ok(json(subscription(&state, &sub)?))
}

async fn push_delete(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let token = auth.require("push")?;
    push::unsubscribe(&state, token).await?;
    Ok(json(json!({})))
}
