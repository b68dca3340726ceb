//! Reports for moderators.
use entity::reports;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

pub async fn insert(
    conn: &impl ConnectionTrait,
    m: reports::ActiveModel,
) -> Result<reports::Model, DbErr> {
    m.insert(conn).await
}

/// Open reports, oldest first.
pub async fn open(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<reports::Model>, DbErr> {
    reports::Entity::find()
        .filter(reports::Column::ActionTakenAt.is_null())
        .order_by_asc(reports::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Marks a report resolved; the number changed (0 or 1).
pub async fn resolve(
    conn: &impl ConnectionTrait,
    id: i64,
    by_account_id: i64,
) -> Result<u64, DbErr> {
    Ok(reports::Entity::update_many()
        .col_expr(reports::Column::ActionTakenAt, Expr::val(super::now()))
        .col_expr(
            reports::Column::ActionTakenByAccountId,
            Expr::val(by_account_id),
        )
        .filter(reports::Column::Id.eq(id))
        .filter(reports::Column::ActionTakenAt.is_null())
        .exec(conn)
        .await?
        .rows_affected)
}
