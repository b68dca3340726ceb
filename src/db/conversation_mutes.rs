//! Threads people muted.
use entity::{conversation_mutes as mutes, statuses};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

pub async fn mute(
    conn: &impl ConnectionTrait,
    account_id: i64,
    conversation_id: i64,
) -> Result<(), DbErr> {
    mutes::Entity::insert(mutes::ActiveModel {
        account_id: Set(account_id),
        conversation_id: Set(conversation_id),
        created_at: Set(super::now()),
    })
    .on_conflict_do_nothing_on([mutes::Column::AccountId, mutes::Column::ConversationId])
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn unmute(
    conn: &impl ConnectionTrait,
    account_id: i64,
    conversation_id: i64,
) -> Result<(), DbErr> {
    mutes::Entity::delete_by_id((account_id, conversation_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Whether `account_id` muted the thread of status `status_id`.
pub async fn mutes_thread_of(
    conn: &impl ConnectionTrait,
    account_id: i64,
    status_id: i64,
) -> Result<bool, DbErr> {
    Ok(mutes::Entity::find()
        .filter(mutes::Column::AccountId.eq(account_id))
        .filter(
            mutes::Column::ConversationId.in_subquery(
                Query::select()
                    .column(statuses::Column::ConversationId)
                    .from(statuses::Entity)
                    .and_where(Expr::col(statuses::Column::Id).eq(status_id))
                    .take(),
            ),
        )
        .one(conn)
        .await?
        .is_some())
}
