//! An account's own lists: favourites, bookmarks, blocks, mutes, conversations.
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{delete, get, post};

use super::{Auth, PageParams, entities, json, parse_id, with_link};
use crate::error::AppResult;
use crate::service::interactions::{StatusList, status_list};
use crate::service::relationships::{AccountList, account_list};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/favourites", get(favourites))
        .route("/api/v1/bookmarks", get(bookmarks))
        .route("/api/v1/blocks", get(blocks))
        .route("/api/v1/mutes", get(mutes))
        .route("/api/v1/conversations", get(conversations))
        .route("/api/v1/conversations/{id}", delete(remove_conversation))
        .route("/api/v1/conversations/{id}/read", post(read_conversation))
        .route("/api/v1/preferences", get(preferences))
}

async fn statuses(
    state: &AppState,
    auth: &Auth,
    scope: &str,
    list: StatusList,
    q: &PageParams,
    path: &str,
) -> AppResult<Response> {
    let me = auth.user(scope)?;
    let page = q.page()?;
    let rows = status_list(state, me, list, &page).await?;
    let views =
        crate::service::timelines::hydrate(state, rows.iter().map(|(_, s)| s.clone()).collect())
            .await?;
    let out = entities::StatusPage::load(state, Some(me), &views, None).await?;
    let (first, last) = (rows.first().map(|(r, _)| *r), rows.last().map(|(r, _)| *r));
    Ok(with_link(
        json(out),
        state,
        path,
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}

async fn favourites(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    statuses(
        &state,
        &auth,
        "read:favourites",
        StatusList::Favourites,
        &q,
        "/api/v1/favourites",
    )
    .await
}

async fn bookmarks(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    statuses(
        &state,
        &auth,
        "read:bookmarks",
        StatusList::Bookmarks,
        &q,
        "/api/v1/bookmarks",
    )
    .await
}

async fn accounts(
    state: &AppState,
    auth: &Auth,
    scope: &str,
    list: AccountList,
    q: &PageParams,
    path: &str,
) -> AppResult<Response> {
    let me = auth.user(scope)?;
    let page = q.page()?;
    let rows = account_list(state, me, list, &page).await?;
    let out: Vec<serde_json::Value> = rows
        .iter()
        .map(|(_, a)| entities::account(state, a))
        .collect();
    let (first, last) = (rows.first().map(|(r, _)| *r), rows.last().map(|(r, _)| *r));
    Ok(with_link(
        json(out),
        state,
        path,
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}

async fn blocks(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    accounts(
        &state,
        &auth,
        "read:blocks",
        AccountList::Blocks,
        &q,
        "/api/v1/blocks",
    )
    .await
}

async fn mutes(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    accounts(
        &state,
        &auth,
        "read:mutes",
        AccountList::Mutes,
        &q,
        "/api/v1/mutes",
    )
    .await
}

async fn conversations(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageParams>,
) -> AppResult<Response> {
    let me = auth.user("read:statuses")?;
    let page = q.page()?;
    let rows = crate::service::conversations::list(&state, me, &page).await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in &rows {
        out.push(entities::conversation(&state, me, c).await?);
    }
    let (first, last) = (
        rows.first().and_then(|c| c.row.last_status_id),
        rows.last().and_then(|c| c.row.last_status_id),
    );
    Ok(with_link(
        json(out),
        &state,
        "/api/v1/conversations",
        &[("limit", page.limit().to_string())],
        first,
        last,
    ))
}

async fn read_conversation(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:conversations")?;
    let c = crate::service::conversations::mark_read(&state, me, parse_id(&id)?).await?;
    Ok(json(entities::conversation(&state, me, &c).await?))
}

async fn remove_conversation(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = auth.user("write:conversations")?;
    crate::service::conversations::remove(&state, me, parse_id(&id)?).await?;
    Ok(json(serde_json::json!({})))
}

async fn preferences(auth: Auth) -> AppResult<Response> {
    auth.user("read:accounts")?;
    Ok(json(serde_json::json!({
        "posting:default:visibility": "public",
        "posting:default:sensitive": false,
        "posting:default:language": null,
        "posting:default:quote_policy": "public",
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
        "reading:autoplay:gifs": false,
    })))
}
