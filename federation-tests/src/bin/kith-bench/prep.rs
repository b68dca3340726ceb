//! Filling a site's database before `kith serve` starts. Local accounts,
//! tokens and posts go through the `kith` service layer; the bulk of a large
//! data set (remote accounts, follows, a million statuses and their home-feed
//! rows) is written with sea-orm `insert_many` in large batches, which is what
//! fan-out on write would have left behind, only faster to make.
use chrono::{DateTime, Utc};
use entity::{Visibility, accounts, follows, home_feed, statuses};
use kith::AppState;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use crate::harness::{Res, err};

/// A local user with an access token for the client API.
pub struct LocalUser {
    pub account: accounts::Model,
    pub token: String,
}

pub async fn local_user(state: &AppState, name: &str) -> Res<LocalUser> {
    use kith::service::accounts::{NewUser, register};
    use kith::service::oauth::{create_app, token_for_new_account};
    let (account, _) = register(
        state,
        NewUser::new(
            name,
            &format!("{name}@bench.example"),
            "a long bench password",
        ),
    )
    .await
    .map_err(|e| err(format!("register {name}: {e}")))?;
    let app = create_app(
        state,
        "kith-bench",
        "urn:ietf:wg:oauth:2.0:oob",
        "read write follow",
        None,
    )
    .await
    .map_err(|e| err(e.to_string()))?;
    let token = token_for_new_account(state, &app.app, &account)
        .await
        .map_err(|e| err(e.to_string()))?
        .access_token;
    Ok(LocalUser { account, token })
}

/// A remote account to store: its id, name and where it lives.
pub struct Remote {
    pub username: String,
    /// `host:port`
    pub domain: String,
    pub uri: String,
    pub shared_inbox: Option<String>,
}

/// Stores remote accounts as if fetched just now; returns their ids in order.
pub async fn remote_accounts(state: &AppState, list: &[Remote], pem: &str) -> Res<Vec<i64>> {
    let now = Utc::now();
    let mut ids = Vec::with_capacity(list.len());
    let rows: Vec<accounts::ActiveModel> = list
        .iter()
        .map(|r| {
            let id = state.ids.next();
            ids.push(id);
            accounts::ActiveModel {
                id: Set(id),
                username: Set(r.username.clone()),
                domain: Set(Some(r.domain.clone())),
                display_name: Set(format!("Bench {}", r.username)),
                note: Set(String::new()),
                note_source: Set(None),
                avatar_url: Set(None),
                header_url: Set(None),
                locked: Set(false),
                bot: Set(false),
                discoverable: Set(true),
                fields: Set(serde_json::json!([])),
                uri: Set(r.uri.clone()),
                url: Set(Some(r.uri.clone())),
                inbox_url: Set(format!("{}/inbox", r.uri)),
                shared_inbox_url: Set(r.shared_inbox.clone()),
                outbox_url: Set(Some(format!("{}/outbox", r.uri))),
                followers_url: Set(Some(format!("{}/followers", r.uri))),
                following_url: Set(Some(format!("{}/following", r.uri))),
                public_key_pem: Set(pem.to_string()),
                private_key_pem: Set(None),
                followers_count: Set(0),
                following_count: Set(0),
                statuses_count: Set(0),
                last_status_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                last_fetched_at: Set(Some(now)),
                suspended_at: Set(None),
            }
        })
        .collect();
    let txn = state.db.write.begin().await?;
    for chunk in rows.chunks(500) {
        accounts::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(ids)
}

/// Stores `(follower, followed)` pairs and sets both sides' counters.
pub async fn follow_pairs(state: &AppState, pairs: &[(i64, i64)]) -> Res<()> {
    let now = Utc::now();
    let rows: Vec<follows::ActiveModel> = pairs
        .iter()
        .map(|(a, b)| follows::ActiveModel {
            id: Set(state.ids.next()),
            account_id: Set(*a),
            target_account_id: Set(*b),
            uri: Set(None),
            show_reblogs: Set(true),
            notify: Set(false),
            created_at: Set(now),
        })
        .collect();
    let txn = state.db.write.begin().await?;
    for chunk in rows.chunks(2000) {
        follows::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    let mut following = std::collections::HashMap::<i64, i64>::new();
    let mut followers = std::collections::HashMap::<i64, i64>::new();
    for (a, b) in pairs {
        *following.entry(*a).or_default() += 1;
        *followers.entry(*b).or_default() += 1;
    }
    // Only the accounts with many follows (the bench's local users) need exact counters.
    for (id, n) in following.into_iter().filter(|(_, n)| *n > 1) {
        accounts::Entity::update_many()
            .col_expr(accounts::Column::FollowingCount, Expr::val(n))
            .filter(accounts::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    for (id, n) in followers.into_iter().filter(|(_, n)| *n > 1) {
        accounts::Entity::update_many()
            .col_expr(accounts::Column::FollowersCount, Expr::val(n))
            .filter(accounts::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// One remote status by `author`, published at `at`.
pub fn remote_status(
    state: &AppState,
    author: i64,
    author_uri: &str,
    n: usize,
    at: DateTime<Utc>,
) -> statuses::ActiveModel {
    let id = state.ids.at(at);
    statuses::ActiveModel {
        id: Set(id),
        uri: Set(format!("{author_uri}/statuses/{n}")),
        url: Set(None),
        local: Set(false),
        account_id: Set(author),
        in_reply_to_id: Set(None),
        in_reply_to_account_id: Set(None),
        thread_root_id: Set(Some(id)),
        conversation_id: Set(None),
        reblog_of_id: Set(None),
        content: Set(format!(
            "<p>Status number {n} of the benchmark data set, with a few words more \
             so that it is about the size of an ordinary post on a social network.</p>"
        )),
        text: Set(String::new()),
        visibility: Set(Visibility::Public),
        sensitive: Set(false),
        spoiler_text: Set(String::new()),
        language: Set(Some("en".into())),
        replies_count: Set(0),
        reblogs_count: Set(0),
        favourites_count: Set(0),
        created_at: Set(at),
        updated_at: Set(at),
        edited_at: Set(None),
        deleted_at: Set(None),
    }
}

/// Writes statuses and the home-feed rows of `reader` for those by followed authors.
pub async fn statuses_and_feed(
    state: &AppState,
    rows: Vec<statuses::ActiveModel>,
    reader: i64,
    followed: &std::collections::HashSet<i64>,
) -> Res<usize> {
    let mut feed = Vec::new();
    for s in &rows {
        let (sea_orm::ActiveValue::Set(id), sea_orm::ActiveValue::Set(author)) =
            (&s.id, &s.account_id)
        else {
            continue;
        };
        if followed.contains(author) {
            feed.push(home_feed::ActiveModel {
                account_id: Set(reader),
                status_id: Set(*id),
                author_account_id: Set(*author),
                reblog_of_id: Set(None),
            });
        }
    }
    let txn = state.db.write.begin().await?;
    for chunk in rows.chunks(1000) {
        statuses::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in feed.chunks(5000) {
        home_feed::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(feed.len())
}

/// Gathers the planner's statistics after a bulk load, as a running database's
/// autovacuum would have done by the time a million statuses had arrived. Without
/// them PostgreSQL plans the home-feed page for a few hundred rows and sorts the
/// reader's whole feed per page (820 ms instead of 0.4 ms measured); the
/// PostgreSQL on the bench machine runs with `autovacuum = off`. SQLite is left
/// as a Kith on SQLite runs: without `sqlite_stat1`.
pub async fn statistics(state: &AppState) -> Res<()> {
    use sea_orm::ConnectionTrait;
    if state.db.backend() == sea_orm::DatabaseBackend::Postgres {
        state.db.write.execute_unprepared("ANALYZE").await?;
    }
    Ok(())
}

/// A small deterministic generator (no seed files, same data every run).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
