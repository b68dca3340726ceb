//! Profiles (`/@name`, `/@name@host`), a post's page with its comments,
//! followers and following, the friends page, follow and follow requests.
use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use entity::accounts;
use minijinja::context;
use serde::Deserialize;

use super::feed::{PAGE_SIZE, PageQuery};
use super::{Form, Web, WebError, safe_back, v, view};
use crate::db::relationships::FollowSide;
use crate::db::statuses::AccountTimelineFilter;
use crate::error::AppError;
use crate::service::{self, relationships::Relationship};
use crate::state::AppState;

/// What the follow button says: `none`, `following`, `requested` or `self`.
fn follow_state(
    me: Option<&accounts::Model>,
    target: &accounts::Model,
    r: &Relationship,
) -> &'static str {
    match me {
        Some(m) if m.id == target.id => "self",
        None => "none",
        Some(_) if r.following => "following",
        Some(_) if r.requested => "requested",
        Some(_) => "none",
    }
}

async fn relationship(
    state: &AppState,
    me: Option<&accounts::Model>,
    target: &accounts::Model,
) -> Result<Relationship, WebError> {
    Ok(match me {
        Some(m) if m.id != target.id => {
            service::relationships::relationship(state, m, target.id).await?
        }
        _ => Relationship::default(),
    })
}

/// Accounts ActivityPub servers ask for by their page URL get the actor document.
fn wants_activity(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(crate::apub::context::accepts_activity_json)
}

pub async fn profile(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    Path(handle): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let me = web.session.as_ref().map(|s| &s.account);
    let account = service::web::find_by_handle(&state, &handle, me.is_some()).await?;
    if wants_activity(&headers) && account.is_local() {
        return Ok(Redirect::to(&account.uri).into_response());
    }
    let page = q.page()?;
    let views = service::timelines::account(
        &state,
        me,
        account.id,
        AccountTimelineFilter::default(),
        &page,
    )
    .await?;
    let older = (views.len() as u64 >= PAGE_SIZE)
        .then(|| views.last().map(|v| v.status.id.to_string()))
        .flatten();
    let views = super::feed::without_direct(views);
    let statuses = view::statuses(&state, me, &views, None).await?;
    let r = relationship(&state, me, &account).await?;
    let og_description = crate::service::text::strip_html(&account.note);
    web.page(
        &state,
        "profile.html",
        context! {
            account => v(view::account(&state, &account)),
            follow => follow_state(me, &account, &r),
            follows_you => r.followed_by,
            statuses => v(statuses),
            older,
            og_description,
        },
    )
    .await
}

/// `/@name/123` (a post and its comments), `/@name/followers`, `/@name/following`.
pub async fn profile_sub(
    State(state): State<AppState>,
    web: Web,
    Path((handle, sub)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let me = web.session.as_ref().map(|s| &s.account);
    let side = match sub.as_str() {
        "followers" => FollowSide::Followers,
        "following" => FollowSide::Following,
        id => return post_page(&state, &web, &handle, id).await,
    };
    let account = service::web::find_by_handle(&state, &handle, me.is_some()).await?;
    let page = q.page()?;
    let rows = service::relationships::follows_page(&state, account.id, side, &page).await?;
    let older = (rows.len() as u64 >= PAGE_SIZE)
        .then(|| rows.last().map(|(id, _)| id.to_string()))
        .flatten();
    let people: Vec<view::AccountView> =
        rows.iter().map(|(_, a)| view::account(&state, a)).collect();
    let title = match side {
        FollowSide::Followers => super::strings::t("followers"),
        FollowSide::Following => super::strings::t("following"),
    };
    web.page(
        &state,
        "people.html",
        context! {
            account => v(view::account(&state, &account)),
            title,
            people => v(people),
            older,
        },
    )
    .await
}

async fn post_page(
    state: &AppState,
    web: &Web,
    handle: &str,
    id: &str,
) -> Result<Response, WebError> {
    let me = web.session.as_ref().map(|s| &s.account);
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let status = service::statuses::get(state, me, id).await?;
    if status.reblog_of_id.is_some() || status.deleted_at.is_some() {
        return Err(AppError::not_found().into());
    }
    let author = service::account_by_id(state, status.account_id).await?;
    if !author
        .acct()
        .eq_ignore_ascii_case(handle.trim_start_matches('@'))
    {
        return Ok(Redirect::to(&format!("/@{}/{}", author.acct(), status.id)).into_response());
    }
    let ctx = service::statuses::context(state, me, id).await?;
    // Depth of each comment below the post, for indenting the thread.
    let mut depths: HashMap<i64, usize> = HashMap::new();
    depths.insert(status.id, 0);
    for d in &ctx.descendants {
        let parent = d
            .in_reply_to_id
            .and_then(|p| depths.get(&p))
            .copied()
            .unwrap_or(0);
        depths.insert(d.id, parent + 1);
    }
    let ancestors = service::timelines::hydrate(state, ctx.ancestors).await?;
    let main = service::timelines::hydrate(state, vec![status.clone()]).await?;
    let comments = service::timelines::hydrate(state, ctx.descendants).await?;
    let ancestors = view::statuses(state, me, &ancestors, None).await?;
    let main = view::statuses(state, me, &main, None).await?;
    let comments = view::statuses(state, me, &comments, Some(&depths)).await?;
    let reply_visibility = match status.visibility {
        entity::Visibility::Public => "public",
        other => other.as_str(),
    };
    web.page(
        state,
        "status.html",
        context! {
            ancestors => v(ancestors),
            s => v(main.into_iter().next()),
            comments => v(comments),
            author => v(view::account(state, &author)),
            og_description => crate::service::text::strip_html(&status.content),
            reply_visibility,
        },
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct FriendsQuery {
    q: Option<String>,
}

/// Friends: requests to approve, search (local and `@user@host`), people you
/// may know, followers and following.
pub async fn friends(
    State(state): State<AppState>,
    web: Web,
    Query(fq): Query<FriendsQuery>,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let me = &s.account;
    let requests = service::relationships::follow_requests(&state, me).await?;
    let query = fq.q.unwrap_or_default();
    let mut results = Vec::new();
    let mut searched = false;
    if !query.trim().is_empty() {
        searched = true;
        let found = service::search::search(
            &state,
            Some(me),
            &query,
            &[service::search::Kind::Accounts],
            true,
            20,
            0,
        )
        .await?;
        results = found.accounts;
    }
    let suggestions = service::web::suggestions(&state, me).await?;
    let page = crate::db::Page::new(40);
    let followers =
        service::relationships::follows_page(&state, me.id, FollowSide::Followers, &page).await?;
    let following =
        service::relationships::follows_page(&state, me.id, FollowSide::Following, &page).await?;
    let cards = |list: &[accounts::Model]| -> Vec<serde_json::Value> {
        list.iter()
            .map(|a| serde_json::to_value(view::account(&state, a)).unwrap_or_default())
            .collect()
    };
    let requests = cards(&requests);
    let results_v = cards(&results);
    let suggestions = cards(&suggestions);
    let followers: Vec<accounts::Model> = followers.into_iter().map(|(_, a)| a).collect();
    let following: Vec<accounts::Model> = following.into_iter().map(|(_, a)| a).collect();
    let followers = cards(&followers);
    let following = cards(&following);
    // Relationship of the viewer to each search result and suggestion, for their buttons.
    let mut states = HashMap::new();
    for a in &results {
        let r = service::relationships::relationship(&state, me, a.id).await?;
        states.insert(a.id.to_string(), follow_state(Some(me), a, &r));
    }
    web.page(
        &state,
        "friends.html",
        context! {
            requests => v(requests),
            results => v(results_v),
            states => v(states),
            searched,
            query,
            suggestions => v(suggestions),
            followers => v(followers),
            following => v(following),
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct BackForm {
    back: Option<String>,
}

/// Follow or unfollow (which also withdraws a request).
pub async fn act(
    State(state): State<AppState>,
    web: Web,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<BackForm>,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let back = safe_back(f.back.as_deref());
    let result = match action.as_str() {
        "follow" => service::relationships::follow(&state, &s.account, id, Default::default())
            .await
            .map(|_| ()),
        "unfollow" => service::relationships::unfollow(&state, &s.account, id)
            .await
            .map(|_| ()),
        _ => return Err(AppError::not_found().into()),
    };
    web.after(&back, result)
}

pub async fn answer_request(
    State(state): State<AppState>,
    web: Web,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<BackForm>,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let back = safe_back(f.back.as_deref());
    let result = match action.as_str() {
        "authorize" => service::relationships::authorize_follow_request(&state, &s.account, id)
            .await
            .map(|_| ()),
        "reject" => service::relationships::reject_follow_request(&state, &s.account, id)
            .await
            .map(|_| ()),
        _ => return Err(AppError::not_found().into()),
    };
    web.after(&back, result)
}
