//! The outbound queue keeps each activity's body once, in `delivery_bodies`,
//! and drops it when no delivery needs it any more.
use entity::{deliveries, delivery_bodies};
use migration::MigratorTrait;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::common::env;

fn inboxes(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://s{i}.remote.test/inbox"))
        .collect()
}

async fn bodies(db: &sea_orm::DatabaseConnection) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = delivery_bodies::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.activity_id, b.body))
        .collect();
    out.sort();
    out
}

/// One body per activity however many inboxes it goes to; queueing it again
/// keeps the first; deleting the deliveries made drops a body only when its
/// last delivery goes; given-up deliveries keep theirs; and the sweep drops
/// the bodies of deliveries that went with their signer's account.
#[tokio::test]
async fn an_activity_body_is_kept_once_while_a_delivery_needs_it() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let db = &env.state.db.write;
    let ids = &env.state.ids;
    let enqueue = |activity: &'static str, body: &'static str, signer: i64, n: usize| {
        let inboxes = inboxes(n);
        async move {
            kith::db::deliveries::enqueue(db, || ids.next(), activity, body, signer, &inboxes)
                .await
                .unwrap();
        }
    };
    enqueue("https://kith.test/a/1", r#"{"n":1}"#, alice.id, 50).await;
    enqueue("https://kith.test/a/1", r#"{"n":"again"}"#, alice.id, 60).await;
    enqueue("https://kith.test/a/2", r#"{"n":2}"#, alice.id, 3).await;
    enqueue("https://kith.test/a/3", r#"{"n":3}"#, bob.id, 2).await;
    assert_eq!(deliveries::Entity::find().count(db).await.unwrap(), 65);
    assert_eq!(
        bodies(db).await,
        vec![
            ("https://kith.test/a/1".into(), r#"{"n":1}"#.into()),
            ("https://kith.test/a/2".into(), r#"{"n":2}"#.into()),
            ("https://kith.test/a/3".into(), r#"{"n":3}"#.into()),
        ]
    );

    // A claim brings each activity's body once.
    let claimed = kith::db::deliveries::claim_due(db, 1000, chrono::Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(claimed.deliveries.len(), 65);
    assert_eq!(claimed.bodies.len(), 3);
    assert_eq!(&*claimed.bodies["https://kith.test/a/2"], r#"{"n":2}"#);

    let of = |activity: &str| {
        claimed
            .deliveries
            .iter()
            .filter(|d| d.activity_id == activity)
            .map(|d| d.id)
            .collect::<Vec<_>>()
    };
    // All of a/1's deliveries but one, and all of a/2's but one given up.
    let a1 = of("https://kith.test/a/1");
    let a2 = of("https://kith.test/a/2");
    let mut made: Vec<i64> = a1[1..].to_vec();
    made.extend(&a2[1..]);
    kith::db::deliveries::give_up(db, a2[0], 1, "HTTP 410")
        .await
        .unwrap();
    kith::db::deliveries::delete_many(db, &made).await.unwrap();
    assert_eq!(
        bodies(db).await.len(),
        3,
        "a/1 has one delivery left, a/2 a given-up one"
    );
    kith::db::deliveries::delete_many(db, &a1[..1])
        .await
        .unwrap();
    let left: Vec<String> = bodies(db).await.into_iter().map(|b| b.0).collect();
    assert_eq!(left, vec!["https://kith.test/a/2", "https://kith.test/a/3"]);

    // bob's account goes, and his deliveries with it: the sweep drops a/3.
    entity::accounts::Entity::delete_by_id(bob.id)
        .exec(db)
        .await
        .unwrap();
    assert_eq!(
        deliveries::Entity::find()
            .filter(deliveries::Column::SignerAccountId.eq(bob.id))
            .count(db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        kith::db::deliveries::delete_unused_bodies(db)
            .await
            .unwrap(),
        1
    );
    let left: Vec<String> = bodies(db).await.into_iter().map(|b| b.0).collect();
    assert_eq!(left, vec!["https://kith.test/a/2"]);
}

/// The migration moves queued bodies out of the deliveries and back.
#[tokio::test]
async fn the_delivery_bodies_migration_keeps_every_queued_body() {
    let env = env().await;
    let alice = env.user("alice").await;
    let db = &env.state.db.write;
    for (activity, body) in [
        ("https://kith.test/a/1", "one"),
        ("https://kith.test/a/2", "two"),
    ] {
        kith::db::deliveries::enqueue(
            db,
            || env.state.ids.next(),
            activity,
            body,
            alice.id,
            &inboxes(4),
        )
        .await
        .unwrap();
    }
    crate::common::migrate_down_through(db, "m20261205_000017_delivery_bodies").await;
    // Back in the deliveries: one copy per inbox.
    use sea_orm::ConnectionTrait;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT activity_id, body FROM deliveries ORDER BY activity_id",
        ))
        .await
        .unwrap();
    let kept: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
            )
        })
        .collect();
    assert_eq!(kept.len(), 8);
    assert!(kept[..4].iter().all(|(_, b)| b == "one"), "{kept:?}");
    assert!(kept[4..].iter().all(|(_, b)| b == "two"), "{kept:?}");
    migration::Migrator::up(db, None).await.unwrap();
    assert_eq!(
        bodies(db).await,
        vec![
            ("https://kith.test/a/1".into(), "one".into()),
            ("https://kith.test/a/2".into(), "two".into()),
        ]
    );
    let claimed = kith::db::deliveries::claim_due(db, 100, chrono::Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(claimed.deliveries.len(), 8);
    assert_eq!(&*claimed.bodies["https://kith.test/a/1"], "one");
}
