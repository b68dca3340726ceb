//! The documents other servers fetch from us, built from what the service layer
//! returns. Anything that is not public stays out: a followers-only or direct
//! status is not served to an unsigned fetch.
use serde_json::{Value, json};

use super::activities::create::Create;
use super::context::with_context;
use super::discovery::{self, Resource};
use super::objects::collection::{OrderedCollection, OrderedCollectionPage};
use super::objects::note::{Note, NoteParts, audience};
use super::objects::person::Person;
use crate::db::{Page, relationships::FollowSide, statuses::AccountTimelineFilter};
use crate::error::{AppError, AppResult};
use crate::service;
use crate::state::AppState;

/// Items per collection page.
const PAGE_SIZE: u64 = 20;

pub async fn actor(state: &AppState, username: &str) -> AppResult<Value> {
    let account = service::accounts::find_visible_local(state, username).await?;
    Ok(with_context(&Person::from_account(&account)))
}

/// A status of `username` that `viewer` (the signer of the request, if any) may see, as a Note.
async fn visible_note(
    state: &AppState,
    username: &str,
    id: i64,
    viewer: Option<&entity::accounts::Model>,
) -> AppResult<Note> {
    let account = service::accounts::find_visible_local(state, username).await?;
    let status = service::statuses::get(state, viewer, id).await?;
    if status.account_id != account.id || status.reblog_of_id.is_some() || !status.local {
        return Err(AppError::not_found());
    }
    note_for(state, &status).await
}

async fn note_for(state: &AppState, status: &entity::statuses::Model) -> AppResult<Note> {
    let parts = service::statuses::parts(state, status).await?;
    let base = state.base_url();
    Ok(Note::from_status(
        status,
        NoteParts {
            author: &parts.author,
            mentioned: &parts.mentioned,
            tags: &parts.tags,
            in_reply_to_uri: parts.in_reply_to_uri,
            base_url: &base,
            attachments: &parts.attachments,
        },
    ))
}

pub async fn note(
    state: &AppState,
    username: &str,
    id: i64,
    viewer: Option<&entity::accounts::Model>,
) -> AppResult<Value> {
    Ok(with_context(
        &visible_note(state, username, id, viewer).await?,
    ))
}

pub async fn create_activity(
    state: &AppState,
    username: &str,
    id: i64,
    viewer: Option<&entity::accounts::Model>,
) -> AppResult<Value> {
    Ok(with_context(&Create::for_note(
        visible_note(state, username, id, viewer).await?,
    )))
}

/// The public replies to a status, as a Collection whose first page lists them.
pub async fn replies(
    state: &AppState,
    username: &str,
    id: i64,
    viewer: Option<&entity::accounts::Model>,
) -> AppResult<Value> {
    let note = visible_note(state, username, id, viewer).await?;
    let uris = service::statuses::public_reply_uris(state, id, 60).await?;
    let collection_id = format!("{}/replies", note.id);
    Ok(with_context(&json!({
        "id": collection_id,
        "type": "Collection",
        "totalItems": uris.len(),
        "first": {
            "id": format!("{collection_id}?page=true"),
            "type": "CollectionPage",
            "partOf": collection_id,
            "items": uris,
        }
    })))
}

/// The outbox: public and unlisted posts (as Create) and boosts (as Announce).
pub async fn outbox(
    state: &AppState,
    username: &str,
    page: Option<Option<i64>>,
) -> AppResult<Value> {
    let account = service::accounts::find_visible_local(state, username).await?;
    let id = account
        .outbox_url
        .clone()
        .unwrap_or_else(|| format!("{}/outbox", account.uri));
    let Some(max_id) = page else {
        return Ok(with_context(&OrderedCollection::new(
            &id,
            account.statuses_count.max(0) as u64,
            true,
        )));
    };
    let p = Page {
        max_id,
        limit: PAGE_SIZE,
        ..Page::default()
    };
    let views = service::timelines::account(
        state,
        None,
        account.id,
        AccountTimelineFilter::default(),
        &p,
    )
    .await?;
    let full = views.len() as u64 >= PAGE_SIZE;
    let last = views.last().map(|v| v.status.id);
    let mut items = Vec::with_capacity(views.len());
    for v in views {
        match &v.reblog {
            None => {
                let note = note_for(state, &v.status).await?;
                items.push(
                    serde_json::to_value(Create::for_note(note)).map_err(AppError::internal)?,
                );
            }
            Some(orig) => {
                let followers = account.followers_url.clone().unwrap_or_default();
                let (to, cc) = audience(
                    v.status.visibility,
                    &followers,
                    std::slice::from_ref(&orig.account.uri),
                );
                items.push(json!({
                    "id": v.status.uri,
                    "type": "Announce",
                    "actor": account.uri,
                    "published": v.status.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "to": to,
                    "cc": cc,
                    "object": orig.status.uri,
                }));
            }
        }
    }
    Ok(with_context(&OrderedCollectionPage::new(
        &id,
        account.statuses_count.max(0) as u64,
        max_id,
        items,
        last,
        full,
    )))
}

/// Followers or following. A locked account shows only the count.
pub async fn follow_collection(
    state: &AppState,
    username: &str,
    side: FollowSide,
    page: Option<Option<i64>>,
) -> AppResult<Value> {
    let account = service::accounts::find_visible_local(state, username).await?;
    let (id, total) = match side {
        FollowSide::Followers => (
            account.followers_url.clone().unwrap_or_default(),
            account.followers_count,
        ),
        FollowSide::Following => (
            account.following_url.clone().unwrap_or_default(),
            account.following_count,
        ),
    };
    let total = total.max(0) as u64;
    let show_items = !account.locked;
    let max_id = match page {
        Some(m) if show_items => m,
        _ => {
            return Ok(with_context(&OrderedCollection::new(
                &id, total, show_items,
            )));
        }
    };
    let p = Page {
        max_id,
        limit: PAGE_SIZE,
        ..Page::default()
    };
    let rows = service::relationships::follows_page(state, account.id, side, &p).await?;
    let full = rows.len() as u64 >= PAGE_SIZE;
    let last = rows.last().map(|(fid, _)| *fid);
    let items = rows
        .into_iter()
        .map(|(_, a)| Value::String(a.uri))
        .collect();
    Ok(with_context(&OrderedCollectionPage::new(
        &id, total, max_id, items, last, full,
    )))
}

/// WebFinger for `acct:user@ourdomain` or one of our actor or profile URLs.
pub async fn webfinger(state: &AppState, resource: &str) -> AppResult<Value> {
    let domain = state.config.domain.as_str();
    let base = state.base_url();
    let username = match discovery::parse_resource(resource) {
        None => {
            return Err(AppError::BadRequest(
                "resource must be acct:user@host or an actor URL".into(),
            ));
        }
        Some(Resource::Acct { username, host }) => {
            if host != domain {
                return Err(AppError::not_found());
            }
            username
        }
        Some(Resource::Url(u)) => {
            let rest = u
                .as_str()
                .strip_prefix(base.as_str())
                .ok_or_else(AppError::not_found)?;
            let name = rest
                .strip_prefix("/users/")
                .or_else(|| rest.strip_prefix("/@"))
                .ok_or_else(AppError::not_found)?;
            if name.is_empty() || name.contains('/') {
                return Err(AppError::not_found());
            }
            name.to_string()
        }
    };
    let account = service::accounts::find_visible_local(state, &username).await?;
    let profile = account.url.clone().unwrap_or_else(|| account.uri.clone());
    Ok(discovery::webfinger(
        &account.username,
        domain,
        &account.uri,
        &profile,
    ))
}

pub async fn nodeinfo(state: &AppState, version: &str) -> AppResult<Value> {
    let u = service::instance::usage(state).await?;
    let usage = discovery::Usage {
        users: u.users,
        active_month: u.active_month,
        active_halfyear: u.active_halfyear,
        local_posts: u.local_posts,
    };
    let settings = service::instance::settings(state).await?;
    Ok(discovery::nodeinfo(
        version,
        usage,
        settings.registrations_open(),
        &settings.name,
    ))
}
