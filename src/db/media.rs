//! Queries on `media_attachments`.
use std::collections::HashMap;

use entity::media_attachments as media;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

pub async fn insert(
    conn: &impl ConnectionTrait,
    m: media::ActiveModel,
) -> Result<media::Model, DbErr> {
    m.insert(conn).await
}

pub async fn update(
    conn: &impl ConnectionTrait,
    m: media::ActiveModel,
) -> Result<media::Model, DbErr> {
    m.update(conn).await
}

pub async fn find(conn: &impl ConnectionTrait, id: i64) -> Result<Option<media::Model>, DbErr> {
    media::Entity::find_by_id(id).one(conn).await
}

/// Rows by id, among one account's uploads.
pub async fn find_owned(
    conn: &impl ConnectionTrait,
    account_id: i64,
    ids: &[i64],
) -> Result<Vec<media::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    media::Entity::find()
        .filter(media::Column::AccountId.eq(account_id))
        .filter(media::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

/// Attaches uploads to a status, in the given order. Only rows still
/// unattached are touched; returns how many were.
pub async fn attach(
    conn: &impl ConnectionTrait,
    status_id: i64,
    ids: &[i64],
) -> Result<u64, DbErr> {
    let mut n = 0;
    for (position, id) in ids.iter().enumerate() {
        let r = media::Entity::update_many()
            .col_expr(media::Column::StatusId, Expr::value(status_id))
            .col_expr(
                media::Column::Position,
                Expr::value(i32::try_from(position).unwrap_or(i32::MAX)),
            )
            .filter(media::Column::Id.eq(*id))
            .filter(media::Column::StatusId.is_null())
            .exec(conn)
            .await?;
        n += r.rows_affected;
    }
    Ok(n)
}

pub async fn insert_many(
    conn: &impl ConnectionTrait,
    rows: Vec<media::ActiveModel>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    media::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The attachments of each status, in order, for a page of statuses.
pub async fn for_statuses(
    conn: &impl ConnectionTrait,
    status_ids: &[i64],
) -> Result<HashMap<i64, Vec<media::Model>>, DbErr> {
    let mut out: HashMap<i64, Vec<media::Model>> = HashMap::new();
    if status_ids.is_empty() {
        return Ok(out);
    }
    let rows = media::Entity::find()
        .filter(media::Column::StatusId.is_in(status_ids.iter().copied()))
        .order_by_asc(media::Column::StatusId)
        .order_by_asc(media::Column::Position)
        .all(conn)
        .await?;
    for r in rows {
        if let Some(s) = r.status_id {
            out.entry(s).or_default().push(r);
        }
    }
    Ok(out)
}

pub async fn for_status(
    conn: &impl ConnectionTrait,
    status_id: i64,
) -> Result<Vec<media::Model>, DbErr> {
    Ok(for_statuses(conn, &[status_id])
        .await?
        .remove(&status_id)
        .unwrap_or_default())
}

/// Uploads never attached, made before `before`, oldest first.
pub async fn unattached_before(
    conn: &impl ConnectionTrait,
    before: chrono::DateTime<chrono::Utc>,
    limit: u64,
) -> Result<Vec<media::Model>, DbErr> {
    media::Entity::find()
        .filter(media::Column::StatusId.is_null())
        .filter(media::Column::ScheduledStatusId.is_null())
        .filter(media::Column::CreatedAt.lt(before))
        .order_by_asc(media::Column::CreatedAt)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn delete(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    media::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// Marks uploads as waiting for a scheduled status (`None`: no longer).
pub async fn set_scheduled(
    conn: &impl ConnectionTrait,
    ids: &[i64],
    scheduled_status_id: Option<i64>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    media::Entity::update_many()
        .col_expr(
            media::Column::ScheduledStatusId,
            sea_orm::sea_query::Expr::val(scheduled_status_id),
        )
        .filter(media::Column::Id.is_in(ids.iter().copied()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Uploads by id (missing ones left out), in no particular order.
pub async fn find_many(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<media::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    media::Entity::find()
        .filter(media::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}
