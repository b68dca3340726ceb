//! What other servers fetch from a Kith instance: WebFinger, host-meta, NodeInfo,
//! actors, notes, activities and collections, over real HTTP.
use entity::Visibility;
use kith::service::relationships::{FollowOptions, follow};
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde_json::Value;

use crate::common::{AP, client, env};

async fn get_json(url: &str, accept: &str) -> (u16, String, Value) {
    let r = client()
        .get(url)
        .header(ACCEPT, accept)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = r.json().await.unwrap_or(Value::Null);
    (status, ct, body)
}

#[tokio::test]
async fn webfinger_finds_local_accounts_by_acct_and_by_url() {
    let env = env().await;
    env.user("alice").await;
    let srv = env.serve().await;
    let (status, ct, jrd) = get_json(
        &srv.url("/.well-known/webfinger?resource=acct:alice@kith.test"),
        "application/jrd+json",
    )
    .await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/jrd+json"), "{ct}");
    assert_eq!(jrd["subject"], "acct:alice@kith.test");
    let links = jrd["links"].as_array().unwrap();
    let me = links.iter().find(|l| l["rel"] == "self").unwrap();
    assert_eq!(me["type"], "application/activity+json");
    assert_eq!(me["href"], "http://kith.test/users/alice");
    let page = links
        .iter()
        .find(|l| l["rel"] == "http://webfinger.net/rel/profile-page")
        .unwrap();
    assert_eq!(page["href"], "http://kith.test/@alice");

    for resource in [
        "acct:ALICE@kith.test",
        "http://kith.test/users/alice",
        "http://kith.test/@alice",
        "alice@kith.test",
    ] {
        let (status, _, jrd) = get_json(
            &srv.url(&format!("/.well-known/webfinger?resource={resource}")),
            "*/*",
        )
        .await;
        assert_eq!(status, 200, "{resource}");
        assert_eq!(jrd["subject"], "acct:alice@kith.test", "{resource}");
    }
    for (resource, want) in [
        ("acct:nobody@kith.test", 404),
        ("acct:alice@elsewhere.example", 404),
        ("http://elsewhere.example/users/alice", 404),
        ("acct:", 400),
    ] {
        let (status, _, body) = get_json(
            &srv.url(&format!("/.well-known/webfinger?resource={resource}")),
            "*/*",
        )
        .await;
        assert_eq!(status, want, "{resource}");
        assert!(body["error"].is_string(), "{resource}: {body}");
    }
    let (status, _, _) = get_json(&srv.url("/.well-known/webfinger"), "*/*").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn host_meta_and_nodeinfo_report_real_figures() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    env.post(&alice, "one", Visibility::Public).await;
    env.post(&alice, "two", Visibility::Private).await;
    env.post(&bob, "three", Visibility::Public).await;
    let srv = env.serve().await;

    let r = client()
        .get(srv.url("/.well-known/host-meta"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/xrd+xml")
    );
    assert!(
        r.text()
            .await
            .unwrap()
            .contains(r#"template="http://kith.test/.well-known/webfinger?resource={uri}""#)
    );

    let (status, _, links) = get_json(&srv.url("/.well-known/nodeinfo"), "application/json").await;
    assert_eq!(status, 200);
    let hrefs: Vec<&str> = links["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["href"].as_str().unwrap())
        .collect();
    assert_eq!(
        hrefs,
        vec![
            "http://kith.test/nodeinfo/2.0",
            "http://kith.test/nodeinfo/2.1"
        ]
    );
    for v in ["2.0", "2.1"] {
        let (status, ct, ni) =
            get_json(&srv.url(&format!("/nodeinfo/{v}")), "application/json").await;
        assert_eq!(status, 200);
        assert!(ct.contains(&format!("schema/{v}#")), "{ct}");
        assert_eq!(ni["version"], v);
        assert_eq!(ni["software"]["name"], "kith");
        assert_eq!(ni["protocols"], serde_json::json!(["activitypub"]));
        assert_eq!(ni["openRegistrations"], true);
        assert_eq!(ni["usage"]["users"]["total"], 2);
        assert_eq!(ni["usage"]["users"]["activeMonth"], 2);
        assert_eq!(ni["usage"]["localPosts"], 3);
    }
    let (status, _, _) = get_json(&srv.url("/nodeinfo/9.9"), "application/json").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn actors_are_served_as_activity_json_and_browsers_are_redirected() {
    let env = env().await;
    let alice = env.user("alice").await;
    let mut m = alice.clone().into_active_model();
    m.display_name = Set("Alice A.".into());
    m.note = Set("<p>Hi</p>".into());
    m.fields = Set(
        serde_json::json!([{"name": "Site", "value": "<a href=\"https://a.example\">a.example</a>"}]),
    );
    m.update(&env.state.db.write).await.unwrap();
    let srv = env.serve().await;

    for accept in [
        AP,
        r#"application/ld+json; profile="https://www.w3.org/ns/activitystreams""#,
    ] {
        let (status, ct, p) = get_json(&srv.url("/users/alice"), accept).await;
        assert_eq!(status, 200, "{accept}");
        assert!(ct.starts_with("application/activity+json"), "{ct}");
        assert_eq!(p["@context"][0], "https://www.w3.org/ns/activitystreams");
        assert_eq!(p["id"], "http://kith.test/users/alice");
        assert_eq!(p["type"], "Person");
        assert_eq!(p["preferredUsername"], "alice");
        assert_eq!(p["name"], "Alice A.");
        assert_eq!(p["summary"], "<p>Hi</p>");
        assert_eq!(p["url"], "http://kith.test/@alice");
        assert_eq!(p["inbox"], "http://kith.test/users/alice/inbox");
        assert_eq!(p["outbox"], "http://kith.test/users/alice/outbox");
        assert_eq!(p["followers"], "http://kith.test/users/alice/followers");
        assert_eq!(p["following"], "http://kith.test/users/alice/following");
        assert_eq!(p["endpoints"]["sharedInbox"], "http://kith.test/inbox");
        assert_eq!(
            p["publicKey"]["id"],
            "http://kith.test/users/alice#main-key"
        );
        assert_eq!(p["publicKey"]["owner"], "http://kith.test/users/alice");
        assert!(
            p["publicKey"]["publicKeyPem"]
                .as_str()
                .unwrap()
                .starts_with("-----BEGIN PUBLIC KEY-----")
        );
        assert_eq!(p["manuallyApprovesFollowers"], false);
        assert_eq!(p["discoverable"], true);
        assert!(p["published"].as_str().unwrap().ends_with('Z'));
        assert_eq!(p["attachment"][0]["type"], "PropertyValue");
        assert_eq!(p["attachment"][0]["name"], "Site");
    }
    let r = client()
        .get(srv.url("/users/alice"))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    assert_eq!(r.headers()[LOCATION], "http://kith.test/@alice");

    let (status, _, body) = get_json(&srv.url("/users/nobody"), AP).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "Record not found");
    kith::service::accounts::set_suspended(&env.state, "alice", true)
        .await
        .unwrap();
    let (status, _, _) = get_json(&srv.url("/users/alice"), AP).await;
    assert_eq!(status, 404);
    let (status, _, _) = get_json(
        &srv.url("/.well-known/webfinger?resource=acct:alice@kith.test"),
        AP,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn notes_and_their_create_activities_are_addressed_by_visibility() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let parent = env.post(&bob, "parent", Visibility::Public).await;
    let s = env
        .reply(&alice, &parent, "@bob hello #Kith", Visibility::Public)
        .await;
    let unlisted = env.post(&alice, "quiet", Visibility::Unlisted).await;
    let private = env.post(&alice, "friends", Visibility::Private).await;
    let direct = env.post(&alice, "@bob secret", Visibility::Direct).await;
    let srv = env.serve().await;

    let (status, _, n) = get_json(&srv.url(&format!("/users/alice/statuses/{}", s.id)), AP).await;
    assert_eq!(status, 200);
    assert_eq!(n["type"], "Note");
    assert_eq!(n["id"], s.uri);
    assert_eq!(n["attributedTo"], "http://kith.test/users/alice");
    assert_eq!(n["inReplyTo"], parent.uri);
    assert_eq!(
        n["to"],
        serde_json::json!(["https://www.w3.org/ns/activitystreams#Public"])
    );
    assert_eq!(
        n["cc"],
        serde_json::json!([
            "http://kith.test/users/alice/followers",
            "http://kith.test/users/bob"
        ])
    );
    assert_eq!(n["url"], format!("http://kith.test/@alice/{}", s.id));
    assert!(n["content"].as_str().unwrap().contains("u-url mention"));
    let tags = n["tag"].as_array().unwrap();
    assert!(tags.iter().any(|t| t["type"] == "Mention"
        && t["href"] == "http://kith.test/users/bob"
        && t["name"] == "@bob@kith.test"));
    assert!(tags.iter().any(|t| t["type"] == "Hashtag"
        && t["name"] == "#kith"
        && t["href"] == "http://kith.test/tags/kith"));
    assert_eq!(n["sensitive"], false);
    assert!(n["summary"].is_null());

    let (_, _, u) = get_json(
        &srv.url(&format!("/users/alice/statuses/{}", unlisted.id)),
        AP,
    )
    .await;
    assert_eq!(
        u["to"],
        serde_json::json!(["http://kith.test/users/alice/followers"])
    );
    assert_eq!(
        u["cc"],
        serde_json::json!(["https://www.w3.org/ns/activitystreams#Public"])
    );

    let (status, _, c) = get_json(
        &srv.url(&format!("/users/alice/statuses/{}/activity", s.id)),
        AP,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(c["type"], "Create");
    assert_eq!(c["id"], format!("{}/activity", s.uri));
    assert_eq!(c["actor"], "http://kith.test/users/alice");
    assert_eq!(c["object"]["id"], s.uri);
    assert_eq!(c["to"], n["to"]);

    // Not public: not served to an unsigned fetch. Wrong author or bad id: 404.
    for path in [
        format!("/users/alice/statuses/{}", private.id),
        format!("/users/alice/statuses/{}", direct.id),
        format!("/users/alice/statuses/{}/activity", direct.id),
        format!("/users/alice/statuses/{}", parent.id),
        "/users/alice/statuses/not-a-number".to_string(),
    ] {
        let (status, _, _) = get_json(&srv.url(&path), AP).await;
        assert_eq!(status, 404, "{path}");
    }
    let r = client()
        .get(srv.url(&format!("/users/alice/statuses/{}", s.id)))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    assert_eq!(
        r.headers()[LOCATION].to_str().unwrap(),
        format!("http://kith.test/@alice/{}", s.id)
    );
}

#[tokio::test]
async fn outbox_and_follow_collections_are_paged() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let carol = env.user("carol").await;
    follow(&env.state, &bob, alice.id, FollowOptions::default())
        .await
        .unwrap();
    follow(&env.state, &carol, alice.id, FollowOptions::default())
        .await
        .unwrap();
    let bobs = env.post(&bob, "bob's", Visibility::Public).await;
    let mut ids = Vec::new();
    for i in 0..22 {
        ids.push(
            env.post(&alice, &format!("post {i}"), Visibility::Public)
                .await
                .id,
        );
    }
    env.post(&alice, "private", Visibility::Private).await;
    let boost = kith::service::interactions::reblog(&env.state, &alice, bobs.id, None)
        .await
        .unwrap();
    let srv = env.serve().await;

    let (status, _, c) = get_json(&srv.url("/users/alice/outbox"), AP).await;
    assert_eq!(status, 200);
    assert_eq!(c["type"], "OrderedCollection");
    assert_eq!(c["totalItems"], 24);
    assert_eq!(c["first"], "http://kith.test/users/alice/outbox?page=true");
    let (_, _, p1) = get_json(&srv.url("/users/alice/outbox?page=true"), AP).await;
    assert_eq!(p1["type"], "OrderedCollectionPage");
    let items = p1["orderedItems"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    assert_eq!(items[0]["type"], "Announce");
    assert_eq!(items[0]["id"], boost.uri);
    assert_eq!(items[0]["object"], bobs.uri);
    assert_eq!(items[1]["type"], "Create");
    assert_eq!(items[1]["object"]["content"], "<p>post 21</p>");
    assert!(
        items
            .iter()
            .all(|i| i["object"]["content"] != "<p>private</p>")
    );
    let next = p1["next"].as_str().unwrap().replace("http://kith.test", "");
    let (_, _, p2) = get_json(&srv.url(&next), AP).await;
    let items2 = p2["orderedItems"].as_array().unwrap();
    assert_eq!(items2.len(), 3);
    assert_eq!(items2[2]["object"]["content"], "<p>post 0</p>");
    assert!(p2.get("next").is_none());
    let (status, _, _) = get_json(&srv.url("/users/alice/outbox?page=true&max_id=abc"), AP).await;
    assert_eq!(status, 400);

    let (_, _, f) = get_json(&srv.url("/users/alice/followers"), AP).await;
    assert_eq!(f["totalItems"], 2);
    let (_, _, fp) = get_json(&srv.url("/users/alice/followers?page=true"), AP).await;
    assert_eq!(
        fp["orderedItems"],
        serde_json::json!(["http://kith.test/users/carol", "http://kith.test/users/bob"])
    );
    let (_, _, g) = get_json(&srv.url("/users/bob/following?page=true"), AP).await;
    assert_eq!(
        g["orderedItems"],
        serde_json::json!(["http://kith.test/users/alice"])
    );

    // A locked account shows its counts only.
    let mut m = env.reload(&alice).await.into_active_model();
    m.locked = Set(true);
    m.update(&env.state.db.write).await.unwrap();
    let (_, _, f) = get_json(&srv.url("/users/alice/followers"), AP).await;
    assert_eq!(f["totalItems"], 2);
    assert!(f.get("first").is_none());
    let (_, _, fp) = get_json(&srv.url("/users/alice/followers?page=true"), AP).await;
    assert!(fp.get("orderedItems").is_none());
}
