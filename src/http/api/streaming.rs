//! The streaming API: `GET /api/v1/streaming` over WebSocket (subscribe and
//! unsubscribe messages), the HTTP event-stream endpoints
//! (`/api/v1/streaming/user`, ...) and `/api/v1/streaming/health`. Each open
//! stream listens to the event bus and renders events for its own viewer.
use std::collections::{BTreeMap, HashSet};
use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use entity::accounts;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::entities;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::service::oauth::authenticate_token;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/streaming", get(websocket))
        .route("/api/v1/streaming/health", get(health))
        .route("/api/v1/streaming/{*stream}", get(event_stream))
}

async fn health() -> &'static str {
    "OK"
}

/// A stream a client can subscribe to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Stream {
    User,
    UserNotification,
    Public,
    PublicLocal,
    PublicRemote,
    Hashtag(String),
    HashtagLocal(String),
    /// One of the viewer's lists (ownership is checked on subscribing).
    List(i64),
    Direct,
}

impl Stream {
    fn parse(name: &str, tag: Option<&str>, list: Option<&str>) -> Option<Stream> {
        let tag = || {
            tag.map(|t| t.trim_start_matches('#').to_lowercase())
                .filter(|t| !t.is_empty())
        };
        Some(match name {
            "user" => Stream::User,
            "user:notification" => Stream::UserNotification,
            "public" => Stream::Public,
            "public:local" => Stream::PublicLocal,
            "public:remote" => Stream::PublicRemote,
            "hashtag" => Stream::Hashtag(tag()?),
            "hashtag:local" => Stream::HashtagLocal(tag()?),
            "direct" => Stream::Direct,
            "list" => Stream::List(list?.trim().parse().ok()?),
            _ => return None,
        })
    }

    /// How the stream is named in messages: `["hashtag", "rust"]`.
    fn names(&self) -> Value {
        match self {
            Stream::User => json!(["user"]),
            Stream::UserNotification => json!(["user:notification"]),
            Stream::Public => json!(["public"]),
            Stream::PublicLocal => json!(["public:local"]),
            Stream::PublicRemote => json!(["public:remote"]),
            Stream::Hashtag(t) => json!(["hashtag", t]),
            Stream::HashtagLocal(t) => json!(["hashtag:local", t]),
            Stream::List(id) => json!(["list", id.to_string()]),
            Stream::Direct => json!(["direct"]),
        }
    }

    fn needs_user(&self) -> bool {
        matches!(
            self,
            Stream::User | Stream::UserNotification | Stream::Direct | Stream::List(_)
        )
    }
}

/// The token from `Authorization`, the `access_token` query parameter, or
/// `Sec-WebSocket-Protocol`.
async fn viewer(
    state: &AppState,
    headers: &HeaderMap,
    query: &BTreeMap<String, String>,
) -> AppResult<Option<accounts::Model>> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .or_else(|| query.get("access_token").cloned())
        .or_else(|| {
            headers
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        });
    let Some(token) = bearer.filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    let auth = authenticate_token(state, token.trim()).await?;
    if !auth.scopes.allows("read:statuses") && !auth.scopes.allows("read:notifications") {
        return Err(AppError::Forbidden(
            "This action is outside the authorized scopes".into(),
        ));
    }
    Ok(auth.account)
}

/// What one event means for one subscriber: `(streams, event name, payload)`.
async fn render(
    state: &AppState,
    viewer: Option<&accounts::Model>,
    subs: &HashSet<Stream>,
    e: &Event,
) -> Vec<(Value, &'static str, String)> {
    let me = viewer.map(|v| v.id);
    let mut out = Vec::new();
    match e {
        Event::Update {
            status_id,
            readers,
            public,
            ..
        }
        | Event::StatusUpdate {
            status_id,
            readers,
            public,
        } if !subs.is_empty() => {
            let name = if matches!(e, Event::Update { .. }) {
                "update"
            } else {
                "status.update"
            };
            let no_tags = Vec::new();
            let tags = if let Event::Update { tags, .. } = e {
                tags.as_ref()
            } else {
                &no_tags
            };
            let in_home = me.is_some_and(|m| readers.contains(&m));
            let matching: Vec<&Stream> = subs
                .iter()
                .filter(|s| match s {
                    Stream::User | Stream::List(_) => in_home,
                    Stream::Public => public.is_some(),
                    Stream::PublicLocal => *public == Some(true),
                    Stream::PublicRemote => *public == Some(false),
                    Stream::Hashtag(t) => public.is_some() && tags.contains(t),
                    Stream::HashtagLocal(t) => *public == Some(true) && tags.contains(t),
                    _ => false,
                })
                .collect();
            if matching.is_empty() {
                return out;
            }
            let Ok(status) = crate::service::statuses::get(state, viewer, *status_id).await else {
                return out;
            };
            // Home-feed events reach list streams of lists showing the author,
            // and the user stream unless an exclusive list takes the author.
            let home_lists = match viewer {
                Some(v) if in_home => crate::service::lists::streams_for(state, v, &status)
                    .await
                    .unwrap_or_default(),
                _ => Default::default(),
            };
            let mut payloads: std::collections::HashMap<&'static str, Option<String>> =
                std::collections::HashMap::new();
            for s in matching {
                let context = match s {
                    Stream::User if !home_lists.exclusive => entities::FilterContext::Home,
                    Stream::List(id) if home_lists.lists.contains(id) => {
                        entities::FilterContext::Home
                    }
                    Stream::User | Stream::List(_) => continue,
                    _ => entities::FilterContext::Public,
                };
                if !payloads.contains_key(context.as_str()) {
                    let v = entities::status_in(state, viewer, status.clone(), context)
                        .await
                        .ok()
                        .flatten()
                        .map(|v| v.to_string());
                    payloads.insert(context.as_str(), v);
                }
                if let Some(Some(payload)) = payloads.get(context.as_str()) {
                    out.push((s.names(), name, payload.clone()));
                }
            }
        }
        Event::Notification {
            account_id,
            notification_id,
        } if me == Some(*account_id) => {
            let targets: Vec<&Stream> = subs
                .iter()
                .filter(|s| matches!(s, Stream::User | Stream::UserNotification))
                .collect();
            if targets.is_empty() {
                return out;
            }
            let Some(viewer) = viewer else { return out };
            let Ok(n) = crate::service::notifications::get(state, viewer, *notification_id).await
            else {
                return out;
            };
            let Ok(mut v) = entities::notifications(state, viewer, &[n]).await else {
                return out;
            };
            let Some(v) = v.pop() else { return out };
            for s in targets {
                out.push((s.names(), "notification", v.to_string()));
            }
        }
        Event::FiltersChanged { account_id }
            if me == Some(*account_id) && subs.contains(&Stream::User) =>
        {
            out.push((Stream::User.names(), "filters_changed", String::new()));
        }
        Event::Delete { status_id } => {
            for s in subs {
                out.push((s.names(), "delete", status_id.to_string()));
            }
        }
        Event::Conversation {
            account_ids,
            status_id,
        } if me.is_some_and(|m| account_ids.contains(&m)) && subs.contains(&Stream::Direct) => {
            let Some(viewer) = viewer else { return out };
            let Ok(rows) =
                crate::service::conversations::list(state, viewer, &crate::db::Page::new(5)).await
            else {
                return out;
            };
            if let Some(c) = rows
                .into_iter()
                .find(|c| c.row.last_status_id == Some(*status_id))
                && let Ok(v) = entities::conversation(state, viewer, &c).await
            {
                out.push((Stream::Direct.names(), "conversation", v.to_string()));
            }
        }
        _ => {}
    }
    out
}

/// A list stream is only for the list's owner.
async fn may_subscribe(state: &AppState, viewer: Option<&accounts::Model>, s: &Stream) -> bool {
    match (s, viewer) {
        (Stream::List(id), Some(v)) => crate::service::lists::get(state, v, *id).await.is_ok(),
        (Stream::List(_), None) => false,
        _ => true,
    }
}

async fn websocket(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
    ws: WebSocketUpgrade,
) -> AppResult<Response> {
    let viewer = viewer(&state, &headers, &query).await?;
    let mut subs = HashSet::new();
    if let Some(s) = query.get("stream").and_then(|n| {
        Stream::parse(
            n,
            query.get("tag").map(String::as_str),
            query.get("list").map(String::as_str),
        )
    }) {
        if s.needs_user() && viewer.is_none() {
            return Err(AppError::Unauthorized(
                "This stream requires an access token".into(),
            ));
        }
        if !may_subscribe(&state, viewer.as_ref(), &s).await {
            return Err(AppError::not_found());
        }
        subs.insert(s);
    }
    let mut resp = ws.on_upgrade(move |socket| serve_socket(state, viewer, subs, socket));
    // Echo the token protocol, as browsers require when one was offered.
    if let Some(p) = headers.get("sec-websocket-protocol") {
        resp.headers_mut()
            .insert("sec-websocket-protocol", p.clone());
    }
    Ok(resp)
}

async fn serve_socket(
    state: AppState,
    viewer: Option<accounts::Model>,
    mut subs: HashSet<Stream>,
    mut socket: WebSocket,
) {
    let mut rx = state.events.subscribe();
    let mut ping = tokio::time::interval(Duration::from_secs(30));
    loop {
        tokio::select! {
            msg = socket.recv() => {
                let Some(Ok(msg)) = msg else { return };
                let Message::Text(text) = msg else { continue };
                let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                let stream = v.get("stream").and_then(Value::as_str).unwrap_or("");
                let list = match v.get("list") {
                    Some(Value::String(l)) => Some(l.clone()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                };
                let Some(s) = Stream::parse(stream, v.get("tag").and_then(Value::as_str), list.as_deref()) else {
                    let _ = socket.send(Message::Text(json!({ "error": "Unknown stream type", "status": 400 }).to_string().into())).await;
                    continue;
                };
                if s.needs_user() && viewer.is_none() {
                    let _ = socket.send(Message::Text(json!({ "error": "Missing access token", "status": 401 }).to_string().into())).await;
                    continue;
                }
                match v.get("type").and_then(Value::as_str) {
                    Some("subscribe") if !may_subscribe(&state, viewer.as_ref(), &s).await => {
                        let _ = socket.send(Message::Text(json!({ "error": "Record not found", "status": 404 }).to_string().into())).await;
                    }
                    Some("subscribe") => { subs.insert(s); }
                    Some("unsubscribe") => { subs.remove(&s); }
                    _ => {}
                }
            }
            ev = rx.recv() => {
                let e = match ev {
                    Ok(e) => e,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return,
                };
                for (stream, event, payload) in render(&state, viewer.as_ref(), &subs, &e).await {
                    // An event without a payload (filters_changed) has no payload key, as on Mastodon.
                    let msg = if payload.is_empty() {
                        json!({ "stream": stream, "event": event })
                    } else {
                        json!({ "stream": stream, "event": event, "payload": payload })
                    }
                    .to_string();
                    if socket.send(Message::Text(msg.into())).await.is_err() {
                        return;
                    }
                }
            }
            _ = ping.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// `GET /api/v1/streaming/user` and friends: `text/event-stream`.
async fn event_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(stream): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let name = stream.trim_matches('/').replace('/', ":");
    let s = Stream::parse(
        &name,
        query.get("tag").map(String::as_str),
        query.get("list").map(String::as_str),
    )
    .ok_or_else(AppError::not_found)?;
    let viewer = viewer(&state, &headers, &query).await?;
    if s.needs_user() && viewer.is_none() {
        return Err(AppError::Unauthorized(
            "This stream requires an access token".into(),
        ));
    }
    if !may_subscribe(&state, viewer.as_ref(), &s).await {
        return Err(AppError::not_found());
    }
    let subs: HashSet<Stream> = [s].into();
    let rx = state.events.subscribe();
    let events = futures_util::stream::unfold(
        (state, viewer, subs, rx, Vec::<SseEvent>::new()),
        |(state, viewer, subs, mut rx, mut queue)| async move {
            loop {
                if let Some(e) = queue.pop() {
                    return Some((
                        Ok::<SseEvent, Infallible>(e),
                        (state, viewer, subs, rx, queue),
                    ));
                }
                match rx.recv().await {
                    Ok(e) => {
                        let mut rendered: Vec<SseEvent> =
                            render(&state, viewer.as_ref(), &subs, &e)
                                .await
                                .into_iter()
                                .map(|(_, name, payload)| {
                                    SseEvent::default().event(name).data(payload)
                                })
                                .collect();
                        rendered.reverse();
                        queue = rendered;
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
