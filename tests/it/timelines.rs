use entity::Visibility;
use kith::db::Page;
use kith::db::statuses::AccountTimelineFilter;
use kith::service::relationships::{FollowOptions, block, follow};
use kith::service::timelines::{PublicScope, account, home, public};

use crate::common::env;

fn ids(v: Vec<kith::service::timelines::StatusView>) -> Vec<i64> {
    v.into_iter().map(|v| v.status.id).collect()
}

#[tokio::test]
async fn home_pagination_follows_mastodon_semantics() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    follow(&env.state, &alice, bob.id, FollowOptions::default())
        .await
        .unwrap();
    let mut posted = Vec::new();
    for i in 0..7 {
        let author = if i % 2 == 0 { &bob } else { &alice };
        posted.push(
            env.post(author, &format!("post {i}"), Visibility::Public)
                .await
                .id,
        );
    }
    posted.reverse(); // newest first
    let p = |max_id, since_id, min_id, limit| Page {
        max_id,
        since_id,
        min_id,
        limit,
    };

    assert_eq!(
        ids(home(&env.state, &alice, &p(None, None, None, 3))
            .await
            .unwrap()),
        posted[0..3]
    );
    assert_eq!(
        ids(home(&env.state, &alice, &p(Some(posted[2]), None, None, 3))
            .await
            .unwrap()),
        posted[3..6]
    );
    assert_eq!(
        ids(home(&env.state, &alice, &p(Some(posted[5]), None, None, 3))
            .await
            .unwrap()),
        posted[6..7]
    );
    // since_id: the newest entries above the bound; min_id: the ones just above it.
    assert_eq!(
        ids(home(&env.state, &alice, &p(None, Some(posted[6]), None, 2))
            .await
            .unwrap()),
        posted[0..2]
    );
    assert_eq!(
        ids(home(&env.state, &alice, &p(None, None, Some(posted[6]), 2))
            .await
            .unwrap()),
        posted[4..6]
    );
    assert_eq!(
        ids(home(
            &env.state,
            &alice,
            &p(Some(posted[1]), None, Some(posted[4]), 40)
        )
        .await
        .unwrap()),
        posted[2..4]
    );
    // The limit is capped at 40 and defaults to 20.
    assert_eq!(p(None, None, None, 1000).limit(), 40);
    assert_eq!(p(None, None, None, 0).limit(), 20);
    // Bob's feed has only his own posts.
    assert_eq!(
        ids(home(&env.state, &bob, &Page::new(40)).await.unwrap()).len(),
        4
    );
}

#[tokio::test]
async fn the_home_feed_follows_reply_and_visibility_rules() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let carol = env.user("carol").await;
    let dave = env.user("dave").await;
    follow(&env.state, &alice, bob.id, FollowOptions::default())
        .await
        .unwrap();
    follow(&env.state, &dave, bob.id, FollowOptions::default())
        .await
        .unwrap();
    follow(&env.state, &dave, carol.id, FollowOptions::default())
        .await
        .unwrap();
    let carols = env.post(&carol, "carol's post", Visibility::Public).await;
    let reply_to_carol = env
        .reply(&bob, &carols, "@carol nice", Visibility::Public)
        .await;
    let private = env.post(&bob, "followers", Visibility::Private).await;
    let dm_alice = env.post(&bob, "@alice psst", Visibility::Direct).await;
    let dm_carol = env.post(&bob, "@carol psst", Visibility::Direct).await;

    let a = env.home_ids(&alice).await;
    assert!(
        !a.contains(&reply_to_carol.id),
        "alice does not follow carol"
    );
    assert!(a.contains(&private.id));
    assert!(
        a.contains(&dm_alice.id),
        "a DM reaches a mentioned follower"
    );
    assert!(!a.contains(&dm_carol.id));
    let d = env.home_ids(&dave).await;
    assert!(d.contains(&reply_to_carol.id), "dave follows both");
    assert!(!d.contains(&dm_alice.id));
    let c = env.home_ids(&carol).await;
    assert!(!c.contains(&dm_carol.id), "carol does not follow bob");
}

#[tokio::test]
async fn public_timelines_show_only_public_originals() {
    let env = env().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let eve = env.user("eve").await;
    let public_post = env.post(&alice, "public", Visibility::Public).await;
    env.post(&alice, "unlisted", Visibility::Unlisted).await;
    env.post(&alice, "private", Visibility::Private).await;
    env.post(&alice, "@bob direct", Visibility::Direct).await;
    let self_reply = env
        .reply(&alice, &public_post, "thread", Visibility::Public)
        .await;
    env.reply(&bob, &public_post, "@alice reply", Visibility::Public)
        .await;
    kith::service::interactions::reblog(&env.state, &bob, public_post.id, None)
        .await
        .unwrap();
    let bobs = env.post(&bob, "bob public", Visibility::Public).await;

    let all = ids(
        public(&env.state, None, PublicScope::All, false, &Page::new(40))
            .await
            .unwrap(),
    );
    assert_eq!(all, vec![bobs.id, self_reply.id, public_post.id]);
    let local = ids(
        public(&env.state, None, PublicScope::Local, false, &Page::new(40))
            .await
            .unwrap(),
    );
    assert_eq!(local, all);
    assert!(
        public(&env.state, None, PublicScope::Remote, false, &Page::new(40))
            .await
            .unwrap()
            .is_empty()
    );

    block(&env.state, &eve, bob.id).await.unwrap();
    let for_eve = ids(public(
        &env.state,
        Some(&eve),
        PublicScope::All,
        false,
        &Page::new(40),
    )
    .await
    .unwrap());
    assert_eq!(for_eve, vec![self_reply.id, public_post.id]);

    kith::service::accounts::set_suspended(&env.state, "alice", true)
        .await
        .unwrap();
    let all = ids(
        public(&env.state, None, PublicScope::All, false, &Page::new(40))
            .await
            .unwrap(),
    );
    assert_eq!(all, vec![bobs.id]);
}

#[tokio::test]
async fn an_account_timeline_depends_on_who_looks() {
    let env = env().await;
    let alice = env.user("alice").await;
    let follower = env.user("follower").await;
    let stranger = env.user("stranger").await;
    let mentioned = env.user("mentioned").await;
    follow(&env.state, &follower, alice.id, FollowOptions::default())
        .await
        .unwrap();
    let p = env.post(&alice, "public", Visibility::Public).await.id;
    let u = env.post(&alice, "unlisted", Visibility::Unlisted).await.id;
    let f = env.post(&alice, "private", Visibility::Private).await.id;
    let d = env
        .post(&alice, "@mentioned direct", Visibility::Direct)
        .await
        .id;
    let other = env.post(&stranger, "stranger's", Visibility::Public).await;
    let reply = env
        .reply(&alice, &other, "@stranger reply", Visibility::Public)
        .await
        .id;
    let none = AccountTimelineFilter::default();
    let tl = |viewer: Option<&entity::accounts::Model>, filter| {
        let state = env.state.clone();
        let viewer = viewer.cloned();
        let alice_id = alice.id;
        async move {
            ids(
                account(&state, viewer.as_ref(), alice_id, filter, &Page::new(40))
                    .await
                    .unwrap(),
            )
        }
    };
    assert_eq!(tl(Some(&alice), none).await, vec![reply, d, f, u, p]);
    assert_eq!(tl(Some(&follower), none).await, vec![reply, f, u, p]);
    assert_eq!(tl(Some(&stranger), none).await, vec![reply, u, p]);
    assert_eq!(tl(Some(&mentioned), none).await, vec![reply, d, u, p]);
    assert_eq!(tl(None, none).await, vec![reply, u, p]);
    let no_replies = AccountTimelineFilter {
        exclude_replies: true,
        ..Default::default()
    };
    assert_eq!(tl(None, no_replies).await, vec![u, p]);
    block(&env.state, &alice, stranger.id).await.unwrap();
    assert!(tl(Some(&stranger), none).await.is_empty());
}

/// The home feed reads its statuses and authors by column position
/// (`db::rows`): every field must come out as sea-orm's own decoding by name
/// gives it, with each column set to a value no neighbouring column has.
#[tokio::test]
async fn home_feed_rows_are_read_column_for_column() {
    use chrono::TimeZone;
    use entity::{accounts, statuses};
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let env = env().await;
    let reader = env.user("reader").await;
    let author = env.user("author").await;
    follow(&env.state, &reader, author.id, FollowOptions::default())
        .await
        .unwrap();
    let root = env.post(&reader, "root", Visibility::Public).await;
    let parent = env
        .reply(&reader, &root, "parent", Visibility::Public)
        .await;
    let posted = env
        .post(&author, "every column", Visibility::Unlisted)
        .await;
    let at = |s: u32| chrono::Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, s).unwrap();
    let mut a = env.reload(&author).await.into_active_model();
    a.note_source = Set(Some("note source".into()));
    a.avatar_url = Set(Some("https://a.example/avatar.png".into()));
    a.header_url = Set(Some("https://a.example/header.png".into()));
    a.locked = Set(true);
    a.bot = Set(false);
    a.discoverable = Set(true);
    a.fields = Set(serde_json::json!([{"name": "n", "value": "v"}]));
    a.url = Set(Some("https://a.example/@author".into()));
    a.shared_inbox_url = Set(Some("https://a.example/shared".into()));
    a.outbox_url = Set(Some("https://a.example/outbox".into()));
    a.followers_url = Set(Some("https://a.example/followers".into()));
    a.following_url = Set(Some("https://a.example/following".into()));
    a.followers_count = Set(11);
    a.following_count = Set(12);
    a.statuses_count = Set(13);
    a.last_status_at = Set(Some(at(1)));
    a.created_at = Set(at(2));
    a.updated_at = Set(at(3));
    a.last_fetched_at = Set(Some(at(4)));
    let author = a.update(&env.state.db.write).await.unwrap();
    let mut s = env.reload_status(&posted).await.into_active_model();
    s.url = Set(Some("https://a.example/@author/1".into()));
    // Ids that exist (foreign keys), each different from the others.
    s.in_reply_to_id = Set(Some(parent.id));
    s.in_reply_to_account_id = Set(Some(reader.id));
    s.thread_root_id = Set(Some(root.id));
    s.text = Set("the text".into());
    s.sensitive = Set(true);
    s.spoiler_text = Set("spoiler".into());
    s.language = Set(Some("de".into()));
    s.replies_count = Set(31);
    s.reblogs_count = Set(32);
    s.favourites_count = Set(33);
    s.created_at = Set(at(5));
    s.updated_at = Set(at(6));
    s.edited_at = Set(Some(at(7)));
    let status = s.update(&env.state.db.write).await.unwrap();

    let rows = kith::db::feeds::page(&env.state.db.read, reader.id, &Page::new(40))
        .await
        .unwrap();
    let (s, a) = rows
        .iter()
        .find(|(s, _)| s.id == status.id)
        .expect("the status is in the reader's feed");
    assert_eq!(s, &status);
    assert_eq!(a, &author);
    // And both as sea-orm decodes them by name.
    use sea_orm::EntityTrait;
    let by_name = statuses::Entity::find_by_id(status.id)
        .find_also_related(accounts::Entity)
        .one(&env.state.db.read)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((s, a), (&by_name.0, &by_name.1.unwrap()));
}

/// A home page below `max_id`, on a feed that holds a fifth of many statuses:
/// every page is the next 40 of the feed, and on PostgreSQL the prepared
/// statement settles on one generic plan rather than being planned again for
/// each `max_id` (which the earlier shape of the query made it do: the plan
/// cost as much CPU as running it).
#[tokio::test]
async fn home_pages_below_max_id_keep_one_plan() {
    use entity::{home_feed, statuses};
    use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait, Set};
    let env = env().await;
    let reader = env.user("reader").await;
    let followed = env.user("followed").await;
    let other = env.user("other").await;
    let now = kith::db::now();
    let mut feed = Vec::new();
    let mut rows = Vec::new();
    for i in 0..20_000 {
        let id = env.state.ids.next();
        let author = if i % 5 == 0 { &followed } else { &other };
        if i % 5 == 0 {
            feed.push(id);
        }
        rows.push(statuses::ActiveModel {
            id: Set(id),
            uri: Set(format!("http://kith.test/statuses/{id}")),
            url: Set(None),
            local: Set(true),
            account_id: Set(author.id),
            in_reply_to_id: Set(None),
            in_reply_to_account_id: Set(None),
            thread_root_id: Set(Some(id)),
            conversation_id: Set(None),
            reblog_of_id: Set(None),
            content: Set(format!("<p>{i}</p>")),
            text: Set(i.to_string()),
            visibility: Set(Visibility::Public),
            sensitive: Set(false),
            spoiler_text: Set(String::new()),
            language: Set(None),
            replies_count: Set(0),
            reblogs_count: Set(0),
            favourites_count: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            edited_at: Set(None),
            deleted_at: Set(None),
        });
    }
    let db = &env.state.db.write;
    for chunk in rows.chunks(1_000) {
        statuses::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await
            .unwrap();
    }
    let feed_rows: Vec<home_feed::ActiveModel> = feed
        .iter()
        .map(|id| home_feed::ActiveModel {
            account_id: Set(reader.id),
            status_id: Set(*id),
            author_account_id: Set(followed.id),
            reblog_of_id: Set(None),
        })
        .collect();
    for chunk in feed_rows.chunks(1_000) {
        home_feed::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await
            .unwrap();
    }
    db.execute_unprepared("ANALYZE").await.unwrap();
    feed.sort_unstable_by(|a, b| b.cmp(a));

    // One connection, so that its prepared statements can be read back.
    let one = sea_orm::Database::connect(
        sea_orm::ConnectOptions::new(env.state.config.database_url.as_str())
            .max_connections(1)
            .min_connections(1)
            .sqlx_logging(false)
            .to_owned(),
    )
    .await
    .unwrap();
    let mut max_id = feed[0];
    for n in 0..10 {
        let page = Page {
            max_id: Some(max_id),
            ..Page::new(40)
        };
        let got: Vec<i64> = kith::db::feeds::page(&one, reader.id, &page)
            .await
            .unwrap()
            .into_iter()
            .map(|(s, _)| s.id)
            .collect();
        assert_eq!(got, feed[1 + 40 * n..1 + 40 * (n + 1)], "page {n}");
        max_id = *got.last().unwrap();
    }
    if one.get_database_backend() == DatabaseBackend::Postgres {
        let plans = one
            .query_one_raw(sea_orm::Statement::from_string(
                DatabaseBackend::Postgres,
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements \
                 WHERE statement LIKE '%home_feed%'",
            ))
            .await
            .unwrap()
            .expect("the page's statement is prepared");
        let generic: i64 = plans.try_get_by_index(0).unwrap();
        let custom: i64 = plans.try_get_by_index(1).unwrap();
        assert!(
            generic >= 4 && custom <= 6,
            "generic plans {generic}, custom plans {custom}"
        );
    }
}
