//! Real Kith instances federating over signed HTTP on loopback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use entity::{NotificationKind, Visibility};
use federation_tests::{eventually, start};
use kith::db::Page;
use kith::service::interactions::favourite;
use kith::service::relationships::{FollowOptions, FollowOutcome, follow, relationship};
use kith::service::statuses::{NewStatus, context, create};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_post_like_and_reply_across_servers() {
    let mut nodes = start(&["alpha", "beta"]).await;
    let beta = nodes.pop().unwrap();
    let alpha = nodes.pop().unwrap();
    let alice = alpha.user("alice").await;
    let bob = beta.user("bob").await;

    // alice finds @bob@beta.test by WebFinger and follows him.
    let bob_at_alpha = alpha.lookup("bob", &beta).await;
    assert_eq!(bob_at_alpha.uri, format!("{}/users/bob", beta.base_url()));
    assert_eq!(bob_at_alpha.domain.as_deref(), Some(beta.domain.as_str()));
    assert_eq!(
        follow(
            &alpha.state,
            &alice,
            bob_at_alpha.id,
            FollowOptions::default()
        )
        .await
        .unwrap(),
        FollowOutcome::Requested
    );

    // beta accepts at once (bob is not locked) and alpha records the follow.
    eventually("alice follows bob on alpha", 30, || async {
        relationship(&alpha.state, &alice, bob_at_alpha.id)
            .await
            .unwrap()
            .following
            .then_some(())
    })
    .await;
    let bob_now = beta.reload(&bob).await;
    assert_eq!(bob_now.followers_count, 1);
    let n = kith::service::notifications::list(&beta.state, &bob, None, &Page::new(20))
        .await
        .unwrap();
    assert_eq!(
        n.iter().map(|n| n.kind).collect::<Vec<_>>(),
        vec![NotificationKind::Follow]
    );

    // bob's post reaches alice's home timeline.
    let post = beta
        .post(&bob, "Hello from beta #kith", Visibility::Public)
        .await;
    eventually("bob's post in alice's home", 30, || async {
        alpha
            .home_uris(&alice)
            .await
            .contains(&post.uri)
            .then_some(())
    })
    .await;
    let copy = alpha.status_by_uri(&post.uri).await.unwrap();
    assert!(!copy.local);
    assert!(copy.content.contains("Hello from beta"));
    assert_eq!(copy.account_id, bob_at_alpha.id);

    // alice likes it: bob sees the count and the notification.
    favourite(&alpha.state, &alice, copy.id).await.unwrap();
    eventually("the like reaches beta", 30, || async {
        let s = beta.status_by_uri(&post.uri).await.unwrap();
        (s.favourites_count == 1).then_some(())
    })
    .await;
    let n = kith::service::notifications::list(
        &beta.state,
        &bob,
        Some(&[NotificationKind::Favourite]),
        &Page::new(20),
    )
    .await
    .unwrap();
    assert_eq!(n.len(), 1);

    // alice replies: the reply is threaded under bob's post on beta and bob is notified.
    let reply = create(
        &alpha.state,
        &alice,
        NewStatus::new(&format!("@bob@{} nice!", beta.domain), Visibility::Public)
            .reply_to(copy.id),
    )
    .await
    .unwrap();
    let reply_at_beta = eventually("the reply reaches beta", 30, || async {
        beta.status_by_uri(&reply.uri).await
    })
    .await;
    assert_eq!(reply_at_beta.in_reply_to_id, Some(post.id));
    let ctx = context(&beta.state, Some(&bob), post.id).await.unwrap();
    assert_eq!(
        ctx.descendants
            .iter()
            .map(|s| s.uri.clone())
            .collect::<Vec<_>>(),
        vec![reply.uri.clone()]
    );
    assert_eq!(
        beta.status_by_uri(&post.uri).await.unwrap().replies_count,
        1
    );
    let n = kith::service::notifications::list(
        &beta.state,
        &bob,
        Some(&[NotificationKind::Mention]),
        &Page::new(20),
    )
    .await
    .unwrap();
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].status_id, Some(reply_at_beta.id));
}

/// Followers-only posts reach followers' servers and nobody else; a direct
/// message reaches only its recipient's server; a delete follows the post.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_visibility_reaches_exactly_its_audience() {
    let mut nodes = start(&["alpha", "beta", "gamma"]).await;
    let gamma = nodes.pop().unwrap();
    let beta = nodes.pop().unwrap();
    let alpha = nodes.pop().unwrap();
    let alice = alpha.user("alice").await;
    let bob = beta.user("bob").await;
    let carol = gamma.user("carol").await;
    let dave = gamma.user("dave").await;

    let bob_at_alpha = alpha.lookup("bob", &beta).await;
    let bob_at_gamma = gamma.lookup("bob", &beta).await;
    alpha.follow_accepted(&alice, &bob_at_alpha).await;

    // Followers-only: alpha (a follower) gets it; gamma (strangers only) does not.
    let private = beta
        .post(&bob, "for my followers", Visibility::Private)
        .await;
    eventually("the private post reaches alice", 30, || async {
        alpha
            .home_uris(&alice)
            .await
            .contains(&private.uri)
            .then_some(())
    })
    .await;
    assert_eq!(
        alpha.status_by_uri(&private.uri).await.unwrap().visibility,
        Visibility::Private
    );
    // beta removes a delivery once alpha has answered, a moment after alpha stored it.
    eventually("everything beta queued was delivered", 30, || async {
        (kith::db::deliveries::count_pending(&beta.state.db.read)
            .await
            .unwrap()
            == 0)
            .then_some(())
    })
    .await;
    assert!(
        gamma.status_by_uri(&private.uri).await.is_none(),
        "no follower on gamma, so nothing was sent there"
    );

    // Once carol follows bob, gamma gets his followers-only posts, but only carol sees them.
    gamma.follow_accepted(&carol, &bob_at_gamma).await;
    let second = beta
        .post(&bob, "followers again", Visibility::Private)
        .await;
    let at_gamma = eventually("the post reaches gamma", 30, || async {
        gamma.status_by_uri(&second.uri).await
    })
    .await;
    assert!(gamma.home_uris(&carol).await.contains(&second.uri));
    assert!(!gamma.home_uris(&dave).await.contains(&second.uri));
    assert!(
        !kith::service::visibility::can_view(&gamma.state.db.read, &at_gamma, Some(&dave))
            .await
            .unwrap()
    );
    assert!(
        kith::service::visibility::can_view(&gamma.state.db.read, &at_gamma, Some(&carol))
            .await
            .unwrap()
    );

    // A direct message to alice reaches alpha only, and only alice may read it.
    let dm = create(
        &beta.state,
        &bob,
        NewStatus::new(
            &format!("@alice@{} just for you", alpha.domain),
            Visibility::Direct,
        ),
    )
    .await
    .unwrap();
    let dm_at_alpha = eventually("the DM reaches alpha", 30, || async {
        alpha.status_by_uri(&dm.uri).await
    })
    .await;
    assert_eq!(dm_at_alpha.visibility, Visibility::Direct);
    assert!(
        kith::service::visibility::can_view(&alpha.state.db.read, &dm_at_alpha, Some(&alice))
            .await
            .unwrap()
    );
    let n = kith::service::notifications::list(
        &alpha.state,
        &alice,
        Some(&[NotificationKind::Mention]),
        &Page::new(20),
    )
    .await
    .unwrap();
    assert_eq!(n.len(), 1);
    eventually("beta's queue drains", 30, || async {
        (kith::db::deliveries::count_pending(&beta.state.db.read)
            .await
            .unwrap()
            == 0)
            .then_some(())
    })
    .await;
    assert!(
        gamma.status_by_uri(&dm.uri).await.is_none(),
        "gamma never saw the DM"
    );

    // A delete reaches every server that has the post.
    kith::service::statuses::delete(&beta.state, &bob, second.id)
        .await
        .unwrap();
    eventually("the delete reaches gamma", 30, || async {
        gamma
            .status_by_uri(&second.uri)
            .await
            .unwrap()
            .deleted_at
            .map(|_| ())
    })
    .await;
    assert!(!gamma.home_uris(&carol).await.contains(&second.uri));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_account_approves_remote_followers_and_unfollowing_stops_delivery() {
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let mut nodes = start(&["alpha", "beta"]).await;
    let beta = nodes.pop().unwrap();
    let alpha = nodes.pop().unwrap();
    let alice = alpha.user("alice").await;
    let bob = beta.user("bob").await;
    let mut m = bob.into_active_model();
    m.locked = Set(true);
    let bob = m.update(&beta.state.db.write).await.unwrap();

    let bob_at_alpha = alpha.lookup("bob", &beta).await;
    assert!(bob_at_alpha.locked, "manuallyApprovesFollowers came across");
    follow(
        &alpha.state,
        &alice,
        bob_at_alpha.id,
        FollowOptions::default(),
    )
    .await
    .unwrap();
    let requests = eventually("the request reaches beta", 30, || async {
        let r = kith::service::relationships::follow_requests(&beta.state, &bob)
            .await
            .unwrap();
        (!r.is_empty()).then_some(r)
    })
    .await;
    assert_eq!(requests[0].username, "alice");
    let r = relationship(&alpha.state, &alice, bob_at_alpha.id)
        .await
        .unwrap();
    assert!(r.requested && !r.following, "still waiting for approval");

    // A second follower is turned down: the Reject travels too.
    let carol = alpha.user("carol").await;
    follow(
        &alpha.state,
        &carol,
        bob_at_alpha.id,
        FollowOptions::default(),
    )
    .await
    .unwrap();
    let carol_at_beta = eventually("carol's request reaches beta", 30, || async {
        kith::service::relationships::follow_requests(&beta.state, &bob)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.username == "carol")
    })
    .await;
    kith::service::relationships::reject_follow_request(&beta.state, &bob, carol_at_beta.id)
        .await
        .unwrap();
    eventually("the Reject reaches alpha", 30, || async {
        (!relationship(&alpha.state, &carol, bob_at_alpha.id)
            .await
            .unwrap()
            .requested)
            .then_some(())
    })
    .await;
    assert!(
        !relationship(&alpha.state, &carol, bob_at_alpha.id)
            .await
            .unwrap()
            .following
    );

    kith::service::relationships::authorize_follow_request(&beta.state, &bob, requests[0].id)
        .await
        .unwrap();
    eventually("the approval reaches alpha", 30, || async {
        relationship(&alpha.state, &alice, bob_at_alpha.id)
            .await
            .unwrap()
            .following
            .then_some(())
    })
    .await;
    let p = beta.post(&bob, "hello follower", Visibility::Private).await;
    eventually("the post reaches alice", 30, || async {
        alpha.home_uris(&alice).await.contains(&p.uri).then_some(())
    })
    .await;

    // Unfollow: beta drops the follower, and later posts are not sent to alpha at all.
    kith::service::relationships::unfollow(&alpha.state, &alice, bob_at_alpha.id)
        .await
        .unwrap();
    eventually("the unfollow reaches beta", 30, || async {
        (beta.reload(&bob).await.followers_count == 0).then_some(())
    })
    .await;
    assert!(!alpha.home_uris(&alice).await.contains(&p.uri));
    let later = beta
        .post(&bob, "after the unfollow", Visibility::Public)
        .await;
    assert_eq!(
        kith::db::deliveries::count_pending(&beta.state.db.read)
            .await
            .unwrap(),
        0,
        "nothing queued for {}",
        later.uri
    );
}

/// A boost on gamma reaches gamma's followers, on gamma and on other servers;
/// undoing it takes it back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_boost_reaches_the_boosters_followers() {
    let mut nodes = start(&["alpha", "beta", "gamma"]).await;
    let gamma = nodes.pop().unwrap();
    let beta = nodes.pop().unwrap();
    let alpha = nodes.pop().unwrap();
    let alice = alpha.user("alice").await;
    let bob = beta.user("bob").await;
    let carol = gamma.user("carol").await;
    let erin = gamma.user("erin").await;
    let post = beta.post(&bob, "worth sharing", Visibility::Public).await;

    follow(&gamma.state, &erin, carol.id, FollowOptions::default())
        .await
        .unwrap();
    let carol_at_alpha = alpha.lookup("carol", &gamma).await;
    alpha.follow_accepted(&alice, &carol_at_alpha).await;

    // carol sees bob's post on gamma (fetched by its URL) and boosts it.
    let at_gamma = kith::apub::inbox::fetch_status(&gamma.state, &post.uri)
        .await
        .unwrap();
    let boost = kith::service::interactions::reblog(&gamma.state, &carol, at_gamma.id, None)
        .await
        .unwrap();
    assert!(
        gamma.home_uris(&erin).await.contains(&post.uri),
        "a local follower sees the boost"
    );
    eventually("the boost reaches alice on alpha", 30, || async {
        alpha
            .home_uris(&alice)
            .await
            .contains(&post.uri)
            .then_some(())
    })
    .await;
    eventually("bob's post counts the boost", 30, || async {
        (beta.status_by_uri(&post.uri).await.unwrap().reblogs_count == 1).then_some(())
    })
    .await;
    let n = kith::service::notifications::list(
        &beta.state,
        &bob,
        Some(&[NotificationKind::Reblog]),
        &Page::new(20),
    )
    .await
    .unwrap();
    assert_eq!(n.len(), 1);
    assert!(
        alpha.status_by_uri(&boost.uri).await.is_some(),
        "alpha stored the boost itself"
    );

    kith::service::interactions::unreblog(&gamma.state, &carol, at_gamma.id)
        .await
        .unwrap();
    eventually("the undo reaches alpha", 30, || async {
        alpha
            .status_by_uri(&boost.uri)
            .await
            .is_none()
            .then_some(())
    })
    .await;
    assert!(!alpha.home_uris(&alice).await.contains(&post.uri));
    eventually("the undo reaches beta", 30, || async {
        (beta.status_by_uri(&post.uri).await.unwrap().reblogs_count == 0).then_some(())
    })
    .await;
}

/// What a hostile or broken sender gets: a 4xx with a reason, and no change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_unsigned_tampered_and_replayed_posts_change_nothing() {
    use kith::apub::signatures::{KeyCache, sign_dated};
    use std::time::{Duration, SystemTime};
    let mut nodes = start(&["alpha", "beta"]).await;
    let beta = nodes.pop().unwrap();
    let alpha = nodes.pop().unwrap();
    let alice = alpha.user("alice").await;
    let bob = beta.user("bob").await;
    let post = beta
        .post(&bob, "like me, if you can", Visibility::Public)
        .await;

    let inbox = url::Url::parse(&format!("{}/inbox", beta.base_url())).unwrap();
    let client = reqwest::Client::builder()
        .resolve("beta.test", beta.addr)
        .build()
        .unwrap();
    let keys = KeyCache::default();
    let key_id = format!("{}#main-key", alice.uri);
    let pem = alice.private_key_pem.clone().unwrap();
    let signed = |body: &[u8], at: SystemTime| {
        sign_dated(
            &keys,
            "POST",
            &inbox,
            Some(body),
            Some("application/activity+json"),
            &key_id,
            &pem,
            at,
        )
        .unwrap()
    };
    let send = |headers: Vec<(&'static str, String)>, body: Vec<u8>, ct: &'static str| {
        let mut req = client
            .post(inbox.clone())
            .header("content-type", ct)
            .body(body);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap())
        }
    };
    let like = |n: u32, actor: &str| {
        serde_json::to_vec(&serde_json::json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}#likes/{n}", alice.uri), "type": "Like", "actor": actor, "object": post.uri,
        }))
        .unwrap()
    };
    let favourites = || async {
        beta.status_by_uri(&post.uri)
            .await
            .unwrap()
            .favourites_count
    };
    const AP: &str = "application/activity+json";

    // Unsigned.
    let (status, body) = send(vec![("date", httpdate_now())], like(1, &alice.uri), AP).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("Signature"), "{body}");
    // Signed, then the body changed on the way.
    let (status, body) = send(
        signed(&like(2, &alice.uri), SystemTime::now()),
        like(3, &alice.uri),
        AP,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Digest"), "{body}");
    // Signed by alice, claiming to be someone else.
    let forged = like(4, &format!("{}/users/mallory", alpha.base_url()));
    let (status, body) = send(signed(&forged, SystemTime::now()), forged.clone(), AP).await;
    assert_eq!(status, 401, "{body}");
    // A request signed 13 hours ago (a replay of an old capture).
    let old = like(5, &alice.uri);
    let (status, _) = send(
        signed(&old, SystemTime::now() - Duration::from_secs(13 * 3600)),
        old.clone(),
        AP,
    )
    .await;
    assert_eq!(status, 401);
    // Wrong content type; broken JSON; too large.
    let (status, _) = send(
        signed(&like(6, &alice.uri), SystemTime::now()),
        like(6, &alice.uri),
        "text/plain",
    )
    .await;
    assert_eq!(status, 415);
    let broken = b"{\"type\": \"Like\", ".to_vec();
    let (status, body) = send(signed(&broken, SystemTime::now()), broken.clone(), AP).await;
    assert_eq!(status, 400, "{body}");
    let huge = vec![b' '; 2 * 1024 * 1024];
    let (status, _) = send(signed(&huge, SystemTime::now()), huge.clone(), AP).await;
    assert_eq!(status, 413);
    assert_eq!(favourites().await, 0, "nothing above changed anything");

    // The real thing is accepted once; sending the very same request again changes nothing.
    let real = like(7, &alice.uri);
    let headers = signed(&real, SystemTime::now());
    let (status, body) = send(headers.clone(), real.clone(), AP).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(favourites().await, 1);
    let (status, _) = send(headers, real, AP).await;
    assert_eq!(status, 202);
    assert_eq!(favourites().await, 1);

    // An activity type nobody here knows is accepted and dropped.
    let bite = serde_json::to_vec(&serde_json::json!({"id": format!("{}#bites/1", alice.uri), "type": "Bite", "actor": alice.uri, "object": bob.uri})).unwrap();
    let (status, _) = send(signed(&bite, SystemTime::now()), bite, AP).await;
    assert_eq!(status, 202);
}

fn httpdate_now() -> String {
    kith::apub::signatures::http_date(std::time::SystemTime::now())
}

/// A peer that is down gets its deliveries once it is back, and a sender that
/// restarts in between loses nothing and sends nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_survive_a_down_peer_and_a_sender_restart() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut nodes = start(&["alpha", "beta"]).await;
    let beta = nodes.pop().unwrap();
    let alpha = nodes.pop().unwrap();
    let alice = alpha.user("alice").await;
    let bob = beta.user("bob").await;
    let bob_at_alpha = alpha.lookup("bob", &beta).await;
    alpha.follow_accepted(&alice, &bob_at_alpha).await;

    let alpha_stopped = alpha.stop().await;
    let mut uris = Vec::new();
    for i in 0..3 {
        uris.push(
            beta.post(&bob, &format!("while alpha sleeps {i}"), Visibility::Public)
                .await
                .uri,
        );
    }
    // beta tries, finds alpha down, and keeps all three queued. Deliveries to a
    // host already known to be down are put off without spending an attempt,
    // so only the ones tried before that are counted.
    eventually("beta tried and failed", 30, || async {
        let rows = entity::deliveries::Entity::find()
            .all(&beta.state.db.read)
            .await
            .unwrap();
        (rows.len() == 3
            && rows.iter().any(|r| r.attempts >= 1)
            && rows.iter().all(|r| r.failed_at.is_none()))
        .then_some(())
    })
    .await;

    // Each post's body is kept once, beside its delivery.
    let bodies = entity::delivery_bodies::Entity::find()
        .all(&beta.state.db.read)
        .await
        .unwrap();
    assert_eq!(bodies.len(), 3);
    assert!(bodies.iter().all(|b| b.body.contains("while alpha sleeps")));

    // beta restarts with the queue in its database; then alpha comes back.
    let beta = beta.stop().await.restart().await;
    let alpha = alpha_stopped.restart().await;
    eventually("all three posts reach alice", 60, || async {
        let home = alpha.home_uris(&alice).await;
        uris.iter().all(|u| home.contains(u)).then_some(())
    })
    .await;
    eventually("beta's queue and its bodies are empty", 30, || async {
        let bodies = entity::delivery_bodies::Entity::find()
            .all(&beta.state.db.read)
            .await
            .unwrap();
        (kith::db::deliveries::count_pending(&beta.state.db.read)
            .await
            .unwrap()
            == 0
            && bodies.is_empty())
        .then_some(())
    })
    .await;
    let home = alpha.home_uris(&alice).await;
    for u in &uris {
        assert_eq!(home.iter().filter(|h| *h == u).count(), 1, "{u} shown once");
        let stored = entity::statuses::Entity::find()
            .filter(entity::statuses::Column::Uri.eq(u.as_str()))
            .all(&alpha.state.db.read)
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
    }
    assert_eq!(
        alpha.reload(&bob_at_alpha).await.statuses_count,
        3,
        "each Create counted once"
    );
}

/// Edits, profile changes and blocks travel too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_profile_updates_and_blocks_propagate() {
    use kith::service::accounts::{ProfileUpdate, update_profile};
    use kith::service::statuses::{StatusEdit, edit};
    let mut nodes = start(&["alpha", "beta"]).await;
    let beta = nodes.pop().unwrap();
    let alpha = nodes.pop().unwrap();
    let alice = alpha.user("alice").await;
    let bob = beta.user("bob").await;
    let bob_at_alpha = alpha.lookup("bob", &beta).await;
    alpha.follow_accepted(&alice, &bob_at_alpha).await;

    let post = beta.post(&bob, "first draft", Visibility::Public).await;
    eventually("the post arrives", 30, || async {
        alpha.status_by_uri(&post.uri).await
    })
    .await;
    let edit_input = StatusEdit {
        text: "second draft #edited".into(),
        spoiler_text: String::new(),
        sensitive: false,
        language: None,
    };
    let edited = edit(&beta.state, &bob, post.id, edit_input).await.unwrap();
    assert!(edited.edited_at.is_some());
    let copy = eventually("the edit arrives", 30, || async {
        alpha
            .status_by_uri(&post.uri)
            .await
            .filter(|s| s.content.contains("second draft"))
    })
    .await;
    assert!(copy.edited_at.is_some());
    assert!(!copy.content.contains("first draft"));

    let update = ProfileUpdate {
        display_name: Some("Bob B.".into()),
        note: Some("I post from beta".into()),
        locked: Some(true),
        fields: Some(vec![("Home".into(), "beta".into())]),
        ..ProfileUpdate::default()
    };
    update_profile(&beta.state, &bob, update).await.unwrap();
    let bob_seen = eventually("the profile update arrives", 30, || async {
        let b = alpha.reload(&bob_at_alpha).await;
        (b.display_name == "Bob B.").then_some(b)
    })
    .await;
    assert_eq!(bob_seen.note, "<p>I post from beta</p>");
    assert!(bob_seen.locked);
    assert_eq!(bob_seen.fields[0]["name"], "Home");

    // bob blocks alice: alpha drops her follow, and bob's posts stop coming.
    kith::service::relationships::block(&beta.state, &bob, beta_account_of(&beta, &alice).await.id)
        .await
        .unwrap();
    eventually("the block reaches alpha", 30, || async {
        (!relationship(&alpha.state, &alice, bob_at_alpha.id)
            .await
            .unwrap()
            .following)
            .then_some(())
    })
    .await;
    assert!(
        relationship(&alpha.state, &alice, bob_at_alpha.id)
            .await
            .unwrap()
            .blocked_by
    );
    assert!(!alpha.home_uris(&alice).await.contains(&post.uri));
}

/// beta's copy of a local account of alpha.
async fn beta_account_of(
    beta: &federation_tests::Instance,
    a: &entity::accounts::Model,
) -> entity::accounts::Model {
    kith::db::accounts::find_by_uri(&beta.state.db.read, &a.uri)
        .await
        .unwrap()
        .unwrap()
}

/// With authorized fetch on, beta answers only signed requests; Kith's own
/// fetches are signed, so federation goes on. A reply whose parent a server has
/// never seen makes it fetch the parent, so the thread holds together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorized_fetch_and_missing_parents() {
    let mut nodes = federation_tests::start_configured(&["alpha", "beta", "gamma"], |name, c| {
        c.authorized_fetch = name == "beta";
    })
    .await;
    let gamma = nodes.pop().unwrap();
    let beta = nodes.pop().unwrap();
    let alpha = nodes.pop().unwrap();
    let alice = alpha.user("alice").await;
    let bob = beta.user("bob").await;
    let carol = gamma.user("carol").await;
    let post = beta
        .post(&bob, "the start of a thread", Visibility::Public)
        .await;

    // Unsigned fetches are refused; the signed ones Kith makes go through.
    let client = reqwest::Client::builder()
        .resolve("beta.test", beta.addr)
        .build()
        .unwrap();
    let r = client
        .get(&bob.uri)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = client
        .get(&post.uri)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let at_gamma = kith::apub::inbox::fetch_status(&gamma.state, &post.uri)
        .await
        .unwrap();

    // alice follows carol only; carol replies to bob.
    let carol_at_alpha = alpha.lookup("carol", &gamma).await;
    alpha.follow_accepted(&alice, &carol_at_alpha).await;
    let reply = create(
        &gamma.state,
        &carol,
        NewStatus::new("I agree", Visibility::Public).reply_to(at_gamma.id),
    )
    .await
    .unwrap();
    let reply_at_alpha = eventually("the reply reaches alpha", 30, || async {
        alpha.status_by_uri(&reply.uri).await
    })
    .await;
    let parent_at_alpha = alpha
        .status_by_uri(&post.uri)
        .await
        .expect("alpha fetched the parent from beta");
    assert_eq!(reply_at_alpha.in_reply_to_id, Some(parent_at_alpha.id));
    assert_eq!(reply_at_alpha.thread_root_id, Some(parent_at_alpha.id));
    let ctx = context(&alpha.state, Some(&alice), reply_at_alpha.id)
        .await
        .unwrap();
    assert_eq!(
        ctx.ancestors
            .iter()
            .map(|s| s.uri.clone())
            .collect::<Vec<_>>(),
        vec![post.uri.clone()]
    );

    // beta's replies collection lists the reply, for a signed fetch.
    // beta's replies collection answers a signed fetch.
    let replies = kith::apub::fetch::fetch_object(
        &alpha.state,
        &url::Url::parse(&format!("{}/replies", post.uri)).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(replies["type"], "Collection");
    assert_eq!(replies["id"], format!("{}/replies", post.uri));
}

/// Undoing a like travels, and so does deleting an account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlikes_and_account_deletions_propagate() {
    let mut nodes = start(&["alpha", "beta"]).await;
    let beta = nodes.pop().unwrap();
    let alpha = nodes.pop().unwrap();
    let alice = alpha.user("alice").await;
    let bob = beta.user("bob").await;
    let bob_at_alpha = alpha.lookup("bob", &beta).await;
    alpha.follow_accepted(&alice, &bob_at_alpha).await;
    let post = beta.post(&bob, "like and unlike", Visibility::Public).await;
    let copy = eventually("the post arrives", 30, || async {
        alpha.status_by_uri(&post.uri).await
    })
    .await;
    favourite(&alpha.state, &alice, copy.id).await.unwrap();
    eventually("the like arrives", 30, || async {
        (beta
            .status_by_uri(&post.uri)
            .await
            .unwrap()
            .favourites_count
            == 1)
            .then_some(())
    })
    .await;
    kith::service::interactions::unfavourite(&alpha.state, &alice, copy.id)
        .await
        .unwrap();
    eventually("the unlike arrives", 30, || async {
        (beta
            .status_by_uri(&post.uri)
            .await
            .unwrap()
            .favourites_count
            == 0)
            .then_some(())
    })
    .await;
    let n = kith::service::notifications::list(
        &beta.state,
        &bob,
        Some(&[NotificationKind::Favourite]),
        &Page::new(20),
    )
    .await
    .unwrap();
    assert!(n.is_empty(), "the notification went with the like");

    // bob deletes his account: alpha takes his posts down and ends the follow.
    kith::service::accounts::delete_local(&beta.state, "bob")
        .await
        .unwrap();
    eventually("the actor deletion reaches alpha", 30, || async {
        alpha.reload(&bob_at_alpha).await.suspended_at.map(|_| ())
    })
    .await;
    assert!(
        alpha
            .status_by_uri(&post.uri)
            .await
            .unwrap()
            .deleted_at
            .is_some()
    );
    assert!(!alpha.home_uris(&alice).await.contains(&post.uri));
    assert!(
        !relationship(&alpha.state, &alice, bob_at_alpha.id)
            .await
            .unwrap()
            .following
    );
    assert_eq!(alpha.reload(&alice).await.following_count, 0);
    assert!(
        kith::service::accounts::authenticate(&beta.state, "bob", "a long password")
            .await
            .is_err(),
        "the login is gone"
    );
}

/// A sender whose key changed since we stored it is fetched again, and its
/// activity goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_is_fetched_again() {
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let mut nodes = start(&["alpha", "beta"]).await;
    let beta = nodes.pop().unwrap();
    let alpha = nodes.pop().unwrap();
    let alice = alpha.user("alice").await;
    let bob = beta.user("bob").await;
    let bob_at_alpha = alpha.lookup("bob", &beta).await;
    alpha.follow_accepted(&alice, &bob_at_alpha).await;
    // alpha's copy of bob's key goes stale (as if bob's server had rotated it).
    let other = kith::apub::keys::generate().unwrap();
    let mut m = alpha.reload(&bob_at_alpha).await.into_active_model();
    m.public_key_pem = Set(other.public_pem);
    m.update(&alpha.state.db.write).await.unwrap();
    let post = beta
        .post(&bob, "signed with my real key", Visibility::Public)
        .await;
    eventually("the post still arrives", 30, || async {
        alpha.status_by_uri(&post.uri).await
    })
    .await;
    assert_eq!(
        alpha.reload(&bob_at_alpha).await.public_key_pem,
        bob.public_key_pem,
        "the real key was fetched again"
    );
}

/// A PNG made by the test: a gradient, so the blurhash is not trivial.
fn test_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn upload(bytes: Vec<u8>, name: &str) -> kith::service::media::Upload {
    kith::service::media::Upload {
        bytes: bytes.into(),
        content_type: Some("image/png".into()),
        file_name: Some(name.into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_and_profile_pictures_travel_between_servers() {
    use kith::service::media::{NewMedia, Wait};
    let mut nodes = start(&["alpha", "beta"]).await;
    let beta = nodes.pop().unwrap();
    let alpha = nodes.pop().unwrap();
    let alice = alpha.user("alice").await;
    let bob = beta.user("bob").await;
    let alice_at_beta = beta.lookup("alice", &alpha).await;
    beta.follow_accepted(&bob, &alice_at_beta).await;

    // alice posts a photo with alt text.
    let m = kith::service::media::upload(
        &alpha.state,
        &alice,
        NewMedia {
            file: upload(test_png(800, 600), "sunset.png"),
            description: Some("A sunset over the bay".into()),
            focus: Some("0.25,0.5".into()),
        },
        Wait::UntilDone,
    )
    .await
    .unwrap();
    let post = create(
        &alpha.state,
        &alice,
        NewStatus {
            media_ids: vec![m.id],
            ..NewStatus::new("Tonight's sky", Visibility::Public)
        },
    )
    .await
    .unwrap();

    // bob's server stores it with the picture, by its URL on alpha.
    let copy = eventually("the photo post reaches beta", 30, || async {
        beta.status_by_uri(&post.uri).await
    })
    .await;
    let media = kith::db::media::for_status(&beta.state.db.read, copy.id)
        .await
        .unwrap();
    assert_eq!(media.len(), 1);
    let remote = &media[0];
    let original_url = alpha.state.media.url(m.file_key.as_deref().unwrap());
    assert_eq!(remote.remote_url.as_deref(), Some(original_url.as_str()));
    assert_eq!(remote.description.as_deref(), Some("A sunset over the bay"));
    assert_eq!(remote.blurhash, m.blurhash);
    assert_eq!(remote.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(remote.meta["original"]["width"], 800);
    assert_eq!(remote.meta["original"]["height"], 600);
    assert_eq!(remote.meta["focus"]["x"], 0.25);

    // bob's apps see it, and the file is really there.
    let shown = kith::http::api::entities::status(&beta.state, Some(&bob), copy)
        .await
        .unwrap();
    assert_eq!(shown["media_attachments"][0]["url"], original_url.as_str());
    assert_eq!(
        shown["media_attachments"][0]["remote_url"],
        original_url.as_str()
    );
    let path = original_url.strip_prefix(&alpha.base_url()).unwrap();
    let bytes = reqwest::get(format!("http://{}{path}", alpha.addr))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (800, 600));

    // A new profile picture reaches bob's server with the profile update.
    let saved = kith::service::accounts::update_profile(
        &alpha.state,
        &alice,
        kith::service::accounts::ProfileUpdate {
            avatar: Some(upload(test_png(500, 500), "me.png")),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let avatar = saved.avatar_url.clone().unwrap();
    eventually("the new avatar reaches beta", 30, || async {
        (beta.reload(&alice_at_beta).await.avatar_url.as_deref() == Some(avatar.as_str()))
            .then_some(())
    })
    .await;
}

/// A Create is stored and its id recorded in one transaction: the same Create
/// delivered several times at once (a sender retrying while the first request
/// is still being handled) is accepted every time and stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_delivered_several_times_at_once_is_stored_once() {
    use kith::apub::signatures::{KeyCache, sign};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let mut nodes = start(&["alpha", "beta"]).await;
    let beta = nodes.pop().unwrap();
    let alpha = nodes.pop().unwrap();
    let alice = alpha.user("alice").await;
    let inbox = url::Url::parse(&format!("{}/inbox", beta.base_url())).unwrap();
    let client = reqwest::Client::builder()
        .resolve("beta.test", beta.addr)
        .build()
        .unwrap();
    let note = format!("{}/statuses/1", alice.uri);
    let activity_id = format!("{note}/activity");
    let body = serde_json::to_vec(&serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": activity_id, "type": "Create", "actor": alice.uri,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": note, "type": "Note", "attributedTo": alice.uri,
            "published": "2026-11-29T10:00:00Z", "content": "<p>once</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
        },
    }))
    .unwrap();
    let headers = sign(
        &KeyCache::default(),
        "POST",
        &inbox,
        Some(&body),
        Some("application/activity+json"),
        &format!("{}#main-key", alice.uri),
        alice.private_key_pem.as_deref().unwrap(),
    )
    .unwrap();
    let send = || {
        let mut req = client
            .post(inbox.clone())
            .header("content-type", "application/activity+json")
            .body(body.clone());
        for (k, v) in &headers {
            req = req.header(*k, v);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    let at_once: Vec<_> = (0..4).map(|_| tokio::spawn(send())).collect();
    for task in at_once {
        assert_eq!(task.await.unwrap(), 202);
    }
    assert_eq!(send().await, 202, "and once more afterwards");
    let stored = entity::statuses::Entity::find()
        .filter(entity::statuses::Column::Uri.eq(note.as_str()))
        .count(&beta.state.db.read)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    assert!(
        kith::db::deliveries::was_received(&beta.state.db.read, &activity_id)
            .await
            .unwrap()
    );
}
