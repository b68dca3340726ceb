//! Queries on the OAuth tables.
use entity::{oauth_applications as apps, oauth_codes as codes, oauth_tokens as tokens};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, RelationDef,
};

pub async fn insert_app(
    conn: &impl ConnectionTrait,
    m: apps::ActiveModel,
) -> Result<apps::Model, DbErr> {
    m.insert(conn).await
}

pub async fn app_by_client_id(
    conn: &impl ConnectionTrait,
    client_id: &str,
) -> Result<Option<apps::Model>, DbErr> {
    apps::Entity::find()
        .filter(apps::Column::ClientId.eq(client_id))
        .one(conn)
        .await
}

pub async fn app(conn: &impl ConnectionTrait, id: i64) -> Result<Option<apps::Model>, DbErr> {
    apps::Entity::find_by_id(id).one(conn).await
}

pub async fn insert_token(
    conn: &impl ConnectionTrait,
    m: tokens::ActiveModel,
) -> Result<tokens::Model, DbErr> {
    m.insert(conn).await
}

/// A live (not revoked) token by the hash of its secret.
pub async fn token_by_hash(
    conn: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<tokens::Model>, DbErr> {
    tokens::Entity::find()
        .filter(tokens::Column::TokenHash.eq(hash))
        .filter(tokens::Column::RevokedAt.is_null())
        .one(conn)
        .await
}

/// A live token by the hash of its secret, with its application (one query).
pub async fn token_and_app_by_hash(
    conn: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<(tokens::Model, apps::Model)>, DbErr> {
    let to_app: RelationDef = tokens::Entity::belongs_to(apps::Entity)
        .from(tokens::Column::ApplicationId)
        .to(apps::Column::Id)
        .into();
    let row = tokens::Entity::find()
        .join(JoinType::InnerJoin, to_app)
        .select_also(apps::Entity)
        .filter(tokens::Column::TokenHash.eq(hash))
        .filter(tokens::Column::RevokedAt.is_null())
        // `all`, not `one`: a bound LIMIT makes SQLite prepare the statement
        // again on every run (see `db::all_with_literal_limit`); the hash is unique.
        .all(conn)
        .await?;
    Ok(row.into_iter().next().and_then(|(t, a)| a.map(|a| (t, a))))
}

pub async fn revoke_token(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    tokens::Entity::update_many()
        .col_expr(tokens::Column::RevokedAt, Expr::val(super::now()))
        .filter(tokens::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn touch_token(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    tokens::Entity::update_many()
        .col_expr(tokens::Column::LastUsedAt, Expr::val(super::now()))
        .filter(tokens::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// An account's live tokens, newest first (the "authorised apps" list).
pub async fn tokens_of(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Vec<tokens::Model>, DbErr> {
    tokens::Entity::find()
        .filter(tokens::Column::AccountId.eq(account_id))
        .filter(tokens::Column::RevokedAt.is_null())
        .order_by_desc(tokens::Column::Id)
        .all(conn)
        .await
}

pub async fn insert_code(
    conn: &impl ConnectionTrait,
    m: codes::ActiveModel,
) -> Result<codes::Model, DbErr> {
    m.insert(conn).await
}

/// Marks an unused, unexpired code used and returns it; `None` if there is no such code.
pub async fn take_code(
    conn: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<codes::Model>, DbErr> {
    let now = super::now();
    let n = codes::Entity::update_many()
        .col_expr(codes::Column::UsedAt, Expr::val(now))
        .filter(codes::Column::CodeHash.eq(hash))
        .filter(codes::Column::UsedAt.is_null())
        .filter(codes::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?
        .rows_affected;
    if n == 0 {
        return Ok(None);
    }
    codes::Entity::find()
        .filter(codes::Column::CodeHash.eq(hash))
        .one(conn)
        .await
}
