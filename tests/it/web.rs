//! The web site without JavaScript: forms post and redirect, sessions, CSRF,
//! escaping, registration modes, content negotiation and the live event stream.
use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, COOKIE, LOCATION, SET_COOKIE};

use crate::common::{AP, Running, TestEnv, env, env_with};

/// A browser without JavaScript: keeps cookies, does not follow redirects.
struct Browser {
    http: reqwest::Client,
    base: String,
    jar: BTreeMap<String, String>,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn new(srv: &Running) -> Browser {
        Browser {
            http: crate::common::client(),
            base: srv.url(""),
            jar: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, r: reqwest::Response) -> Page {
        for c in r.headers().get_all(SET_COOKIE) {
            let c = c.to_str().unwrap();
            let first = c.split(';').next().unwrap();
            let (k, v) = first.split_once('=').unwrap();
            if c.contains("Max-Age=0") {
                self.jar.remove(k);
            } else {
                self.jar.insert(k.to_string(), v.to_string());
            }
        }
        Page {
            status: r.status(),
            location: r
                .headers()
                .get(LOCATION)
                .map(|l| l.to_str().unwrap().to_string()),
            body: r.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    fn csrf(&self) -> String {
        self.jar.get("kith_csrf").cloned().unwrap_or_default()
    }

    /// Posts a form with the CSRF token the pages carry.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    /// Signs up through the form and comes back signed in.
    async fn sign_up(&mut self, name: &str) -> Page {
        self.get("/signup").await;
        let email = format!("{name}@example.org");
        let password = format!("password-of-{name}");
        self.post(
            "/signup",
            &[
                ("username", name),
                ("email", &email),
                ("password", &password),
            ],
        )
        .await
    }

    async fn log_in(&mut self, name: &str) -> Page {
        self.get("/login").await;
        let password = format!("password-of-{name}");
        self.post("/login", &[("login", name), ("password", &password)])
            .await
    }
}

/// An admin named boss (password `password-of-boss`).
async fn admin_boss(env: &TestEnv) -> entity::accounts::Model {
    let mut u =
        kith::service::accounts::NewUser::new("boss", "boss@example.org", "password-of-boss");
    u.role = entity::Role::Admin;
    kith::service::accounts::register(&env.state, u)
        .await
        .unwrap()
        .0
}

async fn signed_up(env: &TestEnv, srv: &Running, name: &str) -> (Browser, entity::accounts::Model) {
    let mut b = Browser::new(srv);
    let p = b.sign_up(name).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let a = kith::service::accounts::find_visible_local(&env.state, name)
        .await
        .unwrap();
    (b, a)
}

#[tokio::test]
async fn sign_up_log_out_and_log_in_without_javascript() {
    let env = env().await;
    let srv = env.serve().await;
    let mut b = Browser::new(&srv);
    let landing = b.get("/").await;
    assert_eq!(landing.status, StatusCode::OK);
    assert!(landing.body.contains("Welcome to"), "{}", landing.body);
    assert!(
        b.jar.contains_key("kith_csrf"),
        "the first page sets the CSRF cookie"
    );

    let p = b.sign_up("alice").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location.as_deref(), Some("/"));
    assert!(b.jar.contains_key("kith_session"));
    let feed = b.get("/").await;
    assert!(
        feed.body.contains("name=\"text\""),
        "the feed has a composer"
    );
    assert!(feed.body.contains("href=\"/@alice\""));

    let out = b.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!b.jar.contains_key("kith_session"));
    assert!(b.get("/").await.body.contains("Welcome to"));
    // The session is gone on the server too: the old cookie does not work.
    assert_eq!(b.get("/friends").await.status, StatusCode::SEE_OTHER);

    let bad = b
        .post(
            "/login",
            &[("login", "alice"), ("password", "wrong password")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains("Invalid email or password"));
    let ok = b.log_in("alice").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/friends").await.status, StatusCode::OK);
}

#[tokio::test]
async fn session_cookies_are_httponly_and_lax() {
    let env = env().await;
    let srv = env.serve().await;
    let http = crate::common::client();
    let r = http.get(srv.url("/signup")).send().await.unwrap();
    let csrf_cookie = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"));
    let token = csrf_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let r = http
        .post(srv.url("/signup"))
        .header(COOKIE, format!("kith_csrf={token}"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "bob"),
            ("email", "bob@example.org"),
            ("password", "password-of-bob"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("kith_session="))
        .unwrap();
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    assert!(
        !session.contains("Secure"),
        "plain http in tests: {session}"
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let env = env().await;
    let srv = env.serve().await;
    let (mut b, alice) = signed_up(&env, &srv, "alice").await;
    let r = b
        .post_raw(
            "/web/statuses",
            &[("text", "forged"), ("csrf", "not-the-token")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = b.post_raw("/web/statuses", &[("text", "forged")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(env.reload(&alice).await.statuses_count, 0);
    // A login form from another site is refused as well.
    let mut other = Browser::new(&srv);
    let r = other
        .post_raw(
            "/login",
            &[("login", "alice"), ("password", "password-of-alice")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!other.jar.contains_key("kith_session"));
    // With the token it works.
    let r = b.post("/web/statuses", &[("text", "real")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(env.reload(&alice).await.statuses_count, 1);
}

#[tokio::test]
async fn everything_people_type_is_escaped() {
    let env = env().await;
    let srv = env.serve().await;
    let (mut b, _) = signed_up(&env, &srv, "alice").await;
    b.post(
        "/web/statuses",
        &[("text", "<script>alert(1)</script> & <b>bold</b>")],
    )
    .await;
    let r = b
        .post_multipart_profile(&[
            ("display_name", "<img src=x onerror=alert(2)>"),
            ("bio", "<i>hi</i>"),
        ])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    for path in ["/", "/@alice"] {
        let page = b.get(path).await;
        assert!(!page.body.contains("<script>alert"), "{path}");
        assert!(!page.body.contains("<img src=x"), "{path}");
        assert!(
            page.body.contains("&lt;script&gt;"),
            "{path}: {}",
            page.body
        );
        assert!(!page.body.contains("<b>bold</b>"), "{path}");
    }
    let page = b.get("/@alice").await;
    assert!(page.body.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(!page.body.contains("<i>hi</i>"));
}

impl Browser {
    /// The profile editor posts multipart (it carries the pictures).
    async fn post_multipart_profile(&mut self, fields: &[(&str, &str)]) -> Page {
        self.get("/settings/profile").await;
        let mut form = reqwest::multipart::Form::new().text("csrf", self.csrf());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        form = form.part(
            "avatar",
            reqwest::multipart::Part::bytes(Vec::new()).file_name(""),
        );
        let r = self
            .http
            .post(format!("{}/web/profile", self.base))
            .header(COOKIE, self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }
}

#[tokio::test]
async fn post_comment_like_and_share_without_javascript() {
    let env = env().await;
    let srv = env.serve().await;
    let (mut alice_b, alice) = signed_up(&env, &srv, "alice").await;
    let (mut bob_b, bob) = signed_up(&env, &srv, "bob").await;
    assert_eq!(
        bob_b
            .post(
                "/web/accounts/{}/follow"
                    .replace("{}", &alice.id.to_string())
                    .as_str(),
                &[("back", "/@alice")]
            )
            .await
            .location
            .as_deref(),
        Some("/@alice")
    );
    let r = alice_b
        .post(
            "/web/statuses",
            &[("text", "Hello friends"), ("visibility", "public")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let feed = bob_b.get("/").await;
    assert!(
        feed.body.contains("Hello friends"),
        "bob's feed shows alice's post"
    );
    let post = env.home_ids(&bob).await[0];
    let like = bob_b
        .post(&format!("/web/statuses/{post}/favourite"), &[("back", "/")])
        .await;
    assert_eq!(like.location.as_deref(), Some("/"));
    let share = bob_b
        .post(&format!("/web/statuses/{post}/reblog"), &[("back", "/")])
        .await;
    assert_eq!(share.status, StatusCode::SEE_OTHER);
    let path = format!("/@alice/{post}");
    let c = bob_b
        .post(
            "/web/statuses",
            &[
                ("text", "Nice to see you"),
                ("in_reply_to_id", &post.to_string()),
                ("back", &path),
            ],
        )
        .await;
    assert_eq!(c.location.as_deref(), Some(path.as_str()));
    let page = alice_b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Nice to see you"),
        "the comment is on the post's page"
    );
    assert!(
        page.body.contains("data-count=\"favourites\">1<"),
        "{}",
        page.body
    );
    assert!(page.body.contains("data-count=\"reblogs\">1<"));
    assert!(page.body.contains("data-count=\"replies\">1<"));
    assert!(page.body.contains("og:title"));
    // The JSON answer the script asks for.
    let r = bob_b
        .http
        .post(format!("{}/web/statuses/{post}/unfavourite", bob_b.base))
        .header(COOKIE, bob_b.cookie_header())
        .header(ACCEPT, "application/json")
        .form(&[("csrf", bob_b.csrf())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let j: serde_json::Value = r.json().await.unwrap();
    assert_eq!(j["favourited"], false);
    assert_eq!(j["favourites_count"], 0);
    let _ = bob;
    // A mistake comes back as a message on the page, not an error page.
    let long = "x".repeat(600);
    let r = alice_b
        .post("/web/statuses", &[("text", &long), ("back", "/")])
        .await;
    assert_eq!(r.location.as_deref(), Some("/"));
    let page = alice_b.get("/").await;
    assert!(page.body.contains("class=\"flash\""), "{}", page.body);
}

#[tokio::test]
async fn follow_requests_are_approved_on_the_friends_page() {
    let env = env().await;
    let srv = env.serve().await;
    let (mut alice_b, alice) = signed_up(&env, &srv, "alice").await;
    let (mut bob_b, bob) = signed_up(&env, &srv, "bob").await;
    alice_b
        .post_multipart_profile(&[("display_name", "Alice"), ("locked", "on")])
        .await;
    assert!(env.reload(&alice).await.locked);
    bob_b
        .post(
            &format!("/web/accounts/{}/follow", alice.id),
            &[("back", "/@alice")],
        )
        .await;
    let profile = bob_b.get("/@alice").await;
    assert!(
        profile.body.contains(">Requested<"),
        "the button says requested"
    );
    let friends = alice_b.get("/friends").await;
    assert!(
        friends
            .body
            .contains(&format!("/web/follow_requests/{}/authorize", bob.id))
    );
    let r = alice_b
        .post(
            &format!("/web/follow_requests/{}/authorize", bob.id),
            &[("back", "/friends")],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/friends"));
    let profile = bob_b.get("/@alice").await;
    assert!(profile.body.contains(">Unfollow<"));
    assert_eq!(env.reload(&alice).await.followers_count, 1);
    // Search finds people by name.
    let found = bob_b.get("/friends?q=ali").await;
    assert!(found.body.contains("@alice@kith.test"), "{}", found.body);
}

#[tokio::test]
async fn messages_reach_the_other_person_with_an_unread_badge() {
    let env = env().await;
    let srv = env.serve().await;
    let (mut alice_b, _) = signed_up(&env, &srv, "alice").await;
    let (mut bob_b, _) = signed_up(&env, &srv, "bob").await;
    let r = alice_b
        .post(
            "/web/messages",
            &[("to", "@bob"), ("text", "Lunch tomorrow?")],
        )
        .await;
    let to = r.location.unwrap();
    assert!(to.starts_with("/messages/"), "{to}");
    let list = bob_b.get("/messages").await;
    assert!(list.body.contains("Lunch tomorrow?"));
    assert!(
        list.body.contains("data-unread=\"messages\">"),
        "the badge is shown"
    );
    let conv = bob_b.get(&to).await;
    assert_eq!(conv.status, StatusCode::OK);
    assert!(conv.body.contains("Lunch tomorrow?"));
    let r = bob_b
        .post(
            "/web/messages",
            &[
                ("to", "alice"),
                ("text", "Sure!"),
                ("conversation", to.trim_start_matches("/messages/")),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some(to.as_str()));
    assert!(alice_b.get(&to).await.body.contains("Sure!"));
    // Someone else cannot read it.
    let (mut eve_b, _) = signed_up(&env, &srv, "eve").await;
    assert_eq!(eve_b.get(&to).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn registration_modes_are_respected() {
    let env = env_with(&[("registrations", "approval")]).await;
    let srv = env.serve().await;
    let mut b = Browser::new(&srv);
    let p = b.sign_up("carol").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("approval"), "{}", p.body);
    assert!(!b.jar.contains_key("kith_session"));
    assert_eq!(b.log_in("carol").await.status, StatusCode::FORBIDDEN);

    let env = env_with(&[("registrations", "invite")]).await;
    let srv = env.serve().await;
    let mut b = Browser::new(&srv);
    assert_eq!(b.sign_up("dave").await.status, StatusCode::FORBIDDEN);
    let admin = env.user("boss").await;
    let inv = kith::service::web::create_invite(&env.state, &admin, Some(1), None)
        .await
        .unwrap();
    let mut b = Browser::new(&srv);
    let page = b.get(&format!("/signup?invite={}", inv.code)).await;
    assert!(page.body.contains("name=\"invite\""));
    let r = b
        .post(
            "/signup",
            &[
                ("username", "dave"),
                ("email", "dave@example.org"),
                ("password", "password-of-dave"),
                ("invite", &inv.code),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The invite had one use.
    let mut b = Browser::new(&srv);
    b.get("/signup").await;
    let r = b
        .post(
            "/signup",
            &[
                ("username", "erin"),
                ("email", "erin@example.org"),
                ("password", "password-of-erin"),
                ("invite", &inv.code),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let env = env_with(&[("registrations", "closed")]).await;
    let srv = env.serve().await;
    let mut b = Browser::new(&srv);
    assert!(!b.get("/signup").await.body.contains("name=\"password\""));
    assert_eq!(b.sign_up("frank").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn browsers_get_pages_and_servers_get_activitypub() {
    let env = env().await;
    let srv = env.serve().await;
    let alice = env.user("alice").await;
    let post = env
        .post(&alice, "An open post", entity::Visibility::Public)
        .await;
    let http = crate::common::client();
    let html = http
        .get(srv.url("/users/alice"))
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(html.headers()[LOCATION], "http://kith.test/@alice");
    let page = http.get(srv.url("/@alice")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = page.text().await.unwrap();
    assert!(body.contains("property=\"og:title\""));
    assert!(body.contains("An open post"));
    let note = http
        .get(srv.url(&format!("/users/alice/statuses/{}", post.id)))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    let to = note.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(to.ends_with(&format!("/@alice/{}", post.id)));
    let page = http
        .get(srv.url(&format!("/@alice/{}", post.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("og:description\" content=\"An open post"));
    // ActivityPub clients still get JSON at the actor URL, and are sent there from the page.
    let ap = http
        .get(srv.url("/users/alice"))
        .header(ACCEPT, AP)
        .send()
        .await
        .unwrap();
    assert!(
        ap.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/activity+json")
    );
    let from_page = http
        .get(srv.url("/@alice"))
        .header(ACCEPT, AP)
        .send()
        .await
        .unwrap();
    assert_eq!(
        from_page.headers()[LOCATION],
        "http://kith.test/users/alice"
    );
    // Unknown people and private posts are 404 pages.
    assert_eq!(
        http.get(srv.url("/@nobody")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let secret = env
        .post(&alice, "followers only", entity::Visibility::Private)
        .await;
    let r = http
        .get(srv.url(&format!("/@alice/{}", secret.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_event_stream_brings_new_posts_and_messages() {
    let env = env().await;
    let srv = env.serve().await;
    let (mut alice_b, alice) = signed_up(&env, &srv, "alice").await;
    let (bob_b, bob) = signed_up(&env, &srv, "bob").await;
    alice_b
        .post(&format!("/web/accounts/{}/follow", bob.id), &[])
        .await;
    let r = bob_b
        .http
        .get(format!("{}/web/events", bob_b.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "signed-out browsers get no stream"
    );
    let mut resp = alice_b
        .http
        .get(format!("{}/web/events", alice_b.base))
        .header(COOKIE, alice_b.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    env.post(&bob, "Live from bob <3", entity::Visibility::Public)
        .await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains("event: status") || !seen.contains("Live from bob") {
        let chunk = tokio::time::timeout_at(deadline, resp.chunk())
            .await
            .expect("a status event in time")
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        seen.contains("Live from bob &lt;3"),
        "the HTML is escaped: {seen}"
    );
    let _ = alice;
}

#[tokio::test]
async fn sessions_are_listed_and_revoked_and_passwords_changed() {
    let env = env().await;
    let srv = env.serve().await;
    let (mut first, _) = signed_up(&env, &srv, "alice").await;
    let mut second = Browser::new(&srv);
    second.log_in("alice").await;
    let page = first.get("/settings/account").await;
    assert_eq!(page.body.matches("/revoke\"").count(), 2, "two sessions");
    let r = first
        .post(
            "/web/password",
            &[
                ("current_password", "wrong"),
                ("new_password", "a new password"),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/settings/account"));
    assert!(
        first
            .get("/settings/account")
            .await
            .body
            .contains("Current password is invalid")
    );
    let r = first
        .post(
            "/web/password",
            &[
                ("current_password", "password-of-alice"),
                ("new_password", "a new password"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The other session was logged out; this one stays.
    assert_eq!(second.get("/friends").await.status, StatusCode::SEE_OTHER);
    assert_eq!(first.get("/friends").await.status, StatusCode::OK);
    let mut third = Browser::new(&srv);
    third.get("/login").await;
    let r = third
        .post(
            "/login",
            &[("login", "alice"), ("password", "a new password")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn admins_approve_and_suspend_people() {
    let env = env_with(&[("registrations", "approval")]).await;
    let srv = env.serve().await;
    let boss = admin_boss(&env).await;
    let mut admin = Browser::new(&srv);
    assert_eq!(admin.log_in("boss").await.status, StatusCode::SEE_OTHER);
    let mut carol = Browser::new(&srv);
    carol.sign_up("carol").await;
    let carol_acc = kith::service::accounts::find_local(&env.state, "carol")
        .await
        .unwrap()
        .0;
    let page = admin.get("/admin").await;
    assert!(page.body.contains("carol@example.org"));
    let r = admin
        .post(&format!("/web/admin/users/{}/approve", carol_acc.id), &[])
        .await;
    assert_eq!(r.location.as_deref(), Some("/admin"));
    assert_eq!(carol.log_in("carol").await.status, StatusCode::SEE_OTHER);
    admin
        .post(&format!("/web/admin/users/{}/suspend", carol_acc.id), &[])
        .await;
    assert_eq!(
        carol.get("/friends").await.status,
        StatusCode::SEE_OTHER,
        "a suspended session ends"
    );
    // Not for everyone.
    let mut dave = Browser::new(&srv);
    dave.sign_up("dave").await;
    let dave_acc = kith::service::accounts::find_local(&env.state, "dave")
        .await
        .unwrap()
        .0;
    kith::service::web::approve(&env.state, dave_acc.id)
        .await
        .unwrap();
    dave.log_in("dave").await;
    assert_eq!(dave.get("/admin").await.status, StatusCode::FORBIDDEN);
    let _ = boss;
}

#[tokio::test]
async fn the_consent_page_knows_who_is_signed_in() {
    let env = env().await;
    let srv = env.serve().await;
    let (mut b, _) = signed_up(&env, &srv, "alice").await;
    let app = kith::service::oauth::create_app(
        &env.state,
        "Pocket",
        "urn:ietf:wg:oauth:2.0:oob",
        "read write",
        None,
    )
    .await
    .unwrap();
    let q = format!(
        "/oauth/authorize?response_type=code&client_id={}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read",
        app.app.client_id
    );
    let page = b.get(&q).await;
    assert!(
        page.body.contains("Signed in as <strong>@alice</strong>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("type=\"password\""));
    let oauth_csrf = b.jar.get("kith_oauth_csrf").cloned().unwrap();
    let client_id = app.app.client_id.clone();
    let r = b
        .post_raw(
            "/oauth/authorize",
            &[
                ("csrf", &oauth_csrf),
                ("response_type", "code"),
                ("client_id", &client_id),
                ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
                ("scope", "read"),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Authorization code"), "{}", r.body);
    // Signed out, the password is asked for again.
    let mut other = Browser::new(&srv);
    assert!(other.get(&q).await.body.contains("type=\"password\""));
}

/// Name, description, contact, registration mode, character limit and rules are
/// set on the admin page, take effect at once everywhere (API, NodeInfo,
/// landing page, sign-up, posting), and bad input changes nothing.
#[tokio::test]
async fn admins_change_the_instance_settings_and_rules() {
    let env = env().await;
    let srv = env.serve().await;
    admin_boss(&env).await;
    env.user("poster").await;
    let poster = crate::common::token(&env, "poster").await;
    let http = crate::common::client();
    let instance = || async {
        http.get(srv.url("/api/v2/instance"))
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    assert_eq!(instance().await["title"], "Kith");
    assert_eq!(instance().await["rules"], serde_json::json!([]));

    let mut admin = Browser::new(&srv);
    assert_eq!(admin.log_in("boss").await.status, StatusCode::SEE_OTHER);
    let page = admin.get("/admin").await;
    assert!(
        page.body.contains("name=\"max_status_chars\""),
        "{}",
        page.body
    );
    let r = admin
        .post(
            "/web/admin/settings",
            &[
                ("name", "Riverside <Club>"),
                ("description", "A club for the river.\nBe kind."),
                ("contact_email", "admin@river.example"),
                ("registrations", "invite"),
                ("max_status_chars", "20"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    for (text, hint) in [("No spam", "Ads get you removed"), ("Be kind", "")] {
        let r = admin
            .post("/web/admin/rules", &[("text", text), ("hint", hint)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }

    let v2 = instance().await;
    assert_eq!(v2["title"], "Riverside <Club>");
    assert_eq!(v2["description"], "A club for the river.\nBe kind.");
    assert_eq!(v2["contact"]["email"], "admin@river.example");
    assert_eq!(v2["registrations"]["enabled"], false);
    assert_eq!(v2["configuration"]["statuses"]["max_characters"], 20);
    crate::schema::assert_conforms("Instance", &v2);
    let rules: serde_json::Value = http
        .get(srv.url("/api/v1/instance/rules"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let texts: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["No spam", "Be kind"]);
    assert_eq!(rules[0]["hint"], "Ads get you removed");
    crate::schema::assert_conforms("Rule", &rules[0]);
    let v1: serde_json::Value = http
        .get(srv.url("/api/v1/instance"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v1["title"], "Riverside <Club>");
    assert_eq!(v1["email"], "admin@river.example");
    assert_eq!(v1["rules"].as_array().unwrap().len(), 2);
    let nodeinfo: serde_json::Value = http
        .get(srv.url("/nodeinfo/2.1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(nodeinfo["openRegistrations"], false);
    assert_eq!(nodeinfo["metadata"]["nodeName"], "Riverside <Club>");

    // The landing page shows it (escaped), and sign-up now needs an invite.
    let mut visitor = Browser::new(&srv);
    let landing = visitor.get("/").await;
    assert!(
        landing.body.contains("Riverside &lt;Club&gt;"),
        "{}",
        landing.body
    );
    assert!(!landing.body.contains("Riverside <Club>"));
    assert!(landing.body.contains("A club for the river."));
    assert!(landing.body.contains("No spam") && landing.body.contains("Ads get you removed"));
    assert_eq!(
        visitor.sign_up("newcomer").await.status,
        StatusCode::FORBIDDEN
    );

    // The new limit holds for posts.
    let post = |text: &'static str| {
        let http = http.clone();
        let url = srv.url("/api/v1/statuses");
        let poster = poster.clone();
        async move {
            http.post(url)
                .bearer_auth(poster)
                .json(&serde_json::json!({ "status": text }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        post("this is far longer than twenty").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(post("short enough").await, StatusCode::OK);

    // Rules are edited and deleted.
    let first = rules[0]["id"].as_str().unwrap();
    let second = rules[1]["id"].as_str().unwrap();
    admin
        .post(
            &format!("/web/admin/rules/{first}"),
            &[("text", "No spam, no ads"), ("hint", "")],
        )
        .await;
    admin
        .post(&format!("/web/admin/rules/{second}/delete"), &[])
        .await;
    let v2 = instance().await;
    assert_eq!(v2["rules"].as_array().unwrap().len(), 1);
    assert_eq!(v2["rules"][0]["text"], "No spam, no ads");
    assert_eq!(v2["rules"][0]["hint"], "");

    // Bad input is refused with a message, and nothing changes.
    for (key, bad, message) in [
        ("max_status_chars", "lots", "character limit"),
        ("max_status_chars", "0", "character limit"),
        ("registrations", "everyone", "Registrations must be"),
        ("name", " ", "name must be"),
        ("contact_email", "not an address", "is not an email address"),
    ] {
        let mut fields = vec![
            ("name", "Changed"),
            ("description", ""),
            ("contact_email", ""),
            ("registrations", "open"),
            ("max_status_chars", "500"),
        ];
        for f in fields.iter_mut() {
            if f.0 == key {
                f.1 = bad;
            }
        }
        let r = admin.post("/web/admin/settings", &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{key}={bad}");
        let shown = admin.get("/admin").await;
        assert!(shown.body.contains(message), "{key}={bad}: {}", shown.body);
        let v2 = instance().await;
        assert_eq!(v2["title"], "Riverside <Club>", "{key}={bad}");
        assert_eq!(v2["configuration"]["statuses"]["max_characters"], 20);
    }
    let r = admin.post("/web/admin/rules", &[("text", "  ")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(instance().await["rules"].as_array().unwrap().len(), 1);

    // Only admins.
    env.user("member").await;
    let mut member = Browser::new(&srv);
    assert_eq!(member.log_in("member").await.status, StatusCode::SEE_OTHER);
    let r = member
        .post(
            "/web/admin/settings",
            &[
                ("name", "Taken over"),
                ("registrations", "open"),
                ("max_status_chars", "500"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = member.post("/web/admin/rules", &[("text", "Mine")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let v2 = instance().await;
    assert_eq!(v2["title"], "Riverside <Club>");
    assert_eq!(v2["rules"].as_array().unwrap().len(), 1);
}

/// Reports: made through the API (with posts, rules and a category), refused
/// when they point at the wrong things, listed for admins, resolved there.
#[tokio::test]
async fn reports_reach_the_admins_and_are_resolved() {
    let env = env().await;
    let srv = env.serve().await;
    admin_boss(&env).await;
    env.user("reporter").await;
    let troll = env.user("troll").await;
    let other = env.user("other").await;
    let bad = env
        .post(
            &troll,
            "buy cheap things <b>now</b>",
            entity::Visibility::Public,
        )
        .await;
    let unrelated = env.post(&other, "hello", entity::Visibility::Public).await;
    let rule = kith::service::instance::add_rule(&env.state, "No spam", "")
        .await
        .unwrap();
    let t = crate::common::token(&env, "reporter").await;
    let http = crate::common::client();
    let report = |body: serde_json::Value| {
        let http = http.clone();
        let url = srv.url("/api/v1/reports");
        let t = t.clone();
        async move {
            let r = http
                .post(url)
                .bearer_auth(t)
                .json(&body)
                .send()
                .await
                .unwrap();
            let s = r.status();
            (s, r.json::<serde_json::Value>().await.unwrap())
        }
    };
    for bad_body in [
        serde_json::json!({"account_id": troll.id.to_string(), "status_ids": [unrelated.id.to_string()]}),
        serde_json::json!({"account_id": troll.id.to_string(), "category": "boring"}),
        serde_json::json!({"account_id": troll.id.to_string(), "rule_ids": ["12345"]}),
        serde_json::json!({"account_id": troll.id.to_string(), "comment": "x".repeat(1001)}),
        serde_json::json!({"comment": "who?"}),
    ] {
        let (s, e) = report(bad_body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad_body}: {e}");
    }
    let (s, r) = report(serde_json::json!({
        "account_id": troll.id.to_string(),
        "status_ids": [bad.id.to_string()],
        "rule_ids": [rule.id.to_string()],
        "comment": "Spamming the <local> timeline",
        "forward": true,
    }))
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    crate::schema::assert_conforms("Report", &r);
    assert_eq!(r["category"], "violation", "rules make it a violation");
    assert_eq!(
        r["forwarded"], false,
        "a local account is not forwarded anywhere"
    );
    assert_eq!(r["action_taken"], false);
    assert_eq!(r["target_account"]["acct"], "troll");
    assert_eq!(r["status_ids"], serde_json::json!([bad.id.to_string()]));

    let mut admin = Browser::new(&srv);
    assert_eq!(admin.log_in("boss").await.status, StatusCode::SEE_OTHER);
    let page = admin.get("/admin").await;
    assert!(
        page.body.contains("Spamming the &lt;local&gt; timeline"),
        "{}",
        page.body
    );
    assert!(page.body.contains("@reporter"));
    let id = r["id"].as_str().unwrap();
    let done = admin
        .post(&format!("/web/admin/reports/{id}/resolve"), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = admin.get("/admin").await;
    assert!(
        !page.body.contains("Spamming the"),
        "resolved reports leave the list"
    );
    assert_eq!(
        admin
            .post(&format!("/web/admin/reports/{id}/resolve"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Not for everyone.
    let mut member = Browser::new(&srv);
    member.log_in("other").await;
    assert_eq!(
        member
            .post(&format!("/web/admin/reports/{id}/resolve"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
