//! Statuses scheduled for later.
use chrono::{DateTime, Utc};
use entity::scheduled_statuses as scheduled;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::Page;

pub async fn insert(
    conn: &impl ConnectionTrait,
    m: scheduled::ActiveModel,
) -> Result<scheduled::Model, DbErr> {
    m.insert(conn).await
}

pub async fn find(
    conn: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<Option<scheduled::Model>, DbErr> {
    scheduled::Entity::find_by_id(id)
        .filter(scheduled::Column::AccountId.eq(account_id))
        .one(conn)
        .await
}

/// A page of an account's scheduled statuses, newest first.
pub async fn page(
    conn: &impl ConnectionTrait,
    account_id: i64,
    page: &Page,
) -> Result<Vec<scheduled::Model>, DbErr> {
    let q = scheduled::Entity::find().filter(scheduled::Column::AccountId.eq(account_id));
    let rows = page.all(conn, q, scheduled::Column::Id).await?;
    Ok(page.finish(rows))
}

/// How many the account has waiting, all told and scheduled in `[from, to)`.
pub async fn counts(
    conn: &impl ConnectionTrait,
    account_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(u64, u64), DbErr> {
    let all = scheduled::Entity::find()
        .filter(scheduled::Column::AccountId.eq(account_id))
        .count(conn)
        .await?;
    let day = scheduled::Entity::find()
        .filter(scheduled::Column::AccountId.eq(account_id))
        .filter(scheduled::Column::ScheduledAt.gte(from))
        .filter(scheduled::Column::ScheduledAt.lt(to))
        .count(conn)
        .await?;
    Ok((all, day))
}

pub async fn reschedule(
    conn: &impl ConnectionTrait,
    id: i64,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    scheduled::Entity::update_many()
        .col_expr(scheduled::Column::ScheduledAt, Expr::val(at))
        .filter(scheduled::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes one; true when this call deleted it (so two processes never both
/// publish the same scheduled status).
pub async fn take(conn: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    Ok(scheduled::Entity::delete_by_id(id)
        .exec(conn)
        .await?
        .rows_affected
        == 1)
}

/// Those due by `now`, oldest first.
pub async fn due(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<scheduled::Model>, DbErr> {
    scheduled::Entity::find()
        .filter(scheduled::Column::ScheduledAt.lte(now))
        .order_by_asc(scheduled::Column::ScheduledAt)
        .limit(limit)
        .all(conn)
        .await
}
