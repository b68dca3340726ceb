//! Queries for the web site: browser sessions, invitations, unread counts, the
//! messages of a conversation and the admin's list of users.
use entity::{
    Role, Visibility, account_conversations, invites, notifications, statuses, users, web_sessions,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

pub async fn insert_session(
    conn: &impl ConnectionTrait,
    m: web_sessions::ActiveModel,
) -> Result<web_sessions::Model, DbErr> {
    m.insert(conn).await
}

pub async fn session_by_hash(
    conn: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<web_sessions::Model>, DbErr> {
    web_sessions::Entity::find()
        .filter(web_sessions::Column::TokenHash.eq(token_hash))
        .one(conn)
        .await
}

pub async fn touch_session(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    web_sessions::Entity::update_many()
        .col_expr(web_sessions::Column::LastSeenAt, Expr::val(super::now()))
        .filter(web_sessions::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// An account's sessions, most recently used first.
pub async fn sessions_of(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<web_sessions::Model>, DbErr> {
    web_sessions::Entity::find()
        .filter(web_sessions::Column::AccountId.eq(account_id))
        .order_by_desc(web_sessions::Column::LastSeenAt)
        .all(conn)
        .await
}

/// Deletes one of an account's sessions; the number deleted.
pub async fn delete_session(
    conn: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<u64, DbErr> {
    Ok(web_sessions::Entity::delete_many()
        .filter(web_sessions::Column::AccountId.eq(account_id))
        .filter(web_sessions::Column::Id.eq(id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Deletes every session of an account except `keep`.
pub async fn delete_other_sessions(
    conn: &impl ConnectionTrait,
    account_id: i64,
    keep: i64,
) -> Result<u64, DbErr> {
    Ok(web_sessions::Entity::delete_many()
        .filter(web_sessions::Column::AccountId.eq(account_id))
        .filter(web_sessions::Column::Id.ne(keep))
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn insert_invite(
    conn: &impl ConnectionTrait,
    m: invites::ActiveModel,
) -> Result<invites::Model, DbErr> {
    m.insert(conn).await
}

pub async fn invite_by_code(
    conn: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<invites::Model>, DbErr> {
    invites::Entity::find()
        .filter(invites::Column::Code.eq(code))
        .one(conn)
        .await
}

pub async fn invites(conn: &impl ConnectionTrait) -> Result<Vec<invites::Model>, DbErr> {
    invites::Entity::find()
        .order_by_desc(invites::Column::Id)
        .limit(200)
        .all(conn)
        .await
}

/// Counts one use of an invite, if it has uses left; the rows changed (0 or 1).
pub async fn use_invite(conn: &impl ConnectionTrait, id: i64) -> Result<u64, DbErr> {
    Ok(invites::Entity::update_many()
        .col_expr(
            invites::Column::Uses,
            Expr::col(invites::Column::Uses).add(1),
        )
        .filter(invites::Column::Id.eq(id))
        .filter(
            invites::Column::MaxUses
                .is_null()
                .or(Expr::col(invites::Column::Uses).lt(Expr::col(invites::Column::MaxUses))),
        )
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn delete_invite(conn: &impl ConnectionTrait, id: i64) -> Result<u64, DbErr> {
    Ok(invites::Entity::delete_by_id(id)
        .exec(conn)
        .await?
        .rows_affected)
}

/// Notifications newer than `after` (the read marker), capped so the count stays cheap.
pub async fn unread_notifications(
    conn: &impl ConnectionTrait,
    account_id: i64,
    after: i64,
) -> Result<u64, DbErr> {
    let ids: Vec<i64> = notifications::Entity::find()
        .select_only()
        .column(notifications::Column::Id)
        .filter(notifications::Column::AccountId.eq(account_id))
        .filter(notifications::Column::Filtered.eq(false))
        .filter(notifications::Column::Id.gt(after))
        .limit(100)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ids.len() as u64)
}

pub async fn unread_conversations(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<u64, DbErr> {
    account_conversations::Entity::find()
        .filter(account_conversations::Column::AccountId.eq(account_id))
        .filter(account_conversations::Column::Unread.eq(true))
        .count(conn)
        .await
}

/// One of an account's conversations by its conversation id.
pub async fn account_conversation(
    conn: &impl ConnectionTrait,
    account_id: i64,
    conversation_id: i64,
) -> Result<Option<account_conversations::Model>, DbErr> {
    account_conversations::Entity::find()
        .filter(account_conversations::Column::AccountId.eq(account_id))
        .filter(account_conversations::Column::ConversationId.eq(conversation_id))
        .one(conn)
        .await
}

/// The direct messages of a conversation, oldest first (the last `limit`).
pub async fn conversation_messages(
    conn: &impl ConnectionTrait,
    conversation_id: i64,
    limit: u64,
) -> Result<Vec<statuses::Model>, DbErr> {
    let mut rows = statuses::Entity::find()
        .filter(statuses::Column::ConversationId.eq(conversation_id))
        .filter(statuses::Column::Visibility.eq(Visibility::Direct))
        .filter(statuses::Column::DeletedAt.is_null())
        .order_by_desc(statuses::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    rows.reverse();
    Ok(rows)
}

/// Local logins, newest first.
pub async fn users_page(
    conn: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<users::Model>, DbErr> {
    users::Entity::find()
        .order_by_desc(users::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn set_approved(conn: &impl ConnectionTrait, account_id: i64) -> Result<u64, DbErr> {
    Ok(users::Entity::update_many()
        .col_expr(users::Column::Approved, Expr::val(true))
        .filter(users::Column::AccountId.eq(account_id))
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn set_role(
    conn: &impl ConnectionTrait,
    account_id: i64,
    role: Role,
) -> Result<u64, DbErr> {
    Ok(users::Entity::update_many()
        .col_expr(users::Column::Role, Expr::val(role.as_str()))
        .filter(users::Column::AccountId.eq(account_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// People followed by those `account_id` follows, whom it does not follow yet,
/// most shared first: `following` is the account's own follows (a bounded list).
pub async fn friends_of_friends(
    conn: &impl ConnectionTrait,
    account_id: i64,
    following: &[i64],
    limit: u64,
) -> Result<Vec<i64>, DbErr> {
    use entity::follows;
    if following.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, i64)> = follows::Entity::find()
        .select_only()
        .column(follows::Column::TargetAccountId)
        .column_as(follows::Column::Id.count(), "shared")
        .filter(follows::Column::AccountId.is_in(following.iter().copied()))
        .filter(follows::Column::TargetAccountId.is_not_in(following.iter().copied()))
        .filter(follows::Column::TargetAccountId.ne(account_id))
        .group_by(follows::Column::TargetAccountId)
        .order_by_desc(Expr::col("shared"))
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|(id, _)| id).collect())
}
