//! Pinned statuses, edit history and source, grouped notifications (v2) and
//! unread counts, over the client API.
use entity::Visibility;
use kith::service::interactions::{favourite, reblog};
use kith::service::relationships::{FollowOptions, follow};
use kith::service::statuses::{StatusEdit, edit};
use serde_json::json;

use crate::client::{Client, token};
use crate::common::env;
use crate::schema::assert_conforms;

#[tokio::test]
async fn pins_history_and_source() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write").await);
    let b = Client::new(&srv, token(&env, "bob", "read write").await);

    let mut posts = Vec::new();
    for i in 0..6 {
        posts.push(
            env.post(&alice, &format!("post {i}"), Visibility::Public)
                .await,
        );
    }
    let dm = env.post(&alice, "@bob psst", Visibility::Direct).await;
    let bobs = env.post(&bob, "bob's", Visibility::Public).await;

    for p in &posts[..5] {
        let (s, st) = a
            .post(&format!("/api/v1/statuses/{}/pin", p.id), json!({}))
            .await;
        assert_eq!(s, 200, "{st}");
        assert_eq!(st["pinned"], true);
        assert_conforms("Status", &st);
    }
    // Pinning again is harmless; a sixth, a DM or someone else's post is refused.
    let (s, _) = a
        .post(&format!("/api/v1/statuses/{}/pin", posts[0].id), json!({}))
        .await;
    assert_eq!(s, 200);
    for id in [posts[5].id, dm.id, bobs.id] {
        let (s, body) = a
            .post(&format!("/api/v1/statuses/{id}/pin"), json!({}))
            .await;
        assert_eq!(s, 422, "{body}");
    }
    let pinned = b
        .ok(&format!(
            "/api/v1/accounts/{}/statuses?pinned=true",
            alice.id
        ))
        .await;
    let ids: Vec<&str> = pinned
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 5);
    for p in &posts[..5] {
        assert!(ids.contains(&p.id.to_string().as_str()));
    }
    // Others see `pinned` as false: it is the viewer's own pin that counts.
    assert_eq!(pinned[0]["pinned"], false);
    let (s, st) = a
        .post(
            &format!("/api/v1/statuses/{}/unpin", posts[0].id),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(st["pinned"], false);
    let mine = a
        .ok(&format!(
            "/api/v1/accounts/{}/statuses?pinned=true",
            alice.id
        ))
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 4);
    assert_eq!(mine[0]["pinned"], true);

    // Edit history: the original, then each version; the source for the author only.
    let p = &posts[1];
    let hist = a.ok(&format!("/api/v1/statuses/{}/history", p.id)).await;
    assert_eq!(hist.as_array().unwrap().len(), 1);
    for (i, text) in ["post 1, edited", "post 1, again"].iter().enumerate() {
        edit(
            &env.state,
            &alice,
            p.id,
            StatusEdit {
                text: text.to_string(),
                spoiler_text: if i == 1 { "cw".into() } else { String::new() },
                sensitive: false,
                language: None,
            },
        )
        .await
        .unwrap();
    }
    let hist = b.ok(&format!("/api/v1/statuses/{}/history", p.id)).await;
    let hist = hist.as_array().unwrap();
    assert_eq!(hist.len(), 3);
    for h in hist {
        assert_conforms("StatusEdit", h);
    }
    assert!(hist[0]["content"].as_str().unwrap().contains("post 1<"));
    assert!(
        hist[1]["content"]
            .as_str()
            .unwrap()
            .contains("post 1, edited")
    );
    assert!(
        hist[2]["content"]
            .as_str()
            .unwrap()
            .contains("post 1, again")
    );
    assert_eq!(hist[2]["spoiler_text"], "cw");
    assert_eq!(hist[2]["account"]["id"], alice.id.to_string());
    let src = a.ok(&format!("/api/v1/statuses/{}/source", p.id)).await;
    assert_conforms("StatusSource", &src);
    assert_eq!(src["text"], "post 1, again");
    assert_eq!(src["spoiler_text"], "cw");
    let (s, _) = b.get(&format!("/api/v1/statuses/{}/source", p.id)).await;
    assert_eq!(s, 404);
    // A DM's history is as private as the DM.
    let carol = env.user("carol").await;
    let _ = carol;
    let c = Client::new(&srv, token(&env, "carol", "read").await);
    let (s, _) = c.get(&format!("/api/v1/statuses/{}/history", dm.id)).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn grouped_notifications_and_unread_counts() {
    let env = env().await;
    let alice = env.user("alice").await;
    let fans = [
        env.user("bob").await,
        env.user("carol").await,
        env.user("dave").await,
    ];
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write").await);

    let post = env.post(&alice, "like me", Visibility::Public).await;
    let other = env.post(&alice, "or me", Visibility::Public).await;
    for f in &fans {
        favourite(&env.state, f, post.id).await.unwrap();
        follow(&env.state, f, alice.id, FollowOptions::default())
            .await
            .unwrap();
    }
    favourite(&env.state, &fans[0], other.id).await.unwrap();
    reblog(&env.state, &fans[1], post.id, None).await.unwrap();
    env.post(&fans[2], "@alice hi", Visibility::Public).await;
    env.post(&fans[2], "@alice hi again", Visibility::Public)
        .await;

    // Who favourited and boosted, newest first, paged.
    let favs = a
        .ok(&format!("/api/v1/statuses/{}/favourited_by", post.id))
        .await;
    let fav_ids: Vec<&str> = favs
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = fans.iter().rev().map(|f| f.id.to_string()).collect();
    assert_eq!(fav_ids, expected);
    assert_conforms("Account", &favs[0]);
    let one = a
        .ok(&format!(
            "/api/v1/statuses/{}/favourited_by?limit=1",
            post.id
        ))
        .await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    let boosts = a
        .ok(&format!("/api/v1/statuses/{}/reblogged_by", post.id))
        .await;
    assert_eq!(boosts, json!([boosts[0].clone()]));
    assert_eq!(boosts[0]["id"], fans[1].id.to_string());

    let v2 = a.ok("/api/v2/notifications").await;
    assert_conforms("GroupedNotificationsResults", &v2);
    let groups = v2["notification_groups"].as_array().unwrap();
    // 3 favourites of `post`, 3 follows, 1 favourite of `other`, 1 reblog, 2 mentions.
    assert_eq!(groups.len(), 6, "{groups:#?}");
    let fav = groups
        .iter()
        .find(|g| g["type"] == "favourite" && g["status_id"] == json!(post.id.to_string()))
        .unwrap();
    assert_eq!(fav["notifications_count"], 3);
    assert_eq!(fav["sample_account_ids"].as_array().unwrap().len(), 3);
    // Newest first.
    assert_eq!(fav["sample_account_ids"][0], fans[2].id.to_string());
    let follows = groups.iter().find(|g| g["type"] == "follow").unwrap();
    assert_eq!(follows["notifications_count"], 3);
    let mentions: Vec<_> = groups.iter().filter(|g| g["type"] == "mention").collect();
    assert_eq!(mentions.len(), 2);
    assert!(
        mentions[0]["group_key"]
            .as_str()
            .unwrap()
            .starts_with("ungrouped-")
    );
    assert_eq!(v2["accounts"].as_array().unwrap().len(), 3);
    // Statuses once each: the two posts and the two mentions.
    assert_eq!(v2["statuses"].as_array().unwrap().len(), 4);
    // One group by its key, its accounts, dismissing it.
    let key = fav["group_key"].as_str().unwrap();
    let one = a.ok(&format!("/api/v2/notifications/{key}")).await;
    assert_conforms("GroupedNotificationsResults", &one);
    assert_eq!(one["notification_groups"][0]["notifications_count"], 3);
    let who = a.ok(&format!("/api/v2/notifications/{key}/accounts")).await;
    assert_eq!(who.as_array().unwrap().len(), 3);
    let single = mentions[0]["group_key"].as_str().unwrap();
    let one = a.ok(&format!("/api/v2/notifications/{single}")).await;
    assert_eq!(one["notification_groups"][0]["type"], "mention");
    let (s, _) = a.get("/api/v2/notifications/ungrouped-12").await;
    assert_eq!(s, 404);

    // v1 shows the same group keys.
    let v1 = a.ok("/api/v1/notifications?types[]=favourite").await;
    let keys: Vec<&str> = v1
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["group_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 4);
    assert_eq!(keys.iter().filter(|k| **k == fav["group_key"]).count(), 3);

    // Paging by group, types and account_id.
    let page = a.ok("/api/v2/notifications?limit=2").await;
    assert_eq!(page["notification_groups"].as_array().unwrap().len(), 2);
    let last = &page["notification_groups"][1];
    let next = a
        .ok(&format!(
            "/api/v2/notifications?limit=40&max_id={}",
            last["page_min_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(next["notification_groups"].as_array().unwrap().len(), 4);
    let favs = a.ok("/api/v2/notifications?types[]=favourite").await;
    assert_eq!(favs["notification_groups"].as_array().unwrap().len(), 2);
    let from_bob = a
        .ok(&format!("/api/v1/notifications?account_id={}", fans[0].id))
        .await;
    assert_eq!(from_bob.as_array().unwrap().len(), 3);
    assert!(
        from_bob
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["account"]["id"] == json!(fans[0].id.to_string()))
    );

    // Unread: everything until the marker moves.
    let count = a.ok("/api/v1/notifications/unread_count").await;
    assert_eq!(count, json!({"count": 10}));
    let count = a.ok("/api/v2/notifications/unread_count?limit=4").await;
    assert_eq!(count, json!({"count": 4}));
    let newest_follow = a.ok("/api/v1/notifications?types[]=follow&limit=1").await;
    let (s, _) = a
        .post(
            "/api/v1/markers",
            json!({"notifications": {"last_read_id": newest_follow[0]["id"]}}),
        )
        .await;
    assert_eq!(s, 200);
    // After the last follow: the favourite of `other`, the reblog, two mentions.
    let count = a.ok("/api/v2/notifications/unread_count").await;
    assert_eq!(count, json!({"count": 4}));
    let (s, _) = a
        .post(&format!("/api/v2/notifications/{key}/dismiss"), json!({}))
        .await;
    assert_eq!(s, 200);
    let (s, _) = a.get(&format!("/api/v2/notifications/{key}")).await;
    assert_eq!(s, 404);
    let after = a.ok("/api/v2/notifications").await;
    assert_eq!(after["notification_groups"].as_array().unwrap().len(), 5);
}
