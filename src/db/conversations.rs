//! Queries on `conversations` and `account_conversations` (direct messages).
use entity::{account_conversations, conversations};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use super::Page;

pub async fn create(
    conn: &impl ConnectionTrait,
    id: i64,
    uri: Option<String>,
) -> Result<conversations::Model, DbErr> {
    conversations::ActiveModel {
        id: Set(id),
        uri: Set(uri),
        created_at: Set(super::now()),
    }
    .insert(conn)
    .await
}

/// New conversations (without URIs), one per id.
pub async fn create_many(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let now = super::now();
    let rows = ids.iter().map(|id| conversations::ActiveModel {
        id: Set(*id),
        uri: Set(None),
        created_at: Set(now),
    });
    conversations::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Records a new message in `account_id`'s view of a conversation, creating it if needed.
pub async fn touch(
    conn: &impl ConnectionTrait,
    id_if_new: i64,
    account_id: i64,
    conversation_id: i64,
    participants: &[i64],
    last_status_id: i64,
    unread: bool,
) -> Result<(), DbErr> {
    let row = account_conversations::ActiveModel {
        id: Set(id_if_new),
        account_id: Set(account_id),
        conversation_id: Set(conversation_id),
        participant_account_ids: Set(serde_json::json!(participants)),
        last_status_id: Set(Some(last_status_id)),
        unread: Set(unread),
        updated_at: Set(super::now()),
    };
    account_conversations::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                account_conversations::Column::AccountId,
                account_conversations::Column::ConversationId,
            ])
            .update_columns([
                account_conversations::Column::ParticipantAccountIds,
                account_conversations::Column::LastStatusId,
                account_conversations::Column::Unread,
                account_conversations::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// An account's conversations, most recent message first.
pub async fn page(
    conn: &impl ConnectionTrait,
    account_id: i64,
    page: &Page,
) -> Result<Vec<account_conversations::Model>, DbErr> {
    let q = account_conversations::Entity::find()
        .filter(account_conversations::Column::AccountId.eq(account_id))
        .filter(account_conversations::Column::LastStatusId.is_not_null());
    let rows = page
        .all(conn, q, account_conversations::Column::LastStatusId)
        .await?;
    Ok(page.finish(rows))
}

pub async fn mark_read(
    conn: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<u64, DbErr> {
    Ok(account_conversations::Entity::update_many()
        .col_expr(account_conversations::Column::Unread, Expr::val(false))
        .filter(account_conversations::Column::AccountId.eq(account_id))
        .filter(account_conversations::Column::Id.eq(id))
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn find(
    conn: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<Option<account_conversations::Model>, DbErr> {
    account_conversations::Entity::find_by_id(id)
        .filter(account_conversations::Column::AccountId.eq(account_id))
        .one(conn)
        .await
}

pub async fn remove(conn: &impl ConnectionTrait, account_id: i64, id: i64) -> Result<u64, DbErr> {
    Ok(account_conversations::Entity::delete_many()
        .filter(account_conversations::Column::AccountId.eq(account_id))
        .filter(account_conversations::Column::Id.eq(id))
        .exec(conn)
        .await?
        .rows_affected)
}
