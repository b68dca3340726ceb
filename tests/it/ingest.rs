//! Many inbox `Create`s at once: the remote-status writer writes those waiting
//! in one transaction, each in a savepoint (issue 7, benchmark scenario 1).
use std::collections::HashMap;
use std::sync::Arc;

use entity::{accounts, notifications, statuses};
use kith::apub::actors::parse_actor;
use kith::apub::signatures::{KeyCache, sign};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::common::{client, env};

const ACTORS: usize = 4;

fn actor_uri(a: usize) -> String {
    format!("http://remote.test/users/a{a}")
}

async fn remote_actors(state: &kith::AppState, public_pem: &str) -> Vec<accounts::Model> {
    let mut out = Vec::new();
    for a in 0..ACTORS {
        let uri = actor_uri(a);
        let doc = json!({
            "id": uri,
            "type": "Person",
            "preferredUsername": format!("a{a}"),
            "inbox": format!("{uri}/inbox"),
            "followers": format!("{uri}/followers"),
            "publicKey": {"id": format!("{uri}#main-key"), "owner": uri, "publicKeyPem": public_pem},
        });
        let profile = parse_actor(&doc).unwrap();
        out.push(
            kith::service::accounts::upsert_remote(state, profile)
                .await
                .unwrap(),
        );
    }
    out
}

fn create(actor: &str, n: usize, attributed_to: &str, mention: Option<&str>) -> serde_json::Value {
    let note = format!("{actor}/statuses/{n}");
    let mut tags = Vec::new();
    let mut cc = vec![json!(format!("{actor}/followers"))];
    if let Some(m) = mention {
        tags.push(json!({"type": "Mention", "href": m, "name": "@bob"}));
        cc.push(json!(m));
    }
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note}/activity"),
        "type": "Create",
        "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": cc,
        "object": {
            "id": note,
            "type": "Note",
            "attributedTo": attributed_to,
            // Whole seconds, as Mastodon publishes: many posts share the instant.
            "published": "2026-11-29T12:00:00Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": cc,
            "content": format!("<p>post {n}</p>"),
            "tag": tags,
        }
    })
}

/// 200 signed Creates over 32 tasks: every tenth repeats the one before (the
/// same activity delivered twice, at once), a few are attributed to someone
/// else (a 401, in the middle of others' batches), some mention a local user.
/// Every good one is stored exactly once; repeats get a 202 and store nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_inbox_creates_are_each_stored_once_and_bad_ones_fail_alone() {
    let env = env().await;
    let bob = env.user("bob").await;
    let key = kith::apub::keys::generate().unwrap();
    let actors = remote_actors(&env.state, &key.public_pem).await;
    let srv = env.serve().await;
    let inbox = url::Url::parse(&srv.url("/inbox")).unwrap();
    let keys = KeyCache::default();

    const TOTAL: usize = 200;
    // (body, headers, expected status, the note's URI when it is a good one)
    let mut requests = Vec::new();
    for i in 0..TOTAL {
        let a = i % ACTORS;
        let actor = actor_uri(a);
        let (n, expect) = if i % 10 == 3 {
            (i - 1, 202) // the activity of i - 1 again
        } else if i % 50 == 7 {
            (i, 401)
        } else {
            (i, 202)
        };
        let actor = if i % 10 == 3 {
            actor_uri((i - 1) % ACTORS)
        } else {
            actor
        };
        let attributed = if expect == 401 {
            actor_uri(a + 1)
        } else {
            actor.clone()
        };
        let mention = n.is_multiple_of(5).then_some(bob.uri.as_str());
        let body = create(&actor, n, &attributed, mention).to_string();
        let headers = sign(
            &keys,
            "POST",
            &inbox,
            Some(body.as_bytes()),
            Some("application/activity+json"),
            &format!("{actor}#main-key"),
            &key.private_pem,
        )
        .unwrap();
        requests.push((body, headers, expect, format!("{actor}/statuses/{n}")));
    }
    let requests = Arc::new(requests);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (requests, next, url) = (requests.clone(), next.clone(), inbox.to_string());
        tasks.push(tokio::spawn(async move {
            let c = client();
            let mut answers = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((body, headers, _, _)) = requests.get(i) else {
                    return answers;
                };
                let mut req = c
                    .post(&url)
                    .header("content-type", "application/activity+json")
                    .body(body.clone());
                for (k, v) in headers {
                    req = req.header(*k, v);
                }
                let r = req.send().await.unwrap();
                answers.push((i, r.status().as_u16(), r.text().await.unwrap()));
            }
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.extend(t.await.unwrap());
    }
    assert_eq!(answers.len(), TOTAL);
    for (i, status, text) in &answers {
        assert_eq!(*status, requests[*i].2, "request {i}: {text}");
    }

    let good: HashMap<&str, usize> = requests
        .iter()
        .filter(|r| r.2 == 202)
        .map(|r| (r.3.as_str(), 0))
        .collect();
    let stored: Vec<statuses::Model> = statuses::Entity::find()
        .filter(statuses::Column::AccountId.is_in(actors.iter().map(|a| a.id)))
        .all(&env.state.db.read)
        .await
        .unwrap();
    let mut seen = good.clone();
    for s in &stored {
        *seen
            .get_mut(s.uri.as_str())
            .expect("only good notes are stored") += 1;
    }
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    assert_eq!(stored.len(), good.len());
    // Distinct ids although every post has the same `published`.
    let mut ids: Vec<i64> = stored.iter().map(|s| s.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), stored.len());
    // Each stored post's activity is recorded; the refused ones' are not.
    for (body, _, expect, _) in requests.iter() {
        let id = serde_json::from_str::<serde_json::Value>(body).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let received = kith::db::deliveries::was_received(&env.state.db.read, &id)
            .await
            .unwrap();
        assert_eq!(received, *expect == 202, "{id}");
    }
    // One mention notification per stored post that mentions bob.
    let mentions_bob = good
        .keys()
        .filter(|uri| {
            let n: usize = uri.rsplit('/').next().unwrap().parse().unwrap();
            n.is_multiple_of(5)
        })
        .count() as u64;
    let notified = notifications::Entity::find()
        .filter(notifications::Column::AccountId.eq(bob.id))
        .count(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(notified, mentions_bob);
    // The actors' counters add up.
    let mut total = 0;
    for a in &actors {
        total += env.reload(a).await.statuses_count;
    }
    assert_eq!(total as usize, good.len());
}

/// A status that fails inside the writer (its author is gone: a foreign-key
/// violation) rolls back alone: written next to others in the same batch, it
/// gets its own 422, leaves no trace (its activity is not recorded), and the
/// others are stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_status_failing_in_a_batch_fails_alone() {
    let env = env().await;
    let key = kith::apub::keys::generate().unwrap();
    let actors = remote_actors(&env.state, &key.public_pem).await;
    let mut gone = actors[0].clone();
    gone.id = i64::MAX - 1;
    let mut tasks = Vec::new();
    for i in 0..64usize {
        let state = env.state.clone();
        let author = if i % 8 == 5 {
            gone.clone()
        } else {
            actors[i % ACTORS].clone()
        };
        tasks.push(tokio::spawn(async move {
            let activity = create(&author.uri, i, &author.uri, None);
            let status = kith::apub::inbox::read_note(&activity["object"], &author).unwrap();
            let activity_id = activity["id"].as_str().unwrap().to_string();
            let r = kith::service::statuses::receive_remote_create(
                &state,
                &author,
                status,
                &activity_id,
            )
            .await;
            (i, activity_id, r)
        }));
    }
    let mut stored = 0;
    for t in tasks {
        let (i, activity_id, r) = t.await.unwrap();
        let received = kith::db::deliveries::was_received(&env.state.db.read, &activity_id)
            .await
            .unwrap();
        if i % 8 == 5 {
            let e = r.unwrap_err();
            assert_eq!(e.status(), 422, "{e}");
            assert!(!received, "{activity_id}");
        } else {
            assert!(r.unwrap(), "{activity_id}");
            assert!(received, "{activity_id}");
            stored += 1;
        }
    }
    let rows = statuses::Entity::find()
        .count(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(rows, stored);
}
