use entity::{NotificationKind, Visibility, mentions, notifications, statuses, tags};
use kith::AppError;
use kith::db::Page;
use kith::service::notifications as notes;
use kith::service::relationships::{FollowOptions, follow};
use kith::service::statuses::{NewStatus, context, create, delete, get};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::common::{env, env_with};

#[tokio::test]
async fn a_post_links_mentions_and_hashtags_and_notifies() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let s = env
        .post(
            &alice,
            "Hello @bob and @nobody! #Kith #rust https://example.org/x",
            Visibility::Public,
        )
        .await;
    assert!(
        s.content
            .contains("href=\"http://kith.test/@bob\" class=\"u-url mention\""),
        "{}",
        s.content
    );
    assert!(s.content.contains("@nobody"));
    assert!(s.content.contains("href=\"http://kith.test/tags/kith\""));
    assert!(s.content.contains("<a href=\"https://example.org/x\""));
    assert_eq!(
        s.text,
        "Hello @bob and @nobody! #Kith #rust https://example.org/x"
    );
    assert_eq!(
        s.uri,
        format!("http://kith.test/users/alice/statuses/{}", s.id)
    );
    assert_eq!(s.thread_root_id, Some(s.id));

    let m = mentions::Entity::find()
        .filter(mentions::Column::StatusId.eq(s.id))
        .all(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(
        m.iter().map(|m| m.account_id).collect::<Vec<_>>(),
        vec![bob.id]
    );
    let mut names: Vec<String> = tags::Entity::find()
        .all(&env.state.db.read)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    names.sort();
    assert_eq!(names, vec!["kith", "rust"]);
    assert_eq!(
        kith::db::tags::names_for_status(&env.state.db.read, s.id)
            .await
            .unwrap()
            .len(),
        2
    );

    let n = notes::list(&env.state, &bob, None, &Page::new(20))
        .await
        .unwrap();
    assert_eq!(n.len(), 1);
    assert_eq!(
        (n[0].kind, n[0].from_account_id, n[0].status_id),
        (NotificationKind::Mention, alice.id, Some(s.id))
    );
    assert_eq!(env.reload(&alice).await.statuses_count, 1);
    assert!(env.reload(&alice).await.last_status_at.is_some());
    // A second post reusing a tag does not duplicate it.
    env.post(&alice, "more #kith", Visibility::Public).await;
    assert_eq!(env.count(tags::Entity).await, 2);
}

#[tokio::test]
async fn bad_statuses_are_refused_and_nothing_is_written() {
    let env = env_with(&[("max_status_chars", "20")]).await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let long = "x".repeat(21);
    for (input, why) in [
        (
            NewStatus::new(&long, Visibility::Public),
            "character limit of 20",
        ),
        (
            NewStatus::new("   \n ", Visibility::Public),
            "can't be blank",
        ),
        (
            NewStatus {
                spoiler_text: "0123456789".into(),
                ..NewStatus::new("@bob 0123456789x", Visibility::Public)
            },
            "character limit",
        ),
        (
            NewStatus {
                language: Some("not a language".into()),
                ..NewStatus::new("hi", Visibility::Public)
            },
            "Language",
        ),
    ] {
        let e = create(&env.state, &alice, input).await.unwrap_err();
        assert!(matches!(e, AppError::Validation(_)), "{e:?}");
        assert!(e.to_string().contains(why), "{e}");
    }
    // A URL counts as 23 characters whatever its length: "hi " + URL = 26 > 20.
    let e = create(
        &env.state,
        &alice,
        NewStatus::new("hi https://e.org", Visibility::Public),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, AppError::Validation(_)));
    assert_eq!(env.count(statuses::Entity).await, 0);
    assert_eq!(env.count(mentions::Entity).await, 0);
    assert_eq!(env.count(notifications::Entity).await, 0);
    assert_eq!(env.reload(&alice).await.statuses_count, 0);
    let _ = bob;
}

#[tokio::test]
async fn replies_are_threaded_and_counted() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let root = env.post(&alice, "root", Visibility::Public).await;
    let r1 = env
        .reply(&bob, &root, "@alice first", Visibility::Public)
        .await;
    let r2 = env
        .reply(&alice, &r1, "@bob second", Visibility::Public)
        .await;
    let r3 = env
        .reply(&bob, &root, "another branch", Visibility::Public)
        .await;
    assert_eq!(r1.in_reply_to_id, Some(root.id));
    assert_eq!(r1.in_reply_to_account_id, Some(alice.id));
    for r in [&r1, &r2, &r3] {
        assert_eq!(r.thread_root_id, Some(root.id));
        assert_eq!(r.conversation_id, root.conversation_id);
    }
    assert_eq!(env.reload_status(&root).await.replies_count, 2);
    assert_eq!(env.reload_status(&r1).await.replies_count, 1);

    let ctx = context(&env.state, None, r1.id).await.unwrap();
    assert_eq!(
        ctx.ancestors.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![root.id]
    );
    assert_eq!(
        ctx.descendants.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![r2.id]
    );
    let ctx = context(&env.state, None, root.id).await.unwrap();
    assert!(ctx.ancestors.is_empty());
    assert_eq!(
        ctx.descendants.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![r1.id, r2.id, r3.id]
    );
}

#[tokio::test]
async fn replying_to_a_status_one_may_not_see_is_refused_and_writes_nothing() {
    let env = env().await;
    let alice = env.user("alice").await;
    let eve = env.user("eve").await;
    let secret = env
        .post(&alice, "followers only", Visibility::Private)
        .await;
    let dm = env.post(&alice, "just me", Visibility::Direct).await;
    let before = env.count(statuses::Entity).await;
    for target in [secret.id, dm.id, 999_999] {
        let e = create(
            &env.state,
            &eve,
            NewStatus::new("sneaky reply", Visibility::Public).reply_to(target),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
    }
    assert_eq!(env.count(statuses::Entity).await, before);
    assert_eq!(env.reload_status(&secret).await.replies_count, 0);
    assert_eq!(env.reload(&eve).await.statuses_count, 0);
}

#[tokio::test]
async fn deleting_a_status_leaves_a_tombstone_and_cleans_up() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    follow(&env.state, &bob, alice.id, FollowOptions::default())
        .await
        .unwrap();
    let parent = env.post(&bob, "parent", Visibility::Public).await;
    let s = env
        .reply(&alice, &parent, "@bob oops", Visibility::Public)
        .await;
    let carol = env.user("carol").await;
    follow(&env.state, &carol, bob.id, FollowOptions::default())
        .await
        .unwrap();
    kith::service::interactions::reblog(&env.state, &bob, s.id, None)
        .await
        .unwrap();
    assert!(env.home_ids(&bob).await.contains(&s.id));
    assert_eq!(env.reload_status(&parent).await.replies_count, 1);

    // Only the author may delete.
    assert!(matches!(
        delete(&env.state, &bob, s.id).await.unwrap_err(),
        AppError::NotFound(_)
    ));

    let old = delete(&env.state, &alice, s.id).await.unwrap();
    assert_eq!(
        old.text, "@bob oops",
        "the source comes back for redrafting"
    );
    let tomb = env.reload_status(&s).await;
    assert!(tomb.deleted_at.is_some());
    assert_eq!(tomb.content, "");
    assert!(matches!(
        get(&env.state, Some(&alice), s.id).await.unwrap_err(),
        AppError::NotFound(_)
    ));
    assert!(!env.home_ids(&alice).await.contains(&s.id));
    assert!(!env.home_ids(&bob).await.contains(&s.id));
    assert!(
        env.home_ids(&carol).await.iter().all(|id| *id != s.id),
        "the reblog is gone too"
    );
    assert_eq!(env.reload_status(&parent).await.replies_count, 0);
    assert_eq!(env.reload(&alice).await.statuses_count, 0);
    assert_eq!(
        env.reload(&bob).await.statuses_count,
        1,
        "bob's reblog no longer counts"
    );
    let n = notes::list(
        &env.state,
        &bob,
        Some(&[NotificationKind::Mention]),
        &Page::new(20),
    )
    .await
    .unwrap();
    assert!(n.is_empty());
    // Deleting twice is a 404, not an error.
    assert!(matches!(
        delete(&env.state, &alice, s.id).await.unwrap_err(),
        AppError::NotFound(_)
    ));
}

#[tokio::test]
async fn direct_messages_make_a_conversation_for_each_local_participant() {
    use entity::account_conversations;
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let dm = env.post(&alice, "@bob psst", Visibility::Direct).await;
    let answer = env.reply(&bob, &dm, "@alice hi!", Visibility::Direct).await;
    let rows = account_conversations::Entity::find()
        .all(&env.state.db.read)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let alice_row = rows.iter().find(|r| r.account_id == alice.id).unwrap();
    let bob_row = rows.iter().find(|r| r.account_id == bob.id).unwrap();
    assert_eq!(
        alice_row.participant_account_ids,
        serde_json::json!([bob.id])
    );
    assert_eq!(
        bob_row.participant_account_ids,
        serde_json::json!([alice.id])
    );
    assert_eq!(alice_row.last_status_id, Some(answer.id));
    assert!(alice_row.unread, "alice has not read bob's answer");
    assert!(!bob_row.unread, "bob wrote the last message");
    assert_eq!(alice_row.conversation_id, bob_row.conversation_id);
}
