//! A small Mastodon API client for the tests of lists, filters, pins, grouped
//! notifications and discovery: tokens made through the real OAuth service,
//! requests over real HTTP.
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use kith::service::oauth::{create_app, password_grant};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::{Running, TestEnv};

/// An access token for a user made by `TestEnv::user`, with `scopes`.
pub async fn token(env: &TestEnv, user: &str, scopes: &str) -> String {
    let app = create_app(
        &env.state,
        "test app",
        "urn:ietf:wg:oauth:2.0:oob",
        "read write follow push",
        None,
    )
    .await
    .unwrap();
    password_grant(
        &env.state,
        &app.app,
        &format!("{user}@example.org"),
        &format!("password-of-{user}"),
        Some(scopes),
    )
    .await
    .unwrap()
    .access_token
}

pub struct Client<'a> {
    pub srv: &'a Running,
    pub token: String,
    http: reqwest::Client,
}

impl<'a> Client<'a> {
    pub fn new(srv: &'a Running, token: String) -> Client<'a> {
        Client {
            srv,
            token,
            http: crate::common::client(),
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let r = req.bearer_auth(&self.token).send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        assert!(status.as_u16() < 500, "server error {status}: {v}");
        (status, v)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.http.get(self.srv.url(path))).await
    }

    /// GET that must succeed.
    pub async fn ok(&self, path: &str) -> Value {
        let (s, v) = self.get(path).await;
        assert_eq!(s, 200, "GET {path}: {v}");
        v
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.http.post(self.srv.url(path)).json(&body))
            .await
    }

    /// POST with a form body (`a[]=1&a[]=2`), as many apps send.
    pub async fn post_form(&self, path: &str, form: &str) -> (StatusCode, Value) {
        self.send(
            self.http
                .post(self.srv.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form.to_string()),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.http.put(self.srv.url(path)).json(&body))
            .await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.http.delete(self.srv.url(path))).await
    }

    pub async fn delete_form(&self, path: &str, form: &str) -> (StatusCode, Value) {
        self.send(
            self.http
                .delete(self.srv.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form.to_string()),
        )
        .await
    }

    /// Ids of the statuses in a timeline.
    pub async fn ids(&self, path: &str) -> Vec<String> {
        self.ok(path)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    }
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A streaming socket subscribed to `subscription` (a subscribe message), ready:
/// a bad subscription is sent after it and its error awaited, so the first one
/// has landed when this returns.
pub async fn socket(srv: &Running, token: &str, subscription: Value) -> Socket {
    let url = format!("ws://{}/api/v1/streaming?access_token={token}", srv.addr);
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut sub = subscription;
    sub["type"] = json!("subscribe");
    ws.send(Message::Text(sub.to_string().into()))
        .await
        .unwrap();
    ws.send(Message::Text(
        json!({"type": "subscribe", "stream": "nonsense"})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    loop {
        let v = next_message(&mut ws).await;
        if v["error"] == "Unknown stream type" {
            return ws;
        }
        assert!(v.get("error").is_none(), "subscription refused: {v}");
    }
}

/// The next JSON message, within ten seconds.
pub async fn next_message(ws: &mut Socket) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let m = tokio::time::timeout(
            deadline.saturating_duration_since(Instant::now()),
            ws.next(),
        )
        .await
        .expect("a message in time")
        .unwrap()
        .unwrap();
        if let Message::Text(t) = m {
            return serde_json::from_str(t.as_str()).unwrap();
        }
    }
}

/// The next message whose event is `event`.
pub async fn next_event(ws: &mut Socket, event: &str) -> Value {
    loop {
        let v = next_message(ws).await;
        if v["event"] == event {
            return v;
        }
    }
}
