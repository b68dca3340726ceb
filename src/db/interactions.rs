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

/// What a viewer did to a status, as [`render_context`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerFlag {
    Favourited,
    Bookmarked,
    Reblogged,
    Pinned,
}

/// One fact needed to render a page of statuses, from [`render_context`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextRow {
    /// The status mentions the account; `mention_id` orders a status's mentions.
    Mention {
        status_id: i64,
        account_id: i64,
        mention_id: i64,
    },
    /// The status carries the hashtag (in the order the tags were linked).
    Tag { status_id: i64, name: String },
    /// The viewer favourited, bookmarked, reblogged or pinned the status.
    Flag { status_id: i64, flag: ViewerFlag },
    /// The viewer muted this thread (a `conversation_id`).
    MutedThread { conversation_id: i64 },
    /// The status has media attachments (one row per attachment).
    HasMedia { status_id: i64 },
    /// The viewer has filters (one row per filter, expired or not).
    HasFilters,
}

/// Everything about `status_ids` that rendering them takes besides the rows
/// themselves, in one statement: their mentions and hashtags, which have media
/// and, with a viewer, which of them the viewer favourited, bookmarked,
/// reblogged or pinned, which of `conversation_ids` the viewer muted and
/// whether the viewer has filters at all (the media and the filters themselves
/// are loaded only when there are some). A timeline page
/// used to send a query for each (a round trip to SQLite's connection thread,
/// or to PostgreSQL, each).
pub async fn render_context(
    conn: &impl ConnectionTrait,
    viewer: Option<i64>,
    status_ids: &[i64],
    conversation_ids: &[i64],
) -> Result<Vec<ContextRow>, DbErr> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = vec!["?"; status_ids.len()].join(",");
    let ids = || status_ids.iter().map(|id| Value::from(*id));
    let none = "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS TEXT)";
    // kind, status (or thread) id, a number, an ordering number, a name.
    let mut sql = format!(
        "SELECT 4, status_id, account_id, id, CAST(NULL AS TEXT) FROM mentions \
         WHERE status_id IN ({list}) \
         UNION ALL SELECT 5, st.status_id, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), t.name \
         FROM statuses_tags st JOIN tags t ON t.id = st.tag_id WHERE st.status_id IN ({list}) \
         UNION ALL SELECT 7, status_id, {none} FROM media_attachments WHERE status_id IN ({list})"
    );
    let mut values: Vec<Value> = ids().chain(ids()).chain(ids()).collect();
    if let Some(v) = viewer {
        sql.push_str(&format!(
            " UNION ALL SELECT 0, status_id, {none} FROM favourites \
             WHERE account_id = ? AND status_id IN ({list}) \
             UNION ALL SELECT 1, status_id, {none} FROM bookmarks \
             WHERE account_id = ? AND status_id IN ({list}) \
             UNION ALL SELECT 2, reblog_of_id, {none} FROM statuses \
             WHERE account_id = ? AND reblog_of_id IS NOT NULL AND reblog_of_id IN ({list}) \
             UNION ALL SELECT 3, status_id, {none} FROM status_pins \
             WHERE account_id = ? AND status_id IN ({list}) \
             UNION ALL SELECT 8, account_id, {none} FROM filters WHERE account_id = ?"
        ));
        for _ in 0..4 {
            values.push(Value::from(v));
            values.extend(ids());
        }
        values.push(Value::from(v));
        if !conversation_ids.is_empty() {
            let threads = vec!["?"; conversation_ids.len()].join(",");
            sql.push_str(&format!(
                " UNION ALL SELECT 6, conversation_id, {none} FROM conversation_mutes \
                 WHERE account_id = ? AND conversation_id IN ({threads})"
            ));
            values.push(Value::from(v));
            values.extend(conversation_ids.iter().map(|id| Value::from(*id)));
        }
    }
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            super::placeholders(backend, &sql),
            values,
        ))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let kind: i32 = r.try_get_by_index(0)?;
        let id: i64 = r.try_get_by_index(1)?;
        let flag = |flag| ContextRow::Flag {
            status_id: id,
            flag,
        };
        out.push(match kind {
            0 => flag(ViewerFlag::Favourited),
            1 => flag(ViewerFlag::Bookmarked),
            2 => flag(ViewerFlag::Reblogged),
            3 => flag(ViewerFlag::Pinned),
            4 => ContextRow::Mention {
                status_id: id,
                account_id: r.try_get_by_index(2)?,
                mention_id: r.try_get_by_index(3)?,
            },
            5 => ContextRow::Tag {
                status_id: id,
                name: r.try_get_by_index(4)?,
            },
            6 => ContextRow::MutedThread {
                conversation_id: id,
            },
            7 => ContextRow::HasMedia { status_id: id },
            _ => ContextRow::HasFilters,
        });
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
