//! The Mastodon client API over real HTTP: OAuth flows, scopes, and the shapes
//! of the entities, checked against the upstream OpenAPI schema.
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Running, TestEnv, client, env, token};
use crate::schema::assert_conforms;

struct Api<'a> {
    srv: &'a Running,
    http: reqwest::Client,
}

impl Api<'_> {
    async fn app(&self, scopes: &str, redirect: &str) -> Value {
        let r = self
            .http
            .post(self.srv.url("/api/v1/apps"))
            .form(&[
                ("client_name", "Test App"),
                ("redirect_uris", redirect),
                ("scopes", scopes),
                ("website", "https://app.example"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_conforms("CredentialApplication", &v);
        v
    }

    async fn password_token(&self, app: &Value, user: &str, scope: &str) -> String {
        let r = self
            .http
            .post(self.srv.url("/oauth/token"))
            .form(&[
                ("grant_type", "password"),
                ("client_id", app["client_id"].as_str().unwrap()),
                ("client_secret", app["client_secret"].as_str().unwrap()),
                ("username", &format!("{user}@example.org")),
                ("password", &format!("password-of-{user}")),
                ("scope", scope),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_conforms("Token", &v);
        v["access_token"].as_str().unwrap().to_string()
    }

    async fn get(&self, token: &str, path: &str) -> (StatusCode, Value, Option<String>) {
        let r = self
            .http
            .get(self.srv.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let link = r
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_string());
        (r.status(), r.json().await.unwrap_or(Value::Null), link)
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(self.srv.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }
}

async fn setup(env: &TestEnv) -> (Running, reqwest::Client) {
    (env.serve().await, client())
}

#[tokio::test]
async fn apps_tokens_and_scopes() {
    let env = env().await;
    env.user("alice").await;
    let (srv, http) = setup(&env).await;
    let api = Api { srv: &srv, http };
    let app = api
        .app("read write follow", "urn:ietf:wg:oauth:2.0:oob")
        .await;

    // Bad apps are refused with a reason.
    let r = api
        .http
        .post(srv.url("/api/v1/apps"))
        .json(&json!({"client_name": "x", "redirect_uris": "http://evil.example/cb"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = api.http.post(srv.url("/api/v1/apps")).json(&json!({"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read omnipotence"})).send().await.unwrap();
    assert_eq!(r.status(), 400);

    // Wrong password, wrong secret.
    let r = api
        .http
        .post(srv.url("/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", app["client_id"].as_str().unwrap()),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("username", "alice"),
            ("password", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let r = api
        .http
        .post(srv.url("/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", app["client_id"].as_str().unwrap()),
            ("client_secret", "wrong"),
            ("username", "alice"),
            ("password", "password-of-alice"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");

    // A read-only token reads but cannot post.
    let read = api.password_token(&app, "alice", "read").await;
    let (s, me, _) = api.get(&read, "/api/v1/accounts/verify_credentials").await;
    assert_eq!(s, 200);
    assert_conforms("CredentialAccount", &me);
    assert_eq!(me["username"], "alice");
    assert_eq!(
        me["avatar"],
        "http://kith.test/avatars/original/missing.png"
    );
    let (s, e) = api
        .post(&read, "/api/v1/statuses", json!({"status": "hi"}))
        .await;
    assert_eq!(s, 403);
    assert_eq!(e["error"], "This action is outside the authorized scopes");
    // No token, a bad token.
    let r = api
        .http
        .get(srv.url("/api/v1/timelines/home"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (s, e, _) = api
        .get("not-a-token", "/api/v1/accounts/verify_credentials")
        .await;
    assert_eq!(s, 401);
    assert!(e["error"].is_string());

    // An app token (client credentials) has no user.
    let r = api
        .http
        .post(srv.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", app["client_id"].as_str().unwrap()),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap();
    let app_token = r.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, v, _) = api.get(&app_token, "/api/v1/apps/verify_credentials").await;
    assert_eq!(s, 200);
    assert_conforms("Application", &v);
    let (s, _, _) = api
        .get(&app_token, "/api/v1/accounts/verify_credentials")
        .await;
    assert_eq!(s, 422);

    // Revoked tokens stop working.
    let r = api
        .http
        .post(srv.url("/oauth/revoke"))
        .form(&[
            ("client_id", app["client_id"].as_str().unwrap()),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("token", read.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (s, _, _) = api.get(&read, "/api/v1/accounts/verify_credentials").await;
    assert_eq!(s, 401);

    let meta: Value = api
        .http
        .get(srv.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(meta["token_endpoint"], "http://kith.test/oauth/token");
}

/// The authorization-code flow with PKCE, played the way a browser would.
#[tokio::test]
async fn authorization_code_with_pkce_through_the_consent_page() {
    use base64::Engine;
    use sha2::Digest;
    let env = env().await;
    env.user("alice").await;
    let (srv, http) = setup(&env).await;
    let api = Api { srv: &srv, http };
    let redirect = "http://127.0.0.1:9/callback";
    let app = api.app("read write", redirect).await;
    let verifier = "a-long-random-verifier-string-of-at-least-43-characters-xyz";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let client_id = app["client_id"].as_str().unwrap();

    let page = api
        .http
        .get(srv.url("/oauth/authorize/"))
        .query(&[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect),
            ("scope", "read write"),
            ("state", "xyz"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Authorise Test App") && html.contains("<li>write</li>"),
        "{html}"
    );
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let form = |login: &str, password: &str, decision: &str, csrf: &str| {
        vec![
            ("response_type".to_string(), "code".to_string()),
            ("client_id".into(), client_id.to_string()),
            ("redirect_uri".into(), redirect.to_string()),
            ("scope".into(), "read write".into()),
            ("state".into(), "xyz".into()),
            ("code_challenge".into(), challenge.clone()),
            ("code_challenge_method".into(), "S256".into()),
            ("login".into(), login.into()),
            ("password".into(), password.into()),
            ("decision".into(), decision.into()),
            ("csrf".into(), csrf.into()),
        ]
    };
    // Without the CSRF cookie, or with a wrong password, nothing is granted.
    let r = api
        .http
        .post(srv.url("/oauth/authorize"))
        .form(&form("alice", "password-of-alice", "approve", &csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = api
        .http
        .post(srv.url("/oauth/authorize"))
        .header("cookie", &cookie)
        .form(&form("alice", "wrong", "approve", &csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Invalid email or password")
    );
    // Deny: back to the app with an error.
    let r = api
        .http
        .post(srv.url("/oauth/authorize"))
        .header("cookie", &cookie)
        .form(&form("", "", "deny", &csrf))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=access_denied")
    );
    // Approve: a code and the state come back.
    let r = api
        .http
        .post(srv.url("/oauth/authorize"))
        .header("cookie", &cookie)
        .form(&form("alice", "password-of-alice", "approve", &csrf))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(redirect));
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "xyz");
    let code = q["code"].clone();

    let exchange = |verifier: &str| {
        api.http.post(srv.url("/oauth/token")).form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("redirect_uri", redirect),
            ("code", code.as_str()),
            ("code_verifier", verifier),
        ])
    };
    let r = exchange("the-wrong-verifier-the-wrong-verifier-the-wrong-verifier")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "a wrong verifier spends the code too");
    let r = exchange(verifier).send().await.unwrap();
    assert_eq!(r.status(), 400, "a code is good once");

    // A fresh code, exchanged properly.
    let r = api
        .http
        .post(srv.url("/oauth/authorize"))
        .header("cookie", &cookie)
        .form(&form("alice", "password-of-alice", "approve", &csrf))
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let code2 = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .to_string();
    let r = api
        .http
        .post(srv.url("/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("redirect_uri", redirect),
            ("code", code2.as_str()),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let token: Value = r.json().await.unwrap();
    assert_eq!(token["scope"], "read write");
    let (s, me, _) = api
        .get(
            token["access_token"].as_str().unwrap(),
            "/api/v1/accounts/verify_credentials",
        )
        .await;
    assert_eq!(
        (s, me["username"].clone()),
        (StatusCode::OK, json!("alice"))
    );
}

#[tokio::test]
async fn statuses_timelines_and_notifications_look_like_mastodon() {
    let env = env().await;
    env.user("alice").await;
    env.user("bob").await;
    let (srv, http) = setup(&env).await;
    let api = Api { srv: &srv, http };
    let app = api
        .app("read write follow", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let alice = api.password_token(&app, "alice", "read write follow").await;
    let bob = api.password_token(&app, "bob", "read write follow").await;
    let (_, bob_me, _) = api.get(&bob, "/api/v1/accounts/verify_credentials").await;
    let bob_id = bob_me["id"].as_str().unwrap().to_string();

    let (s, rel) = api
        .post(
            &alice,
            &format!("/api/v1/accounts/{bob_id}/follow"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_conforms("Relationship", &rel);
    assert_eq!(rel["following"], true);

    let mut ids = Vec::new();
    for i in 0..3 {
        let (s, st) = api
            .post(
                &bob,
                "/api/v1/statuses",
                json!({"status": format!("post {i} #kith @alice"), "visibility": "public"}),
            )
            .await;
        assert_eq!(s, 200, "{st}");
        assert_conforms("Status", &st);
        ids.push(st["id"].as_str().unwrap().to_string());
    }
    let (s, e) = api
        .post(&bob, "/api/v1/statuses", json!({"status": ""}))
        .await;
    assert_eq!(s, 422);
    assert!(e["error"].as_str().unwrap().contains("can't be blank"));
    let (s, _) = api
        .post(
            &bob,
            "/api/v1/statuses",
            json!({"status": "x", "visibility": "everyone"}),
        )
        .await;
    assert_eq!(s, 422);

    // Home timeline, two at a time, following the Link header as apps do.
    let (s, page1, link) = api.get(&alice, "/api/v1/timelines/home?limit=2").await;
    assert_eq!(s, 200);
    let page1 = page1.as_array().unwrap().clone();
    assert_eq!(page1.len(), 2);
    for st in &page1 {
        assert_conforms("Status", st);
    }
    assert_eq!(page1[0]["id"], ids[2].as_str());
    assert_eq!(page1[0]["favourited"], false);
    let link = link.unwrap();
    let next = link
        .split(", ")
        .find(|p| p.ends_with("rel=\"next\""))
        .unwrap();
    let next = next
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .replace("http://kith.test", "");
    assert!(next.contains(&format!("max_id={}", ids[1])), "{link}");
    assert!(
        link.contains(&format!("min_id={}", ids[2])) && link.contains("rel=\"prev\""),
        "{link}"
    );
    let (_, page2, _) = api.get(&alice, &next).await;
    assert_eq!(
        page2
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].clone())
            .collect::<Vec<_>>(),
        vec![json!(ids[0])]
    );

    // Favourite and boost; bob is notified; the status shows the counts and flags.
    let (s, fav) = api
        .post(
            &alice,
            &format!("/api/v1/statuses/{}/favourite", ids[0]),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (fav["favourited"].clone(), fav["favourites_count"].clone()),
        (json!(true), json!(1))
    );
    let (s, boost) = api
        .post(
            &alice,
            &format!("/api/v1/statuses/{}/reblog", ids[0]),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_conforms("Status", &boost);
    assert_eq!(boost["reblog"]["id"], ids[0].as_str());
    assert_eq!(boost["reblogged"], true);
    let (_, notes, _) = api.get(&bob, "/api/v1/notifications").await;
    let notes = notes.as_array().unwrap().clone();
    let kinds: Vec<&str> = notes.iter().map(|n| n["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["reblog", "favourite", "follow"]);
    for n in &notes {
        assert_conforms("Notification", n);
    }
    let (_, only_follows, _) = api.get(&bob, "/api/v1/notifications?types[]=follow").await;
    assert_eq!(only_follows.as_array().unwrap().len(), 1);
    let (_, mentions, _) = api
        .get(&alice, "/api/v1/notifications?exclude_types[]=follow")
        .await;
    assert_eq!(
        mentions.as_array().unwrap().len(),
        3,
        "three mentions of alice"
    );

    // A reply, its context, and a delete that returns the source.
    let (_, reply) = api
        .post(
            &alice,
            "/api/v1/statuses",
            json!({"status": "@bob nice", "in_reply_to_id": ids[0]}),
        )
        .await;
    assert_eq!(reply["in_reply_to_id"], ids[0].as_str());
    let (_, ctx, _) = api
        .get(&bob, &format!("/api/v1/statuses/{}/context", ids[0]))
        .await;
    assert_conforms("Context", &ctx);
    assert_eq!(ctx["descendants"][0]["id"], reply["id"]);
    let r = api
        .http
        .delete(srv.url(&format!(
            "/api/v1/statuses/{}",
            reply["id"].as_str().unwrap()
        )))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["text"], "@bob nice");
    let (s, _, _) = api
        .get(
            &alice,
            &format!("/api/v1/statuses/{}", reply["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(s, 404);

    // Accounts, relationships, lookup, the instance.
    let (_, acct, _) = api.get(&alice, &format!("/api/v1/accounts/{bob_id}")).await;
    assert_conforms("Account", &acct);
    assert_eq!(acct["followers_count"], 1);
    let (_, rels, _) = api
        .get(
            &alice,
            &format!("/api/v1/accounts/relationships?id[]={bob_id}"),
        )
        .await;
    assert_eq!(rels[0]["following"], true);
    let (_, looked, _) = api.get(&alice, "/api/v1/accounts/lookup?acct=bob").await;
    assert_eq!(looked["id"], bob_id.as_str());
    let (s, _, _) = api.get(&alice, "/api/v1/accounts/lookup?acct=nobody").await;
    assert_eq!(s, 404);
    let (_, statuses, link) = api
        .get(
            &alice,
            &format!("/api/v1/accounts/{bob_id}/statuses?limit=2"),
        )
        .await;
    assert_eq!(statuses.as_array().unwrap().len(), 2);
    assert!(link.is_some());
    let (_, inst, _) = api.get(&alice, "/api/v2/instance").await;
    assert_conforms("Instance", &inst);
    assert!(
        inst["version"]
            .as_str()
            .unwrap()
            .starts_with("4.3.0 (compatible; Kith ")
    );
    let (_, inst1, _) = api.get(&alice, "/api/v1/instance").await;
    assert_conforms("V1Instance", &inst1);
    let r = api
        .http
        .get(srv.url("/avatars/original/missing.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    let (s, public, _) = api.get(&alice, "/api/v1/timelines/public?local=true").await;
    assert_eq!(s, 200);
    assert_eq!(public.as_array().unwrap().len(), 3);

    // The home feed reads each author in the page's own query: every author
    // there is the account as its own endpoint shows it.
    let (_, home, _) = api.get(&alice, "/api/v1/timelines/home").await;
    let home = home.as_array().unwrap();
    assert!(home.iter().any(|s| s["account"]["id"] == bob_id.as_str()));
    for s in home {
        let id = s["account"]["id"].as_str().unwrap();
        let (_, shown, _) = api.get(&alice, &format!("/api/v1/accounts/{id}")).await;
        assert_eq!(s["account"], shown, "the author of {}", s["id"]);
    }

    // Unfollow empties the home timeline of bob's posts.
    let (_, rel) = api
        .post(
            &alice,
            &format!("/api/v1/accounts/{bob_id}/unfollow"),
            json!({}),
        )
        .await;
    assert_eq!(rel["following"], false);
    let (_, home, _) = api.get(&alice, "/api/v1/timelines/home").await;
    assert!(
        home.as_array()
            .unwrap()
            .iter()
            .all(|s| s["account"]["id"] != bob_id.as_str())
    );
}

#[tokio::test]
async fn lists_search_tags_and_registration() {
    let env = crate::common::env_with(&[("registrations", "approval")]).await;
    env.user("alice").await;
    env.user("bob").await;
    let (srv, http) = setup(&env).await;
    let api = Api { srv: &srv, http };
    let app = api
        .app("read write follow", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let alice = api.password_token(&app, "alice", "read write follow").await;
    let bob = api.password_token(&app, "bob", "read write follow").await;
    let (_, bob_me, _) = api.get(&bob, "/api/v1/accounts/verify_credentials").await;
    let bob_id = bob_me["id"].as_str().unwrap().to_string();

    let (_, st) = api
        .post(
            &bob,
            "/api/v1/statuses",
            json!({"status": "about #RustLang and kith"}),
        )
        .await;
    let (_, dm) = api
        .post(
            &bob,
            "/api/v1/statuses",
            json!({"status": "@alice secret", "visibility": "direct"}),
        )
        .await;
    api.post(
        &alice,
        &format!("/api/v1/statuses/{}/favourite", st["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    api.post(
        &alice,
        &format!("/api/v1/statuses/{}/bookmark", st["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    let (_, favs, _) = api.get(&alice, "/api/v1/favourites").await;
    assert_eq!(favs[0]["id"], st["id"]);
    let (_, marks, _) = api.get(&alice, "/api/v1/bookmarks").await;
    assert_eq!(marks[0]["bookmarked"], true);

    // The DM shows up as a conversation for both; reading it clears the unread flag.
    let (_, convs, _) = api.get(&alice, "/api/v1/conversations").await;
    assert_eq!(convs[0]["last_status"]["id"], dm["id"]);
    assert_eq!(convs[0]["unread"], true);
    assert_eq!(convs[0]["accounts"][0]["id"], bob_id.as_str());
    let (s, read) = api
        .post(
            &alice,
            &format!(
                "/api/v1/conversations/{}/read",
                convs[0]["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!((s, read["unread"].clone()), (StatusCode::OK, json!(false)));

    api.post(
        &alice,
        &format!("/api/v1/accounts/{bob_id}/mute"),
        json!({"notifications": false}),
    )
    .await;
    let (_, mutes, _) = api.get(&alice, "/api/v1/mutes").await;
    assert_eq!(mutes[0]["id"], bob_id.as_str());
    api.post(
        &alice,
        &format!("/api/v1/accounts/{bob_id}/block"),
        json!({}),
    )
    .await;
    let (_, blocks, _) = api.get(&alice, "/api/v1/blocks").await;
    assert_eq!(blocks[0]["id"], bob_id.as_str());
    api.post(
        &alice,
        &format!("/api/v1/accounts/{bob_id}/unblock"),
        json!({}),
    )
    .await;

    // Search and the tag timeline.
    let (_, found, _) = api.get(&alice, "/api/v2/search?q=bo&type=accounts").await;
    assert_eq!(found["accounts"][0]["username"], "bob");
    let (_, found, _) = api.get(&alice, "/api/v2/search?q=rust").await;
    assert_eq!(found["hashtags"][0]["name"], "rustlang");
    assert_eq!(found["statuses"][0]["id"], st["id"]);
    let (_, found, _) = api
        .get(
            &alice,
            &format!(
                "/api/v2/search?q={}&resolve=true",
                st["uri"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(found["statuses"][0]["id"], st["id"]);
    let (_, tagged, _) = api.get(&alice, "/api/v1/timelines/tag/RustLang").await;
    assert_eq!(tagged.as_array().unwrap().len(), 1);

    // Sign-up from an app: approval mode gives a token that waits for approval.
    let r = api
        .http
        .post(srv.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", app["client_id"].as_str().unwrap()),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("scope", "read write"),
        ])
        .send()
        .await
        .unwrap();
    let app_token = r.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, e) = api.post(&app_token, "/api/v1/accounts", json!({"username": "carol", "email": "carol@example.org", "password": "a long password", "agreement": false})).await;
    assert_eq!(s, 422, "{e}");
    let (s, tok) = api.post(&app_token, "/api/v1/accounts", json!({"username": "carol", "email": "carol@example.org", "password": "a long password", "agreement": true})).await;
    assert_eq!(s, 200, "{tok}");
    assert_conforms("Token", &tok);
    let (s, e, _) = api
        .get(
            tok["access_token"].as_str().unwrap(),
            "/api/v1/accounts/verify_credentials",
        )
        .await;
    assert_eq!(s, 403);
    assert!(e["error"].as_str().unwrap().contains("pending approval"));
    let (s, _) = api.post(&app_token, "/api/v1/accounts", json!({"username": "carol", "email": "other@example.org", "password": "a long password", "agreement": true})).await;
    assert_eq!(s, 422, "the name is taken");
}

#[tokio::test]
async fn requests_are_rate_limited_per_token_and_address() {
    let env = crate::common::env_with(&[("rate_limit", "3")]).await;
    env.user("alice").await;
    let (srv, http) = setup(&env).await;
    for i in 0..3 {
        let r = http.get(srv.url("/api/v1/instance")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-ratelimit-limit"], "3");
        assert_eq!(
            r.headers()["x-ratelimit-remaining"].to_str().unwrap(),
            (2 - i).to_string()
        );
        assert!(r.headers().contains_key("x-ratelimit-reset"));
    }
    let r = http.get(srv.url("/api/v1/instance")).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "Too many requests"
    );
    // A token has its own allowance; the federation endpoints are not API calls.
    let app = kith::service::oauth::create_app(
        &env.state,
        "x",
        "urn:ietf:wg:oauth:2.0:oob",
        "read",
        None,
    )
    .await
    .unwrap();
    let tok = kith::service::oauth::password_grant(
        &env.state,
        &app.app,
        "alice",
        "password-of-alice",
        None,
    )
    .await
    .unwrap();
    let r = http
        .get(srv.url("/api/v1/accounts/verify_credentials"))
        .bearer_auth(&tok.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .get(srv.url("/.well-known/nodeinfo"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn markers_and_idempotent_posts() {
    let env = env().await;
    env.user("alice").await;
    let (srv, http) = setup(&env).await;
    let api = Api { srv: &srv, http };
    let app = api.app("read write", "urn:ietf:wg:oauth:2.0:oob").await;
    let alice = api.password_token(&app, "alice", "read write").await;

    let first = api
        .http
        .post(srv.url("/api/v1/statuses"))
        .bearer_auth(&alice)
        .header("Idempotency-Key", "k1")
        .json(&json!({"status": "once"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let again = api
        .http
        .post(srv.url("/api/v1/statuses"))
        .bearer_auth(&alice)
        .header("Idempotency-Key", "k1")
        .json(&json!({"status": "once"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        first["id"], again["id"],
        "a retried post is not posted twice"
    );
    let other = api
        .http
        .post(srv.url("/api/v1/statuses"))
        .bearer_auth(&alice)
        .header("Idempotency-Key", "k2")
        .json(&json!({"status": "once"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_ne!(first["id"], other["id"]);

    let (_, empty, _) = api.get(&alice, "/api/v1/markers?timeline[]=home").await;
    assert_eq!(empty, json!({}));
    let (s, m) = api
        .post(
            &alice,
            "/api/v1/markers",
            json!({"home": {"last_read_id": first["id"]}}),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(m["home"]["last_read_id"], first["id"]);
    assert_eq!(m["home"]["version"], 0);
    let r = api
        .http
        .post(srv.url("/api/v1/markers"))
        .bearer_auth(&alice)
        .form(&[
            ("home[last_read_id]", other["id"].as_str().unwrap()),
            ("notifications[last_read_id]", "5"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, both, _) = api
        .get(
            &alice,
            "/api/v1/markers?timeline[]=home&timeline[]=notifications",
        )
        .await;
    assert_eq!(both["home"]["last_read_id"], other["id"]);
    assert_eq!(both["home"]["version"], 1);
    assert_eq!(both["notifications"]["last_read_id"], "5");
    assert_conforms("Marker", &both["home"]);
    let (s, _) = api
        .post(
            &alice,
            "/api/v1/markers",
            json!({"elsewhere": {"last_read_id": "1"}}),
        )
        .await;
    assert_eq!(s, 422);
}

/// A bearer token is read with its app, account and user in one statement, by
/// column position (`db::rows`): each comes out as sea-orm reads it by name,
/// and an app's own token (no account) has none.
#[tokio::test]
async fn a_token_is_read_with_its_owner_column_for_column() {
    use entity::{accounts, oauth_applications, oauth_tokens, users};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let env = env().await;
    let owner = env.user("owner").await;
    let bearer = token(&env, "owner").await;
    let db = &env.state.db.read;
    let found = kith::db::oauth::token_auth_by_hash(db, &kith::service::oauth::hash(&bearer))
        .await
        .unwrap()
        .expect("the token is found");
    let token = oauth_tokens::Entity::find_by_id(found.token.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.token, token);
    let app = oauth_applications::Entity::find_by_id(token.application_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.app, app);
    let user = users::Entity::find()
        .filter(users::Column::AccountId.eq(owner.id))
        .one(db)
        .await
        .unwrap();
    let account = accounts::Entity::find_by_id(owner.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert!(user.is_some());
    assert_eq!(found.account, Some((account, user)));

    let app_token = kith::service::oauth::client_credentials_grant(&env.state, &app, None)
        .await
        .unwrap()
        .access_token;
    let found = kith::db::oauth::token_auth_by_hash(db, &kith::service::oauth::hash(&app_token))
        .await
        .unwrap()
        .expect("the app's token is found");
    assert_eq!(found.app, app);
    assert_eq!(found.account, None);
    assert_eq!(found.token.account_id, None);
}
