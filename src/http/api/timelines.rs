//! `/api/v1/timelines/...`
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::{Auth, PageParams, entities, json, with_link};
use crate::error::{AppError, AppResult};
use crate::service::timelines::{self, PublicScope};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/timelines/home", get(home))
        .route("/api/v1/timelines/public", get(public))
}

async fn home(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    let me = auth.user("read:statuses")?;
    let page = q.page()?;
    let views = timelines::home(&state, me, &page).await?;
    let out =
        entities::status_page(&state, Some(me), &views, entities::FilterContext::Home).await?;
    let (first, last) = (
        views.first().map(|v| v.status.id),
        views.last().map(|v| v.status.id),
    );
    Ok(with_link(
        json(out),
        &state,
        "/api/v1/timelines/home",
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}

#[derive(Deserialize, Default)]
struct PublicQuery {
    #[serde(flatten)]
    page: PageParams,
    local: Option<String>,
    remote: Option<String>,
    only_media: Option<String>,
}

async fn public(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PublicQuery>,
) -> AppResult<Response> {
    let on = |v: &Option<String>| matches!(v.as_deref(), Some("true" | "1" | "on"));
    if auth.0.is_some() {
        auth.require("read:statuses")?;
    }
    let viewer = auth.viewer();
    let page = q.page.page()?;
    let scope = match (on(&q.local), on(&q.remote)) {
        (true, true) => {
            return Err(AppError::Validation(
                "local and remote cannot both be set".into(),
            ));
        }
        (true, false) => PublicScope::Local,
        (false, true) => PublicScope::Remote,
        _ => PublicScope::All,
    };
    let views = timelines::public(&state, viewer, scope, on(&q.only_media), &page).await?;
    let out =
        entities::status_page(&state, viewer, &views, entities::FilterContext::Public).await?;
    let (first, last) = (
        views.first().map(|v| v.status.id),
        views.last().map(|v| v.status.id),
    );
    let mut extra = vec![("limit", page.limit().to_string())];
    if on(&q.local) {
        extra.push(("local", "true".into()));
    }
    if on(&q.remote) {
        extra.push(("remote", "true".into()));
    }
    if on(&q.only_media) {
        extra.push(("only_media", "true".into()));
    }
    Ok(with_link(
        json(out),
        &state,
        "/api/v1/timelines/public",
        &extra,
        first,
        last,
    ))
}
