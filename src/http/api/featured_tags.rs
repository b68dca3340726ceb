//! Hashtags featured on profiles (`/api/v1/featured_tags`,
//! `/api/v1/accounts/:id/featured_tags`, `/api/v1/tags/:name/feature`) and
//! private notes on accounts (`/api/v1/accounts/:id/note`).
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use super::params::Params;
use super::{Auth, entities, json, parse_id};
use crate::error::{AppError, AppResult};
use crate::service;
use crate::service::discovery::FeaturedTag;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/featured_tags", get(mine).post(create))
        .route("/api/v1/featured_tags/suggestions", get(suggestions))
        .route("/api/v1/featured_tags/{id}", delete(remove))
        .route("/api/v1/accounts/{id}/featured_tags", get(of_account))
        .route("/api/v1/tags/{name}/feature", post(feature))
        .route("/api/v1/tags/{name}/unfeature", post(unfeature))
        .route("/api/v1/accounts/{id}/note", post(note))
}

/// The FeaturedTag entity; `url` is the profile filtered by the tag.
fn featured_json(account: &entity::accounts::Model, f: &FeaturedTag) -> Value {
    let profile = account.url.clone().unwrap_or_else(|| account.uri.clone());
    json!({
        "id": f.id.to_string(),
        "name": f.name,
        "url": super::entities::tag_url(&format!("{profile}/tagged"), &f.name),
        "statuses_count": f.statuses_count.to_string(),
        "last_status_at": f.last_status_at.map(|t| t.format("%Y-%m-%d").to_string()),
    })
}

async fn mine(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let me = auth.user("read:accounts")?;
    let tags = service::discovery::featured_tags(&state, me.id).await?;
    Ok(json(
        tags.iter()
            .map(|f| featured_json(me, f))
            .collect::<Vec<_>>(),
    ))
}

async fn create(State(state): State<AppState>, auth: Auth, p: Params) -> AppResult<Response> {
    let me = auth.user("write:accounts")?;
    let name = p
        .str("name")
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| AppError::validation("Validation failed: Tag can't be blank"))?;
    let f = service::discovery::feature_tag(&state, me, &name).await?;
    Ok(json(featured_json(me, &f)))
}

async fn remove(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:accounts")?;
    service::discovery::unfeature(&state, me, parse_id(&id)?).await?;
    Ok(json(json!({})))
}

async fn suggestions(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let me = auth.user("read:accounts")?;
    let tags = service::discovery::featured_tag_suggestions(&state, me).await?;
    Ok(json(
        tags.iter()
            .map(|t| super::discovery::tag(&state, t))
            .collect::<Vec<_>>(),
    ))
}

/// Public: the tags an account features.
async fn of_account(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if auth.0.is_some() {
        auth.require("read:accounts")?;
    }
    let account = service::account_by_id(&state, parse_id(&id)?).await?;
    if account.suspended_at.is_some() {
        return Err(AppError::not_found());
    }
    let tags = service::discovery::featured_tags(&state, account.id).await?;
    Ok(json(
        tags.iter()
            .map(|f| featured_json(&account, f))
            .collect::<Vec<_>>(),
    ))
}

async fn set_featured(
    state: &AppState,
    auth: &Auth,
    name: &str,
    featured: bool,
) -> AppResult<Response> {
    let me = auth.user("write:accounts")?;
    let t = service::discovery::set_tag_featured(state, me, name, featured).await?;
    Ok(json(super::discovery::tag(state, &t)))
}

async fn feature(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> AppResult<Response> {
    set_featured(&state, &auth, &name, true).await
}

async fn unfeature(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
) -> AppResult<Response> {
    set_featured(&state, &auth, &name, false).await
}

/// Sets (or, empty, removes) the caller's private note on an account.
async fn note(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> AppResult<Response> {
    let me = auth.user("write:accounts")?;
    let id = parse_id(&id)?;
    let comment = p.str("comment").unwrap_or_default();
    service::relationships::set_note(&state, me, id, &comment).await?;
    let r = service::relationships::relationship(&state, me, id).await?;
    Ok(json(entities::relationship(id, &r)))
}
