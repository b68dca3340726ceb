//! The home feed: one row per (reader, status), written when a status is posted
//! or a follow starts, so reading a page is a range scan on the primary key.
use entity::{accounts, home_feed, statuses};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};

use super::Page;

/// Rows inserted per statement: 4 values each keeps far below SQLite's variable limit.
const CHUNK: usize = 500;

/// Writes `status` into the home feeds of `readers`. Re-running is harmless.
pub async fn insert(
    conn: &impl ConnectionTrait,
    readers: &[i64],
    status: &statuses::Model,
) -> Result<(), DbErr> {
    for chunk in readers.chunks(CHUNK) {
        let rows = chunk.iter().map(|reader| home_feed::ActiveModel {
            account_id: sea_orm::Set(*reader),
            status_id: sea_orm::Set(status.id),
            author_account_id: sea_orm::Set(status.account_id),
            reblog_of_id: sea_orm::Set(status.reblog_of_id),
        });
        home_feed::Entity::insert_many(rows)
            .on_conflict_do_nothing()
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Of `readers`, those whose feed already shows `status_id` or a reblog of it.
pub async fn already_showing(
    conn: &impl ConnectionTrait,
    readers: &[i64],
    status_id: i64,
) -> Result<Vec<i64>, DbErr> {
    if readers.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for chunk in readers.chunks(CHUNK) {
        let ids: Vec<i64> = home_feed::Entity::find()
            .select_only()
            .column(home_feed::Column::AccountId)
            .filter(home_feed::Column::AccountId.is_in(chunk.iter().copied()))
            .filter(
                Condition::any()
                    .add(home_feed::Column::StatusId.eq(status_id))
                    .add(home_feed::Column::ReblogOfId.eq(status_id)),
            )
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(ids);
    }
    Ok(out)
}

/// Takes everything `author_id` posted or boosted out of `reader_id`'s feed.
pub async fn remove_author(
    conn: &impl ConnectionTrait,
    reader_id: i64,
    author_id: i64,
) -> Result<u64, DbErr> {
    Ok(home_feed::Entity::delete_many()
        .filter(home_feed::Column::AccountId.eq(reader_id))
        .filter(home_feed::Column::AuthorAccountId.eq(author_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Takes a status, and every reblog of it, out of every feed.
pub async fn remove_status(conn: &impl ConnectionTrait, status_id: i64) -> Result<u64, DbErr> {
    Ok(home_feed::Entity::delete_many()
        .filter(
            Condition::any()
                .add(home_feed::Column::StatusId.eq(status_id))
                .add(home_feed::Column::ReblogOfId.eq(status_id)),
        )
        .exec(conn)
        .await?
        .rows_affected)
}

/// Recent statuses of `author_id` a new follower should find in their feed: public,
/// unlisted and followers-only originals and reblogs, without replies to others.
pub async fn backfill_candidates(
    conn: &impl ConnectionTrait,
    author_id: i64,
    limit: u64,
) -> Result<Vec<statuses::Model>, DbErr> {
    use entity::Visibility;
    statuses::Entity::find()
        .filter(statuses::Column::AccountId.eq(author_id))
        .filter(statuses::Column::DeletedAt.is_null())
        .filter(statuses::Column::Visibility.is_in([
            Visibility::Public,
            Visibility::Unlisted,
            Visibility::Private,
        ]))
        .filter(
            Condition::any()
                .add(statuses::Column::InReplyToId.is_null())
                .add(
                    Expr::col(statuses::Column::InReplyToAccountId)
                        .eq(Expr::col(statuses::Column::AccountId)),
                ),
        )
        .order_by_desc(statuses::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// One page of a reader's home feed, newest first, without the members of the
/// reader's exclusive lists, each status with its author (one statement: the
/// page is read on every refresh of every app).
///
/// The page's ids are chosen from `home_feed` alone, in a subquery with a
/// literal LIMIT, and only those rows are joined to their statuses and
/// authors: a lookup by primary key each. Joined first, PostgreSQL may plan a
/// merge join along the statuses' primary key whose estimated cost depends on
/// the `max_id` bound; its generic plan then looks dearer than a plan for the
/// given values, so it planned page 2 again on every request (about as much
/// CPU as running it). This shape costs the same whatever the bound, so the
/// prepared statement keeps one plan. A deleted status has no feed rows (they
/// go in the transaction that deletes it); the filter on `deleted_at` below is
/// a second guard, which may leave a page short but never shows one.
pub async fn page(
    conn: &impl ConnectionTrait,
    reader_id: i64,
    page: &Page,
) -> Result<Vec<(statuses::Model, accounts::Model)>, DbErr> {
    let ids = home_feed::Entity::find()
        .select_only()
        .column(home_feed::Column::StatusId)
        .filter(home_feed::Column::AccountId.eq(reader_id))
        .filter(
            home_feed::Column::AuthorAccountId
                .not_in_subquery(super::lists::exclusive_members_query(reader_id)),
        );
    let ids = page.bounds_and_order(ids, home_feed::Column::StatusId);
    let mut stmt = ids.build(conn.get_database_backend());
    let columns = format!(
        "{}, {}",
        super::rows::column_list::<statuses::Entity>("s"),
        super::rows::column_list::<accounts::Entity>("a")
    );
    let order = if page.min_id.is_some() { "ASC" } else { "DESC" };
    // The subquery adds no parameters around the inner statement's, so its
    // placeholders keep their numbers. A literal LIMIT (see
    // `super::all_with_literal_limit`).
    stmt.sql = format!(
        "SELECT {columns} FROM ({inner} LIMIT {limit}) AS f \
         INNER JOIN \"statuses\" AS s ON s.\"id\" = f.\"status_id\" \
         INNER JOIN \"accounts\" AS a ON a.\"id\" = s.\"account_id\" \
         WHERE s.\"deleted_at\" IS NULL ORDER BY f.\"status_id\" {order}",
        inner = stmt.sql,
        limit = page.limit(),
    );
    let rows = conn
        .query_all_raw(stmt)
        .await?
        .iter()
        .map(|row| {
            let mut cols = super::rows::Columns::new(row);
            Ok((cols.status()?, cols.account()?))
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    Ok(page.finish(rows))
}
