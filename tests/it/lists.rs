//! Lists over the client API: CRUD, members, the list timeline with its replies
//! policies, exclusive lists and the `list` stream.
use entity::Visibility;
use kith::service::relationships::{FollowOptions, follow};
use serde_json::{Value, json};

use crate::client::{Client, next_event, socket, token};
use crate::common::env;
use crate::schema::assert_conforms;

#[tokio::test]
async fn lists_members_timelines_and_streams() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let carol = env.user("carol").await;
    let dave = env.user("dave").await;
    for target in [&bob, &carol] {
        follow(&env.state, &alice, target.id, FollowOptions::default())
            .await
            .unwrap();
    }
    let srv = env.serve().await;
    let a = Client::new(&srv, token(&env, "alice", "read write").await);

    // Create (a form, as many apps send), read, update (JSON).
    let (s, list) = a
        .post_form("/api/v1/lists", "title=Friends&replies_policy=list")
        .await;
    assert_eq!(s, 200, "{list}");
    assert_conforms("List", &list);
    assert_eq!(list["replies_policy"], "list");
    assert_eq!(list["exclusive"], false);
    let id = list["id"].as_str().unwrap().to_string();
    let (s, _) = a.post("/api/v1/lists", json!({"title": "  "})).await;
    assert_eq!(s, 422);
    let (s, _) = a
        .post(
            "/api/v1/lists",
            json!({"title": "x", "replies_policy": "all"}),
        )
        .await;
    assert_eq!(s, 422);
    let all = a.ok("/api/v1/lists").await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    let (s, renamed) = a
        .put(&format!("/api/v1/lists/{id}"), json!({"title": "Pals"}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(renamed["title"], "Pals");
    assert_eq!(renamed["replies_policy"], "list");

    // Members: only followed accounts; `account_ids[]` in a form or JSON.
    let (s, _) = a
        .post_form(
            &format!("/api/v1/lists/{id}/accounts"),
            &format!("account_ids[]={}", bob.id),
        )
        .await;
    assert_eq!(s, 200);
    let (s, body) = a
        .post(
            &format!("/api/v1/lists/{id}/accounts"),
            json!({"account_ids": [dave.id.to_string()]}),
        )
        .await;
    assert_eq!(s, 422, "{body}");
    let members = a.ok(&format!("/api/v1/lists/{id}/accounts")).await;
    assert_eq!(members.as_array().unwrap().len(), 1);
    assert_eq!(members[0]["id"], bob.id.to_string());
    assert_conforms("Account", &members[0]);
    let of_bob = a.ok(&format!("/api/v1/accounts/{}/lists", bob.id)).await;
    assert_eq!(of_bob[0]["id"], id.as_str());
    let of_carol = a.ok(&format!("/api/v1/accounts/{}/lists", carol.id)).await;
    assert_eq!(of_carol, json!([]));

    // Someone else's list does not exist for them.
    let d = Client::new(&srv, token(&env, "dave", "read write").await);
    let (s, _) = d.get(&format!("/api/v1/lists/{id}")).await;
    assert_eq!(s, 404);
    let (s, _) = d.get(&format!("/api/v1/timelines/list/{id}")).await;
    assert_eq!(s, 404);
    // A read-only token cannot change lists.
    let ro = Client::new(&srv, token(&env, "alice", "read").await);
    let (s, _) = ro.post("/api/v1/lists", json!({"title": "no"})).await;
    assert_eq!(s, 403);

    // The list stream, before anything is posted.
    let mut ws = socket(&srv, &a.token, json!({"stream": "list", "list": id})).await;
    // Someone else's list cannot be streamed.
    let (s, _) = d.get(&format!("/api/v1/streaming/list?list={id}")).await;
    assert_eq!(s, 404);

    let by_bob = env.post(&bob, "bob posts", Visibility::Public).await;
    let by_carol = env.post(&carol, "carol posts", Visibility::Public).await;
    let bob_to_carol = env
        .reply(
            &bob,
            &by_carol,
            "@carol a reply to carol",
            Visibility::Public,
        )
        .await;
    let bob_to_self = env
        .reply(&bob, &by_bob, "a thread", Visibility::Public)
        .await;

    let update = next_event(&mut ws, "update").await;
    assert_eq!(update["stream"], json!(["list", id]));
    let payload: Value = serde_json::from_str(update["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["id"], by_bob.id.to_string());
    assert_conforms("Status", &payload);
    // Carol's post and Bob's reply to Carol (policy `list`: Carol is no member)
    // are not streamed: the next update is Bob's reply to himself.
    let update = next_event(&mut ws, "update").await;
    let payload: Value = serde_json::from_str(update["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["id"], bob_to_self.id.to_string());

    let timeline = format!("/api/v1/timelines/list/{id}");
    assert_eq!(
        a.ids(&timeline).await,
        vec![bob_to_self.id.to_string(), by_bob.id.to_string()]
    );
    for s in a.ok(&timeline).await.as_array().unwrap() {
        assert_conforms("Status", s);
    }
    // `followed`: replies to anyone Alice follows; `none`: no replies to others.
    a.put(
        &format!("/api/v1/lists/{id}"),
        json!({"replies_policy": "followed"}),
    )
    .await;
    assert_eq!(
        a.ids(&timeline).await,
        vec![
            bob_to_self.id.to_string(),
            bob_to_carol.id.to_string(),
            by_bob.id.to_string()
        ]
    );
    a.put(
        &format!("/api/v1/lists/{id}"),
        json!({"replies_policy": "none"}),
    )
    .await;
    assert_eq!(
        a.ids(&timeline).await,
        vec![bob_to_self.id.to_string(), by_bob.id.to_string()]
    );
    // Paging.
    let page = a.ids(&format!("{timeline}?limit=1")).await;
    assert_eq!(page, vec![bob_to_self.id.to_string()]);
    let page = a
        .ids(&format!("{timeline}?limit=1&max_id={}", bob_to_self.id))
        .await;
    assert_eq!(page, vec![by_bob.id.to_string()]);

    // Exclusive: the members' posts leave the home timeline.
    let home = a.ids("/api/v1/timelines/home").await;
    assert!(home.contains(&by_bob.id.to_string()));
    a.put(&format!("/api/v1/lists/{id}"), json!({"exclusive": true}))
        .await;
    let home = a.ids("/api/v1/timelines/home").await;
    assert!(!home.contains(&by_bob.id.to_string()), "{home:?}");
    assert!(home.contains(&by_carol.id.to_string()));
    // ... and the user stream, while the list stream still has them.
    let mut user_ws = socket(&srv, &a.token, json!({"stream": "user"})).await;
    let exclusive = env.post(&bob, "only on the list", Visibility::Public).await;
    let after = env.post(&carol, "carol again", Visibility::Public).await;
    let update = next_event(&mut user_ws, "update").await;
    let payload: Value = serde_json::from_str(update["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["id"], after.id.to_string());
    let update = next_event(&mut ws, "update").await;
    let payload: Value = serde_json::from_str(update["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["id"], exclusive.id.to_string());

    // Unfollowing takes the account off the list; removing members works too.
    kith::service::relationships::unfollow(&env.state, &alice, bob.id)
        .await
        .unwrap();
    assert_eq!(
        a.ok(&format!("/api/v1/lists/{id}/accounts")).await,
        json!([])
    );
    follow(&env.state, &alice, bob.id, FollowOptions::default())
        .await
        .unwrap();
    a.post(
        &format!("/api/v1/lists/{id}/accounts"),
        json!({"account_ids": [bob.id.to_string()]}),
    )
    .await;
    let (s, _) = a
        .delete_form(
            &format!("/api/v1/lists/{id}/accounts"),
            &format!("account_ids[]={}", bob.id),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        a.ok(&format!("/api/v1/lists/{id}/accounts")).await,
        json!([])
    );

    let (s, _) = a.delete(&format!("/api/v1/lists/{id}")).await;
    assert_eq!(s, 200);
    let (s, _) = a.get(&format!("/api/v1/lists/{id}")).await;
    assert_eq!(s, 404);
    let (s, _) = a.get("/api/v1/lists/not-a-number").await;
    assert_eq!(s, 404);
}
