//! Queries on `notifications`.
use entity::{NotificationKind, notifications};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::Page;

pub async fn insert(
    conn: &impl ConnectionTrait,
    m: notifications::ActiveModel,
) -> Result<notifications::Model, DbErr> {
    m.insert(conn).await
}

/// Removes the notification an undone action made (an unfavourite, an unfollow).
pub async fn delete_for(
    conn: &impl ConnectionTrait,
    recipient_id: i64,
    from_id: i64,
    kind: NotificationKind,
    status_id: Option<i64>,
) -> Result<u64, DbErr> {
    let mut q = notifications::Entity::delete_many()
        .filter(notifications::Column::AccountId.eq(recipient_id))
        .filter(notifications::Column::FromAccountId.eq(from_id))
        .filter(notifications::Column::Kind.eq(kind));
    q = match status_id {
        Some(s) => q.filter(notifications::Column::StatusId.eq(s)),
        None => q.filter(notifications::Column::StatusId.is_null()),
    };
    Ok(q.exec(conn).await?.rows_affected)
}

/// Removes every notification `from_id` caused for `recipient_id` (on a block).
pub async fn delete_all_from(
    conn: &impl ConnectionTrait,
    recipient_id: i64,
    from_id: i64,
) -> Result<u64, DbErr> {
    Ok(notifications::Entity::delete_many()
        .filter(notifications::Column::AccountId.eq(recipient_id))
        .filter(notifications::Column::FromAccountId.eq(from_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// A page of notifications; filtered ones only when `include_filtered`.
pub async fn page(
    conn: &impl ConnectionTrait,
    recipient_id: i64,
    kinds: Option<&[NotificationKind]>,
    from_account_id: Option<i64>,
    include_filtered: bool,
    page: &Page,
) -> Result<Vec<notifications::Model>, DbErr> {
    let mut q =
        notifications::Entity::find().filter(notifications::Column::AccountId.eq(recipient_id));
    if !include_filtered {
        q = q.filter(notifications::Column::Filtered.eq(false));
    }
    if let Some(k) = kinds {
        q = q.filter(notifications::Column::Kind.is_in(k.iter().copied()));
    }
    if let Some(a) = from_account_id {
        q = q.filter(notifications::Column::FromAccountId.eq(a));
    }
    let rows = page.all(conn, q, notifications::Column::Id).await?;
    Ok(page.finish(rows))
}

pub async fn find(
    conn: &impl ConnectionTrait,
    recipient_id: i64,
    id: i64,
) -> Result<Option<notifications::Model>, DbErr> {
    notifications::Entity::find_by_id(id)
        .filter(notifications::Column::AccountId.eq(recipient_id))
        .one(conn)
        .await
}

pub async fn delete(conn: &impl ConnectionTrait, recipient_id: i64, id: i64) -> Result<u64, DbErr> {
    Ok(notifications::Entity::delete_many()
        .filter(notifications::Column::AccountId.eq(recipient_id))
        .filter(notifications::Column::Id.eq(id))
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn clear(conn: &impl ConnectionTrait, recipient_id: i64) -> Result<u64, DbErr> {
    Ok(notifications::Entity::delete_many()
        .filter(notifications::Column::AccountId.eq(recipient_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// The newest group key of `recipient`'s notifications that starts with `prefix`
/// (a range scan on the `(account_id, group_key, id)` index).
pub async fn latest_group_with_prefix(
    conn: &impl ConnectionTrait,
    recipient_id: i64,
    prefix: &str,
) -> Result<Option<String>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    // Keys are PREFIX followed by digits; '~' sorts after every digit.
    let upper = format!("{prefix}~");
    let key: Option<Option<String>> = notifications::Entity::find()
        .select_only()
        .column(notifications::Column::GroupKey)
        .filter(notifications::Column::AccountId.eq(recipient_id))
        .filter(notifications::Column::GroupKey.gt(prefix))
        .filter(notifications::Column::GroupKey.lt(upper))
        .order_by_desc(notifications::Column::GroupKey)
        .limit(1)
        .into_tuple()
        .one(conn)
        .await?;
    Ok(key.flatten())
}

/// One group of notifications on a page of `/api/v2/notifications`.
#[derive(Clone, Debug)]
pub struct GroupRow {
    pub key: String,
    pub latest_id: i64,
    pub oldest_id: i64,
    pub count: i64,
}

/// What a notification list is narrowed to (filtered notifications are never in it).
#[derive(Clone, Debug, Default)]
pub struct NotificationQuery {
    pub kinds: Vec<NotificationKind>,
    pub from_account_id: Option<i64>,
}

/// A page of `recipient_id`'s notification groups, newest group first: each
/// group's key, newest and oldest notification ids and size within the page's
/// id range. Ungrouped notifications are groups of one. Served by the
/// `(account_id, id)` index.
pub async fn group_page(
    conn: &impl ConnectionTrait,
    recipient_id: i64,
    q: &NotificationQuery,
    page: &Page,
) -> Result<Vec<GroupRow>, DbErr> {
    use sea_orm::{Statement, Value};
    if q.kinds.is_empty() {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    let mut values: Vec<Value> = vec![Value::from(recipient_id), Value::from(false)];
    let mut sql = String::from(
        "SELECT gk, MAX(id) AS latest, MIN(id) AS oldest, COUNT(*) AS n FROM \
         (SELECT id, COALESCE(group_key, 'ungrouped-' || CAST(id AS TEXT)) AS gk \
          FROM notifications WHERE account_id = ? AND filtered = ?",
    );
    sql.push_str(" AND kind IN (");
    for (i, k) in q.kinds.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('?');
        values.push(Value::from(k.as_str()));
    }
    sql.push(')');
    if let Some(a) = q.from_account_id {
        sql.push_str(" AND from_account_id = ?");
        values.push(Value::from(a));
    }
    if let Some(id) = page.max_id {
        sql.push_str(" AND id < ?");
        values.push(Value::from(id));
    }
    if let Some(id) = page.since_id {
        sql.push_str(" AND id > ?");
        values.push(Value::from(id));
    }
    if let Some(id) = page.min_id {
        sql.push_str(" AND id > ?");
        values.push(Value::from(id));
    }
    sql.push_str(") grouped GROUP BY gk ORDER BY latest ");
    sql.push_str(if page.min_id.is_some() { "ASC" } else { "DESC" });
    sql.push_str(" LIMIT ?");
    values.push(Value::from(page.limit() as i64));
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            super::placeholders(backend, &sql),
            values,
        ))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(GroupRow {
            key: r.try_get_by_index(0)?,
            latest_id: r.try_get_by_index(1)?,
            oldest_id: r.try_get_by_index(2)?,
            count: r.try_get_by_index(3)?,
        });
    }
    Ok(page.finish(out))
}

/// Notifications by id, for one recipient.
pub async fn find_many(
    conn: &impl ConnectionTrait,
    recipient_id: i64,
    ids: &[i64],
) -> Result<Vec<notifications::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    notifications::Entity::find()
        .filter(notifications::Column::AccountId.eq(recipient_id))
        .filter(notifications::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

/// The newest notifications of the given groups within `[oldest, latest]`
/// (at most `cap`), newest first: who to show as each group's sample.
pub async fn in_groups(
    conn: &impl ConnectionTrait,
    recipient_id: i64,
    keys: &[String],
    oldest: i64,
    latest: i64,
    cap: u64,
) -> Result<Vec<notifications::Model>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    notifications::Entity::find()
        .filter(notifications::Column::AccountId.eq(recipient_id))
        .filter(notifications::Column::GroupKey.is_in(keys.iter().cloned()))
        .filter(notifications::Column::Filtered.eq(false))
        .filter(notifications::Column::Id.between(oldest, latest))
        .order_by_desc(notifications::Column::Id)
        .limit(cap)
        .all(conn)
        .await
}

/// How many of `recipient_id`'s notifications are newer than `after` (at most `cap`).
pub async fn count_after(
    conn: &impl ConnectionTrait,
    recipient_id: i64,
    q: &NotificationQuery,
    after: Option<i64>,
    cap: u64,
) -> Result<u64, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let mut s = notifications::Entity::find()
        .select_only()
        .column(notifications::Column::Id)
        .filter(notifications::Column::AccountId.eq(recipient_id))
        .filter(notifications::Column::Filtered.eq(false))
        .filter(notifications::Column::Kind.is_in(q.kinds.iter().copied()));
    if let Some(a) = q.from_account_id {
        s = s.filter(notifications::Column::FromAccountId.eq(a));
    }
    if let Some(a) = after {
        s = s.filter(notifications::Column::Id.gt(a));
    }
    let ids: Vec<i64> = s
        .order_by_desc(notifications::Column::Id)
        .limit(cap)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ids.len() as u64)
}

/// The notifications of one group, newest first (at most `cap`).
pub async fn by_group_key(
    conn: &impl ConnectionTrait,
    recipient_id: i64,
    key: &str,
    cap: u64,
) -> Result<Vec<notifications::Model>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    notifications::Entity::find()
        .filter(notifications::Column::AccountId.eq(recipient_id))
        .filter(notifications::Column::GroupKey.eq(key))
        .filter(notifications::Column::Filtered.eq(false))
        .order_by_desc(notifications::Column::Id)
        .limit(cap)
        .all(conn)
        .await
}

pub async fn delete_group(
    conn: &impl ConnectionTrait,
    recipient_id: i64,
    key: &str,
) -> Result<u64, DbErr> {
    Ok(notifications::Entity::delete_many()
        .filter(notifications::Column::AccountId.eq(recipient_id))
        .filter(notifications::Column::GroupKey.eq(key))
        .exec(conn)
        .await?
        .rows_affected)
}
