//! Queries on `users` (local logins).
use entity::users::{self, Column, Entity};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

pub async fn find_by_account(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Option<users::Model>, DbErr> {
    Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .one(conn)
        .await
}

/// An account with its user row, if it has one (one query).
pub async fn account_with_user(
    conn: &impl ConnectionTrait,
    account_id: i64,
) -> Result<Option<(entity::accounts::Model, Option<users::Model>)>, DbErr> {
    // `all`, not `one` (no bound LIMIT: see `db::all_with_literal_limit`); one row at most.
    Ok(entity::accounts::Entity::find_by_id(account_id)
        .find_also_related(Entity)
        .all(conn)
        .await?
        .into_iter()
        .next())
}

/// `email` must already be normalised (trimmed, lower-cased).
pub async fn find_by_email(
    conn: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<users::Model>, DbErr> {
    Entity::find()
        .filter(Column::Email.eq(email))
        .one(conn)
        .await
}

pub async fn find_for_accounts(
    conn: &impl ConnectionTrait,
    account_ids: &[i64],
) -> Result<Vec<users::Model>, DbErr> {
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::AccountId.is_in(account_ids.iter().copied()))
        .all(conn)
        .await
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    model: users::ActiveModel,
) -> Result<users::Model, DbErr> {
    model.insert(conn).await
}

pub async fn set_password_hash(
    conn: &impl ConnectionTrait,
    id: i64,
    hash: &str,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::PasswordHash, Expr::val(hash))
        .col_expr(Column::UpdatedAt, Expr::val(super::now()))
        .filter(Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn touch_sign_in(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LastSignInAt, Expr::val(super::now()))
        .filter(Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}
