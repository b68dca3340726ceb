//! The news feed with its composer, posting, likes and shares, and notifications.
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use entity::Visibility;
use minijinja::context;
use serde::Deserialize;

use super::{Form, Web, WebError, safe_back, v, view};
use crate::db::Page;
use crate::error::AppError;
use crate::service;
use crate::state::AppState;

pub const PAGE_SIZE: u64 = 20;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    pub max_id: Option<String>,
}

impl PageQuery {
    pub fn page(&self) -> Result<Page, WebError> {
        let mut p = Page::new(PAGE_SIZE);
        if let Some(m) = self.max_id.as_deref().filter(|m| !m.is_empty()) {
            p.max_id = Some(
                m.parse()
                    .map_err(|_| AppError::BadRequest("max_id must be a number".into()))?,
            );
        }
        Ok(p)
    }
}

/// `/`: the landing page, or the news feed for someone signed in.
pub async fn home(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let Some(s) = &web.session else {
        return super::auth::landing(&state, &web).await;
    };
    let page = q.page()?;
    let views = service::timelines::home(&state, &s.account, &page).await?;
    let older = (views.len() as u64 >= PAGE_SIZE)
        .then(|| views.last().map(|v| v.status.id.to_string()))
        .flatten();
    // Direct messages live under Messages, not in the news feed.
    let views = without_direct(views);
    let statuses = view::statuses(&state, Some(&s.account), &views, None).await?;
    web.page(
        &state,
        "feed.html",
        context! { statuses => v(statuses), older, first_page => page.max_id.is_none() },
    )
    .await
}

pub fn without_direct(
    views: Vec<service::timelines::StatusView>,
) -> Vec<service::timelines::StatusView> {
    views
        .into_iter()
        .filter(|v| v.shown().visibility != Visibility::Direct)
        .collect()
}

/// The composer: text, visibility, content warning, and a photo with its alt
/// text (the form is multipart; it also accepts a plain form).
pub async fn compose(
    State(state): State<AppState>,
    web: Web,
    form: super::Multipart,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let f = &form.fields;
    let back = safe_back(f.get("back").map(String::as_str));
    let visibility = Visibility::parse(f.get("visibility").map(String::as_str).unwrap_or("public"))
        .ok_or_else(|| AppError::validation("Unknown visibility"))?;
    let mut new = service::statuses::NewStatus::new(
        f.get("text").map(String::as_str).unwrap_or(""),
        visibility,
    );
    new.spoiler_text = f
        .get("spoiler_text")
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    new.sensitive = !new.spoiler_text.is_empty();
    if let Some(id) = f.get("in_reply_to_id").filter(|i| !i.is_empty()) {
        new.in_reply_to_id = Some(id.parse().map_err(|_| AppError::not_found())?);
    }
    let result = async {
        for (name, file_name, ct, bytes) in &form.files {
            if name != "photo" {
                continue;
            }
            let upload = service::media::NewMedia {
                file: service::media::Upload {
                    bytes: bytes.clone(),
                    content_type: Some(ct.clone()).filter(|c| !c.is_empty()),
                    file_name: Some(file_name.clone()),
                },
                description: f.get("alt").cloned().filter(|d| !d.trim().is_empty()),
                focus: None,
            };
            let m =
                service::media::upload(&state, &s.account, upload, service::media::Wait::UntilDone)
                    .await?;
            new.media_ids.push(m.id);
        }
        service::statuses::create(&state, &s.account, new)
            .await
            .map(|_| ())
    }
    .await;
    web.after(&back, result)
}

#[derive(Deserialize)]
pub struct ActForm {
    back: Option<String>,
}

/// Like, unlike, share, unshare or delete a post. The script asks for JSON and
/// gets the post's new counts instead of a redirect.
pub async fn act(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<ActForm>,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let me = &s.account;
    let mut back = safe_back(f.back.as_deref());
    let result = match action.as_str() {
        "favourite" => service::interactions::favourite(&state, me, id)
            .await
            .map(|_| ()),
        "unfavourite" => service::interactions::unfavourite(&state, me, id)
            .await
            .map(|_| ()),
        "reblog" => service::interactions::reblog(&state, me, id, None)
            .await
            .map(|_| ()),
        "unreblog" => service::interactions::unreblog(&state, me, id)
            .await
            .map(|_| ()),
        "delete" => {
            // The post's own page is gone with it.
            if back.ends_with(&format!("/{id}")) {
                back = "/".into();
            }
            service::statuses::delete(&state, me, id).await.map(|_| ())
        }
        _ => return Err(AppError::not_found().into()),
    };
    if super::wants_json(&headers) {
        return match result {
            Ok(()) if action == "delete" => Ok(axum::Json(serde_json::json!({})).into_response()),
            Ok(()) => {
                let st = service::statuses::get(&state, Some(me), id).await?;
                let j = crate::http::api::entities::status(&state, Some(me), st).await?;
                Ok(axum::Json(j).into_response())
            }
            Err(e) => Err(e.into()),
        };
    }
    web.after(&back, result)
}

pub async fn notifications(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let page = q.page()?;
    let rows = service::notifications::list(&state, &s.account, None, &page).await?;
    if page.max_id.is_none()
        && let Some(newest) = rows.first()
    {
        service::markers::set(&state, &s.account, "notifications", newest.id).await?;
    }
    let older = (rows.len() as u64 >= PAGE_SIZE)
        .then(|| rows.last().map(|n| n.id.to_string()))
        .flatten();
    let items = crate::http::api::entities::notifications(&state, &s.account, &rows).await?;
    let items: Vec<serde_json::Value> = items
        .into_iter()
        .map(|mut n| {
            let path = n
                .get("account")
                .and_then(|a| a.get("acct"))
                .and_then(|a| a.as_str())
                .map(|a| format!("/@{a}"));
            let status_path = match (
                n.get("status")
                    .and_then(|s| s.get("account"))
                    .and_then(|a| a.get("acct"))
                    .and_then(|a| a.as_str()),
                n.get("status")
                    .and_then(|s| s.get("id"))
                    .and_then(|i| i.as_str()),
            ) {
                (Some(acct), Some(id)) => Some(format!("/@{acct}/{id}")),
                _ => None,
            };
            if let Some(o) = n.as_object_mut() {
                o.insert("path".into(), path.into());
                o.insert("status_path".into(), status_path.into());
            }
            n
        })
        .collect();
    web.page(
        &state,
        "notifications.html",
        context! { items => v(items), older },
    )
    .await
}
