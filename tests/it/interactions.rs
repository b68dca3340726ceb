use entity::{NotificationKind, Visibility};
use kith::AppError;
use kith::db::Page;
use kith::service::interactions::{bookmark, favourite, reblog, unbookmark, unfavourite, unreblog};
use kith::service::notifications as notes;
use kith::service::relationships::{FollowOptions, follow};

use crate::common::env;

#[tokio::test]
async fn favourites_count_notify_and_undo() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let s = env.post(&alice, "like me", Visibility::Public).await;
    assert_eq!(
        favourite(&env.state, &bob, s.id)
            .await
            .unwrap()
            .favourites_count,
        1
    );
    assert_eq!(
        favourite(&env.state, &bob, s.id)
            .await
            .unwrap()
            .favourites_count,
        1,
        "idempotent"
    );
    favourite(&env.state, &alice, s.id).await.unwrap();
    assert_eq!(env.reload_status(&s).await.favourites_count, 2);
    let n = notes::list(&env.state, &alice, None, &Page::new(20))
        .await
        .unwrap();
    assert_eq!(n.len(), 1, "no notification for one's own favourite");
    assert_eq!(
        (n[0].kind, n[0].from_account_id, n[0].status_id),
        (NotificationKind::Favourite, bob.id, Some(s.id))
    );

    assert_eq!(
        unfavourite(&env.state, &bob, s.id)
            .await
            .unwrap()
            .favourites_count,
        1
    );
    assert_eq!(
        unfavourite(&env.state, &bob, s.id)
            .await
            .unwrap()
            .favourites_count,
        1
    );
    assert!(
        notes::list(&env.state, &alice, None, &Page::new(20))
            .await
            .unwrap()
            .is_empty()
    );

    let dm = env.post(&alice, "secret", Visibility::Direct).await;
    assert!(matches!(
        favourite(&env.state, &bob, dm.id).await.unwrap_err(),
        AppError::NotFound(_)
    ));
    assert_eq!(env.reload_status(&dm).await.favourites_count, 0);
}

#[tokio::test]
async fn reblogs_reach_followers_once_and_follow_the_rules() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let carol = env.user("carol").await;
    let dave = env.user("dave").await;
    follow(&env.state, &carol, bob.id, FollowOptions::default())
        .await
        .unwrap();
    follow(
        &env.state,
        &dave,
        bob.id,
        FollowOptions {
            show_reblogs: false,
            notify: false,
        },
    )
    .await
    .unwrap();
    let s = env.post(&alice, "boost me", Visibility::Public).await;

    let r = reblog(&env.state, &bob, s.id, None).await.unwrap();
    assert_eq!(r.reblog_of_id, Some(s.id));
    assert_eq!(r.visibility, Visibility::Public);
    assert_eq!(
        reblog(&env.state, &bob, s.id, None).await.unwrap().id,
        r.id,
        "reblogging twice returns the first"
    );
    assert_eq!(
        reblog(&env.state, &bob, r.id, None).await.unwrap().id,
        r.id,
        "reblogging a reblog reblogs the original"
    );
    assert_eq!(env.reload_status(&s).await.reblogs_count, 1);
    assert_eq!(env.home_ids(&carol).await, vec![r.id]);
    assert!(
        env.home_ids(&dave).await.is_empty(),
        "dave turned reblogs off"
    );
    assert_eq!(env.home_ids(&bob).await, vec![r.id]);
    let n = notes::list(&env.state, &alice, None, &Page::new(20))
        .await
        .unwrap();
    assert_eq!(
        (n[0].kind, n[0].from_account_id),
        (NotificationKind::Reblog, bob.id)
    );

    // A second boost of a status carol already sees is not added to her feed.
    follow(&env.state, &carol, dave.id, FollowOptions::default())
        .await
        .unwrap();
    reblog(&env.state, &dave, s.id, None).await.unwrap();
    assert_eq!(
        env.home_ids(&carol).await,
        vec![r.id],
        "one copy of a status in a feed"
    );

    let back = unreblog(&env.state, &bob, s.id).await.unwrap();
    assert_eq!(back.id, s.id);
    assert_eq!(back.reblogs_count, 1);
    assert!(!env.home_ids(&carol).await.contains(&r.id));
    assert!(
        notes::list(
            &env.state,
            &alice,
            Some(&[NotificationKind::Reblog]),
            &Page::new(20)
        )
        .await
        .unwrap()
        .iter()
        .all(|n| n.from_account_id != bob.id)
    );

    // Followers-only posts can be reblogged only by their author; DMs never.
    let private = env.post(&alice, "friends only", Visibility::Private).await;
    follow(&env.state, &bob, alice.id, FollowOptions::default())
        .await
        .unwrap();
    assert!(matches!(
        reblog(&env.state, &bob, private.id, None)
            .await
            .unwrap_err(),
        AppError::Forbidden(_)
    ));
    let own = reblog(&env.state, &alice, private.id, None).await.unwrap();
    assert_eq!(own.visibility, Visibility::Private);
    let dm = env.post(&alice, "@bob dm", Visibility::Direct).await;
    assert!(matches!(
        reblog(&env.state, &bob, dm.id, None).await.unwrap_err(),
        AppError::Forbidden(_)
    ));
}

#[tokio::test]
async fn bookmarks_are_private_and_idempotent() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let s = env.post(&alice, "save me", Visibility::Public).await;
    bookmark(&env.state, &bob, s.id).await.unwrap();
    bookmark(&env.state, &bob, s.id).await.unwrap();
    let page = kith::db::interactions::bookmarks_page(&env.state.db.read, bob.id, &Page::new(20))
        .await
        .unwrap();
    assert_eq!(page.iter().map(|(_, s)| *s).collect::<Vec<_>>(), vec![s.id]);
    assert!(
        notes::list(&env.state, &alice, None, &Page::new(20))
            .await
            .unwrap()
            .is_empty()
    );
    unbookmark(&env.state, &bob, s.id).await.unwrap();
    assert!(
        kith::db::interactions::bookmarks_page(&env.state.db.read, bob.id, &Page::new(20))
            .await
            .unwrap()
            .is_empty()
    );
}
