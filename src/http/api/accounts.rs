//! `/api/v1/accounts/...`
use axum::Router;
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::Response;
use axum::routing::{get, patch, post};
use serde::Deserialize;

use super::{Auth, Body, PageParams, WithFiles, entities, json, parse_id, with_link};
use crate::db::relationships::FollowSide;
use crate::db::statuses::AccountTimelineFilter;
use crate::error::{AppError, AppResult};
use crate::service::{self, relationships::FollowOptions};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/accounts/verify_credentials",
            get(verify_credentials),
        )
        .route(
            "/api/v1/accounts/update_credentials",
            patch(update_credentials),
        )
        .route("/api/v1/accounts/relationships", get(relationships))
        .route("/api/v1/accounts/lookup", get(lookup))
        .route("/api/v1/accounts/{id}", get(show))
        .route("/api/v1/accounts/{id}/statuses", get(statuses))
        .route("/api/v1/accounts/{id}/followers", get(followers))
        .route("/api/v1/accounts/{id}/following", get(following))
        .route("/api/v1/accounts/{id}/follow", post(follow))
        .route("/api/v1/accounts/{id}/unfollow", post(unfollow))
        .route("/api/v1/accounts/{id}/block", post(block))
        .route("/api/v1/accounts/{id}/unblock", post(unblock))
        .route("/api/v1/accounts/{id}/mute", post(mute))
        .route("/api/v1/accounts/{id}/unmute", post(unmute))
        .route(
            "/api/v1/accounts/{id}/remove_from_followers",
            post(remove_from_followers),
        )
        .route("/api/v1/follow_requests", get(follow_requests))
        .route("/api/v1/follow_requests/{id}/authorize", post(authorize))
        .route("/api/v1/follow_requests/{id}/reject", post(reject))
}

async fn verify_credentials(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let me = auth.user("profile")?;
    let me = service::account_by_id(&state, me.id).await?;
    let requests = service::relationships::follow_requests(&state, &me)
        .await?
        .len();
    Ok(json(entities::credential_account(&state, &me, requests)))
}

#[derive(Deserialize, Default)]
struct CredentialsForm {
    display_name: Option<String>,
    note: Option<String>,
    locked: Option<BoolLike>,
    bot: Option<BoolLike>,
    discoverable: Option<BoolLike>,
    #[serde(default)]
    fields_attributes: Option<std::collections::BTreeMap<String, FieldForm>>,
}

#[derive(Deserialize)]
struct FieldForm {
    name: Option<String>,
    value: Option<String>,
}

/// Booleans as apps send them: JSON booleans or form strings.
#[derive(Deserialize, Clone, Copy)]
#[serde(untagged)]
enum BoolLike {
    Bool(bool),
    Text(#[serde(deserialize_with = "text_bool")] bool),
}

fn text_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let s = String::deserialize(d)?;
    match s.as_str() {
        "true" | "1" | "on" | "yes" => Ok(true),
        "false" | "0" | "off" | "no" | "" => Ok(false),
        _ => Err(serde::de::Error::custom(format!("{s} is not a boolean"))),
    }
}

impl BoolLike {
    fn get(self) -> bool {
        match self {
            BoolLike::Bool(b) | BoolLike::Text(b) => b,
        }
    }
}

async fn update_credentials(
    State(state): State<AppState>,
    auth: Auth,
    WithFiles(f, mut files): WithFiles<CredentialsForm>,
) -> AppResult<Response> {
    let me = auth.user("write:accounts")?;
    let fields = f.fields_attributes.map(|m| {
        m.into_values()
            .map(|fa| (fa.name.unwrap_or_default(), fa.value.unwrap_or_default()))
            .collect()
    });
    let update = service::accounts::ProfileUpdate {
        display_name: f.display_name,
        note: f.note,
        locked: f.locked.map(BoolLike::get),
        bot: f.bot.map(BoolLike::get),
        discoverable: f.discoverable.map(BoolLike::get),
        fields,
        avatar: files.remove("avatar"),
        header: files.remove("header"),
    };
    let me = service::account_by_id(&state, me.id).await?;
    let saved = service::accounts::update_profile(&state, &me, update).await?;
    let requests = service::relationships::follow_requests(&state, &saved)
        .await?
        .len();
    Ok(json(entities::credential_account(&state, &saved, requests)))
}

async fn show(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let a = service::account_by_id(&state, parse_id(&id)?).await?;
    if a.suspended_at.is_some() {
        return Err(AppError::not_found());
    }
    Ok(json(entities::account(&state, &a)))
}

#[derive(Deserialize)]
struct LookupQuery {
    acct: Option<String>,
}

async fn lookup(
    State(state): State<AppState>,
    Query(q): Query<LookupQuery>,
) -> AppResult<Response> {
    let acct = q
        .acct
        .ok_or_else(|| AppError::Validation("acct is required".into()))?;
    let acct = acct.trim().trim_start_matches('@');
    let (user, host) = match acct.split_once('@') {
        Some((u, h)) if h.eq_ignore_ascii_case(&state.config.domain) => (u, None),
        Some((u, h)) => (u, Some(h.to_lowercase())),
        None => (acct, None),
    };
    let a = crate::db::accounts::find_by_username(&state.db.read, user, host.as_deref())
        .await?
        .ok_or_else(AppError::not_found)?;
    if a.suspended_at.is_some() {
        return Err(AppError::not_found());
    }
    Ok(json(entities::account(&state, &a)))
}

#[derive(Deserialize, Default)]
struct StatusesQuery {
    #[serde(flatten)]
    page: PageParams,
    exclude_replies: Option<String>,
    exclude_reblogs: Option<String>,
    only_media: Option<String>,
    pinned: Option<String>,
}

fn truthy(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("true" | "1" | "on"))
}

async fn statuses(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<StatusesQuery>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    let page = q.page.page()?;
    let viewer = auth.viewer();
    if truthy(&q.pinned) {
        // Pinned statuses come all at once (at most five): no pages.
        if page.max_id.is_some() || page.min_id.is_some() || page.since_id.is_some() {
            return Ok(json(serde_json::json!([])));
        }
        let rows = service::statuses::pinned(&state, viewer, id).await?;
        let views = service::timelines::hydrate(&state, rows).await?;
        let out =
            entities::status_page(&state, viewer, &views, entities::FilterContext::Account).await?;
        return Ok(json(out));
    }
    let filter = AccountTimelineFilter {
        exclude_replies: truthy(&q.exclude_replies),
        exclude_reblogs: truthy(&q.exclude_reblogs),
        only_media: truthy(&q.only_media),
    };
    let views = service::timelines::account(&state, viewer, id, filter, &page).await?;
    let out =
        entities::status_page(&state, viewer, &views, entities::FilterContext::Account).await?;
    let first = views.first().map(|v| v.status.id);
    let last = views.last().map(|v| v.status.id);
    let mut extra = vec![("limit", page.limit().to_string())];
    if truthy(&q.exclude_replies) {
        extra.push(("exclude_replies", "true".into()));
    }
    if truthy(&q.exclude_reblogs) {
        extra.push(("exclude_reblogs", "true".into()));
    }
    if truthy(&q.only_media) {
        extra.push(("only_media", "true".into()));
    }
    Ok(with_link(
        json(out),
        &state,
        &format!("/api/v1/accounts/{id}/statuses"),
        &extra,
        first,
        last,
    ))
}

async fn follow_list(
    state: &AppState,
    id: i64,
    side: FollowSide,
    q: &PageParams,
    path: &str,
) -> AppResult<Response> {
    let page = q.page()?;
    let account = service::account_by_id(state, id).await?;
    let rows = if account.locked && account.is_local() {
        Vec::new()
    } else {
        service::relationships::follows_page(state, id, side, &page).await?
    };
    let out: Vec<serde_json::Value> = rows
        .iter()
        .map(|(_, a)| entities::account(state, a))
        .collect();
    let first = rows.first().map(|(f, _)| *f);
    let last = rows.last().map(|(f, _)| *f);
    Ok(with_link(
        json(out),
        state,
        path,
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}

async fn followers(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    follow_list(
        &state,
        id,
        FollowSide::Followers,
        &q,
        &format!("/api/v1/accounts/{id}/followers"),
    )
    .await
}

async fn following(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    let id = parse_id(&id)?;
    follow_list(
        &state,
        id,
        FollowSide::Following,
        &q,
        &format!("/api/v1/accounts/{id}/following"),
    )
    .await
}

async fn relationship_json(
    state: &AppState,
    me: &entity::accounts::Model,
    id: i64,
) -> AppResult<Response> {
    let r = service::relationships::relationship(state, me, id).await?;
    Ok(json(entities::relationship(id, &r)))
}

#[derive(Deserialize, Default)]
struct FollowForm {
    reblogs: Option<BoolLike>,
    notify: Option<BoolLike>,
}

async fn follow(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(f): Body<FollowForm>,
) -> AppResult<Response> {
    let me = auth.user("write:follows")?;
    let id = parse_id(&id)?;
    let opts = FollowOptions {
        show_reblogs: f.reblogs.map(BoolLike::get).unwrap_or(true),
        notify: f.notify.map(BoolLike::get).unwrap_or(false),
    };
    service::relationships::follow(&state, me, id, opts).await?;
    relationship_json(&state, me, id).await
}

async fn unfollow(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:follows")?;
    let id = parse_id(&id)?;
    service::relationships::unfollow(&state, me, id).await?;
    relationship_json(&state, me, id).await
}

async fn block(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:blocks")?;
    let id = parse_id(&id)?;
    service::relationships::block(&state, me, id).await?;
    relationship_json(&state, me, id).await
}

async fn unblock(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:blocks")?;
    let id = parse_id(&id)?;
    service::relationships::unblock(&state, me, id).await?;
    relationship_json(&state, me, id).await
}

#[derive(Deserialize, Default)]
struct MuteForm {
    notifications: Option<BoolLike>,
    duration: Option<serde_json::Value>,
}

async fn mute(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Body(f): Body<MuteForm>,
) -> AppResult<Response> {
    let me = auth.user("write:mutes")?;
    let id = parse_id(&id)?;
    let secs = match f.duration {
        Some(serde_json::Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(serde_json::Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    };
    let duration = (secs > 0).then(|| chrono::Duration::seconds(secs));
    service::relationships::mute(
        &state,
        me,
        id,
        f.notifications.map(BoolLike::get).unwrap_or(true),
        duration,
    )
    .await?;
    relationship_json(&state, me, id).await
}

async fn unmute(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:mutes")?;
    let id = parse_id(&id)?;
    service::relationships::unmute(&state, me, id).await?;
    relationship_json(&state, me, id).await
}

async fn remove_from_followers(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:follows")?;
    let id = parse_id(&id)?;
    service::relationships::remove_from_followers(&state, me, id).await?;
    relationship_json(&state, me, id).await
}

/// `id[]=1&id[]=2` (or `id=1`).
async fn relationships(
    State(state): State<AppState>,
    auth: Auth,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let me = auth.user("read:follows")?;
    let ids: Vec<i64> = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == "id[]" || k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .take(40)
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let r = service::relationships::relationship(&state, me, id).await?;
        out.push(entities::relationship(id, &r));
    }
    Ok(json(out))
}

async fn follow_requests(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let me = auth.user("read:follows")?;
    let accounts = service::relationships::follow_requests(&state, me).await?;
    Ok(json(
        accounts
            .iter()
            .map(|a| entities::account(&state, a))
            .collect::<Vec<_>>(),
    ))
}

async fn authorize(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:follows")?;
    let id = parse_id(&id)?;
    service::relationships::authorize_follow_request(&state, me, id).await?;
    relationship_json(&state, me, id).await
}

async fn reject(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:follows")?;
    let id = parse_id(&id)?;
    service::relationships::reject_follow_request(&state, me, id).await?;
    relationship_json(&state, me, id).await
}
