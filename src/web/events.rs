//! `/web/events`: live updates for the signed-in browser, as an event stream.
//! Each event carries HTML rendered with the page's own templates, so the
//! script inserts it as it is: `status` (a new post in the feed), `message`
//! (a new direct message), `notification` (counts), `delete`.
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use entity::{Visibility, accounts};
use futures_util::StreamExt;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::{Web, WebError, view};
use crate::events::Event;
use crate::service;
use crate::state::AppState;

pub async fn stream(State(state): State<AppState>, web: Web) -> Result<Response, WebError> {
    let s = web.user()?;
    let me = s.account.clone();
    let csrf = web.csrf.clone();
    let rx = state.events.subscribe();
    let events = futures_util::stream::unfold(
        (state, me, csrf, rx),
        |(state, me, csrf, mut rx)| async move {
            loop {
                match rx.recv().await {
                    Ok(e) => {
                        if let Some(out) = render(&state, &me, &csrf, &e).await {
                            return Some((Ok::<SseEvent, Infallible>(out), (state, me, csrf, rx)));
                        }
                    }
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    Ok(Sse::new(events.boxed())
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

async fn render(state: &AppState, me: &accounts::Model, csrf: &str, e: &Event) -> Option<SseEvent> {
    match e {
        Event::Update {
            status_id, readers, ..
        } if readers.contains(&me.id) => {
            let st = service::statuses::get(state, Some(me), *status_id)
                .await
                .ok()?;
            if st.visibility == Visibility::Direct {
                return None;
            }
            let in_reply_to = st.in_reply_to_id.map(|i| i.to_string());
            let views = service::timelines::hydrate(state, vec![st]).await.ok()?;
            let v = views.into_iter().next()?;
            let shown = v.shown().id.to_string();
            let html = view::status_html(state, me, csrf, v, "_status.html")
                .await
                .ok()?;
            let data = json!({ "id": status_id.to_string(), "shown_id": shown, "in_reply_to_id": in_reply_to, "html": html });
            Some(SseEvent::default().event("status").data(data.to_string()))
        }
        Event::Notification {
            account_id,
            notification_id,
        } if *account_id == me.id => {
            let unread = service::web::unread(state, me).await.ok()?;
            let n = service::notifications::get(state, me, *notification_id)
                .await
                .ok()?;
            let counts = match n.status_id {
                Some(id) => service::statuses::get(state, Some(me), id)
                    .await
                    .ok()
                    .map(|st| {
                        json!({
                            "id": st.id.to_string(),
                            "favourites": st.favourites_count.max(0),
                            "reblogs": st.reblogs_count.max(0),
                            "replies": st.replies_count.max(0),
                        })
                    }),
                None => None,
            };
            let data = json!({ "kind": n.kind.as_str(), "unread": unread, "status": counts });
            Some(
                SseEvent::default()
                    .event("notification")
                    .data(data.to_string()),
            )
        }
        Event::Conversation {
            account_ids,
            status_id,
        } if account_ids.contains(&me.id) => {
            let st = service::statuses::get(state, Some(me), *status_id)
                .await
                .ok()?;
            let conversation = st.conversation_id.map(|c| c.to_string());
            let views = service::timelines::hydrate(state, vec![st]).await.ok()?;
            let v = views.into_iter().next()?;
            let html = view::status_html(state, me, csrf, v, "_message.html")
                .await
                .ok()?;
            let unread = service::web::unread(state, me).await.ok()?;
            let data = json!({ "id": status_id.to_string(), "conversation_id": conversation, "html": html, "unread": unread });
            Some(SseEvent::default().event("message").data(data.to_string()))
        }
        Event::Delete { status_id } => Some(
            SseEvent::default()
                .event("delete")
                .data(json!({ "id": status_id.to_string() }).to_string()),
        ),
        _ => None,
    }
}
