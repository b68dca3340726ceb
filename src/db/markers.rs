//! Queries on `markers`.
use entity::markers;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

pub async fn for_account(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<markers::Model>, DbErr> {
    markers::Entity::find()
        .filter(markers::Column::AccountId.eq(account_id))
        .all(conn)
        .await
}

/// Sets a marker, bumping its version.
pub async fn set(
    conn: &impl ConnectionTrait,
    account_id: i64,
    timeline: &str,
    last_read_id: i64,
) -> Result<(), DbErr> {
    let row = markers::ActiveModel {
        account_id: Set(account_id),
        timeline: Set(timeline.to_string()),
        last_read_id: Set(last_read_id),
        version: Set(0),
        updated_at: Set(super::now()),
    };
    markers::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([markers::Column::AccountId, markers::Column::Timeline])
                .update_columns([markers::Column::LastReadId, markers::Column::UpdatedAt])
                .value(
                    markers::Column::Version,
                    Expr::col((markers::Entity, markers::Column::Version)).add(1),
                )
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
