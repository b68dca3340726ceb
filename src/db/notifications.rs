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

pub async fn page(
    conn: &impl ConnectionTrait,
    recipient_id: i64,
    kinds: Option<&[NotificationKind]>,
    page: &Page,
) -> Result<Vec<notifications::Model>, DbErr> {
    let mut q =
        notifications::Entity::find().filter(notifications::Column::AccountId.eq(recipient_id));
    if let Some(k) = kinds {
        q = q.filter(notifications::Column::Kind.is_in(k.iter().copied()));
    }
    let rows = page.apply(q, notifications::Column::Id).all(conn).await?;
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
