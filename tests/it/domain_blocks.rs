//! Blocking a domain: followers there are removed (each told with a Reject),
//! and nothing from there reaches the blocker (home feed, notifications,
//! public timelines) until it is unblocked; following people there is refused.
use entity::{Visibility, accounts, deliveries};
use kith::service::relationships::{FollowOptions, follow, receive_accept, receive_follow};
use kith::service::statuses::RemoteStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::client::{Client, token};
use crate::common::{TestEnv, env};

async fn remote(env: &TestEnv, host: &str, name: &str) -> accounts::Model {
    let key = kith::apub::keys::generate().unwrap();
    let id = format!("https://{host}/users/{name}");
    let doc = json!({
        "id": id,
        "type": "Person",
        "preferredUsername": name,
        "inbox": format!("{id}/inbox"),
        "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": key.public_pem },
    });
    let profile = kith::apub::actors::parse_actor(&doc).unwrap();
    kith::service::accounts::upsert_remote(&env.state, profile)
        .await
        .unwrap()
}

async fn remote_post(env: &TestEnv, author: &accounts::Model, n: u32, mention: Option<&str>) {
    kith::service::statuses::receive_remote(
        &env.state,
        author,
        RemoteStatus {
            uri: format!("{}/statuses/{n}", author.uri),
            url: None,
            content_html: format!("<p>post {n}</p>"),
            spoiler_text: String::new(),
            sensitive: false,
            visibility: Visibility::Public,
            published: chrono::Utc::now(),
            in_reply_to_uri: None,
            mention_uris: mention.map(|m| vec![m.to_string()]).unwrap_or_default(),
            tags: Vec::new(),
            language: None,
            attachments: Vec::new(),
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_blocked_domain_reaches_no_one_who_blocks_it() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let spammer = remote(&env, "spam.example", "seller").await;
    let friend = remote(&env, "spam.example", "friend").await;
    let other = remote(&env, "good.example", "neighbour").await;
    // The spammer follows alice; alice follows friend (accepted) and other.
    receive_follow(
        &env.state,
        &spammer,
        &alice,
        "https://spam.example/follows/1",
    )
    .await
    .unwrap();
    for t in [&friend, &other] {
        follow(&env.state, &alice, t.id, FollowOptions::default())
            .await
            .unwrap();
        receive_accept(&env.state, t, &alice).await.unwrap();
    }
    remote_post(&env, &friend, 1, None).await;
    remote_post(&env, &spammer, 2, Some(&alice.uri)).await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write follow").await);
    assert_eq!(
        a.ok("/api/v1/notifications")
            .await
            .as_array()
            .unwrap()
            .len(),
        2,
        "follow and mention"
    );
    let r = a
        .ok(&format!(
            "/api/v1/accounts/relationships?id[]={}",
            spammer.id
        ))
        .await;
    assert_eq!(r[0]["followed_by"], true);
    assert_eq!(r[0]["domain_blocking"], false);

    let (s, _) = a
        .post_form("/api/v1/domain_blocks", "domain=https://SPAM.example/")
        .await;
    assert_eq!(s, 200);
    assert_eq!(a.ok("/api/v1/domain_blocks").await, json!(["spam.example"]));
    let r = a
        .ok(&format!(
            "/api/v1/accounts/relationships?id[]={}",
            spammer.id
        ))
        .await;
    assert_eq!(r[0]["followed_by"], false, "the follower there is removed");
    assert_eq!(r[0]["domain_blocking"], true);
    // ... and its server is told with a Reject.
    let queued = queued_bodies(&env, &format!("{}/inbox", spammer.uri)).await;
    assert!(
        queued.iter().any(|body| body.contains("\"Reject\"")),
        "{queued:?}"
    );
    // Notifications and feed rows from there are gone; alice still follows friend.
    assert_eq!(a.ok("/api/v1/notifications").await, json!([]));
    let home = a.ok("/api/v1/timelines/home").await;
    assert_eq!(home, json!([]), "{home}");
    let r = a
        .ok(&format!(
            "/api/v1/accounts/relationships?id[]={}",
            friend.id
        ))
        .await;
    assert_eq!(r[0]["following"], true);

    // From now on nothing from there reaches alice, but it reaches bob.
    receive_follow(&env.state, &spammer, &bob, "https://spam.example/follows/2")
        .await
        .unwrap();
    remote_post(&env, &friend, 3, Some(&alice.uri)).await;
    remote_post(&env, &other, 4, None).await;
    let home: Vec<String> = a
        .ok("/api/v1/timelines/home")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["account"]["acct"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(home, ["neighbour@good.example"]);
    assert_eq!(a.ok("/api/v1/notifications").await, json!([]));
    let public = a.ok("/api/v1/timelines/public").await;
    assert!(
        public
            .as_array()
            .unwrap()
            .iter()
            .all(|s| !s["account"]["acct"]
                .as_str()
                .unwrap()
                .ends_with("spam.example")),
        "{public}"
    );
    let b = Client::new(&srv, token(&env, "bob", "read").await);
    assert_eq!(
        b.ok("/api/v1/notifications")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let public = b.ok("/api/v1/timelines/public").await;
    assert!(public.as_array().unwrap().len() >= 3, "{public}");

    // Following someone there is refused; bad domains are refused.
    let (s, e) = a
        .post(
            &format!("/api/v1/accounts/{}/follow", spammer.id),
            json!({}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    for bad in ["", "not a domain", "http://", "a/b"] {
        let (s, _) = a
            .post("/api/v1/domain_blocks", json!({ "domain": bad }))
            .await;
        assert_eq!(s, 422, "{bad:?}");
    }
    let own = env.state.config.domain.clone();
    assert_eq!(
        a.post("/api/v1/domain_blocks", json!({ "domain": own }))
            .await
            .0,
        422
    );
    let ro = Client::new(&srv, token(&env, "alice", "read").await);
    assert_eq!(
        ro.post("/api/v1/domain_blocks", json!({"domain": "x.example"}))
            .await
            .0,
        403
    );

    // Unblocked, new posts from there arrive again.
    let (s, _) = a
        .delete_form("/api/v1/domain_blocks", "domain=spam.example")
        .await;
    assert_eq!(s, 200);
    assert_eq!(a.ok("/api/v1/domain_blocks").await, json!([]));
    remote_post(&env, &friend, 5, None).await;
    let home = a.ok("/api/v1/timelines/home").await;
    assert_eq!(home[0]["account"]["acct"], "friend@spam.example");
}

/// A report about someone on another server, forwarded, goes there as a Flag
/// from the instance actor (the reporter stays anonymous).
#[tokio::test]
async fn a_forwarded_report_is_a_flag_from_the_instance_actor() {
    let env = env().await;
    let alice = env.user("alice").await;
    let spammer = remote(&env, "spam.example", "seller").await;
    remote_post(&env, &spammer, 1, None).await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "write:reports").await);
    let (s, r) = a
        .post(
            "/api/v1/reports",
            json!({"account_id": spammer.id.to_string(), "comment": "spam", "forward": true, "category": "spam"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["forwarded"], true);
    assert_eq!(r["category"], "spam");
    let queued = queued_bodies(&env, &format!("{}/inbox", spammer.uri)).await;
    let flag = queued
        .iter()
        .find(|body| body.contains("\"Flag\""))
        .expect("a Flag is queued");
    let body: serde_json::Value = serde_json::from_str(flag).unwrap();
    let actor = env.state.instance_actor().await.unwrap();
    assert_eq!(body["actor"], actor.uri.as_str());
    assert_eq!(body["object"][0], spammer.uri.as_str());
    assert!(!flag.contains(&alice.uri), "the reporter is not named");
}

/// The bodies of the activities queued for `inbox`.
async fn queued_bodies(env: &TestEnv, inbox: &str) -> Vec<String> {
    let queued = deliveries::Entity::find()
        .filter(deliveries::Column::InboxUrl.eq(inbox))
        .all(&env.state.db.read)
        .await
        .unwrap();
    let mut bodies = Vec::new();
    for d in queued {
        let body = entity::delivery_bodies::Entity::find_by_id(d.activity_id.clone())
            .one(&env.state.db.read)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no body for {}", d.activity_id));
        bodies.push(body.body);
    }
    bodies
}
