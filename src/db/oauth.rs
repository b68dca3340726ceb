//! Queries on the OAuth tables.
use entity::{oauth_applications as apps, oauth_codes as codes, oauth_tokens as tokens};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
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
/// A live token by its hash, with its application and, for a user token, the
/// account and its user (absent for a remote or deleted account's user), in
/// one statement: this runs on every authenticated API request.
pub async fn token_auth_by_hash(
    conn: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<TokenWithOwner>, DbErr> {
    use entity::{accounts, users};
    use sea_orm::Iterable;
    use sea_orm::sea_query::{ExprTrait, Query};
    // Every column of the four tables, in their entities' order, read back by
    // position (`super::rows`).
    fn columns<E: EntityTrait>(q: &mut sea_orm::sea_query::SelectStatement) {
        for c in E::Column::iter() {
            q.expr(Expr::col((E::default(), c)));
        }
    }
    let mut q = Query::select();
    columns::<tokens::Entity>(&mut q);
    columns::<apps::Entity>(&mut q);
    columns::<accounts::Entity>(&mut q);
    columns::<users::Entity>(&mut q);
    q.from(tokens::Entity)
        .inner_join(
            apps::Entity,
            Expr::col((apps::Entity, apps::Column::Id))
                .equals((tokens::Entity, tokens::Column::ApplicationId)),
        )
        .left_join(
            accounts::Entity,
            Expr::col((accounts::Entity, accounts::Column::Id))
                .equals((tokens::Entity, tokens::Column::AccountId)),
        )
        .left_join(
            users::Entity,
            Expr::col((users::Entity, users::Column::AccountId))
                .equals((accounts::Entity, accounts::Column::Id)),
        )
        .and_where(Expr::col((tokens::Entity, tokens::Column::TokenHash)).eq(hash))
        .and_where(Expr::col((tokens::Entity, tokens::Column::RevokedAt)).is_null());
    let stmt = conn.get_database_backend().build(&q);
    // No LIMIT: the hash is unique (and a bound LIMIT is prepared again on every run).
    let Some(row) = conn.query_all_raw(stmt).await?.into_iter().next() else {
        return Ok(None);
    };
    let mut cols = super::rows::Columns::new(&row);
    let token = cols.token()?;
    let app = cols.app()?;
    let account = cols.optional::<accounts::Entity, _>(|c| c.account())?;
    let user = cols.optional::<users::Entity, _>(|c| c.user())?;
    Ok(Some(TokenWithOwner {
        token,
        app,
        account: account.map(|a| (a, user)),
    }))
}

/// What [`token_auth_by_hash`] finds.
pub struct TokenWithOwner {
    pub token: tokens::Model,
    pub app: apps::Model,
    /// The token's account (a user token) and its user.
    pub account: Option<(entity::accounts::Model, Option<entity::users::Model>)>,
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
