//! The Kith side of the interoperability scenario (see interop/README.md):
//! starts Kith on localhost and runs the core scenario against a peer that
//! serves the control API, printing one line per step and a closing total.
//!
//! Usage: `interop --peer http://localhost:PORT [--name NAME]`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::future::Future;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use entity::Visibility;
use federation_tests::{Instance, start_on_localhost};
use kith::service::interactions::favourite;
use kith::service::relationships::{FollowOptions, follow, relationship};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

struct Peer {
    base: String,
    host: String,
    http: reqwest::Client,
}

impl Peer {
    async fn state(&self) -> Result<Value, String> {
        let r = self
            .http
            .get(format!("{}/control/state", self.base))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        r.json().await.map_err(|e| e.to_string())
    }

    async fn control(&self, what: &str, body: Value) -> Result<Value, String> {
        let r = self
            .http
            .post(format!("{}/control/{what}", self.base))
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !r.status().is_success() {
            return Err(format!("control/{what} answered {}", r.status()));
        }
        Ok(r.json().await.unwrap_or(Value::Null))
    }

    async fn list_contains(&self, key: &str, pred: impl Fn(&Value) -> bool) -> bool {
        match self.state().await {
            Ok(s) => s
                .get(key)
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(&pred)),
            Err(_) => false,
        }
    }
}

/// Polls until `check` is true or the deadline passes.
async fn within<F, Fut>(what: &str, mut check: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if check().await {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("timed out waiting for {what}"))
}

async fn scenario(
    kith: &Instance,
    peer: &Peer,
    results: &mut Vec<(&'static str, Result<(), String>)>,
) {
    let alice = kith.user("alice").await;
    let state = &kith.state;

    let remote = kith::apub::actors::resolve_acct(state, "peer", &peer.host)
        .await
        .map_err(|e| e.to_string());
    results.push((
        "Kith finds the peer by WebFinger",
        remote.as_ref().map(|_| ()).map_err(Clone::clone),
    ));
    let Ok(remote) = remote else { return };

    let r = async {
        follow(state, &alice, remote.id, FollowOptions::default())
            .await
            .map_err(|e| e.to_string())?;
        within("the peer's Accept", || async {
            relationship(state, &alice, remote.id)
                .await
                .is_ok_and(|r| r.following)
        })
        .await?;
        within("the peer to list alice as a follower", || {
            peer.list_contains("followers", |v| v == &json!(alice.uri))
        })
        .await
    }
    .await;
    results.push(("Kith follows the peer; the peer accepts", r));

    let r = async {
        peer.control("follow", json!({ "target": alice.uri }))
            .await?;
        within("the follow on Kith", || async {
            relationship(state, &alice, remote.id)
                .await
                .is_ok_and(|r| r.followed_by)
        })
        .await?;
        within("Kith's Accept at the peer", || {
            peer.list_contains("following", |v| v == &json!(alice.uri))
        })
        .await
    }
    .await;
    results.push(("the peer follows Kith; Kith accepts", r));

    let post = kith
        .post(&alice, "Hello from Kith", Visibility::Public)
        .await;
    let r = within("the note at the peer", || {
        peer.list_contains("notes_received", |n| {
            n.get("id") == Some(&json!(post.uri))
                && n["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("Hello from Kith"))
        })
    })
    .await;
    results.push(("a note from Kith reaches the peer", r));

    let mut peer_note = None;
    let r = async {
        let created = peer
            .control("post", json!({ "content": "<p>Hello from the peer</p>" }))
            .await?;
        let id = created
            .get("id")
            .and_then(Value::as_str)
            .ok_or("control/post returned no id")?
            .to_string();
        within("the peer's note on Kith", || async {
            kith.status_by_uri(&id).await.is_some() && kith.home_uris(&alice).await.contains(&id)
        })
        .await?;
        peer_note = kith.status_by_uri(&id).await;
        Ok(())
    }
    .await;
    results.push(("a note from the peer reaches Kith's home timeline", r));

    let r = async {
        let note = peer_note.as_ref().ok_or("no note from the peer to like")?;
        favourite(state, &alice, note.id)
            .await
            .map_err(|e| e.to_string())?;
        within("the like at the peer", || {
            peer.list_contains("likes_received", |l| {
                l.get("actor") == Some(&json!(alice.uri))
                    && l.get("object") == Some(&json!(note.uri))
            })
        })
        .await
    }
    .await;
    results.push(("a like from Kith reaches the peer", r));

    let r = async {
        peer.control("like", json!({ "object": post.uri, "to": alice.uri }))
            .await?;
        within("the like on Kith", || async {
            kith.status_by_uri(&post.uri)
                .await
                .is_some_and(|s| s.favourites_count == 1)
        })
        .await
    }
    .await;
    results.push(("a like from the peer reaches Kith", r));
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(base) = arg("--peer") else {
        eprintln!("usage: interop --peer http://localhost:PORT [--name NAME]");
        return ExitCode::from(2);
    };
    let name = arg("--name").unwrap_or_else(|| "peer".into());
    let host = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    // Kith installs the TLS crypto provider the HTTP clients need: start it first.
    let kith = start_on_localhost().await;
    let peer = Peer {
        base: base.trim_end_matches('/').to_string(),
        host,
        http: reqwest::Client::new(),
    };
    println!(
        "interop with {name}: Kith at {}, peer at {}",
        kith.base_url(),
        peer.base
    );
    let mut results = Vec::new();
    scenario(&kith, &peer, &mut results).await;
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    for (step, r) in &results {
        match r {
            Ok(()) => println!("ok      {step}"),
            Err(e) => println!("FAILED  {step}: {e}"),
        }
    }
    println!("{name}: {} passed, {failed} failed", results.len() - failed);
    if failed == 0 && results.len() == 7 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
