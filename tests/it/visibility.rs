//! The visibility rule, checked against a real database: a table of viewers
//! (author, follower, mentioned, stranger, blocked, logged out) for each visibility.
use entity::Visibility;
use kith::service::relationships::{FollowOptions, block, follow};
use kith::service::visibility::can_view;

use crate::common::env;

#[tokio::test]
async fn who_may_see_what() {
    let env = env().await;
    let author = env.user("author").await;
    let follower = env.user("follower").await;
    let mentioned = env.user("mentioned").await;
    let stranger = env.user("stranger").await;
    let blocked = env.user("blocked").await;
    follow(&env.state, &follower, author.id, FollowOptions::default())
        .await
        .unwrap();
    follow(&env.state, &blocked, author.id, FollowOptions::default())
        .await
        .unwrap();

    let mut statuses = Vec::new();
    for v in [
        Visibility::Public,
        Visibility::Unlisted,
        Visibility::Private,
        Visibility::Direct,
    ] {
        statuses.push((
            v,
            env.post(&author, &format!("@mentioned @blocked {}", v.as_str()), v)
                .await,
        ));
    }
    block(&env.state, &author, blocked.id).await.unwrap();

    //                      public unlisted private direct
    let table = [
        ("author", Some(&author), [true, true, true, true]),
        ("follower", Some(&follower), [true, true, true, false]),
        ("mentioned", Some(&mentioned), [true, true, true, true]),
        ("stranger", Some(&stranger), [true, true, false, false]),
        ("blocked", Some(&blocked), [false, false, false, false]),
        ("logged out", None, [true, true, false, false]),
    ];
    for (who, viewer, expected) in table {
        for ((v, s), want) in statuses.iter().zip(expected) {
            let got = can_view(&env.state.db.read, s, viewer).await.unwrap();
            assert_eq!(got, want, "{who} / {v:?}");
            let via_get = kith::service::statuses::get(&env.state, viewer, s.id)
                .await
                .is_ok();
            assert_eq!(via_get, want, "get: {who} / {v:?}");
        }
    }
}
