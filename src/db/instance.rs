//! Instance settings saved by an admin, and the server's rules.
use entity::{instance_rules, instance_settings};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

pub async fn settings(conn: &impl ConnectionTrait) -> Result<Vec<instance_settings::Model>, DbErr> {
    instance_settings::Entity::find().all(conn).await
}

/// Inserts or replaces one setting.
pub async fn put_setting(
    conn: &impl ConnectionTrait,
    name: &str,
    value: &str,
) -> Result<(), DbErr> {
    instance_settings::Entity::insert(instance_settings::ActiveModel {
        name: Set(name.to_string()),
        value: Set(value.to_string()),
        updated_at: Set(super::now()),
    })
    .on_conflict(
        OnConflict::column(instance_settings::Column::Name)
            .update_columns([
                instance_settings::Column::Value,
                instance_settings::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The rules in the order they are shown.
pub async fn rules(conn: &impl ConnectionTrait) -> Result<Vec<instance_rules::Model>, DbErr> {
    instance_rules::Entity::find()
        .order_by_asc(instance_rules::Column::Position)
        .order_by_asc(instance_rules::Column::Id)
        .all(conn)
        .await
}

/// The position after the last rule.
pub async fn next_rule_position(conn: &impl ConnectionTrait) -> Result<i32, DbErr> {
    let last: Option<Option<i32>> = instance_rules::Entity::find()
        .select_only()
        .column_as(instance_rules::Column::Position.max(), "max")
        .into_tuple()
        .one(conn)
        .await?;
    Ok(last.flatten().map_or(0, |p| p.saturating_add(1)))
}

pub async fn insert_rule(
    conn: &impl ConnectionTrait,
    m: instance_rules::ActiveModel,
) -> Result<instance_rules::Model, DbErr> {
    m.insert(conn).await
}

/// Changes a rule's text and hint; the number of rules changed (0 or 1).
pub async fn update_rule(
    conn: &impl ConnectionTrait,
    id: i64,
    text: &str,
    hint: &str,
) -> Result<u64, DbErr> {
    Ok(instance_rules::Entity::update_many()
        .col_expr(instance_rules::Column::Text, Expr::val(text))
        .col_expr(instance_rules::Column::Hint, Expr::val(hint))
        .filter(instance_rules::Column::Id.eq(id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// The number of rules deleted (0 or 1).
pub async fn delete_rule(conn: &impl ConnectionTrait, id: i64) -> Result<u64, DbErr> {
    Ok(instance_rules::Entity::delete_by_id(id)
        .exec(conn)
        .await?
        .rows_affected)
}
