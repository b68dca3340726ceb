//! Smaller parts of the client API: v1 filter writes, several statuses at once,
//! OpenID userinfo, the instance's extended description and weekly activity,
//! the profile directory, featured hashtags and private account notes.
use entity::Visibility;
use serde_json::json;

use crate::client::{Client, token};
use crate::common::env;
use crate::schema::assert_conforms;

#[tokio::test]
async fn v1_filters_are_created_changed_and_deleted() {
    let env = env().await;
    env.user("alice").await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write").await);

    let (s, f) = a
        .post_form(
            "/api/v1/filters",
            "phrase=spoilers&context[]=home&context[]=public&irreversible=true&whole_word=false",
        )
        .await;
    assert_eq!(s, 200, "{f}");
    assert_conforms("V1Filter", &f);
    assert_eq!(f["phrase"], "spoilers");
    assert_eq!(f["irreversible"], true);
    assert_eq!(f["whole_word"], false);
    assert_eq!(f["context"], json!(["home", "public"]));
    let id = f["id"].as_str().unwrap().to_string();
    // It is a v2 filter that hides, with that one keyword.
    let v2 = a.ok("/api/v2/filters").await;
    assert_eq!(v2.as_array().unwrap().len(), 1);
    assert_eq!(v2[0]["filter_action"], "hide");
    assert_eq!(v2[0]["keywords"][0]["keyword"], "spoilers");

    let (s, f) = a
        .put(
            &format!("/api/v1/filters/{id}"),
            json!({"phrase": "finale", "context": ["notifications"], "irreversible": false}),
        )
        .await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["id"], id.as_str());
    assert_eq!(f["phrase"], "finale");
    assert_eq!(f["irreversible"], false);
    assert_eq!(f["context"], json!(["notifications"]));
    assert_eq!(
        a.ok(&format!("/api/v1/filters/{id}")).await["phrase"],
        "finale"
    );

    // Bad input changes nothing.
    let (s, _) = a.post_form("/api/v1/filters", "context[]=home").await;
    assert_eq!(s, 422);
    let (s, _) = a.post_form("/api/v1/filters", "phrase=x").await;
    assert_eq!(s, 422);
    let (s, _) = a
        .put(
            &format!("/api/v1/filters/{id}"),
            json!({"context": ["nowhere"]}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(a.ok("/api/v1/filters").await.as_array().unwrap().len(), 1);

    let (s, _) = a.delete(&format!("/api/v1/filters/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(a.ok("/api/v1/filters").await, json!([]));
    assert_eq!(
        a.ok("/api/v2/filters").await,
        json!([]),
        "the emptied v2 filter went too"
    );
    let (s, _) = a.delete(&format!("/api/v1/filters/{id}")).await;
    assert_eq!(s, 404);
    // Someone else's filter is not found.
    env.user("bob").await;
    let b = Client::new(&srv, token(&env, "bob", "read write").await);
    let (_, f) = a
        .post_form("/api/v1/filters", "phrase=x&context[]=home")
        .await;
    let (s, _) = b
        .delete(&format!("/api/v1/filters/{}", f["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn several_statuses_at_once_in_the_order_asked_and_only_those_visible() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let one = env.post(&alice, "one", Visibility::Public).await;
    let two = env.post(&bob, "two", Visibility::Unlisted).await;
    let secret = env
        .post(&bob, "only for followers", Visibility::Private)
        .await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read").await);
    let got = a
        .ok(&format!(
            "/api/v1/statuses?id[]={}&id[]={}&id[]={}&id[]=12345&id[]=nonsense",
            two.id, secret.id, one.id
        ))
        .await;
    let ids: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [two.id.to_string(), one.id.to_string()]);
    assert_conforms("Status", &got[0]);
    // Without a token, public ones only; with a token lacking read, refused.
    let anon = Client::new(&srv, String::new());
    let got = anon.ok(&format!("/api/v1/statuses?id[]={}", one.id)).await;
    assert_eq!(got.as_array().unwrap().len(), 1);
    let w = Client::new(&srv, token(&env, "alice", "write").await);
    let (s, _) = w.get(&format!("/api/v1/statuses?id[]={}", one.id)).await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn userinfo_extended_description_activity_and_translation_languages() {
    let env = env().await;
    let alice = env.user("alice").await;
    env.post(&alice, "hello", Visibility::Public).await;
    env.post(&alice, "again", Visibility::Public).await;
    let srv = env.serve().await;
    let t = token(&env, "alice", "read").await;
    let a = Client::new(&srv, t);
    let me = a.ok("/oauth/userinfo").await;
    assert_eq!(me["preferred_username"], "alice");
    assert_eq!(me["sub"], alice.uri.as_str());
    assert!(me["picture"].as_str().unwrap().starts_with("http"));
    let anon = Client::new(&srv, String::new());
    assert_eq!(anon.get("/oauth/userinfo").await.0, 401);

    let d = anon.ok("/api/v1/instance/extended_description").await;
    assert_conforms("ExtendedDescription", &d);
    assert!(d["content"].as_str().unwrap().starts_with("<p>"));
    kith::service::instance::update_settings(
        &env.state,
        kith::service::instance::SettingsUpdate {
            name: "Club".into(),
            description: "Rowing & <more>.\n\nSecond paragraph.".into(),
            contact_email: String::new(),
            registrations: "open".into(),
            max_status_chars: "500".into(),
        },
    )
    .await
    .unwrap();
    let d = anon.ok("/api/v1/instance/extended_description").await;
    assert_eq!(
        d["content"],
        "<p>Rowing &amp; &lt;more&gt;.</p><p>Second paragraph.</p>"
    );

    let weeks = anon.ok("/api/v1/instance/activity").await;
    let weeks = weeks.as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    assert_eq!(weeks[0]["statuses"], "2", "{:?}", weeks[0]);
    assert_eq!(weeks[0]["registrations"], "1");
    assert_eq!(
        weeks[0]["logins"], "1",
        "the token made above is one log-in"
    );
    assert_eq!(weeks[1]["statuses"], "0");
    let w0: i64 = weeks[0]["week"].as_str().unwrap().parse().unwrap();
    let w1: i64 = weeks[1]["week"].as_str().unwrap().parse().unwrap();
    assert_eq!(w0 - w1, 7 * 86_400);
    assert_eq!(
        anon.ok("/api/v1/instance/translation_languages").await,
        json!({})
    );
}

#[tokio::test]
async fn the_directory_lists_discoverable_accounts() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    env.user("carol").await;
    env.post(&bob, "bob posts", Visibility::Public).await;
    env.post(&alice, "alice posts later", Visibility::Public)
        .await;
    let srv = env.serve().await;
    let anon = Client::new(&srv, String::new());
    let names = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|a| a["username"].as_str().unwrap().to_string())
            .collect()
    };
    // Active: those who posted, most recent first.
    assert_eq!(
        names(anon.ok("/api/v1/directory?local=true").await),
        ["alice", "bob"]
    );
    // New: everyone, newest first.
    assert_eq!(
        names(anon.ok("/api/v1/directory?order=new").await),
        ["carol", "bob", "alice"]
    );
    assert_eq!(
        names(
            anon.ok("/api/v1/directory?order=new&offset=1&limit=1")
                .await
        ),
        ["bob"]
    );
    let c = Client::new(&srv, token(&env, "carol", "read write").await);
    let r = crate::common::client()
        .patch(srv.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(&c.token)
        .form(&[("discoverable", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        names(anon.ok("/api/v1/directory?order=new").await),
        ["bob", "alice"]
    );
    assert_eq!(anon.get("/api/v1/directory?order=loud").await.0, 422);
    assert_eq!(anon.get("/api/v1/directory?limit=many").await.0, 422);
}

#[tokio::test]
async fn featured_hashtags_and_private_notes() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    env.post(&alice, "out on the river #rowing", Visibility::Public)
        .await;
    env.post(&alice, "again #rowing #river", Visibility::Public)
        .await;
    env.post(&alice, "just friends #rowing", Visibility::Private)
        .await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write").await);
    let b = Client::new(&srv, token(&env, "bob", "read write").await);
    let anon = Client::new(&srv, String::new());

    let sugg = a.ok("/api/v1/featured_tags/suggestions").await;
    let names: Vec<&str> = sugg
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["rowing", "river"], "most used first");
    let (s, f) = a.post_form("/api/v1/featured_tags", "name=%23Rowing").await;
    assert_eq!(s, 200, "{f}");
    assert_conforms("FeaturedTag", &f);
    assert_eq!(f["name"], "rowing");
    assert_eq!(f["statuses_count"], "2", "public and unlisted only");
    assert!(
        f["url"]
            .as_str()
            .unwrap()
            .ends_with("/@alice/tagged/rowing"),
        "{f}"
    );
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(f["last_status_at"], today.as_str());
    // Featuring twice is one feature.
    let (s, again) = a
        .post("/api/v1/featured_tags", json!({"name": "rowing"}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(again["id"], f["id"]);
    let (s, _) = a
        .post("/api/v1/featured_tags", json!({"name": "not a tag!"}))
        .await;
    assert_eq!(s, 422);
    let (s, _) = a.post("/api/v1/featured_tags", json!({})).await;
    assert_eq!(s, 422);

    let theirs = anon
        .ok(&format!("/api/v1/accounts/{}/featured_tags", alice.id))
        .await;
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    assert_eq!(theirs[0]["name"], "rowing");
    assert_eq!(a.ok("/api/v1/featured_tags").await, theirs);
    let names: Vec<String> = a
        .ok("/api/v1/featured_tags/suggestions")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["river"], "a featured tag is no longer suggested");

    // The Tag entity says whether the viewer features it.
    assert_eq!(a.ok("/api/v1/tags/rowing").await["featuring"], true);
    let (s, t) = a.post("/api/v1/tags/river/feature", json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(t["featuring"], true);
    assert_conforms("Tag", &t);
    let (_, t) = a.post("/api/v1/tags/river/unfeature", json!({})).await;
    assert_eq!(t["featuring"], false);
    assert_eq!(b.ok("/api/v1/tags/rowing").await["featuring"], false);

    // Only ten; someone else cannot remove yours.
    for i in 0..9 {
        let (s, _) = a
            .post("/api/v1/featured_tags", json!({"name": format!("tag{i}")}))
            .await;
        assert_eq!(s, 200);
    }
    let (s, e) = a
        .post("/api/v1/featured_tags", json!({"name": "eleventh"}))
        .await;
    assert_eq!(s, 422, "{e}");
    let id = f["id"].as_str().unwrap();
    assert_eq!(
        b.delete(&format!("/api/v1/featured_tags/{id}")).await.0,
        404
    );
    assert_eq!(
        a.delete(&format!("/api/v1/featured_tags/{id}")).await.0,
        200
    );
    assert_eq!(
        a.ok("/api/v1/featured_tags")
            .await
            .as_array()
            .unwrap()
            .len(),
        9
    );

    // Private notes: only the writer sees them, in the Relationship.
    let (s, r) = a
        .post(
            &format!("/api/v1/accounts/{}/note", bob.id),
            json!({"comment": "Met at the regatta"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_conforms("Relationship", &r);
    assert_eq!(r["note"], "Met at the regatta");
    let rs = a
        .ok(&format!("/api/v1/accounts/relationships?id[]={}", bob.id))
        .await;
    assert_eq!(rs[0]["note"], "Met at the regatta");
    let theirs = b
        .ok(&format!("/api/v1/accounts/relationships?id[]={}", alice.id))
        .await;
    assert_eq!(theirs[0]["note"], "");
    let long = "x".repeat(2001);
    let (s, _) = a
        .post(
            &format!("/api/v1/accounts/{}/note", bob.id),
            json!({"comment": long}),
        )
        .await;
    assert_eq!(s, 422);
    let (_, r) = a
        .post(
            &format!("/api/v1/accounts/{}/note", bob.id),
            json!({"comment": ""}),
        )
        .await;
    assert_eq!(r["note"], "");
    assert_eq!(
        a.post("/api/v1/accounts/999/note", json!({"comment": "?"}))
            .await
            .0,
        404
    );
    let ro = Client::new(&srv, token(&env, "alice", "read").await);
    assert_eq!(
        ro.post(
            &format!("/api/v1/accounts/{}/note", bob.id),
            json!({"comment": "x"})
        )
        .await
        .0,
        403
    );
}

#[tokio::test]
async fn a_muted_thread_notifies_no_more_until_unmuted() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let root = env
        .post(&alice, "what do you all think?", Visibility::Public)
        .await;
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write").await);
    env.reply(&bob, &root, "@alice I think yes", Visibility::Public)
        .await;
    assert_eq!(
        a.ok("/api/v1/notifications")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let (s, st) = a
        .post(&format!("/api/v1/statuses/{}/mute", root.id), json!({}))
        .await;
    assert_eq!(s, 200, "{st}");
    assert_eq!(st["muted"], true);
    assert_conforms("Status", &st);
    assert_eq!(
        a.ok(&format!("/api/v1/statuses/{}", root.id)).await["muted"],
        true
    );
    let reply = env
        .reply(&bob, &root, "@alice and another thing", Visibility::Public)
        .await;
    kith::service::interactions::favourite(&env.state, &bob, root.id)
        .await
        .unwrap();
    assert_eq!(
        a.ok("/api/v1/notifications")
            .await
            .as_array()
            .unwrap()
            .len(),
        1,
        "neither the reply nor the favourite notifies"
    );
    // The reply is in the muted thread too; other threads still notify.
    assert_eq!(
        a.ok(&format!("/api/v1/statuses/{}", reply.id)).await["muted"],
        true
    );
    let other = env.post(&alice, "another topic", Visibility::Public).await;
    env.reply(&bob, &other, "@alice sure", Visibility::Public)
        .await;
    assert_eq!(
        a.ok("/api/v1/notifications")
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let (s, st) = a
        .post(&format!("/api/v1/statuses/{}/unmute", reply.id), json!({}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(st["muted"], false);
    env.reply(&bob, &root, "@alice last word", Visibility::Public)
        .await;
    assert_eq!(
        a.ok("/api/v1/notifications")
            .await
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // Bob's view of the status is his own.
    let b = Client::new(&srv, token(&env, "bob", "read write").await);
    assert_eq!(
        b.ok(&format!("/api/v1/statuses/{}", root.id)).await["muted"],
        false
    );
    let ro = Client::new(&srv, token(&env, "alice", "read").await);
    assert_eq!(
        ro.post(&format!("/api/v1/statuses/{}/mute", root.id), json!({}))
            .await
            .0,
        403
    );
    assert_eq!(a.post("/api/v1/statuses/404/mute", json!({})).await.0, 404);
}
