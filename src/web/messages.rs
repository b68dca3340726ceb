//! Messages: direct-visibility conversations, their list and their view.
use axum::extract::{Path, Query, State};
use axum::response::Response;
use entity::Visibility;
use minijinja::context;
use serde::Deserialize;

use super::feed::PageQuery;
use super::{Form, Web, WebError, v, view};
use crate::error::AppError;
use crate::service;
use crate::state::AppState;

pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let page = q.page()?;
    let rows = service::conversations::list(&state, &s.account, &page).await?;
    let older = (rows.len() as u64 >= super::feed::PAGE_SIZE)
        .then(|| {
            rows.last()
                .and_then(|c| c.row.last_status_id)
                .map(|i| i.to_string())
        })
        .flatten();
    let items: Vec<serde_json::Value> = rows
        .iter()
        .map(|c| {
            let people: Vec<view::AccountView> =
                c.participants.iter().map(|a| view::account(&state, a)).collect();
            let snippet: String = c
                .last_status
                .as_ref()
                .map(|st| service::text::strip_html(&view::message_body(&st.content)))
                .unwrap_or_default()
                .chars()
                .take(120)
                .collect();
            serde_json::json!({
                "id": c.row.conversation_id.to_string(),
                "unread": c.row.unread,
                "people": people,
                "snippet": snippet,
                "at": c.last_status.as_ref().map(|st| crate::http::api::entities::time(st.created_at)),
            })
        })
        .collect();
    web.page(
        &state,
        "messages.html",
        context! { items => v(items), older },
    )
    .await
}

pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let (_, participants, messages) = service::web::conversation(&state, &s.account, id).await?;
    let last_id = messages.last().map(|m| m.id.to_string());
    let views = service::timelines::hydrate(&state, messages).await?;
    let messages = view::statuses(&state, Some(&s.account), &views, None).await?;
    let people: Vec<view::AccountView> = participants
        .iter()
        .map(|a| view::account(&state, a))
        .collect();
    let to: Vec<String> = participants.iter().map(|a| a.acct()).collect();
    web.page(
        &state,
        "conversation.html",
        context! {
            conversation_id => id.to_string(),
            people => v(people),
            messages => v(messages),
            last_id,
            to => to.join(" "),
        },
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    to: Option<String>,
}

pub async fn new_page(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    web.user()?;
    web.page(
        &state,
        "new_message.html",
        context! { to => q.to.unwrap_or_default() },
    )
    .await
}

#[derive(Deserialize)]
pub struct SendForm {
    to: Option<String>,
    text: Option<String>,
    in_reply_to_id: Option<String>,
    conversation: Option<String>,
}

/// Sends a direct message to the people in `to` (names or `@user@host`),
/// mentioning them, as direct messages are addressed.
pub async fn send(
    State(state): State<AppState>,
    web: Web,
    Form(f): Form<SendForm>,
) -> Result<Response, WebError> {
    let s = web.user()?;
    let back = match f.conversation.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => format!(
            "/messages/{}",
            c.parse::<i64>().map_err(|_| AppError::not_found())?
        ),
        None => "/messages/new".to_string(),
    };
    let result = async {
        let handles: Vec<&str> =
            f.to.as_deref()
                .unwrap_or("")
                .split([' ', ',', '\n'])
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .collect();
        if handles.is_empty() {
            return Err(AppError::validation("Choose whom to write to"));
        }
        let mut mentions = String::new();
        for h in handles {
            let a = service::web::find_by_handle(&state, h, true).await?;
            if a.id != s.account.id {
                mentions.push_str(&format!("@{} ", a.acct()));
            }
        }
        if mentions.is_empty() {
            return Err(AppError::validation("Choose whom to write to"));
        }
        let body = f.text.as_deref().unwrap_or("").trim();
        if body.is_empty() {
            return Err(AppError::validation(
                "Validation failed: Text can't be blank",
            ));
        }
        let mut new =
            service::statuses::NewStatus::new(&format!("{mentions}{body}"), Visibility::Direct);
        if let Some(r) = f.in_reply_to_id.as_deref().filter(|r| !r.is_empty()) {
            new.in_reply_to_id = Some(r.parse().map_err(|_| AppError::not_found())?);
        } else if let Some(c) = f.conversation.as_deref().filter(|c| !c.is_empty()) {
            // Without the script's hint, a message in a conversation answers its newest one.
            let c: i64 = c.parse().map_err(|_| AppError::not_found())?;
            new.in_reply_to_id = service::web::last_message_id(&state, &s.account, c).await?;
        }
        service::statuses::create(&state, &s.account, new).await
    }
    .await;
    match result {
        Ok(st) => Ok(web.redirect(
            &st.conversation_id
                .map(|c| format!("/messages/{c}"))
                .unwrap_or_else(|| "/messages".into()),
            None,
        )),
        Err(e) if e.status().is_client_error() => Ok(web.redirect(&back, Some(&e.to_string()))),
        Err(e) => Err(e.into()),
    }
}
