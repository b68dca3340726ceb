//! Real Kith instances federating over signed HTTP on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

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
    assert_eq!(follow(&alpha.state, &alice, bob_at_alpha.id, FollowOptions::default()).await.unwrap(), FollowOutcome::Requested);

    // beta accepts at once (bob is not locked) and alpha records the follow.
    eventually("alice follows bob on alpha", 30, || async {
        relationship(&alpha.state, &alice, bob_at_alpha.id).await.unwrap().following.then_some(())
    })
    .await;
    let bob_now = beta.reload(&bob).await;
    assert_eq!(bob_now.followers_count, 1);
    let n = kith::service::notifications::list(&beta.state, &bob, None, &Page::new(20)).await.unwrap();
    assert_eq!(n.iter().map(|n| n.kind).collect::<Vec<_>>(), vec![NotificationKind::Follow]);

    // bob's post reaches alice's home timeline.
    let post = beta.post(&bob, "Hello from beta #kith", Visibility::Public).await;
    eventually("bob's post in alice's home", 30, || async {
        alpha.home_uris(&alice).await.contains(&post.uri).then_some(())
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
    let n = kith::service::notifications::list(&beta.state, &bob, Some(&[NotificationKind::Favourite]), &Page::new(20)).await.unwrap();
    assert_eq!(n.len(), 1);

    // alice replies: the reply is threaded under bob's post on beta and bob is notified.
    let reply = create(&alpha.state, &alice, NewStatus::new(&format!("@bob@{} nice!", beta.domain), Visibility::Public).reply_to(copy.id))
        .await
        .unwrap();
    let reply_at_beta = eventually("the reply reaches beta", 30, || async { beta.status_by_uri(&reply.uri).await }).await;
    assert_eq!(reply_at_beta.in_reply_to_id, Some(post.id));
    let ctx = context(&beta.state, Some(&bob), post.id).await.unwrap();
    assert_eq!(ctx.descendants.iter().map(|s| s.uri.clone()).collect::<Vec<_>>(), vec![reply.uri.clone()]);
    assert_eq!(beta.status_by_uri(&post.uri).await.unwrap().replies_count, 1);
    let n = kith::service::notifications::list(&beta.state, &bob, Some(&[NotificationKind::Mention]), &Page::new(20)).await.unwrap();
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].status_id, Some(reply_at_beta.id));
}
