use entity::{NotificationKind, Visibility, follow_requests, follows};
use kith::AppError;
use kith::db::Page;
use kith::service::notifications as notes;
use kith::service::relationships::{
    FollowOptions, FollowOutcome, authorize_follow_request, block, follow, follow_requests, mute,
    reject_follow_request, relationship, remove_from_followers, unblock, unfollow, unmute,
};
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

use crate::common::env;

async fn kinds(
    env: &crate::common::TestEnv,
    who: &entity::accounts::Model,
) -> Vec<NotificationKind> {
    notes::list(&env.state, who, None, &Page::new(40))
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect()
}

#[tokio::test]
async fn following_an_unlocked_account_is_immediate_and_fills_the_feed() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let earlier = env
        .post(&bob, "before the follow", Visibility::Public)
        .await;
    let dm = env.post(&bob, "a DM to nobody", Visibility::Direct).await;

    assert_eq!(
        follow(&env.state, &alice, bob.id, FollowOptions::default())
            .await
            .unwrap(),
        FollowOutcome::Following
    );
    assert_eq!(env.reload(&alice).await.following_count, 1);
    assert_eq!(env.reload(&bob).await.followers_count, 1);
    assert_eq!(kinds(&env, &bob).await, vec![NotificationKind::Follow]);
    let home = env.home_ids(&alice).await;
    assert!(home.contains(&earlier.id), "recent posts are backfilled");
    assert!(!home.contains(&dm.id));
    let later = env
        .post(&bob, "after the follow", Visibility::Private)
        .await;
    assert_eq!(env.home_ids(&alice).await.first(), Some(&later.id));

    // Following again changes nothing but the options.
    let opts = FollowOptions {
        show_reblogs: false,
        notify: true,
    };
    assert_eq!(
        follow(&env.state, &alice, bob.id, opts).await.unwrap(),
        FollowOutcome::Following
    );
    let r = relationship(&env.state, &alice, bob.id).await.unwrap();
    assert!(r.following && !r.showing_reblogs && r.notifying && !r.followed_by && !r.requested);
    assert_eq!(env.reload(&bob).await.followers_count, 1);
    assert_eq!(env.count(follows::Entity).await, 1);

    assert!(matches!(
        follow(&env.state, &alice, alice.id, opts)
            .await
            .unwrap_err(),
        AppError::Forbidden(_)
    ));
    assert!(matches!(
        follow(&env.state, &alice, 123_456, opts).await.unwrap_err(),
        AppError::NotFound(_)
    ));
}

#[tokio::test]
async fn a_locked_account_approves_or_rejects_requests() {
    let env = env().await;
    let alice = env.user("alice").await;
    let carol = env.user("carol").await;
    let bob = env.user("bob").await;
    let mut m = bob.clone().into_active_model();
    m.locked = Set(true);
    let bob = m.update(&env.state.db.write).await.unwrap();
    let secret = env.post(&bob, "followers only", Visibility::Private).await;

    assert_eq!(
        follow(&env.state, &alice, bob.id, FollowOptions::default())
            .await
            .unwrap(),
        FollowOutcome::Requested
    );
    assert_eq!(
        follow(&env.state, &carol, bob.id, FollowOptions::default())
            .await
            .unwrap(),
        FollowOutcome::Requested
    );
    assert_eq!(
        follow(&env.state, &alice, bob.id, FollowOptions::default())
            .await
            .unwrap(),
        FollowOutcome::Requested
    );
    assert_eq!(env.count(follow_requests::Entity).await, 2);
    assert_eq!(env.reload(&bob).await.followers_count, 0);
    assert!(env.home_ids(&alice).await.is_empty());
    assert_eq!(
        kinds(&env, &bob).await,
        vec![
            NotificationKind::FollowRequest,
            NotificationKind::FollowRequest
        ]
    );
    let pending: Vec<i64> = follow_requests(&env.state, &bob)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(pending, vec![alice.id, carol.id]);
    let r = relationship(&env.state, &alice, bob.id).await.unwrap();
    assert!(r.requested && !r.following);
    assert!(
        relationship(&env.state, &bob, alice.id)
            .await
            .unwrap()
            .requested_by
    );

    authorize_follow_request(&env.state, &bob, alice.id)
        .await
        .unwrap();
    reject_follow_request(&env.state, &bob, carol.id)
        .await
        .unwrap();
    assert_eq!(env.count(follow_requests::Entity).await, 0);
    assert!(
        relationship(&env.state, &alice, bob.id)
            .await
            .unwrap()
            .following
    );
    assert!(
        !relationship(&env.state, &carol, bob.id)
            .await
            .unwrap()
            .following
    );
    assert_eq!(env.reload(&bob).await.followers_count, 1);
    assert_eq!(
        env.home_ids(&alice).await,
        vec![secret.id],
        "approval fills the feed"
    );
    // Nothing left to approve or reject.
    assert!(matches!(
        authorize_follow_request(&env.state, &bob, carol.id)
            .await
            .unwrap_err(),
        AppError::NotFound(_)
    ));
    assert!(matches!(
        reject_follow_request(&env.state, &bob, carol.id)
            .await
            .unwrap_err(),
        AppError::NotFound(_)
    ));
}

#[tokio::test]
async fn unfollowing_empties_the_feed_and_counts() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    follow(&env.state, &alice, bob.id, FollowOptions::default())
        .await
        .unwrap();
    let s = env.post(&bob, "hi", Visibility::Public).await;
    assert_eq!(env.home_ids(&alice).await, vec![s.id]);
    unfollow(&env.state, &alice, bob.id).await.unwrap();
    unfollow(&env.state, &alice, bob.id).await.unwrap();
    assert!(env.home_ids(&alice).await.is_empty());
    assert_eq!(env.reload(&alice).await.following_count, 0);
    assert_eq!(env.reload(&bob).await.followers_count, 0);
    assert!(
        kinds(&env, &bob).await.is_empty(),
        "the follow notification goes with the follow"
    );
    env.post(&bob, "not for alice", Visibility::Public).await;
    assert!(env.home_ids(&alice).await.is_empty());

    follow(&env.state, &alice, bob.id, FollowOptions::default())
        .await
        .unwrap();
    remove_from_followers(&env.state, &bob, alice.id)
        .await
        .unwrap();
    assert!(
        !relationship(&env.state, &alice, bob.id)
            .await
            .unwrap()
            .following
    );
}

#[tokio::test]
async fn a_block_ends_follows_both_ways_and_stops_new_ones() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    follow(&env.state, &alice, bob.id, FollowOptions::default())
        .await
        .unwrap();
    follow(&env.state, &bob, alice.id, FollowOptions::default())
        .await
        .unwrap();
    env.post(&alice, "alice's", Visibility::Public).await;
    env.post(&bob, "bob's", Visibility::Public).await;
    assert_eq!(env.home_ids(&alice).await.len(), 2);

    block(&env.state, &alice, bob.id).await.unwrap();
    block(&env.state, &alice, bob.id).await.unwrap();
    let r = relationship(&env.state, &alice, bob.id).await.unwrap();
    assert!(r.blocking && !r.following && !r.followed_by);
    assert!(
        relationship(&env.state, &bob, alice.id)
            .await
            .unwrap()
            .blocked_by
    );
    for a in [&alice, &bob] {
        let a = env.reload(a).await;
        assert_eq!(
            (a.followers_count, a.following_count),
            (0, 0),
            "{}",
            a.username
        );
        assert_eq!(
            env.home_ids(&a).await.len(),
            1,
            "only their own post is left for {}",
            a.username
        );
    }
    assert!(
        kinds(&env, &alice).await.is_empty(),
        "bob's follow notification is gone"
    );
    for (who, whom) in [(&bob, &alice), (&alice, &bob)] {
        let e = follow(&env.state, who, whom.id, FollowOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    }
    unblock(&env.state, &alice, bob.id).await.unwrap();
    assert_eq!(
        follow(&env.state, &bob, alice.id, FollowOptions::default())
            .await
            .unwrap(),
        FollowOutcome::Following
    );
}

#[tokio::test]
async fn a_mute_hides_posts_and_optionally_notifications() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    follow(&env.state, &alice, bob.id, FollowOptions::default())
        .await
        .unwrap();
    env.post(&bob, "one", Visibility::Public).await;
    mute(&env.state, &alice, bob.id, true, None).await.unwrap();
    assert!(env.home_ids(&alice).await.is_empty());
    env.post(&bob, "two @alice", Visibility::Public).await;
    assert!(env.home_ids(&alice).await.is_empty());
    assert!(kinds(&env, &alice).await.is_empty());
    let r = relationship(&env.state, &alice, bob.id).await.unwrap();
    assert!(r.muting && r.muting_notifications && r.following);

    // A mute that keeps notifications.
    mute(&env.state, &alice, bob.id, false, None).await.unwrap();
    env.post(&bob, "three @alice", Visibility::Public).await;
    assert_eq!(kinds(&env, &alice).await, vec![NotificationKind::Mention]);
    assert!(env.home_ids(&alice).await.is_empty());

    unmute(&env.state, &alice, bob.id).await.unwrap();
    let s = env.post(&bob, "four", Visibility::Public).await;
    assert_eq!(env.home_ids(&alice).await, vec![s.id]);

    // An expired mute no longer counts.
    mute(
        &env.state,
        &alice,
        bob.id,
        true,
        Some(chrono::Duration::seconds(-1)),
    )
    .await
    .unwrap();
    assert!(
        !relationship(&env.state, &alice, bob.id)
            .await
            .unwrap()
            .muting
    );
}
