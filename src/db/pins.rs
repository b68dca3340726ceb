//! Queries on `status_pins` and `status_edits`.
use entity::{status_edits, status_pins, statuses};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// Which of `status_ids` the account has pinned.
pub async fn pinned_among(
    conn: &impl ConnectionTrait,
    account_id: i64,
    status_ids: &[i64],
) -> Result<Vec<i64>, DbErr> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    status_pins::Entity::find()
        .select_only()
        .column(status_pins::Column::StatusId)
        .filter(status_pins::Column::AccountId.eq(account_id))
        .filter(status_pins::Column::StatusId.is_in(status_ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await
}

pub async fn count(conn: &impl ConnectionTrait, account_id: i64) -> Result<u64, DbErr> {
    status_pins::Entity::find()
        .filter(status_pins::Column::AccountId.eq(account_id))
        .count(conn)
        .await
}

pub async fn pin(
    conn: &impl ConnectionTrait,
    account_id: i64,
    status_id: i64,
) -> Result<(), DbErr> {
    status_pins::Entity::insert(status_pins::ActiveModel {
        account_id: Set(account_id),
        status_id: Set(status_id),
        created_at: Set(super::now()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn unpin(
    conn: &impl ConnectionTrait,
    account_id: i64,
    status_id: i64,
) -> Result<u64, DbErr> {
    Ok(status_pins::Entity::delete_many()
        .filter(status_pins::Column::AccountId.eq(account_id))
        .filter(status_pins::Column::StatusId.eq(status_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// An account's live pinned statuses, most recently pinned first.
pub async fn pinned_statuses(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<statuses::Model>, DbErr> {
    let pins: Vec<i64> = status_pins::Entity::find()
        .select_only()
        .column(status_pins::Column::StatusId)
        .filter(status_pins::Column::AccountId.eq(account_id))
        .order_by_desc(status_pins::Column::CreatedAt)
        .into_tuple()
        .all(conn)
        .await?;
    let mut rows = super::statuses::find_many(conn, &pins).await?;
    rows.sort_by_key(|s| pins.iter().position(|p| *p == s.id));
    Ok(rows)
}

pub async fn insert_edit(
    conn: &impl ConnectionTrait,
    m: status_edits::ActiveModel,
) -> Result<(), DbErr> {
    status_edits::Entity::insert(m)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn has_edits(conn: &impl ConnectionTrait, status_id: i64) -> Result<bool, DbErr> {
    Ok(status_edits::Entity::find()
        .filter(status_edits::Column::StatusId.eq(status_id))
        .count(conn)
        .await?
        > 0)
}

/// A status's versions, oldest first.
pub async fn edits(
    conn: &impl ConnectionTrait,
    status_id: i64,
) -> Result<Vec<status_edits::Model>, DbErr> {
    status_edits::Entity::find()
        .filter(status_edits::Column::StatusId.eq(status_id))
        .order_by_asc(status_edits::Column::Id)
        .all(conn)
        .await
}
