//! Notification filtering: a person's policy holds back (or drops) notifications
//! from kinds of senders; held-back ones wait in one request per sender until
//! accepted or dismissed.
use entity::Visibility;
use kith::service::relationships::{FollowOptions, follow};
use serde_json::{Value, json};

use crate::client::{Client, token};
use crate::common::env;
use crate::schema::assert_conforms;

fn accts(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n["account"]["acct"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn notifications_from_strangers_are_filtered_accepted_dismissed_or_dropped() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let carol = env.user("carol").await;
    let dave = env.user("dave").await;
    let erin = env.user("erin").await;
    follow(&env.state, &alice, carol.id, FollowOptions::default())
        .await
        .unwrap();
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write").await);

    let p = a.ok("/api/v2/notifications/policy").await;
    assert_conforms("NotificationPolicy", &p);
    assert_eq!(p["for_not_following"], "accept");
    assert_eq!(p["summary"]["pending_requests_count"], 0);
    // Before any policy, a stranger's mention arrives as always.
    env.post(&erin, "@alice welcome", Visibility::Public).await;
    assert_eq!(accts(&a.ok("/api/v1/notifications").await), ["erin"]);

    let (s, p) = a.put("/api/v2/notifications/policy", json!({})).await;
    assert_eq!(s, 405, "PATCH, as Mastodon routes it: {p}");
    let patch = |body: Value| {
        let http = crate::common::client();
        let url = srv.url("/api/v2/notifications/policy");
        let t = a.token.clone();
        async move {
            let r = http
                .patch(url)
                .bearer_auth(t)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let (s, p) = patch(json!({"for_not_following": "filter"})).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["for_not_following"], "filter");
    assert_eq!(p["for_private_mentions"], "accept");
    let (s, _) = patch(json!({"for_not_following": "sometimes"})).await;
    assert_eq!(s, 422);
    assert_eq!(
        a.ok("/api/v2/notifications/policy").await["for_not_following"],
        "filter",
        "a bad value changes nothing"
    );

    // Bob (not followed) is held back; Carol (followed) gets through.
    env.post(&bob, "@alice hello", Visibility::Public).await;
    let latest = env
        .post(&bob, "@alice hello again", Visibility::Public)
        .await;
    env.post(&carol, "@alice hi from a friend", Visibility::Public)
        .await;
    assert_eq!(
        accts(&a.ok("/api/v1/notifications").await),
        ["carol", "erin"]
    );
    let grouped = a.ok("/api/v2/notifications").await;
    assert_eq!(grouped["notification_groups"].as_array().unwrap().len(), 2);
    let p = a.ok("/api/v2/notifications/policy").await;
    assert_eq!(p["summary"]["pending_requests_count"], 1);
    assert_eq!(p["summary"]["pending_notifications_count"], 2);
    let reqs = a.ok("/api/v1/notifications/requests").await;
    assert_eq!(reqs.as_array().unwrap().len(), 1);
    assert_conforms("NotificationRequest", &reqs[0]);
    assert_eq!(reqs[0]["account"]["acct"], "bob");
    assert_eq!(reqs[0]["notifications_count"], "2");
    assert_eq!(reqs[0]["last_status"]["id"], latest.id.to_string());
    let rid = reqs[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        a.ok(&format!("/api/v1/notifications/requests/{rid}")).await["id"],
        rid.as_str()
    );
    let held = a
        .ok(&format!(
            "/api/v1/notifications?include_filtered=true&account_id={}",
            bob.id
        ))
        .await;
    assert_eq!(accts(&held), ["bob", "bob"]);

    // Accepting lets them in, and Bob through from now on.
    let (s, _) = a
        .post(
            &format!("/api/v1/notifications/requests/{rid}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        accts(&a.ok("/api/v1/notifications").await),
        ["carol", "bob", "bob", "erin"]
    );
    assert_eq!(a.ok("/api/v1/notifications/requests").await, json!([]));
    env.post(&bob, "@alice third time", Visibility::Public)
        .await;
    assert_eq!(accts(&a.ok("/api/v1/notifications?limit=1").await), ["bob"]);
    assert_eq!(
        a.ok("/api/v1/notifications/requests/merged").await["merged"],
        true
    );

    // Dismissing deletes what was held back.
    env.post(&dave, "@alice buy my things", Visibility::Public)
        .await;
    let reqs = a.ok("/api/v1/notifications/requests").await;
    assert_eq!(accts(&reqs), ["dave"]);
    let (s, _) = a
        .post_form(
            "/api/v1/notifications/requests/dismiss",
            &format!("id[]={}", reqs[0]["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(a.ok("/api/v1/notifications/requests").await, json!([]));
    let held = a
        .ok(&format!(
            "/api/v1/notifications?include_filtered=true&account_id={}",
            dave.id
        ))
        .await;
    assert_eq!(held, json!([]));

    // Someone else's request is not found; dropping keeps nothing at all.
    env.post(&dave, "@alice again", Visibility::Public).await;
    let rid = a.ok("/api/v1/notifications/requests").await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = Client::new(&srv, token(&env, "bob", "read write").await);
    assert_eq!(
        b.get(&format!("/api/v1/notifications/requests/{rid}"))
            .await
            .0,
        404
    );
    assert_eq!(
        b.post(
            &format!("/api/v1/notifications/requests/{rid}/accept"),
            json!({})
        )
        .await
        .0,
        404
    );
    let (s, _) = patch(json!({"for_not_following": "drop"})).await;
    assert_eq!(s, 200);
    env.post(&erin, "@alice are you there", Visibility::Public)
        .await;
    let held = a
        .ok(&format!(
            "/api/v1/notifications?include_filtered=true&account_id={}",
            erin.id
        ))
        .await;
    assert_eq!(
        held.as_array().unwrap().len(),
        1,
        "only the one from before the policy"
    );
    assert_eq!(
        accts(&a.ok("/api/v1/notifications/requests").await),
        ["dave"]
    );
}

#[tokio::test]
async fn unsolicited_private_mentions_are_filtered_but_replies_to_you_are_not() {
    let env = env().await;
    let alice = env.user("alice").await;
    let frank = env.user("frank").await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write").await);
    let r = crate::common::client()
        .patch(srv.url("/api/v2/notifications/policy"))
        .bearer_auth(&a.token)
        .form(&[("for_private_mentions", "filter")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    env.post(&frank, "@alice psst", Visibility::Direct).await;
    env.post(&frank, "@alice in public", Visibility::Public)
        .await;
    let mine = env
        .post(&alice, "@frank a question", Visibility::Direct)
        .await;
    env.reply(&frank, &mine, "@alice an answer", Visibility::Direct)
        .await;
    let seen = a.ok("/api/v1/notifications").await;
    let texts: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"]["content"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts[0].contains("an answer") && texts[1].contains("in public"),
        "{texts:?}"
    );
    let reqs = a.ok("/api/v1/notifications/requests").await;
    assert_eq!(reqs[0]["notifications_count"], "1");
    assert!(
        reqs[0]["last_status"]["content"]
            .as_str()
            .unwrap()
            .contains("psst")
    );
    // Unread counts leave filtered notifications out too.
    assert_eq!(a.ok("/api/v1/notifications/unread_count").await["count"], 2);
}
