//! Queries on `favourites` and `bookmarks`.
use entity::{bookmarks, favourites};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Statement, Value,
};

use super::Page;

pub async fn find_favourite(
    conn: &impl ConnectionTrait,
    account_id: i64,
    status_id: i64,
) -> Result<Option<favourites::Model>, DbErr> {
    favourites::Entity::find()
        .filter(favourites::Column::AccountId.eq(account_id))
        .filter(favourites::Column::StatusId.eq(status_id))
        .one(conn)
        .await
}

/// Inserts a favourite; `false` when it already existed.
pub async fn insert_favourite(
    conn: &impl ConnectionTrait,
    m: favourites::ActiveModel,
) -> Result<bool, DbErr> {
    let r = favourites::Entity::insert(m)
        .on_conflict_do_nothing_on([favourites::Column::AccountId, favourites::Column::StatusId])
        .exec_without_returning(conn)
        .await?;
    Ok(matches!(r, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

pub async fn delete_favourite(
    conn: &impl ConnectionTrait,
    account_id: i64,
    status_id: i64,
) -> Result<u64, DbErr> {
    Ok(favourites::Entity::delete_many()
        .filter(favourites::Column::AccountId.eq(account_id))
        .filter(favourites::Column::StatusId.eq(status_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// `(favourite id, status id)` of an account's favourites, newest first.
pub async fn favourites_page(
    conn: &impl ConnectionTrait,
    account_id: i64,
    page: &Page,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let q = favourites::Entity::find().filter(favourites::Column::AccountId.eq(account_id));
    let rows = page
        .all_tuples(
            conn,
            q.select_only()
                .column(favourites::Column::Id)
                .column(favourites::Column::StatusId),
            favourites::Column::Id,
        )
        .await?;
    Ok(page.finish(rows))
}

pub async fn insert_bookmark(
    conn: &impl ConnectionTrait,
    m: bookmarks::ActiveModel,
) -> Result<bool, DbErr> {
    let r = bookmarks::Entity::insert(m)
        .on_conflict_do_nothing_on([bookmarks::Column::AccountId, bookmarks::Column::StatusId])
        .exec_without_returning(conn)
        .await?;
    Ok(matches!(r, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

pub async fn delete_bookmark(
    conn: &impl ConnectionTrait,
    account_id: i64,
    status_id: i64,
) -> Result<u64, DbErr> {
    Ok(bookmarks::Entity::delete_many()
        .filter(bookmarks::Column::AccountId.eq(account_id))
        .filter(bookmarks::Column::StatusId.eq(status_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// `(bookmark id, status id)` of an account's bookmarks, newest first.
pub async fn bookmarks_page(
    conn: &impl ConnectionTrait,
    account_id: i64,
    page: &Page,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let q = bookmarks::Entity::find().filter(bookmarks::Column::AccountId.eq(account_id));
    let rows = page
        .all_tuples(
            conn,
            q.select_only()
                .column(bookmarks::Column::Id)
                .column(bookmarks::Column::StatusId),
            bookmarks::Column::Id,
        )
        .await?;
    Ok(page.finish(rows))
}

/// Which of `status_ids` the account has favourited.
pub async fn favourited_among(
    conn: &impl ConnectionTrait,
    account_id: i64,
    status_ids: &[i64],
) -> Result<Vec<i64>, DbErr> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    favourites::Entity::find()
        .select_only()
        .column(favourites::Column::StatusId)
        .filter(favourites::Column::AccountId.eq(account_id))
        .filter(favourites::Column::StatusId.is_in(status_ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await
}

/// Which of `status_ids` the account has bookmarked.
pub async fn bookmarked_among(
    conn: &impl ConnectionTrait,
    account_id: i64,
    status_ids: &[i64],
) -> Result<Vec<i64>, DbErr> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    bookmarks::Entity::find()
        .select_only()
        .column(bookmarks::Column::StatusId)
        .filter(bookmarks::Column::AccountId.eq(account_id))
        .filter(bookmarks::Column::StatusId.is_in(status_ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await
}

/// What a viewer did to a status, as [`viewer_flags_among`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerFlag {
    Favourited,
    Bookmarked,
    Reblogged,
    Pinned,
}

/// Which of `status_ids` the account has favourited, bookmarked, reblogged or
/// pinned, in one query: `(status id, flag)` pairs.
pub async fn viewer_flags_among(
    conn: &impl ConnectionTrait,
    account_id: i64,
    status_ids: &[i64],
) -> Result<Vec<(i64, ViewerFlag)>, DbErr> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    let list = vec!["?"; status_ids.len()].join(",");
    let sql = format!(
        "SELECT status_id, 0 FROM favourites WHERE account_id = ? AND status_id IN ({list}) \
         UNION ALL SELECT status_id, 1 FROM bookmarks WHERE account_id = ? AND status_id IN ({list}) \
         UNION ALL SELECT reblog_of_id, 2 FROM statuses WHERE account_id = ? \
         AND reblog_of_id IS NOT NULL AND reblog_of_id IN ({list}) \
         UNION ALL SELECT status_id, 3 FROM status_pins WHERE account_id = ? AND status_id IN ({list})"
    );
    let mut values = Vec::with_capacity(4 * (status_ids.len() + 1));
    for _ in 0..4 {
        values.push(Value::from(account_id));
        values.extend(status_ids.iter().map(|id| Value::from(*id)));
    }
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            super::placeholders(backend, &sql),
            values,
        ))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get_by_index(0)?;
        let flag = match r.try_get_by_index::<i32>(1)? {
            0 => ViewerFlag::Favourited,
            1 => ViewerFlag::Bookmarked,
            2 => ViewerFlag::Reblogged,
            _ => ViewerFlag::Pinned,
        };
        out.push((id, flag));
    }
    Ok(out)
}

/// `(favourite id, account id)` of who favourited a status, newest first.
pub async fn favourited_by_page(
    conn: &impl ConnectionTrait,
    status_id: i64,
    page: &Page,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let q = favourites::Entity::find().filter(favourites::Column::StatusId.eq(status_id));
    let rows = page
        .all_tuples(
            conn,
            q.select_only()
                .column(favourites::Column::Id)
                .column(favourites::Column::AccountId),
            favourites::Column::Id,
        )
        .await?;
    Ok(page.finish(rows))
}

/// `(reblog id, account id)` of who boosted a status, newest first.
pub async fn reblogged_by_page(
    conn: &impl ConnectionTrait,
    status_id: i64,
    page: &Page,
) -> Result<Vec<(i64, i64)>, DbErr> {
    use entity::statuses;
    let q = statuses::Entity::find().filter(statuses::Column::ReblogOfId.eq(status_id));
    let rows = page
        .all_tuples(
            conn,
            q.select_only()
                .column(statuses::Column::Id)
                .column(statuses::Column::AccountId),
            statuses::Column::Id,
        )
        .await?;
    Ok(page.finish(rows))
}
