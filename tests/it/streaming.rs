//! The streaming API over a real WebSocket and a real event stream.
use std::time::{Duration, Instant};

use entity::Visibility;
use futures_util::{SinkExt, StreamExt};
use kith::service::relationships::{FollowOptions, follow};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::{env, token};

/// The next message whose event is `event`, within a deadline.
async fn next_event<S>(ws: &mut S, event: &str) -> Value
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = tokio::time::timeout(left, ws.next())
            .await
            .unwrap_or_else(|_| panic!("no {event} event in time"))
            .unwrap()
            .unwrap();
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["event"] == event {
                return v;
            }
        }
    }
}

#[tokio::test]
async fn websocket_streams_updates_notifications_and_deletes() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    follow(&env.state, &bob, alice.id, FollowOptions::default())
        .await
        .unwrap();
    let srv = env.serve().await;
    let bob_token = token(&env, "bob").await;

    let r = reqwest::get(srv.url("/api/v1/streaming/health"))
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "OK");
    let r = reqwest::get(srv.url("/api/v1/streaming/user"))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let url = format!(
        "ws://{}/api/v1/streaming?access_token={bob_token}&stream=user",
        srv.addr
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    ws.send(Message::Text(
        json!({"type": "subscribe", "stream": "hashtag", "tag": "Kith"})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    // Let the subscription land before posting: the server answers nothing, so
    // send a bad subscription and wait for its error, which comes after it.
    ws.send(Message::Text(
        json!({"type": "subscribe", "stream": "nonsense"})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let m = tokio::time::timeout(
            deadline.saturating_duration_since(Instant::now()),
            ws.next(),
        )
        .await
        .unwrap()
        .unwrap()
        .unwrap();
        if let Message::Text(t) = m {
            assert!(t.as_str().contains("Unknown stream type"));
            break;
        }
    }

    let posted_at = Instant::now();
    let s = env.post(&alice, "hello #kith", Visibility::Public).await;
    let update = next_event(&mut ws, "update").await;
    let payload: Value = serde_json::from_str(update["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["id"], s.id.to_string());
    crate::schema::assert_conforms("Status", &payload);
    let elapsed = posted_at.elapsed();
    let second = next_event(&mut ws, "update").await;
    let streams = [update["stream"].clone(), second["stream"].clone()];
    assert!(
        streams.contains(&json!(["user"])) && streams.contains(&json!(["hashtag", "kith"])),
        "{streams:?}"
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "the update took {elapsed:?}"
    );

    let mine = env.post(&bob, "bob's own", Visibility::Public).await;
    let _ = next_event(&mut ws, "update").await;
    kith::service::interactions::favourite(&env.state, &alice, mine.id)
        .await
        .unwrap();
    let n = next_event(&mut ws, "notification").await;
    let n: Value = serde_json::from_str(n["payload"].as_str().unwrap()).unwrap();
    assert_eq!(n["type"], "favourite");
    crate::schema::assert_conforms("Notification", &n);

    kith::service::statuses::delete(&env.state, &alice, s.id)
        .await
        .unwrap();
    let d = next_event(&mut ws, "delete").await;
    assert_eq!(d["payload"], s.id.to_string());
}

#[tokio::test]
async fn event_streams_over_http() {
    let env = env().await;
    let alice = env.user("alice").await;
    let srv = env.serve().await;
    let mut resp = reqwest::get(srv.url("/api/v1/streaming/public/local"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    // The followers-only post goes first: events arrive in order, so had it been
    // streamed, it would show up before the public one.
    env.post(&alice, "for followers", Visibility::Private).await;
    let s = env.post(&alice, "for everyone", Visibility::Public).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = String::new();
    while !seen.contains("event: update") || !seen.contains(&format!("\"id\":\"{}\"", s.id)) {
        let chunk = tokio::time::timeout(
            deadline.saturating_duration_since(Instant::now()),
            resp.chunk(),
        )
        .await
        .expect("an update in time")
        .unwrap()
        .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        !seen.contains("for followers"),
        "followers-only posts stay off public streams"
    );
}
