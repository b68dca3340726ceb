//! Regression tests for what the conformance run (tests/conformance) found:
//! responses that did not match the upstream OpenAPI schema.
use entity::Visibility;
use serde_json::json;

use crate::client::{Client, token};
use crate::common::{env, env_with};
use crate::schema::assert_conforms;

#[tokio::test]
async fn search_finds_hashtags_as_whole_tags() {
    let env = env().await;
    let alice = env.user("alice").await;
    env.post(&alice, "all about #conformance", Visibility::Public)
        .await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read").await);
    let found = a.ok("/api/v2/search?q=conform&type=hashtags").await;
    assert_conforms("Search", &found);
    let tag = &found["hashtags"][0];
    assert_eq!(tag["name"], "conformance");
    assert!(tag["id"].is_string(), "{tag}");
    assert_eq!(tag["history"].as_array().unwrap().len(), 7);
    assert_eq!(tag["following"], false);
}

#[tokio::test]
async fn validation_errors_carry_details() {
    let env = env().await;
    env.user("alice").await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write").await);
    let (s, v) = a.post("/api/v1/lists", json!({})).await;
    assert_eq!(s, 422, "{v}");
    assert_conforms("ValidationError", &v);
    assert!(v["details"].is_object(), "{v}");
}

#[tokio::test]
async fn oauth_metadata_names_userinfo_and_userinfo_answers() {
    let env = env().await;
    let alice = env.user("alice").await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "profile").await);
    let meta = a.ok("/.well-known/oauth-authorization-server").await;
    assert_conforms("DiscoverOauthServerConfigurationResponse", &meta);
    let base = env.state.base_url();
    assert_eq!(meta["userinfo_endpoint"], format!("{base}/oauth/userinfo"));
    let info = a.ok("/oauth/userinfo").await;
    assert_eq!(info["sub"], alice.uri.as_str());
    assert_eq!(info["preferred_username"], "alice");
    assert_eq!(info["iss"], format!("{base}/"));
    let (s, _) = a.post("/oauth/userinfo", json!({})).await;
    assert_eq!(s, 200);
    let nobody = Client::new(&srv, String::new());
    let (s, v) = nobody.get("/oauth/userinfo").await;
    assert_eq!(s, 401, "{v}");
}

#[tokio::test]
async fn instance_names_its_source_and_contact() {
    let env = env_with(&[
        ("source_url", "https://code.example/kith"),
        ("contact_email", "admins@example.org"),
    ])
    .await;
    let srv = env.serve().await;
    let http = crate::common::client();
    let v2: serde_json::Value = http
        .get(srv.url("/api/v2/instance"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_conforms("Instance", &v2);
    assert_eq!(v2["source_url"], "https://code.example/kith");
    assert_eq!(v2["contact"]["email"], "admins@example.org");
}

#[tokio::test]
async fn tag_urls_are_percent_encoded() {
    let env = env().await;
    env.user("alice").await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write").await);
    let (s, f) = a.post("/api/v1/featured_tags", json!({"name": "ò"})).await;
    assert_eq!(s, 200, "{f}");
    assert_conforms("FeaturedTag", &f);
    assert!(
        f["url"]
            .as_str()
            .unwrap()
            .ends_with("/@alice/tagged/%C3%B2"),
        "{f}"
    );
    let t = a.ok("/api/v1/tags/%C3%B2").await;
    assert!(t["url"].as_str().unwrap().ends_with("/tags/%C3%B2"), "{t}");
}
