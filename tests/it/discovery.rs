//! Followed hashtags feeding the home timeline, tags, trends, suggestions,
//! familiar followers, push subscriptions and full-text search of statuses.
use entity::Visibility;
use kith::service::interactions::{favourite, reblog};
use kith::service::relationships::{FollowOptions, block, follow};
use serde_json::json;

use crate::client::{Client, token};
use crate::common::env;
use crate::schema::assert_conforms;

#[tokio::test]
async fn tags_trends_and_suggestions() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let carol = env.user("carol").await;
    let dave = env.user("dave").await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write follow").await);

    // Following a hashtag brings strangers' public posts into the home timeline.
    let (s, t) = a.post("/api/v1/tags/Rust/follow", json!({})).await;
    assert_eq!(s, 200, "{t}");
    assert_conforms("Tag", &t);
    assert_eq!(t["name"], "rust");
    assert_eq!(t["following"], true);
    let tagged = env.post(&carol, "I love #rust", Visibility::Public).await;
    let unlisted = env.post(&carol, "quiet #rust", Visibility::Unlisted).await;
    let untagged = env.post(&carol, "no tag here", Visibility::Public).await;
    let home = a.ids("/api/v1/timelines/home").await;
    assert!(home.contains(&tagged.id.to_string()), "{home:?}");
    assert!(!home.contains(&unlisted.id.to_string()));
    assert!(!home.contains(&untagged.id.to_string()));
    // Not from someone Alice blocks.
    block(&env.state, &alice, dave.id).await.unwrap();
    let blocked = env.post(&dave, "also #rust", Visibility::Public).await;
    assert!(
        !a.ids("/api/v1/timelines/home")
            .await
            .contains(&blocked.id.to_string())
    );

    let followed = a.ok("/api/v1/followed_tags").await;
    assert_eq!(followed.as_array().unwrap().len(), 1);
    assert_conforms("Tag", &followed[0]);
    let t = a.ok("/api/v1/tags/rust").await;
    assert_eq!(t["history"].as_array().unwrap().len(), 7);
    // Today: carol's public #rust post (dave's too: history is not per viewer).
    assert_eq!(t["history"][0]["uses"], "2");
    assert_eq!(t["history"][0]["accounts"], "2");
    let (s, t) = a.post("/api/v1/tags/rust/unfollow", json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(t["following"], false);
    assert_eq!(a.ok("/api/v1/followed_tags").await, json!([]));
    let after = env.post(&carol, "more #rust", Visibility::Public).await;
    assert!(
        !a.ids("/api/v1/timelines/home")
            .await
            .contains(&after.id.to_string())
    );
    let (s, _) = a.get("/api/v1/tags/not%20a%20tag").await;
    assert_eq!(s, 404);

    // Trends: tags by accounts using them, statuses by boosts and favourites.
    env.post(&bob, "#kith is nice", Visibility::Public).await;
    let trends = a.ok("/api/v1/trends/tags").await;
    assert_eq!(trends[0]["name"], "rust");
    assert_eq!(trends[1]["name"], "kith");
    for t in trends.as_array().unwrap() {
        assert_conforms("Tag", t);
    }
    favourite(&env.state, &bob, untagged.id).await.unwrap();
    reblog(&env.state, &bob, tagged.id, None).await.unwrap();
    favourite(&env.state, &alice, tagged.id).await.unwrap();
    let hot = a.ok("/api/v1/trends/statuses").await;
    let ids: Vec<&str> = hot
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![tagged.id.to_string(), untagged.id.to_string()]);
    assert_conforms("Status", &hot[0]);
    assert_eq!(a.ok("/api/v1/trends/links").await, json!([]));

    // Suggestions: friends of friends, not those already followed or dismissed.
    follow(&env.state, &alice, bob.id, FollowOptions::default())
        .await
        .unwrap();
    let erin = env.user("erin").await;
    for target in [&carol, &erin] {
        follow(&env.state, &bob, target.id, FollowOptions::default())
            .await
            .unwrap();
    }
    follow(&env.state, &carol, erin.id, FollowOptions::default())
        .await
        .unwrap();
    follow(&env.state, &alice, carol.id, FollowOptions::default())
        .await
        .unwrap();
    // Alice follows bob and carol; both follow erin; bob follows carol (followed).
    let sugg = a.ok("/api/v2/suggestions").await;
    assert_eq!(sugg.as_array().unwrap().len(), 1, "{sugg}");
    assert_conforms("Suggestion", &sugg[0]);
    assert_eq!(sugg[0]["account"]["id"], erin.id.to_string());
    let fam = a
        .ok(&format!(
            "/api/v1/accounts/familiar_followers?id[]={}&id[]={}",
            erin.id, dave.id
        ))
        .await;
    assert_conforms("FamiliarFollowers", &fam[0]);
    let mut fam_ids: Vec<&str> = fam[0]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    fam_ids.sort();
    let mut expected = vec![bob.id.to_string(), carol.id.to_string()];
    expected.sort();
    assert_eq!(fam_ids, expected);
    assert_eq!(fam[1], json!({"id": dave.id.to_string(), "accounts": []}));
    let (s, _) = a.delete(&format!("/api/v1/suggestions/{}", erin.id)).await;
    assert_eq!(s, 200);
    assert_eq!(a.ok("/api/v2/suggestions").await, json!([]));
    assert_eq!(a.ok("/api/v1/suggestions").await, json!([]));
}

#[tokio::test]
async fn push_subscriptions_are_stored_per_token() {
    let env = env().await;
    env.user("alice").await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read push").await);
    let (s, _) = a.get("/api/v1/push/subscription").await;
    assert_eq!(s, 404);
    let (s, sub) = a
        .post_form(
            "/api/v1/push/subscription",
            "subscription[endpoint]=https://push.example/abc&subscription[keys][p256dh]=BCk\
             &subscription[keys][auth]=xyz&data[alerts][mention]=true&data[alerts][follow]=1\
             &data[policy]=followed",
        )
        .await;
    assert_eq!(s, 200, "{sub}");
    assert_conforms("WebPushSubscription", &sub);
    assert_eq!(sub["endpoint"], "https://push.example/abc");
    assert_eq!(sub["alerts"]["mention"], true);
    assert_eq!(sub["alerts"]["follow"], true);
    assert_eq!(sub["alerts"]["favourite"], false);
    assert_eq!(sub["policy"], "followed");
    let key = sub["server_key"].as_str().unwrap().to_string();
    assert!(key.len() > 80, "an uncompressed P-256 point: {key}");
    let (s, sub) = a
        .put(
            "/api/v1/push/subscription",
            json!({"data": {"alerts": {"favourite": true, "mention": false}}}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(sub["alerts"]["favourite"], true);
    assert_eq!(sub["alerts"]["mention"], false);
    assert_eq!(sub["alerts"]["follow"], true);
    assert_eq!(sub["server_key"], key.as_str(), "the key is kept");
    // Another token of the same user has its own (none).
    let other = Client::new(&srv, token(&env, "alice", "push").await);
    let (s, _) = other.get("/api/v1/push/subscription").await;
    assert_eq!(s, 404);
    // A token without `push` may not.
    let plain = Client::new(&srv, token(&env, "alice", "read").await);
    let (s, _) = plain.get("/api/v1/push/subscription").await;
    assert_eq!(s, 403);
    let (s, body) = a
        .post(
            "/api/v1/push/subscription",
            json!({"subscription": {"endpoint": "nope", "keys": {"p256dh": "a", "auth": "b"}}}),
        )
        .await;
    assert_eq!(s, 422, "{body}");
    let (s, _) = a.delete("/api/v1/push/subscription").await;
    assert_eq!(s, 200);
    let (s, _) = a.get("/api/v1/push/subscription").await;
    assert_eq!(s, 404);
}

/// Search entries made before Kith cut a post's words itself (PostgreSQL's
/// `to_tsvector`, which the migration's `down` puts back) are made again by
/// the migration's `up`, so old posts are found as new ones are.
#[tokio::test]
async fn the_search_words_migration_remakes_older_entries() {
    use migration::MigratorTrait;
    let env = env().await;
    let alice = env.user("alice").await;
    let post = env
        .post(
            &alice,
            "Notes at kith.example/field-guide_2 today",
            Visibility::Public,
        )
        .await;
    assert_eq!(env.found_by_search(&alice, "guide_2").await, vec![post.id]);
    crate::common::migrate_down_through(&env.state.db.write, "m20261205_000016_search_words").await;
    if env.state.db.backend() == sea_orm::DatabaseBackend::Postgres {
        // The parser's entry: `guide_2` was cut in two.
        assert!(env.found_by_search(&alice, "guide_2").await.is_empty());
    }
    migration::Migrator::up(&env.state.db.write, None)
        .await
        .unwrap();
    assert_eq!(env.found_by_search(&alice, "guide_2").await, vec![post.id]);
    assert_eq!(
        env.found_by_search(&alice, "kith example today").await,
        vec![post.id]
    );
}

#[tokio::test]
async fn full_text_search_sees_only_what_the_viewer_may() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let carol = env.user("carol").await;
    follow(&env.state, &carol, bob.id, FollowOptions::default())
        .await
        .unwrap();
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read").await);
    let c = Client::new(&srv, token(&env, "carol", "read").await);

    let public = env
        .post(&alice, "The quick brown fox jumps", Visibility::Public)
        .await;
    let private = env
        .post(&bob, "a secret fox den", Visibility::Private)
        .await;
    let gone = env
        .post(&bob, "a fox that will go", Visibility::Public)
        .await;
    kith::service::statuses::delete(&env.state, &bob, gone.id)
        .await
        .unwrap();
    let found = |v: serde_json::Value| -> Vec<String> {
        v["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        found(a.ok("/api/v2/search?q=fox&type=statuses").await),
        vec![public.id.to_string()]
    );
    assert_eq!(
        found(c.ok("/api/v2/search?q=FOX&type=statuses").await),
        vec![private.id.to_string(), public.id.to_string()]
    );
    // Every word must match; words match by their start.
    assert_eq!(
        found(c.ok("/api/v2/search?q=secret%20den&type=statuses").await),
        vec![private.id.to_string()]
    );
    assert_eq!(
        found(a.ok("/api/v2/search?q=jump&type=statuses").await),
        vec![public.id.to_string()]
    );
    assert!(found(a.ok("/api/v2/search?q=fox%20den&type=statuses").await).is_empty());
    assert!(found(a.ok("/api/v2/search?q=%22OR%20*&type=statuses").await).is_empty());
    // Offsets page through.
    assert_eq!(
        found(
            c.ok("/api/v2/search?q=fox&type=statuses&limit=1&offset=1")
                .await
        ),
        vec![public.id.to_string()]
    );
    // Edits are searchable at once.
    kith::service::statuses::edit(
        &env.state,
        &alice,
        public.id,
        kith::service::statuses::StatusEdit {
            text: "a lazy dog".into(),
            spoiler_text: String::new(),
            sensitive: false,
            language: None,
        },
    )
    .await
    .unwrap();
    assert!(found(a.ok("/api/v2/search?q=quick&type=statuses").await).is_empty());
    assert_eq!(
        found(a.ok("/api/v2/search?q=lazy&type=statuses").await),
        vec![public.id.to_string()]
    );
    // A post's words are cut as a query's are, on either database: a word
    // inside an address or after a hyphen is found by itself.
    let link = env
        .post(
            &alice,
            "Notes at kith.example/field-guide_2 today",
            Visibility::Public,
        )
        .await;
    for q in ["guide_2", "field%20guide", "kith.example", "EXAMPLE"] {
        assert_eq!(
            found(a.ok(&format!("/api/v2/search?q={q}&type=statuses")).await),
            vec![link.id.to_string()],
            "{q}"
        );
    }
}
