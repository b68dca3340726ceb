//! Queries on `push_subscriptions` (one per access token).
use entity::push_subscriptions;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

pub async fn for_token(
    conn: &impl ConnectionTrait,
    token_id: i64,
) -> Result<Option<push_subscriptions::Model>, DbErr> {
    push_subscriptions::Entity::find()
        .filter(push_subscriptions::Column::TokenId.eq(token_id))
        .one(conn)
        .await
}

/// Creates the token's subscription, or replaces it.
pub async fn upsert(
    conn: &impl ConnectionTrait,
    m: push_subscriptions::ActiveModel,
) -> Result<(), DbErr> {
    use push_subscriptions::Column as C;
    push_subscriptions::Entity::insert(m)
        .on_conflict(
            OnConflict::column(C::TokenId)
                .update_columns([
                    C::Endpoint,
                    C::KeyP256dh,
                    C::KeyAuth,
                    C::Alerts,
                    C::Policy,
                    C::Standard,
                    C::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn update(
    conn: &impl ConnectionTrait,
    m: push_subscriptions::ActiveModel,
) -> Result<push_subscriptions::Model, DbErr> {
    use sea_orm::ActiveModelTrait;
    m.update(conn).await
}

pub async fn delete_for_token(conn: &impl ConnectionTrait, token_id: i64) -> Result<u64, DbErr> {
    Ok(push_subscriptions::Entity::delete_many()
        .filter(push_subscriptions::Column::TokenId.eq(token_id))
        .exec(conn)
        .await?
        .rows_affected)
}
