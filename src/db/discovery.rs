//! Discovery: tag usage history, trending tags and statuses, suggestions of
//! accounts to follow (friends of friends) and familiar followers. Recent
//! activity is found by id range: ids carry their creation time (`ids.rs`), so
//! "the last week" is a primary-key range.
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement, Value,
};

use super::placeholders;

/// The smallest id made at or after `t`.
pub fn first_id_at(t: chrono::DateTime<chrono::Utc>) -> i64 {
    std::cmp::Ord::max(t.timestamp_millis(), 0) << 16
}

/// `(status created_at, author id)` of the public statuses tagged `tag_id` since
/// `since_id` (at most `cap`), for a tag's daily history.
pub async fn tag_uses(
    conn: &impl ConnectionTrait,
    tag_id: i64,
    since_id: i64,
    cap: u64,
) -> Result<Vec<(chrono::DateTime<chrono::Utc>, i64)>, DbErr> {
    use entity::{statuses, statuses_tags};
    statuses::Entity::find()
        .select_only()
        .column(statuses::Column::CreatedAt)
        .column(statuses::Column::AccountId)
        .filter(
            statuses::Column::Id.in_subquery(
                Query::select()
                    .column(statuses_tags::Column::StatusId)
                    .from(statuses_tags::Entity)
                    .and_where(Expr::col(statuses_tags::Column::TagId).eq(tag_id))
                    .and_where(Expr::col(statuses_tags::Column::StatusId).gte(since_id))
                    .take(),
            ),
        )
        .filter(statuses::Column::DeletedAt.is_null())
        .filter(statuses::Column::Visibility.eq(entity::Visibility::Public))
        .order_by_desc(statuses::Column::Id)
        .limit(cap)
        .into_tuple()
        .all(conn)
        .await
}

/// Tags used in public statuses since `since_id`, by how many accounts used
/// them, then how often: `(tag id, accounts, uses)`.
pub async fn trending_tags(
    conn: &impl ConnectionTrait,
    since_id: i64,
    limit: u64,
    offset: u64,
) -> Result<Vec<(i64, i64, i64)>, DbErr> {
    let backend = conn.get_database_backend();
    let sql = "SELECT st.tag_id, COUNT(DISTINCT s.account_id) AS accounts, COUNT(*) AS uses \
               FROM statuses_tags st JOIN statuses s ON s.id = st.status_id \
               WHERE st.status_id >= ? AND s.visibility = 'public' AND s.deleted_at IS NULL \
               AND s.account_id NOT IN (SELECT id FROM accounts WHERE suspended_at IS NOT NULL) \
               GROUP BY st.tag_id ORDER BY accounts DESC, uses DESC, st.tag_id DESC LIMIT ? OFFSET ?";
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            placeholders(backend, sql),
            [
                Value::from(since_id),
                Value::from(limit as i64),
                Value::from(offset as i64),
            ],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get_by_index(0)?,
                r.try_get_by_index(1)?,
                r.try_get_by_index(2)?,
            ))
        })
        .collect()
}

/// Public original statuses since `since_id` with the most boosts and
/// favourites (at least one).
pub async fn trending_statuses(
    conn: &impl ConnectionTrait,
    since_id: i64,
    limit: u64,
    offset: u64,
) -> Result<Vec<i64>, DbErr> {
    let backend = conn.get_database_backend();
    let sql = "SELECT s.id FROM statuses s \
               WHERE s.id >= ? AND s.visibility = 'public' AND s.reblog_of_id IS NULL \
               AND s.deleted_at IS NULL AND s.reblogs_count + s.favourites_count > 0 \
               AND s.account_id NOT IN (SELECT id FROM accounts WHERE suspended_at IS NOT NULL) \
               ORDER BY s.reblogs_count + s.favourites_count DESC, s.id DESC LIMIT ? OFFSET ?";
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            placeholders(backend, sql),
            [
                Value::from(since_id),
                Value::from(limit as i64),
                Value::from(offset as i64),
            ],
        ))
        .await?;
    rows.iter().map(|r| r.try_get_by_index(0)).collect()
}

/// Accounts followed by the accounts `account_id` follows, that it does not
/// follow, has not asked to follow, blocks, mutes, is blocked by or dismissed,
/// most shared first: `(account id, how many of its follows follow them)`.
pub async fn friends_of_friends(
    conn: &impl ConnectionTrait,
    account_id: i64,
    limit: u64,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let backend = conn.get_database_backend();
    let sql = "SELECT f2.target_account_id, COUNT(*) AS n FROM follows f1 \
               JOIN follows f2 ON f2.account_id = f1.target_account_id \
               JOIN accounts a ON a.id = f2.target_account_id \
               WHERE f1.account_id = ? AND f2.target_account_id <> ? \
               AND a.suspended_at IS NULL AND a.discoverable = ? \
               AND f2.target_account_id NOT IN (SELECT target_account_id FROM follows WHERE account_id = ?) \
               AND f2.target_account_id NOT IN (SELECT target_account_id FROM follow_requests WHERE account_id = ?) \
               AND f2.target_account_id NOT IN (SELECT target_account_id FROM blocks WHERE account_id = ?) \
               AND f2.target_account_id NOT IN (SELECT account_id FROM blocks WHERE target_account_id = ?) \
               AND f2.target_account_id NOT IN (SELECT target_account_id FROM mutes WHERE account_id = ?) \
               AND f2.target_account_id NOT IN (SELECT target_account_id FROM suggestion_dismissals WHERE account_id = ?) \
               GROUP BY f2.target_account_id ORDER BY n DESC, f2.target_account_id DESC LIMIT ?";
    let me = Value::from(account_id);
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            placeholders(backend, sql),
            [
                me.clone(),
                me.clone(),
                Value::from(true),
                me.clone(),
                me.clone(),
                me.clone(),
                me.clone(),
                me.clone(),
                me,
                Value::from(limit as i64),
            ],
        ))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
        .collect()
}

pub async fn dismiss_suggestion(
    conn: &impl ConnectionTrait,
    account_id: i64,
    target_id: i64,
) -> Result<(), DbErr> {
    use entity::suggestion_dismissals;
    use sea_orm::Set;
    suggestion_dismissals::Entity::insert(suggestion_dismissals::ActiveModel {
        account_id: Set(account_id),
        target_account_id: Set(target_id),
        created_at: Set(super::now()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// `(target, follower)` pairs: of the accounts `account_id` follows, those who
/// follow each of `targets`.
pub async fn familiar_followers(
    conn: &impl ConnectionTrait,
    account_id: i64,
    targets: &[i64],
) -> Result<Vec<(i64, i64)>, DbErr> {
    use entity::follows;
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    follows::Entity::find()
        .select_only()
        .column(follows::Column::TargetAccountId)
        .column(follows::Column::AccountId)
        .filter(follows::Column::TargetAccountId.is_in(targets.iter().copied()))
        .filter(
            follows::Column::AccountId.in_subquery(
                Query::select()
                    .column(follows::Column::TargetAccountId)
                    .from(follows::Entity)
                    .and_where(Expr::col(follows::Column::AccountId).eq(account_id))
                    .take(),
            ),
        )
        .order_by_desc(follows::Column::Id)
        .limit(2000)
        .into_tuple()
        .all(conn)
        .await
}
