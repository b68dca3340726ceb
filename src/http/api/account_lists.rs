//! Lists of followed accounts (`/api/v1/lists`), their members and timelines.
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

use super::params::Params;
use super::{Auth, PageParams, entities, json, parse_id, with_link};
use crate::error::{AppError, AppResult};
use crate::service::lists::{self as svc, ListInput};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/lists", get(index).post(create))
        .route("/api/v1/lists/{id}", get(show).put(update).delete(delete))
        .route(
            "/api/v1/lists/{id}/accounts",
            get(members).post(add_members).delete(remove_members),
        )
        .route("/api/v1/accounts/{id}/lists", get(containing))
        .route("/api/v1/timelines/list/{id}", get(timeline))
}

fn input(p: &Params) -> AppResult<ListInput> {
    Ok(ListInput {
        title: p.str("title"),
        replies_policy: p.str("replies_policy"),
        exclusive: p.bool("exclusive")?,
    })
}

async fn index(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let me = auth.user("read:lists")?;
    let lists = svc::all(&state, me).await?;
    Ok(json(lists.iter().map(entities::list).collect::<Vec<_>>()))
}

async fn create(State(state): State<AppState>, auth: Auth, p: Params) -> AppResult<Response> {
    let me = auth.user("write:lists")?;
    let list = svc::create(&state, me, input(&p)?).await?;
    Ok(json(entities::list(&list)))
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:lists")?;
    let list = svc::get(&state, me, parse_id(&id)?).await?;
    Ok(json(entities::list(&list)))
}

async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> AppResult<Response> {
    let me = auth.user("write:lists")?;
    let list = svc::update(&state, me, parse_id(&id)?, input(&p)?).await?;
    Ok(json(entities::list(&list)))
}

async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:lists")?;
    svc::delete(&state, me, parse_id(&id)?).await?;
    Ok(json(json!({})))
}

async fn members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    let me = auth.user("read:lists")?;
    let id = parse_id(&id)?;
    // `limit=0` asks for every member, as on Mastodon.
    let all = q.limit.as_deref() == Some("0");
    let mut page = q.page()?;
    if all {
        page.limit = crate::db::Page::MAX_LIMIT;
    }
    let mut accounts = Vec::new();
    loop {
        let batch = svc::members(&state, me, id, &page).await?;
        let done = !all || (batch.len() as u64) < page.limit();
        page.max_id = batch.last().map(|a| a.id);
        accounts.extend(batch);
        if done || page.max_id.is_none() {
            break;
        }
    }
    let out: Vec<_> = accounts
        .iter()
        .map(|a| entities::account(&state, a))
        .collect();
    let (first, last) = (
        accounts.first().map(|a| a.id),
        accounts.last().map(|a| a.id),
    );
    let resp = json(out);
    if all {
        return Ok(resp);
    }
    Ok(with_link(
        resp,
        &state,
        &format!("/api/v1/lists/{id}/accounts"),
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}

fn account_ids(p: &Params) -> AppResult<Vec<i64>> {
    let ids = p.strings("account_ids");
    if ids.is_empty() {
        return Err(AppError::validation("account_ids is missing"));
    }
    ids.iter()
        .take(100)
        .map(|s| s.parse::<i64>().map_err(|_| AppError::not_found()))
        .collect()
}

async fn add_members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> AppResult<Response> {
    let me = auth.user("write:lists")?;
    svc::add_members(&state, me, parse_id(&id)?, &account_ids(&p)?).await?;
    Ok(json(json!({})))
}

async fn remove_members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    p: Params,
) -> AppResult<Response> {
    let me = auth.user("write:lists")?;
    svc::remove_members(&state, me, parse_id(&id)?, &account_ids(&p)?).await?;
    Ok(json(json!({})))
}

async fn containing(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("read:lists")?;
    let lists = svc::containing(&state, me, parse_id(&id)?).await?;
    Ok(json(lists.iter().map(entities::list).collect::<Vec<_>>()))
}

async fn timeline(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    let me = auth.user("read:lists")?;
    let id = parse_id(&id)?;
    let page = q.page()?;
    let views = svc::timeline(&state, me, id, &page).await?;
    let (first, last) = (
        views.first().map(|v| v.status.id),
        views.last().map(|v| v.status.id),
    );
    let out =
        entities::status_page(&state, Some(me), &views, entities::FilterContext::Home).await?;
    Ok(with_link(
        json(out),
        &state,
        &format!("/api/v1/timelines/list/{id}"),
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}
